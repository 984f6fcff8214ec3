/* SPDX-License-Identifier: MIT */
/*
 * mprt_move.c - data movement over an output rectangle: int8 -> int8
 * requantize (quantize/dequantize), pad (spatial and channel padding), concat,
 * resize nearest (source indices precomputed in the tables), and the op
 * dispatch.
 */
#include "mprt_int.h"

static void requant_span(const mprt_requant *p, const int8_t *src, int32_t n, int8_t *dst)
{
    if (p->identity) {
        memmove(dst, src, (size_t)n);
        return;
    }
    for (int32_t i = 0; i < n; i++) {
        int32_t v = mprt_mbqm(src[i] - p->in_zp, p->mult, p->shift) + p->out_zp;
        dst[i] = (int8_t)mprt_clamp(v, -128, 127);
    }
}

void mprt_requant_run(const mprt_requant *p, const mprt_view *in, const mprt_view *out,
                      mprt_rect r)
{
    for (int32_t y = r.y0; y < r.y1; y++)
        for (int32_t x = r.x0; x < r.x1; x++)
            requant_span(p, mprt_at(in, y, x), out->c, mprt_at(out, y, x));
}

void mprt_pad_run(const mprt_pad *p, const mprt_view *in, const mprt_view *out, mprt_rect r)
{
    for (int32_t y = r.y0; y < r.y1; y++)
        for (int32_t x = r.x0; x < r.x1; x++) {
            int32_t iy = y - p->pad_top, ix = x - p->pad_left;
            int8_t *dst = mprt_at(out, y, x);
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                memset(dst, (unsigned char)(int8_t)p->value, (size_t)p->c);
            } else { /* channels [ch_before, ch_before + in_c) from the input */
                memset(dst, (unsigned char)(int8_t)p->value, (size_t)p->ch_before);
                memcpy(dst + p->ch_before, mprt_at(in, iy, ix), (size_t)p->in_c);
                memset(dst + p->ch_before + p->in_c, (unsigned char)(int8_t)p->value,
                       (size_t)(p->c - p->ch_before - p->in_c));
            }
        }
}

static void concat_one(const mprt_concat *p, int32_t k, const mprt_view *in,
                       const mprt_view *out, mprt_rect r)
{
    int32_t s = p->start[k], e = p->start[k] + p->size[k], dy = 0, dx = 0;
    if (p->axis == 3) {
        for (int32_t y = r.y0; y < r.y1; y++)
            for (int32_t x = r.x0; x < r.x1; x++)
                requant_span(&p->rq[k], mprt_at(in, y, x), p->size[k], mprt_at(out, y, x) + s);
        return;
    }
    if (p->axis == 1) {
        r.y0 = r.y0 > s ? r.y0 : s;
        r.y1 = r.y1 < e ? r.y1 : e;
        dy = s;
    } else {
        r.x0 = r.x0 > s ? r.x0 : s;
        r.x1 = r.x1 < e ? r.x1 : e;
        dx = s;
    }
    for (int32_t y = r.y0; y < r.y1; y++)
        for (int32_t x = r.x0; x < r.x1; x++)
            requant_span(&p->rq[k], mprt_at(in, y - dy, x - dx), out->c, mprt_at(out, y, x));
}

void mprt_concat_run(const mprt_concat *p, const mprt_view *in, const mprt_view *out,
                     mprt_rect r)
{
    for (int32_t k = 0; k < p->n; k++)
        concat_one(p, k, &in[k], out, r);
}

void mprt_resize_run(const mprt_resize *p, const mprt_view *in, const mprt_view *out,
                     mprt_rect r)
{
    for (int32_t y = r.y0; y < r.y1; y++)
        for (int32_t x = r.x0; x < r.x1; x++)
            memcpy(mprt_at(out, y, x), mprt_at(in, p->src_y[y], p->src_x[x]), (size_t)p->c);
}

void mprt_op_dispatch(const mprt_op *op, const mprt_view *in, const mprt_view *out, mprt_rect r)
{
    const void *q = op->params;
    switch (op->type) {
    case MPRT_OP_CONV:
        mprt_conv_run(q, &in[0], out, r);
        break;
    case MPRT_OP_DEPTHWISE:
        mprt_dw_run(q, &in[0], out, r);
        break;
    case MPRT_OP_FC:
        mprt_fc_run(q, in[0].data, out->data);
        break;
    case MPRT_OP_AVG_POOL:
        mprt_avgpool_run(q, &in[0], out, r);
        break;
    case MPRT_OP_MAX_POOL:
        mprt_maxpool_run(q, &in[0], out, r);
        break;
    case MPRT_OP_MEAN:
        mprt_mean_run(q, &in[0], out->data);
        break;
    case MPRT_OP_ADD:
    case MPRT_OP_MUL:
    case MPRT_OP_BINARY: {
        const mprt_elem *e = q;
        const mprt_view *a = e->a_const ? NULL : &in[0];
        const mprt_view *b = e->b_const ? NULL : &in[e->a_const ? 0 : 1];
        mprt_elem_run(e, a, b, out, r);
        break;
    }
    case MPRT_OP_SOFTMAX:
        mprt_softmax_run(q, &in[0], out, r);
        break;
    case MPRT_OP_REQUANT:
        mprt_requant_run(q, &in[0], out, r);
        break;
    case MPRT_OP_PAD:
        mprt_pad_run(q, &in[0], out, r);
        break;
    case MPRT_OP_CONCAT:
        mprt_concat_run(q, in, out, r);
        break;
    case MPRT_OP_RESIZE:
        mprt_resize_run(q, &in[0], out, r);
        break;
    case MPRT_OP_CONVERT:
        mprt_convert_run(q, &in[0], out, r);
        break;
    case MPRT_OP_UNARY:
        mprt_unary_run(q, &in[0], out, r);
        break;
    case MPRT_OP_BILINEAR:
        mprt_bilinear_run(q, &in[0], out, r);
        break;
    case MPRT_OP_GATHER:
        if (((const mprt_gather *)q)->regional)
            mprt_slice_run(q, &in[0], out, r);
        else
            mprt_gather_run(q, in[0].data, out->data);
        break;
    case MPRT_OP_D2S:
        mprt_d2s_run(q, &in[0], out, r);
        break;
    case MPRT_OP_REDUCE:
        mprt_reduce_run(q, in[0].data, out->data);
        break;
    case MPRT_OP_TCONV:
        mprt_tconv_run(q, &in[0], out, r);
        break;
    default: /* reshape: whole dense views (split runs in mprt_run.c) */
        memmove(out->data, in[0].data, (size_t)out->h * (size_t)out->row_stride);
        break;
    }
}
