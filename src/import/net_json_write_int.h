/* SPDX-License-Identifier: MIT */
/* net_json_write_int.h - the net.json writer's state and helpers, shared by
 * net_json_write.c and net_json_write_ops.c (module import; private). */
#ifndef MEMPLAN_IMPORT_NET_JSON_WRITE_INT_H
#define MEMPLAN_IMPORT_NET_JSON_WRITE_INT_H

#include "memplan/mp_import.h"

#include "net_json_int.h"

typedef struct writer {
    const mp_graph *g;
    const mp_export_opts *opts;
    mp_strbuf *sb;
    mp_error *err;
    uint8_t *const_used; /* per tensor: already written as some layer's weights */
    const mp_repeat *grp; /* the repeat group being written, or NULL */
    uint32_t rep;         /* its repetition being written (1-based) */
    bool checking;        /* rendering a repetition to compare it (group_alike) */
    mp_strbuf tmp;        /* names inside a group */
} writer;

/* MP_E_UNSUPPORTED naming the file and op: fmt with one %s (name). */
mp_status nj_unsupported(writer *w, uint32_t op, const char *fmt, const char *name);
/* ", \"k\": " and the value forms. */
void nj_key(writer *w, const char *k);
void nj_key_str(writer *w, const char *k, const char *v);
void nj_key_pair(writer *w, const char *k, int32_t a, int32_t b);
/* The tensor's dimensions as written in its source (its rank, right-aligned NHWC). */
void nj_put_dims(writer *w, mp_shape s, uint32_t rank);
/* "quant": per tensor as numbers, per channel (when allowed) as arrays. */
mp_status nj_put_quant(writer *w, uint32_t op, const mp_tensor *t, bool per_channel_ok);
/* A constant operand at role ("weights", "bias", "constant", "alpha"). */
mp_status nj_put_const(writer *w, uint32_t op, const char *role, mp_tensor_id id,
                       mp_dtype def_dtype, int32_t def_axis);
/* net_json_write_ops.c: attributes of the ops added with issue 14 (and a binary op's
 * constant operand, nj_put_operand). */
mp_status nj_put_more(writer *w, uint32_t i);
mp_status nj_put_operand(writer *w, uint32_t i);
/* "k": [the NHWC axes of mask]. */
void nj_put_axes(writer *w, const char *k, int32_t mask);

#endif
