/* SPDX-License-Identifier: MIT */
/*
 * mprt.h - memplan_rt, the on-device runtime: executes a memplan schedule
 * (per-layer segments, patch stages with any halo mode, fused multi-stage
 * schedules) from const tables, inside one caller-provided arena of exactly
 * the planned size.
 *
 * Portable C99: needs <stdint.h>, <stddef.h> and <string.h> (memcpy, memset,
 * memmove) only. No heap, no floating point but in the float32 quantize and
 * dequantize of a model's float boundary (mprt_convert), no static mutable state: all
 * state is in the arena and in the caller's mprt_ctx, so the runtime is
 * re-entrant (two contexts may run two models, or one model in two arenas, at
 * once). The int8 kernels are TFLite Micro's reference arithmetic
 * (bit-exact; docs/runtime.md).
 *
 * The tables are written by `memplan export --format c` and described in
 * docs/runtime.md (format version MPRT_FORMAT_VERSION). memplan's `validate`
 * runs the same tables on the host through this same code.
 */
#ifndef MEMPLAN_RT_MPRT_H
#define MEMPLAN_RT_MPRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MPRT_FORMAT_VERSION 2

/* ---- kernels' parameter blocks ------------------------------------------------------ */

typedef enum mprt_op_type {
    MPRT_OP_CONV = 0,      /* conv2d (mprt_conv) */
    MPRT_OP_DEPTHWISE = 1, /* depthwise conv2d (mprt_conv) */
    MPRT_OP_FC = 2,        /* fully connected (mprt_conv, 1x1 over in_c = input bytes) */
    MPRT_OP_AVG_POOL = 3,  /* mprt_pool */
    MPRT_OP_MAX_POOL = 4,  /* mprt_pool */
    MPRT_OP_MEAN = 5,      /* mprt_mean */
    MPRT_OP_ADD = 6,       /* mprt_elem */
    MPRT_OP_MUL = 7,       /* mprt_elem */
    MPRT_OP_SOFTMAX = 8,   /* mprt_softmax */
    MPRT_OP_REQUANT = 9,   /* quantize / dequantize int8 -> int8 (mprt_requant) */
    MPRT_OP_PAD = 10,      /* mprt_pad */
    MPRT_OP_CONCAT = 11,   /* mprt_concat */
    MPRT_OP_RESIZE = 12,   /* resize nearest (mprt_resize) */
    MPRT_OP_RESHAPE = 13,  /* a byte copy (params NULL) */
    /* format 2: the op set of real exports */
    MPRT_OP_CONVERT = 14,  /* quantize/dequantize with float32 or uint8 (mprt_convert) */
    MPRT_OP_UNARY = 15,    /* logistic, tanh, hard_swish, leaky_relu, relu, relu6 (mprt_unary) */
    MPRT_OP_BINARY = 16,   /* sub, maximum, minimum, prelu (mprt_elem, by kind) */
    MPRT_OP_BILINEAR = 17, /* resize bilinear (mprt_bilinear) */
    MPRT_OP_GATHER = 18,   /* transpose, strided slice (mprt_gather) */
    MPRT_OP_D2S = 19,      /* depth_to_space, space_to_depth (mprt_d2s) */
    MPRT_OP_REDUCE = 20,   /* mean/sum/reduce_max over any axes (mprt_reduce) */
    MPRT_OP_SPLIT = 21,    /* split, split_v: several outputs (mprt_split) */
    MPRT_OP_TCONV = 22,    /* transpose conv (mprt_conv, w: the filter OHWI) */
    MPRT_OP_COUNT
} mprt_op_type;

/* Output requantization: per output channel Q31 multiplier and shift (positive = left). */
typedef struct mprt_rq {
    const int32_t *mult;
    const int32_t *shift;
    int32_t out_offset, act_min, act_max;
} mprt_rq;

typedef struct mprt_conv {
    int32_t in_h, in_w, in_c, out_h, out_w, out_c;
    int32_t kh, kw, sh, sw, dh, dw, pad_top, pad_left;
    int32_t groups, depth_mult;
    int32_t in_offset, w_offset;  /* -input zero point, -weight zero point */
    const int8_t *w;              /* conv/fc: OHWI (O x kh x kw x in_c/groups); dw: 1HWC */
    const int32_t *bias;          /* out_c values or NULL */
    mprt_rq rq;
} mprt_conv;

typedef struct mprt_pool {
    int32_t in_h, in_w, c, out_h, out_w;
    int32_t kh, kw, sh, sw, pad_top, pad_left;
    int32_t act_min, act_max;
} mprt_pool;

/* TFLite Micro's two int8 mean paths: reference_integer_ops::Mean (keep_dims over H and
 * W: rescale, then a rounded division) and QuantizedMeanOrSum (1/n in the multiplier). */
enum { MPRT_MEAN_KEEP_DIMS = 0, MPRT_MEAN_RESCALE = 1 };

typedef struct mprt_mean {
    int32_t in_h, in_w, c, mode;
    int32_t in_zp, out_zp, mult, shift;
} mprt_mean;

/* Binary kinds: ADD and MUL ops carry ADD and MUL, BINARY ops one of the others. */
enum { MPRT_BIN_ADD = 0, MPRT_BIN_SUB, MPRT_BIN_MUL, MPRT_BIN_MAX, MPRT_BIN_MIN, MPRT_BIN_PRELU };

typedef struct mprt_elem {
    int32_t kind;                    /* MPRT_BIN_*; prelu: b is alpha, a_mult/a_shift in/out,
                                        out_mult/out_shift in*alpha/out */
    int32_t a_h, a_w, a_c, b_h, b_w, b_c;
    const int8_t *a_const, *b_const; /* constant operands (dense HWC) or NULL */
    int32_t a_offset, b_offset, left_shift;
    int32_t a_mult, a_shift, b_mult, b_shift;
    int32_t out_mult, out_shift, out_offset, act_min, act_max;
} mprt_elem;

typedef struct mprt_softmax {
    int32_t c, in_mult, in_left_shift, diff_min;
} mprt_softmax;

typedef struct mprt_requant {
    int32_t identity; /* 1: same quantization, a copy */
    int32_t in_zp, out_zp, mult, shift;
} mprt_requant;

typedef struct mprt_pad {
    int32_t in_h, in_w, c, pad_top, pad_left, value; /* c: output channels */
    int32_t in_c, ch_before;    /* input channels, channels padded before them */
} mprt_pad;

typedef struct mprt_concat {
    int32_t axis;               /* 1 rows, 2 columns, 3 channels */
    int32_t n;                  /* inputs */
    const int32_t *start, *size; /* per input: first output index and extent along axis */
    const mprt_requant *rq;     /* per input */
} mprt_concat;

typedef struct mprt_resize {
    int32_t c, out_h, out_w;
    const int32_t *src_y;       /* out_h source rows (TFLite's nearest rule, precomputed) */
    const int32_t *src_x;       /* out_w source columns */
} mprt_resize;

/* Element types of mprt_convert. */
enum { MPRT_DT_INT8 = 0, MPRT_DT_UINT8 = 1, MPRT_DT_FLOAT32 = 2 };

/* quantize / dequantize across types (TFLite Micro's reference kernels):
 * float32 -> int8/uint8: q = (int32)round(f / out_scale) + out_zp, clamped (float32
 *   division, rounding half away from zero; a quotient outside int32 or NaN gives
 *   INT32_MIN, as TFLite Micro on x86-64 and Arm does);
 * int8/uint8 -> int8/uint8: MBQM(x - in_zp, mult, shift) + out_zp, clamped;
 * int8/uint8 -> float32: (float)(in_scale * (double)(x - in_zp)).
 * The only floating point of the runtime (libgcc's soft-float on an MCU without FPU). */
typedef struct mprt_convert {
    int32_t in_type, out_type;  /* MPRT_DT_* */
    int32_t c;                  /* elements per pixel */
    int32_t in_zp, out_zp, mult, shift;
    float out_scale;            /* quantize from float32 */
    double in_scale;            /* dequantize to float32 */
} mprt_convert;

enum { MPRT_UN_LOGISTIC = 0, MPRT_UN_TANH, MPRT_UN_HARD_SWISH, MPRT_UN_LEAKY_RELU, MPRT_UN_RELU,
       MPRT_UN_RELU6 };

/* int8 unary activations (docs/runtime.md gives each kind's arithmetic). */
typedef struct mprt_unary {
    int32_t kind;            /* MPRT_UN_* */
    int32_t in_zp, out_zp;
    int32_t mult, shift;     /* logistic/tanh: input rescale to Q4.27; relu, leaky_relu
                                (x >= 0): in/out; hard_swish: output exponent (<= 0) */
    int32_t mult2, shift2;   /* leaky_relu (x < 0): alpha * in / out */
    int32_t radius;          /* logistic/tanh: |x - zp| at which the output saturates */
    int32_t out_mult16, relu_mult16; /* hard_swish Q15 multipliers (int16 values) */
    int32_t relu_shift;      /* hard_swish: exponent of the reluish multiplier */
    int32_t lo, hi;          /* relu/relu6 clamp */
} mprt_unary;

/* int8 resize bilinear (TFLite's ResizeBilinearInteger): per output row (column) three
 * values: the Q10 source position v and the two source rows lo, hi; weights
 * 1024 - (v - 1024 lo) and v - 1024 lo; the sum rounded half away from zero at 2^20. */
typedef struct mprt_bilinear {
    int32_t c, out_h, out_w;
    const int32_t *ys, *xs;  /* 3 * out_h, 3 * out_w */
} mprt_bilinear;

/* transpose, strided slice: output element (o0..o3), row-major over block, is the input
 * element with coordinate axis[k] = start[k] + o[k] * step[k] (NHWC dims in_d). regional:
 * batch, height and width map to themselves, so it runs over output rectangles. */
typedef struct mprt_gather {
    int32_t regional;
    int32_t in_d[4], block[4], axis[4], start[4], step[4];
} mprt_gather;

/* depth_to_space (to_space 1) and space_to_depth, block size block. */
typedef struct mprt_d2s {
    int32_t to_space, block, in_c, out_c;
} mprt_d2s;

/* mean, sum, reduce_max over the NHWC axes of bit mask axes (whole dense tensors): n
 * elements per output; max: the raw maximum, else mean's finishing arithmetic. */
typedef struct mprt_reduce {
    int32_t d[4];
    int32_t axes, n, max;
    mprt_mean mean;
} mprt_reduce;

/* split: output k (tensor outs[k]) takes sizes[k] entries of NHWC axis `axis`. */
typedef struct mprt_split {
    int32_t d[4];
    int32_t axis, n;
    const int32_t *sizes, *outs;
} mprt_split;

/* ---- the schedule tables ----------------------------------------------------------- */

typedef struct mprt_iv {
    int32_t a, b; /* half-open [a, b); empty when a >= b */
} mprt_iv;

/* An activation tensor (NHWC, batch 1) of esize bytes per element (1: int8/uint8, 4:
 * float32; a pixel is c * esize bytes). offset: its whole buffer in the arena, or -1 when
 * it is never held whole (a region-only tensor, or a network input the ops read where
 * the caller holds it: the float/uint8 boundary input outside the arena). */
typedef struct mprt_tensor {
    int32_t h, w, c, esize;
    int32_t offset;
} mprt_tensor;

enum { MPRT_RUN_NORMAL = 0, MPRT_RUN_INPLACE_DW = 1, MPRT_RUN_REDUCE = 2 };

/*
 * An op. In a per-layer segment in[] and out are tensor indices and the op
 * computes its whole output; in a tiled segment they are slot indices of the
 * segment and the op computes its output slot's comp region of the patch.
 * run: MPRT_RUN_INPLACE_DW writes over its input channel by channel through
 * the plane at aux_offset (aux_bytes); MPRT_RUN_REDUCE (the last op of a
 * tiled segment) adds each patch's tile into int32 accumulators at aux_offset
 * and writes its output after the last patch.
 */
typedef struct mprt_op {
    int32_t type;           /* mprt_op_type */
    int32_t run;            /* MPRT_RUN_* */
    int32_t n_in;
    const int32_t *in;
    int32_t out;
    int32_t out_tensor;     /* tensor index of the output (for the tensor hook) */
    uint32_t aux_offset, aux_bytes;
    const void *params;     /* by type; NULL for reshape */
} mprt_op;

enum { MPRT_ROLE_WHOLE = 0, MPRT_ROLE_STREAM = 1, MPRT_ROLE_WORKING = 2, MPRT_ROLE_OUTPUT = 3 };

/*
 * A tensor a tiled segment reads or writes. WHOLE and OUTPUT slots are the
 * tensor's whole buffer; STREAM and WORKING slots have a region buffer at
 * offset holding need_rows[i] x need_cols[j] (dense) in patch (i, j), of
 * which the patch computes comp_rows[i] x comp_cols[j] (the rest comes from
 * the halo caches, see docs/runtime.md). Caches: a row ring of kr rows x
 * hull_w columns (from column hc0) at row_cache, a column ring of kc columns x
 * max_h rows at col_cache; kr/kc 0: none.
 */
typedef struct mprt_slot {
    int32_t tensor;
    int32_t role;
    int32_t input;          /* STREAM: index of the network input */
    uint32_t offset;
    const mprt_iv *need_rows, *need_cols, *comp_rows, *comp_cols; /* [rows] / [cols] */
    int32_t kr, kc, hc0, hull_w, max_h;
    uint32_t row_cache, col_cache;
} mprt_slot;

typedef struct mprt_segment {
    int32_t tiled;          /* 0: per-layer steps; 1: a patch stage */
    int32_t halo;           /* 0 recompute, 1 cache (rows and columns), 2 cache columns */
    int32_t rows, cols;     /* patch grid (1 x 1 for per-layer segments) */
    int32_t n_ops;
    const mprt_op *ops;
    int32_t n_slots;
    const mprt_slot *slots;
} mprt_segment;

/* A network input or output: tensor index and bytes; at position pos of the
 * caller's input (output) blob, where they lie back to back in table order. */
typedef struct mprt_io {
    int32_t tensor;
    uint32_t bytes, pos;
} mprt_io;

typedef struct mprt_model {
    uint32_t version;       /* MPRT_FORMAT_VERSION */
    uint32_t arena_bytes;
    uint32_t input_bytes, output_bytes;
    int32_t n_tensors;
    const mprt_tensor *tensors;
    int32_t n_inputs;
    const mprt_io *inputs;
    int32_t n_outputs;
    const mprt_io *outputs;
    int32_t n_segments;
    const mprt_segment *segments;
} mprt_model;

/* ---- running ---------------------------------------------------------------------- */

typedef enum mprt_status {
    MPRT_OK = 0,
    MPRT_E_VERSION = 1,   /* tables of another format version */
    MPRT_E_ARENA = 2,     /* arena smaller than the tables need */
    MPRT_E_TABLE = 3,     /* a malformed table (unknown op, index out of range) */
} mprt_status;

/* Called after a tensor is complete in the arena (per-layer op outputs, and the
 * OUTPUT slots of a tiled segment after its last patch). */
typedef void (*mprt_tensor_hook)(void *user, int32_t tensor, const int8_t *data, uint32_t bytes);

typedef struct mprt_ctx {
    mprt_tensor_hook tensor_done; /* optional */
    void *user;
    uint32_t op_runs, patches;    /* counters, set by mprt_run */
    int32_t bad_segment;          /* MPRT_E_TABLE: the segment at fault */
} mprt_ctx;

void mprt_ctx_init(mprt_ctx *ctx);

/*
 * Run model m: input holds the network inputs back to back (m->input_bytes),
 * output receives the outputs (m->output_bytes), each in the model's own type
 * (int8, uint8, or float32 in the target's byte order: a float32 input is the
 * caller's float array). output may be NULL: the outputs stay in the arena
 * (mprt_output_data), which saves their copy in SRAM. A float/uint8 input the
 * schedule keeps outside the arena is read where input points, for the whole
 * run (it may be in flash). arena: arena_bytes >= m->arena_bytes bytes, any
 * alignment; its contents need not be initialised.
 */
mprt_status mprt_run(mprt_ctx *ctx, const mprt_model *m, uint8_t *arena, uint32_t arena_bytes,
                     const int8_t *input, int8_t *output);

/* Output k in the arena after mprt_run (m->outputs[k].bytes bytes), NULL if no output k. */
const uint8_t *mprt_output_data(const mprt_model *m, const uint8_t *arena, int32_t k);

#ifdef __cplusplus
}
#endif

#endif
