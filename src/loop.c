/* The event loop: epoll for replies, a min-heap for timers, an eventfd for stop. */
#include "txstorm/loop.h"

#include "txstorm/clock.h"
#include "txstorm/run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define EVENTS_PER_WAKE 64

int loop_init(struct loop *l, struct run *run, int n_workers)
{
    *l = (struct loop){.run = run, .epoll_fd = -1, .wake_fd = -1};
    if (n_workers < 1) n_workers = 1;
    l->workers = calloc((size_t)n_workers, sizeof *l->workers);
    l->heap = calloc((size_t)n_workers, sizeof *l->heap);
    l->kept = calloc((size_t)n_workers, sizeof *l->kept);
    if (!l->workers || !l->heap || !l->kept) {
        errno = ENOMEM;
        return -1;
    }
    l->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    l->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (l->epoll_fd < 0 || l->wake_fd < 0) return -1;
    /* The loop itself stands for the eventfd in the events it gets back. */
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
    return epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, l->wake_fd, &ev);
}

void loop_free(struct loop *l)
{
    if (l->epoll_fd >= 0) close(l->epoll_fd);
    if (l->wake_fd >= 0) close(l->wake_fd);
    free(l->workers);
    free(l->heap);
    free(l->kept);
    l->workers = l->heap = l->kept = NULL;
    l->epoll_fd = l->wake_fd = -1;
}

void loop_wake(struct loop *l)
{
    uint64_t one = 1;
    ssize_t ignored = write(l->wake_fd, &one, sizeof one);
    (void)ignored;
}

bool loop_watch(struct loop *l, struct worker *w)
{
    int fd = db_socket(w->db);
    w->watched_fd = -1;
    if (fd < 0) {
        errno = ENOTCONN;
        return false;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = w};
    if (epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0 &&
        !(errno == EEXIST && epoll_ctl(l->epoll_fd, EPOLL_CTL_MOD, fd, &ev) == 0))
        return false;
    w->watched_fd = fd;
    return true;
}

void loop_unwatch(struct loop *l, struct worker *w)
{
    /* A socket libpq has already closed left the epoll set by itself, and
     * its number may now be another connection's: leave that one alone. */
    if (w->watched_fd >= 0 && db_socket(w->db) == w->watched_fd)
        epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, w->watched_fd, NULL);
    w->watched_fd = -1;
}

/* ---- timers: a binary min-heap on wake_us; a worker is in it at most once ---- */

void loop_timer(struct loop *l, struct worker *w, int64_t due_us)
{
    w->wake_us = due_us;
    int i = l->heap_len++;
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (l->heap[parent]->wake_us <= due_us) break;
        l->heap[i] = l->heap[parent];
        i = parent;
    }
    l->heap[i] = w;
}

static struct worker *timer_pop(struct loop *l)
{
    struct worker *top = l->heap[0], *last = l->heap[--l->heap_len];
    int i = 0, n = l->heap_len;
    for (;;) {
        int child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && l->heap[child + 1]->wake_us < l->heap[child]->wake_us) child++;
        if (l->heap[child]->wake_us >= last->wake_us) break;
        l->heap[i] = l->heap[child];
        i = child;
    }
    if (n > 0) l->heap[i] = last;
    return top;
}

/* Runs the workers whose timers are due; once the run stops, also those
 * whose waits a stop cuts short (think pauses still run their course). */
static void fire_timers(struct loop *l, int64_t now_us, bool stopping)
{
    int kept = 0;
    while (l->heap_len > 0 && (stopping || l->heap[0]->wake_us <= now_us)) {
        struct worker *w = timer_pop(l);
        if (w->wake_us > now_us && !worker_wait_cuttable(w))
            l->kept[kept++] = w;
        else
            worker_timer(w, now_us);
    }
    for (int i = 0; i < kept; i++)
        loop_timer(l, l->kept[i], l->kept[i]->wake_us);
}

void loop_worker_done(struct loop *l, struct worker *w)
{
    loop_unwatch(l, w);
    l->active--;
}

/* epoll_pwait2 (Linux 5.11) sleeps to the microsecond; older kernels get
 * epoll_wait, its timeout rounded up to the next millisecond. A seccomp
 * filter that does not know the call may answer EPERM instead of ENOSYS. */
static int wait_for_events(struct loop *l, struct epoll_event *events, const struct timespec *t)
{
    static atomic_bool no_pwait2;
    if (!atomic_load_explicit(&no_pwait2, memory_order_relaxed)) {
        int n = epoll_pwait2(l->epoll_fd, events, EVENTS_PER_WAKE, t, NULL);
        if (n >= 0 || errno == EINTR) return n;
        atomic_store(&no_pwait2, true);
    }
    int ms = t ? (int)(t->tv_sec * 1000 + (t->tv_nsec + 999999) / 1000000) : -1;
    return epoll_wait(l->epoll_fd, events, EVENTS_PER_WAKE, ms);
}

/* The loop cannot wait any more: its workers stop where they are, lost. */
static void abandon(struct loop *l, int error)
{
    for (int i = 0; i < l->n_workers; i++) {
        struct worker *w = l->workers[i];
        if (w->state == W_DONE) continue;
        w->lost = true;
        snprintf(w->error.message, sizeof w->error.message, "event loop: %s", strerror(error));
    }
    atomic_store(&l->run->stop, true);
}

void *loop_main(void *arg)
{
    struct loop *l = arg;
    struct run *run = l->run;
    l->active = l->n_workers;
    int64_t now_us = clock_now_us();
    for (int i = 0; i < l->n_workers; i++)
        worker_start(l->workers[i], now_us);

    struct epoll_event events[EVENTS_PER_WAKE];
    while (l->active > 0) {
        bool stopping = atomic_load_explicit(&run->stop, memory_order_relaxed);
        fire_timers(l, now_us, stopping);
        if (l->active == 0) break;
        struct timespec wait, *timeout = NULL;
        if (l->heap_len > 0) {
            int64_t wait_us = l->heap[0]->wake_us - clock_now_us();
            if (wait_us < 0) wait_us = 0;
            wait = (struct timespec){.tv_sec = wait_us / 1000000,
                                     .tv_nsec = (wait_us % 1000000) * 1000};
            timeout = &wait;
        }
        int n = wait_for_events(l, events, timeout);
        if (n < 0 && errno != EINTR) {
            abandon(l, errno);
            break;
        }
        now_us = clock_now_us();
        for (int i = 0; i < n; i++) {
            if (events[i].data.ptr == l) {
                uint64_t count;
                ssize_t ignored = read(l->wake_fd, &count, sizeof count);
                (void)ignored;
            } else {
                worker_readable(events[i].data.ptr, now_us);
            }
        }
    }

    /* The last loop out wakes the main thread, which waits in sigtimedwait. */
    if (atomic_fetch_sub(&run->running, 1) == 1) pthread_kill(run->main_thread, SIGUSR1);
    return NULL;
}
