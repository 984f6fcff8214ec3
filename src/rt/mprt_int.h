/* SPDX-License-Identifier: MIT */
/*
 * mprt_int.h - private parts of memplan_rt: views, TFLite's fixed-point
 * requantization arithmetic, and the kernels (C99, freestanding).
 */
#ifndef MEMPLAN_RT_MPRT_INT_H
#define MEMPLAN_RT_MPRT_INT_H

#include "memplan_rt/mprt.h"

#include <string.h>

/* The arithmetic below needs arithmetic right shifts of negative values. */
typedef char mprt_needs_arithmetic_shift[(-1 >> 1) == -1 ? 1 : -1];

/* A buffer holding rows [y0, y0 + h) x columns [x0, x0 + w) of a tensor, all c channels of a
 * pixel contiguous, row_stride elements from one row to the next. */
typedef struct mprt_view {
    int8_t *data;
    int32_t y0, x0, h, w, c, row_stride;
} mprt_view;

typedef struct mprt_rect {
    int32_t y0, y1, x0, x1;
} mprt_rect;

static inline int8_t *mprt_at(const mprt_view *v, int32_t y, int32_t x)
{
    return v->data + (ptrdiff_t)(y - v->y0) * v->row_stride + (ptrdiff_t)(x - v->x0) * v->c;
}

/* Saturating rounding doubling high multiply (TFLite/gemmlowp). */
static inline int32_t mprt_srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    int64_t ab = (int64_t)a * (int64_t)b;
    return (int32_t)((ab + ((int64_t)1 << 30)) >> 31);
}

/* Rounding divide by 2^exponent, ties away from zero; exponent in [0, 31]. */
static inline int32_t mprt_rdbpot(int32_t x, int32_t exponent)
{
    int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static inline int32_t mprt_shl_wrap(int32_t x, int32_t s)
{
    return (int32_t)((uint32_t)x << s);
}

/* MultiplyByQuantizedMultiplier with TFLite's double rounding. */
static inline int32_t mprt_mbqm(int32_t x, int32_t multiplier, int32_t shift)
{
    int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    return mprt_rdbpot(mprt_srdhm(mprt_shl_wrap(x, left), multiplier), right);
}

/* a + b as two's complement wraps (as TFLite's kernels do on every real target), without
 * the undefined behaviour of a signed overflow in C */
static inline int32_t mprt_add_wrap(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t mprt_clamp(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* kernels: out (which holds r) over output rectangle r from input views. */
void mprt_conv_run(const mprt_conv *p, const mprt_view *in, const mprt_view *out, mprt_rect r);
void mprt_dw_run(const mprt_conv *p, const mprt_view *in, const mprt_view *out, mprt_rect r);
/* In-place depthwise (multiplier 1): in and out views share one buffer; plane holds
 * (r.y1 - r.y0) * (r.x1 - r.x0) bytes. */
void mprt_dw_inplace(const mprt_conv *p, const mprt_view *in, const mprt_view *out, mprt_rect r,
                     int8_t *plane);
void mprt_fc_run(const mprt_conv *p, const int8_t *in, int8_t *out);
void mprt_avgpool_run(const mprt_pool *p, const mprt_view *in, const mprt_view *out, mprt_rect r);
void mprt_maxpool_run(const mprt_pool *p, const mprt_view *in, const mprt_view *out, mprt_rect r);
void mprt_mean_run(const mprt_mean *p, const mprt_view *in, int8_t *out);
void mprt_elem_run(const mprt_elem *p, const mprt_view *a, const mprt_view *b,
                   const mprt_view *out, mprt_rect r);
/* One output element of a binary op from operand values a and b (the host runs it too). */
int32_t mprt_elem_one(const mprt_elem *p, int32_t a, int32_t b);
/* One row of p->c values (the host executor runs its softmax through it). */
void mprt_softmax_row(const mprt_softmax *p, const int8_t *in, int8_t *out);
void mprt_softmax_run(const mprt_softmax *p, const mprt_view *in, const mprt_view *out,
                      mprt_rect r);
void mprt_requant_run(const mprt_requant *p, const mprt_view *in, const mprt_view *out,
                      mprt_rect r);
void mprt_pad_run(const mprt_pad *p, const mprt_view *in, const mprt_view *out, mprt_rect r);
void mprt_concat_run(const mprt_concat *p, const mprt_view *in, const mprt_view *out,
                     mprt_rect r);
void mprt_resize_run(const mprt_resize *p, const mprt_view *in, const mprt_view *out,
                     mprt_rect r);

/* The op set of real exports (format 2). */
void mprt_convert_run(const mprt_convert *p, const mprt_view *in, const mprt_view *out,
                      mprt_rect r);
/* roundf's value (round half away from zero) without libm. */
float mprt_roundf(float x);
void mprt_unary_run(const mprt_unary *p, const mprt_view *in, const mprt_view *out, mprt_rect r);
void mprt_bilinear_run(const mprt_bilinear *p, const mprt_view *in, const mprt_view *out,
                       mprt_rect r);
/* One output pixel of c channels from its corners, Q10 weights wy1 (rows), wx1 (columns). */
void mprt_bilinear_px(const int8_t *ll, const int8_t *lu, const int8_t *rl, const int8_t *ru,
                      int32_t wy1, int32_t wx1, int32_t c, int8_t *d);
void mprt_gather_run(const mprt_gather *p, const int8_t *in, int8_t *out);
void mprt_slice_run(const mprt_gather *p, const mprt_view *in, const mprt_view *out, mprt_rect r);
void mprt_d2s_run(const mprt_d2s *p, const mprt_view *in, const mprt_view *out, mprt_rect r);
void mprt_reduce_run(const mprt_reduce *p, const int8_t *in, int8_t *out);
void mprt_split_run(const mprt_split *p, const int8_t *in, int8_t *const *outs);
void mprt_tconv_run(const mprt_conv *p, const mprt_view *in, const mprt_view *out, mprt_rect r);
/* mean's finishing arithmetic of an int32 sum of n elements (mprt_pool.c). */
int32_t mprt_mean_finish(const mprt_mean *p, int32_t sum, int32_t n);

/* Global reductions tile by tile (mean, avg/max pool over the whole input): int32
 * accumulators at acc (any alignment), c channels. */
void mprt_reduce_begin(int32_t type, int32_t c, uint8_t *acc);
void mprt_reduce_tile(int32_t type, int32_t c, const mprt_view *in, mprt_rect r, uint8_t *acc);
void mprt_reduce_end(const mprt_op *op, int32_t c, int32_t n, const uint8_t *acc, int8_t *out);

/* One op over r (not the reductions' tile forms, not in-place depthwise). */
void mprt_op_dispatch(const mprt_op *op, const mprt_view *in, const mprt_view *out, mprt_rect r);

#endif
