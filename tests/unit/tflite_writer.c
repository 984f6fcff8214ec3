/* SPDX-License-Identifier: MIT */
/*
 * tflite_writer.c - serialize a tw_model as a TFLite flatbuffer (tests).
 *
 * Objects are written front to back: a parent table first, with zeroed slots
 * for its reference fields, then each child, whose position is patched into
 * the slot (a uoffset counts forward from the slot, so children must follow
 * their parents). Each table is preceded by its vtable, so the table's
 * soffset (table - vtable) is positive. Scalars are aligned to their size,
 * tables to 8 bytes and buffer data to 16, as flatc would do.
 */
#include "tflite_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- model description ---------------------------------------------------------------- */

void tw_init(tw_model *m)
{
    memset(m, 0, sizeof *m);
    m->version = 3;
    m->n_subgraphs = 1;
    m->n_buffers = 1; /* buffer 0: the empty sentinel */
}

uint32_t tw_opcode(tw_model *m, int32_t code, const char *custom)
{
    m->opcode[m->n_opcodes] = code;
    m->custom[m->n_opcodes] = custom;
    return m->n_opcodes++;
}

int32_t tw_tensor_add(tw_model *m, const char *name, int8_t type, int rank, const int32_t *shape)
{
    tw_tensor *t = &m->tensors[m->n_tensors];
    memset(t, 0, sizeof *t);
    t->name = name;
    t->type = type;
    t->rank = rank;
    for (int k = 0; k < rank; k++)
        t->shape[k] = shape[k];
    return (int32_t)m->n_tensors++;
}

int32_t tw_const(tw_model *m, const char *name, int8_t type, int rank, const int32_t *shape,
                 const void *data, size_t bytes)
{
    int32_t t = tw_tensor_add(m, name, type, rank, shape);
    m->buffer[m->n_buffers] = data;
    m->buffer_size[m->n_buffers] = bytes;
    m->tensors[t].buffer = m->n_buffers++;
    return t;
}

void tw_quant(tw_model *m, int32_t t, uint32_t n, const float *scale, const int64_t *zp,
              int32_t qdim)
{
    tw_tensor *x = &m->tensors[t];
    x->n_scale = x->n_zp = n;
    for (uint32_t i = 0; i < n; i++) {
        x->scale[i] = scale[i];
        x->zp[i] = zp ? zp[i] : 0;
    }
    x->qdim = qdim;
}

tw_op *tw_operator(tw_model *m, uint32_t opcode, uint32_t n_in, const int32_t *in,
                   uint32_t n_out, const int32_t *out, uint8_t options_type)
{
    tw_op *op = &m->ops[m->n_ops++];
    memset(op, 0, sizeof *op);
    op->opcode = opcode;
    op->n_in = n_in;
    op->n_out = n_out;
    memcpy(op->in, in, n_in * sizeof *in);
    memcpy(op->out, out, n_out * sizeof *out);
    op->options_type = options_type;
    op->options = options_type != 0;
    return op;
}

static void add_field(tw_op *op, uint8_t id, uint8_t width, uint64_t bits)
{
    op->fields[op->n_fields++] = (tw_field){id, width, bits};
}

void tw_opt_u8(tw_op *op, uint8_t id, uint8_t v)
{
    add_field(op, id, 1, v);
}

void tw_opt_i32(tw_op *op, uint8_t id, int32_t v)
{
    add_field(op, id, 4, (uint32_t)v);
}

void tw_opt_f32(tw_op *op, uint8_t id, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, 4);
    add_field(op, id, 4, bits);
}

void tw_io(tw_model *m, int32_t input, int32_t output)
{
    m->inputs[m->n_inputs++] = input;
    m->outputs[m->n_outputs++] = output;
}

/* ---- byte buffer ---------------------------------------------------------------------- */

typedef struct fbw {
    unsigned char *b;
    size_t len, cap;
    bool oom;
} fbw;

static void put(fbw *w, const void *p, size_t n)
{
    if (w->oom)
        return;
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 1024;
        while (cap < w->len + n)
            cap *= 2;
        unsigned char *b = realloc(w->b, cap);
        if (!b) {
            w->oom = true;
            return;
        }
        w->b = b;
        w->cap = cap;
    }
    if (p)
        memcpy(w->b + w->len, p, n);
    else
        memset(w->b + w->len, 0, n);
    w->len += n;
}

static void put_le(fbw *w, uint64_t v, size_t width)
{
    unsigned char bytes[8];
    for (size_t i = 0; i < width; i++)
        bytes[i] = (unsigned char)(v >> (8 * i));
    put(w, bytes, width);
}

static void set_le(fbw *w, size_t pos, uint64_t v, size_t width)
{
    if (w->oom)
        return;
    for (size_t i = 0; i < width; i++)
        w->b[pos + i] = (unsigned char)(v >> (8 * i));
}

/* Pad with zeros until (len + extra) is a multiple of align. */
static void pad_to(fbw *w, size_t align, size_t extra)
{
    while (!w->oom && (w->len + extra) % align)
        put(w, NULL, 1);
}

/* Point the uoffset slot at target (which lies after it). */
static void patch(fbw *w, size_t slot, size_t target)
{
    set_le(w, slot, (uint32_t)(target - slot), 4);
}

/* ---- flatbuffer objects --------------------------------------------------------------- */

typedef struct tfield {
    int kind;      /* 0 absent, 1 scalar, 2 reference (slot patched later) */
    uint8_t width; /* bytes of a scalar */
    uint64_t bits;
} tfield;

#define MAX_TFIELDS 16

/* Write a vtable and its table; slot[i] receives the position of reference field i. */
static size_t table(fbw *w, const tfield *f, int n, size_t *slot)
{
    uint16_t off[MAX_TFIELDS] = {0};
    size_t pos = 4;
    for (int i = 0; i < n; i++) {
        size_t width = f[i].kind == 2 ? 4 : f[i].width;
        if (!f[i].kind)
            continue;
        while (pos % width)
            pos++;
        off[i] = (uint16_t)pos;
        pos += width;
    }
    size_t tsize = (pos + 3) / 4 * 4;
    pad_to(w, 4, 0);
    size_t vt = w->len;
    put_le(w, 4 + 2 * (uint64_t)n, 2);
    put_le(w, tsize, 2);
    for (int i = 0; i < n; i++)
        put_le(w, off[i], 2);
    pad_to(w, 8, 0);
    size_t t = w->len;
    put(w, NULL, tsize);
    set_le(w, t, (uint32_t)(t - vt), 4);
    for (int i = 0; i < n; i++) {
        if (f[i].kind == 1)
            set_le(w, t + off[i], f[i].bits, f[i].width);
        if (slot)
            slot[i] = f[i].kind == 2 ? t + off[i] : 0;
    }
    return t;
}

/* A vector whose elements start at a multiple of align; returns the length field's position. */
static size_t vector(fbw *w, const void *data, uint32_t n, size_t elem, size_t align)
{
    pad_to(w, align < 4 ? 4 : align, 4);
    size_t pos = w->len;
    put_le(w, n, 4);
    put(w, data, (size_t)n * elem);
    return pos;
}

static size_t string(fbw *w, const char *s)
{
    size_t pos = vector(w, s, (uint32_t)strlen(s), 1, 4);
    put(w, NULL, 1);
    return pos;
}

/* A vector of n table references; returns its position (slots follow the length). */
static size_t table_vector(fbw *w, uint32_t n)
{
    size_t pos = vector(w, NULL, n, 4, 4);
    return pos;
}

static tfield scalar(uint8_t width, uint64_t bits)
{
    return (tfield){1, width, bits};
}

static const tfield REF = {2, 4, 0};
static const tfield NONE = {0, 0, 0};

/* ---- TFLite tables -------------------------------------------------------------------- */

static void write_quant(fbw *w, const tw_tensor *t, size_t slot)
{
    size_t s[7];
    tfield f[7] = {NONE, NONE, REF, REF, NONE, NONE, scalar(4, (uint32_t)t->qdim)};
    patch(w, slot, table(w, f, 7, s));
    patch(w, s[2], vector(w, t->scale, t->n_scale, 4, 4));
    patch(w, s[3], vector(w, t->zp, t->n_zp, 8, 8));
}

static void write_tensor(fbw *w, const tw_tensor *t, size_t slot, size_t i, tw_layout *lay)
{
    size_t s[6];
    tfield f[6] = {REF, scalar(1, (uint8_t)t->type), scalar(4, t->buffer),
                   t->name ? REF : NONE, t->n_scale ? REF : NONE,
                   t->is_variable ? scalar(1, 1) : NONE};
    size_t pos = table(w, f, 6, s);
    patch(w, slot, pos);
    patch(w, s[0], vector(w, t->shape, (uint32_t)t->rank, 4, 4));
    if (lay)
        lay->tensor_table[i] = pos;
    if (t->name) {
        size_t name = string(w, t->name);
        patch(w, s[3], name);
        if (lay)
            lay->tensor_name[i] = name;
    }
    if (t->n_scale)
        write_quant(w, t, s[4]);
}

static void write_op(fbw *w, const tw_op *op, size_t slot)
{
    size_t s[5];
    tfield f[5] = {scalar(4, op->opcode), REF, REF, scalar(1, op->options_type),
                   op->options ? REF : NONE};
    patch(w, slot, table(w, f, 5, s));
    patch(w, s[1], vector(w, op->in, op->n_in, 4, 4));
    patch(w, s[2], vector(w, op->out, op->n_out, 4, 4));
    if (!op->options)
        return;
    tfield of[MAX_TFIELDS] = {NONE};
    int n = 0;
    for (uint32_t k = 0; k < op->n_fields; k++) {
        of[op->fields[k].id] = scalar(op->fields[k].width, op->fields[k].bits);
        if (op->fields[k].id + 1 > n)
            n = op->fields[k].id + 1;
    }
    patch(w, s[4], table(w, of, n, NULL));
}

static void write_subgraph(fbw *w, const tw_model *m, size_t slot, tw_layout *lay)
{
    size_t s[4];
    tfield f[4] = {REF, REF, REF, REF};
    patch(w, slot, table(w, f, 4, s));
    size_t tv = table_vector(w, m->n_tensors);
    patch(w, s[0], tv);
    for (uint32_t i = 0; i < m->n_tensors; i++)
        write_tensor(w, &m->tensors[i], tv + 4 + 4 * (size_t)i, i, lay);
    patch(w, s[1], vector(w, m->inputs, m->n_inputs, 4, 4));
    patch(w, s[2], vector(w, m->outputs, m->n_outputs, 4, 4));
    size_t ov = table_vector(w, m->n_ops);
    patch(w, s[3], ov);
    for (uint32_t i = 0; i < m->n_ops; i++)
        write_op(w, &m->ops[i], ov + 4 + 4 * (size_t)i);
}

static void write_opcodes(fbw *w, const tw_model *m, size_t slot)
{
    size_t v = table_vector(w, m->n_opcodes);
    patch(w, slot, v);
    for (uint32_t i = 0; i < m->n_opcodes; i++) {
        size_t s[4];
        int32_t code = m->opcode[i];
        tfield f[4] = {scalar(1, (uint8_t)(code < 127 ? code : 127)),
                       m->custom[i] ? REF : NONE, scalar(4, 1), scalar(4, (uint32_t)code)};
        patch(w, v + 4 + 4 * (size_t)i, table(w, f, 4, s));
        if (m->custom[i])
            patch(w, s[1], string(w, m->custom[i]));
    }
}

static void write_buffers(fbw *w, const tw_model *m, size_t slot, tw_layout *lay)
{
    size_t v = table_vector(w, m->n_buffers);
    patch(w, slot, v);
    for (uint32_t i = 0; i < m->n_buffers; i++) {
        size_t s[1];
        tfield f[1] = {m->buffer_size[i] ? REF : NONE};
        patch(w, v + 4 + 4 * (size_t)i, table(w, f, 1, s));
        if (m->buffer_size[i]) {
            size_t d = vector(w, m->buffer[i], (uint32_t)m->buffer_size[i], 1, 16);
            patch(w, s[0], d);
            if (lay)
                lay->buffer_data[i] = d;
        }
    }
}

unsigned char *tw_write(const tw_model *m, size_t *size, tw_layout *lay)
{
    fbw w = {0};
    size_t s[5];
    if (lay)
        memset(lay, 0, sizeof *lay);
    put_le(&w, 0, 4); /* root offset, patched below */
    put(&w, "TFL3", 4);
    tfield f[5] = {scalar(4, m->version), REF, REF, NONE, REF};
    patch(&w, 0, table(&w, f, 5, s));
    write_opcodes(&w, m, s[1]);
    size_t sv = table_vector(&w, m->n_subgraphs ? 1 : 0);
    patch(&w, s[2], sv);
    if (m->n_subgraphs)
        write_subgraph(&w, m, sv + 4, lay);
    write_buffers(&w, m, s[4], lay);
    if (w.oom) {
        free(w.b);
        return NULL;
    }
    *size = w.len;
    return w.b;
}

bool tw_write_file(const tw_model *m, const char *path)
{
    size_t size;
    unsigned char *data = tw_write(m, &size, NULL);
    FILE *f = data ? fopen(path, "wb") : NULL;
    bool ok = f && fwrite(data, 1, size, f) == size;
    if (f && fclose(f) != 0)
        ok = false;
    free(data);
    return ok;
}
