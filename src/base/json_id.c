/* 64-bit identifiers as JSON strings, and back. */
#include "txstorm/json_id.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

json_t *json_id(int64_t id)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)id);
    return json_string(text);
}

bool json_id_value(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0) return false;
        *out = json_integer_value(v);
        return true;
    }
    const char *text = json_string_value(v);
    if (text == NULL || *text < '0' || *text > '9') return false;
    char *end;
    errno = 0;
    long long id = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0') return false;
    *out = id;
    return true;
}
