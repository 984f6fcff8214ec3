/* SPDX-License-Identifier: MIT */
/*
 * mprt_run.c - the table-driven runner of memplan_rt: per-layer segments,
 * patch stages in raster order with their region buffers, halo caches and
 * closing reductions, all at the planned arena offsets (docs/runtime.md).
 *
 * Halo caches (halo 1 = rows and columns, 2 = columns only). A patch holds
 * need_rows x need_cols of a region tensor and computes comp_rows x comp_cols,
 * the bottom-right part; the rest is assembled before any reader runs:
 *
 *   +-------+-----------+
 *   |       | row cache |   rows above comp (columns from comp's first): row ring
 *   | col   +-----------+
 *   | cache | computed  |   columns left of comp, every held row: column ring
 *   +-------+-----------+
 *
 * then the last kc held columns (every held row) go into the column ring and
 * the last kr held rows (the computed columns) into the row ring. Rings are
 * indexed by absolute row (column) modulo kr (kc): row ring entry (y, x) at
 * ((y % kr) * hull_w + (x - hc0)) * C, column ring entry (y, x) at
 * ((x % kc) * max_h + (y - need_rows.a)) * C.
 */
#include "mprt_int.h"

typedef struct rt {
    mprt_ctx *ctx;
    const mprt_model *m;
    uint8_t *arena;
    const int8_t *input;
} rt;

typedef struct tile {
    const rt *r;
    const mprt_segment *seg;
    int32_t i, j;
} tile;

/* Bytes of one pixel of tensor x (all channels). */
static int32_t px_bytes(const mprt_tensor *x)
{
    return x->c * x->esize;
}

/* Where tensor t is held whole: its arena buffer, or, for a network input outside the
 * arena (offset -1), the caller's input blob. */
static int8_t *whole_data(const rt *r, int32_t t)
{
    const mprt_tensor *x = &r->m->tensors[t];
    if (x->offset >= 0)
        return (int8_t *)(r->arena + x->offset);
    for (int32_t i = 0; i < r->m->n_inputs; i++)
        if (r->m->inputs[i].tensor == t)
            return (int8_t *)(uintptr_t)(r->input + r->m->inputs[i].pos);
    return NULL;
}

static mprt_view whole_view(const rt *r, int32_t t)
{
    const mprt_tensor *x = &r->m->tensors[t];
    mprt_view v = {whole_data(r, t), 0, 0, x->h, x->w, px_bytes(x), x->w * px_bytes(x)};
    return v;
}

static void hook(const rt *r, int32_t t)
{
    const mprt_tensor *x = &r->m->tensors[t];
    if (r->ctx->tensor_done && x->offset >= 0)
        r->ctx->tensor_done(r->ctx->user, t, (const int8_t *)(r->arena + x->offset),
                            (uint32_t)x->h * (uint32_t)x->w * (uint32_t)px_bytes(x));
}

static int rect_empty(mprt_rect q)
{
    return q.y0 >= q.y1 || q.x0 >= q.x1;
}

/* ---- per-layer segments -------------------------------------------------------------- */

/* A split: whole dense tensors, one per output. */
static void run_split(const rt *r, const mprt_op *op)
{
    const mprt_split *p = op->params;
    int8_t *outs[64];
    for (int32_t k = 0; k < p->n && k < 64; k++)
        outs[k] = whole_data(r, p->outs[k]);
    r->ctx->op_runs++;
    mprt_split_run(p, whole_data(r, op->in[0]), outs);
    for (int32_t k = 0; k < p->n && k < 64; k++)
        hook(r, p->outs[k]);
}

static void run_layer_op(const rt *r, const mprt_op *op)
{
    if (op->type == MPRT_OP_SPLIT) {
        run_split(r, op);
        return;
    }
    mprt_view in[64];
    for (int32_t k = 0; k < op->n_in && k < 64; k++)
        in[k] = whole_view(r, op->in[k]);
    mprt_view out = whole_view(r, op->out);
    mprt_rect all = {0, out.h, 0, out.w};
    r->ctx->op_runs++;
    if (op->run == MPRT_RUN_INPLACE_DW)
        mprt_dw_inplace(op->params, &in[0], &out, all, (int8_t *)(r->arena + op->aux_offset));
    else
        mprt_op_dispatch(op, in, &out, all);
    hook(r, op->out_tensor);
}

/* ---- tiled segments ------------------------------------------------------------------ */

static mprt_rect region(mprt_iv rows, mprt_iv cols)
{
    mprt_rect q = {0, 0, 0, 0};
    if (rows.b > rows.a && cols.b > cols.a) {
        q.y0 = rows.a, q.y1 = rows.b;
        q.x0 = cols.a, q.x1 = cols.b;
    }
    return q;
}

static int is_region(const mprt_slot *s)
{
    return s->role == MPRT_ROLE_WORKING || s->role == MPRT_ROLE_STREAM;
}

/* View of slot k's region buffer holding its need region in the patch. */
static mprt_view region_view(const tile *t, int32_t k)
{
    const mprt_slot *s = &t->seg->slots[k];
    const mprt_tensor *x = &t->r->m->tensors[s->tensor];
    mprt_rect q = region(s->need_rows[t->i], s->need_cols[t->j]);
    mprt_view v = {(int8_t *)(t->r->arena + s->offset), q.y0, q.x0, q.y1 - q.y0, q.x1 - q.x0,
                   px_bytes(x), (q.x1 - q.x0) * px_bytes(x)};
    return v;
}

static mprt_view slot_view(const tile *t, int32_t k)
{
    const mprt_slot *s = &t->seg->slots[k];
    return is_region(s) ? region_view(t, k) : whole_view(t->r, s->tensor);
}

static int8_t *row_ring(const mprt_slot *s, uint8_t *arena, int32_t y, int32_t x, size_t px)
{
    return (int8_t *)(arena + s->row_cache) +
           ((size_t)(y % s->kr) * (size_t)s->hull_w + (size_t)(x - s->hc0)) * px;
}

static int8_t *col_ring(const mprt_slot *s, uint8_t *arena, int32_t y, int32_t y0, int32_t x,
                        size_t px)
{
    return (int8_t *)(arena + s->col_cache) +
           ((size_t)(x % s->kc) * (size_t)s->max_h + (size_t)(y - y0)) * px;
}

static void halo_cache(const tile *t, int32_t k)
{
    const mprt_slot *s = &t->seg->slots[k];
    uint8_t *arena = t->r->arena;
    size_t px = (size_t)px_bytes(&t->r->m->tensors[s->tensor]);
    mprt_iv nr = s->need_rows[t->i], nc = s->need_cols[t->j];
    mprt_iv cr = s->comp_rows[t->i], cc = s->comp_cols[t->j];
    if (nr.b <= nr.a || nc.b <= nc.a)
        return;
    mprt_view v = region_view(t, k);
    int32_t cra = cr.b > cr.a ? cr.a : nr.b, cca = cc.b > cc.a ? cc.a : nc.b;
    for (int32_t y = nr.a; y < nr.b; y++) /* left part from the column ring */
        for (int32_t x = nc.a; x < cca; x++)
            memcpy(mprt_at(&v, y, x), col_ring(s, arena, y, nr.a, x, px), px);
    for (int32_t y = nr.a; y < cra; y++) /* top part from the row ring */
        for (int32_t x = cca; x < nc.b; x++)
            memcpy(mprt_at(&v, y, x), row_ring(s, arena, y, x, px), px);
    if (s->kc)
        for (int32_t x = nc.b - s->kc > nc.a ? nc.b - s->kc : nc.a; x < nc.b; x++)
            for (int32_t y = nr.a; y < nr.b; y++)
                memcpy(col_ring(s, arena, y, nr.a, x, px), mprt_at(&v, y, x), px);
    if (s->kr && cc.b > cc.a)
        for (int32_t y = nr.b - s->kr > nr.a ? nr.b - s->kr : nr.a; y < nr.b; y++)
            for (int32_t x = cc.a; x < cc.b; x++)
                memcpy(row_ring(s, arena, y, x, px), mprt_at(&v, y, x), px);
}

/* A streamed network input: the patch's computed region comes from the caller. */
static void stream_input(const tile *t, int32_t k)
{
    const mprt_slot *s = &t->seg->slots[k];
    const mprt_model *m = t->r->m;
    const mprt_tensor *x = &m->tensors[s->tensor];
    mprt_iv cr = s->comp_rows[t->i], cc = s->comp_cols[t->j];
    mprt_view v = region_view(t, k);
    mprt_view host = {(int8_t *)(uintptr_t)(t->r->input + m->inputs[s->input].pos), 0, 0, x->h,
                      x->w, px_bytes(x), x->w * px_bytes(x)};
    if (cc.b > cc.a)
        for (int32_t y = cr.a; y < cr.b; y++)
            memcpy(mprt_at(&v, y, cc.a), mprt_at(&host, y, cc.a),
                   (size_t)(cc.b - cc.a) * (size_t)px_bytes(x));
}

static void run_reduce(const tile *t, const mprt_op *op, int first, int last)
{
    const mprt_slot *in = &t->seg->slots[op->in[0]];
    const mprt_tensor *x = &t->r->m->tensors[in->tensor];
    uint8_t *acc = t->r->arena + op->aux_offset;
    int32_t c = x->c;
    mprt_view v = slot_view(t, op->in[0]);
    if (first)
        mprt_reduce_begin(op->type, c, acc);
    mprt_reduce_tile(op->type, c, &v, region(in->need_rows[t->i], in->need_cols[t->j]), acc);
    t->r->ctx->op_runs++;
    if (last)
        mprt_reduce_end(op, c, x->h * x->w, acc,
                        (int8_t *)(t->r->arena + t->r->m->tensors[op->out_tensor].offset));
}

static void run_tile_op(const tile *t, const mprt_op *op, int first, int last)
{
    if (op->run == MPRT_RUN_REDUCE) {
        run_reduce(t, op, first, last);
        return;
    }
    mprt_view in[64];
    for (int32_t k = 0; k < op->n_in && k < 64; k++)
        in[k] = slot_view(t, op->in[k]);
    const mprt_slot *so = &t->seg->slots[op->out];
    mprt_rect q = region(so->comp_rows[t->i], so->comp_cols[t->j]);
    mprt_view out = slot_view(t, op->out);
    if (!rect_empty(q)) {
        t->r->ctx->op_runs++;
        if (op->run == MPRT_RUN_INPLACE_DW)
            mprt_dw_inplace(op->params, &in[0], &out, q, (int8_t *)(t->r->arena + op->aux_offset));
        else
            mprt_op_dispatch(op, in, &out, q);
    }
    if (t->seg->halo != 0 && is_region(so))
        halo_cache(t, op->out);
}

static void run_tiled(const rt *r, const mprt_segment *seg)
{
    tile t = {r, seg, 0, 0};
    int32_t last = seg->rows * seg->cols - 1;
    for (t.i = 0; t.i < seg->rows; t.i++)
        for (t.j = 0; t.j < seg->cols; t.j++) {
            int32_t patch = t.i * seg->cols + t.j;
            for (int32_t k = 0; k < seg->n_slots; k++) {
                if (seg->slots[k].role != MPRT_ROLE_STREAM)
                    continue;
                stream_input(&t, k);
                if (seg->halo != 0)
                    halo_cache(&t, k);
            }
            for (int32_t l = 0; l < seg->n_ops; l++)
                run_tile_op(&t, &seg->ops[l], patch == 0, patch == last);
            r->ctx->patches++;
        }
    for (int32_t k = 0; k < seg->n_slots; k++)
        if (seg->slots[k].role == MPRT_ROLE_OUTPUT)
            hook(r, seg->slots[k].tensor);
}

/* ---- checks and the entry point -------------------------------------------------------- */

static int fits(uint32_t offset, uint64_t bytes, uint32_t arena)
{
    return (uint64_t)offset + bytes <= arena;
}

/* Tensor t is held whole: in the arena, or (as an op input) the caller's input. */
static int held(const mprt_model *m, int32_t t, int as_input)
{
    if (t < 0 || t >= m->n_tensors)
        return 0;
    if (m->tensors[t].offset >= 0)
        return 1;
    for (int32_t i = 0; as_input && i < m->n_inputs; i++)
        if (m->inputs[i].tensor == t)
            return 1;
    return 0;
}

/* The refs of a per-layer op are tensors held whole; a split's outputs too. */
static int layer_op_ok(const mprt_model *m, const mprt_op *op)
{
    for (int32_t k = 0; k < op->n_in; k++)
        if (!held(m, op->in[k], 1))
            return 0;
    if (op->type != MPRT_OP_SPLIT)
        return held(m, op->out, 0);
    const mprt_split *p = op->params;
    if (p->n < 1 || p->n > 64)
        return 0;
    for (int32_t k = 0; k < p->n; k++)
        if (!held(m, p->outs[k], 0))
            return 0;
    return 1;
}

static mprt_status check_segment(const mprt_model *m, const mprt_segment *seg)
{
    int32_t n_refs = seg->tiled ? seg->n_slots : m->n_tensors;
    for (int32_t l = 0; l < seg->n_ops; l++) {
        const mprt_op *op = &seg->ops[l];
        if (op->type < 0 || op->type >= MPRT_OP_COUNT || op->n_in < 1 || op->n_in > 64 ||
            op->out < 0 || op->out >= n_refs || op->out_tensor < 0 ||
            op->out_tensor >= m->n_tensors || (op->type != MPRT_OP_RESHAPE && !op->params) ||
            !fits(op->aux_offset, op->aux_bytes, m->arena_bytes))
            return MPRT_E_TABLE;
        for (int32_t k = 0; k < op->n_in; k++)
            if (op->in[k] < 0 || op->in[k] >= n_refs)
                return MPRT_E_TABLE;
        if (!seg->tiled ? !layer_op_ok(m, op) : op->type == MPRT_OP_SPLIT)
            return MPRT_E_TABLE;
    }
    for (int32_t k = 0; k < seg->n_slots; k++) {
        const mprt_slot *s = &seg->slots[k];
        if (s->tensor < 0 || s->tensor >= m->n_tensors ||
            (s->role == MPRT_ROLE_STREAM && (s->input < 0 || s->input >= m->n_inputs)) ||
            (!is_region(s) && !held(m, s->tensor, s->role == MPRT_ROLE_WHOLE)))
            return MPRT_E_TABLE;
    }
    return MPRT_OK;
}

static mprt_status check(const mprt_model *m)
{
    for (int32_t t = 0; t < m->n_tensors; t++) {
        const mprt_tensor *x = &m->tensors[t];
        if ((x->esize != 1 && x->esize != 4) ||
            (x->offset >= 0 && !fits((uint32_t)x->offset,
                                     (uint64_t)x->h * (uint64_t)x->w * (uint64_t)x->c *
                                         (uint64_t)x->esize,
                                     m->arena_bytes)))
            return MPRT_E_TABLE;
    }
    for (int32_t s = 0; s < m->n_segments; s++)
        if (check_segment(m, &m->segments[s]) != MPRT_OK)
            return MPRT_E_TABLE;
    return MPRT_OK;
}

void mprt_ctx_init(mprt_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->bad_segment = -1;
}

mprt_status mprt_run(mprt_ctx *ctx, const mprt_model *m, uint8_t *arena, uint32_t arena_bytes,
                     const int8_t *input, int8_t *output)
{
    ctx->op_runs = ctx->patches = 0;
    if (m->version != MPRT_FORMAT_VERSION)
        return MPRT_E_VERSION;
    if (arena_bytes < m->arena_bytes)
        return MPRT_E_ARENA;
    if (check(m) != MPRT_OK)
        return MPRT_E_TABLE;
    rt r = {ctx, m, arena, input};
    for (int32_t i = 0; i < m->n_inputs; i++) {
        const mprt_tensor *x = &m->tensors[m->inputs[i].tensor];
        if (x->offset >= 0)
            memcpy(arena + x->offset, input + m->inputs[i].pos, m->inputs[i].bytes);
    }
    for (int32_t s = 0; s < m->n_segments; s++) {
        const mprt_segment *seg = &m->segments[s];
        if (seg->tiled)
            run_tiled(&r, seg);
        else
            for (int32_t l = 0; l < seg->n_ops; l++)
                run_layer_op(&r, &seg->ops[l]);
    }
    for (int32_t k = 0; output && k < m->n_outputs; k++)
        memcpy(output + m->outputs[k].pos, mprt_output_data(m, arena, k), m->outputs[k].bytes);
    return MPRT_OK;
}

const uint8_t *mprt_output_data(const mprt_model *m, const uint8_t *arena, int32_t k)
{
    if (k < 0 || k >= m->n_outputs)
        return NULL;
    return arena + m->tensors[m->outputs[k].tensor].offset;
}
