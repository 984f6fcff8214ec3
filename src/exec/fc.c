/* SPDX-License-Identifier: MIT */
/*
 * fc.c - int8 fully connected (module exec).
 *
 * TFLite's fully connected is a 1x1 convolution of ROWS pixels of DEPTH values (the
 * input tensor flattened in NHWC order, DEPTH the filter's inputs) with OUT_C filters
 * of DEPTH weights, plus
 * a weight offset (-weight zero point), which the packed filter already holds.
 * So it runs on conv.c's kernel; this file only builds the one-pixel views.
 */
#include "exec_int.h"

void exec_fc_run(const exec_conv *p, const int8_t *in, int8_t *out)
{
    int32_t rows = p->in_w;
    mp_view vi = {(int8_t *)in, 0, 0, 1, rows, p->in_c, rows * p->in_c};
    mp_view vo = {out, 0, 0, 1, rows, p->out_c, rows * p->out_c};
    mp_rect r = {0, 1, 0, rows};
    exec_conv_run(p, &vi, &vo, r);
}
