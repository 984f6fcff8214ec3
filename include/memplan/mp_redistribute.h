/* SPDX-License-Identifier: MIT */
/*
 * mp_redistribute.h - receptive-field redistribution (module plan).
 *
 * Patch-based execution (mp_patch.h) recomputes the halos of neighbouring
 * patches, and the halos grow with the receptive field of the patch stage.
 * MCUNetV2's remedy is to move receptive field from the patch stage to the
 * layers after it: smaller kernels and fewer blocks before the split, larger
 * kernels and more blocks after it. memplan cannot train the result, but it
 * can rewrite the graph and report the cost side exactly.
 *
 * mp_redistribute() generates variants of a network g for one patch schedule
 * (split S, grid, cuts, halo mode) by three rewrites (docs/algorithms.md,
 * "Receptive-field redistribution"):
 *
 *   moves   one repetition fewer in a repeat group before S (mp_repeat, the
 *           net.json "repeat" notation), one more in the first group after S;
 *   shrink  a kernel of a spatial op of the patch stage one step smaller
 *           (7 -> 5 -> 3, down to min_kernel), the op with the largest input
 *           jump first, i.e. the one closest to S;
 *   grow    a kernel of a spatial op after S one step larger (3 -> 5 -> 7, up
 *           to max_kernel and the op's input size), the op with the largest
 *           input jump first.
 *
 * Variant (m, k) makes the first m moves and the first k shrink steps, then
 * the fewest grow steps that bring the total receptive field
 * (mp_graph_total_rf) back to at least the original's in both dimensions;
 * combinations where growing cannot do that are dropped. Only conv2d and
 * depthwise_conv2d ops with SAME padding and odd kernels change, so every
 * activation keeps its shape and S its size; moved repetitions must keep
 * their input's shape. Each variant is evaluated at the same split (S, or
 * the tensor that replaces it when the repetition producing it moved), grid,
 * cuts and halo mode as the original.
 *
 * Variant graphs carry no weight data (they are new architectures to train;
 * executors use seeded weights); quantization parameters are kept.
 */
#ifndef MEMPLAN_MP_REDISTRIBUTE_H
#define MEMPLAN_MP_REDISTRIBUTE_H

#include "memplan/mp_error.h"
#include "memplan/mp_graph.h"
#include "memplan/mp_patch.h"
#include "memplan/mp_plan.h"
#include "memplan/mp_util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Most shrink steps (variants per number of moves) redistribution evaluates; a
 * patch stage whose kernels allow more (kernels in the thousands) is refused
 * with MP_E_LIMIT unless max_shrink is set at most this. */
#define MP_REDIST_MAX_STEPS 1024u

typedef struct mp_redist_opts {
    int32_t min_kernel;  /* stage kernels shrink down to this: odd, >= 1 (default 3) */
    int32_t max_kernel;  /* later kernels grow up to this: odd, >= 3 (default 7) */
    uint32_t max_moves;  /* most repetitions moved across the split (default 4) */
    uint32_t max_shrink; /* most stage kernel steps (default: every step, <= MP_REDIST_MAX_STEPS) */
} mp_redist_opts;

void mp_redist_opts_init(mp_redist_opts *o);

typedef enum mp_redist_kind {
    MP_REDIST_MOVE,   /* a repetition left a group before the split and joined one after */
    MP_REDIST_SHRINK, /* a patch-stage kernel got smaller */
    MP_REDIST_GROW,   /* a later kernel got larger */
    MP_REDIST_KIND_COUNT
} mp_redist_kind;

/* One change of a variant. Strings belong to the variant's graph. */
typedef struct mp_redist_change {
    mp_redist_kind kind;
    const char *layer;                  /* SHRINK, GROW: the layer */
    int32_t from_h, from_w, to_h, to_w; /* SHRINK, GROW: its kernel before and after */
    const char *from_group, *to_group;  /* MOVE: the groups the repetition left and joined */
    uint32_t from_reps, to_reps;        /* MOVE: their repetitions after this move */
} mp_redist_change;

typedef struct mp_redist_variant {
    char id[32];               /* "original", or "m<moves>k<shrink steps>" ("k3", "m1k0") */
    const mp_graph *graph;     /* the network (the original: the caller's graph) */
    uint32_t n_moves, n_shrink, n_grow;
    mp_redist_change *changes; /* the moves, then each shrunk layer, then each grown layer
                                  (a layer's first and last kernel: 7x7->3x3 is two steps) */
    uint32_t n_changes;
    mp_tensor_id split;        /* S in graph */
    uint32_t split_step;       /* step of the op producing S */
    mp_rf stage_rf;            /* receptive field of S: the patch stage's */
    mp_rf total_rf;            /* mp_graph_total_rf(graph) */
    size_t per_layer_peak;     /* bytes, per-layer execution */
    size_t peak;               /* bytes, the patch schedule (max of stage and rest) */
    uint64_t macs;             /* per-layer MACs (graph->macs) */
    uint64_t patch_macs;       /* MACs computed by the patch schedule, halos included */
    double overhead;           /* patch_macs / macs - 1 */
    uint64_t params;           /* graph->params */
    bool pareto;               /* on the front of (peak, overhead, patch_macs) over all rows */
    mp_graph *owned;           /* not API: the graph when the result owns it */
} mp_redist_variant;

typedef struct mp_redist {
    mp_redist_variant *v;  /* v[0] the original, then the variants in (moves, steps) order */
    uint32_t n;            /* rows, the original included */
    mp_patch_spec spec;    /* the schedule of the original (row_cuts/col_cuts: not kept) */
    uint32_t n_moves;      /* repetitions that can move (after max_moves) */
    uint32_t n_dropped;    /* combinations whose total field could not be restored */
    uint32_t n_same;       /* combinations that gave a network already listed */
} mp_redist;

/*
 * Generate and evaluate the variants of g for the patch schedule spec
 * (first_step 0; last_step the split's step; rows, cols, cuts, halo; given
 * cuts are used for every variant), with the accounting options opts. Fills
 * out (release with mp_redist_release). Errors: MP_E_INVALID for bad options
 * or a spec that is not a patch stage of g, MP_E_NOMEM, and errors of the
 * planner for a variant (naming it).
 */
mp_status mp_redistribute(const mp_graph *g, const mp_plan_opts *opts, const mp_patch_spec *spec,
                          const mp_redist_opts *ro, mp_redist *out, mp_error *err);
void mp_redist_release(mp_redist *r);

/* Append a one-line description of a variant's changes to sb ("moved 1 repetition
 * of s3 to s5; s3_dw.2 7x7->5x5; s6_dw.1 3x3->5x5"); "unchanged" for the original. */
void mp_redist_describe(const mp_redist_variant *v, mp_strbuf *sb);

#ifdef __cplusplus
}
#endif

#endif
