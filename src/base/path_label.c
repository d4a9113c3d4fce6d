/* Short names that tell files apart: the shortest distinct path suffixes. */
#include "txstorm/path_label.h"

#include "txstorm/errbuf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the last k components of path begin (the whole path when it has fewer). */
static const char *suffix(const char *path, int k)
{
    const char *p = path + strlen(path);
    while (p > path && p[-1] == '/')
        p--; /* a trailing slash is no component */
    for (; p > path; p--)
        if (p[-1] == '/' && --k == 0) return p;
    return path;
}

/* Whether label, taken from the last k components of paths[i], is another's. */
static bool clashes(const char *const *paths, const char *const *given, int n, int i, int k,
                    const char *label)
{
    for (int j = 0; j < n; j++) {
        if (j == i) continue;
        const char *other = given && given[j] ? given[j] : suffix(paths[j], k);
        if (strcmp(other, label) == 0) return true;
    }
    return false;
}

static char *auto_label(const char *const *paths, const char *const *given, int n, int i)
{
    /* Past the longest path (it has no more components than characters) every suffix is a
     * whole path: nothing more to try. */
    size_t deepest = 0;
    for (int j = 0; j < n; j++)
        if (strlen(paths[j]) > deepest) deepest = strlen(paths[j]);
    for (int k = 1; k <= (int)deepest + 1; k++) {
        const char *s = suffix(paths[i], k);
        if (!clashes(paths, given, n, i, k, s)) return strdup(s);
    }
    size_t size = strlen(paths[i]) + 16;
    char *label = malloc(size);
    if (label) snprintf(label, size, "%s (%d)", paths[i], i + 1);
    return label;
}

int path_labels(const char *const *paths, const char *const *given, int n, char **out, char *err,
                size_t err_len)
{
    for (int i = 0; given && i < n; i++)
        for (int j = i + 1; given[i] && j < n; j++)
            if (given[j] && strcmp(given[i], given[j]) == 0)
                return errbuf_fail(err, err_len, "--label '%s' names two results (%d and %d)",
                                   given[i], i + 1, j + 1);
    for (int i = 0; i < n; i++) {
        out[i] = given && given[i] ? strdup(given[i]) : auto_label(paths, given, n, i);
        if (out[i] == NULL) {
            while (i-- > 0) {
                free(out[i]);
                out[i] = NULL;
            }
            return errbuf_fail(err, err_len, "out of memory for the results' labels");
        }
    }
    return 0;
}
