/* SPDX-License-Identifier: MIT */
/*
 * mp_graph.h - memplan's network model (module graph).
 *
 * A graph is plain data: tensors and ops in arrays, referring to each other by
 * integer ids, so every report, database row and picture comes out the same
 * on every run. Importers build a graph with mp_graph_add_tensor() and
 * mp_graph_add_op(), then call mp_graph_finalize(), which validates it, finds
 * a topological execution order, infers shapes (TFLite's padding rules),
 * and computes byte sizes (overflow-checked), MACs, parameter counts,
 * receptive fields and the network hash. After finalize a graph is read-only;
 * plans, schedules and executors borrow it ("valid until mp_graph_free").
 *
 *     mp_graph *g;
 *     mp_error err;
 *     mp_error_init(&err);
 *     if (mp_import_file("nets/mobilenetv2-w1.0-r224.json", NULL, &g, &err) != MP_OK)
 *         fprintf(stderr, "memplan: %s\n", err.msg);
 *     printf("%llu MACs\n", (unsigned long long)g->macs);
 *     mp_graph_free(g);
 *
 * Tensors are NHWC with batch 1. A tensor of lower rank is right-aligned
 * into NHWC ([1,640] -> n=1,h=1,w=1,c=640); `rank` remembers the original
 * rank. Constant tensors (weights, biases, shape operands) live in flash and
 * are never counted as SRAM.
 */
#ifndef MEMPLAN_MP_GRAPH_H
#define MEMPLAN_MP_GRAPH_H

#include "memplan/mp_error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t mp_tensor_id;      /* index into mp_graph.tensors */
#define MP_NO_TENSOR UINT32_MAX     /* an absent optional operand (e.g. no bias) */
#define MP_MAX_OPS 100000u          /* limits that keep every count in 32 bits */
#define MP_MAX_TENSORS 400000u
#define MP_MAX_OP_INPUTS 64u
#define MP_MAX_SPLITS 16            /* outputs of a modelled SPLIT (more: imported as unknown) */
#define MP_MAX_DIM 1000000          /* largest accepted dimension */
#define MP_MAX_TENSOR_BYTES ((size_t)1 << 30) /* largest tensor, activation or constant
                                                (1 GiB): keeps every sum and element index of
                                                the planners and executor far from overflow */

typedef enum mp_dtype {
    MP_DTYPE_INT8,
    MP_DTYPE_UINT8,
    MP_DTYPE_INT16,
    MP_DTYPE_INT32,
    MP_DTYPE_INT64,
    MP_DTYPE_FLOAT32,
    MP_DTYPE_BOOL,
    MP_DTYPE_COUNT
} mp_dtype;

typedef struct mp_shape {
    int32_t n, h, w, c; /* NHWC; 0 means "not known yet" before finalize */
} mp_shape;

typedef struct mp_quant {
    uint32_t n;                /* pairs: 0 = not quantized, 1 = per tensor, >1 = per channel */
    int32_t axis;              /* per channel: NHWC axis index (0..3) of the channels */
    const float *scale;        /* n scales (graph-owned) */
    const int32_t *zero_point; /* n zero points (graph-owned) */
} mp_quant;

enum {
    MP_TENSOR_INPUT = 1u << 0,  /* a network input */
    MP_TENSOR_OUTPUT = 1u << 1, /* a network output */
    MP_TENSOR_CONST = 1u << 2,  /* constant (flash): weights, biases, shape operands */
};

typedef struct mp_tensor {
    const char *name;   /* unique within the graph */
    mp_dtype dtype;
    mp_shape shape;     /* NHWC, all > 0 after finalize */
    uint8_t rank;       /* rank in the source (1..4); shape is right-aligned */
    size_t size_bytes;  /* n*h*w*c*sizeof(dtype), overflow-checked, <= MP_MAX_TENSOR_BYTES */
    mp_quant quant;
    uint32_t flags;     /* MP_TENSOR_* */
    const void *data;   /* constant contents (size_bytes), or NULL when not given */
    int32_t producer;   /* index of the op writing it, -1 for inputs and constants */
    uint32_t source_index; /* position in the source's tensor list (TFLite tensor index, or
                              net.json "tflite_tensor"); the id when the source gives none.
                              TFLite Micro's planner breaks ties in this order */
} mp_tensor;

typedef enum mp_op_type {
    MP_OP_CONV2D,
    MP_OP_DEPTHWISE_CONV2D,
    MP_OP_FULLY_CONNECTED,
    MP_OP_ADD,
    MP_OP_MUL,
    MP_OP_CONCAT,
    MP_OP_AVG_POOL2D,
    MP_OP_MAX_POOL2D,
    MP_OP_MEAN,
    MP_OP_PAD,
    MP_OP_RESHAPE,
    MP_OP_SOFTMAX,
    MP_OP_QUANTIZE,
    MP_OP_DEQUANTIZE,
    MP_OP_RESIZE_NEAREST,
    MP_OP_UNKNOWN, /* an op memplan does not model: shapes must come from the file */
    /* Added with the op set of real exports (issue 14); after MP_OP_UNKNOWN so the values
     * above keep their numbers. Imported aliases: SQUEEZE and EXPAND_DIMS are RESHAPE, SLICE
     * is STRIDED_SLICE with stride 1, SPLIT_V is SPLIT, PADV2 is PAD with pad_value. */
    MP_OP_SUB,            /* binary elementwise with broadcast (like ADD, MUL) */
    MP_OP_MAXIMUM,
    MP_OP_MINIMUM,
    MP_OP_SUM,            /* reducers over p.axes (like MEAN) */
    MP_OP_REDUCE_MAX,
    MP_OP_TRANSPOSE,      /* p.perm */
    MP_OP_STRIDED_SLICE,  /* p.begin, p.end, p.strides (NHWC, resolved) */
    MP_OP_SPLIT,          /* p.axis, p.split_sizes: n_out outputs */
    MP_OP_LOGISTIC,       /* unary elementwise */
    MP_OP_TANH,
    MP_OP_HARD_SWISH,
    MP_OP_PRELU,          /* in[1]: alpha (broadcast like a binary op) */
    MP_OP_LEAKY_RELU,     /* p.alpha */
    MP_OP_RELU,
    MP_OP_RELU6,
    MP_OP_RESIZE_BILINEAR, /* p.out_h, p.out_w, align_corners, half_pixel_centers */
    MP_OP_TRANSPOSE_CONV, /* in[0] input, in[1] filter OHWI, in[2] bias: TFLite's operand
                             order (output_shape, filter, input, bias) is rearranged at import */
    MP_OP_DEPTH_TO_SPACE, /* p.block_size */
    MP_OP_SPACE_TO_DEPTH, /* p.block_size */
    MP_OP_COUNT
} mp_op_type;

typedef enum mp_padding {
    MP_PADDING_SAME,     /* TFLite SAME: out = ceil(in / stride), extra pixel bottom/right */
    MP_PADDING_VALID,    /* no padding */
    MP_PADDING_EXPLICIT, /* pad_top/bottom/left/right as given */
    MP_PADDING_COUNT
} mp_padding;

typedef enum mp_activation {
    MP_ACT_NONE,
    MP_ACT_RELU,
    MP_ACT_RELU6,
    MP_ACT_RELU_N1_TO_1,
    MP_ACT_COUNT
} mp_activation;

/* Attributes of an op. Fields an op does not use stay 0. */
typedef struct mp_op_params {
    int32_t kernel_h, kernel_w;     /* conv/dw: filter size; pools: window */
    int32_t stride_h, stride_w;     /* >= 1 */
    int32_t dilation_h, dilation_w; /* >= 1 */
    mp_padding padding;
    int32_t pad_top, pad_bottom, pad_left, pad_right; /* resolved by finalize for SAME/VALID */
    int32_t filters;          /* conv/fc: output channels (also read from the filter) */
    int32_t depth_multiplier; /* depthwise: output channels per input channel */
    int32_t groups;           /* conv: input channels / filter input channels (>= 1) */
    mp_activation activation; /* fused activation */
    int32_t axis;             /* concat: NHWC axis (0..3) */
    bool keep_dims;           /* mean */
    float beta;               /* softmax */
    int32_t out_h, out_w;     /* resize_nearest: output size */
    bool align_corners, half_pixel_centers; /* resize_nearest */
    mp_shape new_shape;       /* reshape: target (0 fields: take the output tensor's) */
    int32_t new_rank;         /* reshape: rank of the target as written (0: unknown) */
    /* pad: channel padding, and the value written (pad_value_set false: the output's zero
     * point, TFLite PAD; true: PADV2's constant, as a quantized value) */
    int32_t pad_ch_before, pad_ch_after;
    int32_t pad_value;
    bool pad_value_set;
    bool keep_num_dims;       /* fully_connected: out = input with the last axis -> units */
    int32_t axes;             /* mean/sum/reduce_max: bit mask of NHWC axes (bit 1 = H, 2 = W,
                                 3 = C); 0 for mean means H and W */
    int8_t perm[4];           /* transpose: output NHWC axis i is input axis perm[i] */
    int32_t begin[4], end[4], strides[4]; /* strided_slice: per NHWC axis, end exclusive,
                                             strides >= 1 */
    int32_t split_sizes[MP_MAX_SPLITS]; /* split: size of each output along p.axis (0s: equal) */
    float alpha;              /* leaky_relu */
    int32_t block_size;       /* depth_to_space, space_to_depth */
} mp_op_params;

/* Explicit requantization (net.json "requant"): per output channel or per tensor. */
typedef struct mp_requant {
    uint32_t n;                /* 0 = derive from scales */
    const int32_t *multiplier; /* Q31 multipliers */
    const int32_t *shift;      /* positive = left shift (TFLite convention) */
} mp_requant;

typedef struct mp_op {
    const char *name;       /* unique within the graph */
    mp_op_type type;
    const char *type_name;  /* canonical name, or the source's name for MP_OP_UNKNOWN */
    const mp_tensor_id *in; /* in[0] = activation; conv/dw/fc: in[1] filter, in[2] bias */
    uint32_t n_in;          /* optional operands are MP_NO_TENSOR */
    const mp_tensor_id *out;
    uint32_t n_out;         /* 1 for every modelled op but split */
    mp_op_params p;
    mp_requant requant;
    uint64_t macs;          /* multiply-accumulates (conv, depthwise, fc, transpose_conv);
                               0 for others (docs/algorithms.md) */
    bool macs_known;        /* false for MP_OP_UNKNOWN */
    uint64_t params;        /* elements of the op's weight and bias tensors */
    const char *where;      /* where the source defines it ("layers[4].layers[1]"), or NULL */
    const char *folded_pad; /* conv/depthwise: name of the PAD op folded into its padding
                               (docs/algorithms.md "PAD folding"), or NULL */
} mp_op;

/* Receptive field of a tensor with respect to the network input. */
typedef struct mp_rf {
    int32_t size_h, size_w; /* input pixels one element depends on (theoretical, not capped at
                               the input size; a global field is at least the input size) */
    int32_t jump_h, jump_w; /* input pixels between neighbouring elements */
    bool global;            /* depends on every input pixel (fc, mean, softmax, reshape) */
} mp_rf;

/*
 * A block of layers the source writes once and repeats (net.json "repeat",
 * docs/net-json.md): n_reps repetitions of n_layers ops each, consecutive in
 * source order from first_op; repetition r (0-based) is ops first_op + r *
 * n_layers .. first_op + (r + 1) * n_layers - 1. Groups are disjoint and
 * ascending. They describe how the network was written and are not part of
 * its hash: an expanded copy of the same layers is the same network.
 */
typedef struct mp_repeat {
    const char *name;  /* the group's name (graph-owned) */
    uint32_t first_op; /* op index of the first layer of the first repetition */
    uint32_t n_layers; /* ops per repetition, >= 1 */
    uint32_t n_reps;   /* repetitions, >= 1 */
} mp_repeat;

typedef enum mp_source_kind {
    MP_SOURCE_API,    /* built in code: ops are named "op N" in messages */
    MP_SOURCE_JSON,   /* net.json: ops are "layers[N] 'name'" */
    MP_SOURCE_TFLITE, /* .tflite: ops are "operator N (TYPE)" */
} mp_source_kind;

typedef struct mp_graph_priv mp_graph_priv;

typedef struct mp_graph {
    const char *name;       /* network name */
    const char *source;     /* file it came from, or "" */
    mp_source_kind source_kind;
    mp_tensor *tensors;
    uint32_t n_tensors;
    mp_op *ops;
    uint32_t n_ops;
    mp_tensor_id *inputs;   /* network inputs, in source order */
    uint32_t n_inputs;
    mp_tensor_id *outputs;  /* network outputs, in source order */
    uint32_t n_outputs;
    mp_repeat *repeats;     /* repeat groups of the source, ascending (see mp_repeat) */
    uint32_t n_repeats;
    uint32_t n_subgraphs;   /* TFLite: subgraphs in the file (only subgraph 0 is read;
                               more are WHILE/IF bodies); 0 for net.json */
    /* Filled by mp_graph_finalize(): */
    uint32_t *order;        /* topological order of op indices; source order when it is one */
    int32_t *step_of_op;    /* position of each op in order */
    mp_rf *rf;              /* per tensor */
    uint64_t macs;          /* sum over ops */
    uint64_t params;        /* sum over ops */
    uint64_t weight_bytes;  /* bytes of all constant tensors used by ops (flash) */
    uint32_t n_unknown_ops; /* ops with no MAC count */
    uint32_t n_folded_pads; /* PAD ops folded into their consumer by finalize */
    bool keep_pads;         /* set before finalize: keep every PAD op as it is (no folding) */
    char hash[65];          /* SHA-256 (hex) of the canonical network description */
    bool finalized;
    mp_graph_priv *priv;    /* pool and build state; not API */
} mp_graph;

/* ---- building ------------------------------------------------------------------------- */

/* Description of a tensor to add. Arrays are copied into the graph. */
typedef struct mp_tensor_spec {
    const char *name;   /* required, unique */
    mp_dtype dtype;
    mp_shape shape;     /* all zero: inferred by finalize (activations, JSON weights) */
    uint8_t rank;       /* 0: 4 (or inferred) */
    uint32_t flags;     /* MP_TENSOR_* */
    const void *data;   /* constant contents or NULL */
    size_t data_bytes;  /* bytes at data; must equal the tensor size when given */
    bool borrow_data;   /* true: keep the pointer (caller keeps it alive, see mp_graph_adopt) */
    mp_quant quant;     /* copied */
    bool has_source_index;  /* source_index below is given (else the tensor's id is used) */
    uint32_t source_index;
} mp_tensor_spec;

typedef struct mp_op_spec {
    const char *name;       /* required, unique */
    mp_op_type type;
    const char *type_name;  /* NULL: canonical; required for MP_OP_UNKNOWN */
    const mp_tensor_id *in;
    uint32_t n_in;
    const mp_tensor_id *out;
    uint32_t n_out;
    mp_op_params p;
    mp_requant requant;     /* copied */
    const char *where;      /* optional source location for messages (copied); NULL: by index */
} mp_op_spec;

/* A new, empty graph. Free with mp_graph_free. */
mp_status mp_graph_new(const char *name, const char *source, mp_source_kind kind, mp_graph **out,
                       mp_error *err);
/* Free a graph and everything it owns. NULL is a no-op. */
void mp_graph_free(mp_graph *g);
/* Rename the network (copied). */
mp_status mp_graph_set_name(mp_graph *g, const char *name, mp_error *err);
/* Hand a heap block (e.g. a mapped .tflite) to the graph; free_fn runs in mp_graph_free. */
mp_status mp_graph_adopt(mp_graph *g, void *block, void (*free_fn)(void *), mp_error *err);

mp_status mp_graph_add_tensor(mp_graph *g, const mp_tensor_spec *spec, mp_tensor_id *id,
                              mp_error *err);
mp_status mp_graph_add_op(mp_graph *g, const mp_op_spec *spec, uint32_t *op_index,
                          mp_error *err);
/* Declare network inputs and outputs (copied). Flags are set by finalize. */
mp_status mp_graph_set_io(mp_graph *g, const mp_tensor_id *inputs, uint32_t n_inputs,
                          const mp_tensor_id *outputs, uint32_t n_outputs, mp_error *err);

/*
 * Record a repeat group (copied). Its ops must already be added; groups must
 * come in ascending order without overlap. Errors: MP_E_INVALID naming the
 * group, MP_E_NOMEM.
 */
mp_status mp_graph_add_repeat(mp_graph *g, const mp_repeat *r, mp_error *err);

/* Length of a layer name without the ".<rep>" suffix net.json gives the layers of
 * repetition rep (1-based) of a repeat group; SIZE_MAX when it has no such suffix. */
size_t mp_repeat_base_len(const char *name, uint32_t rep);

/*
 * Validate and complete the graph: every tensor produced once, every op input
 * produced, an input or constant; no cycle; shapes inferred (and checked where
 * the source gave them); sizes, MACs, params, receptive fields and hash.
 * Errors name the op as the source does ("layers[3] 'conv3': ...").
 */
mp_status mp_graph_finalize(mp_graph *g, mp_error *err);

/* ---- queries -------------------------------------------------------------------------- */

/* Id of the tensor called name, or MP_NO_TENSOR. */
mp_tensor_id mp_graph_find_tensor(const mp_graph *g, const char *name);
/* Index of the op called name, or -1. */
int32_t mp_graph_find_op(const mp_graph *g, const char *name);
/* The op's activation output (out[0]). */
static inline mp_tensor_id mp_op_output(const mp_op *op)
{
    return op->out[0];
}
/* True for a tensor counted in SRAM (not constant). */
static inline bool mp_tensor_is_activation(const mp_tensor *t)
{
    return !(t->flags & MP_TENSOR_CONST);
}
/* Ops reading tensor t (each op once, in index order); returns the count. After finalize. */
uint32_t mp_graph_consumers(const mp_graph *g, mp_tensor_id t, const uint32_t **ops);
/* Number of activation inputs of an op (constants and absent operands skipped). */
uint32_t mp_op_n_activation_inputs(const mp_graph *g, const mp_op *op);

size_t mp_dtype_size(mp_dtype dt);
const char *mp_dtype_name(mp_dtype dt);
/* Parse "int8", "float32", ...; false if unknown. */
bool mp_dtype_parse(const char *name, mp_dtype *out);
const char *mp_op_type_name(mp_op_type t);
bool mp_op_type_parse(const char *name, mp_op_type *out);
const char *mp_padding_name(mp_padding p);
const char *mp_activation_name(mp_activation a);
bool mp_activation_parse(const char *name, mp_activation *out);
/* Describe op i the way its source names it, into buf ("layers[3] 'conv3'"). */
const char *mp_graph_op_where(const mp_graph *g, uint32_t i, char *buf, size_t buf_size);
/* "112x112x32" (HxWxC; rank-1/2 tensors print as C). */
const char *mp_shape_format(const mp_tensor *t, char *buf, size_t buf_size);

/*
 * The network's total receptive field: the largest field (size_h and size_w
 * taken separately, and the largest jumps) of any activation tensor whose
 * field is not global. Global ops (fully connected, mean, reshape, unknown)
 * make everything after them global, so for a chain this is the field of the
 * input of the first global op, the classifier's view of the image; for a
 * fully convolutional network it is the largest field of an output. Sizes are
 * theoretical (not capped at the image). After finalize; global is false.
 */
mp_rf mp_graph_total_rf(const mp_graph *g);

/*
 * True for a network input at the float/uint8 boundary: a float32 or uint8 input read only
 * by QUANTIZE ops. Such a buffer is the caller's (camera frame, float image): by default
 * the planners leave it outside the arena (mp_plan_opts.count_float_input counts it), as
 * TinyEngine and TFLite Micro deployments keep it. After finalize.
 */
bool mp_graph_is_boundary_input(const mp_graph *g, mp_tensor_id t);

/* True when the op works on pixels locally (may be part of a patch stage). */
bool mp_op_is_spatial(mp_op_type t);

#ifdef __cplusplus
}
#endif

#endif
