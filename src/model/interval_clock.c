/* When intervals close: the tick's grid, the warmup's end, the phases' ends,
 * the triggers' edges. */
#include "txstorm/interval_clock.h"

#define EDGE_SLACK_MAX_US 50000

int64_t interval_edge_slack_us(int64_t interval_us)
{
    int64_t quarter = interval_us / 4;
    return quarter < EDGE_SLACK_MAX_US ? quarter : EDGE_SLACK_MAX_US;
}

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
    if (tick_us <= 0) tick_us = 1;
    *c = (struct interval_clock){.start_us = start_us,
                                 .tick_us = tick_us,
                                 .next_tick_us = start_us + tick_us,
                                 .open_since_us = start_us,
                                 .warmup_end_us = warmup_us ? start_us + warmup_us : INT64_MAX,
                                 .cut_us = INT64_MAX,
                                 .slack_us = interval_edge_slack_us(tick_us),
                                 .load = load};
    c->edge_us = next_edge_us(c, start_us);
}

int64_t interval_clock_due_us(const struct interval_clock *c)
{
    int64_t due = c->next_tick_us;
    if (c->warmup_end_us < due) due = c->warmup_end_us;
    if (c->edge_us < due) due = c->edge_us;
    if (c->cut_us < due) due = c->cut_us;
    return due;
}

void interval_clock_edge(struct interval_clock *c, int64_t at_us)
{
    if (at_us - c->open_since_us > c->slack_us && at_us < c->cut_us) c->cut_us = at_us;
}

bool interval_clock_close(struct interval_clock *c, int64_t now_us, int64_t *from_us,
                          bool *warmup_over)
{
    if (now_us < interval_clock_due_us(c)) return false;
    *from_us = c->open_since_us;
    *warmup_over = now_us >= c->warmup_end_us;
    if (*warmup_over) c->warmup_end_us = INT64_MAX;
    /* A tick within the slack after this close would close a sliver. */
    while (c->next_tick_us <= now_us + c->slack_us)
        c->next_tick_us += c->tick_us;
    c->edge_us = next_edge_us(c, now_us);
    c->cut_us = INT64_MAX;
    c->open_since_us = now_us;
    return true;
}
