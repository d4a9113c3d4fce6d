/* The event loop alone, driven with pipes and timers: ready callbacks fire,
 * timers fire in due order, a stop cuts cuttable timers and no others, the
 * loop ends when nothing is left, and another thread can wake it. */
#include "txstorm/loop.h"

#include "txstorm/clock.h"

#include "cmocka_prelude.h"

#include <pthread.h>
#include <unistd.h>

#define FAR_US 5000000 /* a wait a test must never sit through */

struct pipe_end {
    struct loop *loop;
    struct loop_watch watch;
    int fds[2];
    int calls;
    char got;
};

static void pipe_open(struct pipe_end *p, struct loop *l)
{
    *p = (struct pipe_end){.loop = l, .watch = LOOP_WATCH_NONE};
    assert_int_equal(pipe(p->fds), 0);
}

static void pipe_close(struct pipe_end *p)
{
    close(p->fds[0]);
    close(p->fds[1]);
}

/* Reads the byte that arrived and stops watching. */
static void pipe_ready(void *arg, int64_t now_us)
{
    struct pipe_end *p = arg;
    assert_true(now_us > 0);
    assert_int_equal(read(p->fds[0], &p->got, 1), 1);
    p->calls++;
    loop_unwatch(p->loop, &p->watch, false);
}

struct fired {
    struct loop *loop;
    struct loop_timer timer;
    int64_t at_us; /* the time the loop handed the callback; 0: not fired */
    int order;     /* 1 for the first timer to fire */
    int *counter;
};

static void record_fire(void *arg, int64_t now_us)
{
    struct fired *f = arg;
    assert_int_equal(f->at_us, 0);
    f->at_us = now_us;
    f->order = ++*f->counter;
}

static void arm(struct loop *l, struct fired *f, int *counter, int64_t due_us, bool cuttable)
{
    *f = (struct fired){.loop = l, .counter = counter};
    loop_timer(l, &f->timer, due_us, cuttable, record_fire, f);
}

/* Ends what is still watched, so that a test the loop fails ends too: armed
 * cuttable and far off, it fires at once once the test stops its loop. */
struct guard {
    struct loop_timer timer;
    atomic_bool *stop;
    struct pipe_end *ends[3];
};

static void guard_fire(void *arg, int64_t now_us)
{
    (void)now_us;
    struct guard *g = arg;
    for (int i = 0; i < 3 && g->ends[i]; i++)
        loop_unwatch(g->ends[i]->loop, &g->ends[i]->watch, false);
}

/* Ends the quiet pipe's watch, which no data will, and stops the loop. */
static void unwatch_quiet(void *arg, int64_t now_us)
{
    (void)now_us;
    struct guard *g = arg;
    struct pipe_end *quiet = g->ends[2];
    loop_unwatch(quiet->loop, &quiet->watch, false);
    atomic_store(g->stop, true);
    loop_wake(quiet->loop);
}

static void ready_callbacks_fire_for_their_own_fd(void **state)
{
    (void)state;
    atomic_bool stop = false;
    struct loop l;
    assert_int_equal(loop_init(&l, &stop, 4), 0);
    struct pipe_end a, b, quiet;
    pipe_open(&a, &l);
    pipe_open(&b, &l);
    pipe_open(&quiet, &l);
    assert_true(loop_watch(&l, &a.watch, a.fds[0], pipe_ready, &a));
    assert_true(loop_watch(&l, &b.watch, b.fds[0], pipe_ready, &b));
    assert_true(loop_watch(&l, &quiet.watch, quiet.fds[0], pipe_ready, &quiet));
    assert_int_equal(write(a.fds[1], "a", 1), 1);
    assert_int_equal(write(b.fds[1], "b", 1), 1);
    struct guard g = {.stop = &stop, .ends = {&a, &b, &quiet}};
    loop_timer(&l, &g.timer, clock_now_us() + FAR_US, true, guard_fire, &g);
    struct loop_timer t;
    loop_timer(&l, &t, clock_now_us() + 20000, false, unwatch_quiet, &g);

    assert_int_equal(loop_run(&l), 0);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.got, 'a');
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.got, 'b');
    assert_int_equal(quiet.calls, 0);
    pipe_close(&a);
    pipe_close(&b);
    pipe_close(&quiet);
    loop_free(&l);
}

static void timers_fire_in_due_order_and_not_early(void **state)
{
    (void)state;
    atomic_bool stop = false;
    struct loop l;
    assert_int_equal(loop_init(&l, &stop, 8), 0);
    const int64_t offsets_us[] = {4000, 1000, 6000, 2000, 2000, 0, 5000, 3000};
    enum { N = sizeof offsets_us / sizeof offsets_us[0] };
    struct fired f[N];
    int counter = 0;
    int64_t now_us = clock_now_us();
    for (int i = 0; i < N; i++)
        arm(&l, &f[i], &counter, now_us + offsets_us[i], i % 2 == 0);

    assert_int_equal(loop_run(&l), 0);
    assert_int_equal(counter, N);
    for (int i = 0; i < N; i++) {
        assert_true(f[i].at_us >= f[i].timer.due_us);
        for (int j = 0; j < N; j++)
            if (f[i].timer.due_us < f[j].timer.due_us) assert_true(f[i].order < f[j].order);
    }
    loop_free(&l);
}

static void a_stop_cuts_cuttable_timers_only(void **state)
{
    (void)state;
    atomic_bool stop = true;
    struct loop l;
    assert_int_equal(loop_init(&l, &stop, 4), 0);
    struct fired backoff, think, later_backoff;
    int counter = 0;
    int64_t now_us = clock_now_us();
    arm(&l, &think, &counter, now_us + 20000, false);
    arm(&l, &backoff, &counter, now_us + FAR_US, true);
    arm(&l, &later_backoff, &counter, now_us + 2 * FAR_US, true);

    assert_int_equal(loop_run(&l), 0);
    assert_true(backoff.at_us < backoff.timer.due_us);
    assert_true(later_backoff.at_us < later_backoff.timer.due_us);
    assert_true(think.at_us >= think.timer.due_us);
    assert_int_equal(think.order, 3); /* cut ones first, the think pause in its time */
    loop_free(&l);
}


/* Cancelled timers never fire, wherever they sat in the heap, and the rest
 * still fire in due order; cancelling twice, or one never armed, is harmless. */
static void cancelled_timers_never_fire(void **state)
{
    (void)state;
    atomic_bool stop = false;
    struct loop l;
    assert_int_equal(loop_init(&l, &stop, 16), 0);
    enum { N = 12 };
    struct fired f[N];
    int counter = 0;
    int64_t now_us = clock_now_us();
    for (int i = 0; i < N; i++)
        arm(&l, &f[i], &counter, now_us + 1000 * ((i * 7) % N), false);
    for (int i = 0; i < N; i += 3)
        loop_cancel(&l, &f[i].timer);
    loop_cancel(&l, &f[0].timer);
    struct loop_timer never = LOOP_TIMER_NONE;
    loop_cancel(&l, &never);

    assert_int_equal(loop_run(&l), 0);
    assert_int_equal(counter, N - (N + 2) / 3);
    for (int i = 0; i < N; i++) {
        if (i % 3 == 0) {
            assert_int_equal(f[i].at_us, 0);
            continue;
        }
        assert_true(f[i].at_us >= f[i].timer.due_us);
        for (int j = 0; j < N; j++)
            if (j % 3 && f[i].timer.due_us < f[j].timer.due_us) assert_true(f[i].order < f[j].order);
    }
    loop_free(&l);
}

/* A think pause a stop sets aside, cancelled by a timer the stop cuts
 * short, is not put back: it never fires. */
struct canceller {
    struct fired self;
    struct loop_timer *victim;
};

static void cancel_victim(void *arg, int64_t now_us)
{
    struct canceller *c = arg;
    record_fire(&c->self, now_us);
    loop_cancel(c->self.loop, c->victim);
}

static void a_timer_set_aside_by_a_stop_can_be_cancelled(void **state)
{
    (void)state;
    atomic_bool stop = true;
    struct loop l;
    assert_int_equal(loop_init(&l, &stop, 4), 0);
    int counter = 0;
    int64_t now_us = clock_now_us();
    struct fired think;
    arm(&l, &think, &counter, now_us + FAR_US, false);
    struct canceller c = {.self = {.loop = &l, .counter = &counter}, .victim = &think.timer};
    /* Due after the think pause: the stop pops the pause first, sets it aside. */
    loop_timer(&l, &c.self.timer, now_us + 2 * FAR_US, true, cancel_victim, &c);

    assert_int_equal(loop_run(&l), 0);
    assert_int_equal(counter, 1);
    assert_true(c.self.at_us > 0);
    assert_int_equal(think.at_us, 0);
    loop_free(&l);
}

/* A watch for output fires while the pipe has room. */
struct output_watch {
    struct pipe_end pipe;
    struct guard guard;
};

static void writable(void *arg, int64_t now_us)
{
    struct output_watch *o = arg;
    (void)now_us;
    o->pipe.calls++;
    loop_unwatch(o->pipe.loop, &o->pipe.watch, false);
    loop_cancel(o->pipe.loop, &o->guard.timer);
}

static void a_watch_for_output_fires_when_writable(void **state)
{
    (void)state;
    atomic_bool stop = false;
    struct loop l;
    assert_int_equal(loop_init(&l, &stop, 2), 0);
    struct output_watch o;
    pipe_open(&o.pipe, &l);
    o.guard = (struct guard){.stop = &stop, .ends = {&o.pipe}};
    /* Watched for input first (nothing comes), then moved to output. */
    assert_true(loop_watch(&l, &o.pipe.watch, o.pipe.fds[1], writable, &o));
    assert_true(loop_watch_io(&l, &o.pipe.watch, o.pipe.fds[1], true, writable, &o));
    loop_timer(&l, &o.guard.timer, clock_now_us() + FAR_US, true, guard_fire, &o.guard);

    assert_int_equal(loop_run(&l), 0);
    assert_int_equal(o.pipe.calls, 1);
    pipe_close(&o.pipe);
    loop_free(&l);
}

/* A timer that arms the next one until its count runs out. */
struct chain {
    struct loop *loop;
    struct loop_timer timer;
    int left, fired;
};

static void chain_fire(void *arg, int64_t now_us)
{
    struct chain *c = arg;
    c->fired++;
    if (--c->left > 0) loop_timer(c->loop, &c->timer, now_us + 1000, false, chain_fire, c);
}

static void the_loop_ends_when_nothing_is_left(void **state)
{
    (void)state;
    atomic_bool stop = false;
    struct loop l;
    assert_int_equal(loop_init(&l, &stop, 1), 0);
    assert_int_equal(loop_run(&l), 0); /* nothing armed: at once */

    struct chain c = {.loop = &l, .left = 3};
    loop_timer(&l, &c.timer, clock_now_us(), false, chain_fire, &c);
    assert_int_equal(loop_run(&l), 0);
    assert_int_equal(c.fired, 3);

    /* A watch alone keeps it running until it is unwatched. */
    struct pipe_end p;
    pipe_open(&p, &l);
    assert_true(loop_watch(&l, &p.watch, p.fds[0], pipe_ready, &p));
    assert_int_equal(write(p.fds[1], "p", 1), 1);
    assert_int_equal(loop_run(&l), 0);
    assert_int_equal(p.calls, 1);
    pipe_close(&p);
    loop_free(&l);
}

/* Stops the loop once the pipe has been read. */
static void pipe_ready_then_stop(void *arg, int64_t now_us)
{
    struct guard *g = arg;
    pipe_ready(g->ends[0], now_us);
    atomic_store(g->stop, true);
}

static void a_closed_fd_is_forgotten_without_touching_its_successor(void **state)
{
    (void)state;
    atomic_bool stop = false;
    struct loop l;
    assert_int_equal(loop_init(&l, &stop, 1), 0);
    struct pipe_end old, fresh;
    pipe_open(&old, &l);
    assert_true(loop_watch(&l, &old.watch, old.fds[0], pipe_ready, &old));
    pipe_close(&old);
    pipe_open(&fresh, &l); /* takes the lowest free numbers: the old ones */
    assert_int_equal(fresh.fds[0], old.watch.fd);
    struct guard g = {.stop = &stop, .ends = {&fresh}};
    assert_true(loop_watch(&l, &fresh.watch, fresh.fds[0], pipe_ready_then_stop, &g));
    loop_unwatch(&l, &old.watch, true);
    assert_int_equal(old.watch.fd, -1);
    assert_int_equal(write(fresh.fds[1], "f", 1), 1);
    loop_timer(&l, &g.timer, clock_now_us() + FAR_US, true, guard_fire, &g);

    assert_int_equal(loop_run(&l), 0);
    assert_int_equal(fresh.calls, 1);
    pipe_close(&fresh);
    loop_free(&l);
}

struct waker {
    struct loop *loop;
    atomic_bool *stop;
};

static void *stop_and_wake(void *arg)
{
    struct waker *w = arg;
    atomic_store(w->stop, true);
    loop_wake(w->loop);
    return NULL;
}

/* Runs in the loop: another thread stops the run and wakes the loop, after
 * the loop has read the stop flag for this turn, so only the wake-up can
 * make it see the stop before the cuttable timer is due. */
static void wake_from_another_thread(void *arg, int64_t now_us)
{
    (void)now_us;
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, stop_and_wake, arg), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
}

static void another_thread_can_wake_the_loop(void **state)
{
    (void)state;
    atomic_bool stop = false;
    struct loop l;
    assert_int_equal(loop_init(&l, &stop, 2), 0);
    struct waker waker = {.loop = &l, .stop = &stop};
    struct loop_timer now;
    struct fired backoff;
    int counter = 0;
    int64_t start_us = clock_now_us();
    loop_timer(&l, &now, start_us, false, wake_from_another_thread, &waker);
    arm(&l, &backoff, &counter, start_us + FAR_US, true);

    assert_int_equal(loop_run(&l), 0);
    assert_int_equal(counter, 1);
    assert_true(backoff.at_us < backoff.timer.due_us);
    loop_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ready_callbacks_fire_for_their_own_fd),
        cmocka_unit_test(timers_fire_in_due_order_and_not_early),
        cmocka_unit_test(a_stop_cuts_cuttable_timers_only),
        cmocka_unit_test(the_loop_ends_when_nothing_is_left),
        cmocka_unit_test(a_closed_fd_is_forgotten_without_touching_its_successor),
        cmocka_unit_test(another_thread_can_wake_the_loop),
        cmocka_unit_test(cancelled_timers_never_fire),
        cmocka_unit_test(a_timer_set_aside_by_a_stop_can_be_cancelled),
        cmocka_unit_test(a_watch_for_output_fires_when_writable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
