/* Errors that are not contention, by SQLSTATE: counted, merged, kept whole. */
#include "txstorm/errlog.h"
#include "txstorm/errlog_json.h"

#include "cmocka_prelude.h"

#include <stdio.h>
#include <string.h>

static void codes_are_counted_with_their_first_message(void **state)
{
    (void)state;
    struct errlog l;
    errlog_reset(&l);
    assert_null(errlog_top(&l));
    errlog_add(&l, ERR_OTHER, "42501", "ERROR:  permission denied for table transfers", 1);
    errlog_add(&l, ERR_OTHER, "42501", "ERROR:  another text", 2);
    errlog_add(&l, ERR_CONSTRAINT, "23505", "duplicate key", 1);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.e[0].message, "permission denied for table transfers");
    assert_int_equal(l.e[0].count, 3);
    assert_int_equal(errlog_total(&l), 4);
    assert_string_equal(errlog_top(&l)->sqlstate, "42501");
    assert_true(errlog_wants(ERR_OTHER) && errlog_wants(ERR_CONSTRAINT));
    assert_false(errlog_wants(ERR_SERIALIZATION) || errlog_wants(ERR_CONNECTION));
}

static void beyond_the_table_codes_are_still_counted(void **state)
{
    (void)state;
    struct errlog l, m;
    errlog_reset(&l);
    errlog_reset(&m);
    char code[6];
    for (int i = 0; i < ERRLOG_CODES + 3; i++) {
        snprintf(code, sizeof code, "X%04d", i);
        errlog_add(&l, ERR_OTHER, code, "m", 1);
    }
    assert_int_equal(l.n, ERRLOG_CODES);
    assert_int_equal(l.unlisted, 3);
    assert_int_equal(errlog_total(&l), ERRLOG_CODES + 3);
    errlog_add(&m, ERR_OTHER, "X0000", "m", 5);
    errlog_merge(&m, &l);
    assert_int_equal(errlog_total(&m), ERRLOG_CODES + 3 + 5);
    assert_int_equal(m.e[0].count, 6);
}

static void a_long_message_is_cut_between_characters(void **state)
{
    (void)state;
    char long_msg[400], out[ERRLOG_MESSAGE_MAX];
    /* "é" is two bytes, each starting at an even offset: the cut after
     * ERRLOG_MESSAGE_MAX - 1 bytes falls inside one unless it backs off. */
    memset(long_msg, 'a', 2);
    for (int i = 2; i + 2 < (int)sizeof long_msg; i += 2) {
        long_msg[i] = (char)0xC3;
        long_msg[i + 1] = (char)0xA9;
    }
    long_msg[sizeof long_msg - 2] = '\0';
    errlog_copy_message(out, long_msg);
    size_t n = strlen(out);
    assert_true(n < ERRLOG_MESSAGE_MAX);
    assert_true(((unsigned char)out[n - 1] & 0xC0) == 0x80); /* ends on a whole "é" */
    json_t *s = json_string(out);
    assert_non_null(s); /* valid UTF-8 */
    json_decref(s);
}

static void bytes_that_are_not_utf8_are_replaced(void **state)
{
    (void)state;
    char out[ERRLOG_MESSAGE_MAX];
    errlog_copy_message(out, "ERROR:  caf\xe9 \xff\xc3\xa9 \xed\xa0\x80 end");
    assert_string_equal(out, "caf? ?\xc3\xa9 ??? end");
    json_t *s = json_string(out);
    assert_non_null(s);
    json_decref(s);
}

static void the_json_form_reads_back(void **state)
{
    (void)state;
    struct errlog l, back;
    char err[160];
    errlog_reset(&l);
    errlog_add(&l, ERR_OTHER, "P0001", "transfers are closed today", 20);
    errlog_add(&l, ERR_CONSTRAINT, "", "no SQLSTATE at all", 1);
    l.unlisted = 7;
    json_t *o = errlog_json_encode(&l);
    assert_int_equal(errlog_json_decode(o, &back, err, sizeof err), 0);
    assert_int_equal(back.n, 2);
    assert_int_equal(back.unlisted, 7);
    assert_string_equal(back.e[0].sqlstate, "P0001");
    assert_int_equal(back.e[1].cls, ERR_CONSTRAINT);
    assert_string_equal(back.e[1].message, "no SQLSTATE at all");
    json_decref(o);
    assert_int_equal(errlog_json_decode(NULL, &back, err, sizeof err), 0); /* an older result */
    assert_int_equal(back.n, 0);
    json_t *bad = json_pack("{s:[{s:s, s:s, s:i, s:s}], s:i}", "codes", "sqlstate", "42501",
                            "class", "serialization", "count", 1, "message", "m", "unlisted", 0);
    assert_int_equal(errlog_json_decode(bad, &back, err, sizeof err), -1);
    json_decref(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_are_counted_with_their_first_message),
        cmocka_unit_test(beyond_the_table_codes_are_still_counted),
        cmocka_unit_test(a_long_message_is_cut_between_characters),
        cmocka_unit_test(bytes_that_are_not_utf8_are_replaced),
        cmocka_unit_test(the_json_form_reads_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
