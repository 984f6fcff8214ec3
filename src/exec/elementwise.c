/* SPDX-License-Identifier: MIT */
/*
 * elementwise.c - int8 add and mul over an output rectangle, with
 * broadcasting of size-1 dimensions (e.g. a [1,1,1,C] operand) (module exec).
 *
 * TFLite's int8 add: both inputs are offset, shifted left by 20 bits and
 * rescaled to a common scale (twice the larger input scale), summed, then
 * rescaled to the output:
 *   a' = MBQM((a + a_off) << 20, a_mult, a_shift), b' likewise,
 *   out = clamp(MBQM(a' + b', out_mult, out_shift) + out_off).
 * mul: out = clamp(MBQM((a + a_off) * (b + b_off), out_mult, out_shift) + out_off).
 *
 * Elements are read before the element at the same position is written, so
 * the output view may be one of the input views (in-place over a dead input).
 */
#include "exec_int.h"

/* Operand values of one output row: pointer to the first element used and the
 * element steps along x and c (0 where the operand broadcasts). */
typedef struct operand_row {
    const int8_t *base;
    int32_t step_x, step_c;
} operand_row;

static operand_row operand_at(const int8_t *cdata, const mp_view *v, int32_t h, int32_t w,
                              int32_t c, int32_t y, int32_t x0)
{
    int32_t yy = h == 1 ? 0 : y, xx = w == 1 ? 0 : x0;
    operand_row r;
    r.base = cdata ? cdata + ((size_t)yy * w + xx) * c : view_at(v, yy, xx);
    r.step_x = w == 1 ? 0 : c;
    r.step_c = c == 1 ? 0 : 1;
    return r;
}

static int32_t add_one(const exec_elem *p, int32_t a, int32_t b)
{
    int32_t sa = mp_mbqm(mp_shl_wrap(a + p->a_offset, p->left_shift), p->a_mult, p->a_shift);
    int32_t sb = mp_mbqm(mp_shl_wrap(b + p->b_offset, p->left_shift), p->b_mult, p->b_shift);
    int32_t sum = (int32_t)((uint32_t)sa + (uint32_t)sb);
    int32_t v = mp_mbqm(sum, p->out_mult, p->out_shift) + p->out_offset;
    return mp_clamp32(v, p->act_min, p->act_max);
}

static int32_t mul_one(const exec_elem *p, int32_t a, int32_t b)
{
    int32_t v = mp_mbqm((a + p->a_offset) * (b + p->b_offset), p->out_mult, p->out_shift) +
                p->out_offset;
    return mp_clamp32(v, p->act_min, p->act_max);
}

static void run(const exec_elem *p, const mp_view *a, const mp_view *b, const mp_view *out,
                mp_rect r, int32_t (*one)(const exec_elem *, int32_t, int32_t))
{
    int32_t c = out->c;
    for (int32_t y = r.y0; y < r.y1; y++) {
        operand_row ra = operand_at(p->a_const, a, p->a_h, p->a_w, p->a_c, y, r.x0);
        operand_row rb = operand_at(p->b_const, b, p->b_h, p->b_w, p->b_c, y, r.x0);
        int8_t *dst = view_at(out, y, r.x0);
        for (int32_t x = 0; x < r.x1 - r.x0; x++) {
            const int8_t *pa = ra.base + (ptrdiff_t)x * ra.step_x;
            const int8_t *pb = rb.base + (ptrdiff_t)x * rb.step_x;
            int8_t *pd = dst + (ptrdiff_t)x * c;
            for (int32_t i = 0; i < c; i++)
                pd[i] = (int8_t)one(p, pa[i * ra.step_c], pb[i * rb.step_c]);
        }
    }
}

void exec_add_run(const exec_elem *p, const mp_view *a, const mp_view *b, const mp_view *out,
                  mp_rect r)
{
    run(p, a, b, out, r, add_one);
}

void exec_mul_run(const exec_elem *p, const mp_view *a, const mp_view *b, const mp_view *out,
                  mp_rect r)
{
    run(p, a, b, out, r, mul_one);
}
