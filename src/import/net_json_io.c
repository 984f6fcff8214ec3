/* SPDX-License-Identifier: MIT */
/*
 * net_json_io.c - net.json header, network inputs, shapes and weight file
 * references (module import).
 */
#include "memplan/mp_import.h"

#include "../util/alloc.h"
#include "import_int.h"
#include "net_json_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

mp_status net_json_check_header(net_ctx *n, const cJSON *root, const char *const *keys)
{
    jctx *c = &n->j;
    c->path[0] = '\0';
    MP_TRY(jonly(c, root, keys, NULL));
    const char *format, *name;
    MP_TRY(jstring(c, root, "format", true, NULL, &format));
    if (strcmp(format, "memplan-net") != 0)
        return jfail(c, "format", MP_E_INVALID, "expected \"memplan-net\", got \"%s\"", format);
    int32_t version;
    MP_TRY(jint(c, root, "version", true, 0, 1, INT32_MAX, &version));
    if (version > MP_NET_JSON_VERSION)
        return jfail(c, "version", MP_E_UNSUPPORTED,
                     "version %d is newer than this memplan reads (%d)", version,
                     MP_NET_JSON_VERSION);
    MP_TRY(jstring(c, root, "name", false, NULL, &name));
    if (name)
        MP_TRY(mp_graph_set_name(n->g, name, c->err));
    return jstring(c, root, "weights_file", false, NULL, &n->weights_file);
}

mp_status net_json_read_shape(net_ctx *n, const cJSON *obj, const char *key, bool allow_wild,
                              mp_shape *out, uint8_t *rank)
{
    jctx *c = &n->j;
    const cJSON *v;
    MP_TRY(jmember(c, obj, key, true, &v));
    int cnt = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : 0;
    if (cnt < 1 || cnt > 4)
        return jfail(c, key, MP_E_INVALID, "expected a shape such as [224, 224, 3]");
    int32_t d[4] = {1, 1, 1, 1};
    for (int i = 0; i < cnt; i++) {
        const cJSON *e = cJSON_GetArrayItem(v, i);
        int32_t x;
        MP_TRY(jint_value(c, e, key, allow_wild ? -1 : 1, MP_MAX_DIM, &x));
        if (x == 0)
            return jfail(c, key, MP_E_INVALID, "dimension %d is 0", i);
        d[4 - cnt + i] = x;
    }
    if (cnt == 4 && d[0] != 1 && !allow_wild)
        return jfail(c, key, MP_E_UNSUPPORTED, "batch size %d (memplan models batch 1)", d[0]);
    *out = (mp_shape){d[0], d[1], d[2], d[3]};
    if (rank)
        *rank = (uint8_t)cnt;
    return MP_OK;
}

static mp_status read_one_input(net_ctx *n, const cJSON *obj, mp_tensor_id *id)
{
    jctx *c = &n->j;
    static const char *const keys[] = {"name",    "shape",         "dtype", "quant",
                                       "comment", "tflite_tensor", NULL};
    if (!cJSON_IsObject(obj))
        return jfail(c, NULL, MP_E_INVALID, "expected an object with name and shape");
    MP_TRY(jonly(c, obj, keys, NULL));
    mp_tensor_spec spec = {0};
    const char *dts;
    MP_TRY(jstring(c, obj, "name", false, "input", &spec.name));
    if (!*spec.name)
        return jfail(c, "name", MP_E_INVALID, "must not be empty");
    if (mp_graph_find_tensor(n->g, spec.name) != MP_NO_TENSOR)
        return jfail(c, "name", MP_E_INVALID, "duplicate name \"%s\"", spec.name);
    MP_TRY(net_json_read_shape(n, obj, "shape", false, &spec.shape, &spec.rank));
    MP_TRY(jstring(c, obj, "dtype", false, "int8", &dts));
    if (!mp_dtype_parse(dts, &spec.dtype))
        return jfail(c, "dtype", MP_E_INVALID, "unknown dtype \"%s\"", dts);
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(obj, "quant");
    if (q) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(q, "scale");
        const cJSON *z = cJSON_GetObjectItemCaseSensitive(q, "zero_point");
        int32_t zp = 0;
        if (!cJSON_IsObject(q) || !cJSON_IsNumber(s) || !(s->valuedouble > 0) ||
            s->valuedouble > 1e30)
            return jfail(c, "quant", MP_E_INVALID, "expected {\"scale\": > 0 and <= 1e30, \"zero_point\": int}");
        if (z)
            MP_TRY(jint_value(c, z, "quant.zero_point", -32768, 65535, &zp));
        n->qscale[0] = (float)s->valuedouble;
        n->qzp[0] = zp;
        spec.quant = (mp_quant){1, 0, n->qscale, n->qzp};
    }
    MP_TRY(net_json_read_source_index(n, obj, &spec));
    return mp_graph_add_tensor(n->g, &spec, id, c->err);
}

mp_status net_json_read_source_index(net_ctx *n, const cJSON *obj, mp_tensor_spec *spec)
{
    int32_t index;
    if (!cJSON_GetObjectItemCaseSensitive(obj, "tflite_tensor"))
        return MP_OK;
    MP_TRY(jint(&n->j, obj, "tflite_tensor", true, 0, 0, INT32_MAX, &index));
    spec->has_source_index = true;
    spec->source_index = (uint32_t)index;
    return MP_OK;
}

mp_status net_json_read_inputs(net_ctx *n, const cJSON *root)
{
    jctx *c = &n->j;
    const cJSON *one = cJSON_GetObjectItemCaseSensitive(root, "input");
    const cJSON *many = cJSON_GetObjectItemCaseSensitive(root, "inputs");
    if (one && many)
        return jfail(c, "inputs", MP_E_INVALID, "give either input or inputs, not both");
    if (!one && !many)
        return jfail(c, "input", MP_E_INVALID, "missing required field");
    mp_tensor_id ids[NET_MAX_OPERANDS];
    uint32_t cnt = 0;
    if (one) {
        snprintf(c->path, sizeof c->path, "input");
        MP_TRY(read_one_input(n, one, &ids[cnt++]));
    } else {
        if (!cJSON_IsArray(many) || cJSON_GetArraySize(many) < 1 ||
            cJSON_GetArraySize(many) > (int)NET_MAX_OPERANDS)
            return jfail(c, "inputs", MP_E_INVALID, "expected a list of 1..%u inputs",
                         NET_MAX_OPERANDS);
        for (const cJSON *e = many->child; e; e = e->next) {
            snprintf(c->path, sizeof c->path, "inputs[%u]", cnt);
            MP_TRY(read_one_input(n, e, &ids[cnt++]));
        }
    }
    c->path[0] = '\0';
    return mp_graph_set_io(n->g, ids, cnt, NULL, 0, c->err);
}

static mp_status load_file(net_ctx *n, const char *rel, const char *key, net_file **out)
{
    jctx *c = &n->j;
    char path[4096];
    if (rel[0] == '/' || !n->base_dir[0])
        snprintf(path, sizeof path, "%s", rel);
    else
        snprintf(path, sizeof path, "%s/%s", n->base_dir, rel);
    for (uint32_t i = 0; i < n->n_files; i++) {
        if (strcmp(n->files[i].path, path) == 0) {
            *out = &n->files[i];
            return MP_OK;
        }
    }
    if (n->n_files >= NET_MAX_FILES)
        return jfail(c, key, MP_E_LIMIT, "more than %u weight files", NET_MAX_FILES);
    net_file *f = &n->files[n->n_files];
    mp_error ferr;
    mp_error_init(&ferr);
    if (mp_file_read(path, MP_IMPORT_MAX_FILE_BYTES, &f->data, &f->size, &ferr) != MP_OK)
        return jfail(c, key, ferr.status, "%s", ferr.msg);
    MP_TRY(mp_graph_adopt(n->g, f->data, (void (*)(void *))mp_file_free, c->err));
    f->path = mp_malloc(strlen(path) + 1);
    if (!f->path)
        return mp_errorf(c->err, MP_E_NOMEM, "out of memory");
    memcpy(f->path, path, strlen(path) + 1);
    n->n_files++;
    *out = f;
    return MP_OK;
}

mp_status net_json_file_ref(net_ctx *n, const cJSON *ref, const char *key, const void **data,
                            size_t *bytes)
{
    jctx *c = &n->j;
    const char *k = key;
    if (!cJSON_IsObject(ref))
        return jfail(c, k, MP_E_INVALID, "expected {\"path\", \"offset\", \"bytes\"}");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(ref, "path");
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(ref, "offset");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(ref, "bytes");
    const char *path = cJSON_IsString(p) ? p->valuestring : n->weights_file;
    if (!path)
        return jfail(c, k, MP_E_INVALID, "no path and no top-level weights_file");
    if (!cJSON_IsNumber(o) || !cJSON_IsNumber(b) || o->valuedouble < 0 || b->valuedouble < 0 ||
        o->valuedouble > 1e15 || b->valuedouble > 1e15 || o->valuedouble != floor(o->valuedouble) ||
        b->valuedouble != floor(b->valuedouble))
        return jfail(c, k, MP_E_INVALID, "offset and bytes must be integers >= 0");
    net_file *f;
    MP_TRY(load_file(n, path, k, &f));
    size_t off = (size_t)o->valuedouble, len = (size_t)b->valuedouble;
    if (off > f->size || len > f->size - off)
        return jfail(c, k, MP_E_INVALID, "bytes %zu..%zu lie past the end of '%s' (%zu bytes)",
                     off, off + len, path, f->size);
    *data = f->data + off;
    *bytes = len;
    return MP_OK;
}

void net_json_release_files(net_ctx *n)
{
    for (uint32_t i = 0; i < n->n_files; i++)
        mp_free(n->files[i].path);
    n->n_files = 0;
}

mp_status import_json_loaded(const char *text, size_t len, const char *path, bool keep_pads,
                             mp_graph **out, mp_error *err)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        dir[0] = '\0';
    return import_json_text(text, len, path, dir, keep_pads, out, err);
}

mp_status mp_import_json(const char *path, mp_graph **out, mp_error *err)
{
    char *text;
    size_t len;
    *out = NULL;
    MP_TRY(mp_file_read(path, MP_IMPORT_MAX_FILE_BYTES, &text, &len, err));
    mp_status st = import_json_loaded(text, len, path, false, out, err);
    mp_file_free(text);
    return st;
}
