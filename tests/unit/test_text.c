/* text: outside text kept as UTF-8 and shown without control characters. */
#include "txstorm/text.h"

#include "cmocka_prelude.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void shown_text_has_no_control_characters(void **state)
{
    (void)state;
    char out[128];
    assert_string_equal(text_escape(out, sizeof out, "\x1b]0;OWNED\x07\x1b[2J FAKE"),
                        "\\x1B]0;OWNED\\x07\\x1B[2J FAKE");
    assert_string_equal(text_escape(out, sizeof out, "a\nb\rc\td\x7f"), "a\\x0Ab\\x0Dc\\x09d\\x7F");
    /* C1 controls (U+009B is CSI to some terminals) and stray bytes, byte by byte. */
    assert_string_equal(text_escape(out, sizeof out,
                                    "\xc2\x9b"
                                    "2J \xe9 \xc3\xa9 \xe2\x82\xac"),
                        "\\xC2\\x9B2J \\xE9 \xc3\xa9 \xe2\x82\xac");
    assert_string_equal(text_escape(out, sizeof out, ""), "");
    /* Cut before an escape or a character that would not fit. */
    assert_string_equal(text_escape(out, 6, "ab\x1b"), "ab");
    assert_string_equal(text_escape(out, 7, "ab\x1b"), "ab\\x1B");
    assert_string_equal(text_escape(out, 4, "ab\xc3\xa9"), "ab");
}

/* What text_printf wrote, as a string the caller frees. */
#define PRINTED(var, ...)                                                                          \
    char *var = NULL;                                                                              \
    do {                                                                                           \
        size_t len_ = 0;                                                                           \
        FILE *f_ = open_memstream(&var, &len_);                                                    \
        assert_non_null(f_);                                                                       \
        assert_true(text_printf(f_, __VA_ARGS__) >= 0);                                            \
        fclose(f_);                                                                                \
    } while (0)

static void printf_escapes_its_strings_only(void **state)
{
    (void)state;
    PRINTED(got, "%s: %-8s|%5s|\n", "\x1b[31mred", "a\nb", "x");
    assert_string_equal(got, "\\x1B[31mred: a\\x0Ab  |    x|\n");
    free(got);
    /* Precision cuts the shown form, never inside an escape. */
    PRINTED(cut, "[%.5s][%.*s][%-*s]",
            "ab\x1b"
            "cd",
            3, "abcdef", 4, "z");
    assert_string_equal(cut, "[ab][abc][z   ]");
    free(cut);
}

static void printf_passes_every_other_conversion(void **state)
{
    (void)state;
    long long big = -1234567890123LL;
    size_t z = 42;
    PRINTED(got, "%d %5lld %+lld %zu %x %lu %c %.2f %9.3g %e 100%% %*d|%-*d|", 7, 12LL, big, z,
            255u, 9UL, 'q', 3.14159, 0.000123456, 1.5, 4, 3, 3, 1);
    char want[256];
    snprintf(want, sizeof want, "%d %5lld %+lld %zu %x %lu %c %.2f %9.3g %e 100%% %*d|%-*d|", 7,
             12LL, big, z, 255u, 9UL, 'q', 3.14159, 0.000123456, 1.5, 4, 3, 3, 1);
    assert_string_equal(got, want);
    free(got);
    PRINTED(neg, "[%*s]", -4, "a");
    assert_string_equal(neg, "[a   ]");
    free(neg);
}

static void printf_shows_long_strings_whole(void **state)
{
    (void)state;
    size_t n = 3000;
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, '\x1b', n);
    s[n] = '\0';
    PRINTED(got, "<%s>", s);
    assert_int_equal(strlen(got), 4 * n + 2);
    assert_memory_equal(got + 1 + 4 * (n - 1), "\\x1B>", 5);
    free(got);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_lengths),
        cmocka_unit_test(kept_text_replaces_stray_bytes),
        cmocka_unit_test(shown_text_has_no_control_characters),
        cmocka_unit_test(printf_escapes_its_strings_only),
        cmocka_unit_test(printf_passes_every_other_conversion),
        cmocka_unit_test(printf_shows_long_strings_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
