/* SPDX-License-Identifier: MIT */
/*
 * mprt_elem.c - int8 binary ops with broadcasting of size-1 dimensions (add,
 * sub, mul, maximum, minimum, prelu), and softmax over channels (TFLite Micro's
 * reference integer kernels).
 *
 * add: a' = MBQM((a + a_off) << 20, a_mult, a_shift), b' likewise,
 *      out = clamp(MBQM(a' + b', out_mult, out_shift) + out_off);
 * mul: out = clamp(MBQM((a + a_off) * (b + b_off), out_mult, out_shift) + out_off);
 * sub: add with b' subtracted; maximum, minimum: the raw values (one quantization);
 * prelu: x = a + a_off; x >= 0: MBQM(x, a_mult, a_shift), else MBQM(x * (b + b_off),
 * out_mult, out_shift); + out_off, clamped to int8.
 * Each element is read before the element at its position is written, so the
 * output may overwrite an operand of the same geometry.
 *
 * softmax: gemmlowp fixed point as TFLite's int8 reference (exp on negative
 * values, Newton-Raphson reciprocal); output scale 1/256, zero point -128.
 */
#include "mprt_int.h"

static int32_t operand(const int8_t *cdata, const mprt_view *v, int32_t h, int32_t w, int32_t c,
                       int32_t y, int32_t x, int32_t ch)
{
    int32_t yy = h == 1 ? 0 : y, xx = w == 1 ? 0 : x, cc = c == 1 ? 0 : ch;
    if (cdata)
        return cdata[((size_t)yy * (size_t)w + (size_t)xx) * (size_t)c + (size_t)cc];
    return mprt_at(v, yy, xx)[cc];
}

/* add (sub): both operands rescaled to a common scale, summed (subtracted), rescaled. */
static int32_t add_sub(const mprt_elem *p, int32_t a, int32_t b)
{
    int32_t sa = mprt_mbqm(mprt_shl_wrap(a + p->a_offset, p->left_shift), p->a_mult, p->a_shift);
    int32_t sb = mprt_mbqm(mprt_shl_wrap(b + p->b_offset, p->left_shift), p->b_mult, p->b_shift);
    uint32_t v = p->kind == MPRT_BIN_SUB ? (uint32_t)sa - (uint32_t)sb : (uint32_t)sa + (uint32_t)sb;
    return mprt_mbqm((int32_t)v, p->out_mult, p->out_shift);
}

int32_t mprt_elem_one(const mprt_elem *p, int32_t a, int32_t b)
{
    switch (p->kind) {
    case MPRT_BIN_MAX:
        return a > b ? a : b;
    case MPRT_BIN_MIN:
        return a < b ? a : b;
    case MPRT_BIN_PRELU: { /* x >= 0 rescaled by in/out, else x * alpha by in * alpha / out */
        int32_t x = a + p->a_offset;
        int32_t v = x >= 0 ? mprt_mbqm(x, p->a_mult, p->a_shift)
                           : mprt_mbqm(x * (b + p->b_offset), p->out_mult, p->out_shift);
        return mprt_clamp(mprt_add_wrap(v, p->out_offset), -128, 127);
    }
    case MPRT_BIN_MUL:
        return mprt_clamp(mprt_add_wrap(mprt_mbqm((a + p->a_offset) * (b + p->b_offset),
                                                  p->out_mult, p->out_shift), p->out_offset),
                          p->act_min, p->act_max);
    default:
        return mprt_clamp(mprt_add_wrap(add_sub(p, a, b), p->out_offset), p->act_min,
                          p->act_max);
    }
}

void mprt_elem_run(const mprt_elem *p, const mprt_view *a, const mprt_view *b,
                   const mprt_view *out, mprt_rect r)
{
    for (int32_t y = r.y0; y < r.y1; y++)
        for (int32_t x = r.x0; x < r.x1; x++) {
            int8_t *dst = mprt_at(out, y, x);
            for (int32_t ch = 0; ch < out->c; ch++) {
                int32_t va = operand(p->a_const, a, p->a_h, p->a_w, p->a_c, y, x, ch);
                int32_t vb = operand(p->b_const, b, p->b_h, p->b_w, p->b_c, y, x, ch);
                dst[ch] = (int8_t)mprt_elem_one(p, va, vb);
            }
        }
}

/* ---- softmax ------------------------------------------------------------------------ */

static int32_t add_w(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static int32_t sub_w(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

static int32_t sat_shl(int32_t x, int32_t exponent)
{
    int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1u);
    if (x > threshold)
        return INT32_MAX;
    if (x < -threshold)
        return INT32_MIN;
    return mprt_shl_wrap(x, exponent);
}

/* exp(a) for a in [-1/4, 0) in Q0.31. */
static int32_t exp_quarter(int32_t a)
{
    const int32_t constant_term = 1895147668, constant_1_over_3 = 715827883;
    int32_t x = add_w(a, 1 << 28);
    int32_t x2 = mprt_srdhm(x, x), x3 = mprt_srdhm(x2, x), x4 = mprt_srdhm(x2, x2);
    int32_t x4_over_4 = mprt_rdbpot(x4, 2);
    int32_t poly =
        mprt_rdbpot(add_w(mprt_srdhm(add_w(x4_over_4, x3), constant_1_over_3), x2), 1);
    return add_w(constant_term, mprt_srdhm(constant_term, add_w(x, poly)));
}

/* exp(a) for a <= 0 in Q5.26; Q0.31 result. */
static int32_t exp_negative(int32_t a)
{
    static const int32_t mult[7] = {1672461947, 1302514674, 790015084, 290630308,
                                    39332535,   720401,     242};
    const int32_t quarter = 1 << 24;
    int32_t a_mod = sub_w(a & (quarter - 1), quarter);
    int32_t result = exp_quarter(sat_shl(a_mod, 5));
    int32_t remainder = sub_w(a_mod, a);
    for (int32_t e = -2; e <= 4; e++)
        if (remainder & (1 << (26 + e)))
            result = mprt_srdhm(result, mult[e + 2]);
    return a == 0 ? INT32_MAX : result;
}

static int32_t one_over_one_plus_x(int32_t a)
{
    int64_t sum = (int64_t)a + INT32_MAX;
    int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
    const int32_t c48_over_17 = 1515870810, c_neg32_over_17 = -1010580540, one_q2 = 1 << 29;
    int32_t x = add_w(c48_over_17, mprt_srdhm(half_denominator, c_neg32_over_17));
    for (int i = 0; i < 3; i++) {
        int32_t one_minus = sub_w(one_q2, mprt_srdhm(half_denominator, x));
        x = add_w(x, sat_shl(mprt_srdhm(x, one_minus), 2));
    }
    return sat_shl(x, 1);
}

static int32_t clz32(uint32_t v)
{
    int32_t n = 0;
    if (!v)
        return 32;
    while (!(v & 0x80000000u)) {
        v <<= 1;
        n++;
    }
    return n;
}

static int32_t scaled_exp(const mprt_softmax *p, int32_t d)
{
    return exp_negative(mprt_srdhm(mprt_shl_wrap(d, p->in_left_shift), p->in_mult));
}

void mprt_softmax_row(const mprt_softmax *p, const int8_t *in, int8_t *out)
{
    int32_t n = p->c, max = -128, sum = 0;
    for (int32_t i = 0; i < n; i++)
        max = in[i] > max ? in[i] : max;
    for (int32_t i = 0; i < n; i++)
        if (in[i] - max >= p->diff_min)
            sum = add_w(sum, mprt_rdbpot(scaled_exp(p, in[i] - max), 12));
    int32_t headroom = clz32((uint32_t)sum | 1u);
    int32_t recip = one_over_one_plus_x((int32_t)(((uint32_t)sum << headroom) - (1u << 31)));
    int32_t exponent = mprt_clamp((12 - headroom) + 31 - 8, 0, 31);
    for (int32_t i = 0; i < n; i++) {
        int32_t d = in[i] - max, v = -128;
        if (d >= p->diff_min)
            v = mprt_clamp(mprt_rdbpot(mprt_srdhm(recip, scaled_exp(p, d)), exponent) - 128,
                           -128, 127);
        out[i] = (int8_t)v;
    }
}

void mprt_softmax_run(const mprt_softmax *p, const mprt_view *in, const mprt_view *out,
                      mprt_rect r)
{
    for (int32_t y = r.y0; y < r.y1; y++)
        for (int32_t x = r.x0; x < r.x1; x++)
            mprt_softmax_row(p, mprt_at(in, y, x), mprt_at(out, y, x));
}
