/* Reconciling the tool's record (ledger.h) with the transfer ids found in the
 * `transfers` ledger table: what was lost, duplicated or invented, and how the
 * ambiguous commits resolved. Pure. */
#ifndef TXSTORM_LEDGER_RECONCILE_H
#define TXSTORM_LEDGER_RECONCILE_H

#include "txstorm/ledger.h"

/* How the table resolved an ambiguous commit. */
enum ledger_resolution { LEDGER_UNRESOLVED, LEDGER_COMMITTED, LEDGER_NOT_COMMITTED };

/* One transfer the reconciliation names: its id, the parts of the id, and
 * when the tool learnt its outcome (ms since the epoch; -1: unknown); for an
 * ambiguous one, how it resolved. */
struct ledger_named {
    int64_t id;
    int worker;
    int64_t seq;
    int64_t outcome_unix_ms;
    enum ledger_resolution resolution;
};

/* "committed", "not committed", "unresolved"; and back (false: none of them). */
const char *ledger_resolution_name(enum ledger_resolution r);
bool ledger_resolution_parse(const char *name, enum ledger_resolution *out);

/* A list of them, by id. Appends that run out of memory are dropped and
 * leave the list incomplete; the counts beside it stay exact. */
struct ledger_named_list {
    struct ledger_named *items;
    int64_t n, cap;
    bool incomplete;
};
void ledger_named_append(struct ledger_named_list *list, const struct ledger_named *item);
/* Appends every item of from. */
void ledger_named_extend(struct ledger_named_list *list, const struct ledger_named_list *from);
void ledger_named_sort(struct ledger_named_list *list);
void ledger_named_free(struct ledger_named_list *list);

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
    struct ledger_named_list lost_named;                  /* every lost one, by id */
    struct ledger_named_list ambiguous_named;             /* every ambiguous one, resolved */
    struct ledger_named_list invented_failed_named;       /* every found one the tool saw fail */
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

#endif
