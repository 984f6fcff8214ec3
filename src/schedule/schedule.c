/* SPDX-License-Identifier: MIT */
/*
 * schedule.c - building a schedule: segments, buffers, arena (module schedule).
 *
 * Buffers:
 *   - every activation tensor that is not a region of a tiled segment gets a
 *     whole buffer alive over its per-layer lifetime; a tiled segment's
 *     outputs are held from the segment's first step (they fill tile by
 *     tile) and its whole inputs to its last step (every patch reads them);
 *   - a tiled segment's working tensors (and the streamed network input) get
 *     a region buffer as large as their largest region, alive over the ops
 *     of one patch that use it (all patches reuse the layout), plus their
 *     row and column caches, alive over the whole segment;
 *   - in-place ops (depthwise over its input, add/mul over a dead input,
 *     reshape as a view) put the output's buffer in the input's group (same
 *     offset); depthwise adds a one-plane temporary for its step.
 */
#include "memplan/mp_schedule.h"

#include "../util/alloc.h"
#include "../util/checked.h"

#include <stdio.h>
#include <string.h>

void mp_schedule_spec_init(mp_schedule_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    mp_plan_opts_init(&spec->opts);
}

void mp_schedule_spec_set_patch(mp_schedule_spec *spec, const mp_patch_point *p)
{
    spec->n_tiled = 0;
    if (!p)
        return;
    spec->tiled[0] =
        (mp_patch_spec){0, p->last_step, p->rows, p->cols, p->cuts, NULL, NULL, p->halo};
    spec->n_tiled = 1;
}

mp_status mp_schedule_spec_set_fused(mp_schedule_spec *spec, const mp_fused_point *p,
                                     mp_error *err)
{
    spec->n_tiled = 0;
    for (uint32_t k = 0; p && k < p->n_segs; k++) {
        const mp_fused_seg *s = &p->segs[k];
        if (!s->tiled)
            continue;
        if (spec->n_tiled == MP_SCHEDULE_MAX_TILED)
            return mp_errorf(err, MP_E_INVALID, "fused schedule: more than %u tiled segments",
                             MP_SCHEDULE_MAX_TILED);
        spec->tiled[spec->n_tiled++] = (mp_patch_spec){
            s->first_step, s->last_step, s->rows, s->cols, s->cuts, NULL, NULL, s->halo};
    }
    return MP_OK;
}

void mp_schedule_free(mp_schedule *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->n_segments; i++)
        mp_patch_plan_free(s->segments[i].patch);
    mp_free(s->segments);
    mp_free(s->order);
    mp_per_layer_release(&s->pl);
    mp_free(s->buffers);
    mp_free(s->tensor_buffer);
    mp_free(s);
}

typedef struct buf_list {
    mp_buffer *v;
    uint32_t n, cap;
} buf_list;

static mp_status add_buffer(buf_list *l, mp_buffer_kind kind, mp_tensor_id t, int32_t seg,
                            size_t bytes, size_t align, uint32_t first, uint32_t last,
                            uint32_t *index, mp_error *err)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 64;
        mp_buffer *v = mp_realloc(l->v, (size_t)cap * sizeof *v);
        if (!v)
            return mp_errorf(err, MP_E_NOMEM, "out of memory");
        l->v = v;
        l->cap = cap;
    }
    mp_buffer *b = &l->v[l->n];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->tensor = t;
    b->segment = seg;
    if (!mp_align_up(bytes, align, &b->bytes))
        return mp_errorf(err, MP_E_OVERFLOW, "buffer size overflows");
    b->first = first;
    b->last = last;
    b->group = l->n;
    if (index)
        *index = l->n;
    l->n++;
    return MP_OK;
}

/* ---- segments ------------------------------------------------------------------------- */

static mp_status make_segments(mp_schedule *s, const mp_schedule_spec *spec, mp_error *err)
{
    uint32_t n_ops = s->g->n_ops;
    if (spec->n_tiled > MP_SCHEDULE_MAX_TILED)
        return mp_errorf(err, MP_E_LIMIT, "more than %u tiled segments", MP_SCHEDULE_MAX_TILED);
    s->segments = mp_calloc(2 * (size_t)spec->n_tiled + 1, sizeof *s->segments);
    if (!s->segments)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    uint32_t next = 0;
    for (uint32_t i = 0; i < spec->n_tiled; i++) {
        const mp_patch_spec *t = &spec->tiled[i];
        if (t->first_step < next || t->last_step < t->first_step || t->last_step >= n_ops)
            return mp_errorf(err, MP_E_INVALID,
                             "tiled segment %u: steps %u..%u overlap another segment or lie "
                             "outside 0..%u",
                             i, t->first_step, t->last_step, n_ops - 1);
        if (t->first_step > next)
            s->segments[s->n_segments++] =
                (mp_segment){MP_SEG_LAYERS, next, t->first_step - 1, NULL};
        mp_segment *seg = &s->segments[s->n_segments++];
        *seg = (mp_segment){MP_SEG_TILED, t->first_step, t->last_step, NULL};
        MP_TRY(mp_patch_plan_new(s->g, &s->pl, &s->opts, t, &seg->patch, err));
        next = t->last_step + 1;
    }
    if (next < n_ops)
        s->segments[s->n_segments++] = (mp_segment){MP_SEG_LAYERS, next, n_ops - 1, NULL};
    return MP_OK;
}

/* ---- buffers -------------------------------------------------------------------------- */

static bool is_region_role(mp_stage_role r)
{
    return r == MP_ROLE_WORKING || r == MP_ROLE_STREAM_INPUT;
}

/* Whole tensors, lifetimes stretched over the tiled segments that hold them. */
static mp_status whole_buffers(mp_schedule *s, buf_list *l, mp_error *err)
{
    const mp_graph *g = s->g;
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        if (s->pl.first_step[t] < 0)
            continue;
        uint32_t first = (uint32_t)s->pl.first_step[t], last = (uint32_t)s->pl.last_step[t];
        bool region = false;
        for (uint32_t i = 0; i < s->n_segments; i++) {
            const mp_segment *seg = &s->segments[i];
            int32_t k = seg->patch ? mp_patch_slot_of(seg->patch, t) : -1;
            if (k < 0)
                continue;
            mp_stage_role role = seg->patch->slots[k].role;
            region = region || is_region_role(role);
            if (role == MP_ROLE_OUTPUT && seg->first_step < first)
                first = seg->first_step;
            if (role == MP_ROLE_WHOLE_INPUT && seg->last_step > last)
                last = seg->last_step;
        }
        if (region)
            continue;
        uint32_t idx;
        MP_TRY(add_buffer(l, MP_BUF_TENSOR, t, -1, g->tensors[t].size_bytes, s->opts.align, first,
                          last, &idx, err));
        s->tensor_buffer[t] = (int32_t)idx;
    }
    return MP_OK;
}

/* Per-layer in-place steps: the output joins the input's group. */
static mp_status layer_inplace(mp_schedule *s, buf_list *l, uint32_t first, uint32_t last,
                               mp_error *err)
{
    const mp_graph *g = s->g;
    for (uint32_t st = first; st <= last; st++) {
        const mp_live_step *ls = &s->pl.steps[st];
        if (!ls->inplace)
            continue;
        mp_tensor_id out = g->ops[ls->op].out[0];
        int32_t bo = s->tensor_buffer[out], bi = s->tensor_buffer[ls->inplace_input];
        if (bo < 0 || bi < 0)
            continue;
        l->v[bo].group = l->v[bi].group;
        if (ls->inplace_kind == MP_INPLACE_DW)
            MP_TRY(add_buffer(l, MP_BUF_PLANE, out, -1, ls->scratch_bytes, s->opts.align, st, st,
                              NULL, err));
    }
    return MP_OK;
}

static int32_t max_need(const mp_interval *v, uint32_t n, uint32_t k)
{
    int32_t best = 0;
    for (uint32_t i = 0; i < n; i++)
        best = mp_interval_len(v[k * n + i]) > best ? mp_interval_len(v[k * n + i]) : best;
    return best;
}

/* Region buffers, caches and in-place planes of tiled segment si. */
static mp_status tiled_buffers(mp_schedule *s, buf_list *l, uint32_t si, mp_error *err)
{
    const mp_segment *seg = &s->segments[si];
    const mp_patch_plan *p = seg->patch;
    uint32_t a = seg->first_step, b = seg->last_step;
    for (uint32_t k = 0; k < p->n_slots; k++) {
        const mp_stage_tensor *sl = &p->slots[k];
        if (!is_region_role(sl->role))
            continue;
        uint32_t idx;
        MP_TRY(add_buffer(l, MP_BUF_REGION, sl->id, (int32_t)si, sl->max_region_bytes,
                          s->opts.align, a + (uint32_t)sl->first_op, a + (uint32_t)sl->last_op,
                          &idx, err));
        s->tensor_buffer[sl->id] = (int32_t)idx;
        if (sl->row_cache_bytes)
            MP_TRY(add_buffer(l, MP_BUF_ROW_CACHE, sl->id, (int32_t)si, sl->row_cache_bytes,
                              s->opts.align, a, b, NULL, err));
        if (sl->col_cache_bytes)
            MP_TRY(add_buffer(l, MP_BUF_COL_CACHE, sl->id, (int32_t)si, sl->col_cache_bytes,
                              s->opts.align, a, b, NULL, err));
    }
    if (p->accum_bytes) {
        mp_tensor_id red = s->g->ops[p->ops[p->n_ops - 1]].out[0];
        MP_TRY(add_buffer(l, MP_BUF_ACCUM, red, (int32_t)si, p->accum_bytes, s->opts.align, a, b,
                          NULL, err));
    }
    for (uint32_t op = 0; op < p->n_ops; op++) {
        if (!p->inplace[op])
            continue;
        const mp_op *o = &s->g->ops[p->ops[op]];
        uint32_t ko = (uint32_t)p->out_slot[op];
        int32_t bo = s->tensor_buffer[o->out[0]], bi = s->tensor_buffer[o->in[0]];
        l->v[bo].group = l->v[bi].group;
        size_t plane = (size_t)max_need(p->need_rows, p->spec.rows, ko) *
                       (size_t)max_need(p->need_cols, p->spec.cols, ko) *
                       mp_dtype_size(s->g->tensors[o->out[0]].dtype);
        MP_TRY(add_buffer(l, MP_BUF_PLANE, o->out[0], (int32_t)si, plane, s->opts.align, a + op,
                          a + op, NULL, err));
    }
    return MP_OK;
}

static mp_status build_buffers(mp_schedule *s, mp_error *err)
{
    buf_list l = {0};
    mp_status st = whole_buffers(s, &l, err);
    for (uint32_t i = 0; st == MP_OK && i < s->n_segments; i++) {
        const mp_segment *seg = &s->segments[i];
        if (seg->kind == MP_SEG_TILED)
            st = tiled_buffers(s, &l, i, err);
        else
            st = layer_inplace(s, &l, seg->first_step, seg->last_step, err);
    }
    s->buffers = l.v;
    s->n_buffers = l.n;
    return st;
}

/* ---- costs ---------------------------------------------------------------------------- */

static void schedule_costs(mp_schedule *s)
{
    s->peak_bytes = 0;
    s->macs = 0;
    for (uint32_t i = 0; i < s->n_segments; i++) {
        const mp_segment *seg = &s->segments[i];
        if (seg->kind == MP_SEG_TILED) {
            s->macs += seg->patch->stage_macs;
            if (seg->patch->stage_peak > s->peak_bytes)
                s->peak_bytes = seg->patch->stage_peak;
            continue;
        }
        for (uint32_t st = seg->first_step; st <= seg->last_step; st++) {
            s->macs += s->g->ops[s->pl.steps[st].op].macs;
            if (s->pl.steps[st].live_bytes > s->peak_bytes)
                s->peak_bytes = s->pl.steps[st].live_bytes;
        }
    }
}

mp_status mp_schedule_timeline(const mp_schedule *s, size_t *live, mp_error *err)
{
    size_t *gmax = mp_calloc(s->n_buffers ? s->n_buffers : 1, sizeof *gmax);
    if (!gmax)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t st = 0; st < s->g->n_ops; st++) {
        live[st] = 0;
        for (uint32_t i = 0; i < s->n_buffers; i++) {
            const mp_buffer *b = &s->buffers[i];
            if (b->first <= st && st <= b->last && b->bytes > gmax[b->group])
                gmax[b->group] = b->bytes;
        }
        for (uint32_t i = 0; i < s->n_buffers; i++) {
            if (s->buffers[i].group == i) {
                live[st] += gmax[i];
                gmax[i] = 0;
            }
        }
    }
    mp_free(gmax);
    return MP_OK;
}

/* scratch_bytes: the schedule's peak with every op's kernel scratch (spec->opts.kernels) at
 * its step, the same figure the searches rank by, minus the tensor peak. */
static mp_status schedule_scratch(mp_schedule *s, mp_error *err)
{
    s->scratch_bytes = 0;
    if (s->kernels == MP_TFLM_KERNELS_REFERENCE)
        return MP_OK;
    mp_plan_opts ko = s->opts;
    ko.kernels = s->kernels;
    mp_per_layer pl;
    MP_TRY(mp_plan_per_layer(s->g, s->order, &ko, &pl, err));
    size_t total = 0;
    mp_status st = MP_OK;
    for (uint32_t i = 0; i < s->n_segments && st == MP_OK; i++) {
        const mp_segment *seg = &s->segments[i];
        if (seg->kind != MP_SEG_TILED) {
            for (uint32_t k = seg->first_step; k <= seg->last_step; k++)
                total = pl.steps[k].live_bytes > total ? pl.steps[k].live_bytes : total;
            continue;
        }
        mp_patch_plan *p = NULL;
        mp_patch_spec ps = seg->patch->spec;
        st = mp_patch_plan_new(s->g, &pl, &ko, &ps, &p, err);
        if (st == MP_OK && p->stage_peak > total)
            total = p->stage_peak;
        mp_patch_plan_free(p);
    }
    mp_per_layer_release(&pl);
    s->scratch_bytes = total > s->peak_bytes ? total - s->peak_bytes : 0;
    return st;
}

mp_status mp_schedule_build(const mp_graph *g, const mp_schedule_spec *spec, mp_schedule **out,
                            mp_error *err)
{
    *out = NULL;
    mp_schedule *s = mp_calloc(1, sizeof *s);
    if (!s)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    s->g = g;
    s->opts = spec->opts;
    s->kernels = spec->opts.kernels;
    s->reserve_bytes = spec->reserve;
    s->opts.kernels = MP_TFLM_KERNELS_REFERENCE;
    if (!s->opts.align)
        s->opts.align = 1;
    s->order = mp_calloc(g->n_ops, sizeof *s->order);
    s->tensor_buffer = mp_calloc(g->n_tensors, sizeof *s->tensor_buffer);
    mp_status st = s->order && s->tensor_buffer ? MP_OK : mp_errorf(err, MP_E_NOMEM, "out of memory");
    if (st == MP_OK) {
        memcpy(s->order, spec->order ? spec->order : g->order, (size_t)g->n_ops * sizeof *s->order);
        for (uint32_t t = 0; t < g->n_tensors; t++)
            s->tensor_buffer[t] = -1;
        st = mp_plan_per_layer(g, s->order, &s->opts, &s->pl, err);
    }
    if (st == MP_OK)
        st = make_segments(s, spec, err);
    if (st == MP_OK)
        st = build_buffers(s, err);
    if (st == MP_OK)
        st = mp_arena_plan(s->buffers, s->n_buffers, s->opts.align, &s->arena, err);
    if (st != MP_OK) {
        mp_schedule_free(s);
        return st;
    }
    s->arena_bytes = s->arena.arena_bytes;
    s->layout_ok = mp_arena_check(s->buffers, s->n_buffers, s->opts.align, s->arena_bytes,
                                  &s->layout_bad[0], &s->layout_bad[1]);
    schedule_costs(s);
    if ((st = schedule_scratch(s, err)) != MP_OK) {
        mp_schedule_free(s);
        return st;
    }
    *out = s;
    return MP_OK;
}

int32_t mp_schedule_find_buffer(const mp_schedule *s, mp_buffer_kind kind, mp_tensor_id t,
                                int32_t seg, int64_t first)
{
    for (uint32_t i = 0; i < s->n_buffers; i++) {
        const mp_buffer *b = &s->buffers[i];
        if (b->kind == kind && b->tensor == t && b->segment == seg &&
            (first < 0 || b->first == (uint32_t)first))
            return (int32_t)i;
    }
    return -1;
}

const char *mp_schedule_buffer_name(const mp_schedule *s, uint32_t i, char *buf, size_t n)
{
    const mp_buffer *b = &s->buffers[i];
    if (b->segment >= 0)
        snprintf(buf, n, "buffers[%u] '%s' (%s, segment %d)", i, s->g->tensors[b->tensor].name,
                 mp_buffer_kind_name(b->kind), b->segment);
    else
        snprintf(buf, n, "buffers[%u] '%s' (%s)", i, s->g->tensors[b->tensor].name,
                 mp_buffer_kind_name(b->kind));
    return buf;
}

mp_status mp_schedule_check_layout(const mp_schedule *s, mp_error *err)
{
    if (s->layout_ok)
        return MP_OK;
    char a[160], b[160];
    mp_schedule_buffer_name(s, s->layout_bad[0], a, sizeof a);
    if (s->layout_bad[1] == UINT32_MAX)
        return mp_errorf(err, MP_E_MISMATCH,
                         "%s: offset %zu is misaligned, outside the %zu-byte arena or differs "
                         "from its group's",
                         a, s->buffers[s->layout_bad[0]].offset, s->arena_bytes);
    mp_schedule_buffer_name(s, s->layout_bad[1], b, sizeof b);
    return mp_errorf(err, MP_E_MISMATCH, "%s and %s overlap in the arena while both are live", a,
                     b);
}
