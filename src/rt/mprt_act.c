/* SPDX-License-Identifier: MIT */
/*
 * mprt_act.c - int8 unary activations over an output rectangle (memplan_rt;
 * the host executor runs this same code): LOGISTIC, TANH, HARD_SWISH,
 * LEAKY_RELU, RELU, RELU6, each as TFLite Micro's reference kernel computes it.
 *
 * LOGISTIC and TANH (reference_integer_ops): the input minus its zero point is
 * saturated outside +-radius; inside, it is rescaled to Q4.27 by a multiplier
 * and a left shift (input_scale * 2^27 split by frexp) and evaluated with
 * gemmlowp's fixed-point logistic / tanh (a Taylor polynomial of exp on
 * [-1/4, 0), a barrel shifter of exp(-2^k) constants for the integer part, and
 * three Newton-Raphson steps for 1 / (1 + x) or (1 - x) / (1 + x)); the Q0.31
 * result is divided by 2^23 (logistic, then - 128) or 2^24 (tanh), rounding.
 * The output scale is not read: TFLite fixes it at 1/256 (logistic) and 1/128
 * (tanh).
 *
 * HARD_SWISH (reference_ops::HardSwish): int16 fixed point with a "reluish"
 * multiplier mapping [-3, 3] to [0, 1] (saturating shifts, a truncating final
 * doubling high multiply).
 *
 * LEAKY_RELU: MBQM by the identity multiplier (x >= 0) or by the alpha one;
 * RELU: MBQM by in_scale / out_scale, clamped to [quantize(0), 127]; RELU6
 * clamps the raw input to [zero point, quantize(6)] without requantizing.
 *
 * Elements are read before they are written, so the output may alias the
 * input. Freestanding: no allocation, no libc.
 */
#include "mprt_int.h"

/* ---- gemmlowp fixed point (int32 raw values) ------------------------------------------ */

static int32_t fx_mul(int32_t a, int32_t b) /* FixedPoint<a_int> * FixedPoint<b_int> */
{
    return mprt_srdhm(a, b);
}

/* SaturatingRoundingMultiplyByPOT with a positive exponent: a saturating left shift. */
static int32_t fx_shl_sat(int32_t x, int32_t e)
{
    int32_t threshold = (int32_t)(((int64_t)1 << (31 - e)) - 1);
    if (x > threshold)
        return INT32_MAX;
    if (x < -threshold)
        return INT32_MIN;
    return mprt_shl_wrap(x, e);
}

static int32_t fx_half_sum(int32_t a, int32_t b) /* RoundingHalfSum */
{
    int64_t sum = (int64_t)a + b;
    return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* exp(a) for a in [-1/4, 0), Q0.31 in and out. */
static int32_t exp_quarter(int32_t a)
{
    const int32_t constant_term = 1895147668; /* exp(-1/8) */
    const int32_t one_third = 715827883;
    int32_t x = mprt_add_wrap(a, 1 << 28); /* a + 1/8 */
    int32_t x2 = fx_mul(x, x), x3 = fx_mul(x2, x), x4 = fx_mul(x2, x2);
    int32_t x4_over_4 = mprt_rdbpot(x4, 2);
    int32_t poly = mprt_rdbpot(mprt_add_wrap(fx_mul(mprt_add_wrap(x4_over_4, x3), one_third), x2), 1);
    return mprt_add_wrap(constant_term, fx_mul(constant_term, mprt_add_wrap(x, poly)));
}

/* exp(a) for a <= 0 with int_bits integer bits (4 or 5), Q0.31 result. */
static int32_t exp_negative(int32_t a, int32_t int_bits)
{
    static const int32_t mult[7] = {1672461947, 1302514674, 790015084, 290630308,
                                    39332535,   720401,     242};
    int32_t frac = 31 - int_bits;
    int32_t quarter = 1 << (frac - 2);
    int32_t mod = mprt_add_wrap(a & (quarter - 1), -quarter);
    int32_t result = exp_quarter(fx_shl_sat(mod, int_bits)); /* Rescale<0> */
    int32_t remainder = mprt_add_wrap(mod, -a);
    for (int32_t e = -2; e <= 4; e++)
        if (int_bits > e && (remainder & (1 << (frac + e))))
            result = fx_mul(result, mult[e + 2]);
    return a == 0 ? INT32_MAX : result;
}

/* Newton-Raphson for 1 / (1 + a) (Q0.31 a in [0, 1]); x in Q2.29 afterwards. */
static int32_t nr_reciprocal(int32_t half_denominator)
{
    int32_t x = mprt_add_wrap(1515870810, fx_mul(half_denominator, -1010580540));
    for (int i = 0; i < 3; i++) {
        int32_t one_minus = mprt_add_wrap(1 << 29, -fx_mul(half_denominator, x));
        x = mprt_add_wrap(x, fx_shl_sat(fx_mul(x, one_minus), 2));
    }
    return x;
}

/* gemmlowp::logistic of a Q4.27 value, Q0.31. */
static int32_t fx_logistic(int32_t a)
{
    if (a == 0)
        return 1 << 30;
    int32_t abs_a = a > 0 ? a : -a;
    int32_t e = exp_negative(-abs_a, 4);
    int32_t x = nr_reciprocal(fx_half_sum(e, INT32_MAX));
    int32_t pos = fx_shl_sat(x, 1); /* ExactMulByPot<-1> then Rescale<0> */
    return a > 0 ? pos : mprt_add_wrap(INT32_MAX, -pos);
}

/* gemmlowp::tanh of a Q4.27 value, Q0.31. */
static int32_t fx_tanh(int32_t a)
{
    if (a == 0)
        return 0;
    int32_t n = a < 0 ? a : -a;
    int32_t e = exp_negative(n, 5); /* exp(2n): the same raw value read with 5 integer bits */
    int32_t x = nr_reciprocal(fx_half_sum(e, INT32_MAX));
    int32_t t = fx_shl_sat(mprt_add_wrap(x, -(1 << 29)), 2);
    return a < 0 ? -t : t;
}

/* ---- kernels --------------------------------------------------------------------------- */

static int8_t sigmoid_like(const mprt_unary *p, int32_t v)
{
    int32_t x = v - p->in_zp;
    if (x <= -p->radius)
        return -128;
    if (x >= p->radius)
        return 127;
    int32_t q4 = mprt_mbqm(x, p->mult, p->shift);
    if (p->kind == MPRT_UN_LOGISTIC)
        return (int8_t)mprt_clamp(mprt_rdbpot(fx_logistic(q4), 23) - 128, -128, 127);
    return (int8_t)mprt_clamp(mprt_rdbpot(fx_tanh(q4), 24), -128, 127);
}

static int16_t srdhm16(int16_t a, int16_t b)
{
    if (a == b && a == INT16_MIN)
        return INT16_MAX;
    int32_t ab = (int32_t)a * b;
    int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
    return (int16_t)((ab + nudge) / (1 << 15));
}

static int16_t sdhm16(int16_t a, int16_t b) /* SaturatingDoublingHighMul: truncating */
{
    if (a == b && a == INT16_MIN)
        return INT16_MAX;
    return (int16_t)(((int32_t)a * b) / (1 << 15));
}

/* TFLite's SaturatingLeftShift of an int16. */
static int16_t sat_shl16(int16_t v, int32_t amount)
{
    int64_t r = (int64_t)v * ((int64_t)1 << amount);
    return (int16_t)(r > INT16_MAX ? INT16_MAX : r < INT16_MIN ? INT16_MIN : r);
}

static int8_t hard_swish(const mprt_unary *p, int32_t v)
{
    int16_t x = (int16_t)(v - p->in_zp);
    int16_t hires = (int16_t)(x * (1 << 7));
    int16_t preshift = srdhm16(hires, (int16_t)p->out_mult16);
    int16_t r = hires;
    if (p->relu_shift > 0)
        r = sat_shl16(r, p->relu_shift - 1);
    r = srdhm16(r, (int16_t)p->relu_mult16);
    if (p->relu_shift > 0)
        r = sat_shl16(r, 1);
    if (p->relu_shift < 0)
        r = (int16_t)mprt_rdbpot(r, -p->relu_shift);
    r = (int16_t)((r + (1 << 15)) >> 1);
    int16_t out = (int16_t)mprt_rdbpot(sdhm16(r, preshift), -p->shift);
    out = (int16_t)(uint16_t)(uint32_t)(out + p->out_zp); /* int16 += as TFLite does */
    return (int8_t)mprt_clamp(out, -128, 127);
}

static int8_t unary_one(const mprt_unary *p, int32_t v)
{
    switch (p->kind) {
    case MPRT_UN_LOGISTIC:
    case MPRT_UN_TANH:
        return sigmoid_like(p, v);
    case MPRT_UN_HARD_SWISH:
        return hard_swish(p, v);
    case MPRT_UN_LEAKY_RELU: {
        int32_t x = v - p->in_zp;
        int32_t y = x >= 0 ? mprt_mbqm(x, p->mult, p->shift) : mprt_mbqm(x, p->mult2, p->shift2);
        return (int8_t)mprt_clamp(mprt_add_wrap(y, p->out_zp), -128, 127);
    }
    case MPRT_UN_RELU:
        return (int8_t)mprt_clamp(mprt_add_wrap(mprt_mbqm(v - p->in_zp, p->mult, p->shift), p->out_zp),
                                  p->lo, p->hi);
    default: /* RELU6 */
        return (int8_t)mprt_clamp(v, p->lo, p->hi);
    }
}

void mprt_unary_run(const mprt_unary *p, const mprt_view *in, const mprt_view *out, mprt_rect r)
{
    for (int32_t y = r.y0; y < r.y1; y++) {
        const int8_t *src = mprt_at(in, y, r.x0);
        int8_t *dst = mprt_at(out, y, r.x0);
        int32_t n = (r.x1 - r.x0) * out->c;
        for (int32_t i = 0; i < n; i++)
            dst[i] = unary_one(p, src[i]);
    }
}
