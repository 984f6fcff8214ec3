/* SPDX-License-Identifier: MIT */
/*
 * reduce.c - global reductions accumulated tile by tile (module exec).
 *
 * The whole-tensor kernels (pool.c) sum (or take the max of) every element of
 * a channel and then finish with the same integer arithmetic; here the sums
 * are kept in int32 accumulators between tiles and finished once. Accumulators
 * may sit at any byte offset in an arena, so they are read and written with
 * memcpy.
 */
#include "exec_int.h"

#include <string.h>

static bool reduce_kind(const mp_exec_model *m, uint32_t op, int32_t *channels)
{
    const mp_graph *g = m->g;
    if (op >= g->n_ops || !mp_patch_op_reduces(g, op))
        return false;
    *channels = g->tensors[g->ops[op].out[0]].shape.c;
    return true;
}

size_t mp_exec_reduce_acc_bytes(const mp_exec_model *m, uint32_t op)
{
    int32_t c;
    return reduce_kind(m, op, &c) ? (size_t)c * sizeof(int32_t) : 0;
}

static int32_t load(const void *acc, int32_t i)
{
    int32_t v;
    memcpy(&v, (const char *)acc + (size_t)i * sizeof v, sizeof v);
    return v;
}

static void store(void *acc, int32_t i, int32_t v)
{
    memcpy((char *)acc + (size_t)i * sizeof v, &v, sizeof v);
}

mp_status mp_exec_reduce_begin(const mp_exec_model *m, uint32_t op, void *acc, mp_error *err)
{
    int32_t c;
    if (!reduce_kind(m, op, &c))
        return mp_errorf(err, MP_E_UNSUPPORTED, "op %u is not a global reduction", op);
    bool max = m->g->ops[op].type == MP_OP_MAX_POOL2D;
    for (int32_t i = 0; i < c; i++)
        store(acc, i, max ? INT32_MIN : 0);
    return MP_OK;
}

mp_status mp_exec_reduce_tile(const mp_exec_model *m, uint32_t op, const mp_view *in, mp_rect r,
                              void *acc, mp_error *err)
{
    int32_t c;
    if (!reduce_kind(m, op, &c))
        return mp_errorf(err, MP_E_UNSUPPORTED, "op %u is not a global reduction", op);
    if (mp_rect_empty(r))
        return MP_OK;
    if (in->c != c || r.y0 < in->y0 || r.y1 > in->y0 + in->h || r.x0 < in->x0 ||
        r.x1 > in->x0 + in->w)
        return mp_errorf(err, MP_E_INVALID, "reduction tile [%d,%d)x[%d,%d) is not in the view",
                         r.y0, r.y1, r.x0, r.x1);
    bool max = m->g->ops[op].type == MP_OP_MAX_POOL2D;
    for (int32_t ch = 0; ch < c; ch++) {
        int32_t a = load(acc, ch);
        for (int32_t y = r.y0; y < r.y1; y++) {
            for (int32_t x = r.x0; x < r.x1; x++) {
                int32_t v = view_at(in, y, x)[ch];
                a = max ? (v > a ? v : a) : a + v;
            }
        }
        store(acc, ch, a);
    }
    return MP_OK;
}

mp_status mp_exec_reduce_end(const mp_exec_model *m, uint32_t op, const void *acc, int8_t *out,
                             mp_error *err)
{
    int32_t c;
    if (!reduce_kind(m, op, &c))
        return mp_errorf(err, MP_E_UNSUPPORTED, "op %u is not a global reduction", op);
    const exec_op *e = &m->ops[op];
    const mp_tensor *in = &m->g->tensors[m->g->ops[op].in[0]];
    int32_t n = in->shape.h * in->shape.w;
    for (int32_t ch = 0; ch < c; ch++) {
        int32_t a = load(acc, ch);
        switch (m->g->ops[op].type) {
        case MP_OP_MEAN:
            out[ch] = (int8_t)exec_mean_finish(&e->u.mean, a, n);
            break;
        case MP_OP_AVG_POOL2D:
            out[ch] = (int8_t)exec_avgpool_finish(&e->u.pool, a, n);
            break;
        default:
            out[ch] = (int8_t)mp_clamp32(a, e->u.pool.act_min, e->u.pool.act_max);
            break;
        }
    }
    return MP_OK;
}
