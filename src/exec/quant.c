/* SPDX-License-Identifier: MIT */
/*
 * quant.c - deriving integer requantization parameters from real scales,
 * exactly as TFLite does (module exec).
 *
 * TFLite computes every real multiplier in double precision from the float
 * scales stored in the model (e.g. (double)in_scale * (double)w_scale /
 * (double)out_scale for a convolution channel) and turns it into a Q31
 * multiplier and a power-of-two shift with frexp and round-half-away. The
 * activation ranges quantize 0, 6, -1 and 1 with float arithmetic. Matching
 * these steps exactly is what makes the executor bit-exact on real models.
 */
#include "exec_int.h"

#include <math.h>

void exec_quantize_multiplier(double real, int32_t *multiplier, int32_t *shift)
{
    if (real == 0.0 || !isfinite(real)) {
        *multiplier = 0;
        *shift = 0;
        return;
    }
    int e = 0;
    double q = frexp(real, &e);
    int64_t q_fixed = (int64_t)round(q * (double)((int64_t)1 << 31));
    if (q_fixed == ((int64_t)1 << 31)) {
        q_fixed /= 2;
        e++;
    }
    if (e < -31) {
        e = 0;
        q_fixed = 0;
    }
    if (e > 31) { /* far outside any model's range; saturate instead of overflowing */
        e = 31;
        q_fixed = INT32_MAX;
    }
    *multiplier = (int32_t)q_fixed;
    *shift = e;
}

/* TFLite's Quantize(): zero_point + round(f / scale), in float. */
static int32_t quantize_float(float f, float scale, int32_t zero_point)
{
    float q = roundf(f / scale);
    if (!(q > -2147483648.0f && q < 2147483648.0f))
        return q > 0 ? INT32_MAX : INT32_MIN;
    int64_t v = (int64_t)zero_point + (int64_t)q;
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

void exec_activation_range(mp_activation act, float scale, int32_t zero_point, int32_t *lo,
                              int32_t *hi)
{
    int32_t qmin = -128, qmax = 127;
    *lo = qmin;
    *hi = qmax;
    switch (act) {
    case MP_ACT_RELU:
        *lo = mp_clamp32(quantize_float(0.0f, scale, zero_point), qmin, INT32_MAX);
        break;
    case MP_ACT_RELU6:
        *lo = mp_clamp32(quantize_float(0.0f, scale, zero_point), qmin, INT32_MAX);
        *hi = mp_clamp32(quantize_float(6.0f, scale, zero_point), INT32_MIN, qmax);
        break;
    case MP_ACT_RELU_N1_TO_1:
        *lo = mp_clamp32(quantize_float(-1.0f, scale, zero_point), qmin, INT32_MAX);
        *hi = mp_clamp32(quantize_float(1.0f, scale, zero_point), INT32_MIN, qmax);
        break;
    default:
        break;
    }
}

/*
 * PreprocessSoftmaxScaling with 5 integer bits: beta * input_scale * 2^26,
 * capped at 2^31 - 1, as a multiplier >= 1 (so the shift is a left shift).
 * diff_min = -floor((2^5 - 1) * 2^26 / 2^left_shift) (CalculateInputRadius).
 * False when beta * input_scale is too small for that form (TFLite refuses it).
 */
bool exec_softmax_params(double beta, double input_scale, int32_t *multiplier,
                            int32_t *left_shift, int32_t *diff_min)
{
    const int integer_bits = 5;
    double max_real = (double)(((int64_t)1 << 31) - 1);
    double real = beta * input_scale * (double)((int64_t)1 << (31 - integer_bits));
    if (real > max_real)
        real = max_real;
    exec_quantize_multiplier(real, multiplier, left_shift);
    if (*left_shift < 0 || *left_shift > 31)
        return false; /* TFLite requires a multiplier > 1 */
    double radius = (double)((1 << integer_bits) - 1) *
                    (double)((int64_t)1 << (31 - integer_bits)) /
                    (double)((int64_t)1 << *left_shift);
    *diff_min = -(int32_t)floor(radius);
    return true;
}
