/* SPDX-License-Identifier: MIT */
/*
 * run_schedule.c - running a schedule inside one arena (module exec).
 *
 *   arena (s->arena_bytes, poisoned)
 *   +---------+----------+-----+----------+---------+
 *   | buffer  | region   | ... | row cache| accum   |   each at its planned offset
 *   +---------+----------+-----+----------+---------+
 *
 * Per-layer segments: each op reads whole-tensor views of its inputs'
 * buffers and writes its output's buffer (in place where the plan says so).
 * Tiled segments: patches in raster order; in patch (i, j) every op writes the
 * region it computes into its output's region buffer (laid out as the region
 * the patch holds) or into the whole buffer of a stage output. With halo
 * caching, the rest of a held region is assembled from the tensor's caches:
 *
 *   holds  rows R x cols C;  computes rows Rc x cols Cc (the bottom-right part)
 *   +-------+-----------+
 *   |       | row cache |   rows above Rc.a, columns from Cc.a: the row cache
 *   | col   +-----------+   (the last K_r rows computed, every column)
 *   | cache | computed  |   columns left of Cc.a, every row of R: the column
 *   |       |           |   cache (the last K_c columns computed in this row
 *   +-------+-----------+   of patches)
 *
 * and after that the caches take the new rows and columns from the buffer.
 * Caches are rings indexed by absolute row (or column) modulo K, so only
 * entries no later patch can need are overwritten (docs/algorithms.md).
 */
#include "exec_int.h"

#include "../util/alloc.h"
#include "../util/checked.h"

#include <string.h>

#define POISON 0xA5

typedef struct runner {
    const mp_exec_model *m;
    const mp_graph *g;
    const mp_schedule *s;
    uint8_t *arena;
    const int8_t *const *inputs;
    mp_exec_schedule_stats *stats;
    const mp_exec_run *ref;   /* compare against it, or NULL */
    mp_exec_mismatch *first;  /* first difference found */
    mp_error *err;
} runner;

static int8_t *buffer_data(const runner *r, int32_t b)
{
    return (int8_t *)(r->arena + r->s->buffers[b].offset);
}

static const int8_t *host_input(const runner *r, mp_tensor_id t)
{
    for (uint32_t i = 0; i < r->g->n_inputs; i++)
        if (r->g->inputs[i] == t)
            return r->inputs[i];
    return NULL;
}

/* A network input the plan keeps outside the arena (a float/uint8 boundary input: the
 * caller's buffer) has no buffer; ops read it where the caller holds it. */
static bool outside_arena(const runner *r, mp_tensor_id t)
{
    return r->s->tensor_buffer[t] < 0 && host_input(r, t);
}

static mp_view whole_view(const runner *r, mp_tensor_id t)
{
    if (outside_arena(r, t))
        return mp_view_of_tensor(&r->g->tensors[t], (int8_t *)host_input(r, t));
    return mp_view_of_tensor(&r->g->tensors[t], buffer_data(r, r->s->tensor_buffer[t]));
}

static mp_status check_bounds(const mp_schedule *s, mp_error *err)
{
    for (uint32_t i = 0; i < s->n_buffers; i++) {
        size_t end;
        if (!mp_add_size(s->buffers[i].offset, s->buffers[i].bytes, &end) || end > s->arena_bytes) {
            char name[160];
            return mp_errorf(err, MP_E_INVALID, "%s ends at byte %zu, past the %zu-byte arena",
                             mp_schedule_buffer_name(s, i, name, sizeof name),
                             s->buffers[i].offset + s->buffers[i].bytes, s->arena_bytes);
        }
    }
    return MP_OK;
}

/* Copy the network inputs held whole into their buffers. */
static void load_inputs(const runner *r)
{
    for (uint32_t i = 0; i < r->g->n_inputs; i++) {
        mp_tensor_id t = r->g->inputs[i];
        int32_t b = r->s->tensor_buffer[t];
        if (b >= 0 && r->s->buffers[b].kind == MP_BUF_TENSOR)
            memcpy(buffer_data(r, b), r->inputs[i], r->g->tensors[t].size_bytes);
    }
}

/* Compare tensor t, just produced whole in its buffer, with the reference. */
static void check_tensor(runner *r, mp_tensor_id t)
{
    if (!r->ref || !r->first || t >= r->ref->n_tensors || !r->ref->tensor[t])
        return;
    const mp_tensor *x = &r->g->tensors[t];
    const int8_t *want = r->ref->tensor[t], *got = buffer_data(r, r->s->tensor_buffer[t]);
    r->first->tensors_checked++;
    if (r->first->found || memcmp(want, got, x->size_bytes) == 0)
        return;
    for (size_t e = 0; e < x->size_bytes; e++) {
        if (want[e] == got[e])
            continue;
        size_t c = (size_t)x->shape.c;
        mp_exec_mismatch *mm = r->first;
        mm->found = true;
        mm->tensor = t;
        mm->index = e;
        mm->y = (int32_t)(e / c / (size_t)x->shape.w);
        mm->x = (int32_t)(e / c % (size_t)x->shape.w);
        mm->c = (int32_t)(e % c);
        mm->expected = want[e];
        mm->actual = got[e];
        break;
    }
}

/* ---- per-layer segments --------------------------------------------------------------- */

static mp_status run_layer_step(runner *r, uint32_t st)
{
    const mp_schedule *s = r->s;
    uint32_t op = s->order[st];
    const mp_op *o = &r->g->ops[op];
    mp_view in[MP_MAX_OP_INPUTS];
    uint32_t n_in = 0;
    for (uint32_t k = 0; k < o->n_in; k++)
        if (o->in[k] != MP_NO_TENSOR && mp_tensor_is_activation(&r->g->tensors[o->in[k]]))
            in[n_in++] = whole_view(r, o->in[k]);
    r->stats->op_runs++;
    if (o->type == MP_OP_SPLIT) {
        int8_t *outs[MP_MAX_SPLITS];
        for (uint32_t k = 0; k < o->n_out && k < MP_MAX_SPLITS; k++)
            outs[k] = whole_view(r, o->out[k]).data;
        MP_TRY(exec_run_split(r->m, op, in[0].data, outs, r->err));
        for (uint32_t k = 0; k < o->n_out; k++)
            check_tensor(r, o->out[k]);
        return MP_OK;
    }
    mp_view out = whole_view(r, o->out[0]);
    mp_rect rect = mp_rect_of_tensor(&r->g->tensors[o->out[0]]);
    if (s->pl.steps[st].inplace_kind == MP_INPLACE_DW) {
        int32_t pb = mp_schedule_find_buffer(s, MP_BUF_PLANE, o->out[0], -1, st);
        if (pb < 0)
            return mp_errorf(r->err, MP_E_INVALID, "step %u: no plane buffer", st);
        MP_TRY(mp_exec_dw_inplace(r->m, op, &in[0], &out, rect, buffer_data(r, pb),
                                  s->buffers[pb].bytes, r->err));
    } else {
        MP_TRY(mp_exec_op(r->m, op, in, n_in, &out, rect, r->err));
    }
    check_tensor(r, o->out[0]);
    return MP_OK;
}

/* ---- tiled segments ------------------------------------------------------------------- */

/* Geometry of a slot's caches (halo cache mode). */
typedef struct slot_cache {
    int32_t kr, kc;        /* ring lengths (rows, columns); 0: no cache on that axis */
    int32_t hc0, hull_w;   /* columns the row cache covers */
    int32_t max_h;         /* rows the column cache covers */
    int8_t *row, *col;     /* ring storage in the arena */
    size_t px;             /* bytes per pixel */
} slot_cache;

typedef struct tile_ctx {
    runner *r;
    uint32_t si;
    const mp_patch_plan *p;
    slot_cache *cache;     /* per slot */
    void *acc;             /* reduction accumulators */
} tile_ctx;

static mp_rect region_rect(mp_interval rows, mp_interval cols)
{
    if (rows.b <= rows.a || cols.b <= cols.a)
        return (mp_rect){0, 0, 0, 0};
    return (mp_rect){rows.a, rows.b, cols.a, cols.b};
}

/* View of slot k's region buffer holding its need region in patch (i, j). */
static mp_view region_view(const tile_ctx *t, uint32_t k, uint32_t i, uint32_t j)
{
    const mp_stage_tensor *sl = &t->p->slots[k];
    mp_interval nr, nc;
    mp_patch_slot_region(t->p, k, i, j, &nr, &nc, NULL, NULL);
    int8_t *data = buffer_data(t->r, t->r->s->tensor_buffer[sl->id]);
    return mp_view_of_rect(&t->r->g->tensors[sl->id], region_rect(nr, nc), data);
}

static bool is_region(const mp_stage_tensor *sl)
{
    return sl->role == MP_ROLE_WORKING || sl->role == MP_ROLE_STREAM_INPUT;
}

/* The view through which ops read or write slot k in patch (i, j). */
static mp_view slot_view(const tile_ctx *t, uint32_t k, uint32_t i, uint32_t j)
{
    if (outside_arena(t->r, t->p->slots[k].id))
        return whole_view(t->r, t->p->slots[k].id);
    if (is_region(&t->p->slots[k]))
        return region_view(t, k, i, j);
    return whole_view(t->r, t->p->slots[k].id);
}

static void copy_px(int8_t *dst, const int8_t *src, size_t px)
{
    memcpy(dst, src, px);
}

static int8_t *row_cache_at(const slot_cache *c, int32_t y, int32_t x)
{
    return c->row + ((size_t)(y % c->kr) * (size_t)c->hull_w + (size_t)(x - c->hc0)) * c->px;
}

static int8_t *col_cache_at(const slot_cache *c, int32_t y, int32_t y0, int32_t x)
{
    return c->col + ((size_t)(x % c->kc) * (size_t)c->max_h + (size_t)(y - y0)) * c->px;
}

/* Fill the parts of slot k's region in patch (i, j) that the patch does not
 * compute from the caches, then store the new rows and columns in them. */
static void halo_cache(const tile_ctx *t, uint32_t k, uint32_t i, uint32_t j)
{
    const slot_cache *c = &t->cache[k];
    mp_interval nr, nc, cr, cc;
    mp_patch_slot_region(t->p, k, i, j, &nr, &nc, &cr, &cc);
    if (nr.b <= nr.a || nc.b <= nc.a)
        return;
    mp_view v = region_view(t, k, i, j);
    int32_t cra = cr.b > cr.a ? cr.a : nr.b, cca = cc.b > cc.a ? cc.a : nc.b;
    for (int32_t y = nr.a; y < nr.b; y++) /* left part: column cache, every row */
        for (int32_t x = nc.a; x < cca; x++)
            copy_px(view_at(&v, y, x), col_cache_at(c, y, nr.a, x), c->px);
    for (int32_t y = nr.a; y < cra; y++) /* top part: row cache */
        for (int32_t x = cca; x < nc.b; x++)
            copy_px(view_at(&v, y, x), row_cache_at(c, y, x), c->px);
    if (c->kc) /* the last K_c columns, every row */
        for (int32_t x = nc.b - c->kc > nc.a ? nc.b - c->kc : nc.a; x < nc.b; x++)
            for (int32_t y = nr.a; y < nr.b; y++)
                copy_px(col_cache_at(c, y, nr.a, x), view_at(&v, y, x), c->px);
    if (c->kr && cc.b > cc.a) /* the last K_r rows, the columns this patch computed */
        for (int32_t y = nr.b - c->kr > nr.a ? nr.b - c->kr : nr.a; y < nr.b; y++)
            for (int32_t x = cc.a; x < cc.b; x++)
                copy_px(row_cache_at(c, y, x), view_at(&v, y, x), c->px);
}

/* A streamed network input: the patch's new region comes from the host. */
static void stream_input(const tile_ctx *t, uint32_t k, uint32_t i, uint32_t j)
{
    const mp_stage_tensor *sl = &t->p->slots[k];
    const mp_tensor *tt = &t->r->g->tensors[sl->id];
    mp_interval cr, cc;
    mp_patch_slot_region(t->p, k, i, j, NULL, NULL, &cr, &cc);
    mp_view v = region_view(t, k, i, j);
    mp_view host = mp_view_of_tensor(tt, (int8_t *)host_input(t->r, sl->id));
    size_t px = (size_t)mp_view_pixel_bytes(tt); /* 4 bytes per element of a float32 input */
    for (int32_t y = cr.a; y < cr.b; y++)
        if (cc.b > cc.a)
            memcpy(view_at(&v, y, cc.a), view_at(&host, y, cc.a), (size_t)(cc.b - cc.a) * px);
}

static mp_status run_tile_op(tile_ctx *t, uint32_t l, uint32_t i, uint32_t j)
{
    const mp_patch_plan *p = t->p;
    runner *r = t->r;
    uint32_t op = p->ops[l];
    const mp_op *o = &r->g->ops[op];
    uint32_t ko = (uint32_t)p->out_slot[l];
    uint32_t last = p->spec.rows * p->spec.cols - 1, patch = i * p->spec.cols + j;
    if (l + 1 == p->n_ops && p->accum_bytes) { /* the closing reduction */
        uint32_t kx = (uint32_t)mp_patch_slot_of(p, o->in[0]);
        mp_interval nr, nc;
        mp_patch_slot_region(p, kx, i, j, &nr, &nc, NULL, NULL);
        mp_view in = slot_view(t, kx, i, j);
        if (patch == 0)
            MP_TRY(mp_exec_reduce_begin(r->m, op, t->acc, r->err));
        MP_TRY(mp_exec_reduce_tile(r->m, op, &in, region_rect(nr, nc), t->acc, r->err));
        r->stats->op_runs++;
        if (patch == last)
            return mp_exec_reduce_end(r->m, op, t->acc, buffer_data(r, r->s->tensor_buffer[o->out[0]]),
                                      r->err);
        return MP_OK;
    }
    mp_view in[MP_MAX_OP_INPUTS];
    uint32_t n_in = 0;
    for (uint32_t k = 0; k < o->n_in; k++)
        if (o->in[k] != MP_NO_TENSOR && mp_tensor_is_activation(&r->g->tensors[o->in[k]]))
            in[n_in++] = slot_view(t, (uint32_t)mp_patch_slot_of(p, o->in[k]), i, j);
    mp_interval cr, cc;
    mp_patch_slot_region(p, ko, i, j, NULL, NULL, &cr, &cc);
    mp_rect rect = region_rect(cr, cc);
    mp_view out = slot_view(t, ko, i, j);
    if (!mp_rect_empty(rect)) {
        r->stats->op_runs++;
        if (p->inplace[l]) {
            int32_t pb = mp_schedule_find_buffer(r->s, MP_BUF_PLANE, o->out[0], (int32_t)t->si,
                                                 (int64_t)(p->spec.first_step + l));
            if (pb < 0)
                return mp_errorf(r->err, MP_E_INVALID, "op '%s': no plane buffer", o->name);
            MP_TRY(mp_exec_dw_inplace(r->m, op, &in[0], &out, rect, buffer_data(r, pb),
                                      r->s->buffers[pb].bytes, r->err));
        } else {
            MP_TRY(mp_exec_op(r->m, op, in, n_in, &out, rect, r->err));
        }
    }
    if (p->spec.halo != MP_HALO_RECOMPUTE && is_region(&p->slots[ko]))
        halo_cache(t, ko, i, j);
    return MP_OK;
}

static mp_status run_patch(tile_ctx *t, uint32_t i, uint32_t j)
{
    const mp_patch_plan *p = t->p;
    for (uint32_t k = 0; k < p->n_slots; k++) {
        if (p->slots[k].role != MP_ROLE_STREAM_INPUT || outside_arena(t->r, p->slots[k].id))
            continue;
        stream_input(t, k, i, j);
        if (p->spec.halo != MP_HALO_RECOMPUTE)
            halo_cache(t, k, i, j);
    }
    for (uint32_t l = 0; l < p->n_ops; l++)
        MP_TRY(run_tile_op(t, l, i, j));
    t->r->stats->patches++;
    return MP_OK;
}

static void cache_geometry(const tile_ctx *t, uint32_t k, slot_cache *c)
{
    const mp_patch_plan *p = t->p;
    const mp_stage_tensor *sl = &p->slots[k];
    const mp_tensor *tt = &t->r->g->tensors[sl->id];
    memset(c, 0, sizeof *c);
    c->px = (size_t)tt->shape.c * mp_dtype_size(tt->dtype);
    int32_t lo = INT32_MAX, hi = 0;
    for (uint32_t j = 0; j < p->spec.cols; j++) {
        mp_interval v = p->need_cols[k * p->spec.cols + j];
        if (v.b > v.a) {
            lo = v.a < lo ? v.a : lo;
            hi = v.b > hi ? v.b : hi;
        }
    }
    for (uint32_t i = 0; i < p->spec.rows; i++)
        c->max_h = mp_interval_len(p->need_rows[k * p->spec.rows + i]) > c->max_h
                       ? mp_interval_len(p->need_rows[k * p->spec.rows + i])
                       : c->max_h;
    c->hc0 = hi > lo ? lo : 0;
    c->hull_w = hi > lo ? hi - lo : 0;
    int32_t rb = mp_schedule_find_buffer(t->r->s, MP_BUF_ROW_CACHE, sl->id, (int32_t)t->si, -1);
    int32_t cb = mp_schedule_find_buffer(t->r->s, MP_BUF_COL_CACHE, sl->id, (int32_t)t->si, -1);
    if (rb >= 0 && c->hull_w) {
        c->row = buffer_data(t->r, rb);
        c->kr = (int32_t)(sl->row_cache_bytes / ((size_t)c->hull_w * c->px));
    }
    if (cb >= 0 && c->max_h) {
        c->col = buffer_data(t->r, cb);
        c->kc = (int32_t)(sl->col_cache_bytes / ((size_t)c->max_h * c->px));
    }
}

static mp_status run_tiled(runner *r, uint32_t si)
{
    const mp_patch_plan *p = r->s->segments[si].patch;
    tile_ctx t = {.r = r, .si = si, .p = p};
    t.cache = mp_calloc(p->n_slots ? p->n_slots : 1, sizeof *t.cache);
    if (!t.cache)
        return mp_errorf(r->err, MP_E_NOMEM, "out of memory");
    for (uint32_t k = 0; k < p->n_slots; k++)
        cache_geometry(&t, k, &t.cache[k]);
    if (p->accum_bytes) {
        mp_tensor_id last = r->g->ops[p->ops[p->n_ops - 1]].out[0];
        int32_t ab = mp_schedule_find_buffer(r->s, MP_BUF_ACCUM, last, (int32_t)si, -1);
        t.acc = ab >= 0 ? buffer_data(r, ab) : NULL;
    }
    mp_status st = p->accum_bytes && !t.acc
                       ? mp_errorf(r->err, MP_E_INVALID, "segment %u: no accumulator buffer", si)
                       : MP_OK;
    for (uint32_t i = 0; st == MP_OK && i < p->spec.rows; i++)
        for (uint32_t j = 0; st == MP_OK && j < p->spec.cols; j++)
            st = run_patch(&t, i, j);
    for (uint32_t k = 0; st == MP_OK && k < p->n_slots; k++)
        if (p->slots[k].role == MP_ROLE_OUTPUT)
            check_tensor(r, p->slots[k].id);
    mp_free(t.cache);
    return st;
}

mp_status mp_exec_run_schedule(const mp_exec_model *m, const mp_schedule *s,
                               const int8_t *const *inputs, int8_t *const *outputs,
                               const mp_exec_run *reference, mp_exec_schedule_stats *stats,
                               mp_exec_mismatch *first, mp_error *err)
{
    if (first)
        memset(first, 0, sizeof *first);
    mp_exec_schedule_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (s->g != m->g)
        return mp_errorf(err, MP_E_INVALID, "the schedule and the model are for different graphs");
    MP_TRY(check_bounds(s, err));
    runner r = {m, m->g, s, NULL, inputs, stats, reference, first, err};
    r.arena = mp_malloc(s->arena_bytes ? s->arena_bytes : 1);
    if (!r.arena)
        return mp_errorf(err, MP_E_NOMEM, "out of memory for a %zu-byte arena", s->arena_bytes);
    memset(r.arena, POISON, s->arena_bytes);
    stats->arena_bytes = s->arena_bytes;
    load_inputs(&r);
    mp_status st = MP_OK;
    for (uint32_t si = 0; st == MP_OK && si < s->n_segments; si++) {
        const mp_segment *seg = &s->segments[si];
        if (seg->kind == MP_SEG_TILED)
            st = run_tiled(&r, si);
        else
            for (uint32_t step = seg->first_step; st == MP_OK && step <= seg->last_step; step++)
                st = run_layer_step(&r, step);
    }
    for (uint32_t k = 0; st == MP_OK && k < m->g->n_outputs; k++) {
        mp_tensor_id t = m->g->outputs[k];
        memcpy(outputs[k], buffer_data(&r, s->tensor_buffer[t]), m->g->tensors[t].size_bytes);
    }
    mp_free(r.arena);
    return st;
}

void mp_exec_compare_outputs(const mp_exec_model *m, const int8_t *const *expected,
                             const int8_t *const *actual, mp_exec_mismatch *mm)
{
    memset(mm, 0, sizeof *mm);
    for (uint32_t k = 0; k < m->g->n_outputs; k++) {
        const mp_tensor *t = &m->g->tensors[m->g->outputs[k]];
        for (size_t e = 0; e < t->size_bytes; e++) {
            if (expected[k][e] == actual[k][e])
                continue;
            mm->n_different++;
            if (mm->found)
                continue;
            size_t c = (size_t)t->shape.c;
            *mm = (mp_exec_mismatch){true, k, m->g->outputs[k], e,
                                     (int32_t)(e / c / (size_t)t->shape.w),
                                     (int32_t)(e / c % (size_t)t->shape.w), (int32_t)(e % c),
                                     expected[k][e], actual[k][e], mm->n_different, 0};
        }
    }
}
