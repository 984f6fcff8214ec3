/* SPDX-License-Identifier: MIT */
/*
 * tflm_kernels.c - what TFLite Micro allocates for each operator (module plan).
 *
 * Per builtin operator type, from TFLM's sources (tensorflow/tflite-micro
 * 90b983c2: flatbuffer_conversions.cc parsers, kernels/<op>.cc and
 * kernels/cmsis_nn/<op>.cc Init and Prepare), re-stated as data:
 *
 *   builtin   the parser's params struct (BuiltinDataAllocator, its alignof);
 *   init      Init's OpData (AllocatePersistentBuffer, 16-byte aligned);
 *   prepare   Prepare's persistent arrays (per-channel multipliers and shifts
 *             of CONV_2D / DEPTHWISE_CONV_2D / per-channel FULLY_CONNECTED);
 *   scratch   Prepare's RequestScratchBufferInArena sizes (planned in the head
 *             with the op's lifetime).
 *
 * Struct sizes are given as member lists (tflm_struct) so one table serves a
 * 64-bit host and a 32-bit Cortex-M. CMSIS-NN scratch sizes are those of
 * CMSIS-NN's *_get_buffer_size functions for a core with the DSP extension,
 * one definition shared with the planners (mp_scratch.h, scratch.c).
 */
#include "tflm_int.h"

#include "../util/checked.h"

#include <string.h>

/* ---- struct layouts ------------------------------------------------------------------- */

size_t tflm_struct(const tflm_abi *abi, const char *m, size_t *align)
{
    size_t off = 0, max_align = 1;
    unsigned rep = 0;
    for (; *m; m++) {
        if (*m >= '0' && *m <= '9') {
            rep = rep * 10 + (unsigned)(*m - '0');
            continue;
        }
        size_t sz;
        switch (*m) {
        case 'c': sz = 1; break;
        case 'h': sz = 2; break;
        case 'i': sz = 4; break;
        case 'q': sz = 8; break;
        case 'p':
        case 'z': sz = abi->ptr; break;
        default: continue; /* spaces separate groups */
        }
        unsigned n = rep ? rep : 1;
        rep = 0;
        off = (off + sz - 1) / sz * sz;
        off += sz * n;
        if (sz > max_align)
            max_align = sz;
    }
    if (align)
        *align = max_align;
    return (off + max_align - 1) / max_align * max_align;
}

/* OpData structs of the reference kernels (kernels/<op>.h). */
#define OPDATA_CONV "4i 3i i i p p i i i"       /* OpDataConv */
#define OPDATA_FC "i i i i i i i i i p p c"     /* OpDataFullyConnected */
#define OPDATA_POOL "4i 2i 2i"                  /* OpDataPooling */
#define OPDATA_SOFTMAX "q 5i 5p"                /* SoftmaxParams */
#define OPDATA_ADD "c 14i"                      /* OpDataAdd */
#define OPDATA_SUB "c 12i"                      /* OpDataSub (no float fields) */
#define OPDATA_MUL "9i"                         /* OpDataMul */
#define OPDATA_QUANT "i q 3i"                   /* QuantizationParams + requantize fields */
#define OPDATA_PAD "c 5i c 5i i i"              /* PadParams + output_zero_point */
#define OPDATA_LOGISTIC "4i"                    /* OpDataLogistic */
#define OPDATA_REDUCE "11i"                     /* OpDataReduce (44 bytes on the host, measured) */
#define OPDATA_CONCAT "c p p h i i"             /* ConcatenationParams */
#define OPDATA_HARD_SWISH "4h 2i"               /* HardSwishParams */
/* Sizes measured with tflm_runner (requested bytes); no pointers, so the same on Cortex-M: */
#define OPDATA_STRIDED_SLICE "c 5i c 5i c 5i 6h"   /* StridedSliceParams, 84 B */
#define OPDATA_PRELU "7i"                          /* PreluParams, 28 B */
#define OPDATA_RELU "7i"                           /* ReluOpData, 28 B */
#define OPDATA_RELU6 "2i"                          /* Relu6OpData, 8 B */
#define OPDATA_TANH "4i"                           /* OpData of tanh, 16 B */
#define OPDATA_LEAKY_RELU "6i"                     /* LeakyReluOpData, 24 B */

/* Builtin params structs (tensorflow/lite/core/c/builtin_op_data.h). */
#define PARAMS_CONV "7i"        /* TfLiteConvParams (with quantized_bias_type) */
#define PARAMS_DEPTHWISE "7i"   /* TfLiteDepthwiseConvParams */
#define PARAMS_POOL "6i 4i"     /* TfLitePoolParams (with computed padding) */
#define PARAMS_FC "i i c c i"   /* TfLiteFullyConnectedParams */
#define PARAMS_RESHAPE "9i"     /* TfLiteReshapeParams: shape[8], num_dimensions */
#define PARAMS_ADD "i c"        /* TfLiteAddParams */
#define PARAMS_RESIZE "c c"     /* TfLiteResize{Bilinear,NearestNeighbor}Params */

/* ---- helpers ------------------------------------------------------------------------- */

typedef struct op_ctx {
    const tflm_net *net;
    const tflm_op *op;
    const tflm_abi *abi;
    mp_tflm_kernels kernels;
    tflm_op_allocs *out;
} op_ctx;

static void builtin(op_ctx *c, const char *members)
{
    c->out->builtin.bytes = tflm_struct(c->abi, members, &c->out->builtin.align);
}

static void init(op_ctx *c, const char *members)
{
    c->out->init[c->out->n_init++] = tflm_struct(c->abi, members, NULL);
}

static void prepare(op_ctx *c, size_t bytes)
{
    c->out->prepare[c->out->n_prepare++] = bytes;
}

static void scratch(op_ctx *c, size_t bytes)
{
    if (bytes > 0)
        c->out->scratch[c->out->n_scratch++] = bytes;
}

static const tflm_tensor *in_t(const op_ctx *c, uint32_t k)
{
    if (k >= c->op->n_in || c->op->in[k] < 0)
        return NULL;
    return &c->net->tensors[c->op->in[k]];
}

static const tflm_tensor *out_t(const op_ctx *c, uint32_t k)
{
    return k < c->op->n_out && c->op->out[k] >= 0 ? &c->net->tensors[c->op->out[k]] : NULL;
}

static int32_t dim(const tflm_tensor *t, int k)
{
    if (!t || k < 0 || k >= t->rank)
        return 1;
    return t->dims[k];
}

/* An option of the op's builtin options table (default when absent or unreadable: TFLM's
 * parser falls back to the schema default too). A private error keeps the caller's clean. */
static int32_t opt_i32(const op_ctx *c, unsigned id, int32_t def)
{
    int32_t v = def;
    mp_error scratch_err;
    mp_error_init(&scratch_err);
    fb_ctx fb = c->net->fb;
    fb.err = &scratch_err;
    if (c->op->has_options && fb_i32(&fb, &c->op->options, id, def, "option", &v) != MP_OK)
        return def;
    return v;
}

static int32_t opt_u8(const op_ctx *c, unsigned id, uint8_t def)
{
    uint8_t v = def;
    mp_error scratch_err;
    mp_error_init(&scratch_err);
    fb_ctx fb = c->net->fb;
    fb.err = &scratch_err;
    if (c->op->has_options && fb_u8(&fb, &c->op->options, id, def, "option", &v) != MP_OK)
        return def;
    return v;
}

/* TFLite's SAME/VALID padding before the first element (TFLM ComputePaddingHeightWidth). */
static int32_t pad_before(int32_t in, int32_t k, int32_t stride, int32_t dil, int32_t out,
                          bool same)
{
    if (!same)
        return 0;
    int64_t eff = (int64_t)(k - 1) * dil + 1;
    int64_t total = ((int64_t)out - 1) * stride + eff - in;
    return total > 0 ? (int32_t)(total / 2) : 0;
}

/* ---- convolutions --------------------------------------------------------------------- */

/* The facts CMSIS-NN's conv and depthwise buffer sizes read (mp_scratch.h); the
 * dilation_w_factor option is dil_id, dilation_h_factor the next one. */
static mp_cmsis_conv cmsis_facts(const op_ctx *c, int32_t filter_c, unsigned dil_id)
{
    const tflm_tensor *in = in_t(c, 0), *f = in_t(c, 1), *o = out_t(c, 0);
    bool same = opt_u8(c, 0, 0) == 0;
    int32_t sw = opt_i32(c, 1, 1), sh = opt_i32(c, 2, 1);
    int32_t dw = opt_i32(c, dil_id, 1), dh = opt_i32(c, dil_id + 1, 1);
    mp_cmsis_conv cc = {.in_c = dim(in, 3), .filter_c = filter_c, .out_c = dim(o, 3),
                        .kernel_h = dim(f, 1), .kernel_w = dim(f, 2),
                        .dilation_h = dh, .dilation_w = dw};
    cc.pad_h = pad_before(dim(in, 1), cc.kernel_h, sh, dh, dim(o, 1), same);
    cc.pad_w = pad_before(dim(in, 2), cc.kernel_w, sw, dw, dim(o, 2), same);
    return cc;
}

static void conv2d(op_ctx *c)
{
    const tflm_tensor *in = in_t(c, 0), *f = in_t(c, 1);
    int32_t ch = dim(f, 0);
    builtin(c, PARAMS_CONV);
    init(c, c->kernels == MP_TFLM_KERNELS_CMSIS_NN ? OPDATA_CONV " i" : OPDATA_CONV);
    prepare(c, (size_t)ch * 4);
    prepare(c, (size_t)ch * 4);
    if (c->kernels != MP_TFLM_KERNELS_CMSIS_NN || !in || in->type != 9)
        return;
    mp_cmsis_conv cc = cmsis_facts(c, dim(f, 3), 4);
    scratch(c, mp_cmsis_conv_s8_buffer_size(&cc));
}

static void depthwise(op_ctx *c)
{
    const tflm_tensor *in = in_t(c, 0), *f = in_t(c, 1);
    int32_t ch = dim(f, 3);
    builtin(c, PARAMS_DEPTHWISE);
    init(c, c->kernels == MP_TFLM_KERNELS_CMSIS_NN ? OPDATA_CONV " i" : OPDATA_CONV);
    prepare(c, (size_t)ch * 4);
    prepare(c, (size_t)ch * 4);
    if (c->kernels != MP_TFLM_KERNELS_CMSIS_NN || !in || in->type != 9)
        return;
    mp_cmsis_conv cc = cmsis_facts(c, dim(in, 3), 5);
    scratch(c, mp_cmsis_dw_s8_buffer_size(&cc));
}

static void fully_connected(op_ctx *c)
{
    const tflm_tensor *f = in_t(c, 1);
    builtin(c, PARAMS_FC);
    init(c, c->kernels == MP_TFLM_KERNELS_CMSIS_NN ? OPDATA_FC " i" : OPDATA_FC);
    if (f && f->n_scale > 1) {
        prepare(c, (size_t)dim(f, 0) * 4);
        prepare(c, (size_t)dim(f, 0) * 4);
    }
}

static void pool(op_ctx *c, bool average)
{
    const tflm_tensor *in = in_t(c, 0);
    builtin(c, PARAMS_POOL);
    init(c, c->kernels == MP_TFLM_KERNELS_CMSIS_NN ? OPDATA_POOL " i" : OPDATA_POOL);
    if (c->kernels == MP_TFLM_KERNELS_CMSIS_NN && average && in && in->type == 9)
        scratch(c, mp_cmsis_avgpool_s8_buffer_size(dim(in, in->rank - 1)));
}

static void softmax(op_ctx *c)
{
    const tflm_tensor *in = in_t(c, 0);
    builtin(c, "i");
    init(c, c->kernels == MP_TFLM_KERNELS_CMSIS_NN ? OPDATA_SOFTMAX " 2i" : OPDATA_SOFTMAX);
    if (in && in->type == 7) { /* int16: exp and 1/(1+x) lookup tables of 513 int16 */
        prepare(c, 513 * 2);
        prepare(c, 513 * 2);
    }
}

/* MEAN / SUM (reduce_common.cc): PrepareSimple requests an int per input dimension and
 * one per reduced axis; PrepareMeanOrSum adds an int32 per output element for int8,
 * uint8 and int16 inputs (three requests measured with tflm_runner). */
static void reduce(op_ctx *c)
{
    const tflm_tensor *in = in_t(c, 0), *ax = in_t(c, 1), *o = out_t(c, 0);
    builtin(c, "c");
    init(c, OPDATA_REDUCE);
    if (!in || !o)
        return;
    /* Prepare fetches its tensors repeatedly (GetInput / GetOutput in PrepareMeanOrSum
     * and again in PrepareSimple): counted as three fetches of each, which covers
     * the temporary room tflm_runner needs for a lone MEAN (an upper bound by at
     * most one axis tensor) */
    for (int k = 0; k < 3 && c->op->n_in >= 2; k++) {
        c->out->fetch[c->out->n_fetch++] = c->op->in[0];
        c->out->fetch[c->out->n_fetch++] = c->op->out[0];
        c->out->fetch[c->out->n_fetch++] = c->op->in[1];
    }
    scratch(c, (size_t)in->rank * 4);
    scratch(c, ax ? ax->bytes : 0);
    if (in->type == 9 || in->type == 3 || in->type == 7) {
        size_t elem = o->type == 7 ? 2 : o->type == 0 || o->type == 2 ? 4 : 1;
        scratch(c, o->bytes / elem * 4);
    }
}

static void concatenation(op_ctx *c)
{
    builtin(c, "2i");
    init(c, OPDATA_CONCAT);
}

/* Prepare's temporary tensors counted as two fetches of every input and output: an upper
 * bound for kernels that fetch some of them again (STRIDED_SLICE alone needs 1,328 B in
 * tflm_runner where one fetch each gives 1,168 B). */
static void fetch_twice(op_ctx *c)
{
    for (int k = 0; k < 2; k++)
        for (uint32_t j = 0; j < c->op->n_in + c->op->n_out && c->out->n_fetch < TFLM_MAX_FETCH;
             j++) {
            int32_t t = j < c->op->n_in ? c->op->in[j] : c->op->out[j - c->op->n_in];
            if (t >= 0)
                c->out->fetch[c->out->n_fetch++] = t;
        }
}

/* ---- dispatch ------------------------------------------------------------------------- */

static bool other_op(op_ctx *c)
{
    switch (c->op->code) {
    case TFLM_RESHAPE: builtin(c, PARAMS_RESHAPE); return true;
    case TFLM_SQUEEZE: builtin(c, "9i"); return true;
    case TFLM_ADD:
    case TFLM_SUB:
        builtin(c, PARAMS_ADD); /* TfLiteSubParams has the same members */
        init(c, c->op->code == TFLM_ADD ? OPDATA_ADD : OPDATA_SUB);
        return true;
    case TFLM_MUL:
        builtin(c, "i");
        init(c, OPDATA_MUL);
        return true;
    case TFLM_QUANTIZE:
    case TFLM_DEQUANTIZE: init(c, OPDATA_QUANT); return true;
    case TFLM_PAD:
    case TFLM_PADV2: init(c, OPDATA_PAD); return true;
    case TFLM_RESIZE_NEAREST_NEIGHBOR:
    case TFLM_RESIZE_BILINEAR: builtin(c, PARAMS_RESIZE); return true;
    case TFLM_LOGISTIC: init(c, OPDATA_LOGISTIC); return true;
    case TFLM_HARD_SWISH: init(c, OPDATA_HARD_SWISH); return true;
    case TFLM_MEAN:
    case TFLM_SUM: reduce(c); return true;
    case TFLM_TRANSPOSE:
    case TFLM_MAXIMUM:
    case TFLM_MINIMUM: return true; /* neither options nor OpData */
    case TFLM_STRIDED_SLICE:
        builtin(c, "5i c"); /* TfLiteStridedSliceParams */
        init(c, OPDATA_STRIDED_SLICE);
        fetch_twice(c); /* its Prepare needs more temporary room than one fetch each */
        return true;
    case TFLM_PRELU: init(c, OPDATA_PRELU); return true;
    case TFLM_RELU: init(c, OPDATA_RELU); return true;
    case TFLM_RELU6: init(c, OPDATA_RELU6); return true;
    case TFLM_TANH: init(c, OPDATA_TANH); return true;
    case TFLM_LEAKY_RELU:
        builtin(c, "i"); /* TfLiteLeakyReluParams: alpha */
        init(c, OPDATA_LEAKY_RELU);
        return true;
    case TFLM_CONCATENATION: concatenation(c); return true;
    default: return false;
    }
}

mp_status tflm_op_allocations(const tflm_net *net, uint32_t i, mp_tflm_kernels kernels,
                              const tflm_abi *abi, tflm_op_allocs *out, mp_error *err)
{
    memset(out, 0, sizeof *out);
    op_ctx c = {net, &net->ops[i], abi, kernels, out};
    switch (c.op->code) {
    case TFLM_CONV_2D: conv2d(&c); break;
    case TFLM_DEPTHWISE_CONV_2D: depthwise(&c); break;
    case TFLM_FULLY_CONNECTED: fully_connected(&c); break;
    case TFLM_AVERAGE_POOL_2D: pool(&c, true); break;
    case TFLM_MAX_POOL_2D: pool(&c, false); break;
    case TFLM_SOFTMAX: softmax(&c); break;
    default:
        if (!other_op(&c))
            return mp_errorf(err, MP_E_UNSUPPORTED,
                             "%s: operator %u: builtin operator %d has no TFLM allocation model",
                             net->fb.label, i, c.op->code);
    }
    return MP_OK;
}

const char *mp_tflm_kernels_name(mp_tflm_kernels k)
{
    return k == MP_TFLM_KERNELS_CMSIS_NN ? "cmsis-nn" : "reference";
}

bool mp_tflm_kernels_parse(const char *name, mp_tflm_kernels *out)
{
    if (strcmp(name, "reference") == 0)
        *out = MP_TFLM_KERNELS_REFERENCE;
    else if (strcmp(name, "cmsis-nn") == 0)
        *out = MP_TFLM_KERNELS_CMSIS_NN;
    else
        return false;
    return true;
}
