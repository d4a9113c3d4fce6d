/* HdrHistogram's V2 histogram encoding: counts as ZigZag LEB128, deflated with
 * zlib, carried as base64. Decoding trusts nothing it reads. */
#include "txstorm/hist_hdr.h"
#include "txstorm/base64.h"
#include "txstorm/errbuf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* A cookie is a base with the word size in bits 4..7; V2 counts are always
 * ZigZag LEB128 whatever that nibble says, so readers compare the base only. */
#define COOKIE_BASE(c) ((c) & ~UINT32_C(0xf0))
#define ENCODING_BASE UINT32_C(0x1c849303)
#define COMPRESSED_BASE UINT32_C(0x1c849304)
#define WORD_SIZE_LEB128 UINT32_C(0x10)

/* cookie, payload length, normalizing index offset, significant figures (4
 * bytes each), lowest, highest, conversion ratio (8 bytes each). */
#define HEADER_LEN 40
/* cookie and length of the deflated encoding that follows. */
#define COMPRESSED_HEADER_LEN 8
/* HdrHistogram's LEB128 stops at 9 bytes: the ninth carries 8 bits, not 7. */
#define LEB128_MAX 9

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) << 32 | get32(p + 4); }

static size_t leb128_put(uint8_t *out, int64_t v)
{
    uint64_t z = (uint64_t)v << 1 ^ (0 - ((uint64_t)v >> 63));
    size_t n = 0;
    while (n < LEB128_MAX - 1 && z > 0x7f) {
        out[n++] = (uint8_t)(z | 0x80);
        z >>= 7;
    }
    out[n++] = (uint8_t)z;
    return n;
}

/* Reads one value from in[*at..len); false when it runs off the end. */
static bool leb128_get(const uint8_t *in, size_t len, size_t *at, int64_t *v)
{
    uint64_t z = 0;
    for (int i = 0; i < LEB128_MAX; i++) {
        if (*at >= len) return false;
        uint8_t byte = in[(*at)++];
        if (i == LEB128_MAX - 1) {
            z |= (uint64_t)byte << 56;
            break;
        }
        z |= (uint64_t)(byte & 0x7f) << (7 * i);
        if ((byte & 0x80) == 0) break;
    }
    *v = (int64_t)((z >> 1) ^ (0 - (z & 1)));
    return true;
}

/* The uncompressed V2 encoding of h into a malloc'd buffer of *len bytes. */
static uint8_t *encode_plain(const struct hist *h, size_t *len)
{
    /* Up to the last non-empty bucket, and at least one, as HdrHistogram's
     * own encoders write an empty histogram. */
    int32_t limit = 1;
    for (int32_t i = h->counts_len; i > 1; i--)
        if (h->counts[i - 1] != 0) {
            limit = i;
            break;
        }
    uint8_t *raw = malloc(HEADER_LEN + (size_t)limit * LEB128_MAX);
    if (raw == NULL) return NULL;
    size_t n = HEADER_LEN;
    for (int32_t i = 0; i < limit;) {
        if (h->counts[i] != 0) {
            n += leb128_put(raw + n, h->counts[i++]);
            continue;
        }
        int64_t zeros = 0;
        for (; i < limit && h->counts[i] == 0; i++)
            zeros++;
        n += leb128_put(raw + n, -zeros);
    }
    double ratio = 1.0;
    uint64_t ratio_bits;
    memcpy(&ratio_bits, &ratio, sizeof ratio_bits);
    put32(raw, ENCODING_BASE | WORD_SIZE_LEB128);
    put32(raw + 4, (uint32_t)(n - HEADER_LEN));
    put32(raw + 8, 0);
    put32(raw + 12, (uint32_t)h->sig_figs);
    put64(raw + 16, 1);
    put64(raw + 24, (uint64_t)h->highest);
    put64(raw + 32, ratio_bits);
    *len = n;
    return raw;
}

char *hist_hdr_encode(const struct hist *h)
{
    size_t raw_len;
    uint8_t *raw = encode_plain(h, &raw_len);
    if (raw == NULL) return NULL;
    char *text = NULL;
    uLongf packed_len = compressBound(raw_len);
    uint8_t *packed = malloc(COMPRESSED_HEADER_LEN + packed_len);
    if (packed == NULL) goto done;
    /* The best compression, as HdrHistogram's Java log writer uses: a log
     * holds one histogram per interval, so size matters more than the time. */
    if (compress2(packed + COMPRESSED_HEADER_LEN, &packed_len, raw, raw_len, Z_BEST_COMPRESSION) !=
        Z_OK)
        goto done;
    put32(packed, COMPRESSED_BASE | WORD_SIZE_LEB128);
    put32(packed + 4, (uint32_t)packed_len);
    size_t total = COMPRESSED_HEADER_LEN + packed_len;
    text = malloc(base64_encoded_len(total) + 1);
    if (text != NULL) base64_encode(packed, total, text);
done:
    free(packed);
    free(raw);
    return text;
}

/* The header's fields, checked, and the histogram they call for. */
static struct hist *read_header(const uint8_t *p, int32_t *payload_len, char *err, size_t err_len)
{
    uint32_t cookie = get32(p);
    int32_t sig_figs = (int32_t)get32(p + 12);
    int64_t lowest = (int64_t)get64(p + 16), highest = (int64_t)get64(p + 24);
    *payload_len = (int32_t)get32(p + 4);
    if (COOKIE_BASE(cookie) != ENCODING_BASE) {
        errbuf_fail(err, err_len, "histogram: cookie 0x%08x is not HdrHistogram's V2 encoding",
                    (unsigned)cookie);
        return NULL;
    }
    if (sig_figs < 1 || sig_figs > 5) {
        errbuf_fail(err, err_len, "histogram: %d significant figures (1..5 are possible)",
                    (int)sig_figs);
        return NULL;
    }
    if (lowest != 1) {
        errbuf_fail(err, err_len,
                    "histogram: lowest discernible value %lld (txstorm's histograms start at 1)",
                    (long long)lowest);
        return NULL;
    }
    if (highest < 2 || highest > HIST_HDR_HIGHEST_MAX) {
        errbuf_fail(err, err_len, "histogram: highest trackable value %lld is not in 2..2^62",
                    (long long)highest);
        return NULL;
    }
    struct hist *h = hist_create(highest, (int)sig_figs);
    if (h == NULL) {
        errbuf_fail(err, err_len, "histogram: out of memory for values up to %lld",
                    (long long)highest);
        return NULL;
    }
    if (*payload_len < 0 || *payload_len > (int64_t)h->counts_len * LEB128_MAX) {
        errbuf_fail(err, err_len, "histogram: payload length %d is impossible for %d buckets",
                    (int)*payload_len, (int)h->counts_len);
        hist_destroy(h);
        return NULL;
    }
    return h;
}

/* Fills h's counts from the payload, then its totals. */
static int read_counts(struct hist *h, const uint8_t *in, size_t len, char *err, size_t err_len)
{
    int32_t i = 0, first = -1, last = -1;
    for (size_t at = 0; at < len;) {
        int64_t v;
        if (!leb128_get(in, len, &at, &v))
            return errbuf_fail(err, err_len, "histogram: the last count is cut short");
        if (v < 0) {
            /* A run of empty buckets: -v of them, but never past the end
             * (and -INT64_MIN is no number). */
            if (v < -(int64_t)(h->counts_len - i))
                return errbuf_fail(err, err_len,
                                   "histogram: %lld empty buckets from index %d run past the "
                                   "last, %d",
                                   v == INT64_MIN ? (long long)INT64_MAX : -(long long)v, (int)i,
                                   (int)h->counts_len - 1);
            i += (int32_t)-v;
            continue;
        }
        if (i >= h->counts_len)
            return errbuf_fail(err, err_len, "histogram: a count at index %d, past the last, %d",
                               (int)i, (int)h->counts_len - 1);
        if (v > INT64_MAX - h->total_count)
            return errbuf_fail(err, err_len, "histogram: the counts sum past %lld",
                               (long long)INT64_MAX);
        if (v > 0) {
            if (first < 0) first = i;
            last = i;
        }
        h->counts[i++] = v;
        h->total_count += v;
    }
    if (first < 0) return 0;
    h->min = hist_value_at_index(h, first);
    h->max = hist_highest_equivalent(h, hist_value_at_index(h, last));
    for (int32_t k = first; k <= last; k++) {
        if (h->counts[k] == 0) continue;
        int64_t lo = hist_value_at_index(h, k), width = hist_highest_equivalent(h, lo) - lo + 1;
        h->sum += (double)h->counts[k] * (double)(lo + width / 2);
    }
    return 0;
}

/* Inflates the deflated encoding: its header into header[], its payload into
 * a malloc'd *payload, checking that the stream ends exactly there. Returns
 * the histogram the header calls for. */
static struct hist *inflate_encoding(const uint8_t *in, size_t len, uint8_t *header,
                                     uint8_t **payload, int32_t *payload_len, char *err,
                                     size_t err_len)
{
    z_stream s = {.next_in = (Bytef *)in, .avail_in = (uInt)len};
    struct hist *h = NULL;
    *payload = NULL;
    if (inflateInit(&s) != Z_OK) {
        errbuf_fail(err, err_len, "histogram: out of memory for zlib");
        return NULL;
    }
    s.next_out = header;
    s.avail_out = HEADER_LEN;
    int rc = inflate(&s, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) goto bad_zlib;
    if (s.avail_out != 0) {
        errbuf_fail(err, err_len, "histogram: the zlib data ends within the %d-byte header",
                    HEADER_LEN);
        goto fail;
    }
    h = read_header(header, payload_len, err, err_len);
    if (h == NULL) goto fail;
    /* One byte more than the header promises, to see whether there is more. */
    *payload = malloc((size_t)*payload_len + 1);
    if (*payload == NULL) {
        errbuf_fail(err, err_len, "histogram: out of memory for %d bytes of counts",
                    (int)*payload_len);
        goto fail;
    }
    s.next_out = *payload;
    s.avail_out = (uInt)*payload_len + 1;
    if (rc != Z_STREAM_END) rc = inflate(&s, Z_FINISH);
    if (rc != Z_STREAM_END && rc != Z_BUF_ERROR && rc != Z_OK) goto bad_zlib;
    size_t got = (size_t)*payload_len + 1 - s.avail_out;
    if (got > (size_t)*payload_len) {
        errbuf_fail(err, err_len, "histogram: the counts run past the payload length, %d bytes",
                    (int)*payload_len);
        goto fail;
    }
    if (rc != Z_STREAM_END) {
        errbuf_fail(err, err_len, "histogram: the zlib data is cut short");
        goto fail;
    }
    if (got < (size_t)*payload_len) {
        errbuf_fail(err, err_len, "histogram: %zu bytes of counts, the payload length says %d", got,
                    (int)*payload_len);
        goto fail;
    }
    if (s.avail_in != 0) {
        errbuf_fail(err, err_len, "histogram: %u bytes follow the zlib data", (unsigned)s.avail_in);
        goto fail;
    }
    inflateEnd(&s);
    return h;
bad_zlib:
    errbuf_fail(err, err_len, "histogram: bad zlib data (%s)", s.msg ? s.msg : "no detail");
fail:
    inflateEnd(&s);
    hist_destroy(h);
    free(*payload);
    *payload = NULL;
    return NULL;
}

/* The plain encoding: its header, and a payload that fills the rest. */
static struct hist *read_plain(const uint8_t *in, size_t len, char *err, size_t err_len)
{
    int32_t payload_len;
    if (len < HEADER_LEN) {
        errbuf_fail(err, err_len, "histogram: %zu bytes, less than the %d-byte header", len,
                    HEADER_LEN);
        return NULL;
    }
    struct hist *h = read_header(in, &payload_len, err, err_len);
    if (h == NULL) return NULL;
    if ((size_t)payload_len != len - HEADER_LEN) {
        errbuf_fail(err, err_len, "histogram: %zu bytes of counts, the payload length says %d",
                    len - HEADER_LEN, (int)payload_len);
    } else if (read_counts(h, in + HEADER_LEN, (size_t)payload_len, err, err_len) == 0) {
        return h;
    }
    hist_destroy(h);
    return NULL;
}

static struct hist *read_compressed(const uint8_t *in, size_t len, char *err, size_t err_len)
{
    uint32_t packed_len = get32(in + 4);
    if ((uint64_t)packed_len != len - COMPRESSED_HEADER_LEN) {
        errbuf_fail(err, err_len, "histogram: the compressed length says %u bytes, %zu follow",
                    (unsigned)packed_len, len - COMPRESSED_HEADER_LEN);
        return NULL;
    }
    uint8_t header[HEADER_LEN], *payload;
    int32_t payload_len;
    struct hist *h = inflate_encoding(in + COMPRESSED_HEADER_LEN, packed_len, header, &payload,
                                      &payload_len, err, err_len);
    if (h != NULL && read_counts(h, payload, (size_t)payload_len, err, err_len) != 0) {
        hist_destroy(h);
        h = NULL;
    }
    free(payload);
    return h;
}

struct hist *hist_hdr_decode(const char *text, char *err, size_t err_len)
{
    size_t text_len = strlen(text);
    int64_t len = base64_decoded_len(text, text_len);
    if (len < 0) {
        errbuf_fail(err, err_len, "histogram: not base64");
        return NULL;
    }
    if (len < COMPRESSED_HEADER_LEN) {
        errbuf_fail(err, err_len, "histogram: %lld bytes, too short for HdrHistogram's encoding",
                    (long long)len);
        return NULL;
    }
    uint8_t *bin = malloc((size_t)len);
    if (bin == NULL) {
        errbuf_fail(err, err_len, "histogram: out of memory for %lld bytes", (long long)len);
        return NULL;
    }
    base64_decode(text, text_len, bin);
    uint32_t cookie = get32(bin);
    struct hist *h = NULL;
    if (COOKIE_BASE(cookie) == COMPRESSED_BASE)
        h = read_compressed(bin, (size_t)len, err, err_len);
    else if (COOKIE_BASE(cookie) == ENCODING_BASE)
        h = read_plain(bin, (size_t)len, err, err_len);
    else
        errbuf_fail(err, err_len, "histogram: cookie 0x%08x is not HdrHistogram's V2 encoding",
                    (unsigned)cookie);
    free(bin);
    return h;
}
