/* SPDX-License-Identifier: MIT */
/*
 * rd_build.c - rewritten copies of a graph for receptive-field
 * redistribution (module plan): kernels changed, repetitions of a repeat
 * group left out, repetitions added. The copy is built with the graph API
 * (mp_graph_add_tensor/op, mp_graph_finalize) in g's source order, so the
 * variant is an ordinary graph: it plans, executes and exports like any other.
 *
 * Left-out repetitions are the last ones of their group: the readers of a
 * left-out repetition's output read its input instead (rd_edit.alias).
 * Added repetitions are copies of a group's last repetition placed right
 * after it: inside a copy, a tensor of the copied repetition means the copy's
 * own, the repetition's input means the previous copy's output (the original
 * repetition's for the first copy); every later reader of the group's output
 * reads the last copy's.
 */
#include "redistribute_int.h"

#include "memplan/mp_util.h"

#include "../util/alloc.h"

#include <stdio.h>
#include <string.h>

typedef struct builder {
    const mp_graph *g;
    const rd_edit *e;
    mp_graph *out;
    mp_tensor_id *remap;  /* per tensor of g: the new tensor (MP_NO_TENSOR: none yet) */
    uint32_t *new_op;     /* per op of g: its index in the copy, UINT32_MAX when left out */
    mp_tensor_id *local;  /* per op of the copied range: the current copy's output */
    mp_strbuf op_name;    /* name of the op being added */
    mp_strbuf t_name;     /* name of a constant being added */
    mp_error *err;
} builder;

/* Operands 1 and 2 of conv, depthwise and fully connected: weights and bias. */
static bool is_weight_operand(const mp_op *op, uint32_t k)
{
    return (op->type == MP_OP_CONV2D || op->type == MP_OP_DEPTHWISE_CONV2D ||
            op->type == MP_OP_FULLY_CONNECTED) &&
           (k == 1 || k == 2);
}

static bool kernel_changed(const builder *b, uint32_t i)
{
    const int32_t *k = b->e->kernel;
    const mp_op *op = &b->g->ops[i];
    return k && (k[2 * i] != op->p.kernel_h || k[2 * i + 1] != op->p.kernel_w);
}

/* A new tensor like g's tensor t, called name. infer_shape: leave the shape to
 * finalize (a filter whose kernel changed); drop_data: no constant contents. */
static mp_status add_like(builder *b, mp_tensor_id t, const char *name, bool infer_shape,
                          bool drop_data, mp_tensor_id *id)
{
    const mp_tensor *src = &b->g->tensors[t];
    mp_tensor_spec s = {.name = name, .dtype = src->dtype, .quant = src->quant,
                        .flags = src->flags & MP_TENSOR_CONST};
    if (!infer_shape) {
        s.shape = src->shape;
        s.rank = src->rank;
    }
    if (!drop_data && src->data) {
        s.data = src->data;
        s.data_bytes = src->size_bytes;
    }
    return mp_graph_add_tensor(b->out, &s, id, b->err);
}

/* The tensor a copy reads for g's activation t (rep_in: the copy's input). */
static mp_tensor_id copy_input(const builder *b, mp_tensor_id t, mp_tensor_id rep_in)
{
    const rd_edit *e = b->e;
    int32_t p = b->g->tensors[t].producer;
    if (p >= 0 && (uint32_t)p >= e->add_first && (uint32_t)p - e->add_first < e->add_len)
        return b->local[(uint32_t)p - e->add_first];
    if (t == e->add_input)
        return rep_in;
    return b->remap[t];
}

/* Constant operand k of op i (of g) for the op being added (copy: a repetition copy). */
static mp_status const_operand(builder *b, uint32_t i, uint32_t k, bool copy, mp_tensor_id *id)
{
    const mp_op *op = &b->g->ops[i];
    mp_tensor_id t = op->in[k];
    bool weight = is_weight_operand(op, k);
    if (!copy && !weight && b->remap[t] != MP_NO_TENSOR) {
        *id = b->remap[t]; /* a constant shared by several ops stays shared */
        return MP_OK;
    }
    const char *name = b->g->tensors[t].name;
    if (copy || (weight && b->remap[t] != MP_NO_TENSOR)) {
        mp_strbuf_reset(&b->t_name);
        if (weight)
            mp_strbuf_printf(&b->t_name, "%s/%s", b->op_name.buf, k == 1 ? "weights" : "bias");
        else
            mp_strbuf_printf(&b->t_name, "%s/in%u", b->op_name.buf, k);
        if (b->t_name.failed)
            return mp_errorf(b->err, MP_E_NOMEM, "out of memory");
        name = b->t_name.buf;
    }
    MP_TRY(add_like(b, t, name, weight && k == 1 && !copy && kernel_changed(b, i), weight, id));
    if (!copy && b->remap[t] == MP_NO_TENSOR)
        b->remap[t] = *id;
    return MP_OK;
}

/* b->op_name: op i's name, or for a copy its base name with the copy's repetition. */
static mp_status name_op(builder *b, const mp_op *op, uint32_t copy)
{
    mp_strbuf_reset(&b->op_name);
    if (copy) {
        size_t base = mp_repeat_base_len(op->name, b->e->add_rep);
        mp_strbuf_append(&b->op_name, op->name, base);
        mp_strbuf_printf(&b->op_name, ".%u", b->e->add_rep + copy);
    } else {
        mp_strbuf_puts(&b->op_name, op->name);
    }
    return b->op_name.failed ? mp_errorf(b->err, MP_E_NOMEM, "out of memory") : MP_OK;
}

/* Add op i of g: the op itself (copy 0) or its copy-th repetition copy reading rep_in. */
static mp_status add_op(builder *b, uint32_t i, uint32_t copy, mp_tensor_id rep_in)
{
    const mp_op *op = &b->g->ops[i];
    MP_TRY(name_op(b, op, copy));
    mp_tensor_id in[MP_MAX_OP_INPUTS], out[MP_MAX_OP_INPUTS];
    for (uint32_t k = 0; k < op->n_in; k++) {
        mp_tensor_id t = op->in[k];
        in[k] = MP_NO_TENSOR;
        if (t != MP_NO_TENSOR && mp_tensor_is_activation(&b->g->tensors[t]))
            in[k] = copy ? copy_input(b, t, rep_in) : b->remap[t];
        else if (t != MP_NO_TENSOR)
            MP_TRY(const_operand(b, i, k, copy != 0, &in[k]));
        if (t != MP_NO_TENSOR && in[k] == MP_NO_TENSOR)
            return mp_errorf(b->err, MP_E_INVALID, "op '%s' reads '%s', which the rewrite left out",
                             op->name, b->g->tensors[t].name);
    }
    for (uint32_t k = 0; k < op->n_out; k++) {
        const char *name = b->g->tensors[op->out[k]].name;
        if (copy) {
            mp_strbuf_reset(&b->t_name);
            mp_strbuf_puts(&b->t_name, b->op_name.buf);
            if (k)
                mp_strbuf_printf(&b->t_name, "/out%u", k);
            if (b->t_name.failed)
                return mp_errorf(b->err, MP_E_NOMEM, "out of memory");
            name = b->t_name.buf;
        }
        MP_TRY(add_like(b, op->out[k], name, false, false, &out[k]));
        if (!copy)
            b->remap[op->out[k]] = out[k];
    }
    if (copy)
        b->local[i - b->e->add_first] = out[0];
    mp_op_spec s = {.name = b->op_name.buf, .type = op->type, .type_name = op->type_name,
                    .in = in, .n_in = op->n_in, .out = out, .n_out = op->n_out, .p = op->p,
                    .requant = op->requant};
    if (b->e->kernel && !copy) {
        s.p.kernel_h = b->e->kernel[2 * i];
        s.p.kernel_w = b->e->kernel[2 * i + 1];
    }
    uint32_t idx;
    MP_TRY(mp_graph_add_op(b->out, &s, &idx, b->err));
    if (!copy)
        b->new_op[i] = idx;
    return MP_OK;
}

/* The copies of the range, after its last op; later readers read the last copy. */
static mp_status add_copies(builder *b)
{
    const rd_edit *e = b->e;
    mp_tensor_id y = b->g->ops[e->add_first + e->add_len - 1].out[0];
    mp_tensor_id prev = b->remap[y];
    for (uint32_t c = 1; c <= e->n_add; c++) {
        for (uint32_t j = 0; j < e->add_len; j++)
            MP_TRY(add_op(b, e->add_first + j, c, prev));
        prev = b->local[e->add_len - 1];
    }
    b->remap[y] = prev;
    return MP_OK;
}

static mp_status add_ops(builder *b)
{
    const mp_graph *g = b->g;
    const rd_edit *e = b->e;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        if (e->removed && e->removed[i]) {
            mp_tensor_id y = g->ops[i].out[0];
            if (e->alias && e->alias[y] != MP_NO_TENSOR)
                b->remap[y] = b->remap[e->alias[y]];
            b->new_op[i] = UINT32_MAX;
            continue;
        }
        MP_TRY(add_op(b, i, 0, MP_NO_TENSOR));
        if (e->n_add && i == e->add_first + e->add_len - 1)
            MP_TRY(add_copies(b));
    }
    return MP_OK;
}

/* Inputs first (their shapes are given), then ops, outputs and repeat groups. */
static mp_status build(builder *b)
{
    const mp_graph *g = b->g;
    mp_tensor_id ids[MP_MAX_OP_INPUTS];
    if (g->n_inputs > MP_MAX_OP_INPUTS || g->n_outputs > MP_MAX_OP_INPUTS)
        return mp_errorf(b->err, MP_E_UNSUPPORTED, "%s: more than %u network inputs or outputs",
                         g->name, MP_MAX_OP_INPUTS);
    for (uint32_t k = 0; k < g->n_inputs; k++) {
        MP_TRY(add_like(b, g->inputs[k], g->tensors[g->inputs[k]].name, false, false, &ids[k]));
        b->remap[g->inputs[k]] = ids[k];
    }
    MP_TRY(add_ops(b));
    mp_tensor_id outs[MP_MAX_OP_INPUTS];
    for (uint32_t k = 0; k < g->n_outputs; k++)
        outs[k] = b->remap[g->outputs[k]];
    MP_TRY(mp_graph_set_io(b->out, ids, g->n_inputs, outs, g->n_outputs, b->err));
    for (uint32_t k = 0; k < g->n_repeats; k++) {
        mp_repeat r = g->repeats[k];
        r.first_op = b->new_op[r.first_op];
        if (b->e->rep_delta)
            r.n_reps = (uint32_t)((int64_t)r.n_reps + b->e->rep_delta[k]);
        MP_TRY(mp_graph_add_repeat(b->out, &r, b->err));
    }
    return mp_graph_finalize(b->out, b->err);
}

mp_status rd_build_graph(const mp_graph *g, const rd_edit *e, mp_graph **out,
                         mp_tensor_id *old_to_new, mp_error *err)
{
    *out = NULL;
    builder b = {.g = g, .e = e, .err = err};
    mp_strbuf_init(&b.op_name);
    mp_strbuf_init(&b.t_name);
    b.remap = MP_NEW_ARRAY(mp_tensor_id, g->n_tensors ? g->n_tensors : 1);
    b.new_op = MP_NEW_ARRAY(uint32_t, g->n_ops ? g->n_ops : 1);
    b.local = MP_NEW_ARRAY(mp_tensor_id, e->add_len ? e->add_len : 1);
    mp_status st = MP_OK;
    if (!b.remap || !b.new_op || !b.local)
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
    if (st == MP_OK) {
        for (uint32_t t = 0; t < g->n_tensors; t++)
            b.remap[t] = MP_NO_TENSOR;
        st = mp_graph_new(e->name, g->source, MP_SOURCE_API, &b.out, err);
    }
    if (st == MP_OK)
        st = build(&b);
    if (st == MP_OK && old_to_new)
        memcpy(old_to_new, b.remap, (size_t)g->n_tensors * sizeof *b.remap);
    if (st == MP_OK)
        *out = b.out;
    else
        mp_graph_free(b.out);
    mp_free(b.remap);
    mp_free(b.new_op);
    mp_free(b.local);
    mp_strbuf_release(&b.op_name);
    mp_strbuf_release(&b.t_name);
    return st;
}
