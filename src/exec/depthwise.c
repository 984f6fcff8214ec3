/* SPDX-License-Identifier: MIT */
/*
 * depthwise.c - int8 depthwise conv2d over an output rectangle, and one
 * output channel at a time for in-place execution (module exec).
 *
 * Output channel oc = ic * multiplier + j reads input channel ic (TFLite's
 * 1HWC filter layout). For each output pixel the valid taps (inside the
 * tensor; the others are padding and contribute nothing after the input
 * offset) are accumulated over a block of channels at once, a loop that
 * vectorizes over channels; then the block is requantized. Accumulation is in
 * uint32 (wrapping, as int32 does in hardware), so a huge bias cannot make
 * C's signed overflow undefined.
 */
#include "exec_int.h"

#include "../util/checked.h"

#define DW_CHUNK 512 /* channels per accumulator block */

mp_status exec_dw_pack(exec_conv *p, const int8_t *weights, mp_pool *pool, mp_error *err)
{
    size_t n;
    if (!mp_mul4_size((size_t)p->kh, (size_t)p->kw, (size_t)p->out_c, sizeof(int16_t), &n))
        return mp_errorf(err, MP_E_OVERFLOW, "packed filter size overflows");
    int16_t *w16 = mp_pool_alloc(pool, n);
    if (!w16)
        return mp_errorf(err, MP_E_NOMEM, "out of memory packing a filter");
    for (size_t i = 0; i < n / sizeof(int16_t); i++)
        w16[i] = (int16_t)(weights[i] + p->w_offset);
    p->w16 = w16;
    p->kp = 0;
    p->oc4 = 0;
    return MP_OK;
}

/* acc[i] += (src[i] + off) * w[i] for n channels (multiplier 1). */
MP_TARGET_CLONES
static void tap_m1(const int8_t *src, const int16_t *w, int32_t n, int32_t off, uint32_t *acc)
{
    for (int32_t i = 0; i < n; i++)
        acc[i] += (uint32_t)((int32_t)(src[i] + off) * w[i]);
}

/* The same for output channels [c0, c0 + n) with a channel multiplier m. */
static void tap_mult(const int8_t *src, const int16_t *w, int32_t c0, int32_t n, int32_t m,
                     int32_t off, uint32_t *acc)
{
    for (int32_t i = 0; i < n; i++)
        acc[i] += (uint32_t)((int32_t)(src[(c0 + i) / m] + off) * w[i]);
}

/* Valid tap range [*k0, *k1) of one axis: origin + k * d inside [0, size). */
static void tap_range(int32_t origin, int32_t k, int32_t d, int32_t size, int32_t *k0, int32_t *k1)
{
    int32_t lo = 0, hi = k;
    while (lo < hi && origin + lo * d < 0)
        lo++;
    while (hi > lo && origin + (hi - 1) * d >= size)
        hi--;
    *k0 = lo;
    *k1 = hi;
}

static void dw_pixel(const exec_conv *p, const mp_view *in, const mp_view *out, int32_t oy,
                     int32_t ox, uint32_t *acc)
{
    int32_t iy0 = oy * p->sh - p->pad_top, ix0 = ox * p->sw - p->pad_left;
    int32_t ky0, ky1, kx0, kx1;
    tap_range(iy0, p->kh, p->dh, p->in_h, &ky0, &ky1);
    tap_range(ix0, p->kw, p->dw, p->in_w, &kx0, &kx1);
    int8_t *dst = view_at(out, oy, ox);
    for (int32_t c0 = 0; c0 < p->out_c; c0 += DW_CHUNK) {
        int32_t n = p->out_c - c0 < DW_CHUNK ? p->out_c - c0 : DW_CHUNK;
        for (int32_t i = 0; i < n; i++)
            acc[i] = p->bias ? (uint32_t)p->bias[c0 + i] : 0u;
        for (int32_t ky = ky0; ky < ky1; ky++) {
            for (int32_t kx = kx0; kx < kx1; kx++) {
                const int8_t *src = view_at(in, iy0 + ky * p->dh, ix0 + kx * p->dw);
                const int16_t *w = p->w16 + (size_t)(ky * p->kw + kx) * p->out_c + c0;
                if (p->depth_mult == 1)
                    tap_m1(src + c0, w, n, p->in_offset, acc);
                else
                    tap_mult(src, w, c0, n, p->depth_mult, p->in_offset, acc);
            }
        }
        exec_requant_row((const int32_t *)acc, n, p->rq.mult + c0, p->rq.shift + c0,
                         p->rq.out_offset, p->rq.act_min, p->rq.act_max, dst + c0);
    }
}

void exec_dw_run(const exec_conv *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    uint32_t acc[DW_CHUNK];
    for (int32_t oy = r.y0; oy < r.y1; oy++)
        for (int32_t ox = r.x0; ox < r.x1; ox++)
            dw_pixel(p, in, out, oy, ox, acc);
}

void exec_dw_channel(const exec_conv *p, const mp_view *in, int32_t ch, mp_rect r, int8_t *plane)
{
    int32_t width = r.x1 - r.x0;
    int32_t ic = ch / p->depth_mult;
    for (int32_t oy = r.y0; oy < r.y1; oy++) {
        for (int32_t ox = r.x0; ox < r.x1; ox++) {
            int32_t iy0 = oy * p->sh - p->pad_top, ix0 = ox * p->sw - p->pad_left;
            int32_t ky0, ky1, kx0, kx1;
            tap_range(iy0, p->kh, p->dh, p->in_h, &ky0, &ky1);
            tap_range(ix0, p->kw, p->dw, p->in_w, &kx0, &kx1);
            uint32_t acc = p->bias ? (uint32_t)p->bias[ch] : 0u;
            for (int32_t ky = ky0; ky < ky1; ky++)
                for (int32_t kx = kx0; kx < kx1; kx++) {
                    int32_t x = view_at(in, iy0 + ky * p->dh, ix0 + kx * p->dw)[ic];
                    int32_t w = p->w16[(size_t)(ky * p->kw + kx) * p->out_c + ch];
                    acc += (uint32_t)((x + p->in_offset) * w);
                }
            int32_t v = mp_add_wrap(mp_mbqm((int32_t)acc, p->rq.mult[ch], p->rq.shift[ch]),
                                    p->rq.out_offset);
            plane[(size_t)(oy - r.y0) * width + (ox - r.x0)] =
                (int8_t)mp_clamp32(v, p->rq.act_min, p->rq.act_max);
        }
    }
}
