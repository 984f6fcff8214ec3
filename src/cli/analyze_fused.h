/* SPDX-License-Identifier: MIT */
/* analyze_fused.h - fused tiling output of `memplan analyze` (module cli). */
#ifndef MEMPLAN_CLI_ANALYZE_FUSED_H
#define MEMPLAN_CLI_ANALYZE_FUSED_H

#include "cli.h"

/* best: mp_fused_pick's choice (the closest when !fits). */
void analyze_fused_text(mp_cli *cli, const mp_graph *g, const mp_per_layer *pl,
                        const mp_fused_result *r, const mp_fused_point *best, bool fits,
                        bool pareto);
void analyze_fused_json(mp_strbuf *sb, const mp_graph *g, const mp_per_layer *pl,
                        const mp_fused_result *r, const mp_fused_point *best, bool fits);

#endif
