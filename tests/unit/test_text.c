/* text: outside text kept as UTF-8. */
#include "txstorm/text.h"

#include "cmocka_prelude.h"


static void utf8_lengths(void **state)
{
    (void)state;
    assert_int_equal(text_utf8_len("a"), 1);
    assert_int_equal(text_utf8_len("\xc3\xa9"), 2);
    assert_int_equal(text_utf8_len("\xe2\x82\xac"), 3);
    assert_int_equal(text_utf8_len("\xf0\x9f\x98\x80"), 4);
    assert_int_equal(text_utf8_len("\xe9t"), 0);            /* Latin-1 */
    assert_int_equal(text_utf8_len("\xc0\xaf"), 0);         /* overlong '/' */
    assert_int_equal(text_utf8_len("\xed\xa0\x80"), 0);     /* a surrogate */
    assert_int_equal(text_utf8_len("\xf4\x90\x80\x80"), 0); /* past U+10FFFF */
    assert_int_equal(text_utf8_len("\xe2\x82"), 0);         /* cut short */
}

static void kept_text_replaces_stray_bytes(void **state)
{
    (void)state;
    char out[64];
    text_copy_utf8(out, sizeof out, "application_name=caf\xe9 \xc3\xa9");
    assert_string_equal(out, "application_name=caf? \xc3\xa9");
    /* In place, and cut between characters. */
    char s[] = "ab\xc3\xa9\xff";
    text_copy_utf8(s, sizeof s, s);
    assert_string_equal(s, "ab\xc3\xa9?");
    text_copy_utf8(out, 4, "ab\xc3\xa9");
    assert_string_equal(out, "ab");
    text_copy_utf8(out, 1, "abc");
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_lengths),
        cmocka_unit_test(kept_text_replaces_stray_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
