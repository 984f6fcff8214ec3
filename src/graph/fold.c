/* SPDX-License-Identifier: MIT */
/*
 * fold.c - PAD folding (module graph), the first step of mp_graph_finalize.
 *
 * Exporters from PyTorch/ONNX put an explicit PAD before strided
 * convolutions. A PAD (or PADV2) whose constant is the quantized zero of its
 * input, that pads height and width only and whose output is read by exactly
 * one op, a convolution or depthwise convolution with VALID padding, at its
 * activation input, is the same computation as that convolution with the
 * PAD's amounts as explicit per-side padding: TFLite's convolutions skip
 * padded taps, which is what a tap reading the zero point contributes
 * ((zp - zp) * w = 0). The PAD op and the padded tensor are removed from the
 * graph, so no schedule and no executor ever holds the padded tensor; the
 * convolution records the PAD's name (mp_op.folded_pad).
 *
 * Pooling is not folded: TFLite's pools leave padded cells out of both the
 * maximum and the average, while a PAD makes them real values (the zero
 * point can be the maximum; the average divides by the whole window). Nor is
 * anything read by more than one op, a network output, channel padding or
 * another constant. Graphs with repeat groups are left as they are (the
 * groups name ops by index).
 */
#include "graph_int.h"

#include "../util/alloc.h"

#include <string.h>

static bool same_quant(const mp_tensor *a, const mp_tensor *b)
{
    return a->dtype == MP_DTYPE_INT8 && b->dtype == MP_DTYPE_INT8 && a->quant.n == 1 &&
           b->quant.n == 1 && a->quant.scale[0] == b->quant.scale[0] &&
           a->quant.zero_point[0] == b->quant.zero_point[0];
}

static bool foldable_pad(const mp_graph *g, const mp_op *p)
{
    if (p->type != MP_OP_PAD || p->n_in != 1 || p->n_out != 1 || p->in[0] == MP_NO_TENSOR ||
        p->p.pad_ch_before || p->p.pad_ch_after || p->p.padding != MP_PADDING_EXPLICIT)
        return false;
    const mp_tensor *in = &g->tensors[p->in[0]], *out = &g->tensors[p->out[0]];
    if (!same_quant(in, out) || (out->flags & MP_TENSOR_OUTPUT))
        return false;
    for (uint32_t i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == p->out[0])
            return false;
    return !p->p.pad_value_set || p->p.pad_value == out->quant.zero_point[0];
}

static bool foldable_reader(const mp_op *c, mp_tensor_id t)
{
    if ((c->type != MP_OP_CONV2D && c->type != MP_OP_DEPTHWISE_CONV2D) ||
        c->p.padding != MP_PADDING_VALID || c->n_in < 1 || c->in[0] != t)
        return false;
    for (uint32_t k = 1; k < c->n_in; k++)
        if (c->in[k] == t)
            return false;
    return true;
}

/* Readers of every tensor: count, and the last op reading it. */
static void count_readers(const mp_graph *g, uint32_t *n_readers, uint32_t *reader)
{
    for (uint32_t i = 0; i < g->n_ops; i++) {
        const mp_op *o = &g->ops[i];
        for (uint32_t k = 0; k < o->n_in; k++) {
            mp_tensor_id t = o->in[k];
            if (t == MP_NO_TENSOR || t >= g->n_tensors)
                continue;
            if (k == 0 || o->in[k - 1] != t)
                n_readers[t]++;
            reader[t] = i;
        }
    }
}

mp_status mp_graph_fold_pads(mp_graph *g, mp_error *err)
{
    g->n_folded_pads = 0;
    if (g->n_repeats || g->n_ops == 0)
        return MP_OK;
    uint32_t *n_readers = mp_calloc(g->n_tensors ? g->n_tensors : 1, sizeof *n_readers);
    uint32_t *reader = mp_calloc(g->n_tensors ? g->n_tensors : 1, sizeof *reader);
    uint8_t *drop_op = mp_calloc(g->n_ops, 1);
    uint8_t *drop_t = mp_calloc(g->n_tensors ? g->n_tensors : 1, 1);
    mp_status st = MP_OK;
    if (!n_readers || !reader || !drop_op || !drop_t) {
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
        goto done;
    }
    count_readers(g, n_readers, reader);
    for (uint32_t i = 0; i < g->n_ops; i++) {
        const mp_op *p = &g->ops[i];
        if (!foldable_pad(g, p) || n_readers[p->out[0]] != 1)
            continue;
        mp_op *c = &g->ops[reader[p->out[0]]];
        if (!foldable_reader(c, p->out[0]))
            continue;
        c->p.padding = MP_PADDING_EXPLICIT;
        c->p.pad_top = p->p.pad_top;
        c->p.pad_bottom = p->p.pad_bottom;
        c->p.pad_left = p->p.pad_left;
        c->p.pad_right = p->p.pad_right;
        ((mp_tensor_id *)c->in)[0] = p->in[0]; /* pool memory the graph owns */
        c->folded_pad = p->name;
        drop_op[i] = 1;
        drop_t[p->out[0]] = 1;
        g->n_folded_pads++;
    }
    if (g->n_folded_pads)
        st = mp_graph_compact(g, drop_op, drop_t, err);
done:
    mp_free(n_readers);
    mp_free(reader);
    mp_free(drop_op);
    mp_free(drop_t);
    return st;
}
