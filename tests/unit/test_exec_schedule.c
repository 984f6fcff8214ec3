/* SPDX-License-Identifier: MIT */
/*
 * test_exec_schedule.c - schedules run inside their planned arena are bit-exact
 * against the per-layer reference (module exec): bundled nets with per-layer
 * and several patch schedules (splits, even/uneven grids, recompute/cache,
 * in-place, streamed input, reductions), fused multi-stage schedules, random
 * nets with random schedules; and a deliberately broken layout is caught.
 */
#include "test_helpers.h"

#include "memplan/mp_exec.h"
#include "memplan/mp_rt.h"

#include <stdlib.h>

static mp_graph *load(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", MEMPLAN_SOURCE_ROOT, rel);
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_import_file(path, &g, &err) != MP_OK) {
        print_error("%s\n", err.msg);
        fail();
    }
    return g;
}

/* Also run the schedules of up to RT_MAX_MACS MACs through memplan_rt (person
 * detection, MobileNetV1 0.25, the random nets; not MobileNetV2: the runtime's
 * reference loops take minutes under the sanitizers; the qemu suite, test_rt and
 * `validate` run the larger networks through it). */
#define RT_MAX_MACS 12000000u

/* Run s and the reference on a seeded input; return the number of differing bytes. */
static uint64_t run_and_compare(const mp_exec_model *m, const mp_schedule *s, uint64_t seed)
{
    const mp_graph *g = s->g;
    mp_error err;
    mp_error_init(&err);
    int8_t **in = calloc(g->n_inputs, sizeof *in), **out = calloc(g->n_outputs, sizeof *out);
    const int8_t **ref = calloc(g->n_outputs, sizeof *ref);
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        size_t n = g->tensors[g->inputs[i]].size_bytes;
        in[i] = malloc(n);
        assert_int_equal(mp_exec_random_input(m, i, seed + i, in[i], n, &err), MP_OK);
    }
    for (uint32_t k = 0; k < g->n_outputs; k++)
        out[k] = malloc(g->tensors[g->outputs[k]].size_bytes);
    mp_exec_run run;
    assert_int_equal(mp_exec_run_reference(m, (const int8_t *const *)in, true, &run, &err), MP_OK);
    for (uint32_t k = 0; k < g->n_outputs; k++)
        ref[k] = mp_exec_run_output(&run, m, k);
    mp_exec_schedule_stats st;
    mp_exec_mismatch first;
    if (mp_exec_run_schedule(m, s, (const int8_t *const *)in, out, &run, &st, &first, &err) !=
        MP_OK) {
        print_error("%s\n", err.msg);
        fail();
    }
    assert_int_equal(st.arena_bytes, s->arena_bytes);
    mp_exec_mismatch mm;
    mp_exec_compare_outputs(m, ref, (const int8_t *const *)out, &mm);
    assert_true(first.tensors_checked > 0);
    if (first.found && !mm.n_different)
        mm.n_different = 1; /* an intermediate tensor differs: count it */
    /* the same schedule as memplan_rt tables (what export writes) through the runtime */
    mp_rt_tables *t = NULL;
    bool rt = s->macs <= RT_MAX_MACS;
    if (rt && (mp_rt_tables_new(m, s, &t, &err) != MP_OK ||
        mp_rt_run(t, (const int8_t *const *)in, out, &run, NULL, &first, &err) != MP_OK)) {
        print_error("%s\n", err.msg);
        fail();
    }
    mp_rt_tables_free(t);
    mp_exec_mismatch rm;
    mp_exec_compare_outputs(m, ref, (const int8_t *const *)out, &rm);
    if (rt)
        mm.n_different += rm.n_different + (first.found && !rm.n_different ? 1 : 0);
    mp_exec_run_release(&run);
    for (uint32_t i = 0; i < g->n_inputs; i++)
        free(in[i]);
    for (uint32_t k = 0; k < g->n_outputs; k++)
        free(out[k]);
    free(in);
    free(out);
    free(ref);
    return mm.n_different;
}

typedef struct variant {
    const char *split;
    uint32_t rows, cols;
    mp_cuts cuts;
    mp_halo halo;
    bool inplace, stream;
} variant;

static mp_schedule *build(const mp_graph *g, const variant *v)
{
    mp_schedule_spec spec;
    mp_schedule_spec_init(&spec);
    spec.opts.inplace_dw = v->inplace;
    spec.opts.inplace_ops = v->inplace;
    spec.opts.input_mode = v->stream ? MP_INPUT_STREAM : MP_INPUT_SRAM;
    mp_error err;
    mp_error_init(&err);
    if (v->split) {
        mp_per_layer pl;
        assert_int_equal(mp_plan_per_layer(g, NULL, &spec.opts, &pl, &err), MP_OK);
        spec.tiled[0] = (mp_patch_spec){0, 0, v->rows, v->cols, v->cuts, NULL, NULL, v->halo};
        assert_int_equal(mp_patch_spec_for_split(g, &pl, v->split, &spec.tiled[0], &err), MP_OK);
        spec.n_tiled = 1;
        mp_per_layer_release(&pl);
    }
    mp_schedule *s = NULL;
    if (mp_schedule_build(g, &spec, &s, &err) != MP_OK) {
        print_error("%s\n", err.msg);
        fail();
    }
    assert_true(s->layout_ok);
    return s;
}

static void check_net(const char *rel, const variant *vs, size_t n)
{
    mp_graph *g = load(rel);
    mp_exec_model *m;
    mp_exec_opts eo;
    mp_error err;
    mp_error_init(&err);
    mp_exec_opts_init(&eo);
    assert_int_equal(mp_exec_model_new(g, &eo, &m, &err), MP_OK);
    for (size_t i = 0; i < n; i++) {
        mp_schedule *s = build(g, &vs[i]);
        uint64_t diff = run_and_compare(m, s, 7 + i);
        if (diff)
            print_error("%s variant %zu (%s %ux%u %s %s): %llu bytes differ\n", rel, i,
                        vs[i].split ? vs[i].split : "per-layer", vs[i].rows, vs[i].cols,
                        mp_cuts_name(vs[i].cuts), mp_halo_name(vs[i].halo),
                        (unsigned long long)diff);
        assert_int_equal(diff, 0);
        mp_schedule_free(s);
    }
    mp_exec_model_free(m);
    mp_graph_free(g);
}

static void test_exec_schedule_mobilenetv2_144(void **state)
{
    (void)state;
    static const variant vs[] = {
        {NULL, 0, 0, MP_CUTS_EVEN, MP_HALO_RECOMPUTE, false, false},
        {NULL, 0, 0, MP_CUTS_EVEN, MP_HALO_RECOMPUTE, true, false},
        {"b2_project", 3, 3, MP_CUTS_EVEN, MP_HALO_RECOMPUTE, false, false},
        {"b4_project", 4, 3, MP_CUTS_BALANCED, MP_HALO_RECOMPUTE, true, true},
        {"b6_add", 4, 4, MP_CUTS_EVEN, MP_HALO_CACHE, true, true},
        {"b3_add", 5, 2, MP_CUTS_BALANCED, MP_HALO_CACHE, false, false},
        {"pool", 5, 5, MP_CUTS_EVEN, MP_HALO_CACHE, true, true}, /* the whole net + the mean */
        {"pool", 3, 2, MP_CUTS_BALANCED, MP_HALO_RECOMPUTE, false, true},
        {"b4_project", 8, 7, MP_CUTS_BALANCED, MP_HALO_CACHE_COLS, false, false},
        {"b6_add", 5, 6, MP_CUTS_EVEN, MP_HALO_CACHE_COLS, true, true},
        {"pool", 4, 5, MP_CUTS_EVEN, MP_HALO_CACHE_COLS, true, true},
    };
    check_net("nets/mobilenetv2-w0.35-r144.json", vs, sizeof vs / sizeof vs[0]);
}

static void test_exec_schedule_person(void **state)
{
    (void)state;
    static const variant vs[] = {
        {NULL, 0, 0, MP_CUTS_EVEN, MP_HALO_RECOMPUTE, true, false},
        {"b1_pw", 2, 2, MP_CUTS_EVEN, MP_HALO_RECOMPUTE, false, false},
        {"b4_dw", 3, 5, MP_CUTS_BALANCED, MP_HALO_CACHE, true, true},
        {"b6_pw", 6, 6, MP_CUTS_EVEN, MP_HALO_CACHE, false, true},
        {"pool", 3, 3, MP_CUTS_EVEN, MP_HALO_CACHE, true, true}, /* global avg pool */
        {"b4_dw", 4, 6, MP_CUTS_BALANCED, MP_HALO_CACHE_COLS, true, true},
    };
    check_net("nets/mobilenetv1-w0.25-r96-gray.json", vs, sizeof vs / sizeof vs[0]);
}

static void test_exec_schedule_mobilenetv2_224(void **state)
{
    (void)state;
    static const variant vs[] = {
        {NULL, 0, 0, MP_CUTS_EVEN, MP_HALO_RECOMPUTE, true, false},
        {"b4_project", 4, 4, MP_CUTS_EVEN, MP_HALO_RECOMPUTE, true, true},
        {"b7_project", 8, 7, MP_CUTS_BALANCED, MP_HALO_CACHE, true, true},
        {"b7_project", 8, 7, MP_CUTS_BALANCED, MP_HALO_CACHE_COLS, true, true},
    };
    check_net("nets/mobilenetv2-w1.0-r224.json", vs, sizeof vs / sizeof vs[0]);
}

/* The fused optimizer's schedules (several tiled blocks anywhere) are bit-exact. */
typedef struct progress_log {
    uint32_t calls, last, total;
    bool monotone;
} progress_log;

static void log_progress(void *ctx, uint32_t done, uint32_t total)
{
    progress_log *l = ctx;
    l->monotone = l->monotone && done >= l->last && done <= total;
    l->calls++;
    l->last = done;
    l->total = total;
}

static void test_exec_schedule_fused(void **state)
{
    (void)state;
    mp_graph *g = load("nets/mobilenetv2-w0.35-r144.json");
    mp_exec_model *m;
    mp_exec_opts eo;
    mp_error err;
    mp_error_init(&err);
    mp_exec_opts_init(&eo);
    assert_int_equal(mp_exec_model_new(g, &eo, &m, &err), MP_OK);
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    o.inplace_dw = true;
    o.input_mode = MP_INPUT_STREAM;
    mp_per_layer pl;
    assert_int_equal(mp_plan_per_layer(g, NULL, &o, &pl, &err), MP_OK);
    mp_fused_opts fo;
    mp_fused_opts_init(&fo);
    fo.max_rows = fo.max_cols = 6;
    progress_log plog = {.monotone = true};
    fo.progress = log_progress;
    fo.progress_ctx = &plog;
    mp_fused_result r;
    assert_int_equal(mp_fused_search(g, &pl, &o, &fo, &r, &err), MP_OK);
    assert_true(r.n_pareto >= 1);
    /* progress: once per start step and once at the end, never backwards, ending at total */
    assert_int_equal(plog.calls, pl.n_steps + 1);
    assert_true(plog.monotone);
    assert_int_equal(plog.last, plog.total);
    /* threads: the same candidates and front, segment by segment */
    mp_fused_opts fo3 = fo;
    fo3.jobs = 3;
    fo3.progress = NULL;
    mp_fused_result r3;
    assert_int_equal(mp_fused_search(g, &pl, &o, &fo3, &r3, &err), MP_OK);
    assert_int_equal(r3.n_blocks, r.n_blocks);
    assert_int_equal(r3.n_candidates, r.n_candidates);
    assert_int_equal(r3.n_evaluated, r.n_evaluated);
    assert_int_equal(r3.n_pareto, r.n_pareto);
    for (uint32_t i = 0; i < r.n_pareto; i++) {
        assert_int_equal(r3.pareto[i].peak, r.pareto[i].peak);
        assert_int_equal(r3.pareto[i].macs, r.pareto[i].macs);
        assert_int_equal(r3.pareto[i].n_segs, r.pareto[i].n_segs);
        for (uint32_t k = 0; k < r.pareto[i].n_segs; k++) {
            const mp_fused_seg *a = &r.pareto[i].segs[k], *b = &r3.pareto[i].segs[k];
            assert_int_equal(a->first_step, b->first_step);
            assert_int_equal(a->last_step, b->last_step);
            assert_int_equal(a->tiled, b->tiled);
            assert_int_equal(a->rows, b->rows);
            assert_int_equal(a->cols, b->cols);
            assert_int_equal(a->cuts, b->cuts);
            assert_int_equal(a->halo, b->halo);
            assert_int_equal(a->peak, b->peak);
            assert_int_equal(a->macs, b->macs);
        }
    }
    mp_fused_release(&r3);
    for (uint32_t i = 0; i < r.n_pareto; i += (r.n_pareto > 3 ? r.n_pareto / 3 : 1)) {
        const mp_fused_point *pt = &r.pareto[i];
        mp_schedule_spec spec;
        mp_schedule_spec_init(&spec);
        spec.opts = o;
        for (uint32_t k = 0; k < pt->n_segs; k++)
            if (pt->segs[k].tiled)
                spec.tiled[spec.n_tiled++] =
                    (mp_patch_spec){pt->segs[k].first_step, pt->segs[k].last_step,
                                    pt->segs[k].rows, pt->segs[k].cols, pt->segs[k].cuts, NULL,
                                    NULL, pt->segs[k].halo};
        mp_schedule *s;
        assert_int_equal(mp_schedule_build(g, &spec, &s, &err), MP_OK);
        assert_int_equal(s->peak_bytes, pt->peak); /* the optimizer's cost is the schedule's */
        assert_int_equal(s->macs, pt->macs);
        assert_int_equal(run_and_compare(m, s, 3), 0);
        mp_schedule_free(s);
    }
    mp_fused_release(&r);
    mp_per_layer_release(&pl);
    mp_exec_model_free(m);
    mp_graph_free(g);
}

/* Two live buffers placed on top of each other: the run must differ. */
static void test_exec_schedule_broken_layout_is_caught(void **state)
{
    (void)state;
    mp_graph *g = load("nets/mobilenetv2-w0.35-r144.json");
    mp_exec_model *m;
    mp_exec_opts eo;
    mp_error err;
    mp_error_init(&err);
    mp_exec_opts_init(&eo);
    assert_int_equal(mp_exec_model_new(g, &eo, &m, &err), MP_OK);
    variant v = {"b4_project", 3, 3, MP_CUTS_EVEN, MP_HALO_CACHE, true, true};
    mp_schedule *s = build(g, &v);
    assert_int_equal(run_and_compare(m, s, 5), 0);
    /* put the first two region buffers that live together at one offset */
    uint32_t a = UINT32_MAX, b = UINT32_MAX;
    for (uint32_t i = 0; i < s->n_buffers && b == UINT32_MAX; i++) {
        if (s->buffers[i].kind != MP_BUF_REGION)
            continue;
        if (a == UINT32_MAX)
            a = i;
        else if (s->buffers[i].first <= s->buffers[a].last && s->buffers[i].group != s->buffers[a].group)
            b = i;
    }
    assert_int_not_equal(b, UINT32_MAX);
    s->buffers[b].offset = s->buffers[a].offset;
    for (uint32_t i = 0; i < s->n_buffers; i++)
        if (s->buffers[i].group == b)
            s->buffers[i].offset = s->buffers[a].offset;
    assert_true(run_and_compare(m, s, 5) > 0);
    /* an offset past the arena is refused before anything runs */
    s->buffers[b].offset = s->arena_bytes;
    int8_t *in = malloc(g->tensors[g->inputs[0]].size_bytes), *out = malloc(1000);
    assert_int_equal(
        mp_exec_run_schedule(m, s, (const int8_t *const *)&in, &out, NULL, NULL, NULL, &err),
        MP_E_INVALID);
    free(in);
    free(out);
    mp_schedule_free(s);
    mp_exec_model_free(m);
    mp_graph_free(g);
}

/* Every shared model (real weights): per-layer and several patch schedules at
 * different splits, even and uneven grids, recompute and cache. */
static void test_exec_schedule_shared_models(void **state)
{
    (void)state;
    static const char *const models[] = {
        "person_detect", "vww_96_int8", "vww_96_14blk_836k_int8", "vww_96_20blk_791k_int8",
        "pretrainedResnet_quant", "kws_ref_model", "model_ToyCar_quant_fullint_micro_intio"};
    char path[512];
    snprintf(path, sizeof path, "%s/../shared/models/person_detect.tflite", MEMPLAN_SOURCE_ROOT);
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        print_message("skipped: ../shared/models is absent\n");
        skip();
    }
    fclose(probe);
    int runs = 0;
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "../shared/models/%s.tflite", models[i]);
        mp_graph *g = load(rel);
        mp_exec_model *m;
        mp_exec_opts eo;
        mp_error err;
        mp_error_init(&err);
        mp_exec_opts_init(&eo);
        assert_int_equal(mp_exec_model_new(g, &eo, &m, &err), MP_OK);
        int32_t last = mp_patch_last_patchable_step(g, NULL);
        for (int v = 0; v < 4; v++) {
            mp_schedule_spec spec;
            mp_schedule_spec_init(&spec);
            spec.opts.inplace_dw = v & 1;
            spec.opts.input_mode = v >= 2 ? MP_INPUT_STREAM : MP_INPUT_SRAM;
            if (v > 0 && last >= 1) {
                uint32_t split = (uint32_t)(last * v / 3);
                const mp_tensor *S = &g->tensors[g->ops[g->order[split]].out[0]];
                if (mp_patch_op_reduces(g, g->order[split]))
                    S = &g->tensors[g->ops[g->order[split]].in[0]];
                uint32_t r = S->shape.h >= 3 ? 3 : (uint32_t)S->shape.h;
                uint32_t c = S->shape.w >= 2 ? 2 : (uint32_t)S->shape.w;
                spec.tiled[0] = (mp_patch_spec){0, split, r, c,
                                                v == 2 ? MP_CUTS_BALANCED : MP_CUTS_EVEN, NULL,
                                                NULL,
                                                v == 1   ? MP_HALO_RECOMPUTE
                                                : v == 3 ? MP_HALO_CACHE_COLS
                                                         : MP_HALO_CACHE};
                spec.n_tiled = 1;
            }
            mp_schedule *s = NULL;
            mp_status st = mp_schedule_build(g, &spec, &s, &err);
            if (st == MP_E_UNSUPPORTED || st == MP_E_INVALID) { /* e.g. a grid larger than S */
                mp_error_init(&err);
                continue;
            }
            assert_int_equal(st, MP_OK);
            uint64_t diff = run_and_compare(m, s, 11 + (uint64_t)v);
            if (diff)
                print_error("%s variant %d: %llu bytes differ\n", models[i], v,
                            (unsigned long long)diff);
            assert_int_equal(diff, 0);
            runs++;
            mp_schedule_free(s);
        }
        mp_exec_model_free(m);
        mp_graph_free(g);
    }
    assert_true(runs >= 20);
}

static uint32_t rnd(uint64_t *s, uint32_t n)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((*s >> 33) % n);
}

/* Random small nets (odd sizes, strides, dilation, padding, residuals) x random
 * single-stage schedules: always bit-exact. */
static void test_exec_schedule_random_nets(void **state)
{
    (void)state;
    static const char *const pads[] = {"\"same\"", "\"valid\"", "[1,0,2,1]"};
    uint64_t seed = 99;
    int checked = 0;
    for (int iter = 0; iter < 60; iter++) {
        char json[4096];
        int h = 12 + (int)rnd(&seed, 12), w = 10 + (int)rnd(&seed, 14);
        int len = snprintf(json, sizeof json, NET_HEAD("[%d,%d,3]"), h, w);
        int layers = 2 + (int)rnd(&seed, 4);
        for (int l = 0; l < layers; l++) {
            int k = 1 + (int)rnd(&seed, 3), st = 1 + (int)rnd(&seed, 2), d = 1 + (int)rnd(&seed, 2);
            const char *op = rnd(&seed, 2) ? "conv2d" : "depthwise_conv2d";
            len += snprintf(json + len, sizeof json - (size_t)len,
                            "%s{\"name\":\"l%d\",\"op\":\"%s\",%s\"kernel\":%d,\"stride\":%d,"
                            "\"dilation\":%d,\"padding\":%s,\"activation\":\"relu\"}",
                            l ? "," : "", l, op, strcmp(op, "conv2d") == 0 ? "\"filters\":3," : "",
                            k, st, d, pads[rnd(&seed, 3)]);
            if (rnd(&seed, 3) == 0)
                len += snprintf(json + len, sizeof json - (size_t)len,
                                ",{\"name\":\"r%d\",\"op\":\"depthwise_conv2d\",\"kernel\":3},"
                                "{\"name\":\"a%d\",\"op\":\"add\",\"inputs\":[\"l%d\",\"r%d\"]}",
                                l, l, l, l);
        }
        len += snprintf(json + len, sizeof json - (size_t)len,
                        ",{\"name\":\"m\",\"op\":\"mean\"}" NET_TAIL);
        mp_graph *g = NULL;
        mp_error err;
        mp_error_init(&err);
        if (mp_import_json_text(json, strlen(json), "r.json", "", &g, &err) != MP_OK)
            continue;
        mp_exec_model *m;
        mp_exec_opts eo;
        mp_exec_opts_init(&eo);
        assert_int_equal(mp_exec_model_new(g, &eo, &m, &err), MP_OK);
        mp_schedule_spec spec;
        mp_schedule_spec_init(&spec);
        spec.opts.inplace_dw = rnd(&seed, 2);
        spec.opts.input_mode = rnd(&seed, 2) ? MP_INPUT_STREAM : MP_INPUT_SRAM;
        spec.opts.align = rnd(&seed, 2) ? 16 : 1;
        mp_per_layer pl;
        assert_int_equal(mp_plan_per_layer(g, NULL, &spec.opts, &pl, &err), MP_OK);
        uint32_t last = rnd(&seed, g->n_ops); /* may be the mean: a reduction stage */
        const mp_tensor *S = &g->tensors[g->ops[g->order[last]].out[0]];
        if (g->ops[g->order[last]].type == MP_OP_MEAN)
            S = &g->tensors[g->ops[g->order[last]].in[0]];
        uint32_t rows = 1 + rnd(&seed, (uint32_t)(S->shape.h < 4 ? S->shape.h : 4));
        uint32_t cols = 1 + rnd(&seed, (uint32_t)(S->shape.w < 4 ? S->shape.w : 4));
        spec.tiled[0] = (mp_patch_spec){0, last, rows, cols, rnd(&seed, 2) ? MP_CUTS_BALANCED : MP_CUTS_EVEN,
                                        NULL, NULL, (mp_halo)rnd(&seed, MP_HALO_COUNT)};
        spec.n_tiled = 1;
        mp_schedule *s = NULL;
        mp_status st = mp_schedule_build(g, &spec, &s, &err);
        if (st == MP_OK) {
            uint64_t diff = run_and_compare(m, s, (uint64_t)iter);
            if (diff)
                print_error("%s\nsplit step %u grid %ux%u: %llu bytes differ\n", json, last, rows,
                            cols, (unsigned long long)diff);
            assert_int_equal(diff, 0);
            checked++;
        } else {
            assert_true(st == MP_E_UNSUPPORTED || st == MP_E_INVALID); /* uncacheable, too many tiles */
        }
        mp_schedule_free(s);
        mp_per_layer_release(&pl);
        mp_exec_model_free(m);
        mp_graph_free(g);
    }
    assert_true(checked > 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_schedule_mobilenetv2_144),
        cmocka_unit_test(test_exec_schedule_person),
        cmocka_unit_test(test_exec_schedule_mobilenetv2_224),
        cmocka_unit_test(test_exec_schedule_fused),
        cmocka_unit_test(test_exec_schedule_broken_layout_is_caught),
        cmocka_unit_test(test_exec_schedule_random_nets),
        cmocka_unit_test(test_exec_schedule_shared_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
