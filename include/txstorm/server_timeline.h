/* The workers' servers over time, for the text report: a line each time
 * workers move to another server (host and port, node, role, timeline),
 * the workers that moved to the same server within a second of each other
 * on one line ("all" when they are every worker). Read from the result's
 * worker trails (servers.h); pure. */
#ifndef TXSTORM_SERVER_TIMELINE_H
#define TXSTORM_SERVER_TIMELINE_H

#include "txstorm/servers.h"
#include <stdint.h>
#include <stdio.h>

/* Connections to one server this close to a line's first join that line. */
#define SERVER_TIMELINE_GROUP_MS 1000

/* One line: the first connection's time, the server, and its workers
 * (indexes into the trails, ascending). */
struct server_move {
    int64_t at_unix_ms;
    struct server_id id;
    int n_workers;
    int *workers;
};

/* The moves in time order into *out (free with server_moves_free): each
 * worker's first server and every change of server after it; a reconnect
 * to the server it had is no move. Returns how many, or -1 when memory
 * runs out. */
int server_moves(const struct worker_trails *w, struct server_move **out);
void server_moves_free(struct server_move *moves, int n);

/* One line of the timeline as people read it, times in seconds since
 * origin_unix_us (the workers' start, as the failover timeline's) and as
 * UTC wall-clock time of day. */
struct server_timeline_line {
    double t_s;
    char utc[16];
    char workers[256]; /* "all N", or "0-2,5" ("instance:worker" after a merge) */
    char server[80];   /* host:port as the client reached it */
    char node[64];     /* the server's own address and port (servers.h) */
    const char *role;  /* "primary", "standby" or "?" */
    char timeline[24]; /* "-" when not offered */
};

/* The lines into *out (free() them), none unless some worker changed
 * server: how many, or -1 when memory runs out. */
int server_timeline_lines(const struct worker_trails *w, int64_t origin_unix_us,
                          struct server_timeline_line **out);

/* The text report's part: the first lines of the timeline. */
void server_timeline_print(FILE *out, const struct worker_trails *w, int64_t origin_unix_us);

#endif
