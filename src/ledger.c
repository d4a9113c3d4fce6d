/* The tool's record of its transfers, its JSON form, and its audit against the ledger table. */
#include "txstorm/ledger.h"
#include "txstorm/errbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEQ_LIMIT ((int64_t)1 << LEDGER_SEQ_BITS)
#define WORKER_LIMIT (1 << LEDGER_WORKER_BITS)
#define INSTANCE_LIMIT (1 << LEDGER_INSTANCE_BITS)
#define SAMPLE_MAX 8
/* A worker's first thousand transfers before the first realloc. */
#define FIRST_CAP_BYTES 256

static size_t book_bytes(int64_t n) { return (size_t)((n + 3) / 4); }

static unsigned get2(const uint8_t *bits, int64_t i)
{
    return (bits[i >> 2] >> ((unsigned)(i & 3) * 2)) & 3u;
}

int64_t ledger_transfer_id(int instance, int worker, int64_t seq)
{
    /* Out-of-range parts would spill into their neighbours' bits. */
    if (instance < 0 || instance >= INSTANCE_LIMIT || worker < 0 || worker >= WORKER_LIMIT ||
        seq < 0 || seq >= SEQ_LIMIT)
        return -1;
    return (int64_t)instance << (LEDGER_SEQ_BITS + LEDGER_WORKER_BITS) |
           (int64_t)worker << LEDGER_SEQ_BITS | seq;
}

void ledger_id_parts(int64_t id, int *instance, int *worker, int64_t *seq)
{
    /* A negative id comes from outside (the table); -1 matches no ledger. */
    if (id < 0) {
        *instance = *worker = -1;
        *seq = -1;
        return;
    }
    *instance = (int)(id >> (LEDGER_SEQ_BITS + LEDGER_WORKER_BITS));
    *worker = (int)((id >> LEDGER_SEQ_BITS) & (WORKER_LIMIT - 1));
    *seq = id & (SEQ_LIMIT - 1);
}

int ledger_init(struct ledger *l, int instance, int n_workers)
{
    memset(l, 0, sizeof *l);
    l->instance = instance;
    if (instance < 0 || instance >= INSTANCE_LIMIT || n_workers < 0 || n_workers > WORKER_LIMIT)
        return -1;
    l->books = calloc(n_workers > 0 ? (size_t)n_workers : 1, sizeof *l->books);
    if (l->books == NULL) return -1;
    l->n_workers = n_workers;
    return 0;
}

void ledger_free(struct ledger *l)
{
    for (int w = 0; w < l->n_workers && l->books != NULL; w++)
        free(l->books[w].bits);
    free(l->books);
    l->books = NULL;
    l->n_workers = 0;
}

int ledger_record(struct ledger *l, int worker, int64_t seq, enum ledger_outcome o)
{
    if (worker < 0 || worker >= l->n_workers || (unsigned)o > 3) return -1;
    struct ledger_book *b = &l->books[worker];
    if (seq != b->n || seq >= SEQ_LIMIT) return -1;
    size_t byte = (size_t)(seq >> 2);
    if (byte >= b->cap) {
        size_t cap = b->cap > 0 ? b->cap * 2 : FIRST_CAP_BYTES;
        uint8_t *bits = realloc(b->bits, cap);
        if (bits == NULL) return -1;
        b->bits = bits;
        b->cap = cap;
    }
    /* A byte's first seq overwrites it whole, so fresh bytes need no clearing
     * and no bit beyond n is ever set (the JSON form relies on that). */
    unsigned shift = (unsigned)(seq & 3) * 2;
    if (shift == 0)
        b->bits[byte] = (uint8_t)o;
    else
        b->bits[byte] |= (uint8_t)((unsigned)o << shift);
    b->n++;
    return 0;
}

/* The book holding id's outcome, or NULL when id is not this ledger's. */
static const struct ledger_book *book_of(const struct ledger *l, int64_t id, int *worker,
                                         int64_t *seq)
{
    int instance;
    ledger_id_parts(id, &instance, worker, seq);
    if (instance != l->instance || *worker < 0 || *worker >= l->n_workers) return NULL;
    const struct ledger_book *b = &l->books[*worker];
    return *seq < b->n ? b : NULL;
}

enum ledger_outcome ledger_get(const struct ledger *l, int64_t id)
{
    int worker;
    int64_t seq;
    const struct ledger_book *b = book_of(l, id, &worker, &seq);
    return b != NULL ? (enum ledger_outcome)get2(b->bits, seq) : LEDGER_NONE;
}

/* Tallies the 2-bit fields of bytes[0..len) into by[1..3], 32 at a time;
 * NONE is left to the caller, as n minus the rest, since the unused fields of
 * the last byte read as NONE. */
static void tally(const uint8_t *bytes, size_t len, int64_t by[4])
{
    const uint64_t odd = 0x5555555555555555u;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t w = 0;
        memcpy(&w, bytes + i, len - i < 8 ? len - i : 8);
        uint64_t lo = w & odd, hi = (w >> 1) & odd;
        by[LEDGER_ACKED] += __builtin_popcountll(lo & ~hi);
        by[LEDGER_FAILED] += __builtin_popcountll(hi & ~lo);
        by[LEDGER_AMBIGUOUS] += __builtin_popcountll(lo & hi);
    }
}

void ledger_count(const struct ledger *l, struct ledger_counts *c)
{
    int64_t by[4] = {0}, n = 0;
    for (int w = 0; w < l->n_workers; w++) {
        tally(l->books[w].bits, book_bytes(l->books[w].n), by);
        n += l->books[w].n;
    }
    c->acked = by[LEDGER_ACKED];
    c->failed = by[LEDGER_FAILED];
    c->ambiguous = by[LEDGER_AMBIGUOUS];
    c->none = n - c->acked - c->failed - c->ambiguous;
}

/* The first SAMPLE_MAX failed and acked ids, in worker order. */
static void samples(const struct ledger *l, int64_t *failed, int *n_failed, int64_t *acked,
                    int *n_acked)
{
    *n_failed = *n_acked = 0;
    for (int w = 0; w < l->n_workers; w++) {
        const struct ledger_book *b = &l->books[w];
        for (int64_t s = 0; s < b->n; s++) {
            if (*n_failed == SAMPLE_MAX && *n_acked == SAMPLE_MAX) return;
            unsigned o = get2(b->bits, s);
            if (o == LEDGER_FAILED && *n_failed < SAMPLE_MAX)
                failed[(*n_failed)++] = ledger_transfer_id(l->instance, w, s);
            else if (o == LEDGER_ACKED && *n_acked < SAMPLE_MAX)
                acked[(*n_acked)++] = ledger_transfer_id(l->instance, w, s);
        }
    }
}

/* Reconciliation. Each book's sighting counts mirror its outcomes, seq for
 * seq, so the ledgers must not grow between begin and end. */

int ledger_audit_begin(struct ledger_audit *a, const struct ledger *const *ledgers, int n)
{
    memset(a, 0, sizeof *a);
    a->first_lost = a->first_duplicated = a->first_invented = -1;
    int books = 0;
    for (int k = 0; k < n; k++) {
        /* With two ledgers for one instance, an id could not say whose it is. */
        for (int m = 0; m < k; m++)
            if (ledgers[m]->instance == ledgers[k]->instance) return -1;
        books += ledgers[k]->n_workers;
    }
    if (books == 0) return 0;
    a->seen = calloc((size_t)books, sizeof *a->seen);
    if (a->seen == NULL) return -1;
    a->seen_n = books;
    int i = 0;
    for (int k = 0; k < n; k++) {
        for (int w = 0; w < ledgers[k]->n_workers; w++, i++) {
            size_t bytes = book_bytes(ledgers[k]->books[w].n);
            a->seen[i] = calloc(bytes > 0 ? bytes : 1, 1);
            if (a->seen[i] == NULL) {
                ledger_audit_free(a);
                return -1;
            }
        }
    }
    return 0;
}

static void invented(struct ledger_audit *a, int64_t *count, int64_t id)
{
    (*count)++;
    if (a->first_invented < 0) a->first_invented = id;
}

void ledger_audit_row(struct ledger_audit *a, const struct ledger *const *ledgers, int n,
                      int64_t id)
{
    a->rows++;
    int instance, worker;
    int64_t seq;
    ledger_id_parts(id, &instance, &worker, &seq);
    const struct ledger *l = NULL;
    int i = 0;
    for (int k = 0; k < n; k++) {
        if (ledgers[k]->instance == instance) {
            l = ledgers[k];
            break;
        }
        i += ledgers[k]->n_workers;
    }
    i += worker;
    if (l == NULL || instance < 0 || worker >= l->n_workers || seq >= l->books[worker].n ||
        i >= a->seen_n) {
        /* Nothing to count sightings in: each such row counts. */
        invented(a, &a->invented_unknown, id);
        return;
    }

    /* Known ids count once per class, however often they appear. */
    uint8_t *seen = a->seen[i];
    unsigned sightings = get2(seen, seq);
    if (sightings == 2) return;
    seen[seq >> 2] += (uint8_t)(1u << ((unsigned)(seq & 3) * 2)); /* < 3, so no carry */
    if (sightings == 1) {
        a->duplicated++;
        if (a->first_duplicated < 0) a->first_duplicated = id;
        return;
    }
    switch (get2(l->books[worker].bits, seq)) {
    case LEDGER_FAILED:
        invented(a, &a->invented_failed, id);
        break;
    case LEDGER_NONE:
        /* The tool believed nothing was written (e.g. insufficient funds). */
        invented(a, &a->invented_unknown, id);
        break;
    default:
        /* ACKED and AMBIGUOUS are judged by ledger_audit_end from the sightings. */
        break;
    }
}

void ledger_audit_end(struct ledger_audit *a, const struct ledger *const *ledgers, int n)
{
    int64_t acked = 0, found = 0, lost = 0, ambiguous = 0, committed = 0, first_lost = -1;
    int i = 0;
    for (int k = 0; k < n; k++) {
        const struct ledger *l = ledgers[k];
        for (int w = 0; w < l->n_workers && i < a->seen_n; w++, i++) {
            const struct ledger_book *b = &l->books[w];
            const uint8_t *seen = a->seen[i];
            for (int64_t s = 0; s < b->n; s++) {
                unsigned o = get2(b->bits, s);
                if (o == LEDGER_ACKED) {
                    acked++;
                    if (get2(seen, s) > 0) {
                        found++;
                    } else {
                        lost++;
                        if (first_lost < 0) first_lost = ledger_transfer_id(l->instance, w, s);
                    }
                } else if (o == LEDGER_AMBIGUOUS) {
                    ambiguous++;
                    if (get2(seen, s) > 0) committed++;
                }
            }
        }
    }
    /* Assigned, not added, so a second call gives the same verdict. */
    a->acked = acked;
    a->acked_found = found;
    a->lost = lost;
    a->first_lost = first_lost;
    a->ambiguous = ambiguous;
    a->ambiguous_committed = committed;
    a->ambiguous_not_committed = ambiguous - committed;
}

void ledger_audit_free(struct ledger_audit *a)
{
    for (int i = 0; i < a->seen_n && a->seen != NULL; i++)
        free(a->seen[i]);
    free(a->seen);
    a->seen = NULL;
    a->seen_n = 0;
}

bool ledger_audit_ok(const struct ledger_audit *a)
{
    return a->lost == 0 && a->duplicated == 0 && a->invented_failed == 0 &&
           a->invented_unknown == 0;
}

/* Base64, standard alphabet with padding. jansson has none, and the outcomes
 * are the bulk of a saved result: 4 characters per 12 transfers. */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_len(size_t bytes) { return (bytes + 2) / 3 * 4; }

static int b64_digit(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static void b64_encode(const uint8_t *in, size_t len, char *out)
{
    for (size_t i = 0; i < len; i += 3) {
        size_t take = len - i < 3 ? len - i : 3;
        uint32_t v = (uint32_t)in[i] << 16;
        if (take > 1) v |= (uint32_t)in[i + 1] << 8;
        if (take > 2) v |= in[i + 2];
        for (size_t k = 0; k < 4; k++)
            *out++ = k <= take ? b64_alphabet[(v >> (18 - 6 * k)) & 63] : '=';
    }
    *out = '\0';
}

/* The decoded length of s, or -1 unless s is canonical base64: whole groups,
 * padding only at the end, and zero bits under the padding (so each byte
 * string has exactly one text). */
static int64_t b64_check(const char *s, size_t len)
{
    if (len % 4 != 0) return -1;
    size_t pad = 0;
    if (len > 0 && s[len - 1] == '=') pad++;
    if (pad == 1 && len > 1 && s[len - 2] == '=') pad++;
    for (size_t i = 0; i < len - pad; i++)
        if (b64_digit(s[i]) < 0) return -1;
    if (pad == 1 && (b64_digit(s[len - 2]) & 3) != 0) return -1;
    if (pad == 2 && (b64_digit(s[len - 3]) & 15) != 0) return -1;
    return (int64_t)(len / 4 * 3 - pad);
}

/* Decodes s, which b64_check has passed, into out. */
static void b64_decode(const char *s, size_t len, uint8_t *out)
{
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = 0;
        size_t digits = 0;
        for (size_t k = 0; k < 4; k++) {
            int d = s[i + k] == '=' ? 0 : b64_digit(s[i + k]);
            if (s[i + k] != '=') digits++;
            v = v << 6 | (uint32_t)d;
        }
        for (size_t k = 0; k + 1 < digits; k++)
            *out++ = (uint8_t)(v >> (16 - 8 * k));
    }
}

static bool set(json_t *o, const char *key, json_t *v)
{
    return v != NULL && json_object_set_new(o, key, v) == 0;
}

static json_t *id_array(const int64_t *ids, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n && a != NULL; i++) {
        if (json_array_append_new(a, json_integer(ids[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *book_encode(const struct ledger_book *b)
{
    size_t bytes = book_bytes(b->n), len = b64_len(bytes);
    char *text = malloc(len + 1);
    if (text == NULL) return NULL;
    b64_encode(b->bits, bytes, text);
    json_t *o = json_object();
    bool ok = o != NULL && set(o, "n", json_integer(b->n)) &&
              set(o, "outcomes", json_stringn_nocheck(text, len));
    free(text);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *ledger_json_encode(const struct ledger *l)
{
    json_t *o = json_object(), *workers = json_array();
    if (o == NULL || workers == NULL || !set(o, "instance", json_integer(l->instance))) {
        json_decref(workers);
        goto fail;
    }
    if (!set(o, "workers", workers)) goto fail;
    for (int w = 0; w < l->n_workers; w++)
        if (json_array_append_new(workers, book_encode(&l->books[w])) != 0) goto fail;
    struct ledger_counts c;
    ledger_count(l, &c);
    int64_t failed[SAMPLE_MAX], acked[SAMPLE_MAX];
    int n_failed, n_acked;
    samples(l, failed, &n_failed, acked, &n_acked);
    if (!set(o, "acked", json_integer(c.acked)) || !set(o, "failed", json_integer(c.failed)) ||
        !set(o, "ambiguous", json_integer(c.ambiguous)) ||
        !set(o, "failed_sample", id_array(failed, n_failed)) ||
        !set(o, "acked_sample", id_array(acked, n_acked)))
        goto fail;
    return o;
fail:
    json_decref(o);
    return NULL;
}

/* A required integer member within [lo, hi]; where prefixes the key in messages. */
static int get_int(const json_t *j, const char *where, const char *key, int64_t lo, int64_t hi,
                   int64_t *out, char *err, size_t err_len)
{
    *out = 0; /* set on every path, so no caller reads an unset value */
    const json_t *v = json_object_get(j, key);
    if (v == NULL) return errbuf_fail(err, err_len, "ledger: %s'%s' is missing", where, key);
    if (!json_is_integer(v))
        return errbuf_fail(err, err_len, "ledger: %s'%s' must be an integer", where, key);
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return errbuf_fail(err, err_len, "ledger: %s'%s' = %lld is out of range (%lld..%lld)",
                           where, key, (long long)x, (long long)lo, (long long)hi);
    *out = (int64_t)x;
    return 0;
}

static int book_decode(const json_t *j, size_t w, struct ledger_book *b, char *err, size_t err_len)
{
    char where[32];
    snprintf(where, sizeof where, "workers[%zu]: ", w);
    if (!json_is_object(j)) return errbuf_fail(err, err_len, "ledger: %sexpected an object", where);
    int64_t n;
    if (get_int(j, where, "n", 0, SEQ_LIMIT, &n, err, err_len) != 0) return -1;
    const json_t *out = json_object_get(j, "outcomes");
    if (out == NULL) return errbuf_fail(err, err_len, "ledger: %s'outcomes' is missing", where);
    if (!json_is_string(out))
        return errbuf_fail(err, err_len, "ledger: %s'outcomes' must be a string", where);
    const char *s = json_string_value(out);
    size_t len = json_string_length(out), bytes = book_bytes(n);
    int64_t got = b64_check(s, len);
    if (got < 0)
        return errbuf_fail(err, err_len, "ledger: %s'outcomes' is not valid base64", where);
    if ((uint64_t)got != bytes)
        return errbuf_fail(err, err_len,
                           "ledger: %s'outcomes' holds %lld bytes, but n = %lld needs %zu", where,
                           (long long)got, (long long)n, bytes);
    if (bytes > 0) {
        b->bits = malloc(bytes);
        if (b->bits == NULL) return errbuf_fail(err, err_len, "ledger: out of memory");
        b->cap = bytes;
        b64_decode(s, len, b->bits);
    }
    b->n = n;
    /* ledger_record ORs into the last byte, so stray bits would corrupt it. */
    if (n % 4 != 0 && (b->bits[bytes - 1] >> ((unsigned)(n % 4) * 2)) != 0)
        return errbuf_fail(err, err_len, "ledger: %s'outcomes' has bits set beyond n = %lld", where,
                           (long long)n);
    return 0;
}

static int check_total(const json_t *j, const char *key, int64_t want, char *err, size_t err_len)
{
    int64_t got;
    if (get_int(j, "", key, 0, INT64_MAX, &got, err, err_len) != 0) return -1;
    if (got != want)
        return errbuf_fail(err, err_len, "ledger: '%s' is %lld, but the outcomes hold %lld", key,
                           (long long)got, (long long)want);
    return 0;
}

/* The sample must be exactly what encoding these outcomes writes. */
static int check_sample(const json_t *j, const char *key, const int64_t *want, int n_want,
                        char *err, size_t err_len)
{
    const json_t *a = json_object_get(j, key);
    if (!json_is_array(a))
        return errbuf_fail(err, err_len, "ledger: '%s' must be an array of ids", key);
    bool same = json_array_size(a) == (size_t)n_want;
    for (int i = 0; i < n_want && same; i++) {
        const json_t *v = json_array_get(a, (size_t)i);
        same = json_is_integer(v) && json_integer_value(v) == want[i];
    }
    if (!same) return errbuf_fail(err, err_len, "ledger: '%s' does not match the outcomes", key);
    return 0;
}

int ledger_json_decode(const json_t *j, struct ledger *l, char *err, size_t err_len)
{
    memset(l, 0, sizeof *l);
    if (!json_is_object(j)) return errbuf_fail(err, err_len, "ledger: expected a JSON object");
    int64_t instance;
    if (get_int(j, "", "instance", 0, INSTANCE_LIMIT - 1, &instance, err, err_len) != 0) return -1;
    const json_t *workers = json_object_get(j, "workers");
    if (!json_is_array(workers))
        return errbuf_fail(err, err_len, "ledger: 'workers' must be an array");
    size_t n_workers = json_array_size(workers);
    if (n_workers > WORKER_LIMIT)
        return errbuf_fail(err, err_len, "ledger: %zu workers, more than %d", n_workers,
                           WORKER_LIMIT);
    if (ledger_init(l, (int)instance, (int)n_workers) != 0)
        return errbuf_fail(err, err_len, "ledger: out of memory");
    for (size_t w = 0; w < n_workers; w++)
        if (book_decode(json_array_get(workers, w), w, &l->books[w], err, err_len) != 0) goto fail;

    struct ledger_counts c;
    ledger_count(l, &c);
    int64_t failed[SAMPLE_MAX], acked[SAMPLE_MAX];
    int n_failed, n_acked;
    samples(l, failed, &n_failed, acked, &n_acked);
    if (check_total(j, "acked", c.acked, err, err_len) != 0 ||
        check_total(j, "failed", c.failed, err, err_len) != 0 ||
        check_total(j, "ambiguous", c.ambiguous, err, err_len) != 0 ||
        check_sample(j, "failed_sample", failed, n_failed, err, err_len) != 0 ||
        check_sample(j, "acked_sample", acked, n_acked, err, err_len) != 0)
        goto fail;
    return 0;
fail:
    ledger_free(l);
    return -1;
}
