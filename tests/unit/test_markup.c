/* markup: text escaped for XML 1.0 and HTML. */
#include "txstorm/markup.h"

#include "cmocka_prelude.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What f wrote, as a string the caller frees. */
static char *escaped(const char *s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    markup_put_escaped(f, s);
    fclose(f);
    return text;
}

static void assert_escapes(const char *in, const char *want)
{
    char *got = escaped(in);
    assert_string_equal(got, want);
    free(got);
}

static void markup_characters_become_entities(void **state)
{
    (void)state;
    assert_escapes("a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&apos;f");
    assert_escapes("p99<50ms", "p99&lt;50ms");
    assert_escapes("&amp;", "&amp;amp;");
    assert_escapes("", "");
}

static void whitespace_controls_become_references(void **state)
{
    (void)state;
    /* Literal ones would turn into spaces inside an attribute. */
    assert_escapes("a\tb\nc\rd", "a&#9;b&#10;c&#13;d");
}

static void other_controls_are_shown_not_written(void **state)
{
    (void)state;
    /* XML 1.0 has no way to carry these, not even as references. */
    assert_escapes("a\x01"
                   "b\x1f"
                   "c\x1b[0m",
                   "a\\x01b\\x1Fc\\x1B[0m");
}

static void utf8_passes_and_broken_bytes_are_shown(void **state)
{
    (void)state;
    assert_escapes("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
                   "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    assert_escapes("x\xc3", "x\\xC3");                          /* cut short at the end */
    assert_escapes("\xc3(", "\\xC3(");                          /* no continuation */
    assert_escapes("\xc0\xaf", "\\xC0\\xAF");                   /* overlong '/' */
    assert_escapes("\xed\xa0\x80", "\\xED\\xA0\\x80");          /* a surrogate */
    assert_escapes("\xef\xbf\xbf", "\\xEF\\xBF\\xBF");          /* U+FFFF, not a character */
    assert_escapes("\xf4\x90\x80\x80", "\\xF4\\x90\\x80\\x80"); /* past U+10FFFF */
    assert_escapes("\xff", "\\xFF");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(markup_characters_become_entities),
        cmocka_unit_test(whitespace_controls_become_references),
        cmocka_unit_test(other_controls_are_shown_not_written),
        cmocka_unit_test(utf8_passes_and_broken_bytes_are_shown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
