/* When intervals close: the tick's grid, the warmup's end, the phases' ends. */
#include "txstorm/interval_clock.h"

/* The next phase boundary after now_us; INT64_MAX: none (or no phases). */
static int64_t next_edge_us(const struct interval_clock *c, int64_t now_us)
{
    for (int i = 0; c->load && i < c->load->n; i++)
        if (c->start_us + c->load->phase[i].end_us > now_us)
            return c->start_us + c->load->phase[i].end_us;
    return INT64_MAX;
}

void interval_clock_init(struct interval_clock *c, int64_t start_us, int64_t tick_us,
                         int64_t warmup_us, const struct phases *load)
{
    *c = (struct interval_clock){.start_us = start_us,
                                 .tick_us = tick_us > 0 ? tick_us : 1,
                                 .next_tick_us = start_us + (tick_us > 0 ? tick_us : 1),
                                 .open_since_us = start_us,
                                 .warmup_end_us = warmup_us ? start_us + warmup_us : INT64_MAX,
                                 .load = load};
    c->edge_us = next_edge_us(c, start_us);
}

int64_t interval_clock_due_us(const struct interval_clock *c)
{
    int64_t due = c->next_tick_us;
    if (c->warmup_end_us < due) due = c->warmup_end_us;
    if (c->edge_us < due) due = c->edge_us;
    return due;
}

bool interval_clock_close(struct interval_clock *c, int64_t now_us, int64_t *from_us,
                          bool *warmup_over)
{
    if (now_us < interval_clock_due_us(c)) return false;
    *from_us = c->open_since_us;
    *warmup_over = now_us >= c->warmup_end_us;
    if (*warmup_over) c->warmup_end_us = INT64_MAX;
    while (c->next_tick_us <= now_us)
        c->next_tick_us += c->tick_us;
    c->edge_us = next_edge_us(c, now_us);
    c->open_since_us = now_us;
    return true;
}
