/* SPDX-License-Identifier: MIT */
/*
 * mp_patch.h - patch-based execution (module plan): exact per-patch regions,
 * peak SRAM, MACs, and the search over splits and patch grids (MCUNetV2).
 *
 * A patch stage (a "block") is a run of consecutive steps [first_step,
 * last_step] of the execution order made only of spatial ops. The block's
 * split tensor S is the output of the op at last_step; S is cut into a grid of
 * rows x cols tiles (even, balanced or given cuts). For every tile the block
 * runs all its ops on just the regions needed, found by walking backwards
 * from the tile: an op with kernel k, stride s, dilation d and top padding p
 * that must produce rows [a, b) needs input rows [a*s - p, (b-1)*s - p +
 * (k-1)*d + 1), clipped to the tensor; several readers of a tensor need the
 * bounding box of their needs. Regions are separable, so all of this is done
 * per axis on intervals, which makes the search fast.
 *
 * A block may end with a global reduction (mp_patch_op_reduces): the grid is
 * then on the reduction's input, which becomes a WORKING tensor, and the
 * reduction accumulates every patch's tile (accumulators held whole).
 *
 * Tensors of a block play one of four roles:
 *   WHOLE_INPUT   read by the block, produced before it (or the network input
 *                 with MP_INPUT_SRAM): held whole during the block;
 *   STREAM_INPUT  the network input with MP_INPUT_STREAM: only the current
 *                 patch's region is in SRAM (decoded per patch);
 *   WORKING       produced and consumed inside the block: a region buffer
 *                 per patch, live from its producer to its last reader;
 *   OUTPUT        produced inside, read after the block (or a network output):
 *                 held whole and filled tile by tile. A residual skip that
 *                 jumps over the cut is an OUTPUT too, with its own tiling.
 *
 * Halo modes. MP_HALO_RECOMPUTE (MCUNetV2): every patch computes its whole
 * regions; overlapping halos are computed again by neighbouring patches.
 * MP_HALO_CACHE: patches run in raster order; each WORKING/STREAM tensor keeps
 * a row cache (the overlap rows of the previous patch row, full width) and a
 * column cache (the overlap columns of the previous patch, full region
 * height), so every element is computed once. A patch then computes only its
 * "new" region; the caches count in the peak for the whole block.
 * MP_HALO_CACHE_COLS mixes the two per axis: overlap columns come from the
 * (small) column cache, overlap rows are recomputed, so there is no
 * full-width row cache; MACs lie between the two other modes.
 *
 * Accounting (docs/algorithms.md): while patch P runs op j, SRAM holds every
 * WHOLE_INPUT and OUTPUT buffer, every tensor live across the block, all
 * caches, and the regions of the WORKING/STREAM tensors live at op j of that
 * patch (in-place depthwise applies to regions as to whole tensors). Stage
 * peak = max over patches and ops. Total peak = max(stage peak, per-layer
 * peak of the steps after the block). MACs count every MAC actually computed,
 * halos included.
 *
 * Everything here borrows the graph: valid until mp_graph_free.
 */
#ifndef MEMPLAN_MP_PATCH_H
#define MEMPLAN_MP_PATCH_H

#include "memplan/mp_error.h"
#include "memplan/mp_graph.h"
#include "memplan/mp_plan.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MP_PATCH_MAX_GRID 64u /* largest rows or cols accepted */

typedef enum mp_halo {
    MP_HALO_RECOMPUTE, /* MCUNetV2: neighbouring patches recompute their overlap */
    MP_HALO_CACHE,     /* raster order with row and column caches: nothing recomputed */
    MP_HALO_CACHE_COLS, /* column cache only: overlap columns cached, overlap rows recomputed */
    MP_HALO_COUNT
} mp_halo;

#define MP_HALO_BIT(h) (1u << (unsigned)(h))
#define MP_HALO_ALL ((1u << MP_HALO_COUNT) - 1u)

/* The halo handling along one axis (0 rows, 1 columns): MP_HALO_CACHE or
 * MP_HALO_RECOMPUTE. */
static inline mp_halo mp_halo_on_axis(mp_halo h, int axis)
{
    if (h == MP_HALO_CACHE || (h == MP_HALO_CACHE_COLS && axis == 1))
        return MP_HALO_CACHE;
    return MP_HALO_RECOMPUTE;
}

typedef enum mp_cuts {
    MP_CUTS_EVEN,     /* tile boundaries at round(k * size / n) */
    MP_CUTS_BALANCED, /* uneven: boundaries chosen so the block's first tensor regions are equal */
    MP_CUTS_GIVEN,    /* boundaries given by the caller */
    MP_CUTS_COUNT
} mp_cuts;

typedef struct mp_interval {
    int32_t a, b; /* half-open [a, b); empty when a >= b */
} mp_interval;

static inline int32_t mp_interval_len(mp_interval v)
{
    return v.b > v.a ? v.b - v.a : 0;
}

typedef struct mp_patch_spec {
    uint32_t first_step; /* first step of the block (0 for the MCUNetV2 stage) */
    uint32_t last_step;  /* S = output of the op at this step */
    uint32_t rows, cols; /* grid on S, 1..MP_PATCH_MAX_GRID */
    mp_cuts cuts;
    const int32_t *row_cuts; /* MP_CUTS_GIVEN: rows + 1 boundaries, 0 first, S height last */
    const int32_t *col_cuts; /* MP_CUTS_GIVEN: cols + 1 boundaries, 0 first, S width last */
    mp_halo halo;
} mp_patch_spec;

typedef enum mp_stage_role {
    MP_ROLE_WHOLE_INPUT,
    MP_ROLE_STREAM_INPUT,
    MP_ROLE_WORKING,
    MP_ROLE_OUTPUT,
    MP_ROLE_COUNT
} mp_stage_role;

/* A tensor the block reads or writes ("slot"). */
typedef struct mp_stage_tensor {
    mp_tensor_id id;
    mp_stage_role role;
    int32_t first_op, last_op; /* block-local op indices of its region's lifetime in a patch */
    size_t row_cache_bytes;    /* rows kept for the next patch row (row axis cached) */
    size_t col_cache_bytes;    /* columns kept for the next patch (column axis cached) */
    size_t max_region_bytes;   /* largest region over patches (WORKING/STREAM) */
} mp_stage_tensor;

typedef struct mp_patch_plan {
    mp_patch_spec spec;       /* row_cuts/col_cuts point at the arrays below */
    int32_t *row_cuts;        /* rows + 1 boundaries on S */
    int32_t *col_cuts;        /* cols + 1 boundaries on S */
    mp_tensor_id split;       /* S */
    uint32_t n_ops;           /* ops in the block: order[first_step .. last_step] */
    uint32_t *ops;            /* their op indices, block-local order */
    int32_t *out_slot;        /* per block-local op: slot of its output */
    uint8_t *inplace;         /* per block-local op: depthwise running over its input's region */
    uint32_t n_slots;
    mp_stage_tensor *slots;
    /* Regions per slot and tile: need = held in the slot's buffer (what readers
     * need), computed = what the patch computes (need, minus cached parts with
     * MP_HALO_CACHE). Row intervals indexed [slot * rows + i], columns
     * [slot * cols + j]. */
    mp_interval *need_rows, *comp_rows;
    mp_interval *need_cols, *comp_cols;
    /* Costs */
    size_t whole_bytes;       /* WHOLE_INPUT + OUTPUT + live-across buffers (+ accumulators) */
    size_t accum_bytes;       /* reduction block: the int32 accumulators (in whole_bytes) */
    size_t cache_bytes;       /* all caches (MP_HALO_CACHE, MP_HALO_CACHE_COLS) */
    size_t stage_peak;        /* max over patches and ops */
    uint32_t peak_patch;      /* patch index (row-major) reaching the stage peak */
    uint32_t peak_op;         /* block-local op index reaching the stage peak */
    size_t rest_peak;         /* per-layer peak of the steps after the block (0 if none) */
    uint32_t rest_peak_step;
    size_t peak;              /* max(stage_peak, rest_peak) */
    uint64_t stage_macs;      /* MACs computed by the block, halos included */
    uint64_t macs;            /* whole network: stage_macs + the other ops' MACs */
    double overhead;          /* macs / per-layer MACs - 1 */
} mp_patch_plan;

/*
 * Plan one patch schedule: regions of every tensor of the block for every
 * patch, and its peak and MACs. pl is the per-layer plan of g with the same
 * opts (for the steps after the block). Errors: MP_E_INVALID for a block
 * containing a non-spatial op, an empty grid or bad cuts. Free with
 * mp_patch_plan_free.
 */
mp_status mp_patch_plan_new(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                            const mp_patch_spec *spec, mp_patch_plan **out, mp_error *err);
void mp_patch_plan_free(mp_patch_plan *p);

/*
 * Set spec->first_step = 0 and spec->last_step for the split tensor called
 * name (the step of the op producing it). Errors name the tensor: unknown,
 * not produced by a layer, or preceded by a layer that cannot be patched.
 */
mp_status mp_patch_spec_for_split(const mp_graph *g, const mp_per_layer *pl, const char *name,
                                  mp_patch_spec *spec, mp_error *err);

/*
 * The input positions a window op (kernel k, stride s, dilation d, leading
 * padding pad, input size size) reads to compute output positions out along
 * one axis: the bounding interval of its taps inside the tensor, or empty.
 * This is the clipped [a*s - pad, (b-1)*s - pad + (k-1)*d + 1), tightened
 * where a large stride or a dilation steps over the first or last positions.
 * The planner's regions and the executor's view checks both use it.
 */
mp_interval mp_window_taps(mp_interval out, int32_t k, int32_t s, int32_t d, int32_t pad,
                           int32_t size);

/*
 * The one backward-region rule (patch_region.c): true when op's output rows and columns
 * depend on a bounded window of its inputs' rows and columns (so it may be computed tile by
 * tile); false for ops that need whole inputs.
 */
bool mp_op_region_bounded(const mp_graph *g, uint32_t op);

/*
 * The positions along axis (0 rows, 1 columns) of operand k (index into op->in, an
 * activation) that op reads to produce output positions out: clipped to the operand; the
 * whole operand for ops that are not bounded. raw (optional) receives the unclipped
 * interval. The planner's regions and the executor's view checks both use this rule.
 */
mp_interval mp_op_input_span(const mp_graph *g, uint32_t op, uint32_t k, int axis,
                             mp_interval out, mp_interval *raw);

/* TFLite's nearest-neighbour resize: the source index of output position o. */
int32_t mp_resize_nearest_src(int32_t o, int32_t in_size, int32_t out_size, bool align_corners,
                              bool half_pixel_centers);

/* TFLite's int8 bilinear resize (ResizeBilinearInteger): the Q10 scale of an axis, and for
 * output position o the Q10 source position v and the source rows lo, hi it blends. */
int32_t mp_resize_bilinear_scale(int32_t in_size, int32_t out_size, bool align_corners);
void mp_resize_bilinear_src(int32_t o, int32_t scale_10, bool half_pixel, int32_t in_size,
                            int32_t *v, int32_t *lo, int32_t *hi);

/* Index of the slot of tensor t in the plan, or -1. */
int32_t mp_patch_slot_of(const mp_patch_plan *p, mp_tensor_id t);

/* Region of slot k in patch (row i, col j): what its buffer holds (need) and
 * what the patch computes of it (comp). */
void mp_patch_slot_region(const mp_patch_plan *p, uint32_t k, uint32_t i, uint32_t j,
                          mp_interval *need_rows, mp_interval *need_cols,
                          mp_interval *comp_rows, mp_interval *comp_cols);

/*
 * What block-local op l reads from its operand k (an activation input) in
 * patch (i, j) to compute its output's comp region: the rows/cols clipped to
 * the tensor, and the padding that falls inside the window on each side
 * (pad[0..3] = top, bottom, left, right; elements outside the tensor).
 */
void mp_patch_read_region(const mp_graph *g, const mp_patch_plan *p, uint32_t l, uint32_t k,
                          uint32_t i, uint32_t j, mp_interval *rows, mp_interval *cols,
                          int32_t pad[4]);

/*
 * Whether op may be part of a patch block: a bounded region rule
 * (mp_op_region_bounded), one output, int8 activations (QUANTIZE may read
 * float32/uint8, DEQUANTIZE write float32), concat along channels. Used to
 * find the candidate splits.
 */
bool mp_patch_op_ok(const mp_graph *g, uint32_t op);
/* Why op may not be part of a patch block ("it needs its whole input", ...), or NULL. */
const char *mp_patch_op_why_not(const mp_graph *g, uint32_t op);

/*
 * Whether op is a global reduction a block may end with: a mean over H and W,
 * or an average/max pool whose VALID window covers the whole input. Such a
 * block is tiled over the reduction's input; each patch adds its tile into
 * per-channel int32 accumulators (exact: the sums are integers) and the
 * output is written once, after the last patch.
 */
bool mp_patch_op_reduces(const mp_graph *g, uint32_t op);

/* Last step s such that every op of steps [0, s] may be patched (the last
 * one may be a reduction), or -1. */
int32_t mp_patch_last_patchable_step(const mp_graph *g, const uint32_t *order);

/* One evaluated schedule of the search. */
typedef struct mp_patch_point {
    uint32_t last_step;
    mp_tensor_id split;
    uint32_t rows, cols;
    mp_cuts cuts;
    mp_halo halo;
    size_t peak, stage_peak, rest_peak;
    uint64_t macs;
    double overhead;
} mp_patch_point;

typedef struct mp_search_opts {
    uint32_t max_rows, max_cols; /* largest grid tried (default 8 x 8) */
    uint32_t halos;              /* MP_HALO_BIT of each halo mode tried (default all) */
    bool balanced;               /* try balanced (uneven) cuts besides even ones (default) */
    bool have_budget;
    size_t budget;               /* SRAM budget in bytes when have_budget */
    size_t reserve;              /* bytes kept for the stack and runtime (default 0): a schedule
                                    fits when its peak (with kernel scratch, mp_plan_opts.kernels)
                                    + reserve <= budget */
    double max_macs;             /* MAC allowance as a factor of the per-layer MACs (1.1 =
                                    +10 %); 0: the default policy (see mp_search_mac_limit) */
    bool exhaustive;             /* evaluate every split, even those whose lower bounds show
                                    they cannot reach the front (tests; same result) */
} mp_search_opts;

/* The MAC allowance memplan applies when no budget is given and none is asked for: the
 * lowest peak within +10 % MACs (docs/algorithms.md, "Recommendation policy"). */
#define MP_DEFAULT_MAC_ALLOWANCE 1.10

void mp_search_opts_init(mp_search_opts *o);

/* What a schedule's peak may reach under so's budget: budget - reserve (0 when the reserve
 * takes it all). */
size_t mp_search_room(const mp_search_opts *so);
/* Bytes a schedule of this peak lacks: peak + reserve - budget, 0 when it fits (saturating). */
size_t mp_search_missing(const mp_search_opts *so, size_t peak);

/*
 * The most MACs a recommended schedule may cost: so->max_macs x per_layer_macs when
 * set; else, without a budget, MP_DEFAULT_MAC_ALLOWANCE x per_layer_macs; with a
 * budget and no explicit allowance, no limit (the cheapest schedule that fits).
 */
uint64_t mp_search_mac_limit(const mp_search_opts *so, uint64_t per_layer_macs);

typedef struct mp_patch_search {
    mp_patch_point *pareto;  /* the Pareto front over (peak, MACs) of every halo mode, by
                                peak ascending (MACs strictly descending); only points
                                below the per-layer peak */
    uint32_t n_pareto;
    uint32_t n_evaluated;    /* schedules evaluated */
    size_t per_layer_peak;
    uint64_t per_layer_macs;
    /* The recommendation: */
    bool per_layer_best;     /* per-layer is the best (fits the budget, or no patch is lower) */
    bool have_best;          /* best is valid (a patch schedule) */
    mp_patch_point best;
    bool fits;               /* the recommendation fits the budget (true without a budget) */
    size_t missing_bytes;    /* when it does not fit: bytes over the budget */
} mp_patch_search;

/*
 * Search every patchable split (blocks starting at step 0) x grids 1x1 .. max
 * x even/balanced cuts x halo modes; keep the Pareto front of (peak, MACs).
 * Best (the recommendation policy, docs/algorithms.md): with a budget, the
 * lowest-MAC schedule that fits (per-layer when it fits; within so->max_macs
 * when set), else the lowest-peak one with the missing bytes; without a
 * budget, the lowest peak within the MAC allowance (mp_search_mac_limit;
 * ties: fewer MACs, then fewer patches). A patch schedule is only
 * recommended when its peak is below the per-layer peak.
 */
mp_status mp_patch_search_run(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                              const mp_search_opts *so, mp_patch_search *out, mp_error *err);
void mp_patch_search_release(mp_patch_search *s);

/* ---- multi-stage fused tiling -------------------------------------------------------- */

/*
 * A schedule as a cover of the order by segments: per-layer steps and fused
 * tiled blocks (ops i..j run tile by tile over the block's output, with their
 * own grid, cuts and halo mode), anywhere in the network. A segment's peak
 * and MACs do not depend on the other segments (whatever crosses a segment
 * boundary is held whole), so the best cover is a path problem over layer
 * boundaries: the peak is the max over the path's segments, the MACs their
 * sum. Solved exactly over the candidate set (docs/algorithms.md).
 */
#define MP_FUSED_MAX_JOBS 64u

typedef struct mp_fused_opts {
    uint32_t max_rows, max_cols; /* largest grid tried per block (default 8 x 8) */
    uint32_t halos;              /* MP_HALO_BIT of each halo mode tried (default all) */
    bool balanced;               /* balanced cuts besides even ones (default) */
    uint32_t max_stages;         /* most tiled blocks in a schedule (0: no limit) */
    uint32_t max_block_ops;      /* longest block tried (0: no limit) */
    uint32_t jobs;               /* threads building the candidates (default 1, at most
                                    MP_FUSED_MAX_JOBS); the result does not depend on it */
    bool exhaustive;             /* build every block, even those whose lower bounds show
                                    they cannot be on the front (tests; same result) */
    /* Called as the candidate blocks are built (most of the search's time), with the share
     * done in thousandths (done of total = 1000); NULL: none. */
    void (*progress)(void *ctx, uint32_t done, uint32_t total);
    void *progress_ctx;
} mp_fused_opts;

void mp_fused_opts_init(mp_fused_opts *o);

typedef struct mp_fused_seg {
    uint32_t first_step, last_step;
    bool tiled;
    uint32_t rows, cols;       /* tiled: grid */
    mp_cuts cuts;
    mp_halo halo;
    size_t peak;               /* the segment's peak */
    uint64_t macs;             /* the segment's MACs */
} mp_fused_seg;

typedef struct mp_fused_point {
    size_t peak;
    uint64_t macs;
    double factor;             /* macs / per-layer MACs */
    uint32_t n_segs;
    mp_fused_seg *segs;        /* the cover, in step order (owned by the result) */
} mp_fused_point;

typedef struct mp_fused_result {
    mp_fused_point *pareto;    /* peak ascending, MACs descending */
    uint32_t n_pareto;
    uint32_t n_blocks;         /* candidate blocks (step ranges) examined */
    uint32_t n_candidates;     /* candidate segments kept (non-dominated per range) */
    uint64_t n_evaluated;      /* block schedules evaluated */
    size_t per_layer_peak;
    uint64_t per_layer_macs;
    void *priv;                /* candidates, for queries; not API */
} mp_fused_result;

/* Build the candidates and the Pareto front of (peak, MACs). Release with
 * mp_fused_release. */
mp_status mp_fused_search(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                          const mp_fused_opts *fo, mp_fused_result *out, mp_error *err);
void mp_fused_release(mp_fused_result *r);

/* (a) the lowest peak with MACs <= max_macs; false when none. The point's
 * segments stay owned by r. */
bool mp_fused_min_peak(const mp_fused_result *r, uint64_t max_macs, const mp_fused_point **out);
/* (b) the fewest MACs with peak <= max_peak; false when none. */
bool mp_fused_min_macs(const mp_fused_result *r, size_t max_peak, const mp_fused_point **out);
/*
 * The recommendation for a MAC limit (UINT64_MAX: none) and an optional
 * budget: with a budget, the fewest MACs at a peak <= budget; without, the
 * lowest peak; MACs <= max_macs either way. *fits is false when no point
 * meets the limits, and the closest is returned: the lowest peak within
 * max_macs, else the point with the fewest MACs. NULL only for an empty front.
 */
const mp_fused_point *mp_fused_pick(const mp_fused_result *r, uint64_t max_macs, bool have_budget,
                                    size_t budget, bool *fits);
/*
 * Recompute the recommendation of a finished search (per_layer_best,
 * have_best, best, fits, missing_bytes) for so's budget, by the rule above;
 * the front is unchanged. A sweep searches once and asks for many budgets.
 */
void mp_patch_search_recommend(mp_patch_search *s, const mp_search_opts *so);

/*
 * The peak of a search's point re-evaluated under pl and opts: a patch point (one stage
 * from step 0) or a fused point's cover. With the per-layer plan and options of the
 * tensors alone, this is the tensor peak of a point a search found counting kernel
 * scratch (mp_plan_opts.kernels); the difference is what the scratch adds.
 */
mp_status mp_patch_point_peak(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                              const mp_patch_point *p, size_t *peak, mp_error *err);
mp_status mp_fused_point_peak(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                              const mp_fused_point *p, size_t *peak, mp_error *err);

const char *mp_halo_name(mp_halo h);
bool mp_halo_parse(const char *s, mp_halo *out);
const char *mp_cuts_name(mp_cuts c);

#ifdef __cplusplus
}
#endif

#endif
