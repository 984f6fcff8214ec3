/* SPDX-License-Identifier: MIT */
/*
 * net_json.c - memplan's net.json importer (module import).
 *
 * The format is documented in docs/net-json.md. Repeat groups are expanded
 * first (net_json_repeat.c); reading then happens in two passes over the
 * expanded layers: the first creates every layer's output tensor (named after
 * the layer) so inputs may name any layer, the second creates the ops with
 * their weight and bias tensors. Shapes are left to mp_graph_finalize().
 * The cJSON tree never leaves this file: it is freed before returning.
 */
#include "memplan/mp_import.h"

#include "../util/alloc.h"
#include "../util/base64.h"
#include "../util/json_fields.h"
#include "import_int.h"
#include "net_json_int.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const common_keys[] = {"name", "op", "inputs", "activation", "quant",
                                          "dtype", "comment", "tflite_tensor", NULL};

/* ---- layers --------------------------------------------------------------------------- */

static mp_status read_padding(net_ctx *n, const cJSON *layer, mp_padding def, mp_op_params *p)
{
    jctx *c = &n->j;
    const cJSON *v;
    MP_TRY(jmember(c, layer, "padding", false, &v));
    p->padding = def;
    if (!v)
        return MP_OK;
    if (cJSON_IsString(v)) {
        if (strcmp(v->valuestring, "same") == 0)
            p->padding = MP_PADDING_SAME;
        else if (strcmp(v->valuestring, "valid") == 0)
            p->padding = MP_PADDING_VALID;
        else
            return jfail(c, "padding", MP_E_INVALID,
                         "expected \"same\", \"valid\" or [top, bottom, left, right], got \"%s\"",
                         v->valuestring);
        return MP_OK;
    }
    int32_t pads[4];
    if (cJSON_IsNumber(v)) {
        MP_TRY(jint_value(c, v, "padding", 0, MP_MAX_DIM, &pads[0]));
        pads[1] = pads[2] = pads[3] = pads[0];
    } else if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 4) {
        for (int i = 0; i < 4; i++)
            MP_TRY(jint_value(c, cJSON_GetArrayItem(v, i), "padding", 0, MP_MAX_DIM, &pads[i]));
    } else {
        char got[64];
        return jfail(c, "padding", MP_E_INVALID,
                     "expected \"same\", \"valid\" or [top, bottom, left, right], got %s",
                     jdescribe(v, got, sizeof got));
    }
    p->padding = MP_PADDING_EXPLICIT;
    p->pad_top = pads[0];
    p->pad_bottom = pads[1];
    p->pad_left = pads[2];
    p->pad_right = pads[3];
    return MP_OK;
}

static mp_status read_window(net_ctx *n, const cJSON *layer, bool pool, mp_op_params *p)
{
    jctx *c = &n->j;
    MP_TRY(jpair(c, layer, "kernel", true, 1, 1, &p->kernel_h, &p->kernel_w));
    int32_t def_h = pool ? p->kernel_h : 1, def_w = pool ? p->kernel_w : 1;
    const cJSON *sv = cJSON_GetObjectItemCaseSensitive(layer, "stride");
    if (sv) {
        MP_TRY(jpair(c, layer, "stride", false, 1, 1, &p->stride_h, &p->stride_w));
    } else {
        p->stride_h = def_h;
        p->stride_w = def_w;
    }
    if (!pool)
        MP_TRY(jpair(c, layer, "dilation", false, 1, 1, &p->dilation_h, &p->dilation_w));
    return read_padding(n, layer, pool ? MP_PADDING_VALID : MP_PADDING_SAME, p);
}

static mp_status read_activation(net_ctx *n, const cJSON *layer, mp_op_params *p)
{
    const char *s;
    MP_TRY(jstring(&n->j, layer, "activation", false, "none", &s));
    if (!mp_activation_parse(s, &p->activation))
        return jfail(&n->j, "activation", MP_E_INVALID,
                     "expected none, relu, relu6 or relu_n1_to_1, got \"%s\"", s);
    return MP_OK;
}

/* Operands beyond the activations: weights and bias for conv/dw/fc. */
static mp_status add_weights(net_ctx *n, const cJSON *layer, const char *name, mp_op_type t,
                             mp_tensor_id *ids, uint32_t *n_ids)
{
    bool use_bias = true;
    MP_TRY(jbool(&n->j, layer, "use_bias", true, &use_bias));
    int32_t axis = t == MP_OP_CONV2D || t == MP_OP_TRANSPOSE_CONV ? 0
                   : t == MP_OP_DEPTHWISE_CONV2D                 ? 3
                                                                 : 2;
    MP_TRY(net_json_add_const(n, layer, "weights", name, MP_DTYPE_INT8, axis, &ids[(*n_ids)++]));
    if (use_bias)
        MP_TRY(net_json_add_const(n, layer, "bias", name, MP_DTYPE_INT32, 3, &ids[(*n_ids)++]));
    else
        ids[(*n_ids)++] = MP_NO_TENSOR;
    return MP_OK;
}

static mp_status read_requant(net_ctx *n, const cJSON *layer, mp_requant *rq)
{
    jctx *c = &n->j;
    const cJSON *r;
    memset(rq, 0, sizeof *rq);
    MP_TRY(jmember(c, layer, "requant", false, &r));
    if (!r)
        return MP_OK;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(r, "multiplier");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "shift");
    if (!cJSON_IsObject(r) || !cJSON_IsArray(m) || !cJSON_IsArray(s) ||
        cJSON_GetArraySize(m) != cJSON_GetArraySize(s) || cJSON_GetArraySize(m) < 1 ||
        cJSON_GetArraySize(m) > (int)NET_MAX_QUANT)
        return jfail(c, "requant", MP_E_INVALID,
                     "expected {\"multiplier\": [...], \"shift\": [...]} of equal length");
    uint32_t cnt = (uint32_t)cJSON_GetArraySize(m);
    const cJSON *mi = m->child, *si = s->child; /* walked: indexing would be quadratic */
    for (uint32_t i = 0; i < cnt; i++, mi = mi->next, si = si->next) {
        MP_TRY(jint_value(c, mi, "requant.multiplier", 0, INT32_MAX, &n->rq_mult[i]));
        MP_TRY(jint_value(c, si, "requant.shift", -31, 31, &n->rq_shift[i]));
    }
    rq->n = cnt;
    rq->multiplier = n->rq_mult;
    rq->shift = n->rq_shift;
    return MP_OK;
}

/* pad: "padding" [top, bottom, left, right], "channels", "constant". */
static mp_status read_pad(net_ctx *n, const cJSON *layer, mp_op_params *p)
{
    jctx *c = &n->j;
    if (!cJSON_GetObjectItemCaseSensitive(layer, "padding"))
        return jfail(c, "padding", MP_E_INVALID, "missing required field");
    MP_TRY(read_padding(n, layer, MP_PADDING_EXPLICIT, p));
    if (p->padding != MP_PADDING_EXPLICIT)
        return jfail(c, "padding", MP_E_INVALID, "expected [top, bottom, left, right]");
    if (cJSON_GetObjectItemCaseSensitive(layer, "channels"))
        MP_TRY(jpair(c, layer, "channels", true, 0, 0, &p->pad_ch_before, &p->pad_ch_after));
    p->pad_value_set = cJSON_GetObjectItemCaseSensitive(layer, "constant") != NULL;
    return jint(c, layer, "constant", false, 0, -128, 255, &p->pad_value);
}

static mp_status read_params(net_ctx *n, const cJSON *layer, mp_op_type t, mp_op_params *p)
{
    jctx *c = &n->j;
    static const char *const conv_keys[] = {"filters", "kernel", "stride", "dilation", "padding",
                                            "groups", "use_bias", "weights", "bias", "requant",
                                            NULL};
    static const char *const dw_keys[] = {"kernel", "stride", "dilation", "padding",
                                          "depth_multiplier", "use_bias", "weights", "bias",
                                          "requant", NULL};
    static const char *const fc_keys[] = {"units", "use_bias", "weights", "bias", "requant",
                                          "keep_num_dims", NULL};
    static const char *const pool_keys[] = {"kernel", "stride", "padding", NULL};
    static const char *const none[] = {NULL};
    static const char *const mean_keys[] = {"keep_dims", "axes", NULL};
    static const char *const pad_keys[] = {"padding", "channels", "constant", NULL};
    static const char *const reshape_keys[] = {"shape", NULL};
    static const char *const softmax_keys[] = {"beta", NULL};
    static const char *const concat_keys[] = {"axis", NULL};
    static const char *const resize_keys[] = {"size", "align_corners", "half_pixel_centers", NULL};
    double beta;
    uint8_t rank;
    switch (t) {
    case MP_OP_CONV2D:
        MP_TRY(jonly(c, layer, common_keys, conv_keys));
        MP_TRY(jint(c, layer, "filters", true, 0, 1, 1000000, &p->filters));
        MP_TRY(jint(c, layer, "groups", false, 1, 1, 1000000, &p->groups));
        return read_window(n, layer, false, p);
    case MP_OP_DEPTHWISE_CONV2D:
        MP_TRY(jonly(c, layer, common_keys, dw_keys));
        MP_TRY(jint(c, layer, "depth_multiplier", false, 1, 1, 1000000, &p->depth_multiplier));
        return read_window(n, layer, false, p);
    case MP_OP_FULLY_CONNECTED:
        MP_TRY(jonly(c, layer, common_keys, fc_keys));
        MP_TRY(jbool(c, layer, "keep_num_dims", false, &p->keep_num_dims));
        return jint(c, layer, "units", true, 0, 1, 1000000, &p->filters);
    case MP_OP_AVG_POOL2D:
    case MP_OP_MAX_POOL2D:
        MP_TRY(jonly(c, layer, common_keys, pool_keys));
        return read_window(n, layer, true, p);
    case MP_OP_MEAN:
        MP_TRY(jonly(c, layer, common_keys, mean_keys));
        MP_TRY(net_json_read_axes(n, layer, "axes", 6, &p->axes));
        return jbool(c, layer, "keep_dims", false, &p->keep_dims);
    case MP_OP_PAD:
        MP_TRY(jonly(c, layer, common_keys, pad_keys));
        return read_pad(n, layer, p);
    case MP_OP_RESHAPE:
        MP_TRY(jonly(c, layer, common_keys, reshape_keys));
        MP_TRY(net_json_read_shape(n, layer, "shape", true, &p->new_shape, &rank));
        p->new_rank = rank;
        return MP_OK;
    case MP_OP_SOFTMAX:
        MP_TRY(jonly(c, layer, common_keys, softmax_keys));
        MP_TRY(jnumber(c, layer, "beta", false, 1.0, &beta));
        if (fabs(beta) > FLT_MAX) /* the conversion to float would be undefined */
            return jfail(c, "beta", MP_E_INVALID, "%g is outside the range of a float", beta);
        p->beta = (float)beta;
        return MP_OK;
    case MP_OP_CONCAT:
        MP_TRY(jonly(c, layer, common_keys, concat_keys));
        return jint(c, layer, "axis", false, -1, -4, 3, &p->axis);
    case MP_OP_RESIZE_NEAREST:
        MP_TRY(jonly(c, layer, common_keys, resize_keys));
        MP_TRY(jpair(c, layer, "size", true, 1, 1, &p->out_h, &p->out_w));
        MP_TRY(jbool(c, layer, "align_corners", false, &p->align_corners));
        return jbool(c, layer, "half_pixel_centers", false, &p->half_pixel_centers);
    case MP_OP_QUANTIZE:
    case MP_OP_DEQUANTIZE:
        return jonly(c, layer, common_keys, none);
    default:
        return net_json_read_more(n, layer, common_keys, t, p);
    }
}

/* Resolve "inputs" (a name or a list of names) into tensor ids. */
static mp_status read_inputs(net_ctx *n, const cJSON *layer, uint32_t index, mp_tensor_id *ids,
                             uint32_t *n_ids)
{
    jctx *c = &n->j;
    const cJSON *v;
    MP_TRY(jmember(c, layer, "inputs", false, &v));
    if (!v) {
        ids[0] = index == 0 ? n->g->inputs[0] : n->layer_out[index - 1];
        *n_ids = 1;
        return MP_OK;
    }
    if (cJSON_IsString(v))
        v = NULL; /* handled below as a one-element list */
    const cJSON *list = v ? v : cJSON_GetObjectItemCaseSensitive(layer, "inputs");
    int count = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 1;
    if ((cJSON_IsArray(list) && count == 0) || (!cJSON_IsArray(list) && !cJSON_IsString(list)))
        return jfail(c, "inputs", MP_E_INVALID, "expected a layer name or a list of names");
    if (count > (int)NET_MAX_OPERANDS - 2)
        return jfail(c, "inputs", MP_E_LIMIT, "more than %u inputs", NET_MAX_OPERANDS - 2);
    for (int i = 0; i < count; i++) {
        const cJSON *e = cJSON_IsArray(list) ? cJSON_GetArrayItem(list, i) : list;
        char key[32];
        snprintf(key, sizeof key, "inputs[%d]", i);
        if (!cJSON_IsString(e)) {
            char got[64];
            return jfail(c, key, MP_E_INVALID, "expected a layer name, got %s",
                         jdescribe(e, got, sizeof got));
        }
        mp_tensor_id t;
        MP_TRY(net_json_resolve(n, index, e->valuestring, &t));
        if (t == MP_NO_TENSOR || (n->g->tensors[t].flags & MP_TENSOR_CONST))
            return jfail(c, key, MP_E_INVALID, "no layer or input named '%s'", e->valuestring);
        ids[i] = t;
    }
    *n_ids = (uint32_t)count;
    return MP_OK;
}

static bool is_binary(mp_op_type t)
{
    return t == MP_OP_ADD || t == MP_OP_MUL || t == MP_OP_SUB || t == MP_OP_MAXIMUM ||
           t == MP_OP_MINIMUM;
}

static bool is_weighted(mp_op_type t)
{
    return t == MP_OP_CONV2D || t == MP_OP_DEPTHWISE_CONV2D || t == MP_OP_FULLY_CONNECTED ||
           t == MP_OP_TRANSPOSE_CONV;
}

/* Operands after the activations: weights and bias, a binary op's "constant", PReLU's
 * "alpha"; the activation count each op takes; its fused activation. */
static mp_status read_operands(net_ctx *n, const cJSON *layer, const char *name, const char *ops,
                               mp_op_spec *spec, mp_tensor_id *in, uint32_t *n_in)
{
    jctx *c = &n->j;
    mp_op_type t = spec->type;
    uint32_t n_act = *n_in;
    if (is_weighted(t) || is_binary(t) || t == MP_OP_CONCAT || t == MP_OP_TRANSPOSE_CONV)
        MP_TRY(read_activation(n, layer, &spec->p));
    if (is_weighted(t)) {
        if (n_act != 1)
            return jfail(c, "inputs", MP_E_INVALID, "%s takes 1 input, got %u", ops, n_act);
        MP_TRY(add_weights(n, layer, name, t, in, n_in));
        return read_requant(n, layer, &spec->requant);
    }
    const char *ckey = t == MP_OP_PRELU ? "alpha" : "constant";
    bool has_const = (is_binary(t) || t == MP_OP_PRELU) &&
                     cJSON_GetObjectItemCaseSensitive(layer, ckey);
    if (t == MP_OP_PRELU && !has_const)
        return jfail(c, "alpha", MP_E_INVALID, "missing required field");
    if (has_const) {
        if (n_act != 1)
            return jfail(c, "inputs", MP_E_INVALID, "%s with a %s takes 1 input, got %u", ops,
                         ckey, n_act);
        return net_json_add_const(n, layer, ckey, name, MP_DTYPE_INT8, 3, &in[(*n_in)++]);
    }
    if (is_binary(t) && n_act != 2)
        return jfail(c, "inputs", MP_E_INVALID, "%s takes 2 inputs (or 1 and a constant), got %u",
                     ops, n_act);
    if (!is_binary(t) && t != MP_OP_CONCAT && n_act != 1)
        return jfail(c, "inputs", MP_E_INVALID, "%s takes 1 input, got %u", ops, n_act);
    return MP_OK;
}

/* A split's outputs: the layer's own, then "more_outputs" (created in pass 1). */
static mp_status split_outputs(net_ctx *n, const cJSON *layer, mp_tensor_id *out,
                               uint32_t *n_out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(layer, "more_outputs");
    for (const cJSON *e = v ? v->child : NULL; e; e = e->next) {
        const cJSON *nm = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "name") : e;
        out[(*n_out)++] = mp_graph_find_tensor(n->g, nm->valuestring);
    }
    return MP_OK;
}

static mp_status read_layer_op(net_ctx *n, uint32_t index)
{
    jctx *c = &n->j;
    const cJSON *layer = n->layers[index].node;
    net_json_layer_path(n, index);
    n->cur_rep = n->layers[index].rep;
    const char *name = n->g->tensors[n->layer_out[index]].name, *ops;
    MP_TRY(jstring(c, layer, "op", true, NULL, &ops));
    mp_op_spec spec = {.name = name};
    if (!mp_op_type_parse(ops, &spec.type))
        return jfail(c, "op", MP_E_INVALID, "unknown op \"%s\" (see docs/net-json.md)", ops);
    mp_tensor_id in[NET_MAX_OPERANDS];
    uint32_t n_in = 0;
    MP_TRY(read_inputs(n, layer, index, in, &n_in));
    MP_TRY(read_params(n, layer, spec.type, &spec.p));
    MP_TRY(read_operands(n, layer, name, ops, &spec, in, &n_in));
    mp_tensor_id out[MP_MAX_SPLITS];
    uint32_t n_out = 1;
    out[0] = n->layer_out[index];
    if (spec.type == MP_OP_SPLIT)
        MP_TRY(split_outputs(n, layer, out, &n_out));
    spec.in = in;
    spec.n_in = n_in;
    spec.out = out;
    spec.n_out = n_out;
    spec.where = c->path;
    return mp_graph_add_op(n->g, &spec, NULL, c->err);
}

/* Pass 1: the output tensor of a layer, named after it. */
static mp_status read_layer_output(net_ctx *n, uint32_t index)
{
    jctx *c = &n->j;
    const cJSON *layer = n->layers[index].node;
    net_json_layer_path(n, index);
    if (!cJSON_IsObject(layer))
        return jfail(c, NULL, MP_E_INVALID, "expected an object");
    const char *base, *dts;
    MP_TRY(jstring(c, layer, "name", true, NULL, &base));
    if (!*base)
        return jfail(c, "name", MP_E_INVALID, "must not be empty");
    net_json_layer_name(n, index, base, &n->scratch);
    if (n->scratch.failed)
        return mp_errorf(c->err, MP_E_NOMEM, "out of memory");
    const char *name = n->scratch.buf;
    if (mp_graph_find_tensor(n->g, name) != MP_NO_TENSOR)
        return jfail(c, "name", MP_E_INVALID, "duplicate name \"%s\"", name);
    MP_TRY(jstring(c, layer, "dtype", false, "int8", &dts));
    mp_tensor_spec spec = {.name = name};
    if (!mp_dtype_parse(dts, &spec.dtype))
        return jfail(c, "dtype", MP_E_INVALID, "unknown dtype \"%s\"", dts);
    MP_TRY(net_json_quant(n, layer, "quant", &spec.quant, n->qscale, n->qzp, 1));
    MP_TRY(net_json_read_source_index(n, layer, &spec));
    MP_TRY(mp_graph_add_tensor(n->g, &spec, &n->layer_out[index], c->err));
    mp_tensor_id more[MP_MAX_SPLITS];
    uint32_t n_more;
    return net_json_more_outputs(n, layer, spec.dtype, more, &n_more);
}

/* ---- document ------------------------------------------------------------------------- */

static mp_status read_outputs(net_ctx *n, const cJSON *root, uint32_t n_layers)
{
    jctx *c = &n->j;
    c->path[0] = '\0';
    const cJSON *v;
    MP_TRY(jmember(c, root, "outputs", false, &v));
    mp_tensor_id outs[NET_MAX_OPERANDS];
    uint32_t n_out = 0;
    if (!v) {
        outs[n_out++] = n->layer_out[n_layers - 1];
    } else {
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1 ||
            cJSON_GetArraySize(v) > (int)NET_MAX_OPERANDS)
            return jfail(c, "outputs", MP_E_INVALID, "expected a list of 1..%u layer names",
                         NET_MAX_OPERANDS);
        for (const cJSON *e = v->child; e; e = e->next) {
            char key[32];
            snprintf(key, sizeof key, "outputs[%u]", n_out);
            mp_tensor_id t = MP_NO_TENSOR;
            if (cJSON_IsString(e))
                MP_TRY(net_json_resolve(n, UINT32_MAX, e->valuestring, &t));
            if (t == MP_NO_TENSOR || (n->g->tensors[t].flags & MP_TENSOR_CONST))
                return jfail(c, key, MP_E_INVALID, "expected the name of a layer");
            outs[n_out++] = t;
        }
    }
    return mp_graph_set_io(n->g, n->g->inputs, n->g->n_inputs, outs, n_out, c->err);
}

static mp_status read_document(net_ctx *n, const cJSON *root)
{
    jctx *c = &n->j;
    static const char *const keys[] = {"format", "version", "name", "description", "source",
                                       "input", "inputs", "layers", "outputs", "comment",
                                       "weights_file", NULL};
    if (!cJSON_IsObject(root))
        return jfail(c, NULL, MP_E_INVALID, "expected a JSON object at the top level");
    MP_TRY(net_json_check_header(n, root, keys));
    const cJSON *layers;
    MP_TRY(jmember(c, root, "layers", true, &layers));
    if (!cJSON_IsArray(layers) || cJSON_GetArraySize(layers) == 0)
        return jfail(c, "layers", MP_E_INVALID, "expected a non-empty list of layers");
    int count = cJSON_GetArraySize(layers);
    if ((uint32_t)count > MP_MAX_OPS)
        return jfail(c, "layers", MP_E_LIMIT, "%d layers, the limit is %u", count, MP_MAX_OPS);
    MP_TRY(net_json_read_inputs(n, root));
    MP_TRY(net_json_expand(n, layers));
    n->layer_out = mp_calloc(n->n_layers, sizeof *n->layer_out);
    if (!n->layer_out)
        return mp_errorf(c->err, MP_E_NOMEM, "out of memory");
    for (uint32_t i = 0; i < n->n_layers; i++)
        MP_TRY(read_layer_output(n, i));
    MP_TRY(net_json_check_groups(n));
    for (uint32_t i = 0; i < n->n_layers; i++)
        MP_TRY(read_layer_op(n, i));
    n->cur_rep = 0;
    MP_TRY(net_json_add_repeats(n));
    return read_outputs(n, root, n->n_layers);
}

/* Graph-level errors (finalize) do not know the file: add it. */
static void prefix_label(mp_error *err, const char *label)
{
    size_t n = strlen(label);
    if (err && err->status != MP_OK && strncmp(err->msg, label, n) != 0)
        mp_error_prefix(err, label);
}

mp_status mp_import_json_text(const char *text, size_t len, const char *label,
                              const char *base_dir, mp_graph **out, mp_error *err)
{
    return import_json_text(text, len, label, base_dir, false, out, err);
}

mp_status import_json_text(const char *text, size_t len, const char *label,
                           const char *base_dir, bool keep_pads, mp_graph **out, mp_error *err)
{
    *out = NULL;
    cJSON *root;
    MP_TRY(jparse(label, text, len, &root, err));
    net_ctx *n = mp_calloc(1, sizeof *n);
    if (!n) {
        cJSON_Delete(root);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    n->j = (jctx){.file = label, .err = err};
    n->base_dir = base_dir ? base_dir : "";
    mp_strbuf_init(&n->scratch);
    mp_status st = mp_graph_new(NULL, label, MP_SOURCE_JSON, &n->g, err);
    if (st == MP_OK)
        st = read_document(n, root);
    cJSON_Delete(root);
    if (st == MP_OK) {
        n->g->keep_pads = keep_pads;
        st = mp_graph_finalize(n->g, err);
    }
    mp_graph *g = n->g;
    net_json_release_files(n);
    net_json_release_layers(n);
    mp_free(n->layer_out);
    mp_free(n);
    if (st != MP_OK) {
        prefix_label(err, label);
        mp_graph_free(g);
        return st;
    }
    *out = g;
    return MP_OK;
}
