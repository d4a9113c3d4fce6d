/* The servers a worker reached: the last SERVER_TRAIL_MAX kept in order,
 * the rest counted; the trails' JSON both ways; the tally per server. */
#include "txstorm/servers.h"

#include "cmocka_prelude.h"

#include <stdlib.h>
#include <string.h>

static struct server_id server(const char *port, int in_recovery, int64_t timeline, int64_t at)
{
    struct server_id s = {.in_recovery = in_recovery, .timeline = timeline, .at_unix_ms = at};
    snprintf(s.host, sizeof s.host, "127.0.0.1");
    snprintf(s.port, sizeof s.port, "%s", port);
    if (timeline) snprintf(s.system_id, sizeof s.system_id, "7000000000000000001");
    return s;
}

/* s as a server that names its own address and port. */
static struct server_id at_node(struct server_id s, const char *addr, int port)
{
    snprintf(s.server_addr, sizeof s.server_addr, "%s", addr);
    s.server_port = port;
    return s;
}

static void the_last_ones_are_kept_in_order(void **state)
{
    (void)state;
    struct server_trail *t = calloc(1, sizeof *t);
    for (int i = 0; i < SERVER_TRAIL_MAX + 10; i++) {
        struct server_id s = server("5432", 0, 1, i);
        server_trail_add(t, &s);
    }
    assert_int_equal(t->kept, SERVER_TRAIL_MAX);
    assert_int_equal(t->earlier, 10);
    assert_int_equal(server_trail_at(t, 0)->at_unix_ms, 10);
    assert_int_equal(server_trail_at(t, SERVER_TRAIL_MAX - 1)->at_unix_ms, SERVER_TRAIL_MAX + 9);
    struct worker_trails w = {0};
    assert_true(worker_trails_add_ring(&w, t, 7));
    json_t *all = worker_trails_json(&w);
    json_t *j = json_array_get(all, 0);
    assert_int_equal(json_integer_value(json_object_get(j, "worker")), 7);
    assert_int_equal(json_integer_value(json_object_get(j, "earlier")), 10);
    assert_int_equal(json_array_size(json_object_get(j, "servers")), SERVER_TRAIL_MAX);
    assert_null(json_object_get(j, "instance")); /* the run's own */
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(j, "servers"), 0), "at_unix_ms")),
                     10);
    json_decref(all);
    worker_trails_free(&w);
    free(t);
}

static void unknown_fields_are_null(void **state)
{
    (void)state;
    struct server_id s = server("26257", -1, 0, 5); /* CockroachDB: host and port only */
    json_t *j = server_id_json(&s);
    assert_true(json_is_null(json_object_get(j, "in_recovery")));
    assert_true(json_is_null(json_object_get(j, "system_id")));
    assert_true(json_is_null(json_object_get(j, "timeline")));
    assert_string_equal(json_string_value(json_object_get(j, "port")), "26257");
    json_decref(j);
}

static struct worker_trails workers_of(struct server_trail *trails, int n)
{
    struct worker_trails w = {0};
    for (int i = 0; i < n; i++)
        assert_true(worker_trails_add_ring(&w, &trails[i], i));
    return w;
}

/* The text report's servers part holds both texts. */
static void assert_printed(const struct worker_trails *w, const char *one, const char *other)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    servers_print(out, w);
    fclose(out);
    assert_non_null(strstr(text, one));
    assert_non_null(strstr(text, other));
    free(text);
}

static void the_tally_counts_connections_and_workers_per_server(void **state)
{
    (void)state;
    struct server_trail *t = calloc(2, sizeof *t);
    struct server_id standby = server("6001", 1, 1, 1), primary = server("6000", 0, 1, 2),
                     promoted = server("6001", 0, 2, 3);
    server_trail_add(&t[0], &standby);
    server_trail_add(&t[0], &primary);
    server_trail_add(&t[0], &promoted);
    server_trail_add(&t[1], &primary);
    server_trail_add(&t[1], &primary);
    struct worker_trails a = workers_of(t, 2);
    struct server_count rows[4];
    int64_t earlier = -1;
    assert_int_equal(servers_tally(&a, rows, 4, &earlier), 3);
    assert_int_equal(earlier, 0);
    assert_string_equal(rows[0].id.port, "6001");
    assert_int_equal(rows[0].id.in_recovery, 1);
    assert_int_equal(rows[1].connections, 3);
    assert_int_equal(rows[1].workers, 2);
    assert_int_equal(rows[2].id.timeline, 2); /* the promoted standby is a server of its own */
    assert_int_equal(rows[2].connections, 1);
    /* Fewer rows than servers: the count still says how many. */
    assert_int_equal(servers_tally(&a, rows, 1, &earlier), 3);
    assert_printed(&a, "127.0.0.1:6001", "standby");
    worker_trails_free(&a);
    free(t);
}

/* Behind a proxy: one host:port, two nodes, each its own row, named. */
static void the_node_behind_a_proxy_is_told_apart(void **state)
{
    (void)state;
    struct server_trail *t = calloc(1, sizeof *t);
    struct server_id a = at_node(server("55500", 0, 1, 1), "10.0.0.1", 5432),
                     b = at_node(server("55500", 0, 2, 2), "10.0.0.2", 5433);
    server_trail_add(t, &a);
    server_trail_add(t, &b);
    json_t *a_json = server_id_json(&a);
    assert_string_equal(json_string_value(json_object_get(a_json, "server_addr")), "10.0.0.1");
    assert_int_equal(json_integer_value(json_object_get(a_json, "server_port")), 5432);
    struct server_id back;
    assert_true(server_id_from_json(a_json, &back));
    assert_string_equal(back.server_addr, "10.0.0.1");
    assert_int_equal(back.server_port, 5432);
    /* A result from before the node was asked: not offered, still read. */
    json_object_del(a_json, "server_addr");
    json_object_del(a_json, "server_port");
    assert_true(server_id_from_json(a_json, &back));
    assert_string_equal(back.server_addr, "");
    json_decref(a_json);

    struct worker_trails all = workers_of(t, 1);
    struct server_count rows[4];
    int64_t earlier;
    assert_int_equal(servers_tally(&all, rows, 4, &earlier), 2);
    assert_printed(&all, "10.0.0.1:5432", "10.0.0.2:5433");
    worker_trails_free(&all);
    free(t);
}

/* Over a Unix socket the server has no address: null in the JSON, "-" for people. */
static void a_unix_socket_has_no_node(void **state)
{
    (void)state;
    struct server_id s = server("5432", 0, 1, 1);
    json_t *j = server_id_json(&s);
    assert_true(json_is_null(json_object_get(j, "server_addr")));
    assert_true(json_is_null(json_object_get(j, "server_port")));
    json_decref(j);
    char node[64];
    server_node(&s, node, sizeof node);
    assert_string_equal(node, "-");
    s = at_node(s, "::1", 5432);
    server_node(&s, node, sizeof node);
    assert_string_equal(node, "[::1]:5432");
}

/* The trails' codec: what is written reads back the same, a merge's
 * instance included, and writes the same JSON again. */
static void trails_round_trip(void **state)
{
    (void)state;
    struct server_trail *t = calloc(2, sizeof *t);
    struct server_id a = at_node(server("6000", 0, 1, 1), "10.0.0.1", 5432),
                     b = server("6001", -1, 0, 2);
    server_trail_add(&t[0], &a);
    server_trail_add(&t[0], &b);
    t[0].earlier = 3;
    server_trail_add(&t[1], &b);
    struct worker_trails w = workers_of(t, 2), merged = {0};
    assert_true(worker_trails_append(&merged, &w.items[0], 2));
    assert_true(worker_trails_append(&merged, &w.items[1], -1));
    json_t *j = worker_trails_json(&merged);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0), "instance")), 2);
    assert_null(json_object_get(json_array_get(j, 1), "instance"));
    struct worker_trails back;
    char err[256];
    assert_int_equal(worker_trails_decode(j, &back, err, sizeof err), 0);
    assert_true(back.present);
    assert_int_equal(back.n, 2);
    assert_int_equal(back.items[0].instance, 2);
    assert_int_equal(back.items[0].worker, 0);
    assert_int_equal(back.items[0].earlier, 3);
    assert_int_equal(back.items[0].n, 2);
    assert_true(server_id_same(&back.items[0].servers[0], &a));
    assert_int_equal(back.items[0].servers[1].at_unix_ms, 2);
    assert_int_equal(back.items[1].instance, -1);
    assert_int_equal(back.items[1].worker, 1);
    json_t *again = worker_trails_json(&back);
    assert_true(json_equal(j, again));
    json_decref(again);
    json_decref(j);
    worker_trails_free(&back);
    worker_trails_free(&merged);
    worker_trails_free(&w);
    free(t);
}

static void a_malformed_array_is_refused(void **state)
{
    (void)state;
    struct worker_trails w;
    char err[256];
    json_t *bad =
        json_pack("[{s:i, s:[{s:s}], s:i}]", "worker", 0, "servers", "host", "x", "earlier", 0);
    assert_int_equal(worker_trails_decode(bad, &w, err, sizeof err), -1);
    assert_string_equal(err, "'workers_servers' entry 1 is malformed");
    assert_false(w.present);
    json_decref(bad);
    bad = json_pack("[{s:i, s:[], s:i}]", "worker", 0, "servers", "earlier", -1);
    assert_int_equal(worker_trails_decode(bad, &w, err, sizeof err), -1);
    json_decref(bad);
    assert_int_equal(worker_trails_decode(NULL, &w, err, sizeof err), -1);
    assert_string_equal(err, "'workers_servers' is not a list");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_last_ones_are_kept_in_order),
        cmocka_unit_test(unknown_fields_are_null),
        cmocka_unit_test(the_tally_counts_connections_and_workers_per_server),
        cmocka_unit_test(trails_round_trip),
        cmocka_unit_test(the_node_behind_a_proxy_is_told_apart),
        cmocka_unit_test(a_unix_socket_has_no_node),
        cmocka_unit_test(a_malformed_array_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
