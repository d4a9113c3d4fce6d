/* The failover timeline: the run's, its endpoints' and its instances' outage
 * windows, as one typed part of a result (failover.h). */
#include "txstorm/failover.h"
#include "txstorm/text.h"

#include <stdlib.h>
#include <string.h>

static json_t *part_json(const struct failover_part *p, int64_t origin_unix_us)
{
    json_t *j = outage_json(&p->run, origin_unix_us), *endpoints = json_array();
    if (j == NULL || endpoints == NULL) {
        json_decref(j);
        json_decref(endpoints);
        return NULL;
    }
    for (int e = 0; e < p->n_endpoints; e++)
        json_array_append_new(endpoints, outage_json(&p->endpoints[e], origin_unix_us));
    json_object_set_new(j, "endpoints", endpoints);
    if (p->instance >= 0) json_object_set_new(j, "instance", json_integer(p->instance));
    return j;
}

json_t *failover_json(const struct failover_timeline *f, int64_t origin_unix_us)
{
    if (!f->present) return NULL;
    json_t *j = part_json(&f->own, origin_unix_us);
    if (j == NULL || f->n_instances == 0) return j;
    json_t *instances = json_array();
    for (int i = 0; instances && i < f->n_instances; i++)
        json_array_append_new(instances, part_json(&f->instances[i], origin_unix_us));
    json_object_set_new(j, "instances", instances);
    return j;
}

static int part_decode(const json_t *j, struct failover_part *p, bool may_name_instance)
{
    memset(p, 0, sizeof *p);
    p->instance = -1;
    if (!json_is_object(j) || outage_json_decode(j, &p->run) != 0) return -1;
    const json_t *instance = json_object_get(j, "instance");
    if (instance) {
        if (!may_name_instance || !json_is_integer(instance) || json_integer_value(instance) < 0)
            return -1;
        p->instance = (int)json_integer_value(instance);
    }
    const json_t *endpoints = json_object_get(j, "endpoints");
    if (endpoints == NULL) return 0;
    if (!json_is_array(endpoints)) return -1;
    size_t n = json_array_size(endpoints);
    if (n == 0) return 0;
    p->endpoints = calloc(n, sizeof *p->endpoints);
    if (p->endpoints == NULL) return -1;
    p->n_endpoints = (int)n;
    for (size_t e = 0; e < n; e++)
        if (outage_json_decode(json_array_get(endpoints, e), &p->endpoints[e]) != 0) return -1;
    return 0;
}

int failover_decode(const json_t *j, struct failover_timeline *f)
{
    memset(f, 0, sizeof *f);
    f->own.instance = -1;
    if (j == NULL) return 0;
    f->present = true;
    if (part_decode(j, &f->own, false) != 0) goto bad;
    const json_t *instances = json_object_get(j, "instances");
    if (instances == NULL) return 0;
    if (!json_is_array(instances)) goto bad;
    size_t n = json_array_size(instances);
    if (n == 0) return 0;
    f->instances = calloc(n, sizeof *f->instances);
    if (f->instances == NULL) goto bad;
    f->n_instances = (int)n;
    for (size_t i = 0; i < n; i++)
        if (part_decode(json_array_get(instances, i), &f->instances[i], true) != 0) goto bad;
    return 0;
bad:
    failover_free(f);
    return -1;
}

bool failover_part_copy(const struct failover_part *part, int64_t offset_us, int instance,
                        struct failover_part *out)
{
    *out = *part;
    out->instance = instance;
    out->endpoints = NULL;
    out->n_endpoints = 0;
    outage_shift(&out->run, offset_us);
    if (part->n_endpoints == 0) return true;
    out->endpoints = malloc((size_t)part->n_endpoints * sizeof *out->endpoints);
    if (out->endpoints == NULL) return false;
    out->n_endpoints = part->n_endpoints;
    for (int e = 0; e < part->n_endpoints; e++) {
        out->endpoints[e] = part->endpoints[e];
        outage_shift(&out->endpoints[e], offset_us);
    }
    return true;
}

void failover_part_free(struct failover_part *p)
{
    free(p->endpoints);
    p->endpoints = NULL;
    p->n_endpoints = 0;
}

void failover_free(struct failover_timeline *f)
{
    failover_part_free(&f->own);
    for (int i = 0; i < f->n_instances; i++)
        failover_part_free(&f->instances[i]);
    free(f->instances);
    memset(f, 0, sizeof *f);
    f->own.instance = -1;
}

void failover_print(FILE *out, const struct failover_timeline *f, int64_t origin_unix_us)
{
    if (!f->present || f->own.run.count == 0) return;
    text_printf(out,
                "\nfailover timeline (times since the workers started; a window runs from the\n"
                "last commit before a connection loss to the first commit after it)\n");
    outage_print_scope(out, "whole run", &f->own.run, origin_unix_us);
    if (f->own.n_endpoints < 2) return;
    for (int e = 0; e < f->own.n_endpoints; e++) {
        char scope[32];
        snprintf(scope, sizeof scope, "endpoint %d", e + 1); /* as the endpoints table counts */
        outage_print_scope(out, scope, &f->own.endpoints[e], origin_unix_us);
    }
}
