/* txstorm: provoke, measure and explain transaction contention. */
#include "txstorm/checker.h"
#include "txstorm/clock.h"
#include "txstorm/compare.h"
#include "txstorm/db.h"
#include "txstorm/exitcode.h"
#include "txstorm/hgrm.h"
#include "txstorm/options.h"
#include "txstorm/outfile.h"
#include "txstorm/report.h"
#include "txstorm/run.h"
#include "txstorm/txn.h"
#include "txstorm/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TXSTORM_VERSION
#define TXSTORM_VERSION "0.1.0"
#endif

static int die_db(const struct db_error *err)
{
    fprintf(stderr, "txstorm: %s\n", err->message);
    return EXIT_DATABASE;
}

static struct db *connect_or_die(const struct config *cfg, int *rc)
{
    struct db_error err;
    struct db *db = db_connect(cfg->dsn, &err);
    if (db == NULL) *rc = die_db(&err);
    return db;
}

static int cmd_init(const struct config *cfg)
{
    int rc = EXIT_OK;
    struct db *db = connect_or_die(cfg, &rc);
    if (db == NULL) return rc;
    struct db_error err;
    switch (db_bank_create(db, cfg->accounts, cfg->balance, cfg->drop, &err)) {
    case DB_OK:
        printf("bank created: %lld accounts of %lld, total %lld\n", (long long)cfg->accounts,
               (long long)cfg->balance, (long long)(cfg->accounts * cfg->balance));
        break;
    case DB_EXISTS:
        fprintf(stderr, "txstorm: %s\n", err.message);
        rc = EXIT_USAGE;
        break;
    default:
        rc = die_db(&err);
    }
    db_close(db);
    return rc;
}

static int cmd_check(const struct config *cfg)
{
    int rc = EXIT_OK;
    struct db *db = connect_or_die(cfg, &rc);
    if (db == NULL) return rc;
    struct check_result check;
    struct db_error err;
    if (verify_bank(db, cfg->ledger, cfg->allow_overdraft, &check, &err) != DB_OK) {
        db_close(db);
        return die_db(&err);
    }
    /* Each saved result brings the record of one process of a run. */
    for (int i = 0; i < cfg->n_inputs && rc == EXIT_OK; i++) {
        struct ledger ledger;
        int64_t run_id;
        char lerr[512];
        if (report_load_ledger(cfg->inputs[i], &ledger, &run_id, lerr, sizeof lerr) != 0) {
            fprintf(stderr, "txstorm: %s\n", lerr);
            rc = EXIT_USAGE;
        } else if (verify_ledger(db, &ledger, run_id, &check, &err) != DB_OK) {
            rc = die_db(&err);
        }
        ledger_free(&ledger);
    }
    if (rc == EXIT_OK) {
        report_print_check(stdout, &check);
        rc = check.ok ? EXIT_OK : EXIT_VIOLATION;
    }
    db_close(db);
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
        db_transfer_prepare(db, BANK_DEMO, &cfg->spec, &err) != DB_OK) {
        db_close(db);
        return die_db(&err);
    }
    printf("Balances at start (table txstorm_demo_accounts):\n  account 1: %lld\n  account 2: "
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
        printf("Transfer of 100 from account 1 to account 2: committed after %lld retries in %.2f "
               "ms\n",
               (long long)o.retries, (double)o.latency_us / 1000.0);
    else
        printf("Transfer of 100 from account 1 to account 2: %s (%s)\n",
               o.end == TXN_INSUFFICIENT ? "insufficient funds" : "not committed", err.message);

    if (db_demo_balances(db, after, &err) != DB_OK)
        rc = die_db(&err);
    else
        printf("Balances after:\n  account 1: %lld\n  account 2: %lld\n", (long long)after[0],
               (long long)after[1]);
    db_close(db);
    if (rc == EXIT_OK && o.end != TXN_COMMITTED && o.end != TXN_INSUFFICIENT) rc = EXIT_DATABASE;
    return rc;
}

/* Fails early, before a long run, when an output could not be written or
 * would destroy something: a directory, the same file twice, an input. */
static int outputs_writable(const struct config *cfg)
{
    const char *flags[] = {"json", "csv", "hgrm"};
    const char *paths[] = {cfg->json_path, cfg->csv_path, cfg->hgrm_path};
    char err[512];
    for (int i = 0; i < 3; i++) {
        if (paths[i] && outfile_check(paths[i], err, sizeof err) != 0) {
            fprintf(stderr, "txstorm: --%s: %s\n", flags[i], err);
            return -1;
        }
    }
    if (outfile_distinct(paths, flags, 3, cfg->inputs, cfg->n_inputs, err, sizeof err) != 0) {
        fprintf(stderr, "txstorm: %s\n", err);
        return -1;
    }
    return 0;
}

static uint64_t fresh_seed(void)
{
    uint64_t seed = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f == NULL || fread(&seed, sizeof seed, 1, f) != 1) seed = (uint64_t)clock_wall_us();
    if (f) fclose(f);
    return seed & INT64_MAX; /* so --seed can take it back */
}

static int write_hgrm_to(FILE *out, const void *summary)
{
    const struct run_summary *s = summary;
    return hgrm_write(out, s->total.hist[HIST_LATENCY], 1000.0);
}

/* The outputs every result shares: text on stdout, then the files asked for,
 * then the assertions. Returns the exit code the outputs call for. */
static int present(const struct config *cfg, const struct run_summary *s)
{
    report_print_text(stdout, s);
    struct assert_figures figures;
    report_figures(s, &figures);
    bool asserts_hold = report_print_assertions(stdout, cfg->asserts, cfg->n_asserts, &figures);
    fflush(stdout);

    int rc = EXIT_OK;
    char err[512];
    if (cfg->json_path &&
        report_write_file(cfg->json_path, report_write_json_to, s, err, sizeof err))
        rc = EXIT_USAGE;
    else if (cfg->csv_path && s->intervals &&
             report_write_file(cfg->csv_path, report_write_csv_to, s->intervals, err, sizeof err))
        rc = EXIT_USAGE;
    else if (cfg->hgrm_path && report_write_file(cfg->hgrm_path, write_hgrm_to, s, err, sizeof err))
        rc = EXIT_USAGE;
    if (rc != EXIT_OK) fprintf(stderr, "txstorm: %s\n", err);
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
                           cfg->barrier_timeout_us, err) == DB_OK
               ? 0
               : -1;
}

/* The end-of-run check. The control connection sat idle through the run and
 * may have been lost with the server; one reconnect is worth a try. */
static bool verify_run(struct db *db, const struct config *cfg, const struct ledger *ledger,
                       int64_t run_id, struct check_result *check, struct db_error *err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        memset(check, 0, sizeof *check);
        if (verify_bank(db, cfg->ledger, cfg->allow_overdraft, check, err) == DB_OK &&
            (!cfg->ledger || verify_ledger(db, ledger, run_id, check, err) == DB_OK))
            return true;
        bool lost = err->cls == ERR_CONNECTION || err->cls == ERR_AMBIGUOUS || !db_ok(db);
        if (!lost || attempt == 1 || db_reconnect(db, 0, err) != DB_OK) return false;
    }
    return false;
}

static int cmd_run(const struct config *cfg)
{
    if (outputs_writable(cfg) != 0) return EXIT_USAGE;

    /* 1. The bank must be there and fit the flags. */
    int rc = EXIT_OK;
    struct db *db = connect_or_die(cfg, &rc);
    if (db == NULL) return rc;
    struct db_error err = {0};
    struct bank_meta meta;
    if (db_bank_meta(db, &meta, &err) != DB_OK) {
        db_close(db);
        return die_db(&err);
    }
    struct workload_config workload = {.accounts = meta.accounts,
                                       .skew = cfg->skew,
                                       .amount_mode = cfg->amount_mode,
                                       .amount_lo = cfg->amount_lo,
                                       .amount_hi = cfg->amount_hi,
                                       .amount_fraction = cfg->amount_fraction};
    char werr[OPTIONS_ERR_MAX];
    if (workload_init(&workload, werr, sizeof werr) != 0) {
        fprintf(stderr, "txstorm: %s\n", werr);
        db_close(db);
        return EXIT_USAGE;
    }
    struct dsn_view dsn; /* main() has checked that it parses */
    char dsn_err[256];
    db_dsn_inspect(cfg->dsn, &dsn, dsn_err, sizeof dsn_err);
    uint64_t seed = cfg->seed_given ? cfg->seed : fresh_seed();

    /* A run bigger than the server allows would fail half-connected: say so first. */
    int64_t free_slots, max_connections;
    int needed = cfg->workers + 1 + (cfg->audit_us > 0);
    if (db_free_connections(db, &free_slots, &max_connections, &err) == DB_OK &&
        needed - 1 > free_slots) {
        fprintf(stderr,
                "txstorm: --workers %d needs %d connections, the server has %lld free "
                "(max_connections %lld)\n",
                cfg->workers, needed, (long long)free_slots + 1, (long long)max_connections);
        db_close(db);
        return EXIT_USAGE;
    }

    /* 2. The run is registered (for its ledger), workers connect, then start together. */
    int64_t run_id;
    if (db_bank_begin_run(db, cfg->ledger, &run_id, &err) != DB_OK) {
        db_close(db);
        return die_db(&err);
    }
    run_block_signals();
    struct run run;
    struct barrier_arg barrier = {.db = db, .cfg = cfg};
    if (run_start(&run, cfg, &workload, seed, run_id, cfg->instances > 1 ? pass_barrier : NULL,
                  &barrier, &err) != 0) {
        run_unblock_signals();
        db_close(db);
        return die_db(&err);
    }

    /* 3. They contend until the duration, the quota or a signal ends the run;
     *    each interval is collected and shown as it closes. */
    run_wait(&run, stderr);
    struct db_error worker_err = {0};
    struct run_summary summary = {
        .config = report_config_json(cfg, dsn.redacted, seed, meta.accounts, run.n_loops),
        .server_version = db_server_version(db),
        .tool_version = TXSTORM_VERSION,
        .interrupted = run.interrupted,
        .intervals = run_intervals_json(&run),
    };
    run_finish(&run, &summary.workers_lost, &worker_err);
    summary.worker_faults = run_faults_json(&run, &summary.faults);
    summary.stalls = run.stalls;
    run_unblock_signals();
    summary.total = run.total;
    run.total = (struct stats){0}; /* the summary owns it now */
    summary.elapsed_us = run.end_us > run.measure_start_us ? run.end_us - run.measure_start_us : 0;
    summary.start_wall_us = run.measure_start_wall_us;
    summary.client_cpu_us = run.cpu_end_us - run.cpu_start_us;
    summary.end_wall_us = summary.start_wall_us + summary.elapsed_us;
    if (summary.workers_lost)
        fprintf(stderr, "txstorm: %d workers stopped early; first: %s\n", summary.workers_lost,
                worker_err.message);

    /* 4. The bank is checked in one snapshot, then everything is reported. */
    summary.check_done = verify_run(db, cfg, &run.ledger, run_id, &summary.check, &err);
    if (!summary.check_done) fprintf(stderr, "txstorm: check failed to run: %s\n", err.message);
    if (cfg->audit_us) {
        checker_add_audit(&summary.check, &run.auditor.summary);
        summary.audit_latency_us = run.auditor.latency_us;
        run.auditor.latency_us = NULL; /* the summary owns it now */
        summary.audit_series = json_incref(run.auditor.series);
    }
    if (cfg->ledger) {
        summary.ledger = report_ledger_json(&run.ledger, run_id);
    }
    if (cfg->instances > 1) db_barrier_leave(db, (int64_t)cfg->seed, cfg->instance);
    rc = present(cfg, &summary);
    if (rc == EXIT_OK && (!summary.check_done || summary.workers_lost)) rc = EXIT_DATABASE;
    report_summary_free(&summary);
    run_free(&run);
    db_close(db);
    return rc;
}

static int cmd_report(const struct config *cfg)
{
    if (outputs_writable(cfg) != 0) return EXIT_USAGE;
    struct run_summary s;
    char err[512];
    if (report_load(cfg->inputs[0], &s, err, sizeof err) != 0) {
        fprintf(stderr, "txstorm: %s\n", err);
        return EXIT_USAGE;
    }
    int rc = present(cfg, &s);
    report_summary_free(&s);
    return rc;
}

static int cmd_merge(const struct config *cfg)
{
    if (outputs_writable(cfg) != 0) return EXIT_USAGE;
    struct run_summary parts[OPTIONS_MAX_INPUTS], *ptrs[OPTIONS_MAX_INPUTS], merged;
    char err[512];
    int loaded = 0, rc;
    for (; loaded < cfg->n_inputs; loaded++) {
        if (report_load(cfg->inputs[loaded], &parts[loaded], err, sizeof err) != 0) goto refused;
        ptrs[loaded] = &parts[loaded];
    }
    if (report_merge(ptrs, loaded, &merged, err, sizeof err) != 0) goto refused;
    /* present() says itself what went wrong with an output. */
    rc = present(cfg, &merged);
    report_summary_free(&merged);
    goto done;
refused:
    fprintf(stderr, "txstorm: %s\n", err);
    rc = EXIT_USAGE;
done:
    for (int i = 0; i < loaded; i++)
        report_summary_free(&parts[i]);
    return rc;
}

static int cmd_compare(const struct config *cfg)
{
    char err[512];
    if (compare_files(cfg->inputs, cfg->n_inputs, cfg->max_failed_pct, cfg->compare_format,
                      stdout, err, sizeof err) != 0) {
        fprintf(stderr, "txstorm: %s\n", err);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    struct config cfg;
    char err[OPTIONS_ERR_MAX];
    if (options_parse(argc, argv, getenv("DATABASE_URL"), &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "txstorm: %s\n", err);
        return EXIT_USAGE;
    }
    /* A connection string libpq cannot read, or would read so that an error
     * could quote its password, is bad input: refused before connecting. */
    bool uses_db = cfg.command == CMD_INIT || cfg.command == CMD_RUN || cfg.command == CMD_CHECK ||
                   cfg.command == CMD_DEMO;
    struct dsn_view dsn;
    if (uses_db && db_dsn_inspect(cfg.dsn, &dsn, err, sizeof err) != 0) {
        fprintf(stderr, "txstorm: --db: %s\n", err);
        return EXIT_USAGE;
    }
    switch (cfg.command) {
    case CMD_HELP:
        fputs(options_usage(cfg.help_for), stdout);
        return EXIT_OK;
    case CMD_VERSION:
        printf("txstorm %s\n", TXSTORM_VERSION);
        return EXIT_OK;
    case CMD_INIT:
        return cmd_init(&cfg);
    case CMD_RUN:
        return cmd_run(&cfg);
    case CMD_CHECK:
        return cmd_check(&cfg);
    case CMD_DEMO:
        return cmd_demo(&cfg);
    case CMD_REPORT:
        return cmd_report(&cfg);
    case CMD_MERGE:
        return cmd_merge(&cfg);
    case CMD_COMPARE:
        return cmd_compare(&cfg);
    case CMD_COUNT:
        break;
    }
    return EXIT_USAGE;
}
