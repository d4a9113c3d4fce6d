/* Reading a flag's value: whole numbers, decimals and durations, each
 * refused with one line naming the flag (a leaf the parser and the flag
 * table's own readers share). */
#include "options_internal.h"
#include "txstorm/duration.h"
#include "txstorm/errbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DURATION_US (366LL * 24 * 3600 * 1000000)

int options_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (s == NULL || *s == '\0') return -1;
    const char *p = s;
    if (*p == '-') p++;
    if (*p < '0' || *p > '9') return -1; /* rejects "+1", " 1", "-" */
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0') return -1;
    if (errno == ERANGE || v < min || v > max) return -2;
    *out = v;
    return 0;
}

int options_parse_double(const char *s, double min, double max, double *out)
{
    if (s == NULL || ((*s < '0' || *s > '9') && *s != '.' && *s != '-')) return -1;
    /* Decimal only: strtod would also take "0x10", "infinity" and "nan". */
    if (s[strspn(s, "0123456789.eE+-")] != '\0') return -1;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (*end != '\0' || end == s || v != v) return -1; /* v != v: NaN */
    if (errno == ERANGE || v < min || v > max) return -2;
    *out = v;
    return 0;
}

int options_parse_duration_us(const char *s, int64_t *out_us)
{
    if (s == NULL || *s < '0' || *s > '9') return -1;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno == ERANGE) return -2;
    int64_t unit_us = duration_unit_us(end, strlen(end));
    if (unit_us == 0) return -1;
    if (n > (unsigned long long)(MAX_DURATION_US / unit_us)) return -2;
    *out_us = (int64_t)n * unit_us;
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
    if (rc == -1) return errbuf_fail(err, err_len, "--%s: '%s' is not a number", name, v);
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
