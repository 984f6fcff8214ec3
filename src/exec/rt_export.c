/* SPDX-License-Identifier: MIT */
/*
 * rt_export.c - memplan_rt tables as C99 source for firmware (module exec).
 *
 * The writer walks the very mprt_model that `validate` runs on the host and
 * prints each array and struct as a const initializer, so the device runs
 * what was validated. Names and paths only ever appear inside comments and
 * string literals, through the escaping of c_text.h.
 */
#include "exec_int.h"
#include "rt_tables_int.h"

#include "../util/c_text.h"
#include "memplan/memplan.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

typedef struct writer {
    const mp_rt_tables *t;
    const char *p;   /* prefix */
    mp_strbuf *c;
} writer;

static void i8_array(writer *w, const char *name, const int8_t *v, size_t n)
{
    mp_strbuf_printf(w->c, "static const int8_t %s[%zu] = {", name, n);
    for (size_t i = 0; i < n; i++)
        mp_strbuf_printf(w->c, "%s%d,", i % 32 ? "" : "\n", v[i]);
    mp_strbuf_puts(w->c, "\n};\n");
}

static void i32_array(writer *w, const char *name, const int32_t *v, size_t n)
{
    mp_strbuf_printf(w->c, "static const int32_t %s[%zu] = {", name, n);
    for (size_t i = 0; i < n; i++)
        mp_strbuf_printf(w->c, "%s%ld,", i % 12 ? "" : "\n", (long)v[i]);
    mp_strbuf_puts(w->c, "\n};\n");
}

/* "P_sS_oL_suffix" into buf. */
static const char *nm(const writer *w, char *buf, size_t n, int32_t si, int32_t l, const char *suffix)
{
    snprintf(buf, n, "%s_s%d_o%d_%s", w->p, si, l, suffix);
    return buf;
}

static void rq_fields(writer *w, const mprt_rq *rq, const char *m, const char *s)
{
    mp_strbuf_printf(w->c, "{%s, %s, %ld, %ld, %ld}", m, s, (long)rq->out_offset,
                     (long)rq->act_min, (long)rq->act_max);
}

static void conv_op(writer *w, int32_t si, int32_t l, const mprt_op *op)
{
    const mprt_conv *q = op->params;
    char wn[96], bn[96], mn[96], sn[96], pn[96];
    i8_array(w, nm(w, wn, sizeof wn, si, l, "w"), q->w, rt_weight_count(op));
    if (q->bias)
        i32_array(w, nm(w, bn, sizeof bn, si, l, "b"), q->bias, (size_t)q->out_c);
    i32_array(w, nm(w, mn, sizeof mn, si, l, "m"), q->rq.mult, (size_t)q->out_c);
    i32_array(w, nm(w, sn, sizeof sn, si, l, "sh"), q->rq.shift, (size_t)q->out_c);
    mp_strbuf_printf(w->c, "static const mprt_conv %s = {%ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld, "
                           "%ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %s, %s, ",
                     nm(w, pn, sizeof pn, si, l, "p"), (long)q->in_h, (long)q->in_w,
                     (long)q->in_c, (long)q->out_h, (long)q->out_w, (long)q->out_c, (long)q->kh,
                     (long)q->kw, (long)q->sh, (long)q->sw, (long)q->dh, (long)q->dw,
                     (long)q->pad_top, (long)q->pad_left, (long)q->groups, (long)q->depth_mult,
                     (long)q->in_offset, (long)q->w_offset, wn, q->bias ? bn : "0");
    rq_fields(w, &q->rq, mn, sn);
    mp_strbuf_puts(w->c, "};\n");
}

/* A parameter block of int32_t fields as an initializer: groups gives the fields of each
 * brace group in order (1: a scalar, k > 1: an array of k), 0-terminated. */
static void i32_struct(writer *w, const char *type, const char *name, const void *params,
                       const uint8_t *groups)
{
    const int32_t *f = params;
    mp_strbuf_printf(w->c, "static const %s %s = {", type, name);
    for (size_t g = 0, at = 0; groups[g]; g++) {
        mp_strbuf_printf(w->c, "%s%s", g ? ", " : "", groups[g] > 1 ? "{" : "");
        for (uint8_t k = 0; k < groups[g]; k++, at++)
            mp_strbuf_printf(w->c, "%s%ld", k ? ", " : "", (long)f[at]);
        mp_strbuf_puts(w->c, groups[g] > 1 ? "}" : "");
    }
    mp_strbuf_puts(w->c, "};\n");
}

_Static_assert(sizeof(mprt_unary) == 13 * sizeof(int32_t), "mprt_unary: int32_t fields only");
_Static_assert(sizeof(mprt_gather) == 21 * sizeof(int32_t), "mprt_gather: int32_t fields only");
_Static_assert(sizeof(mprt_d2s) == 4 * sizeof(int32_t), "mprt_d2s: int32_t fields only");
_Static_assert(sizeof(mprt_reduce) == 15 * sizeof(int32_t), "mprt_reduce: int32_t fields only");

static void elem_op(writer *w, int32_t si, int32_t l, const mprt_op *op)
{
    const mprt_elem *q = op->params;
    char an[96] = "0", bn[96] = "0", pn[96];
    if (q->a_const)
        i8_array(w, nm(w, an, sizeof an, si, l, "a"), q->a_const,
                 (size_t)q->a_h * (size_t)q->a_w * (size_t)q->a_c);
    if (q->b_const)
        i8_array(w, nm(w, bn, sizeof bn, si, l, "bc"), q->b_const,
                 (size_t)q->b_h * (size_t)q->b_w * (size_t)q->b_c);
    mp_strbuf_printf(w->c, "static const mprt_elem %s = {%ld, %ld, %ld, %ld, %ld, %ld, %ld, %s, "
                           "%s, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld};\n",
                     nm(w, pn, sizeof pn, si, l, "p"), (long)q->kind, (long)q->a_h, (long)q->a_w, (long)q->a_c,
                     (long)q->b_h, (long)q->b_w, (long)q->b_c, an, bn, (long)q->a_offset,
                     (long)q->b_offset, (long)q->left_shift, (long)q->a_mult, (long)q->a_shift,
                     (long)q->b_mult, (long)q->b_shift, (long)q->out_mult, (long)q->out_shift,
                     (long)q->out_offset, (long)q->act_min, (long)q->act_max);
}

static void requant_init(writer *w, const mprt_requant *q)
{
    mp_strbuf_printf(w->c, "{%ld, %ld, %ld, %ld, %ld}", (long)q->identity, (long)q->in_zp,
                     (long)q->out_zp, (long)q->mult, (long)q->shift);
}

static void concat_op(writer *w, int32_t si, int32_t l, const mprt_op *op)
{
    const mprt_concat *q = op->params;
    char st[96], sz[96], rq[96], pn[96];
    i32_array(w, nm(w, st, sizeof st, si, l, "start"), q->start, (size_t)q->n);
    i32_array(w, nm(w, sz, sizeof sz, si, l, "size"), q->size, (size_t)q->n);
    mp_strbuf_printf(w->c, "static const mprt_requant %s[%ld] = {", nm(w, rq, sizeof rq, si, l, "rq"),
                     (long)q->n);
    for (int32_t k = 0; k < q->n; k++) {
        requant_init(w, &q->rq[k]);
        mp_strbuf_puts(w->c, ", ");
    }
    mp_strbuf_printf(w->c, "};\nstatic const mprt_concat %s = {%ld, %ld, %s, %s, %s};\n",
                     nm(w, pn, sizeof pn, si, l, "p"), (long)q->axis, (long)q->n, st, sz, rq);
}

static void resize_op(writer *w, int32_t si, int32_t l, const mprt_op *op)
{
    const mprt_resize *q = op->params;
    char sy[96], sx[96], pn[96];
    i32_array(w, nm(w, sy, sizeof sy, si, l, "sy"), q->src_y, (size_t)q->out_h);
    i32_array(w, nm(w, sx, sizeof sx, si, l, "sx"), q->src_x, (size_t)q->out_w);
    mp_strbuf_printf(w->c, "static const mprt_resize %s = {%ld, %ld, %ld, %s, %s};\n",
                     nm(w, pn, sizeof pn, si, l, "p"), (long)q->c, (long)q->out_h,
                     (long)q->out_w, sy, sx);
}

static void bilinear_op(writer *w, int32_t si, int32_t l, const mprt_op *op)
{
    const mprt_bilinear *q = op->params;
    char ys[96], xs[96], pn[96];
    i32_array(w, nm(w, ys, sizeof ys, si, l, "ys"), q->ys, 3 * (size_t)q->out_h);
    i32_array(w, nm(w, xs, sizeof xs, si, l, "xs"), q->xs, 3 * (size_t)q->out_w);
    mp_strbuf_printf(w->c, "static const mprt_bilinear %s = {%ld, %ld, %ld, %s, %s};\n",
                     nm(w, pn, sizeof pn, si, l, "p"), (long)q->c, (long)q->out_h,
                     (long)q->out_w, ys, xs);
}

static void split_op(writer *w, int32_t si, int32_t l, const mprt_op *op)
{
    const mprt_split *q = op->params;
    char sz[96], outs[96], pn[96];
    i32_array(w, nm(w, sz, sizeof sz, si, l, "sizes"), q->sizes, (size_t)q->n);
    i32_array(w, nm(w, outs, sizeof outs, si, l, "outs"), q->outs, (size_t)q->n);
    mp_strbuf_printf(w->c, "static const mprt_split %s = {{%ld, %ld, %ld, %ld}, %ld, %ld, %s, "
                           "%s};\n", nm(w, pn, sizeof pn, si, l, "p"), (long)q->d[0],
                     (long)q->d[1], (long)q->d[2], (long)q->d[3], (long)q->axis, (long)q->n, sz,
                     outs);
}

static void small_op(writer *w, int32_t si, int32_t l, const mprt_op *op)
{
    char pn[96];
    nm(w, pn, sizeof pn, si, l, "p");
    switch (op->type) {
    case MPRT_OP_AVG_POOL:
    case MPRT_OP_MAX_POOL: {
        const mprt_pool *q = op->params;
        mp_strbuf_printf(w->c, "static const mprt_pool %s = {%ld, %ld, %ld, %ld, %ld, %ld, %ld, "
                               "%ld, %ld, %ld, %ld, %ld, %ld};\n", pn, (long)q->in_h,
                         (long)q->in_w, (long)q->c, (long)q->out_h, (long)q->out_w, (long)q->kh,
                         (long)q->kw, (long)q->sh, (long)q->sw, (long)q->pad_top,
                         (long)q->pad_left, (long)q->act_min, (long)q->act_max);
        break;
    }
    case MPRT_OP_MEAN: {
        const mprt_mean *q = op->params;
        mp_strbuf_printf(w->c, "static const mprt_mean %s = {%ld, %ld, %ld, %ld, %ld, %ld, %ld, "
                               "%ld};\n", pn, (long)q->in_h, (long)q->in_w, (long)q->c,
                         (long)q->mode, (long)q->in_zp, (long)q->out_zp, (long)q->mult,
                         (long)q->shift);
        break;
    }
    case MPRT_OP_SOFTMAX: {
        const mprt_softmax *q = op->params;
        mp_strbuf_printf(w->c, "static const mprt_softmax %s = {%ld, %ld, %ld, %ld};\n", pn,
                         (long)q->c, (long)q->in_mult, (long)q->in_left_shift,
                         (long)q->diff_min);
        break;
    }
    case MPRT_OP_PAD: {
        const mprt_pad *q = op->params;
        mp_strbuf_printf(w->c, "static const mprt_pad %s = {%ld, %ld, %ld, %ld, %ld, %ld, %ld, "
                               "%ld};\n", pn, (long)q->in_h, (long)q->in_w, (long)q->c,
                         (long)q->pad_top, (long)q->pad_left, (long)q->value, (long)q->in_c,
                         (long)q->ch_before);
        break;
    }
    case MPRT_OP_CONVERT: { /* the scales as C99 hexadecimal floating constants: exact */
        const mprt_convert *q = op->params;
        mp_strbuf_printf(w->c, "static const mprt_convert %s = {%ld, %ld, %ld, %ld, %ld, %ld, "
                               "%ld, %af, %a};\n", pn, (long)q->in_type, (long)q->out_type,
                         (long)q->c, (long)q->in_zp, (long)q->out_zp, (long)q->mult,
                         (long)q->shift, (double)q->out_scale, q->in_scale);
        break;
    }
    case MPRT_OP_UNARY:
        i32_struct(w, "mprt_unary", pn, op->params,
                   (const uint8_t[]){1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0});
        break;
    case MPRT_OP_GATHER:
        i32_struct(w, "mprt_gather", pn, op->params, (const uint8_t[]){1, 4, 4, 4, 4, 4, 0});
        break;
    case MPRT_OP_D2S:
        i32_struct(w, "mprt_d2s", pn, op->params, (const uint8_t[]){1, 1, 1, 1, 0});
        break;
    case MPRT_OP_REDUCE: /* the mean block is one brace group of its 8 fields */
        i32_struct(w, "mprt_reduce", pn, op->params, (const uint8_t[]){4, 1, 1, 1, 8, 0});
        break;
    default:
        mp_strbuf_printf(w->c, "static const mprt_requant %s = ", pn);
        requant_init(w, op->params);
        mp_strbuf_puts(w->c, ";\n");
        break;
    }
}

static void op_data(writer *w, int32_t si, int32_t l, const mprt_op *op)
{
    char in[96];
    mp_strbuf_puts(w->c, "\n/* op '");
    mp_c_comment_text(w->c, w->t->g->ops[w->t->op_index[si][l]].name);
    mp_strbuf_puts(w->c, "' */\n");
    i32_array(w, nm(w, in, sizeof in, si, l, "in"), op->in, (size_t)op->n_in);
    if (op->type <= MPRT_OP_FC || op->type == MPRT_OP_TCONV)
        conv_op(w, si, l, op);
    else if (op->type == MPRT_OP_ADD || op->type == MPRT_OP_MUL || op->type == MPRT_OP_BINARY)
        elem_op(w, si, l, op);
    else if (op->type == MPRT_OP_BILINEAR)
        bilinear_op(w, si, l, op);
    else if (op->type == MPRT_OP_SPLIT)
        split_op(w, si, l, op);
    else if (op->type == MPRT_OP_CONCAT)
        concat_op(w, si, l, op);
    else if (op->type == MPRT_OP_RESIZE)
        resize_op(w, si, l, op);
    else if (op->type != MPRT_OP_RESHAPE)
        small_op(w, si, l, op);
}

static void iv_array(writer *w, const char *name, const mprt_iv *v, int32_t n)
{
    mp_strbuf_printf(w->c, "static const mprt_iv %s[%ld] = {", name, (long)n);
    for (int32_t i = 0; i < n; i++)
        mp_strbuf_printf(w->c, "{%ld, %ld}, ", (long)v[i].a, (long)v[i].b);
    mp_strbuf_puts(w->c, "};\n");
}

static void slots(writer *w, int32_t si, const mprt_segment *seg)
{
    static const char *const sfx[4] = {"nr", "nc", "cr", "cc"};
    for (int32_t k = 0; k < seg->n_slots; k++) {
        const mprt_slot *s = &seg->slots[k];
        const mprt_iv *v[4] = {s->need_rows, s->need_cols, s->comp_rows, s->comp_cols};
        for (int a = 0; a < 4; a++) {
            char name[96];
            snprintf(name, sizeof name, "%s_s%ld_k%ld_%s", w->p, (long)si, (long)k, sfx[a]);
            iv_array(w, name, v[a], a % 2 ? seg->cols : seg->rows);
        }
    }
    mp_strbuf_printf(w->c, "static const mprt_slot %s_s%ld_slots[%ld] = {\n", w->p, (long)si,
                     (long)seg->n_slots);
    for (int32_t k = 0; k < seg->n_slots; k++) {
        const mprt_slot *s = &seg->slots[k];
        mp_strbuf_printf(w->c, "    {%ld, %ld, %ld, %luu, ", (long)s->tensor, (long)s->role,
                         (long)s->input, (unsigned long)s->offset);
        for (int a = 0; a < 4; a++)
            mp_strbuf_printf(w->c, "%s_s%ld_k%ld_%s, ", w->p, (long)si, (long)k, sfx[a]);
        mp_strbuf_printf(w->c, "%ld, %ld, %ld, %ld, %ld, %luu, %luu},\n", (long)s->kr,
                         (long)s->kc, (long)s->hc0, (long)s->hull_w, (long)s->max_h,
                         (unsigned long)s->row_cache, (unsigned long)s->col_cache);
    }
    mp_strbuf_puts(w->c, "};\n");
}

static void segment(writer *w, int32_t si, const mprt_segment *seg)
{
    for (int32_t l = 0; l < seg->n_ops; l++)
        op_data(w, si, l, &seg->ops[l]);
    if (seg->n_slots)
        slots(w, si, seg);
    mp_strbuf_printf(w->c, "static const mprt_op %s_s%ld_ops[%ld] = {\n", w->p, (long)si,
                     (long)seg->n_ops);
    for (int32_t l = 0; l < seg->n_ops; l++) {
        const mprt_op *op = &seg->ops[l];
        char in[96], pn[96];
        mp_strbuf_printf(w->c, "    {%ld, %ld, %ld, %s, %ld, %ld, %luu, %luu, %s%s},\n",
                         (long)op->type, (long)op->run, (long)op->n_in,
                         nm(w, in, sizeof in, si, l, "in"), (long)op->out, (long)op->out_tensor,
                         (unsigned long)op->aux_offset, (unsigned long)op->aux_bytes,
                         op->type == MPRT_OP_RESHAPE ? "" : "&",
                         op->type == MPRT_OP_RESHAPE ? "0" : nm(w, pn, sizeof pn, si, l, "p"));
    }
    mp_strbuf_puts(w->c, "};\n");
}

static void io_array(writer *w, const char *what, const mprt_io *v, int32_t n)
{
    mp_strbuf_printf(w->c, "static const mprt_io %s_%s[%ld] = {", w->p, what, (long)n);
    for (int32_t i = 0; i < n; i++)
        mp_strbuf_printf(w->c, "{%ld, %luu, %luu}, ", (long)v[i].tensor,
                         (unsigned long)v[i].bytes, (unsigned long)v[i].pos);
    mp_strbuf_puts(w->c, "};\n");
}

static void model(writer *w, const mprt_model *md)
{
    mp_strbuf_printf(w->c, "\nstatic const mprt_tensor %s_tensors[%ld] = {\n", w->p,
                     (long)md->n_tensors);
    for (int32_t t = 0; t < md->n_tensors; t++) {
        const mprt_tensor *x = &md->tensors[t];
        mp_strbuf_printf(w->c, "    {%ld, %ld, %ld, %ld, %ld}, /* ", (long)x->h, (long)x->w,
                         (long)x->c, (long)x->esize, (long)x->offset);
        mp_c_comment_text(w->c, w->t->g->tensors[t].name);
        mp_strbuf_puts(w->c, " */\n");
    }
    mp_strbuf_puts(w->c, "};\n");
    io_array(w, "inputs", md->inputs, md->n_inputs);
    io_array(w, "outputs", md->outputs, md->n_outputs);
    mp_strbuf_printf(w->c, "static const mprt_segment %s_segments[%ld] = {\n", w->p,
                     (long)md->n_segments);
    for (int32_t si = 0; si < md->n_segments; si++) {
        const mprt_segment *s = &md->segments[si];
        char slots_name[96] = "0";
        if (s->n_slots)
            snprintf(slots_name, sizeof slots_name, "%s_s%ld_slots", w->p, (long)si);
        mp_strbuf_printf(w->c, "    {%ld, %ld, %ld, %ld, %ld, %s_s%ld_ops, %ld, %s},\n",
                         (long)s->tiled, (long)s->halo, (long)s->rows, (long)s->cols,
                         (long)s->n_ops, w->p, (long)si, (long)s->n_slots, slots_name);
    }
    mp_strbuf_printf(w->c, "};\n\nconst mprt_model %s_model = {%ldu, %luu, %luu, %luu, %ld, "
                           "%s_tensors, %ld, %s_inputs, %ld, %s_outputs, %ld, %s_segments};\n",
                     w->p, (long)md->version, (unsigned long)md->arena_bytes,
                     (unsigned long)md->input_bytes, (unsigned long)md->output_bytes,
                     (long)md->n_tensors, w->p, (long)md->n_inputs, w->p, (long)md->n_outputs,
                     w->p, (long)md->n_segments, w->p);
    mp_strbuf_printf(w->c, "\nint %s_invoke(mprt_ctx *ctx, uint8_t *arena, const int8_t *input, "
                           "int8_t *output)\n{\n    return (int)mprt_run(ctx, &%s_model, arena, "
                           "%s_model.arena_bytes, input, output);\n}\n", w->p, w->p, w->p);
}

static void io_defines(const mp_rt_tables *t, mp_strbuf *h, const char *P, const char *what,
                       const mprt_io *v, int32_t n)
{
    for (int32_t i = 0; i < n; i++) {
        const mprt_tensor *x = &t->model.tensors[v[i].tensor];
        float scale = 0;
        int32_t zp = 0;
        mp_exec_tensor_quant(t->m, (mp_tensor_id)v[i].tensor, &scale, &zp);
        mp_strbuf_printf(h, "/* %s %ld: '", what, (long)i);
        mp_c_comment_text(h, t->g->tensors[v[i].tensor].name);
        mp_dtype dt = t->g->tensors[v[i].tensor].dtype;
        const char *type = dt == MP_DTYPE_FLOAT32 ? "float32" : dt == MP_DTYPE_UINT8 ? "uint8"
                                                                                      : "int8";
        if (dt == MP_DTYPE_FLOAT32)
            mp_strbuf_printf(h, "', float32 NHWC %ld x %ld x %ld (4 bytes each, the target's "
                                "byte order; %s) */\n", (long)x->h, (long)x->w, (long)x->c,
                             strcmp(what, "INPUT") == 0 ? "the network's QUANTIZE reads it"
                                                        : "from the network's DEQUANTIZE");
        else
            mp_strbuf_printf(h, "', %s NHWC %ld x %ld x %ld, real = scale * (q - zero_point) */\n",
                             type, (long)x->h, (long)x->w, (long)x->c);
        mp_strbuf_printf(h, "#define %s_%s%ld_TYPE_%s 1\n#define %s_%s%ld_ELEMENT_BYTES %ld\n", P,
                         what, (long)i, dt == MP_DTYPE_FLOAT32 ? "FLOAT32"
                                        : dt == MP_DTYPE_UINT8 ? "UINT8" : "INT8",
                         P, what, (long)i, (long)x->esize);
        mp_strbuf_printf(h, "#define %s_%s%ld_BYTES %luu\n#define %s_%s%ld_POS %luu\n", P, what,
                         (long)i, (unsigned long)v[i].bytes, P, what, (long)i,
                         (unsigned long)v[i].pos);
        mp_strbuf_printf(h, "#define %s_%s%ld_H %ld\n#define %s_%s%ld_W %ld\n#define %s_%s%ld_C "
                            "%ld\n", P, what, (long)i, (long)x->h, P, what, (long)i, (long)x->w,
                         P, what, (long)i, (long)x->c);
        mp_strbuf_printf(h, "#define %s_%s%ld_SCALE %.9gf\n#define %s_%s%ld_ZERO_POINT %ld\n", P,
                         what, (long)i, (double)scale, P, what, (long)i, (long)zp);
    }
}

static void header(const mp_rt_tables *t, const char *p, const char *P, mp_strbuf *h)
{
    const mprt_model *md = &t->model;
    mp_strbuf_printf(h, "/* Generated by memplan %s: memplan_rt tables of network '", mp_version());
    mp_c_comment_text(h, t->g->name);
    mp_strbuf_puts(h, "' (");
    mp_c_comment_text(h, t->g->source);
    mp_strbuf_printf(h, ").\n * Do not edit: regenerate with `memplan export --format c`. Build "
                        "with the runtime\n * (the .c files of memplan_rt/, -Imemplan_rt/include); "
                        "docs/runtime.md. */\n#ifndef %s_MODEL_H\n#define %s_MODEL_H\n\n"
                        "#include \"memplan_rt/mprt.h\"\n\n", P, P);
    mp_strbuf_printf(h, "#define %s_NETWORK_HASH \"%s\"\n#define %s_ARENA_BYTES %luu\n", P,
                     t->g->hash, P, (unsigned long)md->arena_bytes);
    mp_strbuf_printf(h, "#define %s_CONST_BYTES %zuu /* weights, biases, multipliers, shifts */\n",
                     P, t->const_bytes);
    mp_strbuf_printf(h, "#define %s_INPUT_BYTES %luu\n#define %s_OUTPUT_BYTES %luu\n"
                        "#define %s_N_INPUTS %ld\n#define %s_N_OUTPUTS %ld\n\n", P,
                     (unsigned long)md->input_bytes, P, (unsigned long)md->output_bytes, P,
                     (long)md->n_inputs, P, (long)md->n_outputs);
    io_defines(t, h, P, "INPUT", md->inputs, md->n_inputs);
    io_defines(t, h, P, "OUTPUT", md->outputs, md->n_outputs);
    mp_strbuf_printf(h, "\nextern const mprt_model %s_model;\n\n"
                        "/* Run the network: input holds the inputs back to back (%s_INPUT_BYTES),\n"
                        " * output receives the outputs (%s_OUTPUT_BYTES), each in its own type\n"
                        " * (above); output NULL leaves them in the arena (mprt_output_data). arena\n"
                        " * is %s_ARENA_BYTES bytes of SRAM (any alignment). A float input outside\n"
                        " * the arena is read in place (it may live in flash). Returns 0 (MPRT_OK)\n"
                        " * or an mprt_status. */\n"
                        "int %s_invoke(mprt_ctx *ctx, uint8_t *arena, const int8_t *input, "
                        "int8_t *output);\n#ifndef MP_MODEL_NO_ALIAS\n#define mp_model_invoke "
                        "%s_invoke\n#endif\n\n#endif\n", p, P, P, P, p, p);
}

static bool valid_prefix(const char *p)
{
    if (!p || !*p || !(isalpha((unsigned char)*p) || *p == '_') || strlen(p) > 40)
        return false;
    for (; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return false;
    return true;
}

mp_status mp_rt_export_c(const mp_rt_tables *t, const char *prefix, const char *header_name,
                         mp_strbuf *h, mp_strbuf *c, mp_error *err)
{
    if (!valid_prefix(prefix))
        return mp_errorf(err, MP_E_INVALID,
                         "--prefix: '%s' is not a C identifier (letters, digits, _; at most 40)",
                         prefix ? prefix : "");
    char P[64];
    size_t i = 0;
    for (; prefix[i] && i + 1 < sizeof P; i++)
        P[i] = (char)toupper((unsigned char)prefix[i]);
    P[i] = '\0';
    header(t, prefix, P, h);
    writer w = {t, prefix, c};
    mp_strbuf_printf(c, "/* Generated by memplan %s: memplan_rt tables (format %d). Do not edit. */\n"
                        "#include \"%s\"\n", mp_version(), MPRT_FORMAT_VERSION, header_name);
    for (int32_t si = 0; si < t->model.n_segments; si++)
        segment(&w, si, &t->model.segments[si]);
    model(&w, &t->model);
    if (h->failed || c->failed)
        return mp_errorf(err, MP_E_NOMEM, "out of memory writing the C package");
    return MP_OK;
}
