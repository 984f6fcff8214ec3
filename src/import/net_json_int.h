/* SPDX-License-Identifier: MIT */
/* net_json_int.h - shared state of the net.json importer (module import; private). */
#ifndef MEMPLAN_IMPORT_NET_JSON_INT_H
#define MEMPLAN_IMPORT_NET_JSON_INT_H

#include "memplan/mp_graph.h"

#include "memplan/mp_util.h"

#include "../util/json_fields.h"

#define NET_MAX_QUANT 65536u  /* per-channel quantization entries */
#define NET_MAX_OPERANDS 66u  /* activation inputs + weights + bias */
#define NET_MAX_FILES 16u     /* distinct weight files referenced */

typedef struct net_file {
    char *path;   /* resolved path */
    char *data;   /* adopted by the graph */
    size_t size;
} net_file;

/* One layer of the expanded layer list (repeat groups unrolled, docs/net-json.md). */
typedef struct net_layer {
    const cJSON *node;  /* the layer object (shared by a group's repetitions) */
    const char *base;   /* its "name" as written (NULL when missing or not a string) */
    uint32_t top;       /* index in the document's "layers" */
    int32_t inner;      /* index in its group's "layers", -1 outside groups */
    uint32_t group;     /* index in net_ctx.groups when inner >= 0 */
    uint32_t rep;       /* repetition, 1-based; 0 outside groups */
} net_layer;

/* A repeat group: {"repeat": N, "name": G, "layers": [...]}. */
typedef struct net_group {
    const char *name;
    uint32_t top;       /* index in the document's "layers" */
    uint32_t first;     /* expanded index of its first layer */
    uint32_t n_layers;  /* layers per repetition */
    uint32_t n_reps;
} net_group;

typedef struct net_ctx {
    jctx j;
    const char *base_dir;        /* directory of the document, for weight files */
    const char *weights_file;    /* top-level "weights_file" or NULL */
    mp_graph *g;
    mp_tensor_id *layer_out;     /* output tensor of every (expanded) layer */
    net_layer *layers;           /* the expanded layer list */
    uint32_t n_layers;
    net_group *groups;           /* repeat groups in document order */
    uint32_t n_groups;
    uint32_t *group_by_name;     /* group indices sorted by name (for lookups) */
    uint32_t cur_rep;            /* repetition of the layer being read (0: none) */
    mp_strbuf scratch;           /* expanded names */
    net_file files[NET_MAX_FILES];
    uint32_t n_files;
    float qscale[NET_MAX_QUANT]; /* scratch for one quant object (copied by the graph) */
    int32_t qzp[NET_MAX_QUANT];
    int32_t rq_mult[NET_MAX_QUANT];
    int32_t rq_shift[NET_MAX_QUANT];
} net_ctx;

mp_status net_json_check_header(net_ctx *n, const cJSON *root, const char *const *keys);
mp_status net_json_read_inputs(net_ctx *n, const cJSON *root);
/* [h, w, c] or [c] etc. (rank 1..4, -1 allowed once when allow_wild is NULL-able). */
mp_status net_json_read_shape(net_ctx *n, const cJSON *obj, const char *key, bool allow_wild,
                              mp_shape *out, uint8_t *rank);
/* A {"path", "offset", "bytes"} reference: a borrowed pointer into an adopted file. */
mp_status net_json_file_ref(net_ctx *n, const cJSON *ref, const char *key, const void **data,
                            size_t *bytes);
void net_json_release_files(net_ctx *n);
/* Optional "tflite_tensor": the tensor's index in the .tflite the network came from. */
mp_status net_json_read_source_index(net_ctx *n, const cJSON *obj, mp_tensor_spec *spec);

/* net_json_repeat.c: the expanded layer list of "layers" (groups validated). */
mp_status net_json_expand(net_ctx *n, const cJSON *layers);
/* Set the context's path to expanded layer i ("layers[4]" or "layers[4].layers[1]"). */
void net_json_layer_path(net_ctx *n, uint32_t i);
/* The name of expanded layer i's output into sb ("x", or "x.2" in repetition 2). */
void net_json_layer_name(const net_ctx *n, uint32_t i, const char *base, mp_strbuf *sb);
/* After every layer output exists: group names must be new and unique. */
mp_status net_json_check_groups(net_ctx *n);
/* The tensor a layer name means when read by expanded layer i (UINT32_MAX: from the top
 * level), MP_NO_TENSOR when none: inside a group, the group's name (the repetition's
 * input) and its own repetition's layers first; then every tensor; then a group's name
 * (its output). Fails only when out of memory. */
mp_status net_json_resolve(net_ctx *n, uint32_t i, const char *name, mp_tensor_id *out);
/* Record the groups in the graph (mp_graph_add_repeat). */
mp_status net_json_add_repeats(net_ctx *n);
void net_json_release_layers(net_ctx *n);

/* net_json_const.c: "key" of obj, a {"scale", "zero_point"} object (numbers or up to cap
 * per-channel arrays), into q (scales and zps are the caller's scratch); absent: n = 0. */
mp_status net_json_quant(net_ctx *n, const cJSON *obj, const char *key, mp_quant *q,
                         float *scales, int32_t *zps, uint32_t cap);
/* Add the constant tensor "<layer>/<key>" described by the object at key (absent: a tensor
 * without data whose shape is inferred). */
mp_status net_json_add_const(net_ctx *n, const cJSON *layer, const char *key,
                             const char *layer_name, mp_dtype def_dtype, int32_t qaxis,
                             mp_tensor_id *id);
/* A per-tensor "quant" of obj. */
mp_status net_json_read_quant(net_ctx *n, const cJSON *obj, mp_quant *q);
/* net_json_ops.c: attributes of the ops added with issue 14 (keys checked with common). */
mp_status net_json_read_more(net_ctx *n, const cJSON *layer, const char *const *common,
                             mp_op_type t, mp_op_params *p);
/* "axes": a list of NHWC axis indices as a bit mask; def when absent. */
mp_status net_json_read_axes(net_ctx *n, const cJSON *layer, const char *key, int32_t def,
                             int32_t *mask);
/* Pass 1 of a layer with "more_outputs" (split): create those tensors. */
mp_status net_json_more_outputs(net_ctx *n, const cJSON *layer, mp_dtype dt, mp_tensor_id *ids,
                                uint32_t *count);

#endif
