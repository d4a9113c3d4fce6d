/* The tool's own record of every transfer it attempted. Pure. Its
 * reconciliation with the `transfers` table is ledger_reconcile.h, its JSON
 * form ledger_json.h.
 *
 * A transfer id names its origin: id = instance << 54 | worker << 40 | seq,
 * where seq counts the worker's transfers from 0 (retries keep the id). The
 * record keeps 2 bits per transfer and, to say when each outcome came, its
 * milliseconds since the ledger's origin as a uint32 (49 days): 4.25 bytes a
 * transfer, so ten million transfers take 42.5 MB.
 */
#ifndef TXSTORM_LEDGER_H
#define TXSTORM_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEDGER_SEQ_BITS 40
#define LEDGER_WORKER_BITS 14
#define LEDGER_INSTANCE_BITS 9

/* What the tool saw of one transfer. NONE: nothing that can be in the ledger
 * (insufficient funds, or not attempted). */
enum ledger_outcome { LEDGER_NONE = 0, LEDGER_ACKED = 1, LEDGER_FAILED = 2, LEDGER_AMBIGUOUS = 3 };

int64_t ledger_transfer_id(int instance, int worker, int64_t seq);
void ledger_id_parts(int64_t id, int *instance, int *worker, int64_t *seq);

/* One worker's outcomes, indexed by seq; grows as the worker goes. */
struct ledger_book {
    int64_t n;       /* outcomes recorded: seq 0..n-1 */
    uint8_t *bits;   /* 2 bits per seq */
    size_t cap;      /* bytes allocated in bits; at_ms holds 4 * cap entries */
    uint32_t *at_ms; /* per seq: when its outcome came, ms since the origin; NULL: unknown
                        (a result saved before the times were kept) */
};

struct ledger {
    int instance;
    int n_workers;
    struct ledger_book *books;
    int64_t origin_us;      /* the monotonic clock's reading at the origin */
    int64_t origin_unix_ms; /* the wall clock's at the same moment; 0: unknown */
};

/* Returns 0, or -1 when out of memory. */
int ledger_init(struct ledger *l, int instance, int n_workers);
void ledger_free(struct ledger *l);

/* A copy of from, books and times too, into to. Returns 0, or -1 when out of
 * memory (to is left empty). */
int ledger_copy(struct ledger *to, const struct ledger *from);

/* Sets when the record starts: now_us on the monotonic clock is unix_ms on the wall's. */
void ledger_set_origin(struct ledger *l, int64_t now_us, int64_t unix_ms);

/* Records the outcome of the worker's transfer number seq, which must be the
 * next one (seq == book->n), learnt at now_us (monotonic). Returns 0, or -1
 * when out of memory. Only the worker itself calls this for its book: no
 * locking. */
int ledger_record(struct ledger *l, int worker, int64_t seq, enum ledger_outcome o, int64_t now_us);

/* When the outcome of the worker's transfer seq came, in ms since the epoch;
 * -1 when the record does not know. */
int64_t ledger_outcome_unix_ms(const struct ledger *l, int worker, int64_t seq);

/* The recorded outcome of id; NONE for an id this ledger does not know. */
enum ledger_outcome ledger_get(const struct ledger *l, int64_t id);

/* Totals over the whole record. */
struct ledger_counts {
    int64_t acked, failed, ambiguous, none;
};
void ledger_count(const struct ledger *l, struct ledger_counts *c);

#endif
