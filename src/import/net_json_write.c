/* SPDX-License-Identifier: MIT */
/*
 * net_json_write.c - write a graph as memplan's net.json (module import).
 *
 * The writer is the inverse of net_json.c: one layer per op in source order,
 * named after the op (whose output tensor carries the same name), with every
 * attribute written explicitly, quantization, and constant data either as a
 * {"offset", "bytes"} reference into the top-level "weights_file" (zero copy:
 * the .tflite itself) or inline as base64. Tensor names, op names and the
 * TFLite tensor indices ("tflite_tensor") are kept, so re-importing the
 * document gives the same network hash and the same analysis figures,
 * TFLite Micro's arena included. A repeat group of the graph (mp_repeat) is
 * written as one "repeat" entry when all its repetitions come out alike with
 * names as the importer reads them inside the group (group_alike); otherwise
 * its layers are written one by one.
 */
#include "memplan/mp_import.h"

#include "../util/alloc.h"
#include "../util/base64.h"
#include "net_json_write_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>


mp_status nj_unsupported(writer *w, uint32_t op, const char *fmt, const char *name)
{
    char where[200];
    mp_graph_op_where(w->g, op, where, sizeof where);
    char msg[300];
    snprintf(msg, sizeof msg, fmt, name);
    return mp_errorf(w->err, MP_E_UNSUPPORTED, "%s: %s: %s", w->g->source, where, msg);
}

/* Inside a group: a repetition that cannot be written like the others. */
static mp_status not_alike(writer *w)
{
    return mp_errorf(w->err, MP_E_UNSUPPORTED, "repetitions differ");
}

/* name without the ".<rep>" suffix of the repetition being written. */
static mp_status put_base_name(writer *w, const char *name)
{
    size_t n = mp_repeat_base_len(name, w->rep);
    if (n == SIZE_MAX)
        return not_alike(w);
    mp_strbuf_reset(&w->tmp);
    mp_strbuf_append(&w->tmp, name, n);
    mp_strbuf_json_string(w->sb, w->tmp.buf);
    return MP_OK;
}

void nj_key(writer *w, const char *k)
{
    mp_strbuf_puts(w->sb, ", ");
    mp_strbuf_json_string(w->sb, k);
    mp_strbuf_puts(w->sb, ": ");
}

void nj_key_str(writer *w, const char *k, const char *v)
{
    nj_key(w, k);
    mp_strbuf_json_string(w->sb, v);
}

void nj_key_pair(writer *w, const char *k, int32_t a, int32_t b)
{
    nj_key(w, k);
    mp_strbuf_printf(w->sb, "[%d, %d]", a, b);
}

/* The tensor's dimensions as written in its source (its rank, right-aligned NHWC). */
void nj_put_dims(writer *w, mp_shape s, uint32_t rank)
{
    const int32_t d[4] = {s.n, s.h, s.w, s.c};
    if (rank < 1 || rank > 4)
        rank = 4;
    mp_strbuf_puts(w->sb, "[");
    for (uint32_t k = 4 - rank; k < 4; k++)
        mp_strbuf_printf(w->sb, "%s%d", k > 4 - rank ? ", " : "", d[k]);
    mp_strbuf_puts(w->sb, "]");
}

/* What net_json.c reads back: a positive scale up to 1e30 (compared as the double the
 * reader sees: 1e30f itself is slightly more) and at most NET_MAX_QUANT channels. */
static bool scale_ok(float s)
{
    return isfinite(s) && s > 0 && (double)s <= 1e30;
}

/* "quant": per tensor as numbers, per channel as arrays. */
mp_status nj_put_quant(writer *w, uint32_t op, const mp_tensor *t, bool per_channel_ok)
{
    const mp_quant *q = &t->quant;
    if (!q->n)
        return MP_OK;
    if (q->n > 1 && !per_channel_ok)
        return nj_unsupported(w, op, "tensor '%s': per-channel quantization of an activation",
                           t->name);
    if (q->n > NET_MAX_QUANT)
        return nj_unsupported(w, op, "tensor '%s': more per-channel scales than net.json holds",
                           t->name);
    for (uint32_t i = 0; i < q->n; i++)
        if (!scale_ok(q->scale[i]) || q->zero_point[i] < -32768 || q->zero_point[i] > 65535)
            return nj_unsupported(w, op, "tensor '%s': a scale or zero point net.json cannot hold",
                               t->name);
    nj_key(w, "quant");
    if (q->n == 1) {
        mp_strbuf_printf(w->sb, "{\"scale\": %.9g, \"zero_point\": %d}", (double)q->scale[0],
                         q->zero_point[0]);
        return MP_OK;
    }
    mp_strbuf_puts(w->sb, "{\"scale\": [");
    for (uint32_t i = 0; i < q->n; i++)
        mp_strbuf_printf(w->sb, "%s%.9g", i ? ", " : "", (double)q->scale[i]);
    mp_strbuf_puts(w->sb, "], \"zero_point\": [");
    for (uint32_t i = 0; i < q->n; i++)
        mp_strbuf_printf(w->sb, "%s%d", i ? ", " : "", q->zero_point[i]);
    mp_strbuf_puts(w->sb, "]}");
    return MP_OK;
}

static void put_data(writer *w, const mp_tensor *t)
{
    const mp_export_opts *o = w->opts;
    if (!t->data)
        return;
    const char *base = o ? o->weights_base : NULL;
    const char *p = t->data;
    if (base && p >= base && t->size_bytes <= o->weights_bytes &&
        (size_t)(p - base) <= o->weights_bytes - t->size_bytes) {
        nj_key(w, "file");
        mp_strbuf_printf(w->sb, "{\"offset\": %zu, \"bytes\": %zu}", (size_t)(p - base),
                         t->size_bytes);
        return;
    }
    nj_key(w, "data_base64");
    mp_strbuf_puts(w->sb, "\"");
    mp_base64_encode(t->data, t->size_bytes, w->sb);
    mp_strbuf_puts(w->sb, "\"");
}

/* "weights" / "bias": a constant operand with its name, dtype, quantization and data. */
mp_status nj_put_const(writer *w, uint32_t op, const char *role, mp_tensor_id id,
                           mp_dtype def_dtype, int32_t def_axis)
{
    const mp_tensor *t = &w->g->tensors[id];
    if (!(t->flags & MP_TENSOR_CONST))
        return nj_unsupported(w, op, "%s is not a constant (net.json holds constant weights only)",
                           role);
    if (w->const_used[id] && !w->checking)
        return nj_unsupported(w, op, "tensor '%s' is shared with another layer", t->name);
    if (t->quant.n > 1 && t->quant.axis != def_axis)
        return nj_unsupported(w, op, "tensor '%s': per-channel quantization along another axis",
                           t->name);
    if (!w->checking)
        w->const_used[id] = 1;
    nj_key(w, role);
    mp_strbuf_puts(w->sb, "{");
    size_t mark = w->sb->len;
    const char *layer = w->g->ops[op].name;
    size_t n = strlen(layer);
    if (!w->grp) {
        mp_strbuf_puts(w->sb, "\"name\": ");
        mp_strbuf_json_string(w->sb, t->name);
    } else if (strncmp(t->name, layer, n) != 0 || t->name[n] != '/' ||
               strcmp(t->name + n + 1, role) != 0) {
        mp_strbuf_puts(w->sb, "\"name\": "); /* not the default "LAYER/ROLE" */
        MP_TRY(put_base_name(w, t->name));
    }
    if (t->dtype != def_dtype)
        nj_key_str(w, "dtype", mp_dtype_name(t->dtype));
    if (strcmp(role, "weights") != 0 && strcmp(role, "bias") != 0) {
        nj_key(w, "shape"); /* a binary op's constant, PReLU's alpha: not inferred */
        nj_put_dims(w, t->shape, t->rank);
    }
    MP_TRY(nj_put_quant(w, op, t, true));
    put_data(w, t);
    if (w->sb->len == mark || strncmp(w->sb->buf + mark, ", ", 2) != 0) {
        mp_strbuf_puts(w->sb, "}");
        return MP_OK;
    }
    /* no name was written: drop the separator the first member started with */
    memmove(w->sb->buf + mark, w->sb->buf + mark + 2, w->sb->len - mark - 2);
    w->sb->len -= 2;
    w->sb->buf[w->sb->len] = '\0';
    mp_strbuf_puts(w->sb, "}");
    return MP_OK;
}

static void put_padding(writer *w, const mp_op_params *p)
{
    if (p->padding == MP_PADDING_EXPLICIT) {
        nj_key(w, "padding");
        mp_strbuf_printf(w->sb, "[%d, %d, %d, %d]", p->pad_top, p->pad_bottom, p->pad_left,
                         p->pad_right);
    } else {
        nj_key_str(w, "padding", mp_padding_name(p->padding));
    }
}

/* Kernel, stride, dilation and padding of conv, depthwise and pooling layers. */
static void put_window(writer *w, const mp_op_params *p, bool dilation)
{
    nj_key_pair(w, "kernel", p->kernel_h, p->kernel_w);
    nj_key_pair(w, "stride", p->stride_h, p->stride_w);
    if (dilation)
        nj_key_pair(w, "dilation", p->dilation_h, p->dilation_w);
    put_padding(w, p);
}

/* conv, depthwise, fc: [input, weights, bias]. */
static mp_status put_weighted(writer *w, uint32_t i)
{
    const mp_op *op = &w->g->ops[i];
    const mp_op_params *p = &op->p;
    int32_t axis = op->type == MP_OP_CONV2D || op->type == MP_OP_TRANSPOSE_CONV ? 0
                   : op->type == MP_OP_DEPTHWISE_CONV2D                           ? 3
                                                                                  : 2;
    if (op->n_in != 3 || op->in[1] == MP_NO_TENSOR)
        return nj_unsupported(w, i, "%s: expected input, weights and bias", op->type_name);
    if (op->type == MP_OP_CONV2D) {
        nj_key(w, "filters");
        mp_strbuf_printf(w->sb, "%d", p->filters);
        if (p->groups > 1) {
            nj_key(w, "groups");
            mp_strbuf_printf(w->sb, "%d", p->groups);
        }
        put_window(w, p, true);
    } else if (op->type == MP_OP_DEPTHWISE_CONV2D) {
        nj_key(w, "depth_multiplier");
        mp_strbuf_printf(w->sb, "%d", p->depth_multiplier);
        put_window(w, p, true);
    } else if (op->type == MP_OP_TRANSPOSE_CONV) {
        nj_key(w, "filters");
        mp_strbuf_printf(w->sb, "%d", p->filters);
        nj_key_pair(w, "kernel", p->kernel_h, p->kernel_w);
        nj_key_pair(w, "stride", p->stride_h, p->stride_w);
        nj_key_pair(w, "size", p->out_h, p->out_w);
        if (p->padding == MP_PADDING_EXPLICIT)
            return nj_unsupported(w, i, "%s with explicit padding", op->type_name);
        nj_key_str(w, "padding", mp_padding_name(p->padding));
    } else {
        nj_key(w, "units");
        mp_strbuf_printf(w->sb, "%d", p->filters);
        if (p->keep_num_dims)
            mp_strbuf_puts(w->sb, ", \"keep_num_dims\": true");
    }
    nj_key_str(w, "activation", mp_activation_name(p->activation));
    MP_TRY(nj_put_const(w, i, "weights", op->in[1], MP_DTYPE_INT8, axis));
    if (op->in[2] == MP_NO_TENSOR) {
        mp_strbuf_puts(w->sb, ", \"use_bias\": false");
        return MP_OK;
    }
    return nj_put_const(w, i, "bias", op->in[2], MP_DTYPE_INT32, 3);
}

/* The attributes of op i (after "op"). */
static mp_status put_attributes(writer *w, uint32_t i)
{
    const mp_op *op = &w->g->ops[i];
    const mp_op_params *p = &op->p;
    const mp_tensor *out = &w->g->tensors[op->out[0]];
    switch (op->type) {
    case MP_OP_CONV2D:
    case MP_OP_DEPTHWISE_CONV2D:
    case MP_OP_FULLY_CONNECTED:
    case MP_OP_TRANSPOSE_CONV:
        return put_weighted(w, i);
    case MP_OP_AVG_POOL2D:
    case MP_OP_MAX_POOL2D:
        if (p->activation != MP_ACT_NONE)
            return nj_unsupported(w, i, "%s with a fused activation", op->type_name);
        put_window(w, p, false);
        return MP_OK;
    case MP_OP_CONCAT:
        nj_key(w, "axis");
        mp_strbuf_printf(w->sb, "%d", p->axis);
        /* fall through */
    case MP_OP_ADD:
    case MP_OP_MUL:
    case MP_OP_SUB:
    case MP_OP_MAXIMUM:
    case MP_OP_MINIMUM:
    case MP_OP_PRELU:
        if (op->type != MP_OP_MAXIMUM && op->type != MP_OP_MINIMUM && op->type != MP_OP_PRELU)
            nj_key_str(w, "activation", mp_activation_name(p->activation));
        return nj_put_operand(w, i);
    case MP_OP_MEAN:
    case MP_OP_SUM:
    case MP_OP_REDUCE_MAX:
        mp_strbuf_printf(w->sb, ", \"keep_dims\": %s", p->keep_dims ? "true" : "false");
        if (p->axes != 6) /* the default: height and width */
            nj_put_axes(w, "axes", p->axes);
        return MP_OK;
    case MP_OP_PAD:
        put_padding(w, p);
        if (p->pad_ch_before || p->pad_ch_after)
            nj_key_pair(w, "channels", p->pad_ch_before, p->pad_ch_after);
        if (p->pad_value_set)
            mp_strbuf_printf(w->sb, ", \"constant\": %d", p->pad_value);
        return MP_OK;
    case MP_OP_RESHAPE:
        nj_key(w, "shape");
        nj_put_dims(w, out->shape, out->rank);
        return MP_OK;
    case MP_OP_SOFTMAX:
        if (!isfinite(p->beta))
            return nj_unsupported(w, i, "%s: beta is not a finite number", op->type_name);
        mp_strbuf_printf(w->sb, ", \"beta\": %.9g", (double)p->beta);
        return MP_OK;
    case MP_OP_RESIZE_NEAREST:
    case MP_OP_RESIZE_BILINEAR:
        nj_key_pair(w, "size", p->out_h, p->out_w);
        mp_strbuf_printf(w->sb, ", \"align_corners\": %s, \"half_pixel_centers\": %s",
                         p->align_corners ? "true" : "false",
                         p->half_pixel_centers ? "true" : "false");
        return MP_OK;
    case MP_OP_QUANTIZE:
    case MP_OP_DEQUANTIZE:
        return MP_OK;
    default:
        return nj_put_more(w, i);
    }
}

/* The input of repetition rep (1-based) of group r. */
static mp_tensor_id rep_input(const mp_graph *g, const mp_repeat *r, uint32_t rep)
{
    uint32_t start = r->first_op + (rep - 1) * r->n_layers;
    return start == 0 ? g->inputs[0] : g->ops[start - 1].out[0];
}

/*
 * The name of input k of op i. Inside repetition rep of a group: a layer of
 * the same repetition by its name without the suffix, the repetition's input
 * by the group's name (in the first repetition only when the second reads its
 * own input there too: the tensor before the group may just be read by name),
 * anything else by its name unless that would mean a layer of the group there.
 */
static mp_status put_input_name(writer *w, uint32_t i, uint32_t k)
{
    const mp_graph *g = w->g;
    const mp_repeat *r = w->grp;
    mp_tensor_id t = g->ops[i].in[k];
    if (!r) {
        mp_strbuf_json_string(w->sb, g->tensors[t].name);
        return MP_OK;
    }
    uint32_t start = r->first_op + (w->rep - 1) * r->n_layers;
    int32_t p = g->tensors[t].producer;
    if (p >= 0 && (uint32_t)p >= start && (uint32_t)p - start < r->n_layers)
        return put_base_name(w, g->ops[p].name);
    bool alias = t == rep_input(g, r, w->rep);
    if (alias && w->rep == 1 && r->n_reps > 1) {
        const mp_op *next = &g->ops[i + r->n_layers];
        alias = k < next->n_in && next->in[k] == rep_input(g, r, 2);
    }
    if (alias) {
        mp_strbuf_json_string(w->sb, r->name);
        return MP_OK;
    }
    mp_strbuf_reset(&w->tmp);
    mp_strbuf_printf(&w->tmp, "%s.%u", g->tensors[t].name, w->rep);
    int32_t shadow = mp_graph_find_op(g, w->tmp.buf);
    if (strcmp(g->tensors[t].name, r->name) == 0 ||
        (shadow >= 0 && (uint32_t)shadow >= start && (uint32_t)shadow - start < r->n_layers))
        return not_alike(w);
    mp_strbuf_json_string(w->sb, g->tensors[t].name);
    return MP_OK;
}

/* Activation inputs as layer names; constant ones cannot be expressed. */
static mp_status put_inputs(writer *w, uint32_t i)
{
    const mp_op *op = &w->g->ops[i];
    bool binary = op->type == MP_OP_ADD || op->type == MP_OP_MUL || op->type == MP_OP_SUB ||
                  op->type == MP_OP_MAXIMUM || op->type == MP_OP_MINIMUM;
    bool many = binary || op->type == MP_OP_CONCAT;
    uint32_t n = many ? op->n_in : 1;
    if (binary && n == 2 && op->in[1] != MP_NO_TENSOR &&
        (w->g->tensors[op->in[1]].flags & MP_TENSOR_CONST))
        n = 1; /* written as "constant" */
    nj_key(w, "inputs");
    mp_strbuf_puts(w->sb, "[");
    for (uint32_t k = 0; k < n; k++) {
        const mp_tensor *t = op->in[k] == MP_NO_TENSOR ? NULL : &w->g->tensors[op->in[k]];
        if (!t || (t->flags & MP_TENSOR_CONST)) {
            char msg[300];
            snprintf(msg, sizeof msg, "input %u '%s' is %s (net.json layers read activations only)",
                     k, t ? t->name : "-", t ? "a constant" : "absent");
            return nj_unsupported(w, i, "%s", msg);
        }
        mp_strbuf_printf(w->sb, "%s", k ? ", " : "");
        MP_TRY(put_input_name(w, i, k));
    }
    mp_strbuf_puts(w->sb, "]");
    if (!many && op->n_in > 1 && op->type != MP_OP_CONV2D && op->type != MP_OP_FULLY_CONNECTED &&
        op->type != MP_OP_DEPTHWISE_CONV2D && op->type != MP_OP_TRANSPOSE_CONV &&
        op->type != MP_OP_PRELU)
        return nj_unsupported(w, i, "%s takes 1 input in net.json", op->type_name);
    return MP_OK;
}

/* Name, dtype, quantization and TFLite index of an activation tensor. */
static mp_status put_tensor_info(writer *w, uint32_t op, const mp_tensor *t, mp_tensor_id id)
{
    if (t->dtype != MP_DTYPE_INT8)
        nj_key_str(w, "dtype", mp_dtype_name(t->dtype));
    MP_TRY(nj_put_quant(w, op, t, false));
    if (w->g->source_kind == MP_SOURCE_TFLITE || t->source_index != id) {
        nj_key(w, "tflite_tensor");
        mp_strbuf_printf(w->sb, "%u", t->source_index);
    }
    return MP_OK;
}

/* Layer i after prefix (the separator and indentation). */
static mp_status put_layer(writer *w, uint32_t i, const char *prefix)
{
    const mp_op *op = &w->g->ops[i];
    if (op->type == MP_OP_UNKNOWN)
        return nj_unsupported(w, i, "%s", "memplan does not model this op, so net.json cannot "
                                       "describe it");
    const mp_tensor *out = &w->g->tensors[op->out[0]];
    if ((op->n_out != 1 && op->type != MP_OP_SPLIT) || strcmp(out->name, op->name) != 0)
        return nj_unsupported(w, i, "the layer must have one output named like it ('%s')",
                           out->name);
    mp_strbuf_puts(w->sb, prefix);
    mp_strbuf_puts(w->sb, "{\"name\": ");
    if (w->grp)
        MP_TRY(put_base_name(w, op->name));
    else
        mp_strbuf_json_string(w->sb, op->name);
    nj_key_str(w, "op", mp_op_type_name(op->type));
    MP_TRY(put_inputs(w, i));
    MP_TRY(put_attributes(w, i));
    MP_TRY(put_tensor_info(w, i, out, op->out[0]));
    mp_strbuf_puts(w->sb, "}");
    return MP_OK;
}

/*
 * Whether every repetition of group r is written like the first: each layer
 * rendered per repetition (into scratch text, errors kept apart) and compared.
 */
static bool group_alike(writer *w, const mp_repeat *r)
{
    mp_error e;
    mp_strbuf first, cur;
    mp_strbuf *sb = w->sb;
    mp_error *err = w->err;
    mp_error_init(&e);
    mp_strbuf_init(&first);
    mp_strbuf_init(&cur);
    w->err = &e;
    w->grp = r;
    w->checking = true;
    bool ok = true;
    for (uint32_t j = 0; ok && j < r->n_layers; j++) {
        for (uint32_t rep = 1; ok && rep <= r->n_reps; rep++) {
            w->rep = rep;
            w->sb = rep == 1 ? &first : &cur;
            mp_strbuf_reset(w->sb);
            ok = put_layer(w, r->first_op + (rep - 1) * r->n_layers + j, "") == MP_OK &&
                 !w->sb->failed && (rep == 1 || strcmp(first.buf, cur.buf) == 0);
        }
    }
    w->sb = sb;
    w->err = err;
    w->grp = NULL;
    w->checking = false;
    mp_strbuf_release(&first);
    mp_strbuf_release(&cur);
    return ok;
}

/* Group r as {"repeat": N, "name": G, "layers": [its first repetition]}. */
static mp_status put_group(writer *w, const mp_repeat *r, const char *prefix)
{
    mp_strbuf_printf(w->sb, "%s{\"repeat\": %u, \"name\": ", prefix, r->n_reps);
    mp_strbuf_json_string(w->sb, r->name);
    mp_strbuf_puts(w->sb, ", \"layers\": [\n");
    w->grp = r;
    w->rep = 1;
    mp_status st = MP_OK;
    for (uint32_t j = 0; st == MP_OK && j < r->n_layers; j++)
        st = put_layer(w, r->first_op + j, j ? ",\n      " : "      ");
    w->grp = NULL;
    mp_strbuf_puts(w->sb, "]}");
    /* the other repetitions' weights are written by the group too */
    for (uint32_t i = r->first_op + r->n_layers; i < r->first_op + r->n_layers * r->n_reps; i++)
        for (uint32_t k = 1; k < w->g->ops[i].n_in; k++)
            if (w->g->ops[i].in[k] != MP_NO_TENSOR)
                w->const_used[w->g->ops[i].in[k]] = 1;
    return st;
}

static mp_status put_layers(writer *w)
{
    const mp_graph *g = w->g;
    uint32_t next = 0; /* the next repeat group */
    for (uint32_t i = 0; i < g->n_ops; i++) {
        const char *prefix = i ? ",\n    " : "    ";
        while (next < g->n_repeats && g->repeats[next].first_op < i)
            next++;
        const mp_repeat *r = next < g->n_repeats ? &g->repeats[next] : NULL;
        if (r && r->first_op == i && group_alike(w, r)) {
            MP_TRY(put_group(w, r, prefix));
            i += r->n_layers * r->n_reps - 1;
            continue;
        }
        MP_TRY(put_layer(w, i, prefix));
    }
    return MP_OK;
}

static mp_status put_io(writer *w)
{
    const mp_graph *g = w->g;
    mp_strbuf_puts(w->sb, "  \"inputs\": [\n");
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        const mp_tensor *t = &g->tensors[g->inputs[i]];
        mp_strbuf_puts(w->sb, i ? ",\n    {\"name\": " : "    {\"name\": ");
        mp_strbuf_json_string(w->sb, t->name);
        nj_key(w, "shape");
        nj_put_dims(w, t->shape, t->rank);
        MP_TRY(put_tensor_info(w, 0, t, g->inputs[i]));
        mp_strbuf_puts(w->sb, "}");
    }
    mp_strbuf_puts(w->sb, "\n  ],\n  \"layers\": [\n");
    MP_TRY(put_layers(w));
    mp_strbuf_puts(w->sb, "\n  ],\n  \"outputs\": [");
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        const mp_tensor *t = &g->tensors[g->outputs[i]];
        if (t->producer < 0)
            return mp_errorf(w->err, MP_E_UNSUPPORTED,
                             "%s: network output '%s' is not written by a layer", g->source,
                             t->name);
        mp_strbuf_puts(w->sb, i ? ", " : "");
        mp_strbuf_json_string(w->sb, t->name);
    }
    mp_strbuf_puts(w->sb, "]\n}\n");
    return MP_OK;
}

mp_status mp_export_net_json(const mp_graph *g, const mp_export_opts *opts, mp_strbuf *out,
                             mp_error *err)
{
    if (!g->finalized)
        return mp_errorf(err, MP_E_INVALID, "%s: the graph is not finalized", g->source);
    writer w = {.g = g, .opts = opts, .sb = out, .err = err};
    mp_strbuf_init(&w.tmp);
    w.const_used = mp_calloc(g->n_tensors ? g->n_tensors : 1, 1);
    if (!w.const_used)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    mp_strbuf_printf(out, "{\n  \"format\": \"memplan-net\",\n  \"version\": %d,\n  \"name\": ",
                     MP_NET_JSON_VERSION);
    mp_strbuf_json_string(out, g->name);
    if (opts && opts->description) {
        mp_strbuf_puts(out, ",\n  \"description\": ");
        mp_strbuf_json_string(out, opts->description);
    }
    if (opts && opts->weights_base && opts->weights_file) {
        mp_strbuf_puts(out, ",\n  \"weights_file\": ");
        mp_strbuf_json_string(out, opts->weights_file);
    }
    mp_strbuf_puts(out, ",\n");
    mp_status st = put_io(&w);
    mp_free(w.const_used);
    mp_strbuf_release(&w.tmp);
    if (st == MP_OK && out->failed)
        st = mp_errorf(err, MP_E_NOMEM, "out of memory writing net.json");
    return st;
}
