/* SPDX-License-Identifier: MIT */
/*
 * schedule_read.c - reading a schedule JSON back (module schedule).
 *
 * The file's network hash must match the graph's. The schedule is then
 * rebuilt from the file's order, options and segments (tiled segments with
 * the file's exact cuts), and everything the file states — regions, buffers,
 * peak, MACs — must equal the rebuilt schedule, so a stale or edited file is
 * refused with the field that differs. Only the offsets and the arena size
 * are taken from the file: they are what firmware uses, and the layout check
 * (and `memplan validate`, which runs the schedule inside that layout) tells
 * whether they are sound.
 */
#include "memplan/memplan.h"

#include "../util/alloc.h"
#include "../util/json_fields.h"
#include "schedule_int.h"

#include <stdio.h>
#include <string.h>

typedef struct rctx {
    jctx j;
    const mp_graph *g;
    mp_schedule_spec *spec;
    int32_t cuts_buf[MP_SCHEDULE_MAX_TILED][2][MP_PATCH_MAX_GRID + 1];
    mp_cuts cuts_name[MP_SCHEDULE_MAX_TILED];
} rctx;

static mp_status read_header(rctx *r, const cJSON *root)
{
    jctx *c = &r->j;
    const char *format, *hash;
    int32_t version;
    const cJSON *net;
    MP_TRY(jstring(c, root, "format", true, NULL, &format));
    if (strcmp(format, "memplan-schedule") != 0)
        return jfail(c, "format", MP_E_INVALID, "expected \"memplan-schedule\", got \"%s\"", format);
    MP_TRY(jint(c, root, "version", true, 0, 1, INT32_MAX, &version));
    if (version > MP_SCHEDULE_JSON_VERSION)
        return jfail(c, "version", MP_E_UNSUPPORTED,
                     "version %d is newer than this memplan reads (%d)", version,
                     MP_SCHEDULE_JSON_VERSION);
    MP_TRY(jmember(c, root, "network", true, &net));
    snprintf(c->path, sizeof c->path, "network");
    MP_TRY(jstring(c, net, "hash", true, NULL, &hash));
    if (strcmp(hash, r->g->hash) != 0) {
        const char *name = NULL;
        MP_TRY(jstring(c, net, "name", false, "?", &name));
        return jfail(c, "hash", MP_E_MISMATCH,
                     "the schedule is for network '%s' (hash %.12s...), not for '%s' (hash "
                     "%.12s...)",
                     name, hash, r->g->name, r->g->hash);
    }
    c->path[0] = '\0';
    return MP_OK;
}

static mp_status read_options(rctx *r, const cJSON *root)
{
    jctx *c = &r->j;
    const cJSON *o;
    const char *input;
    int32_t align;
    MP_TRY(jmember(c, root, "options", true, &o));
    snprintf(c->path, sizeof c->path, "options");
    MP_TRY(jbool(c, o, "inplace_dw", false, &r->spec->opts.inplace_dw));
    MP_TRY(jbool(c, o, "inplace_ops", false, &r->spec->opts.inplace_ops));
    MP_TRY(jint(c, o, "align", false, 1, 1, 4096, &align));
    r->spec->opts.align = (size_t)align;
    MP_TRY(jstring(c, o, "input", false, "sram", &input));
    if (strcmp(input, "sram") == 0)
        r->spec->opts.input_mode = MP_INPUT_SRAM;
    else if (strcmp(input, "stream") == 0)
        r->spec->opts.input_mode = MP_INPUT_STREAM;
    else
        return jfail(c, "input", MP_E_INVALID, "expected \"sram\" or \"stream\", got \"%s\"", input);
    c->path[0] = '\0';
    const char *kernels; /* absent: the reference kernels, no scratch counted */
    MP_TRY(jstring(c, root, "kernels", false, "reference", &kernels));
    if (!mp_tflm_kernels_parse(kernels, &r->spec->opts.kernels))
        return jfail(c, "kernels", MP_E_INVALID,
                     "expected \"reference\" or \"cmsis-nn\", got \"%s\"", kernels);
    return MP_OK;
}

static mp_status read_order(rctx *r, const cJSON *root, uint32_t *order)
{
    jctx *c = &r->j;
    const cJSON *o;
    MP_TRY(jmember(c, root, "order", true, &o));
    if (!cJSON_IsArray(o) || (uint32_t)cJSON_GetArraySize(o) != r->g->n_ops)
        return jfail(c, "order", MP_E_INVALID, "expected the %u op names of the network",
                     r->g->n_ops);
    uint32_t i = 0;
    for (const cJSON *e = o->child; e; e = e->next, i++) {
        int32_t op = cJSON_IsString(e) ? mp_graph_find_op(r->g, e->valuestring) : -1;
        if (op < 0)
            return jfail(c, "order", MP_E_INVALID, "entry %u is not an op of the network", i);
        order[i] = (uint32_t)op;
    }
    return MP_OK;
}

static mp_status read_cuts(rctx *r, const cJSON *seg, const char *key, uint32_t n, int32_t *out)
{
    const cJSON *v;
    MP_TRY(jmember(&r->j, seg, key, true, &v));
    if (!cJSON_IsArray(v) || (uint32_t)cJSON_GetArraySize(v) != n + 1)
        return jfail(&r->j, key, MP_E_INVALID, "expected %u boundaries", n + 1);
    uint32_t i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++)
        MP_TRY(jint_value(&r->j, e, key, 0, MP_MAX_DIM, &out[i]));
    return MP_OK;
}

static mp_status read_tiled(rctx *r, const cJSON *seg, mp_patch_spec *t, uint32_t idx)
{
    jctx *c = &r->j;
    int32_t first, last, rows, cols;
    const char *cuts, *halo;
    MP_TRY(jint(c, seg, "first_step", true, 0, 0, INT32_MAX, &first));
    MP_TRY(jint(c, seg, "last_step", true, 0, 0, INT32_MAX, &last));
    const cJSON *grid;
    MP_TRY(jmember(c, seg, "grid", true, &grid));
    if (!cJSON_IsArray(grid) || cJSON_GetArraySize(grid) != 2)
        return jfail(c, "grid", MP_E_INVALID, "expected [rows, cols]");
    MP_TRY(jint_value(c, cJSON_GetArrayItem(grid, 0), "grid", 1, MP_PATCH_MAX_GRID, &rows));
    MP_TRY(jint_value(c, cJSON_GetArrayItem(grid, 1), "grid", 1, MP_PATCH_MAX_GRID, &cols));
    MP_TRY(jstring(c, seg, "cuts", false, "given", &cuts));
    MP_TRY(jstring(c, seg, "halo", true, NULL, &halo));
    *t = (mp_patch_spec){(uint32_t)first, (uint32_t)last, (uint32_t)rows, (uint32_t)cols,
                         MP_CUTS_GIVEN, r->cuts_buf[idx][0], r->cuts_buf[idx][1],
                         MP_HALO_RECOMPUTE};
    if (!mp_halo_parse(halo, &t->halo))
        return jfail(c, "halo", MP_E_INVALID, "expected \"recompute\" or \"cache\", got \"%s\"", halo);
    r->cuts_name[idx] = strcmp(cuts, "even") == 0       ? MP_CUTS_EVEN
                        : strcmp(cuts, "balanced") == 0 ? MP_CUTS_BALANCED
                                                        : MP_CUTS_GIVEN;
    MP_TRY(read_cuts(r, seg, "row_cuts", t->rows, r->cuts_buf[idx][0]));
    return read_cuts(r, seg, "col_cuts", t->cols, r->cuts_buf[idx][1]);
}

static mp_status read_segments(rctx *r, const cJSON *root)
{
    jctx *c = &r->j;
    const cJSON *segs;
    MP_TRY(jmember(c, root, "segments", true, &segs));
    if (!cJSON_IsArray(segs) || cJSON_GetArraySize(segs) < 1)
        return jfail(c, "segments", MP_E_INVALID, "expected a non-empty list");
    uint32_t i = 0;
    for (const cJSON *e = segs->child; e; e = e->next, i++) {
        snprintf(c->path, sizeof c->path, "segments[%u]", i);
        const char *kind;
        MP_TRY(jstring(c, e, "kind", true, NULL, &kind));
        if (strcmp(kind, "layers") == 0)
            continue;
        if (strcmp(kind, "tiled") != 0)
            return jfail(c, "kind", MP_E_INVALID, "expected \"layers\" or \"tiled\", got \"%s\"", kind);
        if (r->spec->n_tiled >= MP_SCHEDULE_MAX_TILED)
            return jfail(c, NULL, MP_E_LIMIT, "more than %u tiled segments", MP_SCHEDULE_MAX_TILED);
        MP_TRY(read_tiled(r, e, &r->spec->tiled[r->spec->n_tiled], r->spec->n_tiled));
        r->spec->n_tiled++;
    }
    c->path[0] = '\0';
    return MP_OK;
}

/* ---- comparing the file with the rebuilt schedule ------------------------------------- */

static mp_status same_intervals(rctx *r, const cJSON *t, const char *key, const mp_interval *v,
                                uint32_t k, uint32_t n)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(t, key);
    if (!cJSON_IsArray(a) || (uint32_t)cJSON_GetArraySize(a) != n)
        return jfail(&r->j, key, MP_E_INVALID, "expected %u intervals", n);
    uint32_t i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        mp_interval x = v[k * n + i];
        if (x.b <= x.a)
            x.a = x.b = 0;
        const cJSON *lo = cJSON_GetArrayItem(e, 0), *hi = cJSON_GetArrayItem(e, 1);
        if (!cJSON_IsNumber(lo) || !cJSON_IsNumber(hi) || lo->valuedouble != x.a ||
            hi->valuedouble != x.b)
            return jfail(&r->j, key, MP_E_MISMATCH,
                         "tile %u differs from memplan's regions ([%d, %d]); the schedule was "
                         "edited or made by another version",
                         i, x.a, x.b);
    }
    return MP_OK;
}

static mp_status check_tiled(rctx *r, const cJSON *seg, const mp_patch_plan *p, uint32_t si)
{
    jctx *c = &r->j;
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(seg, "tensors");
    if (!cJSON_IsArray(ts) || (uint32_t)cJSON_GetArraySize(ts) != p->n_slots)
        return jfail(c, "tensors", MP_E_MISMATCH, "expected %u tensors", p->n_slots);
    uint32_t k = 0;
    for (const cJSON *t = ts->child; t; t = t->next, k++) {
        snprintf(c->path, sizeof c->path, "segments[%u].tensors[%u]", si, k);
        const char *name;
        MP_TRY(jstring(c, t, "name", true, NULL, &name));
        if (strcmp(name, r->g->tensors[p->slots[k].id].name) != 0)
            return jfail(c, "name", MP_E_MISMATCH, "expected '%s', got '%s'",
                         r->g->tensors[p->slots[k].id].name, name);
        MP_TRY(same_intervals(r, t, "rows", p->need_rows, k, p->spec.rows));
        MP_TRY(same_intervals(r, t, "cols", p->need_cols, k, p->spec.cols));
        MP_TRY(same_intervals(r, t, "computed_rows", p->comp_rows, k, p->spec.rows));
        MP_TRY(same_intervals(r, t, "computed_cols", p->comp_cols, k, p->spec.cols));
    }
    return MP_OK;
}

static mp_status read_buffer(rctx *r, const cJSON *e, uint32_t i, mp_schedule *s)
{
    jctx *c = &r->j;
    mp_buffer *b = &s->buffers[i];
    snprintf(c->path, sizeof c->path, "buffers[%u]", i);
    const char *kind, *tensor;
    int32_t seg, first, last, group;
    double bytes, offset;
    MP_TRY(jstring(c, e, "kind", true, NULL, &kind));
    MP_TRY(jstring(c, e, "tensor", true, NULL, &tensor));
    MP_TRY(jint(c, e, "segment", true, 0, -1, INT32_MAX, &seg));
    MP_TRY(jint(c, e, "first", true, 0, 0, INT32_MAX, &first));
    MP_TRY(jint(c, e, "last", true, 0, 0, INT32_MAX, &last));
    MP_TRY(jint(c, e, "group", true, 0, 0, INT32_MAX, &group));
    MP_TRY(jnumber(c, e, "bytes", true, 0, &bytes));
    MP_TRY(jnumber(c, e, "offset", true, 0, &offset));
    if (strcmp(kind, mp_buffer_kind_name(b->kind)) != 0 ||
        strcmp(tensor, s->g->tensors[b->tensor].name) != 0 || seg != b->segment ||
        (uint32_t)first != b->first || (uint32_t)last != b->last || (uint32_t)group != b->group ||
        bytes != (double)b->bytes)
        return jfail(c, NULL, MP_E_MISMATCH,
                     "differs from memplan's buffer (%s '%s', %zu bytes, steps %u..%u); the "
                     "schedule was edited or made by another version",
                     mp_buffer_kind_name(b->kind), s->g->tensors[b->tensor].name, b->bytes,
                     b->first, b->last);
    if (offset < 0 || offset > 1e15 || offset != (double)(size_t)offset)
        return jfail(c, "offset", MP_E_INVALID, "expected a byte offset >= 0");
    b->offset = (size_t)offset;
    return MP_OK;
}

/* Everything the file states must match the rebuilt schedule; offsets come from the file. */
static mp_status check_and_adopt(rctx *r, const cJSON *root, mp_schedule *s)
{
    jctx *c = &r->j;
    const cJSON *segs = cJSON_GetObjectItemCaseSensitive(root, "segments");
    if ((uint32_t)cJSON_GetArraySize(segs) != s->n_segments)
        return jfail(c, "segments", MP_E_MISMATCH, "expected %u segments", s->n_segments);
    uint32_t i = 0, tiled = 0;
    for (const cJSON *e = segs->child; e; e = e->next, i++)
        if (s->segments[i].kind == MP_SEG_TILED) {
            MP_TRY(check_tiled(r, e, s->segments[i].patch, i));
            s->segments[i].patch->spec.cuts = r->cuts_name[tiled++];
        }
    c->path[0] = '\0';
    double peak, macs, arena;
    MP_TRY(jnumber(c, root, "peak_bytes", true, 0, &peak));
    MP_TRY(jnumber(c, root, "macs", true, 0, &macs));
    MP_TRY(jnumber(c, root, "arena_bytes", true, 0, &arena));
    if (peak != (double)s->peak_bytes || macs != (double)s->macs)
        return jfail(c, "peak_bytes", MP_E_MISMATCH,
                     "peak %.0f and MACs %.0f differ from memplan's %zu and %llu", peak, macs,
                     s->peak_bytes, (unsigned long long)s->macs);
    if (arena < 0 || arena > 1e15)
        return jfail(c, "arena_bytes", MP_E_INVALID, "expected a byte count");
    const cJSON *bufs = cJSON_GetObjectItemCaseSensitive(root, "buffers");
    if (!cJSON_IsArray(bufs) || (uint32_t)cJSON_GetArraySize(bufs) != s->n_buffers)
        return jfail(c, "buffers", MP_E_MISMATCH, "expected %u buffers", s->n_buffers);
    i = 0;
    for (const cJSON *e = bufs->child; e; e = e->next, i++)
        MP_TRY(read_buffer(r, e, i, s));
    s->arena_bytes = (size_t)arena;
    s->layout_ok = mp_arena_check(s->buffers, s->n_buffers, s->opts.align, s->arena_bytes,
                                  &s->layout_bad[0], &s->layout_bad[1]);
    return MP_OK;
}

mp_status mp_schedule_read_json(const mp_graph *g, const char *text, size_t len,
                                const char *label, mp_schedule **out, mp_error *err)
{
    *out = NULL;
    cJSON *root;
    MP_TRY(jparse(label, text, len, &root, err));
    rctx *r = mp_calloc(1, sizeof *r);
    mp_schedule_spec *spec = mp_calloc(1, sizeof *spec);
    uint32_t *order = mp_calloc(g->n_ops, sizeof *order);
    mp_schedule *s = NULL;
    mp_status st = r && spec && order ? MP_OK : mp_errorf(err, MP_E_NOMEM, "out of memory");
    if (st == MP_OK) {
        mp_schedule_spec_init(spec);
        *r = (rctx){.j = {.file = label, .err = err}, .g = g, .spec = spec};
        spec->order = order;
        if (!cJSON_IsObject(root))
            st = jfail(&r->j, NULL, MP_E_INVALID, "expected a JSON object at the top level");
    }
    if (st == MP_OK)
        st = read_header(r, root);
    if (st == MP_OK)
        st = read_options(r, root);
    if (st == MP_OK)
        st = read_order(r, root, order);
    if (st == MP_OK)
        st = read_segments(r, root);
    if (st == MP_OK) {
        st = mp_schedule_build(g, spec, &s, err);
        if (st != MP_OK)
            mp_error_prefix(err, label);
    }
    if (st == MP_OK)
        st = check_and_adopt(r, root, s);
    cJSON_Delete(root);
    mp_free(r);
    mp_free(spec);
    mp_free(order);
    if (st != MP_OK) {
        mp_schedule_free(s);
        return st;
    }
    *out = s;
    return MP_OK;
}

mp_status mp_schedule_load(const mp_graph *g, const char *path, mp_schedule **out, mp_error *err)
{
    char *text;
    size_t len;
    *out = NULL;
    MP_TRY(mp_file_read(path, MP_SCHEDULE_MAX_FILE_BYTES, &text, &len, err));
    mp_status st = mp_schedule_read_json(g, text, len, path, out, err);
    mp_file_free(text);
    return st;
}
