/* The workers that lost their connection: rows, and their JSON both ways. */
#include "txstorm/faults.h"
#include "txstorm/errbuf.h"

#include <math.h>
#include <stdlib.h>

bool worker_faults_append(struct worker_faults *f, const struct worker_fault *w)
{
    struct worker_fault *grown = realloc(f->items, (f->n + 1) * sizeof *grown);
    if (grown == NULL) return false;
    f->items = grown;
    f->items[f->n++] = *w;
    return true;
}

void worker_faults_free(struct worker_faults *f)
{
    free(f->items);
    *f = (struct worker_faults){0};
}

json_t *worker_faults_json(const struct worker_faults *f)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < f->n; i++) {
        const struct worker_fault *w = &f->items[i];
        json_t *row =
            json_pack("{s:i, s:I, s:I, s:f, s:b}", "worker", w->worker, "connection_losses",
                      (json_int_t)w->connection_losses, "reconnects", (json_int_t)w->reconnects,
                      "disconnected_ms", (double)w->disconnected_us / 1000.0, "lost", w->lost);
        if (row && w->instance >= 0)
            json_object_set_new(row, "instance", json_integer(w->instance));
        if (row == NULL || json_array_append_new(rows, row) != 0) {
            json_decref(rows);
            return NULL;
        }
    }
    return rows;
}

int worker_faults_decode(const json_t *j, struct worker_faults *f, char *err, size_t err_len)
{
    *f = (struct worker_faults){0};
    if (!json_is_array(j)) return errbuf_fail(err, err_len, "'worker_faults' is not an array");
    size_t i;
    const json_t *row;
    json_array_foreach(j, i, row)
    {
        struct worker_fault w = {.instance = -1};
        json_int_t worker = -1, losses = -1, reconnects = -1, instance = -1;
        double disconnected_ms = -1;
        int lost = 0;
        bool ok =
            json_unpack((json_t *)row, "{s:I, s:I, s:I, s:F, s:b, s?:I}", "worker", &worker,
                        "connection_losses", &losses, "reconnects", &reconnects, "disconnected_ms",
                        &disconnected_ms, "lost", &lost, "instance", &instance) == 0 &&
            worker >= 0 && worker <= INT32_MAX && losses >= 0 && reconnects >= 0 &&
            reconnects <= losses && disconnected_ms >= 0 && disconnected_ms < 9e15 &&
            instance >= -1 && instance <= INT32_MAX;
        if (ok) {
            w.worker = (int)worker;
            w.instance = (int)instance;
            w.connection_losses = losses;
            w.reconnects = reconnects;
            w.disconnected_us = (int64_t)llround(disconnected_ms * 1000.0);
            w.lost = lost;
        }
        if (!ok || !worker_faults_append(f, &w)) {
            worker_faults_free(f);
            return errbuf_fail(err, err_len, "worker_faults[%zu]: malformed", i);
        }
    }
    return 0;
}
