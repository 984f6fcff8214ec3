/* SPDX-License-Identifier: MIT */
/*
 * rf.c - receptive fields (module graph).
 *
 * For every tensor: how many input pixels (rows, columns) one element depends
 * on, and the distance in input pixels between neighbouring elements (the
 * "jump", the product of strides). A window op with kernel k, dilation d and
 * stride s maps (size, jump) to (size + (k - 1) * d * jump, jump * s).
 * Elementwise ops and concat take the maximum over their inputs. Ops that mix
 * every pixel (fully connected without keep_num_dims, reducers over height or
 * width, reshape, a transpose that moves height or width, unknown) make the
 * field global; upsampling ops divide the jump by their scale.
 * Sizes are the theoretical field, not capped at the image, so variants of a
 * network can be compared; they saturate at INT32_MAX.
 */
#include "graph_int.h"

static int32_t sat(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

static void window(mp_rf *r, const mp_rf *in, const mp_op_params *p)
{
    int32_t dh = p->dilation_h > 0 ? p->dilation_h : 1;
    int32_t dw = p->dilation_w > 0 ? p->dilation_w : 1;
    r->size_h = sat(in->size_h + (int64_t)(p->kernel_h - 1) * dh * in->jump_h);
    r->size_w = sat(in->size_w + (int64_t)(p->kernel_w - 1) * dw * in->jump_w);
    r->jump_h = sat((int64_t)in->jump_h * p->stride_h);
    r->jump_w = sat((int64_t)in->jump_w * p->stride_w);
    r->global = in->global;
}

static void merge_max(mp_rf *r, const mp_rf *a)
{
    if (a->size_h > r->size_h)
        r->size_h = a->size_h;
    if (a->size_w > r->size_w)
        r->size_w = a->size_w;
    if (a->jump_h > r->jump_h)
        r->jump_h = a->jump_h;
    if (a->jump_w > r->jump_w)
        r->jump_w = a->jump_w;
    r->global = r->global || a->global;
}

static void make_global(mp_rf *r, const mp_graph *g)
{
    const mp_shape s = g->tensors[g->inputs[0]].shape;
    if (r->size_h < s.h)
        r->size_h = s.h;
    if (r->size_w < s.w)
        r->size_w = s.w;
    r->global = true;
}

/* Upsampling ops (resize, transpose convolution, depth to space): an output element reads
 * the input near its source position: the jump shrinks by the scale (at least 1), and a
 * transpose convolution or bilinear resize reads ceil(k / s) or 2 input pixels. */
static void upsample(mp_rf *r, const mp_graph *g, const mp_op *op)
{
    const mp_shape i = g->tensors[op->in[0]].shape, o = g->tensors[op->out[0]].shape;
    int32_t sh = o.h / i.h > 1 ? o.h / i.h : 1, sw = o.w / i.w > 1 ? o.w / i.w : 1;
    int32_t th = 1, tw = 1;
    if (op->type == MP_OP_TRANSPOSE_CONV) {
        th = (op->p.kernel_h + op->p.stride_h - 1) / op->p.stride_h;
        tw = (op->p.kernel_w + op->p.stride_w - 1) / op->p.stride_w;
    } else if (op->type == MP_OP_RESIZE_BILINEAR) {
        th = tw = 2;
    }
    r->size_h = sat(r->size_h + (int64_t)(th - 1) * r->jump_h);
    r->size_w = sat(r->size_w + (int64_t)(tw - 1) * r->jump_w);
    r->jump_h = r->jump_h / sh > 1 ? r->jump_h / sh : 1;
    r->jump_w = r->jump_w / sw > 1 ? r->jump_w / sw : 1;
}

mp_status mp_graph_compute_rf(mp_graph *g, mp_error *err)
{
    mp_rf *rf = mp_pool_array(&g->priv->pool, g->n_tensors, sizeof *rf);
    if (!rf)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t t = 0; t < g->n_tensors; t++)
        rf[t] = (mp_rf){1, 1, 1, 1, false};
    for (uint32_t s = 0; s < g->n_ops; s++) {
        const mp_op *op = &g->ops[g->order[s]];
        mp_rf r = {0, 0, 0, 0, false};
        for (uint32_t k = 0; k < op->n_in; k++)
            if (op->in[k] != MP_NO_TENSOR && mp_tensor_is_activation(&g->tensors[op->in[k]]))
                merge_max(&r, &rf[op->in[k]]);
        switch (op->type) {
        case MP_OP_CONV2D:
        case MP_OP_DEPTHWISE_CONV2D:
        case MP_OP_AVG_POOL2D:
        case MP_OP_MAX_POOL2D: {
            mp_rf in = r;
            window(&r, &in, &op->p);
            break;
        }
        case MP_OP_SPACE_TO_DEPTH: { /* a block_size window with stride block_size */
            mp_rf in = r;
            mp_op_params p = {.kernel_h = op->p.block_size, .kernel_w = op->p.block_size,
                              .stride_h = op->p.block_size, .stride_w = op->p.block_size};
            window(&r, &in, &p);
            break;
        }
        case MP_OP_TRANSPOSE_CONV:
        case MP_OP_DEPTH_TO_SPACE:
        case MP_OP_RESIZE_NEAREST:
        case MP_OP_RESIZE_BILINEAR:
            upsample(&r, g, op);
            break;
        case MP_OP_FULLY_CONNECTED:
            if (!op->p.keep_num_dims) /* with it: a 1x1 convolution */
                make_global(&r, g);
            break;
        case MP_OP_MEAN:
        case MP_OP_SUM:
        case MP_OP_REDUCE_MAX:
            if (op->p.axes & 6)
                make_global(&r, g);
            break;
        case MP_OP_TRANSPOSE:
            if (op->p.perm[1] != 1 || op->p.perm[2] != 2)
                make_global(&r, g);
            break;
        case MP_OP_RESHAPE:
        case MP_OP_UNKNOWN:
            make_global(&r, g);
            break;
        default:
            break;
        }
        for (uint32_t k = 0; k < op->n_out; k++)
            rf[op->out[k]] = r;
    }
    g->rf = rf;
    return MP_OK;
}

mp_rf mp_graph_total_rf(const mp_graph *g)
{
    mp_rf r = {1, 1, 1, 1, false};
    for (uint32_t t = 0; g->rf && t < g->n_tensors; t++)
        if (mp_tensor_is_activation(&g->tensors[t]) && !g->rf[t].global)
            merge_max(&r, &g->rf[t]);
    return r;
}
