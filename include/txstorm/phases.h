/* Load phases: the open-loop rate over time. Pure.
 *
 * A run's offered rate is a list of named phases laid end to end from the
 * moment the workers start (the warmup is the first part of it), each
 * holding a rate or ramping it linearly:
 *   --load 'ramp=0..2000/s:30s,peak=2000/s:10s,after=500/s:60s'
 * A phase is [NAME=]RATE[..RATE]/s:SPAN; SPAN is a decimal number with a
 * unit (us, ms, s, m, h). Names default to phase1, phase2, ... by position.
 * After the last phase its closing rate holds (a --duration beyond the sum).
 *
 * The offered count C(t) = integral of the rate from 0 to t, and its inverse,
 * let a schedule place starts without coordinated omission: the k-th start
 * of the whole run is where C reaches k (schedule.h).
 *
 * A spike overrides the rate in a window: the phases keep their names and
 * spans, the rate function (segments) changes under them. */
#ifndef TXSTORM_PHASES_H
#define TXSTORM_PHASES_H

#include <stddef.h>
#include <stdint.h>

#define PHASES_MAX 32
#define PHASES_NAME_MAX 32
#define PHASES_SPIKES_MAX 16
/* Each spike splits at most two segments and may add one past the end. */
#define PHASES_SEGMENTS_MAX (PHASES_MAX + 3 * PHASES_SPIKES_MAX)
#define PHASES_RATE_MAX 1e9

struct phase {
    char name[PHASES_NAME_MAX];
    int64_t start_us, end_us; /* since the workers started */
    double from_per_s, to_per_s;
};

/* A piece of the rate function: linear from from_per_s at start_us to
 * to_per_s at end_us; cum_before is C(start_us). */
struct phases_segment {
    int64_t start_us, end_us;
    double from_per_s, to_per_s;
    double cum_before;
};

struct phases {
    int n; /* 0: no phases (closed loop, or a single --rate) */
    struct phase phase[PHASES_MAX];
    int n_segments;
    struct phases_segment seg[PHASES_SEGMENTS_MAX];
    int n_spikes;
};

/* Parses the notation above into p. Returns 0, or -1 with one line in err
 * naming the piece at fault ("--load: phase 2 'x': ..."). */
int phases_parse(const char *text, struct phases *p, char *err, size_t err_len);

/* One phase holding rate_per_s for span_us: a --rate run as phases, so a
 * spike can be laid over it. */
void phases_init_constant(struct phases *p, const char *name, double rate_per_s, int64_t span_us);

/* Where the last phase ends, since the workers started. */
int64_t phases_end_us(const struct phases *p);

/* The phase in effect at t: the last one from its end on, the first before 0. */
int phases_index_at(const struct phases *p, int64_t t_us);

/* The offered rate (transactions/s) at t; 0 before 0. */
double phases_rate_at(const struct phases *p, int64_t t_us);

/* The highest rate offered in [from_us, to_us) (the rate is linear
 * between segment ends, so it is one of those or a window end's). */
double phases_peak_rate(const struct phases *p, int64_t from_us, int64_t to_us);

/* The offered count from 0 to t: the integral of the rate. */
double phases_cum(const struct phases *p, double t_us);

/* The offered count of an interval [from_us, to_us) that belongs to the phase
 * in effect at from_us, nothing offered from stop_us on. An interval closes
 * at its phase's end, or later when the collector wakes late: the part past
 * the phase's end counts at the rate the phase ended at, not the next
 * phase's, so that a phase's rows offer its own rate (a step up would
 * otherwise lend the earlier phase a share of the higher one). */
double phases_interval_offered(const struct phases *p, int64_t from_us, int64_t to_us,
                               int64_t stop_us);

/* The earliest t at which the offered count reaches count (0 for count <= 0);
 * INT64_MAX when it never does (the rate stays 0 from some point on). */
int64_t phases_time_of(const struct phases *p, double count);

/* Overrides the rate with rate_per_s in [start_us, start_us + span_us).
 * Returns 0, or -1 when the window or rate is invalid or too many spikes. */
int phases_add_spike(struct phases *p, int64_t start_us, int64_t span_us, double rate_per_s);

#endif
