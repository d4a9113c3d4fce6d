/* The commands on the bank itself: init makes it, check judges it (and the
 * records saved runs kept), demo moves money once, as the seeds' samples do. */
#include "cmd_internal.h"
#include "txstorm/clock.h"
#include "txstorm/db_bank.h"
#include "txstorm/db_transfer.h"
#include "txstorm/exitcode.h"
#include "txstorm/ledger_record.h"
#include "txstorm/outfile.h"
#include "txstorm/text.h"
#include "txstorm/txn.h"
#include "txstorm/verify.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_init(const struct config *cfg)
{
    int rc = EXIT_OK;
    struct db *db = connect_or_die(cfg, &rc);
    if (db == NULL) return rc;
    struct db_error err;
    /* Not while a run uses the bank: it would go on writing into the new one. */
    enum db_status st = cfg->drop ? db_bank_claim(db, &err) : DB_OK;
    if (st == DB_OK)
        st =
            db_bank_create(db, cfg->accounts, cfg->balance, (int64_t)fresh_seed(), cfg->drop, &err);
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

int cmd_check(const struct config *cfg)
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
        if (cfg->json_path && report_write_file(cfg->json_path, report_check_write_json_to, &doc,
                                                werr, sizeof werr)) {
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

/* How long the demo's session may take to be set up once let in. */
#define DEMO_SETUP_TIMEOUT_US 5000000

int cmd_demo(const struct config *cfg)
{
    int rc = EXIT_OK;
    struct db *db = connect_or_die(cfg, &rc);
    if (db == NULL) return rc;
    struct db_error err = {0};
    int64_t before[2], after[2];
    if (db_demo_reset(db, &err) != DB_OK || db_demo_balances(db, before, &err) != DB_OK ||
        db_transfer_prepare(db, BANK_DEMO, &cfg->spec, NULL, DEMO_SETUP_TIMEOUT_US, &err) !=
            DB_OK) {
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
