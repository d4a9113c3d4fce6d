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
}

int64_t schedule_next_us(struct schedule *s, struct rng *r)
{
    int64_t intended = (int64_t)s->next_us;
    double gap = s->interval_us;
    /* Inverse transform: -ln(U) with U in (0, 1] is Exp(1). */
    if (s->arrival == ARRIVAL_POISSON) gap *= -log(1.0 - rng_unit(r));
    s->next_us += gap;
    return intended;
}
