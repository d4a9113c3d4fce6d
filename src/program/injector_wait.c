/* The injector's clock: its plan's times and its waits, which stop with the
 * run (a leaf that both the injector's loop and its kinds' actions use). */
#include "injector_internal.h"
#include "txstorm/clock.h"

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
