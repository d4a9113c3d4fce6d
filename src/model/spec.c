/* The names of the transfer spec's enums. */
#include "txstorm/spec.h"

#include <stddef.h>

const char *const spec_shape_names[] = {[SHAPE_INTERACTIVE] = "interactive",
                                        [SHAPE_FOR_UPDATE] = "for-update",
                                        [SHAPE_SINGLE] = "single",
                                        [SHAPE_PIPELINED] = "pipelined",
                                        NULL};
const char *const spec_lock_order_names[] = {[LOCK_TRANSFER_ORDER] = "random",
                                             [LOCK_ID_ORDER] = "ordered", NULL};
const char *const spec_isolation_names[] = {[ISO_SERIALIZABLE] = "serializable",
                                            [ISO_REPEATABLE_READ] = "repeatable-read",
                                            [ISO_READ_COMMITTED] = "read-committed", NULL};
const char *const spec_protocol_names[] = {[PROTOCOL_RESTART] = "restart",
                                           [PROTOCOL_SAVEPOINT] = "savepoint", NULL};
const char *const spec_write_mode_names[] = {[WRITE_RELATIVE] = "relative",
                                             [WRITE_ABSOLUTE] = "absolute", NULL};
const char *const spec_query_mode_names[] = {[QUERY_PREPARED] = "prepared",
                                             [QUERY_EXTENDED] = "extended",
                                             [QUERY_SIMPLE] = "simple", NULL};
