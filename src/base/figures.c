/* The derived figures of a run (see figures.h for each definition). */
#include "txstorm/figures.h"

#include <math.h>

int64_t figures_finished(int64_t committed, int64_t failed, int64_t insufficient, int64_t ambiguous)
{
    return committed + failed + insufficient + ambiguous;
}

double figures_per_second(double count, int64_t span_us)
{
    return span_us > 0 ? count * 1e6 / (double)span_us : 0;
}

double figures_ratio(int64_t n, int64_t of) { return of != 0 ? (double)n / (double)of : NAN; }

int64_t figures_attempts(int64_t finished, int64_t retries) { return finished + retries; }

double figures_or_zero(double ratio) { return isnan(ratio) ? 0 : ratio; }

void figures_add(struct figure_counts *sum, const struct figure_counts *c)
{
    sum->committed += c->committed;
    sum->failed += c->failed;
    sum->insufficient += c->insufficient;
    sum->ambiguous += c->ambiguous;
    sum->attempts += c->attempts;
    sum->retries += c->retries;
}

void figures_of(const struct figure_counts *c, int64_t span_us, struct figures *out)
{
    int64_t finished = figures_finished(c->committed, c->failed, c->insufficient, c->ambiguous);
    *out = (struct figures){
        .finished = finished,
        .wasted_attempts = c->attempts - c->committed - c->insufficient,
        .goodput_per_s = figures_per_second((double)c->committed, span_us),
        .failed_rate = figures_ratio(c->failed, finished),
        .retries_per_commit = figures_ratio(c->retries, c->committed),
        .attempts_per_finished = figures_ratio(c->attempts, finished),
    };
}
