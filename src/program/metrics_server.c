/* The /metrics endpoint, served by libmicrohttpd from a thread of its own. */
#define _GNU_SOURCE /* getaddrinfo's flags */
#include "txstorm/metrics_server.h"

#include "txstorm/errbuf.h"
#include "txstorm/metrics.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Prometheus scrapes a target over one connection at a time, so these limits
 * are for everyone else: connections that send nothing (a port scanner, a
 * client left open) must not lock a scraper out. An idle one is closed after
 * the timeout; one address may hold only half the connections, so another
 * always finds room, and one address holding 16 still leaves its own scraper
 * room. */
#define METRICS_CONNECTIONS_MAX 64
#define METRICS_CONNECTIONS_PER_ADDRESS 32
#define METRICS_CONNECTION_TIMEOUT_S 2

struct metrics_server {
    char url[METRICS_HOST_MAX + 32]; /* where it serves, its bound port */
    bool port_picked;                /* port 0 was asked for: the system picked it */
    struct MHD_Daemon *daemon;
    int fd; /* the listening socket until the daemon has it */
    /* Taken by the collector to swap in new text and by the server's thread
     * to copy it out; never by a worker. */
    pthread_mutex_t lock;
    char *text[2]; /* by enum metrics_format */
    size_t len[2];
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             const char *body, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_len, void **con_cls)
{
    (void)version, (void)upload, (void)upload_len, (void)con_cls;
    struct metrics_server *s = cls;
    static const char plain[] = "text/plain; charset=utf-8";
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        static const char msg[] = "only GET /metrics\n";
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, plain, msg, sizeof msg - 1);
    }
    if (strcmp(url, "/metrics") != 0) {
        static const char msg[] = "txstorm serves /metrics\n";
        return reply(c, MHD_HTTP_NOT_FOUND, plain, msg, sizeof msg - 1);
    }
    enum metrics_format f =
        metrics_negotiate(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
    pthread_mutex_lock(&s->lock);
    enum MHD_Result ok = reply(c, MHD_HTTP_OK, metrics_content_type(f),
                               s->text[f] ? s->text[f] : "", s->text[f] ? s->len[f] : 0);
    pthread_mutex_unlock(&s->lock);
    return ok;
}

/* A listening socket on host:port; -1 with why in err. Bound here rather
 * than by libmicrohttpd so that a port in use is said as such. */
static int listen_on(const char *host, int port, char *err, size_t err_len)
{
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *list;
    int rc = getaddrinfo(host, service, &hints, &list);
    if (rc != 0)
        return errbuf_fail(err, err_len, "--metrics-addr: '%s': %s", host, gai_strerror(rc));
    int fd = -1, error = 0;
    for (struct addrinfo *a = list; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            error = errno;
            continue;
        }
        int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, METRICS_CONNECTIONS_MAX) != 0) {
            error = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    if (fd < 0)
        errbuf_fail(err, err_len, "--metrics-addr: cannot listen on %s port %d: %s", host, port,
                    strerror(error));
    return fd;
}

struct metrics_server *metrics_server_start(const char *addr, char *err, size_t err_len)
{
    char host[METRICS_HOST_MAX];
    int port;
    if (metrics_addr_parse(addr, host, &port, err, err_len) != 0) return NULL;
    int fd = listen_on(host, port, err, err_len);
    if (fd < 0) return NULL;
    struct metrics_server *s = calloc(1, sizeof *s);
    if (s == NULL) {
        close(fd);
        errbuf_fail(err, err_len, "--metrics-addr: out of memory");
        return NULL;
    }
    s->fd = fd;
    pthread_mutex_init(&s->lock, NULL);
    /* The port bound: the one asked for, or the one the system picked for 0. */
    s->port_picked = port == 0;
    struct sockaddr_storage bound;
    socklen_t bound_len = sizeof bound;
    if (getsockname(fd, (struct sockaddr *)&bound, &bound_len) == 0)
        port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                 : ((struct sockaddr_in *)&bound)->sin_port);
    bool v6 = strchr(host, ':') != NULL;
    snprintf(s->url, sizeof s->url, "http://%s%s%s:%d/metrics", v6 ? "[" : "", host, v6 ? "]" : "",
             port);
    /* The server's thread inherits a mask with every signal blocked: the
     * run's own thread is the one that takes the stop signals. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    /* MHD_USE_ITC: stopping wakes the server's thread through a channel of its
     * own. Without it the stop shuts the listening socket down, which wakes
     * nothing once the connection limit has taken that socket out of the
     * thread's poll: the exit then waited for the poll's timeout. */
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC, 0, NULL, NULL, on_request, s,
        MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)METRICS_CONNECTIONS_MAX, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)METRICS_CONNECTIONS_PER_ADDRESS, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)METRICS_CONNECTION_TIMEOUT_S, MHD_OPTION_END);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (s->daemon == NULL) {
        errbuf_fail(err, err_len, "--metrics-addr: the HTTP server did not start on %s port %d",
                    host, port);
        metrics_server_stop(s);
        return NULL;
    }
    s->fd = -1; /* the daemon closes its listening socket when it stops */
    return s;
}

bool metrics_server_url(const struct metrics_server *s, char *out, size_t len)
{
    snprintf(out, len, "%s", s->url);
    return s->port_picked;
}

void metrics_server_publish(struct metrics_server *s, char *text, size_t text_len, char *om,
                            size_t om_len)
{
    char *old[2] = {NULL, NULL};
    pthread_mutex_lock(&s->lock);
    if (text) {
        old[METRICS_TEXT] = s->text[METRICS_TEXT];
        s->text[METRICS_TEXT] = text;
        s->len[METRICS_TEXT] = text_len;
    }
    if (om) {
        old[METRICS_OPENMETRICS] = s->text[METRICS_OPENMETRICS];
        s->text[METRICS_OPENMETRICS] = om;
        s->len[METRICS_OPENMETRICS] = om_len;
    }
    pthread_mutex_unlock(&s->lock);
    free(old[0]);
    free(old[1]);
}

void metrics_server_stop(struct metrics_server *s)
{
    if (s == NULL) return;
    if (s->daemon) MHD_stop_daemon(s->daemon);
    if (s->fd >= 0) close(s->fd);
    pthread_mutex_destroy(&s->lock);
    free(s->text[0]);
    free(s->text[1]);
    free(s);
}
