/* A run's ledger record with the ids that name it, and the list a merge keeps. */
#include "txstorm/ledger_record.h"

#include "txstorm/errbuf.h"
#include "txstorm/json_id.h"
#include "txstorm/ledger_json.h"

#include <stdlib.h>
#include <string.h>

json_t *ledger_record_json(const struct ledger_record *r)
{
    json_t *o = ledger_json_encode(&r->ledger);
    if (o) json_object_set_new(o, "run_id", json_id(r->run_id));
    if (o) json_object_set_new(o, "bank_id", json_id(r->bank_id));
    return o;
}

int ledger_record_decode(const json_t *j, struct ledger_record *r, char *err, size_t err_len)
{
    memset(r, 0, sizeof *r);
    if (!json_is_object(j)) return errbuf_fail(err, err_len, "ledger record is not an object");
    if (!json_id_value(json_object_get(j, "run_id"), &r->run_id))
        return errbuf_fail(err, err_len, "ledger record has no run_id");
    /* Older results name no bank: 0. */
    const json_t *bank = json_object_get(j, "bank_id");
    if (bank && !json_id_value(bank, &r->bank_id))
        return errbuf_fail(err, err_len, "ledger record's bank_id is not an id");
    if (ledger_json_decode(j, &r->ledger, err, err_len) != 0) return -1;
    r->present = true;
    return 0;
}

void ledger_record_free(struct ledger_record *r)
{
    ledger_free(&r->ledger);
    memset(r, 0, sizeof *r);
}

bool ledger_records_append(struct ledger_records *rs, const struct ledger_record *r)
{
    struct ledger_record *items = realloc(rs->items, (rs->n + 1) * sizeof *items);
    if (items == NULL) return false;
    rs->items = items;
    rs->present = true;
    struct ledger_record *copy = &items[rs->n];
    *copy = *r;
    if (ledger_copy(&copy->ledger, &r->ledger) != 0) return false;
    rs->n++;
    return true;
}

void ledger_records_free(struct ledger_records *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        ledger_record_free(&rs->items[i]);
    free(rs->items);
    memset(rs, 0, sizeof *rs);
}

json_t *ledger_records_json(const struct ledger_records *rs)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < rs->n; i++)
        json_array_append_new(list, ledger_record_json(&rs->items[i]));
    return list;
}

int ledger_records_decode(const json_t *j, struct ledger_records *rs, char *err, size_t err_len)
{
    memset(rs, 0, sizeof *rs);
    if (!json_is_array(j)) return errbuf_fail(err, err_len, "'ledgers' is not a list");
    rs->items = calloc(json_array_size(j) + 1, sizeof *rs->items);
    if (rs->items == NULL) return errbuf_fail(err, err_len, "out of memory");
    rs->present = true;
    size_t i;
    json_t *v;
    json_array_foreach(j, i, v)
    {
        char why[256];
        if (ledger_record_decode(v, &rs->items[i], why, sizeof why) != 0) {
            ledger_records_free(rs);
            return errbuf_fail(err, err_len, "'ledgers' entry %zu: %s", i + 1, why);
        }
        rs->n++;
    }
    return 0;
}
