/* Names that tell several files apart, for people: each file's name, or as
 * much of its path as it takes to differ from the others' (two run.json in
 * different folders read a/run.json and b/run.json). Pure. */
#ifndef TXSTORM_PATH_LABEL_H
#define TXSTORM_PATH_LABEL_H

#include <stddef.h>

/* Fills out[i] (malloc'ed; free each) for paths[i], i < n: given[i] when
 * given (given may be NULL, given[i] NULL for none), else the fewest
 * trailing components of paths[i] that no other label has; a path named
 * twice gets " (N)" after it, N its place among the n (from 1). Returns 0,
 * or -1 with one line in err when two given names are the same, or memory
 * runs out (out's entries then as they were, or NULL). */
int path_labels(const char *const *paths, const char *const *given, int n, char **out, char *err,
                size_t err_len);

#endif
