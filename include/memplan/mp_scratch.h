/* SPDX-License-Identifier: MIT */
/*
 * mp_scratch.h - kernel scratch buffers (module plan, src/plan/scratch.c):
 * the temporary memory a kernel library asks for while one operator runs
 * (TFLite Micro's RequestScratchBufferInArena), on top of the tensors.
 *
 * CMSIS-NN's *_get_buffer_size rules for a Cortex-M with the DSP extension
 * (M4, M7, M33, M55 without MVE), built with GCC, restated from its sources
 * (ARM-software/CMSIS-NN as vendored by TFLite Micro 90b983c2):
 *
 *   conv (arm_convolve_wrapper_s8_get_buffer_size): 0 for a 1x1 filter with
 *     no padding, no dilation and as many filter as input channels (the
 *     arm_convolve_1x1_s8 / _fast paths); otherwise, for the 1xN path and the
 *     general path alike, two im2col columns of int16: 2 * 2 * ceil4(in_c *
 *     kernel_h * kernel_w) bytes;
 *   depthwise (arm_depthwise_conv_wrapper_s8_get_buffer_size): 0 unless the
 *     output has as many channels as the input (multiplier 1) with no
 *     dilation; then 0 for a 3x3 filter with padding <= 1 (arm_depthwise_
 *     conv_3x3_s8), else in_c * kernel_h * kernel_w int16 (arm_depthwise_
 *     conv_s8_opt); other multipliers run arm_depthwise_conv_s8: 0;
 *   average pool (arm_avgpool_s8_get_buffer_size): one int32 per channel;
 *   fully connected, max pool, softmax, elementwise ops: 0.
 *
 * None of them depends on the spatial size (height, width) of the tensors:
 * only on channels, the filter size, padding and dilation. A tile of a patch
 * or fused schedule runs the same kernel on a smaller region, whose padding
 * is the layer's at the tensor's border and 0 inside, so the path (and the
 * size) is the same as the whole layer's: the scratch of an op is the same in
 * every patch. TFLite Micro's reference kernels request no scratch for these
 * ops. Only int8 operators are sized (other types: 0).
 */
#ifndef MEMPLAN_MP_SCRATCH_H
#define MEMPLAN_MP_SCRATCH_H

#include "memplan/mp_graph.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel library an int8 network runs with. */
typedef enum mp_tflm_kernels {
    MP_TFLM_KERNELS_REFERENCE, /* TFLM's reference kernels (tensorflow/lite/micro/kernels) */
    MP_TFLM_KERNELS_CMSIS_NN,  /* kernels/cmsis_nn on a Cortex-M with the DSP extension */
    MP_TFLM_KERNELS_COUNT
} mp_tflm_kernels;

/* The shape facts CMSIS-NN's buffer-size rules read (cmsis_nn_dims and conv params). */
typedef struct mp_cmsis_conv {
    int32_t in_c;                   /* input channels */
    int32_t filter_c;               /* filter input channels (in_c / groups) */
    int32_t out_c;                  /* output channels */
    int32_t kernel_h, kernel_w;
    int32_t pad_h, pad_w;           /* top and left padding */
    int32_t dilation_h, dilation_w;
} mp_cmsis_conv;

/* arm_convolve_wrapper_s8_get_buffer_size (DSP, GCC). */
size_t mp_cmsis_conv_s8_buffer_size(const mp_cmsis_conv *c);
/* arm_depthwise_conv_wrapper_s8_get_buffer_size (DSP). */
size_t mp_cmsis_dw_s8_buffer_size(const mp_cmsis_conv *c);
/* arm_avgpool_s8_get_buffer_size (DSP). */
size_t mp_cmsis_avgpool_s8_buffer_size(int32_t channels);

/*
 * The scratch bytes op of g asks for with kernels (0 for the reference
 * kernels, for ops without a buffer and for non-int8 ops). SIZE_MAX when the
 * product overflows (only for absurd shapes; callers' checked sums fail).
 */
size_t mp_op_scratch_bytes(const mp_graph *g, uint32_t op, mp_tflm_kernels kernels);

#ifdef __cplusplus
}
#endif

#endif
