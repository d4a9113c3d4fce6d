/* An event loop: one thread driving many workers' connections with epoll,
 * the way pgbench's and wrk's threads do. A blocking thread per connection
 * costs a wake-up and a context switch per round trip; a loop pays one
 * epoll_wait for every batch of replies that arrive together.
 *
 * Timers (think pauses, backoffs, scheduled starts, reconnect waits) sit in
 * a min-heap keyed by due time; epoll_pwait2 sleeps until the earliest with
 * nanosecond resolution. The loop reads the clock once per wake-up and
 * hands that time to every worker it runs then, like pgbench's lazy clock.
 */
#ifndef TXSTORM_LOOP_H
#define TXSTORM_LOOP_H

#include "txstorm/worker.h"
#include <pthread.h>
#include <stdbool.h>

struct loop {
    struct run *run;
    struct worker **workers;
    int n_workers;
    int active; /* workers not yet done */
    int epoll_fd;
    int wake_fd; /* an eventfd: written when the run stops */
    struct worker **heap;
    int heap_len;
    struct worker **kept; /* room to set aside timers a stop does not cut */
    pthread_t thread;
};

/* Creates the loop's epoll and eventfd and room for n workers; 0, or -1
 * with errno set. */
int loop_init(struct loop *l, struct run *run, int n_workers);
void loop_free(struct loop *l);

/* Thread body: starts its workers and runs until all are done. */
void *loop_main(void *arg);

/* Wakes the loop so it sees the run's stop flag (any thread may call it). */
void loop_wake(struct loop *l);

/* For workers: watch the connection's current socket (after every
 * (re)connect; false with errno set when epoll refuses), stop watching it,
 * wake at due_us. */
bool loop_watch(struct loop *l, struct worker *w);
void loop_unwatch(struct loop *l, struct worker *w);
void loop_timer(struct loop *l, struct worker *w, int64_t due_us);

/* A worker is done for good. */
void loop_worker_done(struct loop *l, struct worker *w);

#endif
