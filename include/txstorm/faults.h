/* The workers whose connection a run lost, a row each: which instance and
 * worker, how often it lost and regained its connection, how long it was
 * without one, and whether it gave up; and their JSON ("worker_faults") both
 * ways. Pure. */
#ifndef TXSTORM_FAULTS_H
#define TXSTORM_FAULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct worker_fault {
    int instance; /* a merge's: the instance it ran in; -1: one run's */
    int worker;
    int64_t connection_losses, reconnects;
    int64_t disconnected_us;
    bool lost; /* it stopped early: it could not reconnect in time */
};

struct worker_faults {
    struct worker_fault *items;
    size_t n;
};

/* Appends a copy; false when out of memory. */
bool worker_faults_append(struct worker_faults *f, const struct worker_fault *w);
void worker_faults_free(struct worker_faults *f);

/* [{"worker", "connection_losses", "reconnects", "disconnected_ms", "lost"
 * (, "instance")}] (NULL when out of memory), and back: 0, or -1 with one
 * line in err (f is then empty). */
json_t *worker_faults_json(const struct worker_faults *f);
int worker_faults_decode(const json_t *j, struct worker_faults *f, char *err, size_t err_len);

#endif
