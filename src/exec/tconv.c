/* SPDX-License-Identifier: MIT */
/*
 * tconv.c - int8 TRANSPOSE_CONV over an output rectangle (module exec), as
 * TFLite Micro's reference_integer_ops::TransposeConv computes it: every input
 * pixel (iy, ix) scatters (x + input offset) * w[oc][ky][kx][ic] onto output
 * (iy * s - pad + ky, ix * s - pad + kx); the int32 sums get the bias, the
 * per-channel multiplier (MBQM), the output offset and the activation clamp.
 * Here each output element gathers the same products (integer sums are exact
 * and wrap alike in any order), so any rectangle can be computed alone.
 * Filter OHWI, unpacked. Freestanding: no allocation, no libc.
 */
#include "exec_int.h"

/* Taps k of one axis reaching output o: o + pad - k = i * s with 0 <= i < in. */
static int32_t tap_input(int32_t o, int32_t k, int32_t s, int32_t pad, int32_t in)
{
    int32_t v = o + pad - k;
    if (v < 0 || v % s)
        return -1;
    v /= s;
    return v < in ? v : -1;
}

void exec_tconv_run(const exec_conv *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    for (int32_t oy = r.y0; oy < r.y1; oy++)
        for (int32_t ox = r.x0; ox < r.x1; ox++) {
            int8_t *dst = view_at(out, oy, ox);
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
                        const int8_t *x = view_at(in, iy, ix);
                        const int8_t *w = p->w8 + (((size_t)oc * p->kh + ky) * p->kw + kx) *
                                                      (size_t)p->in_c;
                        for (int32_t ic = 0; ic < p->in_c; ic++)
                            acc += (uint32_t)((x[ic] + p->in_offset) * w[ic]);
                    }
                }
                if (p->bias)
                    acc += (uint32_t)p->bias[oc];
                int32_t v = mp_add_wrap(mp_mbqm((int32_t)acc, p->rq.mult[oc], p->rq.shift[oc]),
                                        p->rq.out_offset);
                dst[oc] = (int8_t)mp_clamp32(v, p->rq.act_min, p->rq.act_max);
            }
        }
}
