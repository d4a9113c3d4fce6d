/* Which accounts a transfer touches and how much it moves. Pure.
 *
 * Skews (account ids are 1..accounts):
 *   uniform       two distinct ids uniform over all accounts
 *   hot:K         two distinct ids uniform over 1..K
 *   hotspot:K:P   with probability P two distinct ids from 1..K, else two
 *                 distinct ids from K+1..accounts
 *   zipf:S        each id Zipf-distributed over 1..accounts with exponent S
 *                 (P(k) proportional to k^-S), drawn in O(1) by rejection-inversion
 *                 (Hoermann & Derflinger 1996); the second id is redrawn until it
 *                 differs from the first (after 64 tries, a uniform other id)
 * Amounts: uniform in [amount_lo, amount_hi], or a fraction of the source
 * balance (known only inside the transaction, so the transfer carries the
 * fraction and the database layer computes floor(balance * fraction)).
 */
#ifndef TXSTORM_WORKLOAD_H
#define TXSTORM_WORKLOAD_H

#include "txstorm/rng.h"
#include <stddef.h>
#include <stdint.h>

enum skew_kind { SKEW_UNIFORM, SKEW_HOT, SKEW_HOTSPOT, SKEW_ZIPF };

struct skew {
    enum skew_kind kind;
    int64_t hot;            /* hot:K, hotspot:K:P */
    double hot_probability; /* hotspot:K:P */
    double zipf_s;          /* zipf:S, S > 0 */
};

/* Precomputed constants of the rejection-inversion Zipf sampler. */
struct zipf {
    int64_t n;
    double s;
    double h_integral_x1;
    double h_integral_n;
    double threshold;
};

enum amount_mode { AMOUNT_RANGE, AMOUNT_FRACTION };
/* Their names, indexed by the enum, ending in NULL. */
extern const char *const workload_amount_mode_names[];

struct workload_config {
    int64_t accounts;
    struct skew skew;
    enum amount_mode amount_mode;
    int64_t amount_lo; /* AMOUNT_RANGE: uniform in [amount_lo, amount_hi] */
    int64_t amount_hi;
    double amount_fraction; /* AMOUNT_FRACTION: in (0, 1] */
    struct zipf zipf;       /* filled by workload_init for SKEW_ZIPF */
};

struct transfer {
    int64_t from;
    int64_t to;
    int64_t amount;  /* AMOUNT_RANGE; 0 in fraction mode */
    double fraction; /* AMOUNT_FRACTION; 0 in range mode */
    int64_t id;      /* ledger transfer id (set by the worker, not drawn here) */
    int64_t run_id;  /* ledger run number */
    int worker;
};

/* Parses "uniform", "hot:K", "hotspot:K:P" or "zipf:S". Returns 0, or -1 with
 * one line in err. Bounds that need the bank's size are checked by workload_init. */
int workload_parse_skew(const char *s, struct skew *out, char *err, size_t err_len);

/* Checks the config against the bank's size (accounts must be set) and
 * precomputes what sampling needs. Returns 0, or -1 with one line in err,
 * e.g. "--skew: hot set 50 is larger than the bank (20 accounts)". */
int workload_init(struct workload_config *w, char *err, size_t err_len);

/* Draws the next transfer: from != to, both in 1..accounts. */
void workload_next_transfer(const struct workload_config *w, struct rng *r, struct transfer *t);

/* Zipf sampler on its own, for tests: a value in 1..z->n. */
int zipf_init(struct zipf *z, int64_t n, double s);
int64_t zipf_sample(const struct zipf *z, struct rng *r);

#endif
