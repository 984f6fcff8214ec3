/* SPDX-License-Identifier: MIT */
/*
 * fused.c - multi-stage fused tiling (module plan).
 *
 * Candidates: every per-layer step (its per-layer live bytes and MACs) and
 * every block of consecutive patchable steps i..j with every grid, cut style
 * and halo mode, of which only the (peak, MACs)-Pareto-optimal ones are kept
 * per block. A cover of the steps by candidates is a path from boundary 0 to
 * boundary n over layer boundaries; its peak is the max of its segments'
 * peaks, its MACs their sum. Segment costs are independent of each other
 * (tensors crossing a boundary are whole in both segments), so:
 *
 *   f(P) = fewest MACs of a path whose segments all peak at <= P
 *
 * is a shortest path in a DAG. f is a non-increasing step function of P; the
 * Pareto front is its steps. Starting from the smallest feasible P, each next
 * step is found by binary search over the sorted candidate peaks (f is
 * monotone), so the front is exact over the candidate set and costs
 * O(front x log(candidates) x edges). A limit on the number of tiled blocks
 * adds a dimension to the path state.
 */
#include "fused_int.h"
#include "patch_int.h"

#include "../util/alloc.h"

#include <stdlib.h>
#include <string.h>

void mp_fused_opts_init(mp_fused_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_rows = 8;
    o->max_cols = 8;
    o->halos = MP_HALO_ALL;
    o->balanced = true;
    o->jobs = 1;
}

typedef struct fused_priv {
    cand_list cands;         /* sorted by first step */
    uint32_t n_nodes;        /* n_ops + 1 boundaries */
    uint32_t *start;         /* per node: first candidate starting there (CSR) */
} fused_priv;

static int cmp_first(const void *x, const void *y)
{
    const mp_fused_seg *a = x, *b = y;
    if (a->first_step != b->first_step)
        return a->first_step < b->first_step ? -1 : 1;
    if (a->last_step != b->last_step)
        return a->last_step < b->last_step ? -1 : 1;
    if (a->peak != b->peak)
        return a->peak < b->peak ? -1 : 1;
    return a->macs < b->macs ? -1 : a->macs > b->macs;
}

static mp_status collect(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                         const mp_fused_opts *fo, fused_priv *fp, mp_fused_result *r,
                         mp_error *err)
{
    uint32_t n = pl->n_steps;
    for (uint32_t s = 0; s < n; s++) {
        const mp_op *op = &g->ops[pl->steps[s].op];
        mp_fused_seg seg = {s, s, false, 1, 1, MP_CUTS_EVEN, MP_HALO_RECOMPUTE,
                            pl->steps[s].live_bytes, op->macs};
        if (!push_cand(&fp->cands, &seg))
            return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    uint64_t n_blocks = 0;
    MP_TRY(fused_blocks(g, pl, opts, fo, &fp->cands, &n_blocks, &r->n_evaluated, err));
    r->n_blocks = (uint32_t)n_blocks;
    qsort(fp->cands.v, fp->cands.n, sizeof *fp->cands.v, cmp_first);
    fp->n_nodes = n + 1;
    fp->start = mp_calloc((size_t)fp->n_nodes + 1, sizeof *fp->start);
    if (!fp->start)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t k = 0; k < fp->cands.n; k++)
        fp->start[fp->cands.v[k].first_step + 1]++;
    for (uint32_t v = 0; v < fp->n_nodes; v++)
        fp->start[v + 1] += fp->start[v];
    r->n_candidates = fp->cands.n;
    return MP_OK;
}

/* ---- paths ---------------------------------------------------------------------------- */

typedef struct path_dp {
    const fused_priv *fp;
    uint32_t kdim;     /* max_stages + 1, or 1 without a limit */
    uint64_t *dist;    /* [node * kdim + k] fewest MACs, UINT64_MAX unreachable */
    uint32_t *blocks;  /* tiled blocks of that path (ties of MACs: fewer blocks) */
    int32_t *via;      /* candidate reaching it */
    uint32_t *prev_k;
} path_dp;

/* f(limit): fewest MACs from boundary 0 to n with every segment peak <= limit. */
static uint64_t run_dp(path_dp *d, size_t limit)
{
    const fused_priv *fp = d->fp;
    uint32_t nn = fp->n_nodes, kd = d->kdim;
    for (uint32_t i = 0; i < nn * kd; i++) {
        d->dist[i] = UINT64_MAX;
        d->blocks[i] = UINT32_MAX;
    }
    d->dist[0] = 0;
    d->blocks[0] = 0;
    for (uint32_t v = 0; v + 1 < nn; v++) {
        for (uint32_t k = 0; k < kd; k++) {
            uint64_t base = d->dist[v * kd + k];
            if (base == UINT64_MAX)
                continue;
            for (uint32_t c = fp->start[v]; c < fp->start[v + 1]; c++) {
                const mp_fused_seg *s = &fp->cands.v[c];
                if (s->peak > limit)
                    continue;
                uint32_t k2 = kd > 1 ? k + s->tiled : 0;
                if (k2 >= kd)
                    continue;
                uint32_t w = (s->last_step + 1) * kd + k2;
                uint32_t nb = d->blocks[v * kd + k] + s->tiled;
                if (base + s->macs < d->dist[w] ||
                    (base + s->macs == d->dist[w] && nb < d->blocks[w])) {
                    d->dist[w] = base + s->macs;
                    d->blocks[w] = nb;
                    d->via[w] = (int32_t)c;
                    d->prev_k[w] = k;
                }
            }
        }
    }
    uint64_t best = UINT64_MAX;
    for (uint32_t k = 0; k < kd; k++)
        best = d->dist[(nn - 1) * kd + k] < best ? d->dist[(nn - 1) * kd + k] : best;
    return best;
}

/* The path found by the last run_dp, as a front point. */
static mp_status take_path(const path_dp *d, mp_fused_point *pt, mp_error *err)
{
    const fused_priv *fp = d->fp;
    uint32_t nn = fp->n_nodes, kd = d->kdim, k = 0;
    for (uint32_t q = 1; q < kd; q++) {
        uint32_t a = (nn - 1) * kd + q, b = (nn - 1) * kd + k;
        if (d->dist[a] < d->dist[b] || (d->dist[a] == d->dist[b] && d->blocks[a] < d->blocks[b]))
            k = q;
    }
    uint32_t count = 0;
    for (uint32_t v = nn - 1, kk = k; v > 0; count++) {
        const mp_fused_seg *s = &fp->cands.v[d->via[v * kd + kk]];
        kk = d->prev_k[v * kd + kk];
        v = s->first_step;
    }
    pt->segs = mp_calloc(count ? count : 1, sizeof *pt->segs);
    if (!pt->segs)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    pt->n_segs = count;
    pt->peak = 0;
    pt->macs = 0;
    for (uint32_t v = nn - 1, kk = k, i = count; v > 0;) {
        const mp_fused_seg *s = &fp->cands.v[d->via[v * kd + kk]];
        pt->segs[--i] = *s;
        pt->peak = s->peak > pt->peak ? s->peak : pt->peak;
        pt->macs += s->macs;
        kk = d->prev_k[v * kd + kk];
        v = s->first_step;
    }
    return MP_OK;
}

static int cmp_size(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? -1 : a > b;
}

/* Sorted distinct candidate peaks. */
static size_t *distinct_peaks(const fused_priv *fp, uint32_t *m)
{
    size_t *v = mp_calloc(fp->cands.n ? fp->cands.n : 1, sizeof *v);
    if (!v)
        return NULL;
    for (uint32_t i = 0; i < fp->cands.n; i++)
        v[i] = fp->cands.v[i].peak;
    qsort(v, fp->cands.n, sizeof *v, cmp_size);
    uint32_t w = 0;
    for (uint32_t i = 0; i < fp->cands.n; i++)
        if (!w || v[i] != v[w - 1])
            v[w++] = v[i];
    *m = w;
    return v;
}

/* Smallest index in [lo, hi] whose f is < bound (f non-increasing); hi + 1 if none. */
static uint32_t first_below(path_dp *d, const size_t *peaks, uint32_t lo, uint32_t hi,
                            uint64_t bound)
{
    uint32_t a = lo, b = hi + 1;
    while (a < b) {
        uint32_t mid = a + (b - a) / 2;
        if (run_dp(d, peaks[mid]) < bound)
            b = mid;
        else
            a = mid + 1;
    }
    return a;
}

static mp_status front(path_dp *d, mp_fused_result *r, mp_error *err)
{
    uint32_t m = 0;
    size_t *peaks = distinct_peaks(d->fp, &m);
    r->pareto = mp_calloc(m ? m : 1, sizeof *r->pareto);
    if (!peaks || !r->pareto) {
        mp_free(peaks);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    mp_status st = MP_OK;
    uint32_t idx = m ? first_below(d, peaks, 0, m - 1, UINT64_MAX) : 0;
    while (st == MP_OK && idx < m) {
        uint64_t macs = run_dp(d, peaks[idx]);
        mp_fused_point *pt = &r->pareto[r->n_pareto];
        st = take_path(d, pt, err);
        if (st != MP_OK)
            break;
        pt->factor = r->per_layer_macs ? (double)pt->macs / (double)r->per_layer_macs : 1.0;
        r->n_pareto++;
        idx = idx + 1 < m ? first_below(d, peaks, idx + 1, m - 1, macs) : m;
    }
    mp_free(peaks);
    return st;
}

void mp_fused_release(mp_fused_result *r)
{
    if (!r)
        return;
    for (uint32_t i = 0; i < r->n_pareto; i++)
        mp_free(r->pareto[i].segs);
    mp_free(r->pareto);
    fused_priv *fp = r->priv;
    if (fp) {
        mp_free(fp->cands.v);
        mp_free(fp->start);
        mp_free(fp);
    }
    memset(r, 0, sizeof *r);
}

mp_status mp_fused_search(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                          const mp_fused_opts *fo, mp_fused_result *out, mp_error *err)
{
    memset(out, 0, sizeof *out);
    out->per_layer_peak = pl->peak_bytes;
    out->per_layer_macs = g->macs;
    fused_priv *fp = mp_calloc(1, sizeof *fp);
    if (!fp)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    out->priv = fp;
    mp_status st = collect(g, pl, opts, fo, fp, out, err);
    path_dp d = {.fp = fp, .kdim = fo->max_stages ? fo->max_stages + 1 : 1};
    if (st == MP_OK) {
        size_t cells = (size_t)fp->n_nodes * d.kdim;
        d.dist = mp_calloc(cells, sizeof *d.dist);
        d.blocks = mp_calloc(cells, sizeof *d.blocks);
        d.via = mp_calloc(cells, sizeof *d.via);
        d.prev_k = mp_calloc(cells, sizeof *d.prev_k);
        if (!d.dist || !d.blocks || !d.via || !d.prev_k)
            st = mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    if (st == MP_OK)
        st = front(&d, out, err);
    mp_free(d.dist);
    mp_free(d.blocks);
    mp_free(d.via);
    mp_free(d.prev_k);
    if (st != MP_OK)
        mp_fused_release(out);
    return st;
}

bool mp_fused_min_peak(const mp_fused_result *r, uint64_t max_macs, const mp_fused_point **out)
{
    for (uint32_t i = 0; i < r->n_pareto; i++) {
        if (r->pareto[i].macs <= max_macs) {
            *out = &r->pareto[i];
            return true;
        }
    }
    return false;
}

const mp_fused_point *mp_fused_pick(const mp_fused_result *r, uint64_t max_macs, bool have_budget,
                                    size_t budget, bool *fits)
{
    const mp_fused_point *p = NULL, *q = NULL;
    *fits = mp_fused_min_peak(r, max_macs, &p);
    if (!*fits)
        return r->n_pareto ? &r->pareto[r->n_pareto - 1] : NULL; /* the fewest MACs */
    if (!have_budget)
        return p;
    if (mp_fused_min_macs(r, budget, &q) && q->macs <= max_macs)
        return q;
    *fits = false;
    return p;
}

bool mp_fused_min_macs(const mp_fused_result *r, size_t max_peak, const mp_fused_point **out)
{
    bool found = false;
    for (uint32_t i = 0; i < r->n_pareto && r->pareto[i].peak <= max_peak; i++) {
        *out = &r->pareto[i];
        found = true;
    }
    return found;
}

/* The stage peak of one tiled segment under pl and opts. */
static mp_status tiled_peak(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                            const mp_patch_spec *spec, size_t *peak, mp_error *err)
{
    mp_patch_plan *pp;
    MP_TRY(mp_patch_plan_new(g, pl, opts, spec, &pp, err));
    *peak = pp->stage_peak;
    mp_patch_plan_free(pp);
    return MP_OK;
}

mp_status mp_patch_point_peak(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                              const mp_patch_point *p, size_t *peak, mp_error *err)
{
    mp_patch_spec spec = {0, p->last_step, p->rows, p->cols, p->cuts, NULL, NULL, p->halo};
    MP_TRY(tiled_peak(g, pl, opts, &spec, peak, err));
    for (uint32_t s = p->last_step + 1; s < pl->n_steps; s++)
        *peak = pl->steps[s].live_bytes > *peak ? pl->steps[s].live_bytes : *peak;
    return MP_OK;
}

mp_status mp_fused_point_peak(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                              const mp_fused_point *p, size_t *peak, mp_error *err)
{
    *peak = 0;
    for (uint32_t k = 0; k < p->n_segs; k++) {
        const mp_fused_seg *sg = &p->segs[k];
        size_t v = 0;
        if (sg->tiled) {
            mp_patch_spec spec = {sg->first_step, sg->last_step, sg->rows, sg->cols,
                                  sg->cuts, NULL, NULL, sg->halo};
            MP_TRY(tiled_peak(g, pl, opts, &spec, &v, err));
        }
        for (uint32_t s = sg->first_step; !sg->tiled && s <= sg->last_step; s++)
            v = pl->steps[s].live_bytes > v ? pl->steps[s].live_bytes : v;
        *peak = v > *peak ? v : *peak;
    }
    return MP_OK;
}
