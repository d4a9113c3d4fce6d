/* The run's side threads, wired to it: the auditor and the trigger injector. */
#include "run_internal.h"

/* Starts the auditor (--audit-interval); false with err set when it cannot. */
bool run_audit_start(struct run *run, struct db_error *err)
{
    const struct config *cfg = run->cfg;
    run->auditor = (struct auditor){.dsn = options_endpoint(cfg, 0),
                                    .as_of = cfg->audit_as_of,
                                    .allow_overdraft = cfg->allow_overdraft,
                                    .every_us = cfg->audit_us,
                                    .stop = &run->stop};
    if (auditor_start(&run->auditor, cfg->sig_figs) == 0) return true;
    *err = run->auditor.error;
    return false;
}

/* --trigger terminate: the sessions of the workers, in the workers' order
 * (which goes round the endpoints), each with its endpoint; a share of them
 * ends. */
static int worker_pids(void *arg, int *pids, int *endpoints, int max)
{
    struct run *run = arg;
    int n = 0;
    for (int i = 0; i < run->n_workers && n < max; i++) {
        int pid = db_backend_pid(run->workers[i].db);
        if (pid <= 0) continue;
        endpoints[n] = run->workers[i].endpoint;
        pids[n++] = pid;
    }
    return n;
}

/* A trigger's edge passed: the main thread, waiting in sigtimedwait, cuts the
 * open interval there. */
static void wake_main(void *arg)
{
    struct run *run = arg;
    pthread_kill(run->main_thread, SIGUSR1);
}

/* Connects the trigger injector (--trigger); false with err set when it cannot. */
bool run_injector_setup(struct run *run, struct db_error *err)
{
    const struct config *cfg = run->cfg;
    const struct skew *skew = &run->workload.skew;
    run->injector = (struct injector){
        .dsn = options_endpoint(cfg, 0),
        .plan = &cfg->triggers,
        .stop = &run->stop,
        .hot_rows = skew->kind == SKEW_HOT || skew->kind == SKEW_HOTSPOT ? skew->hot : 0,
        .accounts = run->workload.accounts,
        .instance = cfg->instance,
        .instances = cfg->instances,
        .share_key = (int64_t)cfg->seed,
        .worker_pids = worker_pids,
        .pids_arg = run,
        .max_pids = run->n_workers,
        .endpoint_dsns = cfg->endpoints.items,
        .n_endpoints = options_n_endpoints(cfg),
        .edge_passed = wake_main,
        .edge_arg = run};
    return injector_connect(&run->injector, err) == 0;
}
