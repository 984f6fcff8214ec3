/* SPDX-License-Identifier: MIT */
/*
 * mp_tflm.h - the whole tensor arena TensorFlow Lite Micro needs for a .tflite
 * (module plan, src/plan/tflm_*.c), and memplan's plan written into a .tflite
 * as TFLM's offline-planner metadata (module schedule, export_tflite.c).
 *
 * The prediction replays TFLM's allocation sequence (MicroInterpreter
 * constructor and AllocateTensors, TFLM tensorflow/tflite-micro 90b983c2) on
 * a simulated arena: the persistent tail (allocator objects, eval tensors,
 * node and registration structs, parsed builtin options, every kernel's
 * OpData and per-channel arrays, scratch handles, the interpreter's input and
 * output TfLiteTensors with their quantization) and the non-persistent head
 * (tensors planned by TFLM's GreedyMemoryPlanner plus kernel scratch buffers,
 * honouring OfflineMemoryAllocation metadata), every allocation aligned as
 * TFLM aligns it. Struct sizes follow the C layout rules of the target: a
 * 64-bit host (the figure tflm_runner reports) or a 32-bit Cortex-M.
 * docs/tflm.md lists what is counted and the measured agreement.
 */
#ifndef MEMPLAN_MP_TFLM_H
#define MEMPLAN_MP_TFLM_H

#include "memplan/mp_error.h"
#include "memplan/mp_scratch.h" /* mp_tflm_kernels */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mp_schedule;

typedef enum mp_tflm_target {
    MP_TFLM_TARGET_HOST64, /* 64-bit pointers and size_t (x86-64, AArch64 hosts) */
    MP_TFLM_TARGET_MCU32,  /* 32-bit pointers and size_t (Cortex-M) */
    MP_TFLM_TARGET_COUNT
} mp_tflm_target;

/* The arena TFLM needs, split the way its RecordingMicroAllocator splits it. */
typedef struct mp_tflm_arena {
    size_t used_bytes;      /* MicroInterpreter::arena_used_bytes() after AllocateTensors */
    size_t min_arena_bytes; /* smallest tensor_arena (a multiple of 16) AllocateTensors accepts:
                               used_bytes, or more when planning needs temporary room */
    size_t head_bytes;      /* non-persistent: planned tensors and scratch buffers */
    size_t tensor_bytes;    /* ...of which TFLM's greedy plan of the tensors alone */
    size_t scratch_bytes;   /* sum of the kernels' scratch buffer requests */
    uint32_t n_scratch;     /* number of scratch buffer requests */
    size_t tail_bytes;      /* persistent bytes (with alignment padding) */
    /* Parts of the tail (requested bytes, without the padding between them): */
    size_t eval_tensor_bytes;  /* TfLiteEvalTensor per tensor */
    size_t node_bytes;         /* NodeAndRegistration per operator */
    size_t builtin_bytes;      /* parsed builtin options */
    size_t op_data_bytes;      /* kernels' persistent buffers (OpData, per-channel arrays) */
    size_t io_tensor_bytes;    /* interpreter's input/output TfLiteTensors and their quantization */
    size_t fixed_bytes;        /* allocator, planner and bookkeeping objects, scratch handles */
    size_t variable_bytes;     /* variable tensors' buffers */
    bool offline_plan;         /* the model carries OfflineMemoryAllocation metadata */
} mp_tflm_arena;

/*
 * Predict TFLM's arena for the .tflite in data (size bytes; label names it in
 * messages). Errors: MP_E_PARSE for a damaged file, MP_E_UNSUPPORTED naming
 * the operator for an op whose TFLM kernel memplan does not model, or a
 * model with more than one subgraph; MP_E_NOMEM, MP_E_OVERFLOW.
 */
mp_status mp_tflm_arena_predict(const void *data, size_t size, const char *label,
                                mp_tflm_kernels kernels, mp_tflm_target target,
                                mp_tflm_arena *out, mp_error *err);

/* The same for a .tflite file (read whole, at most MP_IMPORT_MAX_FILE_BYTES). */
mp_status mp_tflm_arena_predict_file(const char *path, mp_tflm_kernels kernels,
                                     mp_tflm_target target, mp_tflm_arena *out, mp_error *err);

/* "reference" / "cmsis-nn"; parse returns false for an unknown name. */
const char *mp_tflm_kernels_name(mp_tflm_kernels k);
bool mp_tflm_kernels_parse(const char *name, mp_tflm_kernels *out);

/* ---- offline plan (src/schedule/export_tflite.c) ------------------------------------- */

#define MP_TFLM_OFFLINE_NAME "OfflineMemoryAllocation"
#define MP_TFLM_ONLINE (-1) /* offset for a tensor TFLM plans itself */

/*
 * Write data (a .tflite of size bytes) to out with an OfflineMemoryAllocation
 * metadata entry: int32 [1 (version), 1 (subgraphs), n_tensors, offsets...],
 * one offset per tensor of subgraph 0, MP_TFLM_ONLINE where TFLM should plan
 * the tensor itself (constants, and tensors memplan does not place). The
 * model is re-serialized with everything else unchanged in meaning: a new
 * root Model table, the buffer and metadata vectors and the new entry are
 * placed in front of the original bytes, which follow unchanged (flatbuffer
 * references only point forward). An existing OfflineMemoryAllocation entry
 * is replaced. n_tensors must equal the tensor count of subgraph 0
 * (MP_E_INVALID; models with several subgraphs: MP_E_UNSUPPORTED).
 * *out is malloc'ed (free with free()). Errors: MP_E_PARSE, MP_E_INVALID,
 * MP_E_NOMEM, MP_E_OVERFLOW.
 */
mp_status mp_tflm_write_offline_plan(const void *data, size_t size, const char *label,
                                     const int32_t *offsets, uint32_t n_tensors,
                                     unsigned char **out, size_t *out_size, mp_error *err);

/*
 * Per-tensor offsets of a per-layer schedule (n = the graph's tensor count):
 * each non-constant tensor's buffer offset, MP_TFLM_ONLINE for constants and
 * tensors without a buffer. Tiled (patch, fused) schedules give
 * MP_E_UNSUPPORTED; offsets not 16-byte aligned MP_E_INVALID.
 */
mp_status mp_tflm_schedule_offsets(const struct mp_schedule *s, int32_t *offsets, uint32_t n,
                                   mp_error *err);

/* Read tflite_path, add s's plan as OfflineMemoryAllocation, write out_path atomically. */
mp_status mp_tflm_export_file(const char *tflite_path, const struct mp_schedule *s,
                              const char *out_path, mp_error *err);

#ifdef __cplusplus
}
#endif

#endif
