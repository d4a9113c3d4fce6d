/* Base64, standard alphabet with padding (RFC 4648), for binary data carried
 * in text: a saved result's ledger and HdrHistogram's histogram logs. Pure. */
#ifndef TXSTORM_BASE64_H
#define TXSTORM_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* The characters base64_encode writes for `bytes` bytes (without the NUL). */
static inline size_t base64_encoded_len(size_t bytes) { return (bytes + 2) / 3 * 4; }

/* Writes base64_encoded_len(len) characters and a NUL into out. */
void base64_encode(const uint8_t *in, size_t len, char *out);

/* The decoded length of s[0..len), or -1 unless it is canonical base64: whole
 * groups of four, padding only at the end, and zero bits under the padding (so
 * each byte string has exactly one text). */
int64_t base64_decoded_len(const char *s, size_t len);

/* Decodes s[0..len), which base64_decoded_len has accepted, into out. */
void base64_decode(const char *s, size_t len, uint8_t *out);

#endif
