/* SPDX-License-Identifier: MIT */
/*
 * exec_int.h - private parts of the executor (module exec): the kernel
 * parameter blocks, the kernels, and the prepared model.
 *
 * Kernels are plain functions of a parameter block, input views, an output
 * view and an output rectangle. They assume the caller checked the views
 * (op.c does, before any kernel runs): every tap inside the tensor is inside
 * the view, the output view holds the rectangle. Kernels never allocate; their
 * scratch lives on the stack in fixed-size blocks.
 *
 * Requantization parameters are always per output channel (a per-tensor
 * multiplier is expanded when the op is prepared), shifts in TFLite's
 * convention (positive = left).
 */
#ifndef MEMPLAN_EXEC_INT_H
#define MEMPLAN_EXEC_INT_H

#include "memplan/mp_exec.h"
#include "memplan/mp_patch.h"

#include "../util/pool.h"
#include "requant.h"

/*
 * Hot loops are compiled twice, for AVX2 and for the baseline ISA, and picked
 * at load time (GCC function multi-versioning). Integer SIMD is exact, so both
 * versions give the same bytes.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(MP_NO_TARGET_CLONES)
#define MP_TARGET_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MP_TARGET_CLONES
#endif

/* Element (y, x, 0) of a view; (y, x) must lie in the view. */
static inline int8_t *view_at(const mp_view *v, int32_t y, int32_t x)
{
    return v->data + (ptrdiff_t)(y - v->y0) * v->row_stride + (ptrdiff_t)(x - v->x0) * v->c;
}

/* Output requantization of one op. */
typedef struct exec_rq {
    const int32_t *mult;  /* per output channel, Q31 */
    const int32_t *shift; /* per output channel, positive = left */
    int32_t out_offset;   /* output zero point */
    int32_t act_min, act_max;
} exec_rq;

/* conv2d, depthwise_conv2d and fully connected (a 1x1 conv of a 1x1xDEPTH input). */
typedef struct exec_conv {
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t kh, kw, sh, sw, dh, dw;
    int32_t pad_top, pad_left;
    int32_t groups;        /* conv: input channels / filter input channels */
    int32_t depth_mult;    /* depthwise: output channels per input channel */
    int32_t in_offset;     /* -input zero point */
    int32_t w_offset;      /* -weight zero point (fully connected; 0 otherwise) */
    const int32_t *bias;   /* out_c values or NULL */
    exec_rq rq;
    /* filled by exec_conv_pack / exec_dw_pack: */
    const int16_t *w16;    /* conv: [groups][oc4][kp] of w + w_offset; dw: [kh*kw][out_c] */
    int32_t kp;            /* conv: filter elements per output channel, padded to 16 */
    int32_t oc4;           /* conv: output channels per group, padded to 4 */
    const int8_t *w8;      /* transpose_conv: the filter as given (OHWI) */
} exec_conv;

/* avg_pool2d, max_pool2d. Input and output share quantization (TFLite requires it). */
typedef struct exec_pool {
    int32_t in_h, in_w, c, out_h, out_w;
    int32_t kh, kw, sh, sw, pad_top, pad_left;
    int32_t act_min, act_max;
} exec_pool;

/* mean over height and width (and mean/sum over any axes): TFLite Micro's integer paths. */
typedef enum exec_mean_mode {
    EXEC_MEAN_KEEP_DIMS,  /* reference_integer_ops::Mean: rescale, then rounded division */
    EXEC_MEAN_RESCALE,    /* QuantizedMeanOrSum: 1/n folded into the multiplier */
} exec_mean_mode;

typedef struct exec_mean {
    int32_t in_h, in_w, c;
    exec_mean_mode mode;
    int32_t in_zp, out_zp;
    int32_t mult, shift; /* in_scale / out_scale (KEEP_DIMS), with 1/n folded in (RESCALE) */
} exec_mean;

/* add, sub, mul, maximum, minimum, prelu, with broadcasting of size-1 dimensions of
 * either operand. */
typedef enum exec_bin_kind {
    EXEC_BIN_ADD,
    EXEC_BIN_SUB,
    EXEC_BIN_MUL,
    EXEC_BIN_MAX,
    EXEC_BIN_MIN,
    EXEC_BIN_PRELU, /* a: input, b: alpha; a_mult/a_shift: in/out, out_mult: in*alpha/out */
} exec_bin_kind;

typedef struct exec_elem {
    exec_bin_kind kind;
    int32_t a_h, a_w, a_c, b_h, b_w, b_c; /* operand shapes */
    const int8_t *a_const, *b_const;      /* constant operands (dense), or NULL: a view */
    int32_t a_offset, b_offset;           /* -zero points */
    int32_t left_shift;                   /* add: 20 */
    int32_t a_mult, a_shift, b_mult, b_shift; /* add: input rescales */
    int32_t out_mult, out_shift, out_offset;
    int32_t act_min, act_max;
} exec_elem;

typedef struct exec_softmax {
    int32_t c;
    int32_t in_mult, in_left_shift; /* beta * input_scale in Q5.26 (PreprocessSoftmaxScaling) */
    int32_t diff_min;               /* differences below this give -128 */
} exec_softmax;

/* pad, concat (one input), quantize/dequantize int8 -> int8, reshape, resize_nearest. */
typedef struct exec_requant1 {
    bool identity;        /* same quantization: a plain copy */
    int32_t in_zp, out_zp;
    int32_t mult, shift;  /* in_scale / out_scale */
} exec_requant1;

/* unary int8 activations (activation.c). */
typedef enum exec_unary_kind {
    EXEC_UN_LOGISTIC,
    EXEC_UN_TANH,
    EXEC_UN_HARD_SWISH,
    EXEC_UN_LEAKY_RELU,
    EXEC_UN_RELU,
    EXEC_UN_RELU6,
} exec_unary_kind;

typedef struct exec_unary {
    exec_unary_kind kind;
    int32_t in_zp, out_zp;
    int32_t mult, shift;   /* logistic/tanh: input rescale to Q4.27 (left shift); relu and
                              leaky_relu (x >= 0): in/out; hard_swish: output exponent (<= 0) */
    int32_t mult2, shift2; /* leaky_relu (x < 0): alpha * in / out */
    int32_t radius;        /* logistic/tanh: |x - zp| at which the output saturates */
    int16_t out_mult16, relu_mult16; /* hard_swish multipliers (Q15) */
    int32_t relu_shift;    /* hard_swish: exponent of the reluish multiplier */
    int32_t lo, hi;        /* relu/relu6 clamp */
} exec_unary;

/* quantize/dequantize between float32, int8 and uint8 (convert.c). */
typedef struct exec_convert {
    mp_dtype in_type, out_type; /* MP_DTYPE_FLOAT32, MP_DTYPE_INT8 or MP_DTYPE_UINT8 */
    int32_t c;                  /* elements per pixel */
    float out_scale;            /* quantize from float32 */
    double in_scale;            /* dequantize to float32 */
    int32_t in_zp, out_zp;
    int32_t mult, shift;        /* requantize: in_scale / out_scale */
} exec_convert;

typedef struct exec_pad {
    int32_t in_h, in_w, c;     /* c: output channels */
    int32_t pad_top, pad_left;
    int8_t value;              /* the output zero point (PAD) or PADV2's constant */
    int32_t in_c, ch_before;   /* input channels, channels padded before them */
} exec_pad;

typedef struct exec_concat {
    int32_t axis;         /* 1 (h), 2 (w) or 3 (c) */
    uint32_t n;           /* inputs */
    int32_t *start;       /* per input: first output index along axis */
    int32_t *size;        /* per input: extent along axis */
    exec_requant1 *rq;    /* per input */
} exec_concat;

typedef struct exec_resize {
    int32_t in_h, in_w, out_h, out_w, c;
    bool align_corners, half_pixel_centers;
} exec_resize;

typedef struct exec_bilinear {
    int32_t in_h, in_w, c;
    int32_t scale_h, scale_w; /* Q10 input pixels per output pixel */
    bool half_pixel_centers;
} exec_bilinear;

/* transpose, strided_slice: a strided 4-D block of the input, written densely. */
typedef struct exec_gather {
    bool regional;    /* N, H, W walked in place: exec_slice_run over rectangles */
    int32_t in_d[4];  /* input NHWC dims */
    int32_t block[4]; /* block extent per output-order axis */
    int32_t axis[4];  /* input axis walked by each block axis */
    int32_t start[4], step[4];
} exec_gather;

/* mean, sum, reduce_max over any axes (movement.c). */
typedef struct exec_reduce_any {
    int32_t d[4];     /* input NHWC dims */
    uint32_t axes;    /* bit k: NHWC axis k reduced */
    int32_t n;        /* elements per output */
    bool max;         /* reduce_max: raw maximum */
    exec_mean mean;   /* mean/sum: the finishing arithmetic */
} exec_reduce_any;

/* split, split_v (movement.c): n outputs along one NHWC axis. */
typedef struct exec_split {
    int32_t d[4];          /* input NHWC dims */
    int32_t axis;          /* NHWC axis */
    uint32_t n;            /* outputs */
    const int32_t *sizes;  /* per output: extent along axis */
} exec_split;

/* depth_to_space (to_space) and space_to_depth. */
typedef struct exec_d2s {
    bool to_space;
    int32_t block, in_c, out_c;
} exec_d2s;

/* ---- kernels (one file per family) ---------------------------------------------------- */

/* conv.c */
mp_status exec_conv_pack(exec_conv *p, const int8_t *weights, mp_pool *pool, mp_error *err);
void exec_conv_run(const exec_conv *p, const mp_view *in, const mp_view *out, mp_rect r);
/* Requantize n accumulators of channels [0, n) of rq into out. */
void exec_requant_row(const int32_t *acc, int32_t n, const int32_t *mult, const int32_t *shift,
                      int32_t offset, int32_t lo, int32_t hi, int8_t *out);

/* depthwise.c */
mp_status exec_dw_pack(exec_conv *p, const int8_t *weights, mp_pool *pool, mp_error *err);
void exec_dw_run(const exec_conv *p, const mp_view *in, const mp_view *out, mp_rect r);
/* Output channel ch over r into plane ((r.y1-r.y0) x (r.x1-r.x0), dense); multiplier 1. */
void exec_dw_channel(const exec_conv *p, const mp_view *in, int32_t ch, mp_rect r, int8_t *plane);

/* fc.c: in is the whole input as one pixel of in_c = depth channels. */
void exec_fc_run(const exec_conv *p, const int8_t *in, int8_t *out);

/* pool.c */
void exec_avgpool_run(const exec_pool *p, const mp_view *in, const mp_view *out, mp_rect r);
void exec_maxpool_run(const exec_pool *p, const mp_view *in, const mp_view *out, mp_rect r);
void exec_mean_run(const exec_mean *p, const mp_view *in, int8_t *out);
/* The last step of a reduction from its int32 sum (or count) (reduce.c uses them). */
int32_t exec_mean_finish(const exec_mean *p, int32_t sum, int32_t n);
int32_t exec_avgpool_finish(const exec_pool *p, int32_t sum, int32_t count);

/* elementwise.c: a, b are views of the operands (ignored for constant operands). */
void exec_elem_run(const exec_elem *p, const mp_view *a, const mp_view *b, const mp_view *out,
                   mp_rect r);

/* softmax.c */
void exec_softmax_run(const exec_softmax *p, const mp_view *in, const mp_view *out, mp_rect r);
/* Softmax of one row of n values (TFLite's int8 reference). */
void exec_softmax_row(const exec_softmax *p, const int8_t *in, int32_t n, int8_t *out);

/* misc.c */
void exec_requant1_run(const exec_requant1 *p, const mp_view *in, const mp_view *out, mp_rect r);
void exec_pad_run(const exec_pad *p, const mp_view *in, const mp_view *out, mp_rect r);
void exec_concat_run(const exec_concat *p, const mp_view *in, const mp_view *out, mp_rect r);
void exec_resize_run(const exec_resize *p, const mp_view *in, const mp_view *out, mp_rect r);
/* Nearest source index of output index o along one axis (TFLite's GetNearestNeighbor). */
int32_t exec_resize_src(int32_t o, int32_t in_size, int32_t out_size, bool align_corners,
                        bool half_pixel_centers);

/* tconv.c: transpose convolution (p->w8, per-channel rq, pad_top/pad_left as TFLite's). */
void exec_tconv_run(const exec_conv *p, const mp_view *in, const mp_view *out, mp_rect r);

/* bilinear.c */
void exec_bilinear_run(const exec_bilinear *p, const mp_view *in, const mp_view *out, mp_rect r);

/* movement.c */
void exec_gather_run(const exec_gather *p, const int8_t *in, int8_t *out);
/* The same gather over an output rectangle when it keeps N, H and W in place (a strided
 * slice removing none of them, a transpose of nothing but channels in place). */
void exec_slice_run(const exec_gather *p, const mp_view *in, const mp_view *out, mp_rect r);
void exec_d2s_run(const exec_d2s *p, const mp_view *in, const mp_view *out, mp_rect r);
void exec_reduce_any_run(const exec_reduce_any *p, const int8_t *in, int8_t *out);
void exec_split_run(const exec_split *p, const int8_t *in, int8_t *const *outs);

/* activation.c: out may alias in. */
void exec_unary_run(const exec_unary *p, const mp_view *in, const mp_view *out, mp_rect r);

/* convert.c */
void exec_convert_run(const exec_convert *p, const mp_view *in, const mp_view *out, mp_rect r);

/* ---- quantization helpers (quant.c) -------------------------------------------------- */

/* TFLite's QuantizeMultiplier: m = q * 2^shift with q in [0.5, 1) as Q31. */
void exec_quantize_multiplier(double real, int32_t *multiplier, int32_t *shift);
/* Activation range of a fused activation in the quantized domain (TFLite's
 * CalculateActivationRangeQuantized, int8). */
void exec_activation_range(mp_activation act, float scale, int32_t zero_point, int32_t *lo,
                              int32_t *hi);
/* TFLite's PreprocessSoftmaxScaling (5 integer bits) and diff_min; false when unusable. */
bool exec_softmax_params(double beta, double input_scale, int32_t *multiplier,
                            int32_t *left_shift, int32_t *diff_min);

/* ---- the prepared model -------------------------------------------------------------- */

/* What the executor uses of each tensor. */
typedef struct exec_tensor {
    mp_dtype dtype;       /* activation: int8, or uint8/float32 (QUANTIZE/DEQUANTIZE only) */
    bool has_quant;       /* activation: scale/zp known */
    float scale;          /* activation quantization (per tensor) */
    int32_t zp;
    const void *data;     /* constant: contents (graph's or synthesized), NULL if absent */
    const float *qscale;  /* constant: quantization scales (n_q), NULL if absent */
    const int32_t *qzp;   /* constant: zero points (n_q) */
    uint32_t n_q;
} exec_tensor;

typedef struct exec_op {
    mp_op_type type;
    bool prepared;
    uint32_t n_act;       /* activation inputs */
    union {
        exec_conv conv;
        exec_pool pool;
        exec_mean mean;
        exec_elem elem;
        exec_softmax softmax;
        exec_requant1 rq1;
        exec_pad pad;
        exec_concat concat;
        exec_resize resize;
        exec_convert convert;
        exec_unary unary;
        exec_bilinear bilinear;
        exec_gather gather;
        exec_d2s d2s;
        exec_reduce_any reduce;
        exec_split split;
    } u;
} exec_op;

struct mp_exec_model {
    const mp_graph *g;
    mp_exec_opts opts;
    mp_pool pool;         /* every array of the model */
    exec_tensor *t;       /* per tensor */
    exec_op *ops;         /* per op */
    bool synthesized;
};

/* model.c: "operator 3 (conv2d): <message>" as st. */
mp_status exec_prep_fail(const mp_exec_model *m, uint32_t i, mp_status st, mp_error *err,
                         const char *fmt, ...) MP_PRINTF(5, 6);
/* TFLite's QuantizeMultiplier of real for op i; refuses shifts above 30 naming `what`
 * (and channel ch when >= 0). */
mp_status exec_prep_multiplier(const mp_exec_model *m, uint32_t i, const char *what, int32_t ch,
                               double real, int32_t *mult, int32_t *shift, mp_error *err);
/* prep_ops.c: the ops of issue 14's wider set (activations, resize_bilinear, data
 * movement, reductions over any axes, transpose_conv). MP_E_UNSUPPORTED for others. */
mp_status exec_prepare_more(mp_exec_model *m, uint32_t i, exec_op *e, mp_error *err);

/* model.c: fill m->ops[i] from the graph and m->t (quantization must be known). */
mp_status exec_prepare_op(mp_exec_model *m, uint32_t i, mp_error *err);
/* "layers[3] 'conv3'" style location of op i, into buf. */
const char *exec_op_where(const mp_exec_model *m, uint32_t i, char *buf, size_t n);

/* synth.c: synthesize what the graph leaves out and prepare every op. */
bool exec_needs_synthesis(const mp_exec_model *m);
mp_status exec_synthesize(mp_exec_model *m, mp_error *err);

/* op.c: a SPLIT (several outputs) on its dense input and output buffers. */
mp_status exec_run_split(const mp_exec_model *m, uint32_t i, const int8_t *in,
                         int8_t *const *outs, mp_error *err);
/* op.c: run op i on whole tensors held in bufs (indexed by tensor id, dense). */
mp_status exec_run_whole(const mp_exec_model *m, uint32_t i, int8_t *const *bufs, mp_error *err);

#endif
