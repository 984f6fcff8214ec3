/* SPDX-License-Identifier: MIT */
/*
 * test_redistribute.c - receptive-field redistribution (module plan) and the
 * net.json repeat notation it moves blocks of (module import): expansion,
 * names and error messages of repeat groups, writing them back, the total
 * receptive field, and variants of small nets whose receptive fields, MACs
 * and halo overheads are worked out by hand below; then the invariants every
 * variant of the bundled networks must keep, and allocation-failure replay.
 */
#include "test_helpers.h"

#ifndef MEMPLAN_SOURCE_ROOT
#define MEMPLAN_SOURCE_ROOT "."
#endif

#define EXPECT_ERROR(json, status, message)                                                        \
    do {                                                                                           \
        char msg_[512];                                                                            \
        assert_int_equal(test_json_error((json), msg_, sizeof msg_), (status));                    \
        assert_string_equal(msg_, (message));                                                      \
    } while (0)

/*
 * Net A, 16x16x1, a chain: c1 conv 5x5, c2 conv 3x3 (the split), c3
 * depthwise 3x3, mean, fully connected (2 units). Stride 1 everywhere.
 *
 * Receptive fields (size + (k - 1) * jump, jump 1): c1 5, c2 7, c3 9; the
 * mean is global, so the total field is 9 and the patch stage's (c2) is 7.
 * MACs: c1 16*16*25 = 6400, c2 16*16*9 = 2304, c3 2304, fc 2: 11,010.
 *
 * Patch stage c1..c2 on a 2x1 grid (row tiles [0,8) and [8,16), one column
 * tile, so halos are rows only). c2 (k3, pad 1) rows [0,8) reads c1 rows
 * [-1,9) -> [0,9); rows [8,16) read [7,17) -> [7,16): c1 computes 9 + 9 = 18
 * rows of 16 pixels instead of 16: 2 * 16 * 25 = 800 extra MACs, overhead
 * 800 / 11,010. The peak while c1 runs: input 256 B (whole) + c2 256 B
 * (output, whole) + c1's region 9 x 16 = 144 B: 656 B.
 *
 * Variant k1 (min kernel 3): the only stage kernel that can shrink is c1's,
 * 5 -> 3: the field at c2 is 3 + 2 = 5, at c3 7 < 9, so c3 grows 3 -> 5:
 * 5 + 4 = 9. MACs: c1 2304, c2 2304, c3 16*16*25 = 6400, fc 2: 11,010 again;
 * c1 still computes 18 rows: 2 * 16 * 9 = 288 extra MACs.
 */
#define NET_A                                                                                      \
    NET_HEAD("[16,16,1]")                                                                          \
    "{\"name\":\"c1\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":5},"                              \
    "{\"name\":\"c2\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":3},"                              \
    "{\"name\":\"c3\",\"op\":\"depthwise_conv2d\",\"kernel\":3},"                                  \
    "{\"name\":\"pool\",\"op\":\"mean\"},"                                                         \
    "{\"name\":\"fc\",\"op\":\"fully_connected\",\"units\":2}" NET_TAIL

/*
 * Net B, 16x16x2, written with repeat groups: c0 conv 3x3 (2 filters); group
 * a x2 = [a_dw depthwise 3x3, a_add = a + a_dw] (a residual block: "a" inside
 * the group is the repetition's input); s conv 1x1 (the split); d depthwise
 * 3x3 stride 2 (8x8); group b x1 = [b_dw 3x3, b_add]; mean; fc (2 units).
 *
 * Fields: c0 3, a_dw.1 5, a_dw.2 7, s 7 (stage), d 9 (jump 2), b_dw.1 9 + 2*2
 * = 13 (total). MACs: c0 256*2*18 = 9216, a_dw 256*2*9 = 4608 each, s 256*4 =
 * 1024, d 64*2*9 = 1152, b_dw.1 1152, fc 4: 21,764.
 *
 * 2x1 grid on s: tile [0,8): a_dw.2 [0,8) reads a_add.1 [0,9); a_dw.1 [0,9)
 * reads c0 [0,10). Tile [8,16): a_add.1 [7,16), c0 [6,16). c0 computes 20
 * rows (+4 x 16 x 2 x 18 = 2304 MACs), a_dw.1 18 rows (+2 x 16 x 2 x 9 =
 * 576): 2880 extra MACs.
 *
 * Move m1k0: a keeps 1 repetition, b gets 2 (b_dw.2, b_add.2). Fields: c0 3,
 * a_dw.1 5, s 5, d 7 (jump 2), b_dw.1 11, b_dw.2 15 >= 13: no kernel grows.
 * MACs 21,764 - 4608 + 1152 = 18,308; halo: c0 rows [0,9) and [7,16), 18
 * rows: 2 x 576 = 1152 extra MACs.
 */
#define NET_B                                                                                      \
    NET_HEAD("[16,16,2]")                                                                          \
    "{\"name\":\"c0\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":3},"                              \
    "{\"repeat\":2,\"name\":\"a\",\"layers\":["                                                    \
    "{\"name\":\"a_dw\",\"op\":\"depthwise_conv2d\",\"kernel\":3},"                                \
    "{\"name\":\"a_add\",\"op\":\"add\",\"inputs\":[\"a\",\"a_dw\"]}]},"                           \
    "{\"name\":\"s\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1},"                               \
    "{\"name\":\"d\",\"op\":\"depthwise_conv2d\",\"kernel\":3,\"stride\":2},"                      \
    "{\"repeat\":1,\"name\":\"b\",\"layers\":["                                                    \
    "{\"name\":\"b_dw\",\"op\":\"depthwise_conv2d\",\"kernel\":3},"                                \
    "{\"name\":\"b_add\",\"op\":\"add\",\"inputs\":[\"b\",\"b_dw\"]}]},"                           \
    "{\"name\":\"pool\",\"op\":\"mean\"},"                                                         \
    "{\"name\":\"fc\",\"op\":\"fully_connected\",\"units\":2}" NET_TAIL

static const mp_op *op_named(const mp_graph *g, const char *name)
{
    int32_t i = mp_graph_find_op(g, name);
    assert_true(i >= 0);
    return &g->ops[i];
}

static const char *input_name(const mp_graph *g, const char *op, uint32_t k)
{
    return g->tensors[op_named(g, op)->in[k]].name;
}

/* Redistribute g at split/rows x 1 (even cuts, halo recompute) with min_kernel. */
static mp_status redistribute(const mp_graph *g, const char *split, uint32_t rows,
                              int32_t min_kernel, mp_redist *r, mp_error *err)
{
    mp_plan_opts po;
    mp_plan_opts_init(&po);
    mp_redist_opts ro;
    mp_redist_opts_init(&ro);
    ro.min_kernel = min_kernel;
    mp_per_layer pl;
    mp_error_init(err);
    memset(r, 0, sizeof *r);
    if (mp_plan_per_layer(g, NULL, &po, &pl, err) != MP_OK)
        return err->status;
    mp_patch_spec spec = {.rows = rows, .cols = 1, .cuts = MP_CUTS_EVEN,
                          .halo = MP_HALO_RECOMPUTE};
    mp_status st = mp_patch_spec_for_split(g, &pl, split, &spec, err);
    mp_per_layer_release(&pl);
    if (st != MP_OK)
        return st;
    return mp_redistribute(g, &po, &spec, &ro, r, err);
}

static const mp_redist_variant *variant(const mp_redist *r, const char *id)
{
    for (uint32_t k = 0; k < r->n; k++)
        if (strcmp(r->v[k].id, id) == 0)
            return &r->v[k];
    fail_msg("no variant %s", id);
    return NULL;
}

/* Export g and import the text again (the caller frees both). */
static mp_graph *round_trip(const mp_graph *g, mp_strbuf *text)
{
    mp_error err;
    mp_error_init(&err);
    mp_strbuf_init(text);
    assert_int_equal(mp_export_net_json(g, NULL, text, &err), MP_OK);
    mp_graph *back = test_graph_from_json(text->buf);
    assert_string_equal(back->hash, g->hash);
    return back;
}

/* ---- repeat notation ------------------------------------------------------------------ */

static void test_redistribute_repeat_expansion(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_B);
    /* c0, a x 2 x 2, s, d, b x 1 x 2, pool, fc */
    assert_int_equal(g->n_ops, 11);
    const char *names[] = {"c0", "a_dw.1", "a_add.1", "a_dw.2", "a_add.2", "s", "d", "b_dw.1",
                           "b_add.1", "pool", "fc"};
    for (uint32_t i = 0; i < g->n_ops; i++)
        assert_string_equal(g->ops[i].name, names[i]);
    /* the first inner layer reads the previous layer; "a" is the repetition's input */
    assert_string_equal(input_name(g, "a_dw.1", 0), "c0");
    assert_string_equal(input_name(g, "a_add.1", 0), "c0");
    assert_string_equal(input_name(g, "a_add.1", 1), "a_dw.1");
    assert_string_equal(input_name(g, "a_dw.2", 0), "a_add.1");
    assert_string_equal(input_name(g, "a_add.2", 0), "a_add.1");
    assert_string_equal(input_name(g, "a_add.2", 1), "a_dw.2");
    assert_string_equal(input_name(g, "s", 0), "a_add.2");
    /* groups are recorded; inner weights get the expanded name */
    assert_int_equal(g->n_repeats, 2);
    assert_string_equal(g->repeats[0].name, "a");
    assert_int_equal(g->repeats[0].first_op, 1);
    assert_int_equal(g->repeats[0].n_layers, 2);
    assert_int_equal(g->repeats[0].n_reps, 2);
    assert_int_equal(g->repeats[1].first_op, 7);
    assert_int_equal(g->repeats[1].n_reps, 1);
    assert_true(mp_graph_find_tensor(g, "a_dw.2/weights") != MP_NO_TENSOR);
    assert_string_equal(op_named(g, "a_add.2")->where, "layers[1].layers[1]");
    assert_string_equal(op_named(g, "s")->where, "layers[2]");
    mp_graph_free(g);
}

static void test_redistribute_repeat_references(void **state)
{
    (void)state;
    /* Outside, a group's name is its output; an explicit "x.1" is repetition 1's
     * layer; explicit weight names get the repetition too; "outputs" may name a group. */
    mp_graph *g = test_graph_from_json(
        NET_HEAD("[4,4,2]") "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1},"
        "{\"repeat\":3,\"name\":\"g\",\"layers\":["
        "{\"name\":\"x\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1,\"weights\":{\"name\":\"w\"}},"
        "{\"name\":\"y\",\"op\":\"add\",\"inputs\":[\"x\",\"c\"]}]},"
        "{\"name\":\"z\",\"op\":\"add\",\"inputs\":[\"g\",\"x.1\"]}],"
        "\"outputs\":[\"g\",\"z\"]}");
    assert_string_equal(input_name(g, "x.3", 0), "y.2");
    assert_string_equal(input_name(g, "y.3", 1), "c");
    assert_string_equal(input_name(g, "z", 0), "y.3");
    assert_string_equal(input_name(g, "z", 1), "x.1");
    assert_string_equal(input_name(g, "x.2", 1), "w.2");
    assert_string_equal(g->tensors[g->outputs[0]].name, "y.3");
    mp_graph_free(g);
}

static void test_redistribute_repeat_errors(void **state)
{
    (void)state;
#define GROUP(body) NET_HEAD("[8,8,2]") "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":3}," body NET_TAIL
#define SOFTMAX(n) "{\"name\":\"" n "\",\"op\":\"softmax\"}"
    EXPECT_ERROR(GROUP("{\"repeat\":0,\"name\":\"g\",\"layers\":[" SOFTMAX("x") "]}"),
                 MP_E_INVALID, "test.json: layers[1].repeat: expected a positive integer, got 0");
    EXPECT_ERROR(GROUP("{\"name\":\"g\",\"layers\":[" SOFTMAX("x") "]}"), MP_E_INVALID,
                 "test.json: layers[1].repeat: missing required field");
    EXPECT_ERROR(GROUP("{\"repeat\":2,\"layers\":[" SOFTMAX("x") "]}"), MP_E_INVALID,
                 "test.json: layers[1].name: missing required field");
    EXPECT_ERROR(GROUP("{\"repeat\":2,\"name\":\"g\",\"layers\":[]}"), MP_E_INVALID,
                 "test.json: layers[1].layers: expected a non-empty list of layers");
    EXPECT_ERROR(GROUP("{\"repeat\":2,\"name\":\"g\",\"op\":\"add\",\"layers\":[" SOFTMAX("x") "]}"),
                 MP_E_INVALID, "test.json: layers[1].op: unknown field");
    EXPECT_ERROR(GROUP("{\"repeat\":2,\"name\":\"g\",\"layers\":[" SOFTMAX("x") ","
                       "{\"repeat\":2,\"name\":\"h\",\"layers\":[" SOFTMAX("y") "]}]}"),
                 MP_E_UNSUPPORTED, "test.json: layers[1].layers[1]: repeat groups cannot be nested");
    EXPECT_ERROR(GROUP("{\"repeat\":2,\"name\":\"g\",\"layers\":["
                       "{\"name\":\"x\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":\"3x3\"}]}"),
                 MP_E_INVALID,
                 "test.json: layers[1].layers[0].kernel: expected a positive integer, got \"3x3\"");
    EXPECT_ERROR(GROUP("{\"repeat\":2,\"name\":\"g\",\"layers\":[5]}"), MP_E_INVALID,
                 "test.json: layers[1].layers[0]: expected an object");
    EXPECT_ERROR(GROUP("{\"repeat\":2,\"name\":\"c\",\"layers\":[" SOFTMAX("x") "]}"), MP_E_INVALID,
                 "test.json: layers[1].name: duplicate name \"c\"");
    EXPECT_ERROR(GROUP("{\"repeat\":2,\"name\":\"g\",\"layers\":[" SOFTMAX("x") "]},"
                       "{\"repeat\":1,\"name\":\"g\",\"layers\":[" SOFTMAX("y") "]}"),
                 MP_E_INVALID, "test.json: layers[2].name: duplicate name \"g\"");
    EXPECT_ERROR(GROUP("{\"repeat\":2,\"name\":\"g\",\"layers\":[" SOFTMAX("x") "]}," SOFTMAX("x.2")),
                 MP_E_INVALID, "test.json: layers[2].name: duplicate name \"x.2\"");
    EXPECT_ERROR(GROUP("{\"repeat\":2,\"name\":\"g\",\"layers\":[" SOFTMAX("g") "]}"), MP_E_INVALID,
                 "test.json: layers[1].layers[0].name: \"g\" names the repeat group; a layer "
                 "inside it needs another name");
    EXPECT_ERROR(GROUP("{\"repeat\":2,\"name\":\"g\",\"layers\":["
                       "{\"name\":\"x\",\"op\":\"softmax\",\"inputs\":\"zz\"}]}"),
                 MP_E_INVALID, "test.json: layers[1].layers[0].inputs[0]: no layer or input named 'zz'");
    /* graph-level errors name the layer by its path in the document */
    EXPECT_ERROR(GROUP("{\"repeat\":3,\"name\":\"g\",\"layers\":["
                       "{\"name\":\"x\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":3,\"stride\":2},"
                       "{\"name\":\"a\",\"op\":\"add\",\"inputs\":[\"g\",\"x\"]}]}"),
                 MP_E_INVALID,
                 "test.json: layers[1].layers[1] 'a.1': input shapes 8x8x2 and 4x4x2 do not match");
    EXPECT_ERROR(GROUP("{\"repeat\":100000,\"name\":\"g\",\"layers\":[" SOFTMAX("x") "," SOFTMAX("y") "]}"),
                 MP_E_LIMIT, "test.json: layers: more than 100000 layers after expanding repeat groups");
#undef GROUP
#undef SOFTMAX
}

static void test_redistribute_repeat_written_back(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_B);
    mp_strbuf text;
    mp_graph *back = round_trip(g, &text);
    assert_non_null(strstr(text.buf, "{\"repeat\": 2, \"name\": \"a\", \"layers\": [\n"
                                     "      {\"name\": \"a_dw\", \"op\": \"depthwise_conv2d\", "
                                     "\"inputs\": [\"a\"]"));
    assert_non_null(strstr(text.buf, "{\"name\": \"a_add\", \"op\": \"add\", \"inputs\": "
                                     "[\"a\", \"a_dw\"], \"activation\": \"none\"}]}"));
    assert_null(strstr(text.buf, "a_dw.2"));
    assert_int_equal(back->n_repeats, 2);
    mp_strbuf_release(&text);
    mp_graph_free(back);
    mp_graph_free(g);
    /* y reads c, which is the first repetition's input but not the others': written
     * by name, so the group stays a group; h reads x.1 from outside */
    g = test_graph_from_json(
        NET_HEAD("[4,4,2]") "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1},"
        "{\"repeat\":3,\"name\":\"g\",\"layers\":["
        "{\"name\":\"x\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1},"
        "{\"name\":\"y\",\"op\":\"add\",\"inputs\":[\"x\",\"c\"]}]},"
        "{\"repeat\":2,\"name\":\"h\",\"layers\":["
        "{\"name\":\"u\",\"op\":\"add\",\"inputs\":[\"h\",\"x.1\"]}]}" NET_TAIL);
    back = round_trip(g, &text);
    assert_non_null(strstr(text.buf, "{\"name\": \"x\", \"op\": \"conv2d\", \"inputs\": [\"g\"]"));
    assert_non_null(strstr(text.buf, "{\"name\": \"y\", \"op\": \"add\", \"inputs\": [\"x\", \"c\"]"));
    assert_non_null(strstr(text.buf, "{\"name\": \"u\", \"op\": \"add\", \"inputs\": [\"h\", \"x.1\"]"));
    mp_strbuf_release(&text);
    mp_graph_free(back);
    mp_graph_free(g);
    /* explicit weight names come back without the repetition */
    g = test_graph_from_json(NET_HEAD("[4,4,2]") "{\"repeat\":2,\"name\":\"g\",\"layers\":["
                             "{\"name\":\"x\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1,"
                             "\"weights\":{\"name\":\"w\"}}]}" NET_TAIL);
    back = round_trip(g, &text);
    assert_non_null(strstr(text.buf, "\"weights\": {\"name\": \"w\"}, \"bias\": {}"));
    mp_strbuf_release(&text);
    mp_graph_free(back);
    mp_graph_free(g);
}

/* ---- receptive fields ----------------------------------------------------------------- */

static void test_redistribute_total_rf(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_A);
    mp_rf r = mp_graph_total_rf(g);
    assert_int_equal(r.size_h, 9); /* 1 + 4 + 2 + 2: the field of c3, which the mean reads */
    assert_int_equal(r.size_w, 9);
    assert_false(r.global);
    assert_true(g->rf[mp_graph_find_tensor(g, "pool")].global);
    mp_graph_free(g);
    /* fully convolutional, non-square: 1x7 then 3x1 stride 2, then 3x3 at jump 2: h 1+0+2+4 = 7,
     * w 1+6+0+4 = 11 */
    g = test_graph_from_json(NET_HEAD("[16,16,1]")
        "{\"name\":\"a\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":[1,7]},"
        "{\"name\":\"b\",\"op\":\"conv2d\",\"filters\":1,\"kernel\":[3,1],\"stride\":2},"
        "{\"name\":\"c\",\"op\":\"depthwise_conv2d\",\"kernel\":3}" NET_TAIL);
    r = mp_graph_total_rf(g);
    assert_int_equal(r.size_h, 7);
    assert_int_equal(r.size_w, 11);
    assert_int_equal(r.jump_h, 2);
    mp_graph_free(g);
}

/* ---- variants of small nets ----------------------------------------------------------- */

static void test_redistribute_kernels_by_hand(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_A);
    mp_redist r;
    mp_error err;
    assert_int_equal(redistribute(g, "c2", 2, 3, &r, &err), MP_OK);
    assert_int_equal(r.n, 2);
    const mp_redist_variant *o = variant(&r, "original"), *v = variant(&r, "k1");
    assert_ptr_equal(o->graph, g);
    assert_int_equal(o->stage_rf.size_h, 7);
    assert_int_equal(o->total_rf.size_h, 9);
    assert_int_equal(o->macs, 11010);
    assert_int_equal(o->patch_macs, 11810);
    assert_true(o->overhead > 800.0 / 11010 - 1e-12 && o->overhead < 800.0 / 11010 + 1e-12);
    assert_int_equal(o->per_layer_peak, 512);
    assert_int_equal(o->peak, 656);
    assert_int_equal(v->n_shrink, 1);
    assert_int_equal(v->n_grow, 1);
    assert_int_equal(v->stage_rf.size_h, 5);
    assert_int_equal(v->total_rf.size_h, 9);
    assert_int_equal(v->macs, 11010);
    assert_int_equal(v->patch_macs, 11298);
    assert_int_equal(v->peak, 656);
    assert_int_equal(v->params, o->params); /* c1 loses 25 - 9 weights, c3 gains 25 - 9 */
    assert_true(v->pareto);
    assert_false(o->pareto);
    assert_int_equal(v->n_changes, 2);
    assert_int_equal(v->changes[0].kind, MP_REDIST_SHRINK);
    assert_string_equal(v->changes[0].layer, "c1");
    assert_int_equal(v->changes[0].from_h, 5);
    assert_int_equal(v->changes[0].to_h, 3);
    assert_int_equal(v->changes[1].kind, MP_REDIST_GROW);
    assert_string_equal(v->changes[1].layer, "c3");
    assert_int_equal(v->changes[1].to_w, 5);
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_redist_describe(v, &sb);
    assert_string_equal(sb.buf, "c1 5x5->3x3; c3 3x3->5x5");
    mp_strbuf_release(&sb);
    /* the variant carries no weights, and its kernels are the changed ones */
    assert_null(v->graph->tensors[op_named(v->graph, "c2")->in[1]].data);
    assert_int_equal(op_named(v->graph, "c1")->p.kernel_h, 3);
    mp_redist_release(&r);
    mp_graph_free(g);
}

static void test_redistribute_smallest_kernel_one(void **state)
{
    (void)state;
    /*
     * min kernel 1: shrink steps c1 5->3 (the larger kernel first), c2 3->1 (equal
     * kernels: the later op first), c1 3->1. k2 = c1 3x3, c2 1x1: field 1 + 2 + 0 = 3
     * at c2; c3 must reach 9: 3 -> 5 gives 7, 5 -> 7 gives 9 (two grow steps). c2 is
     * 1x1, so c1 computes exactly the rows of each tile: no overhead. MACs 2304 + 256 +
     * 16*16*49 + 2 = 15,106. k3 (c1 1x1 too) leaves the field at 1 + 6 = 7 < 9 even
     * with c3 at 7x7 (the largest kernel): dropped.
     */
    mp_graph *g = test_graph_from_json(NET_A);
    mp_redist r;
    mp_error err;
    assert_int_equal(redistribute(g, "c2", 2, 1, &r, &err), MP_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.n_dropped, 1);
    const mp_redist_variant *v = variant(&r, "k2");
    assert_int_equal(v->n_grow, 2);
    assert_int_equal(v->stage_rf.size_h, 3);
    assert_int_equal(v->total_rf.size_h, 9);
    assert_int_equal(v->macs, 15106);
    assert_int_equal(v->patch_macs, 15106);
    assert_true(v->overhead == 0.0);
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_redist_describe(v, &sb);
    assert_string_equal(sb.buf, "c1 5x5->3x3; c2 3x3->1x1; c3 3x3->7x7");
    mp_strbuf_release(&sb);
    mp_redist_release(&r);
    mp_graph_free(g);
}

static void test_redistribute_move_by_hand(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_B);
    mp_redist r;
    mp_error err;
    assert_int_equal(redistribute(g, "s", 2, 3, &r, &err), MP_OK);
    assert_int_equal(r.n_moves, 1);
    assert_int_equal(r.n, 2); /* 3x3 kernels cannot shrink: the move alone */
    const mp_redist_variant *o = variant(&r, "original"), *v = variant(&r, "m1k0");
    assert_int_equal(o->stage_rf.size_h, 7);
    assert_int_equal(o->total_rf.size_h, 13);
    assert_int_equal(o->macs, 21764);
    assert_int_equal(o->patch_macs, 21764 + 2880);
    assert_int_equal(v->stage_rf.size_h, 5);
    assert_int_equal(v->total_rf.size_h, 15);
    assert_int_equal(v->n_grow, 0);
    assert_int_equal(v->macs, 18308);
    assert_int_equal(v->patch_macs, 18308 + 1152);
    assert_true(v->overhead < o->overhead); /* 1152 / 18,308 against 2880 / 21,764 */
    assert_int_equal(v->n_changes, 1);
    assert_int_equal(v->changes[0].kind, MP_REDIST_MOVE);
    assert_string_equal(v->changes[0].from_group, "a");
    assert_string_equal(v->changes[0].to_group, "b");
    assert_int_equal(v->changes[0].from_reps, 1);
    assert_int_equal(v->changes[0].to_reps, 2);
    /* the new repetition copies the last one and takes its place before the mean */
    const mp_graph *vg = v->graph;
    assert_int_equal(mp_graph_find_op(vg, "a_dw.2"), -1);
    assert_string_equal(input_name(vg, "s", 0), "a_add.1");
    assert_string_equal(input_name(vg, "b_dw.2", 0), "b_add.1");
    assert_string_equal(input_name(vg, "b_add.2", 0), "b_add.1");
    assert_string_equal(input_name(vg, "b_add.2", 1), "b_dw.2");
    assert_string_equal(input_name(vg, "pool", 0), "b_add.2");
    assert_int_equal(vg->repeats[0].n_reps, 1);
    assert_int_equal(vg->repeats[1].n_reps, 2);
    assert_int_equal(vg->repeats[1].first_op, 5);
    /* written with both groups, and read back as the same network */
    mp_strbuf text;
    mp_graph *back = round_trip(vg, &text);
    assert_non_null(strstr(text.buf, "{\"repeat\": 1, \"name\": \"a\""));
    assert_non_null(strstr(text.buf, "{\"repeat\": 2, \"name\": \"b\""));
    mp_strbuf_release(&text);
    mp_graph_free(back);
    mp_redist_release(&r);
    mp_graph_free(g);
}

static void test_redistribute_split_moves_with_its_repetition(void **state)
{
    (void)state;
    /* Split at a_add.2, the output of the repetition that moves: the variant's split is
     * what replaces it, a_add.1. With min kernel 1 the stage kernels shrink too; the
     * first step is a_dw.2 (equal jumps and kernels: the later op), which makes group a
     * uneven, so it is written layer by layer. */
    mp_graph *g = test_graph_from_json(NET_B);
    mp_redist r;
    mp_error err;
    assert_int_equal(redistribute(g, "a_add.2", 2, 1, &r, &err), MP_OK);
    const mp_redist_variant *v = variant(&r, "m1k0");
    assert_string_equal(v->graph->tensors[v->split].name, "a_add.1");
    assert_int_equal(v->split_step, 2);
    v = variant(&r, "k1");
    assert_string_equal(v->changes[0].layer, "a_dw.2");
    mp_strbuf text;
    mp_graph *back = round_trip(v->graph, &text);
    assert_null(strstr(text.buf, "\"name\": \"a\""));
    assert_non_null(strstr(text.buf, "{\"name\": \"a_dw.2\""));
    mp_strbuf_release(&text);
    mp_graph_free(back);
    for (uint32_t k = 1; k < r.n; k++)
        assert_true(r.v[k].total_rf.size_h >= 13);
    mp_redist_release(&r);
    mp_graph_free(g);
}

static void test_redistribute_bad_arguments(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_A);
    mp_plan_opts po;
    mp_plan_opts_init(&po);
    mp_redist_opts ro;
    mp_redist_opts_init(&ro);
    mp_patch_spec spec = {.first_step = 1, .last_step = 1, .rows = 2, .cols = 1};
    mp_redist r;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_redistribute(g, &po, &spec, &ro, &r, &err), MP_E_INVALID);
    assert_string_equal(err.msg, "t: redistribution needs a patch stage from the first layer to "
                                 "a layer of the network");
    spec.first_step = 0;
    ro.min_kernel = 2;
    mp_error_init(&err);
    assert_int_equal(mp_redistribute(g, &po, &spec, &ro, &r, &err), MP_E_INVALID);
    assert_string_equal(err.msg, "smallest kernel: expected an odd number from 1 to 99, got 2");
    assert_int_equal(r.n, 0);
    mp_graph_free(g);
}

/* ---- invariants on the bundled networks ----------------------------------------------- */

/*
 * Every variant: a total field not smaller than the original's; every layer
 * both have whose kernel differs is smaller in the patch stage and larger
 * after it, and is listed among the changes; written as net.json it reads
 * back as the same network.
 */
static void check_variants(const mp_redist *r)
{
    const mp_redist_variant *o = &r->v[0];
    for (uint32_t k = 1; k < r->n; k++) {
        const mp_redist_variant *v = &r->v[k];
        const mp_graph *vg = v->graph;
        assert_true(v->total_rf.size_h >= o->total_rf.size_h);
        assert_true(v->total_rf.size_w >= o->total_rf.size_w);
        assert_true(v->n_shrink + v->n_moves > 0);
        for (uint32_t i = 0; i < vg->n_ops; i++) {
            const mp_op *a = &vg->ops[i];
            int32_t j = mp_graph_find_op(o->graph, a->name);
            if (j < 0 || a->p.kernel_h == o->graph->ops[j].p.kernel_h)
                continue;
            bool stage = (uint32_t)vg->step_of_op[i] <= v->split_step;
            assert_true(stage ? a->p.kernel_h < o->graph->ops[j].p.kernel_h
                              : a->p.kernel_h > o->graph->ops[j].p.kernel_h);
            bool listed = false;
            for (uint32_t c = 0; c < v->n_changes; c++)
                listed = listed || (v->changes[c].layer && strcmp(v->changes[c].layer, a->name) == 0 &&
                                    v->changes[c].kind == (stage ? MP_REDIST_SHRINK : MP_REDIST_GROW));
            assert_true(listed);
        }
        mp_strbuf text;
        mp_graph *back = round_trip(vg, &text);
        mp_strbuf_release(&text);
        mp_graph_free(back);
    }
}

static mp_graph *bundled(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/nets/%s", MEMPLAN_SOURCE_ROOT, name);
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_import_file(path, &g, &err), MP_OK);
    return g;
}

/* The search's lowest-peak recompute schedule at any MAC cost (`memplan redistribute
 * --halo recompute --max-macs 1000x`): the schedule whose halos redistribution cuts. */
static mp_status redistribute_best(const mp_graph *g, bool inplace_dw, int32_t min_kernel,
                                   mp_redist *r)
{
    mp_plan_opts po;
    mp_plan_opts_init(&po);
    po.inplace_dw = inplace_dw;
    mp_search_opts so;
    mp_search_opts_init(&so);
    so.halos = MP_HALO_BIT(MP_HALO_RECOMPUTE);
    so.max_macs = 1000.0;
    mp_per_layer pl;
    mp_patch_search ps;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_per_layer(g, NULL, &po, &pl, &err), MP_OK);
    assert_int_equal(mp_patch_search_run(g, &pl, &po, &so, &ps, &err), MP_OK);
    assert_true(ps.have_best);
    mp_patch_spec spec = {0, ps.best.last_step, ps.best.rows, ps.best.cols, ps.best.cuts, NULL,
                          NULL, MP_HALO_RECOMPUTE};
    mp_redist_opts ro;
    mp_redist_opts_init(&ro);
    ro.min_kernel = min_kernel;
    mp_status st = mp_redistribute(g, &po, &spec, &ro, r, &err);
    mp_patch_search_release(&ps);
    mp_per_layer_release(&pl);
    return st;
}

/* The best overhead among the variants, relative to the original's. */
static double best_ratio(const mp_redist *r)
{
    double best = 1e9;
    for (uint32_t k = 1; k < r->n; k++)
        if (r->v[k].overhead / r->v[0].overhead < best)
            best = r->v[k].overhead / r->v[0].overhead;
    return best;
}

static void test_redistribute_mcunet_like(void **state)
{
    (void)state;
    mp_graph *g = bundled("mcunet-like-r160.json");
    mp_redist r;
    assert_int_equal(redistribute_best(g, true, 3, &r), MP_OK);
    assert_true(r.n_moves >= 1);
    assert_true(r.n > 5);
    check_variants(&r);
    assert_true(best_ratio(&r) <= 1.0 / 3); /* docs/performance.md */
    bool moved = false;
    for (uint32_t k = 1; k < r.n; k++)
        moved = moved || r.v[k].n_moves > 0;
    assert_true(moved);
    mp_redist_release(&r);
    mp_graph_free(g);
}

static void test_redistribute_mobilenetv2(void **state)
{
    (void)state;
    mp_graph *g = bundled("mobilenetv2-w1.0-r224.json");
    mp_redist r;
    /* 3x3 kernels everywhere and no repeat groups: nothing to do down to 3 */
    assert_int_equal(redistribute_best(g, true, 3, &r), MP_OK);
    assert_int_equal(r.n, 1);
    mp_redist_release(&r);
    assert_int_equal(redistribute_best(g, true, 1, &r), MP_OK);
    check_variants(&r);
    assert_true(best_ratio(&r) <= 1.0 / 3); /* docs/performance.md */
    mp_redist_release(&r);
    mp_graph_free(g);
}

/* Replay with the Nth allocation failing: success or a clean NOMEM, no leaks. */
static void test_redistribute_allocation_failures(void **state)
{
    (void)state;
    mp_graph *g = test_graph_from_json(NET_B);
    for (long n = 0;; n++) {
        mp_redist r;
        mp_error err;
        fault_alloc_fail_after(n);
        mp_status st = redistribute(g, "s", 2, 1, &r, &err);
        fault_alloc_fail_after(-1);
        if (st == MP_OK) {
            assert_true(r.n > 2);
            mp_redist_release(&r);
            assert_true(n > 20);
            break;
        }
        assert_int_equal(st, MP_E_NOMEM);
        assert_int_equal(r.n, 0);
    }
    mp_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redistribute_repeat_expansion),
        cmocka_unit_test(test_redistribute_repeat_references),
        cmocka_unit_test(test_redistribute_repeat_errors),
        cmocka_unit_test(test_redistribute_repeat_written_back),
        cmocka_unit_test(test_redistribute_total_rf),
        cmocka_unit_test(test_redistribute_kernels_by_hand),
        cmocka_unit_test(test_redistribute_smallest_kernel_one),
        cmocka_unit_test(test_redistribute_move_by_hand),
        cmocka_unit_test(test_redistribute_split_moves_with_its_repetition),
        cmocka_unit_test(test_redistribute_bad_arguments),
        cmocka_unit_test(test_redistribute_mcunet_like),
        cmocka_unit_test(test_redistribute_mobilenetv2),
        cmocka_unit_test(test_redistribute_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
