/* What the ledger module's files share; nothing outside src/ledger*.c includes this. */
#ifndef TXSTORM_LEDGER_INTERNAL_H
#define TXSTORM_LEDGER_INTERNAL_H

#include "txstorm/ledger.h"

#define SEQ_LIMIT ((int64_t)1 << LEDGER_SEQ_BITS)
#define WORKER_LIMIT (1 << LEDGER_WORKER_BITS)
#define INSTANCE_LIMIT (1 << LEDGER_INSTANCE_BITS)

/* Bytes holding n 2-bit fields. */
static inline size_t book_bytes(int64_t n) { return (size_t)((n + 3) / 4); }

/* The 2-bit field i of bits. */
static inline unsigned get2(const uint8_t *bits, int64_t i)
{
    return (bits[i >> 2] >> ((unsigned)(i & 3) * 2)) & 3u;
}

#endif
