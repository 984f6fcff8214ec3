/* SPDX-License-Identifier: MIT */
/* gv_ids.h - deterministic object IDs for libcgraph (module render, private; see gv_ids.c). */
#ifndef MEMPLAN_RENDER_GV_IDS_H
#define MEMPLAN_RENDER_GV_IDS_H

#include <cgraph.h>

/* The ID discipline memplan's graphs use instead of AgIdDisc. */
extern Agiddisc_t mp_gv_id_disc;

#endif
