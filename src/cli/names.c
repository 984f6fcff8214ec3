/* SPDX-License-Identifier: MIT */
/*
 * names.c - layer names shortened to a table column (module cli).
 *
 * TFLite names an op by every tensor folded into it ("model/conv/Relu;
 * model/bn/FusedBatchNormV3;..."), 150 characters and more, and most layers
 * share their leading path ("MobilenetV1/MobilenetV1/..."). A name wider than
 * the column is shown by the part that tells it from the other layers: its
 * first ';' part, reduced to the fewest trailing '/' components that no other
 * layer ends with ("Conv2d_4_depthwise/Relu6"), or to the one component
 * that tells it apart when that suffix is too wide ("Conv2d_4_depthwise");
 * what is still too wide keeps its start and end around "...". --wide and
 * --json print names whole.
 */
#include "cli_names.h"

#include <stdlib.h>
#include <string.h>

enum { FULL_SCAN_LIMIT = 4000 }; /* ops compared pairwise (O(n^2)); above: 2 components */

/* Start of the suffix of base[0, len) made of its last k '/' components (base if fewer). */
static size_t suffix_start(const char *base, size_t len, unsigned k)
{
    size_t i = len;
    while (i > 0) {
        if (base[i - 1] == '/' && --k == 0)
            return i;
        i--;
    }
    return 0;
}

static unsigned count_components(const char *base, size_t len)
{
    unsigned n = 1;
    for (size_t i = 0; i < len; i++)
        n += base[i] == '/';
    return n;
}

/* Whether the k-component suffix of op i's first part is also the k-component suffix of
 * another op's first part. */
static bool suffix_shared(const mp_graph *g, uint32_t i, unsigned k)
{
    const char *a = g->ops[i].name;
    size_t alen = strcspn(a, ";"), as = suffix_start(a, alen, k);
    for (uint32_t j = 0; j < g->n_ops; j++) {
        if (j == i)
            continue;
        const char *b = g->ops[j].name;
        size_t blen = strcspn(b, ";"), bs = suffix_start(b, blen, k);
        if (alen - as == blen - bs && memcmp(a + as, b + bs, alen - as) == 0)
            return true;
    }
    return false;
}

static char *shorten(const mp_graph *g, uint32_t i, size_t width)
{
    const char *name = g->ops[i].name;
    size_t len = strcspn(name, ";"), start = 0;
    unsigned n = count_components(name, len);
    if (g->n_ops <= FULL_SCAN_LIMIT) {
        unsigned k = 1;
        while (k < n && suffix_shared(g, i, k))
            k++;
        start = suffix_start(name, len, k);
    } else {
        start = suffix_start(name, len, 2);
    }
    size_t part = len - start;
    char *s = malloc(width + 1);
    if (!s)
        return NULL;
    if (part > width) { /* the component that tells it apart, without the common tail */
        const char *slash = memchr(name + start, '/', part);
        if (slash)
            part = (size_t)(slash - (name + start));
    }
    if (part <= width) {
        memcpy(s, name + start, part);
        s[part] = '\0';
    } else if (part == len - start) {
        size_t keep = width > 3 ? width - 3 : 0;
        memcpy(s, "...", 3);
        memcpy(s + 3, name + len - keep, keep);
        s[3 + keep] = '\0';
    } else { /* a wide component: its start and end */
        size_t tail = width / 3, head = width - 3 - tail;
        memcpy(s, name + start, head);
        memcpy(s + head, "...", 3);
        memcpy(s + head + 3, name + start + part - tail, tail);
        s[width] = '\0';
    }
    return s;
}

int cli_names_build(cli_names *cn, const mp_graph *g, size_t width, bool wide)
{
    cn->n = g->n_ops;
    cn->g = g;
    cn->v = calloc(g->n_ops ? g->n_ops : 1, sizeof *cn->v);
    if (!cn->v)
        return -1;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        if (wide || strlen(g->ops[i].name) <= width)
            continue; /* printed as it is */
        cn->v[i] = shorten(g, i, width);
        if (!cn->v[i]) {
            cli_names_free(cn);
            return -1;
        }
    }
    return 0;
}

const char *cli_names_op(const cli_names *cn, uint32_t op)
{
    if (!cn || !cn->v || op >= cn->n)
        return "";
    return cn->v[op] ? cn->v[op] : cn->g->ops[op].name;
}

void cli_names_free(cli_names *cn)
{
    if (!cn || !cn->v)
        return;
    for (uint32_t i = 0; i < cn->n; i++)
        free(cn->v[i]);
    free(cn->v);
    cn->v = NULL;
    cn->n = 0;
}
