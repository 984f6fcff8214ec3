/* SPDX-License-Identifier: MIT */
/*
 * tflite.c - the TFLite flatbuffer importer: model, operator codes, buffers,
 * tensors and the subgraph's inputs and outputs (module import). Operators
 * and their options are read in tflite_ops.c.
 *
 * Import work is bounded by the file: entries of the tensor and operator
 * lists must be distinct tables (aliases are refused), and every table,
 * string and wide vector read is charged against FB_WORK_FACTOR times the
 * file size (flatbuf.h), so time and memory are O(file size).
 *
 * Only subgraph 0 is read. Every tensor of it becomes a graph tensor with the
 * same index, so tensor ids, error messages and TFLite Micro's planning order
 * all match the file. Constant data stays in the file buffer (zero copy): the
 * graph adopts the buffer (mp_import_tflite) or borrows it
 * (mp_import_tflite_buffer). Every offset and length is checked by flatbuf.c
 * before it is used.
 */
#include "tflite_int.h"

#include "../util/alloc.h"
#include "../util/checked.h"
#include "../util/text.h"
#include "import_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TensorType names, for messages (schema order). */
static const char *const type_names[] = {
    "FLOAT32", "FLOAT16", "INT32",   "UINT8",  "INT64",  "STRING", "BOOL",   "INT16",  "COMPLEX64",
    "INT8",    "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE", "VARIANT", "UINT32", "UINT16", "INT4",
};

void tfl_where(tfl_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->where, sizeof c->where, fmt, ap);
    va_end(ap);
    c->fb.where = c->where;
}

mp_status tfl_text(tfl_ctx *c, const char *s, size_t len, size_t extra, char **out)
{
    size_t need;
    if (!mp_add_size(len, extra, &need) || !mp_add_size(need, 1, &need))
        return fb_fail(&c->fb, MP_E_OVERFLOW, "name too long");
    if (need > c->text_cap) {
        char *p = mp_realloc(c->text, need);
        if (!p)
            return mp_errorf(c->fb.err, MP_E_NOMEM, "out of memory");
        c->text = p;
        c->text_cap = need;
    }
    if (len)
        memcpy(c->text, s, len);
    c->text[len] = '\0';
    *out = c->text;
    return MP_OK;
}

/* ---- operator codes ------------------------------------------------------------------- */

static mp_status read_opcodes(tfl_ctx *c, const fb_table *model)
{
    fb_vec v;
    MP_TRY(fb_vector(&c->fb, model, MODEL_OPERATOR_CODES, 4, "the operator code list", &v));
    c->opcodes = mp_calloc(v.len ? v.len : 1, sizeof *c->opcodes);
    if (!c->opcodes)
        return mp_errorf(c->fb.err, MP_E_NOMEM, "out of memory");
    c->n_opcodes = v.len;
    for (uint32_t i = 0; i < v.len; i++) {
        fb_table t;
        uint8_t old;
        int32_t code;
        tfl_opcode *oc = &c->opcodes[i];
        tfl_where(c, "operator code %u", i);
        MP_TRY(fb_vec_table(&c->fb, &v, i, "its table", &t));
        MP_TRY(fb_u8(&c->fb, &t, OPCODE_DEPRECATED_BUILTIN, 0, "deprecated_builtin_code", &old));
        MP_TRY(fb_i32(&c->fb, &t, OPCODE_BUILTIN, 0, "builtin_code", &code));
        MP_TRY(fb_string(&c->fb, &t, OPCODE_CUSTOM, "custom_code", &oc->custom, &oc->custom_len));
        oc->code = (int8_t)old > code ? (int8_t)old : code;
    }
    return MP_OK;
}

/* ---- buffers -------------------------------------------------------------------------- */

/* Data of buffer b: the data vector, or the (offset, size) range of large models. */
static mp_status buffer_data(tfl_ctx *c, uint32_t b, const uint8_t **data, size_t *bytes)
{
    char what[32];
    fb_table t;
    fb_vec v;
    uint64_t off, size;
    *data = NULL;
    *bytes = 0;
    snprintf(what, sizeof what, "buffer %u", b);
    if (b >= c->buffers.len)
        return fb_fail(&c->fb, MP_E_PARSE, "buffer %u out of range (%u buffers)", b,
                       c->buffers.len);
    MP_TRY(fb_vec_table(&c->fb, &c->buffers, b, what, &t));
    MP_TRY(fb_vector(&c->fb, &t, BUFFER_DATA, 1, what, &v));
    if (v.len) {
        *data = c->fb.data + v.pos;
        *bytes = v.len;
        return MP_OK;
    }
    MP_TRY(fb_u64(&c->fb, &t, BUFFER_OFFSET, 0, what, &off));
    MP_TRY(fb_u64(&c->fb, &t, BUFFER_SIZE, 0, what, &size));
    if (off <= 1 || size == 0)
        return MP_OK; /* no data: an activation */
    if (off > c->fb.size || size > c->fb.size - off)
        return fb_fail(&c->fb, MP_E_PARSE, "%s ends past the end of the file", what);
    *data = c->fb.data + off;
    *bytes = (size_t)size;
    return MP_OK;
}

/* Every buffer must be well formed, used or not (a truncated file fails here). */
static mp_status check_buffers(tfl_ctx *c)
{
    const uint8_t *data;
    size_t bytes;
    c->fb.where = "";
    for (uint32_t b = 0; b < c->buffers.len; b++)
        MP_TRY(buffer_data(c, b, &data, &bytes));
    return MP_OK;
}

/* ---- tensors -------------------------------------------------------------------------- */

static mp_status map_dtype(tfl_ctx *c, uint8_t type, mp_dtype *out)
{
    switch (type) {
    case 0: *out = MP_DTYPE_FLOAT32; return MP_OK;
    case 2: *out = MP_DTYPE_INT32; return MP_OK;
    case 3: *out = MP_DTYPE_UINT8; return MP_OK;
    case 4: *out = MP_DTYPE_INT64; return MP_OK;
    case 6: *out = MP_DTYPE_BOOL; return MP_OK;
    case 7: *out = MP_DTYPE_INT16; return MP_OK;
    case 9: *out = MP_DTYPE_INT8; return MP_OK;
    default:
        if (type < sizeof type_names / sizeof type_names[0])
            return fb_fail(&c->fb, MP_E_UNSUPPORTED, "type %s is not supported",
                           type_names[type]);
        return fb_fail(&c->fb, MP_E_INVALID, "type %u is not a TFLite tensor type", type);
    }
}

/* Shape of rank 0..4, right-aligned into NHWC; dims receives the file's dimensions. */
static mp_status read_shape(tfl_ctx *c, const fb_vec *v, int32_t *dims, mp_shape *shape,
                            uint8_t *rank)
{
    if (v->len > 4)
        return fb_fail(&c->fb, MP_E_UNSUPPORTED, "rank %u is not supported (at most 4)", v->len);
    int32_t d[4] = {1, 1, 1, 1};
    for (uint32_t k = 0; k < v->len; k++) {
        dims[k] = fb_vec_i32(&c->fb, v, k);
        if (dims[k] < 1)
            return fb_fail(&c->fb, MP_E_INVALID, "dimension %u is %d (every dimension must be >= 1)",
                           k, dims[k]);
        if (dims[k] > MP_MAX_DIM)
            return fb_fail(&c->fb, MP_E_LIMIT, "dimension %u is %d, the limit is %d", k, dims[k],
                           MP_MAX_DIM);
        d[4 - v->len + k] = dims[k];
    }
    *shape = (mp_shape){d[0], d[1], d[2], d[3]};
    *rank = (uint8_t)(v->len ? v->len : 1); /* a scalar is stored as rank 1 */
    return MP_OK;
}

static mp_status grow_quant(tfl_ctx *c, uint32_t n)
{
    if (n <= c->q_cap)
        return MP_OK;
    float *s = mp_realloc(c->qscale, (size_t)n * sizeof *s);
    if (s)
        c->qscale = s;
    int32_t *z = s ? mp_realloc(c->qzp, (size_t)n * sizeof *z) : NULL;
    if (!s || !z)
        return mp_errorf(c->fb.err, MP_E_NOMEM, "out of memory");
    c->qzp = z;
    c->q_cap = n;
    return MP_OK;
}

/* Scales and zero points, per tensor or per channel along the quantized dimension. */
static mp_status read_quant(tfl_ctx *c, const fb_table *t, const int32_t *dims, uint32_t rank,
                            mp_quant *q)
{
    fb_table qt;
    fb_vec sv, zv;
    bool present;
    int32_t qd;
    memset(q, 0, sizeof *q);
    MP_TRY(fb_sub(&c->fb, t, TENSOR_QUANTIZATION, "quantization", &qt, &present));
    if (!present)
        return MP_OK;
    MP_TRY(fb_vector(&c->fb, &qt, QUANT_SCALE, 4, "quantization scales", &sv));
    MP_TRY(fb_vector(&c->fb, &qt, QUANT_ZERO_POINT, 8, "quantization zero points", &zv));
    MP_TRY(fb_i32(&c->fb, &qt, QUANT_DIMENSION, 0, "quantized dimension", &qd));
    if (sv.len == 0)
        return MP_OK;
    if (zv.len > 1 && zv.len != sv.len)
        return fb_fail(&c->fb, MP_E_INVALID, "%u scales but %u zero points", sv.len, zv.len);
    if (sv.len > 1 && rank == 1 && dims[0] == (int32_t)sv.len)
        qd = 0; /* a per-channel bias: TOCO leaves the filter's dimension (3) here */
    bool axis_ok = qd >= 0 && (uint32_t)qd < rank;
    if (sv.len > 1 && !axis_ok)
        return fb_fail(&c->fb, MP_E_INVALID, "quantized dimension %d is out of range (rank %u)",
                       qd, rank);
    if (sv.len > 1 && dims[qd] != (int32_t)sv.len)
        return fb_fail(&c->fb, MP_E_INVALID, "%u scales for quantized dimension %d of size %d",
                       sv.len, qd, dims[qd]);
    MP_TRY(grow_quant(c, sv.len));
    for (uint32_t i = 0; i < sv.len; i++) {
        int64_t zp = zv.len ? fb_vec_i64(&c->fb, &zv, zv.len == 1 ? 0 : i) : 0;
        if (zp < INT32_MIN || zp > INT32_MAX)
            return fb_fail(&c->fb, MP_E_INVALID, "zero point %lld is out of range",
                           (long long)zp);
        c->qscale[i] = fb_vec_f32(&c->fb, &sv, i);
        c->qzp[i] = (int32_t)zp;
    }
    *q = (mp_quant){sv.len, axis_ok ? qd + 4 - (int32_t)rank : 0, c->qscale, c->qzp};
    return MP_OK;
}

/* The tensor's name, made unique ("name#12") and non-empty ("tensor#12"). */
static mp_status tensor_name(tfl_ctx *c, uint32_t i, const char *s, uint32_t len, char **out)
{
    char *name;
    MP_TRY(tfl_text(c, s, len, 40, &name));
    size_t n = strlen(name); /* an embedded NUL ends the name */
    if (n == 0)
        n = (size_t)snprintf(name, 40, "tensor");
    size_t room = len + 41 - n; /* >= 24 bytes for the suffix */
    for (uint32_t k = 0; mp_graph_find_tensor(c->g, name) != MP_NO_TENSOR; k++) {
        if (k == 0)
            snprintf(name + n, room, "#%u", i);
        else
            snprintf(name + n, room, "#%u.%u", i, k);
    }
    *out = name;
    return MP_OK;
}

/* Constant data of the tensor: must fill the shape exactly. */
static mp_status tensor_data(tfl_ctx *c, uint32_t buffer, mp_tensor_spec *spec)
{
    const uint8_t *data;
    size_t bytes, need;
    MP_TRY(buffer_data(c, buffer, &data, &bytes));
    if (!data)
        return MP_OK;
    const mp_shape s = spec->shape;
    if (!mp_mul4_size((size_t)s.n, (size_t)s.h, (size_t)s.w, (size_t)s.c, &need) ||
        !mp_mul_size(need, mp_dtype_size(spec->dtype), &need))
        return fb_fail(&c->fb, MP_E_OVERFLOW, "byte size overflows");
    if (bytes != need)
        return fb_fail(&c->fb, MP_E_INVALID, "buffer %u holds %zu bytes, the tensor needs %zu",
                       buffer, bytes, need);
    spec->flags |= MP_TENSOR_CONST;
    spec->data = data;
    spec->data_bytes = bytes;
    /* zero copy, unless the elements would be misaligned in memory (then charged: a copy
     * per tensor that refers to the buffer) */
    spec->borrow_data = (uintptr_t)data % mp_dtype_size(spec->dtype) == 0;
    return spec->borrow_data ? MP_OK : fb_charge(&c->fb, bytes, "its copied data");
}

static mp_status read_tensor(tfl_ctx *c, uint32_t i)
{
    fb_table t, sp;
    fb_vec shape;
    uint8_t type, variable;
    uint32_t buffer, name_len;
    const char *name;
    bool sparse;
    int32_t dims[4] = {1, 1, 1, 1};
    mp_tensor_spec spec = {.has_source_index = true, .source_index = i};
    tfl_where(c, "tensor %u", i);
    MP_TRY(fb_vec_table(&c->fb, &c->tensors, i, "its table", &t));
    MP_TRY(fb_vector(&c->fb, &t, TENSOR_SHAPE, 4, "shape", &shape));
    MP_TRY(fb_u8(&c->fb, &t, TENSOR_TYPE, 0, "type", &type));
    MP_TRY(fb_u32(&c->fb, &t, TENSOR_BUFFER, 0, "buffer index", &buffer));
    MP_TRY(fb_string(&c->fb, &t, TENSOR_NAME, "name", &name, &name_len));
    MP_TRY(fb_u8(&c->fb, &t, TENSOR_IS_VARIABLE, 0, "is_variable", &variable));
    MP_TRY(fb_sub(&c->fb, &t, TENSOR_SPARSITY, "sparsity", &sp, &sparse));
    if (variable)
        return fb_fail(&c->fb, MP_E_UNSUPPORTED, "variable (stateful) tensors are not supported");
    if (sparse)
        return fb_fail(&c->fb, MP_E_UNSUPPORTED, "sparse tensors are not supported");
    MP_TRY(map_dtype(c, type, &spec.dtype));
    MP_TRY(read_shape(c, &shape, dims, &spec.shape, &spec.rank));
    MP_TRY(read_quant(c, &t, dims, shape.len, &spec.quant));
    MP_TRY(tensor_data(c, buffer, &spec));
    char *unique;
    MP_TRY(tensor_name(c, i, name, name_len, &unique));
    spec.name = unique;
    mp_tensor_id id;
    return mp_graph_add_tensor(c->g, &spec, &id, c->fb.err);
}

/* ---- subgraph ------------------------------------------------------------------------- */

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Every entry of a vector of tables must be a table of its own: a converter never writes
 * two entries pointing at one table, and importing it twice would be two tensors (or
 * operators) where the file has one. O(n log n). */
static mp_status tables_distinct(tfl_ctx *c, const fb_vec *v, const char *what)
{
    if (v->len < 2)
        return MP_OK;
    size_t *pos = mp_malloc((size_t)v->len * sizeof *pos);
    if (!pos)
        return mp_errorf(c->fb.err, MP_E_NOMEM, "out of memory");
    for (uint32_t i = 0; i < v->len; i++) {
        size_t slot = v->pos + (size_t)i * 4; /* inside: fb_vector checked len * 4 */
        pos[i] = slot + fb_rd_u32(c->fb.data + slot);
    }
    qsort(pos, v->len, sizeof *pos, cmp_size);
    size_t dup = 0;
    for (uint32_t i = 1; i < v->len && !dup; i++)
        if (pos[i] == pos[i - 1])
            dup = pos[i];
    mp_free(pos);
    if (!dup)
        return MP_OK;
    uint32_t first = UINT32_MAX, second = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        size_t slot = v->pos + (size_t)i * 4;
        if (slot + fb_rd_u32(c->fb.data + slot) != dup)
            continue;
        if (first == UINT32_MAX) {
            first = i;
        } else {
            second = i;
            break;
        }
    }
    return fb_fail(&c->fb, MP_E_INVALID,
                   "%s %u and %u are the same flatbuffer table (aliased entries are not "
                   "accepted)",
                   what, first, second);
}

static mp_status read_index_list(tfl_ctx *c, const fb_table *sub, unsigned field,
                                 const char *what, mp_tensor_id **ids, uint32_t *n)
{
    fb_vec v;
    MP_TRY(fb_vector(&c->fb, sub, field, 4, what, &v));
    *ids = mp_malloc(v.len ? (size_t)v.len * sizeof **ids : 1);
    if (!*ids)
        return mp_errorf(c->fb.err, MP_E_NOMEM, "out of memory");
    *n = v.len;
    for (uint32_t k = 0; k < v.len; k++) {
        int32_t t = fb_vec_i32(&c->fb, &v, k);
        if (t < 0 || (uint32_t)t >= c->tensors.len)
            return fb_fail(&c->fb, MP_E_INVALID, "%s %u: tensor %d out of range (%u tensors)",
                           what, k, t, c->tensors.len);
        (*ids)[k] = (mp_tensor_id)t;
    }
    return MP_OK;
}

static mp_status read_io(tfl_ctx *c, const fb_table *sub)
{
    mp_tensor_id *in = NULL, *out = NULL;
    uint32_t n_in = 0, n_out = 0;
    c->fb.where = "subgraph 0";
    mp_status st = read_index_list(c, sub, SUBGRAPH_INPUTS, "input", &in, &n_in);
    if (st == MP_OK)
        st = read_index_list(c, sub, SUBGRAPH_OUTPUTS, "output", &out, &n_out);
    if (st == MP_OK)
        st = mp_graph_set_io(c->g, in, n_in, out, n_out, c->fb.err);
    mp_free(in);
    mp_free(out);
    return st;
}

static mp_status read_model(tfl_ctx *c)
{
    fb_table model, sub;
    fb_vec subgraphs;
    uint32_t version;
    c->fb.where = "";
    MP_TRY(fb_root(&c->fb, &model));
    MP_TRY(fb_u32(&c->fb, &model, MODEL_VERSION, 0, "the schema version", &version));
    if (version != TFL_SCHEMA_VERSION)
        return fb_fail(&c->fb, MP_E_UNSUPPORTED,
                       "schema version %u is not supported (memplan reads version %u)", version,
                       TFL_SCHEMA_VERSION);
    MP_TRY(fb_vector(&c->fb, &model, MODEL_BUFFERS, 4, "the buffer list", &c->buffers));
    MP_TRY(fb_vector(&c->fb, &model, MODEL_SUBGRAPHS, 4, "the subgraph list", &subgraphs));
    if (subgraphs.len == 0)
        return fb_fail(&c->fb, MP_E_INVALID, "the model has no subgraph");
    c->g->n_subgraphs = subgraphs.len; /* the CLI warns when there are more than one */
    MP_TRY(read_opcodes(c, &model));
    c->fb.where = "subgraph 0";
    MP_TRY(fb_vec_table(&c->fb, &subgraphs, 0, "its table", &sub));
    MP_TRY(fb_vector(&c->fb, &sub, SUBGRAPH_TENSORS, 4, "the tensor list", &c->tensors));
    if (c->tensors.len > MP_MAX_TENSORS)
        return fb_fail(&c->fb, MP_E_LIMIT, "%u tensors, the limit is %u", c->tensors.len,
                       MP_MAX_TENSORS);
    MP_TRY(tables_distinct(c, &c->tensors, "tensors"));
    fb_vec ops;
    MP_TRY(fb_vector(&c->fb, &sub, SUBGRAPH_OPERATORS, 4, "the operator list", &ops));
    MP_TRY(tables_distinct(c, &ops, "operators"));
    for (uint32_t i = 0; i < c->tensors.len; i++)
        MP_TRY(read_tensor(c, i));
    MP_TRY(check_buffers(c));
    MP_TRY(read_io(c, &sub));
    return tfl_read_operators(c, &sub);
}

/* ---- entry points --------------------------------------------------------------------- */

/* "dir/person_detect.tflite" -> "person_detect" */
static void network_name(const char *label, char *buf, size_t n)
{
    const char *base = strrchr(label, '/');
    base = base ? base + 1 : label;
    size_t len = strlen(base);
    if (len > 7 && strcmp(base + len - 7, ".tflite") == 0)
        len -= 7;
    snprintf(buf, n, "%.*s", (int)len, base);
    /* names are valid UTF-8 (docs/reliability.md): a byte of a file name that is not
     * becomes '_' */
    len = strlen(buf);
    for (size_t ok; (ok = mp_utf8_valid_prefix(buf, len)) < len;)
        buf[ok] = '_';
}

/* Graph-level errors (finalize, out of memory) do not know the file: add it. */
static void prefix_label(mp_error *err, const char *label)
{
    size_t n = strlen(label);
    if (err && err->status != MP_OK && strncmp(err->msg, label, n) != 0)
        mp_error_prefix(err, label);
}

/* Import data; when owned is not NULL the graph takes it over (freed with mp_file_free). */
static mp_status import_impl(const void *data, size_t size, const char *label, char *owned,
                             bool keep_pads, mp_graph **out, mp_error *err)
{
    char name[256];
    mp_graph *g = NULL;
    *out = NULL;
    network_name(label, name, sizeof name);
    mp_status st = mp_graph_new(name, label, MP_SOURCE_TFLITE, &g, err);
    if (st != MP_OK) {
        mp_file_free(owned);
        return st;
    }
    if (owned && (st = mp_graph_adopt(g, owned, (void (*)(void *))mp_file_free, err)) != MP_OK) {
        mp_graph_free(g); /* adopt freed the block */
        return st;
    }
    fb_budget budget = {0, (uint64_t)size * FB_WORK_FACTOR + FB_WORK_SLACK};
    tfl_ctx c = {.fb = {.data = data, .size = size, .label = label, .where = "", .err = err,
                        .budget = &budget},
                 .g = g};
    if (!mp_import_is_tflite(data, size))
        st = fb_fail(&c.fb, MP_E_PARSE, "not a TFLite model (no \"TFL3\" identifier at byte 4)");
    else
        st = read_model(&c);
    g->keep_pads = keep_pads;
    if (st == MP_OK)
        st = mp_graph_finalize(g, err);
    mp_free(c.opcodes);
    mp_free(c.text);
    mp_free(c.qscale);
    mp_free(c.qzp);
    if (st != MP_OK) {
        prefix_label(err, label);
        mp_graph_free(g);
        return st;
    }
    *out = g;
    return MP_OK;
}

mp_status mp_import_tflite_buffer(const void *data, size_t size, const char *label,
                                  mp_graph **out, mp_error *err)
{
    return import_impl(data, size, label ? label : "model.tflite", NULL, false, out, err);
}

mp_status mp_import_tflite_buffer_unfolded(const void *data, size_t size, const char *label,
                                           mp_graph **out, mp_error *err)
{
    return import_impl(data, size, label ? label : "model.tflite", NULL, true, out, err);
}

mp_status import_tflite_owned(char *data, size_t size, const char *label, bool keep_pads,
                              mp_graph **out, mp_error *err)
{
    return import_impl(data, size, label, data, keep_pads, out, err);
}

mp_status mp_import_tflite(const char *path, mp_graph **out, mp_error *err)
{
    char *data;
    size_t size;
    *out = NULL;
    MP_TRY(mp_file_read(path, MP_IMPORT_MAX_FILE_BYTES, &data, &size, err));
    return import_tflite_owned(data, size, path, false, out, err);
}
