/* Writing output files whole, or through, never replacing what is not a regular file
 * nor one the user may not write, and never losing what could not be written. */
#define _GNU_SOURCE /* mkostemp, mkostemps */
#include "txstorm/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum kind { NEW, REGULAR, THROUGH, REFUSED };

/* /dev/stdout and its kin name a descriptor already open, maybe on a
 * regular file that holds the text report: written through, appended. */
static bool names_descriptor(const char *path)
{
    static const char *const prefixes[] = {"/dev/stdout", "/dev/stderr", "/dev/fd/",
                                           "/proc/self/fd/"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0) return true;
    return false;
}

/* What path is (following symlinks), st what it names (zeroes for NEW); for
 * NEW and REGULAR, target gets the path to write (a symlink's target, so the
 * link stays a link). */
static enum kind classify(const char *path, char *target, size_t target_len, struct stat *st,
                          char *err, size_t err_len)
{
    memset(st, 0, sizeof *st);
    if (names_descriptor(path)) {
        if (stat(path, st) != 0) memset(st, 0, sizeof *st);
        return THROUGH;
    }
    if (stat(path, st) != 0) {
        struct stat lst;
        if (errno == ENOENT && lstat(path, &lst) == 0) { /* a dangling symlink */
            snprintf(err, err_len, "cannot write %s: a symlink to nothing", path);
            return REFUSED;
        }
        if (errno != ENOENT) {
            snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
            return REFUSED;
        }
        snprintf(target, target_len, "%s", path);
        memset(st, 0, sizeof *st);
        return NEW;
    }
    if (S_ISDIR(st->st_mode)) {
        snprintf(err, err_len, "cannot write %s: it is a directory", path);
        return REFUSED;
    }
    if (!S_ISREG(st->st_mode)) return THROUGH;
    char *real = realpath(path, NULL);
    if (real == NULL) {
        snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
        return REFUSED;
    }
    snprintf(target, target_len, "%s", real);
    free(real);
    return REGULAR;
}

/* Opens a non-regular file for writing; a FIFO with no reader fails at
 * once (ENXIO) instead of blocking the run. */
static int open_through(const char *path, char *err, size_t err_len)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_len, "cannot write %s: %s", path,
                 errno == ENXIO ? "a FIFO with no reader" : strerror(errno));
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

/* The mode a file created now gets: 0666 less the umask, as the shell's >. */
static mode_t created_mode(void)
{
    /* umask can only be read by setting it; no thread creates a file while
     * outputs are written (the workers are done, the metrics server writes none). */
    mode_t mask = umask(077);
    umask(mask);
    return 0666 & ~mask;
}

/* Refuses (-1, err set) to replace a regular file the user could not write
 * in place (the shell's > would be refused too), or could not rename over:
 * another user's, in a sticky directory of a third (/tmp). */
static int may_replace(const char *path, const char *target, const struct stat *st, char *err,
                       size_t err_len)
{
    if (access(target, W_OK) != 0) {
        snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    char copy[PATH_MAX];
    struct stat dir;
    snprintf(copy, sizeof copy, "%s", target);
    uid_t me = geteuid();
    if (me != 0 && st->st_uid != me && stat(dirname(copy), &dir) == 0 && (dir.st_mode & S_ISVTX) &&
        dir.st_uid != me) {
        snprintf(err, err_len,
                 "cannot write %s: another user's file in a sticky directory cannot be replaced",
                 path);
        return -1;
    }
    return 0;
}

/* Creates a temporary file beside target (the rename that publishes it
 * stays on one file system), its name in tmp, with old's owner (where this
 * user may give it) and mode, or a new file's mode when old is NULL; the
 * descriptor, or -1 with err set. */
static int open_temp(const char *path, const char *target, const struct stat *old, char *tmp,
                     size_t tmp_len, char *err, size_t err_len)
{
    /* A name of its own each time: one left by a process killed mid-write
     * (whose pid the next may well get, in a container) is never in the way. */
    if (snprintf(tmp, tmp_len, "%s.tmp.XXXXXX", target) >= (int)tmp_len) {
        snprintf(err, err_len, "cannot write %s: path too long", path);
        return -1;
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    /* The owner first: changing it may clear set-id bits of the mode. A user
     * may not give a file away: then it is theirs, as the shell would make it. */
    if (fd >= 0 && old && fchown(fd, old->st_uid, old->st_gid) != 0) {
    }
    if (fd < 0 || fchmod(fd, old ? old->st_mode & 07777 : created_mode()) != 0) {
        snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        return -1;
    }
    return fd;
}

int outfile_check(const char *path, char *err, size_t err_len)
{
    char target[PATH_MAX], tmp[PATH_MAX + 32];
    struct stat st;
    switch (classify(path, target, sizeof target, &st, err, err_len)) {
    case REFUSED:
        return -1;
    case THROUGH:
        /* A FIFO is not opened: its reader, started beside txstorm, would
         * take the close for the end of its input, long before the result. */
        if (S_ISFIFO(st.st_mode)) {
            if (access(path, W_OK) == 0) return 0;
            snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
            return -1;
        }
        int fd = open_through(path, err, err_len);
        if (fd < 0) return -1;
        close(fd);
        return 0;
    case REGULAR:
        if (may_replace(path, target, &st, err, err_len) != 0) return -1;
        break;
    case NEW:
        break;
    }
    /* The directory must take the temporary file. */
    int fd = open_temp(path, target, NULL, tmp, sizeof tmp, err, err_len);
    if (fd < 0) return -1;
    close(fd);
    unlink(tmp);
    return 0;
}

/* Identity of what a path names: the file itself if it exists, else the
 * real directory it would be created in and its name there. */
struct identity {
    bool exists, device;
    dev_t dev;
    ino_t ino;
    char where[PATH_MAX + NAME_MAX + 2];
};

static void identify(const char *path, struct identity *id)
{
    struct stat st;
    memset(id, 0, sizeof *id);
    if (stat(path, &st) == 0) {
        id->exists = true;
        id->device = (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) || names_descriptor(path);
        id->dev = st.st_dev;
        id->ino = st.st_ino;
        return;
    }
    char copy_dir[PATH_MAX], copy_base[PATH_MAX];
    snprintf(copy_dir, sizeof copy_dir, "%s", path);
    snprintf(copy_base, sizeof copy_base, "%s", path);
    char *real = realpath(dirname(copy_dir), NULL);
    snprintf(id->where, sizeof id->where, "%s/%s", real ? real : "?", basename(copy_base));
    free(real);
}

static bool same(const struct identity *a, const struct identity *b)
{
    if (a->exists != b->exists) return false;
    if (a->exists) return a->dev == b->dev && a->ino == b->ino;
    return strcmp(a->where, b->where) == 0;
}

int outfile_distinct(const char *const *outputs, const char *const *flags, int n_outputs,
                     const char *const *inputs, int n_inputs, char *err, size_t err_len)
{
    for (int i = 0; i < n_outputs; i++) {
        if (outputs[i] == NULL) continue;
        struct identity a, b;
        identify(outputs[i], &a);
        if (a.device) continue;
        for (int j = i + 1; j < n_outputs; j++) {
            if (outputs[j] == NULL) continue;
            identify(outputs[j], &b);
            if (same(&a, &b)) {
                snprintf(err, err_len, "--%s and --%s name the same file %s", flags[i], flags[j],
                         outputs[j]);
                return -1;
            }
        }
        for (int j = 0; j < n_inputs; j++) {
            identify(inputs[j], &b);
            if (same(&a, &b)) {
                snprintf(err, err_len, "--%s %s would overwrite the input %s", flags[i],
                         outputs[i], inputs[j]);
                return -1;
            }
        }
    }
    return 0;
}

static int write_through_file(const char *path, int (*write_fn)(FILE *, const void *),
                              const void *arg, char *err, size_t err_len)
{
    int fd = open_through(path, err, err_len);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    errno = 0;
    int rc = write_fn(f, arg);
    if (fclose(f) != 0) rc = -1;
    if (rc != 0) {
        snprintf(err, err_len, "cannot write %s: %s", path, errno ? strerror(errno) : "I/O error");
        return -1;
    }
    return 0;
}

/* A FIFO's reader that leaves mid-write fails the write (EPIPE) instead of
 * ending the process by SIGPIPE before the result is saved elsewhere. */
static int write_through(const char *path, int (*write_fn)(FILE *, const void *), const void *arg,
                         char *err, size_t err_len)
{
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    int rc = write_through_file(path, write_fn, arg, err, err_len);
    if (!sigismember(&old, SIGPIPE)) {
        struct timespec now = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &now) > 0) { /* the write's own SIGPIPE */
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    return rc;
}

/* Written whole to path, or -1 with err set (and the old file untouched). */
static int write_whole(const char *path, int (*write_fn)(FILE *, const void *), const void *arg,
                       char *err, size_t err_len)
{
    char target[PATH_MAX], tmp[PATH_MAX + 32];
    struct stat st;
    enum kind kind = classify(path, target, sizeof target, &st, err, err_len);
    if (kind == REFUSED) return -1;
    if (kind == THROUGH) return write_through(path, write_fn, arg, err, err_len);
    if (kind == REGULAR && may_replace(path, target, &st, err, err_len) != 0) return -1;
    int fd = open_temp(path, target, kind == REGULAR ? &st : NULL, tmp, sizeof tmp, err, err_len);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    errno = 0;
    int rc = write_fn(f, arg);
    if (fclose(f) != 0) rc = -1;
    if (rc != 0 || rename(tmp, target) != 0) {
        snprintf(err, err_len, "cannot write %s: %s", path, errno ? strerror(errno) : "I/O error");
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Appends to err where what could not be written to path went instead: a
 * new file of its own (mode 0600, never replacing one) in the working
 * directory, else in TMPDIR or /tmp, named after path. */
static void rescue(const char *path, int (*write_fn)(FILE *, const void *), const void *arg,
                   char *err, size_t err_len)
{
    char copy[PATH_MAX], cwd[PATH_MAX], name[2 * PATH_MAX];
    snprintf(copy, sizeof copy, "%s", path);
    const char *base = basename(copy), *tmpdir = getenv("TMPDIR");
    const char *dirs[] = {getcwd(cwd, sizeof cwd), tmpdir && *tmpdir ? tmpdir : "/tmp"};
    int e = 0;
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        if (dirs[i] == NULL) continue;
        int n = snprintf(name, sizeof name, "%s/txstorm-saved-XXXXXX", dirs[i]);
        /* The output's own name after the random part, cut to stay a name. */
        int suffix = snprintf(name + n, sizeof name - (size_t)n, "-%.100s", base);
        int fd = mkostemps(name, suffix, O_CLOEXEC);
        if (fd < 0) {
            e = errno;
            continue;
        }
        FILE *f = fdopen(fd, "w");
        errno = 0;
        int rc = f ? write_fn(f, arg) : -1;
        if (f ? fclose(f) != 0 : close(fd) != 0) rc = -1;
        size_t used = strlen(err);
        if (rc == 0) {
            snprintf(err + used, err_len - used, "; written to %s instead", name);
            return;
        }
        e = errno ? errno : EIO;
        unlink(name);
    }
    size_t used = strlen(err);
    snprintf(err + used, err_len - used, "; nor could it be saved elsewhere: %s", strerror(e));
}

int outfile_write(const char *path, int (*write_fn)(FILE *, const void *), const void *arg,
                  char *err, size_t err_len)
{
    if (write_whole(path, write_fn, arg, err, err_len) == 0) return 0;
    rescue(path, write_fn, arg, err, err_len);
    return -1;
}

/* The first failed flush's errno: it drops its text, so a later flush
 * succeeds and could not say why the output was lost. */
static int stdout_errno;

int outfile_flush_stdout(char *err, size_t err_len)
{
    errno = 0;
    if (fflush(stdout) != 0 && stdout_errno == 0) stdout_errno = errno;
    if (!ferror(stdout)) return 0;
    /* Without a cause when the failed write was one stdio made on its own,
     * its buffer full. */
    if (err)
        snprintf(err, err_len, "cannot write the standard output: %s",
                 stdout_errno ? strerror(stdout_errno) : "a write to it failed");
    return -1;
}
