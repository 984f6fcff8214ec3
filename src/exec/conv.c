/* SPDX-License-Identifier: MIT */
/*
 * conv.c - int8 conv2d over an output rectangle (module exec); also the core
 * of fully connected (fc.c) and the shared requantization of a row.
 *
 * One algorithm serves every kernel size, stride, dilation, padding, group
 * count and region: for a block of up to MAX_PIX output pixels of one output
 * row, gather each pixel's receptive field into an int16 row of (x + input
 * offset) values (0 for taps outside the tensor, which is TFLite's padding by
 * the input zero point), then take dot products with the filter, repacked once
 * at prepare time as int16 [group][output channel (padded to 4)][K (padded to
 * 16)]. Four output channels share one pass over a row; the inner loop is a
 * plain int16 x int16 -> int32 multiply-add that GCC turns into pmaddwd (AVX2
 * when the CPU has it). 1x1 convolutions (89% of MobileNetV2's MACs) gather a
 * pixel with one contiguous conversion, so the region form costs them nothing:
 * the view only changes where a pixel's channels are read from.
 *
 * Exactness: |x + offset| <= 255 and |w| <= 255, so each product and each
 * pair sum fits int32, and a K chunk of at most ROW_ELEMS products cannot
 * overflow; chunks and the bias are added with wrapping adds (as int32 does on
 * the hardware TFLite runs on).
 */
#include "exec_int.h"

#include "../util/checked.h"

#include <string.h>

#define ROW_ELEMS 16384 /* int16 gather buffer: 32 KiB on the stack */
#define MAX_PIX 32      /* output pixels per block */
#define OC_CHUNK 256    /* output channels per accumulator block (multiple of 4) */

static int32_t round_up(int32_t v, int32_t m)
{
    return (v + m - 1) / m * m;
}

static int32_t wrap_add(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

mp_status exec_conv_pack(exec_conv *p, const int8_t *weights, mp_pool *pool, mp_error *err)
{
    int32_t cin_g = p->in_c / p->groups, oc_g = p->out_c / p->groups;
    int64_t k = (int64_t)p->kh * p->kw * cin_g;
    if (k > INT32_MAX - 16)
        return mp_errorf(err, MP_E_LIMIT, "filter of %lld elements per channel is too large",
                         (long long)k);
    p->kp = round_up((int32_t)k, 16);
    p->oc4 = round_up(oc_g, 4);
    size_t n;
    if (!mp_mul4_size((size_t)p->groups, (size_t)p->oc4, (size_t)p->kp, sizeof(int16_t), &n))
        return mp_errorf(err, MP_E_OVERFLOW, "packed filter size overflows");
    int16_t *w16 = mp_pool_alloc(pool, n);
    if (!w16)
        return mp_errorf(err, MP_E_NOMEM, "out of memory packing a filter");
    for (int32_t g = 0; g < p->groups; g++) {
        for (int32_t o = 0; o < oc_g; o++) {
            const int8_t *src = weights + ((size_t)g * oc_g + o) * (size_t)k;
            int16_t *dst = w16 + ((size_t)g * p->oc4 + o) * (size_t)p->kp;
            for (int32_t i = 0; i < (int32_t)k; i++)
                dst[i] = (int16_t)(src[i] + p->w_offset);
        }
    }
    p->w16 = w16;
    return MP_OK;
}

/*
 * Fill row[0 .. kc) with elements [k0, k0 + kc) of the receptive field of
 * output pixel (oy, ox) for group g, in filter order (ky, kx, c).
 */
static void gather(const exec_conv *p, const mp_view *in, int32_t oy, int32_t ox, int32_t g,
                   int32_t k0, int32_t kc, int16_t *row)
{
    int32_t cin_g = p->in_c / p->groups;
    int32_t k_total = p->kh * p->kw * cin_g;
    int32_t end = k0 + kc < k_total ? k0 + kc : k_total;
    int32_t iy0 = oy * p->sh - p->pad_top, ix0 = ox * p->sw - p->pad_left;
    int32_t off = p->in_offset;
    int32_t k = k0;
    while (k < end) {
        int32_t t = k / cin_g, c = k - t * cin_g;
        int32_t n = cin_g - c < end - k ? cin_g - c : end - k;
        int32_t iy = iy0 + (t / p->kw) * p->dh, ix = ix0 + (t % p->kw) * p->dw;
        int16_t *dst = row + (k - k0);
        if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
            memset(dst, 0, (size_t)n * sizeof *dst);
        } else {
            const int8_t *src = view_at(in, iy, ix) + g * cin_g + c;
            for (int32_t i = 0; i < n; i++)
                dst[i] = (int16_t)(src[i] + off);
        }
        k += n;
    }
    if (end - k0 < kc)
        memset(row + (end - k0), 0, (size_t)(kc - (end - k0)) * sizeof *row);
}

/*
 * acc[p * acc_stride + o] += dot(rows[p], w[o]) for npix rows of kc elements
 * and noc4 (a multiple of 4) filter rows w_stride elements apart.
 */
MP_TARGET_CLONES
static void dot_block(const int16_t *rows, int32_t npix, int32_t kc, const int16_t *w,
                      int32_t w_stride, int32_t noc4, int32_t *acc, int32_t acc_stride)
{
    for (int32_t o = 0; o < noc4; o += 4) {
        const int16_t *w0 = w + (size_t)o * w_stride, *w1 = w0 + w_stride;
        const int16_t *w2 = w1 + w_stride, *w3 = w2 + w_stride;
        for (int32_t px = 0; px < npix; px++) {
            const int16_t *x = rows + (size_t)px * kc;
            int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int32_t i = 0; i < kc; i++) {
                int32_t xv = x[i];
                s0 += xv * w0[i];
                s1 += xv * w1[i];
                s2 += xv * w2[i];
                s3 += xv * w3[i];
            }
            int32_t *a = acc + (size_t)px * acc_stride + o;
            a[0] = wrap_add(a[0], s0);
            a[1] = wrap_add(a[1], s1);
            a[2] = wrap_add(a[2], s2);
            a[3] = wrap_add(a[3], s3);
        }
    }
}

MP_TARGET_CLONES
void exec_requant_row(const int32_t *acc, int32_t n, const int32_t *mult, const int32_t *shift,
                      int32_t offset, int32_t lo, int32_t hi, int8_t *out)
{
    for (int32_t i = 0; i < n; i++) {
        int32_t v = mp_add_wrap(mp_mbqm_vec(acc[i], mult[i], shift[i]), offset);
        out[i] = (int8_t)(v < lo ? lo : v > hi ? hi : v);
    }
}

typedef struct conv_block {
    int32_t oy, ox0, npix, g;
} conv_block;

/* One block: npix pixels of row oy starting at ox0, all output channels of group g. */
static void run_block(const exec_conv *p, const mp_view *in, const mp_view *out,
                      const conv_block *b, int16_t *rows, int32_t kc_max, int32_t *acc)
{
    int32_t oc_g = p->out_c / p->groups;
    bool one_chunk = kc_max >= p->kp;
    if (one_chunk)
        for (int32_t px = 0; px < b->npix; px++)
            gather(p, in, b->oy, b->ox0 + px, b->g, 0, p->kp, rows + (size_t)px * p->kp);
    for (int32_t oc0 = 0; oc0 < oc_g; oc0 += OC_CHUNK) {
        int32_t noc = oc_g - oc0 < OC_CHUNK ? oc_g - oc0 : OC_CHUNK;
        int32_t noc4 = round_up(noc, 4);
        int32_t ch0 = b->g * oc_g + oc0;
        for (int32_t px = 0; px < b->npix; px++)
            for (int32_t o = 0; o < noc4; o++)
                acc[px * OC_CHUNK + o] = p->bias && o < noc ? p->bias[ch0 + o] : 0;
        const int16_t *w = p->w16 + ((size_t)b->g * p->oc4 + oc0) * (size_t)p->kp;
        for (int32_t k0 = 0; k0 < p->kp; k0 += kc_max) {
            int32_t kc = p->kp - k0 < kc_max ? p->kp - k0 : kc_max;
            if (!one_chunk)
                for (int32_t px = 0; px < b->npix; px++)
                    gather(p, in, b->oy, b->ox0 + px, b->g, k0, kc, rows + (size_t)px * kc);
            dot_block(rows, b->npix, kc, w + k0, p->kp, noc4, acc, OC_CHUNK);
        }
        for (int32_t px = 0; px < b->npix; px++)
            exec_requant_row(acc + px * OC_CHUNK, noc, p->rq.mult + ch0, p->rq.shift + ch0,
                             p->rq.out_offset, p->rq.act_min, p->rq.act_max,
                             view_at(out, b->oy, b->ox0 + px) + ch0);
    }
}

void exec_conv_run(const exec_conv *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    int16_t rows[ROW_ELEMS];
    int32_t acc[MAX_PIX * OC_CHUNK];
    int32_t kc_max = p->kp < ROW_ELEMS ? p->kp : ROW_ELEMS;
    int32_t pix_max = ROW_ELEMS / kc_max < MAX_PIX ? ROW_ELEMS / kc_max : MAX_PIX;
    for (int32_t oy = r.y0; oy < r.y1; oy++) {
        for (int32_t ox0 = r.x0; ox0 < r.x1; ox0 += pix_max) {
            conv_block b = {oy, ox0, r.x1 - ox0 < pix_max ? r.x1 - ox0 : pix_max, 0};
            for (b.g = 0; b.g < p->groups; b.g++)
                run_block(p, in, out, &b, rows, kc_max, acc);
        }
    }
}
