/* The tool's record of its transfers: 2 bits and a time per transfer, by worker. */
#include "ledger_internal.h"

#include <stdlib.h>
#include <string.h>

/* A worker's first thousand transfers before the first realloc. */
#define FIRST_CAP_BYTES 256

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
    for (int w = 0; w < l->n_workers && l->books != NULL; w++) {
        free(l->books[w].bits);
        free(l->books[w].at_ms);
    }
    free(l->books);
    l->books = NULL;
    l->n_workers = 0;
}

int ledger_copy(struct ledger *to, const struct ledger *from)
{
    if (ledger_init(to, from->instance, from->n_workers) != 0) return -1;
    to->origin_us = from->origin_us;
    to->origin_unix_ms = from->origin_unix_ms;
    for (int w = 0; w < from->n_workers; w++) {
        const struct ledger_book *f = &from->books[w];
        struct ledger_book *t = &to->books[w];
        size_t room = f->cap > 0 ? f->cap : 1;
        t->n = f->n;
        t->bits = f->bits ? malloc(room) : NULL;
        /* Times kept even for an empty book: the JSON tells "none yet" from "unknown". */
        t->at_ms = f->at_ms ? malloc(4 * room * sizeof *t->at_ms) : NULL;
        if ((f->bits && t->bits == NULL) || (f->at_ms && t->at_ms == NULL)) {
            free(t->bits);
            free(t->at_ms);
            *t = (struct ledger_book){0};
            ledger_free(to);
            return -1;
        }
        t->cap = f->cap;
        if (f->bits) memcpy(t->bits, f->bits, f->cap);
        if (f->at_ms) memcpy(t->at_ms, f->at_ms, 4 * f->cap * sizeof *t->at_ms);
    }
    return 0;
}

void ledger_set_origin(struct ledger *l, int64_t now_us, int64_t unix_ms)
{
    l->origin_us = now_us;
    l->origin_unix_ms = unix_ms;
}

/* Room for the book's bits and times up to byte; false when out of memory. */
static bool book_grow(struct ledger_book *b, size_t byte)
{
    if (byte < b->cap) return true;
    size_t cap = b->cap > 0 ? b->cap * 2 : FIRST_CAP_BYTES;
    uint8_t *bits = realloc(b->bits, cap);
    if (bits == NULL) return false;
    b->bits = bits;
    uint32_t *at = realloc(b->at_ms, cap * 4 * sizeof *at);
    if (at == NULL) return false; /* cap unchanged: the bigger bits are merely spare */
    b->at_ms = at;
    b->cap = cap;
    return true;
}

int ledger_record(struct ledger *l, int worker, int64_t seq, enum ledger_outcome o, int64_t now_us)
{
    if (worker < 0 || worker >= l->n_workers || (unsigned)o > 3) return -1;
    struct ledger_book *b = &l->books[worker];
    if (seq != b->n || seq >= SEQ_LIMIT) return -1;
    /* A book decoded without times stays without them. */
    if (b->at_ms == NULL && b->n > 0) return -1;
    size_t byte = (size_t)(seq >> 2);
    if (!book_grow(b, byte)) return -1;
    int64_t ms = now_us > l->origin_us ? (now_us - l->origin_us) / 1000 : 0;
    b->at_ms[seq] = ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
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

int64_t ledger_outcome_unix_ms(const struct ledger *l, int worker, int64_t seq)
{
    if (worker < 0 || worker >= l->n_workers || l->origin_unix_ms == 0) return -1;
    const struct ledger_book *b = &l->books[worker];
    if (seq < 0 || seq >= b->n || b->at_ms == NULL) return -1;
    return l->origin_unix_ms + b->at_ms[seq];
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
