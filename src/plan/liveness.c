/* SPDX-License-Identifier: MIT */
/*
 * liveness.c - tensor lifetimes and the per-layer peak (module plan).
 *
 * One pass over the order finds each activation tensor's first step (its
 * producer's step, 0 for network inputs) and last step (its last reader's
 * step, the final step for network outputs). A difference array then gives
 * the live bytes of every step in O(ops + tensors): add a tensor's size at
 * its first step, subtract it after its last. In-place depthwise steps are
 * corrected afterwards (their output shares the input's buffer at that step).
 * A float/uint8 input read only by QUANTIZE is the caller's buffer and not in
 * SRAM unless opts->count_float_input (docs/algorithms.md "Float boundary").
 */
#include "memplan/mp_plan.h"

#include "../util/alloc.h"
#include "../util/checked.h"

#include <string.h>

void mp_plan_opts_init(mp_plan_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->align = 1;
    opts->input_mode = MP_INPUT_SRAM;
}

bool mp_plan_aligned(const mp_plan_opts *opts, size_t n, size_t *out)
{
    return mp_align_up(n, opts && opts->align ? opts->align : 1, out);
}

void mp_per_layer_release(mp_per_layer *pl)
{
    if (!pl)
        return;
    mp_free(pl->steps);
    mp_free(pl->first_step);
    mp_free(pl->last_step);
    memset(pl, 0, sizeof *pl);
}

bool mp_plan_dw_inplace_ok(const mp_graph *g, uint32_t op, const int32_t *last_step, int32_t step)
{
    const mp_op *o = &g->ops[op];
    if (o->type != MP_OP_DEPTHWISE_CONV2D || o->p.depth_multiplier != 1)
        return false;
    const mp_tensor *in = &g->tensors[o->in[0]];
    const mp_tensor *out = &g->tensors[o->out[0]];
    if (in->dtype != out->dtype || (in->flags & MP_TENSOR_OUTPUT))
        return false;
    return last_step[o->in[0]] == step && out->size_bytes <= in->size_bytes;
}

/* first/last step of every activation tensor under order. */
static mp_status lifetimes(const mp_graph *g, const uint32_t *order, int32_t *first,
                           int32_t *last, mp_error *err)
{
    int32_t final_step = (int32_t)g->n_ops - 1;
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        first[t] = last[t] = -1;
        if (g->tensors[t].flags & MP_TENSOR_INPUT)
            first[t] = last[t] = 0;
    }
    for (uint32_t s = 0; s < g->n_ops; s++) {
        const mp_op *op = &g->ops[order[s]];
        for (uint32_t k = 0; k < op->n_in; k++) {
            mp_tensor_id t = op->in[k];
            if (t == MP_NO_TENSOR || !mp_tensor_is_activation(&g->tensors[t]))
                continue;
            if (first[t] < 0)
                return mp_errorf(err, MP_E_INVALID,
                                 "order: op '%s' at step %u reads '%s' before it is written",
                                 op->name, s, g->tensors[t].name);
            last[t] = (int32_t)s;
        }
        for (uint32_t k = 0; k < op->n_out; k++) {
            mp_tensor_id t = op->out[k];
            first[t] = last[t] = (int32_t)s;
        }
    }
    for (uint32_t t = 0; t < g->n_tensors; t++)
        if ((g->tensors[t].flags & MP_TENSOR_OUTPUT) && first[t] >= 0)
            last[t] = final_step;
    return MP_OK;
}

static mp_status check_order(const mp_graph *g, const uint32_t *order, mp_error *err)
{
    uint8_t *seen = mp_calloc(g->n_ops, 1);
    if (!seen)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    mp_status st = MP_OK;
    for (uint32_t s = 0; s < g->n_ops && st == MP_OK; s++) {
        if (order[s] >= g->n_ops || seen[order[s]])
            st = mp_errorf(err, MP_E_INVALID, "order: step %u names op %u twice or out of range",
                           s, order[s]);
        else
            seen[order[s]] = 1;
    }
    mp_free(seen);
    return st;
}

/* Live bytes per step from the lifetimes (difference array of aligned sizes). */
static mp_status sum_live(const mp_graph *g, const mp_plan_opts *opts, mp_per_layer *pl,
                          mp_error *err)
{
    size_t *delta = mp_calloc((size_t)g->n_ops + 1, sizeof *delta);
    size_t *minus = mp_calloc((size_t)g->n_ops + 1, sizeof *minus);
    mp_status st = MP_OK;
    if (!delta || !minus) {
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
        goto out;
    }
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        if (pl->first_step[t] < 0)
            continue;
        size_t sz;
        if (!mp_plan_aligned(opts, g->tensors[t].size_bytes, &sz) ||
            !mp_add_size(delta[pl->first_step[t]], sz, &delta[pl->first_step[t]])) {
            st = mp_errorf(err, MP_E_OVERFLOW, "tensor '%s': live bytes overflow",
                           g->tensors[t].name);
            goto out;
        }
        minus[pl->last_step[t] + 1] += sz;
    }
    size_t live = 0;
    for (uint32_t s = 0; s < g->n_ops; s++) {
        if (!mp_add_size(live, delta[s], &live)) {
            st = mp_errorf(err, MP_E_OVERFLOW, "live bytes overflow at step %u", s);
            goto out;
        }
        live -= minus[s];
        pl->steps[s].live_bytes = live;
    }
out:
    mp_free(delta);
    mp_free(minus);
    return st;
}

/* The input an add/mul or reshape at step s may take over, or MP_NO_TENSOR. */
static mp_tensor_id ew_inplace_input(const mp_graph *g, uint32_t op, const int32_t *last_step,
                                     int32_t s)
{
    const mp_op *o = &g->ops[op];
    const mp_tensor *out = &g->tensors[o->out[0]];
    if (o->type != MP_OP_ADD && o->type != MP_OP_MUL && o->type != MP_OP_RESHAPE)
        return MP_NO_TENSOR;
    uint32_t n = o->type == MP_OP_RESHAPE ? 1 : o->n_in;
    for (uint32_t k = 0; k < n; k++) {
        mp_tensor_id t = o->in[k];
        if (t == MP_NO_TENSOR)
            continue;
        const mp_tensor *in = &g->tensors[t];
        if (!mp_tensor_is_activation(in) || (in->flags & MP_TENSOR_OUTPUT) ||
            last_step[t] != s || in->dtype != out->dtype || in->size_bytes != out->size_bytes)
            continue;
        return t;
    }
    return MP_NO_TENSOR;
}

/* In-place steps: the output shares an input's buffer at its step. Depthwise
 * adds one output plane of scratch; elementwise ops and reshape add nothing. */
static mp_status apply_inplace(const mp_graph *g, const mp_plan_opts *opts, mp_per_layer *pl,
                               mp_error *err)
{
    for (uint32_t s = 0; s < pl->n_steps; s++) {
        uint32_t op = pl->steps[s].op;
        const mp_tensor *out = &g->tensors[g->ops[op].out[0]];
        size_t out_sz, plane = 0;
        mp_inplace_kind kind = MP_INPLACE_NONE;
        mp_tensor_id in = MP_NO_TENSOR;
        if (opts->inplace_dw && mp_plan_dw_inplace_ok(g, op, pl->last_step, (int32_t)s)) {
            kind = MP_INPLACE_DW;
            in = g->ops[op].in[0];
            size_t raw = (size_t)out->shape.h * (size_t)out->shape.w * mp_dtype_size(out->dtype);
            if (!mp_plan_aligned(opts, raw, &plane))
                return mp_errorf(err, MP_E_OVERFLOW, "in-place plane overflows");
        } else if (opts->inplace_ops) {
            in = ew_inplace_input(g, op, pl->last_step, (int32_t)s);
            if (in != MP_NO_TENSOR)
                kind = g->ops[op].type == MP_OP_RESHAPE ? MP_INPLACE_VIEW : MP_INPLACE_EW;
        }
        if (kind == MP_INPLACE_NONE)
            continue;
        if (!mp_plan_aligned(opts, out->size_bytes, &out_sz))
            return mp_errorf(err, MP_E_OVERFLOW, "in-place output overflows");
        pl->steps[s].live_bytes = pl->steps[s].live_bytes - out_sz + plane;
        pl->steps[s].scratch_bytes = plane;
        pl->steps[s].inplace = true;
        pl->steps[s].inplace_kind = kind;
        pl->steps[s].inplace_input = in;
    }
    return MP_OK;
}

/* Each step's kernel scratch (opts->kernels), live during the step only. */
static mp_status add_kernel_scratch(const mp_graph *g, const mp_plan_opts *opts,
                                    mp_per_layer *pl, mp_error *err)
{
    for (uint32_t s = 0; s < pl->n_steps; s++) {
        size_t k = mp_op_scratch_bytes(g, pl->steps[s].op, opts->kernels);
        if (k && (!mp_plan_aligned(opts, k, &k) ||
                  !mp_add_size(pl->steps[s].live_bytes, k, &pl->steps[s].live_bytes)))
            return mp_errorf(err, MP_E_OVERFLOW, "step %u: kernel scratch overflows", s);
        pl->steps[s].kernel_bytes = k;
    }
    return MP_OK;
}

mp_status mp_plan_per_layer(const mp_graph *g, const uint32_t *order, const mp_plan_opts *opts,
                            mp_per_layer *out, mp_error *err)
{
    mp_plan_opts defaults;
    if (!opts) {
        mp_plan_opts_init(&defaults);
        opts = &defaults;
    }
    memset(out, 0, sizeof *out);
    if (!order)
        order = g->order;
    MP_TRY(check_order(g, order, err));
    out->n_steps = g->n_ops;
    out->steps = mp_calloc(g->n_ops, sizeof *out->steps);
    out->first_step = mp_calloc(g->n_tensors, sizeof *out->first_step);
    out->last_step = mp_calloc(g->n_tensors, sizeof *out->last_step);
    mp_status st = MP_OK;
    if (!out->steps || !out->first_step || !out->last_step)
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t s = 0; st == MP_OK && s < g->n_ops; s++) {
        out->steps[s].op = order[s];
        out->steps[s].inplace_input = MP_NO_TENSOR;
    }
    if (st == MP_OK)
        st = lifetimes(g, order, out->first_step, out->last_step, err);
    for (uint32_t i = 0; st == MP_OK && !opts->count_float_input && i < g->n_inputs; i++)
        if (mp_graph_is_boundary_input(g, g->inputs[i])) /* the caller's buffer */
            out->first_step[g->inputs[i]] = out->last_step[g->inputs[i]] = -1;
    if (st == MP_OK)
        st = sum_live(g, opts, out, err);
    if (st == MP_OK && (opts->inplace_dw || opts->inplace_ops))
        st = apply_inplace(g, opts, out, err);
    if (st == MP_OK && opts->kernels != MP_TFLM_KERNELS_REFERENCE)
        st = add_kernel_scratch(g, opts, out, err);
    if (st != MP_OK) {
        mp_per_layer_release(out);
        return st;
    }
    for (uint32_t s = 0; s < out->n_steps; s++) {
        if (out->steps[s].live_bytes > out->peak_bytes) {
            out->peak_bytes = out->steps[s].live_bytes;
            out->peak_step = s;
        }
        size_t tensors = out->steps[s].live_bytes - out->steps[s].kernel_bytes;
        if (tensors > out->tensor_peak_bytes) {
            out->tensor_peak_bytes = tensors;
            out->tensor_peak_step = s;
        }
    }
    return MP_OK;
}
