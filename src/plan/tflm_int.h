/* SPDX-License-Identifier: MIT */
/*
 * tflm_int.h - what TFLite Micro's allocator sees of a .tflite, and the
 * allocations its kernels make (module plan; private to tflm_*.c).
 *
 * tflm_model.c reads the flatbuffer into a tflm_net (every tensor of
 * subgraph 0 with its byte size as TFLM computes it, the operators with their
 * builtin code and options, the OfflineMemoryAllocation metadata);
 * tflm_kernels.c lists, per operator type, what TFLM's parser and kernel
 * allocate; tflm_arena.c replays the allocation sequence.
 */
#ifndef MEMPLAN_PLAN_TFLM_INT_H
#define MEMPLAN_PLAN_TFLM_INT_H

#include "memplan/mp_tflm.h"

#include "../import/flatbuf.h"

#define TFLM_MAX_RANK 8

typedef struct tflm_tensor {
    int8_t type;           /* TFLite TensorType */
    uint8_t rank;
    int32_t dims[TFLM_MAX_RANK];
    size_t bytes;          /* elements * element size (TFLM's TfLiteEvalTensorByteLength) */
    bool has_data;         /* a buffer with data: lives in flash, not planned */
    bool is_variable;
    bool quantized;        /* scale and zero_point both non-empty (TFLM copies them) */
    uint32_t n_scale;      /* quantization scales (channels) */
    uint32_t n_zp;
    const uint8_t *data;   /* constant data (has_data), little-endian */
    size_t data_bytes;
} tflm_tensor;

typedef struct tflm_op {
    int32_t code;          /* BuiltinOperator */
    const int32_t *in;     /* tensor indices, -1 = omitted optional input */
    uint32_t n_in;
    const int32_t *out;
    uint32_t n_out;
    bool has_options;
    fb_table options;      /* builtin options table */
} tflm_op;

typedef struct tflm_net {
    fb_ctx fb;
    char where[64];
    tflm_tensor *tensors;
    uint32_t n_tensors;
    tflm_op *ops;
    uint32_t n_ops;
    const int32_t *inputs, *outputs;
    uint32_t n_inputs, n_outputs;
    int32_t *offline;      /* n_tensors offsets from OfflineMemoryAllocation, or NULL */
    int32_t *ints;         /* storage of every index list */
} tflm_net;

/* TFLite BuiltinOperator codes the kernels table names. */
enum {
    TFLM_ADD = 0, TFLM_AVERAGE_POOL_2D = 1, TFLM_CONCATENATION = 2, TFLM_CONV_2D = 3,
    TFLM_DEPTHWISE_CONV_2D = 4, TFLM_DEQUANTIZE = 6, TFLM_FULLY_CONNECTED = 9,
    TFLM_LOGISTIC = 14, TFLM_MAX_POOL_2D = 17, TFLM_MUL = 18, TFLM_RELU = 19, TFLM_RELU6 = 21,
    TFLM_RESHAPE = 22, TFLM_RESIZE_BILINEAR = 23, TFLM_SOFTMAX = 25, TFLM_TANH = 28,
    TFLM_PAD = 34, TFLM_TRANSPOSE = 39, TFLM_MEAN = 40, TFLM_SUB = 41, TFLM_SQUEEZE = 43,
    TFLM_STRIDED_SLICE = 45, TFLM_MAXIMUM = 55, TFLM_MINIMUM = 57, TFLM_PADV2 = 60,
    TFLM_PRELU = 54, TFLM_SUM = 74, TFLM_RESIZE_NEAREST_NEIGHBOR = 97, TFLM_QUANTIZE = 114,
    TFLM_LEAKY_RELU = 98, TFLM_HARD_SWISH = 117,
};

/* Read a .tflite (subgraph 0 only; more subgraphs: MP_E_UNSUPPORTED). Free with tflm_net_free. */
mp_status tflm_net_read(const void *data, size_t size, const char *label, tflm_net *net,
                        mp_error *err);
void tflm_net_free(tflm_net *net);

/* ---- target layout ------------------------------------------------------------------- */

typedef struct tflm_abi {
    size_t ptr;        /* pointer and size_t bytes (= their alignment) */
} tflm_abi;

/*
 * Size and alignment of a C struct described member by member: 'c' int8/bool,
 * 'h' int16, 'i' int32/int/float/enum, 'q' int64/double, 'p' pointer, 'z'
 * size_t, digits repeat the next member ("4i" = four ints). Natural alignment
 * (both x86-64 and the Arm EABI align 8-byte scalars to 8).
 */
size_t tflm_struct(const tflm_abi *abi, const char *members, size_t *align);

/* ---- kernel allocations --------------------------------------------------------------- */

#define TFLM_MAX_ALLOCS 8
#define TFLM_MAX_FETCH 16

typedef struct tflm_alloc {
    size_t bytes;
    size_t align;
} tflm_alloc;

/* What TFLM allocates for one operator. */
typedef struct tflm_op_allocs {
    tflm_alloc builtin;               /* parsed options (bytes 0: none) */
    uint32_t n_init;                  /* Init: persistent buffers (16-byte aligned) */
    size_t init[TFLM_MAX_ALLOCS];
    uint32_t n_prepare;               /* Prepare: persistent buffers (16-byte aligned) */
    size_t prepare[TFLM_MAX_ALLOCS];
    uint32_t n_scratch;               /* Prepare: scratch buffer requests */
    size_t scratch[TFLM_MAX_ALLOCS];
    uint32_t n_fetch;                 /* Prepare: temporary TfLiteTensors fetched (tensor */
    int32_t fetch[TFLM_MAX_FETCH];    /* indices, repeats counted); 0: every input and
                                         output once */
} tflm_op_allocs;

/* The allocations of operator i; MP_E_UNSUPPORTED naming it when the op is not modelled. */
mp_status tflm_op_allocations(const tflm_net *net, uint32_t i, mp_tflm_kernels kernels,
                              const tflm_abi *abi, tflm_op_allocs *out, mp_error *err);

#endif
