/* SPDX-License-Identifier: MIT */
/*
 * tflite_int.h - shared state of the TFLite importer (module import; private).
 *
 * Field ids are those of TFLite's published schema (schema.fbs, version 3):
 * a field's id is its position in the table declaration, and a union takes
 * two ids (its type byte, then its value).
 */
#ifndef MEMPLAN_IMPORT_TFLITE_INT_H
#define MEMPLAN_IMPORT_TFLITE_INT_H

#include "memplan/mp_import.h"

#include "flatbuf.h"

/* Model, OperatorCode, SubGraph, Tensor, QuantizationParameters, Operator, Buffer fields. */
enum { MODEL_VERSION = 0, MODEL_OPERATOR_CODES = 1, MODEL_SUBGRAPHS = 2, MODEL_BUFFERS = 4 };
enum { OPCODE_DEPRECATED_BUILTIN = 0, OPCODE_CUSTOM = 1, OPCODE_BUILTIN = 3 };
enum { SUBGRAPH_TENSORS = 0, SUBGRAPH_INPUTS = 1, SUBGRAPH_OUTPUTS = 2, SUBGRAPH_OPERATORS = 3 };
enum {
    TENSOR_SHAPE = 0,
    TENSOR_TYPE = 1,
    TENSOR_BUFFER = 2,
    TENSOR_NAME = 3,
    TENSOR_QUANTIZATION = 4,
    TENSOR_IS_VARIABLE = 5,
    TENSOR_SPARSITY = 6,
};
enum { QUANT_SCALE = 2, QUANT_ZERO_POINT = 3, QUANT_DIMENSION = 6 };
enum { OP_OPCODE_INDEX = 0, OP_INPUTS = 1, OP_OUTPUTS = 2, OP_OPTIONS_TYPE = 3, OP_OPTIONS = 4 };
enum { BUFFER_DATA = 0, BUFFER_OFFSET = 1, BUFFER_SIZE = 2 };

#define TFL_SCHEMA_VERSION 3u
#define TFL_BUILTIN_CUSTOM 32

typedef struct tfl_opcode {
    int32_t code;       /* BuiltinOperator: max(deprecated_builtin_code, builtin_code) */
    const char *custom; /* custom_code (not NUL-terminated), or NULL */
    uint32_t custom_len;
} tfl_opcode;

typedef struct tfl_ctx {
    fb_ctx fb;
    char where[96];      /* "tensor 12", "operator 3 (CONV_2D)"; fb.where points here */
    mp_graph *g;
    fb_vec buffers;      /* Model.buffers (tables) */
    fb_vec tensors;      /* SubGraph.tensors (tables) */
    tfl_opcode *opcodes; /* Model.operator_codes, decoded */
    uint32_t n_opcodes;
    char *text;          /* scratch for NUL-terminated names */
    size_t text_cap;
    float *qscale;       /* scratch for one tensor's quantization (copied by the graph) */
    int32_t *qzp;
    uint32_t q_cap;
} tfl_ctx;

/* Set c->where from a format ("operator %u"). */
void tfl_where(tfl_ctx *c, const char *fmt, ...) MP_PRINTF(2, 3);
/* A scratch copy of s[0..len) with room for extra more bytes, NUL-terminated at len. */
mp_status tfl_text(tfl_ctx *c, const char *s, size_t len, size_t extra, char **out);

/* tflite_ops.c: every operator of the subgraph, in file order. */
mp_status tfl_read_operators(tfl_ctx *c, const fb_table *subgraph);
/* TFLite's name of a builtin operator ("CONV_2D"), or NULL for an unknown code. */
const char *tfl_builtin_name(int32_t code);

#endif
