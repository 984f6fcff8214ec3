/* SPDX-License-Identifier: MIT */
/*
 * mp_rt.h - the device runtime's tables on the host (module exec): build the
 * memplan_rt tables of a schedule (src/rt/include/memplan_rt/mprt.h,
 * docs/runtime.md), run them through the runtime on the host (what
 * `validate` does), and write them as a C package for firmware (what
 * `export --format c` does). One set of tables, one runtime, both places.
 *
 * Tables borrow the prepared model (weights, multipliers) and the schedule:
 * valid until either is freed.
 */
#ifndef MEMPLAN_MP_RT_H
#define MEMPLAN_MP_RT_H

#include "memplan/mp_error.h"
#include "memplan/mp_exec.h"
#include "memplan/mp_schedule.h"
#include "memplan/mp_util.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mp_rt_tables mp_rt_tables;

/*
 * Build the runtime tables of schedule s for prepared model m (same graph).
 * Every value that is narrowed (arena offsets and sizes into uint32_t, shapes
 * into int32_t) is checked: MP_E_LIMIT names the field that does not fit.
 */
mp_status mp_rt_tables_new(const mp_exec_model *m, const mp_schedule *s, mp_rt_tables **out,
                           mp_error *err);
void mp_rt_tables_free(mp_rt_tables *t);

/* Bytes of constant data (weights, biases, multipliers, shifts, index tables) the
 * package holds in flash. */
size_t mp_rt_tables_const_bytes(const mp_rt_tables *t);
/* The tables themselves (struct mprt_model of memplan_rt/mprt.h). */
struct mprt_model;
const struct mprt_model *mp_rt_tables_model(const mp_rt_tables *t);

/* The arena size of the tables. */
size_t mp_rt_tables_arena_bytes(const mp_rt_tables *t);

/*
 * Run the tables through memplan_rt on the host, in one arena of exactly the
 * planned size (poisoned first). inputs[i] / outputs[k] as for
 * mp_exec_run_schedule. With reference (a keep_all reference run), every
 * tensor the runtime reports complete is compared; the first difference goes
 * to *first. stats may be NULL.
 */
mp_status mp_rt_run(const mp_rt_tables *t, const int8_t *const *inputs, int8_t *const *outputs,
                    const mp_exec_run *reference, mp_exec_schedule_stats *stats,
                    mp_exec_mismatch *first, mp_error *err);

/*
 * The tables as C99 for firmware: header (prefix.h: ARENA_BYTES, I/O
 * descriptions, prefix_invoke) and source (the tables, weights as const
 * arrays). header_name is what the source includes.
 */
mp_status mp_rt_export_c(const mp_rt_tables *t, const char *prefix, const char *header_name,
                         mp_strbuf *header, mp_strbuf *source, mp_error *err);

/* The runtime's own sources, to copy into a package: n files, names and contents. */
typedef struct mp_rt_source {
    const char *name;     /* e.g. "mprt_run.c", "memplan_rt/mprt.h" */
    const char *text;
} mp_rt_source;
const mp_rt_source *mp_rt_sources(size_t *n);

#ifdef __cplusplus
}
#endif

#endif
