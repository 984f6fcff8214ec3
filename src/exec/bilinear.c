/* SPDX-License-Identifier: MIT */
/*
 * bilinear.c - int8 RESIZE_BILINEAR over an output rectangle (module exec),
 * TFLite's ResizeBilinearInteger (what TFLite Micro runs for int8):
 *
 *   scale_10 = (1024 * in + out / 2) / out, or with align_corners
 *              (1024 * (in - 1) + (out - 1) / 2) / (out - 1) when out > 1;
 *   v = o * scale_10 (+ scale_10 / 2 - 512 with half_pixel_centers),
 *   lo = max(v / 1024, 0), hi = min((v + 1023) / 1024, in - 1) (C division);
 *   out = sum of the four corner values times their Q10 x Q10 weights
 *         (1024 - (v - 1024 lo) and v - 1024 lo per axis), rounded half away
 *         from zero at 2^20 (mprt_bilinear_px, the runtime's own arithmetic).
 *
 * The source positions are mp_resize_bilinear_src's (plan/patch_region.c), the
 * same function the planner's region rule uses (memplan_rt gets them as tables
 * built with it, rt_params.c). Input and output share quantization (TFLite
 * requires it). The output may not alias the input. No allocation, no libc.
 */
#include "rt_params.h"

void exec_bilinear_run(const exec_bilinear *p, const mp_view *in, const mp_view *out, mp_rect r)
{
    for (int32_t y = r.y0; y < r.y1; y++) {
        int32_t vy, y0, y1;
        mp_resize_bilinear_src(y, p->scale_h, p->half_pixel_centers, p->in_h, &vy, &y0, &y1);
        for (int32_t x = r.x0; x < r.x1; x++) {
            int32_t vx, x0, x1;
            mp_resize_bilinear_src(x, p->scale_w, p->half_pixel_centers, p->in_w, &vx, &x0, &x1);
            mprt_bilinear_px(view_at(in, y0, x0), view_at(in, y1, x0), view_at(in, y0, x1),
                             view_at(in, y1, x1), vy - 1024 * y0, vx - 1024 * x0, p->c,
                             view_at(out, y, x));
        }
    }
}
