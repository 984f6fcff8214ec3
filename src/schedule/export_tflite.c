/* SPDX-License-Identifier: MIT */
/*
 * export_tflite.c - a .tflite with memplan's arena plan as TFLite Micro's
 * OfflineMemoryAllocation metadata (module schedule).
 *
 * Flatbuffer references only point forward, so the original file cannot
 * simply be extended at its end. Instead the original bytes move, unchanged,
 * behind a new head (every offset inside them is relative, and the shift is a
 * multiple of 16, so the 16-byte aligned buffer data stays aligned):
 *
 *   [root -> new Model]["TFL3"][Model vtable][Model table]
 *   [buffers vector: old Buffer tables..., new Buffer]
 *   [metadata vector: old Metadata tables (not OfflineMemoryAllocation)..., new]
 *   [new Buffer table][its data: int32 1, 1, n_tensors, offsets...]
 *   [new Metadata table]["OfflineMemoryAllocation"]  pad to 16
 *   [the original file, byte for byte]
 *
 * The new Model table copies the scalar version and points at the original
 * operator codes, subgraphs, description, metadata_buffer and signature defs;
 * the original root table is left behind unreferenced. TFLM reads the
 * metadata in micro_allocation_info.cc (GetOfflinePlannedOffsets): an int32
 * array of version, subgraph count, tensor count, then one arena offset per
 * tensor, -1 for tensors its planner places.
 */
#include "memplan/mp_import.h"
#include "memplan/mp_schedule.h"
#include "memplan/mp_tflm.h"
#include "memplan/mp_util.h"

#include "../import/flatbuf.h"
#include "../util/checked.h"

#include <stdlib.h>
#include <string.h>

enum { M_VERSION, M_OPCODES, M_SUBGRAPHS, M_DESCRIPTION, M_BUFFERS, M_METADATA_BUFFER,
       M_METADATA, M_SIGNATURES, M_FIELDS };

typedef struct old_model {
    uint32_t version;
    size_t target[M_FIELDS]; /* absolute position each reference field points to, 0 = absent */
    fb_vec buffers, metadata;
    uint32_t n_keep;         /* metadata entries kept (not OfflineMemoryAllocation) */
} old_model;

static void put_u16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static bool is_offline(const fb_ctx *c, const fb_vec *md, uint32_t i, mp_status *st)
{
    fb_table t;
    const char *name;
    uint32_t len;
    *st = fb_vec_table(c, md, i, "metadata entry", &t);
    if (*st == MP_OK)
        *st = fb_string(c, &t, 0, "metadata name", &name, &len);
    return *st == MP_OK && len == strlen(MP_TFLM_OFFLINE_NAME) &&
           memcmp(name, MP_TFLM_OFFLINE_NAME, len) == 0;
}

/* Subgraph 0's tensor count must be n: TFLM refuses a plan of another length. */
static mp_status check_count(const fb_ctx *c, const fb_table *root, uint32_t n)
{
    fb_vec subgraphs, tensors;
    fb_table sub;
    MP_TRY(fb_vector(c, root, M_SUBGRAPHS, 4, "the subgraph list", &subgraphs));
    if (subgraphs.len != 1)
        return fb_fail(c, MP_E_UNSUPPORTED, "%u subgraphs (an offline plan is written for "
                       "single-subgraph models)", subgraphs.len);
    MP_TRY(fb_vec_table(c, &subgraphs, 0, "subgraph 0", &sub));
    MP_TRY(fb_vector(c, &sub, 0, 4, "the tensor list", &tensors));
    if (tensors.len != n)
        return fb_fail(c, MP_E_INVALID, "%u offsets for %u tensors", n, tensors.len);
    return MP_OK;
}

static mp_status read_old(const fb_ctx *c, uint32_t n_tensors, old_model *m)
{
    fb_table root;
    memset(m, 0, sizeof *m);
    MP_TRY(fb_root(c, &root));
    MP_TRY(check_count(c, &root, n_tensors));
    MP_TRY(fb_u32(c, &root, M_VERSION, 0, "version", &m->version));
    for (unsigned id = M_OPCODES; id < M_FIELDS; id++) {
        size_t pos;
        MP_TRY(fb_field(c, &root, id, 4, "model field", &pos));
        if (pos) {
            size_t tgt = pos + fb_rd_u32(c->data + pos);
            if (tgt >= c->size)
                return fb_fail(c, MP_E_PARSE, "model field %u points past the end", id);
            m->target[id] = tgt;
        }
    }
    MP_TRY(fb_vector(c, &root, M_BUFFERS, 4, "the buffer list", &m->buffers));
    MP_TRY(fb_vector(c, &root, M_METADATA, 4, "the metadata list", &m->metadata));
    for (uint32_t i = 0; i < m->buffers.len; i++) {
        fb_table b;
        uint64_t off;
        MP_TRY(fb_vec_table(c, &m->buffers, i, "buffer", &b));
        MP_TRY(fb_u64(c, &b, 1, 0, "buffer offset", &off));
        if (off > 1)
            return fb_fail(c, MP_E_INVALID, "buffer %u lies outside the flatbuffer (offset "
                           "field): such models cannot be rewritten", i);
    }
    for (uint32_t i = 0; i < m->metadata.len; i++) {
        mp_status st;
        if (!is_offline(c, &m->metadata, i, &st))
            m->n_keep++;
        MP_TRY(st);
    }
    return MP_OK;
}

/* Where the pieces of the new head go. */
typedef struct head_layout {
    size_t vtable, table, bufvec, mdvec, buf_vt, buf_table, data, md_vt, md_table, name, shift;
} head_layout;

static bool layout(const old_model *m, uint32_t n_tensors, head_layout *l)
{
    size_t p = 8, v;
    l->vtable = p;                        /* 4 + 2 * 8 bytes */
    l->table = l->vtable + 20;            /* soffset + 8 fields */
    l->bufvec = l->table + 36;
    if (!mp_mul_size((size_t)m->buffers.len + 1, 4, &v) || !mp_add_size(l->bufvec + 4, v, &p))
        return false;
    l->mdvec = p;
    p = l->mdvec + 4 + ((size_t)m->n_keep + 1) * 4;
    l->buf_vt = p;                        /* 4 + 2 bytes, padded to 8 */
    l->buf_table = l->buf_vt + 8;         /* soffset + data reference */
    p = l->buf_table + 8;
    l->data = (p + 4 + 15) / 16 * 16 - 4; /* the length, then 16-byte aligned int32s */
    if (!mp_mul_size((size_t)n_tensors + 3, 4, &v) || !mp_add_size(l->data + 4, v, &p))
        return false;
    l->md_vt = (p + 3) / 4 * 4;           /* 4 + 2 * 2 bytes */
    l->md_table = l->md_vt + 8;           /* soffset, name, buffer */
    l->name = l->md_table + 12;
    p = l->name + 4 + strlen(MP_TFLM_OFFLINE_NAME) + 1;
    l->shift = (p + 15) / 16 * 16;
    return true;
}

static void write_model_table(unsigned char *o, const old_model *m, const head_layout *l)
{
    put_u32(o, (uint32_t)l->table);
    memcpy(o + 4, "TFL3", 4);
    put_u16(o + l->vtable, 20);
    put_u16(o + l->vtable + 2, 36);
    put_u32(o + l->table, (uint32_t)(l->table - l->vtable));
    for (unsigned id = 0; id < M_FIELDS; id++) {
        size_t field = l->table + 4 + 4 * (size_t)id;
        size_t target = id == M_BUFFERS ? l->bufvec : id == M_METADATA ? l->mdvec
                        : m->target[id] ? l->shift + m->target[id] : 0;
        if (id == M_VERSION) {
            put_u16(o + l->vtable + 4, 4);
            put_u32(o + field, m->version);
        } else if (target) {
            put_u16(o + l->vtable + 4 + 2 * id, (uint16_t)(4 + 4 * id));
            put_u32(o + field, (uint32_t)(target - field));
        }
    }
}

static void write_vectors(unsigned char *o, const fb_ctx *c, const old_model *m,
                          const head_layout *l)
{
    put_u32(o + l->bufvec, m->buffers.len + 1);
    for (uint32_t i = 0; i < m->buffers.len; i++) {
        size_t at = m->buffers.pos + 4 * (size_t)i, field = l->bufvec + 4 + 4 * (size_t)i;
        size_t target = l->shift + at + fb_rd_u32(c->data + at);
        put_u32(o + field, (uint32_t)(target - field));
    }
    size_t last = l->bufvec + 4 + 4 * (size_t)m->buffers.len;
    put_u32(o + last, (uint32_t)(l->buf_table - last));
    put_u32(o + l->mdvec, m->n_keep + 1);
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->metadata.len; i++) {
        mp_status st;
        if (is_offline(c, &m->metadata, i, &st))
            continue;
        size_t at = m->metadata.pos + 4 * (size_t)i, field = l->mdvec + 4 + 4 * (size_t)k++;
        put_u32(o + field, (uint32_t)(l->shift + at + fb_rd_u32(c->data + at) - field));
    }
    size_t field = l->mdvec + 4 + 4 * (size_t)k;
    put_u32(o + field, (uint32_t)(l->md_table - field));
}

static void write_entry(unsigned char *o, const old_model *m, const head_layout *l,
                        const int32_t *offsets, uint32_t n)
{
    put_u16(o + l->buf_vt, 6);
    put_u16(o + l->buf_vt + 2, 8);
    put_u16(o + l->buf_vt + 4, 4);
    put_u32(o + l->buf_table, (uint32_t)(l->buf_table - l->buf_vt));
    put_u32(o + l->buf_table + 4, (uint32_t)(l->data - (l->buf_table + 4)));
    put_u32(o + l->data, ((uint32_t)n + 3) * 4);
    put_u32(o + l->data + 4, 1);
    put_u32(o + l->data + 8, 1);
    put_u32(o + l->data + 12, n);
    for (uint32_t t = 0; t < n; t++)
        put_u32(o + l->data + 16 + 4 * (size_t)t, (uint32_t)offsets[t]);
    put_u16(o + l->md_vt, 8);
    put_u16(o + l->md_vt + 2, 12);
    put_u16(o + l->md_vt + 4, 4);
    put_u16(o + l->md_vt + 6, 8);
    put_u32(o + l->md_table, (uint32_t)(l->md_table - l->md_vt));
    put_u32(o + l->md_table + 4, (uint32_t)(l->name - (l->md_table + 4)));
    put_u32(o + l->md_table + 8, m->buffers.len);
    size_t len = strlen(MP_TFLM_OFFLINE_NAME);
    put_u32(o + l->name, (uint32_t)len);
    memcpy(o + l->name + 4, MP_TFLM_OFFLINE_NAME, len + 1);
}

mp_status mp_tflm_write_offline_plan(const void *data, size_t size, const char *label,
                                     const int32_t *offsets, uint32_t n_tensors,
                                     unsigned char **out, size_t *out_size, mp_error *err)
{
    fb_ctx c = {data, size, label ? label : "model", "", err, NULL};
    old_model m;
    head_layout l;
    *out = NULL;
    *out_size = 0;
    if (size < 8 || memcmp((const uint8_t *)data + 4, "TFL3", 4) != 0)
        return fb_fail(&c, MP_E_PARSE, "not a TFLite model (no \"TFL3\" identifier)");
    MP_TRY(read_old(&c, n_tensors, &m));
    if (size > UINT32_MAX / 2 || !layout(&m, n_tensors, &l))
        return fb_fail(&c, MP_E_OVERFLOW, "the model is too large to rewrite");
    size_t total;
    if (!mp_add_size(l.shift, size, &total) || total > UINT32_MAX)
        return fb_fail(&c, MP_E_OVERFLOW, "the rewritten model exceeds 4 GiB");
    unsigned char *o = calloc(1, total);
    if (!o)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    write_model_table(o, &m, &l);
    write_vectors(o, &c, &m, &l);
    write_entry(o, &m, &l, offsets, n_tensors);
    memcpy(o + l.shift, data, size);
    *out = o;
    *out_size = total;
    return MP_OK;
}

/* ---- from a schedule ---------------------------------------------------------------- */

mp_status mp_tflm_schedule_offsets(const mp_schedule *s, int32_t *offsets, uint32_t n,
                                   mp_error *err)
{
    const mp_graph *g = s->g;
    if (n != g->n_tensors)
        return mp_errorf(err, MP_E_INVALID, "%u offsets for %u tensors", n, g->n_tensors);
    for (uint32_t k = 0; k < s->n_segments; k++)
        if (s->segments[k].kind != MP_SEG_LAYERS)
            return mp_errorf(err, MP_E_UNSUPPORTED,
                             "the schedule tiles steps %u..%u: TFLite Micro runs whole layers "
                             "only (export a per-layer schedule)",
                             s->segments[k].first_step, s->segments[k].last_step);
    for (uint32_t i = 0; i < g->n_ops; i++)
        if (s->order[i] != i)
            return mp_errorf(err, MP_E_UNSUPPORTED,
                             "the schedule runs the ops out of file order (step %u is op %u): "
                             "TFLite Micro runs them in file order", i, s->order[i]);
    if (s->opts.inplace_dw)
        return mp_errorf(err, MP_E_UNSUPPORTED,
                         "in-place depthwise buffers: TFLite Micro's kernels need separate "
                         "input and output");
    for (uint32_t t = 0; t < n; t++) {
        int32_t b = s->tensor_buffer[t];
        offsets[t] = MP_TFLM_ONLINE;
        if (b < 0 || (g->tensors[t].flags & MP_TENSOR_CONST))
            continue;
        if (s->buffers[b].offset > (size_t)INT32_MAX)
            return mp_errorf(err, MP_E_OVERFLOW, "tensor '%s': offset %zu exceeds int32",
                             g->tensors[t].name, s->buffers[b].offset);
        if (s->buffers[b].offset % 16)
            return mp_errorf(err, MP_E_INVALID,
                             "tensor '%s': offset %zu is not 16-byte aligned (plan with "
                             "--align 16)", g->tensors[t].name, s->buffers[b].offset);
        offsets[t] = (int32_t)s->buffers[b].offset;
    }
    return MP_OK;
}

mp_status mp_tflm_export_file(const char *tflite_path, const mp_schedule *s,
                              const char *out_path, mp_error *err)
{
    char *data;
    size_t size;
    unsigned char *out = NULL;
    size_t out_size = 0;
    uint32_t n = s->g->n_tensors;
    int32_t *offsets = calloc(n ? n : 1, sizeof *offsets);
    if (!offsets)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    mp_status st = mp_tflm_schedule_offsets(s, offsets, n, err);
    if (st == MP_OK)
        st = mp_file_read(tflite_path, MP_IMPORT_MAX_FILE_BYTES, &data, &size, err);
    else
        data = NULL;
    if (st == MP_OK) {
        st = mp_tflm_write_offline_plan(data, size, tflite_path, offsets, n, &out, &out_size,
                                        err);
        mp_file_free(data);
    }
    if (st == MP_OK)
        st = mp_file_write_atomic(out_path, out, out_size, err);
    free(out);
    free(offsets);
    return st;
}
