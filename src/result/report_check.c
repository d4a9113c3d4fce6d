/* The check's verdict in the result file. One table of its members, by
 * section, drives both the writer and the loader. */
#include "report_internal.h"
#include "txstorm/errbuf.h"
#include "txstorm/text.h"

#include <string.h>
#include <time.h>

/* How a member is read back. */
enum member_load {
    REQUIRED, /* absent or of another type: malformed */
    OPTIONAL, /* absent: left 0; of another type: malformed */
    LENIENT,  /* anything but an integer (a boolean: but true) reads 0 (false) */
};

struct member {
    const char *key;
    bool is_bool;  /* else an int64_t */
    size_t offset; /* in struct check_result */
    enum member_load load;
};

#define BOOL(key, field, load)                                                                     \
    {                                                                                              \
        key, true, offsetof(struct check_result, field), load                                      \
    }
#define INT(key, field, load)                                                                      \
    {                                                                                              \
        key, false, offsetof(struct check_result, field), load                                     \
    }

/* "check": the snapshot's invariants. */
static const struct member snapshot_members[] = {
    BOOL("ok", ok, REQUIRED),
    BOOL("accounts_ok", accounts_ok, REQUIRED),
    BOOL("total_ok", total_ok, REQUIRED),
    BOOL("negative_ok", negative_ok, REQUIRED),
    BOOL("allow_overdraft", allow_overdraft, LENIENT),
    INT("accounts_expected", accounts_expected, REQUIRED),
    INT("accounts_actual", accounts_actual, REQUIRED),
    INT("min_id", min_id, LENIENT),
    INT("max_id", max_id, LENIENT),
    INT("total_expected", total_expected, REQUIRED),
    INT("total_actual", total_actual, REQUIRED),
    INT("negative_accounts", negative_accounts, REQUIRED),
};

/* "check.balances", when balances_checked. */
static const struct member balance_members[] = {
    BOOL("ok", balances_ok, LENIENT),
    INT("mismatches", balance_mismatches, OPTIONAL),
    INT("first_id", first_mismatch_id, OPTIONAL),
    INT("first_expected", first_mismatch_expected, OPTIONAL),
    INT("first_actual", first_mismatch_actual, OPTIONAL),
};

/* "check.ledger", when ledger_checked. */
static const struct member ledger_members[] = {
    BOOL("ok", ledger_ok, LENIENT),
    INT("acked", acked, OPTIONAL),
    INT("acked_found", acked_found, OPTIONAL),
    INT("lost", lost, OPTIONAL),
    INT("duplicated", duplicated, OPTIONAL),
    INT("invented_failed", invented_failed, OPTIONAL),
    INT("invented_unknown", invented_unknown, OPTIONAL),
    INT("ambiguous", ambiguous, OPTIONAL),
    INT("ambiguous_committed", ambiguous_committed, OPTIONAL),
    INT("ambiguous_not_committed", ambiguous_not_committed, OPTIONAL),
    INT("first_lost", first_lost, OPTIONAL),
    INT("first_duplicated", first_duplicated, OPTIONAL),
    INT("first_invented", first_invented, OPTIONAL),
};

/* "check.auditor", when audited; its two violations follow these. */
static const struct member audit_members[] = {
    INT("readings", audit.readings, OPTIONAL),
    INT("violations", audit.violations, OPTIONAL),
    INT("expected_total", audit.expected_total, OPTIONAL),
};

#undef BOOL
#undef INT
#define MEMBERS(table) table, sizeof table / sizeof table[0]

static json_t *members_json(const struct check_result *c, const struct member *m, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        const char *at = (const char *)c + m[i].offset;
        json_object_set_new(o, m[i].key,
                            m[i].is_bool ? json_boolean(*(const bool *)at)
                                         : json_integer(*(const int64_t *)at));
    }
    return o;
}

/* False when a member is malformed by its table's rule. */
static bool load_members(const json_t *o, struct check_result *r, const struct member *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(o, m[i].key);
        bool typed = m[i].is_bool ? json_is_boolean(v) : json_is_integer(v);
        if (!typed && (m[i].load == REQUIRED || (m[i].load == OPTIONAL && v != NULL))) return false;
        char *at = (char *)r + m[i].offset;
        if (m[i].is_bool)
            *(bool *)at = json_is_true(v);
        else
            *(int64_t *)at = typed ? json_integer_value(v) : 0;
    }
    return true;
}

/* The auditor's violations: a count, and the first, worst and last readings. */

static json_t *reading_json(const struct audit_reading *r)
{
    return json_pack("{s:f, s:I, s:I}", "t_s", (double)r->t_us / 1e6, "total", (json_int_t)r->total,
                     "negative", (json_int_t)r->negative);
}

static json_t *violation_json(int64_t count, const struct audit_reading *first,
                              const struct audit_reading *worst, const struct audit_reading *last)
{
    if (count == 0) return json_pack("{s:I}", "count", (json_int_t)0);
    return json_pack("{s:I, s:o, s:o, s:o}", "count", (json_int_t)count, "first",
                     reading_json(first), "worst", reading_json(worst), "last", reading_json(last));
}

static bool load_reading(const json_t *o, struct audit_reading *r)
{
    if (o == NULL) return true;
    json_t *t = json_object_get(o, "t_s");
    if (!json_is_number(t)) return false;
    r->t_us = (int64_t)(json_number_value(t) * 1e6 + 0.5);
    return report_opt_i64(o, "total", &r->total) && report_opt_i64(o, "negative", &r->negative);
}

static bool load_violation(const json_t *v, int64_t *count, struct audit_reading *first,
                           struct audit_reading *worst, struct audit_reading *last)
{
    if (v == NULL) return true;
    return report_opt_i64(v, "count", count) && load_reading(json_object_get(v, "first"), first) &&
           load_reading(json_object_get(v, "worst"), worst) &&
           load_reading(json_object_get(v, "last"), last);
}

/* The transfers the ledger check names: in the text report the first few of
 * each kind, in the JSON every one. */

#define NAMES_SHOWN 20

/* The members of a named transfer; at_key says what its time was; an
 * ambiguous one (resolved) says how it resolved. */
static json_t *named_json(const struct ledger_named_list *list, const char *at_key, bool resolved)
{
    json_t *a = json_array();
    for (int64_t i = 0; i < list->n && a != NULL; i++) {
        const struct ledger_named *t = &list->items[i];
        json_t *o =
            json_pack("{s:I, s:i, s:I, s:o}", "id", (json_int_t)t->id, "worker", t->worker, "seq",
                      (json_int_t)t->seq, at_key,
                      t->outcome_unix_ms >= 0 ? json_integer(t->outcome_unix_ms) : json_null());
        if (resolved)
            json_object_set_new(o, "resolution",
                                json_string(ledger_resolution_name(t->resolution)));
        json_array_append_new(a, o);
    }
    return a;
}

static void named_set(json_t *ledger, const struct check_result *c)
{
    json_object_set_new(ledger, "lost_transfers",
                        named_json(&c->lost_named, "acked_at_unix_ms", false));
    json_object_set_new(ledger, "invented_failed_transfers",
                        named_json(&c->invented_failed_named, "failed_at_unix_ms", false));
    json_object_set_new(ledger, "ambiguous_transfers",
                        named_json(&c->ambiguous_named, "ambiguous_at_unix_ms", true));
    if (c->lost_named.incomplete || c->invented_failed_named.incomplete ||
        c->ambiguous_named.incomplete)
        json_object_set_new(ledger, "transfers_incomplete", json_true());
}

/* An absent list (an older result) is incomplete; a malformed one is refused. */
static bool named_load(const json_t *ledger, const char *key, const char *at_key,
                       struct ledger_named_list *list)
{
    const json_t *a = json_object_get(ledger, key);
    list->incomplete = a == NULL || json_is_true(json_object_get(ledger, "transfers_incomplete"));
    if (a == NULL) return true;
    if (!json_is_array(a)) return false;
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v)
    {
        json_int_t id, seq;
        int worker;
        const json_t *at = NULL;
        if (json_unpack((json_t *)v, "{s:I, s:i, s:I, s:o}", "id", &id, "worker", &worker, "seq",
                        &seq, at_key, &at) != 0 ||
            !(json_is_integer(at) || json_is_null(at)))
            return false;
        struct ledger_named t = {.id = id,
                                 .worker = worker,
                                 .seq = seq,
                                 .outcome_unix_ms =
                                     json_is_integer(at) ? json_integer_value(at) : -1};
        const json_t *resolution = json_object_get(v, "resolution");
        if (resolution &&
            !ledger_resolution_parse(json_string_value(resolution), &t.resolution))
            return false;
        ledger_named_append(list, &t);
    }
    return true;
}

static void print_unix_ms(FILE *out, int64_t unix_ms)
{
    time_t s = (time_t)(unix_ms / 1000);
    struct tm tm;
    char text[32];
    if (unix_ms < 0 || gmtime_r(&s, &tm) == NULL ||
        strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        text_printf(out, "at an unknown time");
        return;
    }
    text_printf(out, "%s.%03dZ", text, (int)(unix_ms % 1000));
}

static void print_named(FILE *out, const char *title, const char *verb,
                        const struct ledger_named_list *list, int64_t count, const char *key,
                        const struct json_where *where)
{
    if (count == 0) return;
    text_printf(out, "    %s (%lld):\n", title, (long long)count);
    bool resolved = strcmp(key, "ambiguous_transfers") == 0;
    for (int64_t i = 0; i < list->n && i < NAMES_SHOWN; i++) {
        const struct ledger_named *t = &list->items[i];
        text_printf(out, "      transfer %lld  worker %d  seq %lld  %s ", (long long)t->id,
                    t->worker, (long long)t->seq, verb);
        print_unix_ms(out, t->outcome_unix_ms);
        if (resolved) text_printf(out, ": %s", ledger_resolution_name(t->resolution));
        text_printf(out, "\n");
    }
    int64_t shown = list->n < NAMES_SHOWN ? list->n : NAMES_SHOWN;
    const char *all = list->n == count ? "all" : "not all";
    if (count > shown && where->path)
        text_printf(out, "      ... and %lld more (%s in %s: check.ledger.%s)\n",
                    (long long)(count - shown), all, where->path, key);
    else if (count > shown)
        text_printf(out,
                    "      ... and %lld more (%s in the JSON that `txstorm %s --json FILE` writes: "
                    "check.ledger.%s)\n",
                    (long long)(count - shown), all, where->command, key);
}

void report_print_ledger_names(FILE *out, const struct check_result *c,
                               const struct json_where *where)
{
    if (!c->ledger_checked) return;
    print_named(out, "acknowledged by COMMIT, missing from the server", "acknowledged",
                &c->lost_named, c->lost, "lost_transfers", where);
    print_named(out, "seen to fail, yet present", "failed", &c->invented_failed_named,
                c->invented_failed, "invented_failed_transfers", where);
    print_named(out, "ambiguous (the connection was lost during COMMIT), resolved by the table",
                "cut off", &c->ambiguous_named, c->ambiguous, "ambiguous_transfers", where);
    /* Each transfer is atomic, so losing whole ones keeps the total: say it plainly. */
    if (c->lost > 0 && c->total_ok)
        text_printf(out,
                    "  conservation holds, but %lld acknowledged transfer%s missing: the server "
                    "lost committed work\n",
                    (long long)c->lost, c->lost == 1 ? " is" : "s are");
}

json_t *report_check_json(const struct check_result *c)
{
    json_t *o = members_json(c, MEMBERS(snapshot_members));
    if (c->balances_checked)
        json_object_set_new(o, "balances", members_json(c, MEMBERS(balance_members)));
    else if (c->balances_skipped)
        json_object_set_new(o, "balances", json_pack("{s:b}", "skipped", 1));
    if (c->ledger_checked) {
        json_t *ledger = members_json(c, MEMBERS(ledger_members));
        named_set(ledger, c);
        json_object_set_new(o, "ledger", ledger);
    }
    if (c->audited) {
        const struct audit_summary *a = &c->audit;
        json_t *audit = members_json(c, MEMBERS(audit_members));
        json_object_set_new(
            audit, "wrong_total",
            violation_json(a->wrong_total, &a->wrong_first, &a->wrong_worst, &a->wrong_last));
        json_object_set_new(audit, "negative_value",
                            violation_json(a->negative_value, &a->negative_first,
                                           &a->negative_worst, &a->negative_last));
        json_object_set_new(o, "auditor", audit);
    }
    return o;
}

int report_check_write_json_to(FILE *out, const void *doc)
{
    const struct check_document *d = doc;
    json_t *results = json_array();
    for (int i = 0; results && i < d->n_results; i++)
        json_array_append_new(results, json_string(d->results[i]));
    json_t *root = json_pack(
        "{s:s, s:s, s:s, s:s, s:s?, s:I, s:o, s:o}", "tool", "txstorm", "kind", "check",
        "tool_version", TXSTORM_VERSION, "format_version", REPORT_FORMAT_VERSION, "server_version",
        d->server_version, "checked_at_unix_ms", (json_int_t)d->checked_at_unix_ms, "results",
        results, "check", report_check_json(d->check));
    int rc = root ? json_dumpf(root, out, JSON_INDENT(2)) : -1;
    json_decref(root);
    return rc == 0 && fputc('\n', out) != EOF ? 0 : -1;
}

int report_check_load(const json_t *c, struct check_result *r, const char *path, char *err,
                      size_t err_len)
{
    memset(r, 0, sizeof *r);
    bool ok = load_members(c, r, MEMBERS(snapshot_members));
    const json_t *b = json_object_get(c, "balances"), *l = json_object_get(c, "ledger"),
                 *a = json_object_get(c, "auditor");
    if (ok && b != NULL) {
        if (json_is_true(json_object_get(b, "skipped"))) {
            r->balances_skipped = true;
        } else {
            r->balances_checked = true;
            ok = load_members(b, r, MEMBERS(balance_members));
        }
    }
    if (ok && l != NULL) {
        r->ledger_checked = true;
        ok = load_members(l, r, MEMBERS(ledger_members)) &&
             named_load(l, "lost_transfers", "acked_at_unix_ms", &r->lost_named) &&
             named_load(l, "invented_failed_transfers", "failed_at_unix_ms",
                        &r->invented_failed_named) &&
             named_load(l, "ambiguous_transfers", "ambiguous_at_unix_ms", &r->ambiguous_named);
    }
    if (ok && a != NULL) {
        struct audit_summary *s = &r->audit;
        r->audited = true;
        ok = load_members(a, r, MEMBERS(audit_members)) &&
             load_violation(json_object_get(a, "wrong_total"), &s->wrong_total, &s->wrong_first,
                            &s->wrong_worst, &s->wrong_last) &&
             load_violation(json_object_get(a, "negative_value"), &s->negative_value,
                            &s->negative_first, &s->negative_worst, &s->negative_last);
    }
    if (ok) return 0;
    checker_free(r);
    return errbuf_fail(err, err_len, "%s: malformed 'check'", path);
}
