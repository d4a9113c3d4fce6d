/* A histogram in HdrHistogram's compressed V2 encoding, the base64 text
 * ("HISTF...") that HdrHistogram's interval logs carry, so HdrHistogram's own
 * tools (Java, C, JavaScript) read txstorm's histograms and the reverse. Pure.
 *
 * The encoding: a big-endian header (cookie, payload length, normalizing index
 * offset 0, significant figures, lowest discernible value 1, highest trackable
 * value, integer-to-double ratio 1.0), then the counts in HdrHistogram's index
 * order as ZigZag LEB128 (9 bytes at most), a run of empty buckets as one
 * negative count; all of it zlib-deflated behind a second cookie and length,
 * then base64. Counts travel exactly; nothing else does.
 */
#ifndef TXSTORM_HIST_HDR_H
#define TXSTORM_HIST_HDR_H

#include "txstorm/hist.h"
#include <stddef.h>

/* The largest highest trackable value decoding accepts: 2^62 (146,000 years
 * in microseconds); it also bounds what a hostile input can make decoding
 * allocate (about 50 MB of counts at 5 significant figures). */
#define HIST_HDR_HIGHEST_MAX ((int64_t)1 << 62)

/* h as HdrHistogram's compressed V2 base64 text, NUL-terminated and
 * malloc'd (the caller frees it); NULL when out of memory. h->clamped is not
 * carried: the format has no place for it. */
char *hist_hdr_encode(const struct hist *h);

/* The histogram that base64 encodes, in the compressed V2 encoding (or the
 * plain V2 encoding, without zlib). Trusts nothing: bad base64, an unknown
 * cookie, lengths that disagree with the data, a zlib stream that is cut short
 * or runs on, counts beyond the histogram's range or summing past INT64_MAX,
 * significant figures outside 1..5, a lowest discernible value other than 1
 * (txstorm's histograms count microseconds from 1) or a highest trackable value
 * outside 2..HIST_HDR_HIGHEST_MAX: each gives NULL with one line in err.
 *
 * The result is hist_create(highest, sig_figs) with the counts filled in, and
 * total_count from them. min and max are the lowest and the highest value
 * equivalent to the first and the last non-empty bucket, and sum takes each
 * bucket's count at its median-equivalent value: min, max, sum and so the mean
 * are only as exact as the buckets (each percentile lands in the bucket it
 * landed in before encoding). The normalizing
 * index offset and the conversion ratio are ignored, as HdrHistogram's
 * JavaScript port ignores them (its encoder writes an offset of 1 and the
 * ratio as the integer 1). */
struct hist *hist_hdr_decode(const char *base64, char *err, size_t err_len);

#endif
