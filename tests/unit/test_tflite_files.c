/* SPDX-License-Identifier: MIT */
/*
 * test_tflite_files.c - the TFLite importer on whole files (module import):
 * damaged copies (truncated at many lengths, bytes flipped at many positions;
 * run under ASan by scripts/test.sh, so a single out-of-bounds read fails),
 * the committed fixtures still match their generator, and every model in
 * ../shared/models imports with the op counts of its README and analyzes
 * (skipped when ../shared is absent).
 */
#include "test_helpers.h"

#include "tflite_bad.h"

#include <stdlib.h>

#ifndef MEMPLAN_SOURCE_ROOT
#define MEMPLAN_SOURCE_ROOT "."
#endif

/* The source tree: tests/data and ../shared/models are found from here (argv[1] overrides). */
static const char *source_root = MEMPLAN_SOURCE_ROOT;

static tw_model model;
static tm_store store;

/* Import damaged copies of data: each gives a model or a clean error, never a crash (the
 * ASan build checks every read). Truncations must fail when they cut referenced bytes. */
static void damage(const unsigned char *data, size_t size, size_t trunc_step, size_t flip_step)
{
    unsigned char *copy = malloc(size);
    size_t errors = 0;
    for (size_t len = 0; len < size; len += len < 4096 ? 1 : trunc_step) {
        mp_graph *g = NULL;
        mp_error err;
        mp_error_init(&err);
        memcpy(copy, data, len);
        mp_status st = mp_import_tflite_buffer(copy, len, "cut.tflite", &g, &err);
        if (st == MP_OK)
            print_error("truncated to %zu of %zu bytes: imported\n", len, size);
        assert_int_not_equal(st, MP_OK);
        assert_true(err.msg[0] != '\0');
    }
    static const unsigned char masks[] = {0xff, 0x80, 0x01, 0x10};
    for (size_t pos = 0; pos < size; pos += pos < 2048 ? 1 : flip_step) {
        for (size_t m = 0; m < sizeof masks; m++) {
            mp_graph *g = NULL;
            mp_error err;
            mp_error_init(&err);
            memcpy(copy, data, size);
            copy[pos] ^= masks[m];
            if (mp_import_tflite_buffer(copy, size, "flip.tflite", &g, &err) == MP_OK) {
                mp_graph_free(g);
            } else {
                assert_true(err.msg[0] != '\0');
                errors++;
            }
        }
    }
    assert_true(errors > 0);
    free(copy);
}

static void test_tflite_corruption_fixture(void **state)
{
    (void)state;
    size_t size;
    tm_store_init(&store);
    tm_tiny_net(&model, &store);
    unsigned char *data = tw_write(&model, &size, NULL);
    damage(data, size, 1, 1);
    free(data);
}

static bool read_file(const char *path, unsigned char **data, size_t *size)
{
    char *d;
    mp_error err;
    mp_error_init(&err);
    if (mp_file_read(path, MP_IMPORT_MAX_FILE_BYTES, &d, size, &err) != MP_OK)
        return false;
    *data = (unsigned char *)d;
    return true;
}

static void test_tflite_corruption_real_model(void **state)
{
    (void)state;
    char path[4096];
    unsigned char *data = NULL;
    size_t size;
    snprintf(path, sizeof path, "%s/../shared/models/person_detect.tflite", source_root);
    if (!read_file(path, &data, &size)) {
        print_message("skipped: %s not found (../shared/models is absent)\n", path);
        skip();
    }
    damage(data, size, 997, 211);
    mp_file_free((char *)data);
}

/* ---- fixtures ------------------------------------------------------------------------- */

static void expect_file(const char *rel, const unsigned char *want, size_t want_size)
{
    char path[4096];
    unsigned char *got = NULL;
    size_t size;
    snprintf(path, sizeof path, "%s/tests/data/%s.tflite", source_root, rel);
    if (!read_file(path, &got, &size)) {
        print_error("%s is missing: run build/tests/gen_tflite_fixtures tests/data\n", path);
        fail();
    }
    if (size != want_size || memcmp(got, want, size) != 0) {
        print_error("%s differs from what gen_tflite_fixtures writes\n", path);
        fail();
    }
    mp_file_free((char *)got);
}

static void test_tflite_fixtures_are_current(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        void (*build)(tw_model *, tm_store *);
    } nets[] = {{"tflite/tiny_net", tm_tiny_net}, {"tflite/ops_net", tm_ops_net},
                {"tflite/unknown_ops", tm_unknown_net}};
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
        size_t size;
        tm_store_init(&store);
        nets[i].build(&model, &store);
        unsigned char *data = tw_write(&model, &size, NULL);
        expect_file(nets[i].name, data, size);
        free(data);
    }
    size_t n;
    const tm_bad *cases = tm_bad_cases(&n);
    for (size_t i = 0; i < n; i++) {
        char rel[128];
        size_t size;
        unsigned char *data = tm_bad_build(&cases[i], &store, &size);
        snprintf(rel, sizeof rel, "bad/%s", cases[i].name);
        expect_file(rel, data, size);
        free(data);
    }
}

/* ---- the shared models ---------------------------------------------------------------- */

typedef struct shared_model {
    const char *name;
    uint32_t ops, conv, dw, fc, add, other;
    mp_shape input;
} shared_model;

/* From ../shared/models/README.md: op counts and input shapes. */
static const shared_model shared[] = {
    {"vww_96_int8", 31, 14, 13, 1, 0, 3, {1, 96, 96, 3}},
    {"vww_96_14blk_836k_int8", 31, 14, 13, 1, 0, 3, {1, 96, 96, 3}},
    {"vww_96_20blk_791k_int8", 43, 20, 19, 1, 0, 3, {1, 96, 96, 3}},
    {"pretrainedResnet_quant", 16, 9, 0, 1, 3, 3, {1, 32, 32, 3}},
    {"kws_ref_model", 13, 5, 4, 1, 0, 3, {1, 49, 10, 1}},
    {"model_ToyCar_quant_fullint_micro_intio", 10, 0, 0, 10, 0, 0, {1, 1, 1, 640}},
    {"person_detect", 31, 14, 14, 0, 0, 3, {1, 96, 96, 1}},
};

static void check_shared_model(const shared_model *m, const mp_graph *g)
{
    uint32_t count[MP_OP_COUNT] = {0};
    for (uint32_t i = 0; i < g->n_ops; i++)
        count[g->ops[i].type]++;
    assert_int_equal(g->n_ops, m->ops);
    assert_int_equal(count[MP_OP_CONV2D], m->conv);
    assert_int_equal(count[MP_OP_DEPTHWISE_CONV2D], m->dw);
    assert_int_equal(count[MP_OP_FULLY_CONNECTED], m->fc);
    assert_int_equal(count[MP_OP_ADD], m->add);
    assert_int_equal(count[MP_OP_UNKNOWN], 0);
    assert_int_equal(g->n_inputs, 1);
    const mp_tensor *in = &g->tensors[g->inputs[0]];
    assert_int_equal(in->dtype, MP_DTYPE_INT8);
    assert_memory_equal(&in->shape, &m->input, sizeof m->input);
    assert_true(g->macs > 0);
}

static void test_tflite_shared_models(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/../shared/models/%s.tflite", source_root, shared[i].name);
        FILE *f = fopen(path, "rb");
        if (!f) {
            print_message("skipped: %s not found (../shared/models is absent)\n", path);
            skip();
        }
        fclose(f);
        mp_graph *g = NULL;
        mp_error err;
        mp_error_init(&err);
        if (mp_import_file(path, &g, &err) != MP_OK) {
            print_error("%s\n", err.msg);
            fail();
        }
        check_shared_model(&shared[i], g);
        mp_per_layer pl;
        size_t tflm;
        assert_int_equal(mp_plan_per_layer(g, NULL, NULL, &pl, &err), MP_OK);
        assert_int_equal(mp_plan_tflm_greedy(g, MP_TFLM_ALIGN, &tflm, &err), MP_OK);
        assert_true(pl.peak_bytes <= tflm);
        if (strcmp(shared[i].name, "person_detect") == 0) {
            /* TFLM's person-detection test runs this model in a 136 KiB arena */
            assert_true(tflm < 136 * 1024);
            assert_int_equal(g->ops[0].p.depth_multiplier, 8);
        }
        mp_per_layer_release(&pl);
        mp_graph_free(g);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tflite_corruption_fixture),
        cmocka_unit_test(test_tflite_corruption_real_model),
        cmocka_unit_test(test_tflite_fixtures_are_current),
        cmocka_unit_test(test_tflite_shared_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
