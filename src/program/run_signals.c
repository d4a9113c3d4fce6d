/* The signals a run keeps for run_wait, blocked elsewhere, and given back. */
#include "run_internal.h"

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
