/* SPDX-License-Identifier: MIT */
/*
 * order_int.h - internals of the operator-order search (module plan; private).
 *
 * order_model.c holds the accounting of a set of executed ops (what is held
 * after it, what is live while the next op runs: liveness.c's rules, in-place
 * included) and splits the graph into parts at the ops every order runs at
 * the same step; order_layers.c searches one part layer by layer (exact
 * dynamic programming, or a beam); order_search.c drives both and adds the
 * greedy rules. The algorithm is described in order_search.c.
 */
#ifndef MEMPLAN_PLAN_ORDER_INT_H
#define MEMPLAN_PLAN_ORDER_INT_H

#include "memplan/mp_plan.h"

#define SEARCH_MAX_OPS   4096u                      /* longer parts: greedy rules only */
#define SEARCH_MAX_BYTES ((size_t)256 << 20)        /* state memory of one layered search */
#define MAX_STATES       ((uint64_t)UINT32_MAX - 1) /* trail ids are 32-bit */
#define NO_ID            UINT32_MAX

typedef struct order_ctx {
    const mp_graph *g;
    uint32_t n;           /* ops */
    const uint32_t *file; /* the file order (g->order) */
    const int32_t *pos;   /* step of each op in it */
    size_t *bytes;        /* per tensor: aligned bytes, 0 for constants */
    uint32_t *in_start;   /* per op: distinct activation inputs in_list[in_start[v] ..) */
    uint32_t *in_list;
    uint32_t *cand_start; /* per op: inputs it may run in place over, cand_list[..] */
    uint32_t *cand_list;
    size_t *out_bytes;  /* per op: its outputs */
    size_t *kept_bytes; /* per op: its outputs still held after its step */
    size_t *save;       /* per op: bytes saved when it runs in place */
    size_t dead_inputs; /* network inputs nobody reads: held at step 0 only */
    size_t *resident;   /* per step: bytes held before the file order's step (n + 1) */
    size_t *file_live;  /* per step: live bytes of the file order's step */
} order_ctx;

/* Part of the graph between cuts: file steps lo .. lo + m - 1, local ops 0 .. m - 1. */
typedef struct part {
    uint32_t lo, m, words;       /* words: 64-bit words of a set of local ops */
    uint32_t *pred_start, *pred; /* per local op: local predecessors (distinct) */
    uint32_t *succ_start, *succ; /* per local op: local successors (distinct) */
    uint32_t *best;              /* chosen local order; NULL: the file's */
    size_t file_peak, best_peak; /* largest live bytes of the part's steps */
    bool exact;                  /* best_peak is the part's minimum */
} part;

/* Executed ops: those before the part, and the part's ops in set. */
typedef struct view {
    const order_ctx *c;
    uint32_t lo, m;
    const uint64_t *set;
} view;

static inline bool bit_get(const uint64_t *b, uint32_t i)
{
    return (b[i >> 6] >> (i & 63)) & 1u;
}

static inline void bit_set(uint64_t *b, uint32_t i)
{
    b[i >> 6] |= (uint64_t)1 << (i & 63);
}

static inline size_t max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* ---- order_model.c ---------------------------------------------------------------------- */

mp_status order_ctx_init(order_ctx *c, const mp_graph *g, const mp_plan_opts *opts, mp_error *err);
void order_ctx_release(order_ctx *c);
/* Live bytes while v runs after the ops of w, which leave held bytes (first: step 0). */
size_t order_step_live(const view *w, size_t held, uint32_t v, bool first);
/* Bytes held after v runs. */
size_t order_step_after(const view *w, size_t held, uint32_t v);
/* A lower bound of order_step_after in O(inputs of v): every input freed. */
size_t order_step_after_lb(const order_ctx *c, size_t held, uint32_t v);
/* Parts: maximal runs of non-cut steps that allow more than one order, in file order. */
mp_status order_find_parts(const order_ctx *c, part **out, uint32_t *n_out, mp_error *err);
/* Local predecessor and successor lists of p. */
mp_status order_part_links(const order_ctx *c, part *p, mp_error *err);
void order_part_release(part *p);

/* ---- order_layers.c --------------------------------------------------------------------- */

typedef enum search_end {
    SEARCH_FOUND, /* an order below the bound: the best one */
    SEARCH_NONE,  /* no order below the bound */
    SEARCH_FULL,  /* gave up: state or memory bound */
} search_end;

/*
 * Search p for an order with a peak below bound, keeping at most keep states
 * per layer (UINT32_MAX: all, the exact dynamic program) and storing at most
 * budget states. order: m local ops (when FOUND); *value: its peak; *stored:
 * states stored; *exact: the end (FOUND or NONE) is proven (no state dropped).
 */
mp_status order_layered_search(const order_ctx *c, const part *p, size_t bound, uint32_t keep,
                               uint64_t budget, uint32_t *order, search_end *end, size_t *value,
                               uint64_t *stored, bool *exact, mp_error *err);
/* The same, prune = false: the beam builds every successor (tests; same result). */
mp_status order_layered_search_ex(const order_ctx *c, const part *p, size_t bound, uint32_t keep,
                                  bool prune, uint64_t budget, uint32_t *order, search_end *end,
                                  size_t *value, uint64_t *stored, bool *exact, mp_error *err);

#endif
