/* SPDX-License-Identifier: MIT */
/*
 * net_json_ops.c - net.json attributes of the ops real exports add to the
 * classic CNN set (module import): reducers' axes, transpose's perm, strided
 * slices, splits and their extra outputs, activations' alpha, bilinear
 * resize, transpose convolution and the depth/space rearrangements
 * (docs/net-json.md). Axes are NHWC indices: 0 batch, 1 height, 2 width,
 * 3 channels, whatever the tensor's rank.
 */
#include "net_json_int.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* "key": [a, b, ...] of 1..cap integers in [lo, hi]; *count when given (else exactly cap). */
static mp_status int_list(net_ctx *n, const cJSON *layer, const char *key, bool required,
                          int32_t lo, int32_t hi, int32_t *vals, uint32_t cap, uint32_t *count)
{
    jctx *c = &n->j;
    const cJSON *v;
    MP_TRY(jmember(c, layer, key, required, &v));
    if (!v) {
        if (count)
            *count = 0;
        return MP_OK;
    }
    int cnt = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
    if (cnt < 1 || (uint32_t)cnt > cap || (!count && (uint32_t)cnt != cap))
        return jfail(c, key, MP_E_INVALID, "expected a list of %s%u integers",
                     count ? "1 to " : "", cap);
    uint32_t i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++)
        MP_TRY(jint_value(c, e, key, lo, hi, &vals[i]));
    if (count)
        *count = (uint32_t)cnt;
    return MP_OK;
}

/* "axes": NHWC axis indices -> bit mask (def when absent). */
mp_status net_json_read_axes(net_ctx *n, const cJSON *layer, const char *key, int32_t def,
                             int32_t *mask)
{
    int32_t v[4];
    uint32_t cnt = 0;
    MP_TRY(int_list(n, layer, key, false, 0, 3, v, 4, &cnt));
    *mask = cnt ? 0 : def;
    for (uint32_t i = 0; i < cnt; i++)
        *mask |= 1 << v[i];
    return MP_OK;
}

static mp_status read_slice(net_ctx *n, const cJSON *layer, mp_op_params *p)
{
    int32_t st[4] = {1, 1, 1, 1};
    MP_TRY(int_list(n, layer, "begin", true, 0, MP_MAX_DIM, p->begin, 4, NULL));
    MP_TRY(int_list(n, layer, "end", true, 1, MP_MAX_DIM, p->end, 4, NULL));
    if (cJSON_GetObjectItemCaseSensitive(layer, "strides"))
        MP_TRY(int_list(n, layer, "strides", true, 1, MP_MAX_DIM, st, 4, NULL));
    memcpy(p->strides, st, sizeof st);
    return net_json_read_axes(n, layer, "shrink_axes", 0, &p->axes);
}

static mp_status read_split(net_ctx *n, const cJSON *layer, mp_op_params *p)
{
    uint32_t cnt = 0;
    MP_TRY(jint(&n->j, layer, "axis", true, 3, -4, 3, &p->axis));
    MP_TRY(int_list(n, layer, "sizes", false, 1, MP_MAX_DIM, p->split_sizes, MP_MAX_SPLITS,
                    &cnt));
    return MP_OK;
}

static mp_status read_alpha(net_ctx *n, const cJSON *layer, mp_op_params *p)
{
    double a;
    MP_TRY(jnumber(&n->j, layer, "alpha", false, 0.2, &a));
    if (!(fabs(a) <= FLT_MAX))
        return jfail(&n->j, "alpha", MP_E_INVALID, "%g is not a float", a);
    p->alpha = (float)a;
    return MP_OK;
}

static mp_status read_tconv(net_ctx *n, const cJSON *layer, mp_op_params *p)
{
    jctx *c = &n->j;
    MP_TRY(jint(c, layer, "filters", true, 0, 1, 1000000, &p->filters));
    MP_TRY(jpair(c, layer, "kernel", true, 1, 1, &p->kernel_h, &p->kernel_w));
    MP_TRY(jpair(c, layer, "stride", false, 1, 1, &p->stride_h, &p->stride_w));
    if (cJSON_GetObjectItemCaseSensitive(layer, "size"))
        MP_TRY(jpair(c, layer, "size", true, 1, 1, &p->out_h, &p->out_w));
    const char *pad;
    MP_TRY(jstring(c, layer, "padding", false, "same", &pad));
    if (strcmp(pad, "same") && strcmp(pad, "valid"))
        return jfail(c, "padding", MP_E_INVALID, "expected \"same\" or \"valid\", got \"%s\"",
                     pad);
    p->padding = strcmp(pad, "same") == 0 ? MP_PADDING_SAME : MP_PADDING_VALID;
    return MP_OK;
}

mp_status net_json_read_more(net_ctx *n, const cJSON *layer, const char *const *common,
                             mp_op_type t, mp_op_params *p)
{
    jctx *c = &n->j;
    static const char *const binary_keys[] = {"constant", NULL};
    static const char *const reduce_keys[] = {"axes", "keep_dims", NULL};
    static const char *const transpose_keys[] = {"perm", NULL};
    static const char *const slice_keys[] = {"begin", "end", "strides", "shrink_axes", NULL};
    static const char *const split_keys[] = {"axis", "sizes", "more_outputs", NULL};
    static const char *const prelu_keys[] = {"alpha", NULL};
    static const char *const leaky_keys[] = {"alpha", NULL};
    static const char *const resize_keys[] = {"size", "align_corners", "half_pixel_centers",
                                              NULL};
    static const char *const tconv_keys[] = {"filters", "kernel", "stride", "padding", "size",
                                             "use_bias", "weights", "bias", "requant", NULL};
    static const char *const block_keys[] = {"block_size", NULL};
    static const char *const none[] = {NULL};
    int32_t perm[4];
    switch (t) {
    case MP_OP_SUB:
    case MP_OP_MAXIMUM:
    case MP_OP_MINIMUM:
        return jonly(c, layer, common, binary_keys);
    case MP_OP_SUM:
    case MP_OP_REDUCE_MAX:
        MP_TRY(jonly(c, layer, common, reduce_keys));
        MP_TRY(jbool(c, layer, "keep_dims", false, &p->keep_dims));
        return net_json_read_axes(n, layer, "axes", 6, &p->axes);
    case MP_OP_TRANSPOSE:
        MP_TRY(jonly(c, layer, common, transpose_keys));
        MP_TRY(int_list(n, layer, "perm", true, 0, 3, perm, 4, NULL));
        for (int i = 0; i < 4; i++)
            p->perm[i] = (int8_t)perm[i];
        return MP_OK;
    case MP_OP_STRIDED_SLICE:
        MP_TRY(jonly(c, layer, common, slice_keys));
        return read_slice(n, layer, p);
    case MP_OP_SPLIT:
        MP_TRY(jonly(c, layer, common, split_keys));
        return read_split(n, layer, p);
    case MP_OP_PRELU:
        return jonly(c, layer, common, prelu_keys);
    case MP_OP_LEAKY_RELU:
        MP_TRY(jonly(c, layer, common, leaky_keys));
        return read_alpha(n, layer, p);
    case MP_OP_RESIZE_BILINEAR:
        MP_TRY(jonly(c, layer, common, resize_keys));
        MP_TRY(jpair(c, layer, "size", true, 1, 1, &p->out_h, &p->out_w));
        MP_TRY(jbool(c, layer, "align_corners", false, &p->align_corners));
        return jbool(c, layer, "half_pixel_centers", false, &p->half_pixel_centers);
    case MP_OP_TRANSPOSE_CONV:
        MP_TRY(jonly(c, layer, common, tconv_keys));
        return read_tconv(n, layer, p);
    case MP_OP_DEPTH_TO_SPACE:
    case MP_OP_SPACE_TO_DEPTH:
        MP_TRY(jonly(c, layer, common, block_keys));
        return jint(c, layer, "block_size", true, 0, 1, 4096, &p->block_size);
    default: /* logistic, tanh, hard_swish, relu, relu6 */
        return jonly(c, layer, common, none);
    }
}

/* Pass 1 for a split: its outputs after the first, {"name", "dtype", "quant", "tflite_tensor"} each
 * (or a name); created after the layer's own output. */
mp_status net_json_more_outputs(net_ctx *n, const cJSON *layer, mp_dtype dt, mp_tensor_id *ids,
                                uint32_t *count)
{
    jctx *c = &n->j;
    const cJSON *v;
    *count = 0;
    MP_TRY(jmember(c, layer, "more_outputs", false, &v));
    if (!v)
        return MP_OK;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1 ||
        cJSON_GetArraySize(v) > MP_MAX_SPLITS - 1)
        return jfail(c, "more_outputs", MP_E_INVALID, "expected a list of 1..%d outputs",
                     MP_MAX_SPLITS - 1);
    static const char *const keys[] = {"name", "dtype", "quant", "tflite_tensor", NULL};
    for (const cJSON *e = v->child; e; e = e->next) {
        mp_tensor_spec spec = {.dtype = dt};
        if (cJSON_IsString(e)) {
            spec.name = e->valuestring;
        } else if (cJSON_IsObject(e)) {
            MP_TRY(jonly(c, e, keys, NULL));
            MP_TRY(jstring(c, e, "name", true, NULL, &spec.name));
            const char *dts; /* absent: the layer's own type */
            MP_TRY(jstring(c, e, "dtype", false, NULL, &dts));
            if (dts && !mp_dtype_parse(dts, &spec.dtype))
                return jfail(c, "dtype", MP_E_INVALID, "unknown dtype '%s'", dts);
            MP_TRY(net_json_read_quant(n, e, &spec.quant));
            MP_TRY(net_json_read_source_index(n, e, &spec));
        } else {
            return jfail(c, "more_outputs", MP_E_INVALID, "expected names or objects");
        }
        if (!*spec.name || mp_graph_find_tensor(n->g, spec.name) != MP_NO_TENSOR)
            return jfail(c, "more_outputs", MP_E_INVALID, "name \"%s\" is empty or taken",
                         spec.name);
        MP_TRY(mp_graph_add_tensor(n->g, &spec, &ids[(*count)++], c->err));
    }
    return MP_OK;
}
