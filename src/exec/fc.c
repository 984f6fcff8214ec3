/* SPDX-License-Identifier: MIT */
/*
 * fc.c - int8 fully connected (module exec).
 *
 * TFLite's fully connected is a 1x1 convolution of a 1 x 1 x DEPTH input (the
 * input tensor flattened in NHWC order) with OUT_C filters of DEPTH weights, plus
 * a weight offset (-weight zero point), which the packed filter already holds.
 * So it runs on conv.c's kernel; this file only builds the one-pixel views.
 */
#include "exec_int.h"

void exec_fc_run(const exec_conv *p, const int8_t *in, int8_t *out)
{
    mp_view vi = {(int8_t *)in, 0, 0, 1, 1, p->in_c, p->in_c};
    mp_view vo = {out, 0, 0, 1, 1, p->out_c, p->out_c};
    mp_rect r = {0, 1, 0, 1};
    exec_conv_run(p, &vi, &vo, r);
}
