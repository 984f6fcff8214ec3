/* SPDX-License-Identifier: MIT */
/* net_json_int.h - shared state of the net.json importer (module import; private). */
#ifndef MEMPLAN_IMPORT_NET_JSON_INT_H
#define MEMPLAN_IMPORT_NET_JSON_INT_H

#include "memplan/mp_graph.h"

#include "../util/json_fields.h"

#define NET_MAX_QUANT 65536u  /* per-channel quantization entries */
#define NET_MAX_OPERANDS 66u  /* activation inputs + weights + bias */
#define NET_MAX_FILES 16u     /* distinct weight files referenced */

typedef struct net_file {
    char *path;   /* resolved path */
    char *data;   /* adopted by the graph */
    size_t size;
} net_file;

typedef struct net_ctx {
    jctx j;
    const char *base_dir;        /* directory of the document, for weight files */
    const char *weights_file;    /* top-level "weights_file" or NULL */
    mp_graph *g;
    mp_tensor_id *layer_out;     /* output tensor of every layer */
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

#endif
