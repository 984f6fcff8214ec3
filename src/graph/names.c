/* SPDX-License-Identifier: MIT */
/* names.c - name tables for dtypes, op types, padding and activations (module graph). */
#include "memplan/mp_graph.h"

#include <string.h>

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *name;
    size_t size;
} dtypes[] = {
    [MP_DTYPE_INT8] = {"int8", 1},    [MP_DTYPE_UINT8] = {"uint8", 1},
    [MP_DTYPE_INT16] = {"int16", 2},  [MP_DTYPE_INT32] = {"int32", 4},
    [MP_DTYPE_INT64] = {"int64", 8},  [MP_DTYPE_FLOAT32] = {"float32", 4},
    [MP_DTYPE_BOOL] = {"bool", 1},
};
_Static_assert(COUNT_OF(dtypes) == MP_DTYPE_COUNT, "every dtype needs a name");

static const char *const op_names[] = {
    [MP_OP_CONV2D] = "conv2d",
    [MP_OP_DEPTHWISE_CONV2D] = "depthwise_conv2d",
    [MP_OP_FULLY_CONNECTED] = "fully_connected",
    [MP_OP_ADD] = "add",
    [MP_OP_MUL] = "mul",
    [MP_OP_CONCAT] = "concat",
    [MP_OP_AVG_POOL2D] = "avg_pool2d",
    [MP_OP_MAX_POOL2D] = "max_pool2d",
    [MP_OP_MEAN] = "mean",
    [MP_OP_PAD] = "pad",
    [MP_OP_RESHAPE] = "reshape",
    [MP_OP_SOFTMAX] = "softmax",
    [MP_OP_QUANTIZE] = "quantize",
    [MP_OP_DEQUANTIZE] = "dequantize",
    [MP_OP_RESIZE_NEAREST] = "resize_nearest",
    [MP_OP_UNKNOWN] = "unknown",
    [MP_OP_SUB] = "sub",
    [MP_OP_MAXIMUM] = "maximum",
    [MP_OP_MINIMUM] = "minimum",
    [MP_OP_SUM] = "sum",
    [MP_OP_REDUCE_MAX] = "reduce_max",
    [MP_OP_TRANSPOSE] = "transpose",
    [MP_OP_STRIDED_SLICE] = "strided_slice",
    [MP_OP_SPLIT] = "split",
    [MP_OP_LOGISTIC] = "logistic",
    [MP_OP_TANH] = "tanh",
    [MP_OP_HARD_SWISH] = "hard_swish",
    [MP_OP_PRELU] = "prelu",
    [MP_OP_LEAKY_RELU] = "leaky_relu",
    [MP_OP_RELU] = "relu",
    [MP_OP_RELU6] = "relu6",
    [MP_OP_RESIZE_BILINEAR] = "resize_bilinear",
    [MP_OP_TRANSPOSE_CONV] = "transpose_conv",
    [MP_OP_DEPTH_TO_SPACE] = "depth_to_space",
    [MP_OP_SPACE_TO_DEPTH] = "space_to_depth",
};
_Static_assert(COUNT_OF(op_names) == MP_OP_COUNT, "every op type needs a name");

static const char *const padding_names[] = {
    [MP_PADDING_SAME] = "same",
    [MP_PADDING_VALID] = "valid",
    [MP_PADDING_EXPLICIT] = "explicit",
};
_Static_assert(COUNT_OF(padding_names) == MP_PADDING_COUNT, "every padding needs a name");

static const char *const act_names[] = {
    [MP_ACT_NONE] = "none",
    [MP_ACT_RELU] = "relu",
    [MP_ACT_RELU6] = "relu6",
    [MP_ACT_RELU_N1_TO_1] = "relu_n1_to_1",
};
_Static_assert(COUNT_OF(act_names) == MP_ACT_COUNT, "every activation needs a name");

size_t mp_dtype_size(mp_dtype dt)
{
    return (unsigned)dt < MP_DTYPE_COUNT ? dtypes[dt].size : 1;
}

const char *mp_dtype_name(mp_dtype dt)
{
    return (unsigned)dt < MP_DTYPE_COUNT ? dtypes[dt].name : "?";
}

bool mp_dtype_parse(const char *name, mp_dtype *out)
{
    for (unsigned i = 0; i < MP_DTYPE_COUNT; i++) {
        if (strcmp(name, dtypes[i].name) == 0) {
            *out = (mp_dtype)i;
            return true;
        }
    }
    return false;
}

const char *mp_op_type_name(mp_op_type t)
{
    return (unsigned)t < MP_OP_COUNT ? op_names[t] : "?";
}

bool mp_op_type_parse(const char *name, mp_op_type *out)
{
    for (unsigned i = 0; i < MP_OP_COUNT; i++) {
        if (i != MP_OP_UNKNOWN && strcmp(name, op_names[i]) == 0) {
            *out = (mp_op_type)i;
            return true;
        }
    }
    return false;
}

const char *mp_padding_name(mp_padding p)
{
    return (unsigned)p < MP_PADDING_COUNT ? padding_names[p] : "?";
}

const char *mp_activation_name(mp_activation a)
{
    return (unsigned)a < MP_ACT_COUNT ? act_names[a] : "?";
}

bool mp_activation_parse(const char *name, mp_activation *out)
{
    for (unsigned i = 0; i < MP_ACT_COUNT; i++) {
        if (strcmp(name, act_names[i]) == 0) {
            *out = (mp_activation)i;
            return true;
        }
    }
    return false;
}

bool mp_op_is_spatial(mp_op_type t)
{
    switch (t) {
    case MP_OP_CONV2D:
    case MP_OP_DEPTHWISE_CONV2D:
    case MP_OP_ADD:
    case MP_OP_MUL:
    case MP_OP_CONCAT:
    case MP_OP_AVG_POOL2D:
    case MP_OP_MAX_POOL2D:
    case MP_OP_PAD:
    case MP_OP_QUANTIZE:
    case MP_OP_DEQUANTIZE:
        return true;
    default:
        return false;
    }
}
