/* SPDX-License-Identifier: MIT */
/*
 * mprt_gather.c - int8 data movement (memplan_rt; the host executor runs this
 * same code): TRANSPOSE and STRIDED_SLICE (whole tensors, one gather over a 4-D
 * block of the input, or over rectangles when they keep N, H and W),
 * DEPTH_TO_SPACE and SPACE_TO_DEPTH (over an output rectangle), reductions over
 * any axes and SPLIT (whole tensors). Bytes are copied, never
 * requantized: TFLite requires input and output to share quantization.
 * Freestanding: no allocation, string.h only.
 */
#include "mprt_int.h"

/* out (dense) = the block: element (o0, o1, o2, o3) is input element with
 * coordinate axis[k] = start[k] + o[k] * step[k]; row-major over the block. */
void mprt_gather_run(const mprt_gather *p, const int8_t *in, int8_t *out)
{
    int64_t stride[4];
    stride[3] = 1;
    for (int k = 2; k >= 0; k--)
        stride[k] = stride[k + 1] * p->in_d[k + 1];
    int64_t s[4];
    for (int k = 0; k < 4; k++)
        s[k] = stride[p->axis[k]] * p->step[k];
    int64_t base = 0;
    for (int k = 0; k < 4; k++)
        base += stride[p->axis[k]] * p->start[k];
    size_t o = 0;
    for (int32_t a = 0; a < p->block[0]; a++)
        for (int32_t b = 0; b < p->block[1]; b++)
            for (int32_t c = 0; c < p->block[2]; c++) {
                const int8_t *src = in + base + a * s[0] + b * s[1] + c * s[2];
                if (s[3] == 1) {
                    memcpy(out + o, src, (size_t)p->block[3]);
                    o += (size_t)p->block[3];
                } else {
                    for (int32_t d = 0; d < p->block[3]; d++)
                        out[o++] = src[d * s[3]];
                }
            }
}

void mprt_d2s_run(const mprt_d2s *p, const mprt_view *in, const mprt_view *out, mprt_rect r)
{
    int32_t bs = p->block;
    for (int32_t y = r.y0; y < r.y1; y++)
        for (int32_t x = r.x0; x < r.x1; x++) {
            int8_t *dst = mprt_at(out, y, x);
            if (p->to_space) { /* out (y, x, c) = in (y / bs, x / bs, ((y%bs)*bs + x%bs)*C + c) */
                const int8_t *src = mprt_at(in, y / bs, x / bs);
                memcpy(dst, src + (size_t)((y % bs) * bs + x % bs) * (size_t)p->out_c,
                       (size_t)p->out_c);
            } else { /* out (y, x, (dy*bs + dx)*C + c) = in (y*bs + dy, x*bs + dx, c) */
                for (int32_t dy = 0; dy < bs; dy++)
                    for (int32_t dx = 0; dx < bs; dx++)
                        memcpy(dst + (size_t)(dy * bs + dx) * (size_t)p->in_c,
                               mprt_at(in, y * bs + dy, x * bs + dx), (size_t)p->in_c);
            }
        }
}

/* MEAN, SUM, REDUCE_MAX over any set of axes of a dense input: per output element (the
 * reduced axes at 0, row-major over the rest) the int32 sum (or max) of its elements,
 * finished as mprt_mean_finish does (or the raw max). */
void mprt_reduce_run(const mprt_reduce *p, const int8_t *in, int8_t *out)
{
    int64_t stride[4];
    int32_t od[4], rd[4];
    stride[3] = 1;
    for (int k = 2; k >= 0; k--)
        stride[k] = stride[k + 1] * p->d[k + 1];
    for (int k = 0; k < 4; k++) {
        int32_t red = (int32_t)(((uint32_t)p->axes >> k) & 1u);
        od[k] = red ? 1 : p->d[k];
        rd[k] = red ? p->d[k] : 1;
    }
    size_t o = 0;
    for (int32_t a = 0; a < od[0]; a++)
        for (int32_t b = 0; b < od[1]; b++)
            for (int32_t c = 0; c < od[2]; c++)
                for (int32_t e = 0; e < od[3]; e++) {
                    const int8_t *base = in + a * stride[0] + b * stride[1] + c * stride[2] + e;
                    int32_t acc = p->max ? -128 : 0;
                    for (int32_t i = 0; i < rd[0]; i++)
                        for (int32_t j = 0; j < rd[1]; j++)
                            for (int32_t k = 0; k < rd[2]; k++)
                                for (int32_t l = 0; l < rd[3]; l++) {
                                    int32_t v = base[i * stride[0] + j * stride[1] +
                                                     k * stride[2] + l];
                                    acc = p->max ? (v > acc ? v : acc) : acc + v;
                                }
                    out[o++] = (int8_t)(p->max ? acc : mprt_mean_finish(&p->mean, acc, p->n));
                }
}

/* RESIZE_BILINEAR's value at one output pixel from its four corners (Q10 weights of the
 * upper row and right column wy1, wx1): the sum rounded half away from zero at 2^20. */
void mprt_bilinear_px(const int8_t *ll, const int8_t *lu, const int8_t *rl, const int8_t *ru,
                      int32_t wy1, int32_t wx1, int32_t c, int8_t *d)
{
    int64_t wy0 = 1024 - wy1, wx0 = 1024 - wx1;
    for (int32_t k = 0; k < c; k++) {
        int64_t s = ll[k] * wy0 * wx0 + lu[k] * (int64_t)wy1 * wx0 + rl[k] * wy0 * wx1 +
                    ru[k] * (int64_t)wy1 * wx1;
        int64_t round = s > 0 ? (1 << 19) : -(1 << 19);
        d[k] = (int8_t)((s + round) / (1 << 20));
    }
}

void mprt_bilinear_run(const mprt_bilinear *p, const mprt_view *in, const mprt_view *out,
                       mprt_rect r)
{
    for (int32_t y = r.y0; y < r.y1; y++) {
        const int32_t *ty = p->ys + 3 * y;
        for (int32_t x = r.x0; x < r.x1; x++) {
            const int32_t *tx = p->xs + 3 * x;
            mprt_bilinear_px(mprt_at(in, ty[1], tx[1]), mprt_at(in, ty[2], tx[1]),
                             mprt_at(in, ty[1], tx[2]), mprt_at(in, ty[2], tx[2]),
                             ty[0] - 1024 * ty[1], tx[0] - 1024 * tx[1], p->c, mprt_at(out, y, x));
        }
    }
}

/* A strided slice (or an identity transpose) that keeps batch, height and width, over an
 * output rectangle: output (y, x, c) is input (start_h + y step_h, start_w + x step_w,
 * start_c + c step_c). */
void mprt_slice_run(const mprt_gather *p, const mprt_view *in, const mprt_view *out, mprt_rect r)
{
    for (int32_t y = r.y0; y < r.y1; y++)
        for (int32_t x = r.x0; x < r.x1; x++) {
            const int8_t *src = mprt_at(in, p->start[1] + y * p->step[1],
                                        p->start[2] + x * p->step[2]) + p->start[3];
            int8_t *dst = mprt_at(out, y, x);
            if (p->step[3] == 1)
                memcpy(dst, src, (size_t)p->block[3]);
            else
                for (int32_t c = 0; c < p->block[3]; c++)
                    dst[c] = src[c * p->step[3]];
        }
}

/* SPLIT / SPLIT_V: output k takes sizes[k] consecutive entries of axis `axis` of the
 * dense input (outer = the axes before it, inner = the elements after it). */
void mprt_split_run(const mprt_split *p, const int8_t *in, int8_t *const *outs)
{
    size_t outer = 1, inner = 1;
    for (int k = 0; k < p->axis; k++)
        outer *= (size_t)p->d[k];
    for (int k = p->axis + 1; k < 4; k++)
        inner *= (size_t)p->d[k];
    size_t row = (size_t)p->d[p->axis] * inner, at = 0;
    for (int32_t k = 0; k < p->n; k++) {
        size_t part = (size_t)p->sizes[k] * inner;
        for (size_t o = 0; o < outer; o++)
            memcpy(outs[k] + o * part, in + o * row + at, part);
        at += part;
    }
}
