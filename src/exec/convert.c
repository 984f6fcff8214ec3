/* SPDX-License-Identifier: MIT */
/*
 * convert.c - QUANTIZE and DEQUANTIZE across types over an output rectangle
 * (module exec): float32 -> int8/uint8, int8/uint8 -> int8/uint8
 * (requantization) and int8/uint8 -> float32, each as TFLite Micro's reference
 * kernels compute it:
 *
 *   quantize float:   q = (int32)round(f / (float)scale) + zero_point, clamped to
 *                     the output type (AffineQuantize: the division and the
 *                     rounding are float32, round half away from zero);
 *   requantize:       MultiplyByQuantizedMultiplier(x - in_zp, M, s) + out_zp,
 *                     clamped (Requantize, M/s from in_scale / out_scale in double);
 *   dequantize:       (float)((double)scale * (x - zero_point)) (Dequantize).
 *
 * A float whose quotient f / scale is not finite or lies outside int32 has no
 * defined int32 conversion in C or C++; TFLite Micro on x86-64 gets INT32_MIN
 * (the cvttss2si "integer indefinite" value), so that is what is used here
 * (the result then clamps to the type's minimum).
 *
 * Views hold bytes: a pixel of a float32 tensor is 4 * C bytes (mp_view.c).
 * Freestanding: no allocation, string.h and roundf only.
 */
#include "exec_int.h"

#include <math.h>
#include <string.h>

#define SPAN 64 /* elements converted per chunk (a float32 pixel may overlap its input) */

static int32_t load_q(const exec_convert *p, const int8_t *src, int32_t i)
{
    return p->in_type == MP_DTYPE_UINT8 ? (int32_t)((const uint8_t *)src)[i] : (int32_t)src[i];
}

static int32_t quantize_float(const exec_convert *p, float f)
{
    float q = roundf(f / p->out_scale);
    int32_t v = (q >= -2147483648.0f && q < 2147483648.0f) ? (int32_t)q : INT32_MIN;
    return mp_add_wrap(v, p->out_zp);
}

static void store_q(const exec_convert *p, int32_t v, uint8_t *dst)
{
    if (p->out_type == MP_DTYPE_UINT8)
        *dst = (uint8_t)mp_clamp32(v, 0, 255);
    else
        *dst = (uint8_t)(int8_t)mp_clamp32(v, -128, 127);
}

/* n elements (n <= SPAN) from src to dst; src and dst may overlap. */
static void convert_span(const exec_convert *p, const int8_t *src, int32_t n, int8_t *dst)
{
    union {
        float f[SPAN];
        uint8_t b[SPAN];
    } tmp;
    size_t bytes = (size_t)n;
    if (p->in_type == MP_DTYPE_FLOAT32) {
        float f;
        for (int32_t i = 0; i < n; i++) {
            memcpy(&f, src + (size_t)i * sizeof f, sizeof f);
            store_q(p, quantize_float(p, f), &tmp.b[i]);
        }
    } else if (p->out_type == MP_DTYPE_FLOAT32) {
        for (int32_t i = 0; i < n; i++)
            tmp.f[i] = (float)(p->in_scale * (double)(load_q(p, src, i) - p->in_zp));
        bytes *= sizeof(float);
    } else {
        for (int32_t i = 0; i < n; i++)
            store_q(p, mp_add_wrap(mp_mbqm(load_q(p, src, i) - p->in_zp, p->mult, p->shift),
                                   p->out_zp),
                    &tmp.b[i]);
    }
    memmove(dst, &tmp, bytes);
}

void exec_convert_run(const exec_convert *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    size_t in_es = p->in_type == MP_DTYPE_FLOAT32 ? 4 : 1;
    size_t out_es = p->out_type == MP_DTYPE_FLOAT32 ? 4 : 1;
    for (int32_t y = r.y0; y < r.y1; y++)
        for (int32_t x = r.x0; x < r.x1; x++) {
            const int8_t *src = view_at(in, y, x);
            int8_t *dst = view_at(out, y, x);
            for (int32_t c = 0; c < p->c; c += SPAN) {
                int32_t n = p->c - c < SPAN ? p->c - c : SPAN;
                convert_span(p, src + (size_t)c * in_es, n, dst + (size_t)c * out_es);
            }
        }
}
