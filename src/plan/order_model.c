/* SPDX-License-Identifier: MIT */
/*
 * order_model.c - what a set of executed ops holds, and where the graph splits
 * (module plan; part of the operator-order search, see order_search.c).
 *
 * The memory held after executing a set S of ops depends only on S: a tensor
 * is held when it is a network input or its producer is in S, and some reader
 * is not in S or it is a network output. The bytes live while op v runs next
 * are held(S) + v's outputs, less an in-place saving when v is the last reader
 * of an input it may take over; network inputs nobody reads count at step 0
 * only. These are liveness.c's rules restated for sets; order_search.c checks
 * every result against mp_plan_per_layer.
 */
#include "order_int.h"

#include "../util/alloc.h"
#include "../util/checked.h"

#include <string.h>

static bool is_done(const view *w, uint32_t op)
{
    uint32_t p = (uint32_t)w->c->pos[op];
    if (p < w->lo)
        return true;
    if (p - w->lo >= w->m)
        return false;
    return bit_get(w->set, p - w->lo);
}

/* Whether every reader of t other than v has run. */
static bool dies_at(const view *w, mp_tensor_id t, uint32_t v)
{
    const uint32_t *cons;
    uint32_t n = mp_graph_consumers(w->c->g, t, &cons);
    for (uint32_t i = n; i-- > 0;) /* the last readers first: most often not run yet */
        if (cons[i] != v && !is_done(w, cons[i]))
            return false;
    return true;
}

/* Live bytes while v runs after the ops of w, which leave `held` bytes. */
size_t order_step_live(const view *w, size_t held, uint32_t v, bool first)
{
    const order_ctx *c = w->c;
    size_t live = held + c->out_bytes[v] + (first ? c->dead_inputs : 0);
    for (uint32_t k = c->cand_start[v]; k < c->cand_start[v + 1]; k++)
        if (dies_at(w, c->cand_list[k], v))
            return live - c->save[v];
    return live;
}

/* Bytes held after v runs. */
size_t order_step_after(const view *w, size_t held, uint32_t v)
{
    const order_ctx *c = w->c;
    size_t r = held + c->kept_bytes[v];
    for (uint32_t k = c->in_start[v]; k < c->in_start[v + 1]; k++) {
        mp_tensor_id t = c->in_list[k];
        if (!(c->g->tensors[t].flags & MP_TENSOR_OUTPUT) && dies_at(w, t, v))
            r -= c->bytes[t];
    }
    return r;
}

size_t order_step_after_lb(const order_ctx *c, size_t held, uint32_t v)
{
    size_t r = held + c->kept_bytes[v];
    for (uint32_t k = c->in_start[v]; k < c->in_start[v + 1]; k++) {
        mp_tensor_id t = c->in_list[k];
        if (!(c->g->tensors[t].flags & MP_TENSOR_OUTPUT))
            r -= c->bytes[t];
    }
    return r;
}

/* ---- per-op facts ------------------------------------------------------------------------ */

void order_ctx_release(order_ctx *c)
{
    mp_free(c->bytes);
    mp_free(c->in_start);
    mp_free(c->in_list);
    mp_free(c->cand_start);
    mp_free(c->cand_list);
    mp_free(c->out_bytes);
    mp_free(c->kept_bytes);
    mp_free(c->save);
    mp_free(c->resident);
    mp_free(c->file_live);
}

/* Aligned bytes of every activation tensor; their total must fit in size_t, so no
 * sum of held bytes below can overflow. */
static mp_status tensor_bytes(order_ctx *c, const mp_plan_opts *opts, mp_error *err)
{
    const mp_graph *g = c->g;
    size_t total = 0;
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        const mp_tensor *x = &g->tensors[t];
        if (!mp_tensor_is_activation(x))
            continue;
        if (!mp_plan_aligned(opts, x->size_bytes, &c->bytes[t]) ||
            !mp_add_size(total, c->bytes[t], &total))
            return mp_errorf(err, MP_E_OVERFLOW, "tensor '%s': live bytes overflow", x->name);
    }
    return MP_OK;
}

/* Inputs an add/mul/reshape may take over (liveness.c's rule without the "dies here"). */
static uint32_t ew_candidates(const order_ctx *c, uint32_t v, uint32_t *list)
{
    const mp_op *o = &c->g->ops[v];
    const mp_tensor *out = &c->g->tensors[o->out[0]];
    if (o->type != MP_OP_ADD && o->type != MP_OP_MUL && o->type != MP_OP_RESHAPE)
        return 0;
    uint32_t n = o->type == MP_OP_RESHAPE ? 1 : o->n_in, k = 0;
    for (uint32_t i = 0; i < n; i++) {
        mp_tensor_id t = o->in[i];
        if (t == MP_NO_TENSOR)
            continue;
        const mp_tensor *in = &c->g->tensors[t];
        if (!mp_tensor_is_activation(in) || (in->flags & MP_TENSOR_OUTPUT) ||
            in->dtype != out->dtype || in->size_bytes != out->size_bytes)
            continue;
        if (list)
            list[k] = t;
        k++;
    }
    return k;
}

/* In-place candidates and saving of op v; list NULL: count only. zero_last: all 0. */
static mp_status inplace_of(order_ctx *c, const mp_plan_opts *opts, const int32_t *zero_last,
                            uint32_t v, uint32_t *list, uint32_t *n, mp_error *err)
{
    const mp_graph *g = c->g;
    const mp_op *o = &g->ops[v];
    const mp_tensor *out = &g->tensors[o->out[0]];
    *n = 0;
    if (opts->inplace_dw && mp_tensor_is_activation(&g->tensors[o->in[0]]) &&
        mp_plan_dw_inplace_ok(g, v, zero_last, 0)) {
        size_t raw = (size_t)out->shape.h * (size_t)out->shape.w * mp_dtype_size(out->dtype);
        size_t plane;
        if (!mp_plan_aligned(opts, raw, &plane))
            return mp_errorf(err, MP_E_OVERFLOW, "in-place plane overflows");
        if (list) {
            list[0] = o->in[0];
            c->save[v] = c->bytes[o->out[0]] - plane;
        }
        *n = 1;
    } else if (opts->inplace_ops) {
        *n = ew_candidates(c, v, list);
        if (list && *n)
            c->save[v] = c->bytes[o->out[0]];
    }
    return MP_OK;
}

/* Distinct activation inputs of v into list (NULL: count); mark: per tensor, NO_ID. */
static uint32_t distinct_inputs(const order_ctx *c, uint32_t v, uint32_t *mark, uint32_t *list)
{
    const mp_op *o = &c->g->ops[v];
    uint32_t k = 0;
    for (uint32_t i = 0; i < o->n_in; i++) {
        mp_tensor_id t = o->in[i];
        if (t == MP_NO_TENSOR || !mp_tensor_is_activation(&c->g->tensors[t]) || mark[t] == v)
            continue;
        mark[t] = v;
        if (list)
            list[k] = t;
        k++;
    }
    return k;
}

static mp_status op_lists(order_ctx *c, const mp_plan_opts *opts, uint32_t *mark,
                          const int32_t *zero_last, mp_error *err)
{
    const mp_graph *g = c->g;
    uint32_t n_in = 0, n_cand = 0, k;
    for (uint32_t v = 0; v < c->n; v++) {
        n_in += distinct_inputs(c, v, mark, NULL);
        MP_TRY(inplace_of(c, opts, zero_last, v, NULL, &k, err));
        n_cand += k;
    }
    c->in_list = mp_calloc(n_in ? n_in : 1, sizeof *c->in_list);
    c->cand_list = mp_calloc(n_cand ? n_cand : 1, sizeof *c->cand_list);
    if (!c->in_list || !c->cand_list)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t t = 0; t < g->n_tensors; t++)
        mark[t] = NO_ID;
    for (uint32_t v = 0; v < c->n; v++) {
        c->in_start[v + 1] =
            c->in_start[v] + distinct_inputs(c, v, mark, c->in_list + c->in_start[v]);
        MP_TRY(inplace_of(c, opts, zero_last, v, c->cand_list + c->cand_start[v], &k, err));
        c->cand_start[v + 1] = c->cand_start[v] + k;
        const mp_op *o = &g->ops[v];
        for (uint32_t i = 0; i < o->n_out; i++) {
            mp_tensor_id t = o->out[i];
            const uint32_t *cons;
            c->out_bytes[v] += c->bytes[t];
            if (mp_graph_consumers(g, t, &cons) || (g->tensors[t].flags & MP_TENSOR_OUTPUT))
                c->kept_bytes[v] += c->bytes[t];
        }
    }
    return MP_OK;
}

/* Bytes held before step 0 and the file order's live bytes, step by step. */
static mp_status file_pass(order_ctx *c, mp_error *err)
{
    const mp_graph *g = c->g;
    size_t held = 0;
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        const mp_tensor *x = &g->tensors[t];
        const uint32_t *cons;
        if (!(x->flags & MP_TENSOR_INPUT))
            continue;
        if (mp_graph_consumers(g, t, &cons) || (x->flags & MP_TENSOR_OUTPUT))
            held += c->bytes[t];
        else
            c->dead_inputs += c->bytes[t];
    }
    uint64_t *set = mp_calloc(((size_t)c->n + 63) / 64, sizeof *set);
    if (!set)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    view w = {c, 0, c->n, set};
    for (uint32_t s = 0; s < c->n; s++) {
        uint32_t v = c->file[s];
        c->resident[s] = held;
        c->file_live[s] = order_step_live(&w, held, v, s == 0);
        held = order_step_after(&w, held, v);
        bit_set(set, s);
    }
    c->resident[c->n] = held;
    mp_free(set);
    return MP_OK;
}

mp_status order_ctx_init(order_ctx *c, const mp_graph *g, const mp_plan_opts *opts, mp_error *err)
{
    memset(c, 0, sizeof *c);
    c->g = g;
    c->n = g->n_ops;
    c->file = g->order;
    c->pos = g->step_of_op;
    size_t nt = g->n_tensors ? g->n_tensors : 1;
    c->bytes = mp_calloc(nt, sizeof *c->bytes);
    c->in_start = mp_calloc((size_t)c->n + 1, sizeof *c->in_start);
    c->cand_start = mp_calloc((size_t)c->n + 1, sizeof *c->cand_start);
    c->out_bytes = mp_calloc(c->n, sizeof *c->out_bytes);
    c->kept_bytes = mp_calloc(c->n, sizeof *c->kept_bytes);
    c->save = mp_calloc(c->n, sizeof *c->save);
    c->resident = mp_calloc((size_t)c->n + 1, sizeof *c->resident);
    c->file_live = mp_calloc(c->n, sizeof *c->file_live);
    uint32_t *mark = mp_malloc(nt * sizeof *mark);
    int32_t *zero_last = mp_calloc(nt, sizeof *zero_last);
    mp_status st = MP_OK;
    if (!c->bytes || !c->in_start || !c->cand_start || !c->out_bytes || !c->kept_bytes ||
        !c->save || !c->resident || !c->file_live || !mark || !zero_last)
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
    if (st == MP_OK) {
        memset(mark, 0xff, nt * sizeof *mark);
        st = tensor_bytes(c, opts, err);
    }
    if (st == MP_OK)
        st = op_lists(c, opts, mark, zero_last, err);
    if (st == MP_OK)
        st = file_pass(c, err);
    mp_free(mark);
    mp_free(zero_last);
    return st;
}

/* ---- cuts and parts ---------------------------------------------------------------------- */

void order_part_release(part *p)
{
    mp_free(p->pred_start);
    mp_free(p->pred);
    mp_free(p->succ_start);
    mp_free(p->succ);
    mp_free(p->best);
}

/* Step of the op producing t, or -1 (network input). */
static int32_t producer_step(const order_ctx *c, mp_tensor_id t)
{
    int32_t p = c->g->tensors[t].producer;
    return p < 0 ? -1 : c->pos[p];
}

static bool read_by_an_op(const order_ctx *c, uint32_t v)
{
    const mp_op *o = &c->g->ops[v];
    for (uint32_t i = 0; i < o->n_out; i++) {
        const uint32_t *cons;
        if (mp_graph_consumers(c->g, o->out[i], &cons) > 0)
            return true;
    }
    return false;
}

/*
 * cover[s] > 0 when an edge of the file order jumps over step s: from a
 * producer to a reader, from a virtual source at step -1 to an op without a
 * predecessor, or from an op nobody reads to a virtual sink at step n. Steps
 * with cover 0 are cuts. cover has n + 1 entries, zeroed.
 */
static void edge_cover(const order_ctx *c, int32_t *cover)
{
    for (uint32_t b = 0; b < c->n; b++) {
        uint32_t v = c->file[b];
        int32_t first = -1; /* earliest predecessor step; the edges from it cover the others' */
        for (uint32_t k = c->in_start[v]; k < c->in_start[v + 1]; k++) {
            int32_t a = producer_step(c, c->in_list[k]);
            if (a >= 0 && (first < 0 || a < first))
                first = a;
        }
        cover[first + 1]++;
        cover[b]--;
        if (!read_by_an_op(c, v)) {
            cover[b + 1]++;
            cover[c->n]--;
        }
    }
    for (uint32_t s = 1; s <= c->n; s++)
        cover[s] += cover[s - 1];
}

/* Whether each op of steps lo .. lo + m - 1 reads the previous one (a single order). */
static bool is_chain(const order_ctx *c, uint32_t lo, uint32_t m)
{
    for (uint32_t s = lo + 1; s < lo + m; s++) {
        uint32_t v = c->file[s];
        bool linked = false;
        for (uint32_t k = c->in_start[v]; k < c->in_start[v + 1] && !linked; k++)
            linked = producer_step(c, c->in_list[k]) == (int32_t)s - 1;
        if (!linked)
            return false;
    }
    return true;
}

/* Parts: maximal runs of non-cut steps that allow more than one order. */
mp_status order_find_parts(const order_ctx *c, part **out, uint32_t *n_out, mp_error *err)
{
    int32_t *cover = mp_calloc((size_t)c->n + 1, sizeof *cover);
    if (!cover)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    edge_cover(c, cover);
    part *parts = NULL;
    uint32_t n = 0, cap = 0;
    mp_status st = MP_OK;
    for (uint32_t s = 0; s < c->n && st == MP_OK;) {
        uint32_t lo = s;
        while (s < c->n && cover[s] > 0)
            s++;
        if (s == lo) {
            s++;
            continue;
        }
        if (s - lo < 2 || is_chain(c, lo, s - lo))
            continue;
        if (n == cap) {
            uint32_t nc = cap ? 2 * cap : 8;
            part *np = mp_realloc(parts, (size_t)nc * sizeof *np);
            if (!np) {
                st = mp_errorf(err, MP_E_NOMEM, "out of memory");
                break;
            }
            parts = np;
            cap = nc;
        }
        memset(&parts[n], 0, sizeof parts[n]);
        parts[n].lo = lo;
        parts[n].m = s - lo;
        parts[n].words = (s - lo + 63) / 64;
        for (uint32_t i = lo; i < s; i++)
            parts[n].file_peak = max_size(parts[n].file_peak, c->file_live[i]);
        n++;
    }
    mp_free(cover);
    if (st != MP_OK) {
        mp_free(parts);
        return st;
    }
    *out = parts;
    *n_out = n;
    return MP_OK;
}

/* Visit the distinct local predecessors u of every local op l: count (fill NULL) or fill. */
static void link_pass(const order_ctx *c, part *p, uint32_t *mark, uint32_t *fill)
{
    uint32_t m = p->m;
    memset(mark, 0xff, (size_t)m * sizeof *mark);
    for (uint32_t l = 0; l < m; l++) {
        uint32_t v = c->file[p->lo + l];
        for (uint32_t k = c->in_start[v]; k < c->in_start[v + 1]; k++) {
            int32_t a = producer_step(c, c->in_list[k]);
            if (a < (int32_t)p->lo || mark[(uint32_t)a - p->lo] == l)
                continue;
            uint32_t u = (uint32_t)a - p->lo;
            mark[u] = l;
            if (!fill) {
                p->pred_start[l + 1]++;
                p->succ_start[u + 1]++;
            } else {
                p->pred[p->pred_start[l] + fill[l]++] = u;
                p->succ[p->succ_start[u] + fill[m + u]++] = l;
            }
        }
    }
}

/* Local predecessor and successor lists of p (each op once, in file order). */
mp_status order_part_links(const order_ctx *c, part *p, mp_error *err)
{
    uint32_t m = p->m;
    p->pred_start = mp_calloc((size_t)m + 1, sizeof *p->pred_start);
    p->succ_start = mp_calloc((size_t)m + 1, sizeof *p->succ_start);
    uint32_t *mark = mp_malloc((size_t)m * sizeof *mark);
    uint32_t *fill = mp_calloc(2 * (size_t)m, sizeof *fill);
    mp_status st = MP_OK;
    if (!p->pred_start || !p->succ_start || !mark || !fill) {
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
        goto out;
    }
    link_pass(c, p, mark, NULL);
    for (uint32_t l = 0; l < m; l++) {
        p->pred_start[l + 1] += p->pred_start[l];
        p->succ_start[l + 1] += p->succ_start[l];
    }
    p->pred = mp_malloc((size_t)(p->pred_start[m] ? p->pred_start[m] : 1) * sizeof *p->pred);
    p->succ = mp_malloc((size_t)(p->succ_start[m] ? p->succ_start[m] : 1) * sizeof *p->succ);
    if (!p->pred || !p->succ) {
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
        goto out;
    }
    link_pass(c, p, mark, fill);
out:
    mp_free(mark);
    mp_free(fill);
    return st;
}
