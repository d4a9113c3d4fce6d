/* The check's rows: one table row per invariant, its name and how it is filled. */
#include "txstorm/check_rows.h"

#include <stdio.h>

static const char ledger_needs[] = "needs run --ledger (or check --ledger --result RUN.json)";

static void judged(struct check_row *r, bool ok, int64_t expected, int64_t actual)
{
    r->verdict = ok ? CHECK_PASS : CHECK_FAIL;
    r->expected = expected;
    r->actual = actual;
}

static void not_run(struct check_row *r, const char *needs)
{
    r->verdict = CHECK_NOT_RUN;
    snprintf(r->reason, sizeof r->reason, "%s", needs);
}

static void accounts(struct check_row *r, const struct check_result *c)
{
    judged(r, c->accounts_ok, c->accounts_expected, c->accounts_actual);
    /* With no rows there are no ids to show. */
    if (!c->accounts_ok && c->accounts_actual > 0)
        snprintf(r->reason, sizeof r->reason, "ids %lld..%lld", (long long)c->min_id,
                 (long long)c->max_id);
}

static void conservation(struct check_row *r, const struct check_result *c)
{
    judged(r, c->total_ok, c->total_expected, c->total_actual);
    if (!c->total_ok)
        snprintf(r->reason, sizeof r->reason, "off by %+lld",
                 (long long)(c->total_actual - c->total_expected));
}

static void no_overdraft(struct check_row *r, const struct check_result *c)
{
    judged(r, c->negative_ok, 0, c->negative_accounts);
    if (c->allow_overdraft) {
        r->verdict = CHECK_ALLOWED;
        snprintf(r->reason, sizeof r->reason, "--allow-overdraft (%lld accounts negative)",
                 (long long)c->negative_accounts);
    }
}

static void balances(struct check_row *r, const struct check_result *c)
{
    if (c->balances_skipped) {
        r->verdict = CHECK_SKIPPED;
        snprintf(r->reason, sizeof r->reason, "a run without --ledger moved money since init");
        return;
    }
    if (!c->balances_checked) {
        not_run(r, "needs --ledger");
        return;
    }
    judged(r, c->balances_ok, 0, c->balance_mismatches);
    if (!c->balances_ok)
        snprintf(r->reason, sizeof r->reason, "e.g. account %lld: ledger says %lld, balance %lld",
                 (long long)c->first_mismatch_id, (long long)c->first_mismatch_expected,
                 (long long)c->first_mismatch_actual);
}

static void ledger_acked(struct check_row *r, const struct check_result *c)
{
    if (!c->ledger_checked) {
        not_run(r, ledger_needs);
        return;
    }
    judged(r, c->lost == 0 && c->duplicated == 0, c->acked, c->acked_found);
}

/* A count of transfers that should be none, and the first of them. */
static void ledger_none(struct check_row *r, const struct check_result *c, int64_t count,
                        int64_t first)
{
    if (!c->ledger_checked) {
        not_run(r, ledger_needs);
        return;
    }
    judged(r, count == 0, 0, count);
    if (count) snprintf(r->reason, sizeof r->reason, "e.g. transfer %lld", (long long)first);
}

static void ledger_lost(struct check_row *r, const struct check_result *c)
{
    ledger_none(r, c, c->lost, c->first_lost);
}

static void ledger_duplicated(struct check_row *r, const struct check_result *c)
{
    ledger_none(r, c, c->duplicated, c->first_duplicated);
}

static void ledger_invented(struct check_row *r, const struct check_result *c)
{
    if (!c->ledger_checked) {
        not_run(r, ledger_needs);
        return;
    }
    int64_t invented = c->invented_failed + c->invented_unknown;
    judged(r, invented == 0, 0, invented);
    if (invented)
        snprintf(r->reason, sizeof r->reason,
                 "(%lld of failed transfers, %lld unknown; e.g. transfer %lld)",
                 (long long)c->invented_failed, (long long)c->invented_unknown,
                 (long long)c->first_invented);
}

static void auditor(struct check_row *r, const struct check_result *c)
{
    if (!c->audited) {
        not_run(r, "needs --audit-every");
        return;
    }
    const struct audit_summary *a = &c->audit;
    judged(r, a->violations == 0, a->readings, a->violations);
    r->actual_unit = "violating";
    int n = 0;
    if (a->wrong_total)
        n = snprintf(r->reason, sizeof r->reason, "wrong total in %lld, worst %lld at %.3f s",
                     (long long)a->wrong_total, (long long)a->wrong_worst.total,
                     (double)a->wrong_worst.t_us / 1e6);
    if (a->negative_value && n >= 0 && (size_t)n < sizeof r->reason)
        snprintf(r->reason + n, sizeof r->reason - (size_t)n,
                 "%snegative balances in %lld, worst %lld accounts at %.3f s", n ? "; " : "",
                 (long long)a->negative_value, (long long)a->negative_worst.negative,
                 (double)a->negative_worst.t_us / 1e6);
}

static const struct {
    const char *label;
    bool detail;
    void (*fill)(struct check_row *r, const struct check_result *c);
} invariants[CHECK_INVARIANT_COUNT] = {
    [CHECK_ACCOUNTS] = {"accounts (ids 1..N)", false, accounts},
    [CHECK_CONSERVATION] = {"conservation (total)", false, conservation},
    [CHECK_NO_OVERDRAFT] = {"no overdraft (negatives)", false, no_overdraft},
    [CHECK_BALANCES] = {"balances = ledger", false, balances},
    [CHECK_LEDGER_ACKED] = {"ledger: acknowledged found", false, ledger_acked},
    [CHECK_LEDGER_LOST] = {"lost (acknowledged, absent)", true, ledger_lost},
    [CHECK_LEDGER_DUPLICATED] = {"duplicated", true, ledger_duplicated},
    [CHECK_LEDGER_INVENTED] = {"ledger: nothing invented", false, ledger_invented},
    [CHECK_AUDITOR] = {"auditor readings", false, auditor},
};

size_t check_rows(const struct check_result *c, struct check_row *out, size_t max)
{
    size_t n = 0;
    for (int id = 0; id < CHECK_INVARIANT_COUNT && n < max; id++) {
        struct check_row *r = &out[n++];
        *r = (struct check_row){.invariant = (enum check_invariant)id,
                                .label = invariants[id].label,
                                .detail = invariants[id].detail};
        invariants[id].fill(r, c);
    }
    return n;
}

const char *check_verdict_word(enum check_verdict v)
{
    static const char *const words[] = {
        [CHECK_PASS] = "PASS",       [CHECK_FAIL] = "FAIL",       [CHECK_ALLOWED] = "allowed",
        [CHECK_SKIPPED] = "skipped", [CHECK_NOT_RUN] = "not run",
    };
    return words[v];
}

const char *check_summary(const struct check_result *c)
{
    return c->ok ? "PASS, all invariants hold" : "FAIL, invariant violated";
}
