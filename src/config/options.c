/* Command-line parsing into a validated struct config, driven by the command
 * and flag tables in options_table.c; the usage text is generated from them. */
#include "options_internal.h"
#include "txstorm/decimal.h"
#include "txstorm/duration.h"
#include "txstorm/endpoint.h"
#include "txstorm/exitcode.h"

#include "txstorm/errbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One of f->names; stores its index in the enum f points at. */
static int read_choice(const struct flag *f, const char *v, int *out, char *err, size_t err_len)
{
    for (int i = 0; f->names[i]; i++) {
        if (strcmp(v, f->names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    char list[160] = "";
    for (int i = 0; f->names[i]; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 f->names[i]);
    return errbuf_fail(err, err_len, "--%s: unknown %s '%s' (%s)", f->name,
                       f->noun ? f->noun : "value", v, list);
}

/* Reads v (NULL for a switch) as flag f into cfg. */
static int read_flag(const struct flag *f, const char *v, struct config *cfg, char *err,
                     size_t err_len)
{
    void *at = (char *)cfg + f->offset;
    int64_t n;
    switch (f->kind) {
    case FLAG_SWITCH:
        *(bool *)at = true;
        return 0;
    case FLAG_PATH:
        if (*v == '\0') return errbuf_fail(err, err_len, "--%s: needs a file name", f->name);
        /* An output is renamed into place whole (outfile.h), and stdout carries
         * the report: '-' would quietly become a file called '-'. */
        if (strcmp(v, "-") == 0)
            return errbuf_fail(err, err_len,
                               "--%s: '-' is not standard output here: outputs are files, "
                               "written whole or not at all; name one (./- for a file called '-')",
                               f->name);
        /* fall through */
    case FLAG_TEXT:
        *(const char **)at = v;
        return 0;
    case FLAG_INT:
        if (options_int_flag(f->name, v, f->min, f->max, &n, err, err_len)) return -1;
        if (f->size == sizeof(int))
            *(int *)at = (int)n;
        else
            *(int64_t *)at = n;
        return 0;
    case FLAG_DOUBLE:
        if (options_double_flag(f->name, v, f->lo, f->hi, at, err, err_len)) return -1;
        if (f->above_zero && *(double *)at <= 0)
            return errbuf_fail(err, err_len, "--%s: must be above 0", f->name);
        return 0;
    case FLAG_DURATION:
        if (options_duration_flag(f->name, v, at, err, err_len)) return -1;
        if (f->above_zero && *(int64_t *)at == 0)
            return errbuf_fail(err, err_len, "--%s: must be above zero", f->name);
        return 0;
    case FLAG_CHOICE:
        return read_choice(f, v, at, err, err_len);
    case FLAG_LIST: {
        struct text_list *list = at;
        if (*v == '\0') return errbuf_fail(err, err_len, "--%s: the value is empty", f->name);
        if (list->n >= f->max) {
            if (f->max == 1)
                return errbuf_fail(err, err_len, "--%s: given more than once (%s takes one)",
                                   f->name, options_commands[cfg->command].name);
            return errbuf_fail(err, err_len, "--%s: at most %lld", f->name, (long long)f->max);
        }
        list->items[list->n++] = v;
        return 0;
    }
    case FLAG_CUSTOM:
        return f->parse(v, cfg, err, err_len);
    }
    return 0;
}

/* Every default is written once, in its row, as one would type it. */
static void set_defaults(struct config *cfg)
{
    if (options_n_flags > OPTIONS_MAX_FLAGS) abort(); /* raise OPTIONS_MAX_FLAGS */
    memset(cfg, 0, sizeof *cfg);
    char err[OPTIONS_ERR_MAX];
    for (int i = 0; i < options_n_flags; i++) {
        const struct flag *f = &options_flags[i];
        if (f->def && read_flag(f, f->def, cfg, err, sizeof err) != 0) abort(); /* a bad row */
    }
}

static const struct flag *find_flag(const char *name, size_t len, enum command c)
{
    for (int i = 0; i < options_n_flags; i++) {
        const struct flag *f = &options_flags[i];
        if (strlen(f->name) == len && strncmp(f->name, name, len) == 0 && (f->commands & (1u << c)))
            return f;
    }
    return NULL;
}

/* Whether the flag named so was on the command line. */
static bool given(const bool seen[], const char *name)
{
    for (int i = 0; i < options_n_flags; i++)
        if (seen[i] && strcmp(options_flags[i].name, name) == 0) return true;
    return false;
}

/* The command's result files: as many as its row says. */
static int count_files(const struct command_def *cmd, int n, char *err, size_t err_len)
{
    if (cmd->max_files == 0) return 0;
    if (cmd->min_files == cmd->max_files && n != cmd->min_files) {
        if (cmd->min_files == 1)
            return errbuf_fail(err, err_len, "%s: needs exactly one result file, got %d", cmd->name,
                               n);
        return errbuf_fail(err, err_len, "%s: needs exactly %d result files, got %d", cmd->name,
                           cmd->min_files, n);
    }
    if (n < cmd->min_files) {
        if (cmd->min_files == 1)
            return errbuf_fail(err, err_len, "%s: needs at least one result file", cmd->name);
        return errbuf_fail(err, err_len, "%s: needs at least %d result files, got %d", cmd->name,
                           cmd->min_files, n);
    }
    if (n > cmd->max_files)
        return errbuf_fail(err, err_len, "%s: at most %d result files", cmd->name, cmd->max_files);
    return 0;
}

/* --load against the flags it meets; without --duration the run lasts
 * the phases (less the warmup, which is their first part). */
static int validate_load(struct config *cfg, const bool seen[], char *err, size_t err_len)
{
    if (given(seen, "arrival") && !given(seen, "rate") && !given(seen, "load"))
        return errbuf_fail(err, err_len, "--arrival: needs --rate or --load");
    if (!given(seen, "load")) return 0;
    if (given(seen, "rate"))
        return errbuf_fail(err, err_len,
                           "--load and --rate: give one, not both (--rate R is --load R/s:D)");
    if (given(seen, "transactions"))
        return errbuf_fail(err, err_len,
                           "--load and --transactions: the phases set the run's length; bound it "
                           "with --duration or leave it to the phases");
    int64_t end_us = phases_end_us(&cfg->load);
    if (cfg->warmup_us >= end_us)
        return errbuf_fail(err, err_len,
                           "--warmup: %.3f s is not shorter than the phases of --load (%.3f s)",
                           (double)cfg->warmup_us / 1e6, (double)end_us / 1e6);
    if (!given(seen, "duration")) cfg->duration_us = end_us - cfg->warmup_us;
    return 0;
}

/* A trigger that sets the offered rate (spike): over its window the rate is
 * its own. The phases carry it (a --rate run becomes one phase first); the
 * trigger's time counts from the warmup's end, the phases' from the workers'
 * start. A spike raises the rate: one at or below what it replaces anywhere
 * in its window would quietly lower it, and is refused (--load lowers it). */
static int apply_spikes(struct config *cfg, char *err, size_t err_len)
{
    for (int i = 0; i < cfg->triggers.n; i++) {
        const struct trigger *t = &cfg->triggers.items[i];
        double rate_per_s = trigger_offered_per_s(t);
        if (rate_per_s == 0) continue;
        if (cfg->load.n == 0)
            phases_init_constant(&cfg->load, "rate", cfg->rate, cfg->warmup_us + cfg->duration_us);
        int64_t from_us = cfg->warmup_us + t->at_us;
        double replaced = phases_peak_rate(&cfg->load, from_us, from_us + t->span_us);
        if (rate_per_s <= replaced) {
            char spec[64], rate[64], before[64];
            trigger_spec_text(t, spec, sizeof spec);
            decimal_format(rate_per_s, rate, sizeof rate);
            decimal_format(replaced, before, sizeof before);
            return errbuf_fail(err, err_len,
                               "--trigger '%s': %s/s is not above the %s/s it replaces (a %s "
                               "raises the offered rate; --load lowers it)",
                               spec, rate, before, trigger_kind_name(t->kind));
        }
        if (phases_add_spike(&cfg->load, from_us, t->span_us, rate_per_s) != 0)
            return errbuf_fail(err, err_len, "--trigger %s: at most %d %ss in a run",
                               trigger_kind_name(t->kind), PHASES_SPIKES_MAX,
                               trigger_kind_name(t->kind));
    }
    return 0;
}

/* A backoff's three flags (--NAME, --NAME-base, --NAME-cap): a scale given
 * to a policy that has none, or a cap below the base, is a mistake. */
static int validate_backoff(const struct backoff_config *b, const char *name, const bool seen[],
                            char *err, size_t err_len)
{
    char base[64], cap[64];
    snprintf(base, sizeof base, "%s-base", name);
    snprintf(cap, sizeof cap, "%s-cap", name);
    if (b->policy == BACKOFF_NONE)
        for (const char *const *f = (const char *const[]){base, cap, NULL}; *f; f++)
            if (given(seen, *f))
                return errbuf_fail(err, err_len, "--%s: has no effect with --%s none", *f, name);
    if (b->cap_us < b->base_us)
        return errbuf_fail(err, err_len, "--%s: %lldus is below --%s %lldus", cap,
                           (long long)b->cap_us, base, (long long)b->base_us);
    return 0;
}

/* Cross-flag rules, checked once every flag is read. */
static int validate(struct config *cfg, const bool seen[], char *err, size_t err_len)
{
    if (count_files(&options_commands[cfg->command], cfg->n_inputs, err, err_len) != 0) return -1;
    for (int i = 0; i < options_n_flags; i++)
        if (seen[i] && options_flags[i].needs && !given(seen, options_flags[i].needs))
            return errbuf_fail(err, err_len, "--%s: needs --%s", options_flags[i].name,
                               options_flags[i].needs);
    if (validate_backoff(&cfg->backoff, "backoff", seen, err, err_len) != 0 ||
        validate_backoff(&cfg->reconnect_backoff, "reconnect-backoff", seen, err, err_len) != 0)
        return -1;
    if (cfg->command != CMD_RUN) return 0;
    if (given(seen, "warmup") && given(seen, "transactions"))
        return errbuf_fail(err, err_len,
                           "--warmup and --transactions: the warmup would spend transactions "
                           "the report leaves out; bound the run with --duration");
    /* --accounts <= 1e9 and --balance <= 2^31-1 keep the total within int64. */
    if (given(seen, "instance") && !cfg->seed_given)
        return errbuf_fail(err, err_len,
                           "--instance: needs --seed (the instances share it; it also names "
                           "their barrier)");
    if (given(seen, "duration") && given(seen, "transactions"))
        return errbuf_fail(err, err_len, "--duration and --transactions: give one, not both");
    if (given(seen, "transactions")) cfg->duration_us = 0;
    if (validate_load(cfg, seen, err, err_len) != 0) return -1;
    if (given(seen, "hot") && given(seen, "skew"))
        return errbuf_fail(err, err_len,
                           "--hot and --skew: give one, not both (--hot K is --skew hot:K)");
    const struct txn_spec *spec = &cfg->spec;
    bool explicit_txn = spec->shape == SHAPE_INTERACTIVE || spec->shape == SHAPE_FOR_UPDATE;
    if (cfg->protocol == PROTOCOL_SAVEPOINT && !explicit_txn)
        return errbuf_fail(err, err_len,
                           "--retry-protocol savepoint: needs --shape interactive or for-update "
                           "(the %s shape has no client-visible transaction to roll back to)",
                           spec_shape_names[spec->shape]);
    if (spec->think_us > 0 && !explicit_txn)
        return errbuf_fail(err, err_len,
                           "--think-time: the %s shape sends the transaction at once; "
                           "use --shape interactive or for-update",
                           spec_shape_names[spec->shape]);
    if (spec->write_mode == WRITE_ABSOLUTE && !explicit_txn)
        return errbuf_fail(err, err_len,
                           "--write-mode absolute: needs --shape interactive or for-update "
                           "(it writes balances the client read)");
    if (cfg->amount_mode == AMOUNT_FRACTION && spec->shape == SHAPE_PIPELINED)
        return errbuf_fail(
            err, err_len,
            "--amount-mode fraction: the pipelined shape sends the amount before the "
            "balance is read; use another shape");
    if (spec->query_mode == QUERY_SIMPLE && spec->shape == SHAPE_PIPELINED)
        return errbuf_fail(err, err_len,
                           "--query-mode simple: the pipelined shape needs the extended "
                           "protocol; use --query-mode extended or prepared");
    if (given(seen, "amount-fraction") && cfg->amount_mode != AMOUNT_FRACTION)
        return errbuf_fail(err, err_len, "--amount-fraction: needs --amount-mode fraction");
    if (trigger_plan_check(&cfg->triggers, cfg->duration_us, options_open_loop(cfg), cfg->workers,
                           err, err_len) != 0)
        return -1;
    return apply_spikes(cfg, err, err_len);
}

/* "init, run, check, demo, report, merge": the commands, or those in mask. */
static void command_list(char *out, size_t len, unsigned mask)
{
    out[0] = '\0';
    for (int c = 0; c < options_n_commands; c++)
        if (options_commands[c].name && (mask & (1u << c)))
            snprintf(out + strlen(out), len - strlen(out), "%s%s", out[0] ? ", " : "",
                     options_commands[c].name);
}

static int find_command(const char *name)
{
    for (int c = 0; c < options_n_commands; c++)
        if (options_commands[c].name && strcmp(name, options_commands[c].name) == 0) return c;
    return -1;
}

static bool repeats(const struct flag *f) { return f->kind == FLAG_LIST || f->repeatable; }

/* A flag that takes one value given again: the last would silently win. */
static int given_twice(const struct flag *f, enum command c, char *err, size_t err_len)
{
    const char *names[OPTIONS_MAX_FLAGS];
    int n = 0;
    for (int i = 0; i < options_n_flags; i++) {
        const struct flag *g = &options_flags[i];
        if ((g->commands & (1u << c)) && repeats(g) && (g->kind != FLAG_LIST || g->max > 1))
            names[n++] = g->name;
    }
    const char *cmd = options_commands[c].name;
    if (n == 0)
        return errbuf_fail(err, err_len, "--%s: given more than once (%s repeats no flag)", f->name,
                           cmd);
    char list[256] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s--%s",
                 i == 0       ? ""
                 : i == n - 1 ? " and "
                              : ", ",
                 names[i]);
    return errbuf_fail(err, err_len, "--%s: given more than once (of %s's flags only %s %s)",
                       f->name, cmd, list, n == 1 ? "repeats" : "repeat");
}

/* One argument of the command: a flag (with its value, maybe the next
 * argument) or a result file. Returns how many arguments it used, or -1. */
static int read_argument(int argc, char **argv, int i, struct config *cfg, bool seen[], char *err,
                         size_t err_len)
{
    const char *arg = argv[i], *cmd = options_commands[cfg->command].name;
    if (strncmp(arg, "--", 2) != 0) {
        if (options_commands[cfg->command].max_files == 0) {
            /* A connection string given without --db may hold a password. */
            if (strpbrk(arg, "=@:/") != NULL)
                return errbuf_fail(err, err_len,
                                   "unexpected argument (not shown: it looks like a connection "
                                   "string; give it with --db)");
            return errbuf_fail(err, err_len, "unexpected argument '%s'", arg);
        }
        if (cfg->n_inputs == OPTIONS_MAX_INPUTS)
            return errbuf_fail(err, err_len, "%s: at most %d result files", cmd,
                               OPTIONS_MAX_INPUTS);
        cfg->inputs[cfg->n_inputs++] = arg;
        return 1;
    }
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
    const struct flag *f = find_flag(name, name_len, cfg->command);
    if (f == NULL)
        return errbuf_fail(err, err_len, "unknown flag '--%.*s' for 'txstorm %s'", (int)name_len,
                           name, cmd);
    const char *value = NULL;
    int used = 1;
    if (f->arg) {
        if (eq)
            value = eq + 1;
        else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
            value = argv[i + used++];
        else
            return errbuf_fail(err, err_len, "--%s: missing its value", f->name);
    } else if (eq) {
        return errbuf_fail(err, err_len, "--%s: takes no value", f->name);
    }
    if (seen[f - options_flags] && !repeats(f)) return given_twice(f, cfg->command, err, err_len);
    if (read_flag(f, value, cfg, err, err_len) != 0) return -1;
    seen[f - options_flags] = true;
    return used;
}

/* "help [--markdown] [COMMAND | exit-codes | triggers]": a command's help, or
 * its flags (or the exit codes) as docs/reference.md's table, the --trigger
 * kinds as docs/storms.md's; "help --man", the man page;
 * "help --completion bash", the bash completion. */
static int read_help(int argc, char **argv, struct config *cfg, char *err, size_t err_len)
{
    cfg->command = CMD_HELP;
    cfg->help_for = CMD_HELP;
    for (int i = 2; i < argc; i++) {
        int c = find_command(argv[i]);
        if (strcmp(argv[i], "--markdown") == 0)
            cfg->help_form = HELP_MARKDOWN;
        else if (strcmp(argv[i], "--man") == 0)
            cfg->help_form = HELP_MAN;
        else if (strcmp(argv[i], "--completion") == 0) {
            if (i + 1 >= argc || strcmp(argv[i + 1], "bash") != 0)
                return errbuf_fail(err, err_len, "help --completion: only bash (help --completion bash)");
            cfg->help_form = HELP_COMPLETION;
            i++;
        } else if (strcmp(argv[i], "exit-codes") == 0 || strcmp(argv[i], "triggers") == 0)
            cfg->help_table = argv[i];
        else if (c >= 0)
            cfg->help_for = (enum command)c;
        else
            return errbuf_fail(err, err_len, "help: unknown command or form '%s'", argv[i]);
    }
    if (cfg->help_table && cfg->help_form != HELP_MARKDOWN)
        return errbuf_fail(err, err_len, "help %s: only as a table (help --markdown %s)",
                           cfg->help_table, cfg->help_table);
    if (cfg->help_form == HELP_MARKDOWN && cfg->help_for == CMD_HELP && !cfg->help_table)
        return errbuf_fail(err, err_len,
                           "help --markdown: name a command (e.g. help --markdown run)");
    return 0;
}

int options_parse(int argc, char **argv, const char *env_database_url, struct config *cfg,
                  char *err, size_t err_len)
{
    set_defaults(cfg);
    char commands[128];
    command_list(commands, sizeof commands, ~0u);
    if (argc < 2) return errbuf_fail(err, err_len, "missing command (%s; see --help)", commands);

    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        cfg->command = CMD_HELP;
        cfg->help_for = CMD_HELP;
        return 0;
    }
    if (strcmp(cmd, "help") == 0) return read_help(argc, argv, cfg, err, err_len);
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        cfg->command = CMD_VERSION;
        return 0;
    }
    int c = find_command(cmd);
    if (c < 0) return errbuf_fail(err, err_len, "unknown command '%s' (%s)", cmd, commands);
    cfg->command = (enum command)c;

    bool seen[OPTIONS_MAX_FLAGS] = {false};
    for (int i = 2; i < argc;) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cfg->help_for = cfg->command;
            cfg->command = CMD_HELP;
            return 0;
        }
        int used = read_argument(argc, argv, i, cfg, seen, err, err_len);
        if (used < 0) return -1;
        i += used;
    }
    if (cfg->endpoints.n == 0 && env_database_url && *env_database_url)
        cfg->endpoints.items[cfg->endpoints.n++] = env_database_url;
    return validate(cfg, seen, err, err_len);
}

bool options_open_loop(const struct config *cfg) { return cfg->rate > 0 || cfg->load.n > 0; }

const char *options_command_name(enum command c)
{
    return (int)c < options_n_commands ? options_commands[c].name : NULL;
}

bool options_takes(enum command c, const char *name)
{
    return find_flag(name, strlen(name), c) != NULL;
}

int options_outputs(const struct config *cfg, const char **paths, const char **flags, int max)
{
    int n = 0;
    for (int i = 0; i < options_n_flags && n < max; i++) {
        const struct flag *f = &options_flags[i];
        if (f->kind != FLAG_PATH || !(f->commands & (1u << cfg->command))) continue;
        paths[n] = *(const char *const *)((const char *)cfg + f->offset);
        flags[n++] = f->name;
    }
    return n;
}

const char *options_endpoint(const struct config *cfg, int i)
{
    return i < cfg->endpoints.n ? cfg->endpoints.items[i] : NULL;
}

int options_n_endpoints(const struct config *cfg)
{
    return cfg->endpoints.n > 0 ? cfg->endpoints.n : 1;
}

const struct flag *options_flag_recording(const char *key, const struct flag_record **rec)
{
    for (int i = 0; i < options_n_flags; i++)
        for (size_t r = 0; r < sizeof options_flags[i].record / sizeof options_flags[i].record[0];
             r++)
            if (options_flags[i].record[r].key &&
                strcmp(options_flags[i].record[r].key, key) == 0) {
                if (rec) *rec = &options_flags[i].record[r];
                return &options_flags[i];
            }
    return NULL;
}

const char *options_flag_help(const struct flag *f)
{
    return f->help_text ? f->help_text() : f->help;
}

/* Usage text, generated into a buffer per command. */
struct text {
    char *p;
    size_t left;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->p, t->left, fmt, ap);
    va_end(ap);
    size_t used = n < 0 ? 0 : (size_t)n < t->left ? (size_t)n : t->left - 1;
    t->p += used;
    t->left -= used;
}

/* "  --name ARG   first help line (default X)", then the help's further lines;
 * a choice's first line is its names. */
#define HELP_COLUMN 23
#define HELP_WIDTH 68

static void put_flag_help(struct text *t, const struct flag *f)
{
    char head[64];
    snprintf(head, sizeof head, "--%s%s%s", f->name, f->arg ? " " : "", f->arg ? f->arg : "");
    put(t, "  %-*s  ", HELP_COLUMN - 2, head);
    const char *line = options_flag_help(f);
    if (f->kind == FLAG_CHOICE) {
        int width = 0;
        for (int i = 0; f->names[i]; i++) {
            int len = (int)strlen(f->names[i]) + (i ? 3 : 0);
            if (width + len > HELP_WIDTH) {
                put(t, " |\n  %*s", HELP_COLUMN, "");
                width = len = (int)strlen(f->names[i]);
            } else if (i) {
                put(t, " | ");
            }
            put(t, "%s", f->names[i]);
            width += len;
        }
        if (f->def) put(t, " (default %s)", f->def);
        put(t, "\n");
    }
    for (bool first = f->kind != FLAG_CHOICE; line; first = false) {
        const char *nl = strchr(line, '\n');
        int len = nl ? (int)(nl - line) : (int)strlen(line);
        if (!first) put(t, "  %*s", HELP_COLUMN, "");
        put(t, "%.*s", len, line);
        if (first && f->def) put(t, " (default %s)", f->def);
        put(t, "\n");
        line = nl ? nl + 1 : NULL;
    }
}

/* "  0 ok   1 an invariant is violated   2 ...", filled to EXIT_CODES_WIDTH;
 * a parenthesis is not broken. */
#define EXIT_CODES_WIDTH 77

static void put_exit_codes(struct text *t)
{
    int column = 0;
    for (int code = 0; code < EXIT_CODE_COUNT; code++) {
        char entry[160];
        snprintf(entry, sizeof entry, "%d %s", code, exit_code_meanings[code]);
        for (const char *word = entry; *word;) {
            const char *close = *word == '(' ? strchr(word, ')') : NULL;
            int len = close ? (int)(close - word + 1) : (int)strcspn(word, " ");
            const char *gap = column == 0 ? "  " : word == entry ? "   " : " ";
            if (column > 0 && column + (int)strlen(gap) + len > EXIT_CODES_WIDTH) {
                put(t, "\n");
                column = 0;
                gap = "  ";
            }
            put(t, "%s%.*s", gap, len, word);
            column += (int)strlen(gap) + len;
            word += len + (word[len] == ' ');
        }
    }
    put(t, "\n");
}

const char *options_connection_note(void)
{
    static char note[1024];
    unsigned db_commands = 0;
    for (int c = 0; c < options_n_commands; c++)
        if (options_takes((enum command)c, "db")) db_commands |= 1u << c;
    char with_db[128];
    command_list(with_db, sizeof with_db, db_commands);
    snprintf(note, sizeof note,
             "connection (%s): --db DSN (libpq keyword string or postgresql:// URI);\n"
             "  else $DATABASE_URL; else libpq's PG* variables and defaults. Passwords are never "
             "printed.\n"
             "  run takes --db several times: worker i uses endpoint i mod E; the first\n"
             "  endpoint also serves init, check, and the run's preflight, barrier, auditor\n"
             "  and final check.\n",
             with_db);
    return note;
}

static void put_main_usage(struct text *t)
{
    put(t, "usage: txstorm COMMAND [flags]\n\n%s\n\ncommands:\n", options_about);
    for (int c = 0; c < options_n_commands; c++)
        if (options_commands[c].name)
            put(t, "  %-7s %s\n", options_commands[c].name, options_commands[c].summary);
    put(t, "\n%s\nexit codes:\n", options_connection_note());
    put_exit_codes(t);
    put(t, "\n`txstorm COMMAND --help` lists a command's flags.\n");
}

static void put_command_usage(struct text *t, enum command c)
{
    const struct command_def *cmd = &options_commands[c];
    put(t, "usage: txstorm %s%s%s [flags]\n", cmd->name, cmd->args ? " " : "",
        cmd->args ? cmd->args : "");
    const char *group = NULL;
    for (int i = 0; i < options_n_flags; i++) {
        const struct flag *f = &options_flags[i];
        if (!(f->commands & (1u << c))) continue;
        if (f->group && (group == NULL || strcmp(group, f->group) != 0))
            put(t, "\n%s:\n", f->group);
        group = f->group;
        put_flag_help(t, f);
    }
    put(t, "\n%s", cmd->about);
}

const char *options_usage(enum command c)
{
    static char buf[32768]; /* run's help is about 10 KB */
    struct text t = {buf, sizeof buf};
    if ((int)c < options_n_commands && options_commands[c].name)
        put_command_usage(&t, c);
    else
        put_main_usage(&t);
    return buf;
}
