/* SPDX-License-Identifier: MIT */
/*
 * test_exec_kernels.c - requantization arithmetic against hand-worked values
 * and its literal definitions, and the region contract of every kernel
 * (module exec):
 *
 *   - any sub-rectangle of an op's output, computed from views holding exactly
 *     the input region mp_exec_input_rect names, equals the same elements of
 *     the whole-tensor result (random shapes, kernels, strides, dilations,
 *     paddings, groups, multipliers, broadcasting);
 *   - a view missing one needed row or column is an error, and nothing is
 *     written;
 *   - in-place depthwise equals out-of-place, whole and by region; in-place add,
 *     softmax, quantize and reshape equal out-of-place;
 *   - the convolution kernel's K and output-channel chunking equals a naive
 *     loop.
 */
#include "test_helpers.h"

#include "../../src/exec/exec_int.h"

#include <math.h>
#include <stdlib.h>

typedef struct trng {
    uint64_t s;
} trng;

static uint32_t tr_next(trng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (uint32_t)(r->s >> 16);
}

static int32_t tr_range(trng *r, int32_t lo, int32_t hi) /* [lo, hi] */
{
    return lo + (int32_t)(tr_next(r) % (uint32_t)(hi - lo + 1));
}

/* ---- requantization ------------------------------------------------------------------- */

/* SRDHM exactly as defined: truncating division of (ab + nudge) by 2^31. */
static int32_t srdhm_literal(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    int64_t ab = (int64_t)a * b;
    int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

static int32_t rdbpot_literal(int32_t x, int32_t e)
{
    int64_t d = (int64_t)1 << e;
    int64_t q = x / d, r = x % d; /* truncating */
    if (2 * (r < 0 ? -r : r) >= d)
        q += x < 0 ? -1 : 1; /* ties away from zero */
    return (int32_t)q;
}

static void test_exec_requant_hand_values(void **state)
{
    (void)state;
    assert_int_equal(mp_srdhm(INT32_MIN, INT32_MIN), INT32_MAX);
    assert_int_equal(mp_srdhm(INT32_MIN, INT32_MAX), -2147483647);
    assert_int_equal(mp_srdhm(INT32_MAX, INT32_MAX), 2147483646);
    assert_int_equal(mp_srdhm(1 << 30, 1 << 30), 1 << 29);
    assert_int_equal(mp_srdhm(3, 1 << 30), 2);   /* 1.5 -> 2 */
    assert_int_equal(mp_srdhm(-3, 1 << 30), -1); /* -1.5 -> -1 (half up) */
    assert_int_equal(mp_srdhm(-1, 1 << 30), 0);
    assert_int_equal(mp_rdbpot(5, 1), 3);
    assert_int_equal(mp_rdbpot(-5, 1), -3);
    assert_int_equal(mp_rdbpot(-6, 2), -2);
    assert_int_equal(mp_rdbpot(7, 2), 2);
    assert_int_equal(mp_rdbpot(-9, 0), -9);
    assert_int_equal(mp_rdbpot(INT32_MIN, 31), -1);
    assert_int_equal(mp_rdbpot(INT32_MAX, 31), 1);
    assert_int_equal(mp_mbqm(100, 1 << 30, -1), 25);
    assert_int_equal(mp_mbqm(-7, 1 << 30, 0), -3);
    assert_int_equal(mp_mbqm(5, 1 << 30, 2), 10);
    assert_int_equal(mp_mbqm(INT32_MIN, 1 << 30, 0), -(1 << 30));
    /* double rounding: 11 * 0.75 / 2 = 4.125; SRDHM gives 8 (8.25), RDBPOT 4 */
    assert_int_equal(mp_mbqm(11, 1610612736, -1), 4);
}

static void test_exec_requant_matches_definitions(void **state)
{
    (void)state;
    trng r = {0x9E3779B97F4A7C15ull};
    static const int32_t edge[] = {INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX, 1 << 30,
                                   -(1 << 30), 3, -3};
    for (int i = 0; i < 200000; i++) {
        int32_t a = i < 100 ? edge[i % 10] : (int32_t)(tr_next(&r) << 1 ^ tr_next(&r));
        int32_t b = i < 100 ? edge[i / 10] : (int32_t)(tr_next(&r) << 1 ^ tr_next(&r));
        int32_t e = (int32_t)(tr_next(&r) % 32);
        assert_int_equal(mp_srdhm(a, b), srdhm_literal(a, b));
        assert_int_equal(mp_rdbpot(a, e), rdbpot_literal(a, e));
    }
    /* the vectorized requantization equals the scalar one, shifts of both signs */
    int32_t acc[1024], mult[1024], shift[1024];
    int8_t out[1024];
    for (int i = 0; i < 1024; i++) {
        acc[i] = i < 4 ? (int32_t[]){INT32_MIN, INT32_MAX, 0, -1}[i]
                       : (int32_t)(tr_next(&r) << 1) >> (tr_next(&r) % 24);
        mult[i] = (int32_t)(tr_next(&r) >> 1) | (1 << 30);
        shift[i] = tr_range(&r, -31, 3);
    }
    exec_requant_row(acc, 1024, mult, shift, -5, -100, 120, out);
    for (int i = 0; i < 1024; i++)
        assert_int_equal(out[i], mp_clamp32(mp_mbqm(acc[i], mult[i], shift[i]) - 5, -100, 120));
}

static void test_exec_quantize_multiplier(void **state)
{
    (void)state;
    int32_t m, s;
    exec_quantize_multiplier(0.5, &m, &s);
    assert_true(m == (1 << 30) && s == 0);
    exec_quantize_multiplier(1.0, &m, &s);
    assert_true(m == (1 << 30) && s == 1);
    exec_quantize_multiplier(0.75, &m, &s);
    assert_true(m == 1610612736 && s == 0);
    exec_quantize_multiplier(0.0, &m, &s);
    assert_true(m == 0 && s == 0);
    exec_quantize_multiplier(ldexp(1.0, -40), &m, &s); /* shift < -31: flushed to zero */
    assert_true(m == 0 && s == 0);
    exec_quantize_multiplier(1.0 - ldexp(1.0, -40), &m, &s); /* rounds up to 2^31: halved */
    assert_true(m == (1 << 30) && s == 1);
    int32_t lo, hi;
    exec_activation_range(MP_ACT_RELU6, 6.0f / 255.0f, -128, &lo, &hi);
    assert_true(lo == -128 && hi == 127);
    exec_activation_range(MP_ACT_RELU, 0.1f, 10, &lo, &hi);
    assert_true(lo == 10 && hi == 127);
    exec_activation_range(MP_ACT_RELU6, 0.1f, -128, &lo, &hi);
    assert_true(lo == -128 && hi == -68);
    exec_activation_range(MP_ACT_RELU_N1_TO_1, 0.01f, 0, &lo, &hi);
    assert_true(lo == -100 && hi == 100);
}

/* ---- region property ------------------------------------------------------------------ */

typedef struct net_case {
    mp_graph *g;
    mp_exec_model *m;
    uint32_t op;          /* the op under test */
    int8_t *in[2];        /* whole inputs */
    int8_t *whole;        /* whole output */
    uint32_t n_in;
} net_case;

static void case_open(net_case *c, const char *json, uint64_t seed)
{
    memset(c, 0, sizeof *c);
    c->g = test_graph_from_json(json);
    mp_error err;
    mp_error_init(&err);
    mp_exec_opts o;
    mp_exec_opts_init(&o);
    o.seed = seed;
    if (mp_exec_model_new(c->g, &o, &c->m, &err) != MP_OK)
        fail_msg("model: %s\n%s", err.msg, json);
    c->op = c->g->n_ops - 1;
    const mp_op *op = &c->g->ops[c->op];
    c->n_in = mp_op_n_activation_inputs(c->g, op);
    trng r = {seed * 7919 + 1};
    for (uint32_t k = 0; k < c->n_in; k++) {
        const mp_tensor *t = &c->g->tensors[op->in[k]];
        c->in[k] = malloc(t->size_bytes);
        for (size_t i = 0; i < t->size_bytes; i++)
            c->in[k][i] = (int8_t)tr_next(&r);
    }
    const mp_tensor *to = &c->g->tensors[op->out[0]];
    c->whole = malloc(to->size_bytes);
    mp_view v[2];
    for (uint32_t k = 0; k < c->n_in; k++)
        v[k] = mp_view_of_tensor(&c->g->tensors[op->in[k]], c->in[k]);
    mp_view vo = mp_view_of_tensor(to, c->whole);
    assert_int_equal(mp_exec_op(c->m, c->op, v, c->n_in, &vo, mp_rect_of_tensor(to), &err), MP_OK);
}

static void case_close(net_case *c)
{
    for (uint32_t k = 0; k < c->n_in; k++)
        free(c->in[k]);
    free(c->whole);
    mp_exec_model_free(c->m);
    mp_graph_free(c->g);
}

/* A dense copy of rect r of tensor t (whole data) in a buffer with row padding. */
static int8_t *copy_region(const mp_tensor *t, const int8_t *whole, mp_rect r, int32_t extra,
                           mp_view *v)
{
    if (mp_rect_empty(r))
        r = (mp_rect){0, 0, 0, 0};
    int32_t w = r.x1 - r.x0, h = r.y1 - r.y0, c = t->shape.c;
    int32_t stride = w * c + extra;
    int8_t *buf = malloc((size_t)(h > 0 ? h : 1) * (size_t)(stride > 0 ? stride : 1));
    for (int32_t y = 0; y < h; y++)
        memcpy(buf + (size_t)y * stride,
               whole + ((size_t)(r.y0 + y) * t->shape.w + r.x0) * c, (size_t)w * c);
    *v = (mp_view){buf, r.y0, r.x0, h, w, c, stride};
    return buf;
}

static mp_rect random_rect(trng *r, const mp_tensor *t)
{
    mp_rect o;
    o.y0 = tr_range(r, 0, t->shape.h - 1);
    o.y1 = tr_range(r, o.y0 + 1, t->shape.h);
    o.x0 = tr_range(r, 0, t->shape.w - 1);
    o.x1 = tr_range(r, o.x0 + 1, t->shape.w);
    return o;
}

/* Compute rect R from exact input regions; compare with the whole result. Then drop one
 * needed row or column from one input view and expect an error with nothing written. */
static void check_region(net_case *c, trng *r)
{
    const mp_op *op = &c->g->ops[c->op];
    const mp_tensor *to = &c->g->tensors[op->out[0]];
    mp_rect R = random_rect(r, to);
    mp_view v[2], vo;
    int8_t *bufs[2] = {NULL, NULL};
    mp_error err;
    mp_error_init(&err);
    mp_rect need[2];
    for (uint32_t k = 0; k < c->n_in; k++) {
        assert_int_equal(mp_exec_input_rect(c->m, c->op, k, R, &need[k], &err), MP_OK);
        bufs[k] = copy_region(&c->g->tensors[op->in[k]], c->in[k], need[k],
                              tr_range(r, 0, 3), &v[k]);
    }
    int8_t *ob = copy_region(to, c->whole, R, tr_range(r, 0, 2), &vo);
    memset(ob, 0x55, (size_t)vo.h * vo.row_stride);
    assert_int_equal(mp_exec_op(c->m, c->op, v, c->n_in, &vo, R, &err), MP_OK);
    for (int32_t y = R.y0; y < R.y1; y++)
        for (int32_t x = R.x0; x < R.x1; x++)
            if (memcmp(view_at(&vo, y, x),
                       c->whole + ((size_t)y * to->shape.w + x) * to->shape.c,
                       (size_t)to->shape.c) != 0)
                fail_msg("%s: region [%d,%d)x[%d,%d) differs at (%d,%d)", op->name, R.y0, R.y1,
                         R.x0, R.x1, y, x);
    /* one row or column short */
    uint32_t k = (uint32_t)tr_range(r, 0, (int32_t)c->n_in - 1);
    if (!mp_rect_empty(need[k])) {
        mp_view bad = v[k];
        if (tr_next(r) & 1)
            bad.h--, bad.y0 += (tr_next(r) & 1);
        else
            bad.w--, bad.x0 += (tr_next(r) & 1);
        mp_view vv[2] = {v[0], v[1]};
        vv[k] = bad;
        memset(ob, 0x55, (size_t)vo.h * vo.row_stride);
        mp_error_init(&err);
        assert_int_equal(mp_exec_op(c->m, c->op, vv, c->n_in, &vo, R, &err), MP_E_INVALID);
        for (int32_t i = 0; i < vo.h * vo.row_stride; i++)
            assert_int_equal(ob[i], 0x55);
    }
    free(bufs[0]), free(bufs[1]), free(ob);
}

static void run_cases(const char *json, uint64_t seed, int regions)
{
    net_case c;
    case_open(&c, json, seed);
    trng r = {seed * 31 + 7};
    for (int i = 0; i < regions; i++)
        check_region(&c, &r);
    case_close(&c);
}

static void test_exec_region_conv(void **state)
{
    (void)state;
    trng r = {12345};
    for (int i = 0; i < 60; i++) {
        int32_t h = tr_range(&r, 1, 9), w = tr_range(&r, 1, 9), groups = tr_range(&r, 1, 2);
        int32_t cin = groups * tr_range(&r, 1, 4), cout = groups * tr_range(&r, 1, 5);
        int32_t kh = tr_range(&r, 1, 3), kw = tr_range(&r, 1, 3);
        int32_t dh = tr_range(&r, 1, 2), dw = tr_range(&r, 1, 2);
        int32_t pt = tr_range(&r, 0, 2), pb = tr_range(&r, 0, 2), pl = tr_range(&r, 0, 2),
                pr = tr_range(&r, 0, 2);
        if (h + pt + pb < (kh - 1) * dh + 1 || w + pl + pr < (kw - 1) * dw + 1)
            continue;
        char json[1024];
        snprintf(json, sizeof json, NET_HEAD("[%d,%d,%d]")
                 "{\"name\":\"c\",\"op\":\"conv2d\",\"filters\":%d,\"groups\":%d,"
                 "\"kernel\":[%d,%d],\"stride\":[%d,%d],\"dilation\":[%d,%d],"
                 "\"padding\":[%d,%d,%d,%d],\"activation\":\"%s\"}" NET_TAIL,
                 h, w, cin, cout, groups, kh, kw, tr_range(&r, 1, 3), tr_range(&r, 1, 3), dh, dw,
                 pt, pb, pl, pr, (tr_next(&r) & 1) ? "relu6" : "none");
        run_cases(json, (uint64_t)i + 1, 6);
    }
}

static void test_exec_region_depthwise_and_pools(void **state)
{
    (void)state;
    trng r = {777};
    static const char *const ops[] = {"depthwise_conv2d", "avg_pool2d", "max_pool2d"};
    for (int i = 0; i < 60; i++) {
        const char *op = ops[i % 3];
        int32_t h = tr_range(&r, 1, 9), w = tr_range(&r, 1, 9), c = tr_range(&r, 1, 6);
        int32_t kh = tr_range(&r, 1, 3), kw = tr_range(&r, 1, 3), dil = i % 3 ? 1 : tr_range(&r, 1, 2);
        int32_t pt = tr_range(&r, 0, kh - 1), pl = tr_range(&r, 0, kw - 1);
        if (h + pt < (kh - 1) * dil + 1 || w + pl < (kw - 1) * dil + 1)
            continue;
        char json[1024], extra[128] = "";
        if (i % 3 == 0)
            snprintf(extra, sizeof extra, ",\"depth_multiplier\":%d,\"dilation\":%d",
                     tr_range(&r, 1, 3), dil);
        snprintf(json, sizeof json, NET_HEAD("[%d,%d,%d]")
                 "{\"name\":\"p\",\"op\":\"%s\",\"kernel\":[%d,%d],\"stride\":[%d,%d],"
                 "\"padding\":[%d,%d,%d,%d]%s}" NET_TAIL,
                 h, w, c, op, kh, kw, tr_range(&r, 1, 3), tr_range(&r, 1, 3), pt, 0, pl, 0, extra);
        run_cases(json, (uint64_t)i + 100, 6);
    }
}

static void test_exec_region_other_ops(void **state)
{
    (void)state;
    static const char *const nets[] = {
        NET_HEAD("[7,6,5]") "{\"name\":\"a\",\"op\":\"conv2d\",\"filters\":5,\"kernel\":1},"
            "{\"name\":\"s\",\"op\":\"add\",\"inputs\":[\"in\",\"a\"],\"activation\":\"relu\"}" NET_TAIL,
        NET_HEAD("[7,6,5]") "{\"name\":\"m\",\"op\":\"mean\",\"keep_dims\":true},"
            "{\"name\":\"x\",\"op\":\"mul\",\"inputs\":[\"in\",\"m\"]}" NET_TAIL,
        NET_HEAD("[7,6,5]") "{\"name\":\"m\",\"op\":\"mean\",\"keep_dims\":true},"
            "{\"name\":\"x\",\"op\":\"add\",\"inputs\":[\"m\",\"in\"]}" NET_TAIL,
        NET_HEAD("[7,6,5]") "{\"name\":\"p\",\"op\":\"pad\",\"padding\":[2,1,0,3]}" NET_TAIL,
        NET_HEAD("[7,6,5]") "{\"name\":\"a\",\"op\":\"conv2d\",\"filters\":3,\"kernel\":1},"
            "{\"name\":\"c\",\"op\":\"concat\",\"inputs\":[\"in\",\"a\"],\"axis\":3}" NET_TAIL,
        NET_HEAD("[7,6,5]") "{\"name\":\"a\",\"op\":\"conv2d\",\"filters\":5,\"kernel\":1,"
            "\"stride\":[2,1],\"padding\":\"valid\"},"
            "{\"name\":\"c\",\"op\":\"concat\",\"inputs\":[\"in\",\"a\"],\"axis\":1}" NET_TAIL,
        NET_HEAD("[7,6,5]") "{\"name\":\"a\",\"op\":\"conv2d\",\"filters\":5,\"kernel\":1},"
            "{\"name\":\"c\",\"op\":\"concat\",\"inputs\":[\"a\",\"in\"],\"axis\":2}" NET_TAIL,
        NET_HEAD("[5,4,3]") "{\"name\":\"r\",\"op\":\"resize_nearest\",\"size\":[11,7]}" NET_TAIL,
        NET_HEAD("[5,4,3]") "{\"name\":\"r\",\"op\":\"resize_nearest\",\"size\":[9,9],"
            "\"half_pixel_centers\":true}" NET_TAIL,
        NET_HEAD("[5,4,3]") "{\"name\":\"r\",\"op\":\"resize_nearest\",\"size\":[3,7],"
            "\"align_corners\":true}" NET_TAIL,
        NET_HEAD("[5,4,6]") "{\"name\":\"s\",\"op\":\"softmax\"}" NET_TAIL,
        NET_HEAD("[5,4,6]") "{\"name\":\"q\",\"op\":\"quantize\",\"quant\":{\"scale\":0.02,"
            "\"zero_point\":3}}" NET_TAIL,
    };
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++)
        run_cases(nets[i], i + 1000, 40);
}

/* ---- in-place ------------------------------------------------------------------------- */

static void inplace_dw_case(const char *json, uint64_t seed)
{
    net_case c;
    case_open(&c, json, seed);
    const mp_op *op = &c.g->ops[c.op];
    const mp_tensor *ti = &c.g->tensors[op->in[0]], *to = &c.g->tensors[op->out[0]];
    assert_true(mp_exec_dw_inplace_ok(c.m, c.op));
    mp_error err;
    mp_error_init(&err);
    trng r = {seed};
    for (int i = 0; i < 20; i++) {
        mp_rect R = i == 0 ? mp_rect_of_tensor(to) : random_rect(&r, to), need;
        assert_int_equal(mp_exec_input_rect(c.m, c.op, 0, R, &need, &err), MP_OK);
        size_t in_b, out_b;
        assert_true(mp_rect_bytes(ti, need, &in_b) && mp_rect_bytes(to, R, &out_b));
        size_t n = in_b > out_b ? in_b : out_b;
        mp_view vi;
        int8_t *region = copy_region(ti, c.in[0], need, 0, &vi);
        int8_t *buf = malloc(n ? n : 1);
        memcpy(buf, region, in_b);
        vi.data = buf;
        mp_view vo = mp_view_of_rect(to, R, buf);
        size_t tb = mp_exec_dw_inplace_temp_bytes(R);
        int8_t *temp = malloc(tb);
        assert_int_equal(mp_exec_dw_inplace(c.m, c.op, &vi, &vo, R, temp, tb, &err), MP_OK);
        for (int32_t y = R.y0; y < R.y1; y++)
            for (int32_t x = R.x0; x < R.x1; x++)
                assert_memory_equal(view_at(&vo, y, x),
                                    c.whole + ((size_t)y * to->shape.w + x) * to->shape.c,
                                    (size_t)to->shape.c);
        if (tb > 1) /* too small a temp is refused */
            assert_int_equal(mp_exec_dw_inplace(c.m, c.op, &vi, &vo, R, temp, tb - 1, &err),
                             MP_E_INVALID);
        free(temp), free(buf), free(region);
    }
    case_close(&c);
}

static void test_exec_inplace_depthwise(void **state)
{
    (void)state;
    inplace_dw_case(NET_HEAD("[9,8,5]") "{\"name\":\"d\",\"op\":\"depthwise_conv2d\",\"kernel\":3,"
                    "\"stride\":1,\"padding\":\"same\",\"activation\":\"relu6\"}" NET_TAIL, 1);
    inplace_dw_case(NET_HEAD("[9,8,5]") "{\"name\":\"d\",\"op\":\"depthwise_conv2d\",\"kernel\":3,"
                    "\"stride\":2,\"padding\":\"same\"}" NET_TAIL, 2);
    inplace_dw_case(NET_HEAD("[6,7,3]") "{\"name\":\"d\",\"op\":\"depthwise_conv2d\",\"kernel\":[3,2],"
                    "\"padding\":[3,3,2,2]}" NET_TAIL, 3); /* output larger than input */
    inplace_dw_case(NET_HEAD("[9,9,4]") "{\"name\":\"d\",\"op\":\"depthwise_conv2d\",\"kernel\":5,"
                    "\"dilation\":2,\"padding\":\"valid\"}" NET_TAIL, 4);
}

static void test_exec_inplace_refusals(void **state)
{
    (void)state;
    net_case c;
    case_open(&c, NET_HEAD("[4,4,2]") "{\"name\":\"d\",\"op\":\"depthwise_conv2d\",\"kernel\":3,"
              "\"depth_multiplier\":2}" NET_TAIL, 5);
    assert_false(mp_exec_dw_inplace_ok(c.m, c.op));
    mp_error err;
    mp_error_init(&err);
    int8_t temp[16];
    mp_view v = mp_view_of_tensor(&c.g->tensors[c.g->ops[0].in[0]], c.in[0]);
    mp_rect R = {0, 4, 0, 4};
    assert_int_equal(mp_exec_dw_inplace(c.m, c.op, &v, &v, R, temp, 16, &err), MP_E_UNSUPPORTED);
    case_close(&c);
    case_open(&c, NET_HEAD("[4,4,2]") "{\"name\":\"d\",\"op\":\"depthwise_conv2d\",\"kernel\":3}"
              NET_TAIL, 6);
    int8_t buf[40];
    memcpy(buf + 1, c.in[0], 32);
    mp_view vi = mp_view_of_tensor(&c.g->tensors[c.g->ops[0].in[0]], buf + 1);
    mp_view vo = vi;
    vo.data = buf; /* channel positions shifted by one: refused */
    mp_error_init(&err);
    assert_int_equal(mp_exec_dw_inplace(c.m, c.op, &vi, &vo, R, temp, 16, &err), MP_E_INVALID);
    case_close(&c);
}

static void test_exec_inplace_add(void **state)
{
    (void)state;
    net_case c;
    case_open(&c, NET_HEAD("[6,5,7]") "{\"name\":\"a\",\"op\":\"conv2d\",\"filters\":7,\"kernel\":3},"
              "{\"name\":\"s\",\"op\":\"add\",\"inputs\":[\"a\",\"in\"]}" NET_TAIL, 9);
    const mp_op *op = &c.g->ops[c.op];
    const mp_tensor *to = &c.g->tensors[op->out[0]];
    mp_error err;
    mp_error_init(&err);
    for (uint32_t k = 0; k < 2; k++) { /* over either input */
        int8_t *a = malloc(to->size_bytes), *b = malloc(to->size_bytes);
        memcpy(a, c.in[0], to->size_bytes);
        memcpy(b, c.in[1], to->size_bytes);
        mp_view v[2] = {mp_view_of_tensor(to, a), mp_view_of_tensor(to, b)};
        assert_int_equal(mp_exec_op(c.m, c.op, v, 2, &v[k], mp_rect_of_tensor(to), &err), MP_OK);
        assert_memory_equal(k ? b : a, c.whole, to->size_bytes);
        free(a), free(b);
    }
    case_close(&c);
}

/* One-input ops that may overwrite their input: same bytes as out of place. */
static void test_exec_inplace_unary(void **state)
{
    (void)state;
    static const char *const nets[] = {
        NET_HEAD("[5,4,6]") "{\"name\":\"s\",\"op\":\"softmax\"}" NET_TAIL,
        NET_HEAD("[5,4,6]") "{\"name\":\"q\",\"op\":\"quantize\",\"quant\":{\"scale\":0.02,"
            "\"zero_point\":3}}" NET_TAIL,
        NET_HEAD("[5,4,6]") "{\"name\":\"r\",\"op\":\"reshape\",\"shape\":[20,6]}" NET_TAIL,
    };
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
        net_case c;
        case_open(&c, nets[i], 20 + i);
        const mp_op *op = &c.g->ops[c.op];
        const mp_tensor *ti = &c.g->tensors[op->in[0]], *to = &c.g->tensors[op->out[0]];
        mp_view vi = mp_view_of_tensor(ti, c.in[0]), vo = mp_view_of_tensor(to, c.in[0]);
        mp_error err;
        mp_error_init(&err);
        assert_int_equal(mp_exec_op(c.m, c.op, &vi, 1, &vo, mp_rect_of_tensor(to), &err), MP_OK);
        assert_memory_equal(c.in[0], c.whole, to->size_bytes);
        case_close(&c);
    }
}

/* ---- conv chunking against a naive loop ------------------------------------------------ */

static void naive_conv(const exec_conv *p, const int8_t *in, const int8_t *w, int8_t *out)
{
    int32_t cin_g = p->in_c / p->groups, oc_g = p->out_c / p->groups;
    for (int32_t oy = 0; oy < p->out_h; oy++)
        for (int32_t ox = 0; ox < p->out_w; ox++)
            for (int32_t oc = 0; oc < p->out_c; oc++) {
                int32_t acc = p->bias[oc], g = oc / oc_g;
                for (int32_t ky = 0; ky < p->kh; ky++)
                    for (int32_t kx = 0; kx < p->kw; kx++) {
                        int32_t iy = oy * p->sh - p->pad_top + ky * p->dh;
                        int32_t ix = ox * p->sw - p->pad_left + kx * p->dw;
                        if (iy < 0 || ix < 0 || iy >= p->in_h || ix >= p->in_w)
                            continue;
                        for (int32_t c = 0; c < cin_g; c++)
                            acc += (in[((size_t)iy * p->in_w + ix) * p->in_c + g * cin_g + c] +
                                    p->in_offset) *
                                   w[(((size_t)oc * p->kh + ky) * p->kw + kx) * cin_g + c];
                    }
                int32_t v = mp_mbqm(acc, p->rq.mult[oc], p->rq.shift[oc]) + p->rq.out_offset;
                out[((size_t)oy * p->out_w + ox) * p->out_c + oc] =
                    (int8_t)mp_clamp32(v, p->rq.act_min, p->rq.act_max);
            }
}

static void test_exec_conv_chunks(void **state)
{
    (void)state;
    /* K = 3*3*1900 = 17100 > 16384 (two K chunks), 300 output channels (two channel blocks),
     * and 2 groups with K and channels not multiples of 16 / 4 */
    static const int32_t shapes[][4] = {{1900, 300, 1, 3}, {30, 18, 2, 3}, {7, 6, 1, 1}};
    trng r = {4242};
    for (size_t s = 0; s < 3; s++) {
        exec_conv p = {0};
        p.in_h = 4, p.in_w = 3, p.in_c = shapes[s][0], p.out_c = shapes[s][1];
        p.groups = shapes[s][2], p.kh = p.kw = shapes[s][3];
        p.sh = p.sw = p.dh = p.dw = 1, p.pad_top = p.pad_left = p.kh / 2;
        p.out_h = p.in_h, p.out_w = p.in_w, p.in_offset = 17, p.depth_mult = 1;
        size_t nw = (size_t)p.out_c * p.kh * p.kw * (p.in_c / p.groups);
        size_t ni = (size_t)p.in_h * p.in_w * p.in_c, no = (size_t)p.out_h * p.out_w * p.out_c;
        int8_t *w = malloc(nw), *in = malloc(ni), *got = malloc(no), *want = malloc(no);
        int32_t *bias = malloc(p.out_c * 4), *mult = malloc(p.out_c * 4), *shift = malloc(p.out_c * 4);
        for (size_t i = 0; i < nw; i++)
            w[i] = (int8_t)tr_next(&r);
        for (size_t i = 0; i < ni; i++)
            in[i] = (int8_t)tr_next(&r);
        for (int32_t i = 0; i < p.out_c; i++)
            bias[i] = tr_range(&r, -5000, 5000), mult[i] = (1 << 30) + tr_range(&r, 0, 1 << 29),
            shift[i] = -tr_range(&r, 10, 16);
        p.bias = bias;
        p.rq = (exec_rq){mult, shift, 3, -128, 127};
        mp_pool pool;
        mp_pool_init(&pool);
        mp_error err;
        mp_error_init(&err);
        assert_int_equal(exec_conv_pack(&p, w, &pool, &err), MP_OK);
        mp_view vi = {in, 0, 0, p.in_h, p.in_w, p.in_c, p.in_w * p.in_c};
        mp_view vo = {got, 0, 0, p.out_h, p.out_w, p.out_c, p.out_w * p.out_c};
        exec_conv_run(&p, &vi, &vo, (mp_rect){0, p.out_h, 0, p.out_w});
        naive_conv(&p, in, w, want);
        assert_memory_equal(got, want, no);
        mp_pool_release(&pool);
        free(w), free(in), free(got), free(want), free(bias), free(mult), free(shift);
    }
}

static void test_exec_op_errors(void **state)
{
    (void)state;
    net_case c;
    case_open(&c, NET_HEAD("[4,4,3]") "{\"name\":\"f\",\"op\":\"fully_connected\",\"units\":5}"
              NET_TAIL, 11);
    const mp_tensor *ti = &c.g->tensors[c.g->ops[0].in[0]], *to = &c.g->tensors[c.g->ops[0].out[0]];
    mp_view vi = mp_view_of_tensor(ti, c.in[0]);
    int8_t out[5];
    mp_view vo = mp_view_of_tensor(to, out);
    mp_error err;
    mp_error_init(&err);
    mp_rect part = {0, 1, 0, 1}, outside = {0, 2, 0, 1};
    vo.c = 5;
    assert_int_equal(mp_exec_op(c.m, 0, &vi, 0, &vo, part, &err), MP_E_INVALID);
    mp_error_init(&err);
    assert_int_equal(mp_exec_op(c.m, 0, &vi, 1, &vo, outside, &err), MP_E_INVALID);
    mp_error_init(&err);
    assert_int_equal(mp_exec_op(c.m, 7, &vi, 1, &vo, part, &err), MP_E_INVALID);
    mp_view sparse = vi;
    sparse.row_stride += 1; /* global ops need dense views */
    mp_error_init(&err);
    assert_int_equal(mp_exec_op(c.m, 0, &sparse, 1, &vo, part, &err), MP_E_INVALID);
    assert_non_null(strstr(err.msg, "dense"));
    case_close(&c);
    case_open(&c, NET_HEAD("[4,4,3]") "{\"name\":\"m\",\"op\":\"mean\"}" NET_TAIL, 12);
    mp_view vm = mp_view_of_tensor(&c.g->tensors[c.g->ops[0].in[0]], c.in[0]);
    int8_t mo[3];
    mp_view vmo = mp_view_of_tensor(&c.g->tensors[c.g->ops[0].out[0]], mo);
    mp_rect empty = {0, 0, 0, 0};
    mp_error_init(&err);
    assert_int_equal(mp_exec_op(c.m, 0, &vm, 1, &vmo, empty, &err), MP_OK);
    case_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_requant_hand_values),
        cmocka_unit_test(test_exec_requant_matches_definitions),
        cmocka_unit_test(test_exec_quantize_multiplier),
        cmocka_unit_test(test_exec_region_conv),
        cmocka_unit_test(test_exec_region_depthwise_and_pools),
        cmocka_unit_test(test_exec_region_other_ops),
        cmocka_unit_test(test_exec_inplace_depthwise),
        cmocka_unit_test(test_exec_inplace_refusals),
        cmocka_unit_test(test_exec_inplace_add),
        cmocka_unit_test(test_exec_inplace_unary),
        cmocka_unit_test(test_exec_conv_chunks),
        cmocka_unit_test(test_exec_op_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
