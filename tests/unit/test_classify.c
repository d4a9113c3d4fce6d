/* Error classes by SQLSTATE, retry reasons from real server messages, the retry set. */
#include "txstorm/classify.h"

#include "cmocka_prelude.h"

#include <string.h>

static void sqlstates_land_in_their_class(void **state)
{
    (void)state;
    static const struct {
        const char *sqlstate;
        enum error_class idle;      /* commit_in_flight = false */
        enum error_class in_commit; /* commit_in_flight = true */
    } cases[] = {
        {"40001", ERR_SERIALIZATION, ERR_SERIALIZATION},
        {"40P01", ERR_DEADLOCK, ERR_DEADLOCK},
        {"40003", ERR_AMBIGUOUS, ERR_AMBIGUOUS},
        {"08000", ERR_CONNECTION, ERR_AMBIGUOUS},
        {"08001", ERR_CONNECTION, ERR_AMBIGUOUS},
        {"08003", ERR_CONNECTION, ERR_AMBIGUOUS},
        {"08006", ERR_CONNECTION, ERR_AMBIGUOUS},
        {"08P01", ERR_CONNECTION, ERR_AMBIGUOUS},
        {"57P01", ERR_CONNECTION, ERR_AMBIGUOUS},
        {"57P02", ERR_CONNECTION, ERR_AMBIGUOUS},
        {"57P03", ERR_CONNECTION, ERR_AMBIGUOUS},
        {NULL, ERR_CONNECTION, ERR_AMBIGUOUS},
        {"", ERR_CONNECTION, ERR_AMBIGUOUS},
        /* A read-only server (a standby, or read-only by default) refused the
         * write, COMMIT included: where the connection landed, not the
         * transfer, is wrong, and nothing was written. */
        {"25006", ERR_CONNECTION, ERR_CONNECTION},
        {"25001", ERR_OTHER, ERR_OTHER},
        /* A constraint that fails at COMMIT (deferred) is a definite no. */
        {"23000", ERR_CONSTRAINT, ERR_CONSTRAINT},
        {"23503", ERR_CONSTRAINT, ERR_CONSTRAINT},
        {"23505", ERR_CONSTRAINT, ERR_CONSTRAINT},
        {"23514", ERR_CONSTRAINT, ERR_CONSTRAINT},
        {"40002", ERR_OTHER, ERR_OTHER},
        {"57P04", ERR_OTHER, ERR_OTHER},
        {"57014", ERR_OTHER, ERR_OTHER},
        {"25P02", ERR_OTHER, ERR_OTHER},
        {"42P01", ERR_OTHER, ERR_OTHER},
        {"53300", ERR_OTHER, ERR_OTHER},
        {"XX000", ERR_OTHER, ERR_OTHER},
        {"0", ERR_OTHER, ERR_OTHER},
        {"2", ERR_OTHER, ERR_OTHER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].sqlstate ? cases[i].sqlstate : "(null)";
        enum error_class idle = classify_sqlstate(cases[i].sqlstate, false);
        enum error_class in_commit = classify_sqlstate(cases[i].sqlstate, true);
        if (idle != cases[i].idle || in_commit != cases[i].in_commit)
            fail_msg("%s: %s/%s, want %s/%s", s, classify_name(idle), classify_name(in_commit),
                     classify_name(cases[i].idle), classify_name(cases[i].in_commit));
    }
}

/* Messages as servers send them. PostgreSQL: src/backend/executor/
 * nodeModifyTable.c and src/backend/storage/lmgr/predicate.c, with libpq's
 * "ERROR:  " prefix and DETAIL/HINT lines. CockroachDB: the formats of
 * pkg/kv/kvpb/errors.go (TransactionRetryError "retry txn (%s%s)",
 * TransactionAbortedError(%s), WriteTooOldError, ReadWithinUncertaintyIntervalError),
 * the extra texts of pkg/kv/kvclient/kvcoord, and messages captured from real
 * servers in the CockroachDB docs' transaction retry error reference and in
 * ept/hermitage's cockroachdb.md. */
static const struct {
    const char *message;
    enum retry_reason reason;
} reason_cases[] = {
    {"ERROR:  could not serialize access due to concurrent update\n", REASON_PG_CONCURRENT_UPDATE},
    {"could not serialize access due to concurrent update", REASON_PG_CONCURRENT_UPDATE},
    {"ERROR:  could not serialize access due to concurrent delete\n", REASON_PG_CONCURRENT_DELETE},
    {"ERROR:  could not serialize access due to read/write dependencies among transactions\n"
     "DETAIL:  Reason code: Canceled on identification as a pivot, during commit attempt.\n"
     "HINT:  The transaction might succeed if retried.\n",
     REASON_PG_RW_DEPENDENCY},
    {"could not serialize access due to read/write dependencies among transactions",
     REASON_PG_RW_DEPENDENCY},
    {"ERROR:  deadlock detected\nDETAIL:  Process 4242 waits for ShareLock on transaction 817; "
     "blocked by process 4243.\n",
     REASON_UNKNOWN},
    {"restart transaction: TransactionRetryWithProtoRefreshError: TransactionRetryError: retry "
     "txn (RETRY_WRITE_TOO_OLD - WriteTooOld flag converted to WriteTooOldError): \"sql txn\" "
     "meta={id=4009f04d key=/Table/95/3/9743 pri=0.00238321 epo=0 ts=1600839787.358442000,1 "
     "min=1600839785.348268000,0 seq=98} lock=true stat=PENDING rts=1600839787.358442000,1 "
     "wto=false max=1600839785.848268000,0",
     REASON_RETRY_WRITE_TOO_OLD},
    {"restart transaction: TransactionRetryWithProtoRefreshError: TransactionRetryError: retry "
     "txn (RETRY_SERIALIZABLE - failed preemptive refresh)",
     REASON_RETRY_SERIALIZABLE},
    {"restart transaction: TransactionRetryWithProtoRefreshError: TransactionRetryError: retry "
     "txn (RETRY_SERIALIZABLE  - failed preemptive refresh due to conflicting locks on "
     "/Table/106/1/918951292305080321/0 [reason=wait_policy] - conflicting txn: meta={id=1b2bf263 "
     "key=/Table/106/1/918951292305080321/0 iso=Serializable pri=0.00065863 epo=0 "
     "ts=1700512205.521833000,2 min=1700512148.761403000,0 seq=1}): \"sql txn\" "
     "meta={id=07d42834 key=/Table/106/1/918951292305211393/0 iso=Serializable pri=0.01253025 "
     "epo=0 ts=1700512229.378453000,2 min=1700512130.342117000,0 seq=2} lock=true stat=PENDING "
     "rts=1700512130.342117000,0 wto=false gul=1700512130.842117000,0",
     REASON_RETRY_SERIALIZABLE},
    {"restart transaction: TransactionRetryWithProtoRefreshError: TransactionRetryError: retry "
     "txn (RETRY_ASYNC_WRITE_FAILURE - missing intent on: /Table/104/1/7/0)",
     REASON_RETRY_ASYNC_WRITE_FAILURE},
    {"restart transaction: TransactionRetryWithProtoRefreshError: TransactionRetryError: retry "
     "txn (RETRY_COMMIT_DEADLINE_EXCEEDED - txn timestamp pushed too much; deadline exceeded by "
     "1m2.3s (1600000062.300000000,0 > 1600000000.000000000,0))",
     REASON_RETRY_COMMIT_DEADLINE_EXCEEDED},
    {"restart transaction: TransactionRetryWithProtoRefreshError: "
     "ReadWithinUncertaintyIntervalError: read at time 1591009232.376925064,0 encountered "
     "previous write with future timestamp 1591009232.493830170,0 within uncertainty interval "
     "`t <= 1591009232.587671686,0`; observed timestamps: [{1 1591009232.587671686,0} {5 "
     "1591009232.376925064,0}]",
     REASON_READ_WITHIN_UNCERTAINTY},
    {"restart transaction: TransactionRetryWithProtoRefreshError: WriteTooOldError: write at "
     "timestamp 1609143635.427526584,0 too old; wrote at 1609143665.238193548,3",
     REASON_WRITE_TOO_OLD},
    {"restart transaction: TransactionRetryWithProtoRefreshError: WriteTooOldError: write for key "
     "/Table/104/1/1/0 at timestamp 1700000000.000000000,0 too old; must write at or above "
     "1700000001.000000000,1",
     REASON_WRITE_TOO_OLD},
    {"restart transaction: TransactionRetryWithProtoRefreshError: "
     "TransactionAbortedError(ABORT_REASON_ABORTED_RECORD_FOUND): \"sql txn\" meta={id=3c3a1ac8 "
     "key=/Table/104/1/1/0 pri=0.01 epo=0 ts=1700000000.000000000,0 min=1700000000.000000000,0 "
     "seq=2} lock=true stat=ABORTED rts=1700000000.000000000,0 wto=false",
     REASON_ABORT_ABORTED_RECORD_FOUND},
    {"TransactionRetryWithProtoRefreshError:TransactionAbortedError(ABORT_REASON_CLIENT_REJECT)",
     REASON_ABORT_CLIENT_REJECT},
    {"TransactionRetryWithProtoRefreshError:TransactionAbortedError(ABORT_REASON_PUSHER_ABORTED)",
     REASON_ABORT_PUSHER_ABORTED},
    {"TransactionRetryWithProtoRefreshError:TransactionAbortedError(ABORT_REASON_ABORT_SPAN)",
     REASON_ABORT_ABORT_SPAN},
    {"TransactionRetryWithProtoRefreshError:TransactionAbortedError("
     "ABORT_REASON_NEW_LEASE_PREVENTS_TXN)",
     REASON_ABORT_NEW_LEASE_PREVENTS_TXN},
    {"TransactionRetryWithProtoRefreshError:TransactionAbortedError("
     "ABORT_REASON_TIMESTAMP_CACHE_REJECTED)",
     REASON_ABORT_TIMESTAMP_CACHE_REJECTED},
    /* The older name, before the POSSIBLE_REPLAY suffix was dropped. */
    {"TransactionAbortedError(ABORT_REASON_TIMESTAMP_CACHE_REJECTED_POSSIBLE_REPLAY)",
     REASON_ABORT_TIMESTAMP_CACHE_REJECTED},
    {"TransactionAbortedError(ABORT_REASON_RECORD_ALREADY_WRITTEN_POSSIBLE_REPLAY)",
     REASON_ABORT_OTHER},
    {"TransactionAbortedError(ABORT_REASON_UNKNOWN)", REASON_ABORT_OTHER},
    {"TransactionRetryError: retry txn (RETRY_REASON_UNKNOWN)", REASON_UNKNOWN},
    /* CockroachDB's own injection is not txstorm's. */
    {"restart transaction: TransactionRetryWithProtoRefreshError: injected by "
     "`inject_retry_errors_enabled` session variable",
     REASON_UNKNOWN},
    {CLASSIFY_INJECTED_MESSAGE, REASON_INJECTED},
    {"ERROR:  " CLASSIFY_INJECTED_MESSAGE " (attempt 3)\n", REASON_INJECTED},
    /* Injected wins even over a quoted server reason. */
    {CLASSIFY_INJECTED_MESSAGE ": could not serialize access due to concurrent update",
     REASON_INJECTED},
    {"", REASON_UNKNOWN},
    {"serialization failure", REASON_UNKNOWN},
};

static void reasons_come_from_real_messages(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof reason_cases / sizeof reason_cases[0]; i++) {
        enum retry_reason got = classify_reason(reason_cases[i].message);
        if (got != reason_cases[i].reason)
            fail_msg("'%s': %s, want %s", reason_cases[i].message, classify_reason_name(got),
                     classify_reason_name(reason_cases[i].reason));
    }
    assert_int_equal(classify_reason(NULL), REASON_UNKNOWN);
}

static void every_reason_is_reachable(void **state)
{
    (void)state;
    bool seen[REASON_COUNT] = {false};
    for (size_t i = 0; i < sizeof reason_cases / sizeof reason_cases[0]; i++)
        seen[reason_cases[i].reason] = true;
    for (int r = 0; r < REASON_COUNT; r++)
        if (!seen[r]) fail_msg("no message in the table gives %s", classify_reason_name(r));
}

static void names_are_stable(void **state)
{
    (void)state;
    const char *classes[ERR_CLASS_COUNT] = {"serialization", "deadlock",   "ambiguous",
                                            "connection",    "constraint", "other"};
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        assert_string_equal(classify_name(c), classes[c]);
    assert_string_equal(classify_name(ERR_CLASS_COUNT), "?");

    const char *reasons[REASON_COUNT] = {"unknown",
                                         "concurrent_update",
                                         "concurrent_delete",
                                         "rw_dependency",
                                         "RETRY_WRITE_TOO_OLD",
                                         "RETRY_SERIALIZABLE",
                                         "RETRY_ASYNC_WRITE_FAILURE",
                                         "RETRY_COMMIT_DEADLINE_EXCEEDED",
                                         "ReadWithinUncertaintyInterval",
                                         "WriteTooOld",
                                         "ABORT_REASON_ABORTED_RECORD_FOUND",
                                         "ABORT_REASON_CLIENT_REJECT",
                                         "ABORT_REASON_PUSHER_ABORTED",
                                         "ABORT_REASON_ABORT_SPAN",
                                         "ABORT_REASON_NEW_LEASE_PREVENTS_TXN",
                                         "ABORT_REASON_TIMESTAMP_CACHE_REJECTED",
                                         "ABORT_REASON_other",
                                         "injected"};
    for (int r = 0; r < REASON_COUNT; r++)
        assert_string_equal(classify_reason_name(r), reasons[r]);
    assert_string_equal(classify_reason_name(REASON_COUNT), "?");
}

static void default_set_retries_serialization_and_deadlock(void **state)
{
    (void)state;
    struct retry_set s = classify_default_retry_set();
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        assert_int_equal(classify_is_retryable(&s, c), c == ERR_SERIALIZATION || c == ERR_DEADLOCK);
    assert_false(classify_is_retryable(&s, ERR_CLASS_COUNT));
}

static struct retry_set parse_ok(const char *list)
{
    struct retry_set s;
    char err[256];
    if (classify_parse_retry_set(list, &s, err, sizeof err) != 0) fail_msg("'%s': %s", list, err);
    return s;
}

static void retry_sets_parse(void **state)
{
    (void)state;
    struct retry_set s = parse_ok("serialization");
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        assert_int_equal(classify_is_retryable(&s, c), c == ERR_SERIALIZATION);
    s = parse_ok("deadlock,constraint");
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        assert_int_equal(classify_is_retryable(&s, c), c == ERR_DEADLOCK || c == ERR_CONSTRAINT);
    s = parse_ok("other,constraint,deadlock,serialization");
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        assert_int_equal(classify_is_retryable(&s, c), c != ERR_AMBIGUOUS && c != ERR_CONNECTION);
    s = parse_ok("deadlock,deadlock");
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        assert_int_equal(classify_is_retryable(&s, c), c == ERR_DEADLOCK);

    /* Even a set built by hand never retries an attempt of unknown outcome. */
    struct retry_set all;
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        all.retry[c] = true;
    assert_false(classify_is_retryable(&all, ERR_AMBIGUOUS));
    assert_false(classify_is_retryable(&all, ERR_CONNECTION));
    assert_true(classify_is_retryable(&all, ERR_OTHER));
}

/* Parsing fails with this line (or one containing needle), leaving out alone. */
static void expect_set_error(const char *list, const char *needle)
{
    struct retry_set s = classify_default_retry_set();
    char err[256] = "";
    assert_int_equal(classify_parse_retry_set(list, &s, err, sizeof err), -1);
    assert_true(s.retry[ERR_SERIALIZATION] && s.retry[ERR_DEADLOCK] && !s.retry[ERR_OTHER]);
    if (strncmp(err, "--retry-on: ", 12) != 0)
        fail_msg("'%s' does not start with --retry-on: ", err);
    if (strstr(err, needle) == NULL) fail_msg("'%s': error '%s' lacks '%s'", list, err, needle);
    assert_null(strchr(err, '\n'));
}

static void bad_retry_sets_are_refused(void **state)
{
    (void)state;
    expect_set_error("ambiguous",
                     "--retry-on: ambiguous is never retried in place: the attempt may have "
                     "committed");
    expect_set_error("serialization,ambiguous", "ambiguous is never retried in place");
    expect_set_error("connection", "connection is never retried in place");
    expect_set_error("", "empty");
    expect_set_error(NULL, "empty");
    expect_set_error("serialization,,deadlock", "empty class name");
    expect_set_error(",deadlock", "empty class name");
    expect_set_error("deadlock,", "empty class name");
    expect_set_error("bogus", "unknown class 'bogus'");
    expect_set_error("deadlock,seriali", "unknown class 'seriali'");
    expect_set_error("serializations", "unknown class 'serializations'");
    expect_set_error("Serialization", "unknown class 'Serialization'");
    expect_set_error(" deadlock", "unknown class ' deadlock'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sqlstates_land_in_their_class),
        cmocka_unit_test(reasons_come_from_real_messages),
        cmocka_unit_test(every_reason_is_reachable),
        cmocka_unit_test(names_are_stable),
        cmocka_unit_test(default_set_retries_serialization_and_deadlock),
        cmocka_unit_test(retry_sets_parse),
        cmocka_unit_test(bad_retry_sets_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
