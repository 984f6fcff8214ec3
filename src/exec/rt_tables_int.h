/* SPDX-License-Identifier: MIT */
/*
 * rt_tables_int.h - the host's view of memplan_rt tables (module exec,
 * private): the tables plus what the C writer needs to name and size them.
 */
#ifndef MEMPLAN_EXEC_RT_TABLES_INT_H
#define MEMPLAN_EXEC_RT_TABLES_INT_H

#include "memplan/mp_rt.h"
#include "memplan_rt/mprt.h"

#include "../util/pool.h"

struct mp_rt_tables {
    mp_pool pool;
    const mp_graph *g;
    const mp_exec_model *m;
    const mp_schedule *s;
    mprt_model model;
    uint32_t **op_index;   /* per segment, per op: the graph op */
    size_t const_bytes;
};

/* Elements of the constant arrays of op's parameters (for writing and counting). */
size_t rt_weight_count(const mprt_op *op);

#endif
