/* txstorm run, as a story: the bank read and the run registered, the workers
 * connected and started together, the run waited for, the bank checked, and
 * everything reported. */
#include "cmd_internal.h"
#include "txstorm/clock.h"
#include "txstorm/conn_slots.h"
#include "txstorm/db_bank.h"
#include "txstorm/exitcode.h"
#include "txstorm/json_id.h"
#include "txstorm/metrics_server.h"
#include "txstorm/run.h"
#include "txstorm/spec_risk.h"
#include "txstorm/sysmem.h"
#include "txstorm/text.h"
#include "txstorm/verify.h"

#include <stdio.h>
#include <string.h>

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
int cmd_run(const struct config *cfg)
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
