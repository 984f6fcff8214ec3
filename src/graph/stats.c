/* SPDX-License-Identifier: MIT */
/*
 * stats.c - MACs, parameter counts and flash bytes (module graph).
 *
 * MACs count the multiply-accumulates of convolutions, depthwise
 * convolutions and fully connected layers (the usual figure papers quote):
 *   conv:      out_h * out_w * out_c * kernel_h * kernel_w * (in_c / groups)
 *   depthwise: out_h * out_w * out_c * kernel_h * kernel_w
 *   fc:        units * in_elements (rows * units * depth, TFLite's rows of the last axis)
 *   transpose_conv: in_h * in_w * in_c * kernel_h * kernel_w * out_c
 * Other modelled ops (elementwise, activations, pooling, reducers, data movement) count 0
 * MACs (docs/algorithms.md); unknown ops have no MAC count.
 * Parameters are the elements of weight and bias tensors; flash bytes are the
 * bytes of every constant tensor some op reads (each tensor once).
 */
#include "graph_int.h"

#include "../util/alloc.h"
#include "../util/checked.h"

static bool op_macs(const mp_graph *g, const mp_op *op, uint64_t *macs)
{
    const mp_shape o = g->tensors[op->out[0]].shape;
    const mp_shape i = g->tensors[op->in[0]].shape;
    uint64_t m = 0;
    bool ok = true;
    switch (op->type) {
    case MP_OP_CONV2D:
        ok = mp_mul_u64((uint64_t)o.h * (uint64_t)o.w, (uint64_t)o.c, &m) &&
             mp_mul_u64(m, (uint64_t)op->p.kernel_h * (uint64_t)op->p.kernel_w, &m) &&
             mp_mul_u64(m, (uint64_t)(i.c / op->p.groups), &m);
        break;
    case MP_OP_DEPTHWISE_CONV2D:
        ok = mp_mul_u64((uint64_t)o.h * (uint64_t)o.w, (uint64_t)o.c, &m) &&
             mp_mul_u64(m, (uint64_t)op->p.kernel_h * (uint64_t)op->p.kernel_w, &m);
        break;
    case MP_OP_FULLY_CONNECTED: /* rows * units * depth = units * input elements */
        ok = mp_mul_u64((uint64_t)o.c, (uint64_t)i.h * (uint64_t)i.w * (uint64_t)i.c, &m);
        break;
    case MP_OP_TRANSPOSE_CONV: /* every input element times every tap and output channel */
        ok = mp_mul_u64((uint64_t)i.h * (uint64_t)i.w, (uint64_t)i.c, &m) &&
             mp_mul_u64(m, (uint64_t)op->p.kernel_h * (uint64_t)op->p.kernel_w, &m) &&
             mp_mul_u64(m, (uint64_t)o.c, &m);
        break;
    default:
        break;
    }
    *macs = m;
    return ok;
}

static uint64_t tensor_elems(const mp_tensor *t)
{
    return (uint64_t)t->shape.n * (uint64_t)t->shape.h * (uint64_t)t->shape.w *
           (uint64_t)t->shape.c;
}

mp_status mp_graph_compute_stats(mp_graph *g, mp_error *err)
{
    uint8_t *seen = mp_calloc(g->n_tensors, 1);
    if (!seen)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    g->macs = g->params = g->weight_bytes = 0;
    g->n_unknown_ops = 0;
    mp_status st = MP_OK;
    for (uint32_t i = 0; i < g->n_ops && st == MP_OK; i++) {
        mp_op *op = &g->ops[i];
        op->macs_known = op->type != MP_OP_UNKNOWN;
        if (!op->macs_known)
            g->n_unknown_ops++;
        else if (!op_macs(g, op, &op->macs) || !mp_add_u64(g->macs, op->macs, &g->macs)) {
            char where[160];
            st = mp_errorf(err, MP_E_OVERFLOW, "%s: MAC count overflows", OP_WHERE(g, i, where));
            break;
        }
        op->params = 0;
        bool weighted = op->type == MP_OP_CONV2D || op->type == MP_OP_DEPTHWISE_CONV2D ||
                        op->type == MP_OP_FULLY_CONNECTED || op->type == MP_OP_TRANSPOSE_CONV;
        for (uint32_t k = 0; k < op->n_in; k++) {
            mp_tensor_id t = op->in[k];
            if (t == MP_NO_TENSOR || !(g->tensors[t].flags & MP_TENSOR_CONST))
                continue;
            if (weighted && (k == 1 || k == 2))
                op->params += tensor_elems(&g->tensors[t]);
            if (!seen[t]) {
                seen[t] = 1;
                g->weight_bytes += g->tensors[t].size_bytes;
            }
        }
        g->params += op->params;
    }
    mp_free(seen);
    return st;
}
