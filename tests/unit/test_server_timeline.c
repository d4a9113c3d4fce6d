/* The workers' servers over time: a line per move, shared by the workers
 * that moved together, "all" when every worker did, nothing when nobody
 * moved. */
#include "txstorm/server_timeline.h"

#include "cmocka_prelude.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static struct server_id server(const char *node, int in_recovery, int64_t timeline, int64_t at)
{
    struct server_id s = {.in_recovery = in_recovery, .timeline = timeline, .at_unix_ms = at};
    snprintf(s.host, sizeof s.host, "127.0.0.1");
    snprintf(s.port, sizeof s.port, "55500"); /* a proxy */
    snprintf(s.server_addr, sizeof s.server_addr, "%s", node);
    s.server_port = 5432;
    snprintf(s.system_id, sizeof s.system_id, "7000000000000000001");
    return s;
}

/* n workers' trails as the result holds them; trail i gets the servers of row i. */
static struct worker_trails result_of(struct server_trail *t, int n)
{
    struct worker_trails w = {0};
    for (int i = 0; i < n; i++)
        assert_true(worker_trails_add_ring(&w, &t[i], i));
    return w;
}

static char *printed(const struct worker_trails *ws, int64_t origin_unix_us)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    server_timeline_print(out, ws, origin_unix_us);
    fclose(out);
    return text;
}

/* Whether text has a line that starts with `start` and holds `also`. */
static bool has_line(const char *text, const char *start, const char *also)
{
    size_t n = strlen(start);
    for (const char *line = text; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char copy[512];
        snprintf(copy, sizeof copy, "%.*s", (int)len, line);
        if (strncmp(copy, start, n) == 0 && strstr(copy, also)) return true;
    }
    return false;
}

/* Four workers on node A; a failover; three reach B at once, the last a
 * little later, and a reconnect to B changes nothing. */
static struct worker_trails failover(void)
{
    struct server_trail *t = calloc(4, sizeof *t);
    struct server_id a = server("10.0.0.1", 0, 1, 1000000), b = server("10.0.0.2", 0, 2, 1005200);
    for (int i = 0; i < 4; i++) {
        struct server_id first = a, then = b;
        first.at_unix_ms += i;
        then.at_unix_ms += i < 3 ? i * 10 : 2500;
        server_trail_add(&t[i], &first);
        server_trail_add(&t[i], &then);
    }
    struct server_id again = b;
    again.at_unix_ms += 4000;
    server_trail_add(&t[1], &again);
    struct worker_trails ws = result_of(t, 4);
    free(t);
    return ws;
}

static void workers_that_move_together_share_a_line(void **state)
{
    (void)state;
    struct worker_trails ws = failover();
    struct server_move *moves;
    int n = server_moves(&ws, &moves);
    assert_int_equal(n, 3);
    assert_int_equal(moves[0].n_workers, 4);
    assert_string_equal(moves[0].id.server_addr, "10.0.0.1");
    assert_int_equal(moves[1].n_workers, 3);
    assert_int_equal(moves[1].at_unix_ms, 1005200);
    assert_string_equal(moves[1].id.server_addr, "10.0.0.2");
    assert_int_equal(moves[2].n_workers, 1);
    assert_int_equal(moves[2].workers[0], 3);
    server_moves_free(moves, n);

    char *text = printed(&ws, 1000000 * 1000LL - 500000); /* the workers started 0.5 s before */
    assert_non_null(strstr(text, "server timeline"));
    assert_true(has_line(text, "      0.500 00:16:40.000  all 4 ", "10.0.0.1:5432"));
    assert_true(has_line(text, "      5.700 00:16:45.200  0-2 ", "10.0.0.2:5432"));
    assert_true(has_line(text, "      8.200 00:16:47.700  3 ", "10.0.0.2:5432"));
    free(text);
    worker_trails_free(&ws);
}

static void nobody_moved_nothing_to_tell(void **state)
{
    (void)state;
    struct server_trail *t = calloc(2, sizeof *t);
    struct server_id a = server("10.0.0.1", 0, 1, 1000), a_later = server("10.0.0.1", 0, 1, 9000);
    server_trail_add(&t[0], &a);
    server_trail_add(&t[0], &a_later); /* a reconnect to the same server */
    server_trail_add(&t[1], &a);
    struct worker_trails ws = result_of(t, 2);
    char *text = printed(&ws, 0);
    assert_string_equal(text, "");
    free(text);
    worker_trails_free(&ws);
    free(t);
}

static void merged_workers_are_named_by_instance(void **state)
{
    (void)state;
    struct worker_trails four = failover(), ws = {0};
    /* As merge concatenates them: instance 1's workers 0..3. */
    for (size_t i = 0; i < four.n; i++)
        assert_true(worker_trails_append(&ws, &four.items[i], 1));
    worker_trails_free(&four);
    /* A fifth worker, from instance 0, on another node: the first line is no longer "all". */
    struct server_trail *t = calloc(1, sizeof *t);
    struct server_id c = server("10.0.0.3", 1, 1, 1000000);
    server_trail_add(t, &c);
    struct worker_trails other = result_of(t, 1);
    assert_true(worker_trails_append(&ws, &other.items[0], 0));
    worker_trails_free(&other);
    char *text = printed(&ws, 0);
    assert_true(has_line(text, "      0.000 00:16:40.000  1:0-3 ", "10.0.0.1:5432"));
    assert_true(has_line(text, "      0.000 00:16:40.000  0:0 ", "10.0.0.3:5432"));
    assert_true(has_line(text, "      5.200 00:16:45.200  1:0-2 ", "10.0.0.2:5432"));
    free(text);
    worker_trails_free(&ws);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(workers_that_move_together_share_a_line),
        cmocka_unit_test(nobody_moved_nothing_to_tell),
        cmocka_unit_test(merged_workers_are_named_by_instance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
