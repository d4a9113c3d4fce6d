/* The tool's own record of every transfer it attempted, and the reconciliation
 * of that record against the `transfers` ledger table. Pure.
 *
 * A transfer id names its origin: id = instance << 54 | worker << 40 | seq,
 * where seq counts the worker's transfers from 0 (retries keep the id). The
 * record keeps 2 bits per transfer, so ten million transfers take 2.5 MB.
 */
#ifndef TXSTORM_LEDGER_H
#define TXSTORM_LEDGER_H

#include <jansson.h>
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
    int64_t n;     /* outcomes recorded: seq 0..n-1 */
    uint8_t *bits; /* 2 bits per seq */
    size_t cap;    /* bytes allocated */
};

struct ledger {
    int instance;
    int n_workers;
    struct ledger_book *books;
};

/* Returns 0, or -1 when out of memory. */
int ledger_init(struct ledger *l, int instance, int n_workers);
void ledger_free(struct ledger *l);

/* Records the outcome of the worker's transfer number seq, which must be the
 * next one (seq == book->n). Returns 0, or -1 when out of memory. Only the
 * worker itself calls this for its book: no locking. */
int ledger_record(struct ledger *l, int worker, int64_t seq, enum ledger_outcome o);

/* The recorded outcome of id; NONE for an id this ledger does not know. */
enum ledger_outcome ledger_get(const struct ledger *l, int64_t id);

/* Totals over the whole record. */
struct ledger_counts {
    int64_t acked, failed, ambiguous, none;
};
void ledger_count(const struct ledger *l, struct ledger_counts *c);

/* Reconciliation: feed every transfer_id found in the table (in any order,
 * duplicates included), then read the verdict. */
struct ledger_audit {
    int64_t rows;                /* ids fed */
    int64_t acked;               /* acknowledged by COMMIT */
    int64_t acked_found;         /* ... and found exactly once or more */
    int64_t lost;                /* acknowledged, not in the table */
    int64_t duplicated;          /* ids found more than once */
    int64_t invented_failed;     /* found, but the tool saw the transfer fail */
    int64_t invented_unknown;    /* found, but the tool never made that transfer */
    int64_t ambiguous;           /* outcome unknown to the tool */
    int64_t ambiguous_committed; /* ... and found: it did commit */
    int64_t ambiguous_not_committed;
    int64_t first_lost, first_duplicated, first_invented; /* example ids, -1 if none */
    uint8_t **seen; /* per (ledger, worker) book: 2-bit saturating sighting counts */
    int seen_n;     /* books in seen */
};

/* ledgers: one per instance that took part (an id's instance selects its
 * ledger; ids of instances not given count as invented_unknown). */
int ledger_audit_begin(struct ledger_audit *a, const struct ledger *const *ledgers, int n);
void ledger_audit_row(struct ledger_audit *a, const struct ledger *const *ledgers, int n,
                      int64_t id);
void ledger_audit_end(struct ledger_audit *a, const struct ledger *const *ledgers, int n);
void ledger_audit_free(struct ledger_audit *a);

/* True when nothing is lost, duplicated or invented. */
bool ledger_audit_ok(const struct ledger_audit *a);

/* {"instance": I, "workers": [{"n": N, "outcomes": "<base64 of the 2-bit array>"}, ...],
 *  "acked": .., "failed": .., "ambiguous": .., "failed_sample": [ids], "acked_sample": [ids]}
 * The samples hold up to 8 ids each, for humans and tests. */
json_t *ledger_json_encode(const struct ledger *l);

/* Rebuilds a ledger from ledger_json_encode's form; -1 with one line in err. */
int ledger_json_decode(const json_t *j, struct ledger *l, char *err, size_t err_len);

#endif
