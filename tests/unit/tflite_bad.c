/* SPDX-License-Identifier: MIT */
/*
 * tflite_bad.c - malformed TFLite models: each case starts from a small valid
 * model and breaks one thing, either in the description (a wrong index, type
 * or option) or in the serialized bytes (truncation, offsets pointing out of
 * the file). gen_tflite_fixtures writes them to tests/data/bad/, where the CLI
 * bad-input runner checks the exact message; test_tflite checks the status.
 */
#include "tflite_bad.h"

#include <string.h>

/* input 8x8x3 -> conv 3x3 (4 filters, per-channel) -> output 8x8x4 */
static void base(tw_model *m, tm_store *s)
{
    static const int32_t ws[4] = {4, 3, 3, 3};
    tw_init(m);
    uint32_t conv = tw_opcode(m, TW_CONV_2D, NULL);
    int32_t in = tm_act(m, "input", 8, 8, 3);
    int32_t out = tm_act(m, "output", 8, 8, 4);
    int32_t w = tm_weights(m, s, "weights", 4, ws, 0);
    int32_t b = tm_bias(m, s, "bias", 4);
    tm_conv(m, conv, in, w, b, out, 0, 1, 1, 1);
    tw_io(m, in, out);
}

/* tensors of base(): 0 input, 1 output, 2 weights, 3 bias; op 0 the conv */
static void version2(tw_model *m) { m->version = 2; }
static void no_subgraph(tw_model *m) { m->n_subgraphs = 0; }
static void opcode_range(tw_model *m) { m->ops[0].opcode = 9; }
static void input_range(tw_model *m) { m->ops[0].in[0] = 212; }
static void buffer_range(tw_model *m) { m->tensors[2].buffer = 77; }
static void buffer_size(tw_model *m) { m->buffer_size[m->tensors[2].buffer] = 100; }
static void zero_dim(tw_model *m) { m->tensors[0].shape[2] = 0; }
static void float16(tw_model *m) { m->tensors[1].type = TW_FLOAT16; }
static void scale_count(tw_model *m) { m->tensors[2].n_scale = m->tensors[2].n_zp = 3; }
static void variable(tw_model *m) { m->tensors[1].is_variable = true; }
static void bad_padding(tw_model *m) { m->ops[0].fields[0].bits = 7; }
static void tanh_act(tw_model *m) { m->ops[0].fields[3].bits = 4; }
static void options_type(tw_model *m) { m->ops[0].options_type = TW_OPT_POOL; }
static void missing_options(tw_model *m) { m->ops[0].options = false; m->ops[0].options_type = 0; }
static void output_shape(tw_model *m) { m->tensors[1].shape[1] = 4; }
static void two_outputs(tw_model *m) { m->ops[0].out[m->ops[0].n_out++] = 0; }
/* limits: a tensor of more than MP_MAX_TENSOR_BYTES, a dilated window past MP_MAX_DIM */
static void tensor_limit(tw_model *m) { m->tensors[1].shape[1] = m->tensors[1].shape[2] = 30000; }
static void dilation_limit(tw_model *m) { m->ops[0].fields[4].bits = m->ops[0].fields[5].bits = 600000; }

static void rank5(tw_model *m)
{
    m->tensors[0].rank = 5;
    m->tensors[0].shape[4] = 1;
}

static void truncate_half(unsigned char *d, size_t *size, const tw_layout *lay)
{
    (void)d;
    (void)lay;
    *size = *size / 2;
}

static void truncate_weights(unsigned char *d, size_t *size, const tw_layout *lay)
{
    (void)d;
    *size = lay->buffer_data[1] + 4 + 50; /* in the middle of the weights (buffer 1) */
}

static void root_offset(unsigned char *d, size_t *size, const tw_layout *lay)
{
    (void)size;
    (void)lay;
    memcpy(d, "\x00\xff\xff\x7f", 4);
}

static void vtable_out(unsigned char *d, size_t *size, const tw_layout *lay)
{
    (void)size;
    memcpy(d + lay->tensor_table[2], "\x00\x00\x00\x80", 4); /* soffset INT32_MIN */
}

static void name_length(unsigned char *d, size_t *size, const tw_layout *lay)
{
    (void)size;
    memcpy(d + lay->tensor_name[1], "\xff\xff\x00\x00", 4);
}

static void bad_identifier(unsigned char *d, size_t *size, const tw_layout *lay)
{
    (void)size;
    (void)lay;
    memcpy(d + 4, "TFL2", 4);
}

static const tm_bad cases[] = {
    {"tflite_version2", version2, NULL},
    {"tflite_no_subgraph", no_subgraph, NULL},
    {"tflite_opcode_range", opcode_range, NULL},
    {"tflite_input_range", input_range, NULL},
    {"tflite_buffer_range", buffer_range, NULL},
    {"tflite_buffer_size", buffer_size, NULL},
    {"tflite_zero_dim", zero_dim, NULL},
    {"tflite_rank5", rank5, NULL},
    {"tflite_float16", float16, NULL},
    {"tflite_scale_count", scale_count, NULL},
    {"tflite_variable", variable, NULL},
    {"tflite_bad_padding", bad_padding, NULL},
    {"tflite_tanh", tanh_act, NULL},
    {"tflite_options_type", options_type, NULL},
    {"tflite_missing_options", missing_options, NULL},
    {"tflite_output_shape", output_shape, NULL},
    {"tflite_two_outputs", two_outputs, NULL},
    {"tflite_tensor_limit", tensor_limit, NULL},
    {"tflite_dilation_limit", dilation_limit, NULL},
    {"tflite_truncated", NULL, truncate_half},
    {"tflite_truncated_weights", NULL, truncate_weights},
    {"tflite_root_offset", NULL, root_offset},
    {"tflite_vtable", NULL, vtable_out},
    {"tflite_name_length", NULL, name_length},
    {"tflite_identifier", NULL, bad_identifier},
};

const tm_bad *tm_bad_cases(size_t *n)
{
    *n = sizeof cases / sizeof cases[0];
    return cases;
}

unsigned char *tm_bad_build(const tm_bad *c, tm_store *s, size_t *size)
{
    static tw_model m; /* large: keep it off the stack (test code, single-threaded) */
    tw_layout lay;
    tm_store_init(s);
    base(&m, s);
    if (c->edit)
        c->edit(&m);
    unsigned char *data = tw_write(&m, size, &lay);
    if (data && c->damage)
        c->damage(data, size, &lay);
    return data;
}
