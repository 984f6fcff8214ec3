/* SPDX-License-Identifier: MIT */
/* analyze_boundary.h - the network's boundary ops and folded PADs in `memplan analyze`
 * (module cli). */
#ifndef MEMPLAN_CLI_ANALYZE_BOUNDARY_H
#define MEMPLAN_CLI_ANALYZE_BOUNDARY_H

#include "cli.h"
#include "cli_names.h"

/* "boundary" and "folded PAD" lines of the summary (nothing when the network has none);
 * ops are named as the layer table names them (names; NULL: whole). */
void analyze_boundary_text(FILE *f, const mp_graph *g, const mp_plan_opts *po,
                           const cli_names *names);
/* "boundary": {...}, "folded_pads": [...] members of the JSON document (each line ending
 * with a comma), when the network has a boundary or folded PADs. */
void analyze_boundary_json(mp_strbuf *sb, const mp_graph *g, const mp_plan_opts *po);

#endif
