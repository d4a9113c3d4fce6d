/* A user's command: its words (pure), and running it with its output's
 * tail kept, a deadline that ends its whole process group, and a command
 * that cannot start told apart. The runs use /bin/sh, no server. */
#include "cmocka_prelude.h"
#include "txstorm/clock.h"
#include "txstorm/command.h"
#include "txstorm/command_run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int words(const char *command, char **argv)
{
    static char buf[1024];
    return command_words(command, buf, sizeof buf, argv, 8);
}

static void words_split_on_whitespace_without_quoting(void **state)
{
    (void)state;
    char *argv[9];
    assert_int_equal(words("pg_ctl restart -D /pgdata", argv), 4);
    assert_string_equal(argv[0], "pg_ctl");
    assert_string_equal(argv[2], "-D");
    assert_string_equal(argv[3], "/pgdata");
    assert_null(argv[4]);
    /* Quotes, '$' and ':' '@' are ordinary characters. */
    assert_int_equal(words("  psql\t-c \"SELECT 1\"  postgresql://u@h:5/d ", argv), 5);
    assert_string_equal(argv[2], "\"SELECT");
    assert_string_equal(argv[3], "1\"");
    assert_string_equal(argv[4], "postgresql://u@h:5/d");
    assert_int_equal(words("", argv), 0);
    assert_int_equal(words(" \t ", argv), 0);
    assert_int_equal(words("a b c d e f g h", argv), 8);
    assert_int_equal(words("a b c d e f g h i", argv), -1); /* more than max */
    char small[4];
    assert_int_equal(command_words("abcd", small, sizeof small, argv, 8), -1);
}

static void a_named_shell_keeps_its_script_whole(void **state)
{
    (void)state;
    char *argv[9];
    assert_int_equal(words("sh -c  echo 'a  b' | wc -c; exit 3", argv), 3);
    assert_string_equal(argv[0], "sh");
    assert_string_equal(argv[1], "-c");
    assert_string_equal(argv[2], "echo 'a  b' | wc -c; exit 3");
    assert_int_equal(words("/bin/bash -c x y", argv), 3);
    assert_string_equal(argv[2], "x y");
    /* Any other command's -c is a word like the rest. */
    assert_int_equal(words("psql -c select 1", argv), 4);
    assert_int_equal(words("fish -c a b", argv), 4);
    assert_int_equal(words("sh -x -c a b", argv), 5);
    assert_int_equal(words("sh -c", argv), 2);
}

/* Runs argv to its end, deadline_s from now. */
static void run(char *const argv[], double deadline_s, struct command_proc *c)
{
    char err[256];
    assert_int_equal(command_start(c, argv, err, sizeof err), 0);
    command_wait(c, clock_now_us() + (int64_t)(deadline_s * 1e6), NULL);
}

static void its_exit_status_and_output_are_kept(void **state)
{
    (void)state;
    struct command_proc c;
    char out[COMMAND_OUTPUT_MAX + 1];
    run((char *[]){"sh", "-c", "echo out; echo err >&2; exit 3", NULL}, 60, &c);
    assert_int_equal(c.end, COMMAND_EXITED);
    assert_true(c.exited);
    assert_int_equal(c.status, 3);
    command_output(&c, out, sizeof out);
    assert_string_equal(out, "out\nerr");
    run((char *[]){"true", NULL}, 60, &c);
    assert_int_equal(c.end, COMMAND_EXITED);
    assert_int_equal(c.status, 0);
    command_output(&c, out, sizeof out);
    assert_string_equal(out, "");
}

static void only_the_tail_is_kept_from_a_whole_line(void **state)
{
    (void)state;
    struct command_proc c;
    char out[COMMAND_OUTPUT_MAX + 1];
    /* 300 lines of 9 bytes then a last one: the tail starts at a line. */
    run((char *[]){"sh", "-c",
                   "i=0; while [ $i -lt 300 ]; do echo line-$((i+100)); i=$((i+1)); done; "
                   "printf 'a\\000b\\377\\n'",
                   NULL},
        60, &c);
    command_output(&c, out, sizeof out);
    assert_true(strlen(out) <= COMMAND_OUTPUT_MAX);
    assert_true(strlen(out) > COMMAND_OUTPUT_MAX - 20);
    assert_true(strncmp(out, "line-", 5) == 0);
    /* A NUL and a byte that is no UTF-8 are kept as '?'. */
    const char *end = out + strlen(out) - strlen("line-399\na?b?");
    assert_string_equal(end, "line-399\na?b?");
}

static void a_command_that_cannot_start_is_told(void **state)
{
    (void)state;
    struct command_proc c;
    char err[256];
    assert_int_equal(command_start(&c, (char *[]){"no-such-command-here", NULL}, err, sizeof err),
                     -1);
    assert_string_equal(err, "cannot run 'no-such-command-here': No such file or directory");
    assert_int_equal(c.pid, 0);
    command_wait(&c, 0, NULL); /* nothing to wait for */
}

/* Whether the process pid is gone (or a zombie nobody has reaped yet). */
static bool gone(long pid)
{
    char path[64], stat[256] = "";
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) return true;
    bool zombie = fgets(stat, sizeof stat, f) && strstr(stat, ") Z ");
    fclose(f);
    return zombie;
}

static void a_deadline_ends_its_whole_group(void **state)
{
    (void)state;
    struct command_proc c;
    char out[COMMAND_OUTPUT_MAX + 1];
    int64_t from_us = clock_now_us();
    /* A shell that ignores SIGTERM and a child of its own that outlives it. */
    run((char *[]){"sh", "-c", "trap '' TERM; sleep 60 & echo $!; wait; wait", NULL}, 0.2, &c);
    int64_t took_us = clock_now_us() - from_us;
    assert_int_equal(c.end, COMMAND_TIMED_OUT);
    assert_false(c.exited);
    assert_int_equal(c.status, SIGKILL);
    assert_true(took_us >= 200000);
    assert_true(took_us < 200000 + COMMAND_KILL_GRACE_US + 5000000);
    command_output(&c, out, sizeof out);
    long child = strtol(out, NULL, 10);
    assert_true(child > 0);
    int64_t until_us = clock_now_us() + 10000000;
    while (!gone(child) && clock_now_us() < until_us)
        clock_sleep_us(10000);
    assert_true(gone(child));
}

static void a_stop_ends_it(void **state)
{
    (void)state;
    struct command_proc c;
    char err[256];
    atomic_bool stop = true;
    assert_int_equal(command_start(&c, (char *[]){"sleep", "60", NULL}, err, sizeof err), 0);
    command_wait(&c, clock_now_us() + 60000000, &stop);
    assert_int_equal(c.end, COMMAND_STOPPED);
    assert_false(c.exited);
    assert_int_equal(c.status, SIGTERM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(words_split_on_whitespace_without_quoting),
        cmocka_unit_test(a_named_shell_keeps_its_script_whole),
        cmocka_unit_test(its_exit_status_and_output_are_kept),
        cmocka_unit_test(only_the_tail_is_kept_from_a_whole_line),
        cmocka_unit_test(a_command_that_cannot_start_is_told),
        cmocka_unit_test(a_deadline_ends_its_whole_group),
        cmocka_unit_test(a_stop_ends_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
