/* SPDX-License-Identifier: MIT */
/*
 * text.h - the name policy's helpers (module util, private; docs/reliability.md,
 * "Names"): UTF-8 validation and shortening a text in the middle.
 */
#ifndef MEMPLAN_UTIL_TEXT_H
#define MEMPLAN_UTIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of the valid UTF-8 sequence at s (n bytes available), 0 when none starts there. */
size_t mp_utf8_seq(const char *s, size_t n);

/* Length of the valid UTF-8 prefix of s[0..len): len when all of it is valid (no overlong
 * forms, no surrogates, nothing above U+10FFFF). */
size_t mp_utf8_valid_prefix(const char *s, size_t len);

/* Where to cut s[0..len) at or before n bytes without splitting a UTF-8 sequence. */
size_t mp_utf8_cut(const char *s, size_t len, size_t n);

/* Copy text into buf (size bytes); a text too long keeps its head and its tail around
 * " ... " (the tail, where a message gives its reason, survives). */
void mp_text_fit(const char *text, size_t len, char *buf, size_t size);

#endif
