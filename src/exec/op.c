/* SPDX-License-Identifier: MIT */
/*
 * op.c - running one op of a prepared model on a region (module exec):
 * rectangles and views, the input region an output rectangle needs, the checks
 * that keep kernels inside their views, dispatch, and in-place depthwise.
 *
 * Every check happens before any kernel runs, so a bad view fails cleanly with
 * nothing written and nothing read out of bounds.
 */
#include "exec_int.h"

#include "../util/checked.h"

#include <stdio.h>
#include <string.h>

/* ---- rectangles and views ----------------------------------------------------------- */

mp_rect mp_rect_of_tensor(const mp_tensor *t)
{
    mp_rect r = {0, t->shape.h, 0, t->shape.w};
    return r;
}

mp_rect mp_rect_intersect(mp_rect a, mp_rect b)
{
    mp_rect r = {a.y0 > b.y0 ? a.y0 : b.y0, a.y1 < b.y1 ? a.y1 : b.y1,
                 a.x0 > b.x0 ? a.x0 : b.x0, a.x1 < b.x1 ? a.x1 : b.x1};
    if (mp_rect_empty(r))
        r = (mp_rect){0, 0, 0, 0};
    return r;
}

int32_t mp_view_pixel_bytes(const mp_tensor *t)
{
    return t->shape.c * (int32_t)mp_dtype_size(t->dtype);
}

mp_view mp_view_of_rect(const mp_tensor *t, mp_rect r, int8_t *data)
{
    int32_t c = mp_view_pixel_bytes(t);
    mp_view v = {data, r.y0, r.x0, r.y1 - r.y0, r.x1 - r.x0, c, (r.x1 - r.x0) * c};
    return v;
}

mp_view mp_view_of_tensor(const mp_tensor *t, int8_t *data)
{
    return mp_view_of_rect(t, mp_rect_of_tensor(t), data);
}

bool mp_rect_bytes(const mp_tensor *t, mp_rect r, size_t *bytes)
{
    if (mp_rect_empty(r)) {
        *bytes = 0;
        return true;
    }
    return mp_mul4_size((size_t)(r.y1 - r.y0), (size_t)(r.x1 - r.x0), (size_t)t->shape.c,
                        mp_dtype_size(t->dtype), bytes);
}

const char *exec_op_where(const mp_exec_model *m, uint32_t i, char *buf, size_t n)
{
    return mp_graph_op_where(m->g, i, buf, n);
}

/* ---- what a region needs ------------------------------------------------------------- */

/* Activation input k of op: its position in op->in, or -1. */
static int32_t act_operand(const mp_graph *g, const mp_op *op, uint32_t k)
{
    uint32_t seen = 0;
    for (uint32_t i = 0; i < op->n_in; i++) {
        if (op->in[i] == MP_NO_TENSOR || !mp_tensor_is_activation(&g->tensors[op->in[i]]))
            continue;
        if (seen++ == k)
            return (int32_t)i;
    }
    return -1;
}

/* The needed rectangle of activation input k (op and k already checked): the planner's
 * backward-region rule, mp_op_input_span (plan/patch_region.c), per axis. */
static mp_rect needed_rect(const mp_exec_model *m, uint32_t i, uint32_t k, mp_rect r)
{
    const mp_graph *g = m->g;
    uint32_t operand = (uint32_t)act_operand(g, &g->ops[i], k);
    if (mp_rect_empty(r))
        return (mp_rect){0, 0, 0, 0};
    mp_interval rows = mp_op_input_span(g, i, operand, 0, (mp_interval){r.y0, r.y1}, NULL);
    mp_interval cols = mp_op_input_span(g, i, operand, 1, (mp_interval){r.x0, r.x1}, NULL);
    mp_rect o = {rows.a, rows.b, cols.a, cols.b};
    if (mp_rect_empty(o))
        return (mp_rect){0, 0, 0, 0};
    return o;
}

static bool rect_in_tensor(mp_rect r, const mp_tensor *t)
{
    return r.y0 >= 0 && r.x0 >= 0 && r.y0 <= r.y1 && r.x0 <= r.x1 && r.y1 <= t->shape.h &&
           r.x1 <= t->shape.w;
}

static bool op_checked(const mp_exec_model *m, uint32_t i, mp_error *err)
{
    if (!m || i >= m->g->n_ops) {
        mp_errorf(err, MP_E_INVALID, "op %u does not exist", i);
        return false;
    }
    return true;
}

mp_status mp_exec_input_rect(const mp_exec_model *m, uint32_t op, uint32_t k, mp_rect out_rect,
                             mp_rect *in_rect, mp_error *err)
{
    if (!op_checked(m, op, err))
        return MP_E_INVALID;
    char where[160];
    const mp_op *o = &m->g->ops[op];
    if (k >= m->ops[op].n_act)
        return mp_errorf(err, MP_E_INVALID, "%s: no activation input %u (it has %u)",
                         exec_op_where(m, op, where, sizeof where), k, m->ops[op].n_act);
    if (!rect_in_tensor(out_rect, &m->g->tensors[o->out[0]]))
        return mp_errorf(err, MP_E_INVALID, "%s: rows [%d, %d) x columns [%d, %d) lie outside "
                         "the output", exec_op_where(m, op, where, sizeof where), out_rect.y0,
                         out_rect.y1, out_rect.x0, out_rect.x1);
    *in_rect = needed_rect(m, op, k, out_rect);
    if (mp_rect_empty(*in_rect))
        *in_rect = (mp_rect){0, 0, 0, 0};
    return MP_OK;
}

/* ---- checks --------------------------------------------------------------------------- */

static bool view_holds(const mp_view *v, mp_rect r)
{
    return v->data && r.y0 >= v->y0 && r.x0 >= v->x0 && r.y1 <= v->y0 + v->h &&
           r.x1 <= v->x0 + v->w && v->h >= 0 && v->w >= 0 &&
           (int64_t)v->row_stride >= (int64_t)v->w * v->c;
}

static bool is_global(const mp_exec_model *m, uint32_t op)
{
    return !mp_op_region_bounded(m->g, op);
}

bool mp_exec_op_regional(const mp_exec_model *m, uint32_t op)
{
    return m && op < m->g->n_ops && m->ops[op].prepared && !is_global(m, op);
}

static mp_status check_view(const mp_exec_model *m, uint32_t i, const char *role, uint32_t k,
                            const mp_view *v, const mp_tensor *t, mp_rect need, mp_error *err)
{
    char where[160];
    if (mp_rect_empty(need))
        return MP_OK;
    if (v->c != mp_view_pixel_bytes(t))
        return mp_errorf(err, MP_E_INVALID, "%s: %s %u view has %d bytes per pixel, tensor '%s' "
                         "has %d", exec_op_where(m, i, where, sizeof where), role, k, v->c,
                         t->name, mp_view_pixel_bytes(t));
    if (!view_holds(v, need))
        return mp_errorf(err, MP_E_INVALID,
                         "%s: %s %u view holds rows [%d, %d) x columns [%d, %d) of '%s', the "
                         "region needs rows [%d, %d) x columns [%d, %d)",
                         exec_op_where(m, i, where, sizeof where), role, k, v->y0, v->y0 + v->h,
                         v->x0, v->x0 + v->w, t->name, need.y0, need.y1, need.x0, need.x1);
    if (is_global(m, i) && v->row_stride != v->w * v->c)
        return mp_errorf(err, MP_E_INVALID, "%s: %s %u view of '%s' must be dense",
                         exec_op_where(m, i, where, sizeof where), role, k, t->name);
    return MP_OK;
}

static mp_status check_call(const mp_exec_model *m, uint32_t i, const mp_view *in, uint32_t n_in,
                            const mp_view *out, mp_rect r, mp_error *err)
{
    const mp_graph *g = m->g;
    const mp_op *op = &g->ops[i];
    const mp_tensor *to = &g->tensors[op->out[0]];
    char where[160];
    if (!m->ops[i].prepared)
        return mp_errorf(err, MP_E_INVALID, "%s: op is not prepared",
                         exec_op_where(m, i, where, sizeof where));
    if (m->ops[i].type == MP_OP_SPLIT)
        return mp_errorf(err, MP_E_UNSUPPORTED, "%s: split writes %u outputs; the runners "
                         "run it (mp_exec_run_reference, mp_exec_run_schedule)",
                         exec_op_where(m, i, where, sizeof where), op->n_out);
    if (n_in != m->ops[i].n_act)
        return mp_errorf(err, MP_E_INVALID, "%s: %u input views given, the op has %u",
                         exec_op_where(m, i, where, sizeof where), n_in, m->ops[i].n_act);
    if (!rect_in_tensor(r, to))
        return mp_errorf(err, MP_E_INVALID, "%s: rows [%d, %d) x columns [%d, %d) lie outside "
                         "the output '%s' (%dx%d)", exec_op_where(m, i, where, sizeof where),
                         r.y0, r.y1, r.x0, r.x1, to->name, to->shape.h, to->shape.w);
    if (is_global(m, i) && !mp_rect_empty(r) &&
        (r.y0 != 0 || r.x0 != 0 || r.y1 != to->shape.h || r.x1 != to->shape.w))
        return mp_errorf(err, MP_E_UNSUPPORTED, "%s: %s computes its whole output only",
                         exec_op_where(m, i, where, sizeof where), op->type_name);
    MP_TRY(check_view(m, i, "output", 0, out, to, r, err));
    for (uint32_t k = 0; k < n_in; k++) {
        const mp_tensor *t = &g->tensors[op->in[act_operand(g, op, k)]];
        MP_TRY(check_view(m, i, "input", k, &in[k], t, needed_rect(m, i, k, r), err));
    }
    return MP_OK;
}

/* ---- dispatch ------------------------------------------------------------------------- */

/* Operand views of add/mul: a view for each activation operand, in operand order. */
static void elem_views(const exec_elem *p, const mp_view *in, const mp_view **a,
                       const mp_view **b)
{
    *a = p->a_const ? NULL : &in[0];
    *b = p->b_const ? NULL : &in[p->a_const ? 0 : 1];
}

static void dispatch(const exec_op *e, const mp_view *in, const mp_view *out, mp_rect r)
{
    const mp_view *a, *b;
    switch (e->type) {
    case MP_OP_CONV2D:
        exec_conv_run(&e->u.conv, &in[0], out, r);
        break;
    case MP_OP_DEPTHWISE_CONV2D:
        exec_dw_run(&e->u.conv, &in[0], out, r);
        break;
    case MP_OP_TRANSPOSE_CONV:
        exec_tconv_run(&e->u.conv, &in[0], out, r);
        break;
    case MP_OP_FULLY_CONNECTED:
        exec_fc_run(&e->u.conv, in[0].data, out->data);
        break;
    case MP_OP_AVG_POOL2D:
        exec_avgpool_run(&e->u.pool, &in[0], out, r);
        break;
    case MP_OP_MAX_POOL2D:
        exec_maxpool_run(&e->u.pool, &in[0], out, r);
        break;
    case MP_OP_MEAN:
        exec_mean_run(&e->u.mean, &in[0], out->data);
        break;
    case MP_OP_SUM: /* sum, reduce_max and mean over other axes */
        exec_reduce_any_run(&e->u.reduce, in[0].data, out->data);
        break;
    case MP_OP_ADD:
    case MP_OP_MUL:
    case MP_OP_SUB:
    case MP_OP_MAXIMUM:
    case MP_OP_MINIMUM:
    case MP_OP_PRELU:
        elem_views(&e->u.elem, in, &a, &b);
        exec_elem_run(&e->u.elem, a, b, out, r);
        break;
    case MP_OP_SOFTMAX:
        exec_softmax_run(&e->u.softmax, &in[0], out, r);
        break;
    case MP_OP_PAD:
        exec_pad_run(&e->u.pad, &in[0], out, r);
        break;
    case MP_OP_CONCAT:
        exec_concat_run(&e->u.concat, in, out, r);
        break;
    case MP_OP_RESIZE_NEAREST:
        exec_resize_run(&e->u.resize, &in[0], out, r);
        break;
    case MP_OP_RESHAPE:
        memmove(out->data, in[0].data, (size_t)out->h * (size_t)out->row_stride);
        break;
    case MP_OP_LOGISTIC:
    case MP_OP_TANH:
    case MP_OP_HARD_SWISH:
    case MP_OP_LEAKY_RELU:
    case MP_OP_RELU:
    case MP_OP_RELU6:
        exec_unary_run(&e->u.unary, &in[0], out, r);
        break;
    case MP_OP_RESIZE_BILINEAR:
        exec_bilinear_run(&e->u.bilinear, &in[0], out, r);
        break;
    case MP_OP_DEPTH_TO_SPACE:
    case MP_OP_SPACE_TO_DEPTH:
        exec_d2s_run(&e->u.d2s, &in[0], out, r);
        break;
    case MP_OP_TRANSPOSE:
    case MP_OP_STRIDED_SLICE:
        if (e->u.gather.regional)
            exec_slice_run(&e->u.gather, &in[0], out, r);
        else
            exec_gather_run(&e->u.gather, in[0].data, out->data);
        break;
    default: /* quantize, dequantize */
        exec_convert_run(&e->u.convert, &in[0], out, r);
        break;
    }
}

mp_status mp_exec_op(const mp_exec_model *m, uint32_t op, const mp_view *in, uint32_t n_in,
                     const mp_view *out, mp_rect out_rect, mp_error *err)
{
    if (!op_checked(m, op, err))
        return MP_E_INVALID;
    MP_TRY(check_call(m, op, in, n_in, out, out_rect, err));
    if (!mp_rect_empty(out_rect))
        dispatch(&m->ops[op], in, out, out_rect);
    return MP_OK;
}

mp_status exec_run_split(const mp_exec_model *m, uint32_t i, const int8_t *in,
                         int8_t *const *outs, mp_error *err)
{
    char where[160];
    if (!op_checked(m, i, err))
        return MP_E_INVALID;
    if (!m->ops[i].prepared || m->ops[i].type != MP_OP_SPLIT)
        return mp_errorf(err, MP_E_INVALID, "%s: not a prepared split",
                         exec_op_where(m, i, where, sizeof where));
    exec_split_run(&m->ops[i].u.split, in, outs);
    return MP_OK;
}

mp_status exec_run_whole(const mp_exec_model *m, uint32_t i, int8_t *const *bufs, mp_error *err)
{
    const mp_graph *g = m->g;
    const mp_op *op = &g->ops[i];
    if (op->type == MP_OP_SPLIT) {
        int8_t *outs[MP_MAX_SPLITS];
        for (uint32_t k = 0; k < op->n_out && k < MP_MAX_SPLITS; k++)
            outs[k] = bufs[op->out[k]];
        return exec_run_split(m, i, bufs[op->in[0]], outs, err);
    }
    mp_view views[MP_MAX_OP_INPUTS];
    uint32_t n = 0;
    for (uint32_t k = 0; k < op->n_in && n < MP_MAX_OP_INPUTS; k++) {
        mp_tensor_id id = op->in[k];
        if (id == MP_NO_TENSOR || !mp_tensor_is_activation(&g->tensors[id]))
            continue;
        views[n++] = mp_view_of_tensor(&g->tensors[id], bufs[id]);
    }
    const mp_tensor *to = &g->tensors[op->out[0]];
    mp_view out = mp_view_of_tensor(to, bufs[op->out[0]]);
    return mp_exec_op(m, i, views, n, &out, mp_rect_of_tensor(to), err);
}

/* ---- in-place depthwise ---------------------------------------------------------------- */

bool mp_exec_dw_inplace_ok(const mp_exec_model *m, uint32_t op)
{
    return m && op < m->g->n_ops && m->ops[op].prepared &&
           m->ops[op].type == MP_OP_DEPTHWISE_CONV2D && m->ops[op].u.conv.depth_mult == 1;
}

size_t mp_exec_dw_inplace_temp_bytes(mp_rect r)
{
    if (mp_rect_empty(r))
        return 0;
    return (size_t)(r.y1 - r.y0) * (size_t)(r.x1 - r.x0);
}

static mp_status check_shared(const mp_exec_model *m, uint32_t op, const mp_view *in,
                              const mp_view *out, mp_error *err)
{
    char where[160];
    int32_t c = in->c;
    if (out->c != c || in->row_stride % c || out->row_stride % c ||
        (uintptr_t)in->data % (uintptr_t)c != (uintptr_t)out->data % (uintptr_t)c)
        return mp_errorf(err, MP_E_INVALID, "%s: in-place views must share one buffer with "
                         "channel-aligned positions", exec_op_where(m, op, where, sizeof where));
    return MP_OK;
}

mp_status mp_exec_dw_inplace(const mp_exec_model *m, uint32_t op, const mp_view *in,
                             const mp_view *out, mp_rect out_rect, int8_t *temp,
                             size_t temp_bytes, mp_error *err)
{
    char where[160];
    if (!op_checked(m, op, err))
        return MP_E_INVALID;
    if (!mp_exec_dw_inplace_ok(m, op))
        return mp_errorf(err, MP_E_UNSUPPORTED, "%s: only a depthwise convolution with "
                         "multiplier 1 runs in place", exec_op_where(m, op, where, sizeof where));
    MP_TRY(check_call(m, op, in, 1, out, out_rect, err));
    if (mp_rect_empty(out_rect))
        return MP_OK;
    MP_TRY(check_shared(m, op, in, out, err));
    size_t need = mp_exec_dw_inplace_temp_bytes(out_rect);
    if (!temp || temp_bytes < need)
        return mp_errorf(err, MP_E_INVALID, "%s: in-place temp of %zu bytes, %zu needed",
                         exec_op_where(m, op, where, sizeof where), temp_bytes, need);
    const exec_conv *p = &m->ops[op].u.conv;
    int32_t width = out_rect.x1 - out_rect.x0;
    for (int32_t ch = 0; ch < p->out_c; ch++) {
        exec_dw_channel(p, in, ch, out_rect, temp);
        for (int32_t y = out_rect.y0; y < out_rect.y1; y++)
            for (int32_t x = out_rect.x0; x < out_rect.x1; x++)
                view_at(out, y, x)[ch] = temp[(size_t)(y - out_rect.y0) * width + (x - out_rect.x0)];
    }
    return MP_OK;
}
