/* Labels that tell results apart: the file name when it is unique, else as
 * much of the path as it takes; given names kept, two alike refused. */
#include "txstorm/path_label.h"

#include "cmocka_prelude.h"

#include <stdlib.h>
#include <string.h>

/* path_labels of n paths (and given names) must be `want`. */
static void labels_are(const char *const *paths, const char *const *given, int n,
                       const char *const *want)
{
    char *out[8], err[256];
    assert_int_equal(path_labels(paths, given, n, out, err, sizeof err), 0);
    for (int i = 0; i < n; i++) {
        assert_string_equal(out[i], want[i]);
        free(out[i]);
    }
}

static void unique_names_stay_short(void **state)
{
    (void)state;
    const char *paths[] = {"/tmp/x/closed.json", "open.json", "runs/2026/a.json"};
    labels_are(paths, NULL, 3, (const char *[]){"closed.json", "open.json", "a.json"});
}

static void one_name_in_two_folders_takes_the_folder(void **state)
{
    (void)state;
    const char *paths[] = {"results/a/run.json", "results/b/run.json", "other.json"};
    labels_are(paths, NULL, 3, (const char *[]){"a/run.json", "b/run.json", "other.json"});
    /* As deep as it takes, each no deeper than it needs. */
    const char *deep[] = {"x/a/run.json", "y/a/run.json", "c/run.json", "run.json"};
    labels_are(deep, NULL, 4,
               (const char *[]){"x/a/run.json", "y/a/run.json", "c/run.json", "run.json"});
}

static void the_same_file_twice_is_numbered(void **state)
{
    (void)state;
    const char *paths[] = {"a/run.json", "a/run.json"};
    labels_are(paths, NULL, 2, (const char *[]){"a/run.json (1)", "a/run.json (2)"});
}

static void given_labels_win_and_must_differ(void **state)
{
    (void)state;
    const char *paths[] = {"a/run.json", "b/run.json", "c/sync.json"};
    const char *given[] = {"sync", NULL, NULL};
    /* b's file name is no longer another result's; c's is the given one's. */
    labels_are(paths, given, 3, (const char *[]){"sync", "run.json", "sync.json"});
    const char *clash[] = {NULL, "sync.json", NULL};
    labels_are(paths, clash, 3, (const char *[]){"run.json", "sync.json", "c/sync.json"});
    const char *twice[] = {"x", NULL, "x"};
    char *out[3], err[256];
    assert_int_equal(path_labels(paths, twice, 3, out, err, sizeof err), -1);
    assert_string_equal(err, "--label 'x' names two results (1 and 3)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unique_names_stay_short),
        cmocka_unit_test(one_name_in_two_folders_takes_the_folder),
        cmocka_unit_test(the_same_file_twice_is_numbered),
        cmocka_unit_test(given_labels_win_and_must_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
