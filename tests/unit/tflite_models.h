/* SPDX-License-Identifier: MIT */
/*
 * tflite_models.h - small TFLite models built with tflite_writer for the unit
 * tests and for the fixtures in tests/data (gen_tflite_fixtures writes them;
 * test_tflite checks that the committed files still match).
 */
#ifndef MEMPLAN_TEST_TFLITE_MODELS_H
#define MEMPLAN_TEST_TFLITE_MODELS_H

#include "tflite_writer.h"

/* Storage for constant data: deterministic pseudo-random bytes. */
typedef struct tm_store {
    unsigned char bytes[1 << 16];
    size_t used;
    uint32_t seed;
} tm_store;

void tm_store_init(tm_store *s);
/* n bytes of constant data (16-byte aligned in the store). */
void *tm_bytes(tm_store *s, size_t n);

/* An int8 activation tensor [1, h, w, c] (scale 0.05, zero point -3); rank 2 when h = w = 0. */
int32_t tm_act(tw_model *m, const char *name, int32_t h, int32_t w, int32_t c);
/* int8 weights of the given shape, per-channel quantized along qdim (per tensor: qdim < 0). */
int32_t tm_weights(tw_model *m, tm_store *s, const char *name, int rank, const int32_t *shape,
                   int32_t qdim);
/* int32 bias [n], per-channel quantized. */
int32_t tm_bias(tw_model *m, tm_store *s, const char *name, int32_t n);
/* A constant int32 vector (shape [n], or [rows, 2] for paddings when rows > 0). */
int32_t tm_ints(tw_model *m, tm_store *s, const char *name, int32_t n, const int32_t *v,
                int32_t rows);

/* CONV_2D / DEPTHWISE_CONV_2D with Conv2DOptions / DepthwiseConv2DOptions. */
tw_op *tm_conv(tw_model *m, uint32_t opcode, int32_t in, int32_t w, int32_t b, int32_t out,
               uint8_t padding, int32_t stride, uint8_t act, int32_t dilation);
tw_op *tm_depthwise(tw_model *m, uint32_t opcode, int32_t in, int32_t w, int32_t b, int32_t out,
                    uint8_t padding, int32_t stride, int32_t multiplier, int32_t dilation);
/* AVERAGE_POOL_2D / MAX_POOL_2D with Pool2DOptions. */
tw_op *tm_pool(tw_model *m, uint32_t opcode, int32_t in, int32_t out, uint8_t padding,
               int32_t stride, int32_t filter);

/* The real int8 models in ../shared/models (README.md there), without ".tflite". */
#define TM_N_SHARED 7
extern const char *const tm_shared_models[TM_N_SHARED];

/* The CLI fixtures (tests/data/tflite/). */
void tm_tiny_net(tw_model *m, tm_store *s);    /* every modelled op of a small CNN */
void tm_ops_net(tw_model *m, tm_store *s);     /* quantize, resize, mul, dilation, dequantize */
void tm_unknown_net(tw_model *m, tm_store *s); /* GELU and a custom op */
/* float input -> quantize -> PAD folded into a conv, SUB, LOGISTIC, SE-style MEAN/MUL,
 * MAXIMUM, TRANSPOSE_CONV, DEPTH_TO_SPACE, SPACE_TO_DEPTH, RESIZE_BILINEAR, STRIDED_SLICE,
 * SPLIT_V, HARD_SWISH, TRANSPOSE, FC keep_num_dims, LEAKY_RELU, DEQUANTIZE (two outputs) */
void tm_real_ops_net(tw_model *m, tm_store *s);

#endif
