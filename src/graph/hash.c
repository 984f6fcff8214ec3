/* SPDX-License-Identifier: MIT */
/*
 * hash.c - the network hash (module graph).
 *
 * SHA-256 over a canonical text of the structure: ops in source order with
 * their operand tensors (name, dtype, shape, flags) (type, operands, every attribute that changes shapes
 * or regions). Weight values and quantization are left out: a schedule
 * depends on the structure only, so the same network imported from .tflite
 * or from its converted net.json has the same hash, and hashing stays fast for
 * megabyte-sized models.
 */
#include "graph_int.h"

#include "memplan/mp_util.h"

#include "../util/sha256.h"

/* Tensors are written by name where they are used, so the hash does not depend
 * on the order in which an importer created them. */
static void put_tensor(mp_strbuf *sb, const mp_graph *g, mp_tensor_id id)
{
    if (id == MP_NO_TENSOR) {
        mp_strbuf_puts(sb, " -");
        return;
    }
    const mp_tensor *t = &g->tensors[id];
    mp_strbuf_printf(sb, " [%s %s %d %d %d %d %u]", t->name, mp_dtype_name(t->dtype), t->shape.n,
                     t->shape.h, t->shape.w, t->shape.c, t->flags);
}

/* Attributes of the ops added with issue 14, written only when one is set, so the hash of
 * every network that has none stays what it was. */
static void put_more(mp_strbuf *sb, const mp_op *op)
{
    const mp_op_params *p = &op->p;
    bool any = p->pad_ch_before || p->pad_ch_after || p->pad_value_set || p->keep_num_dims ||
               p->block_size || p->alpha != 0.0f ||
               ((op->type == MP_OP_SUM || op->type == MP_OP_REDUCE_MAX ||
                 op->type == MP_OP_STRIDED_SLICE) && p->axes) ||
               (op->type == MP_OP_MEAN && p->axes != 6) || op->type == MP_OP_TRANSPOSE ||
               op->type == MP_OP_STRIDED_SLICE || op->type == MP_OP_SPLIT;
    if (!any)
        return;
    mp_strbuf_printf(sb, " c%d,%d v%d,%d n%d x%d b%d l%.9g t%d,%d,%d,%d", p->pad_ch_before,
                     p->pad_ch_after, p->pad_value_set, p->pad_value, p->keep_num_dims, p->axes,
                     p->block_size, (double)p->alpha, p->perm[0], p->perm[1], p->perm[2],
                     p->perm[3]);
    if (op->type == MP_OP_STRIDED_SLICE)
        for (int i = 0; i < 4; i++)
            mp_strbuf_printf(sb, " [%d:%d:%d]", p->begin[i], p->end[i], p->strides[i]);
    if (op->type == MP_OP_SPLIT)
        for (uint32_t k = 0; k < op->n_out && k < MP_MAX_SPLITS; k++)
            mp_strbuf_printf(sb, " %d", p->split_sizes[k]);
}

static void put_op(mp_strbuf *sb, const mp_graph *g, const mp_op *op)
{
    const mp_op_params *p = &op->p;
    mp_strbuf_printf(sb, "O %s %s <", op->type_name, op->name);
    for (uint32_t k = 0; k < op->n_in; k++)
        put_tensor(sb, g, op->in[k]);
    mp_strbuf_puts(sb, " >");
    for (uint32_t k = 0; k < op->n_out; k++)
        put_tensor(sb, g, op->out[k]);
    mp_strbuf_printf(sb, " k%d,%d s%d,%d d%d,%d p%d,%d,%d,%d f%d m%d g%d a%d r%d,%d",
                     p->kernel_h, p->kernel_w, p->stride_h, p->stride_w, p->dilation_h,
                     p->dilation_w, p->pad_top, p->pad_bottom, p->pad_left, p->pad_right,
                     p->filters, p->depth_multiplier, p->groups, p->axis, p->out_h, p->out_w);
    put_more(sb, op);
    mp_strbuf_puts(sb, "\n");
}

mp_status mp_graph_compute_hash(mp_graph *g, mp_error *err)
{
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_strbuf_puts(&sb, "memplan-net-1\n");
    for (uint32_t i = 0; i < g->n_ops; i++)
        put_op(&sb, g, &g->ops[i]);
    mp_strbuf_puts(&sb, "I");
    for (uint32_t i = 0; i < g->n_inputs; i++)
        put_tensor(&sb, g, g->inputs[i]);
    mp_strbuf_puts(&sb, "\nY");
    for (uint32_t i = 0; i < g->n_outputs; i++)
        put_tensor(&sb, g, g->outputs[i]);
    if (sb.failed) {
        mp_strbuf_release(&sb);
        return mp_errorf(err, MP_E_NOMEM, "out of memory hashing the network");
    }
    mp_sha256 h;
    unsigned char digest[32];
    mp_sha256_init(&h);
    mp_sha256_update(&h, sb.buf, sb.len);
    mp_sha256_final(&h, digest);
    mp_sha256_hex(digest, g->hash);
    mp_strbuf_release(&sb);
    return MP_OK;
}
