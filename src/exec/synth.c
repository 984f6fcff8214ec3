/* SPDX-License-Identifier: MIT */
/*
 * synth.c - seeded weights and calibrated quantization for networks that
 * leave them out (module exec).
 *
 * A net.json usually describes only the architecture. To run it, memplan makes
 * up what is missing, deterministically from mp_exec_opts.seed (a splitmix64
 * generator kept in a local struct; the same seed gives the same bytes on
 * every host):
 *
 *   - weights: int8, roughly Gaussian (sum of four uniforms), per output channel
 *     scales sqrt(2 / fan_in) / rms(channel) (He initialisation) times a
 *     per-channel jitter in [0.75, 1.25), zero point 0;
 *   - biases: small real values (|b| < 0.05) quantized with in_scale * w_scale;
 *   - network inputs: scale 1/255, zero point -128 (pixel - 128);
 *   - every activation: a calibration pass runs the network, op by op, on a
 *     seeded input. Before an op runs, its output's real range is measured
 *     (conv-like ops: exact accumulators at up to CALIB_SAMPLES spread output
 *     pixels, all channels; add/mul: every output value), the fused activation
 *     is applied, and scale = (hi - lo) / 255 and the zero point that maps lo to
 *     -128 are chosen; ops that TFLite requires to keep their input's
 *     quantization (pooling, pad, reshape, resize...) keep it, softmax gets
 *     1/256 and -128. Then the op is prepared and run so the next op sees real
 *     data.
 *
 * What the graph does give (weights, quantization, explicit requant) is used
 * as is.
 */
#include "exec_int.h"

#include "../util/alloc.h"

#include <math.h>
#include <string.h>

#define CALIB_SAMPLES 256 /* output pixels sampled per conv-like op */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_unit(rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static rng rng_for(uint64_t seed, uint64_t stream)
{
    rng r = {seed ^ (0x632BE59BD9B4E019ull * (stream + 1))};
    rng_next(&r);
    return r;
}

mp_status mp_exec_random_input(const mp_exec_model *m, uint32_t k, uint64_t seed, int8_t *dst,
                               size_t dst_bytes, mp_error *err)
{
    if (k >= m->g->n_inputs)
        return mp_errorf(err, MP_E_INVALID, "the network has no input %u", k);
    rng r = rng_for(seed, 0x1000000ull + k);
    mp_tensor_id id = m->g->inputs[k];
    if (m->t[id].dtype != MP_DTYPE_FLOAT32) {
        for (size_t i = 0; i < dst_bytes; i++)
            dst[i] = (int8_t)(rng_next(&r) >> 56);
        return MP_OK;
    }
    /* float32: uniform over the real range of the int8 codes of the QUANTIZE reading it
     * (or [-1, 1)), widened by 10% on each side so that clamping is exercised too */
    double lo = -1.0, hi = 1.0;
    const uint32_t *readers;
    uint32_t n = mp_graph_consumers(m->g, id, &readers);
    for (uint32_t c = 0; c < n; c++) {
        const mp_op *op = &m->g->ops[readers[c]];
        const exec_tensor *q = &m->t[op->out[0]];
        if (op->type == MP_OP_QUANTIZE && q->has_quant) {
            int32_t qlo = q->dtype == MP_DTYPE_UINT8 ? 0 : -128;
            lo = (double)q->scale * (qlo - q->zp);
            hi = (double)q->scale * (qlo + 255 - q->zp);
            break;
        }
    }
    double w = (hi - lo) * 0.1;
    for (size_t i = 0; i + sizeof(float) <= dst_bytes; i += sizeof(float)) {
        float f = (float)(lo - w + (hi - lo + 2 * w) * rng_unit(&r));
        memcpy(dst + i, &f, sizeof f);
    }
    return MP_OK;
}

/* ---- what is missing ------------------------------------------------------------------ */

static bool is_conv_like(mp_op_type t)
{
    return t == MP_OP_CONV2D || t == MP_OP_DEPTHWISE_CONV2D || t == MP_OP_FULLY_CONNECTED;
}

static mp_tensor_id operand(const mp_graph *g, uint32_t i, uint32_t k)
{
    return k < g->ops[i].n_in ? g->ops[i].in[k] : MP_NO_TENSOR;
}

bool exec_needs_synthesis(const mp_exec_model *m)
{
    const mp_graph *g = m->g;
    for (uint32_t id = 0; id < g->n_tensors; id++)
        if (mp_tensor_is_activation(&g->tensors[id]) && !m->t[id].has_quant &&
            m->t[id].dtype != MP_DTYPE_FLOAT32)
            return true;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        if (!is_conv_like(g->ops[i].type))
            continue;
        mp_tensor_id w = operand(g, i, 1), b = operand(g, i, 2);
        if (w != MP_NO_TENSOR && (!m->t[w].data || !m->t[w].n_q))
            return true;
        if (b != MP_NO_TENSOR && !m->t[b].data)
            return true;
    }
    return false;
}

/* ---- weights and biases --------------------------------------------------------------- */

/* Output channel of weight element e, and the fan-in of one output. */
static int32_t weight_channel(const mp_op *op, size_t e, size_t n, int32_t out_c)
{
    if (op->type == MP_OP_DEPTHWISE_CONV2D)
        return (int32_t)(e % (size_t)out_c);
    return (int32_t)(e / (n / (size_t)out_c));
}

static mp_status synth_weights(mp_exec_model *m, uint32_t i, rng *r, int32_t out_c, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    mp_tensor_id wid = op->in[1];
    exec_tensor *w = &m->t[wid];
    size_t n = m->g->tensors[wid].size_bytes;
    if (!w->data) {
        int8_t *d = mp_pool_alloc(&m->pool, n ? n : 1);
        if (!d)
            return mp_errorf(err, MP_E_NOMEM, "out of memory synthesizing weights");
        for (size_t e = 0; e < n; e++) {
            double s = rng_unit(r) + rng_unit(r) + rng_unit(r) + rng_unit(r) - 2.0; /* [-2, 2) */
            d[e] = (int8_t)lrint(s * 63.0);
        }
        w->data = d;
    }
    if (w->n_q)
        return MP_OK;
    double *sq = mp_calloc((size_t)out_c, sizeof *sq);
    float *scale = mp_pool_array(&m->pool, (size_t)out_c, sizeof *scale);
    int32_t *zp = mp_pool_array(&m->pool, (size_t)out_c, sizeof *zp);
    if (!sq || !scale || !zp) {
        mp_free(sq);
        return mp_errorf(err, MP_E_NOMEM, "out of memory synthesizing weights");
    }
    const int8_t *d = w->data;
    for (size_t e = 0; e < n; e++) {
        double v = d[e];
        sq[weight_channel(op, e, n, out_c)] += v * v;
    }
    double fan_in = (double)n / out_c;
    for (int32_t c = 0; c < out_c; c++) {
        double rms = sqrt(sq[c] / fan_in);
        double jitter = 0.75 + 0.5 * rng_unit(r);
        scale[c] = (float)(sqrt(2.0 / fan_in) / (rms > 0 ? rms : 1.0) * jitter);
    }
    mp_free(sq);
    w->qscale = scale;
    w->qzp = zp;
    w->n_q = (uint32_t)out_c;
    return MP_OK;
}

static mp_status synth_bias(mp_exec_model *m, uint32_t i, rng *r, int32_t out_c, mp_error *err)
{
    const mp_op *op = &m->g->ops[i];
    mp_tensor_id bid = operand(m->g, i, 2);
    if (bid == MP_NO_TENSOR || m->t[bid].data)
        return MP_OK;
    const exec_tensor *w = &m->t[op->in[1]];
    double in_scale = m->t[op->in[0]].scale;
    int32_t *b = mp_pool_array(&m->pool, (size_t)out_c, sizeof *b);
    if (!b)
        return mp_errorf(err, MP_E_NOMEM, "out of memory synthesizing a bias");
    for (int32_t c = 0; c < out_c; c++) {
        double real = (rng_unit(r) * 2.0 - 1.0) * 0.05;
        double ws = w->n_q ? (double)w->qscale[w->n_q == 1 ? 0 : c] : 1.0;
        double q = real / (in_scale * ws);
        b[c] = (int32_t)(q > 1e9 ? 1e9 : q < -1e9 ? -1e9 : lrint(q));
    }
    m->t[bid].data = b;
    return MP_OK;
}

/* ---- calibration ---------------------------------------------------------------------- */

typedef struct range {
    double lo, hi;
} range;

static void range_add(range *r, double v)
{
    r->lo = v < r->lo ? v : r->lo;
    r->hi = v > r->hi ? v : r->hi;
}

/* Exact accumulator of output (oy, ox, oc) of a conv-like op on the dense input in. */
static int64_t sample_acc(const mp_exec_model *m, uint32_t i, const int8_t *in, int32_t oy,
                          int32_t ox, int32_t oc)
{
    const mp_op *op = &m->g->ops[i];
    const mp_tensor *ti = &m->g->tensors[op->in[0]], *to = &m->g->tensors[op->out[0]];
    const exec_tensor *w = &m->t[op->in[1]];
    const int8_t *wd = w->data;
    mp_tensor_id bid = operand(m->g, i, 2);
    int64_t acc = bid != MP_NO_TENSOR ? ((const int32_t *)m->t[bid].data)[oc] : 0;
    int32_t zx = m->t[op->in[0]].zp, zw = w->n_q ? w->qzp[0] : 0;
    if (op->type == MP_OP_FULLY_CONNECTED) {
        size_t depth = ti->size_bytes;
        for (size_t d = 0; d < depth; d++)
            acc += (int64_t)(in[d] - zx) * (wd[(size_t)oc * depth + d] - zw);
        return acc;
    }
    const mp_op_params *p = &op->p;
    int32_t C = ti->shape.c, groups = p->groups > 0 ? p->groups : 1;
    int32_t cin_g = op->type == MP_OP_CONV2D ? C / groups : 1;
    int32_t g = op->type == MP_OP_CONV2D ? oc / (to->shape.c / groups) : 0;
    for (int32_t ky = 0; ky < p->kernel_h; ky++) {
        int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dilation_h;
        for (int32_t kx = 0; kx < p->kernel_w && iy >= 0 && iy < ti->shape.h; kx++) {
            int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dilation_w;
            if (ix < 0 || ix >= ti->shape.w)
                continue;
            const int8_t *px = in + ((size_t)iy * ti->shape.w + ix) * C;
            if (op->type == MP_OP_DEPTHWISE_CONV2D) {
                int32_t ic = oc / (p->depth_multiplier > 0 ? p->depth_multiplier : 1);
                acc += (int64_t)(px[ic] - zx) *
                       (wd[((size_t)ky * p->kernel_w + kx) * to->shape.c + oc] - zw);
                continue;
            }
            const int8_t *wr = wd + (((size_t)oc * p->kernel_h + ky) * p->kernel_w + kx) * cin_g;
            for (int32_t c = 0; c < cin_g; c++)
                acc += (int64_t)(px[g * cin_g + c] - zx) * (wr[c] - zw);
        }
    }
    return acc;
}

static range conv_range(const mp_exec_model *m, uint32_t i, int8_t *const *bufs)
{
    const mp_op *op = &m->g->ops[i];
    const mp_tensor *to = &m->g->tensors[op->out[0]];
    const exec_tensor *w = &m->t[op->in[1]];
    double in_scale = m->t[op->in[0]].scale;
    int64_t pixels = (int64_t)to->shape.h * to->shape.w;
    int64_t samples = pixels < CALIB_SAMPLES ? pixels : CALIB_SAMPLES;
    range r = {0, 0};
    for (int64_t s = 0; s < samples; s++) {
        int64_t p = s * pixels / samples;
        int32_t oy = (int32_t)(p / to->shape.w), ox = (int32_t)(p % to->shape.w);
        for (int32_t oc = 0; oc < to->shape.c; oc++) {
            double ws = (double)w->qscale[w->n_q == 1 ? 0 : oc];
            range_add(&r, (double)sample_acc(m, i, bufs[op->in[0]], oy, ox, oc) * in_scale * ws);
        }
    }
    return r;
}

/* Real value of operand k (0/1) of an add/mul at output element (y, x, c). */
static double elem_real(const mp_exec_model *m, uint32_t i, uint32_t k, int8_t *const *bufs,
                        int32_t y, int32_t x, int32_t c)
{
    mp_tensor_id id = m->g->ops[i].in[k];
    const mp_tensor *t = &m->g->tensors[id];
    const exec_tensor *q = &m->t[id];
    bool act = mp_tensor_is_activation(t);
    const int8_t *d = act ? bufs[id] : q->data;
    float scale = act ? q->scale : (q->n_q ? q->qscale[0] : 1.0f);
    int32_t zp = act ? q->zp : (q->n_q ? q->qzp[0] : 0);
    size_t e = ((size_t)(t->shape.h == 1 ? 0 : y) * t->shape.w + (t->shape.w == 1 ? 0 : x)) *
                   t->shape.c + (t->shape.c == 1 ? 0 : c);
    return d ? ((double)d[e] - zp) * scale : 0.0;
}

static range elem_range(const mp_exec_model *m, uint32_t i, int8_t *const *bufs)
{
    const mp_op *op = &m->g->ops[i];
    const mp_tensor *to = &m->g->tensors[op->out[0]];
    range r = {0, 0};
    for (int32_t y = 0; y < to->shape.h; y++)
        for (int32_t x = 0; x < to->shape.w; x++)
            for (int32_t c = 0; c < to->shape.c; c++) {
                double a = elem_real(m, i, 0, bufs, y, x, c), b = elem_real(m, i, 1, bufs, y, x, c);
                range_add(&r, op->type == MP_OP_ADD ? a + b : a * b);
            }
    return r;
}

static void clip_activation(mp_activation act, range *r)
{
    double lo = act == MP_ACT_RELU || act == MP_ACT_RELU6 ? 0.0
                : act == MP_ACT_RELU_N1_TO_1           ? -1.0
                                                       : -INFINITY;
    double hi = act == MP_ACT_RELU6 ? 6.0 : act == MP_ACT_RELU_N1_TO_1 ? 1.0 : INFINITY;
    r->lo = r->lo < lo ? lo : r->lo > hi ? hi : r->lo;
    r->hi = r->hi > hi ? hi : r->hi < lo ? lo : r->hi;
}

static void quant_from_range(range r, exec_tensor *q)
{
    double lo = r.lo < 0 ? r.lo : 0, hi = r.hi > 0 ? r.hi : 0;
    if (hi - lo < 1e-6)
        hi = lo + 1e-6;
    double scale = (hi - lo) / 255.0;
    double zp = -128.0 - lo / scale;
    q->scale = (float)scale;
    q->zp = (int32_t)lrint(zp < -128 ? -128 : zp > 127 ? 127 : zp);
    q->has_quant = true;
}

static void choose_output_quant(mp_exec_model *m, uint32_t i, int8_t *const *bufs)
{
    const mp_op *op = &m->g->ops[i];
    exec_tensor *q = &m->t[op->out[0]];
    range r;
    switch (op->type) {
    case MP_OP_CONV2D:
    case MP_OP_DEPTHWISE_CONV2D:
    case MP_OP_FULLY_CONNECTED:
    case MP_OP_ADD:
    case MP_OP_MUL:
        r = is_conv_like(op->type) ? conv_range(m, i, bufs) : elem_range(m, i, bufs);
        clip_activation(op->p.activation, &r);
        quant_from_range(r, q);
        return;
    case MP_OP_SOFTMAX:
        q->scale = 1.0f / 256.0f;
        q->zp = -128;
        q->has_quant = true;
        return;
    case MP_OP_CONCAT:
        r = (range){0, 0};
        for (uint32_t k = 0; k < op->n_in; k++) {
            const exec_tensor *qi = &m->t[op->in[k]];
            range_add(&r, (-128.0 - qi->zp) * qi->scale);
            range_add(&r, (127.0 - qi->zp) * qi->scale);
        }
        quant_from_range(r, q);
        return;
    default: /* pooling, mean, pad, reshape, resize, (de)quantize: keep the input's */
        *q = m->t[op->in[0]];
        return;
    }
}

/* ---- the calibration pass ------------------------------------------------------------- */

typedef struct calib {
    int8_t **bufs;      /* per tensor: contents during the pass */
    int32_t *last_step; /* per tensor: last step reading it */
} calib;

static mp_status calib_init(mp_exec_model *m, calib *c, mp_error *err)
{
    const mp_graph *g = m->g;
    c->bufs = mp_calloc(g->n_tensors ? g->n_tensors : 1, sizeof *c->bufs);
    c->last_step = mp_calloc(g->n_tensors ? g->n_tensors : 1, sizeof *c->last_step);
    if (!c->bufs || !c->last_step)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t s = 0; s < g->n_ops; s++) {
        const mp_op *op = &g->ops[g->order[s]];
        for (uint32_t k = 0; k < op->n_in; k++)
            if (op->in[k] != MP_NO_TENSOR)
                c->last_step[op->in[k]] = (int32_t)s;
    }
    for (uint32_t k = 0; k < g->n_inputs; k++) {
        mp_tensor_id id = g->inputs[k];
        exec_tensor *q = &m->t[id];
        if (!q->has_quant) {
            q->scale = 1.0f / 255.0f;
            q->zp = -128;
            q->has_quant = true;
        }
        size_t n = g->tensors[id].size_bytes;
        c->bufs[id] = mp_malloc(n ? n : 1);
        if (!c->bufs[id])
            return mp_errorf(err, MP_E_NOMEM, "out of memory");
        MP_TRY(mp_exec_random_input(m, k, m->opts.seed, c->bufs[id], n, err));
    }
    return MP_OK;
}

static void calib_release(const mp_graph *g, calib *c)
{
    for (uint32_t id = 0; c->bufs && id < g->n_tensors; id++)
        mp_free(c->bufs[id]);
    mp_free(c->bufs);
    mp_free(c->last_step);
}

static mp_status calib_step(mp_exec_model *m, calib *c, uint32_t s, mp_error *err)
{
    const mp_graph *g = m->g;
    uint32_t i = g->order[s];
    const mp_op *op = &g->ops[i];
    if (is_conv_like(op->type) && op->n_in >= 2 && op->in[1] != MP_NO_TENSOR) {
        int32_t out_c = g->tensors[op->out[0]].shape.c;
        rng r = rng_for(m->opts.seed, i);
        MP_TRY(synth_weights(m, i, &r, out_c, err));
        MP_TRY(synth_bias(m, i, &r, out_c, err));
    }
    if (!m->t[op->out[0]].has_quant)
        choose_output_quant(m, i, c->bufs);
    MP_TRY(exec_prepare_op(m, i, err));
    mp_tensor_id out = op->out[0];
    size_t n = g->tensors[out].size_bytes;
    c->bufs[out] = mp_malloc(n ? n : 1);
    if (!c->bufs[out])
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    MP_TRY(exec_run_whole(m, i, c->bufs, err));
    for (uint32_t k = 0; k < op->n_in; k++) {
        mp_tensor_id id = op->in[k];
        if (id != MP_NO_TENSOR && c->last_step[id] == (int32_t)s &&
            mp_tensor_is_activation(&g->tensors[id])) {
            mp_free(c->bufs[id]);
            c->bufs[id] = NULL;
        }
    }
    return MP_OK;
}

mp_status exec_synthesize(mp_exec_model *m, mp_error *err)
{
    calib c = {0};
    m->synthesized = true;
    mp_status st = calib_init(m, &c, err);
    for (uint32_t s = 0; st == MP_OK && s < m->g->n_ops; s++)
        st = calib_step(m, &c, s, err);
    calib_release(m->g, &c);
    return st;
}
