/* SPDX-License-Identifier: MIT */
/* version.c - the library version (module util). */
#include "memplan/memplan.h"

#ifndef MEMPLAN_VERSION
#define MEMPLAN_VERSION "unknown"
#endif

const char *mp_version(void)
{
    return MEMPLAN_VERSION;
}
