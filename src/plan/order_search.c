/* SPDX-License-Identifier: MIT */
/*
 * order_search.c - the execution order with the smallest per-layer peak
 * (module plan).
 *
 * The memory held after executing a set S of ops depends only on S: a tensor
 * is held when its producer is in S (or it is a network input) and some
 * reader is not, or it is a network output. So is the memory while op v runs
 * next: held(S) + v's outputs - what an in-place rule saves (the rule only
 * asks whether v is the last reader of an input, a question about S).
 * Hence the smallest peak over the orders reaching S,
 *
 *     f({}) = 0,   f(S + v) = min over ready v of max(f(S), live(S, v)),
 *
 * is a dynamic program over the down-closed sets S (Liberis & Lane 2019;
 * Serenity, MLSys 2020). It runs layer by layer (|S| = 0, 1, ..., n), each
 * layer a hash map keyed by the bitset of S; a state remembers its best
 * predecessor, so the order is read back from the full set.
 *
 * Three things keep it small:
 * - Cuts. An op that no edge of the file order jumps over (with a virtual
 *   source before the first op and a virtual sink after the last) has all
 *   earlier ops as ancestors and all later ones as descendants, so every
 *   order runs it at the same step. The graph splits at those ops into parts
 *   solved independently (what is held at a cut depends only on the fixed set
 *   before it). Chains are all cuts: nothing to search.
 * - Bounds. A transition whose peak reaches the best order known for the
 *   part (file order, greedy rules) is dropped; when no state survives, that
 *   order is optimal. The lower bound max over ops of (inputs + outputs -
 *   in-place saving), raised by every forced step and every part solved
 *   exactly, skips parts whose order cannot change the network's peak: they
 *   keep the file order.
 * - The state bound. When a part needs more states than are left of
 *   max_states, it keeps the best of the greedy rules and a beam search (the
 *   same layered search keeping the beam_width best states of each layer,
 *   ranked by bytes held, then peak).
 *
 * Ties go to the file order: a part's order changes only when that lowers
 * its peak, states are expanded in insertion order and ops in file order, so
 * the first of several equally good predecessors is kept.
 *
 * Parts are solved smallest first and share the max_states budget; parts of
 * more than SEARCH_MAX_OPS ops get the greedy rules only. The final order's
 * peak is recomputed by mp_plan_per_layer (one accounting everywhere) and
 * must agree with the search's own figure (MP_E_MISMATCH otherwise).
 */
#include "order_int.h"

#include "../util/alloc.h"

#include <stdlib.h>
#include <string.h>

#define N_RULES 3

/* ---- greedy rules ------------------------------------------------------------------------ */

/*
 * Greedy rules pick, among the ready ops, the one with the smallest key
 * (ties: file order):
 *   0: (peak so far including this step, bytes held after it) - do not raise
 *      the peak, and among those free the most;
 *   1: (bytes held after, live bytes of the step) - free memory first;
 *   2: (live bytes of the step, bytes held after) - the cheapest step first.
 */
static void rule_key(int rule, size_t top, size_t live, size_t after, size_t key[2])
{
    switch (rule) {
    case 0:
        key[0] = max_size(top, live);
        key[1] = after;
        break;
    case 1:
        key[0] = after;
        key[1] = live;
        break;
    default:
        key[0] = live;
        key[1] = after;
        break;
    }
}

typedef struct greedy_state {
    uint64_t *set;     /* executed local ops */
    uint32_t *pending; /* per local op: predecessors not yet executed */
    uint32_t *ready;   /* ready local ops (unordered) */
    uint32_t n_ready;
} greedy_state;

/* Index in gs->ready of the op rule picks; its live and after bytes. */
static uint32_t greedy_pick(const view *w, const greedy_state *gs, int rule, size_t held,
                            size_t top, bool first, size_t *live, size_t *after)
{
    uint32_t best = 0;
    size_t best_key[2] = {0, 0};
    for (uint32_t j = 0; j < gs->n_ready; j++) {
        uint32_t l = gs->ready[j], v = w->c->file[w->lo + l];
        size_t lv = order_step_live(w, held, v, first), af = order_step_after(w, held, v), key[2];
        rule_key(rule, top, lv, af, key);
        if (j == 0 || key[0] < best_key[0] ||
            (key[0] == best_key[0] &&
             (key[1] < best_key[1] || (key[1] == best_key[1] && l < gs->ready[best])))) {
            best = j;
            best_key[0] = key[0];
            best_key[1] = key[1];
            *live = lv;
            *after = af;
        }
    }
    return best;
}

/* The order rule produces for p (m local ops) and its peak over p's steps. */
static mp_status greedy(const order_ctx *c, const part *p, int rule, uint32_t *order, size_t *peak,
                        mp_error *err)
{
    greedy_state gs = {0};
    gs.set = mp_calloc(p->words, sizeof *gs.set);
    gs.pending = mp_calloc(p->m, sizeof *gs.pending);
    gs.ready = mp_calloc(p->m, sizeof *gs.ready);
    if (!gs.set || !gs.pending || !gs.ready) {
        mp_free(gs.set);
        mp_free(gs.pending);
        mp_free(gs.ready);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    for (uint32_t l = 0; l < p->m; l++) {
        gs.pending[l] = p->pred_start[l + 1] - p->pred_start[l];
        if (!gs.pending[l])
            gs.ready[gs.n_ready++] = l;
    }
    view w = {c, p->lo, p->m, gs.set};
    size_t held = c->resident[p->lo], top = 0;
    for (uint32_t k = 0; k < p->m; k++) {
        size_t live = 0, after = 0;
        uint32_t j = greedy_pick(&w, &gs, rule, held, top, p->lo == 0 && k == 0, &live, &after);
        uint32_t l = gs.ready[j];
        order[k] = l;
        top = max_size(top, live);
        held = after;
        bit_set(gs.set, l);
        gs.ready[j] = gs.ready[--gs.n_ready];
        for (uint32_t i = p->succ_start[l]; i < p->succ_start[l + 1]; i++)
            if (--gs.pending[p->succ[i]] == 0)
                gs.ready[gs.n_ready++] = p->succ[i];
    }
    *peak = top;
    mp_free(gs.set);
    mp_free(gs.pending);
    mp_free(gs.ready);
    return MP_OK;
}

/* ---- per part, then the whole graph ------------------------------------------------------ */

/* Make cand (peak) p's order. */
static mp_status part_take(part *p, const uint32_t *cand, size_t peak, mp_error *err)
{
    if (!p->best) {
        p->best = mp_malloc((size_t)p->m * sizeof *p->best);
        if (!p->best)
            return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    memcpy(p->best, cand, (size_t)p->m * sizeof *cand);
    p->best_peak = peak;
    return MP_OK;
}

/* An order from the layered search (exact: proven minimal for p). */
static mp_status part_found(part *p, const uint32_t *cand, search_end end, size_t value, bool exact,
                            size_t *lb, mp_error *err)
{
    if (end == SEARCH_FOUND)
        MP_TRY(part_take(p, cand, value, err));
    if (exact) {
        p->exact = true;
        *lb = max_size(*lb, p->best_peak);
    }
    return MP_OK;
}

/*
 * Greedy rules, then the exact search within *budget, then the beam (which
 * is exact too when no layer had more than beam_width states).
 */
static mp_status part_search(const order_ctx *c, part *p, const mp_order_opts *oo, size_t *lb,
                             uint64_t *budget, mp_order_result *res, uint32_t *cand, mp_error *err)
{
    for (int rule = 0; rule < N_RULES; rule++) {
        size_t peak = 0;
        MP_TRY(greedy(c, p, rule, cand, &peak, err));
        if (peak < p->best_peak)
            MP_TRY(part_take(p, cand, peak, err));
    }
    if (p->best_peak <= *lb || p->m > SEARCH_MAX_OPS)
        return MP_OK;
    search_end end = SEARCH_FULL;
    size_t value = 0;
    uint64_t stored = 0;
    bool exact = false;
    if (*budget > 0) {
        MP_TRY(order_layered_search(c, p, p->best_peak, UINT32_MAX, *budget, cand, &end, &value,
                                    &stored, &exact, err));
        res->n_states += stored;
        *budget -= stored < *budget ? stored : *budget;
        MP_TRY(part_found(p, cand, end, value, exact, lb, err));
    }
    if (p->exact || oo->beam_width == 0)
        return MP_OK;
    MP_TRY(order_layered_search_ex(c, p, p->best_peak, oo->beam_width, !oo->exhaustive,
                                   MAX_STATES, cand, &end, &value, &stored, &exact, err));
    res->n_beam_states += stored;
    return part_found(p, cand, end, value, exact, lb, err);
}

static mp_status part_solve(const order_ctx *c, part *p, const mp_order_opts *oo, size_t *lb,
                            uint64_t *budget, mp_order_result *res, mp_error *err)
{
    p->best_peak = p->file_peak;
    if (p->file_peak <= *lb) /* no order of this part can change the network's peak */
        return MP_OK;
    MP_TRY(order_part_links(c, p, err));
    uint32_t *cand = mp_malloc((size_t)p->m * sizeof *cand);
    if (!cand)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    mp_status st = part_search(c, p, oo, lb, budget, res, cand, err);
    mp_free(cand);
    return st;
}

/*
 * No order has a smaller peak: every op holds at least its inputs and outputs
 * (less an in-place saving) while it runs, and steps outside the parts are the
 * same in every order. *forced: the largest live bytes of those steps.
 */
static size_t lower_bound(const order_ctx *c, const part *parts, uint32_t n_parts, size_t *forced)
{
    size_t lb = 0;
    for (uint32_t v = 0; v < c->n; v++) {
        size_t need = c->out_bytes[v];
        for (uint32_t k = c->in_start[v]; k < c->in_start[v + 1]; k++)
            need += c->bytes[c->in_list[k]];
        if (c->cand_start[v] < c->cand_start[v + 1])
            need -= c->save[v];
        lb = max_size(lb, need);
    }
    *forced = 0;
    uint32_t i = 0;
    for (uint32_t s = 0; s < c->n; s++) {
        while (i < n_parts && parts[i].lo + parts[i].m <= s)
            i++;
        if (i < n_parts && parts[i].lo <= s)
            continue;
        *forced = max_size(*forced, c->file_live[s]);
    }
    return max_size(lb, *forced);
}

typedef struct part_key {
    uint32_t m, lo, idx;
} part_key;

static int cmp_part_key(const void *x, const void *y)
{
    const part_key *a = x, *b = y;
    if (a->m != b->m)
        return a->m < b->m ? -1 : 1;
    return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* Solve the parts, smallest first (each exact result raises the bound for the rest). */
static mp_status solve_parts(const order_ctx *c, part *parts, uint32_t n_parts,
                             const mp_order_opts *oo, size_t *lb, mp_order_result *res,
                             mp_error *err)
{
    part_key *keys = mp_malloc((size_t)(n_parts ? n_parts : 1) * sizeof *keys);
    if (!keys)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t i = 0; i < n_parts; i++)
        keys[i] = (part_key){parts[i].m, parts[i].lo, i};
    qsort(keys, n_parts, sizeof *keys, cmp_part_key);
    uint64_t budget = oo->max_states;
    mp_status st = MP_OK;
    for (uint32_t i = 0; i < n_parts && st == MP_OK; i++)
        st = part_solve(c, &parts[keys[i].idx], oo, lb, &budget, res, err);
    mp_free(keys);
    return st;
}

/* Write the chosen orders into res->order; the file's where it is good enough. */
static size_t assemble(const order_ctx *c, part *parts, uint32_t n_parts, size_t lb, size_t forced,
                       mp_order_result *res)
{
    size_t peak = forced;
    res->optimal = true;
    memcpy(res->order, c->file, (size_t)c->n * sizeof *res->order);
    for (uint32_t i = 0; i < n_parts; i++) {
        part *p = &parts[i];
        if (p->best && p->file_peak <= lb) { /* reordering does not lower the network's peak */
            mp_free(p->best);
            p->best = NULL;
            p->best_peak = p->file_peak;
        }
        if (!p->exact && p->best_peak > lb)
            res->optimal = false;
        peak = max_size(peak, p->best_peak);
        for (uint32_t l = 0; p->best && l < p->m; l++)
            res->order[p->lo + l] = c->file[p->lo + p->best[l]];
    }
    return peak;
}

/* The peaks of both orders by mp_plan_per_layer; they must agree with the search's. */
static mp_status verify(const mp_graph *g, const mp_plan_opts *opts, const order_ctx *c,
                        size_t expect, mp_order_result *res, mp_error *err)
{
    mp_per_layer pl;
    MP_TRY(mp_plan_per_layer(g, NULL, opts, &pl, err));
    res->file_peak_bytes = pl.peak_bytes;
    mp_per_layer_release(&pl);
    MP_TRY(mp_plan_per_layer(g, res->order, opts, &pl, err));
    res->peak_bytes = pl.peak_bytes;
    mp_per_layer_release(&pl);
    size_t file_peak = 0;
    for (uint32_t s = 0; s < c->n; s++)
        file_peak = max_size(file_peak, c->file_live[s]);
    if (file_peak != res->file_peak_bytes || expect != res->peak_bytes ||
        res->peak_bytes > res->file_peak_bytes)
        return mp_errorf(err, MP_E_MISMATCH,
                         "order search: its accounting (file order %zu B, best %zu B) disagrees "
                         "with the per-layer peak (%zu B, %zu B)",
                         file_peak, expect, res->file_peak_bytes, res->peak_bytes);
    return MP_OK;
}

static mp_status best_order_impl(const mp_graph *g, const mp_plan_opts *opts,
                                 const mp_order_opts *oo, mp_order_result *res, mp_error *err)
{
    order_ctx c;
    part *parts = NULL;
    uint32_t n_parts = 0;
    mp_status st = order_ctx_init(&c, g, opts, err);
    if (st == MP_OK)
        st = order_find_parts(&c, &parts, &n_parts, err);
    res->n_ops = g->n_ops;
    res->n_parts = n_parts;
    res->order = mp_malloc((size_t)g->n_ops * sizeof *res->order);
    if (st == MP_OK && !res->order)
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
    size_t forced = 0, lb = 0;
    if (st == MP_OK) {
        lb = lower_bound(&c, parts, n_parts, &forced);
        st = solve_parts(&c, parts, n_parts, oo, &lb, res, err);
    }
    if (st == MP_OK) {
        size_t expect = assemble(&c, parts, n_parts, lb, forced, res);
        res->lower_bound_bytes = lb;
        st = verify(g, opts, &c, expect, res, err);
    }
    for (uint32_t i = 0; i < n_parts; i++)
        order_part_release(&parts[i]);
    mp_free(parts);
    order_ctx_release(&c);
    return st;
}

void mp_order_opts_init(mp_order_opts *oo)
{
    memset(oo, 0, sizeof *oo);
    oo->max_states = 1000000;
    oo->beam_width = 64;
}

void mp_order_result_release(mp_order_result *r)
{
    if (!r)
        return;
    mp_free(r->order);
    memset(r, 0, sizeof *r);
}

mp_status mp_plan_best_order(const mp_graph *g, const mp_plan_opts *opts, const mp_order_opts *oo,
                             mp_order_result *out, mp_error *err)
{
    mp_plan_opts default_opts;
    mp_order_opts default_oo;
    if (!out)
        return mp_errorf(err, MP_E_INVALID, "best order: no result given");
    memset(out, 0, sizeof *out);
    if (!g || !g->finalized)
        return mp_errorf(err, MP_E_INVALID, "best order: the graph is not finalized");
    if (!opts) {
        mp_plan_opts_init(&default_opts);
        opts = &default_opts;
    }
    if (!oo) {
        mp_order_opts_init(&default_oo);
        oo = &default_oo;
    }
    mp_plan_opts tensors = *opts; /* the order is chosen on tensor bytes */
    tensors.kernels = MP_TFLM_KERNELS_REFERENCE;
    mp_status st = best_order_impl(g, &tensors, oo, out, err);
    if (st != MP_OK)
        mp_order_result_release(out);
    return st;
}
