/* The signals a run keeps for run_wait, blocked elsewhere, and given back. */
#include "run_internal.h"

#include <time.h>

sigset_t run_signal_set(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
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
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}
