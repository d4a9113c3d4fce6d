/* libFuzzer target: the option, duration, rate, skew and assertion parsers
 * on arbitrary input. A crash, a hang or a sanitizer report is a finding; an
 * error return is not. */
#include "txstorm/assertion.h"
#include "txstorm/options.h"
#include "txstorm/workload.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL) return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    /* The whole input as each single-value parser's argument. */
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
    free(text);
    return 0;
}
