/* SPDX-License-Identifier: MIT */
/* analyze_fused.h - fused tiling output of `memplan analyze` (module cli). */
#ifndef MEMPLAN_CLI_ANALYZE_FUSED_H
#define MEMPLAN_CLI_ANALYZE_FUSED_H

#include "cli.h"

/* How the searches' peaks (tensors + kernel scratch under --kernels) split into the tensor
 * peak and the scratch: tpl and topts are the per-layer plan and options of the tensors
 * alone (the search's own when no scratch is counted). */
typedef struct analyze_split {
    const mp_per_layer *tpl;
    const mp_plan_opts *topts;
    mp_tflm_kernels kernels;
    size_t reserve;
} analyze_split;

/* The tensor peak of a fused point (its search peak when it cannot be re-evaluated). */
size_t analyze_fused_tensor_peak(const mp_graph *g, const analyze_split *sp,
                                 const mp_fused_point *p);

/* best: mp_fused_pick's choice (the closest when !fits). */
void analyze_fused_text(mp_cli *cli, const mp_graph *g, const mp_per_layer *pl,
                        const mp_fused_result *r, const mp_fused_point *best, bool fits,
                        bool pareto, const analyze_split *sp);
void analyze_fused_json(mp_strbuf *sb, const mp_graph *g, const mp_per_layer *pl,
                        const mp_fused_result *r, const mp_fused_point *best, bool fits,
                        const analyze_split *sp);

#endif
