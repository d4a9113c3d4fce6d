/* The servers a worker reached: the last SERVER_TRAIL_MAX kept in order,
 * the rest counted; the JSON; the tally per server. */
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
    json_t *j = server_trail_json(t, 7);
    assert_int_equal(json_integer_value(json_object_get(j, "worker")), 7);
    assert_int_equal(json_integer_value(json_object_get(j, "earlier")), 10);
    assert_int_equal(json_array_size(json_object_get(j, "servers")), SERVER_TRAIL_MAX);
    json_decref(j);
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

static json_t *workers_of(struct server_trail *trails, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, server_trail_json(&trails[i], i));
    return a;
}

/* The text report's servers part holds both texts. */
static void assert_printed(const json_t *workers_servers, const char *one, const char *other)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    servers_print(out, workers_servers);
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
    json_t *a = workers_of(t, 2);
    struct server_count rows[4];
    int64_t earlier = -1;
    assert_int_equal(servers_tally(a, rows, 4, &earlier), 3);
    assert_int_equal(earlier, 0);
    assert_string_equal(rows[0].id.port, "6001");
    assert_int_equal(rows[0].id.in_recovery, 1);
    assert_int_equal(rows[1].connections, 3);
    assert_int_equal(rows[1].workers, 2);
    assert_int_equal(rows[2].id.timeline, 2); /* the promoted standby is a server of its own */
    assert_int_equal(rows[2].connections, 1);
    /* Fewer rows than servers: the count still says how many. */
    assert_int_equal(servers_tally(a, rows, 1, &earlier), 3);
    assert_printed(a, "127.0.0.1:6001", "standby");
    json_decref(a);
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

    json_t *all = workers_of(t, 1);
    struct server_count rows[4];
    int64_t earlier;
    assert_int_equal(servers_tally(all, rows, 4, &earlier), 2);
    assert_printed(all, "10.0.0.1:5432", "10.0.0.2:5433");
    json_decref(all);
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

static void a_malformed_array_is_refused(void **state)
{
    (void)state;
    struct server_count rows[1];
    int64_t earlier;
    json_t *bad =
        json_pack("[{s:i, s:[{s:s}], s:i}]", "worker", 0, "servers", "host", "x", "earlier", 0);
    assert_int_equal(servers_tally(bad, rows, 1, &earlier), -1);
    json_decref(bad);
    assert_int_equal(servers_tally(NULL, rows, 1, &earlier), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_last_ones_are_kept_in_order),
        cmocka_unit_test(unknown_fields_are_null),
        cmocka_unit_test(the_tally_counts_connections_and_workers_per_server),
        cmocka_unit_test(the_node_behind_a_proxy_is_told_apart),
        cmocka_unit_test(a_unix_socket_has_no_node),
        cmocka_unit_test(a_malformed_array_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
