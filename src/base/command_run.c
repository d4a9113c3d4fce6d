/* A user's command as a child: started without a shell, its output's tail
 * kept, waited for with a deadline, its process group ended when it must. */
#define _GNU_SOURCE /* pipe2, posix_spawn_file_actions_addclosefrom_np */
#include "txstorm/command_run.h"
#include "txstorm/clock.h"
#include "txstorm/errbuf.h"
#include "txstorm/text.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The child's signals as a fresh process has them: the run blocks its stop
 * signals and may ignore others, and both would pass through exec. */
static int child_signals(posix_spawnattr_t *attr)
{
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    return posix_spawnattr_setsigmask(attr, &none) || posix_spawnattr_setsigdefault(attr, &all) ||
           posix_spawnattr_setpgroup(attr, 0) ||
           posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                              POSIX_SPAWN_SETPGROUP);
}

/* stdin from /dev/null, stdout and stderr into the pipe, nothing else of
 * the run's (its sockets, its output files) passed on. */
static int child_files(posix_spawn_file_actions_t *fa, int out_fd)
{
    return posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0) ||
           posix_spawn_file_actions_adddup2(fa, out_fd, 1) ||
           posix_spawn_file_actions_adddup2(fa, out_fd, 2) ||
           posix_spawn_file_actions_addclosefrom_np(fa, 3);
}

int command_start(struct command_proc *c, char *const argv[], char *err, size_t err_len)
{
    *c = (struct command_proc){.out_fd = -1};
    int pipe_fd[2];
    if (pipe2(pipe_fd, O_CLOEXEC) != 0)
        return errbuf_fail(err, err_len, "cannot run '%s': pipe: %s", argv[0], strerror(errno));
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t fa;
    int rc = posix_spawnattr_init(&attr);
    if (rc == 0) {
        rc = posix_spawn_file_actions_init(&fa);
        if (rc == 0) {
            rc = child_signals(&attr) || child_files(&fa, pipe_fd[1]) ? ENOMEM : 0;
            if (rc == 0) rc = posix_spawnp(&c->pid, argv[0], &fa, &attr, argv, environ);
            posix_spawn_file_actions_destroy(&fa);
        }
        posix_spawnattr_destroy(&attr);
    }
    close(pipe_fd[1]);
    if (rc != 0) {
        close(pipe_fd[0]);
        c->pid = 0;
        return errbuf_fail(err, err_len, "cannot run '%s': %s", argv[0], strerror(rc));
    }
    c->out_fd = pipe_fd[0];
    fcntl(c->out_fd, F_SETFL, O_NONBLOCK);
    return 0;
}

/* Keeps the last COMMAND_OUTPUT_MAX bytes of what it wrote. */
static void keep(struct command_proc *c, const char *data, size_t n)
{
    if (n >= COMMAND_OUTPUT_MAX) {
        data += n - COMMAND_OUTPUT_MAX;
        n = COMMAND_OUTPUT_MAX;
        c->out_cut = true;
        c->out_len = 0;
    }
    if (c->out_len + n > sizeof c->out) {
        size_t drop = c->out_len + n - COMMAND_OUTPUT_MAX;
        memmove(c->out, c->out + drop, c->out_len - drop);
        c->out_len -= drop;
        c->out_cut = true;
    }
    memcpy(c->out + c->out_len, data, n);
    c->out_len += n;
}

/* Reads what the pipe holds now; false at its end (or an error). */
static bool read_out(struct command_proc *c)
{
    char buf[4096];
    for (;;) {
        ssize_t got = read(c->out_fd, buf, sizeof buf);
        if (got > 0) {
            keep(c, buf, (size_t)got);
            continue;
        }
        return got < 0 && (errno == EAGAIN || errno == EINTR);
    }
}

/* Whether its first process has ended; left unreaped, so that its pid,
 * its group's id, cannot be taken by another while the group is signalled. */
static bool has_ended(const struct command_proc *c)
{
    siginfo_t info = {0};
    while (waitid(P_PID, (id_t)c->pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
        if (errno != EINTR) return true; /* not ours to wait for: gone */
    return info.si_pid != 0;
}

/* Waits up to wait_ms for output or its end, reading what came. */
static void watch(struct command_proc *c, int wait_ms)
{
    if (c->out_fd < 0) {
        clock_sleep_us((int64_t)wait_ms * 1000);
        return;
    }
    struct pollfd p = {.fd = c->out_fd, .events = POLLIN};
    if (poll(&p, 1, wait_ms) > 0 && !read_out(c)) {
        close(c->out_fd);
        c->out_fd = -1;
    }
}

void command_wait(struct command_proc *c, int64_t deadline_us, const atomic_bool *stop)
{
    if (c->pid <= 0) return;
    int64_t kill_at_us = 0; /* SIGTERM sent: SIGKILL is due then */
    while (!has_ended(c)) {
        int64_t now_us = clock_now_us();
        if (kill_at_us == 0 && (now_us >= deadline_us || (stop && atomic_load(stop)))) {
            c->end = now_us >= deadline_us ? COMMAND_TIMED_OUT : COMMAND_STOPPED;
            killpg(c->pid, SIGTERM);
            kill_at_us = now_us + COMMAND_KILL_GRACE_US;
        } else if (kill_at_us && now_us >= kill_at_us) {
            killpg(c->pid, SIGKILL);
            kill_at_us = INT64_MAX;
        }
        watch(c, COMMAND_POLL_MS);
    }
    c->end_us = clock_now_us();
    /* Ended by us: what else its group still runs goes too. */
    if (c->end != COMMAND_RUNNING) killpg(c->pid, SIGKILL);
    if (c->out_fd >= 0) {
        read_out(c); /* what it wrote before it ended; no waiting for those it left behind */
        close(c->out_fd);
        c->out_fd = -1;
    }
    int status = 0;
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {
    }
    c->exited = WIFEXITED(status);
    c->status = c->exited ? WEXITSTATUS(status) : WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    if (c->end == COMMAND_RUNNING) c->end = c->exited ? COMMAND_EXITED : COMMAND_SIGNALED;
}

void command_output(const struct command_proc *c, char *out, size_t len)
{
    char tail[COMMAND_OUTPUT_MAX + 1];
    size_t start = c->out_len > COMMAND_OUTPUT_MAX ? c->out_len - COMMAND_OUTPUT_MAX : 0;
    const char *p = c->out + start;
    size_t n = c->out_len - start;
    /* A line cut at its start is left out, when a whole one follows. */
    const char *nl = c->out_cut || start ? memchr(p, '\n', n) : NULL;
    if (nl && nl + 1 < p + n) {
        n -= (size_t)(nl + 1 - p);
        p = nl + 1;
    }
    for (size_t i = 0; i < n; i++)
        tail[i] = p[i] ? p[i] : '?';
    while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r'))
        n--;
    tail[n] = '\0';
    text_copy_utf8(out, len, tail);
}
