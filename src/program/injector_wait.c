/* The injector's clock and connection: its plan's times, its waits, which
 * stop with the run, and its connection reopened (a leaf that the
 * injector's loop, its kinds' actions and its sharing all use). */
#include "injector_internal.h"
#include "txstorm/clock.h"
#include "txstorm/db_trigger.h"

bool injector_reconnected(struct injector *in, struct db_error *err)
{
    if (db_ok(in->db)) return true;
    return db_reconnect(in->db, INJECTOR_RECONNECT_S, err) == DB_OK &&
           db_trigger_session(in->db, in->instance != 0, err) == DB_OK;
}

bool injector_stopped(const struct injector *in) { return atomic_load(in->stop); }

bool injector_sleep_until(const struct injector *in, int64_t due_us)
{
    for (;;) {
        if (injector_stopped(in)) return false;
        int64_t left = due_us - clock_now_us();
        if (left <= 0) return true;
        clock_sleep_us(left < INJECTOR_STOP_CHECK_US ? left : INJECTOR_STOP_CHECK_US);
    }
}

int64_t injector_planned_start(const struct injector *in, int i)
{
    return in->origin_us + in->plan->items[i].at_us;
}

int64_t injector_planned_end(const struct injector *in, int i)
{
    return injector_planned_start(in, i) + in->plan->items[i].span_us;
}
