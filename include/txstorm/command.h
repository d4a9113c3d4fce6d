/* A user's command as --trigger exec names it: its words, split on
 * whitespace (spaces, tabs) with no quoting, no escapes and no expansion,
 * so what runs is exactly what was written. The one exception is a shell
 * asked for by name: "sh -c SCRIPT" (or bash, either by path) keeps SCRIPT,
 * everything after the whitespace that follows -c, as one word, so a
 * pipeline or a quoted argument is written as the shell's script. Pure. */
#ifndef TXSTORM_COMMAND_H
#define TXSTORM_COMMAND_H

#include <stddef.h>

#define COMMAND_WORDS_MAX 64

/* Splits command into at most max words: each copied into buf (buf_len
 * bytes, at least strlen(command) + 1 suffices) and pointed at from
 * argv[0..n-1], argv[n] NULL (argv holds max + 1). Returns n, 0 for a
 * command of no words, or -1 when it has more than max or buf is short. */
int command_words(const char *command, char *buf, size_t buf_len, char **argv, int max);

#endif
