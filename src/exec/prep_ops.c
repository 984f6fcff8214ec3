/* SPDX-License-Identifier: MIT */
/*
 * prep_ops.c - preparing the ops of real exports beyond the classic CNN set
 * (module exec): the parameters each TFLite Micro kernel's Prepare() derives,
 * computed with the same float/double steps so the results are bit-exact.
 */
#include "exec_int.h"

#include <math.h>
#include <string.h>

#define FAIL(m, i, st, ...) exec_prep_fail((m), (i), (st), __VA_ARGS__)

static const exec_tensor *in_q(const mp_exec_model *m, uint32_t i)
{
    return &m->t[m->g->ops[i].in[0]];
}

static const exec_tensor *out_q(const mp_exec_model *m, uint32_t i)
{
    return &m->t[m->g->ops[i].out[0]];
}

/* frexp split of in_scale * 2^27 as LOGISTIC/TANH's Prepare does (no QuantizeMultiplier
 * clean-up: a rounded 2^31 wraps as the int32 cast does on TFLite's hosts), and the
 * radius floor(15 * 2^27 / 2^shift). */
static void sigmoid_params(const exec_tensor *qi, exec_unary *p)
{
    double real = (double)qi->scale * (double)(1 << 27);
    int e = 0;
    double q = frexp(real, &e);
    int64_t fixed = (int64_t)round(q * (double)((int64_t)1 << 31));
    p->mult = (int32_t)(uint32_t)(uint64_t)fixed;
    p->shift = e;
    double radius = 15.0 * (double)((int64_t)1 << 27) / ldexp(1.0, e);
    p->radius = radius >= 2147483647.0 ? INT32_MAX : (int32_t)floor(radius);
}

/* DownScaleInt32ToInt16Multiplier. */
static int16_t q15_of(int32_t m)
{
    if (m >= INT32_MAX - (1 << 15))
        return INT16_MAX;
    return (int16_t)((m + (1 << 15)) >> 16);
}

static mp_status hard_swish_params(mp_exec_model *m, uint32_t i, exec_unary *p, mp_error *err)
{
    const exec_tensor *qi = in_q(m, i), *qo = out_q(m, i);
    float hires = (1.0f / 128.0f) * qi->scale;
    float reluish = 3.0f / 32768.0f;
    float out_ratio = hires / qo->scale, relu_ratio = hires / reluish;
    int32_t m32;
    exec_quantize_multiplier((double)out_ratio, &m32, &p->shift);
    if (p->shift > 0)
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "output scale below input scale / 128 "
                    "(TFLite requires a right shift)");
    p->out_mult16 = q15_of(m32);
    exec_quantize_multiplier((double)relu_ratio, &m32, &p->relu_shift);
    if (p->relu_shift > 30)
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "input scale %g is out of range",
                    (double)qi->scale);
    p->relu_mult16 = q15_of(m32);
    return MP_OK;
}

static mp_status prep_unary(mp_exec_model *m, uint32_t i, exec_unary *p, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    const exec_tensor *qi = in_q(m, i), *qo = out_q(m, i);
    memset(p, 0, sizeof *p);
    p->in_zp = qi->zp;
    p->out_zp = qo->zp;
    switch (op->type) {
    case MP_OP_LOGISTIC:
    case MP_OP_TANH:
        p->kind = op->type == MP_OP_LOGISTIC ? EXEC_UN_LOGISTIC : EXEC_UN_TANH;
        if (op->type == MP_OP_LOGISTIC && qo->zp != -128)
            return FAIL(m, i, MP_E_UNSUPPORTED, err, "int8 logistic output zero point must be "
                        "-128 (TFLite), not %d", qo->zp);
        sigmoid_params(qi, p);
        return MP_OK;
    case MP_OP_HARD_SWISH:
        p->kind = EXEC_UN_HARD_SWISH;
        return hard_swish_params(m, i, p, err);
    case MP_OP_LEAKY_RELU: {
        p->kind = EXEC_UN_LEAKY_RELU;
        float alpha_ratio = qi->scale * op->p.alpha / qo->scale;
        float identity_ratio = qi->scale / qo->scale;
        MP_TRY(exec_prep_multiplier(m, i, "alpha multiplier", -1, (double)alpha_ratio, &p->mult2,
                                    &p->shift2, err));
        return exec_prep_multiplier(m, i, "identity multiplier", -1, (double)identity_ratio,
                                    &p->mult, &p->shift, err);
    }
    case MP_OP_RELU:
        p->kind = EXEC_UN_RELU;
        p->lo = qo->zp > -128 ? qo->zp : -128;
        p->hi = 127;
        return exec_prep_multiplier(m, i, "multiplier input scale / output scale", -1,
                                    (double)qi->scale / (double)qo->scale, &p->mult, &p->shift,
                                    err);
    default: { /* RELU6: the input's quantization, no requantization */
        p->kind = EXEC_UN_RELU6;
        p->lo = qi->zp;
        float six = roundf(6.0f / qi->scale) + (float)qi->zp;
        p->hi = six >= 127.0f ? 127 : six <= -128.0f ? -128 : (int32_t)six;
        return MP_OK;
    }
    }
}

static mp_status prep_bilinear(mp_exec_model *m, uint32_t i, exec_bilinear *p, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    const mp_tensor *ti = &m->g->tensors[op->in[0]], *to = &m->g->tensors[op->out[0]];
    if (in_q(m, i)->scale != out_q(m, i)->scale || in_q(m, i)->zp != out_q(m, i)->zp)
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "int8 bilinear resize needs equal input and "
                    "output quantization");
    if ((int64_t)ti->shape.h * 1024 > INT32_MAX / 2 || (int64_t)ti->shape.w * 1024 > INT32_MAX / 2 ||
        (int64_t)to->shape.h * ti->shape.h > INT32_MAX / 2048 ||
        (int64_t)to->shape.w * ti->shape.w > INT32_MAX / 2048)
        return FAIL(m, i, MP_E_LIMIT, err, "sizes too large for TFLite's Q10 arithmetic");
    *p = (exec_bilinear){ti->shape.h, ti->shape.w, ti->shape.c,
                         mp_resize_bilinear_scale(ti->shape.h, to->shape.h, op->p.align_corners),
                         mp_resize_bilinear_scale(ti->shape.w, to->shape.w, op->p.align_corners),
                         op->p.half_pixel_centers};
    return MP_OK;
}

static int32_t dim_of(const mp_tensor *t, int k)
{
    const int32_t *d = &t->shape.n;
    return d[k];
}

static mp_status prep_gather(mp_exec_model *m, uint32_t i, exec_gather *p, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    const mp_tensor *ti = &m->g->tensors[op->in[0]], *to = &m->g->tensors[op->out[0]];
    size_t n = 1;
    for (int k = 0; k < 4; k++) {
        p->in_d[k] = dim_of(ti, k);
        if (op->type == MP_OP_TRANSPOSE) {
            p->axis[k] = op->p.perm[k];
            p->start[k] = 0;
            p->step[k] = 1;
            p->block[k] = dim_of(ti, op->p.perm[k]);
        } else {
            int32_t b = op->p.begin[k], e = op->p.end[k], s = op->p.strides[k];
            p->axis[k] = k;
            p->start[k] = b;
            p->step[k] = s;
            p->block[k] = e > b && s > 0 ? (e - b + s - 1) / s : 0;
            if (b < 0 || (p->block[k] > 0 && b + (int64_t)(p->block[k] - 1) * s >= p->in_d[k]))
                return FAIL(m, i, MP_E_INVALID, err, "slice of axis %d outside the input", k);
        }
        if (p->axis[k] < 0 || p->axis[k] > 3)
            return FAIL(m, i, MP_E_INVALID, err, "permutation entry %d", p->axis[k]);
        n *= (size_t)p->block[k];
    }
    if (n != to->size_bytes)
        return FAIL(m, i, MP_E_INVALID, err, "the block holds %zu elements, output '%s' %zu", n,
                    to->name, to->size_bytes);
    /* the planner's rule (mp_op_region_bounded) decides whether the op runs on regions; then
     * N, H and W must map to themselves with the output's extents */
    p->regional = mp_op_region_bounded(m->g, i);
    if (p->regional && (p->axis[0] != 0 || p->axis[1] != 1 || p->axis[2] != 2 ||
                        p->block[0] != 1 || p->block[1] != to->shape.h ||
                        p->block[2] != to->shape.w || p->block[3] != to->shape.c))
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "a region-bounded slice or transpose must keep "
                    "batch, height and width");
    return MP_OK;
}

static mp_status prep_d2s(mp_exec_model *m, uint32_t i, exec_d2s *p, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    const mp_tensor *ti = &m->g->tensors[op->in[0]], *to = &m->g->tensors[op->out[0]];
    *p = (exec_d2s){op->type == MP_OP_DEPTH_TO_SPACE, op->p.block_size, ti->shape.c,
                    to->shape.c};
    if (p->block < 1)
        return FAIL(m, i, MP_E_INVALID, err, "block size %d", p->block);
    return MP_OK;
}

static mp_status prep_split(mp_exec_model *m, uint32_t i, exec_split *p, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    const mp_tensor *ti = &m->g->tensors[op->in[0]];
    memcpy(p->d, &ti->shape.n, sizeof p->d);
    p->axis = op->p.axis;
    p->n = op->n_out;
    if (p->axis < 1 || p->axis > 3)
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "split along NHWC axis %d", p->axis);
    int32_t *sizes = mp_pool_array(&m->pool, p->n ? p->n : 1, sizeof *sizes);
    if (!sizes)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    int64_t sum = 0;
    for (uint32_t k = 0; k < p->n; k++) {
        const mp_tensor *to = &m->g->tensors[op->out[k]];
        sizes[k] = dim_of(to, p->axis);
        sum += sizes[k];
        for (int a = 0; a < 4; a++)
            if (a != p->axis && dim_of(to, a) != p->d[a])
                return FAIL(m, i, MP_E_INVALID, err, "output '%s' does not match the input",
                            to->name);
    }
    if (sum != p->d[p->axis])
        return FAIL(m, i, MP_E_INVALID, err, "outputs hold %lld of %d entries", (long long)sum,
                    p->d[p->axis]);
    p->sizes = sizes;
    return MP_OK;
}

mp_status exec_prepare_more(mp_exec_model *m, uint32_t i, exec_op *e, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    switch (op->type) {
    case MP_OP_LOGISTIC:
    case MP_OP_TANH:
    case MP_OP_HARD_SWISH:
    case MP_OP_LEAKY_RELU:
    case MP_OP_RELU:
    case MP_OP_RELU6:
        return prep_unary(m, i, &e->u.unary, err);
    case MP_OP_RESIZE_BILINEAR:
        return prep_bilinear(m, i, &e->u.bilinear, err);
    case MP_OP_TRANSPOSE:
    case MP_OP_STRIDED_SLICE:
        return prep_gather(m, i, &e->u.gather, err);
    case MP_OP_DEPTH_TO_SPACE:
    case MP_OP_SPACE_TO_DEPTH:
        return prep_d2s(m, i, &e->u.d2s, err);
    case MP_OP_SPLIT:
        return prep_split(m, i, &e->u.split, err);
    default:
        return FAIL(m, i, MP_E_UNSUPPORTED, err, "op '%s' is not supported by the executor",
                    op->type_name);
    }
}
