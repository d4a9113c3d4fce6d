/* The auditor thread: a snapshot of the bank every interval, judged at once. */
#include "txstorm/auditor.h"
#include "txstorm/db_bank.h"

#include "txstorm/clock.h"
#include "txstorm/stats.h"

#include <string.h>

#define STOP_CHECK_SLICE_US 50000

static bool stopped(const struct auditor *a) { return atomic_load(a->stop); }

/* Sleeps until the next reading is due; false if the run stops meanwhile. */
static bool wait_until(const struct auditor *a, int64_t due_us)
{
    for (;;) {
        if (stopped(a)) return false;
        int64_t left = due_us - clock_now_us();
        if (left <= 0) return true;
        clock_sleep_us(left < STOP_CHECK_SLICE_US ? left : STOP_CHECK_SLICE_US);
    }
}

static void take_reading(struct auditor *a)
{
    struct bank_snapshot snap;
    int64_t begin_us = clock_now_us();
    if (db_bank_snapshot(a->db, false, a->as_of, &snap, &a->error) != DB_OK) {
        a->read_errors++;
        return;
    }
    int64_t end_us = clock_now_us();
    hist_record(a->latency_us, end_us - begin_us);
    bool bad =
        checker_audit_reading(&a->summary, &snap, begin_us - a->start_us, a->allow_overdraft);
    if (a->series.n < AUDITOR_SERIES_MAX) /* no memory: the reading goes unlisted */
        audit_series_append(&a->series, &(struct audit_point){.instance = -1,
                                                              .t_us = begin_us - a->start_us,
                                                              .total = snap.total,
                                                              .negative = snap.negative,
                                                              .ok = !bad,
                                                              .latency_us = end_us - begin_us});
}

static void *auditor_main(void *arg)
{
    struct auditor *a = arg;
    for (int64_t due_us = a->start_us + a->every_us; wait_until(a, due_us); due_us += a->every_us) {
        take_reading(a);
        if (!db_ok(a->db)) break; /* a lost connection ends the auditing, not the run */
        int64_t now_us = clock_now_us();
        while (due_us + a->every_us < now_us)
            due_us += a->every_us; /* skip missed slots */
    }
    return NULL;
}

int auditor_start(struct auditor *a, int sig_figs)
{
    a->latency_us = hist_create(STATS_HIST_HIGHEST, sig_figs);
    a->series = (struct audit_series){.present = true};
    a->db = db_connect(a->dsn, &a->error);
    if (a->db == NULL) return -1;
    a->start_us = clock_now_us();
    if (pthread_create(&a->thread, NULL, auditor_main, a) != 0) {
        snprintf(a->error.message, sizeof a->error.message, "cannot start the auditor thread");
        return -1;
    }
    a->running = true;
    return 0;
}

void auditor_stop(struct auditor *a)
{
    if (a->running) pthread_join(a->thread, NULL);
    a->running = false;
}

void auditor_free(struct auditor *a)
{
    db_close(a->db);
    hist_destroy(a->latency_us);
    audit_series_free(&a->series);
    a->db = NULL;
    a->latency_us = NULL;
}
