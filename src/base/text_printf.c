/* fprintf for text writers: every %s argument is escaped for a terminal. */
#include "txstorm/text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One conversion's specification, its '*' widths written out as numbers. */
#define SPEC_MAX 64
/* Most strings shown fit here; a longer one is escaped on the heap. */
#define SHOWN_ON_STACK 1024

/* s shown (text_escape), cut to precision bytes (< 0: whole), under spec: a
 * "%-12s" form without the precision, which applied to the shown text. */
static int put_shown(FILE *out, const char *spec, const char *s, int precision)
{
    size_t need = 4 * strlen(s) + 1;
    if (precision >= 0 && (size_t)precision + 1 < need) need = (size_t)precision + 1;
    char stack[SHOWN_ON_STACK];
    char *buf = need <= sizeof stack ? stack : malloc(need);
    if (buf == NULL) return -1;
    int n = fprintf(out, spec, text_escape(buf, need, s));
    if (buf != stack) free(buf);
    return n;
}

/* The length modifiers C11 has, longest first so "ll" is not read as "l". */
static const char *const lengths[] = {"hh", "ll", "h", "l", "z", "j", "t", "L"};

/* Writes the conversion spec names, taking its argument from ap. */
static int put_conversion(FILE *out, const char *spec, const char *length, char conv, int precision,
                          size_t before_precision, va_list *ap)
{
    switch (conv) {
    case 's': {
        char plain[SPEC_MAX];
        memcpy(plain, spec, before_precision);
        strcpy(plain + before_precision, "s");
        return put_shown(out, plain, va_arg(*ap, const char *), precision);
    }
    case 'c':
        return fprintf(out, spec, va_arg(*ap, int));
    case 'p':
        return fprintf(out, spec, va_arg(*ap, void *));
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X':
        /* Signed and unsigned of one width travel alike through varargs. */
        if (strcmp(length, "l") == 0) return fprintf(out, spec, va_arg(*ap, long));
        if (strcmp(length, "ll") == 0) return fprintf(out, spec, va_arg(*ap, long long));
        if (strcmp(length, "z") == 0) return fprintf(out, spec, va_arg(*ap, size_t));
        if (strcmp(length, "j") == 0) return fprintf(out, spec, va_arg(*ap, intmax_t));
        if (strcmp(length, "t") == 0) return fprintf(out, spec, va_arg(*ap, ptrdiff_t));
        return fprintf(out, spec, va_arg(*ap, int)); /* hh and h come promoted */
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
    case 'a':
    case 'A':
        if (strcmp(length, "L") == 0) return fprintf(out, spec, va_arg(*ap, long double));
        return fprintf(out, spec, va_arg(*ap, double));
    default:
        return -1; /* %n and the unknown: the compiler's format check keeps them out */
    }
}

int text_printf(FILE *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int total = 0;
    const char *p = fmt;
    while (*p && total >= 0) {
        int n;
        if (*p != '%' || p[1] == '%') {
            size_t plain = *p == '%' ? 1 : strcspn(p, "%");
            n = fwrite(p, 1, plain, out) == plain ? (int)plain : -1;
            p += *p == '%' ? 2 : plain;
        } else {
            char spec[SPEC_MAX], length[3] = "";
            size_t k = 0;
            spec[k++] = *p++;
            while (*p && strchr("-+ #0", *p) && k < 8)
                spec[k++] = *p++;
            if (*p == '*') {
                k += (size_t)snprintf(spec + k, SPEC_MAX - k, "%d", va_arg(ap, int));
                p++;
            } else {
                while (isdigit((unsigned char)*p) && k < 24)
                    spec[k++] = *p++;
            }
            size_t before_precision = k;
            int precision = -1;
            if (*p == '.') {
                p++;
                if (*p == '*') {
                    precision = va_arg(ap, int); /* negative: as if none */
                    p++;
                } else {
                    for (precision = 0; isdigit((unsigned char)*p) && precision < 100000; p++)
                        precision = precision * 10 + (*p - '0');
                }
                if (precision >= 0) k += (size_t)snprintf(spec + k, SPEC_MAX - k, ".%d", precision);
            }
            for (size_t i = 0; i < sizeof lengths / sizeof *lengths; i++)
                if (strncmp(p, lengths[i], strlen(lengths[i])) == 0) {
                    strcpy(length, lengths[i]);
                    break;
                }
            for (const char *l = length; *l && k < SPEC_MAX - 2; l++, p++)
                spec[k++] = *l;
            char conv = *p ? *p++ : '\0';
            spec[k++] = conv;
            spec[k] = '\0';
            n = put_conversion(out, spec, length, conv, precision, before_precision, &ap);
        }
        total = n < 0 ? -1 : total + n;
    }
    va_end(ap);
    return total;
}
