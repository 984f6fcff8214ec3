/* SPDX-License-Identifier: MIT */
/*
 * redistribute_int.h - private parts of receptive-field redistribution
 * (module plan): the graph rewrite shared by the variant generator.
 */
#ifndef MEMPLAN_PLAN_REDISTRIBUTE_INT_H
#define MEMPLAN_PLAN_REDISTRIBUTE_INT_H

#include "memplan/mp_graph.h"
#include "memplan/mp_redistribute.h"

/*
 * What to change in a copy of a graph g. Ops keep their source order; every
 * activation keeps its shape (kernel changes are made on SAME-padded ops only,
 * and moved repetitions map a tensor to one of the same shape), so finalize
 * checks the rewrite. Weight and bias data are not copied: a variant is a new
 * architecture (executors use seeded weights); quantization is kept.
 */
typedef struct rd_edit {
    const char *name;          /* name of the new network */
    const int32_t *kernel;     /* 2 per op of g: kernel_h, kernel_w; NULL: unchanged */
    const uint8_t *removed;    /* per op of g: 1 = left out; NULL: none */
    const mp_tensor_id *alias; /* per tensor of g: for the output of a removed repetition,
                                  the tensor its readers read instead (ids of g) */
    uint32_t add_first;        /* copies of ops [add_first, add_first + add_len) of g ... */
    uint32_t add_len;
    uint32_t n_add;            /* ... n_add times (0: none), right after the range */
    uint32_t add_rep;          /* repetition number of the range (copies: add_rep + 1, ...) */
    mp_tensor_id add_input;    /* the tensor the range reads as its input (g ids) */
    const int32_t *rep_delta;  /* per repeat group of g: change of n_reps; NULL: none */
} rd_edit;

/* A finalized copy of g with the edit applied; old_to_new (optional, g->n_tensors
 * entries) receives the new id of every tensor of g (MP_NO_TENSOR when left out). */
mp_status rd_build_graph(const mp_graph *g, const rd_edit *e, mp_graph **out,
                         mp_tensor_id *old_to_new, mp_error *err);

/* One kernel step of an op (shrink or grow). */
typedef struct rd_kstep {
    uint32_t op;
    int32_t from_h, from_w, to_h, to_w;
} rd_kstep;

typedef struct rd_seq_ctx {
    const mp_graph *g;
    const mp_redist_opts *ro;
    uint32_t split_step;
    int32_t *cur;          /* 2 per op: kernel now */
} rd_seq_ctx;

/*
 * The sequence of shrink (grow false) or grow steps of s->g, at most max long, into a
 * new array (rd_kernels.c): patch-stage ops (step <= s->split_step) shrink, later ops
 * grow, the op whose input jump is largest first.
 */
mp_status rd_kernel_sequence(rd_seq_ctx *s, bool grow, uint32_t max, rd_kstep **out,
                             uint32_t *n, mp_error *err);

#endif
