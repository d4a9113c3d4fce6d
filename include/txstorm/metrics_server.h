/* Serving the live metrics: an HTTP server (libmicrohttpd, its own thread)
 * answering GET /metrics with the exposition last published. The run's
 * collector publishes once per progress interval; a scrape takes only the
 * lock that guards the published text, which no worker ever takes. */
#ifndef TXSTORM_METRICS_SERVER_H
#define TXSTORM_METRICS_SERVER_H

#include <stdbool.h>
#include <stddef.h>

/* Longest host part of --metrics-addr. */
#define METRICS_HOST_MAX 256

/* Reads --metrics-addr: HOST:PORT, [IPV6]:PORT, or :PORT for 127.0.0.1
 * (loopback unless a host is named); PORT 1..65535, or 0 for a free port the
 * system picks. Pure. 0, or -1 with one line in err. */
int metrics_addr_parse(const char *addr, char host[METRICS_HOST_MAX], int *port, char *err,
                       size_t err_len);

struct metrics_server;

/* Binds addr and starts serving (an empty exposition until the first
 * publish); NULL with one line in err when the address is bad or cannot
 * be bound (a port in use). Signals are blocked in the server's thread. */
struct metrics_server *metrics_server_start(const char *addr, char *err, size_t err_len);

/* Where it serves: "http://HOST:PORT/metrics", the port the one bound
 * (the one the system picked for port 0). Returns whether the system
 * picked it (port 0 was asked for): then only this tells the port. */
bool metrics_server_url(const struct metrics_server *s, char *out, size_t len);

/* Hands over the next expositions, text and OpenMetrics (both malloc'd,
 * NUL-terminated; the server frees them). NULL: kept as they were. */
void metrics_server_publish(struct metrics_server *s, char *text, size_t text_len, char *om,
                            size_t om_len);

/* Stops serving and frees s (NULL: nothing). */
void metrics_server_stop(struct metrics_server *s);

#endif
