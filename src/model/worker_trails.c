/* The workers' trails of servers as a result holds them: kept, copied for a
 * merge, and their JSON both ways. */
#include "txstorm/errbuf.h"
#include "txstorm/servers.h"

#include <stdlib.h>
#include <string.h>

/* A free slot at the end of w (zeroed); NULL when out of memory. */
static struct worker_trail *grown(struct worker_trails *w)
{
    struct worker_trail *items = realloc(w->items, (w->n + 1) * sizeof *items);
    if (items == NULL) return NULL;
    w->items = items;
    w->present = true;
    memset(&items[w->n], 0, sizeof items[w->n]);
    return &items[w->n];
}

bool worker_trails_add_ring(struct worker_trails *w, const struct server_trail *t, int worker)
{
    struct worker_trail *row = grown(w);
    if (row == NULL) return false;
    *row = (struct worker_trail){.instance = -1, .worker = worker, .earlier = t->earlier};
    row->servers = calloc(t->kept > 0 ? (size_t)t->kept : 1, sizeof *row->servers);
    if (row->servers == NULL) return false;
    for (int i = 0; i < t->kept; i++)
        row->servers[i] = *server_trail_at(t, i);
    row->n = t->kept;
    w->n++;
    return true;
}

bool worker_trails_append(struct worker_trails *w, const struct worker_trail *t, int instance)
{
    struct worker_trail *row = grown(w);
    if (row == NULL) return false;
    *row = *t;
    if (instance >= 0) row->instance = instance;
    row->servers = calloc(t->n > 0 ? (size_t)t->n : 1, sizeof *row->servers);
    if (row->servers == NULL) return false;
    if (t->n > 0) memcpy(row->servers, t->servers, (size_t)t->n * sizeof *row->servers);
    w->n++;
    return true;
}

void worker_trails_free(struct worker_trails *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->items[i].servers);
    free(w->items);
    memset(w, 0, sizeof *w);
}

json_t *worker_trails_json(const struct worker_trails *w)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < w->n; i++) {
        const struct worker_trail *t = &w->items[i];
        json_t *list = json_array();
        for (int k = 0; list && k < t->n; k++)
            json_array_append_new(list, server_id_json(&t->servers[k]));
        json_t *row = json_pack("{s:i, s:o, s:I}", "worker", t->worker, "servers", list, "earlier",
                                (json_int_t)t->earlier);
        if (row && t->instance >= 0)
            json_object_set_new(row, "instance", json_integer(t->instance));
        json_array_append_new(rows, row);
    }
    return rows;
}

/* One worker's row into t (its servers allocated); false when not of the form. */
static bool trail_decode(const json_t *j, struct worker_trail *t)
{
    int worker, instance = -1;
    json_t *list;
    json_int_t earlier;
    if (json_unpack((json_t *)j, "{s:i, s:o, s:I, s?i}", "worker", &worker, "servers", &list,
                    "earlier", &earlier, "instance", &instance) != 0 ||
        !json_is_array(list) || earlier < 0 || worker < 0 || instance < -1)
        return false;
    *t = (struct worker_trail){.instance = instance, .worker = worker, .earlier = earlier};
    t->servers = calloc(json_array_size(list) + 1, sizeof *t->servers);
    if (t->servers == NULL) return false;
    size_t i;
    json_t *s;
    json_array_foreach(list, i, s)
    {
        if (!server_id_from_json(s, &t->servers[i])) return false;
        t->n++;
    }
    return true;
}

int worker_trails_decode(const json_t *j, struct worker_trails *w, char *err, size_t err_len)
{
    memset(w, 0, sizeof *w);
    if (!json_is_array(j)) return errbuf_fail(err, err_len, "'workers_servers' is not a list");
    w->items = calloc(json_array_size(j) + 1, sizeof *w->items);
    if (w->items == NULL) return errbuf_fail(err, err_len, "out of memory");
    w->present = true;
    size_t i;
    json_t *row;
    json_array_foreach(j, i, row)
    {
        bool ok = trail_decode(row, &w->items[i]);
        w->n++; /* kept even when half read: freed with the rest */
        if (!ok) {
            worker_trails_free(w);
            return errbuf_fail(err, err_len, "'workers_servers' entry %zu is malformed", i + 1);
        }
    }
    return 0;
}
