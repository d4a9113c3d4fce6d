/* The stall detector, after the bank roachtest: a stretch of at least
 * --stall-timeout with no commit anywhere is a stall. Every commit stamps
 * the time; the gap it closes is measured exactly, so a stall is counted
 * whatever the progress interval, with its true length. Lock-free: any
 * worker thread may call stall_commit while the main thread reads. */
#ifndef TXSTORM_STALL_H
#define TXSTORM_STALL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct stall_summary {
    int64_t count;
    int64_t longest_us;
    int64_t first_at_us; /* when the first began, since the workers started */
};

struct stall_watch {
    int64_t threshold_us; /* 0: off */
    int64_t start_us;     /* the workers started: the first stretch is timed from here */
    _Atomic int64_t last_commit_us;
    atomic_int_fast64_t count, longest_us, first_at_us;
};

void stall_init(struct stall_watch *w, int64_t threshold_us, int64_t start_us);

/* A transaction committed at commit_us (any thread). */
void stall_commit(struct stall_watch *w, int64_t commit_us);

/* Whether no commit has come for the threshold or longer as of now_us. */
bool stall_ongoing(const struct stall_watch *w, int64_t now_us);

/* The summary, a stall still going at end_us counted with its length so far. */
void stall_summarize(const struct stall_watch *w, int64_t end_us, struct stall_summary *out);

#endif
