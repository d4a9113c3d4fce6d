/* A command's flags, and the exit codes, as the reference's Markdown tables
 * (docs/reference.md), from the flag table and exitcode.c: the reference is
 * checked against them (scripts/reference-tables), so they cannot drift. */
#include "options_internal.h"

#include "txstorm/exitcode.h"
#include "txstorm/trigger.h"

#include <string.h>

/* Text in a table cell: a '|' would end the cell, a help's line breaks are spaces. */
static void put_cell(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '|')
            fputs("\\|", out);
        else
            fputc(*p == '\n' ? ' ' : *p, out);
    }
}

/* "(also on `check`, `report`)": the other commands that take the same row. */
static void put_also_on(FILE *out, const struct flag *f, enum command c)
{
    const char *sep = " (also on ";
    for (int o = 0; o < options_n_commands; o++) {
        if (o == (int)c || !options_commands[o].name || !(f->commands & (1u << o))) continue;
        fprintf(out, "%s`%s`", sep, options_commands[o].name);
        sep = ", ";
    }
    if (strcmp(sep, ", ") == 0) fputc(')', out);
}

void options_markdown_exit_codes(FILE *out)
{
    fputs("| code | meaning |\n|---|---|\n", out);
    for (int code = 0; code < EXIT_CODE_COUNT; code++) {
        fprintf(out, "| %d | ", code);
        put_cell(out, exit_code_details[code]);
        fputs(" |\n", out);
    }
}

void options_markdown_triggers(FILE *out)
{
    fputs("| spec | fault |\n|---|---|\n", out);
    for (int k = 0; k < TRIGGER_N_KINDS; k++) {
        const struct trigger_kind_def *d = &trigger_kinds[k];
        fprintf(out, "| `%s%s%s%s` | ", d->example, d->arg == TRIGGER_ARG_OPTIONAL ? "[:" : "",
                d->arg == TRIGGER_ARG_OPTIONAL ? d->arg_name : "",
                d->arg == TRIGGER_ARG_OPTIONAL ? "]" : "");
        put_cell(out, d->doc);
        fputs(" |\n", out);
    }
}

void options_markdown(FILE *out, enum command c)
{
    fputs("| flag | default | meaning |\n|---|---|---|\n", out);
    for (int i = 0; i < options_n_flags; i++) {
        const struct flag *f = &options_flags[i];
        if (!(f->commands & (1u << c))) continue;
        fprintf(out, "| `--%s%s%s` | ", f->name, f->arg ? " " : "", f->arg ? f->arg : "");
        put_cell(out, f->def ? f->def : f->doc_default ? f->doc_default : f->arg ? "—" : "off");
        fputs(" | ", out);
        put_cell(out, f->doc ? f->doc : options_flag_help(f));
        put_also_on(out, f, c);
        fputs(" |\n", out);
    }
}
