/* SPDX-License-Identifier: MIT */
/*
 * memplan.h - umbrella header of libmemplan.
 *
 * memplan tells how much SRAM a CNN needs on a microcontroller and which
 * execution schedule makes it fit. The pipeline runs one way:
 *   import (mp_import.h) -> graph (mp_graph.h) -> plan (mp_plan.h)
 *   -> schedule, exec, store, render.
 * Anything not declared in these headers is not API.
 */
#ifndef MEMPLAN_MEMPLAN_H
#define MEMPLAN_MEMPLAN_H

#include "memplan/mp_error.h"
#include "memplan/mp_exec.h"
#include "memplan/mp_graph.h"
#include "memplan/mp_import.h"
#include "memplan/mp_patch.h"
#include "memplan/mp_plan.h"
#include "memplan/mp_redistribute.h"
#include "memplan/mp_report.h"
#include "memplan/mp_render.h"
#include "memplan/mp_rt.h"
#include "memplan/mp_schedule.h"
#include "memplan/mp_store.h"
#include "memplan/mp_sweep.h"
#include "memplan/mp_tflm.h"
#include "memplan/mp_util.h"

/* Version string of the library ("0.1.0"). */
const char *mp_version(void);

#endif
