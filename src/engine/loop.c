/* The event loop: epoll for input, a min-heap for timers, an eventfd for stop. */
#include "txstorm/loop.h"

#include "txstorm/clock.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define EVENTS_PER_WAKE 64

int loop_init(struct loop *l, const atomic_bool *stop, int max_timers)
{
    *l = (struct loop){.epoll_fd = -1, .wake_fd = -1, .stop = stop};
    if (max_timers < 1) max_timers = 1;
    l->heap = calloc((size_t)max_timers, sizeof *l->heap);
    l->kept = calloc((size_t)max_timers, sizeof *l->kept);
    if (!l->heap || !l->kept) {
        errno = ENOMEM;
        return -1;
    }
    l->heap_cap = max_timers;
    l->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    l->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (l->epoll_fd < 0 || l->wake_fd < 0) return -1;
    /* The loop itself stands for the eventfd in the events it gets back. */
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
    return epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, l->wake_fd, &ev);
}

void loop_set_halt(struct loop *l, const atomic_bool *halt) { l->halt = halt; }

void loop_on_wake(struct loop *l, loop_fn *woken, void *data)
{
    l->woken = woken;
    l->woken_data = data;
}

int64_t loop_waited_us(const struct loop *l, int64_t now_us)
{
    /* The total and the wait under way read as one: a wait that ends
     * between the two reads changes the total, and they are read again. */
    for (;;) {
        int64_t waited = atomic_load(&l->waited_us);
        int64_t since = atomic_load(&l->wait_since);
        if (atomic_load(&l->waited_us) != waited) continue;
        return waited + (since > 0 && now_us > since ? now_us - since : 0);
    }
}

void loop_free(struct loop *l)
{
    if (l->epoll_fd >= 0) close(l->epoll_fd);
    if (l->wake_fd >= 0) close(l->wake_fd);
    free(l->heap);
    free(l->kept);
    l->heap = l->kept = NULL;
    l->epoll_fd = l->wake_fd = -1;
}

void loop_wake(struct loop *l)
{
    uint64_t one = 1;
    ssize_t ignored = write(l->wake_fd, &one, sizeof one);
    (void)ignored;
}

bool loop_watch(struct loop *l, struct loop_watch *w, int fd, loop_fn *ready, void *data)
{
    return loop_watch_io(l, w, fd, false, ready, data);
}

bool loop_watch_io(struct loop *l, struct loop_watch *w, int fd, bool for_output, loop_fn *ready,
                   void *data)
{
    if (w->fd >= 0) l->watched--;
    w->fd = -1;
    if (fd < 0) {
        errno = EBADF;
        return false;
    }
    struct epoll_event ev = {.events = for_output ? EPOLLOUT : EPOLLIN, .data.ptr = w};
    if (epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0 &&
        !(errno == EEXIST && epoll_ctl(l->epoll_fd, EPOLL_CTL_MOD, fd, &ev) == 0))
        return false;
    *w = (struct loop_watch){.fd = fd, .ready = ready, .data = data};
    l->watched++;
    return true;
}

void loop_unwatch(struct loop *l, struct loop_watch *w, bool fd_closed)
{
    if (w->fd < 0) return;
    if (!fd_closed) epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
    w->fd = -1;
    l->watched--;
}

/* ---- timers: a binary min-heap on due_us ---- */

/* A timer's slot while fire_timers holds it out of the heap, to go back. */
#define SLOT_SET_ASIDE (-2)

static void heap_put(struct loop *l, int i, struct loop_timer *t)
{
    l->heap[i] = t;
    t->slot = i;
}

/* Moves t up from slot i to where its due time belongs. */
static void sift_up(struct loop *l, int i, struct loop_timer *t)
{
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (l->heap[parent]->due_us <= t->due_us) break;
        heap_put(l, i, l->heap[parent]);
        i = parent;
    }
    heap_put(l, i, t);
}

/* Moves t down from slot i among the first n. */
static void sift_down(struct loop *l, int i, struct loop_timer *t, int n)
{
    for (;;) {
        int child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && l->heap[child + 1]->due_us < l->heap[child]->due_us) child++;
        if (l->heap[child]->due_us >= t->due_us) break;
        heap_put(l, i, l->heap[child]);
        i = child;
    }
    heap_put(l, i, t);
}

static void heap_push(struct loop *l, struct loop_timer *t) { sift_up(l, l->heap_len++, t); }

void loop_timer(struct loop *l, struct loop_timer *t, int64_t due_us, bool cuttable, loop_fn *fire,
                void *data)
{
    *t = (struct loop_timer){.due_us = due_us, .cuttable = cuttable, .fire = fire, .data = data};
    heap_push(l, t);
}

/* Takes the timer at slot i out of the heap. */
static struct loop_timer *heap_take(struct loop *l, int i)
{
    struct loop_timer *t = l->heap[i], *last = l->heap[--l->heap_len];
    t->slot = -1;
    if (i == l->heap_len) return t;
    if (i > 0 && l->heap[(i - 1) / 2]->due_us > last->due_us)
        sift_up(l, i, last);
    else
        sift_down(l, i, last, l->heap_len);
    return t;
}

static struct loop_timer *heap_pop(struct loop *l) { return heap_take(l, 0); }

void loop_cancel(struct loop *l, struct loop_timer *t)
{
    if (t->slot >= 0 && t->slot < l->heap_len && l->heap[t->slot] == t) heap_take(l, t->slot);
    t->slot = -1; /* one set aside (SLOT_SET_ASIDE) is not put back either */
}

/* Fires the timers that are due; once stopping, also those a stop cuts
 * short (the others still run their course, unless halting). */
static void fire_timers(struct loop *l, int64_t now_us, bool stopping, bool halting)
{
    int kept = 0;
    while (l->heap_len > 0 && (stopping || l->heap[0]->due_us <= now_us)) {
        struct loop_timer *t = heap_pop(l);
        if (t->due_us > now_us && !t->cuttable && !halting) {
            t->slot = SLOT_SET_ASIDE;
            l->kept[kept++] = t;
        } else {
            t->fire(t->data, now_us);
        }
    }
    /* Those set aside go back, unless a callback cancelled them meanwhile. */
    for (int i = 0; i < kept; i++)
        if (l->kept[i]->slot == SLOT_SET_ASIDE) heap_push(l, l->kept[i]);
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

static bool anything_left(const struct loop *l) { return l->watched > 0 || l->heap_len > 0; }

int loop_run(struct loop *l)
{
    int64_t now_us = clock_now_us();
    struct epoll_event events[EVENTS_PER_WAKE];
    while (anything_left(l)) {
        fire_timers(l, now_us, atomic_load_explicit(l->stop, memory_order_relaxed),
                    l->halt && atomic_load_explicit(l->halt, memory_order_relaxed));
        if (!anything_left(l)) break;
        struct timespec wait, *timeout = NULL;
        int64_t before_us = clock_now_us();
        atomic_store_explicit(&l->wait_since, before_us, memory_order_relaxed);
        if (l->heap_len > 0) {
            int64_t wait_us = l->heap[0]->due_us - before_us;
            if (wait_us < 0) wait_us = 0;
            wait = (struct timespec){.tv_sec = wait_us / 1000000,
                                     .tv_nsec = (wait_us % 1000000) * 1000};
            timeout = &wait;
        }
        int n = wait_for_events(l, events, timeout);
        if (n < 0 && errno != EINTR) return errno;
        now_us = clock_now_us();
        atomic_fetch_add(&l->waited_us, now_us - before_us);
        atomic_store(&l->wait_since, 0);
        for (int i = 0; i < n; i++) {
            if (events[i].data.ptr == l) {
                uint64_t count;
                ssize_t ignored = read(l->wake_fd, &count, sizeof count);
                (void)ignored;
                if (l->woken) l->woken(l->woken_data, now_us);
            } else {
                struct loop_watch *w = events[i].data.ptr;
                w->ready(w->data, now_us);
            }
        }
    }
    return 0;
}
