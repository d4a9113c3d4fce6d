/* Whether a loaded result is one a run could have written, and the ways
 * commands read a saved result: whole and checked, or only its ledger record. */
#include "report_internal.h"
#include "txstorm/errbuf.h"

#include <string.h>

/* The key of the first per-endpoint count that does not add up to the
 * total, as a run's do (time disconnected aside: the total is saved in
 * rounded milliseconds); NULL: they all do. */
static const char *endpoints_not_adding_up(const struct run_summary *s)
{
    struct endpoint_stats sum;
    endpoints_sum(s->endpoints, s->n_endpoints, &sum);
    if (sum.connection_losses != s->faults.connection_losses) return "connection_losses";
    if (sum.reconnects != s->faults.reconnects) return "reconnects";
#define SAME(field)                                                                                \
    if (sum.field != s->total.field) return #field;
    ENDPOINT_COUNTERS(SAME)
    if (!s->endpoint_connects_unknown) {
        ENDPOINT_CONNECTS(SAME)
    }
#undef SAME
#define SAME_BY(field, n)                                                                          \
    for (int c = 0; c < (n); c++)                                                                  \
        if (sum.field[c] != s->total.field[c]) return #field;
#define SAME_BY_CLASS(field) SAME_BY(field, ERR_CLASS_COUNT)
    ENDPOINT_COUNTS_BY(SAME_BY_CLASS)
    if (!s->endpoint_connects_unknown) SAME_BY(connect_failures, CONNECT_REASON_COUNT)
#undef SAME_BY_CLASS
#undef SAME_BY
    return NULL;
}

/* Whether the measured rows add up to the totals, as a run's and a merge's
 * do (every measured interval's counts went into the total, and only those). */
static bool series_adds_up(const struct run_summary *s)
{
    struct figure_counts sum = {0};
    for (size_t i = 0; i < s->series.n; i++) {
        if (s->series.rows[i].warmup) continue;
        struct figure_counts c = series_row_counts(&s->series.rows[i]);
        figures_add(&sum, &c);
    }
    const struct stats *t = &s->total;
    return sum.committed == t->committed && sum.failed == t->failed &&
           sum.insufficient == t->insufficient && sum.ambiguous == t->ambiguous &&
           sum.retries == t->retries;
}

int report_consistent(const struct run_summary *s, const char *path, char *err, size_t err_len)
{
    char why[160];
    if (stats_check_consistent(&s->total, why, sizeof why) != 0)
        return errbuf_fail(err, err_len, "%s: inconsistent counters: %s", path, why);
    const char *key = s->n_endpoints > 0 ? endpoints_not_adding_up(s) : NULL;
    if (key)
        return errbuf_fail(err, err_len,
                           "%s: inconsistent counters: the endpoints' '%s' do not add up to "
                           "the total",
                           path, key);
    if (s->check_done && !checker_consistent(&s->check))
        return errbuf_fail(err, err_len, "%s: the check's verdicts do not follow from its figures",
                           path);
    if (s->series.n > 0 && !series_adds_up(s))
        return errbuf_fail(err, err_len,
                           "%s: inconsistent counters: the measured intervals do not add up to "
                           "the totals",
                           path);
    return 0;
}

int report_load_checked(const char *path, struct run_summary *s, char *err, size_t err_len)
{
    if (report_load(path, s, err, err_len) != 0) return -1;
    if (report_consistent(s, path, err, err_len) == 0) return 0;
    report_summary_free(s);
    return -1;
}

int report_load_ledger(const char *path, struct ledger_record *r, char *err, size_t err_len)
{
    memset(r, 0, sizeof *r);
    struct run_summary s;
    if (report_load(path, &s, err, err_len) != 0) return -1;
    int rc = 0;
    if (!s.ledger.present && s.ledgers.present)
        rc = errbuf_fail(err, err_len,
                         "%s: a merged result keeps each instance's ledger record; give each "
                         "instance's own result to check --ledger",
                         path);
    else if (!s.ledger.present)
        rc = errbuf_fail(err, err_len,
                         "%s: the run kept no ledger record (it ran without --ledger)", path);
    if (rc == 0) {
        *r = s.ledger;
        s.ledger = (struct ledger_record){0};
    }
    report_summary_free(&s);
    return rc;
}
