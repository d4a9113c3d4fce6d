/* txstorm: provoke, measure and explain transaction contention. */
#include "txstorm/checker.h"
#include "txstorm/clock.h"
#include "txstorm/compare.h"
#include "txstorm/conn_slots.h"
#include "txstorm/db.h"
#include "txstorm/db_bank.h"
#include "txstorm/db_transfer.h"
#include "txstorm/exitcode.h"
#include "txstorm/hgrm.h"
#include "txstorm/json_id.h"
#include "txstorm/junit.h"
#include "txstorm/metrics_server.h"
#include "txstorm/options.h"
#include "txstorm/outfile.h"
#include "txstorm/path_label.h"
#include "txstorm/plot_render.h"
#include "txstorm/report.h"
#include "txstorm/run.h"
#include "txstorm/series_json.h"
#include "txstorm/spec_risk.h"
#include "txstorm/sysmem.h"
#include "txstorm/text.h"
#include "txstorm/txn.h"
#include "txstorm/verify.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TXSTORM_VERSION
#define TXSTORM_VERSION "0.1.0"
#endif

static int die_db(const struct db_error *err)
{
    text_printf(stderr, "txstorm: %s\n", err->message);
    return EXIT_DATABASE;
}

/* How long a command's connection may take to find the writable server. */
#define PREFER_WRITABLE_TIMEOUT_S 5

/* The first endpoint: the one every command's own connection uses. */
static struct db *connect_or_die(const struct config *cfg, int *rc)
{
    struct db_error err;
    struct db *db = db_connect(options_endpoint(cfg, 0), &err);
    if (db == NULL && options_n_endpoints(cfg) > 1)
        db_error_name_endpoint(&err, options_endpoint(cfg, 0), 0, options_n_endpoints(cfg));
    if (db == NULL) *rc = die_db(&err);
    /* Each command writes, or reads the truth the primary holds: a host list
     * that reaches a standby first is followed to the writable server. */
    if (db) db_prefer_writable(db, PREFER_WRITABLE_TIMEOUT_S);
    return db;
}

static uint64_t fresh_seed(void)
{
    uint64_t seed = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f == NULL || fread(&seed, sizeof seed, 1, f) != 1) seed = (uint64_t)clock_wall_us();
    if (f) fclose(f);
    return seed & INT64_MAX; /* so --seed can take it back */
}

static int cmd_init(const struct config *cfg)
{
    int rc = EXIT_OK;
    struct db *db = connect_or_die(cfg, &rc);
    if (db == NULL) return rc;
    struct db_error err;
    /* Not while a run uses the bank: it would go on writing into the new one. */
    enum db_status st = cfg->drop ? db_bank_claim(db, &err) : DB_OK;
    if (st == DB_OK) st = db_bank_create(db, cfg->accounts, cfg->balance, (int64_t)fresh_seed(),
                                         cfg->drop, &err);
    switch (st) {
    case DB_OK:
        text_printf(stdout, "bank created: %lld accounts of %lld, total %lld\n",
                    (long long)cfg->accounts, (long long)cfg->balance,
                    (long long)(cfg->accounts * cfg->balance));
        break;
    case DB_EXISTS:
        text_printf(stderr, "txstorm: %s\n", err.message);
        rc = EXIT_USAGE;
        break;
    default:
        rc = die_db(&err);
    }
    db_close(db);
    return rc;
}

/* Loads every --result; refuses one that cannot be read, or a process's
 * record given twice (its acknowledged transfers would count twice). */
static int load_saved_ledgers(const struct config *cfg, struct ledger_record *saved, int *loaded)
{
    char err[512];
    for (*loaded = 0; *loaded < cfg->n_inputs; (*loaded)++) {
        struct ledger_record *r = &saved[*loaded];
        if (report_load_ledger(cfg->inputs[*loaded], r, err, sizeof err) != 0) {
            text_printf(stderr, "txstorm: %s\n", err);
            return EXIT_USAGE;
        }
        for (int j = 0; j < *loaded; j++) {
            if (saved[j].run_id == r->run_id && saved[j].ledger.instance == r->ledger.instance) {
                text_printf(stderr,
                            "txstorm: --result %s and %s hold the same record (run %lld, instance "
                            "%d); give each process's result once\n",
                            cfg->inputs[j], cfg->inputs[*loaded], (long long)r->run_id,
                            r->ledger.instance);
                (*loaded)++;
                return EXIT_USAGE;
            }
        }
    }
    return EXIT_OK;
}

static int outputs_writable(const struct config *cfg);
static int write_junit(const struct config *cfg, const struct check_result *check,
                       const struct assert_figures *figures, int64_t start_unix_us, double time_s);

static int cmd_check(const struct config *cfg)
{
    if (outputs_writable(cfg) != 0) return EXIT_USAGE;
    int64_t started_unix_us = clock_wall_us();
    struct ledger_record *saved = calloc((size_t)cfg->n_inputs + 1, sizeof *saved);
    if (saved == NULL) {
        text_printf(stderr, "txstorm: out of memory for %d results\n", cfg->n_inputs);
        return EXIT_MEMORY;
    }
    int loaded, rc = load_saved_ledgers(cfg, saved, &loaded);
    struct db *db = rc == EXIT_OK ? connect_or_die(cfg, &rc) : NULL;
    struct check_result check = {0};
    struct db_error err;
    struct bank_meta meta;
    if (db && loaded && db_bank_meta(db, &meta, &err) != DB_OK) rc = die_db(&err);
    /* A result from another bank (or this one before init --drop) has no
     * transfers here: that is not a loss. */
    for (int i = 0; db && rc == EXIT_OK && i < loaded; i++) {
        if (saved[i].bank_id != 0 && saved[i].bank_id != meta.bank_id) {
            text_printf(stderr,
                        "txstorm: --result %s ran against another bank (bank %lld; this one is "
                        "%lld, created since or elsewhere): its transfers cannot be checked here\n",
                        cfg->inputs[i], (long long)saved[i].bank_id, (long long)meta.bank_id);
            rc = EXIT_USAGE;
        }
    }
    if (db && rc == EXIT_OK &&
        verify_bank(db, cfg->ledger, cfg->allow_overdraft, &check, &err) != DB_OK)
        rc = die_db(&err);
    /* Each saved result brings the record of one process of a run. */
    for (int i = 0; db && i < loaded && rc == EXIT_OK; i++)
        if (verify_ledger(db, &saved[i].ledger, saved[i].run_id, &check, &err) != DB_OK)
            rc = die_db(&err);
    if (db && rc == EXIT_OK) {
        report_print_check(stdout, &check, cfg->json_path, "check");
        outfile_flush_stdout(NULL, 0);
        rc = check.ok ? EXIT_OK : EXIT_VIOLATION;
        char werr[OUTFILE_ERR_MAX];
        const struct check_document doc = {.check = &check,
                                           .server_version = db_server_version(db),
                                           .checked_at_unix_ms = started_unix_us / 1000,
                                           .results = cfg->inputs,
                                           .n_results = loaded};
        if (cfg->json_path &&
            report_write_file(cfg->json_path, report_check_write_json_to, &doc, werr, sizeof werr)) {
            text_printf(stderr, "txstorm: %s\n", werr);
            rc = EXIT_USAGE;
        }
        if (cfg->junit_path && write_junit(cfg, &check, NULL, started_unix_us, 0) != 0 &&
            rc == EXIT_OK)
            rc = EXIT_USAGE;
    }
    db_close(db);
    checker_free(&check);
    for (int i = 0; i < loaded; i++)
        ledger_free(&saved[i].ledger);
    free(saved);
    return rc;
}

static int cmd_demo(const struct config *cfg)
{
    int rc = EXIT_OK;
    struct db *db = connect_or_die(cfg, &rc);
    if (db == NULL) return rc;
    struct db_error err = {0};
    int64_t before[2], after[2];
    if (db_demo_reset(db, &err) != DB_OK || db_demo_balances(db, before, &err) != DB_OK ||
        db_transfer_prepare(db, BANK_DEMO, &cfg->spec, NULL, &err) != DB_OK) {
        db_close(db);
        return die_db(&err);
    }
    text_printf(stdout,
                "Balances at start (table txstorm_demo_accounts):\n  account 1: %lld\n  account 2: "
                "%lld\n",
                (long long)before[0], (long long)before[1]);

    struct transfer t = {.from = 1, .to = 2, .amount = 100};
    struct txn_policy policy = {.protocol = PROTOCOL_RESTART,
                                .retry_on = cfg->retry_on,
                                .max_retries = cfg->max_retries,
                                .backoff = cfg->backoff};
    struct rng jitter;
    rng_seed(&jitter, (uint64_t)clock_wall_us(), 0);
    struct txn_outcome o;
    txn_execute(db, &t, &policy, &jitter, &o, &err);
    db_transfer_finish(db);
    if (o.end == TXN_COMMITTED)
        text_printf(
            stdout,
            "Transfer of 100 from account 1 to account 2: committed after %lld retries in %.2f "
            "ms\n",
            (long long)o.retries, (double)o.latency_us / 1000.0);
    else
        text_printf(stdout, "Transfer of 100 from account 1 to account 2: %s (%s)\n",
                    o.end == TXN_INSUFFICIENT ? "insufficient funds" : "not committed",
                    err.message);

    if (db_demo_balances(db, after, &err) != DB_OK)
        rc = die_db(&err);
    else
        text_printf(stdout, "Balances after:\n  account 1: %lld\n  account 2: %lld\n",
                    (long long)after[0], (long long)after[1]);
    db_close(db);
    if (rc == EXIT_OK && o.end != TXN_COMMITTED && o.end != TXN_INSUFFICIENT) rc = EXIT_DATABASE;
    return rc;
}

/* Fails early, before a long run, when an output could not be written or
 * would destroy something: a directory, the same file twice, an input. The
 * outputs are the command's file flags (options_outputs). */
static int outputs_writable(const struct config *cfg)
{
    const char *paths[OPTIONS_MAX_FLAGS], *flags[OPTIONS_MAX_FLAGS];
    int n = options_outputs(cfg, paths, flags, OPTIONS_MAX_FLAGS);
    char err[512];
    for (int i = 0; i < n; i++) {
        if (paths[i] && outfile_check(paths[i], err, sizeof err) != 0) {
            text_printf(stderr, "txstorm: --%s: %s\n", flags[i], err);
            return -1;
        }
    }
    if (outfile_distinct(paths, flags, n, cfg->inputs, cfg->n_inputs, err, sizeof err) != 0) {
        text_printf(stderr, "txstorm: %s\n", err);
        return -1;
    }
    return 0;
}

static int write_hgrm_to(FILE *out, const void *summary)
{
    const struct run_summary *s = summary;
    return hgrm_write(out, s->total.hist[HIST_LATENCY], 1000.0);
}

/* --junit: the check's invariants (check NULL: it did not run) and the
 * assertions as test cases. 0, or -1 with one line on stderr. */
static int write_junit(const struct config *cfg, const struct check_result *check,
                       const struct assert_figures *figures, int64_t start_unix_us, double time_s)
{
    struct junit_report *j = malloc(sizeof *j);
    char err[OUTFILE_ERR_MAX], suite[64];
    if (j == NULL) {
        text_printf(stderr, "txstorm: --junit: out of memory\n");
        return -1;
    }
    /* The suite is named after the command: "txstorm run". */
    snprintf(suite, sizeof suite, "txstorm %s", options_command_name(cfg->command));
    junit_init(j, suite, start_unix_us, time_s);
    junit_add_check(j, check);
    if (figures) junit_add_assertions(j, cfg->asserts, cfg->n_asserts, figures);
    int rc = outfile_write(cfg->junit_path, junit_write_to, j, err, sizeof err);
    if (rc != 0) text_printf(stderr, "txstorm: %s\n", err);
    free(j);
    return rc;
}

/* The outputs every result shares: text on stdout, then the files asked for,
 * then the assertions. Returns the exit code the outputs call for. */
static int present(const struct config *cfg, const struct run_summary *s)
{
    report_print_text(stdout, s);
    struct assert_figures figures;
    report_figures(s, &figures);
    bool asserts_hold = report_print_assertions(stdout, cfg->asserts, cfg->n_asserts, &figures);
    /* Before the files: one may be /dev/stdout. A failure is told at the end. */
    outfile_flush_stdout(NULL, 0);

    int rc = EXIT_OK;
    char err[OUTFILE_ERR_MAX];
    const struct hist *latency = s->total.hist[HIST_LATENCY];
    struct series_hlog hlog = {&s->series, s->origin_wall_us, latency ? latency->sig_figs : 0};
    const struct {
        const char *path;
        int (*write)(FILE *, const void *);
        const void *arg;
    } files[] = {
        {cfg->json_path, report_write_json_to, s},
        {cfg->csv_path, series_write_csv, &s->series},
        {cfg->hgrm_path, write_hgrm_to, s},
        {cfg->hlog_path, series_write_hlog, &hlog},
    };
    /* One that fails stops none of the others: each is a result to keep. */
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        if (files[i].path &&
            report_write_file(files[i].path, files[i].write, files[i].arg, err, sizeof err) != 0) {
            text_printf(stderr, "txstorm: %s\n", err);
            rc = EXIT_USAGE;
        }
    }
    /* write_junit says itself what went wrong. */
    if (cfg->junit_path && write_junit(cfg, s->check_done ? &s->check : NULL, &figures,
                                       s->start_wall_us, (double)s->elapsed_us / 1e6) != 0)
        rc = EXIT_USAGE;
    if (s->check_done && !s->check.ok) return EXIT_VIOLATION;
    if (rc != EXIT_OK) return rc;
    return asserts_hold ? EXIT_OK : EXIT_ASSERT;
}

/* Several processes, one run: they start together once all have connected. */
struct barrier_arg {
    struct db *db;
    const struct config *cfg;
};

static int pass_barrier(void *arg, struct db_error *err)
{
    const struct barrier_arg *b = arg;
    const struct config *cfg = b->cfg;
    return db_barrier_wait(b->db, (int64_t)cfg->seed, cfg->instance, cfg->instances,
                           cfg->barrier_timeout_us, run_signal_pause, NULL, err) == DB_OK
               ? 0
               : -1;
}

/* The end-of-run check reads the writable server. The control connection sat
 * idle through the run and may have been lost with its server (a failover
 * under the run); it is then reopened, to the writable server, for as long as
 * a worker would try (--reconnect-timeout): right after a failover a proxy may
 * still route to the old primary for a moment. A check cut short by another
 * loss starts again, CHECK_TRIES times at most. */
#define CHECK_TRIES 3
#define CHECK_RECONNECT_PAUSE_US 200000
#define CHECK_CONNECT_TIMEOUT_S 5

static bool reopen(struct db *db, int64_t deadline_us, struct db_error *err)
{
    for (bool told = false;; told = true) {
        if (db_reconnect(db, CHECK_CONNECT_TIMEOUT_S, err) == DB_OK) return true;
        int64_t now = clock_now_us();
        if (now + CHECK_RECONNECT_PAUSE_US >= deadline_us) return false;
        if (!told)
            text_printf(
                stderr,
                "txstorm: the check lost its connection; reconnecting for up to %.0f s (%s)\n",
                (double)(deadline_us - now) / 1e6, err->message);
        clock_sleep_us(CHECK_RECONNECT_PAUSE_US); /* pacing the next try, not a wait for it */
    }
}

static bool verify_run(struct db *db, const struct config *cfg, const struct ledger *ledger,
                       int64_t run_id, struct check_result *check, struct db_error *err)
{
    int64_t deadline_us = clock_now_us() + cfg->reconnect_timeout_us;
    for (int attempt = 0; attempt < CHECK_TRIES; attempt++) {
        checker_free(check); /* an attempt cut short may have named some */
        memset(check, 0, sizeof *check);
        if (verify_bank(db, cfg->ledger, cfg->allow_overdraft, check, err) == DB_OK &&
            (!cfg->ledger || verify_ledger(db, ledger, run_id, check, err) == DB_OK))
            return true;
        bool lost = err->cls == ERR_CONNECTION || err->cls == ERR_AMBIGUOUS || !db_ok(db);
        if (!lost || attempt == CHECK_TRIES - 1 || !reopen(db, deadline_us, err)) return false;
    }
    return false;
}

/* What a run is set up with, read from the bank before it starts. */
struct run_plan {
    struct bank_meta meta;
    struct workload_config workload;
    uint64_t seed;
    int64_t run_id;
};

/* The bank must be there and fit the flags; then the run is registered (for
 * its ledger). EXIT_OK, or the exit code of the failure, told on stderr. */
static int plan_run(struct db *db, const struct config *cfg, struct run_plan *plan)
{
    struct db_error err = {0};
    /* Held first: an init --drop between the two would change the bank read. */
    if (db_bank_hold(db, &err) != DB_OK || db_bank_meta(db, &plan->meta, &err) != DB_OK)
        return die_db(&err);
    /* Before anything is written: a second bank would take half the transfers
     * out of the check's sight. */
    enum db_status st = verify_endpoints_bank(cfg->endpoints.items, cfg->endpoints.n,
                                              plan->meta.bank_id, PREFER_WRITABLE_TIMEOUT_S, &err);
    if (st == DB_EXISTS) {
        fprintf(stderr, "txstorm: %s\n", err.message);
        return EXIT_USAGE;
    }
    if (st != DB_OK) return die_db(&err);
    plan->workload = (struct workload_config){.accounts = plan->meta.accounts,
                                              .skew = cfg->skew,
                                              .amount_mode = cfg->amount_mode,
                                              .amount_lo = cfg->amount_lo,
                                              .amount_hi = cfg->amount_hi,
                                              .amount_fraction = cfg->amount_fraction};
    char werr[OPTIONS_ERR_MAX];
    if (workload_init(&plan->workload, werr, sizeof werr) != 0) {
        text_printf(stderr, "txstorm: %s\n", werr);
        return EXIT_USAGE;
    }
    plan->seed = cfg->seed_given ? cfg->seed : fresh_seed();

    /* A run bigger than the server allows would fail half-connected: say so
     * first (for the first endpoint's server: its workers, this connection
     * and the auditor's). */
    struct conn_limits limits;
    int on_first = endpoint_workers(0, cfg->workers, options_n_endpoints(cfg));
    int needed = on_first + 1 + (cfg->audit_us > 0) + (cfg->triggers.n > 0);
    /* This connection is already counted in use. */
    if (db_connection_limits(db, &limits, &err) == DB_OK && needed - 1 > conn_slots_free(&limits)) {
        char why[256];
        conn_slots_short(&limits, needed - 1, why, sizeof why);
        text_printf(stderr,
                    "txstorm: --workers %d needs %d connections, the server has %lld free "
                    "(max_connections %lld): %s\n",
                    on_first, needed, (long long)conn_slots_free(&limits) + 1,
                    (long long)limits.max_connections, why);
        return EXIT_USAGE;
    }
    if (db_bank_begin_run(db, cfg->ledger, &plan->run_id, &err) != DB_OK) return die_db(&err);
    return EXIT_OK;
}

/* The bank is checked in one snapshot, then everything is reported.
 * Returns the exit code the run calls for. */
static int check_and_report(struct db *db, const struct config *cfg, const struct run_plan *plan,
                            struct run_results *res)
{
    struct run_summary *s = &res->summary;
    struct text_list redacted = {.n = s->n_endpoints};
    for (int i = 0; i < s->n_endpoints; i++)
        redacted.items[i] = s->endpoints[i].dsn ? s->endpoints[i].dsn : "?";
    s->config = report_config_json(cfg, &redacted, plan->seed, plan->meta.accounts, res->threads);
    s->server_version = db_server_version(db);
    s->tool_version = TXSTORM_VERSION;
    struct db_error err = {0};
    s->check_done = verify_run(db, cfg, &res->ledger, plan->run_id, &s->check, &err);
    if (!s->check_done) text_printf(stderr, "txstorm: check failed to run: %s\n", err.message);
    if (cfg->audit_us) checker_add_audit(&s->check, &res->audit);
    json_object_set_new(s->config, "bank_id", json_id(plan->meta.bank_id));
    if (cfg->ledger) {
        s->ledger = (struct ledger_record){.present = true,
                                           .run_id = plan->run_id,
                                           .bank_id = plan->meta.bank_id,
                                           .ledger = res->ledger};
        res->ledger = (struct ledger){0};
    }
    if (cfg->instances > 1) db_barrier_leave(db, (int64_t)cfg->seed, cfg->instance);
    s->json_path = cfg->json_path;
    int rc = present(cfg, s);
    if (rc == EXIT_OK && (!s->check_done || s->workers_lost)) rc = EXIT_DATABASE;
    /* The database refused the work itself (a privilege, a trigger): nothing
     * to measure, whatever the gates say. */
    const struct errlog_entry *top = errlog_top(&s->total.errors);
    if (s->total.committed == 0 && top && rc != EXIT_VIOLATION) {
        text_printf(stderr,
                    "txstorm: no transfer committed; %lld failed with errors, most with %s: %s\n",
                    (long long)errlog_total(&s->total.errors),
                    top->sqlstate[0] ? top->sqlstate : "no SQLSTATE", top->message);
        rc = EXIT_DATABASE;
    }
    return rc;
}

/* Refuses up front a run whose histograms would not fit in the memory left. */
static int memory_fits(const struct config *cfg)
{
    size_t need = run_memory_bytes(cfg);
    uint64_t room = sysmem_headroom_bytes();
    if (room == 0 || need <= room) return 0;
    text_printf(stderr,
                "txstorm: --sig-figs %d needs %.0f MB of histograms (%d sets of %.1f MB: one per "
                "event loop, the run's total and its interval), %.0f MB are free; lower --sig-figs "
                "or --threads\n",
                cfg->sig_figs, (double)need / 1e6, run_loops(cfg) + 2,
                (double)(stats_bytes(cfg->sig_figs) +
                         (size_t)options_n_endpoints(cfg) * endpoint_bytes(cfg->sig_figs)) /
                    1e6,
                (double)room / 1e6);
    return -1;
}

static int run_and_check(const struct config *cfg, struct metrics_server *metrics)
{
    int rc = EXIT_OK;
    struct db *db = connect_or_die(cfg, &rc);
    if (db == NULL) return rc;

    /* 1. The bank is read and the run registered. */
    struct run_plan plan;
    rc = plan_run(db, cfg, &plan);
    if (rc != EXIT_OK) {
        db_close(db);
        return rc;
    }

    /* 2. The workers connect, then start together. */
    run_block_signals();
    struct db_error err = {0};
    struct barrier_arg barrier = {.db = db, .cfg = cfg};
    struct run *run = run_start(cfg, &plan.workload, plan.seed, plan.run_id,
                                cfg->instances > 1 ? pass_barrier : NULL, &barrier, &err);
    if (run == NULL) {
        run_unblock_signals();
        db_close(db);
        if (strcmp(err.sqlstate, RUN_OUT_OF_MEMORY) != 0) return die_db(&err);
        text_printf(stderr, "txstorm: %s\n", err.message);
        return EXIT_MEMORY;
    }

    /* 3. They contend until the duration, the quota or a signal ends the run;
     *    each interval is collected and shown (and published) as it closes. */
    if (metrics) run_serve_metrics(run, metrics);
    run_wait(run, stderr);
    struct run_results res;
    run_results(run, &res);
    run_free(run);
    if (res.summary.workers_lost)
        text_printf(stderr, "txstorm: %d workers stopped early; first: %s\n",
                    res.summary.workers_lost, res.first_lost.message);

    /* 4. The bank is checked, then everything is reported. */
    rc = check_and_report(db, cfg, &plan, &res);
    run_release_signals();
    run_results_free(&res);
    db_close(db);
    return rc;
}

/* With --metrics-addr, the metrics are served from before the workers
 * connect until the process is about to exit. */
static int cmd_run(const struct config *cfg)
{
    if (outputs_writable(cfg) != 0) return EXIT_USAGE;
    /* Said before the run, so that its failed check comes as no surprise. */
    char warning[512];
    if (spec_risk_warning(&cfg->spec, cfg->allow_overdraft, warning, sizeof warning))
        text_printf(stderr, "txstorm: %s\n", warning);
    if (memory_fits(cfg) != 0) return EXIT_MEMORY;
    struct metrics_server *metrics = NULL;
    char err[512];
    if (cfg->metrics_addr) {
        metrics = metrics_server_start(cfg->metrics_addr, err, sizeof err);
        if (metrics == NULL) {
            text_printf(stderr, "txstorm: %s\n", err);
            return EXIT_USAGE;
        }
        /* Port 0: the system picked one, which only this line tells. */
        char url[METRICS_HOST_MAX + 32];
        if (metrics_server_url(metrics, url, sizeof url))
            text_printf(stderr, "txstorm: serving %s\n", url);
    }
    int rc = run_and_check(cfg, metrics);
    metrics_server_stop(metrics);
    return rc;
}

static int cmd_report(const struct config *cfg)
{
    if (outputs_writable(cfg) != 0) return EXIT_USAGE;
    struct run_summary s;
    char err[512];
    if (report_load_checked(cfg->inputs[0], &s, err, sizeof err) != 0) {
        text_printf(stderr, "txstorm: %s\n", err);
        return EXIT_USAGE;
    }
    int rc = present(cfg, &s);
    report_summary_free(&s);
    return rc;
}

/* Reads the results named on the command line, in order, until one is
 * refused (err says why). Returns how many were read: those to free. */
static int load_results(const struct config *cfg, struct run_summary *out, char *err,
                        size_t err_len)
{
    int n = 0;
    while (n < cfg->n_inputs && report_load_checked(cfg->inputs[n], &out[n], err, err_len) == 0)
        n++;
    return n;
}

static int cmd_merge(const struct config *cfg)
{
    if (outputs_writable(cfg) != 0) return EXIT_USAGE;
    struct run_summary *parts = calloc((size_t)cfg->n_inputs, sizeof *parts), merged;
    struct run_summary **ptrs = calloc((size_t)cfg->n_inputs, sizeof *ptrs);
    char err[512];
    int loaded = 0, rc;
    if (parts == NULL || ptrs == NULL) {
        snprintf(err, sizeof err, "merge: out of memory for %d results", cfg->n_inputs);
        rc = EXIT_MEMORY;
        goto refused;
    }
    rc = EXIT_USAGE;
    loaded = load_results(cfg, parts, err, sizeof err);
    if (loaded < cfg->n_inputs) goto refused;
    for (int i = 0; i < loaded; i++)
        ptrs[i] = &parts[i];
    if (report_merge(ptrs, loaded, &merged, err, sizeof err) != 0) goto refused;
    merged.json_path = cfg->json_path;
    /* present() says itself what went wrong with an output. */
    rc = present(cfg, &merged);
    report_summary_free(&merged);
    goto done;
refused:
    text_printf(stderr, "txstorm: %s\n", err);
done:
    for (int i = 0; i < loaded; i++)
        report_summary_free(&parts[i]);
    free(parts);
    free(ptrs);
    return rc;
}

static int cmd_compare(const struct config *cfg)
{
    char err[512];
    if (compare_files(cfg->inputs, cfg->n_inputs, cfg->max_failed_pct, cfg->compare_format,
                      stdout, err, sizeof err) != 0) {
        text_printf(stderr, "txstorm: %s\n", err);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int cmd_plot(const struct config *cfg)
{
    char err[OUTFILE_ERR_MAX];
    if (cfg->html_path == NULL) {
        text_printf(stderr, "txstorm: plot: --html FILE is required\n");
        return EXIT_USAGE;
    }
    if (outputs_writable(cfg) != 0) return EXIT_USAGE;
    struct run_summary *loaded = calloc((size_t)cfg->n_inputs, sizeof *loaded);
    struct plot_result *results = calloc((size_t)cfg->n_inputs, sizeof *results);
    char **labels = calloc((size_t)cfg->n_inputs, sizeof *labels);
    int n = 0, rc = EXIT_USAGE;
    if (loaded == NULL || results == NULL || labels == NULL) {
        snprintf(err, sizeof err, "plot: out of memory for %d results", cfg->n_inputs);
        rc = EXIT_MEMORY;
        goto done;
    }
    /* Each result under a name of its own: its --label, else its file's (with as much of
     * its path as tells it from the others'). */
    if (path_labels(cfg->inputs, cfg->labels, cfg->n_inputs, labels, err, sizeof err) != 0)
        goto done;
    n = load_results(cfg, loaded, err, sizeof err);
    if (n < cfg->n_inputs) goto done;
    for (int i = 0; i < n; i++)
        results[i] = (struct plot_result){.label = labels[i], .s = &loaded[i]};
    switch (plot_render_html(cfg->html_path, results, n, err, sizeof err)) {
    case PLOT_OK:
        rc = EXIT_OK;
        break;
    case PLOT_NO_GNUPLOT:
    case PLOT_FAILED:
    case PLOT_INTERRUPTED:
        rc = EXIT_PLOTTER;
        break;
    case PLOT_OUTPUT:
        rc = EXIT_USAGE;
        break;
    }
done:
    if (rc != EXIT_OK) text_printf(stderr, "txstorm: %s\n", err);
    for (int i = 0; i < n; i++)
        report_summary_free(&loaded[i]);
    for (int i = 0; labels && i < cfg->n_inputs; i++)
        free(labels[i]);
    free(labels);
    free(loaded);
    free(results);
    return rc;
}

static int cmd_help(const struct config *cfg)
{
    if (cfg->help_table && strcmp(cfg->help_table, "exit-codes") == 0)
        options_markdown_exit_codes(stdout);
    else if (cfg->help_table)
        options_markdown_triggers(stdout);
    else if (cfg->help_form == HELP_MARKDOWN)
        options_markdown(stdout, cfg->help_for);
    else if (cfg->help_form == HELP_MAN)
        options_man(stdout);
    else if (cfg->help_form == HELP_COMPLETION)
        options_completion_bash(stdout);
    else
        fputs(options_usage(cfg->help_for), stdout);
    return EXIT_OK;
}

static int cmd_version(const struct config *cfg)
{
    (void)cfg;
    text_printf(stdout, "txstorm %s\n", TXSTORM_VERSION);
    return EXIT_OK;
}

/* What each command does. Its name, usage and flags are its rows in
 * options_table.c; whether it uses a database is whether it takes --db. */
static int (*const commands[CMD_COUNT])(const struct config *) = {
    [CMD_HELP] = cmd_help,     [CMD_VERSION] = cmd_version, [CMD_INIT] = cmd_init,
    [CMD_RUN] = cmd_run,       [CMD_CHECK] = cmd_check,     [CMD_DEMO] = cmd_demo,
    [CMD_REPORT] = cmd_report, [CMD_MERGE] = cmd_merge,     [CMD_COMPARE] = cmd_compare,
    [CMD_PLOT] = cmd_plot,
};

int main(int argc, char **argv)
{
    struct config cfg;
    char err[OPTIONS_ERR_MAX];
    if (options_parse(argc, argv, getenv("DATABASE_URL"), &cfg, err, sizeof err) != 0) {
        text_printf(stderr, "txstorm: %s\n", err);
        return EXIT_USAGE;
    }
    /* A connection string libpq cannot read, or would read so that an error
     * could quote its password, is bad input: refused before connecting. */
    bool uses_db = options_takes(cfg.command, "db");
    struct dsn_view dsn;
    for (int i = 0; uses_db && i < options_n_endpoints(&cfg); i++) {
        if (db_dsn_inspect(options_endpoint(&cfg, i), &dsn, err, sizeof err) != 0) {
            if (options_n_endpoints(&cfg) > 1)
                text_printf(stderr, "txstorm: --db (endpoint %d of %d): %s\n", i + 1,
                            options_n_endpoints(&cfg), err);
            else
                text_printf(stderr, "txstorm: --db: %s\n", err);
            return EXIT_USAGE;
        }
    }
    /* A report piped to a reader that has gone (`| tee` closed with the
     * terminal) must not end the process before the result files are written:
     * the write fails instead, and is told below. Help and version may die
     * quietly, as any filter's output does. */
    if (cfg.command != CMD_HELP && cfg.command != CMD_VERSION) signal(SIGPIPE, SIG_IGN);
    int rc = commands[cfg.command](&cfg);
    /* Output lost to a full disk or a closed pipe is an error, not a silent
     * success; an exit code already set says more. */
    if (outfile_flush_stdout(err, sizeof err) != 0) {
        fprintf(stderr, "txstorm: %s\n", err);
        if (rc == EXIT_OK) rc = EXIT_USAGE;
    }
    return rc;
}
