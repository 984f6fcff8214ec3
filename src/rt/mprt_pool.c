/* SPDX-License-Identifier: MIT */
/*
 * mprt_pool.c - int8 average and max pooling, mean over height and width, and
 * the global reductions accumulated tile by tile (TFLite Micro's reference
 * integer kernels; docs/runtime.md).
 *
 * Pooling clips the window to the tensor and does not count padding; the
 * average is (s + n/2) / n for s > 0, (s - n/2) / n otherwise (C division).
 * Mean has TFLite Micro's two int8 paths (mprt_mean.mode).
 */
#include "mprt_int.h"

static void window(const mprt_pool *p, int32_t oy, int32_t ox, mprt_rect *w)
{
    int32_t y = oy * p->sh - p->pad_top, x = ox * p->sw - p->pad_left;
    w->y0 = y < 0 ? 0 : y;
    w->y1 = y + p->kh < p->in_h ? y + p->kh : p->in_h;
    w->x0 = x < 0 ? 0 : x;
    w->x1 = x + p->kw < p->in_w ? x + p->kw : p->in_w;
}

static int32_t rounded_div(int32_t s, int32_t n)
{
    return s > 0 ? (s + n / 2) / n : (s - n / 2) / n;
}

void mprt_avgpool_run(const mprt_pool *p, const mprt_view *in, const mprt_view *out, mprt_rect r)
{
    for (int32_t oy = r.y0; oy < r.y1; oy++)
        for (int32_t ox = r.x0; ox < r.x1; ox++) {
            mprt_rect w;
            window(p, oy, ox, &w);
            int32_t count = (w.y1 - w.y0) * (w.x1 - w.x0);
            int8_t *dst = mprt_at(out, oy, ox);
            for (int32_t ch = 0; ch < p->c; ch++) {
                int32_t s = 0;
                for (int32_t y = w.y0; y < w.y1; y++)
                    for (int32_t x = w.x0; x < w.x1; x++)
                        s += mprt_at(in, y, x)[ch];
                int32_t v = count > 0 ? rounded_div(s, count) : 0;
                dst[ch] = (int8_t)mprt_clamp(v, p->act_min, p->act_max);
            }
        }
}

void mprt_maxpool_run(const mprt_pool *p, const mprt_view *in, const mprt_view *out, mprt_rect r)
{
    for (int32_t oy = r.y0; oy < r.y1; oy++)
        for (int32_t ox = r.x0; ox < r.x1; ox++) {
            mprt_rect w;
            window(p, oy, ox, &w);
            int8_t *dst = mprt_at(out, oy, ox);
            for (int32_t ch = 0; ch < p->c; ch++) {
                int32_t m = -128;
                for (int32_t y = w.y0; y < w.y1; y++)
                    for (int32_t x = w.x0; x < w.x1; x++) {
                        int32_t v = mprt_at(in, y, x)[ch];
                        m = v > m ? v : m;
                    }
                dst[ch] = (int8_t)mprt_clamp(m, p->act_min, p->act_max);
            }
        }
}

int32_t mprt_mean_finish(const mprt_mean *p, int32_t sum, int32_t n)
{
    int32_t v;
    if (p->mode == MPRT_MEAN_KEEP_DIMS)
        v = mprt_add_wrap(rounded_div(mprt_mbqm(sum - p->in_zp * n, p->mult, p->shift), n),
                          p->out_zp);
    else
        v = mprt_add_wrap(mprt_mbqm(sum - p->in_zp * n, p->mult, p->shift), p->out_zp);
    return mprt_clamp(v, -128, 127);
}

void mprt_mean_run(const mprt_mean *p, const mprt_view *in, int8_t *out)
{
    int32_t n = p->in_h * p->in_w;
    for (int32_t ch = 0; ch < p->c; ch++) {
        int32_t s = 0;
        for (int32_t y = 0; y < p->in_h; y++)
            for (int32_t x = 0; x < p->in_w; x++)
                s += mprt_at(in, y, x)[ch];
        out[ch] = (int8_t)mprt_mean_finish(p, s, n);
    }
}

/* ---- global reductions, tile by tile ----------------------------------------------- */

static int32_t load(const uint8_t *acc, int32_t i)
{
    int32_t v;
    memcpy(&v, acc + (size_t)i * sizeof v, sizeof v);
    return v;
}

static void store(uint8_t *acc, int32_t i, int32_t v)
{
    memcpy(acc + (size_t)i * sizeof v, &v, sizeof v);
}

void mprt_reduce_begin(int32_t type, int32_t c, uint8_t *acc)
{
    for (int32_t i = 0; i < c; i++)
        store(acc, i, type == MPRT_OP_MAX_POOL ? INT32_MIN : 0);
}

void mprt_reduce_tile(int32_t type, int32_t c, const mprt_view *in, mprt_rect r, uint8_t *acc)
{
    if (r.y0 >= r.y1 || r.x0 >= r.x1)
        return;
    for (int32_t ch = 0; ch < c; ch++) {
        int32_t a = load(acc, ch);
        for (int32_t y = r.y0; y < r.y1; y++)
            for (int32_t x = r.x0; x < r.x1; x++) {
                int32_t v = mprt_at(in, y, x)[ch];
                a = type == MPRT_OP_MAX_POOL ? (v > a ? v : a) : a + v;
            }
        store(acc, ch, a);
    }
}

void mprt_reduce_end(const mprt_op *op, int32_t c, int32_t n, const uint8_t *acc, int8_t *out)
{
    for (int32_t ch = 0; ch < c; ch++) {
        int32_t a = load(acc, ch), v;
        if (op->type == MPRT_OP_MEAN) {
            v = mprt_mean_finish((const mprt_mean *)op->params, a, n);
        } else {
            const mprt_pool *p = (const mprt_pool *)op->params;
            v = op->type == MPRT_OP_AVG_POOL ? (n > 0 ? rounded_div(a, n) : 0) : a;
            v = mprt_clamp(v, p->act_min, p->act_max);
        }
        out[ch] = (int8_t)v;
    }
}
