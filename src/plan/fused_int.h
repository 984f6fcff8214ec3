/* SPDX-License-Identifier: MIT */
/*
 * fused_int.h - private parts of the multi-stage fused search (module plan):
 * the candidate list and the block candidates (fused_blocks.c) that fused.c
 * turns into paths.
 */
#ifndef MEMPLAN_PLAN_FUSED_INT_H
#define MEMPLAN_PLAN_FUSED_INT_H

#include "memplan/mp_patch.h"

typedef struct cand_list {
    mp_fused_seg *v;
    uint32_t n, cap;
} cand_list;

/* Append s (false: out of memory). */
bool push_cand(cand_list *l, const mp_fused_seg *s);

/*
 * Append the candidates of every block of consecutive patchable steps i..j
 * (each block's non-dominated grids, cuts and halo modes) to out, in order of
 * i, then j, then evaluation: the same list for any fo->jobs (threads). Counts
 * the blocks examined and the schedules evaluated; reports progress.
 */
mp_status fused_blocks(const mp_graph *g, const mp_per_layer *pl, const mp_plan_opts *opts,
                       const mp_fused_opts *fo, cand_list *out, uint64_t *n_blocks,
                       uint64_t *n_eval, mp_error *err);

#endif
