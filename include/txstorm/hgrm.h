/* The HdrHistogram percentile-spectrum text (".hgrm"), as HdrHistogram's own
 * printers write it, so existing plotters read txstorm's histograms. Pure. */
#ifndef TXSTORM_HGRM_H
#define TXSTORM_HGRM_H

#include "txstorm/hist.h"
#include <stdio.h>

/* Writes h's percentile spectrum: a header line
 *   "       Value   Percentile   TotalCount 1/(1-Percentile)"
 * a blank line, one row per percentile step (5 ticks per half distance, as
 * HdrHistogram's default), and the footer
 *   #[Mean    = ..., StdDeviation   = ...]
 *   #[Max     = ..., Total count    = ...]
 *   #[Buckets = ..., SubBuckets     = ...]
 * Values are divided by value_scale (e.g. 1000.0 to print microseconds as
 * milliseconds). Returns 0, or -1 on a write error. */
int hgrm_write(FILE *out, const struct hist *h, double value_scale);

#endif
