/* SPDX-License-Identifier: MIT */
/*
 * misc.c - data movement ops over an output rectangle (module exec): int8 ->
 * int8 requantize (quantize/dequantize, and reshape/concat copies), pad,
 * concat and resize_nearest.
 *
 * Requantize is TFLite's: out = clamp(MBQM(x - zp_in, mult, shift) + zp_out)
 * with the multiplier of in_scale / out_scale; equal quantization is a copy.
 * Pad writes the output zero point outside the input (TFLite's default pad
 * value; memplan_rt's kernel, mprt_pad_run). Concat copies (or requantizes, when an input's quantization differs
 * from the output's: a memplan extension; TFLite's int8 concat requires equal
 * quantization) each input's part of the rectangle. resize_nearest picks
 * source pixels with TFLite's float index rule (GetNearestNeighbor).
 */
#include "rt_params.h"

#include <math.h>
#include <string.h>

static void requant_span(const exec_requant1 *p, const int8_t *src, int32_t n, int8_t *dst)
{
    if (p->identity) {
        memmove(dst, src, (size_t)n);
        return;
    }
    for (int32_t i = 0; i < n; i++) {
        int32_t v = mp_add_wrap(mp_mbqm(src[i] - p->in_zp, p->mult, p->shift), p->out_zp);
        dst[i] = (int8_t)mp_clamp32(v, -128, 127);
    }
}

void exec_requant1_run(const exec_requant1 *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    for (int32_t y = r.y0; y < r.y1; y++)
        for (int32_t x = r.x0; x < r.x1; x++)
            requant_span(p, view_at(in, y, x), out->c, view_at(out, y, x));
}

/* memplan_rt's kernel (spatial and channel padding, PADV2's constant). */
void exec_pad_run(const exec_pad *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    mprt_pad q = exec_rt_pad(p);
    mprt_view vi = exec_rt_view(in), vo = exec_rt_view(out);
    mprt_pad_run(&q, &vi, &vo, exec_rt_rect(r));
}

/* Concat input k's share of rectangle r. */
static void concat_one(const exec_concat *p, uint32_t k, const mp_view *in, const mp_view *out,
                       mp_rect r)
{
    int32_t s = p->start[k], e = p->start[k] + p->size[k];
    if (p->axis == 3) {
        for (int32_t y = r.y0; y < r.y1; y++)
            for (int32_t x = r.x0; x < r.x1; x++)
                requant_span(&p->rq[k], view_at(in, y, x), p->size[k], view_at(out, y, x) + s);
        return;
    }
    mp_rect part = r;
    int32_t dy = 0, dx = 0;
    if (p->axis == 1) {
        part.y0 = r.y0 > s ? r.y0 : s;
        part.y1 = r.y1 < e ? r.y1 : e;
        dy = s;
    } else {
        part.x0 = r.x0 > s ? r.x0 : s;
        part.x1 = r.x1 < e ? r.x1 : e;
        dx = s;
    }
    for (int32_t y = part.y0; y < part.y1; y++)
        for (int32_t x = part.x0; x < part.x1; x++)
            requant_span(&p->rq[k], view_at(in, y - dy, x - dx), out->c, view_at(out, y, x));
}

void exec_concat_run(const exec_concat *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    for (uint32_t k = 0; k < p->n; k++)
        concat_one(p, k, &in[k], out, r);
}

int32_t exec_resize_src(int32_t o, int32_t in_size, int32_t out_size, bool align_corners,
                        bool half_pixel_centers)
{
    float scale = (align_corners && out_size > 1) ? (float)(in_size - 1) / (float)(out_size - 1)
                                                  : (float)in_size / (float)out_size;
    float offset = half_pixel_centers ? 0.5f : 0.0f;
    float v = ((float)o + offset) * scale;
    int32_t i = align_corners ? (int32_t)roundf(v) : (int32_t)floorf(v);
    if (i > in_size - 1)
        i = in_size - 1;
    if (half_pixel_centers && i < 0)
        i = 0;
    return i;
}

void exec_resize_run(const exec_resize *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    for (int32_t y = r.y0; y < r.y1; y++) {
        int32_t iy = exec_resize_src(y, p->in_h, p->out_h, p->align_corners,
                                     p->half_pixel_centers);
        for (int32_t x = r.x0; x < r.x1; x++) {
            int32_t ix = exec_resize_src(x, p->in_w, p->out_w, p->align_corners,
                                         p->half_pixel_centers);
            memcpy(view_at(out, y, x), view_at(in, iy, ix), (size_t)p->c);
        }
    }
}
