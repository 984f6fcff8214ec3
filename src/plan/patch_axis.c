/* SPDX-License-Identifier: MIT */
/*
 * patch_axis.c - regions along one axis (module plan).
 *
 * Regions of a grid are separable: the rows a tensor needs in patch (i, j)
 * depend only on the patch row i, the columns only on j. So the whole region
 * computation is done per axis on intervals, once per tiling, and reused for
 * every grid that has that tiling on that axis.
 *
 * For tile i the ops of the block are walked backwards. A slot's need is the
 * bounding interval of its tile (OUTPUT slots) and of what its readers'
 * computed intervals require; its computed interval is the need
 * (MP_HALO_RECOMPUTE), or the need minus what earlier tiles already computed
 * (MP_HALO_CACHE: needs only grow along an axis, so "already computed" is
 * everything below the largest need end so far).
 */
#include "patch_int.h"

#include "../util/alloc.h"

#include <string.h>

static mp_interval hull(mp_interval x, mp_interval y)
{
    if (x.b <= x.a)
        return y;
    if (y.b <= y.a)
        return x;
    return (mp_interval){x.a < y.a ? x.a : y.a, x.b > y.b ? x.b : y.b};
}

/* Tile i of an OUTPUT slot of size sz, scaled from the cuts on S (size ssz). */
static mp_interval output_tile(const int32_t *cuts, uint32_t n, uint32_t i, int32_t sz,
                               int32_t ssz)
{
    int32_t a = (int32_t)((int64_t)cuts[i] * sz / ssz);
    int32_t b = i + 1 == n ? sz : (int32_t)((int64_t)cuts[i + 1] * sz / ssz);
    return (mp_interval){a, b};
}

/* Propagate tile i; done[] holds, per slot, the largest need end of earlier tiles. */
static void propagate_tile(const block_info *b, int axis, const int32_t *cuts, uint32_t n,
                           uint32_t i, mp_halo halo, mp_interval *need, mp_interval *comp,
                           int32_t *done)
{
    const mp_graph *g = b->g;
    int32_t ssz = block_axis_size(g, b->slots[b->split_slot].id, axis);
    for (uint32_t k = 0; k < b->n_slots; k++) {
        need[k * n + i] = (mp_interval){0, 0};
        if (b->slots[k].role == MP_ROLE_OUTPUT || (b->reduces && (int32_t)k == b->split_slot))
            need[k * n + i] =
                output_tile(cuts, n, i, block_axis_size(g, b->slots[k].id, axis), ssz);
    }
    if (b->reduces) { /* the reduction takes its input's tile; it writes its output at the end */
        uint32_t o = (uint32_t)b->out_slot[b->n_ops - 1];
        need[o * n + i] = comp[o * n + i] = i + 1 == n ? (mp_interval){0, 1} : (mp_interval){0, 0};
    }
    for (uint32_t l = b->reduces ? b->n_ops - 1 : b->n_ops; l-- > 0;) {
        uint32_t o = (uint32_t)b->out_slot[l];
        mp_interval nd = need[o * n + i], cp = nd;
        if (halo == MP_HALO_CACHE && done[o] > cp.a)
            cp.a = done[o];
        if (cp.b <= cp.a)
            cp = (mp_interval){0, 0};
        comp[o * n + i] = cp;
        for (uint32_t e = b->in_start[l]; e < b->in_start[l + 1]; e++) {
            uint32_t q = b->in_slot[e];
            mp_interval iv = block_backprop(g, b->ops[l], b->in_operand[e], axis, cp, NULL);
            need[q * n + i] = hull(need[q * n + i], iv);
        }
    }
    for (uint32_t k = 0; k < b->n_slots; k++) {
        mp_interval nd = need[k * n + i];
        if (b->slots[k].role == MP_ROLE_WHOLE_INPUT || b->slots[k].role == MP_ROLE_STREAM_INPUT) {
            mp_interval cp = nd;
            if (halo == MP_HALO_CACHE && done[k] > cp.a)
                cp.a = done[k];
            comp[k * n + i] = cp.b > cp.a ? cp : (mp_interval){0, 0};
        }
        if (nd.b > nd.a && nd.b > done[k])
            done[k] = nd.b;
    }
}

static mp_status propagate_all(const block_info *b, int axis, const int32_t *cuts, uint32_t n,
                               mp_halo halo, mp_interval *need, mp_interval *comp, mp_error *err)
{
    int32_t *done = mp_calloc(b->n_slots ? b->n_slots : 1, sizeof *done);
    if (!done)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++)
        propagate_tile(b, axis, cuts, n, i, halo, need, comp, done);
    mp_free(done);
    return MP_OK;
}

static void even_cuts(int32_t ssz, uint32_t n, int32_t *cuts)
{
    for (uint32_t k = 0; k <= n; k++)
        cuts[k] = (int32_t)((int64_t)k * ssz / n);
}

/* Greedy tiling: tiles as long as the balance slot's need stays <= limit. */
static uint32_t greedy_tiles(const mp_interval *single, int32_t ssz, int32_t limit, int32_t *cuts,
                             uint32_t max_tiles)
{
    uint32_t count = 0;
    int32_t a = 0;
    while (a < ssz) {
        if (cuts && count <= max_tiles)
            cuts[count] = a;
        count++;
        int32_t e = a + 1;
        while (e < ssz && single[e].b - single[a].a <= limit)
            e++;
        a = e;
    }
    return count;
}

/*
 * The balance slot's needed interval for every single row (column) of S,
 * computed once per block and axis (balanced cuts of every tile count and
 * halo mode use it). Left NULL when S is huge or the needs do not move
 * forward monotonically (balanced cuts then fall back to even cuts).
 */
mp_status axis_balance_needs(block_info *b, int axis, mp_error *err)
{
    int32_t ssz = block_axis_size(b->g, b->slots[b->split_slot].id, axis);
    b->balance_need[axis] = NULL;
    if (ssz > 4096 || ssz < 2)
        return MP_OK;
    size_t cells = (size_t)b->n_slots * (size_t)ssz;
    mp_interval *need = mp_calloc(cells, sizeof *need), *comp = mp_calloc(cells, sizeof *comp);
    int32_t *single_cuts = mp_calloc((size_t)ssz + 1, sizeof *single_cuts);
    mp_interval *single = mp_calloc((size_t)ssz, sizeof *single);
    mp_status st = MP_OK;
    if (!need || !comp || !single_cuts || !single) {
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
        goto out;
    }
    even_cuts(ssz, (uint32_t)ssz, single_cuts);
    st = propagate_all(b, axis, single_cuts, (uint32_t)ssz, MP_HALO_RECOMPUTE, need, comp, err);
    if (st != MP_OK)
        goto out;
    memcpy(single, need + (size_t)b->balance_slot * (size_t)ssz, (size_t)ssz * sizeof *single);
    for (int32_t r = 0; r < ssz; r++)
        if (single[r].b <= single[r].a || (r > 0 && (single[r].a < single[r - 1].a ||
                                                     single[r].b < single[r - 1].b)))
            goto out; /* not monotone: keep even cuts */
    b->balance_need[axis] = single;
    single = NULL;
out:
    mp_free(need);
    mp_free(comp);
    mp_free(single_cuts);
    mp_free(single);
    return st;
}

/* Uneven cuts that equalise the balance slot's region lengths (edge tiles get
 * more rows because their halo is clipped). Falls back to even cuts. */
static void balanced_cuts(const block_info *b, int axis, uint32_t n, int32_t *cuts)
{
    int32_t ssz = block_axis_size(b->g, b->slots[b->split_slot].id, axis);
    const mp_interval *single = b->balance_need[axis];
    even_cuts(ssz, n, cuts);
    if (!single || n <= 1)
        return;
    int32_t lo = 1, hi = single[ssz - 1].b - single[0].a;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (greedy_tiles(single, ssz, mid, NULL, 0) <= n)
            hi = mid;
        else
            lo = mid + 1;
    }
    uint32_t m = greedy_tiles(single, ssz, lo, cuts, n);
    cuts[m] = ssz;
    while (m < n) { /* split the tile with most rows until there are n */
        uint32_t w = 0;
        for (uint32_t t = 1; t < m; t++)
            if (cuts[t + 1] - cuts[t] > cuts[w + 1] - cuts[w])
                w = t;
        memmove(cuts + w + 2, cuts + w + 1, (size_t)(m - w) * sizeof *cuts);
        cuts[w + 1] = cuts[w] + (cuts[w + 2] - cuts[w]) / 2;
        m++;
    }
}

static mp_status given_cuts(const block_info *b, int axis, uint32_t n, const int32_t *given,
                            int32_t *cuts, mp_error *err)
{
    int32_t ssz = block_axis_size(b->g, b->slots[b->split_slot].id, axis);
    const char *what = axis ? "column" : "row";
    if (!given)
        return mp_errorf(err, MP_E_INVALID, "patch grid: no %s cuts given", what);
    if (given[0] != 0 || given[n] != ssz)
        return mp_errorf(err, MP_E_INVALID, "patch grid: %s cuts must run from 0 to %d", what, ssz);
    for (uint32_t k = 0; k < n; k++)
        if (given[k + 1] <= given[k])
            return mp_errorf(err, MP_E_INVALID, "patch grid: %s cuts must increase", what);
    memcpy(cuts, given, ((size_t)n + 1) * sizeof *cuts);
    return MP_OK;
}

/*
 * Caches are sliding windows: a slot's row cache holds the last K rows
 * computed so far (all needed columns), its column cache the last K columns
 * computed in the current patch row (the whole region height). K is the
 * largest look-back of any tile: how far below the end of what is already
 * computed its needed interval starts. That is all a tile can need from
 * earlier tiles when every non-empty needed interval moves forward (both
 * ends non-decreasing); this holds for chains and residual blocks, while a
 * branch feeding an output of another resolution can break it, and then
 * caching is not offered for that tiling.
 */
int32_t axis_cache_len(const axis_plan *ap, uint32_t k)
{
    int32_t done = INT32_MIN, best = 0;
    for (uint32_t i = 0; i < ap->n; i++) {
        mp_interval v = ap->need[k * ap->n + i];
        if (v.b <= v.a)
            continue;
        if (done > v.a && done - v.a > best)
            best = (done < v.b ? done : v.b) - v.a;
        done = v.b > done ? v.b : done;
    }
    return best;
}

static void check_cacheable(const block_info *b, axis_plan *ap)
{
    ap->cache_ok = true;
    ap->cache_bad_slot = -1;
    for (uint32_t k = 0; k < b->n_slots && ap->cache_ok; k++) {
        if (b->slots[k].role == MP_ROLE_WHOLE_INPUT)
            continue;
        mp_interval prev = {0, 0};
        for (uint32_t i = 0; i < ap->n && ap->cache_ok; i++) {
            mp_interval v = ap->need[k * ap->n + i];
            if (v.b <= v.a)
                continue;
            if (prev.b > prev.a && (v.a < prev.a || v.b < prev.b))
                ap->cache_ok = false;
            prev = v;
        }
        if (!ap->cache_ok)
            ap->cache_bad_slot = (int32_t)k;
    }
}

/* Group tiles whose working regions have the same lengths (same memory). */
static void find_classes(const block_info *b, axis_plan *ap)
{
    ap->n_classes = 0;
    for (uint32_t i = 0; i < ap->n; i++) {
        bool found = false;
        for (uint32_t c = 0; c < ap->n_classes && !found; c++) {
            uint32_t r = ap->class_tile[c];
            found = true;
            for (uint32_t k = 0; k < b->n_slots && found; k++) {
                mp_stage_role role = b->slots[k].role;
                if (role != MP_ROLE_WORKING && role != MP_ROLE_STREAM_INPUT)
                    continue;
                found = mp_interval_len(ap->need[k * ap->n + i]) ==
                        mp_interval_len(ap->need[k * ap->n + r]);
            }
        }
        if (!found)
            ap->class_tile[ap->n_classes++] = i;
    }
}

/* Per slot: summed computed length (MACs), longest and hull length of the
 * needs, and the cache length (cache mode), so each grid costs O(slots). */
static void slot_sums(const block_info *b, axis_plan *ap, mp_halo halo)
{
    for (uint32_t k = 0; k < b->n_slots; k++) {
        int64_t sum = 0;
        int32_t lo = INT32_MAX, hi = 0, longest = 0;
        for (uint32_t i = 0; i < ap->n; i++) {
            mp_interval c = ap->comp[k * ap->n + i], v = ap->need[k * ap->n + i];
            sum += mp_interval_len(c);
            longest = mp_interval_len(v) > longest ? mp_interval_len(v) : longest;
            if (v.b > v.a) {
                lo = v.a < lo ? v.a : lo;
                hi = v.b > hi ? v.b : hi;
            }
        }
        ap->comp_sum[k] = sum;
        ap->max_len[k] = longest;
        ap->hull_len[k] = hi > lo ? hi - lo : 0;
        ap->cache_len[k] = halo == MP_HALO_CACHE ? axis_cache_len(ap, k) : 0;
    }
}

/* In-place depthwise inside a stage is decided once for all patches (buffers
 * have one layout): the output's region must never be longer than its
 * input's on this axis. */
static void inplace_fits(const block_info *b, axis_plan *ap)
{
    for (uint32_t l = 0; l < b->n_ops; l++) {
        ap->inplace_fits[l] = 0;
        if (!b->inplace_ok[l])
            continue;
        uint32_t q = b->in_slot[b->in_start[l]], o = (uint32_t)b->out_slot[l];
        uint8_t ok = 1;
        for (uint32_t i = 0; i < ap->n && ok; i++)
            ok = mp_interval_len(ap->need[o * ap->n + i]) <= mp_interval_len(ap->need[q * ap->n + i]);
        ap->inplace_fits[l] = ok;
    }
}

mp_status axis_plan_build(const block_info *b, int axis, uint32_t n, mp_cuts cuts,
                          const int32_t *given, mp_halo halo, axis_plan *ap, mp_error *err)
{
    memset(ap, 0, sizeof *ap);
    halo = mp_halo_on_axis(halo, axis);
    int32_t ssz = block_axis_size(b->g, b->slots[b->split_slot].id, axis);
    if (n < 1 || n > MP_PATCH_MAX_GRID || (int32_t)n > ssz)
        return mp_errorf(err, MP_E_INVALID, "patch grid: %u %s tiles for a split of %d %s", n,
                         axis ? "column" : "row", ssz, axis ? "columns" : "rows");
    ap->n = n;
    size_t cells = (size_t)b->n_slots * n;
    ap->cuts = mp_calloc((size_t)n + 1, sizeof *ap->cuts);
    ap->need = mp_calloc(cells, sizeof *ap->need);
    ap->comp = mp_calloc(cells, sizeof *ap->comp);
    ap->class_tile = mp_calloc(n, sizeof *ap->class_tile);
    ap->inplace_fits = mp_calloc(b->n_ops, sizeof *ap->inplace_fits);
    uint32_t ns = b->n_slots ? b->n_slots : 1;
    ap->comp_sum = mp_calloc(ns, sizeof *ap->comp_sum);
    ap->max_len = mp_calloc(ns, sizeof *ap->max_len);
    ap->hull_len = mp_calloc(ns, sizeof *ap->hull_len);
    ap->cache_len = mp_calloc(ns, sizeof *ap->cache_len);
    if (!ap->cuts || !ap->need || !ap->comp || !ap->class_tile || !ap->inplace_fits ||
        !ap->comp_sum || !ap->max_len || !ap->hull_len || !ap->cache_len) {
        axis_plan_release(ap);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    mp_status st = MP_OK;
    if (cuts == MP_CUTS_GIVEN)
        st = given_cuts(b, axis, n, given, ap->cuts, err);
    else if (cuts == MP_CUTS_BALANCED)
        balanced_cuts(b, axis, n, ap->cuts);
    else
        even_cuts(ssz, n, ap->cuts);
    if (st == MP_OK)
        st = propagate_all(b, axis, ap->cuts, n, halo, ap->need, ap->comp, err);
    if (st != MP_OK) {
        axis_plan_release(ap);
        return st;
    }
    if (halo == MP_HALO_CACHE)
        check_cacheable(b, ap);
    else
        ap->cache_ok = true;
    find_classes(b, ap);
    inplace_fits(b, ap);
    slot_sums(b, ap, halo);
    return MP_OK;
}

void axis_plan_release(axis_plan *ap)
{
    mp_free(ap->cuts);
    mp_free(ap->need);
    mp_free(ap->comp);
    mp_free(ap->class_tile);
    mp_free(ap->inplace_fits);
    mp_free(ap->comp_sum);
    mp_free(ap->max_len);
    mp_free(ap->hull_len);
    mp_free(ap->cache_len);
    memset(ap, 0, sizeof *ap);
}

void axis_set_release(axis_set *a)
{
    for (uint32_t k = 1; k <= a->n; k++)
        axis_plan_release(&a->p[k]);
    a->n = 0;
}

mp_status axis_set_build(const block_info *b, int axis, uint32_t max, mp_cuts cuts, mp_halo halo,
                         axis_set *a, mp_error *err)
{
    if (a->n)
        return MP_OK;
    int32_t sz = block_axis_size(b->g, b->slots[b->split_slot].id, axis);
    uint32_t n = (uint32_t)sz < max ? (uint32_t)sz : max;
    for (uint32_t k = 1; k <= n; k++) {
        MP_TRY(axis_plan_build(b, axis, k, cuts, NULL, halo, &a->p[k], err));
        a->n = k;
    }
    return MP_OK;
}
