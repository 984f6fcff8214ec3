/* SPDX-License-Identifier: MIT */
/*
 * gen_tflm_ops.c - one-operator .tflite models for tests/tflm/tflm_oracle.sh:
 * each TFLite Micro kernel the arena model knows, alone on a small int8
 * tensor, so a wrong OpData size, builtin size, scratch request or temporary
 * need shows up on its own (TFLM's alignment hides little at these sizes).
 *
 * usage: gen_tflm_ops DIR   writes DIR/op_NAME.tflite for every NAME below
 */
#include "tflite_models.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ops[] = {
    "add",  "mul",     "sub",   "addb",   "concat", "pad",       "bilinear", "nearest",
    "hardswish", "quantize", "fcpc", "maxpool", "mean", "mean3", "transpose", "slice",
    "prelu", "maximum", "minimum", "relu", "relu6", "tanh", "leaky", "squeeze"};

static void means(tw_model *m, tm_store *st, int32_t in, int n, int32_t *out)
{
    static const int32_t axes[2] = {1, 2};
    uint32_t mean = tw_opcode(m, TW_MEAN, NULL);
    int32_t cur = in;
    for (int i = 0; i < n; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "mean%d", i);
        int32_t o = tm_act(m, nm, 1, 1, 4);
        const int32_t mi[2] = {cur, tm_ints(m, st, "axes", 2, axes, 0)};
        tw_opt_u8(tw_operator(m, mean, 2, mi, 1, &o, TW_OPT_REDUCER), 0, 1);
        cur = o;
    }
    *out = cur;
}

/* The model of one op on an int8 [1, 8, 8, 4] input; false for an unknown name. */
static bool build(const char *op, tw_model *m, tm_store *st)
{
    tw_init(m);
    int32_t in = tm_act(m, "input", 8, 8, 4), out;
    if (!strcmp(op, "add") || !strcmp(op, "mul") || !strcmp(op, "sub") || !strcmp(op, "addb")) {
        int code = !strcmp(op, "mul") ? TW_MUL : !strcmp(op, "sub") ? 41 : TW_ADD;
        uint32_t oc = tw_opcode(m, code, NULL);
        int32_t mid = tm_act(m, "mid", 8, 8, 4);
        const int32_t cin[2] = {in, in};
        tw_operator(m, oc, 2, cin, 1, &mid, code == TW_MUL ? TW_OPT_MUL : code == TW_ADD ? TW_OPT_ADD : 28);
        out = mid;
        if (!strcmp(op, "addb")) { /* broadcast: mid + the input's mean over h and w */
            int32_t in2;
            means(m, st, in, 1, &in2);
            out = tm_act(m, "out", 8, 8, 4);
            const int32_t ai[2] = {mid, in2};
            tw_operator(m, oc, 2, ai, 1, &out, TW_OPT_ADD);
        }
    } else if (!strcmp(op, "concat")) {
        uint32_t oc = tw_opcode(m, TW_CONCATENATION, NULL);
        out = tm_act(m, "out", 8, 8, 8);
        const int32_t ci[2] = {in, in};
        tw_opt_i32(tw_operator(m, oc, 2, ci, 1, &out, TW_OPT_CONCAT), 0, 3);
    } else if (!strcmp(op, "pad")) {
        uint32_t oc = tw_opcode(m, TW_PAD, NULL);
        static const int32_t pads[8] = {0, 0, 1, 1, 1, 1, 0, 0};
        out = tm_act(m, "out", 10, 10, 4);
        const int32_t pi[2] = {in, tm_ints(m, st, "pads", 8, pads, 4)};
        tw_operator(m, oc, 2, pi, 1, &out, TW_OPT_PAD);
    } else if (!strcmp(op, "bilinear") || !strcmp(op, "nearest")) {
        int code = !strcmp(op, "bilinear") ? 23 : TW_RESIZE_NEAREST_NEIGHBOR;
        uint32_t oc = tw_opcode(m, code, NULL);
        static const int32_t size[2] = {16, 16};
        out = tm_act(m, "out", 16, 16, 4);
        const int32_t ri[2] = {in, tm_ints(m, st, "size", 2, size, 0)};
        tw_operator(m, oc, 2, ri, 1, &out, code == 23 ? 15 : TW_OPT_RESIZE_NN);
    } else if (!strcmp(op, "hardswish") || !strcmp(op, "logistic")) {
        uint32_t oc = tw_opcode(m, !strcmp(op, "logistic") ? 14 : TW_HARD_SWISH, NULL);
        out = tm_act(m, "out", 8, 8, 4);
        tw_operator(m, oc, 1, &in, 1, &out, 0);
    } else if (!strcmp(op, "quantize")) {
        uint32_t oc = tw_opcode(m, TW_QUANTIZE, NULL);
        out = tw_tensor_add(m, "out", TW_INT8, 4, (const int32_t[4]){1, 8, 8, 4});
        const float sc = 0.1f; const int64_t zp = 5; tw_quant(m, out, 1, &sc, &zp, 0);
        tw_operator(m, oc, 1, &in, 1, &out, TW_OPT_QUANTIZE);
    } else if (!strcmp(op, "fcpc")) {
        uint32_t oc = tw_opcode(m, TW_FULLY_CONNECTED, NULL);
        static const int32_t ws[2] = {12, 256};
        int32_t w = tm_weights(m, st, "w", 2, ws, 0);
        int32_t b = tm_bias(m, st, "b", 12);
        out = tm_act(m, "out", 0, 0, 12);
        const int32_t fi[3] = {in, w, b};
        tw_operator(m, oc, 3, fi, 1, &out, TW_OPT_FC);
    } else if (!strcmp(op, "maxpool")) {
        uint32_t oc = tw_opcode(m, TW_MAX_POOL_2D, NULL);
        out = tm_act(m, "out", 4, 4, 4);
        tm_pool(m, oc, in, out, 1, 2, 2);
    } else if (!strcmp(op, "transpose")) {
        static const int32_t perm[4] = {0, 2, 1, 3};
        uint32_t oc = tw_opcode(m, 39, NULL);
        out = tm_act(m, "out", 8, 8, 4);
        const int32_t ti[2] = {in, tm_ints(m, st, "perm", 4, perm, 0)};
        tw_operator(m, oc, 2, ti, 1, &out, 0);
    } else if (!strcmp(op, "slice")) {
        static const int32_t b[4] = {0, 1, 1, 0}, e[4] = {1, 7, 7, 4}, s[4] = {1, 1, 1, 1};
        uint32_t oc = tw_opcode(m, 45, NULL);
        out = tm_act(m, "out", 6, 6, 4);
        const int32_t si[4] = {in, tm_ints(m, st, "b", 4, b, 0), tm_ints(m, st, "e", 4, e, 0), tm_ints(m, st, "s", 4, s, 0)};
        tw_operator(m, oc, 4, si, 1, &out, 0);
    } else if (!strcmp(op, "prelu")) {
        static const int32_t as[3] = {1, 1, 4};
        uint32_t oc = tw_opcode(m, 54, NULL);
        int32_t a = tm_weights(m, st, "alpha", 3, as, -1);
        out = tm_act(m, "out", 8, 8, 4);
        const int32_t pi[2] = {in, a};
        tw_operator(m, oc, 2, pi, 1, &out, 0);
    } else if (!strcmp(op, "maximum") || !strcmp(op, "minimum")) {
        uint32_t oc = tw_opcode(m, !strcmp(op, "maximum") ? 55 : 57, NULL);
        out = tm_act(m, "out", 8, 8, 4);
        const int32_t mi[2] = {in, in};
        tw_operator(m, oc, 2, mi, 1, &out, 0);
    } else if (!strcmp(op, "relu") || !strcmp(op, "relu6") || !strcmp(op, "tanh") || !strcmp(op, "leaky")) {
        int code = !strcmp(op, "relu") ? 19 : !strcmp(op, "relu6") ? 21 : !strcmp(op, "tanh") ? 28 : 98;
        uint32_t oc = tw_opcode(m, code, NULL);
        out = tm_act(m, "out", 8, 8, 4);
        tw_operator(m, oc, 1, &in, 1, &out, 0);
    } else if (!strcmp(op, "squeeze")) {
        uint32_t oc = tw_opcode(m, 43, NULL);
        out = tw_tensor_add(m, "out", TW_INT8, 3, (const int32_t[3]){8, 8, 4});
        const float sc = 0.05f; const int64_t zp = -3; tw_quant(m, out, 1, &sc, &zp, 0);
        tw_operator(m, oc, 1, &in, 1, &out, 0);
    } else if (!strcmp(op, "mean") || !strcmp(op, "mean3")) {
        means(m, st, in, !strcmp(op, "mean") ? 1 : 3, &out);
    } else {
        return false;
    }
    tw_io(m, in, out);
    return true;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_tflm_ops DIR\n");
        return 2;
    }
    static tw_model m;
    static tm_store st;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char path[4096];
        tm_store_init(&st);
        snprintf(path, sizeof path, "%s/op_%s.tflite", argv[1], ops[i]);
        if (!build(ops[i], &m, &st) || !tw_write_file(&m, path)) {
            fprintf(stderr, "gen_tflm_ops: cannot write %s\n", path);
            return 1;
        }
    }
    return 0;
}
