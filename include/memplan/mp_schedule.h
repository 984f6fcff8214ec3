/* SPDX-License-Identifier: MIT */
/*
 * mp_schedule.h - schedules (module schedule): what memplan hands to
 * deployment. A schedule is an execution order, a cover of it by segments
 * (per-layer, or tiled: a patch stage run tile by tile), and every buffer
 * with its lifetime and arena offset. It is written as versioned JSON
 * (docs/schedule-json.md), read back (checked against the network's hash and
 * rebuilt, so regions always come from memplan's own computation while
 * offsets come from the file), and exported as a C header + source for
 * firmware.
 *
 * A schedule borrows its graph: valid until mp_graph_free.
 */
#ifndef MEMPLAN_MP_SCHEDULE_H
#define MEMPLAN_MP_SCHEDULE_H

#include "memplan/mp_error.h"
#include "memplan/mp_graph.h"
#include "memplan/mp_patch.h"
#include "memplan/mp_plan.h"
#include "memplan/mp_util.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MP_SCHEDULE_JSON_VERSION 1
#define MP_SCHEDULE_MAX_TILED 64u /* tiled segments in one schedule */
#define MP_SCHEDULE_MAX_FILE_BYTES ((size_t)64 << 20) /* larger schedule files are refused */

typedef enum mp_segment_kind {
    MP_SEG_LAYERS, /* ops run one after the other on whole tensors */
    MP_SEG_TILED,  /* a patch stage: its ops run tile by tile */
} mp_segment_kind;

typedef struct mp_segment {
    mp_segment_kind kind;
    uint32_t first_step, last_step; /* inclusive steps of the order */
    mp_patch_plan *patch;           /* MP_SEG_TILED: regions, caches, costs (owned) */
} mp_segment;

/* How to build a schedule. */
typedef struct mp_schedule_spec {
    const uint32_t *order;      /* n_ops op indices (a topological order); NULL: g->order */
    mp_plan_opts opts;
    size_t reserve;             /* stack/runtime bytes the schedule is judged with (recorded) */
    uint32_t n_tiled;           /* tiled segments, in step order, not overlapping */
    mp_patch_spec tiled[MP_SCHEDULE_MAX_TILED];
} mp_schedule_spec;

void mp_schedule_spec_init(mp_schedule_spec *spec);

/* The tiled segments of spec become the patch search's point p (one stage
 * from step 0), or those of the fused schedule p; NULL: none (per-layer).
 * A fused point has at most MP_SCHEDULE_MAX_TILED tiled segments when
 * mp_fused_opts.max_stages allows no more; otherwise MP_E_INVALID. */
void mp_schedule_spec_set_patch(mp_schedule_spec *spec, const mp_patch_point *p);
mp_status mp_schedule_spec_set_fused(mp_schedule_spec *spec, const mp_fused_point *p,
                                     mp_error *err);

typedef struct mp_schedule {
    const mp_graph *g;
    mp_plan_opts opts;          /* spec's options, with kernels REFERENCE: buffers hold tensors */
    mp_tflm_kernels kernels;    /* spec->opts.kernels: the library whose scratch is counted */
    uint32_t *order;            /* n_ops op indices */
    mp_per_layer pl;            /* per-layer liveness of that order */
    uint32_t n_segments;
    mp_segment *segments;       /* cover of steps 0 .. n_ops-1 in order */
    uint32_t n_buffers;
    mp_buffer *buffers;
    int32_t *tensor_buffer;     /* per tensor: its whole or region buffer, or -1 */
    size_t peak_bytes;          /* docs/algorithms.md accounting: tensors */
    size_t scratch_bytes;       /* what the kernels' scratch adds to the peak: max over steps
                                   (and patches) of live tensors + the op's scratch, minus
                                   peak_bytes (0 for the reference kernels) */
    size_t reserve_bytes;       /* spec->reserve: peak + scratch + reserve is what must fit */
    size_t arena_bytes;         /* planned arena (>= buffer lower bound) */
    uint64_t macs;              /* MACs actually computed */
    mp_arena_stats arena;
    bool layout_ok;             /* offsets checked: no live buffers overlap */
    uint32_t layout_bad[2];     /* when !layout_ok: the offending buffers */
} mp_schedule;

/*
 * Build a schedule: per-layer liveness of the order, a patch plan per tiled
 * segment, the buffer list (whole tensors; region buffers, caches and
 * in-place planes of tiled segments; in-place groups), and the arena layout.
 * Free with mp_schedule_free.
 */
mp_status mp_schedule_build(const mp_graph *g, const mp_schedule_spec *spec, mp_schedule **out,
                            mp_error *err);
void mp_schedule_free(mp_schedule *s);

/* Live bytes of every step under the schedule's buffers (the timeline). */
mp_status mp_schedule_timeline(const mp_schedule *s, size_t *live_per_step, mp_error *err);

/* Versioned JSON (docs/schedule-json.md). */
mp_status mp_schedule_write_json(const mp_schedule *s, mp_strbuf *out, mp_error *err);

/*
 * Read a schedule for graph g: the network hash must match (a schedule for
 * another network is refused), the schedule is rebuilt from its order,
 * options and segments, the stored regions and buffers must equal the
 * rebuilt ones, and the stored offsets and arena size are then used.
 */
mp_status mp_schedule_read_json(const mp_graph *g, const char *text, size_t len,
                                const char *label, mp_schedule **out, mp_error *err);
mp_status mp_schedule_load(const mp_graph *g, const char *path, mp_schedule **out,
                           mp_error *err);

/* MP_OK when the layout is sound, else MP_E_MISMATCH naming the buffers that
 * overlap while both are live (a hand-edited or corrupted schedule file). */
mp_status mp_schedule_check_layout(const mp_schedule *s, mp_error *err);

/* The buffer of kind for tensor t in segment seg that starts at step first (first < 0:
 * any step); -1 when the schedule has none. */
int32_t mp_schedule_find_buffer(const mp_schedule *s, mp_buffer_kind kind, mp_tensor_id t,
                                int32_t seg, int64_t first);

/* A short description of buffer i into buf ("tensor 'b2_dw' (region, segment 0)"). */
const char *mp_schedule_buffer_name(const mp_schedule *s, uint32_t i, char *buf, size_t n);

/*
 * C export for firmware: a header declaring the arena size, buffer offsets,
 * the op table and the patch loop bounds/regions, and a source defining the
 * tables. prefix names every symbol (an identifier, e.g. "mbv2").
 */
mp_status mp_schedule_export_c(const mp_schedule *s, const char *prefix, const char *header_name,
                               mp_strbuf *header, mp_strbuf *source, mp_error *err);

#ifdef __cplusplus
}
#endif

#endif
