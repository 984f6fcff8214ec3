/* SPDX-License-Identifier: MIT */
/*
 * test_scratch.c - kernel scratch per op (mp_scratch.h) against CMSIS-NN's documented
 * buffer-size formulas: on the shapes of the CMSIS-NN test vectors (../shared/vectors) and
 * on every op of person_detect and vww_96_int8 (../shared/models), where the graph rule
 * must also agree with the TFLM arena prediction's scratch requests (a separate reading
 * of the flatbuffer). Skips when ../shared is absent.
 */
#include "memplan/memplan.h"

#include <cJSON.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#ifndef MEMPLAN_SOURCE_ROOT
#define MEMPLAN_SOURCE_ROOT "."
#endif
#define SHARED MEMPLAN_SOURCE_ROOT "/../shared"

/* The formulas as CMSIS-NN documents them (DSP build), written out independently. */
static size_t expect_conv(long c, long fc, long kh, long kw, long ph, long pw, long dh, long dw)
{
    if (kh == 1 && kw == 1 && ph == 0 && pw == 0 && dh == 1 && dw == 1 && c == fc)
        return 0;                          /* arm_convolve_1x1_s8(_fast) */
    long cols = c * kh * kw;
    long aligned = cols % 4 ? cols + 4 - cols % 4 : cols;
    return (size_t)(2 * aligned * 2);      /* 2 im2col columns of int16 */
}

static size_t expect_dw(long c, long out_c, long kh, long kw, long ph, long pw, long dh, long dw)
{
    if (c != out_c || dh != 1 || dw != 1)
        return 0;                          /* arm_depthwise_conv_s8 */
    if (kh == 3 && kw == 3 && ph <= 1 && pw <= 1)
        return 0;                          /* arm_depthwise_conv_3x3_s8 */
    return (size_t)(c * kh * kw * 2);      /* arm_depthwise_conv_s8_opt */
}

static void test_known_values(void **state)
{
    (void)state;
    mp_cmsis_conv c = {.in_c = 2, .filter_c = 2, .out_c = 4, .kernel_h = 3, .kernel_w = 3,
                       .pad_h = 1, .pad_w = 1, .dilation_h = 1, .dilation_w = 1};
    assert_int_equal(mp_cmsis_conv_s8_buffer_size(&c), 80); /* 18 -> 20 columns x 2 x 2 B */
    c = (mp_cmsis_conv){.in_c = 16, .filter_c = 16, .out_c = 8, .kernel_h = 1, .kernel_w = 1,
                        .dilation_h = 1, .dilation_w = 1};
    assert_int_equal(mp_cmsis_conv_s8_buffer_size(&c), 0);
    c.filter_c = 8; /* grouped: not the 1x1 path */
    assert_int_equal(mp_cmsis_conv_s8_buffer_size(&c), 64);
    c = (mp_cmsis_conv){.in_c = 8, .filter_c = 8, .out_c = 8, .kernel_h = 5, .kernel_w = 5,
                        .pad_h = 2, .pad_w = 2, .dilation_h = 1, .dilation_w = 1};
    assert_int_equal(mp_cmsis_dw_s8_buffer_size(&c), 400);
    c.kernel_h = c.kernel_w = 3;
    c.pad_h = c.pad_w = 1;
    assert_int_equal(mp_cmsis_dw_s8_buffer_size(&c), 0);
    c.out_c = 16; /* multiplier 2 */
    c.kernel_h = 5;
    assert_int_equal(mp_cmsis_dw_s8_buffer_size(&c), 0);
    assert_int_equal(mp_cmsis_avgpool_s8_buffer_size(256), 1024);
}

static long num(const cJSON *params, const char *key, long def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, key);
    return cJSON_IsNumber(v) ? (long)v->valuedouble : def;
}

static int check_vector(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = 0;
    fclose(f);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    assert_non_null(doc);
    const char *op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "op"));
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(doc, "params");
    int checked = 1;
    long c = num(p, "in_ch", 0), kh = num(p, "kernel_h", 1), kw = num(p, "kernel_w", 1);
    long ph = num(p, "pad_h", 0), pw = num(p, "pad_w", 0);
    long dh = num(p, "dilation_h", 1), dw = num(p, "dilation_w", 1);
    mp_cmsis_conv cc = {(int32_t)c, (int32_t)num(p, "filter_in_ch", c), (int32_t)num(p, "out_ch", c),
                        (int32_t)kh, (int32_t)kw, (int32_t)ph, (int32_t)pw, (int32_t)dh,
                        (int32_t)dw};
    if (op && strcmp(op, "conv2d") == 0)
        assert_int_equal(mp_cmsis_conv_s8_buffer_size(&cc),
                         expect_conv(c, cc.filter_c, kh, kw, ph, pw, dh, dw));
    else if (op && strcmp(op, "depthwise_conv2d") == 0)
        assert_int_equal(mp_cmsis_dw_s8_buffer_size(&cc),
                         expect_dw(c, cc.out_c, kh, kw, ph, pw, dh, dw));
    else if (op && strcmp(op, "avg_pool2d") == 0)
        assert_int_equal(mp_cmsis_avgpool_s8_buffer_size((int32_t)c), (size_t)(c * 4));
    else
        checked = 0;
    cJSON_Delete(doc);
    return checked;
}

static void test_vectors(void **state)
{
    (void)state;
    DIR *d = opendir(SHARED "/vectors/cmsis-nn");
    if (!d) {
        print_message("%s/vectors/cmsis-nn is absent (../shared missing): skipped\n", SHARED);
        skip();
    }
    int checked = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/vectors/cmsis-nn/%s", SHARED, e->d_name);
        checked += check_vector(path);
    }
    closedir(d);
    assert_true(checked >= 49); /* 31 conv + 12 depthwise + 6 avg pool cases */
}

/* Every op of a shared model: the graph rule against the formulas, and the sum against the
 * CMSIS-NN scratch requests of the TFLM prediction (less the reference kernels' own). */
static void check_model(const char *name, size_t expect_total)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/models/%s", SHARED, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        print_message("%s is absent (../shared missing): skipped\n", path);
        skip();
    }
    fclose(f);
    mp_error err;
    mp_error_init(&err);
    mp_graph *g;
    assert_int_equal(mp_import_file(path, &g, &err), MP_OK);
    size_t sum = 0;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        const mp_op *o = &g->ops[i];
        const mp_tensor *in = &g->tensors[o->in[0]], *out = &g->tensors[o->out[0]];
        size_t want = 0;
        if (o->type == MP_OP_CONV2D)
            want = expect_conv(in->shape.c, g->tensors[o->in[1]].shape.c, o->p.kernel_h,
                               o->p.kernel_w, o->p.pad_top, o->p.pad_left, o->p.dilation_h,
                               o->p.dilation_w);
        else if (o->type == MP_OP_DEPTHWISE_CONV2D)
            want = expect_dw(in->shape.c, out->shape.c, o->p.kernel_h, o->p.kernel_w,
                             o->p.pad_top, o->p.pad_left, o->p.dilation_h, o->p.dilation_w);
        else if (o->type == MP_OP_AVG_POOL2D)
            want = (size_t)in->shape.c * 4;
        assert_int_equal(mp_op_scratch_bytes(g, i, MP_TFLM_KERNELS_CMSIS_NN), want);
        assert_int_equal(mp_op_scratch_bytes(g, i, MP_TFLM_KERNELS_REFERENCE), 0);
        sum += want;
    }
    assert_int_equal(sum, expect_total);
    mp_tflm_arena cmsis, ref;
    assert_int_equal(mp_tflm_arena_predict_file(path, MP_TFLM_KERNELS_CMSIS_NN,
                                                MP_TFLM_TARGET_MCU32, &cmsis, &err), MP_OK);
    assert_int_equal(mp_tflm_arena_predict_file(path, MP_TFLM_KERNELS_REFERENCE,
                                                MP_TFLM_TARGET_MCU32, &ref, &err), MP_OK);
    assert_int_equal(cmsis.scratch_bytes - ref.scratch_bytes, sum);
    /* the per-layer plan counts each op's scratch at its step only */
    mp_plan_opts po;
    mp_plan_opts_init(&po);
    po.kernels = MP_TFLM_KERNELS_CMSIS_NN;
    mp_per_layer pl;
    assert_int_equal(mp_plan_per_layer(g, NULL, &po, &pl, &err), MP_OK);
    for (uint32_t s = 0; s < pl.n_steps; s++)
        assert_int_equal(pl.steps[s].kernel_bytes,
                         mp_op_scratch_bytes(g, pl.steps[s].op, MP_TFLM_KERNELS_CMSIS_NN));
    assert_true(pl.peak_bytes >= pl.tensor_peak_bytes);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

static void test_person_detect(void **state)
{
    (void)state;
    check_model("person_detect.tflite", 1024); /* the average pool over 256 channels */
}

static void test_vww(void **state)
{
    (void)state;
    /* the first 3x3 conv over 3 channels: 27 -> 28 columns x 2 x 2 B = 112; the average pool
     * over 256 channels: 1,024; 3x3 depthwise with padding 1 and 1x1 convolutions: none */
    check_model("vww_96_int8.tflite", 112 + 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_person_detect),
        cmocka_unit_test(test_vww),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
