/* SPDX-License-Identifier: MIT */
/*
 * rt_params.h - the executor's prepared parameters as memplan_rt's parameter
 * blocks (module exec, private). One conversion serves both the tables that
 * `validate` and `export --format c` use (rt_tables.c) and the host kernels
 * that run memplan_rt's own code (the kernels of the op set of real exports
 * live once, in src/rt: one kernel truth).
 */
#ifndef MEMPLAN_EXEC_RT_PARAMS_H
#define MEMPLAN_EXEC_RT_PARAMS_H

#include "exec_int.h"

#include "../rt/mprt_int.h"

static inline mprt_view exec_rt_view(const mp_view *v)
{
    mprt_view r = {v ? v->data : NULL, v ? v->y0 : 0, v ? v->x0 : 0, v ? v->h : 0,
                   v ? v->w : 0,       v ? v->c : 0,  v ? v->row_stride : 0};
    return r;
}

static inline mprt_rect exec_rt_rect(mp_rect r)
{
    mprt_rect q = {r.y0, r.y1, r.x0, r.x1};
    return q;
}

/* conv, depthwise, fc, transpose conv: w the op's filter as the graph holds it. */
mprt_conv exec_rt_conv(const exec_conv *e, const int8_t *w);
mprt_elem exec_rt_elem(const exec_elem *e);
mprt_pad exec_rt_pad(const exec_pad *e);
mprt_mean exec_rt_mean(const exec_mean *e);
mprt_convert exec_rt_convert(const exec_convert *e);
mprt_unary exec_rt_unary(const exec_unary *e);
mprt_gather exec_rt_gather(const exec_gather *e);
mprt_d2s exec_rt_d2s(const exec_d2s *e);
mprt_reduce exec_rt_reduce(const exec_reduce_any *e);
/* outs: NULL (the host passes output pointers itself). */
mprt_split exec_rt_split(const exec_split *e);

#endif
