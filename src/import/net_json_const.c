/* SPDX-License-Identifier: MIT */
/*
 * net_json_const.c - quantization objects and constant operands of net.json
 * layers (module import): "quant", and the "weights"/"bias"/"constant"/"alpha"
 * objects with their data (inline integers, base64 or a file reference),
 * dtype, name and shape.
 */
#include "memplan/mp_import.h"

#include "../util/alloc.h"
#include "../util/base64.h"
#include "net_json_int.h"

#include <stdio.h>
#include <string.h>

/* ---- quantization and constants ------------------------------------------------------- */

/* Read "scale" and "zero_point" (numbers or arrays) of a quant object into q. */
mp_status net_json_quant(net_ctx *n, const cJSON *obj, const char *key, mp_quant *q,
                            float *scales, int32_t *zps, uint32_t cap)
{
    jctx *c = &n->j;
    const cJSON *qo;
    memset(q, 0, sizeof *q);
    MP_TRY(jmember(c, obj, key, false, &qo));
    if (!qo)
        return MP_OK;
    if (!cJSON_IsObject(qo))
        return jfail(c, key, MP_E_INVALID, "expected an object with scale and zero_point");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(qo, "scale");
    const cJSON *z = cJSON_GetObjectItemCaseSensitive(qo, "zero_point");
    uint32_t ns = cJSON_IsArray(s) ? (uint32_t)cJSON_GetArraySize(s) : 1;
    if (!s || ns == 0 || ns > cap)
        return jfail(c, key, MP_E_INVALID, "scale: expected a number or 1..%u numbers", cap);
    /* walk the lists (cJSON_GetArrayItem is linear: indexing would be quadratic) */
    const cJSON *v = cJSON_IsArray(s) ? s->child : s;
    for (uint32_t i = 0; i < ns; i++, v = cJSON_IsArray(s) ? v->next : s) {
        if (!cJSON_IsNumber(v) || !(v->valuedouble > 0) || v->valuedouble > 1e30)
            return jfail(c, key, MP_E_INVALID, "scale[%u]: expected a positive number", i);
        scales[i] = (float)v->valuedouble;
    }
    uint32_t nz = z && cJSON_IsArray(z) ? (uint32_t)cJSON_GetArraySize(z) : 1;
    if (nz != 1 && nz != ns)
        return jfail(c, key, MP_E_INVALID, "zero_point: expected 1 or %u values, got %u", ns, nz);
    const cJSON *zv = !z ? NULL : cJSON_IsArray(z) ? z->child : z;
    for (uint32_t i = 0; i < ns; i++, zv = z && cJSON_IsArray(z) && nz > 1 ? zv->next : zv) {
        int32_t zp = 0;
        if (zv)
            MP_TRY(jint_value(c, zv, key, -32768, 65535, &zp));
        zps[i] = zp;
    }
    q->n = ns;
    q->scale = scales;
    q->zero_point = zps;
    return MP_OK;
}

mp_status net_json_read_quant(net_ctx *n, const cJSON *obj, mp_quant *q)
{
    return net_json_quant(n, obj, "quant", q, n->qscale, n->qzp, 1);
}

static mp_status read_int_array(net_ctx *n, const cJSON *arr, const char *key, mp_dtype dt,
                                unsigned char **out, size_t *bytes)
{
    size_t count = (size_t)cJSON_GetArraySize(arr);
    size_t es = mp_dtype_size(dt);
    unsigned char *buf = mp_calloc(count ? count : 1, es);
    if (!buf)
        return mp_errorf(n->j.err, MP_E_NOMEM, "out of memory");
    int32_t lo = dt == MP_DTYPE_INT8 ? -128 : dt == MP_DTYPE_UINT8 ? 0 : INT32_MIN;
    int32_t hi = dt == MP_DTYPE_INT8 ? 127 : dt == MP_DTYPE_UINT8 ? 255 : INT32_MAX;
    size_t i = 0;
    for (const cJSON *v = arr->child; v; v = v->next, i++) {
        /* range first: converting an out-of-range double is undefined behaviour */
        if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi ||
            v->valuedouble != (double)(int64_t)v->valuedouble) {
            char got[64];
            mp_free(buf);
            return jfail(&n->j, key, MP_E_INVALID,
                         "element %zu: expected an integer from %d to %d (%s), got %s", i, lo, hi,
                         mp_dtype_name(dt), jdescribe(v, got, sizeof got));
        }
        int32_t x = (int32_t)v->valuedouble;
        if (es == 1)
            buf[i] = (unsigned char)(int8_t)x;
        else
            memcpy(buf + i * es, &x, es);
    }
    *out = buf;
    *bytes = count * es;
    return MP_OK;
}

/* "data": [ints] | "data_base64": "..." | "file": {...}; sets spec->data. */
static mp_status read_const_data(net_ctx *n, const cJSON *obj, mp_tensor_spec *spec,
                                 unsigned char **owned)
{
    jctx *c = &n->j;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(obj, "data");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(obj, "data_base64");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, "file");
    *owned = NULL;
    if ((d != NULL) + (b != NULL) + (f != NULL) > 1)
        return jfail(c, NULL, MP_E_INVALID, "give only one of data, data_base64 and file");
    if (d) {
        if (!cJSON_IsArray(d))
            return jfail(c, "data", MP_E_INVALID, "expected an array of integers");
        MP_TRY(read_int_array(n, d, "data", spec->dtype, owned, &spec->data_bytes));
        spec->data = *owned;
    } else if (b) {
        if (!cJSON_IsString(b))
            return jfail(c, "data_base64", MP_E_INVALID, "expected a string");
        size_t len = strlen(b->valuestring);
        *owned = mp_malloc(mp_base64_max_decoded(len));
        if (!*owned)
            return mp_errorf(c->err, MP_E_NOMEM, "out of memory");
        if (!mp_base64_decode(b->valuestring, len, *owned, &spec->data_bytes))
            return jfail(c, "data_base64", MP_E_INVALID, "not valid base64");
        spec->data = *owned;
    } else if (f) {
        MP_TRY(net_json_file_ref(n, f, "file", &spec->data, &spec->data_bytes));
        spec->borrow_data = true;
    }
    return MP_OK;
}

/*
 * Add a constant tensor "<layer>/<role>" described by the object at key
 * (weights or bias). Absent object: a tensor without data.
 */
mp_status net_json_add_const(net_ctx *n, const cJSON *layer, const char *key, const char *layer_name,
                           mp_dtype def_dtype, int32_t qaxis, mp_tensor_id *id)
{
    jctx *c = &n->j;
    const cJSON *obj;
    MP_TRY(jmember(c, layer, key, false, &obj));
    if (obj && !cJSON_IsObject(obj))
        return jfail(c, key, MP_E_INVALID, "expected an object");
    static const char *const keys[] = {"data", "data_base64", "file", "quant", "dtype", "name",
                                       "shape", NULL};
    mp_tensor_spec spec = {.dtype = def_dtype, .flags = MP_TENSOR_CONST};
    mp_strbuf name; /* "<layer>/<key>" whole: a long layer name is never cut (collisions) */
    mp_strbuf_init(&name);
    mp_strbuf_printf(&name, "%s/%s", layer_name, key);
    if (name.failed)
        return mp_errorf(c->err, MP_E_NOMEM, "out of memory");
    spec.name = name.buf;
    unsigned char *owned = NULL;
    mp_status st = MP_OK;
    if (obj) {
        char saved[sizeof c->path];
        memcpy(saved, c->path, sizeof saved);
        snprintf(c->path + strlen(c->path), sizeof c->path - strlen(c->path), ".%s", key);
        const char *dts = NULL;
        st = jonly(c, obj, keys, NULL);
        if (st == MP_OK)
            st = jstring(c, obj, "dtype", false, NULL, &dts);
        if (st == MP_OK)
            st = jstring(c, obj, "name", false, spec.name, &spec.name);
        if (st == MP_OK && !*spec.name)
            st = jfail(c, "name", MP_E_INVALID, "must not be empty");
        if (st == MP_OK && n->cur_rep && spec.name != name.buf) {
            mp_strbuf_reset(&n->scratch);
            mp_strbuf_printf(&n->scratch, "%s.%u", spec.name, n->cur_rep);
            if (n->scratch.failed)
                st = mp_errorf(c->err, MP_E_NOMEM, "out of memory");
            spec.name = n->scratch.buf;
        }
        if (st == MP_OK && dts && !mp_dtype_parse(dts, &spec.dtype))
            st = jfail(c, "dtype", MP_E_INVALID, "unknown dtype '%s'", dts);
        if (st == MP_OK && cJSON_GetObjectItemCaseSensitive(obj, "shape"))
            st = net_json_read_shape(n, obj, "shape", false, &spec.shape, &spec.rank);
        if (st == MP_OK)
            st = net_json_quant(n, obj, "quant", &spec.quant, n->qscale, n->qzp, NET_MAX_QUANT);
        spec.quant.axis = qaxis;
        if (st == MP_OK)
            st = read_const_data(n, obj, &spec, &owned);
        memcpy(c->path, saved, sizeof saved);
    }
    if (st == MP_OK && mp_graph_find_tensor(n->g, spec.name) != MP_NO_TENSOR)
        st = jfail(c, key, MP_E_INVALID, "tensor name \"%s\" is already taken", spec.name);
    if (st == MP_OK)
        st = mp_graph_add_tensor(n->g, &spec, id, c->err);
    mp_free(owned);
    mp_strbuf_release(&name);
    return st;
}
