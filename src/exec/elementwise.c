/* SPDX-License-Identifier: MIT */
/*
 * elementwise.c - int8 binary ops over an output rectangle, with
 * broadcasting of size-1 dimensions (e.g. a [1,1,1,C] operand) (module exec).
 * Every element is memplan_rt's arithmetic (mprt_elem_one: add, sub, mul,
 * maximum, minimum, prelu); add and mul without broadcasting also have the
 * vectorized spans below, the host's fast variant of the same formulas.
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
#include "rt_params.h"

#include <string.h>

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

#define SPAN 256 /* elements per vectorized chunk */

/* add/mul of n contiguous elements of both operands into tmp (which aliases nothing, so
 * the loops vectorize even when the output overwrites an input). */
MP_TARGET_CLONES
static void add_span(const exec_elem *p, const int8_t *a, const int8_t *b, int32_t n, int8_t *tmp)
{
    const int32_t ao = p->a_offset, bo = p->b_offset, ls = p->left_shift;
    const int32_t am = p->a_mult, as = p->a_shift, bm = p->b_mult, bs = p->b_shift;
    const int32_t om = p->out_mult, os = p->out_shift, oo = p->out_offset;
    const int32_t lo = p->act_min, hi = p->act_max;
    for (int32_t i = 0; i < n; i++) {
        int32_t sa = mp_mbqm_vec(mp_shl_wrap(a[i] + ao, ls), am, as);
        int32_t sb = mp_mbqm_vec(mp_shl_wrap(b[i] + bo, ls), bm, bs);
        int32_t v = mp_add_wrap(mp_mbqm_vec(mp_add_wrap(sa, sb), om, os), oo);
        tmp[i] = (int8_t)(v < lo ? lo : v > hi ? hi : v);
    }
}

MP_TARGET_CLONES
static void mul_span(const exec_elem *p, const int8_t *a, const int8_t *b, int32_t n, int8_t *tmp)
{
    const int32_t ao = p->a_offset, bo = p->b_offset;
    const int32_t om = p->out_mult, os = p->out_shift, oo = p->out_offset;
    const int32_t lo = p->act_min, hi = p->act_max;
    for (int32_t i = 0; i < n; i++) {
        int32_t v = mp_add_wrap(mp_mbqm_vec((a[i] + ao) * (b[i] + bo), om, os), oo);
        tmp[i] = (int8_t)(v < lo ? lo : v > hi ? hi : v);
    }
}

void exec_elem_run(const exec_elem *p, const mp_view *a, const mp_view *b, const mp_view *out,
                   mp_rect r)
{
    bool add = p->kind == EXEC_BIN_ADD, fast = add || p->kind == EXEC_BIN_MUL;
    mprt_elem q = exec_rt_elem(p); /* the other paths: memplan_rt's element arithmetic */
    int32_t c = out->c, w = r.x1 - r.x0;
    int8_t tmp[SPAN];
    for (int32_t y = r.y0; y < r.y1; y++) {
        operand_row ra = operand_at(p->a_const, a, p->a_h, p->a_w, p->a_c, y, r.x0);
        operand_row rb = operand_at(p->b_const, b, p->b_h, p->b_w, p->b_c, y, r.x0);
        int8_t *dst = view_at(out, y, r.x0);
        if (fast && ra.step_x == c && rb.step_x == c && ra.step_c == 1 && rb.step_c == 1) {
            /* no broadcasting: the row is one contiguous span in all three */
            int32_t n = w * c;
            for (int32_t i = 0; i < n; i += SPAN) {
                int32_t k = n - i < SPAN ? n - i : SPAN;
                if (add)
                    add_span(p, ra.base + i, rb.base + i, k, tmp);
                else
                    mul_span(p, ra.base + i, rb.base + i, k, tmp);
                memcpy(dst + i, tmp, (size_t)k);
            }
            continue;
        }
        for (int32_t x = 0; x < w; x++) {
            const int8_t *pa = ra.base + (ptrdiff_t)x * ra.step_x;
            const int8_t *pb = rb.base + (ptrdiff_t)x * rb.step_x;
            int8_t *pd = dst + (ptrdiff_t)x * c;
            for (int32_t i = 0; i < c; i++)
                pd[i] = (int8_t)mprt_elem_one(&q, pa[i * ra.step_c], pb[i * rb.step_c]);
        }
    }
}
