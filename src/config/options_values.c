/* Reading a flag's value: whole numbers, decimals and durations, each
 * refused with one line naming the flag (a leaf the parser and the flag
 * table's own readers share). */
#include "options_internal.h"
#include "txstorm/decimal.h"
#include "txstorm/duration.h"
#include "txstorm/errbuf.h"

#include <string.h>

#define MAX_DURATION_US (366LL * 24 * 3600 * 1000000)

int options_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (s == NULL) return -1;
    int64_t v;
    int rc = decimal_parse_whole(s, strlen(s), &v);
    if (rc != 0) return rc;
    if (v < min || v > max) return -2;
    *out = v;
    return 0;
}

int options_parse_double(const char *s, double min, double max, double *out)
{
    double v;
    if (s == NULL || decimal_parse(s, strlen(s), &v) != 0) return -1;
    if (v < min || v > max) return -2;
    *out = v;
    return 0;
}

int options_parse_duration_us(const char *s, int64_t *out_us)
{
    if (s == NULL) return -1;
    size_t len = strlen(s), digits = decimal_span(s, len, true);
    int64_t unit_us = duration_unit_us(s + digits, len - digits), n;
    if (digits == 0 || unit_us == 0) return -1;
    if (decimal_parse_whole(s, digits, &n) != 0 || n > MAX_DURATION_US / unit_us) return -2;
    *out_us = n * unit_us;
    return 0;
}

int options_int_flag(const char *name, const char *v, int64_t min, int64_t max, int64_t *out,
                     char *err, size_t err_len)
{
    int rc = options_parse_int(v, min, max, out);
    if (rc == -1) return errbuf_fail(err, err_len, "--%s: '%s' is not a whole number", name, v);
    if (rc == -2)
        return errbuf_fail(err, err_len, "--%s: %s is out of range (%lld..%lld)", name, v,
                           (long long)min, (long long)max);
    return 0;
}

int options_double_flag(const char *name, const char *v, double min, double max, double *out,
                        char *err, size_t err_len)
{
    int rc = options_parse_double(v, min, max, out);
    if (rc == -1)
        return errbuf_fail(err, err_len, "--%s: '%s' is not a number (plain decimal, e.g. 0.25)",
                           name, v);
    if (rc == -2)
        return errbuf_fail(err, err_len, "--%s: %s is out of range (%g..%g)", name, v, min, max);
    return 0;
}

int options_duration_flag(const char *name, const char *v, int64_t *out, char *err, size_t err_len)
{
    int rc = options_parse_duration_us(v, out);
    if (rc == -1)
        return errbuf_fail(
            err, err_len,
            "--%s: '%s' is not a duration (a whole number with a unit: us, ms, s, m, h)", name, v);
    if (rc == -2)
        return errbuf_fail(err, err_len, "--%s: %s is too long (at most 366 days)", name, v);
    return 0;
}
