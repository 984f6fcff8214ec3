/* SPDX-License-Identifier: MIT */
/*
 * mp_exec.h - the reference int8 executor (module exec).
 *
 * memplan proves a schedule correct by running it: the per-layer reference and
 * the patch schedule must give the same bytes. The arithmetic is TFLite's int8
 * reference semantics (what TFLite Micro and CMSIS-NN run on the MCU): int32
 * accumulation of (x - x_zero_point) * w + bias, per-channel requantization by
 * a Q31 multiplier and shift with TFLite's double rounding, + output zero
 * point, clamp to the fused activation's range.
 *
 * Three layers, lowest first:
 *
 *   1. Regions. Every kernel computes an output RECTANGLE (mp_rect) of one op
 *      from input VIEWS (mp_view): buffers holding a rectangle of rows and
 *      columns (all channels) of an NHWC tensor. The same code runs a whole
 *      tensor (the view is the tensor) and a patch (the view holds the patch's
 *      input region). A tap outside the TENSOR is padding (it contributes the
 *      input zero point, i.e. nothing after the offset, as TFLite); a tap
 *      inside the tensor must be inside the view, or the op fails with
 *      MP_E_INVALID before reading anything.
 *
 *          tensor (H x W)        view: rows [y0, y0+h), cols [x0, x0+w)
 *          +--------------+      data -> element (y0, x0, 0)
 *          |   +------+   |      element (y, x, c) is at
 *          |   | view |   |        data[(y - y0) * row_stride + (x - x0) * c + c_index]
 *          |   +------+   |
 *          +--------------+
 *
 *   2. The model (mp_exec_model): everything the kernels need per op, prepared
 *      once from a finalized graph (offsets, per-channel multipliers/shifts,
 *      activation ranges, repacked weights). Real weights and quantization come
 *      from the graph (.tflite); JSON networks without them get seeded
 *      pseudo-random weights and calibrated quantization (see mp_exec_opts).
 *
 *   3. Runners. mp_exec_run_reference() gives every tensor its own allocation
 *      and runs the graph's order. (The schedule runner places buffers in one
 *      arena and calls mp_exec_op() per patch region.)
 *
 * Typical use:
 *
 *     mp_exec_model *m;
 *     mp_exec_run run;
 *     if (mp_exec_model_new(g, NULL, &m, &err) == MP_OK &&
 *         mp_exec_run_reference(m, inputs, false, &run, &err) == MP_OK) {
 *         const int8_t *scores = mp_exec_run_output(&run, m, 0);
 *         ...
 *         mp_exec_run_release(&run);
 *     }
 *     mp_exec_model_free(m);
 *
 * A model borrows its graph: valid until mp_graph_free. A model is read-only
 * after mp_exec_model_new, so several threads may run ops of one model at once.
 */
#ifndef MEMPLAN_MP_EXEC_H
#define MEMPLAN_MP_EXEC_H

#include "memplan/mp_error.h"
#include "memplan/mp_graph.h"
#include "memplan/mp_schedule.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- regions ------------------------------------------------------------------------ */

/* Rows [y0, y1) and columns [x0, x1) of a tensor, in tensor coordinates. Empty when
 * y0 >= y1 or x0 >= x1. */
typedef struct mp_rect {
    int32_t y0, y1;
    int32_t x0, x1;
} mp_rect;

/*
 * A buffer holding rows [y0, y0 + h) and columns [x0, x0 + w) of an NHWC tensor
 * (batch 1), all channels of each pixel contiguous. data points at element
 * (y0, x0, 0); row_stride (in bytes, >= w * c) separates (y, x, 0) from
 * (y + 1, x, 0). c is the bytes of one pixel: the tensor's C for int8/uint8
 * tensors, 4 * C for float32 ones (mp_view_pixel_bytes). Rank-1/2 tensors are
 * 1 x 1 x C.
 */
typedef struct mp_view {
    int8_t *data;
    int32_t y0, x0;     /* tensor coordinates of the first row and column held */
    int32_t h, w;       /* rows and columns held */
    int32_t c;          /* bytes per pixel: the tensor's C times its element size */
    int32_t row_stride; /* bytes from one row to the next */
} mp_view;

/* Bytes of one pixel (all channels) of tensor t: C * element size. */
int32_t mp_view_pixel_bytes(const mp_tensor *t);

/* The whole of tensor t. */
mp_rect mp_rect_of_tensor(const mp_tensor *t);
/* Rows and columns that lie in both a and b; an empty result is {0, 0, 0, 0}. */
mp_rect mp_rect_intersect(mp_rect a, mp_rect b);
static inline bool mp_rect_empty(mp_rect r)
{
    return r.y0 >= r.y1 || r.x0 >= r.x1;
}
/* A dense view of rect r of tensor t stored at data (row_stride = width * C). */
mp_view mp_view_of_rect(const mp_tensor *t, mp_rect r, int8_t *data);
/* A dense view of the whole tensor t stored at data. */
mp_view mp_view_of_tensor(const mp_tensor *t, int8_t *data);
/* Bytes a dense view of rect r of tensor t needs (0 for an empty rect; false on overflow). */
bool mp_rect_bytes(const mp_tensor *t, mp_rect r, size_t *bytes);

/* ---- the model ---------------------------------------------------------------------- */

typedef struct mp_exec_opts {
    /* Seed of the pseudo-random weights, biases and calibration input used for
     * whatever a JSON network leaves out (same seed, same bytes on every IEEE host). */
    uint64_t seed;
} mp_exec_opts;

/* Defaults: seed 1. */
void mp_exec_opts_init(mp_exec_opts *opts);

typedef struct mp_exec_model mp_exec_model;

/*
 * Prepare graph g for execution. Per op: input/filter/output offsets, per-channel
 * Q31 multipliers and shifts (derived exactly as TFLite does from double
 * scales: in_scale * w_scale[c] / out_scale, or the op's explicit requant),
 * activation ranges in the quantized domain, repacked weights, biases.
 *
 * What the graph leaves out is synthesized deterministically from opts->seed:
 * weights (int8, per-channel scales), biases, the input's quantization
 * (scale 1/255, zero point -128) and every activation's quantization, chosen by
 * a calibration pass that runs the network on a seeded input and picks each
 * output's scale and zero point from the real-valued range of its
 * accumulators (so outputs use the int8 range without saturating).
 *
 * Activations are int8; float32 and uint8 tensors may be read or written by
 * QUANTIZE and DEQUANTIZE (the float/uint8 boundary of real exports) and passed
 * through RESHAPE. Every op of docs/algorithms.md's set runs with TFLite
 * Micro's reference arithmetic (multipliers derived as each TFLM kernel's
 * Prepare does, in float32 where TFLM uses float32).
 *
 * opts may be NULL (defaults). Errors: MP_E_UNSUPPORTED for ops or dtypes the
 * executor does not run (other activation types, unknown ops, requantization
 * multipliers of 2^30 or more, which TFLite cannot compute), MP_E_INVALID for
 * inconsistent quantization, MP_E_NOMEM, MP_E_OVERFLOW. Free with
 * mp_exec_model_free.
 */
mp_status mp_exec_model_new(const mp_graph *g, const mp_exec_opts *opts, mp_exec_model **out,
                            mp_error *err);
/* Free a model; NULL is a no-op. */
void mp_exec_model_free(mp_exec_model *m);
/* The graph a model was prepared from. */
const mp_graph *mp_exec_model_graph(const mp_exec_model *m);
/* True when some weights or quantization were synthesized from the seed. */
bool mp_exec_model_synthesized(const mp_exec_model *m);

/* The quantization the executor uses for activation tensor t (given or synthesized);
 * false for a constant tensor or an id out of range. */
bool mp_exec_tensor_quant(const mp_exec_model *m, mp_tensor_id t, float *scale,
                          int32_t *zero_point);

/* ---- running one op on a region ---------------------------------------------------- */

/*
 * The rectangle of activation input k (0-based, in op input order, constants
 * not counted) that op needs to compute out_rect, clipped to the input tensor
 * (the part outside the tensor is padding). For a conv/pool with kernel k,
 * stride s, dilation d and top pad p, output rows [a, b) need input rows
 * [a*s - p, (b-1)*s - p + (k-1)*d + 1). Global ops (fully connected, mean,
 * reshape) need the whole input. May be empty, then {0, 0, 0, 0} (e.g. a concat
 * input that contributes nothing to out_rect, or a pad output that is all padding);
 * the view of such an input is not read and not checked.
 */
mp_status mp_exec_input_rect(const mp_exec_model *m, uint32_t op, uint32_t k, mp_rect out_rect,
                             mp_rect *in_rect, mp_error *err);

/* True when op computes any sub-rectangle of its output: the ops the planner's region
 * rule bounds (mp_op_region_bounded: windows, elementwise and broadcast ops, pad,
 * resizes, concat, depth/space rearrangements, slices keeping H and W); false for the
 * global ops (fully connected, reductions, reshape, transposes across space, split),
 * which compute their whole output from whole inputs. */
bool mp_exec_op_regional(const mp_exec_model *m, uint32_t op);

/*
 * Compute exactly the elements of out_rect of op's output and write them into
 * out (which must hold out_rect). in[k] is a view of activation input k (in op
 * input order, constants not counted; n_in must equal that count); each must
 * hold mp_exec_input_rect(k). Global ops (fully connected, mean, reshape) need
 * whole-tensor, dense views and out_rect = the whole output. Softmax, add, mul,
 * concat, pad, quantize and resize run on any region.
 *
 * Elementwise ops (add, mul, quantize, dequantize, softmax) may write over an
 * input: out may alias in[k] when both have the same geometry (y0, x0, h, w,
 * row_stride). Reshape may run in place (out->data == in[0].data). Other ops must
 * not alias (see mp_exec_dw_inplace for depthwise).
 *
 * Errors (nothing written): MP_E_INVALID for a view that does not hold what the
 * op needs or a rectangle outside the tensor; MP_E_UNSUPPORTED when a global op
 * is asked for part of its output.
 */
mp_status mp_exec_op(const mp_exec_model *m, uint32_t op, const mp_view *in, uint32_t n_in,
                     const mp_view *out, mp_rect out_rect, mp_error *err);

/*
 * In-place depthwise (MCUNet/TinyEngine): a depthwise op with multiplier 1
 * whose output overwrites its input channel by channel. For each channel c the
 * output plane of c over out_rect is computed into temp, then stored at the
 * output positions of channel c; the other channels' inputs are untouched, so
 * this is correct for any stride, padding and region.
 *
 * in and out are views into ONE buffer: same c, row strides multiples of c, and
 * data pointers that differ by a multiple of c (so channel c of the output
 * lands only on bytes of channel c of the input). in must hold
 * mp_exec_input_rect(0), out must hold out_rect. temp holds at least
 * mp_exec_dw_inplace_temp_bytes(out_rect) bytes (one output channel plane).
 * Errors: MP_E_UNSUPPORTED when op is not a multiplier-1 depthwise,
 * MP_E_INVALID for views or temp that break the rules above.
 */
bool mp_exec_dw_inplace_ok(const mp_exec_model *m, uint32_t op);
size_t mp_exec_dw_inplace_temp_bytes(mp_rect out_rect);
mp_status mp_exec_dw_inplace(const mp_exec_model *m, uint32_t op, const mp_view *in,
                             const mp_view *out, mp_rect out_rect, int8_t *temp,
                             size_t temp_bytes, mp_error *err);

/* ---- global reductions tile by tile ---------------------------------------------------- */

/*
 * A global reduction (mp_patch_op_reduces: mean over H and W, or an average or
 * max pool whose window covers the whole input) computed from tiles of its
 * input: begin clears the accumulators, tile adds the elements of rect (held
 * by in) and end writes the int8 output. The accumulators are
 * mp_exec_reduce_acc_bytes(op) bytes of int32 (sums, or maxima), at any byte
 * alignment (an arena offset). Sums of integers are exact, so the result is the
 * same as the whole-tensor op bit for bit, whatever the tiling, as long as every
 * input element is added exactly once.
 */
size_t mp_exec_reduce_acc_bytes(const mp_exec_model *m, uint32_t op);
mp_status mp_exec_reduce_begin(const mp_exec_model *m, uint32_t op, void *acc, mp_error *err);
mp_status mp_exec_reduce_tile(const mp_exec_model *m, uint32_t op, const mp_view *in, mp_rect rect,
                              void *acc, mp_error *err);
mp_status mp_exec_reduce_end(const mp_exec_model *m, uint32_t op, const void *acc, int8_t *out,
                             mp_error *err);

/* ---- the reference runner ---------------------------------------------------------- */

/* Tensor contents after a run, indexed by tensor id. */
typedef struct mp_exec_run {
    uint32_t n_tensors;
    int8_t **tensor; /* dense NHWC bytes (size_bytes), or NULL: a constant, or freed early */
} mp_exec_run;

/*
 * Run the whole network per layer: every activation tensor gets its own
 * allocation and the ops run in g->order over whole tensors. inputs[i] holds
 * the bytes of network input i (g->inputs[i], dense NHWC, size_bytes). With
 * keep_all, every activation tensor stays in out (for debugging and
 * mp_exec_run_saturation); otherwise tensors are freed after their last use
 * and only the network outputs (and inputs) remain. Release with
 * mp_exec_run_release (also after a failure).
 */
mp_status mp_exec_run_reference(const mp_exec_model *m, const int8_t *const *inputs, bool keep_all,
                                mp_exec_run *out, mp_error *err);
void mp_exec_run_release(mp_exec_run *run);
/* Contents of network output k (g->outputs[k]) after a run, or NULL. */
const int8_t *mp_exec_run_output(const mp_exec_run *run, const mp_exec_model *m, uint32_t k);

/*
 * Saturation: an output value sits at an int8 limit (-128 or 127) that its
 * op's fused activation does not explain (e.g. ReLU clamping at the zero point
 * is not saturation; 127 is, unless ReLU6's bound maps to 127 or below). Counted
 * over the outputs of every requantizing op (conv, depthwise, fully connected,
 * add, mul) present in run (use keep_all). A realistic model keeps this low.
 */
typedef struct mp_exec_saturation {
    uint64_t saturated; /* values pinned at an unexplained int8 limit */
    uint64_t total;     /* values counted */
} mp_exec_saturation;
mp_status mp_exec_run_saturation(const mp_exec_model *m, const mp_exec_run *run,
                                 mp_exec_saturation *out, mp_error *err);

/* A seeded pseudo-random input for network input k (uniform int8 bytes). */
mp_status mp_exec_random_input(const mp_exec_model *m, uint32_t k, uint64_t seed, int8_t *dst,
                               size_t dst_bytes, mp_error *err);

/* ---- the schedule runner ------------------------------------------------------------ */

/*
 * Run a schedule inside ONE arena of exactly s->arena_bytes, filled with a
 * poison pattern first: every buffer lives at its planned offset (in-place
 * groups share one), per-layer segments run op by op on whole tensors, tiled
 * segments run patch by patch in raster order on their planned regions, with
 * halo caches (row and column sliding windows) and tile-by-tile reductions
 * where the schedule has them; a streamed input is read region by region from
 * inputs. If the plan were wrong, buffers would overwrite each other and the
 * outputs would differ from the reference. Offsets must lie inside the arena
 * (MP_E_INVALID otherwise, nothing run); overlapping offsets are run as given.
 * inputs[i]: network input i; outputs[k]: caller buffers for network output k
 * (size_bytes each).
 *
 * With reference (a reference run of the same inputs with keep_all), every
 * tensor is compared as soon as the schedule has produced it whole (each
 * per-layer step's output, each tiled segment's outputs); the first
 * difference goes to *first (which names the tensor) and the run goes on.
 */
typedef struct mp_exec_schedule_stats {
    size_t arena_bytes;   /* bytes allocated for the arena */
    uint64_t op_runs;     /* op invocations (patches x ops for tiled segments) */
    uint32_t patches;     /* patches run over all tiled segments */
} mp_exec_schedule_stats;

typedef struct mp_exec_mismatch mp_exec_mismatch;
mp_status mp_exec_run_schedule(const mp_exec_model *m, const mp_schedule *s,
                               const int8_t *const *inputs, int8_t *const *outputs,
                               const mp_exec_run *reference, mp_exec_schedule_stats *stats,
                               mp_exec_mismatch *first, mp_error *err);

/* The first difference between two runs (network outputs, or any tensor). */
struct mp_exec_mismatch {
    bool found;
    uint32_t output;      /* network output index (output comparisons) */
    mp_tensor_id tensor;
    size_t index;         /* element index in NHWC order */
    int32_t y, x, c;      /* its coordinates */
    int8_t expected, actual;
    uint64_t n_different; /* elements that differ in all outputs */
    uint64_t tensors_checked; /* tensors compared during a checked run */
};

/* Compare actual[k] with expected[k] for every network output; fills mm. */
void mp_exec_compare_outputs(const mp_exec_model *m, const int8_t *const *expected,
                             const int8_t *const *actual, mp_exec_mismatch *mm);

/* ---- input files -------------------------------------------------------------------- */

/* How image pixels (0..255) become int8 input values. */
typedef enum mp_pixel_map {
    MP_PIXELS_RAW,      /* each byte reinterpreted as int8 (TFLite Micro's person-detection test) */
    MP_PIXELS_MINUS128, /* pixel - 128 */
    MP_PIXELS_QUANT,    /* pixel / 255 quantized with the input's scale and zero point */
    MP_PIXELS_COUNT
} mp_pixel_map;

/* "raw", "minus128", "quant"; false when unknown. */
bool mp_pixel_map_parse(const char *name, mp_pixel_map *out);
const char *mp_pixel_map_name(mp_pixel_map map);

/* A decoded 8-bit image, rows top-down, channels interleaved (1 gray or 3 RGB). */
typedef struct mp_image {
    int32_t w, h, c;
    uint8_t *pixels; /* h * w * c bytes */
} mp_image;

/*
 * Read a binary PGM (P5, maxval 255), PPM (P6, maxval 255) or BMP (8-bit
 * palette: gray when the palette is gray, else RGB; 24-bit: RGB; bottom-up
 * rows are flipped to top-down). Release with mp_image_release.
 */
mp_status mp_image_read(const char *path, mp_image *img, mp_error *err);
mp_status mp_image_decode(const uint8_t *data, size_t size, const char *label, mp_image *img,
                          mp_error *err);
void mp_image_release(mp_image *img);

/*
 * Fill network input k (dst: its size_bytes) from a file: an image (PGM/PPM/BMP,
 * recognised by its magic bytes; its H x W x C must match the input tensor)
 * mapped with map, or else raw int8 bytes in NHWC order whose size must match.
 */
mp_status mp_exec_load_input(const mp_exec_model *m, uint32_t k, const char *path,
                             mp_pixel_map map, int8_t *dst, size_t dst_bytes, mp_error *err);

#ifdef __cplusplus
}
#endif

#endif
