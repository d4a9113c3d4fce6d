/* The run's intervals: what the workers published, gathered into a row
 * and the total (the collector, interval_collector.h, keeps the row in the
 * series and tells it), and the listeners that hear of each: the progress
 * lines and the metrics server. */
#include "run_internal.h"

#include "txstorm/clock.h"
#include "txstorm/metrics.h"
#include "txstorm/metrics_server.h"

#include <stdlib.h>
#include <string.h>

#define PROGRESS_HEADER_EVERY 20

void run_collect(struct run *run)
{
    for (int i = 0; i < run->n_loops; i++) {
        struct sink *s = &run->loops[i].sink;
        pthread_mutex_lock(&s->lock);
        stats_merge(&run->tick, &s->interval);
        stats_reset(&s->interval);
        for (int e = 0; e < run->n_endpoints; e++) {
            endpoint_merge(&run->tick_endpoints[e], &s->endpoints[e]);
            endpoint_reset(&s->endpoints[e]);
        }
        pthread_mutex_unlock(&s->lock);
    }
}

/* Publishes the run's figures so far to the metrics server; row: the
 * interval just closed (NULL before the first). */
static void publish(struct run *run, const struct interval_row *row, bool warmup)
{
    struct fault_tally all, *per = calloc((size_t)run->n_endpoints, sizeof *per);
    if (per == NULL) return; /* no memory: this interval is not published */
    run_tally_faults(run, per, &all, false);
    for (int e = 0; e < run->n_endpoints; e++)
        run->endpoint_faults[e] =
            (struct metrics_faults){.workers = per[e].workers,
                                    .workers_connected = per[e].workers_connected,
                                    .connection_losses = per[e].losses,
                                    .reconnects = per[e].reconnects};
    free(per);
    struct metrics_snapshot snap = {.instance = run->metrics_instance,
                                    .total = &run->total,
                                    .faults = {.workers = all.workers,
                                               .workers_connected = all.workers_connected,
                                               .connection_losses = all.losses,
                                               .reconnects = all.reconnects},
                                    .warmup = warmup,
                                    .loop_busy = row ? row->loop_busy : 0,
                                    .phase = row ? row->phase : NULL,
                                    .offered_per_s = row ? row->offered_per_s : 0,
                                    .trigger = row ? row->trigger : NULL,
                                    .n_endpoints = run->n_endpoints,
                                    .endpoints = run->total_endpoints,
                                    .endpoint_names = (const char *const *)run->endpoint_names,
                                    .endpoint_faults = run->endpoint_faults};
    size_t text_len = 0, om_len = 0;
    char *text = metrics_format(&snap, METRICS_TEXT, &text_len);
    char *om = metrics_format(&snap, METRICS_OPENMETRICS, &om_len);
    metrics_server_publish(run->metrics, text, text_len, om, om_len);
}

/* A listener: each closed interval publishes the figures so far; the warmup
 * is over once the interval reaches its end. */
static void publish_metrics(const struct interval_row *row, void *ctx)
{
    struct run *run = ctx;
    publish(run, row, run->start_us + row->end_us < run->measure_start_us);
}

void run_serve_metrics(struct run *run, struct metrics_server *server)
{
    run->endpoint_names = calloc((size_t)run->n_endpoints, sizeof *run->endpoint_names);
    run->endpoint_faults = calloc((size_t)run->n_endpoints, sizeof *run->endpoint_faults);
    if (run->endpoint_names == NULL || run->endpoint_faults == NULL) return; /* no metrics then */
    for (int e = 0; e < run->n_endpoints; e++) {
        /* The endpoint label: its redacted DSN, as the result names it. */
        struct dsn_view view;
        char why[256], name[32];
        snprintf(name, sizeof name, "endpoint %d", e + 1);
        bool ok = db_dsn_inspect(options_endpoint(run->cfg, e), &view, why, sizeof why) == 0;
        run->endpoint_names[e] = strdup(ok ? view.redacted : name);
        if (run->endpoint_names[e] == NULL) return;
    }
    snprintf(run->metrics_instance, sizeof run->metrics_instance, "%d/%d", run->cfg->instance,
             run->cfg->instances);
    run->metrics = server;
    interval_collector_listen(&run->collector, publish_metrics, run);
    publish(run, NULL, run->cfg->warmup_us > 0);
}

/* A listener: the progress line of each closed interval, a header now and then. */
static void print_progress(const struct interval_row *row, void *ctx)
{
    struct run *run = ctx;
    if (run->progress_lines++ % PROGRESS_HEADER_EVERY == 0)
        report_progress_header(run->progress, row->open_loop);
    report_progress_line(run->progress, row);
}

void run_print_progress(struct run *run, FILE *progress)
{
    run->progress = progress;
    if (progress) interval_collector_listen(&run->collector, print_progress, run);
}

/* Each loop's busy share of the interval (loop_meter.h); measured intervals
 * count towards the saturation verdict (not the last, after the loops have
 * left). Returns the busiest loop's share. */
static double account_loops(struct run *run, int64_t wall_us, bool measured)
{
    double busiest = 0;
    int64_t held_back_us = cpu_meter_held_back_us(&run->cpu);
    for (int i = 0; i < run->started; i++) {
        struct loop_thread *t = &run->loops[i];
        double share = loop_meter_interval(&t->meter, loop_waited_us(&t->loop, clock_now_us()),
                                           wall_us, held_back_us, measured);
        if (share > busiest) busiest = share;
    }
    return busiest;
}

/* Over --load: the interval's phase and offered rate in its sample, and
 * (measured) its figures into its phase's tally. Nothing is offered after
 * the stop. Intervals close at phase boundaries, so one phase holds it (one
 * closed late keeps its phase's rate over the rest, phases.h). */
static void account_phase(struct run *run, int64_t now_us, int64_t last_us, struct interval_row *p)
{
    const struct phases *load = &run->cfg->load;
    if (load->n == 0) return;
    int i = phases_index_at(load, last_us - run->start_us);
    int64_t stop_us = run->stop_us == INT64_MAX ? INT64_MAX : run->stop_us - run->start_us;
    double offered =
        phases_interval_offered(load, last_us - run->start_us, now_us - run->start_us, stop_us);
    snprintf(p->phase, sizeof p->phase, "%s", load->phase[i].name);
    p->offered_per_s = now_us > last_us ? offered * 1e6 / (double)(now_us - last_us) : 0;
}

void run_interval_row(void *ctx, int64_t last_us, int64_t now_us, bool last,
                      struct interval_row *row)
{
    struct run *run = ctx;
    run_collect(run);
    struct interval_row p;
    bool warmup = last_us < run->measure_start_us;
    series_row_of_stats(&run->tick, run->start_us, now_us - run->start_us, now_us - last_us, warmup,
                        options_open_loop(run->cfg), &p);
    /* A row that finds no memory for its histograms keeps its figures. */
    series_row_keep_hists(&p, &run->tick);
    account_phase(run, now_us, last_us, &p);
    p.loop_busy = account_loops(run, now_us - last_us, !warmup && !last);
    /* A stall in the interval: one that ended in it, or one still going. */
    int64_t stalls = atomic_load(&run->stalls.count);
    p.stall = stalls > run->stalls_shown || stall_ongoing(&run->stalls, now_us);
    run->stalls_shown = stalls;
    /* An outage in the interval: one that ended in it, or one still open. */
    int64_t outages = outage_closed(&run->outages[0]);
    p.outage = outages > run->outages_shown || outage_ongoing(&run->outages[0]);
    run->outages_shown = outages;
    injector_active(&run->injector, last_us, now_us, run->edge_slack_us, p.trigger,
                    sizeof p.trigger);
    /* The workers connected at its close, for each trigger's reconnect verdict. */
    struct fault_tally all, *per = calloc((size_t)run->n_endpoints, sizeof *per);
    if (per) { /* no memory: the row does not know */
        run_tally_faults(run, per, &all, false);
        p.workers = all.workers;
        p.workers_connected = all.workers_connected;
    }
    free(per);
    if (!warmup) stats_merge(&run->total, &run->tick);
    stats_reset(&run->tick);
    for (int e = 0; e < run->n_endpoints; e++) {
        if (!warmup) endpoint_merge(&run->total_endpoints[e], &run->tick_endpoints[e]);
        endpoint_reset(&run->tick_endpoints[e]);
    }
    *row = p;
}
