/* SQLSTATE classification. */
#include "txstorm/classify.h"

#include "cmocka_prelude.h"

static void sqlstates_land_in_their_class(void **state) {
    (void)state;
    assert_int_equal(classify_sqlstate("40001", false), ERR_SERIALIZATION);
    assert_int_equal(classify_sqlstate("40001", true), ERR_SERIALIZATION);
    assert_int_equal(classify_sqlstate("40P01", false), ERR_DEADLOCK);
    assert_int_equal(classify_sqlstate("40003", false), ERR_AMBIGUOUS);
    assert_int_equal(classify_sqlstate("08006", false), ERR_CONNECTION);
    assert_int_equal(classify_sqlstate("08006", true), ERR_AMBIGUOUS);
    assert_int_equal(classify_sqlstate("57P01", false), ERR_CONNECTION);
    assert_int_equal(classify_sqlstate("57P03", false), ERR_CONNECTION);
    assert_int_equal(classify_sqlstate(NULL, false), ERR_CONNECTION);
    assert_int_equal(classify_sqlstate("", true), ERR_AMBIGUOUS);
    assert_int_equal(classify_sqlstate("23505", false), ERR_OTHER);
    assert_int_equal(classify_sqlstate("42P01", false), ERR_OTHER);
    assert_int_equal(classify_sqlstate("57014", false), ERR_OTHER);
}

static void only_serialization_and_deadlock_retry(void **state) {
    (void)state;
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        assert_int_equal(classify_is_retryable(c), c == ERR_SERIALIZATION || c == ERR_DEADLOCK);
    assert_string_equal(classify_name(ERR_DEADLOCK), "deadlock");
    assert_string_equal(classify_name(ERR_CLASS_COUNT), "?");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sqlstates_land_in_their_class),
        cmocka_unit_test(only_serialization_and_deadlock_retry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
