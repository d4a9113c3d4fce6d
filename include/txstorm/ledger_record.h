/* A run's record of its transfers as its result keeps it: the ledger
 * (ledger.h), the run that wrote it and the bank it ran against. Pure. */
#ifndef TXSTORM_LEDGER_RECORD_H
#define TXSTORM_LEDGER_RECORD_H

#include "txstorm/ledger.h"
#include <jansson.h>
#include <stdbool.h>

struct ledger_record {
    bool present; /* the run kept one (--ledger) */
    int64_t run_id;
    int64_t bank_id; /* 0: an older result names none */
    struct ledger ledger;
};

/* A merged result's: each instance's record. present: the part is there. */
struct ledger_records {
    struct ledger_record *items;
    size_t n;
    bool present;
};

/* {"run_id": N, "bank_id": B, ...ledger_json_encode} (ids as strings, json_id.h). */
json_t *ledger_record_json(const struct ledger_record *r);

/* Back from ledger_record_json's form: 0, or -1 with one line in err (r is
 * left empty). */
int ledger_record_decode(const json_t *j, struct ledger_record *r, char *err, size_t err_len);

void ledger_record_free(struct ledger_record *r);

/* A merge's rule: appends a copy of r. false when out of memory. */
bool ledger_records_append(struct ledger_records *rs, const struct ledger_record *r);

void ledger_records_free(struct ledger_records *rs);

/* [ledger_record_json, ...] */
json_t *ledger_records_json(const struct ledger_records *rs);

/* Back from ledger_records_json's form: 0, or -1 with one line in err. */
int ledger_records_decode(const json_t *j, struct ledger_records *rs, char *err, size_t err_len);

#endif
