/* Built-in triggers: faults a run injects itself, from its own connection,
 * at a given time for a given span (--trigger, repeatable). Parsing and
 * validation only; injector.h runs them. Pure.
 *
 * Notation: KIND@AT[+SPAN][:ARG]; AT and SPAN are durations with a unit
 * (ms, s, m, ...), AT counted from the end of the warmup (the start of
 * the measured span; --duration bounds that span).
 *   lock-rows@10s+3s[:K]   hold the row locks of accounts 1..K (default: the
 *                          hot set of --skew hot:K or hotspot:K:P, else 10)
 *   lock-table@10s+2s      hold LOCK TABLE accounts IN EXCLUSIVE MODE
 *   terminate@12s:0.5      pg_terminate_backend() on that share (0,1] of this
 *                          run's workers (instantaneous: no SPAN)
 *   spike@10s+5s:2000/s    offer 2000 transactions/s over the span (needs --rate or --load)
 * Refused: an unknown kind, a time without a unit, a missing or extra SPAN
 * or ARG, a trigger starting at or after the run's end, two of one kind
 * whose windows overlap (or meet) and so lock-rows with lock-table (they
 * share the injector's one transaction), a share outside (0,1]. */
#ifndef TXSTORM_TRIGGER_H
#define TXSTORM_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum trigger_kind { TRIGGER_LOCK_ROWS, TRIGGER_LOCK_TABLE, TRIGGER_TERMINATE, TRIGGER_SPIKE };

#define TRIGGER_MAX 16
/* lock-rows without :K on a skew with no hot set (uniform, zipf: its top ids). */
#define TRIGGER_LOCK_ROWS_DEFAULT 10

struct trigger {
    enum trigger_kind kind;
    int64_t at_us;      /* after the warmup */
    int64_t span_us;    /* 0 for terminate */
    int64_t rows;       /* lock-rows: accounts 1..rows; 0: the workload's hot set */
    double share;       /* terminate */
    double rate_per_s;  /* spike */
};

struct trigger_plan {
    struct trigger items[TRIGGER_MAX];
    int n;
};

/* "lock-rows", "lock-table", "terminate", "spike". */
const char *trigger_kind_name(enum trigger_kind k);

/* Parses one spec. 0, or -1 with one line in err ("--trigger 'x': ..."). */
int trigger_parse(const char *s, struct trigger *out, char *err, size_t err_len);

/* Parses s and appends it to p (at most TRIGGER_MAX). */
int trigger_plan_add(struct trigger_plan *p, const char *s, char *err, size_t err_len);

/* Checks the plan against the run: none may start at or after duration_us
 * (0: the run is bounded otherwise, not checked), two of a kind may not
 * overlap, a spike needs open loop. 0, or -1 with one line in err. */
int trigger_plan_check(const struct trigger_plan *p, int64_t duration_us, bool open_loop,
                       char *err, size_t err_len);

/* The trigger's argument as the report shows it: "" (lock-table), "10 rows",
 * "0.5" (share), "2000/s". rows is the number of rows actually locked. */
void trigger_arg_text(const struct trigger *t, int64_t rows, char *out, size_t len);

/* The spec written back in the notation, e.g. "lock-rows@10s+3s". */
void trigger_spec_text(const struct trigger *t, char *out, size_t len);

#endif
