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
 * point -128. Fixed-point products are SRDHM; additions wrap as int32 does.
 * The constants are gemmlowp's (Q0.31 / Q2.29 encodings of exp(-1/8), 1/3,
 * exp(-2^k) for k = -2..4, 48/17 and -32/17).
 */
#include "exec_int.h"

static int32_t add_w(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static int32_t sub_w(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* SaturatingRoundingMultiplyByPOT with a positive exponent: a saturating left shift. */
static int32_t sat_shl(int32_t x, int32_t exponent)
{
    int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1u);
    if (x > threshold)
        return INT32_MAX;
    if (x < -threshold)
        return INT32_MIN;
    return mp_shl_wrap(x, exponent);
}

/* exp(a) for a in [-1/4, 0), Q0.31 in and out: Taylor series around -1/8. */
static int32_t exp_quarter(int32_t a)
{
    const int32_t constant_term = 1895147668;   /* exp(-1/8) */
    const int32_t constant_1_over_3 = 715827883;
    int32_t x = add_w(a, 1 << 28);              /* a + 1/8 */
    int32_t x2 = mp_srdhm(x, x);
    int32_t x3 = mp_srdhm(x2, x);
    int32_t x4 = mp_srdhm(x2, x2);
    int32_t x4_over_4 = mp_rdbpot(x4, 2);
    int32_t poly = mp_rdbpot(add_w(mp_srdhm(add_w(x4_over_4, x3), constant_1_over_3), x2), 1);
    return add_w(constant_term, mp_srdhm(constant_term, add_w(x, poly)));
}

/* exp(a) for a <= 0 given in Q5.26; result Q0.31. */
static int32_t exp_negative(int32_t a)
{
    static const int32_t mult[7] = {1672461947, 1302514674, 790015084, 290630308,
                                    39332535,   720401,     242};
    const int32_t frac_bits = 26;
    const int32_t quarter = 1 << (frac_bits - 2);
    int32_t a_mod = sub_w(a & (quarter - 1), quarter);
    int32_t result = exp_quarter(sat_shl(a_mod, 5)); /* Rescale Q5.26 -> Q0.31 */
    int32_t remainder = sub_w(a_mod, a);
    for (int32_t e = -2; e <= 4; e++)
        if (remainder & (1 << (frac_bits + e)))
            result = mp_srdhm(result, mult[e + 2]);
    return a == 0 ? INT32_MAX : result;
}

/* 1 / (1 + x) for x in [0, 1), Q0.31 in and out: Newton-Raphson division. */
static int32_t one_over_one_plus_x(int32_t a)
{
    int64_t sum = (int64_t)a + INT32_MAX;
    int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
    const int32_t c48_over_17 = 1515870810, c_neg32_over_17 = -1010580540; /* Q2.29 */
    const int32_t one_q2 = 1 << 29;
    int32_t x = add_w(c48_over_17, mp_srdhm(half_denominator, c_neg32_over_17));
    for (int i = 0; i < 3; i++) {
        int32_t hdx = mp_srdhm(half_denominator, x);
        int32_t one_minus = sub_w(one_q2, hdx);
        x = add_w(x, sat_shl(mp_srdhm(x, one_minus), 2));
    }
    return sat_shl(x, 1);
}

static int32_t scaled_diff(const exec_softmax *p, int32_t diff)
{
    return mp_srdhm(mp_shl_wrap(diff, p->in_left_shift), p->in_mult);
}

void exec_softmax_row(const exec_softmax *p, const int8_t *in, int32_t n, int8_t *out)
{
    int32_t max = -128;
    for (int32_t i = 0; i < n; i++)
        max = in[i] > max ? in[i] : max;
    int32_t sum = 0; /* Q12.19 */
    for (int32_t i = 0; i < n; i++) {
        int32_t d = in[i] - max;
        if (d >= p->diff_min)
            sum = add_w(sum, mp_rdbpot(exp_negative(scaled_diff(p, d)), 12));
    }
    int32_t headroom = __builtin_clz((uint32_t)sum | 1u);
    int32_t recip = one_over_one_plus_x((int32_t)(((uint32_t)sum << headroom) - (1u << 31)));
    int32_t exponent = mp_clamp32((12 - headroom) + 31 - 8, 0, 31);
    for (int32_t i = 0; i < n; i++) {
        int32_t d = in[i] - max;
        int32_t v = -128;
        if (d >= p->diff_min) {
            int32_t e = exp_negative(scaled_diff(p, d));
            v = mp_clamp32(mp_rdbpot(mp_srdhm(recip, e), exponent) - 128, -128, 127);
        }
        out[i] = (int8_t)v;
    }
}

void exec_softmax_run(const exec_softmax *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    for (int32_t y = r.y0; y < r.y1; y++)
        for (int32_t x = r.x0; x < r.x1; x++)
            exec_softmax_row(p, view_at(in, y, x), p->c, view_at(out, y, x));
}
