/* SPDX-License-Identifier: MIT */
/*
 * patch_cost.c - peak SRAM, caches and MACs of a patch schedule (module plan).
 *
 * Peak: for every patch and every op of the block, the held-whole buffers,
 * the caches and the regions of the slots live at that op. Patches whose
 * tiles have the same region lengths on both axes use the same memory, so
 * only one patch per (row class, column class) is evaluated: exact, and
 * usually 9 patches instead of 64. MACs are separable too: an op's computed
 * area summed over all patches is (sum of computed row lengths) x (sum of
 * computed column lengths).
 */
#include "patch_int.h"

#include "../util/checked.h"

static bool is_region(const mp_stage_tensor *s)
{
    return s->role == MP_ROLE_WORKING || s->role == MP_ROLE_STREAM_INPUT;
}

static size_t elem_row_bytes(const block_info *b, uint32_t k)
{
    return b->px_bytes[k];
}

size_t patch_region_bytes(const block_info *b, const axis_plan *rows, const axis_plan *cols,
                          uint32_t k, uint32_t i, uint32_t j)
{
    if (!is_region(&b->slots[k]))
        return 0;
    return (size_t)mp_interval_len(rows->need[k * rows->n + i]) *
           (size_t)mp_interval_len(cols->need[k * cols->n + j]) * elem_row_bytes(b, k);
}

/* Row cache: K rows x the full needed width; column cache: K columns x the
 * tallest region (see axis_cache_len). Cache mode only. */
static bool cache_bytes(const block_info *b, const axis_plan *rows, const axis_plan *cols,
                        size_t *total)
{
    *total = 0;
    for (uint32_t e = 0; e < b->n_region; e++) {
        uint32_t k = b->region_slot[e];
        size_t row = (size_t)rows->cache_len[k] * (size_t)cols->hull_len[k] * b->px_bytes[k];
        size_t col = (size_t)cols->cache_len[k] * (size_t)rows->max_len[k] * b->px_bytes[k];
        if (!mp_plan_aligned(b->opts, row, &row) || !mp_plan_aligned(b->opts, col, &col) ||
            !mp_add_size(*total, row, total) || !mp_add_size(*total, col, total))
            return false;
    }
    return true;
}

/* Live bytes at op l of patch (i, j), given the region bytes of every slot. */
static bool live_at(const block_info *b, const axis_plan *rows, const axis_plan *cols,
                    uint32_t i, uint32_t j, uint32_t l, size_t base, size_t *out)
{
    size_t live;
    if (!mp_add_size(base, b->kernel[l], &live)) /* the op's kernel scratch */
        return false;
    for (uint32_t e = b->live_start[l]; e < b->live_start[l + 1]; e++)
        if (!mp_add_size(live, b->scratch[b->live_slot[e]], &live))
            return false;
    if (b->inplace_ok[l] && rows->inplace_fits[l] && cols->inplace_fits[l]) {
        uint32_t o = (uint32_t)b->out_slot[l];
        {
            const mp_tensor *t = &b->g->tensors[b->slots[o].id];
            size_t plane = (size_t)mp_interval_len(rows->need[o * rows->n + i]) *
                           (size_t)mp_interval_len(cols->need[o * cols->n + j]) *
                           mp_dtype_size(t->dtype);
            if (!mp_plan_aligned(b->opts, plane, &plane))
                return false;
            live = live - b->scratch[o] + plane;
        }
    }
    *out = live;
    return true;
}

/* Region bytes (aligned) of every region slot for patch (i, j), into scratch. */
static bool fill_scratch(const block_info *b, const axis_plan *rows, const axis_plan *cols,
                         uint32_t i, uint32_t j)
{
    for (uint32_t e = 0; e < b->n_region; e++) {
        uint32_t k = b->region_slot[e];
        size_t v = (size_t)mp_interval_len(rows->need[k * rows->n + i]) *
                   (size_t)mp_interval_len(cols->need[k * cols->n + j]) * b->px_bytes[k];
        if (!mp_plan_aligned(b->opts, v, &b->scratch[k]))
            return false;
    }
    return true;
}

/* Exact peak over the ops of one patch; updates c when higher. */
static bool eval_patch(const block_info *b, const axis_plan *rows, const axis_plan *cols,
                       uint32_t i, uint32_t j, size_t base, patch_cost *c)
{
    if (!fill_scratch(b, rows, cols, i, j))
        return false;
    uint32_t patch = i * cols->n + j;
    for (uint32_t l = 0; l < b->n_ops; l++) {
        size_t live;
        if (!live_at(b, rows, cols, i, j, l, base, &live))
            return false;
        if (live > c->stage_peak || (live == c->stage_peak && patch < c->peak_patch)) {
            c->stage_peak = live;
            c->peak_patch = patch;
            c->peak_op = l;
        }
    }
    return true;
}

static uint32_t longest_tile(const axis_plan *ap, uint32_t k)
{
    uint32_t best = 0;
    for (uint32_t i = 1; i < ap->n; i++)
        if (mp_interval_len(ap->need[k * ap->n + i]) > mp_interval_len(ap->need[k * ap->n + best]))
            best = i;
    return best;
}

/*
 * An upper bound of the stage peak from each slot's largest region (in-place
 * depthwise counted only where it applies to every patch). When the patch
 * made of the longest row tile and the longest column tile of the balance
 * slot reaches it, that is the exact peak and no other patch is evaluated.
 */
static bool upper_bound(const block_info *b, const axis_plan *rows, const axis_plan *cols,
                        size_t base, size_t *ub)
{
    *ub = 0;
    for (uint32_t e = 0; e < b->n_region; e++) {
        uint32_t k = b->region_slot[e];
        size_t v = (size_t)rows->max_len[k] * (size_t)cols->max_len[k] * b->px_bytes[k];
        if (!mp_plan_aligned(b->opts, v, &b->scratch[k]))
            return false;
    }
    for (uint32_t l = 0; l < b->n_ops; l++) {
        size_t live;
        if (!mp_add_size(base, b->kernel[l], &live))
            return false;
        for (uint32_t e = b->live_start[l]; e < b->live_start[l + 1]; e++)
            if (!mp_add_size(live, b->scratch[b->live_slot[e]], &live))
                return false;
        if (b->inplace_ok[l] && rows->inplace_fits[l] && cols->inplace_fits[l]) {
            uint32_t o = (uint32_t)b->out_slot[l];
            size_t plane;
            const mp_tensor *t = &b->g->tensors[b->slots[o].id];
            if (!mp_plan_aligned(b->opts,
                                 (size_t)rows->max_len[o] * (size_t)cols->max_len[o] *
                                     mp_dtype_size(t->dtype),
                                 &plane))
                return false;
            live = live - b->scratch[o] + plane;
        }
        *ub = live > *ub ? live : *ub;
    }
    return true;
}

static bool stage_peak(const block_info *b, const axis_plan *rows, const axis_plan *cols,
                       size_t base, patch_cost *c)
{
    c->stage_peak = 0;
    c->peak_patch = 0;
    c->peak_op = 0;
    size_t ub;
    uint32_t k = (uint32_t)b->balance_slot;
    if (!upper_bound(b, rows, cols, base, &ub) ||
        !eval_patch(b, rows, cols, longest_tile(rows, k), longest_tile(cols, k), base, c))
        return false;
    if (c->stage_peak == ub)
        return true; /* exact: no patch can exceed the bound this patch reaches */
    for (uint32_t rc = 0; rc < rows->n_classes; rc++)
        for (uint32_t cc = 0; cc < cols->n_classes; cc++)
            if (!eval_patch(b, rows, cols, rows->class_tile[rc], cols->class_tile[cc], base, c))
                return false;
    return true;
}

/* MACs of the stage, false on overflow (halos recomputed by up to 64 x 64 tiles). */
static bool stage_macs(const block_info *b, const axis_plan *rows, const axis_plan *cols,
                       uint64_t *total)
{
    *total = 0;
    for (uint32_t l = 0; l < b->n_ops; l++) {
        if (!b->macs_per_px[l])
            continue;
        uint32_t o = (uint32_t)b->out_slot[l];
        uint64_t m;
        if (!mp_mul_u64(b->macs_per_px[l], (uint64_t)rows->comp_sum[o], &m) ||
            !mp_mul_u64(m, (uint64_t)cols->comp_sum[o], &m) || !mp_add_u64(*total, m, total))
            return false;
    }
    return true;
}

bool patch_cost_bound(const block_info *b, const axis_plan *rows, const axis_plan *cols,
                      mp_halo halo, size_t *peak_lb, size_t *stage_lb, uint64_t *macs)
{
    size_t cache = 0, base;
    patch_cost c = {0};
    if (!stage_macs(b, rows, cols, macs) || !mp_add_u64(*macs, b->other_macs, macs))
        return false;
    if ((halo != MP_HALO_RECOMPUTE && !cache_bytes(b, rows, cols, &cache)) ||
        !mp_add_size(b->whole_bytes, cache, &base))
        return false;
    uint32_t k = (uint32_t)b->balance_slot;
    if (!eval_patch(b, rows, cols, longest_tile(rows, k), longest_tile(cols, k), base, &c))
        return false;
    *stage_lb = c.stage_peak;
    *peak_lb = c.stage_peak > b->rest_peak ? c.stage_peak : b->rest_peak;
    return true;
}

bool patch_cost_eval(const block_info *b, const axis_plan *rows, const axis_plan *cols,
                     mp_halo halo, patch_cost *c)
{
    c->cache_bytes = 0;
    if (halo != MP_HALO_RECOMPUTE && !cache_bytes(b, rows, cols, &c->cache_bytes))
        return false;
    size_t base;
    if (!mp_add_size(b->whole_bytes, c->cache_bytes, &base) || !stage_peak(b, rows, cols, base, c))
        return false;
    c->peak = c->stage_peak > b->rest_peak ? c->stage_peak : b->rest_peak;
    return stage_macs(b, rows, cols, &c->stage_macs) &&
           mp_add_u64(c->stage_macs, b->other_macs, &c->macs);
}
