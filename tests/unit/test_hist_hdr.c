/* HdrHistogram's V2 encoding: round trips, histograms encoded by HdrHistogram's
 * own implementations, and refusal of anything malformed. */
#include "txstorm/base64.h"
#include "txstorm/hist.h"
#include "txstorm/hist_hdr.h"
#include "txstorm/rng.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const int64_t highest = 3600LL * 1000000;

static struct hist *decode_ok(const char *text)
{
    char err[256] = "";
    struct hist *d = hist_hdr_decode(text, err, sizeof err);
    if (d == NULL) fail_msg("decode: %s", err);
    return d;
}

static struct hist *round_trip(const struct hist *h)
{
    char *text = hist_hdr_encode(h);
    assert_non_null(text);
    assert_memory_equal(text, "HISTF", 5);
    struct hist *d = decode_ok(text);
    free(text);
    return d;
}

/* What the encoding carries exactly, and what it carries to the bucket. */
static void assert_same_counts(const struct hist *h, const struct hist *d)
{
    assert_int_equal(d->highest, h->highest);
    assert_int_equal(d->sig_figs, h->sig_figs);
    assert_int_equal(d->counts_len, h->counts_len);
    assert_memory_equal(d->counts, h->counts, (size_t)h->counts_len * sizeof *h->counts);
    assert_int_equal(d->total_count, h->total_count);
    assert_int_equal(d->clamped, 0);
    if (h->total_count == 0) {
        assert_int_equal(d->min, INT64_MAX);
        assert_int_equal(d->max, 0);
        return;
    }
    assert_true(hist_values_equivalent(h, d->min, h->min));
    assert_true(d->min <= h->min);
    assert_int_equal(d->max, hist_highest_equivalent(h, h->max));
    const double ps[] = {0, 1, 25, 50, 90, 99, 99.9, 99.99, 100};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        assert_int_equal(hist_highest_equivalent(d, hist_value_at_percentile(d, ps[i])),
                         hist_highest_equivalent(h, hist_value_at_percentile(h, ps[i])));
}

static void empty_histogram_round_trips(void **state)
{
    (void)state;
    struct hist *h = hist_create(highest, 3);
    struct hist *d = round_trip(h);
    assert_same_counts(h, d);
    assert_true(hist_mean(d) == 0.0);
    hist_destroy(d);
    hist_destroy(h);
}

static void single_value_round_trips(void **state)
{
    (void)state;
    struct hist *h = hist_create(highest, 3);
    hist_record(h, 42);
    struct hist *d = round_trip(h);
    assert_same_counts(h, d);
    assert_int_equal(d->min, 42);
    assert_int_equal(d->max, 42);
    assert_true(hist_mean(d) == 42.0);
    assert_int_equal(hist_value_at_percentile(d, 50), 42);
    hist_destroy(d);
    hist_destroy(h);
}

/* Log-uniform values over nine decades, with zeros mixed in. */
static void many_values_round_trip_at_every_precision(void **state)
{
    (void)state;
    struct rng r;
    rng_seed(&r, 2025, 0);
    for (int sf = 1; sf <= 5; sf++) {
        struct hist *h = hist_create(highest, sf);
        for (int i = 0; i < 20000; i++)
            hist_record(h, rng_below(&r, 100) == 0 ? 0 : (int64_t)exp(log(1e9) * rng_unit(&r)));
        struct hist *d = round_trip(h);
        assert_same_counts(h, d);
        /* The mean from bucket midpoints, within the bucket width. */
        assert_true(fabs(hist_mean(d) - hist_mean(h)) <= hist_mean(h) * pow(10, -sf));
        hist_destroy(d);
        hist_destroy(h);
    }
}

static void highest_value_and_huge_counts_round_trip(void **state)
{
    (void)state;
    struct hist *h = hist_create(HIST_HDR_HIGHEST_MAX, 2);
    hist_record(h, HIST_HDR_HIGHEST_MAX);
    hist_record(h, 1);
    struct hist *d = round_trip(h);
    assert_same_counts(h, d);
    assert_int_equal(d->min, 1);
    hist_destroy(d);
    hist_destroy(h);

    /* Counts that take all nine bytes of HdrHistogram's LEB128, the last
     * one all eight bits of its last byte. */
    h = hist_create(1000, 3);
    h->counts[5] = INT64_MAX / 2;
    h->counts[700] = INT64_MAX / 2;
    h->total_count = INT64_MAX / 2 * 2;
    h->min = 5;
    h->max = 700;
    d = round_trip(h);
    assert_same_counts(h, d);
    hist_destroy(d);
    h->counts[5] = 0;
    h->counts[700] = INT64_MAX;
    h->total_count = INT64_MAX;
    h->min = 700;
    d = round_trip(h);
    assert_same_counts(h, d);
    hist_destroy(d);
    hist_destroy(h);
}

/* Encoded by HdrHistogram's Java implementation (as hdr-histogram-js's tests,
 * src/encoding.spec.ts, quote it): one value, 42, at 3 figures. */
static void decodes_a_java_encoding(void **state)
{
    (void)state;
    struct hist *d = decode_ok("HISTFAAAAB542pNpmSzMwMDAxAABzFCaEUoz2X+AMIKZAEARAtM=");
    assert_int_equal(d->sig_figs, 3);
    assert_int_equal(d->total_count, 1);
    assert_int_equal(d->counts[42], 1);
    assert_int_equal(d->min, 42);
    assert_int_equal(d->max, 42);
    assert_true(hist_mean(d) == 42.0);
    hist_destroy(d);
}

/* hdr-histogram-js's own encoding of 42 (its test "should encode and compress
 * an histogram to a base64 string"): it writes a normalizing index offset of
 * 1 and the conversion ratio as the integer 1, which readers ignore. */
static void decodes_a_javascript_encoding(void **state)
{
    (void)state;
    struct hist *d = decode_ok("HISTFAAAAB94nJNpmSzMwMDABMSMQMzMAAGMUJoJxg9mAgA1TQGm");
    assert_int_equal(d->total_count, 1);
    assert_int_equal(d->counts[42], 1);
    assert_int_equal(hist_value_at_percentile(d, 50), 42);
    hist_destroy(d);
}

/* hdr-histogram-js's "big base64 string" (10000 values, its tests say); the
 * percentiles are what hdr-histogram-js 3.0.1 reports for it. */
static const char big_js[] =
    "HISTFAAACGB42j1WQY4cuRGks7KzWWwOh1NTGo1GEmzBWCx0EAxjsdiTsdiTD4ZPfoa/4R/4o/"
    "7BOiKSrWnNVBWLzIyMiMzW"
    "p//897mUA7/62db1D/n3999//V8umBW74POTPds7+4In2/xq722zv9huj/bRbvZH+2oPdrV3vtu//AOeP9if8Ra7H7Dlhl"
    "cPePyo+w1xrrh+84uZFzd7QkyEL/ZXJPgN295jC5bsii0FN084/BXXDQH+jqPMlhn5eYf1D/beb9h7BdSfseMJGG5C94h3"
    "BRFveibyZ9x9wR1KeaebR0P8J/vVfsCbHevv7DOxPxt2/1MrLOQz3j8BH2DjhOHpA/ZfEILRWaD9bZHyb7z60X6xRxByMz"
    "xsQEJsCPlNoP/BFI849WQP/iy+cHJHqG+4veIAWcf+DQ9Y51MRBRueHlRqEbOPXqQR74Ec28Dab9pseLpqI7na/bPCPuBz"
    "0xskIIAvUqVIpQdTcr7/Afje68RHpPwsBrXnUYE3UVy0AYubljZTggshU+gdlTHej6iyJEfXuOb+B51wcXdbzD/yaFkQNn"
    "+fXnHBY7In5Sgi4wb34IYciy83hbxSG/pJFipa+VnByeJXFMPD0pQMoUTc+i3BExV+bgKa98WYHqk2GnaH+bPg3Xl8X9AE"
    "ZpcI4qCsDx/9kpfMWJyG3Xz3PQGWDI88N2myqfh1c9H10XQT4qoI1E19uC87cKMLtS2byDWs3u6Qnlyet7gqYvHtTnWaKX"
    "ndXBZ6oo2IGJTnywxyuT/tstx+p2ZTBQKQql6F67ogJCWXxO4cIrhcJfwui1ouMTInwc1vi8RLtSUuJarJNYtGjgcpuPuD"
    "cHBgMMQqyiwZUF0C4ImHhRehVqurp7w0npbmm2yllFTJXEJv3wNJL/LEQlYxFw9bei3hmY9oWJO70goSLxpr3q+22EhF43"
    "4Sa/i58M+yTSKGdHYJW6aETlouZMIyrSbqCgd6N6DyBJ3q4TUmLlNuUcJZoTasfmAtSLBpLssdC96+ig9Cu3PKZ0/RNZsy"
    "ENkDXiZOrusmWXYcjs2yjbDX9ljQfV3ijoMPvEbiJvOeTIGRO0OXO5ll1U6W2bqhAsDelenq9/Zy+dnVAQv5fudVfUcAG1"
    "5gGFRGvvrVy3cmNqa+eIlkZbkT7ighNrZEcwmtMaQno241JTed3URhOuOSE6wsDRapRVnFhpJdkxZfv3GLrJqu5LZLLi+X"
    "pOfFaRISd19d6BkMlmBcNOxW0zmF5odgllbO/lCxPEKDkP9lVjKULpF/WEXdeA1lYo3A3oSYXIa4KLWwQZitlaixpfXYzn"
    "iV6nPbQDaPKIIu/SuTBk7JuVhWJJcXeSi80hQMmbTLh7Ws0qsoRIoadRNFZBY5NtoxP3jp6kjiR8BNdTFbLNRllIj8ErLO"
    "gcDV7qsXbKu0SFSK4FU80l7Yhr2DrHNjIAvh8FUGcxqDYlovqiPVCiXfKhfUcNnAcpHUjNWGjZi5iUiT3bpVYKucA0TM7S"
    "5QVWR6PkjCFBx7OuGRIzFcazgUwraS/sk6inedzENVRZnc0XL0izNrOKxQauPm3tgfqC2p1SqtxgQkpLgaTtR7qIPYghHi"
    "hqe6NAhbLROaYT2/yJxKcJAJag67xn/6b6UgBtNHzcmH9Y7LgFTf86nRYCCqKiOrmODpyFlrpsKjKX3AayLK6OKarcUnrJ"
    "ckOKk3fW14fgWsdg0NsEySspJnygVIta7h17Nn2cClVc+5Fzp5SW9KQBJZt/Wl4voGoys13gsNjinMmu8y0lhdfLC1kgA1"
    "cLBdOoEnj9Sb2hVrfcIPECO8NfwB791rZ19RZ+yLjmrxjH9QrEPo5r0Ovnd2HQ4OvBit19oqtanRkL2hyOqNkwgP2BzHyd"
    "ZG5CYhu0yGfYFzzkFSOzB1Grnxq9GzE7ypsfxAFmIYDdfRG9gEUCTD+8ZJAHlG57CAnEgCCqczdMhvAFVUGRAP49xoqBr4"
    "bVLNNg2BmiplOoQFPsZ2nOnYxWZrfQBhVIwG1FZZFT5HdxWrTgweZm/JiCgV25kMEQfrl68rVUECyhTE3CIdELwJze0u0j"
    "grrHfOCrgaK9hdR0eGMch+JXGpTggNzkKIThVqBVCUNBobodN+YAqFkUGUCUt0Dg5ALNNGdjwq5ixpnXVoevAAqGM0mgtn"
    "iDlG5Zxx6HcGItlI7G1SyANyAQDVBFZYhFTiyhkMX1XBBY+9I2/OMucIxhYaAh+EmVg2+ik/eGO0Jzgg1Zw++iJBgEpWcG"
    "l10sUqFw6hd+vp+S0xOHIqC5fGrRIRq0IxTUZtloyDI9aP8kagP6fmk/us9HEos4YEzrEOCk1BWBtkYk6OXKObwHgMfN81"
    "sVnpdliHDPKLDnoWGRJGiK4xPzhjKruu9UYpQYh6ASv0lbe0DOdX6ayAmNEkyFoLv7JoQH6o/+CDoS3xt5wqjSpJhHjtjZ"
    "r1OCA+Ys5ZDzYx/DL6iI4eG8dr6bOPA7hnbccc53gbPNJHqzgx5zE6/ImJQKMN3OFYe5mQ9qxv/RyvzY854QpIM/AX2/w8"
    "xoluoETnnONtvowxZjuPjiLbS61vwydCAu4x2tlfz47U3A75zonNmEHgZbzM3pAIaNuJQYbFMY8GaMjjAyv1PNtLf208c8"
    "7XPlBEsLVeZ5/HGfWIAwyjodoJwmYMR6HH2SfcVnGnsYbTfPiENP316K8Dr8+K4hpIgdlHBUdgox3jBSk6K0YP9qMBzZzR"
    "X0CQgwTYPXBw1IHCQDLeI1kDG/0E0nqOA5+O8EA+XhFytKO1E5MJlZ4dvNY5zzpeHFkhH9K8sS/npFjIZZ8aM4e/NGjUx/"
    "BjvCHA0QnkBTHwFqGO2Y+jw24T0rNF/oT3/Zx06P8BChhtKw==";

static void decodes_a_large_javascript_encoding(void **state)
{
    (void)state;
    struct hist *d = decode_ok(big_js);
    assert_int_equal(d->total_count, 10000);
    assert_int_equal(d->highest, 131071);
    /* One 0 among them: hdr-histogram-js's minNonZeroValue says 1, txstorm's
     * min counts zeros. */
    assert_int_equal(d->counts[0], 1);
    assert_int_equal(hist_min(d), 0);
    assert_int_equal(hist_max(d), 100031);
    assert_true(fabs(hist_mean(d) - 50229.6988) < 1e-6);
    assert_int_equal(hist_value_at_percentile(d, 50), 50207);
    assert_int_equal(hist_value_at_percentile(d, 99), 99007);
    assert_int_equal(hist_value_at_percentile(d, 99.9), 99903);
    /* And back: our encoding of it decodes to the same counts. */
    struct hist *again = round_trip(d);
    assert_same_counts(d, again);
    hist_destroy(again);
    hist_destroy(d);
}

/* Hostile inputs, built from their parts. */

struct bytes {
    uint8_t b[1024];
    size_t n;
};

static void put_be(struct bytes *o, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--)
        o->b[o->n++] = (uint8_t)(v >> (8 * i));
}

/* HdrHistogram's ZigZag LEB128: at most nine bytes, the ninth with 8 bits. */
static void put_count(struct bytes *o, int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0);
    for (int i = 0; i < 8 && z > 0x7f; i++, z >>= 7)
        o->b[o->n++] = (uint8_t)(z | 0x80);
    o->b[o->n++] = (uint8_t)z;
}

struct header {
    uint32_t cookie;
    int32_t payload_len; /* -1: the real one */
    int32_t sig_figs;
    int64_t lowest, highest;
};

/* 1..1000 at 3 figures, ready to be spoiled. */
static struct header good_header(void) { return (struct header){0x1c849313, -1, 3, 1, 1000}; }

/* Header and payload, the uncompressed V2 encoding. */
static struct bytes plain(struct header hd, const struct bytes *payload)
{
    struct bytes o = {.n = 0};
    put_be(&o, hd.cookie, 4);
    put_be(&o, (uint32_t)(hd.payload_len == -1 ? (int32_t)payload->n : hd.payload_len), 4);
    put_be(&o, 0, 4);
    put_be(&o, (uint32_t)hd.sig_figs, 4);
    put_be(&o, (uint64_t)hd.lowest, 8);
    put_be(&o, (uint64_t)hd.highest, 8);
    put_be(&o, 0x3ff0000000000000, 8);
    memcpy(o.b + o.n, payload->b, payload->n);
    o.n += payload->n;
    return o;
}

struct wrap {
    uint32_t cookie;
    int64_t length_delta; /* added to the true compressed length */
    bool huge_length;     /* 0xffffffff for the compressed length */
    size_t cut;           /* bytes dropped from the zlib stream's end */
    size_t keep;          /* when not 0, the bytes of the zlib stream kept */
    size_t junk;          /* bytes added after it */
    bool spoil_zlib;      /* a bad zlib header */
};

static char *text_of(const struct bytes *b)
{
    char *text = malloc(base64_encoded_len(b->n) + 1);
    assert_non_null(text);
    base64_encode(b->b, b->n, text);
    return text;
}

/* The compressed V2 encoding of raw, spoiled as w says, in base64. */
static char *compressed(const struct bytes *raw, struct wrap w)
{
    struct bytes o = {.n = 8};
    uLongf len = sizeof o.b - 8;
    assert_int_equal(compress2(o.b + 8, &len, raw->b, raw->n, 9), Z_OK);
    len -= w.cut;
    if (w.keep) len = w.keep;
    if (w.spoil_zlib) o.b[8] ^= 0xff;
    memset(o.b + 8 + len, 0xaa, w.junk);
    len += w.junk;
    o.n += len;
    size_t at = 0;
    struct bytes head = {.n = 0};
    put_be(&head, w.cookie ? w.cookie : 0x1c849314, 4);
    put_be(&head, w.huge_length ? UINT32_MAX : (uint32_t)((int64_t)len + w.length_delta), 4);
    for (; at < 8; at++)
        o.b[at] = head.b[at];
    return text_of(&o);
}

static void assert_refused(char *text, const char *message)
{
    char err[256] = "";
    struct hist *d = hist_hdr_decode(text, err, sizeof err);
    if (d != NULL) fail_msg("accepted, expected \"%s\"", message);
    if (strstr(err, message) == NULL) fail_msg("\"%s\" lacks \"%s\"", err, message);
    assert_null(strchr(err, '\n'));
    free(text);
}

static char *copy(const char *s)
{
    char *t = strdup(s);
    assert_non_null(t);
    return t;
}

static void hostile_inputs_are_refused(void **state)
{
    (void)state;
    struct bytes one = {.n = 0}; /* 42 once */
    put_count(&one, -42);
    put_count(&one, 1);
    const struct wrap plainly = {0};

    /* The parts are right as built: both encodings decode. */
    struct bytes raw = plain(good_header(), &one);
    char *text = compressed(&raw, plainly);
    struct hist *d = decode_ok(text);
    assert_int_equal(d->counts[42], 1);
    hist_destroy(d);
    free(text);
    text = text_of(&raw);
    d = decode_ok(text);
    assert_int_equal(d->total_count, 1);
    hist_destroy(d);
    free(text);

    assert_refused(copy(""), "too short");
    assert_refused(copy("HISTFAA"), "not base64");
    assert_refused(copy("HISTFA==HISTFAAA"), "not base64");
    assert_refused(copy("HIST FAAAAB94"), "not base64");
    assert_refused(copy("HISTFAAA"), "too short");
    assert_refused(copy("SGVsbG8sIHdvcmxkIQ=="), "is not HdrHistogram's V2");
    /* V1's compression cookie: another format. */
    assert_refused(compressed(&raw, (struct wrap){.cookie = 0x1c849302}), "cookie 0x1c849302");
    assert_refused(compressed(&raw, (struct wrap){.length_delta = 1}), "compressed length says");
    assert_refused(compressed(&raw, (struct wrap){.length_delta = -1}), "compressed length says");
    assert_refused(compressed(&raw, (struct wrap){.huge_length = true}),
                   "compressed length says 4294967295");
    assert_refused(compressed(&raw, (struct wrap){.cut = 4}), "cut short");
    assert_refused(compressed(&raw, (struct wrap){.keep = 2}), "within the 40-byte header");
    assert_refused(compressed(&raw, (struct wrap){.junk = 3}), "3 bytes follow");
    assert_refused(compressed(&raw, (struct wrap){.spoil_zlib = true}), "bad zlib data");

    struct header hd = good_header();
    hd.cookie = 0x1c849301;
    raw = plain(hd, &one);
    assert_refused(compressed(&raw, plainly), "cookie 0x1c849301");
    assert_refused(text_of(&raw), "cookie 0x1c849301");

    /* Payload lengths that lie, either way, or could not be true: the
     * header's histogram has 4096 buckets (hist_create widens 1..1000 to
     * 1..4096 at 3 figures), at most 9 bytes each. */
    struct hist *layout = hist_create(1000, 3);
    assert_int_equal(layout->counts_len, 4096);
    hist_destroy(layout);
    const int32_t lengths[] = {3, 1, 0, -1 - 0x7fffffff, 4096 * 9 + 1};
    const char *says[] = {"2 bytes of counts, the payload length says 3",
                          "run past the payload length, 1", "run past the payload length, 0",
                          "payload length -2147483648",
                          "payload length 36865 is impossible for 4096 buckets"};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        hd = good_header();
        hd.payload_len = lengths[i];
        raw = plain(hd, &one);
        assert_refused(compressed(&raw, plainly), says[i]);
    }
    hd = good_header();
    hd.payload_len = 3;
    raw = plain(hd, &one);
    assert_refused(text_of(&raw), "2 bytes of counts, the payload length says 3");

    const int32_t sig_figs[] = {0, 6, -3};
    for (size_t i = 0; i < 3; i++) {
        hd = good_header();
        hd.sig_figs = sig_figs[i];
        raw = plain(hd, &one);
        assert_refused(compressed(&raw, plainly), "significant figures (1..5");
    }
    const int64_t lowest[] = {0, 2, 1000, -1};
    for (size_t i = 0; i < 4; i++) {
        hd = good_header();
        hd.lowest = lowest[i];
        raw = plain(hd, &one);
        assert_refused(compressed(&raw, plainly), "lowest discernible value");
    }
    const int64_t highests[] = {1, 0, -5, HIST_HDR_HIGHEST_MAX + 1, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < 6; i++) {
        hd = good_header();
        hd.highest = highests[i];
        raw = plain(hd, &one);
        assert_refused(compressed(&raw, plainly), "is not in 2..2^62");
    }

    /* Counts beyond the histogram's 4096 buckets, or cut short. */
    struct bytes p = {.n = 0};
    put_count(&p, -4096);
    put_count(&p, 1);
    raw = plain(good_header(), &p);
    assert_refused(compressed(&raw, plainly), "a count at index 4096, past the last, 4095");
    p.n = 0;
    put_count(&p, 5);
    put_count(&p, -4096);
    raw = plain(good_header(), &p);
    assert_refused(compressed(&raw, plainly), "4096 empty buckets from index 1 run past");
    p.n = 0;
    put_count(&p, INT64_MIN);
    raw = plain(good_header(), &p);
    assert_refused(compressed(&raw, plainly), "run past");
    p.n = 0;
    put_count(&p, 7);
    put_count(&p, 1LL << 40);
    p.n--;
    raw = plain(good_header(), &p);
    assert_refused(compressed(&raw, plainly), "the last count is cut short");
    p.n = 0;
    put_count(&p, INT64_MAX);
    put_count(&p, 1);
    raw = plain(good_header(), &p);
    assert_refused(compressed(&raw, plainly), "the counts sum past");
}

/* Every prefix and every single-bit flip of a real encoding: refused or
 * decoded, never a crash (the sanitizer builds run this too). */
static void damaged_encodings_never_crash(void **state)
{
    (void)state;
    struct hist *h = hist_create(highest, 2);
    for (int64_t v = 1; v < highest; v = v * 3 + 1)
        hist_record(h, v);
    char *text = hist_hdr_encode(h);
    assert_non_null(text);
    size_t len = strlen(text);
    int64_t bin_len = base64_decoded_len(text, len);
    assert_true(bin_len > 0);
    struct bytes b = {.n = (size_t)bin_len};
    assert_true(b.n <= sizeof b.b);
    base64_decode(text, len, b.b);
    char err[256];
    for (size_t n = 0; n < b.n; n++) {
        struct bytes cut = b;
        cut.n = n;
        char *t = text_of(&cut);
        err[0] = '\0';
        assert_null(hist_hdr_decode(t, err, sizeof err));
        assert_true(err[0] != '\0');
        free(t);
    }
    for (size_t bit = 0; bit < b.n * 8; bit++) {
        struct bytes flipped = b;
        flipped.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        char *t = text_of(&flipped);
        err[0] = '\0';
        struct hist *d = hist_hdr_decode(t, err, sizeof err);
        if (d == NULL)
            assert_true(err[0] != '\0');
        else
            hist_destroy(d);
        free(t);
    }
    /* And flips inside the deflated encoding, compressed again: these reach
     * the header's and the counts' checks rather than zlib's. */
    struct bytes raw = {.n = sizeof raw.b};
    uLongf raw_len = sizeof raw.b;
    assert_int_equal(uncompress(raw.b, &raw_len, b.b + 8, b.n - 8), Z_OK);
    raw.n = raw_len;
    for (size_t bit = 0; bit < raw.n * 8; bit++) {
        struct bytes flipped = raw;
        flipped.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        char *texts[] = {text_of(&flipped), compressed(&flipped, (struct wrap){0})};
        for (int k = 0; k < 2; k++) {
            err[0] = '\0';
            struct hist *d = hist_hdr_decode(texts[k], err, sizeof err);
            if (d == NULL)
                assert_true(err[0] != '\0');
            else
                hist_destroy(d);
            free(texts[k]);
        }
    }
    free(text);
    hist_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_histogram_round_trips),
        cmocka_unit_test(single_value_round_trips),
        cmocka_unit_test(many_values_round_trip_at_every_precision),
        cmocka_unit_test(highest_value_and_huge_counts_round_trip),
        cmocka_unit_test(decodes_a_java_encoding),
        cmocka_unit_test(decodes_a_javascript_encoding),
        cmocka_unit_test(decodes_a_large_javascript_encoding),
        cmocka_unit_test(hostile_inputs_are_refused),
        cmocka_unit_test(damaged_encodings_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
