/* Built-in triggers: faults a run injects itself, from its own connection,
 * at a given time for a given span (--trigger, repeatable). Parsing and
 * validation only; injector.h runs them. Pure.
 *
 * Notation: KIND@AT[+SPAN][:ARG]; AT and SPAN are durations with a unit
 * (ms, s, m, ...), AT counted from the end of the warmup (the start of
 * the measured span; --duration bounds that span). The kinds are the rows
 * of trigger_kinds (trigger_kinds.c): each names its example, its ARG and
 * what it does; --help lists them. The ARG of exec is a command: the
 * whole rest of the spec after the first ':' past AT, so it may hold ':'
 * and '@' of its own.
 * Refused: an unknown kind, a time without a unit, a missing or extra SPAN
 * or ARG, a trigger starting at or after the run's end, two whose kinds
 * share a resource (one kind always shares with itself) with windows that
 * overlap (or meet), a kind that sets the offered rate in a closed loop, a
 * share of the workers that rounds to none, any number not in plain decimal
 * (decimal.h). */
#ifndef TXSTORM_TRIGGER_H
#define TXSTORM_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Indexes trigger_kinds and the injector's actions. */
enum trigger_kind {
    TRIGGER_LOCK_ROWS,
    TRIGGER_LOCK_TABLE,
    TRIGGER_TERMINATE,
    TRIGGER_SPIKE,
    TRIGGER_EXEC,
    TRIGGER_N_KINDS
};

#define TRIGGER_MAX 16
/* lock-rows without :K on a skew with no hot set (uniform, zipf: its top ids). */
#define TRIGGER_LOCK_ROWS_DEFAULT 10
/* exec: a command's text at most this long (bytes, its NUL included). */
#define TRIGGER_COMMAND_MAX 512
/* exec without +SPAN: its deadline, from its start. */
#define TRIGGER_EXEC_DEADLINE_US (60LL * 1000000LL)

struct trigger {
    enum trigger_kind kind;
    int64_t at_us;   /* after the warmup */
    int64_t span_us; /* 0 for an instantaneous kind */
    /* ARG, in the field of its kind */
    int64_t rows;      /* lock-rows: accounts 1..rows; 0: the workload's hot set */
    double share;      /* terminate */
    double rate_per_s; /* spike */
    /* exec: the command as written (command.h splits it) */
    char command[TRIGGER_COMMAND_MAX];
};

enum trigger_arg { TRIGGER_ARG_NONE, TRIGGER_ARG_OPTIONAL, TRIGGER_ARG_REQUIRED };

/* What the notation, the plan and --help know of a kind. What it does to
 * the database is the injector's row for the same kind. */
struct trigger_kind_def {
    const char *name;   /* before '@': "lock-rows" */
    bool instantaneous; /* takes no +SPAN; any other kind needs one, */
    bool span_optional; /* unless this says it may be left out */
    enum trigger_arg arg;
    const char *arg_name;  /* TRIGGER_ARG_OPTIONAL: help shows "[:arg_name]" */
    const char *arg_takes; /* a bad ARG is refused with "<name> takes <arg_takes>" */
    const char *arg_needs; /* TRIGGER_ARG_REQUIRED, left out: "<name> needs <arg_needs>" */
    /* Reads ARG (the text after ':') into t; false if it is not one. */
    bool (*parse_arg)(const char *arg, struct trigger *t);
    /* ARG as the notation writes it, "" when left out; NULL: takes none. */
    void (*write_arg)(const struct trigger *t, char *out, size_t len);
    /* ARG as the result shows it (rows: the rows lock-rows actually locks);
     * NULL: as the notation writes it. */
    void (*show_arg)(const struct trigger *t, int64_t rows, char *out, size_t len);
    /* Windows of kinds that name the same resource may not overlap; a kind
     * never overlaps itself. NULL: only itself. */
    const char *resource;
    /* The offered rate over the window, which the load phases carry (so an
     * open loop is needed); NULL: the rate is left alone. */
    double (*offered_per_s)(const struct trigger *t);
    const char *example; /* a whole spec, written back as is; --help shows it */
    const char *help;    /* what it does, after the example in --help */
    const char *doc;     /* what it does in full, in Markdown: docs/storms.md's table */
};

/* Indexed by enum trigger_kind. */
extern const struct trigger_kind_def trigger_kinds[TRIGGER_N_KINDS];

struct trigger_plan {
    struct trigger items[TRIGGER_MAX];
    int n;
};

/* "lock-rows", "lock-table", "terminate", "spike", "exec". */
const char *trigger_kind_name(enum trigger_kind k);

/* One line per kind, "EXAMPLE[:ARG] HELP", the lines joined by ",\n". */
void trigger_kinds_help(char *out, size_t len);

/* Parses one spec. 0, or -1 with one line in err ("--trigger 'x': ..."). */
int trigger_parse(const char *s, struct trigger *out, char *err, size_t err_len);

/* Parses s and appends it to p (at most TRIGGER_MAX). */
int trigger_plan_add(struct trigger_plan *p, const char *s, char *err, size_t err_len);

/* Checks the plan against the run: none may start at or after duration_us
 * (0: the run is bounded otherwise, not checked), two sharing a resource may
 * not overlap, one setting the offered rate needs open loop, a share of the
 * workers (terminate) must end at least one of the `workers` it counts from
 * (on every endpoint; 0: not checked). 0, or -1 with one line in err. */
int trigger_plan_check(const struct trigger_plan *p, int64_t duration_us, bool open_loop,
                       int workers, char *err, size_t err_len);

/* How many of `workers` a share ends (terminate): the nearest whole number,
 * a half rounded up. */
int trigger_share_count(double share, int workers);

/* Which of n sessions a share ends (terminate): trigger_share_count of them,
 * taken round robin over the instances they belong to (owner[k], each
 * instance's sessions side by side), its first sessions first, so that every
 * instance loses its part; with one instance, its first ones. Their indexes
 * into picked (room for n), in the order given; returns how many. */
int trigger_share_pick(double share, const int *owner, int n, int *picked);

/* The offered rate over t's window, or 0 when its kind leaves the rate alone. */
double trigger_offered_per_s(const struct trigger *t);

/* The trigger's argument as the report shows it: "" (lock-table), "10 rows",
 * "0.5" (share), "2000/s". rows is the number of rows actually locked. */
void trigger_arg_text(const struct trigger *t, int64_t rows, char *out, size_t len);

/* The spec written back in the notation, e.g. "lock-rows@10s+3s". */
void trigger_spec_text(const struct trigger *t, char *out, size_t len);

#endif
