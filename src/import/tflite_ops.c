/* SPDX-License-Identifier: MIT */
/*
 * tflite_ops.c - TFLite operators and their builtin options (module import).
 *
 * Each operator of subgraph 0 becomes one graph op, named after its first
 * output tensor. The ops memplan models are mapped with their options
 * (padding, strides, dilation, fused activation, depth multiplier, axis,
 * keep_dims, beta, resize flags) and with the constant operands that are
 * attributes in memplan (PAD amounts, reduction axes, RESIZE size, RESHAPE
 * shape, slice bounds, split sizes) folded into the op's parameters; the ops
 * added for real exports are read in tflite_ops_more.c. Anything else -
 * another builtin, a custom op, or a modelled op used in a way memplan does
 * not model (batch padding, a computed shape operand, ...) - becomes
 * MP_OP_UNKNOWN with the TFLite name as type name and every operand kept:
 * its output shapes come from the file, memory analysis still runs and the op
 * has no MAC count.
 */
#include "tflite_ops_int.h"

#include <stdio.h>
#include <string.h>

/* BuiltinOperator names in code order (schema.fbs). */
static const char *const builtin_names[] = {
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE",
    "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP",
    "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION",
    "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR",
    "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL",
    "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD", "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER",
    "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE",
    "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2",
    "SPLIT", "LOG_SOFTMAX", "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM",
    "ARG_MAX", "MINIMUM", "LESS", "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL",
    "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL",
    "NOT_EQUAL", "LOG", "SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT",
    "REDUCE_PROD", "REDUCE_MAX", "PACK", "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT",
    "UNPACK", "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD",
    "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS",
    "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS", "WHERE", "RANK", "ELU",
    "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND", "HARD_SWISH", "IF",
    "WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2",
    "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL", "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM",
    "CALL_ONCE", "BROADCAST_TO", "RFFT2D", "CONV_3D", "IMAG", "REAL", "COMPLEX_ABS", "HASHTABLE",
    "HASHTABLE_FIND", "HASHTABLE_IMPORT", "HASHTABLE_SIZE", "REDUCE_ALL", "CONV_3D_TRANSPOSE",
    "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "BROADCAST_ARGS", "RANDOM_STANDARD_NORMAL",
    "BUCKETIZE", "RANDOM_UNIFORM", "MULTINOMIAL", "GELU", "DYNAMIC_UPDATE_SLICE", "RELU_0_TO_1",
    "UNSORTED_SEGMENT_PROD", "UNSORTED_SEGMENT_MAX", "UNSORTED_SEGMENT_SUM", "ATAN2",
    "UNSORTED_SEGMENT_MIN", "SIGN", "BITCAST", "BITWISE_XOR", "RIGHT_SHIFT", "STABLEHLO_LOGISTIC",
    "STABLEHLO_ADD", "STABLEHLO_DIVIDE", "STABLEHLO_MULTIPLY", "STABLEHLO_MAXIMUM",
    "STABLEHLO_RESHAPE", "STABLEHLO_CLAMP", "STABLEHLO_CONCATENATE", "STABLEHLO_BROADCAST_IN_DIM",
    "STABLEHLO_CONVOLUTION", "STABLEHLO_SLICE", "STABLEHLO_CUSTOM_CALL", "STABLEHLO_REDUCE",
    "STABLEHLO_ABS", "STABLEHLO_AND", "STABLEHLO_COSINE", "STABLEHLO_EXPONENTIAL",
    "STABLEHLO_FLOOR", "STABLEHLO_LOG", "STABLEHLO_MINIMUM", "STABLEHLO_NEGATE", "STABLEHLO_OR",
    "STABLEHLO_POWER", "STABLEHLO_REMAINDER", "STABLEHLO_RSQRT", "STABLEHLO_SELECT",
    "STABLEHLO_SUBTRACT", "STABLEHLO_TANH", "STABLEHLO_SCATTER", "STABLEHLO_COMPARE",
    "STABLEHLO_CONVERT", "STABLEHLO_DYNAMIC_SLICE", "STABLEHLO_DYNAMIC_UPDATE_SLICE",
    "STABLEHLO_PAD", "STABLEHLO_IOTA", "STABLEHLO_DOT_GENERAL", "STABLEHLO_REDUCE_WINDOW",
    "STABLEHLO_SORT", "STABLEHLO_WHILE", "STABLEHLO_GATHER", "STABLEHLO_TRANSPOSE", "DILATE",
    "STABLEHLO_RNG_BIT_GENERATOR", "REDUCE_WINDOW",
};

const char *tfl_builtin_name(int32_t code)
{
    if (code < 0 || (size_t)code >= sizeof builtin_names / sizeof builtin_names[0])
        return NULL;
    return builtin_names[code];
}

/* ---- helpers -------------------------------------------------------------------------- */

static mp_status fail(op_build *b, mp_status st, const char *msg)
{
    return fb_fail(&b->c->fb, st, "%s", msg);
}

mp_status tops_opt_u8(op_build *b, unsigned id, uint8_t def, const char *what, uint8_t *out)
{
    if (!b->has_opts) {
        *out = def;
        return MP_OK;
    }
    return fb_u8(&b->c->fb, &b->opts, id, def, what, out);
}

mp_status tops_opt_i32(op_build *b, unsigned id, int32_t def, const char *what, int32_t *out)
{
    if (!b->has_opts) {
        *out = def;
        return MP_OK;
    }
    return fb_i32(&b->c->fb, &b->opts, id, def, what, out);
}

mp_status tops_need_options(op_build *b, const op_kind *k)
{
    if (b->has_opts)
        return MP_OK;
    return fb_fail(&b->c->fb, MP_E_INVALID, "missing builtin options (%s)", k->options_name);
}

/* The op takes min..max inputs and one output. */
mp_status tops_operands(op_build *b, uint32_t min, uint32_t max)
{
    if (b->n_in < min || b->n_in > max) {
        if (min == max)
            return fb_fail(&b->c->fb, MP_E_INVALID, "expected %u input%s, got %u", min,
                           min == 1 ? "" : "s", b->n_in);
        return fb_fail(&b->c->fb, MP_E_INVALID, "expected %u to %u inputs, got %u", min, max,
                       b->n_in);
    }
    if (b->n_out != 1)
        return fb_fail(&b->c->fb, MP_E_INVALID, "expected 1 output, got %u", b->n_out);
    if (b->in[0] == MP_NO_TENSOR)
        return fail(b, MP_E_INVALID, "input 0 is absent (-1)");
    return MP_OK;
}

mp_status tops_padding(op_build *b, uint8_t v, mp_padding *out)
{
    if (v > 1)
        return fb_fail(&b->c->fb, MP_E_INVALID, "padding %u is neither SAME (0) nor VALID (1)",
                       v);
    *out = v == 0 ? MP_PADDING_SAME : MP_PADDING_VALID;
    return MP_OK;
}

mp_status tops_activation(op_build *b, uint8_t v, mp_activation *out)
{
    static const mp_activation map[] = {MP_ACT_NONE, MP_ACT_RELU, MP_ACT_RELU_N1_TO_1,
                                        MP_ACT_RELU6};
    if (v < 4) {
        *out = map[v];
        return MP_OK;
    }
    if (v == 4 || v == 5)
        return fb_fail(&b->c->fb, MP_E_UNSUPPORTED, "fused activation %s is not supported",
                       v == 4 ? "TANH" : "SIGN_BIT");
    return fb_fail(&b->c->fb, MP_E_INVALID, "fused activation %u is not a TFLite activation",
                   v);
}

const mp_tensor *tops_tensor(const op_build *b, mp_tensor_id t)
{
    return t == MP_NO_TENSOR ? NULL : &b->c->g->tensors[t];
}

/* Values of a constant int32/int64 tensor with at most cap elements; false otherwise. */
bool tops_const_ints(const op_build *b, mp_tensor_id id, int64_t *vals, uint32_t cap,
                       uint32_t *n)
{
    const mp_tensor *t = tops_tensor(b, id);
    if (!t || !(t->flags & MP_TENSOR_CONST) || !t->data)
        return false;
    size_t es = t->dtype == MP_DTYPE_INT32 ? 4 : t->dtype == MP_DTYPE_INT64 ? 8 : 0;
    if (!es || t->size_bytes / es > cap)
        return false;
    *n = (uint32_t)(t->size_bytes / es);
    for (uint32_t i = 0; i < *n; i++) {
        int32_t v32;
        if (es == 4) {
            memcpy(&v32, (const char *)t->data + (size_t)i * 4, 4);
            vals[i] = v32;
        } else {
            memcpy(&vals[i], (const char *)t->data + (size_t)i * 8, 8);
        }
    }
    return true;
}

/* TFLite axis of a rank-r tensor (negative counts from the end) -> NHWC axis, or -1. */
int32_t tops_nhwc_axis(int64_t axis, uint32_t rank)
{
    if (axis < 0)
        axis += rank;
    if (axis < 0 || axis >= (int64_t)rank)
        return -1;
    return (int32_t)axis + 4 - (int32_t)rank;
}

/* ---- op readers ----------------------------------------------------------------------- */

/* The constant operand was folded into the op's attributes: keep the activation input only. */
mp_status tops_folded(op_build *b)
{
    b->unknown = false;
    b->n_in = 1;
    return MP_OK;
}

/* conv, depthwise, fc: [input, filter, bias]; a missing bias becomes MP_NO_TENSOR. */
mp_status tops_weighted(op_build *b)
{
    MP_TRY(tops_operands(b, 2, 3));
    if (b->n_in == 2)
        b->in[b->n_in++] = MP_NO_TENSOR;
    return MP_OK;
}

mp_status tops_read_window(op_build *b, unsigned pad_id, unsigned act_id, unsigned dil_id)
{
    mp_op_params *p = &b->spec.p;
    uint8_t pad, act;
    MP_TRY(tops_opt_u8(b, pad_id, 0, "padding", &pad));
    MP_TRY(tops_opt_i32(b, 1, 0, "stride_w", &p->stride_w));
    MP_TRY(tops_opt_i32(b, 2, 0, "stride_h", &p->stride_h));
    MP_TRY(tops_opt_u8(b, act_id, 0, "fused_activation_function", &act));
    if (dil_id) {
        MP_TRY(tops_opt_i32(b, dil_id, 1, "dilation_w_factor", &p->dilation_w));
        MP_TRY(tops_opt_i32(b, dil_id + 1, 1, "dilation_h_factor", &p->dilation_h));
    }
    MP_TRY(tops_padding(b, pad, &p->padding));
    return tops_activation(b, act, &p->activation);
}

static mp_status read_conv(op_build *b, const op_kind *k)
{
    MP_TRY(tops_weighted(b));
    MP_TRY(tops_need_options(b, k));
    return tops_read_window(b, 0, 3, 4);
}

static mp_status read_depthwise(op_build *b, const op_kind *k)
{
    MP_TRY(tops_weighted(b));
    MP_TRY(tops_need_options(b, k));
    MP_TRY(tops_opt_i32(b, 3, 0, "depth_multiplier", &b->spec.p.depth_multiplier));
    return tops_read_window(b, 0, 4, 5);
}

static mp_status read_pool(op_build *b, const op_kind *k)
{
    mp_op_params *p = &b->spec.p;
    MP_TRY(tops_operands(b, 1, 1));
    MP_TRY(tops_need_options(b, k));
    MP_TRY(tops_opt_i32(b, 3, 0, "filter_width", &p->kernel_w));
    MP_TRY(tops_opt_i32(b, 4, 0, "filter_height", &p->kernel_h));
    return tops_read_window(b, 0, 5, 0);
}

static mp_status read_fc(op_build *b, const op_kind *k)
{
    uint8_t act, format, keep;
    (void)k;
    MP_TRY(tops_weighted(b));
    MP_TRY(tops_opt_u8(b, 0, 0, "fused_activation_function", &act));
    MP_TRY(tops_opt_u8(b, 1, 0, "weights_format", &format));
    MP_TRY(tops_opt_u8(b, 2, 0, "keep_num_dims", &keep));
    /* shuffled weights: not modelled */
    b->unknown = format != 0;
    b->spec.p.keep_num_dims = keep != 0;
    return tops_activation(b, act, &b->spec.p.activation);
}

mp_status tops_read_elementwise(op_build *b, const op_kind *k)
{
    uint8_t act;
    (void)k;
    MP_TRY(tops_operands(b, 2, 2));
    MP_TRY(tops_opt_u8(b, 0, 0, "fused_activation_function", &act));
    return tops_activation(b, act, &b->spec.p.activation);
}

static mp_status read_concat(op_build *b, const op_kind *k)
{
    int32_t axis;
    uint8_t act;
    (void)k;
    MP_TRY(tops_operands(b, 1, MP_MAX_OP_INPUTS));
    MP_TRY(tops_opt_i32(b, 0, 0, "axis", &axis));
    MP_TRY(tops_opt_u8(b, 1, 0, "fused_activation_function", &act));
    uint32_t rank = tops_tensor(b, b->in[0])->rank;
    b->spec.p.axis = tops_nhwc_axis(axis, rank);
    if (b->spec.p.axis < 0)
        return fb_fail(&b->c->fb, MP_E_INVALID, "axis %d is out of range for rank %u", axis,
                       rank);
    return tops_activation(b, act, &b->spec.p.activation);
}

static mp_status read_softmax(op_build *b, const op_kind *k)
{
    (void)k;
    MP_TRY(tops_operands(b, 1, 1));
    if (!b->has_opts)
        return MP_OK; /* beta stays 0, the schema default */
    return fb_f32(&b->c->fb, &b->opts, 0, 0.0f, "beta", &b->spec.p.beta);
}

mp_status tops_read_single(op_build *b, const op_kind *k)
{
    (void)k;
    return tops_operands(b, 1, 1);
}

/* The target shape is the output tensor's (the shape operand or option says the same). */
static mp_status read_reshape(op_build *b, const op_kind *k)
{
    (void)k;
    MP_TRY(tops_operands(b, 1, 2));
    const mp_tensor *shape = b->n_in == 2 ? tops_tensor(b, b->in[1]) : NULL;
    if (shape && !(shape->flags & MP_TENSOR_CONST)) {
        b->unknown = true; /* a computed shape */
        return MP_OK;
    }
    const mp_tensor *o = tops_tensor(b, b->out[0]);
    b->spec.p.new_shape = o->shape;
    b->spec.p.new_rank = o->rank;
    return tops_folded(b);
}

static const tops_kind kinds[] = {
    {{0, MP_OP_ADD, 11, "AddOptions"}, tops_read_elementwise},
    {{1, MP_OP_AVG_POOL2D, 5, "Pool2DOptions"}, read_pool},
    {{2, MP_OP_CONCAT, 10, "ConcatenationOptions"}, read_concat},
    {{3, MP_OP_CONV2D, 1, "Conv2DOptions"}, read_conv},
    {{4, MP_OP_DEPTHWISE_CONV2D, 2, "DepthwiseConv2DOptions"}, read_depthwise},
    {{6, MP_OP_DEQUANTIZE, 38, "DequantizeOptions"}, tops_read_single},
    {{9, MP_OP_FULLY_CONNECTED, 8, "FullyConnectedOptions"}, read_fc},
    {{17, MP_OP_MAX_POOL2D, 5, "Pool2DOptions"}, read_pool},
    {{18, MP_OP_MUL, 21, "MulOptions"}, tops_read_elementwise},
    {{22, MP_OP_RESHAPE, 17, "ReshapeOptions"}, read_reshape},
    {{25, MP_OP_SOFTMAX, 9, "SoftmaxOptions"}, read_softmax},
    {{114, MP_OP_QUANTIZE, 89, "QuantizeOptions"}, tops_read_single},
};

/* ---- operators ------------------------------------------------------------------------ */

static mp_status read_ids(op_build *b, const fb_vec *v, bool outputs, mp_tensor_id *ids)
{
    tfl_ctx *c = b->c;
    for (uint32_t k = 0; k < v->len; k++) {
        int32_t t = fb_vec_i32(&c->fb, v, k);
        if (t == -1 && !outputs) {
            ids[k] = MP_NO_TENSOR; /* an omitted optional input */
            continue;
        }
        if (t < 0 || (uint32_t)t >= c->tensors.len)
            return fb_fail(&c->fb, MP_E_INVALID, "%s tensor %d out of range (%u tensors)",
                           outputs ? "output" : "input", t, c->tensors.len);
        ids[k] = (mp_tensor_id)t;
    }
    return MP_OK;
}

/* opcode, name, operand lists and the options table of operator index. */
static mp_status read_header(op_build *b, const fb_table *t)
{
    tfl_ctx *c = b->c;
    uint32_t opcode;
    fb_vec vi, vo;
    MP_TRY(fb_u32(&c->fb, t, OP_OPCODE_INDEX, 0, "opcode_index", &opcode));
    if (opcode >= c->n_opcodes)
        return fb_fail(&c->fb, MP_E_INVALID, "opcode index %u out of range (%u operator code%s)",
                       opcode, c->n_opcodes, c->n_opcodes == 1 ? "" : "s");
    const tfl_opcode *oc = &c->opcodes[opcode];
    b->code = oc->code;
    const char *name = tfl_builtin_name(oc->code);
    if (oc->code == TFL_BUILTIN_CUSTOM && oc->custom_len)
        snprintf(b->tname, sizeof b->tname, "%.*s", (int)oc->custom_len, oc->custom);
    else if (name)
        snprintf(b->tname, sizeof b->tname, "%s", name);
    else
        snprintf(b->tname, sizeof b->tname, "BUILTIN_%d", (int)oc->code);
    tfl_where(c, "operator %u (%.60s)", b->index, b->tname);
    MP_TRY(fb_vector(&c->fb, t, OP_INPUTS, 4, "the input list", &vi));
    MP_TRY(fb_vector(&c->fb, t, OP_OUTPUTS, 4, "the output list", &vo));
    if (vi.len > MP_MAX_OP_INPUTS || vo.len > MP_MAX_OP_INPUTS)
        return fb_fail(&c->fb, MP_E_LIMIT, "%u inputs and %u outputs (the limit is %u)", vi.len,
                       vo.len, MP_MAX_OP_INPUTS);
    if (vo.len == 0)
        return fb_fail(&c->fb, MP_E_INVALID, "the operator has no output");
    b->n_in = vi.len;
    b->n_out = vo.len;
    MP_TRY(read_ids(b, &vi, false, b->in));
    MP_TRY(read_ids(b, &vo, true, b->out));
    MP_TRY(fb_u8(&c->fb, t, OP_OPTIONS_TYPE, 0, "builtin_options_type", &b->opt_type));
    if (b->opt_type == 0)
        return MP_OK;
    return fb_sub(&c->fb, t, OP_OPTIONS, "builtin options", &b->opts, &b->has_opts);
}

/* Map a modelled op; sets b->unknown when the operator is one memplan does not model. */
static mp_status read_modelled(op_build *b, int32_t code)
{
    size_t n_kinds = sizeof kinds / sizeof kinds[0];
    for (size_t i = 0; i < n_kinds + tops_n_more_kinds; i++) {
        const tops_kind *kd = i < n_kinds ? &kinds[i] : &tops_more_kinds[i - n_kinds];
        const op_kind *k = &kd->kind;
        if (k->code != code)
            continue;
        if (b->opt_type != 0 && b->opt_type != k->options)
            return fb_fail(&b->c->fb, MP_E_INVALID,
                           "builtin options of type %u, expected %u (%s)", b->opt_type,
                           k->options, k->options_name);
        b->spec.type = k->type;
        return kd->read(b, k);
    }
    b->unknown = true;
    return MP_OK;
}

/* Ops are named after their first output tensor ("name#op3" if taken). */
static mp_status op_name(op_build *b, const char **out)
{
    tfl_ctx *c = b->c;
    const char *name = c->g->tensors[b->out[0]].name;
    if (mp_graph_find_op(c->g, name) < 0) {
        *out = name;
        return MP_OK;
    }
    char *alt;
    size_t n = strlen(name);
    MP_TRY(tfl_text(c, name, n, 24, &alt));
    snprintf(alt + n, 24, "#op%u", b->index);
    *out = alt;
    return MP_OK;
}

static mp_status read_operator(tfl_ctx *c, const fb_vec *ops, uint32_t index)
{
    fb_table t;
    op_build *b = &(op_build){.c = c, .index = index};
    tfl_where(c, "operator %u", index);
    MP_TRY(fb_vec_table(&c->fb, ops, index, "its table", &t));
    MP_TRY(read_header(b, &t));
    uint32_t n_in = b->n_in; /* readers may fold constant operands into attributes */
    MP_TRY(read_modelled(b, b->code));
    if (b->unknown) {
        b->spec = (mp_op_spec){.type = MP_OP_UNKNOWN, .type_name = b->tname};
        b->n_in = n_in;
    }
    MP_TRY(op_name(b, &b->spec.name));
    char where[32];
    snprintf(where, sizeof where, "operator %u", index); /* kept when PADs are folded */
    b->spec.where = where;
    b->spec.in = b->in;
    b->spec.n_in = b->n_in;
    b->spec.out = b->out;
    b->spec.n_out = b->n_out;
    return mp_graph_add_op(c->g, &b->spec, NULL, c->fb.err);
}

mp_status tfl_read_operators(tfl_ctx *c, const fb_table *subgraph)
{
    fb_vec ops;
    c->fb.where = "subgraph 0";
    MP_TRY(fb_vector(&c->fb, subgraph, SUBGRAPH_OPERATORS, 4, "the operator list", &ops));
    if (ops.len > MP_MAX_OPS)
        return fb_fail(&c->fb, MP_E_LIMIT, "%u operators, the limit is %u", ops.len, MP_MAX_OPS);
    for (uint32_t i = 0; i < ops.len; i++)
        MP_TRY(read_operator(c, &ops, i));
    return MP_OK;
}
