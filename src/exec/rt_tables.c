/* SPDX-License-Identifier: MIT */
/*
 * rt_tables.c - building memplan_rt tables from a prepared model and a
 * schedule (module exec). The parameters are the host executor's prepared
 * ones (exec_op), converted field by field; everything the runner of
 * src/exec/run_schedule.c finds at run time (buffers, cache geometry, plane
 * and accumulator offsets) is found here once and written into the tables.
 * Every value narrowed into a table field goes through a checked setter
 * naming the field.
 */
#include "rt_params.h"
#include "rt_tables_int.h"

#include "../util/alloc.h"
#include "../util/checked.h"

#include <string.h>

typedef struct builder {
    mp_rt_tables *t;
    const mp_exec_model *m;
    const mp_schedule *s;
    mp_error *err;
} builder;

static mp_status too_big(builder *b, const char *field, const char *what, uint64_t v)
{
    return mp_errorf(b->err, MP_E_LIMIT, "%s: %s = %llu does not fit the table field %s",
                     what, field, (unsigned long long)v, field);
}

static mp_status set_u32(builder *b, uint32_t *dst, size_t v, const char *field, const char *what)
{
    if ((uint64_t)v > UINT32_MAX)
        return too_big(b, field, what, v);
    *dst = (uint32_t)v;
    return MP_OK;
}

static mp_status set_i32(builder *b, int32_t *dst, size_t v, const char *field, const char *what)
{
    if ((uint64_t)v > INT32_MAX)
        return too_big(b, field, what, v);
    *dst = (int32_t)v;
    return MP_OK;
}

static void *alloc(builder *b, size_t n, size_t size)
{
    void *p = mp_pool_array(&b->t->pool, n ? n : 1, size);
    if (!p)
        mp_errorf(b->err, MP_E_NOMEM, "out of memory building the runtime tables");
    return p;
}

/* ---- parameters ---------------------------------------------------------------------- */

static void *dup_params(builder *b, const void *v, size_t n)
{
    void *p = alloc(b, 1, n);
    if (p)
        memcpy(p, v, n);
    return p;
}

static const void *conv_params(builder *b, uint32_t op, const exec_conv *e)
{
    mprt_conv v = exec_rt_conv(e, b->m->t[b->m->g->ops[op].in[1]].data);
    return dup_params(b, &v, sizeof v);
}

static mprt_requant requant(const exec_requant1 *e)
{
    return (mprt_requant){e->identity ? 1 : 0, e->in_zp, e->out_zp, e->mult, e->shift};
}

static const void *concat_params(builder *b, const exec_concat *e)
{
    mprt_concat *p = alloc(b, 1, sizeof *p);
    mprt_requant *rq = alloc(b, e->n, sizeof *rq);
    if (!p || !rq)
        return NULL;
    for (uint32_t k = 0; k < e->n; k++)
        rq[k] = requant(&e->rq[k]);
    *p = (mprt_concat){e->axis, (int32_t)e->n, e->start, e->size, rq};
    return p;
}

static const void *resize_params(builder *b, const exec_resize *e)
{
    mprt_resize *p = alloc(b, 1, sizeof *p);
    int32_t *sy = alloc(b, (size_t)e->out_h, sizeof *sy), *sx = alloc(b, (size_t)e->out_w, sizeof *sx);
    if (!p || !sy || !sx)
        return NULL;
    for (int32_t y = 0; y < e->out_h; y++)
        sy[y] = exec_resize_src(y, e->in_h, e->out_h, e->align_corners, e->half_pixel_centers);
    for (int32_t x = 0; x < e->out_w; x++)
        sx[x] = exec_resize_src(x, e->in_w, e->out_w, e->align_corners, e->half_pixel_centers);
    *p = (mprt_resize){e->c, e->out_h, e->out_w, sy, sx};
    return p;
}

/* Per output index o of one axis: the Q10 source position and the two source indices
 * (mp_resize_bilinear_src, the planner's and the host kernel's definition). */
static int32_t *bilinear_axis(builder *b, int32_t out, int32_t scale, bool hpc, int32_t in)
{
    int32_t *v = alloc(b, 3 * (size_t)out, sizeof *v);
    for (int32_t o = 0; v && o < out; o++)
        mp_resize_bilinear_src(o, scale, hpc, in, &v[3 * o], &v[3 * o + 1], &v[3 * o + 2]);
    return v;
}

static const void *bilinear_params(builder *b, uint32_t op, const exec_bilinear *e)
{
    const mp_tensor *to = &b->m->g->tensors[b->m->g->ops[op].out[0]];
    mprt_bilinear v = {e->c, to->shape.h, to->shape.w,
                       bilinear_axis(b, to->shape.h, e->scale_h, e->half_pixel_centers, e->in_h),
                       bilinear_axis(b, to->shape.w, e->scale_w, e->half_pixel_centers, e->in_w)};
    return v.ys && v.xs ? dup_params(b, &v, sizeof v) : NULL;
}

static const void *split_params(builder *b, uint32_t op, const exec_split *e)
{
    const mp_op *o = &b->m->g->ops[op];
    int32_t *outs = alloc(b, o->n_out, sizeof *outs);
    if (!outs)
        return NULL;
    for (uint32_t k = 0; k < o->n_out; k++)
        outs[k] = (int32_t)o->out[k];
    mprt_split v = exec_rt_split(e);
    v.outs = outs;
    return dup_params(b, &v, sizeof v);
}

static const void *small_params(builder *b, const exec_op *e)
{
    switch (e->type) {
    case MP_OP_AVG_POOL2D:
    case MP_OP_MAX_POOL2D: {
        const exec_pool *q = &e->u.pool;
        mprt_pool v = {q->in_h, q->in_w, q->c, q->out_h, q->out_w, q->kh, q->kw, q->sh,
                       q->sw, q->pad_top, q->pad_left, q->act_min, q->act_max};
        return dup_params(b, &v, sizeof v);
    }
    case MP_OP_MEAN: {
        mprt_mean v = exec_rt_mean(&e->u.mean);
        return dup_params(b, &v, sizeof v);
    }
    case MP_OP_ADD:
    case MP_OP_MUL:
    case MP_OP_SUB:
    case MP_OP_MAXIMUM:
    case MP_OP_MINIMUM:
    case MP_OP_PRELU: {
        mprt_elem v = exec_rt_elem(&e->u.elem);
        return dup_params(b, &v, sizeof v);
    }
    case MP_OP_LOGISTIC:
    case MP_OP_TANH:
    case MP_OP_HARD_SWISH:
    case MP_OP_LEAKY_RELU:
    case MP_OP_RELU:
    case MP_OP_RELU6: {
        mprt_unary v = exec_rt_unary(&e->u.unary);
        return dup_params(b, &v, sizeof v);
    }
    case MP_OP_TRANSPOSE:
    case MP_OP_STRIDED_SLICE: {
        mprt_gather v = exec_rt_gather(&e->u.gather);
        return dup_params(b, &v, sizeof v);
    }
    case MP_OP_DEPTH_TO_SPACE:
    case MP_OP_SPACE_TO_DEPTH: {
        mprt_d2s v = exec_rt_d2s(&e->u.d2s);
        return dup_params(b, &v, sizeof v);
    }
    case MP_OP_SUM: {
        mprt_reduce v = exec_rt_reduce(&e->u.reduce);
        return dup_params(b, &v, sizeof v);
    }
    case MP_OP_SOFTMAX: {
        const exec_softmax *q = &e->u.softmax;
        mprt_softmax v = {q->c, q->in_mult, q->in_left_shift, q->diff_min};
        return dup_params(b, &v, sizeof v);
    }
    case MP_OP_PAD: {
        mprt_pad v = exec_rt_pad(&e->u.pad);
        return dup_params(b, &v, sizeof v);
    }
    case MP_OP_QUANTIZE:
    case MP_OP_DEQUANTIZE: {
        mprt_convert v = exec_rt_convert(&e->u.convert);
        return dup_params(b, &v, sizeof v);
    }
    default: {
        mprt_requant v = requant(&e->u.rq1);
        return dup_params(b, &v, sizeof v);
    }
    }
}

static int32_t rt_type(mp_op_type t)
{
    switch (t) {
    case MP_OP_SUB:
    case MP_OP_MAXIMUM:
    case MP_OP_MINIMUM:
    case MP_OP_PRELU: return MPRT_OP_BINARY;
    case MP_OP_LOGISTIC:
    case MP_OP_TANH:
    case MP_OP_HARD_SWISH:
    case MP_OP_LEAKY_RELU:
    case MP_OP_RELU:
    case MP_OP_RELU6: return MPRT_OP_UNARY;
    case MP_OP_RESIZE_BILINEAR: return MPRT_OP_BILINEAR;
    case MP_OP_TRANSPOSE:
    case MP_OP_STRIDED_SLICE: return MPRT_OP_GATHER;
    case MP_OP_DEPTH_TO_SPACE:
    case MP_OP_SPACE_TO_DEPTH: return MPRT_OP_D2S;
    case MP_OP_SUM: return MPRT_OP_REDUCE; /* sum, reduce_max, mean over other axes */
    case MP_OP_SPLIT: return MPRT_OP_SPLIT;
    case MP_OP_TRANSPOSE_CONV: return MPRT_OP_TCONV;
    case MP_OP_CONV2D: return MPRT_OP_CONV;
    case MP_OP_DEPTHWISE_CONV2D: return MPRT_OP_DEPTHWISE;
    case MP_OP_FULLY_CONNECTED: return MPRT_OP_FC;
    case MP_OP_AVG_POOL2D: return MPRT_OP_AVG_POOL;
    case MP_OP_MAX_POOL2D: return MPRT_OP_MAX_POOL;
    case MP_OP_MEAN: return MPRT_OP_MEAN;
    case MP_OP_ADD: return MPRT_OP_ADD;
    case MP_OP_MUL: return MPRT_OP_MUL;
    case MP_OP_SOFTMAX: return MPRT_OP_SOFTMAX;
    case MP_OP_PAD: return MPRT_OP_PAD;
    case MP_OP_CONCAT: return MPRT_OP_CONCAT;
    case MP_OP_RESIZE_NEAREST: return MPRT_OP_RESIZE;
    case MP_OP_RESHAPE: return MPRT_OP_RESHAPE;
    case MP_OP_QUANTIZE:
    case MP_OP_DEQUANTIZE: return MPRT_OP_CONVERT;
    default: return -1;
    }
}

/* Why memplan_rt cannot run op op of a tiled segment (tiled: 1), or NULL. */
static const char *rt_why_not(const exec_op *e, int tiled)
{
    if (tiled && e->type == MP_OP_SPLIT)
        return "a split inside a patch stage is not supported by memplan_rt";
    return NULL;
}

/* Type and parameters of graph op op into o. */
static mp_status op_params(builder *b, uint32_t op, int tiled, mprt_op *o)
{
    const exec_op *e = &b->m->ops[op];
    char where[160];
    o->type = rt_type(e->type);
    if (o->type < 0 || !e->prepared)
        return mp_errorf(b->err, MP_E_UNSUPPORTED, "%s: not supported by memplan_rt",
                         exec_op_where(b->m, op, where, sizeof where));
    const char *why = rt_why_not(e, tiled);
    if (why)
        return mp_errorf(b->err, MP_E_UNSUPPORTED, "%s: %s",
                         exec_op_where(b->m, op, where, sizeof where), why);
    if (o->type == MPRT_OP_RESHAPE)
        o->params = NULL;
    else if (o->type <= MPRT_OP_FC || o->type == MPRT_OP_TCONV)
        o->params = conv_params(b, op, &e->u.conv);
    else if (o->type == MPRT_OP_BILINEAR)
        o->params = bilinear_params(b, op, &e->u.bilinear);
    else if (o->type == MPRT_OP_SPLIT)
        o->params = split_params(b, op, &e->u.split);
    else if (o->type == MPRT_OP_CONCAT)
        o->params = concat_params(b, &e->u.concat);
    else if (o->type == MPRT_OP_RESIZE)
        o->params = resize_params(b, &e->u.resize);
    else
        o->params = small_params(b, e);
    if (o->type != MPRT_OP_RESHAPE && !o->params)
        return MP_E_NOMEM;
    return MP_OK;
}

/* Activation inputs of op as refs (tensor ids, or slots of p when p is given). */
static mp_status op_inputs(builder *b, uint32_t op, const mp_patch_plan *p, mprt_op *o)
{
    const mp_graph *g = b->m->g;
    const mp_op *x = &g->ops[op];
    int32_t *in = alloc(b, x->n_in, sizeof *in);
    if (!in)
        return MP_E_NOMEM;
    int32_t n = 0;
    for (uint32_t k = 0; k < x->n_in; k++)
        if (x->in[k] != MP_NO_TENSOR && mp_tensor_is_activation(&g->tensors[x->in[k]]))
            in[n++] = p ? mp_patch_slot_of(p, x->in[k]) : (int32_t)x->in[k];
    o->in = in;
    o->n_in = n;
    o->out_tensor = (int32_t)x->out[0];
    return MP_OK;
}

static mp_status aux_buffer(builder *b, uint32_t op, mprt_op *o, int32_t buf, const char *what)
{
    if (buf < 0)
        return mp_errorf(b->err, MP_E_INVALID, "op '%s': no %s buffer in the schedule",
                         b->m->g->ops[op].name, what);
    MP_TRY(set_u32(b, &o->aux_offset, b->s->buffers[buf].offset, "mprt_op.aux_offset", what));
    return set_u32(b, &o->aux_bytes, b->s->buffers[buf].bytes, "mprt_op.aux_bytes", what);
}

/* ---- segments ------------------------------------------------------------------------ */

static mp_status layer_segment(builder *b, uint32_t si, mprt_segment *seg)
{
    const mp_segment *x = &b->s->segments[si];
    int32_t n = (int32_t)(x->last_step - x->first_step + 1);
    mprt_op *ops = alloc(b, (size_t)n, sizeof *ops);
    uint32_t *idx = alloc(b, (size_t)n, sizeof *idx);
    if (!ops || !idx)
        return MP_E_NOMEM;
    b->t->op_index[si] = idx;
    for (int32_t l = 0; l < n; l++) {
        uint32_t st = x->first_step + (uint32_t)l, op = b->s->order[st];
        idx[l] = op;
        MP_TRY(op_params(b, op, 0, &ops[l]));
        MP_TRY(op_inputs(b, op, NULL, &ops[l]));
        ops[l].out = ops[l].out_tensor;
        if (b->s->pl.steps[st].inplace_kind == MP_INPLACE_DW) {
            ops[l].run = MPRT_RUN_INPLACE_DW;
            int32_t plane = mp_schedule_find_buffer(b->s, MP_BUF_PLANE,
                                                    b->m->g->ops[op].out[0], -1, st);
            MP_TRY(aux_buffer(b, op, &ops[l], plane, "plane"));
        }
    }
    *seg = (mprt_segment){0, 0, 1, 1, n, ops, 0, NULL};
    return MP_OK;
}

static mprt_iv *intervals(builder *b, const mp_interval *v, uint32_t n)
{
    mprt_iv *out = alloc(b, n, sizeof *out);
    for (uint32_t i = 0; out && i < n; i++)
        out[i] = (mprt_iv){v[i].a, v[i].b};
    return out;
}

/* Cache geometry of slot k (the rule of docs/runtime.md). */
static mp_status slot_caches(builder *b, uint32_t si, const mp_patch_plan *p, uint32_t k,
                             mprt_slot *sl)
{
    const mp_stage_tensor *st = &p->slots[k];
    size_t px = (size_t)mp_view_pixel_bytes(&b->m->g->tensors[st->id]);
    int32_t lo = INT32_MAX, hi = 0;
    for (uint32_t j = 0; j < p->spec.cols; j++) {
        mp_interval v = p->need_cols[k * p->spec.cols + j];
        if (v.b > v.a) {
            lo = v.a < lo ? v.a : lo;
            hi = v.b > hi ? v.b : hi;
        }
    }
    for (uint32_t i = 0; i < p->spec.rows; i++) {
        int32_t len = mp_interval_len(p->need_rows[k * p->spec.rows + i]);
        sl->max_h = len > sl->max_h ? len : sl->max_h;
    }
    sl->hc0 = hi > lo ? lo : 0;
    sl->hull_w = hi > lo ? hi - lo : 0;
    int32_t rb = mp_schedule_find_buffer(b->s, MP_BUF_ROW_CACHE, st->id, (int32_t)si, -1);
    int32_t cb = mp_schedule_find_buffer(b->s, MP_BUF_COL_CACHE, st->id, (int32_t)si, -1);
    const char *name = b->m->g->tensors[st->id].name;
    if (rb >= 0 && sl->hull_w) {
        MP_TRY(set_u32(b, &sl->row_cache, b->s->buffers[rb].offset, "mprt_slot.row_cache", name));
        MP_TRY(set_i32(b, &sl->kr, st->row_cache_bytes / ((size_t)sl->hull_w * px),
                       "mprt_slot.kr", name));
    }
    if (cb >= 0 && sl->max_h) {
        MP_TRY(set_u32(b, &sl->col_cache, b->s->buffers[cb].offset, "mprt_slot.col_cache", name));
        MP_TRY(set_i32(b, &sl->kc, st->col_cache_bytes / ((size_t)sl->max_h * px),
                       "mprt_slot.kc", name));
    }
    return MP_OK;
}

static int32_t input_index(const mp_graph *g, mp_tensor_id t)
{
    for (uint32_t i = 0; i < g->n_inputs; i++)
        if (g->inputs[i] == t)
            return (int32_t)i;
    return -1;
}

static mp_status tiled_slots(builder *b, uint32_t si, const mp_patch_plan *p, mprt_segment *seg)
{
    mprt_slot *slots = alloc(b, p->n_slots, sizeof *slots);
    if (!slots)
        return MP_E_NOMEM;
    uint32_t R = p->spec.rows, C = p->spec.cols;
    for (uint32_t k = 0; k < p->n_slots; k++) {
        const mp_stage_tensor *st = &p->slots[k];
        mprt_slot *sl = &slots[k];
        static const int32_t roles[MP_ROLE_COUNT] = {MPRT_ROLE_WHOLE, MPRT_ROLE_STREAM,
                                                    MPRT_ROLE_WORKING, MPRT_ROLE_OUTPUT};
        sl->tensor = (int32_t)st->id;
        sl->role = roles[st->role];
        sl->input = input_index(b->m->g, st->id);
        int32_t buf = b->s->tensor_buffer[st->id];
        if (buf < 0 && sl->input >= 0) /* the caller's buffer, outside the arena */
            sl->role = MPRT_ROLE_WHOLE;
        if (buf >= 0 && (sl->role == MPRT_ROLE_WORKING || sl->role == MPRT_ROLE_STREAM))
            MP_TRY(set_u32(b, &sl->offset, b->s->buffers[buf].offset, "mprt_slot.offset",
                           b->m->g->tensors[st->id].name));
        sl->need_rows = intervals(b, p->need_rows + k * R, R);
        sl->comp_rows = intervals(b, p->comp_rows + k * R, R);
        sl->need_cols = intervals(b, p->need_cols + k * C, C);
        sl->comp_cols = intervals(b, p->comp_cols + k * C, C);
        if (!sl->need_rows || !sl->comp_rows || !sl->need_cols || !sl->comp_cols)
            return MP_E_NOMEM;
        if (p->spec.halo != MP_HALO_RECOMPUTE)
            MP_TRY(slot_caches(b, si, p, k, sl));
    }
    seg->slots = slots;
    seg->n_slots = (int32_t)p->n_slots;
    return MP_OK;
}

static mp_status tiled_segment(builder *b, uint32_t si, mprt_segment *seg)
{
    const mp_patch_plan *p = b->s->segments[si].patch;
    mprt_op *ops = alloc(b, p->n_ops, sizeof *ops);
    uint32_t *idx = alloc(b, p->n_ops, sizeof *idx);
    if (!ops || !idx)
        return MP_E_NOMEM;
    b->t->op_index[si] = idx;
    *seg = (mprt_segment){1, (int32_t)p->spec.halo, (int32_t)p->spec.rows, (int32_t)p->spec.cols,
                          (int32_t)p->n_ops, ops, 0, NULL};
    MP_TRY(tiled_slots(b, si, p, seg));
    for (uint32_t l = 0; l < p->n_ops; l++) {
        uint32_t op = p->ops[l];
        mp_tensor_id out = b->m->g->ops[op].out[0];
        idx[l] = op;
        MP_TRY(op_params(b, op, 1, &ops[l]));
        MP_TRY(op_inputs(b, op, p, &ops[l]));
        ops[l].out = p->out_slot[l];
        if (l + 1 == p->n_ops && p->accum_bytes) {
            ops[l].run = MPRT_RUN_REDUCE;
            int32_t acc = mp_schedule_find_buffer(b->s, MP_BUF_ACCUM, out, (int32_t)si, -1);
            MP_TRY(aux_buffer(b, op, &ops[l], acc, "accumulator"));
        } else if (p->inplace[l]) {
            ops[l].run = MPRT_RUN_INPLACE_DW;
            int32_t plane = mp_schedule_find_buffer(b->s, MP_BUF_PLANE, out, (int32_t)si,
                                                    (int64_t)(p->spec.first_step + l));
            MP_TRY(aux_buffer(b, op, &ops[l], plane, "plane"));
        }
    }
    return MP_OK;
}

/* ---- tensors, I/O ------------------------------------------------------------------- */

static mp_status tensors(builder *b)
{
    const mp_graph *g = b->m->g;
    mprt_tensor *t = alloc(b, g->n_tensors, sizeof *t);
    if (!t)
        return MP_E_NOMEM;
    for (uint32_t i = 0; i < g->n_tensors; i++) {
        const mp_tensor *x = &g->tensors[i];
        t[i] = (mprt_tensor){x->shape.h, x->shape.w, x->shape.c, (int32_t)mp_dtype_size(x->dtype),
                             -1};
        int32_t buf = b->s->tensor_buffer[i];
        if (buf >= 0 && b->s->buffers[buf].kind == MP_BUF_TENSOR)
            MP_TRY(set_i32(b, &t[i].offset, b->s->buffers[buf].offset, "mprt_tensor.offset",
                           x->name));
    }
    b->t->model.tensors = t;
    return set_i32(b, &b->t->model.n_tensors, g->n_tensors, "mprt_model.n_tensors", g->name);
}

static mp_status io(builder *b, const mp_tensor_id *ids, uint32_t n, const mprt_io **out,
                    uint32_t *total, const char *field)
{
    mprt_io *v = alloc(b, n, sizeof *v);
    if (!v)
        return MP_E_NOMEM;
    size_t pos = 0;
    for (uint32_t i = 0; i < n; i++) {
        const mp_tensor *x = &b->m->g->tensors[ids[i]];
        v[i].tensor = (int32_t)ids[i];
        MP_TRY(set_u32(b, &v[i].bytes, x->size_bytes, "mprt_io.bytes", x->name));
        MP_TRY(set_u32(b, &v[i].pos, pos, "mprt_io.pos", x->name));
        if (!mp_add_size(pos, x->size_bytes, &pos))
            return too_big(b, field, x->name, SIZE_MAX);
    }
    *out = v;
    return set_u32(b, total, pos, field, b->m->g->name);
}

static mp_status build(builder *b)
{
    const mp_schedule *s = b->s;
    const mp_graph *g = b->m->g;
    mprt_model *md = &b->t->model;
    md->version = MPRT_FORMAT_VERSION;
    MP_TRY(set_u32(b, &md->arena_bytes, s->arena_bytes, "mprt_model.arena_bytes", g->name));
    MP_TRY(tensors(b));
    MP_TRY(io(b, g->inputs, g->n_inputs, &md->inputs, &md->input_bytes, "mprt_model.input_bytes"));
    MP_TRY(io(b, g->outputs, g->n_outputs, &md->outputs, &md->output_bytes,
              "mprt_model.output_bytes"));
    md->n_inputs = (int32_t)g->n_inputs;
    md->n_outputs = (int32_t)g->n_outputs;
    for (uint32_t k = 0; k < g->n_outputs; k++)
        if (md->tensors[g->outputs[k]].offset < 0)
            return mp_errorf(b->err, MP_E_INVALID, "output '%s' is not held whole",
                             g->tensors[g->outputs[k]].name);
    mprt_segment *seg = alloc(b, s->n_segments, sizeof *seg);
    b->t->op_index = alloc(b, s->n_segments, sizeof *b->t->op_index);
    if (!seg || !b->t->op_index)
        return MP_E_NOMEM;
    md->segments = seg;
    md->n_segments = (int32_t)s->n_segments;
    for (uint32_t si = 0; si < s->n_segments; si++)
        MP_TRY(s->segments[si].kind == MP_SEG_TILED ? tiled_segment(b, si, &seg[si])
                                                    : layer_segment(b, si, &seg[si]));
    return MP_OK;
}

size_t rt_weight_count(const mprt_op *op)
{
    const mprt_conv *c = op->params;
    if (op->type > MPRT_OP_FC && op->type != MPRT_OP_TCONV)
        return 0;
    if (op->type == MPRT_OP_DEPTHWISE)
        return (size_t)c->kh * (size_t)c->kw * (size_t)c->out_c;
    return (size_t)c->out_c * (size_t)c->kh * (size_t)c->kw * (size_t)(c->in_c / c->groups);
}

static size_t op_const_bytes(const mprt_op *op)
{
    size_t n = rt_weight_count(op);
    if (op->type <= MPRT_OP_FC || op->type == MPRT_OP_TCONV) {
        const mprt_conv *c = op->params;
        n += (size_t)c->out_c * (c->bias ? 12 : 8);
    } else if (op->type == MPRT_OP_ADD || op->type == MPRT_OP_MUL || op->type == MPRT_OP_BINARY) {
        const mprt_elem *e = op->params;
        if (e->a_const)
            n += (size_t)e->a_h * (size_t)e->a_w * (size_t)e->a_c;
        if (e->b_const)
            n += (size_t)e->b_h * (size_t)e->b_w * (size_t)e->b_c;
    } else if (op->type == MPRT_OP_RESIZE) {
        const mprt_resize *r = op->params;
        n += 4 * ((size_t)r->out_h + (size_t)r->out_w);
    } else if (op->type == MPRT_OP_BILINEAR) {
        const mprt_bilinear *r = op->params;
        n += 12 * ((size_t)r->out_h + (size_t)r->out_w);
    } else if (op->type == MPRT_OP_SPLIT) {
        n += 8 * (size_t)((const mprt_split *)op->params)->n;
    }
    return n;
}

mp_status mp_rt_tables_new(const mp_exec_model *m, const mp_schedule *s, mp_rt_tables **out,
                           mp_error *err)
{
    *out = NULL;
    if (s->g != m->g)
        return mp_errorf(err, MP_E_INVALID, "the schedule and the model are for different graphs");
    mp_rt_tables *t = mp_calloc(1, sizeof *t);
    if (!t)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    mp_pool_init(&t->pool);
    t->g = m->g;
    t->m = m;
    t->s = s;
    builder b = {t, m, s, err};
    mp_status st = build(&b);
    if (st != MP_OK) {
        mp_rt_tables_free(t);
        return err->status != MP_OK ? err->status : st;
    }
    for (int32_t i = 0; i < t->model.n_segments; i++)
        for (int32_t l = 0; l < t->model.segments[i].n_ops; l++)
            t->const_bytes += op_const_bytes(&t->model.segments[i].ops[l]);
    *out = t;
    return MP_OK;
}

void mp_rt_tables_free(mp_rt_tables *t)
{
    if (!t)
        return;
    mp_pool_release(&t->pool);
    mp_free(t);
}

size_t mp_rt_tables_const_bytes(const mp_rt_tables *t)
{
    return t->const_bytes;
}

size_t mp_rt_tables_arena_bytes(const mp_rt_tables *t)
{
    return t->model.arena_bytes;
}

const struct mprt_model *mp_rt_tables_model(const mp_rt_tables *t)
{
    return &t->model;
}
