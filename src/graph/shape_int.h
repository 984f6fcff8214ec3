/* SPDX-License-Identifier: MIT */
/* shape_int.h - shape inference helpers shared by shape.c and shape_ops.c (module graph). */
#ifndef MEMPLAN_SHAPE_INT_H
#define MEMPLAN_SHAPE_INT_H

#include "graph_int.h"

typedef struct infer_ctx {
    mp_graph *g;
    uint32_t op_index;
    char where[160];
    mp_error *err;
} infer_ctx;

/* "<where>: <message>" into ctx->err; returns st. */
mp_status shape_fail(infer_ctx *ctx, mp_status st, const char *fmt, ...) MP_PRINTF(3, 4);
bool shape_known(mp_shape s);
void shape_fmt(mp_shape s, char *buf, size_t n);
int64_t shape_elements(mp_shape s);
/* Set (rank applied) or check the shape of tensor id; sizes it. role names it in errors. */
mp_status shape_settle(infer_ctx *ctx, mp_tensor_id id, mp_shape s, uint8_t rank,
                       const char *role);
/* Operand k of the current op, or NULL when absent. */
mp_tensor *shape_input(infer_ctx *ctx, uint32_t k);
/* Height and width of a window op (kernel, stride, dilation, padding resolved). */
mp_status shape_window_hw(infer_ctx *ctx, mp_op *op, mp_shape in, mp_shape *out);
/* Operand k, when present, is a bias of `channels` elements. */
mp_status shape_settle_bias(infer_ctx *ctx, uint32_t k, int32_t channels);
/* Binary elementwise op with broadcast over NHWC. */
mp_status shape_infer_binary(infer_ctx *ctx, mp_op *op, mp_shape *out);

/* The ops of shape_ops.c: output shape(s) and rank of the current op; true when handled
 * (split settles its outputs itself and sets *settled). */
mp_status shape_infer_more(infer_ctx *ctx, mp_op *op, const mp_tensor *in, mp_shape *out,
                           uint8_t *rank, bool *handled, bool *settled);

#endif
