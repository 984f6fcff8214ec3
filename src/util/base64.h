/* SPDX-License-Identifier: MIT */
/* base64.h - RFC 4648 base64 for inline weights in net.json. Module: util. */
#ifndef MEMPLAN_UTIL_BASE64_H
#define MEMPLAN_UTIL_BASE64_H

#include "memplan/mp_util.h"

#include <stdbool.h>
#include <stddef.h>

/* Bytes a decode of n text characters can produce at most. */
size_t mp_base64_max_decoded(size_t n);
/* Decode text (padding optional, no whitespace) into out; false on a bad character. */
bool mp_base64_decode(const char *text, size_t n, unsigned char *out, size_t *out_len);
/* Append the encoding of data to sb. */
void mp_base64_encode(const void *data, size_t n, mp_strbuf *sb);

#endif
