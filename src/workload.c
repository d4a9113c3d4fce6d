/* Choosing a transfer's two accounts and its amount. */
#include "txstorm/workload.h"

void workload_next_transfer(const struct workload_config *w, struct rng *r, struct transfer *t) {
    /* Two distinct ids from 1..hot: draw the second from hot-1 slots and skip
     * over the first, so no rejection loop is needed. */
    uint64_t hot = (uint64_t)w->hot;
    uint64_t a = rng_below(r, hot);
    uint64_t b = rng_below(r, hot - 1);
    if (b >= a) b++;
    t->from = (int64_t)a + 1;
    t->to = (int64_t)b + 1;
    t->amount = rng_between(r, w->amount_lo, w->amount_hi);
}
