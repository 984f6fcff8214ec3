/* SPDX-License-Identifier: MIT */
/*
 * patch_plan.c - one patch schedule in full: block, row and column regions,
 * per-slot buffer and cache sizes, costs (module plan).
 */
#include "patch_int.h"

#include "../util/alloc.h"

#include <string.h>

static const char *const halo_names[] = {[MP_HALO_RECOMPUTE] = "recompute",
                                         [MP_HALO_CACHE] = "cache",
                                         [MP_HALO_CACHE_COLS] = "cache-cols"};
_Static_assert(sizeof halo_names / sizeof halo_names[0] == MP_HALO_COUNT, "halo names");
static const char *const cuts_names[] = {
    [MP_CUTS_EVEN] = "even", [MP_CUTS_BALANCED] = "balanced", [MP_CUTS_GIVEN] = "given"};
_Static_assert(sizeof cuts_names / sizeof cuts_names[0] == MP_CUTS_COUNT, "cuts names");

const char *mp_halo_name(mp_halo h)
{
    return (unsigned)h < MP_HALO_COUNT ? halo_names[h] : "?";
}

bool mp_halo_parse(const char *s, mp_halo *out)
{
    for (unsigned i = 0; i < MP_HALO_COUNT; i++) {
        if (strcmp(s, halo_names[i]) == 0) {
            *out = (mp_halo)i;
            return true;
        }
    }
    return false;
}

const char *mp_cuts_name(mp_cuts c)
{
    return (unsigned)c < MP_CUTS_COUNT ? cuts_names[c] : "?";
}

void mp_patch_plan_free(mp_patch_plan *p)
{
    if (!p)
        return;
    mp_free(p->row_cuts);
    mp_free(p->col_cuts);
    mp_free(p->slots);
    mp_free(p->ops);
    mp_free(p->out_slot);
    mp_free(p->inplace);
    mp_free(p->need_rows);
    mp_free(p->comp_rows);
    mp_free(p->need_cols);
    mp_free(p->comp_cols);
    mp_free(p);
}

int32_t mp_patch_slot_of(const mp_patch_plan *p, mp_tensor_id t)
{
    for (uint32_t k = 0; k < p->n_slots; k++)
        if (p->slots[k].id == t)
            return (int32_t)k;
    return -1;
}

mp_status mp_patch_spec_for_split(const mp_graph *g, const mp_per_layer *pl, const char *name,
                                  mp_patch_spec *spec, mp_error *err)
{
    mp_tensor_id t = mp_graph_find_tensor(g, name);
    if (t == MP_NO_TENSOR)
        return mp_errorf(err, MP_E_INVALID, "--split: no tensor named '%s' in %s", name,
                         g->source);
    if (g->tensors[t].producer < 0)
        return mp_errorf(err, MP_E_INVALID, "--split: '%s' is not produced by a layer", name);
    uint32_t step = 0;
    while (step < pl->n_steps && pl->steps[step].op != (uint32_t)g->tensors[t].producer)
        step++;
    for (uint32_t s = 0; s <= step && s < pl->n_steps; s++) {
        bool reduction = s == step && s > 0 && mp_patch_op_reduces(g, pl->steps[s].op);
        if (!reduction && !mp_patch_op_ok(g, pl->steps[s].op)) {
            char where[160];
            return mp_errorf(err, MP_E_INVALID,
                             "--split: '%s' comes after %s, which cannot be part of a patch "
                             "stage (%s)",
                             name, mp_graph_op_where(g, pl->steps[s].op, where, sizeof where),
                             mp_patch_op_why_not(g, pl->steps[s].op));
        }
    }
    spec->first_step = 0;
    spec->last_step = step;
    return MP_OK;
}

void mp_patch_slot_region(const mp_patch_plan *p, uint32_t k, uint32_t i, uint32_t j,
                          mp_interval *need_rows, mp_interval *need_cols,
                          mp_interval *comp_rows, mp_interval *comp_cols)
{
    uint32_t nr = p->spec.rows, nc = p->spec.cols;
    if (need_rows)
        *need_rows = p->need_rows[k * nr + i];
    if (need_cols)
        *need_cols = p->need_cols[k * nc + j];
    if (comp_rows)
        *comp_rows = p->comp_rows[k * nr + i];
    if (comp_cols)
        *comp_cols = p->comp_cols[k * nc + j];
}

void mp_patch_read_region(const mp_graph *g, const mp_patch_plan *p, uint32_t l, uint32_t k,
                          uint32_t i, uint32_t j, mp_interval *rows, mp_interval *cols,
                          int32_t pad[4])
{
    uint32_t o = (uint32_t)p->out_slot[l];
    mp_interval cr, cc, raw_r, raw_c;
    mp_patch_slot_region(p, o, i, j, NULL, NULL, &cr, &cc);
    *rows = block_backprop(g, p->ops[l], k, 0, cr, &raw_r);
    *cols = block_backprop(g, p->ops[l], k, 1, cc, &raw_c);
    const mp_tensor *t = &g->tensors[g->ops[p->ops[l]].in[k]];
    pad[0] = raw_r.b > raw_r.a && raw_r.a < 0 ? -raw_r.a : 0;
    pad[1] = raw_r.b > t->shape.h ? raw_r.b - t->shape.h : 0;
    pad[2] = raw_c.b > raw_c.a && raw_c.a < 0 ? -raw_c.a : 0;
    pad[3] = raw_c.b > t->shape.w ? raw_c.b - t->shape.w : 0;
}

/* Per-slot region maxima and caches, recorded for the arena planner and reports. */
static void slot_sizes(const block_info *b, const axis_plan *rows, const axis_plan *cols,
                       mp_halo halo, mp_stage_tensor *slots)
{
    for (uint32_t k = 0; k < b->n_slots; k++) {
        mp_stage_tensor *s = &slots[k];
        size_t best = 0;
        for (uint32_t i = 0; i < rows->n; i++)
            for (uint32_t j = 0; j < cols->n; j++) {
                size_t v = patch_region_bytes(b, rows, cols, k, i, j);
                best = v > best ? v : best;
            }
        s->max_region_bytes = best;
        s->row_cache_bytes = s->col_cache_bytes = 0;
        if (halo == MP_HALO_RECOMPUTE || !best)
            continue;
        const mp_tensor *t = &b->g->tensors[s->id];
        size_t px = (size_t)t->shape.c * mp_dtype_size(t->dtype);
        int32_t max_h = 0, lo = INT32_MAX, hi = 0;
        for (uint32_t i = 0; i < rows->n; i++) {
            mp_interval v = rows->need[k * rows->n + i];
            max_h = mp_interval_len(v) > max_h ? mp_interval_len(v) : max_h;
        }
        for (uint32_t j = 0; j < cols->n; j++) {
            mp_interval v = cols->need[k * cols->n + j];
            if (v.b > v.a) {
                lo = v.a < lo ? v.a : lo;
                hi = v.b > hi ? v.b : hi;
            }
        }
        int32_t hull_w = hi > lo ? hi - lo : 0;
        s->row_cache_bytes = (size_t)rows->cache_len[k] * (size_t)hull_w * px;
        s->col_cache_bytes = (size_t)cols->cache_len[k] * (size_t)max_h * px;
    }
}

static mp_status fill_plan(mp_patch_plan *p, const block_info *b, axis_plan *rows,
                           axis_plan *cols, const patch_cost *c, mp_error *err)
{
    p->split = b->slots[b->split_slot].id;
    p->n_ops = b->n_ops;
    p->n_slots = b->n_slots;
    p->slots = mp_calloc(b->n_slots ? b->n_slots : 1, sizeof *p->slots);
    p->ops = mp_calloc(b->n_ops, sizeof *p->ops);
    p->out_slot = mp_calloc(b->n_ops, sizeof *p->out_slot);
    p->inplace = mp_calloc(b->n_ops, sizeof *p->inplace);
    if (!p->slots || !p->ops || !p->out_slot || !p->inplace)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    memcpy(p->ops, b->ops, (size_t)b->n_ops * sizeof *p->ops);
    memcpy(p->out_slot, b->out_slot, (size_t)b->n_ops * sizeof *p->out_slot);
    for (uint32_t l = 0; l < b->n_ops; l++)
        p->inplace[l] = b->inplace_ok[l] && rows->inplace_fits[l] && cols->inplace_fits[l];
    memcpy(p->slots, b->slots, (size_t)b->n_slots * sizeof *p->slots);
    slot_sizes(b, rows, cols, p->spec.halo, p->slots);
    /* take ownership of the axis arrays */
    p->row_cuts = rows->cuts;
    p->col_cuts = cols->cuts;
    p->need_rows = rows->need;
    p->comp_rows = rows->comp;
    p->need_cols = cols->need;
    p->comp_cols = cols->comp;
    rows->cuts = cols->cuts = NULL;
    rows->need = rows->comp = cols->need = cols->comp = NULL;
    p->spec.row_cuts = p->row_cuts;
    p->spec.col_cuts = p->col_cuts;
    p->whole_bytes = b->whole_bytes;
    p->accum_bytes = b->accum_bytes;
    p->cache_bytes = c->cache_bytes;
    p->stage_peak = c->stage_peak;
    p->peak_patch = c->peak_patch;
    p->peak_op = c->peak_op;
    p->rest_peak = b->rest_peak;
    p->rest_peak_step = b->rest_peak_step;
    p->peak = c->peak;
    p->stage_macs = c->stage_macs;
    p->macs = c->macs;
    p->overhead = b->g->macs ? (double)c->macs / (double)b->g->macs - 1.0 : 0.0;
    return MP_OK;
}

mp_status mp_patch_plan_new(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                            const mp_patch_spec *spec, mp_patch_plan **out, mp_error *err)
{
    *out = NULL;
    if ((unsigned)spec->halo >= MP_HALO_COUNT || (unsigned)spec->cuts >= MP_CUTS_COUNT)
        return mp_errorf(err, MP_E_INVALID, "patch plan: invalid halo mode or cuts");
    block_info b = {0};
    axis_plan rows = {0}, cols = {0};
    patch_cost c;
    mp_patch_plan *p = mp_calloc(1, sizeof *p);
    mp_status st = p ? MP_OK : mp_errorf(err, MP_E_NOMEM, "out of memory");
    if (st == MP_OK)
        st = block_init(&b, g, pl, opts, spec->first_step, spec->last_step, err);
    if (st == MP_OK)
        st = axis_plan_build(&b, 0, spec->rows, spec->cuts, spec->row_cuts, spec->halo, &rows,
                             err);
    if (st == MP_OK)
        st = axis_plan_build(&b, 1, spec->cols, spec->cuts, spec->col_cuts, spec->halo, &cols,
                             err);
    if (st == MP_OK && (!rows.cache_ok || !cols.cache_ok)) {
        const axis_plan *bad = rows.cache_ok ? &cols : &rows;
        st = mp_errorf(err, MP_E_UNSUPPORTED,
                       "halo cache: the %s regions of '%s' do not advance from tile to tile; "
                       "use --halo recompute or another grid",
                       rows.cache_ok ? "column" : "row",
                       g->tensors[b.slots[bad->cache_bad_slot].id].name);
    }
    if (st == MP_OK && !patch_cost_eval(&b, &rows, &cols, spec->halo, &c))
        st = mp_errorf(err, MP_E_OVERFLOW, "patch plan: byte or MAC counts overflow");
    if (st == MP_OK) {
        p->spec = *spec;
        st = fill_plan(p, &b, &rows, &cols, &c, err);
    }
    axis_plan_release(&rows);
    axis_plan_release(&cols);
    block_release(&b);
    if (st != MP_OK) {
        mp_patch_plan_free(p);
        return st;
    }
    *out = p;
    return MP_OK;
}
