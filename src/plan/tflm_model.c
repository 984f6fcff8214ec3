/* SPDX-License-Identifier: MIT */
/*
 * tflm_model.c - a .tflite as TFLite Micro's allocator reads it (module plan).
 *
 * Unlike the importer, nothing is interpreted beyond what TFLM's
 * MicroAllocator uses: every tensor of subgraph 0 (constants included, since
 * TFLM gives each one a TfLiteEvalTensor), its byte size (elements times the
 * element size, a missing shape being a scalar), whether a buffer holds its
 * data, whether it is a variable, its quantization vector lengths; the
 * operators with their builtin code, index lists and options table; and the
 * OfflineMemoryAllocation metadata. Field ids are those of TFLite's schema.fbs.
 */
#include "tflm_int.h"

#include "../util/alloc.h"
#include "../util/checked.h"

#include <stdio.h>
#include <string.h>

enum { M_OPCODES = 1, M_SUBGRAPHS = 2, M_BUFFERS = 4, M_METADATA = 6 };
enum { SG_TENSORS = 0, SG_INPUTS = 1, SG_OUTPUTS = 2, SG_OPERATORS = 3 };
enum { T_SHAPE = 0, T_TYPE = 1, T_BUFFER = 2, T_QUANT = 4, T_VARIABLE = 5 };
enum { Q_SCALE = 2, Q_ZERO_POINT = 3 };
enum { OP_OPCODE = 0, OP_INPUTS = 1, OP_OUTPUTS = 2, OP_OPTIONS = 4 };

/* Element bytes of a TensorType TFLM can allocate (0: not supported here). */
static size_t type_bytes(int8_t type)
{
    static const uint8_t bytes[] = {4, 2, 4, 1, 8, 0, 1, 2, 8, 1, 8, 16, 8, 0, 0, 4, 2};
    return type >= 0 && (size_t)type < sizeof bytes ? bytes[type] : 0;
}

static void where(tflm_net *n, const char *fmt, unsigned i)
{
    snprintf(n->where, sizeof n->where, fmt, i);
    n->fb.where = n->where;
}

static mp_status buffer_of(tflm_net *n, const fb_vec *buffers, uint32_t b, const uint8_t **data,
                           size_t *bytes)
{
    fb_table t;
    fb_vec v;
    uint64_t off, size;
    *data = NULL;
    *bytes = 0;
    if (b >= buffers->len)
        return fb_fail(&n->fb, MP_E_PARSE, "buffer %u out of range (%u buffers)", b,
                       buffers->len);
    MP_TRY(fb_vec_table(&n->fb, buffers, b, "buffer", &t));
    MP_TRY(fb_vector(&n->fb, &t, 0, 1, "buffer data", &v));
    if (v.len) {
        *data = n->fb.data + v.pos;
        *bytes = v.len;
        return MP_OK;
    }
    MP_TRY(fb_u64(&n->fb, &t, 1, 0, "buffer offset", &off));
    MP_TRY(fb_u64(&n->fb, &t, 2, 0, "buffer size", &size));
    if (off <= 1 || size == 0)
        return MP_OK;
    if (off > n->fb.size || size > n->fb.size - off)
        return fb_fail(&n->fb, MP_E_PARSE, "buffer %u ends past the end of the file", b);
    *data = n->fb.data + off;
    *bytes = (size_t)size;
    return MP_OK;
}

static mp_status read_tensor(tflm_net *n, const fb_vec *tensors, const fb_vec *buffers,
                             uint32_t i)
{
    tflm_tensor *t = &n->tensors[i];
    fb_table tt, qt;
    fb_vec shape, sv, zv;
    uint8_t type, var;
    uint32_t buf;
    bool q;
    where(n, "tensor %u", i);
    MP_TRY(fb_vec_table(&n->fb, tensors, i, "its table", &tt));
    MP_TRY(fb_vector(&n->fb, &tt, T_SHAPE, 4, "shape", &shape));
    MP_TRY(fb_u8(&n->fb, &tt, T_TYPE, 0, "type", &type));
    MP_TRY(fb_u32(&n->fb, &tt, T_BUFFER, 0, "buffer index", &buf));
    MP_TRY(fb_u8(&n->fb, &tt, T_VARIABLE, 0, "is_variable", &var));
    t->type = (int8_t)type;
    size_t elem = type_bytes(t->type);
    if (!elem)
        return fb_fail(&n->fb, MP_E_UNSUPPORTED, "tensor type %u is not modelled", type);
    if (shape.len > TFLM_MAX_RANK)
        return fb_fail(&n->fb, MP_E_UNSUPPORTED, "rank %u (at most %d)", shape.len,
                       TFLM_MAX_RANK);
    t->rank = (uint8_t)shape.len;
    size_t count = 1;
    for (uint32_t k = 0; k < shape.len; k++) {
        t->dims[k] = fb_vec_i32(&n->fb, &shape, k);
        if (t->dims[k] < 0)
            return fb_fail(&n->fb, MP_E_INVALID, "dimension %u is %d", k, t->dims[k]);
        if (!mp_mul_size(count, (size_t)t->dims[k], &count))
            return fb_fail(&n->fb, MP_E_OVERFLOW, "byte size overflows");
    }
    if (!mp_mul_size(count, elem, &t->bytes))
        return fb_fail(&n->fb, MP_E_OVERFLOW, "byte size overflows");
    t->is_variable = var != 0;
    MP_TRY(buffer_of(n, buffers, buf, &t->data, &t->data_bytes));
    t->has_data = t->data != NULL;
    MP_TRY(fb_sub(&n->fb, &tt, T_QUANT, "quantization", &qt, &q));
    if (q) {
        MP_TRY(fb_vector(&n->fb, &qt, Q_SCALE, 4, "quantization scales", &sv));
        MP_TRY(fb_vector(&n->fb, &qt, Q_ZERO_POINT, 8, "quantization zero points", &zv));
        t->n_scale = sv.len;
        t->n_zp = zv.len;
        t->quantized = sv.len > 0 && zv.len > 0;
    }
    return MP_OK;
}

/* An index list (inputs, outputs) checked against the tensor count, copied to *at. */
static mp_status index_list(tflm_net *n, const fb_table *t, unsigned id, const char *what,
                            int32_t **at, const int32_t **out, uint32_t *len)
{
    fb_vec v;
    MP_TRY(fb_vector(&n->fb, t, id, 4, what, &v));
    *out = *at;
    *len = v.len;
    for (uint32_t k = 0; k < v.len; k++) {
        int32_t x = fb_vec_i32(&n->fb, &v, k);
        if (x < -1 || (x >= 0 && (uint32_t)x >= n->n_tensors))
            return fb_fail(&n->fb, MP_E_INVALID, "%s %u: tensor %d out of range", what, k, x);
        *(*at)++ = x;
    }
    return MP_OK;
}

/* Room for every index list of the subgraph. */
static mp_status count_ints(tflm_net *n, const fb_table *sub, const fb_vec *ops, size_t *total)
{
    fb_vec v;
    *total = 0;
    MP_TRY(fb_vector(&n->fb, sub, SG_INPUTS, 4, "inputs", &v));
    *total += v.len;
    MP_TRY(fb_vector(&n->fb, sub, SG_OUTPUTS, 4, "outputs", &v));
    *total += v.len;
    for (uint32_t i = 0; i < ops->len; i++) {
        fb_table ot;
        where(n, "operator %u", i);
        MP_TRY(fb_vec_table(&n->fb, ops, i, "its table", &ot));
        MP_TRY(fb_vector(&n->fb, &ot, OP_INPUTS, 4, "inputs", &v));
        *total += v.len;
        MP_TRY(fb_vector(&n->fb, &ot, OP_OUTPUTS, 4, "outputs", &v));
        *total += v.len;
    }
    return MP_OK;
}

static mp_status read_ops(tflm_net *n, const fb_table *model, const fb_table *sub)
{
    fb_vec codes, ops;
    MP_TRY(fb_vector(&n->fb, model, M_OPCODES, 4, "the operator code list", &codes));
    MP_TRY(fb_vector(&n->fb, sub, SG_OPERATORS, 4, "the operator list", &ops));
    size_t total;
    MP_TRY(count_ints(n, sub, &ops, &total));
    n->ints = mp_calloc(total ? total : 1, sizeof *n->ints);
    n->ops = mp_calloc(ops.len ? ops.len : 1, sizeof *n->ops);
    if (!n->ints || !n->ops)
        return mp_errorf(n->fb.err, MP_E_NOMEM, "out of memory");
    int32_t *at = n->ints;
    n->fb.where = "";
    MP_TRY(index_list(n, sub, SG_INPUTS, "input", &at, &n->inputs, &n->n_inputs));
    MP_TRY(index_list(n, sub, SG_OUTPUTS, "output", &at, &n->outputs, &n->n_outputs));
    n->n_ops = ops.len;
    for (uint32_t i = 0; i < ops.len; i++) {
        tflm_op *op = &n->ops[i];
        fb_table ot, ct;
        uint32_t oc;
        uint8_t old;
        where(n, "operator %u", i);
        MP_TRY(fb_vec_table(&n->fb, &ops, i, "its table", &ot));
        MP_TRY(fb_u32(&n->fb, &ot, OP_OPCODE, 0, "opcode_index", &oc));
        if (oc >= codes.len)
            return fb_fail(&n->fb, MP_E_INVALID, "opcode_index %u out of range", oc);
        MP_TRY(fb_vec_table(&n->fb, &codes, oc, "its operator code", &ct));
        MP_TRY(fb_u8(&n->fb, &ct, 0, 0, "deprecated_builtin_code", &old));
        MP_TRY(fb_i32(&n->fb, &ct, 3, 0, "builtin_code", &op->code));
        if ((int8_t)old > op->code)
            op->code = (int8_t)old;
        MP_TRY(index_list(n, &ot, OP_INPUTS, "input", &at, &op->in, &op->n_in));
        MP_TRY(index_list(n, &ot, OP_OUTPUTS, "output", &at, &op->out, &op->n_out));
        MP_TRY(fb_sub(&n->fb, &ot, OP_OPTIONS, "builtin options", &op->options,
                      &op->has_options));
    }
    return MP_OK;
}

/* OfflineMemoryAllocation: [version, subgraphs, tensors, offsets...] as TFLM reads it. */
static mp_status read_offline(tflm_net *n, const fb_table *model, const fb_vec *buffers)
{
    fb_vec md;
    MP_TRY(fb_vector(&n->fb, model, M_METADATA, 4, "the metadata list", &md));
    for (uint32_t i = 0; i < md.len; i++) {
        fb_table mt;
        const char *name;
        uint32_t len, buf;
        const uint8_t *data;
        size_t bytes;
        where(n, "metadata %u", i);
        MP_TRY(fb_vec_table(&n->fb, &md, i, "its table", &mt));
        MP_TRY(fb_string(&n->fb, &mt, 0, "name", &name, &len));
        if (len != strlen(MP_TFLM_OFFLINE_NAME) || memcmp(name, MP_TFLM_OFFLINE_NAME, len) != 0)
            continue;
        MP_TRY(fb_u32(&n->fb, &mt, 1, 0, "buffer", &buf));
        MP_TRY(buffer_of(n, buffers, buf, &data, &bytes));
        if (bytes < 12 || fb_rd_u32(data + 8) != n->n_tensors ||
            (bytes - 12) / 4 < n->n_tensors)
            return fb_fail(&n->fb, MP_E_INVALID,
                           "%s does not hold one offset per tensor (%u tensors)",
                           MP_TFLM_OFFLINE_NAME, n->n_tensors);
        mp_free(n->offline);
        n->offline = mp_calloc(n->n_tensors ? n->n_tensors : 1, sizeof *n->offline);
        if (!n->offline)
            return mp_errorf(n->fb.err, MP_E_NOMEM, "out of memory");
        for (uint32_t t = 0; t < n->n_tensors; t++)
            n->offline[t] = (int32_t)fb_rd_u32(data + 12 + (size_t)t * 4);
    }
    return MP_OK;
}

static mp_status read_net(tflm_net *n)
{
    fb_table model, sub;
    fb_vec subgraphs, buffers, tensors;
    MP_TRY(fb_root(&n->fb, &model));
    MP_TRY(fb_vector(&n->fb, &model, M_BUFFERS, 4, "the buffer list", &buffers));
    MP_TRY(fb_vector(&n->fb, &model, M_SUBGRAPHS, 4, "the subgraph list", &subgraphs));
    if (subgraphs.len != 1)
        return fb_fail(&n->fb, MP_E_UNSUPPORTED,
                       "%u subgraphs (TFLM arena prediction covers single-subgraph models)",
                       subgraphs.len);
    MP_TRY(fb_vec_table(&n->fb, &subgraphs, 0, "subgraph 0", &sub));
    MP_TRY(fb_vector(&n->fb, &sub, SG_TENSORS, 4, "the tensor list", &tensors));
    n->n_tensors = tensors.len;
    n->tensors = mp_calloc(tensors.len ? tensors.len : 1, sizeof *n->tensors);
    if (!n->tensors)
        return mp_errorf(n->fb.err, MP_E_NOMEM, "out of memory");
    for (uint32_t i = 0; i < tensors.len; i++)
        MP_TRY(read_tensor(n, &tensors, &buffers, i));
    MP_TRY(read_ops(n, &model, &sub));
    MP_TRY(read_offline(n, &model, &buffers));
    n->fb.where = "";
    return MP_OK;
}

mp_status tflm_net_read(const void *data, size_t size, const char *label, tflm_net *net,
                        mp_error *err)
{
    memset(net, 0, sizeof *net);
    net->fb = (fb_ctx){data, size, label ? label : "model", "", err, NULL};
    if (size < 8 || memcmp((const uint8_t *)data + 4, "TFL3", 4) != 0)
        return fb_fail(&net->fb, MP_E_PARSE, "not a TFLite model (no \"TFL3\" identifier)");
    mp_status st = read_net(net);
    if (st != MP_OK)
        tflm_net_free(net);
    return st;
}

void tflm_net_free(tflm_net *net)
{
    mp_free(net->tensors);
    mp_free(net->ops);
    mp_free(net->ints);
    mp_free(net->offline);
    net->tensors = NULL;
    net->ops = NULL;
    net->ints = NULL;
    net->offline = NULL;
}
