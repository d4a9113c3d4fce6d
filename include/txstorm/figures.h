/* A run's derived figures, each defined once, here: the text report, the
 * --assert gates, compare, the phases table and the recovery verdict take
 * them from these functions, so no two of them disagree on what "finished"
 * or "failed rate" means. Pure arithmetic over counts and a span.
 *
 * A ratio with nothing under it (no commits, nothing finished) is NaN: no
 * value, which no gate accepts and each table shows its own way. A rate over
 * no span is 0: nothing was counted in it. */
#ifndef TXSTORM_FIGURES_H
#define TXSTORM_FIGURES_H

#include <stdint.h>

/* What the figures are made of: a run's counters (stats.h says what each
 * counts), or those of a part of it. */
struct figure_counts {
    int64_t committed, failed, insufficient, ambiguous;
    int64_t attempts; /* first or retry */
    int64_t retries;  /* attempts beyond the first */
};

struct figures {
    /* Transactions that ended: committed, failed, insufficient funds or
     * ambiguous (an ambiguous commit ended; only its outcome is unknown). */
    int64_t finished;
    /* Attempts that ended in neither a commit nor a verdict of insufficient
     * funds: attempts - committed - insufficient. */
    int64_t wasted_attempts;
    double goodput_per_s;         /* committed per second of the span: the throughput, "tps" */
    double failed_rate;           /* failed / finished (compare's failed % is 100 x this) */
    double retries_per_commit;    /* retries / committed */
    double attempts_per_finished; /* attempts / finished: a retry storm's amplification */
};

/* The figures of c over span_us, the measured time the counts cover. */
void figures_of(const struct figure_counts *c, int64_t span_us, struct figures *out);

/* Adds c into sum, as pooling runs or intervals does before taking figures. */
void figures_add(struct figure_counts *sum, const struct figure_counts *c);

/* The pieces, for a caller that holds only some of the counts. */
int64_t figures_finished(int64_t committed, int64_t failed, int64_t insufficient,
                         int64_t ambiguous);
double figures_per_second(double count, int64_t span_us);
double figures_ratio(int64_t n, int64_t of); /* n / of; NaN when of is 0 */
/* The attempts of a source that counts only retries (pgbench, an interval
 * row): one first attempt per finished transaction, and its retries. */
int64_t figures_attempts(int64_t finished, int64_t retries);

/* A ratio for a table that shows no value as 0. */
double figures_or_zero(double ratio);

#endif
