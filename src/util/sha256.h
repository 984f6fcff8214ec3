/* SPDX-License-Identifier: MIT */
/* sha256.h - SHA-256 (FIPS 180-4), used for network hashes. Module: util. */
#ifndef MEMPLAN_UTIL_SHA256_H
#define MEMPLAN_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct mp_sha256 {
    uint32_t h[8];
    uint64_t total_bytes;
    unsigned char block[64];
    size_t block_len;
} mp_sha256;

void mp_sha256_init(mp_sha256 *s);
void mp_sha256_update(mp_sha256 *s, const void *data, size_t n);
void mp_sha256_final(mp_sha256 *s, unsigned char digest[32]);
/* Lower-case hex of a 32-byte digest into out[65]. */
void mp_sha256_hex(const unsigned char digest[32], char out[65]);

#endif
