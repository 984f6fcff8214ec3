/* SPDX-License-Identifier: MIT */
/*
 * rt_params.c - the executor's prepared parameters as memplan_rt's parameter
 * blocks, and the host entry points of the kernels that live in memplan_rt
 * (module exec): quantize/dequantize across types, the unary activations,
 * data movement, reductions over any axes, split and transpose convolution
 * run the runtime's code on the host too, so host and device share one
 * definition of each.
 */
#include "rt_params.h"

mprt_conv exec_rt_conv(const exec_conv *e, const int8_t *w)
{
    mprt_conv p = {e->in_h, e->in_w, e->in_c, e->out_h, e->out_w, e->out_c, e->kh, e->kw,
                   e->sh, e->sw, e->dh, e->dw, e->pad_top, e->pad_left, e->groups,
                   e->depth_mult, e->in_offset, e->w_offset, w, e->bias,
                   {e->rq.mult, e->rq.shift, e->rq.out_offset, e->rq.act_min, e->rq.act_max}};
    return p;
}

mprt_elem exec_rt_elem(const exec_elem *q)
{
    mprt_elem v = {(int32_t)q->kind, q->a_h,       q->a_w,        q->a_c,      q->b_h,
                   q->b_w,           q->b_c,       q->a_const,    q->b_const,  q->a_offset,
                   q->b_offset,      q->left_shift, q->a_mult,    q->a_shift,  q->b_mult,
                   q->b_shift,       q->out_mult,  q->out_shift,  q->out_offset, q->act_min,
                   q->act_max};
    return v;
}

mprt_pad exec_rt_pad(const exec_pad *q)
{
    mprt_pad v = {q->in_h, q->in_w, q->c, q->pad_top, q->pad_left, q->value, q->in_c,
                  q->ch_before};
    return v;
}

mprt_mean exec_rt_mean(const exec_mean *q)
{
    int32_t mode = q->mode == EXEC_MEAN_KEEP_DIMS ? MPRT_MEAN_KEEP_DIMS : MPRT_MEAN_RESCALE;
    mprt_mean v = {q->in_h, q->in_w, q->c, mode, q->in_zp, q->out_zp, q->mult, q->shift};
    return v;
}

static int32_t rt_dtype(mp_dtype t)
{
    return t == MP_DTYPE_FLOAT32 ? MPRT_DT_FLOAT32 : t == MP_DTYPE_UINT8 ? MPRT_DT_UINT8
                                                                         : MPRT_DT_INT8;
}

mprt_convert exec_rt_convert(const exec_convert *q)
{
    mprt_convert v = {rt_dtype(q->in_type), rt_dtype(q->out_type), q->c, q->in_zp, q->out_zp,
                      q->mult, q->shift, q->out_scale, q->in_scale};
    return v;
}

mprt_unary exec_rt_unary(const exec_unary *q)
{
    static const int32_t kinds[] = {[EXEC_UN_LOGISTIC] = MPRT_UN_LOGISTIC,
                                    [EXEC_UN_TANH] = MPRT_UN_TANH,
                                    [EXEC_UN_HARD_SWISH] = MPRT_UN_HARD_SWISH,
                                    [EXEC_UN_LEAKY_RELU] = MPRT_UN_LEAKY_RELU,
                                    [EXEC_UN_RELU] = MPRT_UN_RELU,
                                    [EXEC_UN_RELU6] = MPRT_UN_RELU6};
    mprt_unary v = {kinds[q->kind], q->in_zp,  q->out_zp,  q->mult,        q->shift,
                    q->mult2,       q->shift2, q->radius,  q->out_mult16,  q->relu_mult16,
                    q->relu_shift,  q->lo,     q->hi};
    return v;
}

mprt_gather exec_rt_gather(const exec_gather *q)
{
    mprt_gather v;
    v.regional = q->regional ? 1 : 0;
    for (int k = 0; k < 4; k++) {
        v.in_d[k] = q->in_d[k];
        v.block[k] = q->block[k];
        v.axis[k] = q->axis[k];
        v.start[k] = q->start[k];
        v.step[k] = q->step[k];
    }
    return v;
}

mprt_d2s exec_rt_d2s(const exec_d2s *q)
{
    mprt_d2s v = {q->to_space ? 1 : 0, q->block, q->in_c, q->out_c};
    return v;
}

mprt_reduce exec_rt_reduce(const exec_reduce_any *q)
{
    mprt_reduce v = {{q->d[0], q->d[1], q->d[2], q->d[3]}, (int32_t)q->axes, q->n,
                     q->max ? 1 : 0, exec_rt_mean(&q->mean)};
    return v;
}

mprt_split exec_rt_split(const exec_split *q)
{
    mprt_split v = {{q->d[0], q->d[1], q->d[2], q->d[3]}, q->axis, (int32_t)q->n, q->sizes,
                    NULL};
    return v;
}

/* ---- the host entry points ------------------------------------------------------------ */

void exec_convert_run(const exec_convert *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    mprt_convert q = exec_rt_convert(p);
    mprt_view vi = exec_rt_view(in), vo = exec_rt_view(out);
    mprt_convert_run(&q, &vi, &vo, exec_rt_rect(r));
}

void exec_unary_run(const exec_unary *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    mprt_unary q = exec_rt_unary(p);
    mprt_view vi = exec_rt_view(in), vo = exec_rt_view(out);
    mprt_unary_run(&q, &vi, &vo, exec_rt_rect(r));
}

void exec_gather_run(const exec_gather *p, const int8_t *in, int8_t *out)
{
    mprt_gather q = exec_rt_gather(p);
    mprt_gather_run(&q, in, out);
}

void exec_slice_run(const exec_gather *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    mprt_gather q = exec_rt_gather(p);
    mprt_view vi = exec_rt_view(in), vo = exec_rt_view(out);
    mprt_slice_run(&q, &vi, &vo, exec_rt_rect(r));
}

void exec_d2s_run(const exec_d2s *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    mprt_d2s q = exec_rt_d2s(p);
    mprt_view vi = exec_rt_view(in), vo = exec_rt_view(out);
    mprt_d2s_run(&q, &vi, &vo, exec_rt_rect(r));
}

void exec_reduce_any_run(const exec_reduce_any *p, const int8_t *in, int8_t *out)
{
    mprt_reduce q = exec_rt_reduce(p);
    mprt_reduce_run(&q, in, out);
}

void exec_split_run(const exec_split *p, const int8_t *in, int8_t *const *outs)
{
    mprt_split q = exec_rt_split(p);
    mprt_split_run(&q, in, outs);
}

void exec_tconv_run(const exec_conv *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    mprt_conv q = exec_rt_conv(p, p->w8);
    mprt_view vi = exec_rt_view(in), vo = exec_rt_view(out);
    mprt_tconv_run(&q, &vi, &vo, exec_rt_rect(r));
}
