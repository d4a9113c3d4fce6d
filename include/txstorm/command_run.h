/* Running a user's command as a child process: no shell between (its words,
 * command.h), with the user's own rights and environment, stdin from
 * /dev/null, stdout and stderr together into a pipe of which the last
 * COMMAND_OUTPUT_MAX bytes are kept (never the terminal's), in a process
 * group of its own so that ending it ends whatever it started.
 * A command past its deadline, or still running when told to stop, gets
 * SIGTERM to its group, and SIGKILL COMMAND_KILL_GRACE_US later (or once
 * its first process has gone, for the rest of the group). One that exits by
 * itself leaves what it started alone (a server that pg_ctl started runs
 * on); its output is read until it exits, not until every process that
 * inherited the pipe has closed it. */
#ifndef TXSTORM_COMMAND_RUN_H
#define TXSTORM_COMMAND_RUN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define COMMAND_OUTPUT_MAX 512
#define COMMAND_KILL_GRACE_US 1000000
/* How often a wait looks at the command, its deadline and the stop flag:
 * the end it records is this late at most. */
#define COMMAND_POLL_MS 10

enum command_end {
    COMMAND_RUNNING,
    COMMAND_EXITED,    /* by itself: status is its exit status */
    COMMAND_SIGNALED,  /* by a signal it was not sent here: status is the signal */
    COMMAND_TIMED_OUT, /* ended at its deadline: status as above, by which way it went */
    COMMAND_STOPPED,   /* ended because the caller stopped: likewise */
};

struct command_proc {
    pid_t pid;  /* also its process group; 0: not started */
    int out_fd; /* the read end of its output; -1: closed */
    enum command_end end;
    bool exited; /* its status is an exit status, else a signal's number */
    int status;
    int64_t end_us; /* monotonic: when its end was seen */
    size_t out_len;
    bool out_cut;                     /* earlier output was dropped */
    char out[COMMAND_OUTPUT_MAX * 2]; /* its last output, at most COMMAND_OUTPUT_MAX once read */
};

/* Starts argv[0] (found on PATH) with argv. 0, or -1 with one line in err
 * ("cannot run 'x': No such file or directory") and nothing left running. */
int command_start(struct command_proc *c, char *const argv[], char *err, size_t err_len);

/* Reads its output until it ends: by itself, at deadline_us (monotonic), or
 * once *stop is set, then ended as the header says; reaps it and closes
 * the pipe. */
void command_wait(struct command_proc *c, int64_t deadline_us, const atomic_bool *stop);

/* The tail of what it wrote (at most COMMAND_OUTPUT_MAX bytes), from the
 * start of a line where one begins in it, well-formed UTF-8 (text.h), a NUL
 * written as '?', trailing line breaks dropped. */
void command_output(const struct command_proc *c, char *out, size_t len);

#endif
