/* HdrHistogram's interval log: its header lines and one line per interval. */
#include "txstorm/hist.h"
#include "txstorm/hist_hdr.h"
#include "txstorm/hlog.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *written(int64_t start_unix_us, const struct hlog_interval *rows, size_t n, int *rc)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    *rc = hlog_write(f, start_unix_us, rows, n);
    fclose(f);
    return text;
}

static void writes_the_header_and_one_line_per_interval(void **state)
{
    (void)state;
    struct hist *a = hist_create(60000000, 3), *b = hist_create(60000000, 3);
    hist_record(a, 1500);
    hist_record(a, 12345);
    for (int64_t v = 1; v <= 1000000; v *= 10)
        hist_record(b, v);
    const struct hlog_interval rows[] = {
        {.start_s = 0, .length_s = 1, .h = a},
        {.start_s = 1.0004, .length_s = 0.9996, .h = b},
    };
    int rc;
    char *text = written(1700000000123456, rows, 2, &rc);
    assert_int_equal(rc, 0);

    const char *head =
        "#[Histogram log format version 1.3]\n"
        "#[StartTime: 1700000000.123 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]\n"
        "#[BaseTime: 1700000000.123 (seconds since epoch)]\n"
        "#[Values are in microseconds; Interval_Max is in milliseconds (value / 1000)]\n"
        "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_"
        "Histogram\"\n";
    assert_memory_equal(text, head, strlen(head));

    /* Each line: start, length, max in ms, then the histogram, which decodes
     * to the interval's counts. */
    char *line = text + strlen(head);
    const char *prefixes[] = {"0.000,1.000,12.345,HISTF", "1.000,1.000,1000.000,HISTF"};
    for (int i = 0; i < 2; i++) {
        char *end = strchr(line, '\n');
        assert_non_null(end);
        *end = '\0';
        assert_memory_equal(line, prefixes[i], strlen(prefixes[i]));
        char *enc = hist_hdr_encode(rows[i].h);
        assert_string_equal(strrchr(line, ',') + 1, enc);
        free(enc);
        char err[256];
        struct hist *d = hist_hdr_decode(strrchr(line, ',') + 1, err, sizeof err);
        assert_non_null(d);
        assert_memory_equal(d->counts, rows[i].h->counts,
                            (size_t)d->counts_len * sizeof *d->counts);
        hist_destroy(d);
        line = end + 1;
    }
    assert_string_equal(line, "");
    free(text);
    hist_destroy(a);
    hist_destroy(b);
}

static void an_empty_interval_has_max_zero(void **state)
{
    (void)state;
    struct hist *h = hist_create(1000, 2);
    const struct hlog_interval row = {.start_s = 12.5, .length_s = 0.25, .h = h};
    int rc;
    char *text = written(0, &row, 1, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(text, "#[StartTime: 0.000 (seconds since epoch), Thu Jan 01 00:00:00 "
                                 "UTC 1970]\n"));
    assert_non_null(strstr(text, "\n12.500,0.250,0.000,HISTF"));
    free(text);
    hist_destroy(h);
}

static void refuses_times_a_log_cannot_carry(void **state)
{
    (void)state;
    struct hist *h = hist_create(1000, 2);
    const double bad[] = {-0.5, NAN, INFINITY};
    for (size_t i = 0; i < 3; i++) {
        struct hlog_interval row = {.start_s = bad[i], .length_s = 1, .h = h};
        int rc;
        free(written(0, &row, 1, &rc));
        assert_int_equal(rc, -1);
        row = (struct hlog_interval){.start_s = 1, .length_s = bad[i], .h = h};
        free(written(0, &row, 1, &rc));
        assert_int_equal(rc, -1);
    }
    hist_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_the_header_and_one_line_per_interval),
        cmocka_unit_test(an_empty_interval_has_max_zero),
        cmocka_unit_test(refuses_times_a_log_cannot_carry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
