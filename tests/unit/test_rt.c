/* SPDX-License-Identifier: MIT */
/*
 * test_rt.c - memplan_rt (src/rt) against the host executor (src/exec): the
 * tables of per-layer, patch (every halo mode, in place, streamed input) and
 * fused schedules of a net with every op the runtime runs give the bytes of
 * the host executor's schedule run and of the per-layer reference; the
 * runtime refuses a short arena and tables of another version.
 */
#include "test_helpers.h"

#include "memplan/mp_exec.h"
#include "memplan/mp_rt.h"
#include "memplan_rt/mprt.h"

#include "../../src/rt/mprt_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct fixture {
    mp_graph *g;
    mp_exec_model *m;
    int8_t *in;
    mp_exec_run ref;
} fixture;

static void setup_file(fixture *f, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", MEMPLAN_SOURCE_ROOT, file);
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_import_file(path, &f->g, &err), MP_OK);
    assert_int_equal(mp_exec_model_new(f->g, NULL, &f->m, &err), MP_OK);
    size_t n = f->g->tensors[f->g->inputs[0]].size_bytes;
    f->in = malloc(n);
    assert_int_equal(mp_exec_random_input(f->m, 0, 7, f->in, n, &err), MP_OK);
    const int8_t *ins[1] = {f->in};
    assert_int_equal(mp_exec_run_reference(f->m, ins, true, &f->ref, &err), MP_OK);
}

static void setup_net(fixture *f)
{
    setup_file(f, "tests/data/rt/allops.json");
}

static void teardown_net(fixture *f)
{
    mp_exec_run_release(&f->ref);
    free(f->in);
    mp_exec_model_free(f->m);
    mp_graph_free(f->g);
}

/* Run s through the runtime and the host executor; both must equal the reference. */
static void check_schedule(fixture *f, const mp_schedule *s)
{
    mp_error err;
    mp_error_init(&err);
    uint32_t no = f->g->n_outputs;
    assert_true(no >= 1 && no <= 4);
    int8_t *outs_h[4] = {NULL}, *outs_d[4] = {NULL};
    for (uint32_t k = 0; k < no; k++) {
        outs_h[k] = malloc(f->g->tensors[f->g->outputs[k]].size_bytes);
        outs_d[k] = malloc(f->g->tensors[f->g->outputs[k]].size_bytes);
    }
    const int8_t *ins[1] = {f->in};
    mp_exec_mismatch first;
    assert_int_equal(mp_exec_run_schedule(f->m, s, ins, outs_h, &f->ref, NULL, &first, &err), MP_OK);
    assert_false(first.found);
    mp_rt_tables *t = NULL;
    assert_int_equal(mp_rt_tables_new(f->m, s, &t, &err), MP_OK);
    mp_exec_schedule_stats st;
    assert_int_equal(mp_rt_run(t, ins, outs_d, &f->ref, &st, &first, &err), MP_OK);
    assert_false(first.found);
    assert_true(first.tensors_checked > 0);
    assert_int_equal(st.arena_bytes, s->arena_bytes);
    for (uint32_t k = 0; k < no; k++) {
        size_t n = f->g->tensors[f->g->outputs[k]].size_bytes;
        assert_memory_equal(outs_h[k], outs_d[k], n);
        assert_memory_equal(mp_exec_run_output(&f->ref, f->m, k), outs_d[k], n);
        free(outs_h[k]);
        free(outs_d[k]);
    }
    assert_true(mp_rt_tables_const_bytes(t) > 0);
    mp_rt_tables_free(t);
}

static mp_schedule *patch_schedule(const mp_graph *g, mp_halo halo, bool inplace, bool stream,
                                   uint32_t rows, uint32_t cols)
{
    mp_error err;
    mp_error_init(&err);
    mp_schedule_spec spec;
    mp_schedule_spec_init(&spec);
    spec.opts.inplace_dw = inplace;
    spec.opts.input_mode = stream ? MP_INPUT_STREAM : MP_INPUT_SRAM;
    mp_per_layer pl;
    assert_int_equal(mp_plan_per_layer(g, NULL, &spec.opts, &pl, &err), MP_OK);
    spec.tiled[0] = (mp_patch_spec){0, 0, rows, cols, MP_CUTS_EVEN, NULL, NULL, halo};
    assert_int_equal(mp_patch_spec_for_split(g, &pl, "cat", &spec.tiled[0], &err), MP_OK);
    spec.tiled[0].rows = rows;
    spec.tiled[0].cols = cols;
    spec.tiled[0].halo = halo;
    spec.n_tiled = 1;
    mp_per_layer_release(&pl);
    mp_schedule *s = NULL;
    assert_int_equal(mp_schedule_build(g, &spec, &s, &err), MP_OK);
    return s;
}

static void test_rt_per_layer(void **state)
{
    (void)state;
    fixture f;
    setup_net(&f);
    mp_error err;
    mp_error_init(&err);
    for (int inplace = 0; inplace < 2; inplace++) {
        mp_schedule_spec spec;
        mp_schedule_spec_init(&spec);
        spec.opts.inplace_dw = inplace;
        spec.opts.inplace_ops = inplace;
        mp_schedule *s = NULL;
        assert_int_equal(mp_schedule_build(f.g, &spec, &s, &err), MP_OK);
        check_schedule(&f, s);
        mp_schedule_free(s);
    }
    teardown_net(&f);
}

static void test_rt_patch_every_halo(void **state)
{
    (void)state;
    fixture f;
    setup_net(&f);
    for (int h = 0; h < MP_HALO_COUNT; h++)
        for (int v = 0; v < 4; v++) {
            mp_schedule *s = patch_schedule(f.g, (mp_halo)h, v & 1, v & 2, 2 + (uint32_t)v % 3,
                                            3 - (uint32_t)v % 2);
            check_schedule(&f, s);
            mp_schedule_free(s);
        }
    teardown_net(&f);
}

static void test_rt_refuses_short_arena_and_other_version(void **state)
{
    (void)state;
    fixture f;
    setup_net(&f);
    mp_error err;
    mp_error_init(&err);
    mp_schedule *s = patch_schedule(f.g, MP_HALO_CACHE, false, false, 2, 2);
    mp_rt_tables *t = NULL;
    assert_int_equal(mp_rt_tables_new(f.m, s, &t, &err), MP_OK);
    const mprt_model *md = mp_rt_tables_model(t);
    uint8_t *arena = malloc(md->arena_bytes);
    int8_t *in = calloc(1, md->input_bytes), *out = calloc(1, md->output_bytes);
    mprt_ctx ctx;
    mprt_ctx_init(&ctx);
    assert_int_equal(mprt_run(&ctx, md, arena, md->arena_bytes - 1, in, out), MPRT_E_ARENA);
    mprt_model other = *md;
    other.version = MPRT_FORMAT_VERSION + 1;
    assert_int_equal(mprt_run(&ctx, &other, arena, md->arena_bytes, in, out), MPRT_E_VERSION);
    other = *md;
    other.arena_bytes = 16; /* buffers past the end */
    assert_int_equal(mprt_run(&ctx, &other, arena, md->arena_bytes, in, out), MPRT_E_TABLE);
    assert_int_equal(mprt_run(&ctx, md, arena, md->arena_bytes, in, out), MPRT_OK);
    assert_true(ctx.patches == 4 && ctx.op_runs > 0);
    free(arena);
    free(in);
    free(out);
    mp_rt_tables_free(t);
    mp_schedule_free(s);
    teardown_net(&f);
}

/* Issue 15: 129 segments (64 one-op tiled segments between per-layer ones): the C
 * export writes segment index 128 (an int8_t field wrapped it), and the runtime's
 * tables run the schedule bit-exact. */
static void test_rt_129_segments(void **state)
{
    (void)state;
    char *json = malloc(65536);
    int len = snprintf(json, 65536, NET_HEAD("[6,5,4]"));
    for (int l = 0; l < 130; l++)
        len += snprintf(json + len, 65536 - (size_t)len,
                        "%s{\"name\":\"l%d\",\"op\":\"depthwise_conv2d\",\"kernel\":3}",
                        l ? "," : "", l);
    snprintf(json + len, 65536 - (size_t)len, NET_TAIL);
    mp_graph *g = test_graph_from_json(json);
    free(json);
    mp_error err;
    mp_error_init(&err);
    mp_schedule_spec spec;
    mp_schedule_spec_init(&spec);
    for (uint32_t k = 0; k < 64; k++)
        spec.tiled[k] = (mp_patch_spec){2 * k + 1, 2 * k + 1, 2, 2, MP_CUTS_EVEN, NULL, NULL,
                                        MP_HALO_RECOMPUTE};
    spec.n_tiled = 64;
    mp_schedule *s = NULL;
    assert_int_equal(mp_schedule_build(g, &spec, &s, &err), MP_OK);
    assert_int_equal(s->n_segments, 129);
    mp_strbuf h, c;
    mp_strbuf_init(&h);
    mp_strbuf_init(&c);
    assert_int_equal(mp_schedule_export_c(s, "seg", "seg.h", &h, &c, &err), MP_OK);
    const char *ops = strstr(c.buf, "seg_ops[SEG_N_OPS] = {");
    assert_non_null(ops);
    const char *op = strstr(ops, "{\"l129\", ");
    assert_non_null(op);
    int type, act, inplace, seg;
    assert_int_equal(sscanf(op + strlen("{\"l129\", "), "%d, %d, %d, %d", &type, &act, &inplace,
                            &seg), 4);
    assert_int_equal(seg, 128);
    /* ...into a field that holds it (it was an int8_t) */
    assert_null(strstr(h.buf, "int8_t segment;"));
    assert_non_null(strstr(h.buf, "int32_t segment;"));
    mp_strbuf_release(&h);
    mp_strbuf_release(&c);
    mp_exec_model *m = NULL;
    assert_int_equal(mp_exec_model_new(g, NULL, &m, &err), MP_OK);
    fixture f = {g, m, NULL, {0}};
    size_t n = g->tensors[g->inputs[0]].size_bytes;
    f.in = malloc(n);
    assert_int_equal(mp_exec_random_input(m, 0, 3, f.in, n, &err), MP_OK);
    const int8_t *ins[1] = {f.in};
    assert_int_equal(mp_exec_run_reference(m, ins, true, &f.ref, &err), MP_OK);
    check_schedule(&f, s);
    mp_schedule_free(s);
    teardown_net(&f);
}

/* real_ops.tflite: a float32 input (outside the arena, or held in it), float32 output,
 * and every op of the wider set (split, transpose_conv, strided_slice, ...). */
static void test_rt_real_ops_float_io(void **state)
{
    (void)state;
    fixture f;
    setup_file(&f, "tests/data/tflite/real_ops.tflite");
    assert_int_equal(f.g->tensors[f.g->inputs[0]].dtype, MP_DTYPE_FLOAT32);
    mp_error err;
    mp_error_init(&err);
    for (int v = 0; v < 4; v++) {
        mp_schedule_spec spec;
        mp_schedule_spec_init(&spec);
        spec.opts.count_float_input = v & 1;
        spec.opts.inplace_ops = v & 2;
        mp_schedule *s = NULL;
        assert_int_equal(mp_schedule_build(f.g, &spec, &s, &err), MP_OK);
        /* the float input has no buffer unless counted */
        assert_true((s->tensor_buffer[f.g->inputs[0]] >= 0) == (bool)(v & 1));
        check_schedule(&f, s);
        mp_schedule_free(s);
    }
    teardown_net(&f);
}

/* mprt_roundf is roundf (up to the sign of a zero) on every kind of float. */
static void test_rt_roundf(void **state)
{
    (void)state;
    static const float edge[] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f,
                                 8388607.5f, -8388607.5f, 8388608.0f, 1e30f, -1e30f,
                                 0.0f, -0.0f, 1e-40f, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        assert_true(mprt_roundf(edge[i]) == roundf(edge[i]));
    assert_true(isnan(mprt_roundf(NAN)));
    uint32_t x = 12345;
    for (int i = 0; i < 2000000; i++) {
        x = x * 1664525u + 1013904223u;
        float f;
        memcpy(&f, &x, sizeof f);
        if (isnan(f))
            continue;
        assert_true(mprt_roundf(f) == roundf(f));
    }
}

/* float32 -> int8 quantize: round(f / scale) + zp clamped; out of int32 range and NaN
 * give INT32_MIN (so -128); dequantize back to float. */
static void test_rt_convert_float(void **state)
{
    (void)state;
    static const float in[8] = {0.25f, -0.3125f, 0.3125f, 1e20f, -1e20f, NAN, 12.7f, -12.9f};
    static const int8_t want[8] = {4, -1, 5, -128, -128, -128, 104, -101};
    mprt_convert q = {MPRT_DT_FLOAT32, MPRT_DT_INT8, 8, 0, 2, 0, 0, 0.125f, 0.0};
    int8_t out[8];
    mprt_view vi = {(int8_t *)(uintptr_t)in, 0, 0, 1, 1, 32, 32};
    mprt_view vo = {out, 0, 0, 1, 1, 8, 8};
    mprt_rect r = {0, 1, 0, 1};
    mprt_convert_run(&q, &vi, &vo, r);
    for (int i = 0; i < 8; i++) {
        float e = roundf(in[i] / 0.125f);
        int32_t v = (e >= -2147483648.0f && e < 2147483648.0f) ? (int32_t)e : INT32_MIN;
        v = (int32_t)((uint32_t)v + 2u);
        assert_int_equal(out[i], v < -128 ? -128 : v > 127 ? 127 : v);
        assert_int_equal(out[i], want[i]);
    }
    float back[8];
    mprt_convert d = {MPRT_DT_INT8, MPRT_DT_FLOAT32, 8, 2, 0, 0, 0, 0.0f, 0.125};
    mprt_view vb = {(int8_t *)back, 0, 0, 1, 1, 32, 32};
    mprt_convert_run(&d, &vo, &vb, r);
    for (int i = 0; i < 8; i++)
        assert_true(back[i] == (float)(0.125 * (double)(out[i] - 2)));
}

/* uint8 <-> int8 requantization (multiplier 1.0 as 2^30 << 1) and uint8 -> float32. */
static void test_rt_convert_uint8(void **state)
{
    (void)state;
    static const uint8_t in[4] = {0, 127, 200, 255};
    int8_t q[4], back[4];
    mprt_convert to8 = {MPRT_DT_UINT8, MPRT_DT_INT8, 4, 128, 0, 1 << 30, 1, 0.0f, 0.0};
    mprt_view vi = {(int8_t *)(uintptr_t)in, 0, 0, 1, 1, 4, 4}, vq = {q, 0, 0, 1, 1, 4, 4};
    mprt_rect r = {0, 1, 0, 1};
    mprt_convert_run(&to8, &vi, &vq, r);
    static const int8_t want[4] = {-128, -1, 72, 127};
    assert_memory_equal(q, want, 4);
    mprt_convert tou = {MPRT_DT_INT8, MPRT_DT_UINT8, 4, 0, 128, 1 << 30, 1, 0.0f, 0.0};
    mprt_view vb = {back, 0, 0, 1, 1, 4, 4};
    mprt_convert_run(&tou, &vq, &vb, r);
    assert_memory_equal(back, in, 4);
    float f[4];
    mprt_convert tof = {MPRT_DT_UINT8, MPRT_DT_FLOAT32, 4, 128, 0, 0, 0, 0.0f, 0.5};
    mprt_view vf = {(int8_t *)f, 0, 0, 1, 1, 16, 16};
    mprt_convert_run(&tof, &vi, &vf, r);
    for (int i = 0; i < 4; i++)
        assert_true(f[i] == (float)(0.5 * (double)(in[i] - 128)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rt_per_layer),
        cmocka_unit_test(test_rt_patch_every_halo),
        cmocka_unit_test(test_rt_refuses_short_arena_and_other_version),
        cmocka_unit_test(test_rt_129_segments),
        cmocka_unit_test(test_rt_real_ops_float_io),
        cmocka_unit_test(test_rt_roundf),
        cmocka_unit_test(test_rt_convert_float),
        cmocka_unit_test(test_rt_convert_uint8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
