/* Reading single fields of a result's JSON, with a fallback: what the report's
 * other files share (a leaf: it calls none of them). */
#include "report_internal.h"

const char *report_cfg_str(const json_t *config, const char *key, const char *fallback)
{
    const char *v = json_string_value(json_object_get(config, key));
    return v ? v : fallback;
}

double report_cfg_num(const json_t *config, const char *key, double fallback)
{
    json_t *v = json_object_get(config, key);
    return json_is_number(v) ? json_number_value(v) : fallback;
}

bool report_opt_i64(const json_t *o, const char *key, int64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL) return true;
    if (!json_is_integer(v)) return false;
    *out = json_integer_value(v);
    return true;
}
