/* SPDX-License-Identifier: MIT */
/*
 * tflm_greedy.c - the tensor arena TFLite Micro's GreedyMemoryPlanner gives a
 * graph (module plan).
 *
 * TFLite Micro users size tensor_arena by trial and error on the device. This
 * file computes the number TFLM's planner arrives at, so memplan can print it
 * before anything is flashed. The policy below was learned from TFLM's planner
 * and allocator (greedy_memory_planner.cc, micro_allocation_info.cc,
 * micro_allocator.cc) and is re-implemented here from that description:
 *
 *   buffers   every tensor without constant data, in tensor order (TFLM adds
 *             them to the planner in subgraph tensor order), its byte size
 *             rounded up to a multiple of 16;
 *   times     "allocation scopes": the subgraph start is 0 and op i is i + 1.
 *             Subgraph inputs and outputs are created at 0; an op's outputs
 *             are created at its scope; every read moves the last use to the
 *             reader's scope; subgraph outputs live to the last scope. A tensor
 *             no op touches keeps (-1, -1) and is still planned;
 *   order     largest first; among equal sizes the buffer added later comes
 *             first (TFLM fills its sort array back to front and then
 *             bubble-sorts it, which keeps equal sizes in that order);
 *   place     each buffer goes to the lowest offset where it overlaps no
 *             already placed buffer whose lifetime overlaps its own (TFLM
 *             walks the placed buffers in offset order and stops at the first
 *             gap that fits, which is exactly that offset);
 *   arena     the largest offset + size.
 *
 *   offset
 *     ^          +-------+
 *     |  +-----+ |   C   |     B and C each live while A lives, so each sits
 *     |  |  B  | +-------+     above A. B and C never live at the same time,
 *     |  +-----+-----+         so C reuses B's offsets.
 *     |  |     A     |
 *     +--+-----------+------> time (scope)
 *
 * The planner is O(n^2) in the number of buffers, as TFLM's is.
 */
#include "memplan/mp_plan.h"

#include "../util/alloc.h"
#include "../util/checked.h"

#include <stdlib.h>
#include <string.h>

typedef struct order_entry {
    size_t bytes;
    uint32_t id;
} order_entry;

/* Placed buffers form a list sorted by offset (TFLM's ListEntry). */
typedef struct placed {
    size_t offset;
    uint32_t buf;
    int32_t next; /* index of the next placed buffer in offset order, -1 at the end */
} placed;

/* Largest first; equal sizes: higher insertion index first. */
static int by_size_desc(const void *pa, const void *pb)
{
    const order_entry *a = pa, *b = pb;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    return a->id > b->id ? -1 : a->id < b->id;
}

static bool live_together(const mp_tflm_buffer *a, const mp_tflm_buffer *b)
{
    return !(a->first > b->last || b->first > a->last);
}

/* Lowest offset at which want fits among the placed buffers live at the same time. */
static bool lowest_fit(const mp_tflm_buffer *bufs, const placed *list, int32_t head,
                       const mp_tflm_buffer *want, size_t *out)
{
    size_t cand = 0;
    for (int32_t e = head; e >= 0; e = list[e].next) {
        const mp_tflm_buffer *other = &bufs[list[e].buf];
        if (!live_together(other, want))
            continue;
        if (list[e].offset >= cand && list[e].offset - cand >= want->bytes)
            break; /* the gap below this buffer is large enough */
        size_t end;
        if (!mp_add_size(list[e].offset, other->bytes, &end))
            return false;
        if (end > cand)
            cand = end;
    }
    *out = cand;
    return true;
}

/* Insert entry k (offset off) after every entry with an offset <= off. */
static void insert_sorted(placed *list, int32_t *head, int32_t k)
{
    if (*head < 0 || list[*head].offset > list[k].offset) {
        list[k].next = *head;
        *head = k;
        return;
    }
    int32_t cur = *head;
    while (list[cur].next >= 0 && list[list[cur].next].offset <= list[k].offset)
        cur = list[cur].next;
    list[k].next = list[cur].next;
    list[cur].next = k;
}

mp_status mp_plan_tflm_greedy_buffers(const mp_tflm_buffer *bufs, uint32_t n, size_t *offsets,
                                      size_t *arena_bytes, mp_error *err)
{
    return mp_plan_tflm_greedy_offline(bufs, n, NULL, offsets, arena_bytes, err);
}

/* TFLM's order: offline-planned buffers first (insertion order), then the others by size. */
static uint32_t placement_order(const mp_tflm_buffer *bufs, uint32_t n, const int32_t *fixed,
                                order_entry *ord)
{
    uint32_t n_fixed = 0;
    for (uint32_t i = 0; i < n; i++)
        if (fixed && fixed[i] >= 0)
            ord[n_fixed++] = (order_entry){bufs[i].bytes, i};
    uint32_t k = n_fixed;
    for (uint32_t i = 0; i < n; i++)
        if (!fixed || fixed[i] < 0)
            ord[k++] = (order_entry){bufs[i].bytes, i};
    qsort(ord + n_fixed, n - n_fixed, sizeof *ord, by_size_desc);
    return n_fixed;
}

mp_status mp_plan_tflm_greedy_offline(const mp_tflm_buffer *bufs, uint32_t n,
                                      const int32_t *fixed, size_t *offsets,
                                      size_t *arena_bytes, mp_error *err)
{
    *arena_bytes = 0;
    if (n == 0)
        return MP_OK;
    order_entry *ord = mp_calloc(n, sizeof *ord);
    placed *list = mp_calloc(n, sizeof *list);
    mp_status st = MP_OK;
    if (!ord || !list) {
        st = mp_errorf(err, MP_E_NOMEM, "out of memory planning %u buffers", n);
        goto out;
    }
    placement_order(bufs, n, fixed, ord);
    int32_t head = -1;
    size_t arena = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t b = ord[k].id;
        size_t off, end;
        bool ok = fixed && fixed[b] >= 0 ? (off = (size_t)fixed[b], true)
                                         : lowest_fit(bufs, list, head, &bufs[b], &off);
        if (!ok || !mp_add_size(off, bufs[b].bytes, &end)) {
            st = mp_errorf(err, MP_E_OVERFLOW, "buffer %u: arena offset overflows", b);
            goto out;
        }
        list[k] = (placed){off, b, -1};
        insert_sorted(list, &head, (int32_t)k);
        if (offsets)
            offsets[b] = off;
        if (end > arena)
            arena = end;
    }
    *arena_bytes = arena;
out:
    mp_free(ord);
    mp_free(list);
    return st;
}

/* ---- from a graph --------------------------------------------------------------------- */

/* Bytes of tensor t from its shape (0 when the shape is unknown); false on overflow. */
static bool tensor_bytes(const mp_tensor *t, size_t *out)
{
    const mp_shape s = t->shape;
    *out = 0;
    if (s.n <= 0 || s.h <= 0 || s.w <= 0 || s.c <= 0)
        return true;
    size_t e;
    return mp_mul4_size((size_t)s.n, (size_t)s.h, (size_t)s.w, (size_t)s.c, &e) &&
           mp_mul_size(e, mp_dtype_size(t->dtype), out);
}

/* TFLM's allocation scopes: first[t], last[t] for every tensor (-1 = never touched). */
static void scopes(const mp_graph *g, int32_t *first, int32_t *last)
{
    for (uint32_t t = 0; t < g->n_tensors; t++)
        first[t] = last[t] = -1;
    for (uint32_t i = 0; i < g->n_inputs; i++)
        first[g->inputs[i]] = last[g->inputs[i]] = 0;
    for (uint32_t i = 0; i < g->n_outputs; i++)
        first[g->outputs[i]] = last[g->outputs[i]] = 0;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        const mp_op *op = &g->ops[i];
        int32_t scope = (int32_t)i + 1;
        for (uint32_t k = 0; k < op->n_out; k++)
            first[op->out[k]] = last[op->out[k]] = scope;
        for (uint32_t k = 0; k < op->n_in; k++)
            if (op->in[k] != MP_NO_TENSOR)
                last[op->in[k]] = scope;
    }
    for (uint32_t i = 0; i < g->n_outputs; i++)
        last[g->outputs[i]] = (int32_t)g->n_ops;
}

static int by_source_index(const void *pa, const void *pb)
{
    const order_entry *a = pa, *b = pb; /* bytes holds the source index here */
    if (a->bytes != b->bytes)
        return a->bytes < b->bytes ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* The planner's buffers: non-constant tensors of non-zero size, in source_index order. */
static mp_status collect(const mp_graph *g, size_t align, const int32_t *first,
                         const int32_t *last, mp_tflm_buffer *bufs, order_entry *ord,
                         uint32_t *n, mp_error *err)
{
    uint32_t cnt = 0;
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        size_t bytes;
        if (g->tensors[t].flags & MP_TENSOR_CONST)
            continue;
        if (!tensor_bytes(&g->tensors[t], &bytes))
            return mp_errorf(err, MP_E_OVERFLOW, "tensor '%s': byte size overflows",
                             g->tensors[t].name);
        if (bytes)
            ord[cnt++] = (order_entry){g->tensors[t].source_index, t};
    }
    qsort(ord, cnt, sizeof *ord, by_source_index);
    for (uint32_t k = 0; k < cnt; k++) {
        const mp_tensor *t = &g->tensors[ord[k].id];
        size_t bytes;
        if (!tensor_bytes(t, &bytes) || !mp_align_up(bytes, align, &bufs[k].bytes))
            return mp_errorf(err, MP_E_OVERFLOW, "tensor '%s': aligned size overflows",
                             t->name);
        bufs[k].first = first[ord[k].id];
        bufs[k].last = last[ord[k].id];
    }
    *n = cnt;
    return MP_OK;
}

mp_status mp_plan_tflm_greedy(const mp_graph *g, size_t align, size_t *arena_bytes,
                              mp_error *err)
{
    *arena_bytes = 0;
    size_t nt = g->n_tensors ? g->n_tensors : 1;
    int32_t *first = mp_calloc(nt, sizeof *first);
    int32_t *last = mp_calloc(nt, sizeof *last);
    mp_tflm_buffer *bufs = mp_calloc(nt, sizeof *bufs);
    order_entry *ord = mp_calloc(nt, sizeof *ord);
    mp_status st;
    uint32_t n = 0;
    if (!first || !last || !bufs || !ord) {
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
    } else {
        scopes(g, first, last);
        st = collect(g, align ? align : 1, first, last, bufs, ord, &n, err);
    }
    if (st == MP_OK)
        st = mp_plan_tflm_greedy_buffers(bufs, n, NULL, arena_bytes, err);
    mp_free(first);
    mp_free(last);
    mp_free(bufs);
    mp_free(ord);
    return st;
}
