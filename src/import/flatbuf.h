/* SPDX-License-Identifier: MIT */
/*
 * flatbuf.h - a bounds-checked reader of the flatbuffers binary format
 * (module import; private).
 *
 * Written from flatbuffers' documented layout; no generated code. All values
 * are little-endian. A table starts with a signed 32-bit offset back to its
 * vtable (vtable = table - soffset); the vtable holds its own size, the
 * table's inline size and one 16-bit offset per field (0 = absent, so the
 * schema default applies). Reference fields hold an unsigned 32-bit offset
 * forward from the field itself to a table, a vector (32-bit length, then the
 * elements) or a string (a byte vector followed by a NUL).
 *
 *   file:  [root uoffset][ident "TFL3"] ... vtable ... table ... vector ...
 *   table: [soffset to vtable][field][field]...
 *   vtable:[u16 vtable bytes][u16 table bytes][u16 field offset] * n
 *
 * Every function checks each offset and length against the buffer before
 * reading, and reports "LABEL: WHERE: WHAT ends past the end of the file"
 * style errors (MP_E_PARSE) through the context. Nothing here allocates.
 */
#ifndef MEMPLAN_IMPORT_FLATBUF_H
#define MEMPLAN_IMPORT_FLATBUF_H

#include "memplan/mp_error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Import work charged against the file size (see fb_charge). */
typedef struct fb_budget {
    uint64_t used;  /* bytes of tables, vectors and strings read so far */
    uint64_t limit; /* FB_WORK_FACTOR * size + FB_WORK_SLACK */
} fb_budget;

/* Each table (its inline bytes), string and vector of elements wider than a byte that is
 * read is charged its bytes; a file is refused once the charge exceeds
 * FB_WORK_FACTOR times its size plus FB_WORK_SLACK. A file whose entries are all distinct
 * is charged at most about twice its size (buffer tables are read twice); one whose
 * entries point at the same table, vector or string again and again (aliasing) would
 * otherwise cost time and memory without bound. Byte vectors (constant data) are not
 * charged: they stay in the file, never copied per reference. */
#define FB_WORK_FACTOR 4u
#define FB_WORK_SLACK 65536u

typedef struct fb_ctx {
    const uint8_t *data;
    size_t size;
    const char *label; /* the file, first in every message */
    const char *where; /* the current location ("tensor 12"), "" for the model */
    mp_error *err;
    fb_budget *budget; /* NULL: nothing charged */
} fb_ctx;

typedef struct fb_table {
    size_t pos;       /* first byte of the table (its soffset) */
    size_t vt;        /* first byte of its vtable */
    uint16_t vt_size; /* bytes of the vtable */
    uint16_t size;    /* inline bytes of the table */
} fb_table;

typedef struct fb_vec {
    size_t pos;   /* first element (after the length) */
    uint32_t len; /* number of elements; 0 for an absent vector */
} fb_vec;

/* Charge bytes of import work; MP_E_LIMIT once over the budget. */
mp_status fb_charge(const fb_ctx *c, uint64_t bytes, const char *what);

/* Report "LABEL: WHERE: message" (WHERE left out when empty); returns st. */
mp_status fb_fail(const fb_ctx *c, mp_status st, const char *fmt, ...) MP_PRINTF(3, 4);

/* Little-endian loads; the caller has checked that the bytes exist. */
static inline uint16_t fb_rd_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static inline uint32_t fb_rd_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t fb_rd_u64(const uint8_t *p)
{
    return (uint64_t)fb_rd_u32(p) | (uint64_t)fb_rd_u32(p + 4) << 32;
}

/* The root table (the uoffset at byte 0). */
mp_status fb_root(const fb_ctx *c, fb_table *out);
/* The table at byte pos; what names it in messages. */
mp_status fb_table_at(const fb_ctx *c, size_t pos, const char *what, fb_table *out);

/* Position of field id (width bytes) in t, or 0 when the field is absent. */
mp_status fb_field(const fb_ctx *c, const fb_table *t, unsigned id, size_t width,
                   const char *what, size_t *pos);

/* Scalar fields with their schema default when absent. */
mp_status fb_u8(const fb_ctx *c, const fb_table *t, unsigned id, uint8_t def, const char *what,
                uint8_t *out);
mp_status fb_i32(const fb_ctx *c, const fb_table *t, unsigned id, int32_t def, const char *what,
                 int32_t *out);
mp_status fb_u32(const fb_ctx *c, const fb_table *t, unsigned id, uint32_t def,
                 const char *what, uint32_t *out);
mp_status fb_u64(const fb_ctx *c, const fb_table *t, unsigned id, uint64_t def,
                 const char *what, uint64_t *out);
mp_status fb_f32(const fb_ctx *c, const fb_table *t, unsigned id, float def, const char *what,
                 float *out);

/* A sub-table; *present is false (and out untouched) when the field is absent. */
mp_status fb_sub(const fb_ctx *c, const fb_table *t, unsigned id, const char *what,
                 fb_table *out, bool *present);
/* A vector of elem_size-byte elements (length 0 when absent). */
mp_status fb_vector(const fb_ctx *c, const fb_table *t, unsigned id, size_t elem_size,
                    const char *what, fb_vec *out);
/* A string (NULL and length 0 when absent); not NUL-terminated for the caller. */
mp_status fb_string(const fb_ctx *c, const fb_table *t, unsigned id, const char *what,
                    const char **s, uint32_t *len);
/* Element i of a vector of tables. */
mp_status fb_vec_table(const fb_ctx *c, const fb_vec *v, uint32_t i, const char *what,
                       fb_table *out);

static inline int32_t fb_vec_i32(const fb_ctx *c, const fb_vec *v, uint32_t i)
{
    return (int32_t)fb_rd_u32(c->data + v->pos + (size_t)i * 4);
}

static inline int64_t fb_vec_i64(const fb_ctx *c, const fb_vec *v, uint32_t i)
{
    return (int64_t)fb_rd_u64(c->data + v->pos + (size_t)i * 8);
}

float fb_vec_f32(const fb_ctx *c, const fb_vec *v, uint32_t i);

#endif
