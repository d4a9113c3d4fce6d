/* A command's words: whitespace-split, or a shell's script kept whole. */
#include "txstorm/command.h"

#include <stdbool.h>
#include <string.h>

#define BLANKS " \t"

/* Whether the word (len bytes) names sh or bash, by itself or by path. */
static bool names_shell(const char *word, size_t len)
{
    const char *base = word;
    for (size_t i = 0; i < len; i++)
        if (word[i] == '/') base = word + i + 1;
    size_t n = len - (size_t)(base - word);
    return (n == 2 && strncmp(base, "sh", 2) == 0) || (n == 4 && strncmp(base, "bash", 4) == 0);
}

int command_words(const char *command, char *buf, size_t buf_len, char **argv, int max)
{
    size_t used = 0;
    int n = 0;
    const char *p = command + strspn(command, BLANKS);
    while (*p) {
        size_t len = strcspn(p, BLANKS);
        /* sh -c SCRIPT: the rest is the script, as written. */
        if (n == 2 && strcmp(argv[1], "-c") == 0 && names_shell(argv[0], strlen(argv[0])))
            len = strlen(p);
        if (n == max || used + len + 1 > buf_len) return -1;
        memcpy(buf + used, p, len);
        buf[used + len] = '\0';
        argv[n++] = buf + used;
        used += len + 1;
        p += len;
        p += strspn(p, BLANKS);
    }
    argv[n] = NULL;
    return n;
}
