/* libFuzzer target: every parser of outside input on arbitrary bytes — the
 * command line and its value parsers, DSN redaction and password scrubbing,
 * result files as `report`, `merge`, `check --result` and `--hgrm` read
 * them, and HdrHistogram's base64 histogram encoding. A crash, a hang or a
 * sanitizer report is a finding; an error return is not.
 *
 * The first byte picks the parser, so one corpus holds seeds for all of them. */
#define _GNU_SOURCE
#include "txstorm/assertion.h"
#include "txstorm/dsn.h"
#include "txstorm/hgrm.h"
#include "txstorm/hist_hdr.h"
#include "txstorm/ledger.h"
#include "txstorm/ledger_record.h"
#include "txstorm/options.h"
#include "txstorm/report.h"
#include "txstorm/trigger.h"
#include "txstorm/workload.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_ARGS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The option, duration, number, skew, assertion load phase and trigger parsers. */
static void fuzz_command_line(char *text)
{
    int64_t i64;
    double d;
    char err[OPTIONS_ERR_MAX];
    options_parse_duration_us(text, &i64);
    options_parse_int(text, INT64_MIN, INT64_MAX, &i64);
    options_parse_double(text, -1e300, 1e300, &d);
    struct assertion a;
    assertion_parse(text, &a, err, sizeof err);
    struct skew k;
    workload_parse_skew(text, &k, err, sizeof err);
    struct phases ph;
    phases_parse(text, &ph, err, sizeof err);
    struct trigger_plan plan = {0};
    if (trigger_plan_add(&plan, text, err, sizeof err) == 0)
        trigger_plan_check(&plan, 30000000, false, 16, err, sizeof err);

    /* The input split on newlines as a command line: "run", flags and values. */
    char *argv[MAX_ARGS + 1] = {"txstorm"};
    int argc = 1;
    for (char *p = text; argc < MAX_ARGS && p && *p;) {
        argv[argc++] = p;
        p = strchr(p, '\n');
        if (p) *p++ = '\0';
    }
    struct config cfg;
    options_parse(argc, argv, NULL, &cfg, err, sizeof err);
}

/* The redacted form of connection options and the message scrub: the
 * input's lines are "key=value" options (a leading '*' marks a secret), a
 * line without '=' a message to scrub. libpq's own parser, which produces the
 * options in the tool, is libpq's to fuzz. */
static void fuzz_dsn(char *text)
{
    struct dsn_option opts[16];
    const char *secrets[17];
    int n = 0, n_secrets = 0;
    char *line = text, *message = "";
    while (line && *line && n < 16) {
        char *next = strchr(line, '\n');
        if (next) *next++ = '\0';
        char *eq = strchr(line, '=');
        if (eq == NULL) {
            message = line;
        } else {
            *eq = '\0';
            bool secret = *line == '*';
            opts[n++] =
                (struct dsn_option){.key = line + secret, .value = eq + 1, .secret = secret};
            if (secret) secrets[n_secrets++] = eq + 1;
        }
        line = next;
    }
    secrets[n_secrets] = NULL;
    char out[1024], err[256], scrubbed[2048];
    dsn_validate(opts, n, err, sizeof err);
    dsn_format_redacted(opts, n, out, sizeof out);
    /* The redacted form does not depend on the secrets at all: with every
     * secret value replaced, it comes out the same. */
    struct dsn_option blind[16];
    for (int i = 0; i < n; i++) {
        blind[i] = opts[i];
        if (opts[i].secret) blind[i].value = "not the secret";
    }
    char blind_out[1024];
    dsn_format_redacted(blind, n, blind_out, sizeof blind_out);
    if (strcmp(out, blind_out) != 0) abort();
    dsn_scrub(message, secrets, scrubbed, sizeof scrubbed);
    /* The message read as libpq's refusal of the string: a name or nothing. */
    char option[64];
    if (dsn_unknown_option(message, option, sizeof option) && strlen(option) >= sizeof option)
        abort();
}

/* A result file: loaded, merged with itself, printed, its spectrum written,
 * its ledger read back. The loaders take a path, so the bytes go to a
 * memory-backed file. */
static void fuzz_result(const uint8_t *data, size_t size)
{
    int fd = memfd_create("result", MFD_CLOEXEC);
    if (fd < 0) return;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return;
    }
    char path[64], err[512];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    FILE *sink = fopen("/dev/null", "w");
    struct run_summary s;
    if (sink && report_load(path, &s, err, sizeof err) == 0) {
        report_consistent(&s, path, err, sizeof err);
        report_print_text(sink, &s);
        hgrm_write(sink, s.total.hist[HIST_LATENCY], 1000.0);
        struct run_summary *both[] = {&s, &s}, merged;
        if (report_merge(both, 2, &merged, err, sizeof err) == 0) report_summary_free(&merged);
        report_summary_free(&s);
    }
    struct ledger_record r;
    if (report_load_ledger(path, &r, err, sizeof err) == 0) ledger_record_free(&r);
    if (sink) fclose(sink);
    close(fd);
}

/* An HdrHistogram histogram as a log line carries it: decoded, and what
 * decodes must encode to text that decodes to the same counts. */
static void fuzz_hist_hdr(const char *text)
{
    char err[256];
    struct hist *h = hist_hdr_decode(text, err, sizeof err);
    if (h == NULL) return;
    char *again = hist_hdr_encode(h);
    struct hist *back = again ? hist_hdr_decode(again, err, sizeof err) : NULL;
    if (again != NULL &&
        (back == NULL || back->counts_len != h->counts_len ||
         memcmp(back->counts, h->counts, (size_t)h->counts_len * sizeof *h->counts) != 0))
        abort();
    hist_destroy(back);
    free(again);
    hist_destroy(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    uint8_t which = data[0] % 4;
    data++;
    size--;
    if (which == 2) {
        fuzz_result(data, size);
        return 0;
    }
    char *text = malloc(size + 1);
    if (text == NULL) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (which == 0)
        fuzz_command_line(text);
    else if (which == 1)
        fuzz_dsn(text);
    else
        fuzz_hist_hdr(text);
    free(text);
    return 0;
}
