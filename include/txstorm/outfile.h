/* Output files (--json, --csv, --hgrm) written whole or not at all, and
 * never in place of something that is not a regular file, nor of one the
 * user may not write.
 *
 * A path that does not exist, or names a regular file (through a symlink
 * too: the target is written), gets a temporary file beside the target
 * renamed over it, so a reader never sees half a file; it takes the old
 * file's mode and, where this user may give it, its owner (a new file:
 * 0666 less the umask). A file the user could not write in place is
 * refused, as is one another user owns in a sticky directory (it could not
 * be renamed over). A path that names a device, a FIFO or a socket
 * (/dev/null) is opened and written through, never replaced; a FIFO is
 * opened only to be written, so a reader waiting on it sees all of it. A
 * directory is refused. /dev/stdout, /dev/stderr, /dev/fd/N and
 * /proc/self/fd/N are always written through, appended.
 *
 * What cannot be written when the time comes (a FIFO with no reader by
 * then, a full disk) is not lost: it goes to a new file of its own, mode
 * 0600, in the working directory (else TMPDIR or /tmp), named
 * txstorm-saved-XXXXXX-NAME, and the error says where. */
#ifndef TXSTORM_OUTFILE_H
#define TXSTORM_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

/* Room for any of the errors below: two paths and the words around them. */
#define OUTFILE_ERR_MAX 4096

/* Checks, before any work, that path can be written as above. 0, or -1
 * with one line in err. */
int outfile_check(const char *path, char *err, size_t err_len);

/* Refuses (-1, one line in err) the same file named by two outputs, or an
 * output that is also an input; NULL entries are skipped. Devices may be
 * named twice (nothing of them is replaced). flags[i] names outputs[i]. */
int outfile_distinct(const char *const *outputs, const char *const *flags, int n_outputs,
                     const char *const *inputs, int n_inputs, char *err, size_t err_len);

/* Writes path with write(f, arg) as described above. 0, or -1 with one line
 * in err (and the old file, if any, untouched) ending with the file that
 * holds the output instead. */
int outfile_write(const char *path, int (*write)(FILE *, const void *), const void *arg, char *err,
                  size_t err_len);

/* Flushes stdout: 0, or -1 with one line in err (NULL: none) when this or
 * any earlier write to it failed: a full disk, a closed pipe. The cause of
 * the first failed flush made here is remembered for the line. */
int outfile_flush_stdout(char *err, size_t err_len);

#endif
