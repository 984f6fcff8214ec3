/* SPDX-License-Identifier: MIT */
/*
 * softmax.c - int8 softmax over channels (module exec), TFLite's reference
 * integer kernel in gemmlowp fixed point.
 *
 * Per pixel (row of C values): d = x - max(row); values with d < diff_min give
 * -128. The others are scaled to Q5.26 by beta * input_scale
 * (SRDHM(d << left_shift, multiplier)), exponentiated to Q0.31 with gemmlowp's
 * exp_on_negative_values, summed in Q12.19, and divided through the
 * fixed-point reciprocal of the sum; the output scale is 1/256 with zero
 * point -128. The arithmetic is memplan_rt's (src/rt/mprt_elem.c,
 * mprt_softmax_row): one definition for the host and the device.
 */
#include "exec_int.h"

#include "../rt/mprt_int.h"

void exec_softmax_row(const exec_softmax *p, const int8_t *in, int32_t n, int8_t *out)
{
    const mprt_softmax q = {n, p->in_mult, p->in_left_shift, p->diff_min};
    mprt_softmax_row(&q, in, out);
}

void exec_softmax_run(const exec_softmax *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    for (int32_t y = r.y0; y < r.y1; y++)
        for (int32_t x = r.x0; x < r.x1; x++)
            exec_softmax_row(p, view_at(in, y, x), p->c, view_at(out, y, x));
}
