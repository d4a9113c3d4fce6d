/* What a finished run hands over: its part of the result, its ledger and
 * its auditor's findings. */
#include "run_internal.h"

#include "txstorm/phases_report.h"
#include "txstorm/trigger_verdict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Joins the loops and the auditor; counts the workers lost, keeping the
 * first one's error. */
static int finish(struct run *run, struct db_error *first_lost)
{
    run_join_loops(run);
    atomic_store(&run->stop, true);
    auditor_stop(&run->auditor);
    injector_stop(&run->injector);
    int lost = 0;
    for (int i = 0; i < run->n_workers; i++) {
        struct worker *w = &run->workers[i];
        if (w->lost && lost++ == 0) *first_lost = w->error;
    }
    return lost;
}

/* Each worker's sequence of servers (no memory: the workers after it go without). */
static void worker_trails(const struct run *run, struct worker_trails *w)
{
    w->present = true;
    for (int i = 0; i < run->n_workers; i++)
        if (!worker_trails_add_ring(w, &run->workers[i].servers, run->workers[i].id)) return;
}

/* The failover timeline: the run's outage windows, and each endpoint's. The
 * series' rows learn which of them overlap a window of the run's: a window
 * begins at the last commit before the loss, often rows before the loss
 * was noticed. */
static void failover_timeline(struct run *run, struct series *rows, struct failover_timeline *f)
{
    *f = (struct failover_timeline){.present = true, .own = {.instance = -1}};
    outage_summarize(&run->outages[0], run->end_us, &f->own.run);
    outage_mark_rows(&f->own.run, rows);
    f->own.endpoints = calloc((size_t)run->n_endpoints, sizeof *f->own.endpoints);
    if (f->own.endpoints == NULL) return; /* no memory: the run's own windows only */
    f->own.n_endpoints = run->n_endpoints;
    for (int e = 0; e < run->n_endpoints; e++)
        outage_summarize(&run->outages[1 + e], run->end_us, &f->own.endpoints[e]);
}

void run_tally_faults(const struct run *run, struct fault_tally *per_endpoint,
                      struct fault_tally *all, bool joined)
{
    memset(per_endpoint, 0, (size_t)run->n_endpoints * sizeof *per_endpoint);
    memset(all, 0, sizeof *all);
    for (int i = 0; i < run->n_workers; i++) {
        const struct worker *w = &run->workers[i];
        int64_t losses = atomic_load(&w->connection_losses);
        int64_t reconnects = atomic_load(&w->reconnects);
        /* Only once the workers are joined is their own time theirs alone to write. */
        int64_t disconnected_us = joined ? w->disconnected_us : 0;
        struct fault_tally *sums[2] = {&per_endpoint[w->endpoint], all};
        for (int k = 0; k < 2; k++) {
            struct fault_tally *f = sums[k];
            f->workers++;
            f->workers_connected += losses == reconnects; /* a loss not yet made good: down */
            f->losses += losses;
            f->reconnects += reconnects;
            f->disconnected_us += disconnected_us;
            if (disconnected_us > f->worst_disconnected_us)
                f->worst_disconnected_us = disconnected_us;
        }
    }
}

/* Sums up the workers' faults into f and their endpoints' figures (with
 * the workers each has); the workers that lost their connection go into rows. */
static void tally_faults(const struct run *run, struct fault_summary *f, struct worker_faults *rows)
{
    struct fault_tally all, *per = calloc((size_t)run->n_endpoints, sizeof *per);
    if (per == NULL) return; /* out of memory: the result names no fault */
    run_tally_faults(run, per, &all, true);
    for (int e = 0; e < run->n_endpoints; e++) {
        struct endpoint_stats *x = &run->total_endpoints[e];
        x->workers = per[e].workers;
        x->connection_losses = per[e].losses;
        x->reconnects = per[e].reconnects;
        x->disconnected_us = per[e].disconnected_us;
    }
    free(per);
    *f = (struct fault_summary){.connection_losses = all.losses,
                                .reconnects = all.reconnects,
                                .disconnected_us = all.disconnected_us,
                                .worst_disconnected_us = all.worst_disconnected_us};
    for (int i = 0; i < run->n_workers; i++) {
        const struct worker *w = &run->workers[i];
        if (w->connection_losses || w->lost)
            worker_faults_append(rows,
                                 &(struct worker_fault){.instance = -1,
                                                        .worker = w->id,
                                                        .connection_losses = w->connection_losses,
                                                        .reconnects = w->reconnects,
                                                        .disconnected_us = w->disconnected_us,
                                                        .lost = w->lost});
    }
}

int64_t run_origin_wall_us(const struct run *run)
{
    return run->measure_start_wall_us - (run->measure_start_us - run->start_us);
}

void run_results(struct run *run, struct run_results *out)
{
    *out = (struct run_results){.threads = run->n_loops};
    struct run_summary *s = &out->summary;
    s->interrupted = run->interrupted;
    s->series = run->series;
    run->series = (struct series){0};
    /* No memory for the phases' figures: the result goes without them. */
    phases_report_tally(&run->cfg->load, &s->series, run->end_us - run->start_us, &s->phases);
    s->workers_lost = finish(run, &out->first_lost);
    tally_faults(run, &s->faults, &s->worker_faults);
    worker_trails(run, &s->workers_servers);
    failover_timeline(run, &s->series, &s->failover);
    if (run->cfg->triggers.n) {
        injector_outcomes(&run->injector, run->start_us, &s->triggers);
        /* The stop, not the end: the workers drain in between. */
        double stop_s =
            run->stop_us == INT64_MAX ? INFINITY : (double)(run->stop_us - run->start_us) / 1e6;
        trigger_outcomes_judge(&s->triggers, &s->series, run->cfg->rate, stop_s);
    }
    stall_summarize(&run->stalls, run->end_us, &s->stalls);
    s->total = run->total;
    run->total = (struct stats){0};
    for (int e = 0; e < run->n_endpoints; e++) {
        struct dsn_view view;
        char why[256]; /* main() has checked that each parses */
        if (db_dsn_inspect(options_endpoint(run->cfg, e), &view, why, sizeof why) == 0)
            run->total_endpoints[e].dsn = strdup(view.redacted);
    }
    s->endpoints = run->total_endpoints;
    s->n_endpoints = run->n_endpoints;
    run->total_endpoints = NULL;
    s->elapsed_us = run->end_us > run->measure_start_us ? run->end_us - run->measure_start_us : 0;
    s->start_wall_us = run->measure_start_wall_us;
    s->origin_wall_us = run_origin_wall_us(run);
    s->end_wall_us = s->start_wall_us + s->elapsed_us;
    if (run->stop_us != INT64_MAX)
        s->stop_wall_us = s->origin_wall_us + run->stop_us - run->start_us;
    s->client_cpu_us = run->cpu_end_us - run->cpu_start_us;
    s->loops = calloc((size_t)run->started + 1, sizeof *s->loops);
    for (int i = 0; s->loops && i < run->started; i++) {
        struct loop_thread *t = &run->loops[i];
        s->loops[i] = t->meter.use;
    }
    s->n_loops = s->loops ? run->started : 0;
    out->ledger = run->ledger;
    run->ledger = (struct ledger){0};
    out->audit = run->auditor.summary;
    s->audit_latency_us = run->auditor.latency_us;
    s->audit_series = run->auditor.series;
    run->auditor.latency_us = NULL;
    run->auditor.series = (struct audit_series){0};
}

void run_results_free(struct run_results *r)
{
    report_summary_free(&r->summary);
    ledger_free(&r->ledger);
}
