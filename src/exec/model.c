/* SPDX-License-Identifier: MIT */
/*
 * model.c - preparing a graph for execution (module exec): per op, the
 * offsets, per-channel multipliers and shifts, activation ranges, packed
 * weights and biases the kernels need, derived as TFLite's Prepare() steps
 * derive them.
 *
 * Scales are floats in the model; every real multiplier is computed in double
 * from them (conv/depthwise/fully connected channel c:
 * (double)in_scale * (double)w_scale[c] / (double)out_scale; add: the
 * 2 * max(in scales) common scale with a left shift of 20; mul:
 * in1 * in2 / out) and quantized with TFLite's QuantizeMultiplier. An op's
 * explicit requant (net.json) replaces the derived multipliers.
 */
#include "exec_int.h"

#include "../util/alloc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FAIL(m, i, st, ...) exec_prep_fail((m), (i), (st), __VA_ARGS__)

mp_status exec_prep_fail(const mp_exec_model *m, uint32_t i, mp_status st, mp_error *err,
                         const char *fmt, ...)
{
    char where[160], msg[360];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mp_errorf(err, st, "%s: %s", exec_op_where(m, i, where, sizeof where), msg);
}

static const mp_tensor *tensor(const mp_exec_model *m, mp_tensor_id id)
{
    return &m->g->tensors[id];
}

/* Operand k of op i, or MP_NO_TENSOR. */
static mp_tensor_id operand(const mp_exec_model *m, uint32_t i, uint32_t k)
{
    const mp_op *op = &m->g->ops[i];
    return k < op->n_in ? op->in[k] : MP_NO_TENSOR;
}

static bool same_quant(const exec_tensor *a, const exec_tensor *b)
{
    return a->scale == b->scale && a->zp == b->zp;
}

/* ---- multipliers ------------------------------------------------------------------- */

/*
 * TFLite's QuantizeMultiplier of real, for the requantization `what` (channel ch, or -1)
 * of op i. A shift above 30 (a real multiplier of 2^30 or more) is outside what
 * TFLite's MultiplyByQuantizedMultiplier can compute (its x * (1 << shift) is undefined
 * behaviour), so such an op is refused rather than given some hardware's result.
 */
mp_status exec_prep_multiplier(const mp_exec_model *m, uint32_t i, const char *what, int32_t ch,
                               double real, int32_t *mult, int32_t *shift, mp_error *err)
{
    exec_quantize_multiplier(real, mult, shift);
    if (*shift <= 30)
        return MP_OK;
    char chan[32] = "";
    if (ch >= 0)
        snprintf(chan, sizeof chan, " of channel %d", ch);
    return FAIL(m, i, MP_E_UNSUPPORTED, err, "%s%s is %.6g, outside TFLite's range (at most "
                "2^30: the scales are broken)", what, chan, real);
}

/* ---- conv, depthwise, fully connected ----------------------------------------------- */

/*
 * The real output multiplier of channel c of a conv-like op, as TFLite Micro computes
 * it: per channel (conv, depthwise, per-channel fully connected) in double,
 * (double)in_scale * (double)w_scale[c] / (double)out_scale; a per-tensor fully
 * connected layer takes the product in float32 first (GetQuantizedConvolutionMultipler:
 * double(in_scale * w_scale) / out_scale).
 */
static double conv_real(const mp_exec_model *m, uint32_t i, const exec_tensor *w, int32_t c)
{
    const mp_op *op = &m->g->ops[i];
    const exec_tensor *ti = &m->t[op->in[0]], *to = &m->t[op->out[0]];
    if (op->type == MP_OP_FULLY_CONNECTED && w->n_q == 1) {
        float product = ti->scale * w->qscale[0];
        return (double)product / (double)to->scale;
    }
    return (double)ti->scale * (double)w->qscale[w->n_q == 1 ? 0 : c] / (double)to->scale;
}

/* Per-channel multipliers and shifts of a conv-like op into rq. */
static mp_status conv_rq(mp_exec_model *m, uint32_t i, const exec_tensor *w, int32_t out_c,
                         exec_rq *rq, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    const exec_tensor *to = &m->t[op->out[0]];
    int32_t *mult = mp_pool_array(&m->pool, (size_t)out_c, sizeof *mult);
    int32_t *shift = mp_pool_array(&m->pool, (size_t)out_c, sizeof *shift);
    if (!mult || !shift)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    uint32_t n = op->requant.n;
    if (n && n != 1 && n != (uint32_t)out_c)
        return FAIL(m, i, MP_E_INVALID, err, "requant has %u entries for %d output channels", n,
                    out_c);
    if (!n && w->n_q != 1 && w->n_q != (uint32_t)out_c)
        return FAIL(m, i, MP_E_INVALID, err, "weights have %u scales for %d output channels",
                    w->n_q, out_c);
    for (int32_t c = 0; c < out_c; c++) {
        if (n) {
            mult[c] = op->requant.multiplier[n == 1 ? 0 : c];
            shift[c] = op->requant.shift[n == 1 ? 0 : c];
            if (mult[c] < 0 || shift[c] < -31 || shift[c] > 31)
                return FAIL(m, i, MP_E_INVALID, err, "requant entry %d: multiplier %d, shift %d "
                            "(expected >= 0 and -31..31)", c, mult[c], shift[c]);
        } else {
            MP_TRY(exec_prep_multiplier(m, i, "output multiplier (input scale x weight scale / output "
                              "scale)", w->n_q == 1 ? -1 : c, conv_real(m, i, w, c), &mult[c],
                              &shift[c], err));
        }
    }
    rq->mult = mult;
    rq->shift = shift;
    rq->out_offset = to->zp;
    exec_activation_range(op->p.activation, to->scale, to->zp, &rq->act_min, &rq->act_max);
    return MP_OK;
}

/* Weights, weight zero point and bias of a conv-like op. */
static mp_status conv_operands(mp_exec_model *m, uint32_t i, exec_conv *p, const exec_tensor **w,
                               mp_error *err)
{
    mp_tensor_id wid = operand(m, i, 1), bid = operand(m, i, 2);
    if (wid == MP_NO_TENSOR || !m->t[wid].data || tensor(m, wid)->dtype != MP_DTYPE_INT8)
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "needs int8 weights with data");
    *w = &m->t[wid];
    if (!m->g->ops[i].requant.n && !(*w)->n_q)
        return FAIL(m, i, MP_E_INVALID, err, "weights '%s' have no quantization",
                    tensor(m, wid)->name);
    int32_t zp = (*w)->n_q ? (*w)->qzp[0] : 0;
    if (zp < -128 || zp > 127)
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "weight zero point %d is outside int8", zp);
    for (uint32_t k = 1; k < (*w)->n_q; k++)
        if ((*w)->qzp[k] != zp)
            return FAIL(m, i, MP_E_UNSUPPORTED, err, "per-channel weight zero points differ");
    if (zp != 0 && m->g->ops[i].type != MP_OP_FULLY_CONNECTED)
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "weight zero point %d (int8 convolutions are "
                    "symmetric)", zp);
    p->w_offset = -zp;
    p->bias = NULL;
    if (bid != MP_NO_TENSOR) {
        if (!m->t[bid].data || tensor(m, bid)->dtype != MP_DTYPE_INT32)
            return FAIL(m, i, MP_E_UNSUPPORTED, err, "bias '%s' must be int32 with data",
                        tensor(m, bid)->name);
        p->bias = m->t[bid].data;
    }
    return MP_OK;
}

static void conv_geometry(const mp_exec_model *m, uint32_t i, exec_conv *p)
{
    const mp_op *op = &m->g->ops[i];
    const mp_tensor *ti = tensor(m, op->in[0]), *to = tensor(m, op->out[0]);
    p->in_h = ti->shape.h;
    p->in_w = ti->shape.w;
    p->in_c = ti->shape.c;
    p->out_h = to->shape.h;
    p->out_w = to->shape.w;
    p->out_c = to->shape.c;
    p->kh = op->p.kernel_h;
    p->kw = op->p.kernel_w;
    p->sh = op->p.stride_h;
    p->sw = op->p.stride_w;
    p->dh = op->p.dilation_h;
    p->dw = op->p.dilation_w;
    p->pad_top = op->p.pad_top;
    p->pad_left = op->p.pad_left;
    p->groups = op->p.groups > 0 ? op->p.groups : 1;
    p->depth_mult = op->p.depth_multiplier > 0 ? op->p.depth_multiplier : 1;
    p->in_offset = -m->t[op->in[0]].zp;
}

static mp_status prep_conv(mp_exec_model *m, uint32_t i, exec_conv *p, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    const exec_tensor *w = NULL;
    memset(p, 0, sizeof *p);
    conv_geometry(m, i, p);
    if (op->type == MP_OP_FULLY_CONNECTED) {
        /* TFLite: each row of `depth` (the filter's inputs) input values is one 1x1 pixel */
        size_t total = tensor(m, op->in[0])->size_bytes;
        mp_tensor_id wid = operand(m, i, 1);
        size_t depth = wid != MP_NO_TENSOR ? (size_t)tensor(m, wid)->shape.c : total;
        if (depth == 0 || total % depth)
            return FAIL(m, i, MP_E_INVALID, err, "input of %zu values is not rows of the "
                        "filter's %zu inputs", total, depth);
        p->in_h = p->out_h = 1;
        p->in_w = p->out_w = (int32_t)(total / depth);
        p->kh = p->kw = p->sh = p->sw = p->dh = p->dw = 1;
        p->pad_top = p->pad_left = 0;
        p->groups = 1;
        p->in_c = (int32_t)depth;
    }
    MP_TRY(conv_operands(m, i, p, &w, err));
    MP_TRY(conv_rq(m, i, w, p->out_c, &p->rq, err));
    if (op->type == MP_OP_TRANSPOSE_CONV) {
        p->groups = 1;
        p->w8 = w->data;
        return MP_OK;
    }
    if (op->type == MP_OP_DEPTHWISE_CONV2D)
        return exec_dw_pack(p, w->data, &m->pool, err);
    return exec_conv_pack(p, w->data, &m->pool, err);
}

/* ---- pooling and mean --------------------------------------------------------------- */

static mp_status prep_pool(mp_exec_model *m, uint32_t i, exec_pool *p, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    const mp_tensor *ti = tensor(m, op->in[0]), *to = tensor(m, op->out[0]);
    const exec_tensor *qi = &m->t[op->in[0]], *qo = &m->t[op->out[0]];
    if (!same_quant(qi, qo))
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "int8 pooling needs equal input and output "
                    "quantization");
    *p = (exec_pool){ti->shape.h, ti->shape.w, ti->shape.c, to->shape.h, to->shape.w,
                     op->p.kernel_h, op->p.kernel_w, op->p.stride_h, op->p.stride_w,
                     op->p.pad_top, op->p.pad_left, 0, 0};
    exec_activation_range(op->p.activation, qo->scale, qo->zp, &p->act_min, &p->act_max);
    return MP_OK;
}

/* Elements each output of a reduction over the axes mask of tensor t sums. */
static int64_t reduced_count(const mp_tensor *t, uint32_t axes)
{
    const int32_t *d = &t->shape.n;
    int64_t n = 1;
    for (int k = 0; k < 4; k++)
        if ((axes >> k) & 1u)
            n *= d[k];
    return n;
}

/* MEAN and SUM's finishing arithmetic as TFLM picks it: reference_integer_ops::Mean for
 * a rank-4 keep_dims mean over H and W, the truncating reference_ops::Mean when input
 * and output share quantization, else QuantizedMeanOrSum (1/n folded into the
 * multiplier for a mean). */
static mp_status prep_mean(mp_exec_model *m, uint32_t i, exec_mean *p, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    const mp_tensor *ti = tensor(m, op->in[0]);
    const exec_tensor *qi = &m->t[op->in[0]], *qo = &m->t[op->out[0]];
    uint32_t axes = op->p.axes ? (uint32_t)op->p.axes : 6u;
    memset(p, 0, sizeof *p);
    p->in_h = ti->shape.h;
    p->in_w = ti->shape.w;
    p->c = ti->shape.c;
    p->in_zp = qi->zp;
    p->out_zp = qo->zp;
    MP_TRY(exec_prep_multiplier(m, i, "multiplier input scale / output scale", -1,
                      (double)qi->scale / (double)qo->scale, &p->mult, &p->shift, err));
    int64_t n = reduced_count(ti, axes);
    if (n < 1 || n > INT32_MAX / 256)
        return FAIL(m, i, MP_E_LIMIT, err, "reduction of %lld elements", (long long)n);
    if (op->type == MP_OP_SUM) {
        p->mode = EXEC_MEAN_RESCALE;
    } else if (op->p.keep_dims && ti->rank == 4 && axes == 6u) {
        p->mode = EXEC_MEAN_KEEP_DIMS;
    } else {
        /* fold 1/n into the multiplier: shift by floor(log2 n), at most 32 and 31 + shift */
        int32_t s = 63 - __builtin_clzll((uint64_t)n);
        s = s < 32 ? s : 32;
        s = s < 31 + p->shift ? s : 31 + p->shift;
        p->mult = (int32_t)(((int64_t)p->mult << s) / n);
        p->shift -= s;
        p->mode = EXEC_MEAN_RESCALE;
    }
    return MP_OK;
}

/* MEAN over H and W (and nothing else): the classic kernel (tile-reducible); any other
 * axes, SUM and REDUCE_MAX: the generic reduction. */
static bool mean_hw(const mp_exec_model *m, const mp_op *op)
{
    const mp_tensor *ti = tensor(m, op->in[0]);
    uint32_t axes = op->p.axes ? (uint32_t)op->p.axes : 6u;
    return op->type == MP_OP_MEAN && (axes & ~6u) == 0 && ((axes & 2u) || ti->shape.h == 1) &&
           ((axes & 4u) || ti->shape.w == 1);
}

static mp_status prep_reduce_any(mp_exec_model *m, uint32_t i, exec_reduce_any *p,
                                 mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    const mp_tensor *ti = tensor(m, op->in[0]);
    memset(p, 0, sizeof *p);
    memcpy(p->d, &ti->shape.n, sizeof p->d);
    p->axes = (uint32_t)op->p.axes;
    p->n = (int32_t)reduced_count(ti, p->axes);
    p->max = op->type == MP_OP_REDUCE_MAX;
    if (p->max)
        return same_quant(&m->t[op->in[0]], &m->t[op->out[0]])
                   ? MP_OK
                   : FAIL(m, i, MP_E_UNSUPPORTED, err, "int8 reduce_max needs equal input "
                          "and output quantization");
    return prep_mean(m, i, &p->mean, err);
}

/* ---- add and mul -------------------------------------------------------------------- */

/* Operand k (0/1) of an add/mul: shape, constant data, quantization. */
static mp_status elem_operand(mp_exec_model *m, uint32_t i, uint32_t k, int32_t *dims,
                              const int8_t **cdata, float *scale, int32_t *zp, mp_error *err)
{
    mp_tensor_id id = operand(m, i, k);
    const mp_tensor *t = tensor(m, id);
    const exec_tensor *q = &m->t[id];
    dims[0] = t->shape.h;
    dims[1] = t->shape.w;
    dims[2] = t->shape.c;
    *cdata = NULL;
    *scale = q->scale;
    *zp = q->zp;
    if (!mp_tensor_is_activation(t)) {
        if (!q->data || t->dtype != MP_DTYPE_INT8 || !q->n_q)
            return FAIL(m, i, MP_E_UNSUPPORTED, err, "constant operand '%s' must be quantized "
                        "int8 with data", t->name);
        *cdata = q->data;
        *scale = q->qscale[0];
        *zp = q->qzp[0];
    }
    return MP_OK;
}

static mp_status prep_elem(mp_exec_model *m, uint32_t i, exec_elem *p, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    const exec_tensor *qo = &m->t[op->out[0]];
    int32_t da[3], db[3];
    float sa, sb;
    memset(p, 0, sizeof *p);
    MP_TRY(elem_operand(m, i, 0, da, &p->a_const, &sa, &p->a_offset, err));
    MP_TRY(elem_operand(m, i, 1, db, &p->b_const, &sb, &p->b_offset, err));
    p->a_h = da[0], p->a_w = da[1], p->a_c = da[2];
    p->b_h = db[0], p->b_w = db[1], p->b_c = db[2];
    p->a_offset = -p->a_offset;
    p->b_offset = -p->b_offset;
    p->out_offset = qo->zp;
    p->kind = op->type == MP_OP_ADD       ? EXEC_BIN_ADD
              : op->type == MP_OP_SUB     ? EXEC_BIN_SUB
              : op->type == MP_OP_MUL     ? EXEC_BIN_MUL
              : op->type == MP_OP_MAXIMUM ? EXEC_BIN_MAX
              : op->type == MP_OP_MINIMUM ? EXEC_BIN_MIN
                                          : EXEC_BIN_PRELU;
    p->act_min = -128;
    p->act_max = 127;
    if (p->kind == EXEC_BIN_MAX || p->kind == EXEC_BIN_MIN)
        return MP_OK; /* raw values compared: TFLite requires equal quantization */
    if (p->kind == EXEC_BIN_PRELU) {
        MP_TRY(exec_prep_multiplier(m, i, "multiplier input scale / output scale", -1,
                                    (double)sa / (double)qo->scale, &p->a_mult, &p->a_shift,
                                    err));
        return exec_prep_multiplier(m, i, "alpha multiplier", -1,
                                    (double)sa * (double)sb / (double)qo->scale, &p->out_mult,
                                    &p->out_shift, err);
    }
    if (op->type == MP_OP_SUB) { /* TFLM's sub_common.cc takes these in float32 */
        p->left_shift = 20;
        float twice = 2.0f * (sa > sb ? sa : sb);
        float r1 = sa / twice, r2 = sb / twice, ro = twice / ((float)(1 << 20) * qo->scale);
        exec_quantize_multiplier((double)r1, &p->a_mult, &p->a_shift);
        exec_quantize_multiplier((double)r2, &p->b_mult, &p->b_shift);
        MP_TRY(exec_prep_multiplier(m, i, "output multiplier 2 max(input scales) / (2^20 "
                                    "output scale)", -1, (double)ro, &p->out_mult,
                                    &p->out_shift, err));
    } else if (op->type == MP_OP_ADD) {
        p->left_shift = 20;
        double twice_max = 2.0 * (double)(sa > sb ? sa : sb);
        exec_quantize_multiplier((double)sa / twice_max, &p->a_mult, &p->a_shift);
        exec_quantize_multiplier((double)sb / twice_max, &p->b_mult, &p->b_shift);
        MP_TRY(exec_prep_multiplier(m, i, "output multiplier 2 max(input scales) / (2^20 output scale)",
                          -1, twice_max / ((double)(1 << 20) * (double)qo->scale),
                          &p->out_mult, &p->out_shift, err));
    } else {
        MP_TRY(exec_prep_multiplier(m, i, "output multiplier (input scales' product / output scale)", -1,
                          (double)sa * (double)sb / (double)qo->scale, &p->out_mult,
                          &p->out_shift, err));
    }
    exec_activation_range(op->p.activation, qo->scale, qo->zp, &p->act_min, &p->act_max);
    return MP_OK;
}

/* ---- softmax, data movement ---------------------------------------------------------- */

static mp_status prep_softmax(mp_exec_model *m, uint32_t i, exec_softmax *p, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    const exec_tensor *qi = &m->t[op->in[0]], *qo = &m->t[op->out[0]];
    if (qo->zp != -128 || fabs((double)qo->scale * 256.0 - 1.0) > 1e-6)
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "int8 softmax output must have scale 1/256 and "
                    "zero point -128");
    double beta = op->p.beta > 0 ? (double)op->p.beta : 1.0;
    p->c = tensor(m, op->in[0])->shape.c;
    if (!exec_softmax_params(beta, (double)qi->scale, &p->in_mult, &p->in_left_shift,
                             &p->diff_min))
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "beta * input scale is too small");
    return MP_OK;
}

static mp_status requant1(const mp_exec_model *m, uint32_t i, const exec_tensor *qi,
                          const exec_tensor *qo, exec_requant1 *p, mp_error *err)
{
    p->identity = same_quant(qi, qo);
    p->in_zp = qi->zp;
    p->out_zp = qo->zp;
    return exec_prep_multiplier(m, i, "multiplier input scale / output scale", -1,
                      (double)qi->scale / (double)qo->scale, &p->mult, &p->shift, err);
}

static mp_status prep_concat(mp_exec_model *m, uint32_t i, exec_concat *p, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    p->axis = op->p.axis;
    p->n = op->n_in;
    if (p->axis < 1 || p->axis > 3)
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "concat along axis %d", p->axis);
    if (op->p.activation != MP_ACT_NONE)
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "concat with a fused activation");
    p->start = mp_pool_array(&m->pool, p->n, sizeof *p->start);
    p->size = mp_pool_array(&m->pool, p->n, sizeof *p->size);
    p->rq = mp_pool_array(&m->pool, p->n, sizeof *p->rq);
    if (!p->start || !p->size || !p->rq)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    int32_t at = 0;
    for (uint32_t k = 0; k < p->n; k++) {
        const mp_tensor *t = tensor(m, op->in[k]);
        if (!mp_tensor_is_activation(t))
            return FAIL(m, i, MP_E_UNSUPPORTED, err, "constant concat input '%s'", t->name);
        const int32_t *dims = &t->shape.n;
        p->start[k] = at;
        p->size[k] = dims[p->axis];
        at += dims[p->axis];
        MP_TRY(requant1(m, i, &m->t[op->in[k]], &m->t[op->out[0]], &p->rq[k], err));
    }
    return MP_OK;
}

static void prep_pad(const mp_exec_model *m, uint32_t i, exec_pad *p)
{
    const mp_op *op = &m->g->ops[i];
    const mp_tensor *ti = tensor(m, op->in[0]);
    int32_t value = op->p.pad_value_set ? op->p.pad_value : m->t[op->out[0]].zp;
    *p = (exec_pad){ti->shape.h, ti->shape.w, tensor(m, op->out[0])->shape.c, op->p.pad_top,
                    op->p.pad_left, (int8_t)mp_clamp32(value, -128, 127), ti->shape.c,
                    op->p.pad_ch_before};
}

static void prep_resize(const mp_exec_model *m, uint32_t i, exec_resize *p)
{
    const mp_op *op = &m->g->ops[i];
    const mp_tensor *ti = tensor(m, op->in[0]), *to = tensor(m, op->out[0]);
    *p = (exec_resize){ti->shape.h, ti->shape.w, to->shape.h, to->shape.w, ti->shape.c,
                       op->p.align_corners, op->p.half_pixel_centers};
}

/* QUANTIZE/DEQUANTIZE: float32 -> int8/uint8, int8/uint8 -> int8/uint8, int8/uint8 -> float32. */
static mp_status prep_convert(mp_exec_model *m, uint32_t i, exec_convert *p, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    const exec_tensor *qi = &m->t[op->in[0]], *qo = &m->t[op->out[0]];
    memset(p, 0, sizeof *p);
    p->in_type = qi->dtype;
    p->out_type = qo->dtype;
    p->c = tensor(m, op->out[0])->shape.c;
    if (p->in_type == MP_DTYPE_FLOAT32 && p->out_type == MP_DTYPE_FLOAT32)
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "float32 to float32");
    p->in_zp = qi->zp;
    p->out_zp = qo->zp;
    p->out_scale = qo->scale;
    p->in_scale = (double)qi->scale;
    if (p->in_type == MP_DTYPE_FLOAT32 || p->out_type == MP_DTYPE_FLOAT32)
        return MP_OK;
    return exec_prep_multiplier(m, i, "multiplier input scale / output scale", -1,
                      (double)qi->scale / (double)qo->scale, &p->mult, &p->shift, err);
}

/* Every activation operand of op i is int8, except where QUANTIZE/DEQUANTIZE convert
 * (and a RESHAPE keeps its input's type). */
static mp_status check_types(mp_exec_model *m, uint32_t i, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    bool convert = op->type == MP_OP_QUANTIZE || op->type == MP_OP_DEQUANTIZE;
    for (uint32_t k = 0; k < op->n_in + 1; k++) {
        mp_tensor_id id = k < op->n_in ? op->in[k] : op->out[0];
        if (id == MP_NO_TENSOR || !mp_tensor_is_activation(tensor(m, id)) ||
            m->t[id].dtype == MP_DTYPE_INT8 || convert)
            continue;
        if (op->type == MP_OP_RESHAPE && m->t[op->in[0]].dtype == m->t[op->out[0]].dtype)
            continue;
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "tensor '%s' is %s; only QUANTIZE and "
                    "DEQUANTIZE read or write float32 or uint8 tensors", tensor(m, id)->name,
                    mp_dtype_name(m->t[id].dtype));
    }
    return MP_OK;
}

/* ---- per op ------------------------------------------------------------------------- */

static mp_status prep_by_type(mp_exec_model *m, uint32_t i, exec_op *e, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    switch (op->type) {
    case MP_OP_CONV2D:
    case MP_OP_DEPTHWISE_CONV2D:
    case MP_OP_FULLY_CONNECTED:
    case MP_OP_TRANSPOSE_CONV:
        return prep_conv(m, i, &e->u.conv, err);
    case MP_OP_AVG_POOL2D:
    case MP_OP_MAX_POOL2D:
        return prep_pool(m, i, &e->u.pool, err);
    case MP_OP_MEAN:
    case MP_OP_SUM:
    case MP_OP_REDUCE_MAX:
        if (mean_hw(m, op)) {
            e->type = MP_OP_MEAN;
            return prep_mean(m, i, &e->u.mean, err);
        }
        e->type = MP_OP_SUM; /* the generic reduction */
        return prep_reduce_any(m, i, &e->u.reduce, err);
    case MP_OP_ADD:
    case MP_OP_MUL:
    case MP_OP_SUB:
    case MP_OP_MAXIMUM:
    case MP_OP_MINIMUM:
    case MP_OP_PRELU:
        return prep_elem(m, i, &e->u.elem, err);
    case MP_OP_SOFTMAX:
        return prep_softmax(m, i, &e->u.softmax, err);
    case MP_OP_CONCAT:
        return prep_concat(m, i, &e->u.concat, err);
    case MP_OP_PAD:
        prep_pad(m, i, &e->u.pad);
        return MP_OK;
    case MP_OP_RESIZE_NEAREST:
        prep_resize(m, i, &e->u.resize);
        return MP_OK;
    case MP_OP_RESHAPE:
        return requant1(m, i, &m->t[op->in[0]], &m->t[op->out[0]], &e->u.rq1, err);
    case MP_OP_QUANTIZE:
    case MP_OP_DEQUANTIZE:
        return prep_convert(m, i, &e->u.convert, err);
    default:
        return exec_prepare_more(m, i, e, err);
    }
}

mp_status exec_prepare_op(mp_exec_model *m, uint32_t i, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    exec_op *e = &m->ops[i];
    e->type = op->type;
    e->n_act = mp_op_n_activation_inputs(m->g, op);
    if (op->type != MP_OP_UNKNOWN) {
        MP_TRY(check_types(m, i, err));
        for (uint32_t k = 0; k < op->n_in; k++) {
            mp_tensor_id id = op->in[k];
            if (id != MP_NO_TENSOR && mp_tensor_is_activation(tensor(m, id)) &&
                !m->t[id].has_quant && m->t[id].dtype != MP_DTYPE_FLOAT32)
                return FAIL(m, i, MP_E_INVALID, err, "input '%s' has no quantization",
                            tensor(m, id)->name);
        }
        if (!m->t[op->out[0]].has_quant && m->t[op->out[0]].dtype != MP_DTYPE_FLOAT32)
            return FAIL(m, i, MP_E_INVALID, err, "output '%s' has no quantization",
                        tensor(m, op->out[0])->name);
    }
    MP_TRY(prep_by_type(m, i, e, err));
    e->prepared = true;
    return MP_OK;
}

/* ---- the model ----------------------------------------------------------------------- */

void mp_exec_opts_init(mp_exec_opts *opts)
{
    opts->seed = 1;
}

static mp_status init_tensors(mp_exec_model *m, mp_error *err)
{
    const mp_graph *g = m->g;
    for (uint32_t id = 0; id < g->n_tensors; id++) {
        const mp_tensor *t = &g->tensors[id];
        exec_tensor *e = &m->t[id];
        if (!mp_tensor_is_activation(t)) {
            e->data = t->data;
            e->qscale = t->quant.scale;
            e->qzp = t->quant.zero_point;
            e->n_q = t->quant.n;
            continue;
        }
        e->dtype = t->dtype;
        if (t->dtype != MP_DTYPE_INT8 && t->dtype != MP_DTYPE_UINT8 &&
            t->dtype != MP_DTYPE_FLOAT32)
            return mp_errorf(err, MP_E_UNSUPPORTED, "tensor '%s' is %s; the executor runs int8 "
                             "activations (and float32/uint8 at QUANTIZE and DEQUANTIZE)",
                             t->name, mp_dtype_name(t->dtype));
        if (t->dtype == MP_DTYPE_FLOAT32)
            continue;
        if (t->quant.n > 1)
            return mp_errorf(err, MP_E_UNSUPPORTED, "tensor '%s': per-channel activation "
                             "quantization", t->name);
        if (t->quant.n == 1) {
            if (!(t->quant.scale[0] > 0) || !isfinite(t->quant.scale[0]))
                return mp_errorf(err, MP_E_INVALID, "tensor '%s': scale must be positive",
                                 t->name);
            int32_t lo = t->dtype == MP_DTYPE_UINT8 ? 0 : -128;
            if (t->quant.zero_point[0] < lo || t->quant.zero_point[0] > lo + 255)
                return mp_errorf(err, MP_E_UNSUPPORTED, "tensor '%s': zero point %d is outside "
                                 "%s", t->name, t->quant.zero_point[0], mp_dtype_name(t->dtype));
            e->has_quant = true;
            e->scale = t->quant.scale[0];
            e->zp = t->quant.zero_point[0];
        }
    }
    return MP_OK;
}

mp_status mp_exec_model_new(const mp_graph *g, const mp_exec_opts *opts, mp_exec_model **out,
                            mp_error *err)
{
    *out = NULL;
    if (!g || !g->finalized)
        return mp_errorf(err, MP_E_INVALID, "the graph is not finalized");
    mp_exec_model *m = mp_calloc(1, sizeof *m);
    if (!m)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    m->g = g;
    mp_exec_opts_init(&m->opts);
    if (opts)
        m->opts = *opts;
    mp_pool_init(&m->pool);
    m->t = mp_pool_array(&m->pool, g->n_tensors ? g->n_tensors : 1, sizeof *m->t);
    m->ops = mp_pool_array(&m->pool, g->n_ops ? g->n_ops : 1, sizeof *m->ops);
    mp_status st = (m->t && m->ops) ? init_tensors(m, err)
                                    : mp_errorf(err, MP_E_NOMEM, "out of memory");
    if (st == MP_OK && exec_needs_synthesis(m)) {
        st = exec_synthesize(m, err);
    } else {
        for (uint32_t s = 0; st == MP_OK && s < g->n_ops; s++)
            st = exec_prepare_op(m, g->order[s], err);
    }
    if (st != MP_OK) {
        mp_exec_model_free(m);
        return st;
    }
    *out = m;
    return MP_OK;
}

void mp_exec_model_free(mp_exec_model *m)
{
    if (!m)
        return;
    mp_pool_release(&m->pool);
    mp_free(m);
}

const mp_graph *mp_exec_model_graph(const mp_exec_model *m)
{
    return m->g;
}

bool mp_exec_model_synthesized(const mp_exec_model *m)
{
    return m->synthesized;
}

bool mp_exec_tensor_quant(const mp_exec_model *m, mp_tensor_id t, float *scale,
                          int32_t *zero_point)
{
    if (!m || t >= m->g->n_tensors || !m->t[t].has_quant)
        return false;
    *scale = m->t[t].scale;
    *zero_point = m->t[t].zp;
    return true;
}
