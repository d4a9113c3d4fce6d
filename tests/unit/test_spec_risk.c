/* Which specs can break the bank, and when run warns: every shape at every
 * isolation level, both write modes, with and without --allow-overdraft. */
#include "txstorm/spec_risk.h"

#include "cmocka_prelude.h"

#include <string.h>

static struct txn_spec spec(enum txn_shape shape, enum isolation iso, enum write_mode mode)
{
    return (struct txn_spec){.shape = shape, .isolation = iso, .write_mode = mode};
}

static void only_read_committed_is_at_risk(void **state)
{
    (void)state;
    const enum txn_shape shapes[] = {SHAPE_INTERACTIVE, SHAPE_FOR_UPDATE, SHAPE_SINGLE,
                                     SHAPE_PIPELINED};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        for (int mode = WRITE_RELATIVE; mode <= WRITE_ABSOLUTE; mode++) {
            struct txn_spec ser = spec(shapes[i], ISO_SERIALIZABLE, mode);
            struct txn_spec rr = spec(shapes[i], ISO_REPEATABLE_READ, mode);
            assert_int_equal(spec_risks(&ser), 0);
            assert_int_equal(spec_risks(&rr), 0);
        }
}

static void read_committed_by_shape(void **state)
{
    (void)state;
    struct txn_spec s = spec(SHAPE_INTERACTIVE, ISO_READ_COMMITTED, WRITE_RELATIVE);
    assert_int_equal(spec_risks(&s), SPEC_RISK_OVERDRAFT);
    s.write_mode = WRITE_ABSOLUTE;
    assert_int_equal(spec_risks(&s), SPEC_RISK_OVERDRAFT | SPEC_RISK_LOST_UPDATE);
    /* FOR UPDATE reads the newest balances and holds them: safe in either mode. */
    s.shape = SHAPE_FOR_UPDATE;
    assert_int_equal(spec_risks(&s), 0);
    s.write_mode = WRITE_RELATIVE;
    assert_int_equal(spec_risks(&s), 0);
    /* single's read of the source is not re-checked after a lock wait. */
    s.shape = SHAPE_SINGLE;
    assert_int_equal(spec_risks(&s), SPEC_RISK_OVERDRAFT);
    /* pipelined's guard is in the debit's own WHERE clause. */
    s.shape = SHAPE_PIPELINED;
    assert_int_equal(spec_risks(&s), 0);
}

static void warns_of_what_the_check_will_report(void **state)
{
    (void)state;
    char out[512];
    struct txn_spec s = spec(SHAPE_INTERACTIVE, ISO_READ_COMMITTED, WRITE_RELATIVE);
    assert_true(spec_risk_warning(&s, false, out, sizeof out));
    assert_non_null(strstr(out, "warning: --shape interactive under --isolation read-committed "
                                "can overdraw an account: "));
    assert_non_null(strstr(out, "(exit 1)"));
    assert_non_null(strstr(out, "or --allow-overdraft to accept it"));
    assert_null(strchr(out, '\n'));

    s.shape = SHAPE_SINGLE;
    assert_true(spec_risk_warning(&s, false, out, sizeof out));
    assert_non_null(strstr(out, "--shape single under"));

    /* Lost updates break conservation, which --allow-overdraft does not excuse. */
    s = spec(SHAPE_INTERACTIVE, ISO_READ_COMMITTED, WRITE_ABSOLUTE);
    assert_true(spec_risk_warning(&s, false, out, sizeof out));
    assert_non_null(strstr(out, "can lose updates (the total is not conserved) and overdraw"));
    assert_true(spec_risk_warning(&s, true, out, sizeof out));
    assert_non_null(strstr(out, "can lose updates (the total is not conserved): "));
    assert_null(strstr(out, "allow-overdraft"));
}

static void silent_when_nothing_can_break(void **state)
{
    (void)state;
    char out[8] = "kept";
    struct txn_spec s = spec(SHAPE_INTERACTIVE, ISO_READ_COMMITTED, WRITE_RELATIVE);
    assert_false(spec_risk_warning(&s, true, out, sizeof out));
    s = spec(SHAPE_INTERACTIVE, ISO_REPEATABLE_READ, WRITE_ABSOLUTE);
    assert_false(spec_risk_warning(&s, false, out, sizeof out));
    s = spec(SHAPE_PIPELINED, ISO_READ_COMMITTED, WRITE_RELATIVE);
    assert_false(spec_risk_warning(&s, false, out, sizeof out));
    s = spec(SHAPE_FOR_UPDATE, ISO_READ_COMMITTED, WRITE_ABSOLUTE);
    assert_false(spec_risk_warning(&s, false, out, sizeof out));
    assert_string_equal(out, "kept");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(only_read_committed_is_at_risk),
        cmocka_unit_test(read_committed_by_shape),
        cmocka_unit_test(warns_of_what_the_check_will_report),
        cmocka_unit_test(silent_when_nothing_can_break),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
