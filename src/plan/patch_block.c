/* SPDX-License-Identifier: MIT */
/*
 * patch_block.c - what a block of consecutive steps reads and writes: its
 * slots (tensors) with roles and in-patch lifetimes, the buffers held whole
 * during the block, the per-op backward region rule (module plan).
 */
#include "patch_int.h"

#include "../util/alloc.h"
#include "../util/checked.h"

#include <string.h>

/* int8 activations, with the float/uint8 boundary: QUANTIZE may read a float32 or uint8
 * input (each patch quantizes its own region), DEQUANTIZE writes a float32 output. */
static bool patch_dtypes_ok(const mp_graph *g, const mp_op *o)
{
    mp_dtype in = g->tensors[o->in[0]].dtype, out = g->tensors[o->out[0]].dtype;
    if (o->type == MP_OP_QUANTIZE)
        return out == MP_DTYPE_INT8 &&
               (in == MP_DTYPE_INT8 || in == MP_DTYPE_FLOAT32 || in == MP_DTYPE_UINT8);
    if (o->type == MP_OP_DEQUANTIZE)
        return in == MP_DTYPE_INT8 && out == MP_DTYPE_FLOAT32;
    return in == MP_DTYPE_INT8 && out == MP_DTYPE_INT8;
}

const char *mp_patch_op_why_not(const mp_graph *g, uint32_t op)
{
    const mp_op *o = &g->ops[op];
    if (!mp_op_region_bounded(g, op))
        return "it needs its whole input";
    if (o->n_out != 1)
        return "it has several outputs";
    if (o->type == MP_OP_CONCAT && o->p.axis != 3)
        return "it concatenates along height or width";
    if (!patch_dtypes_ok(g, o))
        return "its activations are not int8";
    return NULL;
}

bool mp_patch_op_ok(const mp_graph *g, uint32_t op)
{
    return mp_patch_op_why_not(g, op) == NULL;
}

bool mp_patch_op_reduces(const mp_graph *g, uint32_t op)
{
    const mp_op *o = &g->ops[op];
    const mp_tensor *in = &g->tensors[o->in[0]], *out = &g->tensors[o->out[0]];
    if (in->dtype != MP_DTYPE_INT8 || out->dtype != MP_DTYPE_INT8 || out->shape.h != 1 ||
        out->shape.w != 1 || out->shape.c != in->shape.c)
        return false;
    if (o->type == MP_OP_MEAN)
        return o->p.axes == 6;
    return (o->type == MP_OP_AVG_POOL2D || o->type == MP_OP_MAX_POOL2D) &&
           o->p.padding == MP_PADDING_VALID && o->p.kernel_h == in->shape.h &&
           o->p.kernel_w == in->shape.w;
}

int32_t mp_patch_last_patchable_step(const mp_graph *g, const uint32_t *order)
{
    if (!order)
        order = g->order;
    int32_t last = -1;
    uint32_t s = 0;
    for (; s < g->n_ops && mp_patch_op_ok(g, order[s]); s++)
        last = (int32_t)s;
    if (last >= 0 && s < g->n_ops && mp_patch_op_reduces(g, order[s]))
        last = (int32_t)s;
    return last;
}

int32_t block_axis_size(const mp_graph *g, mp_tensor_id t, int axis)
{
    return axis == 0 ? g->tensors[t].shape.h : g->tensors[t].shape.w;
}

/*
 * Exact bounding box of the valid taps of a window op for output positions
 * [a, b) along one axis: the smallest tap >= 0 and the largest tap < size.
 * This is the clipped interval [a*s - p, (b-1)*s - p + (k-1)*d + 1) of
 * docs/algorithms.md, tightened where a stride larger than the kernel or a
 * dilation steps over the first/last rows of the tensor (those rows are
 * never read). Only the few positions whose windows straddle the border
 * are examined.
 */
mp_interval mp_window_taps(mp_interval out, int32_t k, int32_t s, int32_t d, int32_t pad,
                           int32_t size)
{
    int64_t lo = INT64_MAX, hi = -1, ext = (int64_t)(k - 1) * d;
    /* Windows wholly in the padding read nothing: start at the first that reaches row 0 and
     * the last that starts inside, and stop at the tensor's edge (huge kernels of hostile
     * files would otherwise make this linear in the padding). */
    int64_t first = out.a, last_x = (int64_t)out.b - 1;
    if (first * s - pad + ext < 0)
        first = ((int64_t)pad - ext + s - 1) / s;
    if (last_x * s - pad >= size)
        last_x = ((int64_t)size - 1 + pad) / s;
    for (int64_t x = first; x < out.b && lo > 0; x++) {
        int64_t t0 = x * s - pad;
        int64_t kx = t0 >= 0 ? 0 : (-t0 + d - 1) / d;
        int64_t tap = t0 + kx * d;
        if (kx < k && tap < size && tap < lo)
            lo = tap;
        if (t0 >= 0)
            break;
    }
    for (int64_t x = last_x; x >= out.a && hi < (int64_t)size - 1; x--) {
        int64_t t0 = x * s - pad, last = t0 + (int64_t)(k - 1) * d;
        int64_t kx = last < size ? k - 1 : (size - 1 - t0) / d;
        int64_t tap = t0 + kx * d;
        if (size - 1 - t0 >= 0 && kx >= 0 && tap >= 0 && tap > hi)
            hi = tap;
        if (last < size)
            break;
    }
    if (hi < 0 || lo == INT64_MAX || hi < lo)
        return (mp_interval){0, 0};
    return (mp_interval){(int32_t)lo, (int32_t)hi + 1};
}

mp_interval block_backprop(const mp_graph *g, uint32_t op, uint32_t k, int axis, mp_interval out,
                           mp_interval *raw)
{
    return mp_op_input_span(g, op, k, axis, out, raw); /* the one rule: patch_region.c */
}

static mp_status add_slot(block_info *b, mp_tensor_id t, mp_error *err)
{
    if (b->slot_of[t] >= 0)
        return MP_OK;
    if (b->n_slots >= b->g->n_tensors)
        return mp_errorf(err, MP_E_INVALID, "block: too many slots");
    mp_stage_tensor *s = &b->slots[b->n_slots];
    memset(s, 0, sizeof *s);
    s->id = t;
    s->first_op = -1;
    s->last_op = -1;
    b->slot_of[t] = (int32_t)b->n_slots++;
    return MP_OK;
}

/* Slots, roles and lifetimes of every tensor the block's ops touch. */
static mp_status collect_slots(block_info *b, const mp_per_layer *pl, mp_error *err)
{
    const mp_graph *g = b->g;
    for (uint32_t l = 0; l < b->n_ops; l++) {
        const mp_op *o = &g->ops[b->ops[l]];
        for (uint32_t k = 0; k < o->n_in; k++) {
            mp_tensor_id t = o->in[k];
            if (t == MP_NO_TENSOR || !mp_tensor_is_activation(&g->tensors[t]))
                continue;
            MP_TRY(add_slot(b, t, err));
            b->slots[b->slot_of[t]].last_op = (int32_t)l;
        }
        MP_TRY(add_slot(b, o->out[0], err));
        b->slots[b->slot_of[o->out[0]]].first_op = (int32_t)l;
        b->out_slot[l] = b->slot_of[o->out[0]];
    }
    for (uint32_t k = 0; k < b->n_slots; k++) {
        mp_stage_tensor *s = &b->slots[k];
        const mp_tensor *t = &g->tensors[s->id];
        bool after = (t->flags & MP_TENSOR_OUTPUT) || pl->last_step[s->id] > (int32_t)b->last_step;
        if (s->first_op >= 0) {
            s->role = after ? MP_ROLE_OUTPUT : MP_ROLE_WORKING;
        } else {
            s->first_op = 0;
            bool stream = b->opts->input_mode == MP_INPUT_STREAM && b->first_step == 0 &&
                          (t->flags & MP_TENSOR_INPUT) && !after;
            s->role = stream ? MP_ROLE_STREAM_INPUT : MP_ROLE_WHOLE_INPUT;
        }
        if (s->last_op < s->first_op)
            s->last_op = s->first_op;
    }
    return MP_OK;
}

/* Activation operands of every op as slots (CSR). */
static mp_status collect_inputs(block_info *b, mp_error *err)
{
    const mp_graph *g = b->g;
    uint32_t total = 0;
    for (uint32_t l = 0; l < b->n_ops; l++)
        total += g->ops[b->ops[l]].n_in;
    b->in_start = mp_calloc((size_t)b->n_ops + 1, sizeof *b->in_start);
    b->in_slot = mp_calloc(total ? total : 1, sizeof *b->in_slot);
    b->in_operand = mp_calloc(total ? total : 1, sizeof *b->in_operand);
    if (!b->in_start || !b->in_slot || !b->in_operand)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    uint32_t n = 0;
    for (uint32_t l = 0; l < b->n_ops; l++) {
        const mp_op *o = &g->ops[b->ops[l]];
        b->in_start[l] = n;
        for (uint32_t k = 0; k < o->n_in; k++) {
            mp_tensor_id t = o->in[k];
            if (t == MP_NO_TENSOR || !mp_tensor_is_activation(&g->tensors[t]))
                continue;
            b->in_slot[n] = (uint32_t)b->slot_of[t];
            b->in_operand[n++] = k;
        }
    }
    b->in_start[b->n_ops] = n;
    return MP_OK;
}

static bool is_region(const mp_stage_tensor *s)
{
    return s->role == MP_ROLE_WORKING || s->role == MP_ROLE_STREAM_INPUT;
}

/* Per op, the region slots live while it runs (CSR), and the cost scratch. */
static mp_status collect_live(block_info *b, mp_error *err)
{
    size_t total = 0;
    for (uint32_t k = 0; k < b->n_slots; k++)
        if (is_region(&b->slots[k]))
            total += (size_t)(b->slots[k].last_op - b->slots[k].first_op + 1);
    b->live_start = mp_calloc((size_t)b->n_ops + 1, sizeof *b->live_start);
    b->live_slot = mp_calloc(total ? total : 1, sizeof *b->live_slot);
    b->scratch = mp_calloc(b->n_slots ? b->n_slots : 1, sizeof *b->scratch);
    b->px_bytes = mp_calloc(b->n_slots ? b->n_slots : 1, sizeof *b->px_bytes);
    b->region_slot = mp_calloc(b->n_slots ? b->n_slots : 1, sizeof *b->region_slot);
    if (!b->live_start || !b->live_slot || !b->scratch || !b->px_bytes || !b->region_slot)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    b->n_region = 0;
    for (uint32_t k = 0; k < b->n_slots; k++) {
        const mp_tensor *t = &b->g->tensors[b->slots[k].id];
        b->px_bytes[k] = (size_t)t->shape.c * mp_dtype_size(t->dtype);
        if (is_region(&b->slots[k]))
            b->region_slot[b->n_region++] = k;
    }
    /* Counting sort by op (slots ascending within an op): linear in ops + entries; a scan of
     * every slot for every op made long chains cubic over the search's blocks. */
    for (uint32_t k = 0; k < b->n_slots; k++)
        if (is_region(&b->slots[k]))
            for (int32_t l = b->slots[k].first_op; l <= b->slots[k].last_op; l++)
                b->live_start[l + 1]++;
    for (uint32_t l = 0; l < b->n_ops; l++)
        b->live_start[l + 1] += b->live_start[l];
    uint32_t *fill = mp_calloc((size_t)b->n_ops + 1, sizeof *fill);
    if (!fill)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    memcpy(fill, b->live_start, ((size_t)b->n_ops + 1) * sizeof *fill);
    for (uint32_t k = 0; k < b->n_slots; k++)
        if (is_region(&b->slots[k]))
            for (int32_t l = b->slots[k].first_op; l <= b->slots[k].last_op; l++)
                b->live_slot[fill[l]++] = k;
    mp_free(fill);
    return MP_OK;
}

/* Buffers held whole while the block runs, and the per-layer peak after it. */
static mp_status fixed_costs(block_info *b, const mp_per_layer *pl, mp_error *err)
{
    const mp_graph *g = b->g;
    b->whole_bytes = 0;
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        if (pl->first_step[t] < 0 || pl->first_step[t] > (int32_t)b->last_step ||
            pl->last_step[t] < (int32_t)b->first_step)
            continue;
        int32_t k = b->slot_of[t];
        if (k >= 0 && (b->slots[k].role == MP_ROLE_WORKING ||
                       b->slots[k].role == MP_ROLE_STREAM_INPUT))
            continue;
        size_t sz;
        if (!mp_plan_aligned(b->opts, g->tensors[t].size_bytes, &sz) ||
            !mp_add_size(b->whole_bytes, sz, &b->whole_bytes))
            return mp_errorf(err, MP_E_OVERFLOW, "block: whole buffer bytes overflow");
    }
    if (!mp_add_size(b->whole_bytes, b->accum_bytes, &b->whole_bytes))
        return mp_errorf(err, MP_E_OVERFLOW, "block: whole buffer bytes overflow");
    b->rest_peak = 0;
    b->rest_peak_step = b->last_step;
    for (uint32_t s = b->last_step + 1; s < pl->n_steps; s++) {
        if (pl->steps[s].live_bytes > b->rest_peak) {
            b->rest_peak = pl->steps[s].live_bytes;
            b->rest_peak_step = s;
        }
    }
    return MP_OK;
}

static void op_facts(block_info *b)
{
    const mp_graph *g = b->g;
    uint64_t block_macs = 0;
    size_t best_row = 0;
    b->balance_slot = b->split_slot;
    for (uint32_t l = 0; l < b->n_ops; l++) {
        const mp_op *o = &g->ops[b->ops[l]];
        const mp_tensor *out = &g->tensors[o->out[0]];
        uint64_t px = (uint64_t)out->shape.h * (uint64_t)out->shape.w;
        b->macs_per_px[l] = px ? o->macs / px : 0;
        block_macs += o->macs;
        if (b->in_start[l] == b->in_start[l + 1])
            continue;
        const mp_stage_tensor *in = &b->slots[b->in_slot[b->in_start[l]]];
        const mp_stage_tensor *os = &b->slots[b->out_slot[l]];
        b->inplace_ok[l] = b->opts->inplace_dw && o->type == MP_OP_DEPTHWISE_CONV2D &&
                           o->p.depth_multiplier == 1 && in->last_op == (int32_t)l &&
                           (in->role == MP_ROLE_WORKING || in->role == MP_ROLE_STREAM_INPUT) &&
                           os->role == MP_ROLE_WORKING &&
                           g->tensors[in->id].dtype == out->dtype;
    }
    for (uint32_t k = 0; k < b->n_slots; k++) {
        const mp_stage_tensor *s = &b->slots[k];
        const mp_tensor *t = &g->tensors[s->id];
        if (s->role != MP_ROLE_WORKING && s->role != MP_ROLE_STREAM_INPUT)
            continue;
        size_t row = (size_t)t->shape.w * (size_t)t->shape.c * mp_dtype_size(t->dtype);
        if (row > best_row) {
            best_row = row;
            b->balance_slot = (int32_t)k;
        }
    }
    b->other_macs = g->macs - block_macs;
}

mp_status block_init(block_info *b, const mp_graph *g, const mp_per_layer *pl,
                     const mp_plan_opts *opts, uint32_t first_step, uint32_t last_step,
                     mp_error *err)
{
    memset(b, 0, sizeof *b);
    b->g = g;
    b->opts = opts;
    if (first_step > last_step || last_step >= pl->n_steps)
        return mp_errorf(err, MP_E_INVALID, "patch block: steps %u..%u out of range (0..%u)",
                         first_step, last_step, pl->n_steps - 1);
    b->first_step = first_step;
    b->last_step = last_step;
    b->n_ops = last_step - first_step + 1;
    uint32_t *ops = mp_calloc(b->n_ops, sizeof *ops);
    b->ops = ops;
    b->slots = mp_calloc(g->n_tensors, sizeof *b->slots);
    b->slot_of = mp_calloc(g->n_tensors, sizeof *b->slot_of);
    b->out_slot = mp_calloc(b->n_ops, sizeof *b->out_slot);
    b->macs_per_px = mp_calloc(b->n_ops, sizeof *b->macs_per_px);
    b->inplace_ok = mp_calloc(b->n_ops, sizeof *b->inplace_ok);
    b->kernel = mp_calloc(b->n_ops, sizeof *b->kernel);
    if (!ops || !b->slots || !b->slot_of || !b->out_slot || !b->macs_per_px || !b->inplace_ok ||
        !b->kernel)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t t = 0; t < g->n_tensors; t++)
        b->slot_of[t] = -1;
    for (uint32_t l = 0; l < b->n_ops; l++) {
        ops[l] = pl->steps[first_step + l].op;
        b->kernel[l] = pl->steps[first_step + l].kernel_bytes;
        if (l + 1 == b->n_ops && l > 0 && mp_patch_op_reduces(g, ops[l])) {
            b->kernel[l] = 0;
            b->reduces = true;
            continue;
        }
        if (!mp_patch_op_ok(g, ops[l])) {
            char where[160];
            return mp_errorf(err, MP_E_INVALID,
                             "%s cannot be part of a patch stage (%s)",
                             mp_graph_op_where(g, ops[l], where, sizeof where),
                             mp_patch_op_why_not(g, ops[l]));
        }
    }
    MP_TRY(collect_slots(b, pl, err));
    MP_TRY(collect_inputs(b, err));
    b->split_slot = b->out_slot[b->n_ops - 1];
    if (b->reduces) {
        const mp_op *red = &g->ops[ops[b->n_ops - 1]];
        b->split_slot = b->slot_of[red->in[0]];
        size_t acc = (size_t)g->tensors[red->out[0]].shape.c * sizeof(int32_t);
        if (!mp_plan_aligned(opts, acc, &b->accum_bytes))
            return mp_errorf(err, MP_E_OVERFLOW, "accumulator bytes overflow");
    }
    op_facts(b);
    MP_TRY(collect_live(b, err));
    MP_TRY(axis_balance_needs(b, 0, err));
    MP_TRY(axis_balance_needs(b, 1, err));
    return fixed_costs(b, pl, err);
}

void block_release(block_info *b)
{
    mp_free((void *)b->ops);
    mp_free(b->slots);
    mp_free(b->slot_of);
    mp_free(b->out_slot);
    mp_free(b->in_start);
    mp_free(b->in_slot);
    mp_free(b->in_operand);
    mp_free(b->macs_per_px);
    mp_free(b->inplace_ok);
    mp_free(b->kernel);
    mp_free(b->live_start);
    mp_free(b->live_slot);
    mp_free(b->scratch);
    mp_free(b->px_bytes);
    mp_free(b->region_slot);
    mp_free(b->balance_need[0]);
    mp_free(b->balance_need[1]);
    memset(b, 0, sizeof *b);
}
