/* An event loop: file descriptors with a ready callback and timers with a
 * fire callback, nothing else (the shape of redis' ae). One thread drives
 * many connections with it, the way pgbench's and wrk's threads do: a
 * blocking thread per connection costs a wake-up and a context switch per
 * round trip; a loop pays one epoll_wait for every batch of replies that
 * arrive together.
 *
 * Timers sit in a min-heap keyed by due time; epoll_pwait2 sleeps until the
 * earliest with nanosecond resolution. The loop reads the clock once per
 * wake-up and hands that time to every callback it runs then, like
 * pgbench's lazy clock. Watch and timer handles belong to the caller, who
 * embeds them in its own structs; the loop only points at them while they
 * are armed. Everything but loop_wake is for the loop's own thread.
 */
#ifndef TXSTORM_LOOP_H
#define TXSTORM_LOOP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Called with the handle's data and the time the loop woke at. */
typedef void loop_fn(void *data, int64_t now_us);

/* A file descriptor being watched for input; starts as LOOP_WATCH_NONE. */
struct loop_watch {
    int fd; /* -1: not watched */
    loop_fn *ready;
    void *data;
};
#define LOOP_WATCH_NONE ((struct loop_watch){.fd = -1})

/* A timer. A cuttable one fires at once when the loop is stopping; one that
 * is not (a think pause) still waits for its due time, unless the loop halts. */
struct loop_timer {
    int64_t due_us;
    bool cuttable;
    loop_fn *fire;
    void *data;
    int slot; /* its place in the heap; -1: not armed */
};

struct loop {
    int epoll_fd;
    int wake_fd; /* an eventfd: written by loop_wake */
    const atomic_bool *stop;
    const atomic_bool *halt; /* NULL: never */
    loop_fn *woken;          /* called on the loop's thread after a loop_wake; NULL: none */
    void *woken_data;
    int watched;             /* watches armed */
    atomic_int_fast64_t waited_us;  /* time spent waiting for events, waits ended */
    atomic_int_fast64_t wait_since; /* when the wait under way began; 0: none */
    struct loop_timer **heap;
    int heap_len, heap_cap;
    struct loop_timer **kept; /* room to set aside timers a stop does not cut */
};

/* Creates the loop's epoll and eventfd, with room for max_timers timers
 * armed at once. stop is the flag that says the loop's users are stopping:
 * the loop reads it at every wake-up. 0, or -1 with errno set (loop_free
 * is still to be called). */
int loop_init(struct loop *l, const atomic_bool *stop, int max_timers);
void loop_free(struct loop *l);

/* Gives the loop a second flag: once it is set (and the loop woken), every
 * timer fires at once, cuttable or not — a stop that has waited long enough. */
void loop_set_halt(struct loop *l, const atomic_bool *halt);

/* Has woken(data, now) called on the loop's own thread each time another
 * thread's loop_wake reaches it (several wakes may come as one call). */
void loop_on_wake(struct loop *l, loop_fn *woken, void *data);

/* Runs until nothing is left to do: no watch and no timer armed. Returns 0
 * then, or the errno of a wait that failed (the loop cannot go on; what
 * was armed stays armed and never fires). */
int loop_run(struct loop *l);

/* The time the loop has spent waiting for events since it began, up to
 * now_us, the wait under way included; any thread may read it. The rest of
 * its wall time it was busy — or ready to run and not given the CPU, which
 * limits it all the same. */
int64_t loop_waited_us(const struct loop *l, int64_t now_us);

/* Wakes the loop so it sees the stop flag; any thread may call it. */
void loop_wake(struct loop *l);

/* Calls ready(data, now) whenever fd has input, until unwatched. False
 * with errno set when epoll refuses (w stays unwatched). */
bool loop_watch(struct loop *l, struct loop_watch *w, int fd, loop_fn *ready, void *data);

/* The same for output when for_output (a connection being opened waits to
 * write as often as to read). Watching again moves w to fd and direction,
 * whether fd is the descriptor it watched or a new one. */
bool loop_watch_io(struct loop *l, struct loop_watch *w, int fd, bool for_output, loop_fn *ready,
                   void *data);

/* Stops watching: fd_closed says the descriptor was already closed (it left
 * the epoll set by itself, and its number may be someone else's now). A
 * watch not armed is left as it is. */
void loop_unwatch(struct loop *l, struct loop_watch *w, bool fd_closed);

/* Arms t to call fire(data, now) at due_us (at once when stopping and t is
 * cuttable). t must not be armed already; it is disarmed before it fires. */
void loop_timer(struct loop *l, struct loop_timer *t, int64_t due_us, bool cuttable, loop_fn *fire,
                void *data);

/* Disarms t if it is armed (it will not fire); start a handle as
 * LOOP_TIMER_NONE so that this is safe before it was ever armed. */
void loop_cancel(struct loop *l, struct loop_timer *t);
#define LOOP_TIMER_NONE ((struct loop_timer){.slot = -1})

#endif
