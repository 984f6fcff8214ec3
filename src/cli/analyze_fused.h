/* SPDX-License-Identifier: MIT */
/* analyze_fused.h - fused tiling output of `memplan analyze` (module cli). */
#ifndef MEMPLAN_CLI_ANALYZE_FUSED_H
#define MEMPLAN_CLI_ANALYZE_FUSED_H

#include "cli.h"

/* The front point for --max-macs (factor, 0 = none) then --budget; NULL and
 * *fits = false when none meets them. */
const mp_fused_point *analyze_fused_best(const mp_fused_result *r, const mp_graph *g,
                                         double max_macs, bool have_budget, size_t budget,
                                         bool *fits);
void analyze_fused_text(mp_cli *cli, const mp_graph *g, const mp_per_layer *pl,
                        const mp_fused_result *r, const mp_fused_point *best, bool fits,
                        bool pareto);
void analyze_fused_json(mp_strbuf *sb, const mp_graph *g, const mp_per_layer *pl,
                        const mp_fused_result *r, const mp_fused_point *best, bool fits);

#endif
