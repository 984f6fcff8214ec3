/* SPDX-License-Identifier: MIT */
/*
 * redistribute.c - receptive-field redistribution (module plan): variants of
 * a network that move receptive field from the patch stage to the layers
 * after it, evaluated at the original's patch schedule (mp_redistribute.h,
 * docs/algorithms.md "Receptive-field redistribution").
 *
 * For m = 0 .. (repetitions that can move) the repetitions are moved first
 * (rd_build.c), giving a network G_m. On G_m two fixed sequences of single
 * kernel steps are derived: shrink steps of patch-stage ops and grow steps of
 * later ops, both ordered by the op's input jump (largest first: a step there
 * changes the field most). Variant (m, k) applies the first k shrink steps
 * and the shortest prefix of grow steps that restores the total receptive
 * field; the prefix is found by binary search, since growing never shrinks a
 * field. Every variant is a complete graph, planned per layer and with the
 * original's patch schedule.
 */
#include "memplan/mp_redistribute.h"

#include "../util/alloc.h"
#include "redistribute_int.h"

#include <stdio.h>
#include <string.h>

void mp_redist_opts_init(mp_redist_opts *o)
{
    o->min_kernel = 3;
    o->max_kernel = 7;
    o->max_moves = 4;
    o->max_shrink = UINT32_MAX;
}

/* ---- repeat groups that can move ------------------------------------------------------ */

/* The tensor repetition rep (0-based) of group r reads as its input. */
static mp_tensor_id rep_input(const mp_graph *g, const mp_repeat *r, uint32_t rep)
{
    uint32_t start = r->first_op + rep * r->n_layers;
    return start == 0 ? g->inputs[0] : g->ops[start - 1].out[0];
}

/*
 * Whether repetition rep of group r can be left out or copied: its ops read
 * only each other, its input, constants and tensors from before the group;
 * only its last op's output is read outside it; that output has its input's
 * shape and dtype.
 */
static bool rep_movable(const mp_graph *g, const mp_repeat *r, uint32_t rep)
{
    uint32_t start = r->first_op + rep * r->n_layers, end = start + r->n_layers;
    mp_tensor_id x = rep_input(g, r, rep), y = g->ops[end - 1].out[0];
    for (uint32_t i = start; i < end; i++) {
        const mp_op *op = &g->ops[i];
        if (op->n_out != 1)
            return false;
        for (uint32_t k = 0; k < op->n_in; k++) {
            mp_tensor_id t = op->in[k];
            if (t == MP_NO_TENSOR || t == x || !mp_tensor_is_activation(&g->tensors[t]))
                continue;
            int32_t p = g->tensors[t].producer;
            if (p >= 0 && !((uint32_t)p >= start && (uint32_t)p < end) &&
                (uint32_t)p >= r->first_op)
                return false;
        }
        const uint32_t *readers;
        uint32_t n = mp_graph_consumers(g, op->out[0], &readers);
        for (uint32_t k = 0; op->out[0] != y && k < n; k++)
            if (readers[k] < start || readers[k] >= end)
                return false;
    }
    const mp_tensor *tx = &g->tensors[x], *ty = &g->tensors[y];
    return mp_tensor_is_activation(tx) && tx->dtype == ty->dtype &&
           memcmp(&tx->shape, &ty->shape, sizeof tx->shape) == 0;
}

/* Steps of a group's first and last op. */
static void group_steps(const mp_graph *g, const mp_repeat *r, uint32_t *lo, uint32_t *hi)
{
    *lo = UINT32_MAX;
    *hi = 0;
    for (uint32_t i = r->first_op; i < r->first_op + r->n_layers * r->n_reps; i++) {
        uint32_t s = (uint32_t)g->step_of_op[i];
        *lo = s < *lo ? s : *lo;
        *hi = s > *hi ? s : *hi;
    }
}

/* Whether the last repetition of group r can be copied n times (names "base.N+c" free). */
static bool can_receive(const mp_graph *g, const mp_repeat *r, uint32_t n)
{
    uint32_t start = r->first_op + (r->n_reps - 1) * r->n_layers;
    if (!rep_movable(g, r, r->n_reps - 1))
        return false;
    for (uint32_t i = start; i < start + r->n_layers; i++) {
        const char *name = g->ops[i].name;
        size_t base = mp_repeat_base_len(name, r->n_reps);
        if (base == SIZE_MAX || base > 200)
            return false;
        for (uint32_t c = 1; c <= n; c++) {
            char next[256];
            snprintf(next, sizeof next, "%.*s.%u", (int)base, name, r->n_reps + c);
            if (mp_graph_find_tensor(g, next) != MP_NO_TENSOR || mp_graph_find_op(g, next) >= 0)
                return false;
        }
    }
    return true;
}

/* The moves: which group gives each repetition (closest to the split first), and the
 * group that receives them (the first after the split), for at most max moves. */
typedef struct moves {
    uint32_t n;          /* moves possible */
    uint32_t *donor;     /* per move: the group giving the repetition */
    uint32_t receiver;   /* group receiving them */
} moves;

static uint32_t removable(const mp_graph *g, const mp_repeat *r)
{
    uint32_t n = 0;
    while (n + 1 < r->n_reps && rep_movable(g, r, r->n_reps - 1 - n))
        n++;
    return n;
}

static mp_status find_moves(const mp_graph *g, uint32_t split_step, uint32_t max, moves *mv,
                            mp_error *err)
{
    uint32_t *left = MP_NEW_ARRAY(uint32_t, g->n_repeats ? g->n_repeats : 1);
    mv->donor = MP_NEW_ARRAY(uint32_t, max ? max : 1);
    mv->n = 0;
    mv->receiver = UINT32_MAX;
    if (!left || !mv->donor) {
        mp_free(left);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    for (uint32_t k = 0; k < g->n_repeats; k++) {
        uint32_t lo, hi;
        group_steps(g, &g->repeats[k], &lo, &hi);
        left[k] = hi <= split_step ? removable(g, &g->repeats[k]) : 0;
        if (lo > split_step && mv->receiver == UINT32_MAX && can_receive(g, &g->repeats[k], max))
            mv->receiver = k;
    }
    while (mv->receiver != UINT32_MAX && mv->n < max) {
        uint32_t best = UINT32_MAX;
        int64_t best_w = -1;
        for (uint32_t k = 0; k < g->n_repeats; k++) {
            const mp_rf *rf = &g->rf[rep_input(g, &g->repeats[k], 0)];
            int64_t w = rf->jump_h > rf->jump_w ? rf->jump_h : rf->jump_w;
            if (left[k] && w >= best_w) {
                best = k;
                best_w = w;
            }
        }
        if (best == UINT32_MAX)
            break;
        left[best]--;
        mv->donor[mv->n++] = best;
    }
    mp_free(left);
    return MP_OK;
}

/* ---- building the variants ------------------------------------------------------------ */

typedef struct rd_ctx {
    const mp_graph *g;
    const mp_plan_opts *opts;
    const mp_patch_spec *spec;
    const mp_redist_opts *ro;
    mp_redist *out;
    mp_rf target;       /* the original's total receptive field */
    moves mv;
    uint32_t cap;       /* allocated rows of out->v */
    mp_error *err;
} rd_ctx;

/* G_m: g with the first m moves made; *split receives S's counterpart. */
static mp_status build_moved(rd_ctx *c, uint32_t m, mp_tensor_id split, mp_graph **gm,
                             mp_tensor_id *new_split)
{
    const mp_graph *g = c->g;
    const moves *mv = &c->mv;
    const mp_repeat *rcv = &g->repeats[mv->receiver];
    int32_t *delta = MP_NEW_ARRAY(int32_t, g->n_repeats);
    uint8_t *removed = MP_NEW_ARRAY(uint8_t, g->n_ops);
    mp_tensor_id *alias = MP_NEW_ARRAY(mp_tensor_id, g->n_tensors);
    mp_tensor_id *map = MP_NEW_ARRAY(mp_tensor_id, g->n_tensors);
    mp_status st = MP_OK;
    if (!delta || !removed || !alias || !map)
        st = mp_errorf(c->err, MP_E_NOMEM, "out of memory");
    for (uint32_t t = 0; st == MP_OK && t < g->n_tensors; t++)
        alias[t] = MP_NO_TENSOR;
    for (uint32_t k = 0; st == MP_OK && k < m; k++) {
        const mp_repeat *r = &g->repeats[mv->donor[k]];
        uint32_t rep = r->n_reps - 1 - (uint32_t)(-delta[mv->donor[k]]);
        uint32_t start = r->first_op + rep * r->n_layers;
        memset(removed + start, 1, r->n_layers);
        alias[g->ops[start + r->n_layers - 1].out[0]] = rep_input(g, r, rep);
        delta[mv->donor[k]]--;
    }
    char name[300];
    snprintf(name, sizeof name, "%s-m%u", g->name, m);
    if (st == MP_OK)
        delta[mv->receiver] += (int32_t)m;
    rd_edit e = {.name = name, .removed = removed, .alias = alias, .rep_delta = delta,
                 .add_first = rcv->first_op + (rcv->n_reps - 1) * rcv->n_layers,
                 .add_len = rcv->n_layers, .n_add = m, .add_rep = rcv->n_reps,
                 .add_input = rep_input(g, rcv, rcv->n_reps - 1)};
    if (st == MP_OK)
        st = rd_build_graph(g, &e, gm, map, c->err);
    if (st == MP_OK)
        *new_split = map[split];
    mp_free(delta);
    mp_free(removed);
    mp_free(alias);
    mp_free(map);
    return st;
}

/* Evaluate graph vg at the original's schedule with split tensor called split. */
static mp_status evaluate(rd_ctx *c, const mp_graph *vg, const char *split, mp_redist_variant *v)
{
    mp_per_layer pl;
    MP_TRY(mp_plan_per_layer(vg, NULL, c->opts, &pl, c->err));
    mp_patch_spec spec = *c->spec;
    mp_patch_plan *pp = NULL;
    mp_status st = mp_patch_spec_for_split(vg, &pl, split, &spec, c->err);
    if (st == MP_OK)
        st = mp_patch_plan_new(vg, &pl, c->opts, &spec, &pp, c->err);
    if (st == MP_OK) {
        v->graph = vg;
        v->split = pp->split;
        v->split_step = spec.last_step;
        v->stage_rf = vg->rf[pp->split];
        v->total_rf = mp_graph_total_rf(vg);
        v->per_layer_peak = pl.peak_bytes;
        v->peak = pp->peak;
        v->macs = vg->macs;
        v->patch_macs = pp->macs;
        v->overhead = pp->overhead;
        v->params = vg->params;
    }
    mp_patch_plan_free(pp);
    mp_per_layer_release(&pl);
    return st;
}

static bool rf_reaches(const mp_rf *a, const mp_rf *target)
{
    return a->size_h >= target->size_h && a->size_w >= target->size_w;
}

/* Kernels of gm after the first n_shrink shrinks and the first n_grow grows. */
static void apply_steps(const mp_graph *gm, const rd_kstep *shrink, uint32_t n_shrink,
                        const rd_kstep *grow, uint32_t n_grow, int32_t *kernel)
{
    for (uint32_t i = 0; i < gm->n_ops; i++) {
        kernel[2 * i] = gm->ops[i].p.kernel_h;
        kernel[2 * i + 1] = gm->ops[i].p.kernel_w;
    }
    for (uint32_t k = 0; k < n_shrink; k++) {
        kernel[2 * shrink[k].op] = shrink[k].to_h;
        kernel[2 * shrink[k].op + 1] = shrink[k].to_w;
    }
    for (uint32_t k = 0; k < n_grow; k++) {
        kernel[2 * grow[k].op] = grow[k].to_h;
        kernel[2 * grow[k].op + 1] = grow[k].to_w;
    }
}

/* The steps of one variant of G_m. */
typedef struct variant_plan {
    const mp_graph *gm;
    uint32_t m;
    const rd_kstep *shrink, *grow;
    uint32_t n_shrink, n_grow;
    int32_t *kernel;
    char name[300];
} variant_plan;

static mp_status build_kernels(rd_ctx *c, variant_plan *vp, uint32_t n_grow, mp_graph **out)
{
    apply_steps(vp->gm, vp->shrink, vp->n_shrink, vp->grow, n_grow, vp->kernel);
    rd_edit e = {.name = vp->name, .kernel = vp->kernel};
    return rd_build_graph(vp->gm, &e, out, NULL, c->err);
}

/* Whether the first n_grow grow steps restore the field (*ok). */
static mp_status restores(rd_ctx *c, variant_plan *vp, uint32_t n_grow, bool *ok)
{
    mp_graph *vg;
    MP_TRY(build_kernels(c, vp, n_grow, &vg));
    mp_rf r = mp_graph_total_rf(vg);
    *ok = rf_reaches(&r, &c->target);
    mp_graph_free(vg);
    return MP_OK;
}

/* The fewest grow steps that restore the field; UINT32_MAX when none do. */
static mp_status fewest_grows(rd_ctx *c, variant_plan *vp, uint32_t n_avail, uint32_t *n_grow)
{
    bool ok;
    *n_grow = UINT32_MAX;
    MP_TRY(restores(c, vp, 0, &ok));
    if (ok) {
        *n_grow = 0;
        return MP_OK;
    }
    MP_TRY(restores(c, vp, n_avail, &ok));
    if (!ok)
        return MP_OK;
    uint32_t lo = 0, hi = n_avail; /* restores(lo) false, restores(hi) true */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        MP_TRY(restores(c, vp, mid, &ok));
        if (ok)
            hi = mid;
        else
            lo = mid;
    }
    *n_grow = hi;
    return MP_OK;
}

static mp_status new_row(rd_ctx *c, mp_redist_variant **v)
{
    mp_redist *r = c->out;
    if (r->n == c->cap) {
        uint32_t cap = c->cap ? c->cap * 2 : 16;
        mp_redist_variant *bigger = mp_realloc(r->v, (size_t)cap * sizeof *bigger);
        if (!bigger)
            return mp_errorf(c->err, MP_E_NOMEM, "out of memory");
        r->v = bigger;
        c->cap = cap;
    }
    *v = &r->v[r->n];
    memset(*v, 0, sizeof **v);
    return MP_OK;
}

/* The change list of a variant of G_m (names from its graph vg): the moves, then one
 * entry per changed layer (its first kernel and its last), shrinks before grows. */
static mp_status describe_changes(rd_ctx *c, const variant_plan *vp, mp_redist_variant *v)
{
    const mp_graph *vg = v->graph;
    uint32_t cap = vp->m + vp->n_shrink + v->n_grow, n = 0;
    v->changes = MP_NEW_ARRAY(mp_redist_change, cap ? cap : 1);
    if (!v->changes)
        return mp_errorf(c->err, MP_E_NOMEM, "out of memory");
    for (uint32_t k = 0; k < vp->m; k++) {
        uint32_t d = c->mv.donor[k], given = 0;
        for (uint32_t j = 0; j <= k; j++)
            given += c->mv.donor[j] == d;
        v->changes[n++] = (mp_redist_change){
            .kind = MP_REDIST_MOVE, .from_group = vg->repeats[d].name,
            .to_group = vg->repeats[c->mv.receiver].name,
            .from_reps = c->g->repeats[d].n_reps - given,
            .to_reps = c->g->repeats[c->mv.receiver].n_reps + k + 1};
    }
    uint32_t first_kernel = n;
    for (uint32_t k = 0; k < vp->n_shrink + v->n_grow; k++) {
        bool grow = k >= vp->n_shrink;
        const rd_kstep *s = grow ? &vp->grow[k - vp->n_shrink] : &vp->shrink[k];
        const char *layer = vg->ops[s->op].name;
        mp_redist_change *ch = NULL;
        for (uint32_t j = first_kernel; j < n && !ch; j++)
            if (v->changes[j].layer == layer)
                ch = &v->changes[j];
        if (!ch) {
            ch = &v->changes[n++];
            *ch = (mp_redist_change){.kind = grow ? MP_REDIST_GROW : MP_REDIST_SHRINK,
                                     .layer = layer, .from_h = s->from_h, .from_w = s->from_w};
        }
        ch->to_h = s->to_h;
        ch->to_w = s->to_w;
    }
    v->n_changes = n;
    return MP_OK;
}

/* Whether a graph with vg's hash is listed already. */
static bool listed(const mp_redist *r, const mp_graph *vg)
{
    for (uint32_t k = 0; k < r->n; k++)
        if (strcmp(r->v[k].graph->hash, vg->hash) == 0)
            return true;
    return false;
}

/* Variant (vp->m, vp->n_shrink): build, evaluate and list it (or count it dropped). */
static mp_status add_variant(rd_ctx *c, variant_plan *vp, uint32_t n_grow_avail,
                             const char *split)
{
    uint32_t n_grow;
    if (vp->m)
        snprintf(vp->name, sizeof vp->name, "%s-m%uk%u", c->g->name, vp->m, vp->n_shrink);
    else
        snprintf(vp->name, sizeof vp->name, "%s-k%u", c->g->name, vp->n_shrink);
    MP_TRY(fewest_grows(c, vp, n_grow_avail, &n_grow));
    if (n_grow == UINT32_MAX) {
        c->out->n_dropped++;
        return MP_OK;
    }
    mp_graph *vg;
    MP_TRY(build_kernels(c, vp, n_grow, &vg));
    if (listed(c->out, vg)) {
        c->out->n_same++;
        mp_graph_free(vg);
        return MP_OK;
    }
    mp_redist_variant *v = NULL;
    mp_status st = new_row(c, &v);
    if (st == MP_OK)
        st = evaluate(c, vg, split, v);
    if (st != MP_OK) {
        mp_graph_free(vg);
        return st;
    }
    v->owned = vg;
    c->out->n++;
    if (vp->m)
        snprintf(v->id, sizeof v->id, "m%uk%u", vp->m, vp->n_shrink);
    else
        snprintf(v->id, sizeof v->id, "k%u", vp->n_shrink);
    v->n_moves = vp->m;
    v->n_shrink = vp->n_shrink;
    v->n_grow = n_grow;
    return describe_changes(c, vp, v);
}

/* Every variant of G_m (gm) whose split tensor is called split. */
static mp_status variants_of(rd_ctx *c, const mp_graph *gm, uint32_t m, const char *split)
{
    mp_tensor_id s = mp_graph_find_tensor(gm, split);
    rd_seq_ctx sc = {.g = gm, .ro = c->ro, .split_step = (uint32_t)gm->step_of_op[gm->tensors[s].producer]};
    variant_plan vp = {.gm = gm, .m = m};
    rd_kstep *shrink = NULL, *grow = NULL;
    uint32_t n_shrink = 0, n_grow = 0;
    sc.cur = MP_NEW_ARRAY(int32_t, (size_t)gm->n_ops * 2);
    vp.kernel = MP_NEW_ARRAY(int32_t, (size_t)gm->n_ops * 2);
    mp_status st = sc.cur && vp.kernel ? MP_OK : mp_errorf(c->err, MP_E_NOMEM, "out of memory");
    if (st == MP_OK)
        st = rd_kernel_sequence(&sc, false,
                             c->ro->max_shrink <= MP_REDIST_MAX_STEPS ? c->ro->max_shrink
                                                                     : MP_REDIST_MAX_STEPS + 1,
                             &shrink, &n_shrink, c->err);
    if (st == MP_OK && n_shrink > MP_REDIST_MAX_STEPS)
        st = mp_errorf(c->err, MP_E_LIMIT,
                       "redistribute: the patch stage's kernels allow more than %u shrink "
                       "steps, the limit (--max-shrink N takes the first N)",
                       MP_REDIST_MAX_STEPS);
    if (st == MP_OK)
        st = rd_kernel_sequence(&sc, true, UINT32_MAX, &grow, &n_grow, c->err);
    vp.shrink = shrink;
    vp.grow = grow;
    for (uint32_t k = m ? 0 : 1; st == MP_OK && k <= n_shrink; k++) {
        vp.n_shrink = k;
        st = add_variant(c, &vp, n_grow, split);
    }
    mp_free(shrink);
    mp_free(grow);
    mp_free(sc.cur);
    mp_free(vp.kernel);
    return st;
}

/* ---- the result ----------------------------------------------------------------------- */

static bool dominates(const mp_redist_variant *a, const mp_redist_variant *b)
{
    if (a->peak > b->peak || a->overhead > b->overhead || a->patch_macs > b->patch_macs)
        return false;
    return a->peak < b->peak || a->overhead < b->overhead || a->patch_macs < b->patch_macs;
}

static void mark_pareto(mp_redist *r)
{
    for (uint32_t i = 0; i < r->n; i++) {
        r->v[i].pareto = true;
        for (uint32_t j = 0; j < r->n && r->v[i].pareto; j++)
            if (j != i && dominates(&r->v[j], &r->v[i]))
                r->v[i].pareto = false;
    }
}

static mp_status check_args(const mp_graph *g, const mp_patch_spec *spec,
                            const mp_redist_opts *ro, mp_error *err)
{
    if (!g->finalized || !g->n_ops)
        return mp_errorf(err, MP_E_INVALID, "%s: the graph is not finalized", g->name);
    if (ro->min_kernel < 1 || ro->min_kernel % 2 == 0 || ro->min_kernel > 99)
        return mp_errorf(err, MP_E_INVALID, "smallest kernel: expected an odd number from 1 to "
                                            "99, got %d", ro->min_kernel);
    if (ro->max_kernel < 3 || ro->max_kernel % 2 == 0 || ro->max_kernel > 99)
        return mp_errorf(err, MP_E_INVALID, "largest kernel: expected an odd number from 3 to "
                                            "99, got %d", ro->max_kernel);
    if (spec->first_step != 0 || spec->last_step >= g->n_ops)
        return mp_errorf(err, MP_E_INVALID, "%s: redistribution needs a patch stage from the "
                                            "first layer to a layer of the network", g->name);
    return MP_OK;
}

static mp_status run(rd_ctx *c)
{
    const mp_graph *g = c->g;
    mp_redist_variant *v = NULL;
    mp_tensor_id split = g->ops[g->order[c->spec->last_step]].out[0];
    MP_TRY(new_row(c, &v));
    MP_TRY(evaluate(c, g, g->tensors[split].name, v));
    snprintf(v->id, sizeof v->id, "original");
    c->out->n = 1;
    c->target = v->total_rf;
    MP_TRY(find_moves(g, c->spec->last_step, c->ro->max_moves, &c->mv, c->err));
    c->out->n_moves = c->mv.n;
    MP_TRY(variants_of(c, g, 0, g->tensors[split].name));
    for (uint32_t m = 1; m <= c->mv.n; m++) {
        mp_graph *gm;
        mp_tensor_id s;
        MP_TRY(build_moved(c, m, split, &gm, &s));
        mp_status st = variants_of(c, gm, m, gm->tensors[s].name);
        mp_graph_free(gm);
        MP_TRY(st);
    }
    mark_pareto(c->out);
    return MP_OK;
}

mp_status mp_redistribute(const mp_graph *g, const mp_plan_opts *opts, const mp_patch_spec *spec,
                          const mp_redist_opts *ro, mp_redist *out, mp_error *err)
{
    memset(out, 0, sizeof *out);
    MP_TRY(check_args(g, spec, ro, err));
    rd_ctx c = {.g = g, .opts = opts, .spec = spec, .ro = ro, .out = out, .err = err};
    out->spec = *spec;
    out->spec.row_cuts = out->spec.col_cuts = NULL;
    mp_status st = run(&c);
    mp_free(c.mv.donor);
    if (st != MP_OK)
        mp_redist_release(out);
    return st;
}

void mp_redist_release(mp_redist *r)
{
    for (uint32_t k = 0; r->v && k < r->n; k++) {
        mp_free(r->v[k].changes);
        mp_graph_free(r->v[k].owned);
    }
    mp_free(r->v);
    memset(r, 0, sizeof *r);
}

void mp_redist_describe(const mp_redist_variant *v, mp_strbuf *sb)
{
    if (!v->n_changes) {
        mp_strbuf_puts(sb, "unchanged");
        return;
    }
    for (uint32_t k = 0; k < v->n_changes; k++) {
        const mp_redist_change *ch = &v->changes[k];
        mp_strbuf_puts(sb, k ? "; " : "");
        if (ch->kind == MP_REDIST_MOVE) {
            mp_strbuf_printf(sb, "a repetition of %s (now %u) moved to %s (now %u)",
                             ch->from_group, ch->from_reps, ch->to_group, ch->to_reps);
            continue;
        }
        mp_strbuf_printf(sb, "%s %dx%d->%dx%d", ch->layer, ch->from_h, ch->from_w, ch->to_h,
                         ch->to_w);
    }
}
