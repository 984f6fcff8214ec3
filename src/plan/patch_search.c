/* SPDX-License-Identifier: MIT */
/*
 * patch_search.c - the search over splits, grids, cuts and halo modes, the
 * Pareto front of (peak, MACs) and the recommendation (module plan).
 *
 * For every split (a block from step 0 to each patchable step) and cut
 * style, the row and column axis plans for 1..max tiles are built once per
 * halo handling of the axis and combined into every grid and halo mode, so
 * the region work is shared by all grids of a split.
 */
#include "patch_int.h"

#include "../util/alloc.h"
#include "../util/checked.h"

#include <stdlib.h>
#include <string.h>

void mp_search_opts_init(mp_search_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_rows = 8;
    o->max_cols = 8;
    o->halos = MP_HALO_ALL;
    o->balanced = true;
}

size_t mp_search_room(const mp_search_opts *so)
{
    return so->budget > so->reserve ? so->budget - so->reserve : 0;
}

size_t mp_search_missing(const mp_search_opts *so, size_t peak)
{
    size_t need;
    if (!mp_add_size(peak, so->reserve, &need))
        need = SIZE_MAX;
    return need > so->budget ? need - so->budget : 0;
}

uint64_t mp_search_mac_limit(const mp_search_opts *so, uint64_t per_layer_macs)
{
    double f = so->max_macs > 0 ? so->max_macs : so->have_budget ? 0 : MP_DEFAULT_MAC_ALLOWANCE;
    if (f <= 0)
        return UINT64_MAX;
    double lim = f * (double)per_layer_macs;
    if (!(lim < 18446744073709551615.0))
        return UINT64_MAX;
    return (uint64_t)lim;
}

void mp_patch_search_release(mp_patch_search *s)
{
    if (!s)
        return;
    mp_free(s->pareto);
    memset(s, 0, sizeof *s);
}

typedef struct point_list {
    mp_patch_point *v;
    size_t n, cap;
} point_list;

static bool push_point(point_list *pl, const mp_patch_point *p)
{
    if (pl->n == pl->cap) {
        size_t cap = pl->cap ? pl->cap * 2 : 256;
        mp_patch_point *v = mp_realloc(pl->v, cap * sizeof *v);
        if (!v)
            return false;
        pl->v = v;
        pl->cap = cap;
    }
    pl->v[pl->n++] = *p;
    return true;
}

/* Total order: peak, MACs, then a deterministic tie-break. */
static int cmp_point(const void *x, const void *y)
{
    const mp_patch_point *a = x, *b = y;
    if (a->peak != b->peak)
        return a->peak < b->peak ? -1 : 1;
    if (a->macs != b->macs)
        return a->macs < b->macs ? -1 : 1;
    if (a->last_step != b->last_step)
        return a->last_step < b->last_step ? -1 : 1;
    uint32_t ta = a->rows * a->cols, tb = b->rows * b->cols;
    if (ta != tb)
        return ta < tb ? -1 : 1; /* coarser grids first */
    uint32_t ga = a->rows * 1000 + a->cols, gb = b->rows * 1000 + b->cols;
    if (ga != gb)
        return ga < gb ? -1 : 1;
    if (a->halo != b->halo)
        return a->halo < b->halo ? -1 : 1;
    return (int)a->cuts - (int)b->cuts;
}

/*
 * The running Pareto front, used to skip the exact peak of schedules that a
 * schedule already found strictly dominates (lower bound of the peak and
 * exact MACs are enough to tell). Skipped schedules could not be on the
 * final front, so the front and the recommendation are unchanged.
 */
typedef struct running_front {
    mp_patch_point *v;
    size_t n, cap;
} running_front;

static bool dominated(const running_front *f, size_t peak_lb, uint64_t macs)
{
    for (size_t i = 0; i < f->n; i++) {
        const mp_patch_point *q = &f->v[i];
        if ((q->peak <= peak_lb && q->macs < macs) || (q->peak < peak_lb && q->macs <= macs))
            return true;
    }
    return false;
}

static bool front_add(running_front *f, const mp_patch_point *p)
{
    size_t w = 0;
    for (size_t i = 0; i < f->n; i++) {
        const mp_patch_point *q = &f->v[i];
        bool gone = (p->peak <= q->peak && p->macs < q->macs) ||
                    (p->peak < q->peak && p->macs <= q->macs);
        if (!gone)
            f->v[w++] = *q;
    }
    f->n = w;
    if (dominated(f, p->peak, p->macs))
        return true;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 32;
        mp_patch_point *v = mp_realloc(f->v, cap * sizeof *v);
        if (!v)
            return false;
        f->v = v;
        f->cap = cap;
    }
    f->v[f->n++] = *p;
    return true;
}

typedef struct split_ctx {
    const block_info *b;
    mp_halo halo;
    mp_cuts cuts;
    const axis_set *rows, *cols;
    running_front *front;
} split_ctx;

static mp_status eval_grids(split_ctx *c, point_list *pts, uint32_t *n_eval, mp_error *err)
{
    const block_info *b = c->b;
    for (uint32_t r = 1; r <= c->rows->n; r++) {
        for (uint32_t k = 1; k <= c->cols->n; k++) {
            const axis_plan *ar = &c->rows->p[r], *ac = &c->cols->p[k];
            if (r * k == 1)
                continue; /* one patch: the per-layer schedule */
            if (c->halo == MP_HALO_CACHE_COLS && (r == 1 || k == 1))
                continue; /* the same as recompute (one column) or cache (one row) */
            if (!ar->cache_ok || !ac->cache_ok)
                continue; /* regions do not advance monotonically: cannot cache */
            patch_cost cost;
            size_t lb, stage_lb;
            uint64_t macs;
            if (!patch_cost_bound(b, ar, ac, c->halo, &lb, &stage_lb, &macs))
                return mp_errorf(err, MP_E_OVERFLOW, "patch search: byte or MAC counts overflow");
            (*n_eval)++;
            if (dominated(c->front, lb, macs))
                continue;
            if (!patch_cost_eval(b, ar, ac, c->halo, &cost))
                return mp_errorf(err, MP_E_OVERFLOW, "patch search: byte or MAC counts overflow");
            mp_patch_point p = {
                .last_step = b->last_step, .split = b->slots[b->split_slot].id,
                .rows = r, .cols = k, .cuts = c->cuts, .halo = c->halo,
                .peak = cost.peak, .stage_peak = cost.stage_peak, .rest_peak = b->rest_peak,
                .macs = cost.macs,
                .overhead = b->g->macs ? (double)cost.macs / (double)b->g->macs - 1.0 : 0.0,
            };
            if (!push_point(pts, &p) || !front_add(c->front, &p))
                return mp_errorf(err, MP_E_NOMEM, "out of memory");
        }
    }
    return MP_OK;
}

/* Every halo mode of one split and cut style; the axis plans are built at
 * most once per axis and halo handling (cache-cols shares recompute's rows
 * and cache's columns). Each mode has its own running front. */
static mp_status search_cuts(const block_info *b, const mp_search_opts *so, uint32_t halos,
                             mp_cuts cuts, point_list *pts, running_front *front,
                             uint32_t *n_eval, mp_error *err)
{
    axis_set *sets = mp_calloc(4, sizeof *sets); /* [axis * 2 + cached] */
    if (!sets)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    mp_status st = MP_OK;
    for (int h = 0; st == MP_OK && h < MP_HALO_COUNT; h++) {
        if (!(halos & MP_HALO_BIT(h)))
            continue;
        int rc = mp_halo_on_axis((mp_halo)h, 0) == MP_HALO_CACHE;
        int cc = mp_halo_on_axis((mp_halo)h, 1) == MP_HALO_CACHE;
        st = axis_set_build(b, 0, so->max_rows, cuts, rc ? MP_HALO_CACHE : MP_HALO_RECOMPUTE,
                            &sets[rc], err);
        if (st == MP_OK)
            st = axis_set_build(b, 1, so->max_cols, cuts, cc ? MP_HALO_CACHE : MP_HALO_RECOMPUTE,
                                &sets[2 + cc], err);
        split_ctx c = {b, (mp_halo)h, cuts, &sets[rc], &sets[2 + cc], &front[h]};
        if (st == MP_OK)
            st = eval_grids(&c, pts, n_eval, err);
    }
    for (int k = 0; k < 4; k++)
        axis_set_release(&sets[k]);
    mp_free(sets);
    return st;
}

static mp_status search_split(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                              const mp_search_opts *so, uint32_t halos, uint32_t last,
                              point_list *pts, running_front *front, uint32_t *n_eval,
                              mp_error *err)
{
    block_info b = {0};
    mp_status st = block_init(&b, g, pl, opts, 0, last, err);
    for (int cu = MP_CUTS_EVEN; st == MP_OK && cu <= MP_CUTS_BALANCED; cu++)
        if (cu == MP_CUTS_EVEN || so->balanced)
            st = search_cuts(&b, so, halos, (mp_cuts)cu, pts, front, n_eval, err);
    block_release(&b);
    return st;
}

/*
 * The splits with lower bounds of their peak and MACs (patch_bound.c), the
 * lowest peak bound first (ties: earlier split): the splits most likely to
 * give low peaks run first, and later ones whose bounds a front point
 * already strictly dominates, or that cannot go below the per-layer peak,
 * are skipped. Their points could not be on the front (make_front drops
 * points at or above the per-layer peak), and the front is sorted by a
 * total order, so it does not depend on the order of the splits.
 */
typedef struct split_bound {
    uint32_t last;
    bool known;      /* false: a bound overflowed (the split is searched) */
    size_t peak_lb;
    uint64_t macs_lb;
} split_bound;

static int cmp_split(const void *x, const void *y)
{
    const split_bound *a = x, *b = y;
    if (a->peak_lb != b->peak_lb)
        return a->peak_lb < b->peak_lb ? -1 : 1;
    return a->last < b->last ? -1 : a->last > b->last;
}

static mp_status split_bounds(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                              const mp_search_opts *so, int32_t last, split_bound **out,
                              mp_error *err)
{
    uint32_t n = last >= 0 ? (uint32_t)last + 1 : 0;
    split_bound *sb = mp_calloc(n ? n : 1, sizeof *sb);
    block_bound bb;
    if (!sb)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    *out = sb;
    if (so->exhaustive || n == 0) {
        for (uint32_t s = 0; s < n; s++)
            sb[s] = (split_bound){s, true, 0, 0};
        return MP_OK;
    }
    MP_TRY(block_bound_init(&bb, g, pl, opts, so->max_rows, so->max_cols, err));
    size_t rest = 0; /* the per-layer peak after the split: part of every peak */
    for (uint32_t s = pl->n_steps; s-- > 0;) {
        if (s < n) {
            size_t stage;
            uint64_t macs;
            sb[s] = (split_bound){s, block_bound_eval(&bb, 0, s, &stage, &macs), 0, 0};
            if (sb[s].known) {
                sb[s].peak_lb = stage > rest ? stage : rest;
                sb[s].macs_lb = macs;
            }
        }
        rest = pl->steps[s].live_bytes > rest ? pl->steps[s].live_bytes : rest;
    }
    block_bound_release(&bb);
    qsort(sb, n, sizeof *sb, cmp_split);
    return MP_OK;
}

/*
 * The front over every halo mode: sorted by peak then MACs (then the
 * tie-break of cmp_point), a point is kept when it costs fewer MACs than
 * every point with a lower or equal peak, so no kept point is dominated.
 */
static mp_status make_front(point_list *pts, mp_patch_search *out, mp_error *err)
{
    if (pts->n == 0)
        return MP_OK;
    qsort(pts->v, pts->n, sizeof *pts->v, cmp_point);
    out->pareto = mp_calloc(pts->n, sizeof *out->pareto);
    if (!out->pareto)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    uint64_t best_macs = UINT64_MAX;
    for (size_t i = 0; i < pts->n; i++) {
        if (pts->v[i].peak >= out->per_layer_peak)
            break; /* no lower than per-layer: never worth patching */
        if (pts->v[i].macs < best_macs) {
            out->pareto[out->n_pareto++] = pts->v[i];
            best_macs = pts->v[i].macs;
        }
    }
    return MP_OK;
}

void mp_patch_search_recommend(mp_patch_search *s, const mp_search_opts *so)
{
    s->fits = true;
    s->per_layer_best = true;
    s->have_best = false;
    s->missing_bytes = 0;
    uint64_t limit = mp_search_mac_limit(so, s->per_layer_macs);
    if (so->have_budget && !mp_search_missing(so, s->per_layer_peak))
        return;
    /* The front is by peak ascending and MACs descending: without a budget the
     * first point within the allowance is the lowest peak; with one, the last
     * point that fits is the cheapest. */
    for (uint32_t i = 0; i < s->n_pareto; i++) {
        const mp_patch_point *p = &s->pareto[i];
        if (p->macs > limit)
            continue;
        if (so->have_budget && mp_search_missing(so, p->peak))
            break;
        s->best = *p;
        s->have_best = true;
        s->per_layer_best = false;
        if (!so->have_budget)
            return;
    }
    if (s->have_best || !so->have_budget)
        return;
    s->fits = false;
    size_t peak = s->per_layer_peak;
    for (uint32_t i = 0; i < s->n_pareto; i++) {
        if (s->pareto[i].macs <= limit) { /* the lowest peak within the allowance */
            s->best = s->pareto[i];
            s->have_best = true;
            s->per_layer_best = false;
            peak = s->pareto[i].peak;
            break;
        }
    }
    s->missing_bytes = mp_search_missing(so, peak);
}

mp_status mp_patch_search_run(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                              const mp_search_opts *so, mp_patch_search *out, mp_error *err)
{
    memset(out, 0, sizeof *out);
    out->per_layer_peak = pl->peak_bytes;
    out->per_layer_macs = g->macs;
    uint32_t *order = mp_calloc(pl->n_steps, sizeof *order);
    if (!order)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t s = 0; s < pl->n_steps; s++)
        order[s] = pl->steps[s].op;
    int32_t last = mp_patch_last_patchable_step(g, order);
    mp_free(order);
    point_list pts = {0};
    running_front front[MP_HALO_COUNT] = {{0}};
    split_bound *sb = NULL;
    mp_status st = split_bounds(g, pl, opts, so, last, &sb, err);
    for (int32_t i = 0; i <= last && st == MP_OK; i++) {
        uint32_t halos = so->halos;
        for (int h = 0; !so->exhaustive && sb[i].known && h < MP_HALO_COUNT; h++)
            if (sb[i].peak_lb >= pl->peak_bytes || dominated(&front[h], sb[i].peak_lb, sb[i].macs_lb))
                halos &= ~MP_HALO_BIT(h); /* no schedule of this split can reach the front */
        if (halos)
            st = search_split(g, pl, opts, so, halos, sb[i].last, &pts, front, &out->n_evaluated,
                              err);
    }
    mp_free(sb);
    if (st == MP_OK)
        st = make_front(&pts, out, err);
    mp_free(pts.v);
    for (int h = 0; h < MP_HALO_COUNT; h++)
        mp_free(front[h].v);
    if (st != MP_OK) {
        mp_patch_search_release(out);
        return st;
    }
    mp_patch_search_recommend(out, so);
    return MP_OK;
}
