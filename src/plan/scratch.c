/* SPDX-License-Identifier: MIT */
/*
 * scratch.c - kernel scratch buffers per operator (module plan): CMSIS-NN's
 * buffer-size rules (mp_scratch.h states them), shared by the planners (a
 * memplan graph op) and the TFLite Micro arena prediction (tflm_kernels.c).
 */
#include "memplan/mp_scratch.h"

#include "../util/checked.h"

/* a * b * c bytes of elem, saturating at SIZE_MAX. */
static size_t product(int32_t a, int32_t b, int32_t c, size_t elem)
{
    size_t n;
    if (a < 0 || b < 0 || c < 0 || !mp_mul_size((size_t)a, (size_t)b, &n) ||
        !mp_mul_size(n, (size_t)c, &n) || !mp_mul_size(n, elem, &n))
        return SIZE_MAX;
    return n;
}

size_t mp_cmsis_conv_s8_buffer_size(const mp_cmsis_conv *c)
{
    /* arm_convolve_1x1_s8_fast / arm_convolve_1x1_s8: no buffer with GCC */
    if (c->pad_h == 0 && c->pad_w == 0 && c->kernel_h == 1 && c->kernel_w == 1 &&
        c->dilation_h == 1 && c->dilation_w == 1 && c->in_c == c->filter_c)
        return 0;
    /* arm_convolve_1_x_n_s8 and arm_convolve_s8: two int16 im2col columns, the column
     * length (in_c x kernel) rounded up to a multiple of 4 */
    size_t cols = product(c->in_c, c->kernel_h, c->kernel_w, 1);
    if (cols > SIZE_MAX / 4 - 4)
        return SIZE_MAX;
    return (cols + 3) / 4 * 4 * 2 * sizeof(int16_t);
}

size_t mp_cmsis_dw_s8_buffer_size(const mp_cmsis_conv *c)
{
    if (c->in_c != c->out_c || c->dilation_h != 1 || c->dilation_w != 1)
        return 0; /* arm_depthwise_conv_s8: no buffer */
    if (c->kernel_h == 3 && c->kernel_w == 3 && c->pad_h <= 1 && c->pad_w <= 1)
        return 0; /* arm_depthwise_conv_3x3_s8 */
    return product(c->in_c, c->kernel_h, c->kernel_w, sizeof(int16_t)); /* _s8_opt */
}

size_t mp_cmsis_avgpool_s8_buffer_size(int32_t channels)
{
    return product(channels, 1, 1, sizeof(int32_t));
}

static mp_cmsis_conv conv_facts(const mp_graph *g, const mp_op *o)
{
    const mp_tensor *in = &g->tensors[o->in[0]], *out = &g->tensors[o->out[0]];
    const mp_tensor *f = o->n_in > 1 && o->in[1] != MP_NO_TENSOR ? &g->tensors[o->in[1]] : NULL;
    mp_cmsis_conv c = {
        .in_c = in->shape.c,
        .filter_c = o->type == MP_OP_CONV2D && f ? f->shape.c : in->shape.c,
        .out_c = out->shape.c,
        .kernel_h = o->p.kernel_h,
        .kernel_w = o->p.kernel_w,
        .pad_h = o->p.pad_top,
        .pad_w = o->p.pad_left,
        .dilation_h = o->p.dilation_h,
        .dilation_w = o->p.dilation_w,
    };
    return c;
}

size_t mp_op_scratch_bytes(const mp_graph *g, uint32_t op, mp_tflm_kernels kernels)
{
    if (kernels != MP_TFLM_KERNELS_CMSIS_NN || op >= g->n_ops)
        return 0;
    const mp_op *o = &g->ops[op];
    if (!o->n_in || o->in[0] == MP_NO_TENSOR || g->tensors[o->in[0]].dtype != MP_DTYPE_INT8)
        return 0;
    mp_cmsis_conv c;
    switch (o->type) {
    case MP_OP_CONV2D:
        c = conv_facts(g, o);
        return mp_cmsis_conv_s8_buffer_size(&c);
    case MP_OP_DEPTHWISE_CONV2D:
        c = conv_facts(g, o);
        return mp_cmsis_dw_s8_buffer_size(&c);
    case MP_OP_AVG_POOL2D:
        return mp_cmsis_avgpool_s8_buffer_size(g->tensors[o->in[0]].shape.c);
    default:
        return 0;
    }
}
