/* SPDX-License-Identifier: MIT */
/*
 * test_import_json.c - net.json import: one test per error class with the
 * exact message, defaults, and allocation-failure replay (module import).
 */
#include "test_helpers.h"
#include "../../src/import/import_int.h"

#define EXPECT_ERROR(json, status, message)                                                        \
    do {                                                                                           \
        char msg_[512];                                                                            \
        assert_int_equal(test_json_error((json), msg_, sizeof msg_), (status));                    \
        assert_string_equal(msg_, (message));                                                      \
    } while (0)

#define CONV(name, extra) "{\"name\":\"" name "\",\"op\":\"conv2d\",\"filters\":4,\"kernel\":3" extra "}"

static void test_import_json_syntax_error_has_line_and_column(void **state)
{
    (void)state;
    EXPECT_ERROR("{\n  \"format\": \"memplan-net\",\n  \"version\": 1\n  \"layers\": []\n}",
                 MP_E_PARSE, "test.json:4:3: invalid JSON near '\"layers\": []'");
    EXPECT_ERROR("{\"format\": ", MP_E_PARSE, "test.json:1:12: unexpected end of the document");
}

static void test_import_json_unknown_op(void **state)
{
    (void)state;
    EXPECT_ERROR(NET_HEAD("[8,8,3]") "{\"name\":\"x\",\"op\":\"conv3d\"}" NET_TAIL, MP_E_INVALID,
                 "test.json: layers[0].op: unknown op \"conv3d\" (see docs/net-json.md)");
}

static void test_import_json_missing_field(void **state)
{
    (void)state;
    EXPECT_ERROR(NET_HEAD("[8,8,3]") "{\"name\":\"x\",\"op\":\"conv2d\",\"kernel\":3}" NET_TAIL,
                 MP_E_INVALID, "test.json: layers[0].filters: missing required field");
    EXPECT_ERROR("{\"format\":\"memplan-net\",\"version\":1,\"input\":{\"shape\":[2,2,1]}}",
                 MP_E_INVALID, "test.json: layers: missing required field");
}

static void test_import_json_wrong_type(void **state)
{
    (void)state;
    EXPECT_ERROR(NET_HEAD("[8,8,3]") "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":4,\"kernel\":\"3x3\"}" NET_TAIL, MP_E_INVALID,
                 "test.json: layers[0].kernel: expected a positive integer, got \"3x3\"");
    EXPECT_ERROR(NET_HEAD("[8,8,3]") CONV("c", ",\"stride\":0") NET_TAIL, MP_E_INVALID,
                 "test.json: layers[0].stride: expected a positive integer, got 0");
    EXPECT_ERROR(NET_HEAD("[8,8,3]") CONV("c", ",\"use_bias\":1") NET_TAIL, MP_E_INVALID,
                 "test.json: layers[0].use_bias: expected true or false, got 1");
}

static void test_import_json_unknown_field(void **state)
{
    (void)state;
    EXPECT_ERROR(NET_HEAD("[8,8,3]") CONV("c", ",\"kernel\":5") NET_TAIL, MP_E_INVALID,
                 "test.json: layers[0].kernel: field given twice");
    EXPECT_ERROR(NET_HEAD("[8,8,3]") CONV("c", ",\"strides\":2") NET_TAIL, MP_E_INVALID,
                 "test.json: layers[0].strides: unknown field");
}

static void test_import_json_duplicate_name(void **state)
{
    (void)state;
    EXPECT_ERROR(NET_HEAD("[8,8,3]") CONV("c", "") "," CONV("c", "") NET_TAIL, MP_E_INVALID,
                 "test.json: layers[1].name: duplicate name \"c\"");
    EXPECT_ERROR(NET_HEAD("[8,8,3]") CONV("in", "") NET_TAIL, MP_E_INVALID,
                 "test.json: layers[0].name: duplicate name \"in\"");
}

static void test_import_json_dangling_input(void **state)
{
    (void)state;
    EXPECT_ERROR(NET_HEAD("[8,8,3]") CONV("c", ",\"inputs\":[\"nope\"]") NET_TAIL, MP_E_INVALID,
                 "test.json: layers[0].inputs[0]: no layer or input named 'nope'");
}

static void test_import_json_cycle(void **state)
{
    (void)state;
    EXPECT_ERROR(NET_HEAD("[8,8,3]") CONV("a", ",\"inputs\":\"b\"") "," CONV("b", ",\"inputs\":\"a\"")
                 "," CONV("c", ",\"inputs\":\"in\"") NET_TAIL, MP_E_INVALID,
                 "test.json: layers[0] 'a': the layers form a cycle (its inputs depend on its output)");
}

static void test_import_json_bad_dimension(void **state)
{
    (void)state;
    EXPECT_ERROR(NET_HEAD("[8,0,3]") CONV("c", "") NET_TAIL, MP_E_INVALID,
                 "test.json: input.shape: expected a positive integer, got 0");
    EXPECT_ERROR(NET_HEAD("[8,-2,3]") CONV("c", "") NET_TAIL, MP_E_INVALID,
                 "test.json: input.shape: expected a positive integer, got -2");
    EXPECT_ERROR(NET_HEAD("[2,2,3]") "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":4,\"kernel\":3,"
                 "\"padding\":\"valid\"}" NET_TAIL, MP_E_INVALID,
                 "test.json: layers[0] 'c': the height window (3) is larger than the input (2)");
}

static void test_import_json_shape_mismatch(void **state)
{
    (void)state;
    EXPECT_ERROR(NET_HEAD("[8,8,3]") CONV("a", ",\"stride\":2") ","
                 "{\"name\":\"s\",\"op\":\"add\",\"inputs\":[\"a\",\"in\"]}" NET_TAIL, MP_E_INVALID,
                 "test.json: layers[1] 's': input shapes 4x4x4 and 8x8x3 do not match");
    EXPECT_ERROR(NET_HEAD("[8,8,3]") CONV("a", ",\"stride\":2") ","
                 "{\"name\":\"k\",\"op\":\"concat\",\"inputs\":[\"a\",\"in\"]}" NET_TAIL, MP_E_INVALID,
                 "test.json: layers[1] 'k': input shapes 4x4x4 and 8x8x3 differ outside axis 3");
}

static void test_import_json_size_overflow(void **state)
{
    (void)state;
    /* dimensions are capped at 1,000,000 and tensors at MP_MAX_TENSOR_BYTES (1 GiB) */
    EXPECT_ERROR(NET_HEAD("[1000000,1000000,1000000]") "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":1000000,\"kernel\":3}" NET_TAIL,
                 MP_E_LIMIT, "test.json: network input 'in' (1000000x1000000x1000000) is "
                 "1000000000000000000 bytes, more than the limit of 1073741824 bytes per tensor");
    EXPECT_ERROR(NET_HEAD("[1000,1000,1000]") "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":2000,\"kernel\":1}" NET_TAIL,
                 MP_E_LIMIT, "test.json: layers[0] 'c': output 'c' (1000x1000x2000) is 2000000000 bytes, "
                 "more than the limit of 1073741824 bytes per tensor");
    EXPECT_ERROR(NET_HEAD("[8,8,3]") "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":2000000,\"kernel\":3}" NET_TAIL, MP_E_LIMIT,
                 "test.json: layers[0].filters: value 2000000 exceeds the limit 1000000");
}

static void test_import_json_version_and_format(void **state)
{
    (void)state;
    EXPECT_ERROR("{\"format\":\"memplan-net\",\"version\":2,\"input\":{\"shape\":[2,2,1]},\"layers\":[]}",
                 MP_E_UNSUPPORTED,
                 "test.json: version: version 2 is newer than this memplan reads (1)");
    EXPECT_ERROR("{\"format\":\"onnx\",\"version\":1}", MP_E_INVALID,
                 "test.json: format: expected \"memplan-net\", got \"onnx\"");
    EXPECT_ERROR("[1,2]", MP_E_INVALID, "test.json: expected a JSON object at the top level");
}

static void test_import_json_inline_weights(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_HEAD("[2,2,1]")
        "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1,"
        "\"weights\":{\"data\":[1,-2],\"quant\":{\"scale\":[0.5,0.25]}},"
        "\"bias\":{\"data_base64\":\"AQAAAP7///8=\"}}" NET_TAIL);
    const mp_tensor *w = &g->tensors[mp_graph_find_tensor(g, "c/weights")];
    const mp_tensor *b = &g->tensors[mp_graph_find_tensor(g, "c/bias")];
    assert_int_equal(((const int8_t *)w->data)[1], -2);
    assert_int_equal(w->quant.n, 2);
    assert_true(w->quant.scale[1] == 0.25f);
    assert_int_equal(w->quant.axis, 0);
    assert_int_equal(((const int32_t *)b->data)[1], -2);
    mp_graph_free(g);
    char msg[512];
    assert_int_equal(test_json_error(NET_HEAD("[2,2,1]")
        "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1,\"weights\":{\"data\":[1,2,3]}}"
        NET_TAIL, msg, sizeof msg), MP_E_INVALID);
    assert_string_equal(msg, "test.json: layers[0] 'c': filter 'c/weights': 3 bytes of data for a 2-byte tensor");
    assert_int_equal(test_json_error(NET_HEAD("[2,2,1]")
        "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1,\"weights\":{\"data\":[1,200]}}"
        NET_TAIL, msg, sizeof msg), MP_E_INVALID);
    assert_string_equal(msg, "test.json: layers[0].weights.data: element 1: expected an integer from -128 to 127 (int8), got 200");
}

/* Replay an import with the Nth allocation failing: success or a clean NOMEM. */
static void test_import_json_allocation_failures(void **state)
{
    (void)state;
    const char *json = NET_HEAD("[8,8,3]") CONV("a", "") "," CONV("b", "") ","
        "{\"name\":\"s\",\"op\":\"add\",\"inputs\":[\"a\",\"b\"]}" NET_TAIL;
    for (long n = 0;; n++) {
        mp_graph *g = NULL;
        mp_error err;
        mp_error_init(&err);
        fault_alloc_fail_after(n);
        mp_status st = mp_import_json_text(json, strlen(json), "t.json", "", &g, &err);
        fault_alloc_fail_after(-1);
        if (st == MP_OK) {
            mp_graph_free(g);
            assert_true(n > 5);
            break;
        }
        assert_int_equal(st, MP_E_NOMEM);
        assert_null(g);
    }
}

/* Files that are neither net.json nor .tflite are named by what they look like. */
static void test_import_sniff(void **state)
{
    (void)state;
    assert_null(import_sniff_not_json("  {\"format\"", 11));
    assert_null(import_sniff_not_json("\xEF\xBB\xBF{}", 5));
    assert_null(import_sniff_not_json("[1]", 3)); /* JSON: the reader names the problem */
    assert_string_equal(import_sniff_not_json("", 0), "is empty");
    assert_string_equal(import_sniff_not_json(" \n", 2), "holds only blanks");
    assert_string_equal(import_sniff_not_json("\xFF\xD8\xFF\xE0", 4), "looks like a JPEG image");
    assert_string_equal(import_sniff_not_json("\x89PNG\r\n\x1A\n", 8), "looks like a PNG image");
    assert_string_equal(import_sniff_not_json("\x01\x02\x00", 3), "is too short for a .tflite");
    assert_string_equal(import_sniff_not_json("hello world", 11), "is text, but not JSON");
    assert_string_equal(import_sniff_not_json("\x10\0\0\0TFL2\0\0", 10),
                        "has the flatbuffer identifier of another TFLite schema version "
                        "(TFLite models say 'TFL3')");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_json_syntax_error_has_line_and_column),
        cmocka_unit_test(test_import_json_unknown_op),
        cmocka_unit_test(test_import_json_missing_field),
        cmocka_unit_test(test_import_json_wrong_type),
        cmocka_unit_test(test_import_json_unknown_field),
        cmocka_unit_test(test_import_json_duplicate_name),
        cmocka_unit_test(test_import_json_dangling_input),
        cmocka_unit_test(test_import_json_cycle),
        cmocka_unit_test(test_import_json_bad_dimension),
        cmocka_unit_test(test_import_json_shape_mismatch),
        cmocka_unit_test(test_import_json_size_overflow),
        cmocka_unit_test(test_import_sniff),
        cmocka_unit_test(test_import_json_version_and_format),
        cmocka_unit_test(test_import_json_inline_weights),
        cmocka_unit_test(test_import_json_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
