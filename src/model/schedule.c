/* Intended start times for open-loop runs. */
#include "txstorm/schedule.h"

#include <math.h>
#include <stddef.h>

const char *const schedule_arrival_names[] = {[ARRIVAL_FIXED] = "fixed",
                                              [ARRIVAL_POISSON] = "poisson", NULL};

void schedule_init(struct schedule *s, enum arrival arrival, double rate_per_s, int64_t start_us,
                   double offset_us)
{
    s->arrival = arrival;
    s->interval_us = 1e6 / rate_per_s;
    s->next_us = (double)start_us + offset_us;
    s->phases = NULL;
}

/* -ln(U) with U in (0, 1] is Exp(1): the inverse transform. */
static double unit_exponential(struct rng *r)
{
    return -log(1.0 - rng_unit(r));
}

void schedule_init_phases(struct schedule *s, enum arrival arrival, const struct phases *phases,
                          int worker, int workers, int64_t start_us, struct rng *r)
{
    *s = (struct schedule){.arrival = arrival,
                           .phases = phases,
                           .start_us = start_us,
                           .count_step = workers};
    /* Fixed starts sit mid-slot, so a phase that offers n transactions gets n
     * starts, none of them on its boundary. */
    s->next_count = arrival == ARRIVAL_FIXED ? worker + 0.5 : workers * unit_exponential(r);
}

int64_t schedule_next_us(struct schedule *s, struct rng *r)
{
    if (s->phases) {
        int64_t at_us = phases_time_of(s->phases, s->next_count);
        s->next_count += s->arrival == ARRIVAL_POISSON ? s->count_step * unit_exponential(r)
                                                        : s->count_step;
        return at_us == INT64_MAX ? INT64_MAX : s->start_us + at_us;
    }
    int64_t intended = (int64_t)s->next_us;
    double gap = s->interval_us;
    if (s->arrival == ARRIVAL_POISSON) gap *= unit_exponential(r);
    s->next_us += gap;
    return intended;
}
