/* SPDX-License-Identifier: MIT */
/*
 * fuzz_common.h - invariants the importer harnesses check on every graph that
 * imports (tests/fuzz; header-only, fuzz code only).
 *
 * The documented contract of a finalized graph (mp_graph.h): every tensor has
 * a positive shape and size_bytes = n*h*w*c*sizeof(dtype) within
 * MP_MAX_TENSOR_BYTES; every op's operands are tensors; each produced tensor
 * names its producer; order is a topological permutation of the ops with
 * step_of_op its inverse; MACs add up; the hash is 64 hex digits. And the
 * net.json writer's promise (mp_import.h): a graph it can express imports
 * back with the same hash and the same MAC count.
 */
#ifndef MEMPLAN_FUZZ_COMMON_H
#define MEMPLAN_FUZZ_COMMON_H

#include "memplan/memplan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A broken invariant: say which, then abort (libFuzzer saves the input as a crash). */
static inline void fuzz_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", what, file, line);
    abort();
}

#define fuzz_check(ok) ((ok) ? (void)0 : fuzz_fail(#ok, __FILE__, __LINE__))

/* A failed import leaves no graph and a message that starts with the label. */
static inline void fuzz_check_failure(const mp_graph *g, const mp_error *err, const char *label)
{
    fuzz_check(!g && err->status != MP_OK && strncmp(err->msg, label, strlen(label)) == 0);
}

static inline void fuzz_check_graph(const mp_graph *g)
{
    fuzz_check(g->finalized && g->n_ops >= 1 && g->n_ops <= MP_MAX_OPS &&
               g->n_tensors <= MP_MAX_TENSORS && g->n_inputs >= 1);
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        const mp_tensor *x = &g->tensors[t];
        fuzz_check(x->shape.n > 0 && x->shape.h > 0 && x->shape.w > 0 && x->shape.c > 0);
        fuzz_check(x->shape.n <= MP_MAX_DIM && x->shape.h <= MP_MAX_DIM &&
                   x->shape.w <= MP_MAX_DIM && x->shape.c <= MP_MAX_DIM);
        unsigned __int128 bytes = (unsigned __int128)x->shape.n * (unsigned)x->shape.h *
                                  (unsigned)x->shape.w * (unsigned)x->shape.c *
                                  mp_dtype_size(x->dtype);
        fuzz_check(bytes == x->size_bytes);
        fuzz_check(x->size_bytes <= MP_MAX_TENSOR_BYTES);
        fuzz_check(x->producer >= -1 && x->producer < (int32_t)g->n_ops);
    }
    uint64_t macs = 0;
    for (uint32_t s = 0; s < g->n_ops; s++) {
        fuzz_check(g->order[s] < g->n_ops && g->step_of_op[g->order[s]] == (int32_t)s);
        const mp_op *op = &g->ops[g->order[s]];
        for (uint32_t k = 0; k < op->n_in; k++) {
            if (op->in[k] == MP_NO_TENSOR)
                continue;
            fuzz_check(op->in[k] < g->n_tensors);
            int32_t p = g->tensors[op->in[k]].producer;
            fuzz_check(p < 0 || g->step_of_op[p] < (int32_t)s); /* produced before it is read */
        }
        for (uint32_t k = 0; k < op->n_out; k++)
            fuzz_check(op->out[k] < g->n_tensors &&
                       g->tensors[op->out[k]].producer == (int32_t)g->order[s]);
        macs += op->macs;
    }
    fuzz_check(macs == g->macs);
    fuzz_check(strlen(g->hash) == 64 && strspn(g->hash, "0123456789abcdef") == 64);
}

/* Write g as net.json; when the writer can express it, it must import back as the same
 * network (hash, op count, MACs). */
static inline void fuzz_check_roundtrip(const mp_graph *g)
{
    mp_error err;
    mp_error_init(&err);
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    if (mp_export_net_json(g, NULL, &sb, &err) == MP_OK && !sb.failed) {
        mp_graph *back = NULL;
        mp_error_init(&err);
        fuzz_check(mp_import_json_text(sb.buf, sb.len, "roundtrip.json", "/nonexistent", &back,
                                       &err) == MP_OK);
        fuzz_check(strcmp(back->hash, g->hash) == 0 && back->n_ops == g->n_ops &&
                   back->macs == g->macs);
        mp_graph_free(back);
    }
    mp_strbuf_release(&sb);
}

#endif
