/* SPDX-License-Identifier: MIT */
/*
 * pool.c - int8 average and max pooling over an output rectangle, and mean
 * over height and width (module exec).
 *
 * Pooling follows TFLite's reference integer kernels: the window is clipped to
 * the tensor and padding is not counted. Average: s = sum of the valid taps,
 * n = their count, (s + n/2) / n for s > 0 and (s - n/2) / n otherwise
 * (C division, truncating), then the activation clamp; max: the largest valid
 * tap, clamped. Input and output share quantization (TFLite requires it).
 *
 * Mean (TFLite Micro's three int8 variants, chosen when the op is prepared):
 *   keep_dims:      acc = sum(x - zp_in); MBQM(acc, in/out scale); rounded
 *                   division by n as for average pooling; + zp_out; clamp;
 *   same quant:     sum(x) / n, truncating;
 *   otherwise:      MBQM(sum(x) - zp_in * n, multiplier with 1/n folded in) + zp_out.
 */
#include "exec_int.h"

#include <string.h>

#define POOL_CHUNK 512

static void window(const exec_pool *p, int32_t oy, int32_t ox, int32_t *iy0, int32_t *iy1,
                   int32_t *ix0, int32_t *ix1)
{
    int32_t y = oy * p->sh - p->pad_top, x = ox * p->sw - p->pad_left;
    *iy0 = y < 0 ? 0 : y;
    *iy1 = y + p->kh < p->in_h ? y + p->kh : p->in_h;
    *ix0 = x < 0 ? 0 : x;
    *ix1 = x + p->kw < p->in_w ? x + p->kw : p->in_w;
}

MP_TARGET_CLONES
static void sum_taps(const int8_t *src, int32_t n, int32_t *acc)
{
    for (int32_t i = 0; i < n; i++)
        acc[i] += src[i];
}

static int32_t rounded_div(int32_t s, int32_t n)
{
    return s > 0 ? (s + n / 2) / n : (s - n / 2) / n;
}

void exec_avgpool_run(const exec_pool *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    int32_t acc[POOL_CHUNK];
    for (int32_t oy = r.y0; oy < r.y1; oy++) {
        for (int32_t ox = r.x0; ox < r.x1; ox++) {
            int32_t iy0, iy1, ix0, ix1;
            window(p, oy, ox, &iy0, &iy1, &ix0, &ix1);
            int32_t count = (iy1 - iy0) * (ix1 - ix0);
            int8_t *dst = view_at(out, oy, ox);
            for (int32_t c0 = 0; c0 < p->c; c0 += POOL_CHUNK) {
                int32_t n = p->c - c0 < POOL_CHUNK ? p->c - c0 : POOL_CHUNK;
                memset(acc, 0, (size_t)n * sizeof *acc);
                for (int32_t iy = iy0; iy < iy1; iy++)
                    for (int32_t ix = ix0; ix < ix1; ix++)
                        sum_taps(view_at(in, iy, ix) + c0, n, acc);
                for (int32_t i = 0; i < n; i++) {
                    int32_t v = count > 0 ? rounded_div(acc[i], count) : 0;
                    dst[c0 + i] = (int8_t)mp_clamp32(v, p->act_min, p->act_max);
                }
            }
        }
    }
}

void exec_maxpool_run(const exec_pool *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    for (int32_t oy = r.y0; oy < r.y1; oy++) {
        for (int32_t ox = r.x0; ox < r.x1; ox++) {
            int32_t iy0, iy1, ix0, ix1;
            window(p, oy, ox, &iy0, &iy1, &ix0, &ix1);
            int8_t *dst = view_at(out, oy, ox);
            memset(dst, 0x80, (size_t)p->c); /* -128 */
            for (int32_t iy = iy0; iy < iy1; iy++) {
                for (int32_t ix = ix0; ix < ix1; ix++) {
                    const int8_t *src = view_at(in, iy, ix);
                    for (int32_t i = 0; i < p->c; i++)
                        dst[i] = src[i] > dst[i] ? src[i] : dst[i];
                }
            }
            for (int32_t i = 0; i < p->c; i++)
                dst[i] = (int8_t)mp_clamp32(dst[i], p->act_min, p->act_max);
        }
    }
}

int32_t exec_avgpool_finish(const exec_pool *p, int32_t sum, int32_t count)
{
    int32_t v = count > 0 ? rounded_div(sum, count) : 0;
    return mp_clamp32(v, p->act_min, p->act_max);
}

int32_t exec_mean_finish(const exec_mean *p, int32_t sum, int32_t n)
{
    int32_t v;
    switch (p->mode) {
    case EXEC_MEAN_KEEP_DIMS:
        v = mp_add_wrap(rounded_div(mp_mbqm(sum - p->in_zp * n, p->mult, p->shift), n),
                        p->out_zp);
        break;
    default:
        v = mp_add_wrap(mp_mbqm(sum - p->in_zp * n, p->mult, p->shift), p->out_zp);
        break;
    }
    return mp_clamp32(v, -128, 127);
}

void exec_mean_run(const exec_mean *p, const mp_view *in, int8_t *out)
{
    int32_t acc[POOL_CHUNK];
    int32_t n = p->in_h * p->in_w;
    for (int32_t c0 = 0; c0 < p->c; c0 += POOL_CHUNK) {
        int32_t nc = p->c - c0 < POOL_CHUNK ? p->c - c0 : POOL_CHUNK;
        memset(acc, 0, (size_t)nc * sizeof *acc);
        for (int32_t y = 0; y < p->in_h; y++)
            for (int32_t x = 0; x < p->in_w; x++)
                sum_taps(view_at(in, y, x) + c0, nc, acc);
        for (int32_t i = 0; i < nc; i++)
            out[c0 + i] = (int8_t)exec_mean_finish(p, acc[i], n);
    }
}
