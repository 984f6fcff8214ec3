/* SPDX-License-Identifier: MIT */
/*
 * net_json_write_ops.c - net.json attributes of the ops real exports add to the
 * classic CNN set (module import): the inverse of net_json_ops.c. A binary
 * op's constant operand and PReLU's alpha are written as constant objects
 * with their shape, a split's further outputs as "more_outputs".
 */
#include "net_json_write_int.h"

#include <math.h>
#include <stdio.h>

/* "key": [NHWC axes of mask]. */
void nj_put_axes(writer *w, const char *k, int32_t mask)
{
    nj_key(w, k);
    mp_strbuf_puts(w->sb, "[");
    for (int a = 0, first = 1; a < 4; a++)
        if (mask & (1 << a)) {
            mp_strbuf_printf(w->sb, "%s%d", first ? "" : ", ", a);
            first = 0;
        }
    mp_strbuf_puts(w->sb, "]");
}

static void put_list(writer *w, const char *k, const int32_t *v, uint32_t n)
{
    nj_key(w, k);
    mp_strbuf_puts(w->sb, "[");
    for (uint32_t a = 0; a < n; a++)
        mp_strbuf_printf(w->sb, "%s%d", a ? ", " : "", v[a]);
    mp_strbuf_puts(w->sb, "]");
}

/* A binary op's constant operand, PReLU's alpha. */
mp_status nj_put_operand(writer *w, uint32_t i)
{
    const mp_op *op = &w->g->ops[i];
    if (op->n_in != 2 || op->in[1] == MP_NO_TENSOR ||
        !(w->g->tensors[op->in[1]].flags & MP_TENSOR_CONST))
        return op->type == MP_OP_PRELU ? nj_unsupported(w, i, "%s: alpha is not a constant",
                                                      op->type_name)
                                       : MP_OK;
    return nj_put_const(w, i, op->type == MP_OP_PRELU ? "alpha" : "constant", op->in[1],
                     MP_DTYPE_INT8, 3);
}

/* A split's outputs after the first. */
static mp_status put_more_outputs(writer *w, uint32_t i)
{
    const mp_op *op = &w->g->ops[i];
    nj_key(w, "more_outputs");
    mp_strbuf_puts(w->sb, "[");
    for (uint32_t k = 1; k < op->n_out; k++) {
        const mp_tensor *t = &w->g->tensors[op->out[k]];
        mp_strbuf_puts(w->sb, k > 1 ? ", {\"name\": " : "{\"name\": ");
        mp_strbuf_json_string(w->sb, t->name);
        if (t->dtype != w->g->tensors[op->out[0]].dtype) /* else the layer's own */
            nj_key_str(w, "dtype", mp_dtype_name(t->dtype));
        MP_TRY(nj_put_quant(w, i, t, false));
        if (w->g->source_kind == MP_SOURCE_TFLITE || t->source_index != op->out[k]) {
            nj_key(w, "tflite_tensor");
            mp_strbuf_printf(w->sb, "%u", t->source_index);
        }
        mp_strbuf_puts(w->sb, "}");
    }
    mp_strbuf_puts(w->sb, "]");
    return MP_OK;
}

/* The attributes of the ops added with issue 14. */
mp_status nj_put_more(writer *w, uint32_t i)
{
    const mp_op *op = &w->g->ops[i];
    const mp_op_params *p = &op->p;
    int32_t perm[4];
    switch (op->type) {
    case MP_OP_TRANSPOSE:
        for (int a = 0; a < 4; a++)
            perm[a] = p->perm[a];
        put_list(w, "perm", perm, 4);
        return MP_OK;
    case MP_OP_STRIDED_SLICE:
        put_list(w, "begin", p->begin, 4);
        put_list(w, "end", p->end, 4);
        put_list(w, "strides", p->strides, 4);
        if (p->axes)
            nj_put_axes(w, "shrink_axes", p->axes);
        return MP_OK;
    case MP_OP_SPLIT:
        nj_key(w, "axis");
        mp_strbuf_printf(w->sb, "%d", p->axis);
        put_list(w, "sizes", p->split_sizes, op->n_out);
        return op->n_out > 1 ? put_more_outputs(w, i) : MP_OK;
    case MP_OP_LEAKY_RELU:
        if (!isfinite(p->alpha))
            return nj_unsupported(w, i, "%s: alpha is not a finite number", op->type_name);
        mp_strbuf_printf(w->sb, ", \"alpha\": %.9g", (double)p->alpha);
        return MP_OK;
    case MP_OP_DEPTH_TO_SPACE:
    case MP_OP_SPACE_TO_DEPTH:
        nj_key(w, "block_size");
        mp_strbuf_printf(w->sb, "%d", p->block_size);
        return MP_OK;
    case MP_OP_LOGISTIC:
    case MP_OP_TANH:
    case MP_OP_HARD_SWISH:
    case MP_OP_RELU:
    case MP_OP_RELU6:
        return MP_OK;
    default:
        return nj_unsupported(w, i, "%s", "memplan does not model this op, so net.json cannot "
                                       "describe it");
    }
}
