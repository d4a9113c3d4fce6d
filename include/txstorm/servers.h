/* Which server each connection reached: host and port as libpq reports
 * them, the address and port the server itself took it on (behind a proxy:
 * the node), whether it was in recovery, and where the server says so its system
 * identifier and timeline. A worker keeps the last SERVER_TRAIL_MAX of its
 * (re)connects and counts the rest; the report tallies them per server.
 * Pure: the db module fills a server_id, this module keeps and writes them. */
#ifndef TXSTORM_SERVERS_H
#define TXSTORM_SERVERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The connections a worker remembers; older ones are only counted. */
#define SERVER_TRAIL_MAX 64

struct server_id {
    char host[64];        /* PQhost: a name, an address or a socket directory */
    char port[8];         /* PQport */
    char server_addr[48]; /* inet_server_addr(); "": a Unix socket, or not offered */
    int server_port;      /* inet_server_port(); 0: as server_addr */
    int in_recovery;      /* 1, 0, or -1: the server cannot say */
    char system_id[24];   /* pg_control_system()'s identifier, decimal; "": not offered */
    int64_t timeline;     /* 0: not offered (CockroachDB, YugabyteDB) */
    int64_t at_unix_ms;
};

/* The last SERVER_TRAIL_MAX connections of one worker, a ring. */
struct server_trail {
    struct server_id ring[SERVER_TRAIL_MAX];
    int next, kept;
    int64_t earlier; /* connections no longer kept */
};

void server_trail_add(struct server_trail *t, const struct server_id *s);

/* The i-th kept connection, oldest first (0 <= i < t->kept). */
const struct server_id *server_trail_at(const struct server_trail *t, int i);

/* {"host", "port", "server_addr" (string or null), "server_port" (number or
 * null), "in_recovery" (true/false/null), "system_id" (string or null),
 * "timeline" (number or null), "at_unix_ms"} */
json_t *server_id_json(const struct server_id *s);

/* Back from server_id_json (a result without server_addr and server_port,
 * from before them, reads as not offered); false when j is not of its form. */
bool server_id_from_json(const json_t *j, struct server_id *s);

/* Whether a and b are one server as the tally tells them apart: host, port,
 * node, system identifier, timeline and role. */
bool server_id_same(const struct server_id *a, const struct server_id *b);

/* "addr:port" of the node the server says it is, or "-" when it does not say. */
void server_node(const struct server_id *s, char *out, size_t size);

/* One worker's kept connections as a result holds them. */
struct worker_trail {
    int instance; /* after a merge, the instance it was one of; -1: the run's own */
    int worker;
    int n;                     /* connections kept, oldest first */
    struct server_id *servers; /* n of them */
    int64_t earlier;           /* connections no longer kept */
};

/* Every worker's trail. present: the result has the part (an older one may not). */
struct worker_trails {
    struct worker_trail *items;
    size_t n;
    bool present;
};

/* Appends worker's ring as a trail of the run's own (instance -1). */
bool worker_trails_add_ring(struct worker_trails *w, const struct server_trail *t, int worker);

/* Appends a copy of t; instance >= 0 names the instance it came from (a
 * merge's rule: trails are concatenated, each with its instance), -1 keeps t's. */
bool worker_trails_append(struct worker_trails *w, const struct worker_trail *t, int instance);

void worker_trails_free(struct worker_trails *w);

/* [{"worker", "servers": [oldest first, server_id_json each], "earlier":
 * connections not kept, "instance" (after a merge only)}] */
json_t *worker_trails_json(const struct worker_trails *w);

/* Back from worker_trails_json's form: 0, or -1 with one line in err (w is
 * left empty). */
int worker_trails_decode(const json_t *j, struct worker_trails *w, char *err, size_t err_len);

/* One server as server_id_same tells it apart (a promoted standby is a new
 * row: a new timeline). */
struct server_count {
    struct server_id id; /* its at_unix_ms: the first connection to it */
    int64_t connections;
    int64_t workers; /* workers that reached it */
};

/* Tallies the workers' trails: at most max rows into out, in order of
 * first connection; returns how many rows there are (more than max: the
 * rest were not written), or -1 when out of memory. *earlier gets the
 * connections no longer kept. */
int servers_tally(const struct worker_trails *w, struct server_count *out, int max,
                  int64_t *earlier);

/* The text report's part: one line per server, with its connections. Prints
 * nothing when there is nothing to tell (an older result). */
void servers_print(FILE *out, const struct worker_trails *w);

#endif
