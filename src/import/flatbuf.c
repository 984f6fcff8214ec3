/* SPDX-License-Identifier: MIT */
/*
 * flatbuf.c - bounds-checked flatbuffer tables, vectors and strings (module
 * import). See flatbuf.h for the layout. Positions are size_t and every sum
 * is checked against the buffer size before a byte is read, so a damaged or
 * hostile file can only produce an error message.
 */
#include "flatbuf.h"

#include "../util/checked.h"

#include "../util/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

mp_status fb_fail(const fb_ctx *c, mp_status st, const char *fmt, ...)
{
    char full[2048], msg[400];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(full, sizeof full, fmt, ap);
    va_end(ap);
    /* a long name in the middle is shortened, the reason at the end kept */
    mp_text_fit(full, n < 0 ? 0 : (size_t)n < sizeof full ? (size_t)n : sizeof full - 1, msg,
                sizeof msg);
    if (c->where && *c->where)
        return mp_errorf(c->err, st, "%s: %s: %s", c->label, c->where, msg);
    return mp_errorf(c->err, st, "%s: %s", c->label, msg);
}

mp_status fb_charge(const fb_ctx *c, uint64_t bytes, const char *what)
{
    if (!c->budget)
        return MP_OK;
    c->budget->used += bytes; /* bytes < 2^34 per call: no wrap */
    if (c->budget->used <= c->budget->limit)
        return MP_OK;
    return fb_fail(c, MP_E_LIMIT,
                   "%s: import work exceeds %u times the file size (%zu bytes): its tables, "
                   "vectors or strings are referenced again and again (aliased); refused",
                   what, FB_WORK_FACTOR, c->size);
}

/* Whether [pos, pos + n) lies inside the buffer. */
static bool inside(const fb_ctx *c, size_t pos, size_t n)
{
    return pos <= c->size && n <= c->size - pos;
}

static mp_status past_end(const fb_ctx *c, const char *what)
{
    return fb_fail(c, MP_E_PARSE, "%s ends past the end of the file", what);
}

mp_status fb_table_at(const fb_ctx *c, size_t pos, const char *what, fb_table *out)
{
    if (!inside(c, pos, 4))
        return past_end(c, what);
    int64_t vt = (int64_t)pos - (int32_t)fb_rd_u32(c->data + pos);
    if (vt < 0 || !inside(c, (size_t)vt, 4))
        return fb_fail(c, MP_E_PARSE, "vtable of %s lies outside the file", what);
    out->pos = pos;
    out->vt = (size_t)vt;
    out->vt_size = fb_rd_u16(c->data + out->vt);
    out->size = fb_rd_u16(c->data + out->vt + 2);
    if (out->vt_size < 4 || (out->vt_size & 1) || out->size < 4)
        return fb_fail(c, MP_E_PARSE, "vtable of %s is invalid (%u and %u bytes)", what,
                       out->vt_size, out->size);
    if (!inside(c, out->vt, out->vt_size))
        return fb_fail(c, MP_E_PARSE, "vtable of %s ends past the end of the file", what);
    if (!inside(c, pos, out->size))
        return past_end(c, what);
    return fb_charge(c, out->size, what);
}

mp_status fb_root(const fb_ctx *c, fb_table *out)
{
    if (c->size < 8)
        return fb_fail(c, MP_E_PARSE, "file of %zu bytes is too short for a flatbuffer",
                       c->size);
    uint32_t root = fb_rd_u32(c->data);
    if (!inside(c, root, 4))
        return fb_fail(c, MP_E_PARSE, "root table offset %u lies past the end of the file (%zu bytes)",
                       root, c->size);
    return fb_table_at(c, root, "the model table", out);
}

mp_status fb_field(const fb_ctx *c, const fb_table *t, unsigned id, size_t width,
                   const char *what, size_t *pos)
{
    size_t slot = 4 + 2 * (size_t)id;
    *pos = 0;
    if (slot + 2 > t->vt_size)
        return MP_OK; /* vtable too short: field absent (written by an older schema) */
    uint16_t off = fb_rd_u16(c->data + t->vt + slot);
    if (off == 0)
        return MP_OK;
    if (off < 4 || (size_t)off + width > t->size)
        return fb_fail(c, MP_E_PARSE, "%s lies outside its table", what);
    *pos = t->pos + off; /* inside the file: fb_table_at checked pos + size */
    return MP_OK;
}

mp_status fb_u8(const fb_ctx *c, const fb_table *t, unsigned id, uint8_t def, const char *what,
                uint8_t *out)
{
    size_t p;
    MP_TRY(fb_field(c, t, id, 1, what, &p));
    *out = p ? c->data[p] : def;
    return MP_OK;
}

mp_status fb_i32(const fb_ctx *c, const fb_table *t, unsigned id, int32_t def, const char *what,
                 int32_t *out)
{
    uint32_t u;
    MP_TRY(fb_u32(c, t, id, (uint32_t)def, what, &u));
    *out = (int32_t)u;
    return MP_OK;
}

mp_status fb_u32(const fb_ctx *c, const fb_table *t, unsigned id, uint32_t def,
                 const char *what, uint32_t *out)
{
    size_t p;
    MP_TRY(fb_field(c, t, id, 4, what, &p));
    *out = p ? fb_rd_u32(c->data + p) : def;
    return MP_OK;
}

mp_status fb_u64(const fb_ctx *c, const fb_table *t, unsigned id, uint64_t def,
                 const char *what, uint64_t *out)
{
    size_t p;
    MP_TRY(fb_field(c, t, id, 8, what, &p));
    *out = p ? fb_rd_u64(c->data + p) : def;
    return MP_OK;
}

mp_status fb_f32(const fb_ctx *c, const fb_table *t, unsigned id, float def, const char *what,
                 float *out)
{
    uint32_t bits;
    memcpy(&bits, &def, sizeof bits);
    MP_TRY(fb_u32(c, t, id, bits, what, &bits));
    memcpy(out, &bits, sizeof *out);
    return MP_OK;
}

float fb_vec_f32(const fb_ctx *c, const fb_vec *v, uint32_t i)
{
    uint32_t bits = fb_rd_u32(c->data + v->pos + (size_t)i * 4);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Follow the uoffset stored in field id; *target = 0 when absent. */
static mp_status deref(const fb_ctx *c, const fb_table *t, unsigned id, const char *what,
                       size_t *target)
{
    size_t p;
    *target = 0;
    MP_TRY(fb_field(c, t, id, 4, what, &p));
    if (!p)
        return MP_OK;
    size_t to = p + fb_rd_u32(c->data + p); /* p < size and the offset < 2^32: no wrap */
    if (!inside(c, to, 4))
        return past_end(c, what);
    *target = to;
    return MP_OK;
}

mp_status fb_sub(const fb_ctx *c, const fb_table *t, unsigned id, const char *what,
                 fb_table *out, bool *present)
{
    size_t to;
    *present = false;
    MP_TRY(deref(c, t, id, what, &to));
    if (!to)
        return MP_OK;
    MP_TRY(fb_table_at(c, to, what, out));
    *present = true;
    return MP_OK;
}

/* The vector whose length field is at pos. */
static mp_status vector_at(const fb_ctx *c, size_t pos, size_t elem_size, const char *what,
                           fb_vec *out)
{
    uint32_t len = fb_rd_u32(c->data + pos);
    size_t bytes;
    if (!mp_mul_size(len, elem_size, &bytes) || !inside(c, pos + 4, bytes))
        return past_end(c, what);
    out->pos = pos + 4;
    out->len = len;
    return elem_size > 1 ? fb_charge(c, bytes, what) : MP_OK;
}

mp_status fb_vector(const fb_ctx *c, const fb_table *t, unsigned id, size_t elem_size,
                    const char *what, fb_vec *out)
{
    size_t to;
    out->pos = 0;
    out->len = 0;
    MP_TRY(deref(c, t, id, what, &to));
    if (!to)
        return MP_OK;
    return vector_at(c, to, elem_size, what, out);
}

mp_status fb_string(const fb_ctx *c, const fb_table *t, unsigned id, const char *what,
                    const char **s, uint32_t *len)
{
    fb_vec v;
    *s = NULL;
    *len = 0;
    MP_TRY(fb_vector(c, t, id, 1, what, &v));
    if (v.pos) {
        *s = (const char *)c->data + v.pos;
        *len = v.len;
    }
    return fb_charge(c, v.len, what); /* names are copied */
}

mp_status fb_vec_table(const fb_ctx *c, const fb_vec *v, uint32_t i, const char *what,
                       fb_table *out)
{
    size_t slot = v->pos + (size_t)i * 4; /* inside: vector_at checked len * 4 */
    size_t to = slot + fb_rd_u32(c->data + slot);
    return fb_table_at(c, to, what, out);
}
