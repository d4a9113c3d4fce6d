/* Retry budget: emptying, fractional refunds, the cap, exact accounting under threads. */
#include "txstorm/budget.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <pthread.h>

static void starts_full_and_empties(void **state)
{
    (void)state;
    struct retry_budget b;
    budget_init(&b, 5, 0.5);
    assert_true(b.enabled);
    assert_true(budget_tokens(&b) == 5);
    for (int i = 0; i < 5; i++)
        assert_true(budget_take(&b));
    assert_true(budget_tokens(&b) == 0);
    /* Empty stays empty: a refused take takes nothing. */
    for (int i = 0; i < 10; i++)
        assert_false(budget_take(&b));
    assert_true(budget_tokens(&b) == 0);
}

static void less_than_one_token_is_none(void **state)
{
    (void)state;
    struct retry_budget b;
    budget_init(&b, 2.5, 1);
    assert_true(budget_take(&b));
    assert_true(budget_take(&b));
    assert_false(budget_take(&b));
    assert_true(budget_tokens(&b) == 0.5);
}

static void refunds_restore_fractionally(void **state)
{
    (void)state;
    struct retry_budget b;
    budget_init(&b, 3, 0.5);
    for (int i = 0; i < 3; i++)
        assert_true(budget_take(&b));
    assert_false(budget_take(&b));
    /* Two first-try successes earn one retry. */
    budget_refund(&b);
    assert_true(budget_tokens(&b) == 0.5);
    assert_false(budget_take(&b));
    budget_refund(&b);
    assert_true(budget_take(&b));
    assert_false(budget_take(&b));

    struct retry_budget tenth;
    budget_init(&tenth, 1, 0.1);
    assert_true(budget_take(&tenth));
    for (int i = 0; i < 9; i++) {
        budget_refund(&tenth);
        assert_false(budget_take(&tenth));
    }
    budget_refund(&tenth);
    assert_true(budget_take(&tenth));
}

static void refunds_never_exceed_max(void **state)
{
    (void)state;
    struct retry_budget b;
    budget_init(&b, 2, 0.3);
    for (int i = 0; i < 100; i++)
        budget_refund(&b);
    assert_true(budget_tokens(&b) == 2);
    assert_true(budget_take(&b));
    assert_true(budget_take(&b));
    for (int i = 0; i < 7; i++) /* 2.1 tokens' worth */
        budget_refund(&b);
    assert_true(budget_tokens(&b) == 2);

    /* A refund of zero leaves an empty bucket empty. */
    struct retry_budget none;
    budget_init(&none, 1, 0);
    assert_true(budget_take(&none));
    for (int i = 0; i < 10; i++)
        budget_refund(&none);
    assert_false(budget_take(&none));
}

static void disabled_budget_always_allows(void **state)
{
    (void)state;
    const double off[] = {0, -1, NAN};
    for (int k = 0; k < 3; k++) {
        struct retry_budget b;
        budget_init(&b, off[k], 0.1);
        assert_false(b.enabled);
        for (int i = 0; i < 100000; i++)
            assert_true(budget_take(&b));
        budget_refund(&b);
        assert_true(budget_tokens(&b) == 0);
    }
}

static void huge_settings_do_not_overflow(void **state)
{
    (void)state;
    struct retry_budget b;
    budget_init(&b, 1e300, 1e300);
    assert_true(budget_take(&b));
    budget_refund(&b);
    assert_true(budget_tokens(&b) > 1e14);
    assert_true(b.max_milli > 0 && b.refund_milli > 0);
    assert_true(b.max_milli + b.refund_milli > 0); /* no wrap */
}

enum { THREADS = 4, ROUNDS = 100000 };

struct worker_tally {
    struct retry_budget *budget;
    int refund_every; /* refund after every n-th round */
    long takes_ok;
    long takes_refused;
    long refunds;
    bool saw_negative;
};

static void *hammer(void *arg)
{
    struct worker_tally *w = arg;
    for (int i = 0; i < ROUNDS; i++) {
        if (budget_take(w->budget))
            w->takes_ok++;
        else
            w->takes_refused++;
        if (i % w->refund_every == 0) {
            budget_refund(w->budget);
            w->refunds++;
        }
        if ((i & 255) == 0 && budget_tokens(w->budget) < 0) w->saw_negative = true;
    }
    return NULL;
}

static void run_threads(struct retry_budget *b, int refund_every, struct worker_tally *total)
{
    pthread_t threads[THREADS];
    struct worker_tally tally[THREADS];
    for (int t = 0; t < THREADS; t++) {
        tally[t] = (struct worker_tally){.budget = b, .refund_every = refund_every};
        assert_int_equal(pthread_create(&threads[t], NULL, hammer, &tally[t]), 0);
    }
    *total = (struct worker_tally){0};
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        total->takes_ok += tally[t].takes_ok;
        total->takes_refused += tally[t].takes_refused;
        total->refunds += tally[t].refunds;
        total->saw_negative |= tally[t].saw_negative;
    }
}

static void threads_never_take_what_is_not_there(void **state)
{
    (void)state;
    /* Near empty all the time: takes outrun refunds three to one. A racy
     * take shows only on some interleavings, so the run is repeated. */
    for (int run = 0; run < 4; run++) {
        struct retry_budget b;
        budget_init(&b, 10, 0.5);
        int64_t initial = b.milli;
        struct worker_tally total;
        run_threads(&b, 6, &total);
        int64_t final = b.milli;
        if (run == 0)
            print_message("contended: %ld takes ok, %ld refused, %ld refunds, %.3f tokens left\n",
                          total.takes_ok, total.takes_refused, total.refunds, budget_tokens(&b));
        assert_false(total.saw_negative);
        assert_true(final >= 0 && final <= b.max_milli);
        assert_int_equal(total.takes_ok + total.takes_refused, (long)THREADS * ROUNDS);
        assert_true(total.takes_refused > 0);
        /* Every token taken was in the bucket at the start or refunded into
         * it; refunds at the cap are lost, so this is an inequality. */
        assert_true(total.takes_ok * 1000 + final <= initial + total.refunds * b.refund_milli);
    }
}

static void threads_account_exactly_below_the_cap(void **state)
{
    (void)state;
    /* Each thread refunds only after its own take, so the bucket stays below
     * max, no refund is clipped, and the books must balance to the milli. */
    struct retry_budget b;
    budget_init(&b, 1e6, 0.5);
    int64_t initial = b.milli;
    struct worker_tally total;
    run_threads(&b, 1, &total);
    assert_false(total.saw_negative);
    assert_int_equal(total.takes_ok, (long)THREADS * ROUNDS);
    assert_int_equal(total.refunds, (long)THREADS * ROUNDS);
    assert_int_equal(b.milli, initial - total.takes_ok * 1000 + total.refunds * b.refund_milli);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(starts_full_and_empties),
        cmocka_unit_test(less_than_one_token_is_none),
        cmocka_unit_test(refunds_restore_fractionally),
        cmocka_unit_test(refunds_never_exceed_max),
        cmocka_unit_test(disabled_budget_always_allows),
        cmocka_unit_test(huge_settings_do_not_overflow),
        cmocka_unit_test(threads_never_take_what_is_not_there),
        cmocka_unit_test(threads_account_exactly_below_the_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
