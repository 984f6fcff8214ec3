/* SPDX-License-Identifier: MIT */
/*
 * checked.h - overflow-checked size arithmetic. Module: util.
 *
 * Every byte count in memplan goes through these helpers; on overflow they
 * return false and leave *out unspecified, and the caller reports
 * MP_E_OVERFLOW naming the object whose size overflowed.
 */
#ifndef MEMPLAN_UTIL_CHECKED_H
#define MEMPLAN_UTIL_CHECKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline bool mp_mul_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

static inline bool mp_add_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

static inline bool mp_mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

static inline bool mp_add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

/* Round v up to a multiple of align (align >= 1, not necessarily a power of 2). */
static inline bool mp_align_up(size_t v, size_t align, size_t *out)
{
    if (align <= 1) {
        *out = v;
        return true;
    }
    size_t rem = v % align;
    if (rem == 0) {
        *out = v;
        return true;
    }
    return mp_add_size(v, align - rem, out);
}

/* a * b * c * d, all checked. */
static inline bool mp_mul4_size(size_t a, size_t b, size_t c, size_t d, size_t *out)
{
    size_t t;
    return mp_mul_size(a, b, &t) && mp_mul_size(t, c, &t) && mp_mul_size(t, d, out);
}

#endif
