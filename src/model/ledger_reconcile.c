/* Reconciling the tool's record with the ledger table's transfer ids. */
#include "txstorm/ledger_reconcile.h"
#include "ledger_internal.h"

#include <stdlib.h>
#include <string.h>

void ledger_named_append(struct ledger_named_list *list, const struct ledger_named *item)
{
    if (list->n == list->cap) {
        int64_t cap = list->cap > 0 ? list->cap * 2 : 16;
        struct ledger_named *items = realloc(list->items, (size_t)cap * sizeof *items);
        if (items == NULL) {
            list->incomplete = true;
            return;
        }
        list->items = items;
        list->cap = cap;
    }
    list->items[list->n++] = *item;
}

void ledger_named_extend(struct ledger_named_list *list, const struct ledger_named_list *from)
{
    for (int64_t i = 0; i < from->n; i++)
        ledger_named_append(list, &from->items[i]);
    list->incomplete = list->incomplete || from->incomplete;
}

static const char *const resolution_names[] = {
    [LEDGER_UNRESOLVED] = "unresolved",
    [LEDGER_COMMITTED] = "committed",
    [LEDGER_NOT_COMMITTED] = "not committed",
};

const char *ledger_resolution_name(enum ledger_resolution r)
{
    return (unsigned)r < sizeof resolution_names / sizeof *resolution_names ? resolution_names[r]
                                                                             : "unresolved";
}

bool ledger_resolution_parse(const char *name, enum ledger_resolution *out)
{
    for (size_t i = 0; name && i < sizeof resolution_names / sizeof *resolution_names; i++)
        if (strcmp(name, resolution_names[i]) == 0) {
            *out = (enum ledger_resolution)i;
            return true;
        }
    return false;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const struct ledger_named *)a)->id, y = ((const struct ledger_named *)b)->id;
    return (x > y) - (x < y);
}

void ledger_named_sort(struct ledger_named_list *list)
{
    if (list->n > 1) qsort(list->items, (size_t)list->n, sizeof *list->items, by_id);
}

void ledger_named_free(struct ledger_named_list *list)
{
    free(list->items);
    *list = (struct ledger_named_list){0};
}

static struct ledger_named named(const struct ledger *l, int worker, int64_t seq)
{
    return (struct ledger_named){.id = ledger_transfer_id(l->instance, worker, seq),
                                 .worker = worker,
                                 .seq = seq,
                                 .outcome_unix_ms = ledger_outcome_unix_ms(l, worker, seq)};
}

/* Reconciliation. Each book's sighting counts mirror its outcomes, seq for
 * seq, so the ledgers must not grow between begin and end. */

int ledger_audit_begin(struct ledger_audit *a, const struct ledger *const *ledgers, int n)
{
    memset(a, 0, sizeof *a);
    a->first_lost = a->first_duplicated = a->first_invented = -1;
    int books = 0;
    for (int k = 0; k < n; k++) {
        /* With two ledgers for one instance, an id could not say whose it is. */
        for (int m = 0; m < k; m++)
            if (ledgers[m]->instance == ledgers[k]->instance) return -1;
        books += ledgers[k]->n_workers;
    }
    if (books == 0) return 0;
    a->seen = calloc((size_t)books, sizeof *a->seen);
    if (a->seen == NULL) return -1;
    a->seen_n = books;
    int i = 0;
    for (int k = 0; k < n; k++) {
        for (int w = 0; w < ledgers[k]->n_workers; w++, i++) {
            size_t bytes = book_bytes(ledgers[k]->books[w].n);
            a->seen[i] = calloc(bytes > 0 ? bytes : 1, 1);
            if (a->seen[i] == NULL) {
                ledger_audit_free(a);
                return -1;
            }
        }
    }
    return 0;
}

static void invented(struct ledger_audit *a, int64_t *count, int64_t id)
{
    (*count)++;
    if (a->first_invented < 0) a->first_invented = id;
}

void ledger_audit_row(struct ledger_audit *a, const struct ledger *const *ledgers, int n,
                      int64_t id)
{
    a->rows++;
    int instance, worker;
    int64_t seq;
    ledger_id_parts(id, &instance, &worker, &seq);
    const struct ledger *l = NULL;
    int i = 0;
    for (int k = 0; k < n; k++) {
        if (ledgers[k]->instance == instance) {
            l = ledgers[k];
            break;
        }
        i += ledgers[k]->n_workers;
    }
    i += worker;
    if (l == NULL || instance < 0 || worker >= l->n_workers || seq >= l->books[worker].n ||
        i >= a->seen_n) {
        /* Nothing to count sightings in: each such row counts. */
        invented(a, &a->invented_unknown, id);
        return;
    }

    /* Known ids count once per class, however often they appear. */
    uint8_t *seen = a->seen[i];
    unsigned sightings = get2(seen, seq);
    if (sightings == 2) return;
    seen[seq >> 2] += (uint8_t)(1u << ((unsigned)(seq & 3) * 2)); /* < 3, so no carry */
    if (sightings == 1) {
        a->duplicated++;
        if (a->first_duplicated < 0) a->first_duplicated = id;
        return;
    }
    switch (get2(l->books[worker].bits, seq)) {
    case LEDGER_FAILED: {
        invented(a, &a->invented_failed, id);
        struct ledger_named it = named(l, worker, seq);
        ledger_named_append(&a->invented_failed_named, &it);
        break;
    }
    case LEDGER_NONE:
        /* The tool believed nothing was written (e.g. insufficient funds). */
        invented(a, &a->invented_unknown, id);
        break;
    default:
        /* ACKED and AMBIGUOUS are judged by ledger_audit_end from the sightings. */
        break;
    }
}

void ledger_audit_end(struct ledger_audit *a, const struct ledger *const *ledgers, int n)
{
    int64_t acked = 0, found = 0, lost = 0, ambiguous = 0, committed = 0, first_lost = -1;
    int i = 0;
    a->lost_named.n = a->ambiguous_named.n = 0; /* rebuilt: a second call gives the same */
    a->lost_named.incomplete = a->ambiguous_named.incomplete = false;
    for (int k = 0; k < n; k++) {
        const struct ledger *l = ledgers[k];
        for (int w = 0; w < l->n_workers && i < a->seen_n; w++, i++) {
            const struct ledger_book *b = &l->books[w];
            const uint8_t *seen = a->seen[i];
            for (int64_t s = 0; s < b->n; s++) {
                unsigned o = get2(b->bits, s);
                if (o == LEDGER_ACKED) {
                    acked++;
                    if (get2(seen, s) > 0) {
                        found++;
                    } else {
                        lost++;
                        if (first_lost < 0) first_lost = ledger_transfer_id(l->instance, w, s);
                        struct ledger_named it = named(l, w, s);
                        ledger_named_append(&a->lost_named, &it);
                    }
                } else if (o == LEDGER_AMBIGUOUS) {
                    ambiguous++;
                    struct ledger_named it = named(l, w, s);
                    it.resolution = get2(seen, s) > 0 ? LEDGER_COMMITTED : LEDGER_NOT_COMMITTED;
                    committed += it.resolution == LEDGER_COMMITTED;
                    ledger_named_append(&a->ambiguous_named, &it);
                }
            }
        }
    }
    /* Assigned, not added, so a second call gives the same verdict. */
    a->acked = acked;
    a->acked_found = found;
    a->lost = lost;
    a->first_lost = first_lost;
    a->ambiguous = ambiguous;
    a->ambiguous_committed = committed;
    a->ambiguous_not_committed = ambiguous - committed;
    /* Rows come in the table's order; books in the ledgers' (instances may come in any). */
    ledger_named_sort(&a->lost_named);
    ledger_named_sort(&a->ambiguous_named);
    ledger_named_sort(&a->invented_failed_named);
}

void ledger_audit_free(struct ledger_audit *a)
{
    for (int i = 0; i < a->seen_n && a->seen != NULL; i++)
        free(a->seen[i]);
    free(a->seen);
    a->seen = NULL;
    a->seen_n = 0;
    ledger_named_free(&a->lost_named);
    ledger_named_free(&a->ambiguous_named);
    ledger_named_free(&a->invented_failed_named);
}

bool ledger_audit_ok(const struct ledger_audit *a)
{
    return a->lost == 0 && a->duplicated == 0 && a->invented_failed == 0 &&
           a->invented_unknown == 0;
}
