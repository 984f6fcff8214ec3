/* SPDX-License-Identifier: MIT */
/*
 * run_ref.c - the reference runner (module exec): every activation tensor in
 * its own heap allocation, ops in the graph's order over whole tensors; plus
 * the saturation statistic of a run.
 *
 * This is the "per-layer" side of every bit-exactness check: a schedule
 * runner that places buffers in one arena must produce the same bytes.
 */
#include "exec_int.h"

#include "../util/alloc.h"

#include <math.h>
#include <string.h>

void mp_exec_run_release(mp_exec_run *run)
{
    if (!run)
        return;
    for (uint32_t i = 0; run->tensor && i < run->n_tensors; i++)
        mp_free(run->tensor[i]);
    mp_free(run->tensor);
    run->tensor = NULL;
    run->n_tensors = 0;
}

const int8_t *mp_exec_run_output(const mp_exec_run *run, const mp_exec_model *m, uint32_t k)
{
    if (!run->tensor || k >= m->g->n_outputs)
        return NULL;
    return run->tensor[m->g->outputs[k]];
}

static mp_status alloc_tensor(const mp_graph *g, mp_exec_run *run, mp_tensor_id id, mp_error *err)
{
    size_t n = g->tensors[id].size_bytes;
    if (!run->tensor[id]) {
        run->tensor[id] = mp_malloc(n ? n : 1);
        if (!run->tensor[id])
            return mp_errorf(err, MP_E_NOMEM, "out of memory for tensor '%s' (%zu bytes)",
                             g->tensors[id].name, n);
    }
    return MP_OK;
}

/* Per tensor, the last step that reads it; network inputs and outputs never die. */
static int32_t *last_uses(const mp_graph *g)
{
    int32_t *last = mp_calloc(g->n_tensors ? g->n_tensors : 1, sizeof *last);
    if (!last)
        return NULL;
    for (uint32_t s = 0; s < g->n_ops; s++) {
        const mp_op *op = &g->ops[g->order[s]];
        for (uint32_t k = 0; k < op->n_in; k++)
            if (op->in[k] != MP_NO_TENSOR)
                last[op->in[k]] = (int32_t)s;
    }
    for (uint32_t k = 0; k < g->n_outputs; k++)
        last[g->outputs[k]] = INT32_MAX;
    for (uint32_t k = 0; k < g->n_inputs; k++)
        last[g->inputs[k]] = INT32_MAX;
    return last;
}

static mp_status run_ops(const mp_exec_model *m, const int32_t *last, bool keep_all,
                         mp_exec_run *run, mp_error *err)
{
    const mp_graph *g = m->g;
    for (uint32_t s = 0; s < g->n_ops; s++) {
        uint32_t i = g->order[s];
        const mp_op *op = &g->ops[i];
        for (uint32_t k = 0; k < op->n_out; k++)
            MP_TRY(alloc_tensor(g, run, op->out[k], err));
        MP_TRY(exec_run_whole(m, i, run->tensor, err));
        if (keep_all)
            continue;
        for (uint32_t k = 0; k < op->n_in; k++) {
            mp_tensor_id id = op->in[k];
            if (id != MP_NO_TENSOR && last[id] == (int32_t)s) {
                mp_free(run->tensor[id]);
                run->tensor[id] = NULL;
            }
        }
    }
    return MP_OK;
}

mp_status mp_exec_run_reference(const mp_exec_model *m, const int8_t *const *inputs, bool keep_all,
                                mp_exec_run *out, mp_error *err)
{
    const mp_graph *g = m->g;
    memset(out, 0, sizeof *out);
    out->tensor = mp_calloc(g->n_tensors ? g->n_tensors : 1, sizeof *out->tensor);
    if (!out->tensor)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    out->n_tensors = g->n_tensors;
    for (uint32_t k = 0; k < g->n_inputs; k++) {
        mp_tensor_id id = g->inputs[k];
        MP_TRY(alloc_tensor(g, out, id, err));
        memcpy(out->tensor[id], inputs[k], g->tensors[id].size_bytes);
    }
    int32_t *last = last_uses(g);
    if (!last)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    mp_status st = run_ops(m, last, keep_all, out, err);
    mp_free(last);
    return st;
}

/* ---- saturation ------------------------------------------------------------------------ */

/* Quantized code of a real activation bound, unclamped (as TFLite's Quantize()). */
static double bound_code(double real, float scale, int32_t zp)
{
    return zp + (double)roundf((float)real / scale);
}

static void count_tensor(const mp_exec_model *m, uint32_t i, const int8_t *d,
                         mp_exec_saturation *s)
{
    const mp_op *op = &m->g->ops[i];
    const exec_tensor *q = &m->t[op->out[0]];
    mp_activation a = op->p.activation;
    bool has_lo = a == MP_ACT_RELU || a == MP_ACT_RELU6 || a == MP_ACT_RELU_N1_TO_1;
    bool has_hi = a == MP_ACT_RELU6 || a == MP_ACT_RELU_N1_TO_1;
    double lo_real = a == MP_ACT_RELU_N1_TO_1 ? -1.0 : 0.0;
    double hi_real = a == MP_ACT_RELU6 ? 6.0 : 1.0;
    bool lo_explained = has_lo && bound_code(lo_real, q->scale, q->zp) >= -128.0;
    bool hi_explained = has_hi && bound_code(hi_real, q->scale, q->zp) <= 127.0;
    size_t n = m->g->tensors[op->out[0]].size_bytes;
    for (size_t e = 0; e < n; e++)
        if ((d[e] == -128 && !lo_explained) || (d[e] == 127 && !hi_explained))
            s->saturated++;
    s->total += n;
}

mp_status mp_exec_run_saturation(const mp_exec_model *m, const mp_exec_run *run,
                                 mp_exec_saturation *out, mp_error *err)
{
    const mp_graph *g = m->g;
    memset(out, 0, sizeof *out);
    if (!run->tensor || run->n_tensors != g->n_tensors)
        return mp_errorf(err, MP_E_INVALID, "the run does not belong to this model");
    for (uint32_t i = 0; i < g->n_ops; i++) {
        mp_op_type t = g->ops[i].type;
        const int8_t *d = run->tensor[g->ops[i].out[0]];
        if (!d || !(t == MP_OP_CONV2D || t == MP_OP_DEPTHWISE_CONV2D ||
                    t == MP_OP_FULLY_CONNECTED || t == MP_OP_ADD || t == MP_OP_MUL))
            continue;
        count_tensor(m, i, d, out);
    }
    return MP_OK;
}
