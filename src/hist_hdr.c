/* TEMP placeholder: sparse text, not the real encoding. */
#include "txstorm/hist_hdr.h"
#include "txstorm/hist_json.h"
#include <jansson.h>
#include <stdlib.h>
char *hist_hdr_encode(const struct hist *h)
{
    json_t *j = hist_json_encode(h);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}
struct hist *hist_hdr_decode(const char *text, char *err, size_t err_len)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    struct hist *h = hist_json_decode(j, err, err_len);
    json_decref(j);
    return h;
}
