/* txstorm: provoke, measure and explain transaction contention. */
#include "txstorm/checker.h"
#include "txstorm/clock.h"
#include "txstorm/db.h"
#include "txstorm/dsn.h"
#include "txstorm/exitcode.h"
#include "txstorm/options.h"
#include "txstorm/report.h"
#include "txstorm/run.h"
#include "txstorm/txn.h"

#include <fcntl.h>
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

/* Reads one consistent snapshot and judges it; DB_OK when the check ran. */
static enum db_status check_bank(struct db *db, struct check_result *r, struct db_error *err)
{
    struct bank_snapshot snap;
    enum db_status st = db_bank_snapshot(db, &snap, err);
    if (st == DB_OK) checker_evaluate(&snap, r);
    return st;
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
    if (check_bank(db, &check, &err) != DB_OK)
        rc = die_db(&err);
    else {
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

/* Fails early, before a long run, when the JSON result could not be written. */
static int json_path_writable(const char *path)
{
    char probe[4096];
    snprintf(probe, sizeof probe, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) return -1;
    close(fd);
    unlink(probe);
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

static int cmd_run(const struct config *cfg)
{
    if (cfg->json_path && json_path_writable(cfg->json_path) != 0) {
        fprintf(stderr, "txstorm: --json: cannot write %s\n", cfg->json_path);
        return EXIT_USAGE;
    }

    /* 1. The bank must be there and fit the flags. */
    int rc = EXIT_OK;
    struct db *db = connect_or_die(cfg, &rc);
    if (db == NULL) return rc;
    struct db_error err = {0};
    char dsn_redacted[1024];
    dsn_redact(cfg->dsn, dsn_redacted, sizeof dsn_redacted);
    struct run_summary summary = {.cfg = cfg,
                                  .dsn_redacted = dsn_redacted,
                                  .server_version = db_server_version(db),
                                  .tool_version = TXSTORM_VERSION,
                                  .seed = cfg->seed_given ? cfg->seed : fresh_seed()};
    if (db_bank_meta(db, &summary.meta, &err) != DB_OK) {
        db_close(db);
        return die_db(&err);
    }
    struct workload_config workload = {.accounts = summary.meta.accounts,
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

    /* 2. Workers connect, then start together. */
    run_block_signals();
    struct run run;
    summary.start_wall_us = clock_wall_us();
    if (run_start(&run, cfg, &workload, summary.seed, &err) != 0) {
        run_unblock_signals();
        db_close(db);
        return die_db(&err);
    }

    /* 3. They contend until the duration, the quota or a signal ends the run. */
    run_wait(&run, cfg->progress_us ? stderr : NULL);
    if (!stats_init(&summary.total, cfg->sig_figs)) {
        fprintf(stderr, "txstorm: out of memory\n");
        return EXIT_DATABASE;
    }
    struct db_error worker_err = {0};
    run_finish(&run, &summary.total, &summary.workers_lost, &worker_err);
    run_unblock_signals();
    summary.elapsed_us = run.end_us - run.start_us;
    summary.end_wall_us = clock_wall_us();
    summary.interrupted = run.interrupted;
    if (summary.workers_lost)
        fprintf(stderr, "txstorm: %d workers stopped early; first: %s\n", summary.workers_lost,
                worker_err.message);

    /* 4. The bank is checked in one snapshot, then everything is reported. */
    summary.check_done = check_bank(db, &summary.check, &err) == DB_OK;
    if (!summary.check_done) fprintf(stderr, "txstorm: check failed to run: %s\n", err.message);
    report_print_text(stdout, &summary);
    fflush(stdout);

    char jerr[256];
    if (cfg->json_path && report_write_json(cfg->json_path, &summary, jerr, sizeof jerr) != 0)
        fprintf(stderr, "txstorm: %s\n", jerr);

    if (!summary.check_done || summary.workers_lost) rc = EXIT_DATABASE;
    if (summary.check_done && !summary.check.ok) rc = EXIT_VIOLATION;
    stats_free(&summary.total);
    db_close(db);
    return rc;
}

int main(int argc, char **argv)
{
    struct config cfg;
    char err[OPTIONS_ERR_MAX];
    if (options_parse(argc, argv, getenv("DATABASE_URL"), &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "txstorm: %s\n", err);
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
    }
    return EXIT_USAGE;
}
