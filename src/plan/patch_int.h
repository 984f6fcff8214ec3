/* SPDX-License-Identifier: MIT */
/*
 * patch_int.h - internals of patch planning (module plan; private).
 *
 * A block_info describes one block (its slots, roles, lifetimes and fixed
 * costs); an axis_plan holds, for one axis and one tiling, every slot's
 * needed and computed interval per tile. A patch plan is a block plus a row
 * axis_plan and a column axis_plan; the search reuses axis plans across grids.
 */
#ifndef MEMPLAN_PLAN_PATCH_INT_H
#define MEMPLAN_PLAN_PATCH_INT_H

#include "memplan/mp_patch.h"

typedef struct block_info {
    const mp_graph *g;
    const mp_plan_opts *opts;
    uint32_t first_step, last_step;
    uint32_t n_ops;           /* ops in the block */
    const uint32_t *ops;      /* op indices, block-local order */
    uint32_t n_slots;
    mp_stage_tensor *slots;
    int32_t *slot_of;         /* per tensor id: slot or -1 */
    int32_t *out_slot;        /* per local op: slot of its output */
    uint32_t *in_start;       /* per local op: its activation inputs are */
    uint32_t *in_slot;        /*   in_slot[in_start[l] .. in_start[l+1]) */
    uint32_t *in_operand;     /*   (operand index within the op) */
    int32_t split_slot;       /* the slot the grid cuts (a reduction's input) */
    bool reduces;             /* the last op is a global reduction */
    size_t accum_bytes;       /* its int32 accumulators (aligned), in whole_bytes */
    int32_t balance_slot;     /* slot whose regions balanced cuts equalise */
    size_t whole_bytes;       /* held during the whole block */
    uint64_t other_macs;      /* MACs of the ops outside the block */
    uint64_t *macs_per_px;    /* per local op: MACs per output element position (h*w) */
    bool *inplace_ok;         /* per local op: depthwise that may run over its input region */
    size_t *kernel;           /* per local op: kernel scratch during its step (opts->kernels;
                                 0 for a closing reduction: the accumulators stand for it) */
    uint32_t *live_start;     /* per local op: WORKING/STREAM slots whose region is live */
    uint32_t *live_slot;      /*   live_slot[live_start[l] .. live_start[l+1]) */
    size_t *scratch;          /* n_slots bytes scratch for cost evaluation (not shared) */
    size_t *px_bytes;         /* per slot: bytes of one pixel (channels x dtype size) */
    uint32_t n_region;        /* WORKING/STREAM slots ... */
    uint32_t *region_slot;    /* ... their indices */
    mp_interval *balance_need[2]; /* per axis: the balance slot's need of each single row/col */
    size_t rest_peak;         /* per-layer peak after the block */
    uint32_t rest_peak_step;
} block_info;

typedef struct axis_plan {
    uint32_t n;               /* tiles */
    int32_t *cuts;            /* n + 1 boundaries on S */
    mp_interval *need;        /* [slot * n + i] */
    mp_interval *comp;        /* [slot * n + i] */
    bool cache_ok;            /* MP_HALO_CACHE only: every slot's regions advance monotonically */
    uint8_t *inplace_fits;    /* per local op: the output region is never longer than the input's */
    int64_t *comp_sum;        /* per slot: summed computed lengths over tiles */
    int32_t *max_len;         /* per slot: longest needed interval */
    int32_t *hull_len;        /* per slot: length of the hull of the needed intervals */
    int32_t *cache_len;       /* per slot: sliding cache length (MP_HALO_CACHE), else 0 */
    int32_t cache_bad_slot;   /* the first slot that does not (when !cache_ok) */
    uint32_t n_classes;       /* tiles with distinct region lengths */
    uint32_t *class_tile;     /* a representative tile per class */
} axis_plan;

/* patch_block.c */
mp_status block_init(block_info *b, const mp_graph *g, const mp_per_layer *pl,
                     const mp_plan_opts *opts, uint32_t first_step, uint32_t last_step,
                     mp_error *err);
void block_release(block_info *b);
/* Needed input interval (unclipped in *raw) of operand k of op for output interval out. */
mp_interval block_backprop(const mp_graph *g, uint32_t op, uint32_t k, int axis, mp_interval out,
                           mp_interval *raw);
int32_t block_axis_size(const mp_graph *g, mp_tensor_id t, int axis);

/* patch_axis.c */
mp_status axis_plan_build(const block_info *b, int axis, uint32_t n, mp_cuts cuts,
                          const int32_t *given, mp_halo halo, axis_plan *ap, mp_error *err);
void axis_plan_release(axis_plan *ap);

/* The axis plans of one axis for 1..n tiles with one halo handling on it
 * (built once per block and cut style, shared by grids and halo modes). */
typedef struct axis_set {
    axis_plan p[MP_PATCH_MAX_GRID + 1];
    uint32_t n; /* built: p[1..n] */
} axis_set;

/* Build p[1..min(max, axis size)] unless already built. */
mp_status axis_set_build(const block_info *b, int axis, uint32_t max, mp_cuts cuts, mp_halo halo,
                         axis_set *a, mp_error *err);
void axis_set_release(axis_set *a);
/* Fill b->balance_need[axis] (for balanced cuts); called by block_init. */
mp_status axis_balance_needs(block_info *b, int axis, mp_error *err);
/* Length of slot k's sliding cache along this axis (MP_HALO_CACHE). */
int32_t axis_cache_len(const axis_plan *ap, uint32_t k);

/* patch_cost.c */
typedef struct patch_cost {
    size_t cache_bytes, stage_peak, peak;
    uint32_t peak_patch, peak_op;
    uint64_t stage_macs, macs;
} patch_cost;

/* Exact cost of the plan made of b, rows and cols (ok = false on overflow). */
bool patch_cost_eval(const block_info *b, const axis_plan *rows, const axis_plan *cols,
                     mp_halo halo, patch_cost *c);
/* Lower bounds of the total and of the stage peak (one patch evaluated) and
 * the exact total MACs, cheaply. */
bool patch_cost_bound(const block_info *b, const axis_plan *rows, const axis_plan *cols,
                      mp_halo halo, size_t *peak_lb, size_t *stage_lb, uint64_t *macs);
/* Region bytes of slot k in patch (i, j) (unaligned; 0 for whole slots). */
size_t patch_region_bytes(const block_info *b, const axis_plan *rows, const axis_plan *cols,
                          uint32_t k, uint32_t i, uint32_t j);

/* patch_bound.c: lower bounds of every tiled schedule of a block, cheaply. */
typedef struct block_bound {
    const mp_graph *g;
    const mp_per_layer *pl;
    const mp_plan_opts *opts;
    uint32_t max_rows, max_cols; /* the largest grid searched */
    mp_interval *cover;          /* [tensor * 2 + axis]: rows/columns always computed */
    size_t *bytes;               /* per tensor: aligned bytes */
} block_bound;

mp_status block_bound_init(block_bound *w, const mp_graph *g, const mp_per_layer *pl,
                           const mp_plan_opts *opts, uint32_t max_rows, uint32_t max_cols,
                           mp_error *err);
void block_bound_release(block_bound *w);
/* Lower bounds of the stage peak and of the total MACs of every schedule of the
 * (patchable) block first..last; false on overflow (no bound). */
bool block_bound_eval(block_bound *w, uint32_t first, uint32_t last, size_t *stage_lb,
                      uint64_t *macs_lb);

#endif
