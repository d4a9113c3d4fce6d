/* The servers the workers' connections reached: each worker's trail, its
 * JSON, and the tally the text report prints. */
#include "txstorm/servers.h"
#include "txstorm/text.h"

#include <stdlib.h>
#include <string.h>

void server_trail_add(struct server_trail *t, const struct server_id *s)
{
    if (t->kept == SERVER_TRAIL_MAX)
        t->earlier++;
    else
        t->kept++;
    t->ring[t->next] = *s;
    t->next = (t->next + 1) % SERVER_TRAIL_MAX;
}

const struct server_id *server_trail_at(const struct server_trail *t, int i)
{
    int oldest = (t->next - t->kept + SERVER_TRAIL_MAX) % SERVER_TRAIL_MAX;
    return &t->ring[(oldest + i) % SERVER_TRAIL_MAX];
}

json_t *server_id_json(const struct server_id *s)
{
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:I}", "host", s->host, "port", s->port,
                     "server_addr", s->server_addr[0] ? json_string(s->server_addr) : json_null(),
                     "server_port", s->server_port > 0 ? json_integer(s->server_port) : json_null(),
                     "in_recovery", s->in_recovery < 0 ? json_null() : json_boolean(s->in_recovery),
                     "system_id", s->system_id[0] ? json_string(s->system_id) : json_null(),
                     "timeline", s->timeline > 0 ? json_integer(s->timeline) : json_null(),
                     "at_unix_ms", (json_int_t)s->at_unix_ms);
}

bool server_id_from_json(const json_t *j, struct server_id *s)
{
    const char *host, *port;
    json_t *addr = NULL, *sport = NULL, *rec, *sys, *tl;
    json_int_t at;
    if (json_unpack((json_t *)j, "{s:s, s:s, s?o, s?o, s:o, s:o, s:o, s:I}", "host", &host, "port",
                    &port, "server_addr", &addr, "server_port", &sport, "in_recovery", &rec,
                    "system_id", &sys, "timeline", &tl, "at_unix_ms", &at) != 0 ||
        !(addr == NULL || json_is_string(addr) || json_is_null(addr)) ||
        !(sport == NULL || json_is_integer(sport) || json_is_null(sport)) ||
        !(json_is_boolean(rec) || json_is_null(rec)) ||
        !(json_is_string(sys) || json_is_null(sys)) || !(json_is_integer(tl) || json_is_null(tl)))
        return false;
    memset(s, 0, sizeof *s);
    snprintf(s->host, sizeof s->host, "%s", host);
    snprintf(s->port, sizeof s->port, "%s", port);
    if (json_is_string(addr))
        snprintf(s->server_addr, sizeof s->server_addr, "%s", json_string_value(addr));
    s->server_port = json_is_integer(sport) ? (int)json_integer_value(sport) : 0;
    s->in_recovery = json_is_null(rec) ? -1 : json_is_true(rec);
    snprintf(s->system_id, sizeof s->system_id, "%s", json_is_string(sys) ? json_string_value(sys) : "");
    s->timeline = json_is_integer(tl) ? json_integer_value(tl) : 0;
    s->at_unix_ms = at;
    return true;
}

void server_node(const struct server_id *s, char *out, size_t size)
{
    if (s->server_addr[0] == '\0')
        snprintf(out, size, "-");
    else if (strchr(s->server_addr, ':')) /* IPv6 */
        snprintf(out, size, "[%s]:%d", s->server_addr, s->server_port);
    else
        snprintf(out, size, "%s:%d", s->server_addr, s->server_port);
}

bool server_id_same(const struct server_id *a, const struct server_id *b)
{
    return strcmp(a->host, b->host) == 0 && strcmp(a->port, b->port) == 0 &&
           strcmp(a->server_addr, b->server_addr) == 0 && a->server_port == b->server_port &&
           strcmp(a->system_id, b->system_id) == 0 && a->timeline == b->timeline &&
           a->in_recovery == b->in_recovery;
}

struct tally_row {
    struct server_count c;
    int last_worker; /* the last worker counted in c.workers */
};

/* The row of s in rows (appended when new); NULL when out of memory. */
static struct tally_row *tally_row(struct tally_row **rows, int *n, int *cap,
                                   const struct server_id *s)
{
    for (int i = 0; i < *n; i++)
        if (server_id_same(&(*rows)[i].c.id, s)) return &(*rows)[i];
    if (*n == *cap) {
        int grown_cap = *cap ? 2 * *cap : 8;
        struct tally_row *grown = realloc(*rows, (size_t)grown_cap * sizeof *grown);
        if (grown == NULL) return NULL;
        *rows = grown;
        *cap = grown_cap;
    }
    struct tally_row *r = &(*rows)[(*n)++];
    *r = (struct tally_row){.c = {.id = *s}, .last_worker = -1};
    return r;
}

int servers_tally(const struct worker_trails *w, struct server_count *out, int max,
                  int64_t *earlier)
{
    struct tally_row *rows = NULL;
    int n = 0, cap = 0;
    *earlier = 0;
    for (size_t wi = 0; wi < w->n; wi++) {
        const struct worker_trail *t = &w->items[wi];
        *earlier += t->earlier;
        for (int si = 0; si < t->n; si++) {
            struct tally_row *r = tally_row(&rows, &n, &cap, &t->servers[si]);
            if (r == NULL) {
                free(rows);
                return -1;
            }
            r->c.connections++;
            if (r->last_worker != (int)wi) r->c.workers++;
            r->last_worker = (int)wi;
        }
    }
    for (int i = 0; i < n && i < max; i++)
        out[i] = rows[i].c;
    free(rows);
    return n;
}

#define SERVERS_SHOWN 16

void servers_print(FILE *out, const struct worker_trails *w)
{
    struct server_count rows[SERVERS_SHOWN];
    int64_t earlier;
    int n = servers_tally(w, rows, SERVERS_SHOWN, &earlier);
    if (n <= 0) return;
    /* The address connected to (a proxy's, behind one), then the node the server says it is. */
    text_printf(out, "%-36s %-21s %11s %11s  %-9s %-20s %s\n", "servers reached", "node",
                "connections", "workers", "role", "system_id", "timeline");
    for (int i = 0; i < n && i < SERVERS_SHOWN; i++) {
        const struct server_count *c = &rows[i];
        char where[80], node[64], timeline[24];
        snprintf(where, sizeof where, "%s:%s", c->id.host, c->id.port);
        server_node(&c->id, node, sizeof node);
        snprintf(timeline, sizeof timeline, "%lld", (long long)c->id.timeline);
        text_printf(out, "  %-34s %-21s %11lld %11lld  %-9s %-20s %s\n", where, node,
                    (long long)c->connections, (long long)c->workers,
                    c->id.in_recovery < 0 ? "?"
                    : c->id.in_recovery   ? "standby"
                                          : "primary",
                    c->id.system_id[0] ? c->id.system_id : "-",
                    c->id.timeline > 0 ? timeline : "-");
    }
    if (n > SERVERS_SHOWN)
        text_printf(out, "  ... %d more servers (see the JSON)\n", n - SERVERS_SHOWN);
    if (earlier) text_printf(out, "  (%lld earlier connections not kept)\n", (long long)earlier);
}
