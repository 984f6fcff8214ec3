/* SPDX-License-Identifier: MIT */
/* graph_int.h - private parts of the graph module. */
#ifndef MEMPLAN_GRAPH_INT_H
#define MEMPLAN_GRAPH_INT_H

#include "memplan/mp_graph.h"

#include "../util/pool.h"

/* Open-addressing map from names to indices (tensor ids or op indices). */
typedef struct name_map {
    uint32_t *slots; /* index + 1, 0 = empty */
    uint32_t cap;    /* power of two */
    uint32_t count;
} name_map;

typedef struct adopted_block {
    void *block;
    void (*free_fn)(void *);
    struct adopted_block *next;
} adopted_block;

struct mp_graph_priv {
    mp_pool pool;
    uint32_t tensor_cap;
    uint32_t op_cap;
    uint32_t repeat_cap;
    name_map tensor_names;
    name_map op_names;
    adopted_block *blocks;
    uint32_t *cons_start;    /* CSR of consumers: ops reading tensor t are */
    uint32_t *cons_list;     /* cons_list[cons_start[t] .. cons_start[t+1]) */
};

/* Drop the marked ops and tensors (before finalize; no repeat groups): arrays compacted,
 * operand ids, inputs, outputs and name maps remapped. graph.c */
mp_status mp_graph_compact(mp_graph *g, const uint8_t *drop_op, const uint8_t *drop_tensor,
                           mp_error *err);
/* PAD folding (fold.c; docs/algorithms.md). */
mp_status mp_graph_fold_pads(mp_graph *g, mp_error *err);

/* finalize steps, each in its own file */
mp_status mp_graph_check_structure(mp_graph *g, mp_error *err); /* order.c */
mp_status mp_graph_compute_order(mp_graph *g, mp_error *err);   /* order.c */
mp_status mp_graph_infer_shapes(mp_graph *g, mp_error *err);    /* shape.c */
mp_status mp_graph_compute_stats(mp_graph *g, mp_error *err);   /* stats.c */
mp_status mp_graph_compute_rf(mp_graph *g, mp_error *err);      /* rf.c */
mp_status mp_graph_compute_hash(mp_graph *g, mp_error *err);    /* hash.c */

/* Shorthand for error messages: "where" of op i in a caller buffer. */
#define OP_WHERE(g, i, buf) mp_graph_op_where((g), (i), (buf), sizeof(buf))

/* Size in bytes of a tensor shape with a dtype; false on overflow. */
bool mp_graph_shape_bytes(mp_shape s, mp_dtype dt, size_t *out);

#endif
