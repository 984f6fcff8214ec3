/* SPDX-License-Identifier: MIT */
/*
 * mprt_convert.c - QUANTIZE and DEQUANTIZE across types over an output
 * rectangle (memplan_rt; the host executor runs this same code): float32 ->
 * int8/uint8, int8/uint8 -> int8/uint8 (requantization) and int8/uint8 ->
 * float32, each as TFLite Micro's reference kernels compute it:
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
 * Views hold bytes: a pixel of a float32 tensor is 4 * C bytes. Freestanding:
 * no allocation, no libm (mprt_roundf is roundf's exact value), string.h only.
 * The only floating point of memplan_rt is here.
 */
#include "mprt_int.h"

#define SPAN 64 /* elements converted per chunk (a float32 pixel may overlap its input) */

/* roundf: half away from zero. |x| >= 2^23 (and inf, NaN) is integral already; below,
 * the truncation t is exact in float and so is x - t, the fraction. (The sign of a zero
 * result may differ from roundf's; it is converted to int32 next.) */
float mprt_roundf(float x)
{
    if (!(x > -8388608.0f && x < 8388608.0f))
        return x;
    float t = (float)(int32_t)x, d = x - t;
    if (d >= 0.5f)
        t += 1.0f;
    else if (d <= -0.5f)
        t -= 1.0f;
    return t;
}

static int32_t load_q(const mprt_convert *p, const int8_t *src, int32_t i)
{
    return p->in_type == MPRT_DT_UINT8 ? (int32_t)((const uint8_t *)src)[i] : (int32_t)src[i];
}

static int32_t quantize_float(const mprt_convert *p, float f)
{
    float q = mprt_roundf(f / p->out_scale);
    int32_t v = (q >= -2147483648.0f && q < 2147483648.0f) ? (int32_t)q : INT32_MIN;
    return mprt_add_wrap(v, p->out_zp);
}

static void store_q(const mprt_convert *p, int32_t v, uint8_t *dst)
{
    if (p->out_type == MPRT_DT_UINT8)
        *dst = (uint8_t)mprt_clamp(v, 0, 255);
    else
        *dst = (uint8_t)(int8_t)mprt_clamp(v, -128, 127);
}

/* n elements (n <= SPAN) from src to dst; src and dst may overlap. */
static void convert_span(const mprt_convert *p, const int8_t *src, int32_t n, int8_t *dst)
{
    union {
        float f[SPAN];
        uint8_t b[SPAN];
    } tmp;
    size_t bytes = (size_t)n;
    if (p->in_type == MPRT_DT_FLOAT32) {
        float f;
        for (int32_t i = 0; i < n; i++) {
            memcpy(&f, src + (size_t)i * sizeof f, sizeof f);
            store_q(p, quantize_float(p, f), &tmp.b[i]);
        }
    } else if (p->out_type == MPRT_DT_FLOAT32) {
        for (int32_t i = 0; i < n; i++)
            tmp.f[i] = (float)(p->in_scale * (double)(load_q(p, src, i) - p->in_zp));
        bytes *= sizeof(float);
    } else {
        for (int32_t i = 0; i < n; i++)
            store_q(p, mprt_add_wrap(mprt_mbqm(load_q(p, src, i) - p->in_zp, p->mult, p->shift),
                                     p->out_zp),
                    &tmp.b[i]);
    }
    memmove(dst, &tmp, bytes);
}

void mprt_convert_run(const mprt_convert *p, const mprt_view *in, const mprt_view *out,
                      mprt_rect r)
{
    size_t in_es = p->in_type == MPRT_DT_FLOAT32 ? 4 : 1;
    size_t out_es = p->out_type == MPRT_DT_FLOAT32 ? 4 : 1;
    for (int32_t y = r.y0; y < r.y1; y++)
        for (int32_t x = r.x0; x < r.x1; x++) {
            const int8_t *src = mprt_at(in, y, x);
            int8_t *dst = mprt_at(out, y, x);
            for (int32_t c = 0; c < p->c; c += SPAN) {
                int32_t n = p->c - c < SPAN ? p->c - c : SPAN;
                convert_span(p, src + (size_t)c * in_es, n, dst + (size_t)c * out_es);
            }
        }
}
