/* SPDX-License-Identifier: MIT */
/*
 * net_json_repeat.c - repeat groups of net.json (module import).
 *
 * A layer entry {"repeat": N, "name": G, "layers": [...]} stands for its
 * layers written N times in a row (docs/net-json.md, "Repeat groups"). The
 * importer works on the expanded list built here: a plain entry of "layers"
 * is one expanded layer, a group N times its layers. A layer inside a group
 * is named with its repetition as a suffix ("expand" in the second
 * repetition is "expand.2"). Inside a group, a name of one of the group's
 * layers means that layer of the same repetition, and the group's name means
 * the repetition's input (what its first layer reads by default: the previous
 * repetition's last layer, or the layer before the group). Elsewhere the
 * group's name means the group's output (its last layer, last repetition).
 */
#include "memplan/mp_import.h"

#include "../util/alloc.h"
#include "net_json_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const group_keys[] = {"repeat", "name", "layers", "comment", NULL};

/* An entry is a group when it has "repeat" or "layers" (a missing one is then reported). */
static bool is_group(const cJSON *l)
{
    return cJSON_IsObject(l) && (cJSON_GetObjectItemCaseSensitive(l, "repeat") ||
                                 cJSON_GetObjectItemCaseSensitive(l, "layers"));
}

/* Check the group entry l at layers[top]; fill grp (but first). */
static mp_status read_group(net_ctx *n, const cJSON *l, uint32_t top, net_group *grp)
{
    jctx *c = &n->j;
    snprintf(c->path, sizeof c->path, "layers[%u]", top);
    MP_TRY(jonly(c, l, group_keys, NULL));
    int32_t reps;
    MP_TRY(jint(c, l, "repeat", true, 0, 1, (int32_t)MP_MAX_OPS, &reps));
    MP_TRY(jstring(c, l, "name", true, NULL, &grp->name));
    if (!*grp->name)
        return jfail(c, "name", MP_E_INVALID, "must not be empty");
    const cJSON *inner;
    MP_TRY(jmember(c, l, "layers", true, &inner));
    if (!cJSON_IsArray(inner) || cJSON_GetArraySize(inner) == 0)
        return jfail(c, "layers", MP_E_INVALID, "expected a non-empty list of layers");
    uint32_t j = 0;
    for (const cJSON *e = inner->child; e; e = e->next, j++) {
        if (is_group(e)) {
            snprintf(c->path, sizeof c->path, "layers[%u].layers[%u]", top, j);
            return jfail(c, NULL, MP_E_UNSUPPORTED, "repeat groups cannot be nested");
        }
    }
    grp->top = top;
    grp->n_layers = j;
    grp->n_reps = (uint32_t)reps;
    return MP_OK;
}

static const char *name_of(const cJSON *l)
{
    const cJSON *v = cJSON_IsObject(l) ? cJSON_GetObjectItemCaseSensitive(l, "name") : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

typedef struct group_key {
    const char *name;
    uint32_t index;
} group_key;

static int cmp_group_key(const void *a, const void *b)
{
    const group_key *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* n->group_by_name: group indices sorted by name (ties: document order). */
static mp_status sort_groups(net_ctx *n)
{
    group_key *keys = mp_calloc(n->n_groups ? n->n_groups : 1, sizeof *keys);
    if (!keys)
        return mp_errorf(n->j.err, MP_E_NOMEM, "out of memory");
    for (uint32_t i = 0; i < n->n_groups; i++)
        keys[i] = (group_key){n->groups[i].name, i};
    qsort(keys, n->n_groups, sizeof *keys, cmp_group_key);
    for (uint32_t i = 0; i < n->n_groups; i++)
        n->group_by_name[i] = keys[i].index;
    mp_free(keys);
    return MP_OK;
}

/* Pass over "layers": validate the groups and count the expanded layers. */
static mp_status count_layers(net_ctx *n, const cJSON *layers, uint32_t *total)
{
    uint64_t sum = 0;
    uint32_t top = 0, gi = 0;
    for (const cJSON *l = layers->child; l; l = l->next, top++) {
        if (is_group(l)) {
            net_group *grp = &n->groups[gi++];
            MP_TRY(read_group(n, l, top, grp));
            sum += (uint64_t)grp->n_layers * grp->n_reps;
        } else {
            sum++;
        }
        if (sum > MP_MAX_OPS) {
            n->j.path[0] = '\0';
            return jfail(&n->j, "layers", MP_E_LIMIT,
                         "more than %u layers after expanding repeat groups", MP_MAX_OPS);
        }
    }
    *total = (uint32_t)sum;
    return MP_OK;
}

mp_status net_json_expand(net_ctx *n, const cJSON *layers)
{
    uint32_t n_groups = 0, total = 0;
    for (const cJSON *l = layers->child; l; l = l->next)
        n_groups += is_group(l);
    n->groups = mp_calloc(n_groups ? n_groups : 1, sizeof *n->groups);
    n->group_by_name = mp_calloc(n_groups ? n_groups : 1, sizeof *n->group_by_name);
    if (!n->groups || !n->group_by_name)
        return mp_errorf(n->j.err, MP_E_NOMEM, "out of memory");
    n->n_groups = n_groups;
    MP_TRY(count_layers(n, layers, &total));
    n->layers = mp_calloc(total ? total : 1, sizeof *n->layers);
    if (!n->layers)
        return mp_errorf(n->j.err, MP_E_NOMEM, "out of memory");
    uint32_t k = 0, top = 0, gi = 0;
    for (const cJSON *l = layers->child; l; l = l->next, top++) {
        if (!is_group(l)) {
            n->layers[k++] = (net_layer){l, name_of(l), top, -1, 0, 0};
            continue;
        }
        net_group *grp = &n->groups[gi];
        const cJSON *inner = cJSON_GetObjectItemCaseSensitive(l, "layers");
        grp->first = k;
        for (uint32_t r = 1; r <= grp->n_reps; r++) {
            int32_t j = 0;
            for (const cJSON *e = inner->child; e; e = e->next, j++)
                n->layers[k++] = (net_layer){e, name_of(e), top, j, gi, r};
        }
        gi++;
    }
    n->n_layers = total;
    return sort_groups(n);
}

void net_json_layer_path(net_ctx *n, uint32_t i)
{
    const net_layer *l = &n->layers[i];
    if (l->inner < 0)
        snprintf(n->j.path, sizeof n->j.path, "layers[%u]", l->top);
    else
        snprintf(n->j.path, sizeof n->j.path, "layers[%u].layers[%d]", l->top, l->inner);
}

void net_json_layer_name(const net_ctx *n, uint32_t i, const char *base, mp_strbuf *sb)
{
    mp_strbuf_reset(sb);
    mp_strbuf_puts(sb, base);
    if (n->layers[i].rep)
        mp_strbuf_printf(sb, ".%u", n->layers[i].rep);
}

/* Index of the group called name, or UINT32_MAX. */
static uint32_t find_group(const net_ctx *n, const char *name)
{
    uint32_t lo = 0, hi = n->n_groups;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(n->groups[n->group_by_name[mid]].name, name);
        if (c == 0)
            return n->group_by_name[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return UINT32_MAX;
}

mp_status net_json_check_groups(net_ctx *n)
{
    jctx *c = &n->j;
    for (uint32_t k = 0; k < n->n_groups; k++) {
        uint32_t gi = n->group_by_name[k];
        const net_group *grp = &n->groups[gi];
        snprintf(c->path, sizeof c->path, "layers[%u]", grp->top);
        bool twice = k > 0 && strcmp(n->groups[n->group_by_name[k - 1]].name, grp->name) == 0;
        if (twice || mp_graph_find_tensor(n->g, grp->name) != MP_NO_TENSOR)
            return jfail(c, "name", MP_E_INVALID, "duplicate name \"%s\"", grp->name);
        for (uint32_t j = 0; j < grp->n_layers; j++) {
            const char *base = n->layers[grp->first + j].base;
            if (base && strcmp(base, grp->name) == 0) {
                snprintf(c->path, sizeof c->path, "layers[%u].layers[%u]", grp->top, j);
                return jfail(c, "name", MP_E_INVALID,
                             "\"%s\" names the repeat group; a layer inside it needs another "
                             "name", base);
            }
        }
    }
    return MP_OK;
}

/* Inside a group: the layer of repetition [start, start + n_layers) written as name. */
static mp_status resolve_inner(net_ctx *n, uint32_t i, uint32_t start, const char *name,
                               mp_tensor_id *out)
{
    const net_group *grp = &n->groups[n->layers[i].group];
    net_json_layer_name(n, i, name, &n->scratch);
    if (n->scratch.failed)
        return mp_errorf(n->j.err, MP_E_NOMEM, "out of memory");
    mp_tensor_id t = mp_graph_find_tensor(n->g, n->scratch.buf);
    /* layer outputs are created consecutively, so the tensor id gives the layer */
    uint32_t k = t - n->layer_out[0];
    if (t != MP_NO_TENSOR && t >= n->layer_out[0] && k >= start && k < start + grp->n_layers &&
        n->layer_out[k] == t)
        *out = t;
    return MP_OK;
}

mp_status net_json_resolve(net_ctx *n, uint32_t i, const char *name, mp_tensor_id *out)
{
    *out = MP_NO_TENSOR;
    if (i != UINT32_MAX && n->layers[i].inner >= 0) {
        const net_layer *l = &n->layers[i];
        const net_group *grp = &n->groups[l->group];
        uint32_t start = grp->first + (l->rep - 1) * grp->n_layers;
        if (strcmp(name, grp->name) == 0) {
            *out = start == 0 ? n->g->inputs[0] : n->layer_out[start - 1];
            return MP_OK;
        }
        MP_TRY(resolve_inner(n, i, start, name, out));
        if (*out != MP_NO_TENSOR)
            return MP_OK;
    }
    *out = mp_graph_find_tensor(n->g, name);
    if (*out != MP_NO_TENSOR)
        return MP_OK;
    uint32_t gi = find_group(n, name);
    if (gi != UINT32_MAX) {
        const net_group *grp = &n->groups[gi];
        *out = n->layer_out[grp->first + grp->n_reps * grp->n_layers - 1];
    }
    return MP_OK;
}

mp_status net_json_add_repeats(net_ctx *n)
{
    for (uint32_t k = 0; k < n->n_groups; k++) {
        const net_group *grp = &n->groups[k];
        mp_repeat r = {grp->name, grp->first, grp->n_layers, grp->n_reps};
        MP_TRY(mp_graph_add_repeat(n->g, &r, n->j.err));
    }
    return MP_OK;
}

void net_json_release_layers(net_ctx *n)
{
    mp_free(n->layers);
    mp_free(n->groups);
    mp_free(n->group_by_name);
    mp_strbuf_release(&n->scratch);
    n->layers = NULL;
    n->groups = NULL;
    n->group_by_name = NULL;
}
