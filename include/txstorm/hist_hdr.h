/* TEMP placeholder until the hlog branch lands. */
#ifndef TXSTORM_HIST_HDR_H
#define TXSTORM_HIST_HDR_H
#include "txstorm/hist.h"
#include <stddef.h>
char *hist_hdr_encode(const struct hist *h);
struct hist *hist_hdr_decode(const char *base64, char *err, size_t err_len);
#endif
