/* SPDX-License-Identifier: MIT */
/*
 * order.c - structural checks and the topological execution order
 * (module graph).
 *
 * The order is the source order when that is already topological (it is for
 * every TFLite file and most hand-written nets), so step numbers match what
 * users see in their files. Otherwise Kahn's algorithm picks, among the ready
 * ops, the one that comes first in the source (a binary heap), which is
 * deterministic and keeps the result close to the source order.
 */
#include "graph_int.h"

#include "../util/alloc.h"

#include <string.h>

static mp_status check_io(mp_graph *g, mp_error *err)
{
    if (g->n_inputs == 0)
        return mp_errorf(err, MP_E_INVALID, "the network has no input");
    if (g->n_outputs == 0)
        return mp_errorf(err, MP_E_INVALID, "the network has no output");
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        mp_tensor *t = &g->tensors[g->inputs[i]];
        if (t->flags & MP_TENSOR_CONST)
            return mp_errorf(err, MP_E_INVALID, "network input '%s' is a constant", t->name);
        t->flags |= MP_TENSOR_INPUT;
    }
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        mp_tensor *t = &g->tensors[g->outputs[i]];
        if (t->flags & MP_TENSOR_CONST)
            return mp_errorf(err, MP_E_INVALID, "network output '%s' is a constant", t->name);
        t->flags |= MP_TENSOR_OUTPUT;
    }
    return MP_OK;
}

static mp_status check_op_operands(mp_graph *g, uint32_t i, mp_error *err)
{
    char where[160];
    mp_op *op = &g->ops[i];
    if (op->type != MP_OP_UNKNOWN && op->type != MP_OP_SPLIT && op->n_out != 1)
        return mp_errorf(err, MP_E_INVALID, "%s: expected 1 output, got %u", OP_WHERE(g, i, where),
                         op->n_out);
    if (op->n_in == 0 || op->in[0] == MP_NO_TENSOR)
        return mp_errorf(err, MP_E_INVALID, "%s: has no input", OP_WHERE(g, i, where));
    for (uint32_t k = 0; k < op->n_out; k++) {
        mp_tensor *t = &g->tensors[op->out[k]];
        if (t->flags & (MP_TENSOR_CONST | MP_TENSOR_INPUT))
            return mp_errorf(err, MP_E_INVALID, "%s: writes '%s', which is %s",
                             OP_WHERE(g, i, where), t->name,
                             (t->flags & MP_TENSOR_CONST) ? "a constant" : "a network input");
        if (t->producer >= 0) {
            char other[160];
            return mp_errorf(err, MP_E_INVALID, "%s: tensor '%s' is already written by %s",
                             OP_WHERE(g, i, where), t->name,
                             OP_WHERE(g, (uint32_t)t->producer, other));
        }
        t->producer = (int32_t)i;
    }
    return MP_OK;
}

/* Whether op already appears among the first n consumers recorded for t. */
static bool listed(const uint32_t *list, uint32_t n, uint32_t op)
{
    return n > 0 && list[n - 1] == op; /* ops are visited in index order */
}

/*
 * Build the consumer lists (CSR): for every tensor, the ops reading it, each
 * op once, in index order.
 */
static mp_status build_consumers(mp_graph *g, mp_error *err)
{
    mp_graph_priv *priv = g->priv;
    uint32_t *start = mp_pool_array(&priv->pool, (size_t)g->n_tensors + 1, sizeof *start);
    uint64_t total = 0;
    for (uint32_t i = 0; i < g->n_ops; i++)
        total += g->ops[i].n_in;
    uint32_t *list = mp_pool_array(&priv->pool, total ? total : 1, sizeof *list);
    uint32_t *fill = mp_calloc(g->n_tensors ? g->n_tensors : 1, sizeof *fill);
    if (!start || !list || !fill) {
        mp_free(fill);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    /* count (an op reading a tensor twice counts once) */
    for (uint32_t i = 0; i < g->n_ops; i++) {
        const mp_op *op = &g->ops[i];
        for (uint32_t k = 0; k < op->n_in; k++) {
            mp_tensor_id t = op->in[k];
            if (t == MP_NO_TENSOR || fill[t] == i + 1)
                continue;
            fill[t] = i + 1;
            start[t + 1]++;
        }
    }
    for (uint32_t t = 0; t < g->n_tensors; t++)
        start[t + 1] += start[t];
    memset(fill, 0, (size_t)g->n_tensors * sizeof *fill);
    for (uint32_t i = 0; i < g->n_ops; i++) {
        const mp_op *op = &g->ops[i];
        for (uint32_t k = 0; k < op->n_in; k++) {
            mp_tensor_id t = op->in[k];
            if (t == MP_NO_TENSOR || listed(list + start[t], fill[t], i))
                continue;
            list[start[t] + fill[t]++] = i;
        }
    }
    mp_free(fill);
    priv->cons_start = start;
    priv->cons_list = list;
    return MP_OK;
}

uint32_t mp_graph_consumers(const mp_graph *g, mp_tensor_id t, const uint32_t **ops)
{
    const mp_graph_priv *priv = g->priv;
    *ops = priv->cons_list + priv->cons_start[t];
    return priv->cons_start[t + 1] - priv->cons_start[t];
}

mp_status mp_graph_check_structure(mp_graph *g, mp_error *err)
{
    if (g->n_ops == 0)
        return mp_errorf(err, MP_E_INVALID, "the network has no layers");
    MP_TRY(check_io(g, err));
    for (uint32_t i = 0; i < g->n_ops; i++)
        MP_TRY(check_op_operands(g, i, err));
    MP_TRY(build_consumers(g, err));
    for (uint32_t i = 0; i < g->n_ops; i++) {
        const mp_op *op = &g->ops[i];
        for (uint32_t k = 0; k < op->n_in; k++) {
            if (op->in[k] == MP_NO_TENSOR)
                continue;
            const mp_tensor *t = &g->tensors[op->in[k]];
            if (t->producer < 0 && !(t->flags & (MP_TENSOR_CONST | MP_TENSOR_INPUT))) {
                char where[160];
                return mp_errorf(err, MP_E_INVALID,
                                 "%s: input '%s' is not produced by any layer, nor a network "
                                 "input or constant",
                                 OP_WHERE(g, i, where), t->name);
            }
        }
    }
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        const mp_tensor *t = &g->tensors[g->outputs[i]];
        if (t->producer < 0 && !(t->flags & MP_TENSOR_INPUT))
            return mp_errorf(err, MP_E_INVALID, "network output '%s' is not produced by any layer",
                             t->name);
    }
    return MP_OK;
}

/* ---- Kahn with a min-heap of op indices ----------------------------------------------- */

static void heap_push(uint32_t *heap, uint32_t *n, uint32_t v)
{
    uint32_t i = (*n)++;
    heap[i] = v;
    while (i > 0 && heap[(i - 1) / 2] > heap[i]) {
        uint32_t p = (i - 1) / 2, t = heap[p];
        heap[p] = heap[i];
        heap[i] = t;
        i = p;
    }
}

static uint32_t heap_pop(uint32_t *heap, uint32_t *n)
{
    uint32_t top = heap[0];
    heap[0] = heap[--(*n)];
    uint32_t i = 0;
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < *n && heap[l] < heap[m])
            m = l;
        if (r < *n && heap[r] < heap[m])
            m = r;
        if (m == i)
            break;
        uint32_t t = heap[m];
        heap[m] = heap[i];
        heap[i] = t;
        i = m;
    }
    return top;
}

/* Number of inputs of op i produced by another op (each operand counted). */
static uint32_t produced_inputs(const mp_graph *g, const mp_op *op)
{
    uint32_t n = 0;
    for (uint32_t k = 0; k < op->n_in; k++)
        if (op->in[k] != MP_NO_TENSOR && g->tensors[op->in[k]].producer >= 0)
            n++;
    return n;
}

static bool source_order_is_topological(const mp_graph *g)
{
    for (uint32_t i = 0; i < g->n_ops; i++) {
        const mp_op *op = &g->ops[i];
        for (uint32_t k = 0; k < op->n_in; k++)
            if (op->in[k] != MP_NO_TENSOR && g->tensors[op->in[k]].producer >= (int32_t)i)
                return false;
    }
    return true;
}

static mp_status kahn(mp_graph *g, uint32_t *order, mp_error *err)
{
    mp_status st = MP_OK;
    uint32_t *pending = mp_calloc(g->n_ops, sizeof *pending);
    uint32_t *heap = mp_calloc(g->n_ops, sizeof *heap);
    if (!pending || !heap) {
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
        goto out;
    }
    uint32_t n_heap = 0, n_done = 0;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        pending[i] = produced_inputs(g, &g->ops[i]);
        if (!pending[i])
            heap_push(heap, &n_heap, i);
    }
    while (n_heap) {
        uint32_t i = heap_pop(heap, &n_heap);
        order[n_done++] = i;
        const mp_op *done = &g->ops[i];
        for (uint32_t o = 0; o < done->n_out; o++) {
            const uint32_t *cons;
            uint32_t n_cons = mp_graph_consumers(g, done->out[o], &cons);
            for (uint32_t c = 0; c < n_cons; c++) {
                uint32_t j = cons[c];
                const mp_op *op = &g->ops[j];
                for (uint32_t k = 0; k < op->n_in; k++)
                    if (op->in[k] == done->out[o] && --pending[j] == 0)
                        heap_push(heap, &n_heap, j);
            }
        }
    }
    if (n_done < g->n_ops) {
        for (uint32_t i = 0; i < g->n_ops; i++) {
            if (pending[i]) {
                char where[160];
                st = mp_errorf(err, MP_E_INVALID,
                               "%s: the layers form a cycle (its inputs depend on its output)",
                               OP_WHERE(g, i, where));
                break;
            }
        }
    }
out:
    mp_free(pending);
    mp_free(heap);
    return st;
}

mp_status mp_graph_compute_order(mp_graph *g, mp_error *err)
{
    uint32_t *order = mp_pool_array(&g->priv->pool, g->n_ops, sizeof *order);
    int32_t *step = mp_pool_array(&g->priv->pool, g->n_ops, sizeof *step);
    if (!order || !step)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    if (source_order_is_topological(g)) {
        for (uint32_t i = 0; i < g->n_ops; i++)
            order[i] = i;
    } else {
        MP_TRY(kahn(g, order, err));
    }
    for (uint32_t s = 0; s < g->n_ops; s++)
        step[order[s]] = (int32_t)s;
    g->order = order;
    g->step_of_op = step;
    return MP_OK;
}
