/* SPDX-License-Identifier: MIT */
/*
 * gv_ids.c - deterministic object IDs for libcgraph (module render).
 *
 * libcgraph keeps subgraphs ordered by object ID, and its default ID
 * discipline (AgIdDisc) uses the address of the interned name string as the
 * ID of a named object. The order of clusters in DOT output and in dot's
 * layout then depends on the allocator: a fused schedule's clusters came out
 * in a different order under AddressSanitizer. This discipline numbers names
 * in the order they are first seen (even IDs 2, 4, 6, ...) and anonymous
 * objects with odd IDs from a per-graph counter, so the same model always
 * gives the same bytes. Names are interned with agstrdup, as AgIdDisc does:
 * agwrite asks the string pool whether a name is an HTML string, so a name
 * must come from it; the pool frees them when the graph closes. Names are
 * looked up linearly: graphs hold at most a few thousand names. Memory
 * comes from the graph's own discipline (agalloc), as for every other part
 * of the graph: libcgraph does not recover cleanly when an ID cannot be
 * mapped, so this must not fail where libcgraph itself would not.
 */
#include "gv_ids.h"

#include <string.h>

typedef struct id_state {
    Agraph_t *g;  /* the root graph (its string pool) */
    char **names; /* names[k] has ID 2 * (k + 1), interned in g */
    size_t n, cap;
    IDTYPE anon;  /* next anonymous (odd) ID */
} id_state;

static void *ids_open(Agraph_t *g, Agdisc_t *disc)
{
    (void)disc;
    id_state *s = agalloc(g, sizeof *s);
    if (s) {
        s->g = g;
        s->anon = 1;
    }
    return s;
}

static long ids_map(void *state, int objtype, char *str, IDTYPE *id, int createflag)
{
    id_state *s = state;
    (void)objtype;
    if (!s)
        return 0;
    if (!str) {
        *id = s->anon;
        s->anon += 2;
        return 1;
    }
    for (size_t k = 0; k < s->n; k++)
        if (strcmp(s->names[k], str) == 0) {
            *id = (IDTYPE)(k + 1) * 2;
            return 1;
        }
    if (!createflag)
        return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        char **v = s->names ? agrealloc(s->g, s->names, s->cap * sizeof *v, cap * sizeof *v)
                            : agalloc(s->g, cap * sizeof *v);
        if (!v)
            return 0;
        s->names = v;
        s->cap = cap;
    }
    char *copy = agstrdup(s->g, str);
    if (!copy)
        return 0;
    s->names[s->n++] = copy;
    *id = (IDTYPE)s->n * 2;
    return 1;
}

static long ids_alloc(void *state, int objtype, IDTYPE id)
{
    (void)state;
    (void)objtype;
    (void)id;
    return 0; /* objects are never created with a caller's ID */
}

static void ids_free(void *state, int objtype, IDTYPE id)
{
    (void)state;
    (void)objtype;
    (void)id; /* names live until the graph is closed */
}

static char *ids_print(void *state, int objtype, IDTYPE id)
{
    id_state *s = state;
    (void)objtype;
    if (!s || id % 2 || id == 0 || id / 2 > s->n)
        return NULL;
    return s->names[id / 2 - 1];
}

static void ids_close(void *state)
{
    id_state *s = state;
    if (!s)
        return;
    Agraph_t *g = s->g;
    agfree(g, s->names); /* the strings belong to the graph's pool */
    agfree(g, s);
}

static void ids_register(void *state, int objtype, void *obj)
{
    (void)state;
    (void)objtype;
    (void)obj;
}

Agiddisc_t mp_gv_id_disc = {ids_open,  ids_map,   ids_alloc,   ids_free,
                            ids_print, ids_close, ids_register};
