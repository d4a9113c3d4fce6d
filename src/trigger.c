/* --trigger specs: KIND@AT[+SPAN][:ARG] parsed and checked against the run. */
#include "txstorm/trigger.h"
#include "txstorm/duration.h"
#include "txstorm/errbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
    [TRIGGER_LOCK_ROWS] = "lock-rows",
    [TRIGGER_LOCK_TABLE] = "lock-table",
    [TRIGGER_TERMINATE] = "terminate",
    [TRIGGER_SPIKE] = "spike",
};
#define N_KINDS (sizeof kind_names / sizeof kind_names[0])

/* A day: a trigger's time beyond that is a typo, and sums stay far from overflow. */
#define TRIGGER_TIME_MAX_US (86400LL * 1000000LL)

const char *trigger_kind_name(enum trigger_kind k)
{
    return (size_t)k < N_KINDS ? kind_names[k] : "?";
}

/* A whole number with a unit at p (len characters): 0, -1 no number or
 * unit, -2 too large. */
static int parse_time_us(const char *p, size_t len, int64_t *out_us)
{
    size_t digits = 0;
    int64_t n = 0;
    while (digits < len && p[digits] >= '0' && p[digits] <= '9') {
        if (n > TRIGGER_TIME_MAX_US) return -2;
        n = n * 10 + (p[digits++] - '0');
    }
    if (digits == 0) return -1;
    int64_t unit_us = duration_unit_us(p + digits, len - digits);
    if (unit_us == 0) return -1;
    if (n > TRIGGER_TIME_MAX_US / unit_us) return -2;
    *out_us = n * unit_us;
    return 0;
}

static int bad_time(const char *s, const char *what, const char *p, size_t len, int rc, char *err,
                    size_t err_len)
{
    if (rc == -2)
        return errbuf_fail(err, err_len, "--trigger '%s': %s '%.*s' is too long (at most 1 day)",
                           s, what, (int)len, p);
    return errbuf_fail(err, err_len,
                       "--trigger '%s': %s '%.*s' is not a duration (a whole number with a "
                       "unit: us, ms, s, m, h)",
                       s, what, (int)len, p);
}

/* The argument after ':' for t's kind. */
static int parse_arg(const char *s, const char *arg, struct trigger *t, char *err, size_t err_len)
{
    char *end;
    errno = 0;
    switch (t->kind) {
    case TRIGGER_LOCK_TABLE:
        return errbuf_fail(err, err_len, "--trigger '%s': lock-table takes no argument", s);
    case TRIGGER_LOCK_ROWS: {
        long long k = strtoll(arg, &end, 10);
        if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno || k < 1 || k > 1000000)
            return errbuf_fail(err, err_len,
                               "--trigger '%s': lock-rows takes a number of rows in 1..1000000",
                               s);
        t->rows = k;
        return 0;
    }
    case TRIGGER_TERMINATE: {
        double share = strtod(arg, &end);
        if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno || !(share > 0 && share <= 1))
            return errbuf_fail(err, err_len,
                               "--trigger '%s': terminate takes a share of the workers in (0,1]",
                               s);
        t->share = share;
        return 0;
    }
    case TRIGGER_SPIKE: {
        double rate = strtod(arg, &end);
        if (arg[0] < '0' || arg[0] > '9' || errno || strcmp(end, "/s") != 0 ||
            !(rate > 0 && rate <= 1e9))
            return errbuf_fail(err, err_len,
                               "--trigger '%s': spike takes a rate with its unit, e.g. 2000/s", s);
        t->rate_per_s = rate;
        return 0;
    }
    }
    return -1;
}

int trigger_parse(const char *s, struct trigger *out, char *err, size_t err_len)
{
    *out = (struct trigger){0};
    const char *at = strchr(s, '@');
    if (at == NULL)
        return errbuf_fail(err, err_len,
                           "--trigger '%s': expected KIND@AT[+SPAN][:ARG], e.g. lock-rows@10s+3s",
                           s);
    size_t kind_len = (size_t)(at - s);
    size_t k = 0;
    while (k < N_KINDS && !(strlen(kind_names[k]) == kind_len &&
                            strncmp(s, kind_names[k], kind_len) == 0))
        k++;
    if (k == N_KINDS)
        return errbuf_fail(err, err_len,
                           "--trigger '%s': unknown kind '%.*s' (lock-rows, lock-table, "
                           "terminate, spike)",
                           s, (int)kind_len, s);
    out->kind = (enum trigger_kind)k;
    const char *time = at + 1, *colon = strchr(time, ':');
    const char *plus = strchr(time, '+');
    if (plus && colon && plus > colon) plus = NULL;
    const char *time_end = plus ? plus : colon ? colon : time + strlen(time);
    int rc = parse_time_us(time, (size_t)(time_end - time), &out->at_us);
    if (rc != 0) return bad_time(s, "time", time, (size_t)(time_end - time), rc, err, err_len);
    if (plus) {
        const char *span = plus + 1, *span_end = colon ? colon : span + strlen(span);
        if (out->kind == TRIGGER_TERMINATE)
            return errbuf_fail(err, err_len,
                               "--trigger '%s': terminate is instantaneous: no +SPAN", s);
        rc = parse_time_us(span, (size_t)(span_end - span), &out->span_us);
        if (rc != 0) return bad_time(s, "span", span, (size_t)(span_end - span), rc, err, err_len);
        if (out->span_us == 0)
            return errbuf_fail(err, err_len, "--trigger '%s': the span is empty", s);
    } else if (out->kind != TRIGGER_TERMINATE) {
        return errbuf_fail(err, err_len, "--trigger '%s': %s needs a span, e.g. %s@%.*s+3s", s,
                           kind_names[k], kind_names[k], (int)(time_end - time), time);
    }
    if (colon) return parse_arg(s, colon + 1, out, err, err_len);
    if (out->kind == TRIGGER_TERMINATE)
        return errbuf_fail(err, err_len,
                           "--trigger '%s': terminate needs the share of workers, e.g. "
                           "terminate@%.*s:0.5",
                           s, (int)(time_end - time), time);
    if (out->kind == TRIGGER_SPIKE)
        return errbuf_fail(err, err_len, "--trigger '%s': spike needs a rate, e.g. :2000/s", s);
    return 0;
}

int trigger_plan_add(struct trigger_plan *p, const char *s, char *err, size_t err_len)
{
    if (p->n == TRIGGER_MAX)
        return errbuf_fail(err, err_len, "--trigger: at most %d", TRIGGER_MAX);
    if (trigger_parse(s, &p->items[p->n], err, err_len) != 0) return -1;
    p->n++;
    return 0;
}

int trigger_plan_check(const struct trigger_plan *p, int64_t duration_us, bool open_loop,
                       char *err, size_t err_len)
{
    char a[64], b[64];
    for (int i = 0; i < p->n; i++) {
        const struct trigger *t = &p->items[i];
        trigger_spec_text(t, a, sizeof a);
        if (duration_us > 0 && t->at_us >= duration_us)
            return errbuf_fail(err, err_len,
                               "--trigger '%s': starts at or after the run's end (--duration "
                               "%.3g s)",
                               a, (double)duration_us / 1e6);
        if (t->kind == TRIGGER_SPIKE && !open_loop)
            return errbuf_fail(err, err_len,
                               "--trigger '%s': a spike needs --rate or --load (open loop): a closed loop "
                               "offers no load to raise",
                               a);
        for (int j = 0; j < i; j++) {
            const struct trigger *u = &p->items[j];
            /* Windows of one kind may not share a moment (an instant counts);
             * the two locks share the injector's one transaction. */
            bool locks = (u->kind == TRIGGER_LOCK_ROWS || u->kind == TRIGGER_LOCK_TABLE) &&
                         (t->kind == TRIGGER_LOCK_ROWS || t->kind == TRIGGER_LOCK_TABLE);
            if ((u->kind == t->kind || locks) && t->at_us <= u->at_us + u->span_us &&
                u->at_us <= t->at_us + t->span_us) {
                trigger_spec_text(u, b, sizeof b);
                return errbuf_fail(err, err_len, "--trigger '%s': overlaps '%s'", a, b);
            }
        }
    }
    return 0;
}

void trigger_arg_text(const struct trigger *t, int64_t rows, char *out, size_t len)
{
    switch (t->kind) {
    case TRIGGER_LOCK_ROWS:
        snprintf(out, len, "%lld rows", (long long)rows);
        return;
    case TRIGGER_TERMINATE:
        snprintf(out, len, "%g", t->share);
        return;
    case TRIGGER_SPIKE:
        snprintf(out, len, "%g/s", t->rate_per_s);
        return;
    case TRIGGER_LOCK_TABLE:
        break;
    }
    snprintf(out, len, "%s", "");
}

/* A time in the largest unit that writes it whole. */
static void time_text(int64_t us, char *out, size_t len)
{
    if (us % 1000000 == 0)
        snprintf(out, len, "%llds", (long long)(us / 1000000));
    else if (us % 1000 == 0)
        snprintf(out, len, "%lldms", (long long)(us / 1000));
    else
        snprintf(out, len, "%lldus", (long long)us);
}

void trigger_spec_text(const struct trigger *t, char *out, size_t len)
{
    char at[24], span[24] = "", arg[32] = "";
    time_text(t->at_us, at, sizeof at);
    if (t->span_us) {
        span[0] = '+';
        time_text(t->span_us, span + 1, sizeof span - 1);
    }
    if (t->kind == TRIGGER_TERMINATE)
        snprintf(arg, sizeof arg, ":%g", t->share);
    else if (t->kind == TRIGGER_SPIKE)
        snprintf(arg, sizeof arg, ":%g/s", t->rate_per_s);
    else if (t->kind == TRIGGER_LOCK_ROWS && t->rows)
        snprintf(arg, sizeof arg, ":%lld", (long long)t->rows);
    snprintf(out, len, "%s@%s%s%s", trigger_kind_name(t->kind), at, span, arg);
}
