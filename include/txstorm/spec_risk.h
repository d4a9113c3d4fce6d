/* Which transfer specs can break the bank's invariants on PostgreSQL, and the
 * one-line warning `run` prints for them. Only READ COMMITTED lets a
 * transfer act on a balance another has changed since it was read; which
 * shapes are exposed to that is one row each (docs/workload.md: "Which shapes are safe
 * at which isolation"). Pure. */
#ifndef TXSTORM_SPEC_RISK_H
#define TXSTORM_SPEC_RISK_H

#include "txstorm/spec.h"
#include <stdbool.h>
#include <stddef.h>

/* What concurrent transfers of a spec can do, as a set of bits. */
enum {
    SPEC_RISK_OVERDRAFT = 1,   /* a balance below zero: "no overdraft" fails */
    SPEC_RISK_LOST_UPDATE = 2, /* a write over a changed balance: "conservation" fails */
};

/* The risks of a spec: 0 when every invariant holds by construction. */
unsigned spec_risks(const struct txn_spec *spec);

/* Writes the warning for the risks the checker will report (an overdraft
 * is not one with allow_overdraft) and returns true; false, and out left
 * as it was, when there are none. */
bool spec_risk_warning(const struct txn_spec *spec, bool allow_overdraft, char *out, size_t len);

#endif
