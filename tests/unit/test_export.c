/* SPDX-License-Identifier: MIT */
/*
 * test_export.c - net.json written from a graph (module import): a .tflite and
 * its conversion describe the same network - same hash, names, shapes,
 * quantization, weights and analysis figures (TFLite Micro's arena included) -
 * with weights embedded or referenced from the .tflite; graphs net.json
 * cannot express give clear errors; allocation failures are clean.
 */
#include "test_helpers.h"

#include "tflite_models.h"

#include <stdlib.h>

#ifndef MEMPLAN_SOURCE_ROOT
#define MEMPLAN_SOURCE_ROOT "."
#endif

/* The source tree: tests/data and ../shared/models are found from here (argv[1] overrides). */
static const char *source_root = MEMPLAN_SOURCE_ROOT;
static tw_model model;
static tm_store store;

typedef struct figures {
    size_t peak, tflm;
} figures;

static figures analyse(const mp_graph *g)
{
    figures f;
    mp_per_layer pl;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_per_layer(g, NULL, NULL, &pl, &err), MP_OK);
    assert_int_equal(mp_plan_tflm_greedy(g, MP_TFLM_ALIGN, &f.tflm, &err), MP_OK);
    f.peak = pl.peak_bytes;
    mp_per_layer_release(&pl);
    return f;
}

static void same_quant(const mp_quant *a, const mp_quant *b)
{
    assert_int_equal(a->n, b->n);
    if (a->n > 1)
        assert_int_equal(a->axis, b->axis);
    for (uint32_t i = 0; i < a->n; i++) {
        assert_true(a->scale[i] == b->scale[i]); /* %.9g round-trips a float exactly */
        assert_int_equal(a->zero_point[i], b->zero_point[i]);
    }
}

/* Every tensor some op uses in a has a twin in b with the same name and contents. */
static void same_network(const mp_graph *a, const mp_graph *b)
{
    assert_string_equal(a->hash, b->hash);
    assert_int_equal(a->n_ops, b->n_ops);
    assert_int_equal(a->macs, b->macs);
    assert_int_equal(a->params, b->params);
    assert_int_equal(a->weight_bytes, b->weight_bytes);
    figures fa = analyse(a), fb = analyse(b);
    assert_int_equal(fa.peak, fb.peak);
    assert_int_equal(fa.tflm, fb.tflm);
    for (uint32_t i = 0; i < a->n_ops; i++) {
        const mp_op *op = &a->ops[i];
        assert_string_equal(op->name, b->ops[i].name);
        assert_memory_equal(&op->p, &b->ops[i].p, sizeof op->p);
        for (uint32_t k = 0; k < op->n_in; k++) {
            if (op->in[k] == MP_NO_TENSOR)
                continue;
            const mp_tensor *x = &a->tensors[op->in[k]];
            const mp_tensor *y = &b->tensors[mp_graph_find_tensor(b, x->name)];
            assert_int_equal(x->dtype, y->dtype);
            assert_memory_equal(&x->shape, &y->shape, sizeof x->shape);
            same_quant(&x->quant, &y->quant);
            assert_int_equal(x->data != NULL, y->data != NULL);
            if (x->data)
                assert_memory_equal(x->data, y->data, x->size_bytes);
            if (!(x->flags & MP_TENSOR_CONST))
                assert_int_equal(x->source_index, y->source_index);
        }
    }
}

static mp_graph *import_text(const mp_strbuf *sb)
{
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_import_json_text(sb->buf, sb->len, "conv.json", "", &g, &err) != MP_OK) {
        print_error("re-import failed: %s\n", err.msg);
        fail();
    }
    return g;
}

static void roundtrip(const unsigned char *data, size_t size, const char *weights_file)
{
    mp_graph *g = NULL, *back;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_import_tflite_buffer(data, size, "m.tflite", &g, &err), MP_OK);
    mp_export_opts opts = {.weights_base = data, .weights_bytes = size,
                           .weights_file = weights_file};
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    assert_int_equal(mp_export_net_json(g, weights_file ? &opts : NULL, &sb, &err), MP_OK);
    assert_true(strstr(sb.buf, weights_file ? "\"file\": {\"offset\"" : "\"data_base64\""));
    back = import_text(&sb);
    same_network(g, back);
    mp_graph_free(back);
    mp_graph_free(g);
    mp_strbuf_release(&sb);
}

static void test_export_roundtrip_embedded(void **state)
{
    (void)state;
    void (*nets[])(tw_model *, tm_store *) = {tm_tiny_net, tm_ops_net};
    for (size_t i = 0; i < 2; i++) {
        size_t size;
        tm_store_init(&store);
        nets[i](&model, &store);
        unsigned char *data = tw_write(&model, &size, NULL);
        roundtrip(data, size, NULL);
        free(data);
    }
}

/* Weights referenced by offset from the .tflite itself. */
static void test_export_roundtrip_file_reference(void **state)
{
    (void)state;
    char path[4096], *data;
    size_t size;
    mp_error err;
    mp_error_init(&err);
    snprintf(path, sizeof path, "%s/tests/data/tflite/tiny_net.tflite", source_root);
    assert_int_equal(mp_file_read(path, MP_IMPORT_MAX_FILE_BYTES, &data, &size, &err), MP_OK);
    roundtrip((const unsigned char *)data, size, path);
    mp_file_free(data);
}

static void test_export_shared_models(void **state)
{
    (void)state;
    for (size_t i = 0; i < TM_N_SHARED; i++) {
        char path[4096], *data;
        size_t size;
        mp_error err;
        mp_error_init(&err);
        snprintf(path, sizeof path, "%s/../shared/models/%s.tflite", source_root,
                 tm_shared_models[i]);
        if (mp_file_read(path, MP_IMPORT_MAX_FILE_BYTES, &data, &size, &err) != MP_OK) {
            print_message("skipped: %s not found (../shared/models is absent)\n", path);
            skip();
        }
        roundtrip((const unsigned char *)data, size, path);
        roundtrip((const unsigned char *)data, size, NULL);
        mp_file_free(data);
    }
}

static mp_status export_error(void (*build)(tw_model *, tm_store *), void (*edit)(tw_model *),
                              char *msg, size_t n)
{
    size_t size;
    tm_store_init(&store);
    build(&model, &store);
    if (edit)
        edit(&model);
    unsigned char *data = tw_write(&model, &size, NULL);
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_import_tflite_buffer(data, size, "m.tflite", &g, &err), MP_OK);
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_status st = mp_export_net_json(g, NULL, &sb, &err);
    snprintf(msg, n, "%s", err.msg);
    mp_strbuf_release(&sb);
    mp_graph_free(g);
    free(data);
    return st;
}

/* in 4x4x2 -> add(in, a constant) -> conv 1x1 -> conv 1x1 with the same weights */
static void const_operands(tw_model *m, tm_store *s)
{
    static const int32_t shape[4] = {1, 4, 4, 2}, ws[4] = {2, 1, 1, 2};
    tw_init(m);
    uint32_t add = tw_opcode(m, TW_ADD, NULL), conv = tw_opcode(m, TW_CONV_2D, NULL);
    int32_t in = tm_act(m, "in", 4, 4, 2);
    int32_t k = tw_const(m, "k", TW_INT8, 4, shape, tm_bytes(s, 32), 32);
    int32_t sum = tm_act(m, "sum", 4, 4, 2);
    const int32_t add_in[2] = {in, k};
    tw_operator(m, add, 2, add_in, 1, &sum, TW_OPT_ADD);
    int32_t w = tm_weights(m, s, "w", 4, ws, 0);
    int32_t c1 = tm_act(m, "c1", 4, 4, 2), c2 = tm_act(m, "c2", 4, 4, 2);
    tm_conv(m, conv, sum, w, -1, c1, 0, 1, 0, 1);
    tm_conv(m, conv, c1, w, -1, c2, 0, 1, 0, 1);
    tw_io(m, in, c2);
}

static void add_reads_activations(tw_model *m)
{
    m->ops[0].in[1] = m->ops[0].in[0]; /* add(in, in): only the shared weights remain */
}

static void constant_first(tw_model *m)
{
    int32_t t = m->ops[0].in[0]; /* add(k, in): a constant where net.json reads a layer */
    m->ops[0].in[0] = m->ops[0].in[1];
    m->ops[0].in[1] = t;
}

static void test_export_unsupported(void **state)
{
    (void)state;
    char msg[512];
    assert_int_equal(export_error(tm_unknown_net, NULL, msg, sizeof msg), MP_E_UNSUPPORTED);
    assert_string_equal(msg, "m.tflite: operator 1 (GELU): memplan does not model this op, "
                             "so net.json cannot describe it");
    /* add(in, k) is written with k as its "constant"; then the shared weights stop it */
    assert_int_equal(export_error(const_operands, NULL, msg, sizeof msg), MP_E_UNSUPPORTED);
    assert_string_equal(msg, "m.tflite: operator 2 (conv2d): tensor 'w' is shared with another "
                             "layer");
    assert_int_equal(export_error(const_operands, constant_first, msg, sizeof msg),
                     MP_E_UNSUPPORTED);
    assert_string_equal(msg, "m.tflite: operator 0 (add): input 0 'k' is a constant (net.json "
                             "layers read activations only)");
    assert_int_equal(export_error(const_operands, add_reads_activations, msg, sizeof msg),
                     MP_E_UNSUPPORTED);
    assert_string_equal(msg, "m.tflite: operator 2 (conv2d): tensor 'w' is shared with another "
                             "layer");
}

static void test_export_json_extensions(void **state)
{
    (void)state;
    char msg[512];
    assert_int_equal(test_json_error(NET_HEAD("[2,2,1]")
        "{\"name\":\"a/b\",\"op\":\"softmax\",\"tflite_tensor\":-1}" NET_TAIL, msg, sizeof msg),
        MP_E_INVALID);
    assert_string_equal(msg, "test.json: layers[0].tflite_tensor: expected an integer >= 0, got -1");
    mp_graph *g = test_graph_from_json(NET_HEAD("[2,2,1]")
        "{\"name\":\"x/conv\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1,"
        "\"weights\":{\"name\":\"x/w:0\"},\"bias\":{\"name\":\"x/b\"},\"tflite_tensor\":7}" NET_TAIL);
    assert_true(mp_graph_find_tensor(g, "x/w:0") != MP_NO_TENSOR);
    assert_int_equal(g->tensors[mp_graph_find_tensor(g, "x/conv")].source_index, 7);
    assert_int_equal(g->tensors[mp_graph_find_tensor(g, "in")].source_index, 0);
    mp_graph_free(g);
}

static void test_export_allocation_failures(void **state)
{
    (void)state;
    size_t size;
    tm_store_init(&store);
    tm_tiny_net(&model, &store);
    unsigned char *data = tw_write(&model, &size, NULL);
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_import_tflite_buffer(data, size, "m.tflite", &g, &err), MP_OK);
    for (long n = 0;; n++) {
        mp_strbuf sb;
        mp_error_init(&err);
        mp_strbuf_init(&sb);
        fault_alloc_fail_after(n);
        mp_status st = mp_export_net_json(g, NULL, &sb, &err);
        fault_alloc_fail_after(-1);
        mp_strbuf_release(&sb);
        if (st == MP_OK)
            break;
        assert_int_equal(st, MP_E_NOMEM);
    }
    mp_graph_free(g);
    free(data);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_roundtrip_embedded),
        cmocka_unit_test(test_export_roundtrip_file_reference),
        cmocka_unit_test(test_export_shared_models),
        cmocka_unit_test(test_export_unsupported),
        cmocka_unit_test(test_export_json_extensions),
        cmocka_unit_test(test_export_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
