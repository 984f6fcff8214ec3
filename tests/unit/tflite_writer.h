/* SPDX-License-Identifier: MIT */
/*
 * tflite_writer.h - a small TFLite flatbuffer writer for the tests: describe
 * a model in a tw_model (operator codes, buffers, tensors, operators with
 * their builtin options) and serialize it with tw_write. Written from the
 * flatbuffers binary layout and TFLite's schema field ids, like the importer,
 * but as an independent implementation: it lays objects out front to back
 * and patches forward offsets, where the importer only reads.
 *
 * Test code: uses plain malloc and favours simplicity over speed.
 */
#ifndef MEMPLAN_TEST_TFLITE_WRITER_H
#define MEMPLAN_TEST_TFLITE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TW_MAX_TENSORS 64
#define TW_MAX_OPS 32
#define TW_MAX_BUFFERS 64
#define TW_MAX_OPCODES 32
#define TW_MAX_FIELDS 8

/* TFLite TensorType values used by the tests. */
enum { TW_FLOAT32 = 0, TW_FLOAT16 = 1, TW_INT32 = 2, TW_INT64 = 4, TW_INT8 = 9 };

/* BuiltinOperator codes used by the tests. */
enum {
    TW_ADD = 0,
    TW_AVERAGE_POOL_2D = 1,
    TW_CONCATENATION = 2,
    TW_CONV_2D = 3,
    TW_DEPTHWISE_CONV_2D = 4,
    TW_DEQUANTIZE = 6,
    TW_FULLY_CONNECTED = 9,
    TW_MAX_POOL_2D = 17,
    TW_MUL = 18,
    TW_RESHAPE = 22,
    TW_SOFTMAX = 25,
    TW_CUSTOM = 32,
    TW_PAD = 34,
    TW_MEAN = 40,
    TW_RESIZE_NEAREST_NEIGHBOR = 97,
    TW_QUANTIZE = 114,
    TW_HARD_SWISH = 117,
    TW_DEPTH_TO_SPACE = 5,
    TW_LOGISTIC = 14,
    TW_RESIZE_BILINEAR = 23,
    TW_SPACE_TO_DEPTH = 26,
    TW_TRANSPOSE = 39,
    TW_SUB = 41,
    TW_STRIDED_SLICE = 45,
    TW_MAXIMUM = 55,
    TW_TRANSPOSE_CONV = 67,
    TW_LEAKY_RELU = 98,
    TW_SPLIT_V = 102,
    TW_GELU = 150,
};

/* BuiltinOptions union types used by the tests. */
enum {
    TW_OPT_CONV = 1,
    TW_OPT_DEPTHWISE = 2,
    TW_OPT_POOL = 5,
    TW_OPT_FC = 8,
    TW_OPT_SOFTMAX = 9,
    TW_OPT_CONCAT = 10,
    TW_OPT_ADD = 11,
    TW_OPT_RESHAPE = 17,
    TW_OPT_MUL = 21,
    TW_OPT_PAD = 22,
    TW_OPT_REDUCER = 27,
    TW_OPT_RESIZE_NN = 74,
    TW_OPT_QUANTIZE = 89,
    TW_OPT_RESIZE_BILINEAR = 15,
    TW_OPT_SPACE_TO_DEPTH = 19,
    TW_OPT_TRANSPOSE = 26,
    TW_OPT_SUB = 28,
    TW_OPT_STRIDED_SLICE = 32,
    TW_OPT_MAXMIN = 39,
    TW_OPT_TRANSPOSE_CONV = 49,
    TW_OPT_LEAKY_RELU = 75,
    TW_OPT_SPLIT_V = 79,
    TW_OPT_HARD_SWISH = 91,
    TW_OPT_DEPTH_TO_SPACE = 94,
};

typedef struct tw_field {
    uint8_t id;    /* field id in the options table */
    uint8_t width; /* 1, 4 or 8 bytes */
    uint64_t bits; /* little-endian value (floats as their bits) */
} tw_field;

typedef struct tw_tensor {
    const char *name;    /* NULL: no name field */
    int8_t type;         /* TensorType */
    int rank;            /* 0..6 */
    int32_t shape[6];
    uint32_t buffer;     /* index into buffers; 0 = the empty sentinel */
    uint32_t n_scale;    /* quantization; 0 = none */
    float scale[16];
    uint32_t n_zp;
    int64_t zp[16];
    int32_t qdim;        /* quantized_dimension */
    bool is_variable;
} tw_tensor;

typedef struct tw_op {
    uint32_t opcode;     /* index into opcodes */
    uint32_t n_in, n_out;
    int32_t in[8], out[4];
    uint8_t options_type;
    bool options;        /* write an options table (with the fields below) */
    uint32_t n_fields;
    tw_field fields[TW_MAX_FIELDS];
} tw_op;

typedef struct tw_model {
    uint32_t version;    /* schema version (3) */
    uint32_t n_subgraphs; /* 1; 0 writes an empty subgraph list */
    uint32_t n_opcodes;
    int32_t opcode[TW_MAX_OPCODES];
    const char *custom[TW_MAX_OPCODES];
    uint32_t n_buffers;
    const void *buffer[TW_MAX_BUFFERS];
    size_t buffer_size[TW_MAX_BUFFERS];
    uint32_t n_tensors;
    tw_tensor tensors[TW_MAX_TENSORS];
    uint32_t n_ops;
    tw_op ops[TW_MAX_OPS];
    uint32_t n_inputs, n_outputs;
    int32_t inputs[4], outputs[4];
} tw_model;

/* Where things landed in the last tw_write (for tests that damage files on purpose). */
typedef struct tw_layout {
    size_t tensor_table[TW_MAX_TENSORS]; /* first byte of each tensor table */
    size_t tensor_name[TW_MAX_TENSORS];  /* length field of each tensor name */
    size_t buffer_data[TW_MAX_BUFFERS];  /* length field of each buffer's data vector */
} tw_layout;

/* An empty model: schema 3, one subgraph, buffer 0 = the empty sentinel. */
void tw_init(tw_model *m);
/* Add an operator code (builtin code, or TW_CUSTOM with a custom code); returns its index. */
uint32_t tw_opcode(tw_model *m, int32_t code, const char *custom);
/* Add a tensor with no data; returns its index. */
int32_t tw_tensor_add(tw_model *m, const char *name, int8_t type, int rank, const int32_t *shape);
/* Add a constant tensor with its data (copied by pointer: keep data alive until tw_write). */
int32_t tw_const(tw_model *m, const char *name, int8_t type, int rank, const int32_t *shape,
                 const void *data, size_t bytes);
/* Per-tensor (n == 1) or per-channel quantization along dimension qdim. */
void tw_quant(tw_model *m, int32_t t, uint32_t n, const float *scale, const int64_t *zp,
              int32_t qdim);
/* Add an operator; returns it to add options with tw_opt_*. */
tw_op *tw_operator(tw_model *m, uint32_t opcode, uint32_t n_in, const int32_t *in,
                   uint32_t n_out, const int32_t *out, uint8_t options_type);
void tw_opt_u8(tw_op *op, uint8_t id, uint8_t v);
void tw_opt_i32(tw_op *op, uint8_t id, int32_t v);
void tw_opt_f32(tw_op *op, uint8_t id, float v);
void tw_io(tw_model *m, int32_t input, int32_t output);

/* Serialize; returns a malloc'ed buffer (free()) and its size, NULL when out of memory. */
unsigned char *tw_write(const tw_model *m, size_t *size, tw_layout *layout);
/* tw_write into a file; false on failure. */
bool tw_write_file(const tw_model *m, const char *path);

#endif
