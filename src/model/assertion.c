/* --assert gates: "p99<50ms" parsed into metric, operator and threshold, then judged. */
#include "txstorm/assertion.h"
#include "txstorm/decimal.h"
#include "txstorm/errbuf.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const metric_names[METRIC_COUNT] = {
    [METRIC_P50] = "p50",
    [METRIC_P90] = "p90",
    [METRIC_P95] = "p95",
    [METRIC_P99] = "p99",
    [METRIC_P999] = "p999",
    [METRIC_MAX] = "max",
    [METRIC_MEAN] = "mean",
    [METRIC_TPS] = "tps",
    [METRIC_COMMITTED] = "committed",
    [METRIC_FAILED] = "failed",
    [METRIC_AMBIGUOUS] = "ambiguous",
    [METRIC_INSUFFICIENT] = "insufficient",
    [METRIC_RETRIES] = "retries",
    [METRIC_FAILED_RATE] = "failed_rate",
    [METRIC_RETRY_RATE] = "retry_rate",
    [METRIC_CLIENT_SATURATED] = "client_saturated",
    [METRIC_LOOP_BUSY] = "loop_busy",
    [METRIC_RECOVER_S] = "recover_s",
    [METRIC_RECONNECT_S] = "reconnect_s",
};

static const char *const op_names[] = {
    [OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">="};

/* A unit scales the written number to microseconds by a power of ten, applied
 * as a decimal exponent so "2.5ms" is exactly 2500 rather than 2.5 * 1000. */
static const struct {
    const char *name;
    const char *exponent;
} units[] = {{"us", ""}, {"ms", "e3"}, {"s", "e6"}};

#define OP_CHARS "<>=!"
#define MAX_DIGITS 64

static bool is_latency(enum assert_metric m) { return m <= METRIC_MEAN; }

const char *assertion_unit(enum assert_metric m) { return is_latency(m) ? "ms" : ""; }

/* Every message names the assertion as given, so one of several --assert flags stands out. */
__attribute__((format(printf, 4, 5))) static int fail(const char *s, char *err, size_t err_len,
                                                      const char *fmt, ...)
{
    char why[240];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return errbuf_fail(err, err_len, "--assert '%s': %s", s, why);
}

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* Whether the len characters at p are exactly word. */
static bool token_is(const char *p, int len, const char *word)
{
    return strlen(word) == (size_t)len && strncmp(p, word, (size_t)len) == 0;
}

/* The rest of the word at p, for quoting a bad token. */
static int word_len(const char *p)
{
    int n = 0;
    while (p[n] != '\0' && !isspace((unsigned char)p[n]))
        n++;
    return n;
}

static int parse_metric(const char *s, const char **p, enum assert_metric *out, char *err,
                        size_t err_len)
{
    const char *start = *p;
    const char *end = start;
    while (*end != '\0' && !isspace((unsigned char)*end) && strchr(OP_CHARS, *end) == NULL)
        end++;
    int len = (int)(end - start);
    for (int m = 0; m < METRIC_COUNT; m++) {
        if (token_is(start, len, metric_names[m])) {
            *out = (enum assert_metric)m;
            *p = end;
            return 0;
        }
    }
    char list[200] = "";
    for (int m = 0; m < METRIC_COUNT; m++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", m ? ", " : "",
                 metric_names[m]);
    if (len == 0) return fail(s, err, err_len, "missing metric before the operator (%s)", list);
    return fail(s, err, err_len, "unknown metric '%.*s' (%s)", len < 32 ? len : 32, start, list);
}

static int parse_op(const char *s, const char **p, enum assert_metric m, enum assert_op *out,
                    char *err, size_t err_len)
{
    const char *start = skip_space(*p);
    int len = (int)strspn(start, OP_CHARS);
    if (len == 0)
        return fail(s, err, err_len, "missing operator after %s (<, <=, >, >=)", metric_names[m]);
    for (int op = OP_LT; op <= OP_GE; op++) {
        if (token_is(start, len, op_names[op])) {
            *out = (enum assert_op)op;
            *p = start + len;
            return 0;
        }
    }
    return fail(s, err, err_len, "unknown operator '%.*s' (<, <=, >, >=)", len, start);
}

/* What follows a decimal that makes it another notation rather than a
 * number and its unit: a second point ("1.2.3"), an exponent ("1e3", "1E-3")
 * or hex ("0x10"). */
static bool other_notation(const char *after)
{
    if (after[0] == '.') return true;
    if ((after[0] == 'e' || after[0] == 'E') &&
        (isdigit((unsigned char)after[1]) || after[1] == '+' || after[1] == '-'))
        return true;
    return (after[0] == 'x' || after[0] == 'X') && isxdigit((unsigned char)after[1]);
}

int assertion_parse(const char *s, struct assertion *out, char *err, size_t err_len)
{
    if (s == NULL) s = "";
    const char *p = skip_space(s);
    if (*p == '\0') return fail(s, err, err_len, "empty; expected METRIC OP VALUE, e.g. p99<50ms");

    struct assertion a = {0};
    if (parse_metric(s, &p, &a.metric, err, err_len) != 0) return -1;
    if (parse_op(s, &p, a.metric, &a.op, err, err_len) != 0) return -1;

    p = skip_space(p);
    if (*p == '\0') return fail(s, err, err_len, "missing threshold after '%s'", op_names[a.op]);
    const char *number = p;
    /* Unsigned: a sign, exponent, hex, inf or nan never gets to strtod. */
    int number_len = (int)decimal_span(p, strlen(p), false);
    if (number_len > 0 && other_notation(p + number_len)) number_len = 0;
    if (number_len == 0)
        return fail(s, err, err_len, "bad number '%.*s' (a non-negative decimal such as 50 or 2.5)",
                    word_len(p), p);
    if (number_len > MAX_DIGITS)
        return fail(s, err, err_len, "bad number '%.*s...' (too many digits)", 16, p);
    p = skip_space(p + number_len);
    const char *unit = p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    int unit_len = (int)(p - unit);
    p = skip_space(p);

    int u = -1;
    for (int i = 0; i < (int)(sizeof units / sizeof units[0]); i++)
        if (token_is(unit, unit_len, units[i].name)) u = i;
    if (is_latency(a.metric)) {
        if (unit_len == 0 && *p == '\0')
            return fail(s, err, err_len, "%s needs a duration with a unit (us, ms, s)",
                        metric_names[a.metric]);
        if (u < 0)
            return fail(s, err, err_len, "unknown unit '%.*s' for %s (us, ms, s)",
                        unit_len ? unit_len : word_len(unit), unit, metric_names[a.metric]);
    } else if (u >= 0) {
        return fail(s, err, err_len, "%s takes a plain number, not a duration ('%.*s')",
                    metric_names[a.metric], unit_len, unit);
    } else if (unit_len > 0) {
        p = unit;
    }
    if (*p != '\0') return fail(s, err, err_len, "unexpected '%s' after the threshold", p);

    char text[MAX_DIGITS + 4];
    snprintf(text, sizeof text, "%.*s%s", number_len, number, u >= 0 ? units[u].exponent : "");
    a.threshold = strtod(text, NULL);
    if (!isfinite(a.threshold))
        return fail(s, err, err_len, "bad number '%.*s' (too large)", number_len, number);
    snprintf(a.text, sizeof a.text, "%s", s);
    *out = a;
    return 0;
}

bool assertion_holds(const struct assertion *a, const struct assert_figures *f)
{
    double v = f->value[a->metric];
    switch (a->op) {
    case OP_LT:
        return v < a->threshold;
    case OP_LE:
        return v <= a->threshold;
    case OP_GT:
        return v > a->threshold;
    case OP_GE:
        return v >= a->threshold;
    }
    return false;
}

const char *assertion_no_data(enum assert_metric m)
{
    if (is_latency(m) || m == METRIC_RETRY_RATE) return "nothing committed";
    if (m == METRIC_FAILED_RATE) return "no transaction finished";
    if (m == METRIC_TPS) return "no measured time";
    if (m == METRIC_CLIENT_SATURATED || m == METRIC_LOOP_BUSY) return "no event-loop timings";
    if (m == METRIC_RECOVER_S) return "not recovered (or no --trigger)";
    if (m == METRIC_RECONNECT_S) return "workers not all connected again (or no --trigger)";
    return "nothing measured";
}

double assertion_measured(const struct assertion *a, const struct assert_figures *f)
{
    double v = f->value[a->metric];
    return is_latency(a->metric) ? v / 1000.0 : v;
}
