/* --trigger specs: KIND@AT[+SPAN][:ARG] parsed and checked against the run. */
#include "txstorm/trigger.h"
#include "txstorm/decimal.h"
#include "txstorm/duration.h"
#include "txstorm/errbuf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A day: a trigger's time beyond that is a typo, and sums stay far from overflow. */
#define TRIGGER_TIME_MAX_US (86400LL * 1000000LL)

const char *trigger_kind_name(enum trigger_kind k)
{
    return (unsigned)k < TRIGGER_N_KINDS ? trigger_kinds[k].name : "?";
}

/* Appends to out (len bytes in all) what fmt writes, cut to fit. */
static void append(char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *out, size_t len, const char *fmt, ...)
{
    size_t at = strlen(out);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + at, len - at, fmt, ap);
    va_end(ap);
}

void trigger_kinds_help(char *out, size_t len)
{
    out[0] = '\0';
    for (int k = 0; k < TRIGGER_N_KINDS; k++) {
        const struct trigger_kind_def *d = &trigger_kinds[k];
        append(out, len, "%s%s", k ? ",\n" : "", d->example);
        if (d->arg == TRIGGER_ARG_OPTIONAL) append(out, len, "[:%s]", d->arg_name);
        append(out, len, " %s", d->help);
    }
}

/* "lock-rows, lock-table, ...": the kinds, for the refusal of an unknown one. */
static void kind_list(char *out, size_t len)
{
    out[0] = '\0';
    for (int k = 0; k < TRIGGER_N_KINDS; k++)
        append(out, len, "%s%s", k ? ", " : "", trigger_kinds[k].name);
}

/* A whole number with a unit at p (len characters): 0, -1 no number or
 * unit, -2 too large. */
static int parse_time_us(const char *p, size_t len, int64_t *out_us)
{
    size_t digits = decimal_span(p, len, true);
    int64_t unit_us = duration_unit_us(p + digits, len - digits), n;
    if (digits == 0 || unit_us == 0) return -1;
    if (decimal_parse_whole(p, digits, &n) != 0 || n > TRIGGER_TIME_MAX_US / unit_us) return -2;
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
    const struct trigger_kind_def *d = &trigger_kinds[t->kind];
    if (d->parse_arg && d->parse_arg(arg, t)) return 0;
    return errbuf_fail(err, err_len, "--trigger '%s': %s takes %s", s, d->name, d->arg_takes);
}

/* A required ARG left out. An instantaneous kind's example is the whole
 * spec; a span's would need one invented, so only its ARG is shown. */
static int missing_arg(const char *s, const struct trigger_kind_def *d, const char *time,
                       size_t time_len, char *err, size_t err_len)
{
    const char *example_arg = strchr(d->example, ':');
    if (d->instantaneous)
        return errbuf_fail(err, err_len, "--trigger '%s': %s needs %s, e.g. %s@%.*s%s", s, d->name,
                           d->arg_needs, d->name, (int)time_len, time, example_arg);
    return errbuf_fail(err, err_len, "--trigger '%s': %s needs %s, e.g. %s", s, d->name,
                       d->arg_needs, example_arg);
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
    int k = 0;
    while (k < TRIGGER_N_KINDS && !(strlen(trigger_kinds[k].name) == kind_len &&
                                    strncmp(s, trigger_kinds[k].name, kind_len) == 0))
        k++;
    if (k == TRIGGER_N_KINDS) {
        char kinds[128];
        kind_list(kinds, sizeof kinds);
        return errbuf_fail(err, err_len, "--trigger '%s': unknown kind '%.*s' (%s)", s,
                           (int)kind_len, s, kinds);
    }
    out->kind = (enum trigger_kind)k;
    const struct trigger_kind_def *d = &trigger_kinds[k];
    const char *time = at + 1, *colon = strchr(time, ':');
    const char *plus = strchr(time, '+');
    if (plus && colon && plus > colon) plus = NULL;
    const char *time_end = plus ? plus : colon ? colon : time + strlen(time);
    int rc = parse_time_us(time, (size_t)(time_end - time), &out->at_us);
    if (rc != 0) return bad_time(s, "time", time, (size_t)(time_end - time), rc, err, err_len);
    if (plus) {
        const char *span = plus + 1, *span_end = colon ? colon : span + strlen(span);
        if (d->instantaneous)
            return errbuf_fail(err, err_len, "--trigger '%s': %s is instantaneous: no +SPAN", s,
                               d->name);
        rc = parse_time_us(span, (size_t)(span_end - span), &out->span_us);
        if (rc != 0) return bad_time(s, "span", span, (size_t)(span_end - span), rc, err, err_len);
        if (out->span_us == 0)
            return errbuf_fail(err, err_len, "--trigger '%s': the span is empty", s);
    } else if (!d->instantaneous && !d->span_optional) {
        return errbuf_fail(err, err_len, "--trigger '%s': %s needs a span, e.g. %s@%.*s+3s", s,
                           d->name, d->name, (int)(time_end - time), time);
    }
    if (colon) return parse_arg(s, colon + 1, out, err, err_len);
    if (d->arg == TRIGGER_ARG_REQUIRED)
        return missing_arg(s, d, time, (size_t)(time_end - time), err, err_len);
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

/* Whether windows of kinds a and b contend: one kind always does with itself. */
static bool shares_resource(enum trigger_kind a, enum trigger_kind b)
{
    const char *ra = trigger_kinds[a].resource, *rb = trigger_kinds[b].resource;
    return a == b || (ra && rb && strcmp(ra, rb) == 0);
}

int trigger_share_count(double share, int workers) { return (int)floor(share * workers + 0.5); }

/* How many of the sessions a round robin that takes at most `rounds` from
 * each instance takes. */
static int taken_in(const int *owner, int n, int rounds)
{
    int taken = 0;
    for (int k = 0, pos = 0; k < n; k++) {
        pos = k > 0 && owner[k] == owner[k - 1] ? pos + 1 : 0;
        taken += pos < rounds;
    }
    return taken;
}

int trigger_share_pick(double share, const int *owner, int n, int *picked)
{
    int want = trigger_share_count(share, n);
    if (want > n) want = n;
    /* The full rounds that fit in want (a bisection: n may be thousands of
     * sessions of one instance), then one more from the first instances. */
    int rounds = 0, hi = n;
    while (rounds < hi) {
        int mid = rounds + (hi - rounds + 1) / 2;
        if (taken_in(owner, n, mid) <= want)
            rounds = mid;
        else
            hi = mid - 1;
    }
    int extra = want - taken_in(owner, n, rounds), got = 0;
    for (int k = 0, pos = 0; k < n; k++) {
        pos = k > 0 && owner[k] == owner[k - 1] ? pos + 1 : 0;
        bool take = pos < rounds;
        if (pos == rounds && extra > 0) {
            take = true;
            extra--;
        }
        if (take) picked[got++] = k;
    }
    return got;
}

int trigger_plan_check(const struct trigger_plan *p, int64_t duration_us, bool open_loop,
                       int workers, char *err, size_t err_len)
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
        if (trigger_kinds[t->kind].offered_per_s && !open_loop)
            return errbuf_fail(err, err_len,
                               "--trigger '%s': a %s needs --rate or --load (open loop): a closed "
                               "loop offers no load to raise",
                               a, trigger_kind_name(t->kind));
        if (t->share > 0 && workers > 0 && trigger_share_count(t->share, workers) == 0) {
            char share[64], ended[64];
            decimal_format(t->share, share, sizeof share);
            decimal_format(t->share * workers, ended, sizeof ended);
            return errbuf_fail(err, err_len,
                               "--trigger '%s': %s of the %d workers is %s, "
                               "which rounds to none (a share ends the nearest whole number "
                               "of workers)",
                               a, share, workers, ended);
        }
        for (int j = 0; j < i; j++) {
            const struct trigger *u = &p->items[j];
            /* Windows sharing a resource may not share a moment (an instant counts). */
            if (shares_resource(u->kind, t->kind) && t->at_us <= u->at_us + u->span_us &&
                u->at_us <= t->at_us + t->span_us) {
                trigger_spec_text(u, b, sizeof b);
                return errbuf_fail(err, err_len, "--trigger '%s': overlaps '%s'", a, b);
            }
        }
    }
    return 0;
}

double trigger_offered_per_s(const struct trigger *t)
{
    const struct trigger_kind_def *d = &trigger_kinds[t->kind];
    return d->offered_per_s ? d->offered_per_s(t) : 0;
}

void trigger_arg_text(const struct trigger *t, int64_t rows, char *out, size_t len)
{
    const struct trigger_kind_def *d = &trigger_kinds[t->kind];
    if (d->show_arg)
        d->show_arg(t, rows, out, len);
    else if (d->write_arg)
        d->write_arg(t, out, len);
    else
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
    char at[24], span[24] = "", arg[TRIGGER_COMMAND_MAX + 1] = ":";
    time_text(t->at_us, at, sizeof at);
    if (t->span_us) {
        span[0] = '+';
        time_text(t->span_us, span + 1, sizeof span - 1);
    }
    const struct trigger_kind_def *d = &trigger_kinds[t->kind];
    if (d->write_arg) d->write_arg(t, arg + 1, sizeof arg - 1);
    snprintf(out, len, "%s@%s%s%s", d->name, at, span, arg[1] ? arg : "");
}
