/* SPDX-License-Identifier: MIT */
/*
 * patch_bound.c - lower bounds of every tiled schedule of a block, without
 * building the block or its regions (module plan).
 *
 * The patch search (every split) and the fused search (every block i..j)
 * use them to skip blocks that cannot reach the front; see "Search cost" in
 * docs/algorithms.md. Both bounds hold for every grid, cut style and halo
 * mode of at most max_rows x max_cols tiles:
 *
 * - stage peak >= the bytes held whole during the block (every tensor live
 *   in it, except those produced in it and dead after it, and a streamed
 *   network input) + the reduction's accumulators + the smallest region any
 *   working tensor can have in its largest patch (below);
 * - MACs >= the MACs outside the block + for every op, its MACs per output
 *   position x the covered rows x the covered columns of its output.
 *
 * Covered rows of a tensor: an interval that the union of its computed
 * intervals over the tiles always contains. Tensors used after the block
 * (and a reduction's input) are cut by the tiles and covered whole; the
 * input of an op whose windows over consecutive outputs read consecutive
 * rows (stride <= kernel, no dilation; pad; element-wise ops) is covered by
 * the rows its readers' covered outputs read. Other readers cover nothing
 * (the bound only weakens). A tensor covered over cr x cc has in its largest
 * patch a region of at least ceil(cr / max_rows) x ceil(cc / max_cols)
 * positions. Cost: O(tensors + ops of the block).
 */
#include "patch_int.h"

#include "../util/alloc.h"
#include "../util/checked.h"

#include <string.h>

mp_status block_bound_init(block_bound *w, const mp_graph *g, const mp_per_layer *pl,
                           const mp_plan_opts *opts, uint32_t max_rows, uint32_t max_cols,
                           mp_error *err)
{
    memset(w, 0, sizeof *w);
    w->g = g;
    w->pl = pl;
    w->opts = opts;
    w->max_rows = max_rows ? max_rows : 1;
    w->max_cols = max_cols ? max_cols : 1;
    w->cover = mp_calloc((size_t)g->n_tensors * 2 + 2, sizeof *w->cover);
    w->bytes = mp_calloc((size_t)g->n_tensors + 1, sizeof *w->bytes);
    if (!w->cover || !w->bytes) {
        block_bound_release(w);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    for (uint32_t t = 0; t < g->n_tensors; t++)
        if (!mp_plan_aligned(opts, g->tensors[t].size_bytes, &w->bytes[t])) {
            block_bound_release(w);
            return mp_errorf(err, MP_E_OVERFLOW, "tensor '%s': bytes overflow",
                             g->tensors[t].name);
        }
    return MP_OK;
}

void block_bound_release(block_bound *w)
{
    mp_free(w->cover);
    mp_free(w->bytes);
    memset(w, 0, sizeof *w);
}

static bool produced_in(const block_bound *w, mp_tensor_id t, uint32_t first, uint32_t last)
{
    const mp_tensor *x = &w->g->tensors[t];
    int32_t s = w->pl->first_step[t];
    return !(x->flags & MP_TENSOR_INPUT) && s >= (int32_t)first && s <= (int32_t)last;
}

static bool used_after(const block_bound *w, mp_tensor_id t, uint32_t last)
{
    return (w->g->tensors[t].flags & MP_TENSOR_OUTPUT) || w->pl->last_step[t] > (int32_t)last;
}

/* Bytes held whole while first..last run (a lower bound of block_info.whole_bytes). */
static bool whole_bytes(const block_bound *w, uint32_t first, uint32_t last, size_t *out)
{
    const mp_graph *g = w->g;
    *out = 0;
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        const int32_t *fs = w->pl->first_step, *ls = w->pl->last_step;
        if (fs[t] < 0 || fs[t] > (int32_t)last || ls[t] < (int32_t)first)
            continue;
        bool after = used_after(w, t, last);
        if (!after && produced_in(w, t, first, last))
            continue; /* a working region */
        if (!after && first == 0 && w->opts->input_mode == MP_INPUT_STREAM &&
            (g->tensors[t].flags & MP_TENSOR_INPUT))
            continue; /* may be streamed */
        if (!mp_add_size(*out, w->bytes[t], out))
            return false;
    }
    return true;
}

static int32_t axis_size(const mp_graph *g, mp_tensor_id t, int axis)
{
    return axis ? g->tensors[t].shape.w : g->tensors[t].shape.h;
}

static int32_t ilen(mp_interval v)
{
    return v.b > v.a ? v.b - v.a : 0;
}

/* What operand k of op reads for the contiguous output rows out, when that is
 * contiguous too (else empty). */
static mp_interval reads(const mp_graph *g, uint32_t op, uint32_t k, int axis, mp_interval out)
{
    const mp_op *o = &g->ops[op];
    const mp_op_params *p = &o->p;
    mp_interval none = {0, 0};
    switch (o->type) {
    case MP_OP_CONV2D:
    case MP_OP_DEPTHWISE_CONV2D:
    case MP_OP_AVG_POOL2D:
    case MP_OP_MAX_POOL2D: {
        int32_t ks = axis ? p->kernel_w : p->kernel_h, s = axis ? p->stride_w : p->stride_h;
        int32_t d = axis ? p->dilation_w : p->dilation_h;
        if (d > 1 || s > ks || s < 1)
            return none;
        break;
    }
    case MP_OP_PAD:
    case MP_OP_ADD:
    case MP_OP_MUL:
    case MP_OP_CONCAT:
    case MP_OP_QUANTIZE:
    case MP_OP_DEQUANTIZE:
        break;
    default:
        return none;
    }
    return block_backprop(g, op, k, axis, out, NULL);
}

static void merge_cover(mp_interval *c, mp_interval v)
{
    if (ilen(v) == 0)
        return;
    if (ilen(*c) == 0 || (v.a <= c->b && c->a <= v.b)) { /* overlapping: the hull is covered */
        mp_interval h = ilen(*c) ? *c : v;
        *c = (mp_interval){v.a < h.a ? v.a : h.a, v.b > h.b ? v.b : h.b};
    } else if (ilen(v) > ilen(*c)) {
        *c = v;
    }
}

typedef struct bound_acc {
    uint64_t macs;
    size_t region;  /* the largest smallest-region of a working tensor */
    bool ok;
} bound_acc;

static void account_op(const block_bound *w, uint32_t op, uint32_t first, uint32_t last,
                       bound_acc *acc)
{
    const mp_graph *g = w->g;
    const mp_op *o = &g->ops[op];
    mp_tensor_id t = o->out[0];
    const mp_tensor *x = &g->tensors[t];
    mp_interval *cv = &w->cover[(size_t)t * 2];
    uint64_t px = (uint64_t)x->shape.h * (uint64_t)x->shape.w;
    uint64_t per_px = px ? o->macs / px : 0, m;
    if (!mp_mul_u64(per_px, (uint64_t)ilen(cv[0]), &m) ||
        !mp_mul_u64(m, (uint64_t)ilen(cv[1]), &m) || !mp_add_u64(acc->macs, m, &acc->macs))
        acc->ok = false;
    bool inplace = w->opts->inplace_dw && o->type == MP_OP_DEPTHWISE_CONV2D;
    if (!used_after(w, t, last) && !inplace) {
        uint64_t r = ((uint64_t)ilen(cv[0]) + w->max_rows - 1) / w->max_rows;
        uint64_t c = ((uint64_t)ilen(cv[1]) + w->max_cols - 1) / w->max_cols;
        size_t v;
        if (!mp_mul_u64(r, c, &m) || !mp_mul_u64(m, (uint64_t)x->shape.c, &m) ||
            !mp_mul_u64(m, mp_dtype_size(x->dtype), &m) || m > SIZE_MAX ||
            !mp_plan_aligned(w->opts, (size_t)m, &v))
            acc->ok = false;
        else if (v > acc->region)
            acc->region = v;
    }
    for (uint32_t k = 0; k < o->n_in; k++) {
        mp_tensor_id q = o->in[k];
        if (q == MP_NO_TENSOR || !mp_tensor_is_activation(&g->tensors[q]) ||
            !produced_in(w, q, first, last))
            continue;
        for (int axis = 0; axis < 2; axis++)
            merge_cover(&w->cover[(size_t)q * 2 + axis], reads(g, op, k, axis, cv[axis]));
    }
}

bool block_bound_eval(block_bound *w, uint32_t first, uint32_t last, size_t *stage_lb,
                      uint64_t *macs_lb)
{
    const mp_graph *g = w->g;
    const mp_live_step *steps = w->pl->steps;
    bool reduces = last > first && mp_patch_op_reduces(g, steps[last].op);
    bound_acc acc = {0, 0, true};
    for (uint32_t s = first; s <= last; s++) { /* every tensor the block writes: nothing yet */
        mp_tensor_id t = g->ops[steps[s].op].out[0];
        bool full = used_after(w, t, last);
        for (int axis = 0; axis < 2; axis++)
            w->cover[(size_t)t * 2 + axis] =
                full ? (mp_interval){0, axis_size(g, t, axis)} : (mp_interval){0, 0};
    }
    size_t accum = 0;
    if (reduces) {
        const mp_op *red = &g->ops[steps[last].op];
        mp_tensor_id in = red->in[0], out = red->out[0];
        for (int axis = 0; axis < 2; axis++) {
            w->cover[(size_t)out * 2 + axis] = (mp_interval){0, 1};
            w->cover[(size_t)in * 2 + axis] = (mp_interval){0, axis_size(g, in, axis)};
        }
        if (!mp_plan_aligned(w->opts, (size_t)g->tensors[out].shape.c * sizeof(int32_t), &accum))
            return false;
    }
    uint64_t block_macs = 0;
    for (uint32_t s = last + 1; s-- > first;) {
        block_macs += g->ops[steps[s].op].macs;
        if (reduces && s == last) { /* its own MACs count once; its input is cut */
            mp_tensor_id out = g->ops[steps[s].op].out[0];
            const mp_tensor *x = &g->tensors[out];
            uint64_t px = (uint64_t)x->shape.h * (uint64_t)x->shape.w;
            if (!mp_add_u64(acc.macs, px ? g->ops[steps[s].op].macs / px : 0, &acc.macs))
                return false;
            continue;
        }
        account_op(w, steps[s].op, first, last, &acc);
    }
    size_t whole;
    if (!acc.ok || !whole_bytes(w, first, last, &whole) || !mp_add_size(whole, accum, &whole) ||
        !mp_add_size(whole, acc.region, stage_lb) || block_macs > g->macs)
        return false;
    *macs_lb = acc.macs + (g->macs - block_macs);
    return *macs_lb >= acc.macs;
}
