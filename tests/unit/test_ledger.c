/* The transfer record (ledger, ledger_reconcile, ledger_json, ledger_record): ids, growth,
 * counts, the audit's every class, the JSON form, and the record a result keeps. */
#include "txstorm/ledger.h"
#include "txstorm/ledger_json.h"
#include "txstorm/ledger_reconcile.h"
#include "txstorm/ledger_record.h"

#include "cmocka_prelude.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID(i, w, s) ledger_transfer_id((i), (w), (s))

/* A fixed pattern the tests can recompute, mixing all four outcomes unevenly. */
static enum ledger_outcome pattern(int worker, int64_t seq)
{
    return (enum ledger_outcome)((seq * 7 + worker * 3 + seq / 5) % 4);
}

/* splitmix64: the tests need their own numbers, without linking the rng module. */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void fill(struct ledger *l, int worker, int64_t n)
{
    for (int64_t s = l->books[worker].n; s < n; s++)
        assert_int_equal(ledger_record(l, worker, s, pattern(worker, s), 0), 0);
}

static void ids_round_trip_at_the_extremes(void **state)
{
    (void)state;
    const int instances[] = {0, 1, 511};
    const int workers[] = {0, 1, 16383};
    const int64_t seqs[] = {0, 1, ((int64_t)1 << 40) - 1};
    for (int i = 0; i < 3; i++) {
        for (int w = 0; w < 3; w++) {
            for (int s = 0; s < 3; s++) {
                int64_t id = ID(instances[i], workers[w], seqs[s]);
                assert_true(id >= 0);
                int pi, pw;
                int64_t ps;
                ledger_id_parts(id, &pi, &pw, &ps);
                assert_int_equal(pi, instances[i]);
                assert_int_equal(pw, workers[w]);
                assert_int_equal(ps, seqs[s]);
            }
        }
    }
    assert_int_equal(ID(0, 0, 0), 0);
    assert_int_equal(ID(511, 16383, ((int64_t)1 << 40) - 1), INT64_MAX);
    assert_int_equal(ID(1, 2, 3), ((int64_t)1 << 54) | ((int64_t)2 << 40) | 3);

    /* Parts that do not fit would alias another transfer. */
    assert_int_equal(ID(512, 0, 0), -1);
    assert_int_equal(ID(-1, 0, 0), -1);
    assert_int_equal(ID(0, 16384, 0), -1);
    assert_int_equal(ID(0, -1, 0), -1);
    assert_int_equal(ID(0, 0, (int64_t)1 << 40), -1);
    assert_int_equal(ID(0, 0, -1), -1);

    const int64_t garbage[] = {-1, INT64_MIN, -((int64_t)1 << 54)};
    for (int k = 0; k < 3; k++) {
        int pi = 0, pw = 0;
        int64_t ps = 0;
        ledger_id_parts(garbage[k], &pi, &pw, &ps);
        assert_int_equal(pi, -1);
    }
}

static void record_and_get_across_workers_with_growth(void **state)
{
    (void)state;
    struct ledger l;
    assert_int_equal(ledger_init(&l, 7, 3), 0);
    const int64_t n[3] = {1000000, 3, 0};
    /* Interleaved, as concurrent workers would leave them. */
    for (int64_t s = 0; s < n[0]; s++)
        for (int w = 0; w < 3; w++)
            if (s < n[w]) assert_int_equal(ledger_record(&l, w, s, pattern(w, s), 0), 0);
    for (int w = 0; w < 3; w++) {
        assert_int_equal(l.books[w].n, n[w]);
        assert_true(l.books[w].cap >= (size_t)(n[w] + 3) / 4);
        for (int64_t s = 0; s < n[w]; s++)
            if (ledger_get(&l, ID(7, w, s)) != pattern(w, s))
                fail_msg("worker %d seq %lld", w, (long long)s);
        assert_int_equal(ledger_get(&l, ID(7, w, n[w])), LEDGER_NONE);
    }
    /* Doubling: a million transfers in 250,000 bytes, at most twice that held. */
    assert_true(l.books[0].cap < 2 * 250000);

    assert_int_equal(ledger_get(&l, ID(6, 0, 1)), LEDGER_NONE);
    assert_int_equal(ledger_get(&l, ID(8, 0, 1)), LEDGER_NONE);
    assert_int_equal(ledger_get(&l, ID(7, 3, 1)), LEDGER_NONE);
    assert_int_equal(ledger_get(&l, ID(7, 16383, 1)), LEDGER_NONE);
    assert_int_equal(ledger_get(&l, -1), LEDGER_NONE);
    assert_int_equal(ledger_get(&l, INT64_MIN), LEDGER_NONE);
    ledger_free(&l);
}

static void init_refuses_what_ids_cannot_hold(void **state)
{
    (void)state;
    struct ledger l;
    assert_int_equal(ledger_init(&l, 512, 1), -1);
    assert_int_equal(ledger_init(&l, -1, 1), -1);
    assert_int_equal(ledger_init(&l, 0, 16385), -1);
    assert_int_equal(ledger_init(&l, 0, -1), -1);
    ledger_free(&l);
    assert_int_equal(ledger_init(&l, 511, 16384), 0);
    assert_int_equal(ledger_record(&l, 16383, 0, LEDGER_ACKED, 0), 0);
    assert_int_equal(ledger_get(&l, INT64_MAX - ((int64_t)1 << 40) + 1), LEDGER_ACKED);
    ledger_free(&l);
    assert_int_equal(ledger_init(&l, 0, 0), 0);
    struct ledger_counts c;
    ledger_count(&l, &c);
    assert_int_equal(c.acked + c.failed + c.ambiguous + c.none, 0);
    ledger_free(&l);
}

static void out_of_order_records_are_refused(void **state)
{
    (void)state;
    struct ledger l;
    assert_int_equal(ledger_init(&l, 0, 2), 0);
    assert_int_equal(ledger_record(&l, 0, 0, LEDGER_ACKED, 0), 0);
    assert_int_equal(ledger_record(&l, 0, 1, LEDGER_FAILED, 0), 0);

    assert_int_equal(ledger_record(&l, 0, 1, LEDGER_AMBIGUOUS, 0), -1); /* again */
    assert_int_equal(ledger_record(&l, 0, 0, LEDGER_AMBIGUOUS, 0), -1); /* back */
    assert_int_equal(ledger_record(&l, 0, 3, LEDGER_AMBIGUOUS, 0), -1); /* a gap */
    assert_int_equal(ledger_record(&l, 0, -1, LEDGER_AMBIGUOUS, 0), -1);
    assert_int_equal(ledger_record(&l, 1, 2, LEDGER_AMBIGUOUS, 0), -1); /* another's seq */
    assert_int_equal(ledger_record(&l, 2, 0, LEDGER_AMBIGUOUS, 0), -1);
    assert_int_equal(ledger_record(&l, -1, 0, LEDGER_AMBIGUOUS, 0), -1);
    assert_int_equal(ledger_record(&l, 0, 2, (enum ledger_outcome)4, 0), -1);

    assert_int_equal(l.books[0].n, 2);
    assert_int_equal(l.books[1].n, 0);
    assert_int_equal(ledger_get(&l, ID(0, 0, 0)), LEDGER_ACKED);
    assert_int_equal(ledger_get(&l, ID(0, 0, 1)), LEDGER_FAILED);
    assert_int_equal(ledger_get(&l, ID(0, 0, 2)), LEDGER_NONE);

    assert_int_equal(ledger_record(&l, 0, 2, LEDGER_AMBIGUOUS, 0), 0);
    assert_int_equal(ledger_get(&l, ID(0, 0, 2)), LEDGER_AMBIGUOUS);
    assert_int_equal(ledger_get(&l, ID(0, 0, 1)), LEDGER_FAILED);
    ledger_free(&l);
}

static void counts_total_every_outcome(void **state)
{
    (void)state;
    struct ledger l;
    assert_int_equal(ledger_init(&l, 2, 4), 0);
    /* Lengths around the 4-per-byte and 32-per-word boundaries. */
    const int64_t n[4] = {1, 31, 33, 1000};
    int64_t want[4] = {0};
    for (int w = 0; w < 4; w++) {
        fill(&l, w, n[w]);
        for (int64_t s = 0; s < n[w]; s++)
            want[pattern(w, s)]++;
    }
    struct ledger_counts c;
    ledger_count(&l, &c);
    assert_int_equal(c.none, want[LEDGER_NONE]);
    assert_int_equal(c.acked, want[LEDGER_ACKED]);
    assert_int_equal(c.failed, want[LEDGER_FAILED]);
    assert_int_equal(c.ambiguous, want[LEDGER_AMBIGUOUS]);
    assert_int_equal(c.none + c.acked + c.failed + c.ambiguous, 1 + 31 + 33 + 1000);
    assert_true(c.none > 0 && c.acked > 0 && c.failed > 0 && c.ambiguous > 0);
    ledger_free(&l);
}

static void audit_all(struct ledger_audit *a, const struct ledger *const *ls, int n,
                      const int64_t *ids, size_t n_ids)
{
    assert_int_equal(ledger_audit_begin(a, ls, n), 0);
    for (size_t i = 0; i < n_ids; i++)
        ledger_audit_row(a, ls, n, ids[i]);
    ledger_audit_end(a, ls, n);
}

static void audit_names_every_class(void **state)
{
    (void)state;
    const enum ledger_outcome A = LEDGER_ACKED, F = LEDGER_FAILED, M = LEDGER_AMBIGUOUS,
                              N = LEDGER_NONE;
    const enum ledger_outcome w0[] = {A, A, A, F, N, M, M, M, A, F};
    const enum ledger_outcome w1[] = {A, A, N};
    struct ledger l;
    assert_int_equal(ledger_init(&l, 3, 2), 0);
    for (int64_t s = 0; s < 10; s++)
        assert_int_equal(ledger_record(&l, 0, s, w0[s], 0), 0);
    for (int64_t s = 0; s < 3; s++)
        assert_int_equal(ledger_record(&l, 1, s, w1[s], 0), 0);

    const int64_t ids[] = {
        ID(3, 0, 0),                            /* acked, found */
        ID(3, 0, 2),                            /* acked, found ... */
        ID(4, 0, 0),                            /* another instance: the first invented */
        ID(3, 0, 3),                            /* failed, yet written */
        ID(3, 0, 2),                            /* ... twice: the first duplicated */
        ID(3, 0, 4),                            /* NONE: the tool believed nothing was written */
        ID(3, 2, 0),                            /* a worker this instance never had */
        ID(3, 0, 10),                           /* beyond what worker 0 attempted */
        ID(3, 0, 5),                            /* ambiguous, committed */
        ID(3, 0, 7),                            /* ambiguous, committed ... */
        ID(3, 0, 7),                            /* ... twice */
        ID(3, 0, 2),                            /* ... three times: still one duplicated id */
        ID(3, 1, 0),  ID(3, 1, 1), ID(3, 1, 3), /* beyond worker 1 */
        -5,                                     /* not an id at all */
    };
    struct ledger_audit a;
    const struct ledger *ls[] = {&l};
    audit_all(&a, ls, 1, ids, sizeof ids / sizeof ids[0]);

    assert_int_equal(a.rows, 16);
    assert_int_equal(a.acked, 6);
    assert_int_equal(a.acked_found, 4);
    assert_int_equal(a.lost, 2); /* seq 1 and 8 */
    assert_int_equal(a.first_lost, ID(3, 0, 1));
    assert_int_equal(a.duplicated, 2);
    assert_int_equal(a.first_duplicated, ID(3, 0, 2));
    assert_int_equal(a.invented_failed, 1);
    assert_int_equal(a.invented_unknown, 6);
    assert_int_equal(a.first_invented, ID(4, 0, 0));
    assert_int_equal(a.ambiguous, 3);
    assert_int_equal(a.ambiguous_committed, 2);
    assert_int_equal(a.ambiguous_not_committed, 1);
    /* Every ambiguous commit named, by id, with how the table resolved it. */
    assert_int_equal(a.ambiguous_named.n, 3);
    const enum ledger_resolution resolved[] = {LEDGER_COMMITTED, LEDGER_NOT_COMMITTED,
                                               LEDGER_COMMITTED};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(a.ambiguous_named.items[i].id, ID(3, 0, 5 + i));
        assert_int_equal(a.ambiguous_named.items[i].worker, 0);
        assert_int_equal(a.ambiguous_named.items[i].resolution, resolved[i]);
    }
    assert_false(ledger_audit_ok(&a));

    /* The verdict is read, not accumulated: a second end changes nothing. */
    ledger_audit_end(&a, ls, 1);
    assert_int_equal(a.acked, 6);
    assert_int_equal(a.lost, 2);
    assert_int_equal(a.ambiguous_committed, 2);
    assert_int_equal(a.ambiguous_named.n, 3);
    ledger_audit_free(&a);
    ledger_audit_free(&a);

    /* Each class alone is enough to fail the audit; ambiguity is not. */
    const int64_t clean[] = {ID(3, 0, 8), ID(3, 0, 0), ID(3, 1, 1), ID(3, 0, 2),
                             ID(3, 0, 1), ID(3, 1, 0), ID(3, 0, 7)};
    audit_all(&a, ls, 1, clean, 7);
    assert_true(ledger_audit_ok(&a));
    assert_int_equal(a.acked_found, 6);
    assert_int_equal(a.ambiguous_committed, 1);
    assert_int_equal(a.ambiguous_not_committed, 2);
    assert_int_equal(a.first_lost, -1);
    assert_int_equal(a.first_duplicated, -1);
    assert_int_equal(a.first_invented, -1);
    ledger_audit_free(&a);

    const int64_t one_lost[] = {ID(3, 0, 8), ID(3, 0, 0), ID(3, 1, 1), ID(3, 0, 2), ID(3, 1, 0)};
    audit_all(&a, ls, 1, one_lost, 5);
    assert_false(ledger_audit_ok(&a));
    assert_int_equal(a.lost, 1);
    assert_int_equal(a.first_lost, ID(3, 0, 1));
    ledger_audit_free(&a);

    /* A failed id written twice is one invention and one duplicate. */
    const int64_t failed_twice[] = {ID(3, 0, 9), ID(3, 0, 9), ID(3, 0, 9)};
    audit_all(&a, ls, 1, failed_twice, 3);
    assert_int_equal(a.invented_failed, 1);
    assert_int_equal(a.duplicated, 1);
    assert_int_equal(a.first_invented, ID(3, 0, 9));
    ledger_audit_free(&a);

    const int64_t none_only[] = {ID(3, 1, 2)};
    audit_all(&a, ls, 1, none_only, 1);
    assert_int_equal(a.invented_unknown, 1);
    assert_int_equal(a.invented_failed, 0);
    assert_false(ledger_audit_ok(&a));
    ledger_audit_free(&a);
    ledger_free(&l);
}

static void audit_spans_several_instances(void **state)
{
    (void)state;
    struct ledger l0, l5;
    assert_int_equal(ledger_init(&l0, 0, 2), 0);
    assert_int_equal(ledger_init(&l5, 5, 1), 0);
    for (int64_t s = 0; s < 4; s++) {
        assert_int_equal(ledger_record(&l0, 0, s, LEDGER_ACKED, 0), 0);
        assert_int_equal(ledger_record(&l0, 1, s, LEDGER_ACKED, 0), 0);
        assert_int_equal(ledger_record(&l5, 0, s, s == 3 ? LEDGER_FAILED : LEDGER_ACKED, 0), 0);
    }
    const struct ledger *ls[] = {&l0, &l5};

    /* The same worker and seq in two instances are two transfers. */
    int64_t ids[16];
    size_t n = 0;
    for (int64_t s = 0; s < 4; s++) {
        ids[n++] = ID(0, 0, s);
        ids[n++] = ID(0, 1, s);
        if (s < 3) ids[n++] = ID(5, 0, s);
    }
    struct ledger_audit a;
    audit_all(&a, ls, 2, ids, n);
    assert_true(ledger_audit_ok(&a));
    assert_int_equal(a.seen_n, 3);
    assert_int_equal(a.acked, 11);
    assert_int_equal(a.acked_found, 11);
    assert_int_equal(a.duplicated, 0);
    ledger_audit_free(&a);

    /* Instance 5 loses one and invents one; instance 1 took no part. */
    assert_int_equal(ids[8], ID(5, 0, 2));
    ids[8] = ID(5, 0, 3);
    ids[n++] = ID(1, 0, 0);
    audit_all(&a, ls, 2, ids, n);
    assert_int_equal(a.rows, 12);
    assert_int_equal(a.lost, 1);
    assert_int_equal(a.first_lost, ID(5, 0, 2));
    assert_int_equal(a.invented_failed, 1);
    assert_int_equal(a.invented_unknown, 1);
    assert_int_equal(a.first_invented, ID(5, 0, 3));
    assert_int_equal(a.duplicated, 0);
    assert_false(ledger_audit_ok(&a));
    ledger_audit_free(&a);

    /* Without instance 5's ledger, its ids are unknown, and 0's verdict stands. */
    audit_all(&a, ls, 1, ids, n);
    assert_int_equal(a.invented_unknown, 4);
    assert_int_equal(a.acked, 8);
    assert_int_equal(a.lost, 0);
    ledger_audit_free(&a);

    /* Two ledgers for one instance could not tell whose an id is. */
    const struct ledger *twice[] = {&l0, &l0};
    assert_int_equal(ledger_audit_begin(&a, twice, 2), -1);
    ledger_audit_free(&a);

    /* No ledgers at all: everything is invented. */
    audit_all(&a, NULL, 0, ids, 2);
    assert_int_equal(a.invented_unknown, 2);
    assert_int_equal(a.acked, 0);
    ledger_audit_free(&a);
    ledger_free(&l0);
    ledger_free(&l5);
}

static void through_text(const struct ledger *l, struct ledger *back);

/* A failover's aftermath: acknowledged transfers missing and failed ones
 * present are each named with their worker, seq and time, by id, whatever
 * order the table gives them in; ambiguous ones are resolved, not named. */
static void audit_names_the_lost_and_the_failed_present(void **state)
{
    (void)state;
    struct ledger l;
    assert_int_equal(ledger_init(&l, 3, 2), 0);
    ledger_set_origin(&l, 5000000, 1700000000000);
    /* Worker w's seq s: acked at 5 s + (10 w + s) ms; every third failed, every fifth ambiguous. */
    for (int w = 0; w < 2; w++)
        for (int64_t s = 0; s < 30; s++) {
            enum ledger_outcome o = s % 5 == 4   ? LEDGER_AMBIGUOUS
                                    : s % 3 == 2 ? LEDGER_FAILED
                                                 : LEDGER_ACKED;
            assert_int_equal(ledger_record(&l, w, s, o, 5000000 + (10 * w + s) * 1000), 0);
        }
    /* The table: everything acked or ambiguous up to seq 19 (a cut), in reverse; worker 1's
     * failed seq 5 and 8 made it anyway; ambiguous 24 too. */
    int64_t ids[80];
    size_t n = 0;
    for (int w = 1; w >= 0; w--)
        for (int64_t s = 19; s >= 0; s--)
            if (ledger_get(&l, ID(3, w, s)) != LEDGER_FAILED) ids[n++] = ID(3, w, s);
    ids[n++] = ID(3, 1, 8);
    ids[n++] = ID(3, 1, 5);
    ids[n++] = ID(3, 0, 24);
    const struct ledger *ls[] = {&l};
    struct ledger_audit a;
    for (int again = 0; again < 2; again++) {
        if (again == 0)
            audit_all(&a, ls, 1, ids, n);
        else
            ledger_audit_end(&a, ls, 1); /* a second end names the same */
        /* Lost: the acked among seq 20..29 on each worker (20 23 26 failed, 24 29
         * ambiguous): 5 each. */
        assert_int_equal(a.lost, 10);
        assert_int_equal(a.lost_named.n, 10);
        assert_false(a.lost_named.incomplete);
        const int64_t lost_seqs[] = {21, 22, 25, 27, 28};
        for (int w = 0; w < 2; w++)
            for (int k = 0; k < 5; k++) {
                const struct ledger_named *t = &a.lost_named.items[w * 5 + k];
                assert_int_equal(t->id, ID(3, w, lost_seqs[k]));
                assert_int_equal(t->worker, w);
                assert_int_equal(t->seq, lost_seqs[k]);
                assert_int_equal(t->outcome_unix_ms, 1700000000000 + 10 * w + lost_seqs[k]);
            }
        assert_int_equal(a.first_lost, ID(3, 0, 21));
        assert_int_equal(a.invented_failed, 2);
        assert_int_equal(a.invented_failed_named.n, 2);
        assert_int_equal(a.invented_failed_named.items[0].id, ID(3, 1, 5));
        assert_int_equal(a.invented_failed_named.items[0].outcome_unix_ms, 1700000000015);
        assert_int_equal(a.invented_failed_named.items[1].id, ID(3, 1, 8));
        assert_int_equal(a.ambiguous_committed, 1 + 2 * 4);
    }
    ledger_audit_free(&a);

    /* A record without times (an older result) names them all the same, time unknown. */
    free(l.books[0].at_ms);
    l.books[0].at_ms = NULL;
    audit_all(&a, ls, 1, ids, n);
    assert_int_equal(a.lost_named.n, 10);
    assert_int_equal(a.lost_named.items[0].outcome_unix_ms, -1);
    assert_int_equal(a.lost_named.items[5].outcome_unix_ms, 1700000000031);
    ledger_audit_free(&a);
    ledger_free(&l);
}

/* Times travel with the saved record; an older record without them decodes with times
 * unknown; times that do not fit their outcomes are refused. */
static void times_travel_with_the_record(void **state)
{
    (void)state;
    struct ledger l, d;
    assert_int_equal(ledger_init(&l, 0, 1), 0);
    ledger_set_origin(&l, 0, 1700000000000);
    uint64_t seed = 7;
    int64_t t_us = 0;
    for (int64_t s = 0; s < 5000; s++) {
        t_us += (int64_t)(next(&seed) % 3000000); /* up to 3 s apart: multi-byte varints */
        assert_int_equal(ledger_record(&l, 0, s, (enum ledger_outcome)(next(&seed) % 4), t_us), 0);
    }
    through_text(&l, &d);
    assert_int_equal(d.origin_unix_ms, 1700000000000);
    for (int64_t s = 0; s < 5000; s++)
        assert_int_equal(ledger_outcome_unix_ms(&d, 0, s), ledger_outcome_unix_ms(&l, 0, s));
    ledger_free(&d);
    ledger_free(&l);

    char err[256];
    json_error_t jerr;
    json_t *old = json_loads("{\"instance\":1,\"workers\":[{\"n\":5,\"outcomes\":\"OQE=\"}],"
                             "\"acked\":2,\"failed\":1,\"ambiguous\":1,"
                             "\"failed_sample\":[18014398509481985],"
                             "\"acked_sample\":[18014398509481984,18014398509481988]}",
                             0, &jerr);
    assert_non_null(old);
    assert_int_equal(ledger_json_decode(old, &d, err, sizeof err), 0);
    assert_int_equal(ledger_outcome_unix_ms(&d, 0, 0), -1);
    ledger_free(&d);
    /* Four times for five outcomes, then six. */
    json_object_set_new(json_array_get(json_object_get(old, "workers"), 0), "at_ms",
                        json_string("AAoAhgM="));
    assert_int_equal(ledger_json_decode(old, &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "'at_ms' does not hold n = 5 times"));
    json_object_set_new(json_array_get(json_object_get(old, "workers"), 0), "at_ms",
                        json_string("AAoAhgPQwggA"));
    assert_int_equal(ledger_json_decode(old, &d, err, sizeof err), -1);
    /* Time running below the origin. */
    json_object_set_new(json_array_get(json_object_get(old, "workers"), 0), "at_ms",
                        json_string("AQAAAAA="));
    assert_int_equal(ledger_json_decode(old, &d, err, sizeof err), -1);
    json_object_set_new(json_array_get(json_object_get(old, "workers"), 0), "at_ms",
                        json_string("A!!!"));
    assert_int_equal(ledger_json_decode(old, &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "not valid base64"));
    json_object_set_new(json_array_get(json_object_get(old, "workers"), 0), "at_ms",
                        json_string("AAoAhgPQwgg="));
    assert_int_equal(ledger_json_decode(old, &d, err, sizeof err), 0);
    assert_int_equal(d.books[0].at_ms[4], 70000);
    ledger_free(&d);
    json_decref(old);
}

/* Encodes, prints, parses and decodes: the way a saved result travels. */
static void through_text(const struct ledger *l, struct ledger *back)
{
    json_t *j = ledger_json_encode(l);
    assert_non_null(j);
    char *text = json_dumps(j, JSON_COMPACT);
    assert_non_null(text);
    json_decref(j);
    json_error_t jerr;
    json_t *parsed = json_loads(text, 0, &jerr);
    assert_non_null(parsed);
    free(text);
    char err[256] = "";
    if (ledger_json_decode(parsed, back, err, sizeof err) != 0) fail_msg("decode: %s", err);
    json_decref(parsed);
}

static void json_round_trip_is_exact(void **state)
{
    (void)state;
    struct ledger l, d;
    assert_int_equal(ledger_init(&l, 9, 5), 0);
    uint64_t seed = 42;
    const int64_t n[5] = {0, 1, 5, 1001, 20000};
    for (int w = 0; w < 5; w++)
        for (int64_t s = 0; s < n[w]; s++)
            assert_int_equal(ledger_record(&l, w, s, (enum ledger_outcome)(next(&seed) % 4), 0), 0);
    through_text(&l, &d);
    assert_int_equal(d.instance, 9);
    assert_int_equal(d.n_workers, 5);
    for (int w = 0; w < 5; w++) {
        assert_int_equal(d.books[w].n, n[w]);
        for (int64_t s = 0; s <= n[w]; s++)
            assert_int_equal(ledger_get(&d, ID(9, w, s)), ledger_get(&l, ID(9, w, s)));
    }
    struct ledger_counts a, b;
    ledger_count(&l, &a);
    ledger_count(&d, &b);
    assert_memory_equal(&a, &b, sizeof a);

    /* A decoded record goes on growing where it stopped. */
    for (int w = 0; w < 5; w++) {
        for (int64_t s = n[w]; s < n[w] + 2000; s++) {
            assert_int_equal(ledger_record(&l, w, s, pattern(w, s), 0), 0);
            assert_int_equal(ledger_record(&d, w, s, pattern(w, s), 0), 0);
        }
        for (int64_t s = 0; s < n[w] + 2000; s++)
            assert_int_equal(ledger_get(&d, ID(9, w, s)), ledger_get(&l, ID(9, w, s)));
    }
    ledger_free(&d);
    ledger_free(&l);

    assert_int_equal(ledger_init(&l, 0, 0), 0);
    through_text(&l, &d);
    assert_int_equal(d.n_workers, 0);
    ledger_free(&d);
    ledger_free(&l);
}

/* A result's record: the ledger with its run and bank, as JSON and back;
 * a merge keeps copies side by side. */
static void the_record_round_trips_and_merges_by_copy(void **state)
{
    (void)state;
    struct ledger_record r = {.present = true, .run_id = 2447579678989283738, .bank_id = 7};
    assert_int_equal(ledger_init(&r.ledger, 3, 2), 0);
    ledger_set_origin(&r.ledger, 0, 1700000000000);
    fill(&r.ledger, 0, 1000);
    fill(&r.ledger, 1, 3);
    json_t *j = ledger_record_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "run_id")), "2447579678989283738");
    struct ledger_record back;
    char err[256];
    if (ledger_record_decode(j, &back, err, sizeof err) != 0) fail_msg("%s", err);
    assert_true(back.present);
    assert_int_equal(back.run_id, r.run_id);
    assert_int_equal(back.bank_id, 7);
    json_t *again = ledger_record_json(&back);
    assert_true(json_equal(j, again));
    json_decref(again);

    struct ledger_records merged = {0};
    assert_true(ledger_records_append(&merged, &r));
    assert_true(ledger_records_append(&merged, &back));
    ledger_record_free(&back);
    ledger_record_free(&r);
    assert_true(merged.present);
    json_t *list = ledger_records_json(&merged);
    assert_true(json_equal(json_array_get(list, 1), j));
    struct ledger_records list_back;
    if (ledger_records_decode(list, &list_back, err, sizeof err) != 0) fail_msg("%s", err);
    assert_int_equal(list_back.n, 2);
    assert_int_equal(ledger_get(&list_back.items[0].ledger, ID(3, 0, 999)), pattern(0, 999));
    assert_int_equal(ledger_outcome_unix_ms(&list_back.items[1].ledger, 1, 2),
                     ledger_outcome_unix_ms(&merged.items[1].ledger, 1, 2));
    ledger_records_free(&list_back);
    ledger_records_free(&merged);
    json_decref(list);

    /* No run id: no record a check can name. An older result's names no bank: 0. */
    json_object_del(j, "bank_id");
    if (ledger_record_decode(j, &back, err, sizeof err) != 0) fail_msg("%s", err);
    assert_int_equal(back.bank_id, 0);
    ledger_record_free(&back);
    json_object_del(j, "run_id");
    assert_int_equal(ledger_record_decode(j, &back, err, sizeof err), -1);
    assert_string_equal(err, "ledger record has no run_id");
    assert_false(back.present);
    json_decref(j);
    json_t *not_list = json_object();
    assert_int_equal(ledger_records_decode(not_list, &list_back, err, sizeof err), -1);
    json_decref(not_list);
}

static void json_form_is_as_documented(void **state)
{
    (void)state;
    struct ledger l;
    assert_int_equal(ledger_init(&l, 1, 2), 0);
    ledger_set_origin(&l, 1000000, 1700000000000);
    const enum ledger_outcome w0[] = {LEDGER_ACKED, LEDGER_FAILED, LEDGER_AMBIGUOUS, LEDGER_NONE,
                                      LEDGER_ACKED};
    /* 0, 5, 5, 200 and 70000 ms after the origin: deltas 0 5 0 195 69800, zigzag
     * varints 00 0a 00 86,03 d0,c2,08. Worker 1's come before the origin: all 0. */
    const int64_t w0_us[] = {1000000, 1005000, 1005999, 1200000, 71000000};
    for (int64_t s = 0; s < 5; s++)
        assert_int_equal(ledger_record(&l, 0, s, w0[s], w0_us[s]), 0);
    assert_int_equal(ledger_outcome_unix_ms(&l, 0, 4), 1700000070000);
    assert_int_equal(ledger_outcome_unix_ms(&l, 0, 5), -1);
    /* Ten of each on worker 1: the samples stop at 8, worker 0's first. */
    for (int64_t s = 0; s < 20; s++)
        assert_int_equal(ledger_record(&l, 1, s, s % 2 ? LEDGER_ACKED : LEDGER_FAILED, 0), 0);
    json_t *j = ledger_json_encode(&l);
    char *text = json_dumps(j, JSON_COMPACT);
    char want[1024];
    snprintf(
        want, sizeof want,
        "{\"instance\":1,\"workers\":[{\"n\":5,\"outcomes\":\"OQE=\",\"at_ms\":\"AAoAhgPQwgg=\"},"
        "{\"n\":20,\"outcomes\":\"ZmZmZmY=\",\"at_ms\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}],"
        "\"origin_unix_ms\":1700000000000,\"acked\":12,\"failed\":11,\"ambiguous\":1,"
        "\"failed_sample\":[%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld],"
        "\"acked_sample\":[%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld]}",
        (long long)ID(1, 0, 1), (long long)ID(1, 1, 0), (long long)ID(1, 1, 2),
        (long long)ID(1, 1, 4), (long long)ID(1, 1, 6), (long long)ID(1, 1, 8),
        (long long)ID(1, 1, 10), (long long)ID(1, 1, 12), (long long)ID(1, 0, 0),
        (long long)ID(1, 0, 4), (long long)ID(1, 1, 1), (long long)ID(1, 1, 3),
        (long long)ID(1, 1, 5), (long long)ID(1, 1, 7), (long long)ID(1, 1, 9),
        (long long)ID(1, 1, 11));
    assert_string_equal(text, want);
    free(text);
    json_decref(j);
    ledger_free(&l);
}

/* A valid document to break one piece at a time: instance 1, one worker,
 * outcomes ACKED FAILED AMBIGUOUS NONE ACKED. */
#define W0 "{\"n\":5,\"outcomes\":\"OQE=\"}"
#define TOTALS "\"acked\":2,\"failed\":1,\"ambiguous\":1"
#define SAMPLES                                                                                    \
    "\"failed_sample\":[18014398509481985],\"acked_sample\":[18014398509481984,18014398509481988]"
#define VALID "{\"instance\":1,\"workers\":[" W0 "]," TOTALS "," SAMPLES "}"
#define WITH_W0(w) "{\"instance\":1,\"workers\":[" w "]," TOTALS "," SAMPLES "}"

struct bad {
    const char *json;
    const char *message; /* a part of the error */
};

static const struct bad bad_inputs[] = {
    {"[]", "expected a JSON object"},
    {"\"OQE=\"", "expected a JSON object"},
    {"{\"workers\":[" W0 "]," TOTALS "," SAMPLES "}", "'instance' is missing"},
    {"{\"instance\":\"1\",\"workers\":[]}", "'instance' must be an integer"},
    {"{\"instance\":1.0,\"workers\":[]}", "'instance' must be an integer"},
    {"{\"instance\":512,\"workers\":[]}", "'instance' = 512 is out of range (0..511)"},
    {"{\"instance\":-1,\"workers\":[]}", "'instance' = -1 is out of range"},
    {"{\"instance\":1," TOTALS "," SAMPLES "}", "'workers' must be an array"},
    {"{\"instance\":1,\"workers\":{}," TOTALS "," SAMPLES "}", "'workers' must be an array"},
    {WITH_W0("3"), "workers[0]: expected an object"},
    {WITH_W0("{\"outcomes\":\"OQE=\"}"), "workers[0]: 'n' is missing"},
    {WITH_W0("{\"n\":5.0,\"outcomes\":\"OQE=\"}"), "workers[0]: 'n' must be an integer"},
    {WITH_W0("{\"n\":\"5\",\"outcomes\":\"OQE=\"}"), "workers[0]: 'n' must be an integer"},
    {WITH_W0("{\"n\":-1,\"outcomes\":\"\"}"), "workers[0]: 'n' = -1 is out of range"},
    {WITH_W0("{\"n\":1099511627777,\"outcomes\":\"\"}"), "'n' = 1099511627777 is out of range"},
    {WITH_W0("{\"n\":5}"), "workers[0]: 'outcomes' is missing"},
    {WITH_W0("{\"n\":5,\"outcomes\":5}"), "workers[0]: 'outcomes' must be a string"},
    {WITH_W0("{\"n\":5,\"outcomes\":[\"OQE=\"]}"), "workers[0]: 'outcomes' must be a string"},
    {WITH_W0("{\"n\":5,\"outcomes\":\"OQ!=\"}"), "workers[0]: 'outcomes' is not valid base64"},
    {WITH_W0("{\"n\":5,\"outcomes\":\"OQE\"}"), "'outcomes' is not valid base64"},
    {WITH_W0("{\"n\":5,\"outcomes\":\"OQE==\"}"), "'outcomes' is not valid base64"},
    {WITH_W0("{\"n\":5,\"outcomes\":\"O=QE\"}"), "'outcomes' is not valid base64"},
    {WITH_W0("{\"n\":5,\"outcomes\":\"OQ=E\"}"), "'outcomes' is not valid base64"},
    {WITH_W0("{\"n\":5,\"outcomes\":\"====\"}"), "'outcomes' is not valid base64"},
    {WITH_W0("{\"n\":5,\"outcomes\":\"OQE-\"}"), "'outcomes' is not valid base64"},
    {WITH_W0("{\"n\":5,\"outcomes\":\"OQE=\\u0000\\u0000\\u0000\\u0000\"}"),
     "'outcomes' is not valid base64"},
    /* Bits under the padding: OQF= would decode to the same bytes as OQE=. */
    {WITH_W0("{\"n\":5,\"outcomes\":\"OQF=\"}"), "'outcomes' is not valid base64"},
    {WITH_W0("{\"n\":5,\"outcomes\":\"OR==\"}"), "'outcomes' is not valid base64"},
    {WITH_W0("{\"n\":5,\"outcomes\":\"OQ==\"}"), "'outcomes' holds 1 bytes, but n = 5 needs 2"},
    {WITH_W0("{\"n\":9,\"outcomes\":\"OQE=\"}"), "'outcomes' holds 2 bytes, but n = 9 needs 3"},
    {WITH_W0("{\"n\":4,\"outcomes\":\"OQE=\"}"), "'outcomes' holds 2 bytes, but n = 4 needs 1"},
    {WITH_W0("{\"n\":0,\"outcomes\":\"OQE=\"}"), "'outcomes' holds 2 bytes, but n = 0 needs 0"},
    {WITH_W0("{\"n\":5,\"outcomes\":\"\"}"), "'outcomes' holds 0 bytes, but n = 5 needs 2"},
    {WITH_W0("{\"n\":5,\"outcomes\":\"OQU=\"}"), "'outcomes' has bits set beyond n = 5"},
    {WITH_W0("{\"n\":1,\"outcomes\":\"/w==\"}"), "'outcomes' has bits set beyond n = 1"},
    {"{\"instance\":1,\"workers\":[" W0 "," W0 "," W0 "]," TOTALS "," SAMPLES "}",
     "'acked' is 2, but the outcomes hold 6"},
    {"{\"instance\":1,\"workers\":[" W0 "]," SAMPLES "}", "'acked' is missing"},
    {"{\"instance\":1,\"workers\":[" W0 "],\"acked\":\"2\"}", "'acked' must be an integer"},
    {"{\"instance\":1,\"workers\":[" W0 "],\"acked\":3,\"failed\":1,\"ambiguous\":1," SAMPLES "}",
     "'acked' is 3, but the outcomes hold 2"},
    {"{\"instance\":1,\"workers\":[" W0 "],\"acked\":2,\"ambiguous\":1," SAMPLES "}",
     "'failed' is missing"},
    {"{\"instance\":1,\"workers\":[" W0 "],\"acked\":2,\"failed\":0,\"ambiguous\":1," SAMPLES "}",
     "'failed' is 0, but the outcomes hold 1"},
    {"{\"instance\":1,\"workers\":[" W0 "],\"acked\":2,\"failed\":1,\"ambiguous\":-1," SAMPLES "}",
     "'ambiguous' = -1 is out of range"},
    {"{\"instance\":1,\"workers\":[" W0 "]," TOTALS "}", "'failed_sample' must be an array"},
    {"{\"instance\":1,\"workers\":[" W0 "]," TOTALS ",\"failed_sample\":{}}",
     "'failed_sample' must be an array"},
    {"{\"instance\":1,\"workers\":[" W0 "]," TOTALS ",\"failed_sample\":[]}",
     "'failed_sample' does not match the outcomes"},
    {"{\"instance\":1,\"workers\":[" W0 "]," TOTALS ",\"failed_sample\":[\"18014398509481985\"]}",
     "'failed_sample' does not match the outcomes"},
    {"{\"instance\":1,\"workers\":[" W0 "]," TOTALS ",\"failed_sample\":[18014398509481985]}",
     "'acked_sample' must be an array"},
    {"{\"instance\":1,\"workers\":[" W0 "]," TOTALS ",\"failed_sample\":[18014398509481985],"
     "\"acked_sample\":[18014398509481988,18014398509481984]}",
     "'acked_sample' does not match the outcomes"},
    {"{\"instance\":1,\"workers\":[" W0 "]," TOTALS ",\"failed_sample\":[18014398509481985],"
     "\"acked_sample\":[18014398509481984,18014398509481988,0]}",
     "'acked_sample' does not match the outcomes"},
    /* The same outcomes filed under another instance: the samples give it away. */
    {"{\"instance\":2,\"workers\":[" W0 "]," TOTALS "," SAMPLES "}",
     "'failed_sample' does not match the outcomes"},
};

static void malformed_inputs_are_refused_with_a_reason(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++) {
        json_error_t jerr;
        json_t *j = json_loads(bad_inputs[i].json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (j == NULL) fail_msg("test input %zu is not JSON: %s", i, jerr.text);
        char err[256] = "";
        struct ledger l;
        if (ledger_json_decode(j, &l, err, sizeof err) == 0)
            fail_msg("accepted: %s", bad_inputs[i].json);
        if (strstr(err, bad_inputs[i].message) == NULL)
            fail_msg("input %zu: error '%s' lacks '%s'", i, err, bad_inputs[i].message);
        assert_int_equal(strncmp(err, "ledger: ", 8), 0);
        assert_null(strchr(err, '\n'));
        assert_null(l.books);
        json_decref(j);
    }
}

/* The valid base of the table above decodes, so each refusal is for its one flaw. */
static void valid_base_is_accepted(void **state)
{
    (void)state;
    json_t *j = json_loads(VALID, 0, NULL);
    assert_non_null(j);
    char err[256] = "";
    struct ledger l;
    if (ledger_json_decode(j, &l, err, sizeof err) != 0) fail_msg("%s", err);
    assert_int_equal(l.instance, 1);
    assert_int_equal(ledger_get(&l, ID(1, 0, 0)), LEDGER_ACKED);
    assert_int_equal(ledger_get(&l, ID(1, 0, 1)), LEDGER_FAILED);
    assert_int_equal(ledger_get(&l, ID(1, 0, 2)), LEDGER_AMBIGUOUS);
    assert_int_equal(ledger_get(&l, ID(1, 0, 3)), LEDGER_NONE);
    assert_int_equal(ledger_get(&l, ID(1, 0, 4)), LEDGER_ACKED);
    assert_int_equal(ledger_get(&l, ID(1, 0, 5)), LEDGER_NONE);
    ledger_free(&l);
    json_decref(j);
}

static json_t *random_json(uint64_t *r, int depth)
{
    switch (next(r) % (depth > 2 ? 6 : 8)) {
    case 0:
        return json_null();
    case 1:
        return json_integer((json_int_t)(next(r) % 40) - 5);
    case 2:
        return json_integer((json_int_t)next(r));
    case 3:
        return json_real(1.5);
    case 4: {
        static const char *const strings[] = {"", "OQE=", "AAAA", "////", "A===", "ZmZmZmY="};
        return json_string(strings[next(r) % 6]);
    }
    case 5:
        return json_true();
    case 6: {
        json_t *a = json_array();
        for (uint64_t i = next(r) % 4; i > 0; i--)
            json_array_append_new(a, random_json(r, depth + 1));
        return a;
    }
    default: {
        static const char *const keys[] = {"instance", "workers", "n", "outcomes", "acked"};
        json_t *o = json_object();
        for (uint64_t i = next(r) % 5; i > 0; i--)
            json_object_set_new(o, keys[next(r) % 5], random_json(r, depth + 1));
        return o;
    }
    }
}

/* One member, a worker, or a worker's member replaced by a random value, or removed. */
static void mutate(uint64_t *r, json_t *doc)
{
    static const char *const keys[] = {"instance",  "workers",       "acked",       "failed",
                                       "ambiguous", "failed_sample", "acked_sample"};
    static const char *const book_keys[] = {"n", "outcomes"};
    json_t *workers = json_object_get(doc, "workers");
    size_t nw = json_array_size(workers);
    json_t *book = nw > 0 ? json_array_get(workers, next(r) % nw) : NULL;
    switch (next(r) % 5) {
    case 0:
        json_object_del(doc, keys[next(r) % 7]);
        break;
    case 1:
        json_object_set_new(doc, keys[next(r) % 7], random_json(r, 1));
        break;
    case 2:
        if (book != NULL) json_object_set_new(book, book_keys[next(r) % 2], random_json(r, 1));
        break;
    case 3:
        if (book != NULL)
            json_object_set_new(book, "n",
                                json_integer(json_integer_value(json_object_get(book, "n")) +
                                             (json_int_t)(next(r) % 9) - 4));
        break;
    default:
        if (nw > 0) json_array_remove(workers, next(r) % nw);
        break;
    }
}

/* Whatever arrives, decode returns a sound ledger or a one-line reason. */
static void arbitrary_json_never_crashes(void **state)
{
    (void)state;
    uint64_t r = 5;
    struct ledger base;
    assert_int_equal(ledger_init(&base, 4, 3), 0);
    fill(&base, 0, 37);
    fill(&base, 1, 6);
    fill(&base, 2, 0);
    int refused = 0;
    for (int round = 0; round < 3000; round++) {
        json_t *doc;
        if (round % 4 == 0) {
            doc = random_json(&r, 0);
        } else {
            doc = ledger_json_encode(&base);
            for (uint64_t m = next(&r) % 2; m > 0; m--)
                mutate(&r, doc);
        }
        char err[256] = "";
        struct ledger l;
        if (ledger_json_decode(doc, &l, err, sizeof err) != 0) {
            refused++;
            assert_true(err[0] != '\0');
            assert_null(strchr(err, '\n'));
        } else {
            struct ledger_counts c;
            ledger_count(&l, &c);
            int64_t n = 0;
            for (int w = 0; w < l.n_workers; w++) {
                n += l.books[w].n;
                assert_int_equal(ledger_record(&l, w, l.books[w].n, LEDGER_ACKED, 0), 0);
            }
            assert_int_equal(c.none + c.acked + c.failed + c.ambiguous, n);
            ledger_free(&l);
        }
        json_decref(doc);
    }
    /* Both outcomes occur: unmutated documents pass, most mutations break one. */
    assert_true(refused > 1000 && refused < 3000);
    ledger_free(&base);
}

/* The header's promise: ten million transfers in about 2.5 MB. */
static void ten_million_transfers_fit_in_a_few_megabytes(void **state)
{
    (void)state;
    struct ledger l;
    assert_int_equal(ledger_init(&l, 0, 1), 0);
    const int64_t n = 10000000;
    for (int64_t s = 0; s < n; s++)
        if (ledger_record(&l, 0, s, (enum ledger_outcome)(s & 3), 0) != 0)
            fail_msg("seq %lld", (long long)s);
    const size_t used = (size_t)(n + 3) / 4;
    assert_int_equal(used, 2500000);
    assert_true(l.books[0].cap >= used);
    assert_true(l.books[0].cap < 2 * used);
    struct ledger_counts c;
    ledger_count(&l, &c);
    assert_int_equal(c.acked, n / 4);
    assert_int_equal(c.none, n / 4);
    assert_int_equal(ledger_get(&l, ID(0, 0, n - 1)), LEDGER_AMBIGUOUS);
    ledger_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids_round_trip_at_the_extremes),
        cmocka_unit_test(the_record_round_trips_and_merges_by_copy),
        cmocka_unit_test(record_and_get_across_workers_with_growth),
        cmocka_unit_test(init_refuses_what_ids_cannot_hold),
        cmocka_unit_test(out_of_order_records_are_refused),
        cmocka_unit_test(counts_total_every_outcome),
        cmocka_unit_test(audit_names_every_class),
        cmocka_unit_test(audit_spans_several_instances),
        cmocka_unit_test(audit_names_the_lost_and_the_failed_present),
        cmocka_unit_test(times_travel_with_the_record),
        cmocka_unit_test(json_round_trip_is_exact),
        cmocka_unit_test(json_form_is_as_documented),
        cmocka_unit_test(malformed_inputs_are_refused_with_a_reason),
        cmocka_unit_test(valid_base_is_accepted),
        cmocka_unit_test(arbitrary_json_never_crashes),
        cmocka_unit_test(ten_million_transfers_fit_in_a_few_megabytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
