/* SPDX-License-Identifier: MIT */
/*
 * order_layers.c - layered search over the sets of executed ops of one part
 * (module plan; part of the operator-order search, see order_search.c).
 *
 * Layer k holds the sets of k executed ops, each with the smallest peak found
 * over the orders reaching it, the bytes held, its ready ops and its best
 * predecessor. A layer is an open-addressing hash map keyed by the set's
 * bitset; expanding its states in insertion order and their ready ops in file
 * order, and replacing a state's predecessor only by a strictly better one,
 * keeps the first (file-nearest) of equally good orders. Predecessor links
 * ("trail") are kept for every stored state; the bitsets only for the current
 * and next layer. With keep < UINT32_MAX, each layer is cut to its keep best
 * states (fewest bytes held, then lowest peak): a beam search. Ranking by
 * the bytes held first keeps the states that leave most room for the rest
 * (their peaks are all below the best order known); on random graphs it
 * finds the optimum more often than ranking by peak first.
 */
#include "order_int.h"

#include "../util/alloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct rank_key {
    size_t held, peak;
} rank_key;

typedef struct layer {
    uint32_t count, cap;
    uint64_t *set, *ready; /* count x words each: executed and ready local ops */
    size_t *peak;          /* smallest peak over the orders reaching the set found so far */
    size_t *held;          /* bytes held after the set */
    uint64_t *hash;        /* the set's hash (XOR of its ops' keys) */
    uint32_t *from, *op;   /* trail id of the best predecessor, local op run last */
    uint32_t *home;        /* hash slot of each state */
    uint32_t *slot;        /* open addressing: state index + 1, 0 = empty */
    uint32_t n_slots;      /* in use: a power of two, >= 2 * count (>= 128) */
    uint32_t slot_cap;     /* allocated: 2 * cap */
} layer;

typedef struct search {
    const order_ctx *c;
    const part *p;
    size_t bound;    /* keep only states whose peak is below */
    uint32_t keep;   /* states kept per layer; UINT32_MAX: all (exact) */
    bool prune;      /* beam: drop successors that can never rank in (beam_full) */
    uint64_t budget; /* states that may be stored */
    uint64_t stored; /* trail entries */
    uint64_t trail_cap;
    uint32_t *trail_from; /* per stored state: predecessor's trail id */
    uint32_t *trail_op;   /* per stored state: local op run last */
    layer cur, next;
    size_t bytes;   /* bytes of both layers */
    bool full;      /* the state or memory bound was hit */
    bool truncated; /* the beam dropped states: the result is not proven */
    uint64_t *tmp;  /* 2 x words */
    uint64_t *key;  /* per local op: a random 64-bit key; a set hashes to the XOR of its ops' */
    rank_key *heap; /* beam: max-heap of the keep smallest (held, peak) stored in next */
    uint32_t n_heap;
    size_t *floor;  /* beam: per state of cur, the lowest peak of it and the states after */
} search;

static void layer_release(layer *l)
{
    mp_free(l->set);
    mp_free(l->ready);
    mp_free(l->peak);
    mp_free(l->held);
    mp_free(l->hash);
    mp_free(l->from);
    mp_free(l->op);
    mp_free(l->home);
    mp_free(l->slot);
}

static size_t layer_bytes(uint32_t cap, uint32_t words)
{
    return (size_t)cap * (2 * (size_t)words * 8 + 2 * sizeof(size_t) + 3 * sizeof(uint32_t)) +
           (size_t)cap * 2 * sizeof(uint32_t);
}

/* splitmix64: the keys of the ops (Zobrist hashing: a set's hash changes in O(1)). */
static uint64_t op_key(uint64_t i)
{
    uint64_t z = (i + 1) * 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void *grow(void *p, size_t n, size_t size, bool *ok)
{
    void *q = mp_realloc(p, n * size);
    if (!q) {
        *ok = false;
        return p;
    }
    return q;
}

/* Room for need states in l (capacity doubles); s->full when over SEARCH_MAX_BYTES. */
static void layer_rehash(layer *l, uint32_t n_slots);

static mp_status layer_reserve(search *s, layer *l, uint32_t need, mp_error *err)
{
    if (need <= l->cap) {
        if (2 * (uint64_t)need > l->n_slots) /* a layer reuses a larger layer's arrays */
            layer_rehash(l, l->n_slots * 2);
        return MP_OK;
    }
    uint32_t w = s->p->words;
    uint64_t want = l->cap ? l->cap : 64;
    while (want < need)
        want *= 2;
    size_t limit = SEARCH_MAX_BYTES / layer_bytes(1, w);
    if (want > limit ||
        s->bytes + layer_bytes((uint32_t)want, w) - layer_bytes(l->cap, w) > SEARCH_MAX_BYTES) {
        s->full = true;
        return MP_OK;
    }
    uint32_t cap = (uint32_t)want;
    size_t add = layer_bytes(cap, w) - layer_bytes(l->cap, w);
    bool ok = true;
    l->set = grow(l->set, (size_t)cap * w, sizeof *l->set, &ok);
    l->ready = grow(l->ready, (size_t)cap * w, sizeof *l->ready, &ok);
    l->peak = grow(l->peak, cap, sizeof *l->peak, &ok);
    l->held = grow(l->held, cap, sizeof *l->held, &ok);
    l->hash = grow(l->hash, cap, sizeof *l->hash, &ok);
    l->from = grow(l->from, cap, sizeof *l->from, &ok);
    l->op = grow(l->op, cap, sizeof *l->op, &ok);
    l->home = grow(l->home, cap, sizeof *l->home, &ok);
    uint32_t *slot = mp_calloc(2 * (size_t)cap, sizeof *slot);
    if (!ok || !slot) {
        mp_free(slot);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    mp_free(l->slot);
    l->slot = slot;
    l->n_slots = 0;
    l->slot_cap = 2 * cap;
    l->cap = cap;
    s->bytes += add;
    layer_rehash(l, 2 * cap);
    return MP_OK;
}

/* Use n_slots hash slots (the slots in use before are emptied first). */
static void layer_rehash(layer *l, uint32_t n_slots)
{
    memset(l->slot, 0, (size_t)l->n_slots * sizeof *l->slot);
    l->n_slots = n_slots;
    for (uint32_t j = 0; j < l->count; j++) {
        uint32_t i = (uint32_t)l->hash[j] & (l->n_slots - 1);
        while (l->slot[i])
            i = (i + 1) & (l->n_slots - 1);
        l->slot[i] = j + 1;
        l->home[j] = i;
    }
}

/* An empty layer probes a small table again (its slots are all empty). */
static void layer_clear(layer *l)
{
    l->count = 0;
    if (l->n_slots > 128)
        l->n_slots = 128;
}

/* Empty the hash slots of l (its states stay readable). */
static void layer_unhash(layer *l)
{
    for (uint32_t j = 0; j < l->count; j++)
        l->slot[l->home[j]] = 0;
}

/* Add the state (set, ready) reached with peak from trail id from by local op op, or
 * lower the peak of the same set already there. */
static mp_status layer_put(search *s, layer *l, const uint64_t *set, const uint64_t *ready,
                           uint64_t hash, size_t peak, size_t held, uint32_t from, uint32_t op,
                           mp_error *err)
{
    uint32_t w = s->p->words;
    MP_TRY(layer_reserve(s, l, l->count + 1, err));
    if (s->full)
        return MP_OK;
    uint32_t mask = l->n_slots - 1, i = (uint32_t)hash & mask;
    for (; l->slot[i]; i = (i + 1) & mask) {
        uint32_t j = l->slot[i] - 1;
        if (l->hash[j] != hash || memcmp(l->set + (size_t)j * w, set, (size_t)w * sizeof *set))
            continue;
        if (peak < l->peak[j]) {
            l->peak[j] = peak;
            l->from[j] = from;
            l->op[j] = op;
        }
        return MP_OK;
    }
    if (s->stored + l->count + 1 > s->budget) {
        s->full = true;
        return MP_OK;
    }
    uint32_t j = l->count++;
    memcpy(l->set + (size_t)j * w, set, (size_t)w * sizeof *set);
    memcpy(l->ready + (size_t)j * w, ready, (size_t)w * sizeof *ready);
    l->peak[j] = peak;
    l->held[j] = held;
    l->hash[j] = hash;
    l->from[j] = from;
    l->op[j] = op;
    l->home[j] = i;
    l->slot[i] = j + 1;
    return MP_OK;
}

/*
 * Beam pruning. truncate_layer keeps the keep states of a layer that rank
 * first by (bytes held, peak, order found); bytes held depend on the set
 * only, a peak only falls when another predecessor reaches the set, and no
 * state of the next layer peaks below floor (the lowest peak of the states
 * of the current layer still to expand). The heap holds the keep smallest
 * (held, peak) stored so far (peaks as stored: they can only have fallen).
 * A set never stored is dropped when the heap's largest is <= (its held,
 * floor): keep states found before it rank before it whatever it reaches.
 * A set holding more than the heap's largest held is dropped even when
 * stored (it can never rank in). The kept states, their order, peaks and
 * predecessors are those of the full layer, so the beam's result is
 * unchanged; layers stay near keep states instead of keep x ready ops.
 */
static bool key_le(rank_key a, rank_key b)
{
    return a.held < b.held || (a.held == b.held && a.peak <= b.peak);
}

static bool beam_full(const search *s)
{
    return s->prune && s->keep != UINT32_MAX && s->n_heap == s->keep;
}

static void heap_add(search *s, rank_key k)
{
    if (s->keep == UINT32_MAX)
        return;
    rank_key *h = s->heap;
    uint32_t i;
    if (s->n_heap < s->keep) {
        for (i = s->n_heap++; i > 0 && !key_le(k, h[(i - 1) / 2]); i = (i - 1) / 2)
            h[i] = h[(i - 1) / 2];
        h[i] = k;
        return;
    }
    if (key_le(h[0], k))
        return;
    for (i = 0;;) { /* replace the largest, sift down */
        uint32_t c = 2 * i + 1;
        if (c >= s->n_heap)
            break;
        if (c + 1 < s->n_heap && key_le(h[c], h[c + 1]))
            c++;
        if (key_le(h[c], k))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = k;
}

/* Whether x is set plus local op op. */
static bool same_plus(const uint64_t *x, const uint64_t *set, uint32_t op, uint32_t w)
{
    for (uint32_t k = 0; k < w; k++)
        if (x[k] != (set[k] | (k == op >> 6 ? (uint64_t)1 << (op & 63) : 0)))
            return false;
    return true;
}

/* The state of set + op (hash) in l, or -1. */
static int64_t layer_find(const search *s, const layer *l, const uint64_t *set, uint32_t op,
                          uint64_t hash)
{
    uint32_t w = s->p->words;
    if (!l->n_slots)
        return -1;
    uint32_t mask = l->n_slots - 1;
    for (uint32_t i = (uint32_t)hash & mask; l->slot[i]; i = (i + 1) & mask) {
        uint32_t j = l->slot[i] - 1;
        if (l->hash[j] == hash && same_plus(l->set + (size_t)j * w, set, op, w))
            return j;
    }
    return -1;
}

/* Suffix minima of the current layer's peaks (beam only). */
static mp_status beam_floor(search *s, mp_error *err)
{
    if (s->keep == UINT32_MAX)
        return MP_OK;
    mp_free(s->floor);
    s->floor = mp_malloc((size_t)(s->cur.count ? s->cur.count : 1) * sizeof *s->floor);
    if (!s->floor)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    size_t m = SIZE_MAX;
    for (uint32_t j = s->cur.count; j-- > 0;)
        s->floor[j] = m = s->cur.peak[j] < m ? s->cur.peak[j] : m;
    return MP_OK;
}

/* Ready set after local op l joins set (nset already holds it). */
static void ready_after(const part *p, const uint64_t *nset, uint64_t *nready, uint32_t l)
{
    nready[l >> 6] &= ~((uint64_t)1 << (l & 63));
    for (uint32_t i = p->succ_start[l]; i < p->succ_start[l + 1]; i++) {
        uint32_t q = p->succ[i];
        bool ok = true;
        for (uint32_t k = p->pred_start[q]; k < p->pred_start[q + 1] && ok; k++)
            ok = bit_get(nset, p->pred[k]);
        if (ok)
            bit_set(nready, q);
    }
}

/* One successor of state i (view vw): set + l (op v) reached with peak. Its
 * bytes held are computed only when it is stored (a stored set has them). */
static mp_status successor(search *s, const view *vw, uint32_t i, uint32_t id, uint32_t l,
                           uint32_t v, size_t peak, mp_error *err)
{
    const layer *a = &s->cur;
    layer *nx = &s->next;
    uint32_t w = s->p->words;
    size_t lb = order_step_after_lb(s->c, a->held[i], v);
    if (beam_full(s) && lb > s->heap[0].held) { /* more held than the keep-th fewest: never kept */
        s->truncated = true;
        return MP_OK;
    }
    uint64_t *nset = s->tmp, *nready = s->tmp + w, hash = a->hash[i] ^ s->key[l];
    int64_t j = layer_find(s, nx, a->set + (size_t)i * w, l, hash);
    if (j >= 0) {
        if (peak < nx->peak[j]) {
            nx->peak[j] = peak;
            nx->from[j] = id;
            nx->op[j] = l;
        }
        return MP_OK;
    }
    if (beam_full(s) && key_le(s->heap[0], (rank_key){lb, s->floor[i]})) {
        s->truncated = true;
        return MP_OK;
    }
    size_t held = order_step_after(vw, a->held[i], v);
    if (beam_full(s) && key_le(s->heap[0], (rank_key){held, s->floor[i]})) {
        s->truncated = true;
        return MP_OK;
    }
    memcpy(nset, a->set + (size_t)i * w, (size_t)w * sizeof *nset);
    bit_set(nset, l);
    memcpy(nready, a->ready + (size_t)i * w, (size_t)w * sizeof *nready);
    ready_after(s->p, nset, nready, l);
    uint32_t before = nx->count;
    MP_TRY(layer_put(s, nx, nset, nready, hash, peak, held, id, l, err));
    if (nx->count > before)
        heap_add(s, (rank_key){held, peak});
    return MP_OK;
}

/* Every successor of state i of the current layer (trail id id, layer k) into next. */
static mp_status expand(search *s, uint32_t i, uint32_t id, uint32_t k, mp_error *err)
{
    const part *p = s->p;
    const layer *a = &s->cur;
    uint32_t w = p->words;
    const uint64_t *set = a->set + (size_t)i * w, *ready = a->ready + (size_t)i * w;
    view vw = {s->c, p->lo, p->m, set};
    for (uint32_t x = 0; x < w; x++) {
        for (uint64_t bits = ready[x]; bits; bits &= bits - 1) {
            uint32_t l = x * 64 + (uint32_t)__builtin_ctzll(bits);
            uint32_t v = s->c->file[p->lo + l];
            size_t live = order_step_live(&vw, a->held[i], v, p->lo == 0 && k == 0);
            size_t peak = max_size(a->peak[i], live);
            if (peak >= s->bound)
                continue;
            MP_TRY(successor(s, &vw, i, id, l, v, peak, err));
            if (s->full)
                return MP_OK;
        }
    }
    return MP_OK;
}

typedef struct rank {
    size_t peak, held;
    uint32_t idx;
} rank;

static int cmp_rank(const void *x, const void *y)
{
    const rank *a = x, *b = y;
    if (a->held != b->held)
        return a->held < b->held ? -1 : 1;
    if (a->peak != b->peak)
        return a->peak < b->peak ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* Beam: keep the s->keep best states of l (bytes held, then peak, then first found). */
static mp_status truncate_layer(search *s, layer *l, mp_error *err)
{
    uint32_t w = s->p->words;
    rank *r = mp_malloc((size_t)l->count * sizeof *r);
    uint32_t *keep = mp_malloc((size_t)s->keep * sizeof *keep);
    if (!r || !keep) {
        mp_free(r);
        mp_free(keep);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    for (uint32_t j = 0; j < l->count; j++)
        r[j] = (rank){l->peak[j], l->held[j], j};
    qsort(r, l->count, sizeof *r, cmp_rank);
    for (uint32_t j = 0; j < s->keep; j++)
        keep[j] = r[j].idx;
    qsort(keep, s->keep, sizeof *keep, cmp_u32);
    for (uint32_t j = 0; j < s->keep; j++) { /* keep[j] >= j: compact forwards */
        uint32_t o = keep[j];
        memmove(l->set + (size_t)j * w, l->set + (size_t)o * w, (size_t)w * sizeof *l->set);
        memmove(l->ready + (size_t)j * w, l->ready + (size_t)o * w, (size_t)w * sizeof *l->set);
        l->peak[j] = l->peak[o];
        l->held[j] = l->held[o];
        l->hash[j] = l->hash[o];
        l->from[j] = l->from[o];
        l->op[j] = l->op[o];
    }
    l->count = s->keep;
    mp_free(r);
    mp_free(keep);
    return MP_OK;
}

/* Record the states of the finished next layer in the trail; they get ids from *first. */
static mp_status trail_append(search *s, const layer *l, uint32_t *first, mp_error *err)
{
    if (s->stored + l->count > s->trail_cap) {
        uint64_t cap = s->trail_cap ? s->trail_cap : 256;
        while (cap < s->stored + l->count)
            cap *= 2;
        bool ok = true;
        s->trail_from = grow(s->trail_from, cap, sizeof *s->trail_from, &ok);
        s->trail_op = grow(s->trail_op, cap, sizeof *s->trail_op, &ok);
        if (!ok)
            return mp_errorf(err, MP_E_NOMEM, "out of memory");
        s->trail_cap = cap;
    }
    *first = (uint32_t)s->stored;
    for (uint32_t j = 0; j < l->count; j++) {
        s->trail_from[s->stored] = l->from[j];
        s->trail_op[s->stored++] = l->op[j];
    }
    return MP_OK;
}

/* The root state: nothing of the part executed. */
static mp_status search_root(search *s, uint32_t *first, mp_error *err)
{
    const part *p = s->p;
    uint64_t *set = s->tmp, *ready = s->tmp + p->words;
    memset(s->tmp, 0, 2 * (size_t)p->words * sizeof *s->tmp);
    for (uint32_t l = 0; l < p->m; l++)
        if (p->pred_start[l] == p->pred_start[l + 1])
            bit_set(ready, l);
    MP_TRY(layer_put(s, &s->cur, set, ready, 0, 0, s->c->resident[p->lo], NO_ID, NO_ID, err));
    layer_unhash(&s->cur);
    return trail_append(s, &s->cur, first, err);
}

/* Layer by layer to the full set; *end says how it ended, order gets the best order. */
static mp_status search_layers(search *s, uint32_t *order, search_end *end, size_t *value,
                               mp_error *err)
{
    uint32_t first;
    MP_TRY(search_root(s, &first, err));
    if (s->full) {
        *end = SEARCH_FULL;
        return MP_OK;
    }
    for (uint32_t k = 0; k < s->p->m; k++) {
        layer_clear(&s->next);
        s->n_heap = 0;
        MP_TRY(beam_floor(s, err));
        for (uint32_t i = 0; i < s->cur.count && !s->full; i++)
            MP_TRY(expand(s, i, first + i, k, err));
        layer_unhash(&s->next);
        if (s->full) {
            *end = SEARCH_FULL;
            return MP_OK;
        }
        if (s->next.count > s->keep) {
            MP_TRY(truncate_layer(s, &s->next, err));
            s->truncated = true;
        }
        MP_TRY(trail_append(s, &s->next, &first, err));
        layer tmp = s->cur;
        s->cur = s->next;
        s->next = tmp;
        if (s->cur.count == 0) {
            *end = SEARCH_NONE;
            return MP_OK;
        }
    }
    *end = SEARCH_FOUND;
    *value = s->cur.peak[0];
    uint32_t id = first;
    for (uint32_t k = s->p->m; k-- > 0;) {
        order[k] = s->trail_op[id];
        id = s->trail_from[id];
    }
    return MP_OK;
}

mp_status order_layered_search(const order_ctx *c, const part *p, size_t bound, uint32_t keep,
                               uint64_t budget, uint32_t *order, search_end *end, size_t *value,
                               uint64_t *stored, bool *exact, mp_error *err)
{
    return order_layered_search_ex(c, p, bound, keep, true, budget, order, end, value, stored,
                                   exact, err);
}

mp_status order_layered_search_ex(const order_ctx *c, const part *p, size_t bound, uint32_t keep,
                                  bool prune, uint64_t budget, uint32_t *order, search_end *end,
                                  size_t *value, uint64_t *stored, bool *exact, mp_error *err)
{
    search s;
    memset(&s, 0, sizeof s);
    s.c = c;
    s.p = p;
    s.bound = bound;
    s.keep = keep;
    s.prune = prune;
    s.budget = budget < MAX_STATES ? budget : MAX_STATES;
    s.tmp = mp_calloc(2 * (size_t)p->words, sizeof *s.tmp);
    s.key = mp_calloc(p->m ? p->m : 1, sizeof *s.key);
    for (uint32_t l = 0; s.key && l < p->m; l++)
        s.key[l] = op_key(l);
    if (keep != UINT32_MAX)
        s.heap = mp_calloc(keep ? keep : 1, sizeof *s.heap);
    mp_status st = s.tmp && s.key && (keep == UINT32_MAX || s.heap)
                       ? MP_OK
                       : mp_errorf(err, MP_E_NOMEM, "out of memory");
    if (st == MP_OK)
        st = search_layers(&s, order, end, value, err);
    *stored = s.stored + (s.full ? s.next.count : 0); /* the unfinished layer too */
    *exact = st == MP_OK && *end != SEARCH_FULL && !s.truncated;
    layer_release(&s.cur);
    layer_release(&s.next);
    mp_free(s.trail_from);
    mp_free(s.trail_op);
    mp_free(s.tmp);
    mp_free(s.heap);
    mp_free(s.key);
    mp_free(s.floor);
    return st;
}
