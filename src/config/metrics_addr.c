/* Reading --metrics-addr. */
#include "txstorm/metrics_server.h"

#include "txstorm/decimal.h"
#include "txstorm/errbuf.h"

#include <string.h>

int metrics_addr_parse(const char *addr, char host[METRICS_HOST_MAX], int *port, char *err,
                       size_t err_len)
{
    const char *colon = strrchr(addr, ':');
    if (colon == NULL)
        return errbuf_fail(err, err_len, "--metrics-addr: '%s' is not HOST:PORT (e.g. :9650)",
                           addr);
    const char *h = addr;
    size_t n = (size_t)(colon - addr);
    if (n > 0 && h[0] == '[') {
        /* [IPv6]:PORT: the brackets are not part of the address. */
        if (h[n - 1] != ']' || n < 3)
            return errbuf_fail(err, err_len, "--metrics-addr: '%s' is not [IPV6]:PORT", addr);
        h++;
        n -= 2;
    } else if (memchr(h, ':', n) != NULL) {
        return errbuf_fail(err, err_len,
                           "--metrics-addr: '%s': an IPv6 address goes in brackets, [::1]:PORT",
                           addr);
    }
    if (n >= METRICS_HOST_MAX)
        return errbuf_fail(err, err_len, "--metrics-addr: the host is longer than %d bytes",
                           METRICS_HOST_MAX - 1);
    if (n == 0) {
        strcpy(host, "127.0.0.1"); /* a bare :PORT stays on this machine */
    } else {
        memcpy(host, h, n);
        host[n] = '\0';
    }
    int64_t v;
    if (decimal_parse_whole(colon + 1, strlen(colon + 1), &v) != 0 || v < 0 || v > 65535)
        return errbuf_fail(err, err_len,
                           "--metrics-addr: '%s': the port is not 1..65535 (or 0: any free one)",
                           addr);
    *port = (int)v;
    return 0;
}
