/* SPDX-License-Identifier: MIT */
/* schedule_int.h - private helpers of the schedule module. */
#ifndef MEMPLAN_SCHEDULE_INT_H
#define MEMPLAN_SCHEDULE_INT_H

#include "memplan/mp_schedule.h"

/* "whole_input", "stream_input", "working", "output" */
const char *mp_stage_role_name(mp_stage_role r);

#endif
