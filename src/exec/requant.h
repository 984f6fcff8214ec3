/* SPDX-License-Identifier: MIT */
/*
 * requant.h - TFLite's fixed-point requantization arithmetic as inline
 * functions (module exec, private).
 *
 * These are the exact integer operations of TFLite's reference kernels (and
 * of CMSIS-NN's default build), so results are bit-exact:
 *
 *   SRDHM(a, b)   saturating rounding doubling high multiply: the high 32 bits
 *                 of 2*a*b, rounded; INT32_MIN * INT32_MIN saturates to INT32_MAX.
 *   RDBPOT(x, e)  rounding divide by 2^e, ties away from zero (arithmetic shift).
 *   MBQM(x, m, s) MultiplyByQuantizedMultiplier with TFLite's double rounding:
 *                 RDBPOT(SRDHM(x * 2^max(s,0), m), max(-s,0)).
 *
 * SRDHM's definition truncates (a*b + nudge) / 2^31 toward zero, with nudge
 * 2^30 for a*b >= 0 and 1 - 2^30 otherwise. For negative a*b truncation is a
 * ceiling, and ceil((ab + 1 - 2^30) / 2^31) = floor((ab + 2^30) / 2^31); so for
 * every sign it equals (a*b + 2^30) >> 31 (arithmetic shift), which is what the
 * code computes (test_exec_kernels checks it against the literal definition).
 * Right shifts of negative values are arithmetic with every compiler memplan
 * supports; the assertion below refuses any other.
 */
#ifndef MEMPLAN_EXEC_REQUANT_H
#define MEMPLAN_EXEC_REQUANT_H

#include "../rt/mprt_int.h"

#include <stdint.h>

_Static_assert((-1 >> 1) == -1, "memplan needs arithmetic right shifts of negative values");

/* The scalar operations are memplan_rt's (src/rt/mprt_int.h): one definition of TFLite's
 * integer arithmetic for the device runtime and the host executor. */
static inline int32_t mp_srdhm(int32_t a, int32_t b)
{
    return mprt_srdhm(a, b);
}

/* exponent in [0, 31]. */
static inline int32_t mp_rdbpot(int32_t x, int32_t exponent)
{
    return mprt_rdbpot(x, exponent);
}

/* x * 2^left_shift as TFLite computes it in int32 (x * (1 << s)): wraps on overflow like
 * the two's complement hardware TFLite runs on, without C's undefined behaviour. */
static inline int32_t mp_shl_wrap(int32_t x, int32_t left_shift)
{
    return mprt_shl_wrap(x, left_shift);
}

static inline int32_t mp_mbqm(int32_t x, int32_t multiplier, int32_t shift)
{
    return mprt_mbqm(x, multiplier, shift);
}

/*
 * mp_mbqm written without branches so loops over it vectorize (same results): the
 * high word of the 64-bit product is taken with a logical shift, whose low 32 bits
 * equal the arithmetic shift's, and the rounding of RDBPOT uses masks.
 */
static inline int32_t mp_mbqm_vec(int32_t x, int32_t multiplier, int32_t shift)
{
    int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    int32_t xs = (int32_t)((uint32_t)x << left);
    int64_t ab = (int64_t)xs * multiplier + ((int64_t)1 << 30);
    int32_t h = (int32_t)(uint32_t)((uint64_t)ab >> 31);
    h = (xs == INT32_MIN && multiplier == INT32_MIN) ? INT32_MAX : h;
    int32_t mask = (int32_t)((1u << right) - 1u);
    int32_t rem = h & mask, thr = (mask >> 1) + (h < 0 ? 1 : 0);
    return (h >> right) + (rem > thr ? 1 : 0);
}

/* a + b with int32's two's complement wrap (TFLite adds offsets in int32), without C's UB. */
static inline int32_t mp_add_wrap(int32_t a, int32_t b)
{
    return mprt_add_wrap(a, b);
}

static inline int32_t mp_clamp32(int32_t v, int32_t lo, int32_t hi)
{
    return mprt_clamp(v, lo, hi);
}

#endif
