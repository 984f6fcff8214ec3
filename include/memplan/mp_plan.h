/* SPDX-License-Identifier: MIT */
/*
 * mp_plan.h - memory planning (module plan): liveness and the per-layer peak.
 *
 * Accounting (docs/algorithms.md): activation bytes = H*W*C*sizeof(dtype);
 * constants are flash and never counted. Per-layer execution, step i runs
 * op order[i]; live(i) = every activation tensor produced at or before step i
 * and read at or after step i (network inputs count from step 0, network
 * outputs stay to the last step), plus op i's scratch. Peak = max over steps.
 *
 * In-place depthwise (MCUNet/TinyEngine): a depthwise op with multiplier 1
 * whose input dies at that op writes its output over its input channel by
 * channel, using a temporary buffer of one output channel plane; at that step
 * the output is not counted separately: live = others + input + plane.
 *
 * In-place elementwise and reshape (opts->inplace_ops): an add or mul whose
 * input of the output's shape and dtype dies at that op writes its output
 * over that input; a reshape's output is a view of its input when the input
 * dies there. At that step the output is not counted separately.
 *
 * With alignment A > 1 every buffer's size is rounded up to a multiple of A
 * before it is summed (what an arena with A-aligned offsets needs).
 *
 * Kernel scratch (opts->kernels): op i's scratch buffer (mp_op_scratch_bytes)
 * is live during its step only and adds to that step's live bytes.
 *
 * All results borrow the graph: valid until mp_graph_free.
 */
#ifndef MEMPLAN_MP_PLAN_H
#define MEMPLAN_MP_PLAN_H

#include "memplan/mp_error.h"
#include "memplan/mp_graph.h"
#include "memplan/mp_scratch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mp_input_mode {
    MP_INPUT_SRAM,   /* the network input is held whole in SRAM (default) */
    MP_INPUT_STREAM, /* patch stage: only the current patch's input region is in SRAM */
} mp_input_mode;

typedef struct mp_plan_opts {
    bool inplace_dw;          /* in-place depthwise where allowed */
    bool inplace_ops;         /* add/mul over a dead input, reshape as a view */
    size_t align;             /* buffer alignment in bytes, >= 1 (TFLite Micro uses 16) */
    mp_input_mode input_mode; /* how the network input is held during a patch stage */
    bool count_float_input;   /* hold float/uint8 boundary inputs (mp_graph_is_boundary_input)
                                 in the arena; false (default): the caller's buffer, outside */
    mp_tflm_kernels kernels;  /* count each op's kernel scratch (mp_scratch.h) at its step:
                                 every peak the planners and searches compute is then tensors
                                 + scratch (docs/algorithms.md "Kernel scratch"); REFERENCE
                                 (default) asks for none. Schedules, their arenas and the
                                 operator-order search hold tensors only and ignore it */
} mp_plan_opts;

/* Defaults: no in-place, alignment 1, input in SRAM. */
void mp_plan_opts_init(mp_plan_opts *opts);

typedef enum mp_inplace_kind {
    MP_INPLACE_NONE,
    MP_INPLACE_DW,    /* depthwise channel by channel, one output plane of scratch */
    MP_INPLACE_EW,    /* add/mul writing over an input that dies here (same shape) */
    MP_INPLACE_VIEW,  /* reshape: the output is the input's buffer */
} mp_inplace_kind;

typedef struct mp_live_step {
    uint32_t op;          /* op index run at this step */
    size_t live_bytes;    /* activation bytes in SRAM during the step (scratch included) */
    size_t scratch_bytes; /* temporary bytes of the step (in-place plane) */
    size_t kernel_bytes;  /* the op's kernel scratch under opts->kernels (in live_bytes) */
    bool inplace;         /* the op ran in place over one of its inputs */
    mp_inplace_kind inplace_kind;
    mp_tensor_id inplace_input; /* the input whose buffer the output takes over */
} mp_live_step;

typedef struct mp_per_layer {
    uint32_t n_steps;     /* = number of ops */
    mp_live_step *steps;  /* per step, in execution order */
    int32_t *first_step;  /* per tensor: first step it is in SRAM, -1 for constants */
    int32_t *last_step;   /* per tensor: last step it is in SRAM, -1 for constants */
    size_t peak_bytes;    /* max live_bytes: tensors + kernel scratch */
    uint32_t peak_step;   /* first step reaching the peak */
    size_t tensor_peak_bytes; /* max (live_bytes - kernel_bytes): tensors alone */
    uint32_t tensor_peak_step;
} mp_per_layer;

/*
 * Per-layer liveness and peak of g run in order (n_ops op indices, a
 * topological order; NULL = g->order). Fills out; release with
 * mp_per_layer_release. Errors: MP_E_INVALID for an order that is not
 * topological, MP_E_OVERFLOW, MP_E_NOMEM.
 */
mp_status mp_plan_per_layer(const mp_graph *g, const uint32_t *order, const mp_plan_opts *opts,
                            mp_per_layer *out, mp_error *err);
void mp_per_layer_release(mp_per_layer *pl);

/* Whether op may run in place over its input (depthwise, multiplier 1, same dtype, input dies
 * there and is not a network output). last_step: per-tensor last use, step: the op's step. */
bool mp_plan_dw_inplace_ok(const mp_graph *g, uint32_t op, const int32_t *last_step,
                           int32_t step);

/* Size of a buffer of n bytes under opts->align (false on overflow). */
bool mp_plan_aligned(const mp_plan_opts *opts, size_t n, size_t *out);

/* ---- operator order ---------------------------------------------------------------------- */

typedef struct mp_order_opts {
    uint64_t max_states; /* exact search: most states (sets of executed ops) stored over the
                            whole graph; default 1,000,000; 0 = heuristics only */
    uint32_t beam_width; /* heuristic: states kept per step by the beam search where the exact
                            search gave up; default 64; 0 = greedy rules only */
    bool exhaustive;     /* beam: build every successor, even those that can never rank
                            into the beam (tests; same result) */
} mp_order_opts;

/* Defaults: 1,000,000 states, beam width 64. */
void mp_order_opts_init(mp_order_opts *oo);

typedef struct mp_order_result {
    uint32_t *order;          /* n_ops op indices, a topological order (owned) */
    uint32_t n_ops;
    size_t peak_bytes;        /* per-layer peak of order: mp_plan_per_layer with the same opts */
    size_t file_peak_bytes;   /* per-layer peak of the file order (g->order) */
    size_t lower_bound_bytes; /* no topological order has a smaller peak */
    bool optimal;             /* peak_bytes is the minimum over all topological orders */
    uint32_t n_parts;         /* independent parts of the graph with a choice of order */
    uint64_t n_states;        /* states stored by the exact search (at most max_states) */
    uint64_t n_beam_states;   /* states kept by the beam search */
} mp_order_result;

/*
 * A topological order of g whose per-layer peak (mp_plan_per_layer under
 * opts, in-place rules and alignment included) is as small as memplan can
 * prove or find. The order changes the peak of branching graphs (Liberis &
 * Lane 2019; Serenity, MLSys 2020): which branch runs first decides what is
 * held while the others run.
 *
 * The graph is cut at the ops every order runs at the same step; each part
 * between cuts is solved on its own: dynamic programming over the sets of
 * executed ops (exact, while at most oo->max_states states are stored in
 * all), otherwise the best of three greedy rules and a beam search of
 * oo->beam_width states per step. The file order is kept wherever changing
 * it cannot lower the network's peak, so peak_bytes <= file_peak_bytes
 * always, and out->optimal says whether the minimum is proven.
 * docs/algorithms.md ("Operator order") describes the search.
 *
 * opts NULL: mp_plan_opts_init defaults; oo NULL: mp_order_opts_init
 * defaults. Fills out (release with mp_order_result_release). Errors:
 * MP_E_INVALID (graph not finalized), MP_E_OVERFLOW, MP_E_NOMEM.
 */
mp_status mp_plan_best_order(const mp_graph *g, const mp_plan_opts *opts,
                             const mp_order_opts *oo, mp_order_result *out, mp_error *err);
void mp_order_result_release(mp_order_result *r);

/* ---- arena planning --------------------------------------------------------------------- */

typedef enum mp_buffer_kind {
    MP_BUF_TENSOR,    /* a whole tensor */
    MP_BUF_REGION,    /* a tensor's region buffer in a tiled segment (largest region) */
    MP_BUF_ROW_CACHE, /* halo row cache of a tensor in a tiled segment */
    MP_BUF_COL_CACHE, /* halo column cache of a tensor in a tiled segment */
    MP_BUF_PLANE,     /* in-place depthwise temporary: one output plane */
    MP_BUF_ACCUM,     /* int32 accumulators of a tiled segment ending in a reduction */
    MP_BUF_KIND_COUNT
} mp_buffer_kind;

/*
 * One buffer of the arena. Lifetimes are in steps of the schedule (a tiled
 * segment's ops occupy one step each; its patches repeat that layout).
 * Buffers with the same group share one offset: an in-place op's output
 * takes over its input's memory (the group's members never overlap in time).
 */
typedef struct mp_buffer {
    mp_buffer_kind kind;
    mp_tensor_id tensor;  /* the tensor held; for MP_BUF_PLANE the depthwise output */
    int32_t segment;      /* tiled segment index, -1 for whole tensors */
    size_t bytes;         /* size, a multiple of the alignment */
    uint32_t first, last; /* lifetime, inclusive steps */
    uint32_t group;       /* index of the group's first buffer (own index when alone) */
    size_t offset;        /* arena offset, set by mp_arena_plan */
} mp_buffer;

typedef struct mp_arena_stats {
    size_t arena_bytes;  /* highest buffer end */
    size_t lower_bound;  /* max over steps of the bytes alive: no layout can be smaller */
    const char *method;  /* the strategy that produced the layout (static string) */
    uint32_t tries;      /* layouts tried */
} mp_arena_stats;

/*
 * Give every buffer an offset (multiple of align) so that buffers alive at
 * the same time never overlap, and groups share one offset; minimise the
 * arena. Strategies: TFLite Micro's greedy policy (largest first, each at the
 * lowest offset that fits), other orderings (longest lifetime, largest area,
 * earliest first), each also with best fit (the free gap the buffer fills
 * most tightly), then an improvement loop that moves the buffers at the top
 * of the arena earlier in the order; the best layout is kept, and the search
 * stops as soon as a layout meets the lower bound.
 */
mp_status mp_arena_plan(mp_buffer *bufs, uint32_t n, size_t align, mp_arena_stats *stats,
                        mp_error *err);

/* Place bufs in the given order (group leaders only are used) at the lowest
 * fitting offsets; returns the arena size. TFLite Micro's policy when the order
 * is by size, largest first. */
mp_status mp_arena_place(mp_buffer *bufs, uint32_t n, size_t align, const uint32_t *order,
                         uint32_t n_order, size_t *arena_bytes, mp_error *err);

/* Check a layout: every buffer aligned, inside arena_bytes, and no two buffers
 * of different groups alive at the same time overlapping. On failure returns
 * false with the offending pair (b == UINT32_MAX for a single-buffer fault). */
bool mp_arena_check(const mp_buffer *bufs, uint32_t n, size_t align, size_t arena_bytes,
                    uint32_t *a, uint32_t *b);

const char *mp_buffer_kind_name(mp_buffer_kind k);

/* ---- TFLite Micro's arena figure (src/plan/tflm_greedy.c) ------------------------------ */

#define MP_TFLM_ALIGN 16 /* TFLite Micro aligns every arena buffer to 16 bytes */

/* One buffer as TFLite Micro's GreedyMemoryPlanner sees it (times are inclusive). */
typedef struct mp_tflm_buffer {
    size_t bytes;      /* size as given to the planner (already aligned) */
    int32_t first;     /* first time the buffer is live */
    int32_t last;      /* last time the buffer is live */
} mp_tflm_buffer;

/*
 * The placement of TFLite Micro's GreedyMemoryPlanner for n buffers given in
 * the planner's insertion order: buffers are taken largest first (equal sizes:
 * the one added later first), and each goes to the lowest offset where it
 * overlaps no already placed buffer whose lifetime overlaps its own. Writes
 * every buffer's offset to offsets (n entries, may be NULL) and the arena size
 * (largest offset + size) to arena_bytes. Errors: MP_E_NOMEM, MP_E_OVERFLOW.
 */
mp_status mp_plan_tflm_greedy_buffers(const mp_tflm_buffer *bufs, uint32_t n, size_t *offsets,
                                      size_t *arena_bytes, mp_error *err);

/*
 * The same with offline-planned buffers (TFLM's OfflineMemoryAllocation):
 * fixed[i] >= 0 places buffer i at that offset, before every other buffer (in
 * insertion order, overlaps not checked, as TFLM does); fixed[i] < 0 (or
 * fixed NULL) leaves it to the greedy placement around them.
 */
mp_status mp_plan_tflm_greedy_offline(const mp_tflm_buffer *bufs, uint32_t n,
                                      const int32_t *fixed, size_t *offsets,
                                      size_t *arena_bytes, mp_error *err);

/*
 * The tensor arena TFLite Micro's greedy planner computes for g (what
 * MicroAllocator plans for the non-persistent head of tensor_arena, not
 * counting kernel scratch buffers nor TFLM's own bookkeeping in the tail):
 * every non-constant tensor, in source_index order, sized up to a multiple of
 * align (MP_TFLM_ALIGN for TFLM); times count the graph's start as 0 and op i
 * (source order) as i + 1: inputs from 0, outputs to n_ops, a tensor from its
 * producer to its last reader; tensors no op uses are planned at time -1, as
 * TFLM does. Errors: MP_E_NOMEM, MP_E_OVERFLOW.
 */
mp_status mp_plan_tflm_greedy(const mp_graph *g, size_t align, size_t *arena_bytes,
                              mp_error *err);

#ifdef __cplusplus
}
#endif

#endif
