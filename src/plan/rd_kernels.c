/* SPDX-License-Identifier: MIT */
/*
 * rd_kernels.c - which kernels receptive-field redistribution may change and in
 * what order (module plan): single shrink steps of patch-stage kernels
 * (7 -> 5 -> 3, down to the minimum) and grow steps of later ones, ordered so
 * the step that changes the field most comes first (redistribute.c builds the
 * variants from these sequences).
 */
#include "../util/alloc.h"
#include "redistribute_int.h"

/* A conv or depthwise op whose kernel can change without changing any shape. */
static bool kernel_op(const mp_op *op)
{
    return (op->type == MP_OP_CONV2D || op->type == MP_OP_DEPTHWISE_CONV2D) &&
           op->p.padding == MP_PADDING_SAME;
}

/* How far a kernel step at op moves the field: its dilation times its input's jump. */
static int64_t step_weight(const mp_graph *g, const mp_op *op)
{
    const mp_rf *r = &g->rf[op->in[0]];
    int64_t h = (int64_t)op->p.dilation_h * r->jump_h, w = (int64_t)op->p.dilation_w * r->jump_w;
    return h > w ? h : w;
}

/* The kernel after one shrink step (each odd dimension >= min + 2 loses 2). */
static bool shrunk(int32_t k, int32_t min, int32_t *out)
{
    *out = (k % 2 == 1 && k >= min + 2) ? k - 2 : k;
    return *out != k;
}

/* The kernel after one grow step (odd dimensions >= 3 gain 2, up to max and the input). */
static bool grown(int32_t k, int32_t max, int32_t in, int32_t *out)
{
    *out = (k % 2 == 1 && k >= 3 && k <= max - 2 && k <= in - 2) ? k + 2 : k;
    return *out != k;
}


/* The step op i would take now (false: none). */
static bool next_step(const rd_seq_ctx *s, uint32_t i, bool grow, rd_kstep *out)
{
    const mp_graph *g = s->g;
    const mp_op *op = &g->ops[i];
    uint32_t step = (uint32_t)g->step_of_op[i];
    if (!kernel_op(op) || (grow ? step <= s->split_step : step > s->split_step))
        return false;
    const mp_tensor *in = &g->tensors[op->in[0]];
    if (grow && g->rf[op->in[0]].global)
        return false;
    *out = (rd_kstep){i, s->cur[2 * i], s->cur[2 * i + 1], 0, 0};
    bool a, b;
    if (grow) {
        a = grown(out->from_h, s->ro->max_kernel, in->shape.h, &out->to_h);
        b = grown(out->from_w, s->ro->max_kernel, in->shape.w, &out->to_w);
    } else {
        a = shrunk(out->from_h, s->ro->min_kernel, &out->to_h);
        b = shrunk(out->from_w, s->ro->min_kernel, &out->to_w);
    }
    return a || b;
}

/* Whether candidate a goes before b: larger weight; then (shrink) the larger kernel
 * or (grow) the smaller one; then the later op. */
static bool goes_first(const rd_seq_ctx *s, const rd_kstep *a, const rd_kstep *b, bool grow)
{
    const mp_graph *g = s->g;
    int64_t wa = step_weight(g, &g->ops[a->op]), wb = step_weight(g, &g->ops[b->op]);
    if (wa != wb)
        return wa > wb;
    int32_t ka = a->from_h > a->from_w ? a->from_h : a->from_w;
    int32_t kb = b->from_h > b->from_w ? b->from_h : b->from_w;
    if (ka != kb)
        return grow ? ka < kb : ka > kb;
    return g->step_of_op[a->op] > g->step_of_op[b->op];
}

/*
 * The sequence of shrink (grow false) or grow steps of g, at most max long,
 * into a new array. Each step picks the best candidate by goes_first and
 * applies it, so an op can come back for its next step (7 -> 5, later 5 -> 3).
 */
mp_status rd_kernel_sequence(rd_seq_ctx *s, bool grow, uint32_t max, rd_kstep **out, uint32_t *n,
                                 mp_error *err)
{
    const mp_graph *g = s->g;
    uint32_t cap = 16, len = 0;
    rd_kstep *seq = MP_NEW_ARRAY(rd_kstep, cap);
    if (!seq)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t i = 0; i < g->n_ops; i++) {
        s->cur[2 * i] = g->ops[i].p.kernel_h;
        s->cur[2 * i + 1] = g->ops[i].p.kernel_w;
    }
    while (len < max) {
        rd_kstep best, c;
        bool any = false;
        for (uint32_t i = 0; i < g->n_ops; i++)
            if (next_step(s, i, grow, &c) && (!any || goes_first(s, &c, &best, grow))) {
                best = c;
                any = true;
            }
        if (!any)
            break;
        if (len == cap) {
            rd_kstep *bigger = mp_realloc(seq, (size_t)cap * 2 * sizeof *seq);
            if (!bigger) {
                mp_free(seq);
                return mp_errorf(err, MP_E_NOMEM, "out of memory");
            }
            seq = bigger;
            cap *= 2;
        }
        seq[len++] = best;
        s->cur[2 * best.op] = best.to_h;
        s->cur[2 * best.op + 1] = best.to_w;
    }
    *out = seq;
    *n = len;
    return MP_OK;
}

