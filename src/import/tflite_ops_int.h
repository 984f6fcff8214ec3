/* SPDX-License-Identifier: MIT */
/*
 * tflite_ops_int.h - operator readers shared by tflite_ops.c (the classic CNN
 * set and the operator loop) and tflite_ops_more.c (the ops real exports add)
 * (module import; private).
 */
#ifndef MEMPLAN_IMPORT_TFLITE_OPS_INT_H
#define MEMPLAN_IMPORT_TFLITE_OPS_INT_H

#include "tflite_int.h"

typedef struct op_build {
    tfl_ctx *c;
    uint32_t index;
    int32_t code;         /* BuiltinOperator */
    char tname[128];      /* TFLite's name: "CONV_2D", or the custom code */
    uint8_t opt_type;     /* builtin_options_type */
    fb_table opts;        /* builtin options, when has_opts */
    bool has_opts;
    mp_tensor_id in[MP_MAX_OP_INPUTS];
    mp_tensor_id out[MP_MAX_OP_INPUTS];
    uint32_t n_in, n_out;
    mp_op_spec spec;
    bool unknown;         /* import as MP_OP_UNKNOWN */
} op_build;

typedef struct op_kind {
    int32_t code;             /* BuiltinOperator */
    mp_op_type type;
    uint8_t options;          /* BuiltinOptions type of its options */
    const char *options_name;
} op_kind;

typedef mp_status (*kind_reader)(op_build *b, const op_kind *k);

typedef struct tops_kind {
    op_kind kind;
    kind_reader read;
} tops_kind;

/* tflite_ops_more.c: readers of the ops added with issue 14. */
extern const tops_kind tops_more_kinds[];
extern const size_t tops_n_more_kinds;

mp_status tops_opt_u8(op_build *b, unsigned id, uint8_t def, const char *what, uint8_t *out);
mp_status tops_opt_i32(op_build *b, unsigned id, int32_t def, const char *what, int32_t *out);
mp_status tops_need_options(op_build *b, const op_kind *k);
/* The op takes min..max inputs and one output; input 0 present. */
mp_status tops_operands(op_build *b, uint32_t min, uint32_t max);
mp_status tops_padding(op_build *b, uint8_t v, mp_padding *out);
mp_status tops_activation(op_build *b, uint8_t v, mp_activation *out);
const mp_tensor *tops_tensor(const op_build *b, mp_tensor_id t);
/* Values of a constant int32/int64 tensor with at most cap elements; false otherwise. */
bool tops_const_ints(const op_build *b, mp_tensor_id id, int64_t *vals, uint32_t cap,
                     uint32_t *n);
/* TFLite axis of a rank-r tensor (negative counts from the end) -> NHWC axis, or -1. */
int32_t tops_nhwc_axis(int64_t axis, uint32_t rank);
/* The constant operands were folded into the op's attributes: keep input 0 only. */
mp_status tops_folded(op_build *b);
/* conv, depthwise, fc: [input, filter, bias]; a missing bias becomes MP_NO_TENSOR. */
mp_status tops_weighted(op_build *b);
mp_status tops_read_single(op_build *b, const op_kind *k);
/* Two inputs, fused activation at option 0 (ADD, MUL, SUB). */
mp_status tops_read_elementwise(op_build *b, const op_kind *k);
mp_status tops_read_window(op_build *b, unsigned pad_id, unsigned act_id, unsigned dil_id);

#endif
