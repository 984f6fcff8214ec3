/* SPDX-License-Identifier: MIT */
/*
 * mprt_conv.c - int8 conv2d, depthwise conv2d (also in place, one channel at a
 * time) and fully connected: TFLite Micro's reference integer kernels over an
 * output rectangle, reading int8 weights as they lie in flash.
 *
 * acc = bias + sum over taps inside the tensor of (x + in_offset) * (w + w_offset)
 * (taps outside are padding: the input zero point, nothing after the offset),
 * accumulated in uint32 so overflow wraps as int32 does on the hardware;
 * out = clamp(MBQM(acc, mult[c], shift[c]) + out_offset, act_min, act_max).
 * Integer sums are order-independent modulo 2^32, so these loops give the
 * bytes of memplan's host executor (src/exec), whatever its loop order.
 */
#include "mprt_int.h"

/* Valid taps [*k0, *k1) of one axis: origin + k * d inside [0, size). */
static void tap_range(int32_t origin, int32_t k, int32_t d, int32_t size, int32_t *k0,
                      int32_t *k1)
{
    int32_t lo = 0, hi = k;
    while (lo < hi && origin + lo * d < 0)
        lo++;
    while (hi > lo && origin + (hi - 1) * d >= size)
        hi--;
    *k0 = lo;
    *k1 = hi;
}

static int8_t requant(const mprt_rq *rq, int32_t ch, uint32_t acc)
{
    int32_t v = mprt_add_wrap(mprt_mbqm((int32_t)acc, rq->mult[ch], rq->shift[ch]), rq->out_offset);
    return (int8_t)mprt_clamp(v, rq->act_min, rq->act_max);
}

static void conv_pixel(const mprt_conv *p, const mprt_view *in, int32_t oy, int32_t ox,
                       int8_t *dst)
{
    int32_t cin_g = p->in_c / p->groups, oc_g = p->out_c / p->groups;
    int32_t iy0 = oy * p->sh - p->pad_top, ix0 = ox * p->sw - p->pad_left;
    int32_t ky0, ky1, kx0, kx1;
    tap_range(iy0, p->kh, p->dh, p->in_h, &ky0, &ky1);
    tap_range(ix0, p->kw, p->dw, p->in_w, &kx0, &kx1);
    size_t filt = (size_t)p->kh * (size_t)p->kw * (size_t)cin_g;
    for (int32_t oc = 0; oc < p->out_c; oc++) {
        int32_t g = oc / oc_g;
        const int8_t *wf = p->w + (size_t)oc * filt;
        uint32_t acc = p->bias ? (uint32_t)p->bias[oc] : 0u;
        for (int32_t ky = ky0; ky < ky1; ky++) {
            for (int32_t kx = kx0; kx < kx1; kx++) {
                const int8_t *x = mprt_at(in, iy0 + ky * p->dh, ix0 + kx * p->dw) + g * cin_g;
                const int8_t *w = wf + ((size_t)ky * (size_t)p->kw + (size_t)kx) * (size_t)cin_g;
                int32_t s = 0;
                if (p->w_offset == 0) {
                    for (int32_t i = 0; i < cin_g; i++)
                        s += (x[i] + p->in_offset) * w[i];
                } else {
                    for (int32_t i = 0; i < cin_g; i++)
                        s += (x[i] + p->in_offset) * (w[i] + p->w_offset);
                }
                acc += (uint32_t)s;
            }
        }
        dst[oc] = requant(&p->rq, oc, acc);
    }
}

/*
 * The partial sum s of one tap covers cin_g products of at most 255 * 255:
 * it cannot overflow int32 for cin_g < 33,000; larger taps are summed in
 * chunks (the uint32 total is the same).
 */
static void conv_pixel_wide(const mprt_conv *p, const mprt_view *in, int32_t oy, int32_t ox,
                            int8_t *dst)
{
    int32_t cin_g = p->in_c / p->groups, oc_g = p->out_c / p->groups;
    int32_t iy0 = oy * p->sh - p->pad_top, ix0 = ox * p->sw - p->pad_left;
    int32_t ky0, ky1, kx0, kx1;
    tap_range(iy0, p->kh, p->dh, p->in_h, &ky0, &ky1);
    tap_range(ix0, p->kw, p->dw, p->in_w, &kx0, &kx1);
    size_t filt = (size_t)p->kh * (size_t)p->kw * (size_t)cin_g;
    for (int32_t oc = 0; oc < p->out_c; oc++) {
        int32_t g = oc / oc_g;
        uint32_t acc = p->bias ? (uint32_t)p->bias[oc] : 0u;
        for (int32_t ky = ky0; ky < ky1; ky++)
            for (int32_t kx = kx0; kx < kx1; kx++) {
                const int8_t *x = mprt_at(in, iy0 + ky * p->dh, ix0 + kx * p->dw) + g * cin_g;
                const int8_t *w = p->w + (size_t)oc * filt +
                                  ((size_t)ky * (size_t)p->kw + (size_t)kx) * (size_t)cin_g;
                for (int32_t i = 0; i < cin_g; i++)
                    acc += (uint32_t)((x[i] + p->in_offset) * (w[i] + p->w_offset));
            }
        dst[oc] = requant(&p->rq, oc, acc);
    }
}

void mprt_conv_run(const mprt_conv *p, const mprt_view *in, const mprt_view *out, mprt_rect r)
{
    int wide = p->in_c / p->groups >= 32768;
    for (int32_t oy = r.y0; oy < r.y1; oy++)
        for (int32_t ox = r.x0; ox < r.x1; ox++) {
            if (wide)
                conv_pixel_wide(p, in, oy, ox, mprt_at(out, oy, ox));
            else
                conv_pixel(p, in, oy, ox, mprt_at(out, oy, ox));
        }
}

void mprt_fc_run(const mprt_conv *p, const int8_t *in, int8_t *out)
{
    int32_t rows = p->in_w; /* TFLite: each row of in_c values is one 1x1 pixel */
    mprt_view vi = {(int8_t *)(uintptr_t)in, 0, 0, 1, rows, p->in_c, rows * p->in_c};
    mprt_view vo = {out, 0, 0, 1, rows, p->out_c, rows * p->out_c};
    mprt_rect r = {0, 1, 0, rows};
    mprt_conv_run(p, &vi, &vo, r);
}

/* Depthwise output channel ch at (oy, ox). */
static int8_t dw_one(const mprt_conv *p, const mprt_view *in, int32_t ch, int32_t oy, int32_t ox)
{
    int32_t iy0 = oy * p->sh - p->pad_top, ix0 = ox * p->sw - p->pad_left;
    int32_t ky0, ky1, kx0, kx1;
    tap_range(iy0, p->kh, p->dh, p->in_h, &ky0, &ky1);
    tap_range(ix0, p->kw, p->dw, p->in_w, &kx0, &kx1);
    int32_t ic = ch / p->depth_mult;
    uint32_t acc = p->bias ? (uint32_t)p->bias[ch] : 0u;
    for (int32_t ky = ky0; ky < ky1; ky++)
        for (int32_t kx = kx0; kx < kx1; kx++) {
            int32_t x = mprt_at(in, iy0 + ky * p->dh, ix0 + kx * p->dw)[ic];
            int32_t w = p->w[(size_t)(ky * p->kw + kx) * (size_t)p->out_c + (size_t)ch];
            acc += (uint32_t)((x + p->in_offset) * (w + p->w_offset));
        }
    return requant(&p->rq, ch, acc);
}

static void dw_pixel(const mprt_conv *p, const mprt_view *in, int32_t oy, int32_t ox, int8_t *dst)
{
    int32_t iy0 = oy * p->sh - p->pad_top, ix0 = ox * p->sw - p->pad_left;
    int32_t ky0, ky1, kx0, kx1;
    if (p->depth_mult != 1 || p->w_offset != 0) {
        for (int32_t ch = 0; ch < p->out_c; ch++)
            dst[ch] = dw_one(p, in, ch, oy, ox);
        return;
    }
    tap_range(iy0, p->kh, p->dh, p->in_h, &ky0, &ky1);
    tap_range(ix0, p->kw, p->dw, p->in_w, &kx0, &kx1);
    for (int32_t ch = 0; ch < p->out_c; ch++) {
        uint32_t acc = p->bias ? (uint32_t)p->bias[ch] : 0u;
        for (int32_t ky = ky0; ky < ky1; ky++) {
            const int8_t *w = p->w + (size_t)(ky * p->kw) * (size_t)p->out_c + (size_t)ch;
            for (int32_t kx = kx0; kx < kx1; kx++) {
                int32_t x = mprt_at(in, iy0 + ky * p->dh, ix0 + kx * p->dw)[ch];
                acc += (uint32_t)((x + p->in_offset) * w[(size_t)kx * (size_t)p->out_c]);
            }
        }
        dst[ch] = requant(&p->rq, ch, acc);
    }
}

void mprt_dw_run(const mprt_conv *p, const mprt_view *in, const mprt_view *out, mprt_rect r)
{
    for (int32_t oy = r.y0; oy < r.y1; oy++)
        for (int32_t ox = r.x0; ox < r.x1; ox++)
            dw_pixel(p, in, oy, ox, mprt_at(out, oy, ox));
}

void mprt_dw_inplace(const mprt_conv *p, const mprt_view *in, const mprt_view *out, mprt_rect r,
                     int8_t *plane)
{
    int32_t width = r.x1 - r.x0;
    for (int32_t ch = 0; ch < p->out_c; ch++) {
        for (int32_t oy = r.y0; oy < r.y1; oy++)
            for (int32_t ox = r.x0; ox < r.x1; ox++)
                plane[(size_t)(oy - r.y0) * (size_t)width + (size_t)(ox - r.x0)] =
                    dw_one(p, in, ch, oy, ox);
        for (int32_t oy = r.y0; oy < r.y1; oy++)
            for (int32_t ox = r.x0; ox < r.x1; ox++)
                mprt_at(out, oy, ox)[ch] =
                    plane[(size_t)(oy - r.y0) * (size_t)width + (size_t)(ox - r.x0)];
    }
}

/* ---- transpose convolution ---------------------------------------------------------- */

/* Taps k of one axis reaching output o: o + pad - k = i * s with 0 <= i < in. */
static int32_t tap_input(int32_t o, int32_t k, int32_t s, int32_t pad, int32_t in)
{
    int32_t v = o + pad - k;
    if (v < 0 || v % s)
        return -1;
    v /= s;
    return v < in ? v : -1;
}

/* TFLite Micro's reference_integer_ops::TransposeConv: every input pixel (iy, ix)
 * scatters (x + input offset) * w[oc][ky][kx][ic] onto output (iy * s - pad + ky,
 * ix * s - pad + kx); the int32 sums get the bias, the per-channel multiplier, the
 * output offset and the clamp. Here each output element gathers the same products
 * (integer sums are exact and wrap alike in any order), so any rectangle can be
 * computed alone. Filter OHWI (p->w), groups 1. */
void mprt_tconv_run(const mprt_conv *p, const mprt_view *in, const mprt_view *out, mprt_rect r)
{
    for (int32_t oy = r.y0; oy < r.y1; oy++)
        for (int32_t ox = r.x0; ox < r.x1; ox++) {
            int8_t *dst = mprt_at(out, oy, ox);
            for (int32_t oc = 0; oc < p->out_c; oc++) {
                uint32_t acc = 0;
                for (int32_t ky = 0; ky < p->kh; ky++) {
                    int32_t iy = tap_input(oy, ky, p->sh, p->pad_top, p->in_h);
                    if (iy < 0)
                        continue;
                    for (int32_t kx = 0; kx < p->kw; kx++) {
                        int32_t ix = tap_input(ox, kx, p->sw, p->pad_left, p->in_w);
                        if (ix < 0)
                            continue;
                        const int8_t *x = mprt_at(in, iy, ix);
                        const int8_t *w = p->w + (((size_t)oc * (size_t)p->kh + (size_t)ky) *
                                                      (size_t)p->kw + (size_t)kx) *
                                                     (size_t)p->in_c;
                        for (int32_t ic = 0; ic < p->in_c; ic++)
                            acc += (uint32_t)((x[ic] + p->in_offset) * w[ic]);
                    }
                }
                if (p->bias)
                    acc += (uint32_t)p->bias[oc];
                dst[oc] = requant(&p->rq, oc, acc);
            }
        }
}
