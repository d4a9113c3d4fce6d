/* Which server each worker was on over time, told compactly: one line per
 * move of server, shared by the workers that moved together. */
#include "txstorm/server_timeline.h"

#include "txstorm/clock.h"
#include "txstorm/text.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A worker's change of server, before grouping. */
struct change {
    int64_t at_unix_ms;
    int worker;
    struct server_id id;
};

static int by_time(const void *a, const void *b)
{
    const struct change *x = a, *y = b;
    if (x->at_unix_ms != y->at_unix_ms) return x->at_unix_ms < y->at_unix_ms ? -1 : 1;
    return x->worker - y->worker;
}

/* Appends worker wi's changes of server to *changes; false when out of memory. */
static bool worker_changes(const struct worker_trail *t, int wi, struct change **changes, int *n,
                           int *cap)
{
    for (int si = 0; si < t->n; si++) {
        const struct server_id *s = &t->servers[si];
        if (si > 0 && server_id_same(&t->servers[si - 1], s)) continue;
        if (*n == *cap) {
            int grown_cap = *cap ? 2 * *cap : 16;
            struct change *grown = realloc(*changes, (size_t)grown_cap * sizeof *grown);
            if (grown == NULL) return false;
            *changes = grown;
            *cap = grown_cap;
        }
        (*changes)[(*n)++] = (struct change){.at_unix_ms = s->at_unix_ms, .worker = wi, .id = *s};
    }
    return true;
}

/* The open move that c joins, else NULL. */
static struct server_move *joined(struct server_move *moves, int n, const struct change *c)
{
    for (int i = n - 1; i >= 0; i--) {
        if (c->at_unix_ms - moves[i].at_unix_ms > SERVER_TIMELINE_GROUP_MS) break;
        if (server_id_same(&moves[i].id, &c->id)) return &moves[i];
    }
    return NULL;
}

int server_moves(const struct worker_trails *w, struct server_move **out)
{
    struct change *changes = NULL;
    int n = 0, cap = 0, n_moves = 0;
    struct server_move *moves = NULL;
    *out = NULL;
    for (size_t wi = 0; wi < w->n; wi++)
        if (!worker_changes(&w->items[wi], (int)wi, &changes, &n, &cap)) goto bad;
    if (n == 0) goto done;
    qsort(changes, (size_t)n, sizeof *changes, by_time);
    /* At most one move per change; each move's workers at most all of them. */
    moves = calloc((size_t)n, sizeof *moves);
    if (moves == NULL) goto bad;
    for (int i = 0; i < n; i++) {
        struct server_move *m = joined(moves, n_moves, &changes[i]);
        if (m == NULL) {
            m = &moves[n_moves++];
            *m = (struct server_move){.at_unix_ms = changes[i].at_unix_ms, .id = changes[i].id};
            m->workers = malloc(w->n * sizeof *m->workers);
            if (m->workers == NULL) goto bad;
        }
        /* A worker that bounced back within the second is named once. */
        if (m->n_workers == 0 || m->workers[m->n_workers - 1] != changes[i].worker)
            m->workers[m->n_workers++] = changes[i].worker;
    }
    goto done;
bad:
    server_moves_free(moves, n_moves);
    free(changes);
    return -1;
done:
    free(changes);
    *out = moves;
    return n_moves;
}

void server_moves_free(struct server_move *moves, int n)
{
    for (int i = 0; moves && i < n; i++)
        free(moves[i].workers);
    free(moves);
}

static int by_index(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* Worker idx's number, and its instance (-1: not merged). */
static void worker_number(const struct worker_trails *w, int idx, long long *number,
                          long long *instance)
{
    *number = w->items[idx].worker;
    *instance = w->items[idx].instance;
}

/* "all N", or the workers by their numbers (instance:worker after a merge),
 * consecutive ones as a range. */
static void workers_text(const struct worker_trails *w, struct server_move *m, char *out,
                         size_t size)
{
    size_t total = w->n, used = 0;
    qsort(m->workers, (size_t)m->n_workers, sizeof *m->workers, by_index);
    if ((size_t)m->n_workers == total) {
        snprintf(out, size, "all %zu", total);
        return;
    }
    out[0] = '\0';
    for (int i = 0; i < m->n_workers && used < size;) {
        long long first, inst, next, next_inst;
        worker_number(w, m->workers[i], &first, &inst);
        int j = i + 1;
        for (; j < m->n_workers; j++) {
            worker_number(w, m->workers[j], &next, &next_inst);
            if (next != first + (j - i) || next_inst != inst) break;
        }
        char prefix[24] = "", range[24] = "";
        if (inst >= 0) snprintf(prefix, sizeof prefix, "%lld:", inst);
        if (j - i > 1) snprintf(range, sizeof range, "-%lld", first + (j - i - 1));
        int wrote =
            snprintf(out + used, size - used, "%s%s%lld%s", used ? "," : "", prefix, first, range);
        if (wrote < 0) return;
        used += (size_t)wrote;
        i = j;
    }
}

int server_timeline_lines(const struct worker_trails *w, int64_t origin_unix_us,
                          struct server_timeline_line **out)
{
    *out = NULL;
    struct server_move *moves;
    int n = server_moves(w, &moves);
    if (n < 0) return -1;
    size_t workers = w->n;
    /* Each worker named once: nobody changed server, the servers table says it all. */
    int named = 0;
    for (int i = 0; i < n; i++)
        named += moves[i].n_workers;
    if (n == 0 || (size_t)named <= workers) {
        server_moves_free(moves, n);
        return 0;
    }
    struct server_timeline_line *lines = calloc((size_t)n, sizeof *lines);
    if (lines == NULL) {
        server_moves_free(moves, n);
        return -1;
    }
    int64_t origin_ms = origin_unix_us > 0 ? origin_unix_us / 1000 : moves[0].at_unix_ms;
    for (int i = 0; i < n; i++) {
        struct server_move *m = &moves[i];
        struct server_timeline_line *l = &lines[i];
        l->t_s = (double)(m->at_unix_ms - origin_ms) / 1000.0;
        workers_text(w, m, l->workers, sizeof l->workers);
        snprintf(l->server, sizeof l->server, "%s:%s", m->id.host, m->id.port);
        server_node(&m->id, l->node, sizeof l->node);
        if (m->id.timeline > 0)
            snprintf(l->timeline, sizeof l->timeline, "%lld", (long long)m->id.timeline);
        else
            snprintf(l->timeline, sizeof l->timeline, "-");
        l->role = m->id.in_recovery < 0 ? "?" : m->id.in_recovery ? "standby" : "primary";
        clock_utc_time_of_day(m->at_unix_ms, l->utc, sizeof l->utc);
    }
    server_moves_free(moves, n);
    *out = lines;
    return n;
}

#define SERVER_TIMELINE_SHOWN 24

void server_timeline_print(FILE *out, const struct worker_trails *w, int64_t origin_unix_us)
{
    struct server_timeline_line *lines;
    int n = server_timeline_lines(w, origin_unix_us, &lines);
    if (n <= 0) return;
    text_printf(
        out, "\nserver timeline (a line each time workers reached another server; times since the\n"
             "workers started, and UTC)\n");
    text_printf(out, "  %9s %-12s  %-14s %-34s %-21s %-9s %s\n", "t_s", "utc", "workers", "server",
                "node", "role", "timeline");
    for (int i = 0; i < n && i < SERVER_TIMELINE_SHOWN; i++) {
        const struct server_timeline_line *l = &lines[i];
        text_printf(out, "  %9.3f %-12s  %-14s %-34s %-21s %-9s %s\n", l->t_s, l->utc, l->workers,
                    l->server, l->node, l->role, l->timeline);
    }
    if (n > SERVER_TIMELINE_SHOWN)
        text_printf(out, "  ... %d more lines (all in the JSON result: workers_servers)\n",
                    n - SERVER_TIMELINE_SHOWN);
    free(lines);
}
