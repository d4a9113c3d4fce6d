/* The signals a run keeps for run_wait, blocked elsewhere, and given back. */
#include "run_internal.h"

#include "txstorm/clock.h"

#include <errno.h>
#include <stddef.h>
#include <time.h>

/* Each asks the run to stop, keeping its report and outputs. SIGHUP is a
 * closed terminal or a lost SSH session: the run is as worth keeping as after
 * a kill. */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

static sigset_t stop_signal_set(void)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        sigaddset(&set, stop_signals[i]);
    return set;
}

bool run_is_stop_signal(int sig)
{
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        if (stop_signals[i] == sig) return true;
    return false;
}

sigset_t run_signal_set(void)
{
    sigset_t set = stop_signal_set();
    sigaddset(&set, SIGUSR1);
    return set;
}

void run_block_signals(void)
{
    sigset_t set = run_signal_set();
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void run_release_signals(void)
{
    /* Signals that came while the outputs were being written were taken
     * as waiting; dropped now, so that they do not end the process late. */
    sigset_t set = run_signal_set();
    struct timespec now = {0, 0};
    while (sigtimedwait(&set, NULL, &now) > 0) {
    }
    run_unblock_signals();
}

void run_unblock_signals(void)
{
    sigset_t set = stop_signal_set();
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int run_signal_pause(void *arg, int64_t us)
{
    (void)arg;
    sigset_t set = stop_signal_set();
    struct timespec left = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    for (;;) {
        int64_t from_us = clock_now_us();
        int sig = sigtimedwait(&set, NULL, &left);
        if (sig > 0) return sig;
        if (errno != EINTR) return 0; /* EAGAIN: the time is up */
        /* Another signal (SIGUSR1 stays pending for run_wait): the rest of the time. */
        us -= clock_now_us() - from_us;
        if (us <= 0) return 0;
        left = (struct timespec){.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    }
}
