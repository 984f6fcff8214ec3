/* SPDX-License-Identifier: MIT */
/*
 * fused_blocks.c - the candidates of the multi-stage fused search (module
 * plan): for every block of consecutive patchable steps i..j, every grid, cut
 * style and halo mode, of which the (peak, MACs)-Pareto-optimal ones are kept
 * per block. Blocks with different first steps are independent, so fo->jobs
 * threads take first steps in turn (i = t, t + jobs, ...) into lists of
 * their own, concatenated afterwards in order of i: the list, and so the
 * front, does not depend on the number of threads.
 */
#include "fused_int.h"
#include "patch_int.h"

#include "../util/alloc.h"

#include <pthread.h>
#include <string.h>

bool push_cand(cand_list *l, const mp_fused_seg *s)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 1024;
        mp_fused_seg *v = mp_realloc(l->v, (size_t)cap * sizeof *v);
        if (!v)
            return false;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *s;
    return true;
}

/* Order among candidates of equal cost, independent of the order of
 * evaluation: fewer patches, then fewer rows, even cuts, recompute. */
static bool preferred(const mp_fused_seg *a, const mp_fused_seg *b)
{
    uint32_t pa = a->rows * a->cols, pb = b->rows * b->cols;
    if (pa != pb)
        return pa < pb;
    if (a->rows != b->rows)
        return a->rows < b->rows;
    if (a->cuts != b->cuts)
        return a->cuts < b->cuts;
    return a->halo < b->halo;
}

/* Keep only the non-dominated tiled candidates of one block (appended from
 * index from on); of equal ones, the preferred. */
static void prune_block(cand_list *l, uint32_t from)
{
    uint32_t w = from;
    for (uint32_t i = from; i < l->n; i++) {
        const mp_fused_seg *a = &l->v[i];
        bool dom = false;
        for (uint32_t k = from; k < l->n && !dom; k++) {
            const mp_fused_seg *b = &l->v[k];
            if (k == i)
                continue;
            dom = (b->peak <= a->peak && b->macs < a->macs) ||
                  (b->peak < a->peak && b->macs <= a->macs) ||
                  (b->peak == a->peak && b->macs == a->macs && preferred(b, a));
        }
        if (!dom)
            l->v[w++] = *a;
    }
    l->n = w;
}

typedef struct block_ctx {
    const block_info *b;
    const mp_fused_opts *fo;
    cand_list *out;
    uint32_t from;     /* this block's candidates start here in out */
    uint64_t *n_eval;
} block_ctx;

/* Whether a block candidate with (a lower bound of) this peak and these MACs
 * is strictly dominated by one already kept for the same block. */
static bool dominated_in_block(const block_ctx *bc, size_t peak_lb, uint64_t macs)
{
    for (uint32_t k = bc->from; k < bc->out->n; k++) {
        const mp_fused_seg *q = &bc->out->v[k];
        if ((q->peak <= peak_lb && q->macs < macs) || (q->peak < peak_lb && q->macs <= macs))
            return true;
    }
    return false;
}

static mp_status block_grids(block_ctx *bc, mp_halo halo, mp_cuts cuts, const axis_set *rows,
                             const axis_set *cols, mp_error *err)
{
    const block_info *b = bc->b;
    for (uint32_t r = rows->n; r >= 1; r--) {
        for (uint32_t c = cols->n; c >= 1; c--) {
            patch_cost cost;
            size_t lb, stage_lb;
            uint64_t macs;
            const axis_plan *ar = &rows->p[r], *ac = &cols->p[c];
            if (r * c == 1 || !ar->cache_ok || !ac->cache_ok)
                continue;
            if (halo == MP_HALO_CACHE_COLS && (r == 1 || c == 1))
                continue; /* the same as recompute (one column) or cache (one row) */
            if (!patch_cost_bound(b, ar, ac, halo, &lb, &stage_lb, &macs))
                return mp_errorf(err, MP_E_OVERFLOW, "fused search: byte or MAC counts overflow");
            if (dominated_in_block(bc, stage_lb, macs - b->other_macs))
                continue;
            if (!patch_cost_eval(b, ar, ac, halo, &cost))
                return mp_errorf(err, MP_E_OVERFLOW, "fused search: byte or MAC counts overflow");
            (*bc->n_eval)++;
            mp_fused_seg seg = {b->first_step, b->last_step, true, r, c, cuts, halo,
                                cost.stage_peak, cost.stage_macs};
            if (!push_cand(bc->out, &seg))
                return mp_errorf(err, MP_E_NOMEM, "out of memory");
        }
    }
    return MP_OK;
}

/* All grids and halo modes of one block and cut style. Each axis is built at
 * most twice (halos recomputed or cached along it) and shared by the modes.
 * Cache mode first (its MACs are the fewest possible), finer grids first (the
 * lowest peaks): later candidates are then mostly dominated and skipped
 * after a cheap bound. */
static mp_status block_cuts(block_ctx *bc, mp_cuts cuts, mp_error *err)
{
    static const mp_halo order[] = {MP_HALO_CACHE, MP_HALO_CACHE_COLS, MP_HALO_RECOMPUTE};
    _Static_assert(sizeof order / sizeof order[0] == MP_HALO_COUNT, "halo order");
    axis_set *sets = mp_calloc(4, sizeof *sets); /* [axis * 2 + cached] */
    if (!sets)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    mp_status st = MP_OK;
    for (size_t k = 0; st == MP_OK && k < MP_HALO_COUNT; k++) {
        mp_halo h = order[k];
        if (!(bc->fo->halos & MP_HALO_BIT(h)))
            continue;
        int rc = mp_halo_on_axis(h, 0) == MP_HALO_CACHE, cc = mp_halo_on_axis(h, 1) == MP_HALO_CACHE;
        st = axis_set_build(bc->b, 0, bc->fo->max_rows, cuts, rc ? MP_HALO_CACHE : MP_HALO_RECOMPUTE,
                            &sets[rc], err);
        if (st == MP_OK)
            st = axis_set_build(bc->b, 1, bc->fo->max_cols, cuts,
                                cc ? MP_HALO_CACHE : MP_HALO_RECOMPUTE, &sets[2 + cc], err);
        if (st == MP_OK)
            st = block_grids(bc, h, cuts, &sets[rc], &sets[2 + cc], err);
    }
    for (int k = 0; k < 4; k++)
        axis_set_release(&sets[k]);
    mp_free(sets);
    return st;
}

static mp_status block_candidates(const mp_graph *g, const mp_per_layer *pl,
                                  const mp_plan_opts *opts, const mp_fused_opts *fo, uint32_t i,
                                  uint32_t j, cand_list *out, uint64_t *n_eval, mp_error *err)
{
    block_info b = {0};
    uint32_t from = out->n;
    mp_status st = block_init(&b, g, pl, opts, i, j, err);
    block_ctx bc = {&b, fo, out, from, n_eval};
    for (int cu = MP_CUTS_EVEN; st == MP_OK && cu <= MP_CUTS_BALANCED; cu++)
        if (cu == MP_CUTS_EVEN || fo->balanced)
            st = block_cuts(&bc, (mp_cuts)cu, err);
    block_release(&b);
    if (st == MP_OK)
        prune_block(out, from);
    return st;
}

static double block_work(const mp_fused_opts *fo, uint32_t left)
{
    double len = fo->max_block_ops && fo->max_block_ops < left ? fo->max_block_ops : left;
    return len * len;
}

/* One thread's share: first steps t, t + nt, ...; range[i] = its candidates of step i. */
typedef struct block_job {
    const mp_graph *g;
    const mp_per_layer *pl;
    const mp_plan_opts *opts;
    const mp_fused_opts *fo;
    bool prune;                /* skip blocks whose stage peak bound exceeds the per-layer peak */
    block_bound bound;         /* this thread's bound workspace (when prune) */
    uint32_t t, nt;
    cand_list out;
    uint32_t (*range)[2];      /* shared, per first step: [from, to) in its job's out */
    uint64_t n_blocks, n_eval;
    mp_status st;
    mp_error err;
    pthread_mutex_t *lock;     /* progress (shared) */
    double *done, work;
} block_job;

static void job_progress(block_job *j, uint32_t i)
{
    const mp_fused_opts *fo = j->fo;
    if (!fo->progress)
        return;
    pthread_mutex_lock(j->lock);
    *j->done += block_work(fo, j->pl->n_steps - i);
    fo->progress(fo->progress_ctx, (uint32_t)(1000.0 * *j->done / j->work), 1000);
    pthread_mutex_unlock(j->lock);
}

static void *run_job(void *arg)
{
    block_job *jb = arg;
    const mp_graph *g = jb->g;
    const mp_per_layer *pl = jb->pl;
    uint32_t n = pl->n_steps;
    for (uint32_t i = jb->t; i < n && jb->st == MP_OK; i += jb->nt) {
        jb->range[i][0] = jb->out.n;
        for (uint32_t j = i; jb->st == MP_OK && mp_patch_op_ok(g, pl->steps[i].op) && j < n; j++) {
            bool reduction = j > i && mp_patch_op_reduces(g, pl->steps[j].op);
            if (!reduction && !mp_patch_op_ok(g, pl->steps[j].op))
                break;
            if (jb->fo->max_block_ops && j - i + 1 > jb->fo->max_block_ops)
                break;
            size_t stage_lb;
            uint64_t macs_lb;
            if (jb->prune && block_bound_eval(&jb->bound, i, j, &stage_lb, &macs_lb) &&
                stage_lb > pl->peak_bytes) {
                if (reduction)
                    break;
                continue; /* on no front path (see prunable) */
            }
            jb->n_blocks++;
            jb->st = block_candidates(g, pl, jb->opts, jb->fo, i, j, &jb->out, &jb->n_eval,
                                      &jb->err);
            if (reduction)
                break;
        }
        jb->range[i][1] = jb->out.n;
        job_progress(jb, i);
    }
    return NULL;
}

/* Run the jobs (the first in this thread), then append their lists to out in order of i. */
static mp_status run_jobs(block_job *jobs, uint32_t nt, cand_list *out, mp_error *err)
{
    pthread_t tid[MP_FUSED_MAX_JOBS];
    uint32_t started = 1;
    for (uint32_t t = 1; t < nt; t++, started++)
        if (pthread_create(&tid[t], NULL, run_job, &jobs[t]) != 0)
            break;
    for (uint32_t t = started; t < nt; t++) /* no thread: run it here */
        run_job(&jobs[t]);
    run_job(&jobs[0]);
    for (uint32_t t = 1; t < started; t++)
        pthread_join(tid[t], NULL);
    for (uint32_t t = 0; t < nt; t++)
        if (jobs[t].st != MP_OK) {
            *err = jobs[t].err;
            return jobs[t].st;
        }
    uint32_t n = jobs[0].pl->n_steps;
    for (uint32_t i = 0; i < n; i++) {
        const block_job *jb = &jobs[i % nt];
        for (uint32_t k = jb->range[i][0]; k < jb->range[i][1]; k++)
            if (!push_cand(out, &jb->out.v[k]))
                return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    return MP_OK;
}

/*
 * Whether blocks whose stage peak bound exceeds the per-layer peak can be
 * skipped: when no block can have fewer MACs than its steps run per layer
 * (every block's MAC bound reaches them), no path has fewer MACs than the
 * per-layer schedule, which has the per-layer peak; so every front point
 * peaks at or below it (the front's MACs strictly fall as its peak rises),
 * and a segment peaking above it is on no front path. The front, its
 * paths and their order are then unchanged (the path search never lets
 * such a segment in below its peak). O(blocks x (tensors + block length)).
 */
static mp_status prunable(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                          const mp_fused_opts *fo, bool *ok, mp_error *err)
{
    block_bound bb;
    *ok = !fo->exhaustive;
    if (!*ok)
        return MP_OK;
    MP_TRY(block_bound_init(&bb, g, pl, opts, fo->max_rows, fo->max_cols, err));
    uint32_t n = pl->n_steps;
    for (uint32_t i = 0; i < n && *ok; i++) {
        for (uint32_t j = i; j < n && *ok && mp_patch_op_ok(g, pl->steps[i].op); j++) {
            bool reduction = j > i && mp_patch_op_reduces(g, pl->steps[j].op);
            if ((!reduction && !mp_patch_op_ok(g, pl->steps[j].op)) ||
                (fo->max_block_ops && j - i + 1 > fo->max_block_ops))
                break;
            size_t stage_lb;
            uint64_t macs_lb;
            *ok = block_bound_eval(&bb, i, j, &stage_lb, &macs_lb) && macs_lb >= g->macs;
            if (reduction)
                break;
        }
    }
    block_bound_release(&bb);
    return MP_OK;
}

mp_status fused_blocks(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                       const mp_fused_opts *fo, cand_list *out, uint64_t *n_blocks,
                       uint64_t *n_eval, mp_error *err)
{
    uint32_t n = pl->n_steps;
    uint32_t nt = fo->jobs < 1 ? 1 : fo->jobs > MP_FUSED_MAX_JOBS ? MP_FUSED_MAX_JOBS : fo->jobs;
    nt = nt > n ? (n ? n : 1) : nt;
    block_job *jobs = mp_calloc(nt, sizeof *jobs);
    uint32_t(*range)[2] = mp_calloc(n ? n : 1, sizeof *range);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    double done = 0, work = 0;
    for (uint32_t i = 0; fo->progress && i < n; i++)
        work += block_work(fo, n - i);
    mp_status st = jobs && range ? MP_OK : mp_errorf(err, MP_E_NOMEM, "out of memory");
    bool prune = false;
    if (st == MP_OK)
        st = prunable(g, pl, opts, fo, &prune, err);
    for (uint32_t t = 0; st == MP_OK && t < nt; t++) {
        jobs[t] = (block_job){.g = g, .pl = pl, .opts = opts, .fo = fo, .t = t, .nt = nt,
                              .range = range, .lock = &lock, .done = &done, .work = work};
        mp_error_init(&jobs[t].err);
        if (prune)
            st = block_bound_init(&jobs[t].bound, g, pl, opts, fo->max_rows, fo->max_cols, err);
        jobs[t].prune = prune && st == MP_OK;
    }
    if (st == MP_OK)
        st = run_jobs(jobs, nt, out, err);
    for (uint32_t t = 0; jobs && t < nt; t++) {
        *n_blocks += jobs[t].n_blocks;
        *n_eval += jobs[t].n_eval;
        mp_free(jobs[t].out.v);
        block_bound_release(&jobs[t].bound);
    }
    if (fo->progress)
        fo->progress(fo->progress_ctx, 1000, 1000);
    mp_free(jobs);
    mp_free(range);
    return st;
}
