/* --trigger exec: the user's command, started at the window's start and
 * waited for on a thread of its own until it ends, by itself or at its
 * deadline (the plan's end, or TRIGGER_EXEC_DEADLINE_US after its start
 * without one), or with the run. */
#include "injector_internal.h"
#include "txstorm/clock.h"
#include "txstorm/command.h"
#include "txstorm/dsn.h"

#include <stdio.h>
#include <string.h>

/* text with the injector's connection secrets scrubbed, line by line (its
 * line breaks kept), into out. A command is run as the user wrote it, but a
 * password of the run's connection string is shown nowhere. */
static void scrubbed(const struct injector *in, const char *text, char *out, size_t len)
{
    struct dsn_view view;
    char why[256], line[TRIGGER_COMMAND_MAX], clean[TRIGGER_COMMAND_MAX];
    if (db_dsn_inspect(in->dsn, &view, why, sizeof why) != 0) view.secret_list[0] = NULL;
    size_t at = 0;
    out[0] = '\0';
    for (const char *p = text; p && at + 1 < len;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n >= sizeof line) n = sizeof line - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        dsn_scrub(line, view.secret_list, clean, sizeof clean);
        n = strlen(clean);
        if (n > len - at - 1) n = len - at - 1;
        memcpy(out + at, clean, n);
        at += n;
        if (nl && at + 1 < len) out[at++] = '\n';
        out[at] = '\0';
        p = nl ? nl + 1 : NULL;
    }
}

void injector_exec_prepare(struct injector *in, int i)
{
    struct injector_command *c = &in->slots[i].command;
    *c = (struct injector_command){.in = in, .index = i, .exit_status = -1};
    scrubbed(in, in->plan->items[i].command, c->shown, sizeof c->shown);
}

/* How a command's end reads as a window's end. */
static enum trigger_release released(enum command_end end)
{
    switch (end) {
    case COMMAND_TIMED_OUT:
        return TRIGGER_TIMED_OUT;
    case COMMAND_STOPPED:
        return TRIGGER_RELEASED_RUN_ENDED;
    case COMMAND_EXITED:
    case COMMAND_SIGNALED:
        return TRIGGER_EXITED;
    case COMMAND_RUNNING:
        break;
    }
    return TRIGGER_RELEASE_UNKNOWN;
}

/* What the command's end says, into c (and, without a span, whose end the
 * injector's thread never handles, into the slot's release), all before its
 * window's end is recorded: whoever reads that end reads these too. */
static void ended(struct injector_command *c)
{
    struct injector *in = c->in;
    struct injector_slot *slot = &in->slots[c->index];
    char tail[COMMAND_OUTPUT_MAX + 1];
    command_output(&c->proc, tail, sizeof tail);
    scrubbed(in, tail, c->output, sizeof c->output);
    c->exit_status = c->proc.exited ? c->proc.status : -1;
    c->exit_signal = c->proc.exited ? 0 : c->proc.status;
    c->released = released(c->proc.end);
    if (in->plan->items[c->index].span_us == 0) slot->released = c->released;
    atomic_store(&slot->end_us, c->proc.end_us);
}

static void *wait_command(void *arg)
{
    struct injector_command *c = arg;
    command_wait(&c->proc, c->deadline_us, c->in->stop);
    ended(c);
    if (c->in->edge_passed) c->in->edge_passed(c->in->edge_arg);
    return NULL;
}

void injector_exec_begin(struct injector *in, int i)
{
    struct injector_slot *slot = &in->slots[i];
    struct injector_command *c = &slot->command;
    const struct trigger *t = &in->plan->items[i];
    char words[TRIGGER_COMMAND_MAX], *argv[COMMAND_WORDS_MAX + 1];
    /* The notation has checked its words. */
    command_words(t->command, words, sizeof words, argv, COMMAND_WORDS_MAX);
    int64_t start_us = clock_now_us();
    c->deadline_us = t->span_us ? injector_planned_end(in, i) : start_us + TRIGGER_EXEC_DEADLINE_US;
    char err[sizeof slot->error.message];
    if (command_start(&c->proc, argv, err, sizeof err) != 0) {
        slot->failed = true;
        scrubbed(in, err, slot->error.message, sizeof slot->error.message);
        return;
    }
    atomic_store(&slot->start_us, start_us);
    int rc = pthread_create(&c->waiter, NULL, wait_command, c);
    c->waiting = rc == 0;
    if (rc != 0) {
        /* No thread to wait on it: it is waited for here, ended at once. */
        atomic_bool now = true;
        command_wait(&c->proc, start_us, &now);
        ended(c);
    }
}

/* The command's wait, once over, joined; its window's release then the
 * command's, not the plan's. */
static void joined(struct injector_command *c)
{
    if (c->waiting) pthread_join(c->waiter, NULL);
    c->waiting = false;
    if (c->proc.pid) c->in->slots[c->index].released = c->released;
}

/* A span's end (or the run's within it), on the injector's thread: the
 * span's end is the command's deadline, so its waiter ends by then, or
 * COMMAND_KILL_GRACE_US after at most; the window ended when it did. */
void injector_exec_end(struct injector *in, int i) { joined(&in->slots[i].command); }

void injector_exec_finish(struct injector *in, int i) { joined(&in->slots[i].command); }

void injector_exec_outcome(struct trigger_outcome *o, const struct injector_slot *slot)
{
    const struct injector_command *c = &slot->command;
    /* The spec and its command as shown: scrubbed. */
    char *colon = strchr(strchr(o->spec, '@'), ':');
    if (colon) snprintf(colon + 1, sizeof o->spec - (size_t)(colon + 1 - o->spec), "%s", c->shown);
    snprintf(o->arg, sizeof o->arg, "%s", c->shown);
    /* Ended, here or (a follower) at instance 0. */
    if (c->exit_status < 0 && c->exit_signal == 0) return;
    o->released = slot->released;
    o->exit_status = c->exit_status;
    o->exit_signal = c->exit_signal;
    snprintf(o->output, sizeof o->output, "%s", c->output);
}
