/* SPDX-License-Identifier: MIT */
/*
 * arena.c - offsets for every buffer of a schedule (module plan).
 *
 * The arena is a 2-D packing: time (steps) x address. Buffers alive at the
 * same time must not overlap in address. A layout is built by placing
 * groups in some order, each at the lowest aligned offset where none of its
 * members collides with a placed buffer alive at the same time (first fit;
 * TFLite Micro's GreedyMemoryPlanner does this with groups taken largest
 * first), or in the free gap that it fills most tightly (best fit). Several
 * orders are tried with both policies, then an improvement loop repeatedly
 * moves the groups whose top is highest to the front of the order. The lower bound,
 * max over steps of the bytes alive, stops the search early when met.
 *
 *      address
 *        ^   +-----+            each rectangle: one buffer,
 *        |   |  B  |   +---+     [first, last] x [offset, offset + bytes)
 *        |+--+-----+---+ C |
 *        ||     A      |   |
 *        |+------------+---+---> steps
 */
#include "memplan/mp_plan.h"

#include "../util/alloc.h"
#include "../util/checked.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
    [MP_BUF_TENSOR] = "tensor",         [MP_BUF_REGION] = "region",
    [MP_BUF_ROW_CACHE] = "row_cache",   [MP_BUF_COL_CACHE] = "col_cache",
    [MP_BUF_PLANE] = "plane",           [MP_BUF_ACCUM] = "accum",
};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == MP_BUF_KIND_COUNT, "buffer kinds");

const char *mp_buffer_kind_name(mp_buffer_kind k)
{
    return (unsigned)k < MP_BUF_KIND_COUNT ? kind_names[k] : "?";
}

static bool overlap_time(const mp_buffer *a, const mp_buffer *b)
{
    return a->first <= b->last && b->first <= a->last;
}

bool mp_arena_check(const mp_buffer *bufs, uint32_t n, size_t align, size_t arena_bytes,
                    uint32_t *a, uint32_t *b)
{
    for (uint32_t i = 0; i < n; i++) {
        const mp_buffer *x = &bufs[i];
        size_t end;
        if ((align > 1 && x->offset % align) || !mp_add_size(x->offset, x->bytes, &end) ||
            end > arena_bytes || x->offset != bufs[x->group].offset) {
            *a = i;
            *b = UINT32_MAX;
            return false;
        }
        for (uint32_t j = i + 1; j < n; j++) {
            const mp_buffer *y = &bufs[j];
            if (x->group == y->group || !overlap_time(x, y) || !x->bytes || !y->bytes)
                continue;
            if (x->offset < y->offset + y->bytes && y->offset < x->offset + x->bytes) {
                *a = i;
                *b = j;
                return false;
            }
        }
    }
    return true;
}

/* Working state of one placement run. */
typedef struct placer {
    mp_buffer *bufs;
    uint32_t n;
    size_t align;
    uint32_t *members;    /* buffers grouped by leader (CSR) */
    uint32_t *mem_start;  /* per buffer index (leaders used) */
    uint32_t *placed;     /* placed buffer indices, by offset */
    uint32_t n_placed;
    uint32_t *near;       /* scratch: placed buffers alive with the group being placed */
    size_t *cand;         /* candidate offsets scratch */
    bool best_fit;        /* the tightest gap instead of the lowest offset */
} placer;

static bool fits_at(const placer *p, uint32_t leader, uint32_t n_near, size_t off)
{
    for (uint32_t m = p->mem_start[leader]; m < p->mem_start[leader + 1]; m++) {
        const mp_buffer *x = &p->bufs[p->members[m]];
        if (!x->bytes)
            continue;
        for (uint32_t k = 0; k < n_near; k++) {
            const mp_buffer *y = &p->bufs[p->near[k]];
            if (overlap_time(x, y) && off < y->offset + y->bytes && y->offset < off + x->bytes)
                return false;
        }
    }
    return true;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Best fit: of the fitting candidates (sorted), the one whose free gap -
 * up to the lowest buffer above it alive at the same time - the group fills
 * most tightly; unbounded gaps (nothing above) last; ties to the lowest. */
static size_t best_gap(const placer *p, uint32_t leader, uint32_t nc, uint32_t nn)
{
    size_t gsize = 0, off = p->cand[nc - 1], best = SIZE_MAX;
    for (uint32_t m = p->mem_start[leader]; m < p->mem_start[leader + 1]; m++)
        gsize = p->bufs[p->members[m]].bytes > gsize ? p->bufs[p->members[m]].bytes : gsize;
    bool found = false;
    for (uint32_t c = 0; c < nc; c++) {
        if ((c && p->cand[c] == p->cand[c - 1]) || !fits_at(p, leader, nn, p->cand[c]))
            continue;
        size_t end = p->cand[c] + gsize, gap_end = SIZE_MAX;
        for (uint32_t k = 0; k < nn; k++) {
            size_t y = p->bufs[p->near[k]].offset;
            if (y >= end && y < gap_end)
                gap_end = y;
        }
        size_t slack = gap_end == SIZE_MAX ? SIZE_MAX : gap_end - end;
        if (!found || slack < best) {
            found = true;
            best = slack;
            off = p->cand[c];
        }
    }
    return off;
}

/* Whether placed buffer y lives at the same time as a member of the group. */
static bool near_group(const placer *p, uint32_t leader, const mp_buffer *y)
{
    for (uint32_t m = p->mem_start[leader]; m < p->mem_start[leader + 1]; m++) {
        const mp_buffer *x = &p->bufs[p->members[m]];
        if (x->bytes && overlap_time(x, y))
            return true;
    }
    return false;
}

/* Lowest aligned offset for a group. Only placed buffers alive at the same
 * time matter, and the lowest fitting offset is 0 or the aligned end of one
 * of them (slide a fitting offset down until it meets one), so only those
 * are candidates: the result is the lowest fitting offset over all. */
/* First fit for a one-member group in one pass over the placed buffers by
 * offset: below cur nothing fits; a buffer alive at the same time that
 * starts at or above cur + size leaves [cur, cur + size) free (every later
 * one starts higher still), else cur moves past its aligned end. The same
 * offset as the candidate scan of place_group, without sorting candidates. */
static bool first_fit_one(const placer *p, const mp_buffer *x, size_t *off)
{
    size_t cur = 0;
    for (uint32_t k = 0; k < p->n_placed; k++) {
        const mp_buffer *y = &p->bufs[p->placed[k]];
        if (!y->bytes || !overlap_time(x, y))
            continue;
        if (y->offset >= cur && y->offset - cur >= x->bytes)
            break;
        size_t end;
        if (!mp_align_up(y->offset + y->bytes, p->align, &end))
            return false;
        cur = end > cur ? end : cur;
    }
    *off = cur;
    return true;
}

/* Record the group's members at offset off, keeping placed sorted by offset. */
static bool put_group(placer *p, uint32_t leader, size_t off, size_t *top)
{
    uint32_t at = p->n_placed;
    while (at > 0 && p->bufs[p->placed[at - 1]].offset > off)
        at--;
    uint32_t n_mem = p->mem_start[leader + 1] - p->mem_start[leader];
    memmove(p->placed + at + n_mem, p->placed + at, (size_t)(p->n_placed - at) * sizeof *p->placed);
    for (uint32_t m = p->mem_start[leader]; m < p->mem_start[leader + 1]; m++) {
        mp_buffer *x = &p->bufs[p->members[m]];
        size_t end;
        x->offset = off;
        if (!mp_add_size(off, x->bytes, &end))
            return false;
        *top = end > *top ? end : *top;
        p->placed[at++] = p->members[m];
    }
    p->n_placed += n_mem;
    return true;
}

static bool place_group(placer *p, uint32_t leader, size_t *top)
{
    size_t off;
    if (!p->best_fit && p->mem_start[leader + 1] - p->mem_start[leader] == 1 &&
        p->bufs[leader].bytes)
        return first_fit_one(p, &p->bufs[leader], &off) && put_group(p, leader, off, top);
    uint32_t nc = 0, nn = 0;
    p->cand[nc++] = 0;
    for (uint32_t k = 0; k < p->n_placed; k++) {
        const mp_buffer *y = &p->bufs[p->placed[k]];
        size_t end;
        if (!y->bytes || !near_group(p, leader, y))
            continue;
        if (!mp_align_up(y->offset + y->bytes, p->align, &end))
            return false;
        p->near[nn++] = p->placed[k];
        p->cand[nc++] = end;
    }
    qsort(p->cand, nc, sizeof *p->cand, cmp_size);
    off = p->cand[nc - 1];
    if (p->best_fit) {
        off = best_gap(p, leader, nc, nn);
        nc = 0; /* placed: skip the first-fit scan */
    }
    for (uint32_t c = 0; c < nc; c++) {
        if (c && p->cand[c] == p->cand[c - 1])
            continue;
        if (fits_at(p, leader, nn, p->cand[c])) {
            off = p->cand[c];
            break;
        }
    }
    return put_group(p, leader, off, top);
}

static mp_status placer_init(placer *p, mp_buffer *bufs, uint32_t n, size_t align, mp_error *err)
{
    memset(p, 0, sizeof *p);
    p->bufs = bufs;
    p->n = n;
    p->align = align ? align : 1;
    p->members = mp_calloc(n ? n : 1, sizeof *p->members);
    p->mem_start = mp_calloc((size_t)n + 1, sizeof *p->mem_start);
    p->placed = mp_calloc(n ? n : 1, sizeof *p->placed);
    p->cand = mp_calloc((size_t)n + 1, sizeof *p->cand);
    p->near = mp_calloc(n ? n : 1, sizeof *p->near);
    if (!p->members || !p->mem_start || !p->placed || !p->cand || !p->near)
        return mp_errorf(err, MP_E_NOMEM, "out of memory planning the arena");
    for (uint32_t i = 0; i < n; i++) {
        if (bufs[i].group >= n || bufs[bufs[i].group].group != bufs[i].group)
            return mp_errorf(err, MP_E_INVALID, "arena: buffer %u has an invalid group", i);
        p->mem_start[bufs[i].group + 1]++;
    }
    for (uint32_t i = 0; i < n; i++)
        p->mem_start[i + 1] += p->mem_start[i];
    uint32_t *fill = p->placed; /* reuse as scratch */
    memset(fill, 0, (size_t)n * sizeof *fill);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t gr = bufs[i].group;
        p->members[p->mem_start[gr] + fill[gr]++] = i;
    }
    return MP_OK;
}

static void placer_release(placer *p)
{
    mp_free(p->members);
    mp_free(p->mem_start);
    mp_free(p->placed);
    mp_free(p->cand);
    mp_free(p->near);
}

/* Place groups in order (non-leaders skipped); *top = arena size. */
static bool run_order(placer *p, const uint32_t *order, uint32_t n_order, size_t *top)
{
    p->n_placed = 0;
    *top = 0;
    for (uint32_t k = 0; k < n_order; k++) {
        uint32_t i = order[k];
        if (i >= p->n || p->bufs[i].group != i)
            continue;
        if (!place_group(p, i, top))
            return false;
    }
    return true;
}

mp_status mp_arena_place(mp_buffer *bufs, uint32_t n, size_t align, const uint32_t *order,
                         uint32_t n_order, size_t *arena_bytes, mp_error *err)
{
    placer p;
    mp_status st = placer_init(&p, bufs, n, align, err);
    if (st == MP_OK && !run_order(&p, order, n_order, arena_bytes))
        st = mp_errorf(err, MP_E_OVERFLOW, "arena offsets overflow");
    placer_release(&p);
    return st;
}

/* ---- group keys and orderings --------------------------------------------------------- */

typedef struct group_key {
    uint32_t leader;
    size_t bytes;    /* largest member */
    uint32_t first, last;
    uint64_t area;   /* sum of bytes x steps */
} group_key;

typedef int (*key_cmp)(const group_key *, const group_key *);

static int by_size(const group_key *a, const group_key *b)
{
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    return a->leader < b->leader ? -1 : 1;
}

static int by_lifetime(const group_key *a, const group_key *b)
{
    uint32_t la = a->last - a->first, lb = b->last - b->first;
    if (la != lb)
        return la > lb ? -1 : 1;
    return by_size(a, b);
}

static int by_area(const group_key *a, const group_key *b)
{
    if (a->area != b->area)
        return a->area > b->area ? -1 : 1;
    return by_size(a, b);
}

static int by_first(const group_key *a, const group_key *b)
{
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    return by_size(a, b);
}

static void sort_keys(group_key *k, uint32_t n, key_cmp cmp)
{
    for (uint32_t i = 1; i < n; i++) { /* insertion sort: stable, n is small */
        group_key v = k[i];
        uint32_t j = i;
        while (j > 0 && cmp(&v, &k[j - 1]) < 0) {
            k[j] = k[j - 1];
            j--;
        }
        k[j] = v;
    }
}

static uint32_t make_keys(const placer *p, group_key *keys)
{
    uint32_t ng = 0;
    for (uint32_t i = 0; i < p->n; i++) {
        if (p->bufs[i].group != i)
            continue;
        group_key k = {.leader = i, .first = UINT32_MAX};
        for (uint32_t m = p->mem_start[i]; m < p->mem_start[i + 1]; m++) {
            const mp_buffer *x = &p->bufs[p->members[m]];
            k.bytes = x->bytes > k.bytes ? x->bytes : k.bytes;
            k.first = x->first < k.first ? x->first : k.first;
            k.last = x->last > k.last ? x->last : k.last;
            k.area += (uint64_t)x->bytes * (x->last - x->first + 1);
        }
        keys[ng++] = k;
    }
    return ng;
}

/* Max over steps of the bytes alive, a group counting its largest member
 * alive at that step (members of a group share memory). */
static size_t lower_bound(const mp_buffer *bufs, uint32_t n, size_t *gmax)
{
    uint32_t steps = 0;
    for (uint32_t i = 0; i < n; i++)
        steps = bufs[i].last + 1 > steps ? bufs[i].last + 1 : steps;
    size_t best = 0;
    for (uint32_t s = 0; s < steps; s++) {
        size_t live = 0;
        for (uint32_t i = 0; i < n; i++)
            if (bufs[i].first <= s && s <= bufs[i].last && bufs[i].bytes > gmax[bufs[i].group])
                gmax[bufs[i].group] = bufs[i].bytes;
        for (uint32_t i = 0; i < n; i++) {
            if (bufs[i].group == i) {
                live += gmax[i];
                gmax[i] = 0;
            }
        }
        best = live > best ? live : best;
    }
    return best;
}

/* ---- the planner ---------------------------------------------------------------------- */

typedef struct best_layout {
    size_t top;
    size_t *offsets;
    uint32_t *order;  /* group leaders in the order that produced it */
    bool best_fit;    /* with the best-fit policy */
    const char *method;
} best_layout;

static bool try_order(placer *p, const uint32_t *order, uint32_t ng, const char *method,
                      best_layout *best, uint32_t *tries)
{
    size_t top;
    if (!run_order(p, order, ng, &top))
        return false;
    (*tries)++;
    if (top < best->top) {
        best->top = top;
        best->best_fit = p->best_fit;
        best->method = method;
        for (uint32_t i = 0; i < p->n; i++)
            best->offsets[i] = p->bufs[i].offset;
        memcpy(best->order, order, (size_t)ng * sizeof *order);
    }
    return true;
}

/* The group whose buffer ends highest in the layout held in offsets. */
static uint32_t top_group_pos(const placer *p, const uint32_t *order, uint32_t ng,
                              const size_t *offsets)
{
    uint32_t pos = 0;
    size_t high = 0;
    for (uint32_t k = 0; k < ng; k++) {
        uint32_t g = order[k];
        for (uint32_t m = p->mem_start[g]; m < p->mem_start[g + 1]; m++) {
            const mp_buffer *x = &p->bufs[p->members[m]];
            if (offsets[p->members[m]] + x->bytes > high) {
                high = offsets[p->members[m]] + x->bytes;
                pos = k;
            }
        }
    }
    return pos;
}

static uint64_t next_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/*
 * Improvement: hill climbing over group orders from the best one. Each try
 * either moves the group that reaches the top of the arena earlier (to the
 * front or one place up) or moves a random group to a random place; a
 * change is kept when the arena does not grow. Deterministic (fixed seed),
 * bounded by a number of tries that shrinks as the problem grows.
 */
static bool improve(placer *p, uint32_t ng, size_t lb, best_layout *best, uint32_t *order,
                    uint32_t *tries)
{
    uint64_t rng = 0x6d656d706c616e ^ ng;
    uint64_t work = (uint64_t)p->n * p->n;
    uint32_t budget = work ? (uint32_t)(400000000ull / work) : 0;
    budget = budget > 20000 ? 20000 : budget;
    p->best_fit = best->best_fit; /* climb with the policy of the best layout */
    uint32_t *cur = mp_calloc(ng, sizeof *cur);
    if (!cur)
        return false;
    memcpy(cur, best->order, (size_t)ng * sizeof *cur);
    for (uint32_t it = 0; it < budget && best->top > lb && ng > 1; it++) {
        memcpy(order, cur, (size_t)ng * sizeof *order);
        uint32_t from, to;
        if (it % 4 == 0) {
            from = top_group_pos(p, order, ng, best->offsets);
            to = (it / 4) % 2 ? 0 : (from ? from - 1 : 0);
        } else {
            from = (uint32_t)(next_rand(&rng) % ng);
            to = (uint32_t)(next_rand(&rng) % ng);
        }
        if (from == to)
            continue;
        uint32_t g = order[from];
        if (from > to)
            memmove(order + to + 1, order + to, (size_t)(from - to) * sizeof *order);
        else
            memmove(order + from, order + from + 1, (size_t)(to - from) * sizeof *order);
        order[to] = g;
        size_t before = best->top;
        size_t top;
        if (!run_order(p, order, ng, &top)) {
            mp_free(cur);
            return false;
        }
        (*tries)++;
        if (top <= before) {
            memcpy(cur, order, (size_t)ng * sizeof *cur);
            if (top < before) {
                best->top = top;
                best->method = "improved (hill climbing)";
                for (uint32_t i = 0; i < p->n; i++)
                    best->offsets[i] = p->bufs[i].offset;
                memcpy(best->order, order, (size_t)ng * sizeof *order);
            }
        }
    }
    mp_free(cur);
    return true;
}

mp_status mp_arena_plan(mp_buffer *bufs, uint32_t n, size_t align, mp_arena_stats *stats,
                        mp_error *err)
{
    static const struct {
        key_cmp cmp;
        const char *name[2]; /* first fit, best fit */
    } strategies[] = {
        {by_size, {"greedy by size (TFLite Micro)", "largest first, best fit"}},
        {by_lifetime, {"longest lifetime first", "longest lifetime first, best fit"}},
        {by_area, {"largest area first", "largest area first, best fit"}},
        {by_first, {"earliest first", "earliest first, best fit"}},
    };
    memset(stats, 0, sizeof *stats);
    placer p;
    best_layout best = {.top = SIZE_MAX};
    group_key *keys = mp_calloc(n ? n : 1, sizeof *keys);
    uint32_t *order = mp_calloc(n ? n : 1, sizeof *order);
    best.offsets = mp_calloc(n ? n : 1, sizeof *best.offsets);
    best.order = mp_calloc(n ? n : 1, sizeof *best.order);
    mp_status st = placer_init(&p, bufs, n, align, err);
    if (st == MP_OK && (!keys || !order || !best.offsets || !best.order))
        st = mp_errorf(err, MP_E_NOMEM, "out of memory planning the arena");
    uint32_t ng = st == MP_OK ? make_keys(&p, keys) : 0;
    size_t lb = st == MP_OK ? lower_bound(bufs, n, best.offsets) : 0; /* offsets: scratch */
    for (size_t s = 0; st == MP_OK && s < sizeof strategies / sizeof strategies[0]; s++) {
        sort_keys(keys, ng, strategies[s].cmp);
        for (uint32_t k = 0; k < ng; k++)
            order[k] = keys[k].leader;
        for (int fit = 0; st == MP_OK && fit < 2 && best.top > lb; fit++) {
            p.best_fit = fit == 1;
            if (!try_order(&p, order, ng, strategies[s].name[fit], &best, &stats->tries))
                st = mp_errorf(err, MP_E_OVERFLOW, "arena offsets overflow");
        }
        if (best.top == lb)
            break;
    }
    if (st == MP_OK && ng && best.top > lb && !improve(&p, ng, lb, &best, order, &stats->tries))
        st = mp_errorf(err, MP_E_OVERFLOW, "arena offsets overflow");
    if (st == MP_OK) {
        for (uint32_t i = 0; i < n; i++)
            bufs[i].offset = best.offsets[i];
        stats->arena_bytes = n ? best.top : 0;
        stats->lower_bound = lb;
        stats->method = n ? best.method : "empty";
    }
    placer_release(&p);
    mp_free(keys);
    mp_free(order);
    mp_free(best.offsets);
    mp_free(best.order);
    return st;
}
