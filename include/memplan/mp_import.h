/* SPDX-License-Identifier: MIT */
/*
 * mp_import.h - reading networks (module import): memplan's net.json
 * (docs/net-json.md) and TFLite flatbuffers. Every importer returns a
 * finalized graph or an error naming the file, the field and the problem.
 */
#ifndef MEMPLAN_MP_IMPORT_H
#define MEMPLAN_MP_IMPORT_H

#include "memplan/mp_error.h"
#include "memplan/mp_graph.h"
#include "memplan/mp_util.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MP_NET_JSON_VERSION 1                        /* "version" written and accepted */
#define MP_IMPORT_MAX_FILE_BYTES ((size_t)256 << 20) /* larger inputs are refused */

/* Import path: .tflite files (by content: "TFL3" identifier) or net.json. */
mp_status mp_import_file(const char *path, mp_graph **out, mp_error *err);

/* True when data looks like a TFLite flatbuffer (file identifier "TFL3" at byte 4). */
bool mp_import_is_tflite(const void *data, size_t size);

/*
 * mp_import_file without PAD folding (docs/algorithms.md "PAD folding"): the network as
 * the file states it, every PAD op kept - what TFLite Micro runs (memplan's TFLM arena
 * figure is computed on it).
 */
mp_status mp_import_file_unfolded(const char *path, mp_graph **out, mp_error *err);
/* mp_import_tflite_buffer without PAD folding (what `memplan convert` writes). */
mp_status mp_import_tflite_buffer_unfolded(const void *data, size_t size, const char *label,
                                           mp_graph **out, mp_error *err);

/*
 * TFLite flatbuffer (schema version 3), subgraph 0. Every tensor of the
 * subgraph becomes a graph tensor with the same index (tensor id = TFLite
 * tensor index); ops are named after their first output tensor. Ops memplan
 * does not model become MP_OP_UNKNOWN with the builtin name as type_name
 * (shapes come from the file). Constant tensors are zero-copy views into the
 * file: mp_import_tflite reads the file and hands it to the graph (freed by
 * mp_graph_free); mp_import_tflite_buffer borrows data, which the caller
 * keeps alive and unchanged until mp_graph_free (constants whose elements
 * would be misaligned in data are copied). Every offset and length is checked
 * against the file; errors read "LABEL: tensor 12: buffer 7 ends past the end
 * of the file" (MP_E_PARSE for a damaged file, MP_E_INVALID / MP_E_UNSUPPORTED
 * for a well-formed file memplan cannot use).
 */
mp_status mp_import_tflite(const char *path, mp_graph **out, mp_error *err);
mp_status mp_import_tflite_buffer(const void *data, size_t size, const char *label,
                                  mp_graph **out, mp_error *err);

/* ---- export ------------------------------------------------------------------------- */

typedef struct mp_export_opts {
    /* Constant data lying inside [weights_base, weights_base + weights_bytes) is written as a
     * {"offset", "bytes"} reference into weights_file (the top-level "weights_file" of the
     * document); other constant data is embedded as "data_base64". NULL: embed everything. */
    const void *weights_base;
    size_t weights_bytes;
    const char *weights_file; /* path written as "weights_file" (relative to the document) */
    const char *description;  /* optional "description" text */
} mp_export_opts;

/*
 * Append memplan's net.json (docs/net-json.md) describing the finalized graph
 * g to out: tensor and op names, shapes, attributes, quantization and weights
 * are kept, so importing the document gives the same network hash and the same
 * analysis figures. Graphs memplan cannot express in net.json (unknown ops,
 * constant activation operands, shared weights, ...) give MP_E_UNSUPPORTED
 * naming the op. opts may be NULL (embed everything).
 */
mp_status mp_export_net_json(const mp_graph *g, const mp_export_opts *opts, mp_strbuf *out,
                             mp_error *err);

/* net.json from a file, or from memory (label names it in messages; base_dir
 * resolves relative weight file references, "" = current directory). */
mp_status mp_import_json(const char *path, mp_graph **out, mp_error *err);
mp_status mp_import_json_text(const char *text, size_t len, const char *label,
                              const char *base_dir, mp_graph **out, mp_error *err);

#ifdef __cplusplus
}
#endif

#endif
