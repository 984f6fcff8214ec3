/* SPDX-License-Identifier: MIT */
/*
 * graph.c - building, freeing and querying a graph (module graph).
 *
 * Tensors and ops live in arrays that grow while an importer adds them;
 * everything else (names, operand lists, quantization arrays, copied
 * constants) comes from the graph's pool and is freed with it.
 */
#include "graph_int.h"

#include "../util/alloc.h"
#include "../util/checked.h"
#include "../util/text.h"

#include <stdio.h>
#include <string.h>

/* ---- name map ------------------------------------------------------------------------- */

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static bool map_grow(name_map *m, const char *(*name_of)(const mp_graph *, uint32_t),
                     const mp_graph *g)
{
    uint32_t cap = m->cap ? m->cap * 2 : 64;
    uint32_t *slots = mp_calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    for (uint32_t i = 0; i < m->cap; i++) {
        if (!m->slots[i])
            continue;
        uint32_t j = hash_str(name_of(g, m->slots[i] - 1)) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = m->slots[i];
    }
    mp_free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return true;
}

static const char *tensor_name_of(const mp_graph *g, uint32_t i)
{
    return g->tensors[i].name;
}

static const char *op_name_of(const mp_graph *g, uint32_t i)
{
    return g->ops[i].name;
}

static int64_t map_find(const name_map *m, const char *name,
                        const char *(*name_of)(const mp_graph *, uint32_t), const mp_graph *g)
{
    if (!m->cap)
        return -1;
    uint32_t j = hash_str(name) & (m->cap - 1);
    while (m->slots[j]) {
        if (strcmp(name_of(g, m->slots[j] - 1), name) == 0)
            return m->slots[j] - 1;
        j = (j + 1) & (m->cap - 1);
    }
    return -1;
}

/* Insert index idx (whose name is already stored); caller checked uniqueness. */
static bool map_insert(name_map *m, uint32_t idx,
                       const char *(*name_of)(const mp_graph *, uint32_t), const mp_graph *g)
{
    if ((m->count + 1) * 2 > m->cap && !map_grow(m, name_of, g))
        return false;
    uint32_t j = hash_str(name_of(g, idx)) & (m->cap - 1);
    while (m->slots[j])
        j = (j + 1) & (m->cap - 1);
    m->slots[j] = idx + 1;
    m->count++;
    return true;
}

/* ---- lifecycle ------------------------------------------------------------------------ */

mp_status mp_graph_new(const char *name, const char *source, mp_source_kind kind, mp_graph **out,
                       mp_error *err)
{
    *out = NULL;
    mp_graph *g = mp_calloc(1, sizeof *g);
    mp_graph_priv *priv = mp_calloc(1, sizeof *priv);
    if (!g || !priv) {
        mp_free(g);
        mp_free(priv);
        return mp_errorf(err, MP_E_NOMEM, "out of memory creating a graph");
    }
    g->priv = priv;
    mp_pool_init(&priv->pool);
    g->name = mp_pool_strdup(&priv->pool, name ? name : "network");
    g->source = mp_pool_strdup(&priv->pool, source ? source : "");
    g->source_kind = kind;
    if (!g->name || !g->source) {
        mp_graph_free(g);
        return mp_errorf(err, MP_E_NOMEM, "out of memory creating a graph");
    }
    *out = g;
    return MP_OK;
}

void mp_graph_free(mp_graph *g)
{
    if (!g)
        return;
    mp_graph_priv *priv = g->priv;
    if (priv) {
        adopted_block *b = priv->blocks;
        while (b) {
            adopted_block *next = b->next;
            if (b->free_fn)
                b->free_fn(b->block);
            mp_free(b);
            b = next;
        }
        mp_free(priv->tensor_names.slots);
        mp_free(priv->op_names.slots);
        mp_pool_release(&priv->pool);
        mp_free(priv);
    }
    mp_free(g->tensors);
    mp_free(g->ops);
    mp_free(g->repeats);
    mp_free(g);
}

/* The name policy (docs/reliability.md, "Names"): every name is valid UTF-8. The message
 * gives the byte, not the name (which could not be printed). */
static mp_status check_utf8(const char *what, uint32_t index, const char *name, mp_error *err)
{
    size_t len = strlen(name), ok = mp_utf8_valid_prefix(name, len);
    if (ok == len)
        return MP_OK;
    return mp_errorf(err, MP_E_INVALID, "%s %u: name is not valid UTF-8 (byte %zu is 0x%02X)",
                     what, index, ok, (unsigned char)name[ok]);
}

mp_status mp_graph_set_name(mp_graph *g, const char *name, mp_error *err)
{
    size_t len = strlen(name), ok = mp_utf8_valid_prefix(name, len);
    if (ok != len)
        return mp_errorf(err, MP_E_INVALID,
                         "the network name is not valid UTF-8 (byte %zu is 0x%02X)", ok,
                         (unsigned char)name[ok]);
    char *copy = mp_pool_strdup(&g->priv->pool, name);
    if (!copy)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    g->name = copy;
    return MP_OK;
}

mp_status mp_graph_adopt(mp_graph *g, void *block, void (*free_fn)(void *), mp_error *err)
{
    adopted_block *b = mp_malloc(sizeof *b);
    if (!b) {
        if (free_fn)
            free_fn(block);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    b->block = block;
    b->free_fn = free_fn;
    b->next = g->priv->blocks;
    g->priv->blocks = b;
    return MP_OK;
}

/* ---- adding --------------------------------------------------------------------------- */

static mp_status copy_quant(mp_pool *pool, const mp_quant *src, mp_quant *dst, const char *name,
                            mp_error *err)
{
    *dst = *src;
    if (src->n == 0) {
        dst->scale = NULL;
        dst->zero_point = NULL;
        return MP_OK;
    }
    if (!src->scale || !src->zero_point)
        return mp_errorf(err, MP_E_INVALID, "tensor '%s': quantization without scales", name);
    dst->scale = mp_pool_memdup(pool, src->scale, (size_t)src->n * sizeof(float));
    dst->zero_point = mp_pool_memdup(pool, src->zero_point, (size_t)src->n * sizeof(int32_t));
    if (!dst->scale || !dst->zero_point)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    return MP_OK;
}

static bool grow_array(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    uint32_t ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    size_t bytes;
    if (!mp_mul_size(ncap, elem, &bytes))
        return false;
    void *p = mp_realloc(*arr, bytes);
    if (!p)
        return false;
    memset((char *)p + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
    *arr = p;
    *cap = ncap;
    return true;
}

/* An 8-bit tensor's zero points lie in its type's range (TFLite requires it): checked when
 * the tensor is added, so analyze refuses what validate would. */
static mp_status check_zero_points(const mp_tensor_spec *spec, mp_error *err)
{
    int32_t lo = spec->dtype == MP_DTYPE_INT8 ? -128 : 0;
    int32_t hi = spec->dtype == MP_DTYPE_INT8 ? 127 : 255;
    if ((spec->dtype != MP_DTYPE_INT8 && spec->dtype != MP_DTYPE_UINT8) ||
        !spec->quant.zero_point)
        return MP_OK;
    for (uint32_t i = 0; i < spec->quant.n; i++) {
        int32_t zp = spec->quant.zero_point[i];
        if (zp < lo || zp > hi)
            return mp_errorf(err, MP_E_INVALID,
                             "tensor '%s': zero point %d is outside %s (%d..%d)", spec->name, zp,
                             mp_dtype_name(spec->dtype), lo, hi);
    }
    return MP_OK;
}

mp_status mp_graph_add_tensor(mp_graph *g, const mp_tensor_spec *spec, mp_tensor_id *id,
                              mp_error *err)
{
    mp_graph_priv *priv = g->priv;
    if (g->finalized)
        return mp_errorf(err, MP_E_INVALID, "graph is already finalized");
    if (!spec->name || !*spec->name)
        return mp_errorf(err, MP_E_INVALID, "tensor %u: empty name", g->n_tensors);
    MP_TRY(check_utf8("tensor", g->n_tensors, spec->name, err));
    if (g->n_tensors >= MP_MAX_TENSORS)
        return mp_errorf(err, MP_E_LIMIT, "more than %u tensors", MP_MAX_TENSORS);
    if ((unsigned)spec->dtype >= MP_DTYPE_COUNT)
        return mp_errorf(err, MP_E_INVALID, "tensor '%s': invalid dtype", spec->name);
    MP_TRY(check_zero_points(spec, err));
    if (map_find(&priv->tensor_names, spec->name, tensor_name_of, g) >= 0)
        return mp_errorf(err, MP_E_INVALID, "tensor '%s': duplicate name", spec->name);
    if (!grow_array((void **)&g->tensors, &priv->tensor_cap, g->n_tensors + 1, sizeof(mp_tensor)))
        return mp_errorf(err, MP_E_NOMEM, "out of memory adding tensor '%s'", spec->name);
    mp_tensor *t = &g->tensors[g->n_tensors];
    memset(t, 0, sizeof *t);
    t->name = mp_pool_strdup(&priv->pool, spec->name);
    if (!t->name)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    t->dtype = spec->dtype;
    t->shape = spec->shape;
    t->rank = spec->rank ? spec->rank : 4;
    t->flags = spec->flags;
    t->producer = -1;
    t->source_index = spec->has_source_index ? spec->source_index : g->n_tensors;
    MP_TRY(copy_quant(&priv->pool, &spec->quant, &t->quant, spec->name, err));
    if (spec->data) {
        t->data = spec->borrow_data ? spec->data
                                    : mp_pool_memdup(&priv->pool, spec->data, spec->data_bytes);
        if (!t->data)
            return mp_errorf(err, MP_E_NOMEM, "out of memory copying '%s'", spec->name);
        t->size_bytes = spec->data_bytes; /* checked against the shape in finalize */
    }
    if (!map_insert(&priv->tensor_names, g->n_tensors, tensor_name_of, g))
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    *id = g->n_tensors++;
    return MP_OK;
}

static mp_status copy_ids(mp_pool *pool, const mp_tensor_id *src, uint32_t n,
                          const mp_tensor_id **dst, mp_error *err)
{
    mp_tensor_id *d = mp_pool_array(pool, n ? n : 1, sizeof *d);
    if (!d)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    if (n)
        memcpy(d, src, (size_t)n * sizeof *d);
    *dst = d;
    return MP_OK;
}

static mp_status copy_requant(mp_pool *pool, const mp_requant *src, mp_requant *dst,
                              mp_error *err)
{
    *dst = *src;
    if (!src->n)
        return MP_OK;
    dst->multiplier = mp_pool_memdup(pool, src->multiplier, (size_t)src->n * sizeof(int32_t));
    dst->shift = mp_pool_memdup(pool, src->shift, (size_t)src->n * sizeof(int32_t));
    if (!dst->multiplier || !dst->shift)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    return MP_OK;
}

mp_status mp_graph_add_op(mp_graph *g, const mp_op_spec *spec, uint32_t *op_index, mp_error *err)
{
    mp_graph_priv *priv = g->priv;
    if (g->finalized)
        return mp_errorf(err, MP_E_INVALID, "graph is already finalized");
    if (!spec->name || !*spec->name)
        return mp_errorf(err, MP_E_INVALID, "op %u: empty name", g->n_ops);
    MP_TRY(check_utf8("op", g->n_ops, spec->name, err));
    if (g->n_ops >= MP_MAX_OPS)
        return mp_errorf(err, MP_E_LIMIT, "more than %u ops", MP_MAX_OPS);
    if ((unsigned)spec->type >= MP_OP_COUNT)
        return mp_errorf(err, MP_E_INVALID, "op '%s': invalid type", spec->name);
    if (spec->n_in > MP_MAX_OP_INPUTS || spec->n_out == 0 || spec->n_out > MP_MAX_OP_INPUTS)
        return mp_errorf(err, MP_E_LIMIT, "op '%s': %u inputs and %u outputs (limits: 1..%u)",
                         spec->name, spec->n_in, spec->n_out, MP_MAX_OP_INPUTS);
    if (map_find(&priv->op_names, spec->name, op_name_of, g) >= 0)
        return mp_errorf(err, MP_E_INVALID, "op '%s': duplicate name", spec->name);
    for (uint32_t i = 0; i < spec->n_in; i++)
        if (spec->in[i] != MP_NO_TENSOR && spec->in[i] >= g->n_tensors)
            return mp_errorf(err, MP_E_INVALID, "op '%s': input %u is not a tensor", spec->name,
                             i);
    for (uint32_t i = 0; i < spec->n_out; i++)
        if (spec->out[i] >= g->n_tensors)
            return mp_errorf(err, MP_E_INVALID, "op '%s': output %u is not a tensor", spec->name,
                             i);
    if (!grow_array((void **)&g->ops, &priv->op_cap, g->n_ops + 1, sizeof(mp_op)))
        return mp_errorf(err, MP_E_NOMEM, "out of memory adding op '%s'", spec->name);
    mp_op *op = &g->ops[g->n_ops];
    memset(op, 0, sizeof *op);
    op->name = mp_pool_strdup(&priv->pool, spec->name);
    const char *tn = spec->type_name ? spec->type_name : mp_op_type_name(spec->type);
    op->type_name = mp_pool_strdup(&priv->pool, tn);
    if (!op->name || !op->type_name)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    op->type = spec->type;
    op->p = spec->p;
    op->n_in = spec->n_in;
    op->n_out = spec->n_out;
    MP_TRY(copy_ids(&priv->pool, spec->in, spec->n_in, &op->in, err));
    MP_TRY(copy_ids(&priv->pool, spec->out, spec->n_out, &op->out, err));
    MP_TRY(copy_requant(&priv->pool, &spec->requant, &op->requant, err));
    if (spec->where && !(op->where = mp_pool_strdup(&priv->pool, spec->where)))
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    if (!map_insert(&priv->op_names, g->n_ops, op_name_of, g))
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    if (op_index)
        *op_index = g->n_ops;
    g->n_ops++;
    return MP_OK;
}

mp_status mp_graph_set_io(mp_graph *g, const mp_tensor_id *inputs, uint32_t n_inputs,
                          const mp_tensor_id *outputs, uint32_t n_outputs, mp_error *err)
{
    for (uint32_t i = 0; i < n_inputs; i++)
        if (inputs[i] >= g->n_tensors)
            return mp_errorf(err, MP_E_INVALID, "network input %u is not a tensor", i);
    for (uint32_t i = 0; i < n_outputs; i++)
        if (outputs[i] >= g->n_tensors)
            return mp_errorf(err, MP_E_INVALID, "network output %u is not a tensor", i);
    const mp_tensor_id *in = NULL, *out = NULL;
    MP_TRY(copy_ids(&g->priv->pool, inputs, n_inputs, &in, err));
    MP_TRY(copy_ids(&g->priv->pool, outputs, n_outputs, &out, err));
    g->inputs = (mp_tensor_id *)in;
    g->n_inputs = n_inputs;
    g->outputs = (mp_tensor_id *)out;
    g->n_outputs = n_outputs;
    return MP_OK;
}

mp_status mp_graph_add_repeat(mp_graph *g, const mp_repeat *r, mp_error *err)
{
    if (g->finalized)
        return mp_errorf(err, MP_E_INVALID, "graph is already finalized");
    const char *name = r->name ? r->name : "";
    uint64_t end = (uint64_t)r->first_op + (uint64_t)r->n_layers * r->n_reps;
    uint64_t prev_end = 0;
    if (g->n_repeats) {
        const mp_repeat *p = &g->repeats[g->n_repeats - 1];
        prev_end = (uint64_t)p->first_op + (uint64_t)p->n_layers * p->n_reps;
    }
    if (!*name || r->n_layers < 1 || r->n_reps < 1 || end > g->n_ops || r->first_op < prev_end)
        return mp_errorf(err, MP_E_INVALID,
                         "repeat group '%s': %u x %u ops from op %u do not fit the graph's %u "
                         "ops after the previous group",
                         name, r->n_reps, r->n_layers, r->first_op, g->n_ops);
    if (!grow_array((void **)&g->repeats, &g->priv->repeat_cap, g->n_repeats + 1,
                    sizeof(mp_repeat)))
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    mp_repeat *dst = &g->repeats[g->n_repeats];
    *dst = *r;
    dst->name = mp_pool_strdup(&g->priv->pool, name);
    if (!dst->name)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    g->n_repeats++;
    return MP_OK;
}

size_t mp_repeat_base_len(const char *name, uint32_t rep)
{
    char suffix[16];
    int n = snprintf(suffix, sizeof suffix, ".%u", rep);
    size_t len = strlen(name);
    if (n <= 0 || len <= (size_t)n || strcmp(name + len - (size_t)n, suffix) != 0)
        return SIZE_MAX;
    return len - (size_t)n;
}

/* Rebuild a name map from scratch (after compaction). */
static bool map_rebuild(name_map *m, uint32_t n, const char *(*name_of)(const mp_graph *, uint32_t),
                        const mp_graph *g)
{
    mp_free(m->slots);
    *m = (name_map){0};
    for (uint32_t i = 0; i < n; i++)
        if (!map_insert(m, i, name_of, g))
            return false;
    return true;
}

static void remap_ids(const mp_tensor_id *ids, uint32_t n, const uint32_t *new_id)
{
    mp_tensor_id *w = (mp_tensor_id *)ids; /* pool memory the graph owns */
    for (uint32_t k = 0; k < n; k++)
        if (w[k] != MP_NO_TENSOR)
            w[k] = new_id[w[k]];
}

mp_status mp_graph_compact(mp_graph *g, const uint8_t *drop_op, const uint8_t *drop_tensor,
                           mp_error *err)
{
    uint32_t *new_id = mp_calloc(g->n_tensors ? g->n_tensors : 1, sizeof *new_id);
    if (!new_id)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    uint32_t nt = 0, no = 0;
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        new_id[t] = drop_tensor[t] ? MP_NO_TENSOR : nt;
        if (!drop_tensor[t])
            g->tensors[nt++] = g->tensors[t];
    }
    for (uint32_t i = 0; i < g->n_ops; i++) {
        if (drop_op[i])
            continue;
        mp_op *op = &g->ops[no++];
        *op = g->ops[i];
        remap_ids(op->in, op->n_in, new_id);
        remap_ids(op->out, op->n_out, new_id);
    }
    remap_ids(g->inputs, g->n_inputs, new_id);
    remap_ids(g->outputs, g->n_outputs, new_id);
    mp_free(new_id);
    g->n_tensors = nt;
    g->n_ops = no;
    if (!map_rebuild(&g->priv->tensor_names, nt, tensor_name_of, g) ||
        !map_rebuild(&g->priv->op_names, no, op_name_of, g))
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    return MP_OK;
}

mp_status mp_graph_finalize(mp_graph *g, mp_error *err)
{
    if (g->finalized)
        return MP_OK;
    if (!g->keep_pads)
        MP_TRY(mp_graph_fold_pads(g, err));
    MP_TRY(mp_graph_check_structure(g, err));
    MP_TRY(mp_graph_compute_order(g, err));
    MP_TRY(mp_graph_infer_shapes(g, err));
    MP_TRY(mp_graph_compute_stats(g, err));
    MP_TRY(mp_graph_compute_rf(g, err));
    MP_TRY(mp_graph_compute_hash(g, err));
    g->finalized = true;
    return MP_OK;
}

/* ---- queries -------------------------------------------------------------------------- */

mp_tensor_id mp_graph_find_tensor(const mp_graph *g, const char *name)
{
    int64_t i = map_find(&g->priv->tensor_names, name, tensor_name_of, g);
    return i < 0 ? MP_NO_TENSOR : (mp_tensor_id)i;
}

int32_t mp_graph_find_op(const mp_graph *g, const char *name)
{
    return (int32_t)map_find(&g->priv->op_names, name, op_name_of, g);
}

bool mp_graph_is_boundary_input(const mp_graph *g, mp_tensor_id t)
{
    if (t >= g->n_tensors || !(g->tensors[t].flags & MP_TENSOR_INPUT) ||
        (g->tensors[t].flags & MP_TENSOR_OUTPUT) ||
        (g->tensors[t].dtype != MP_DTYPE_FLOAT32 && g->tensors[t].dtype != MP_DTYPE_UINT8))
        return false;
    const uint32_t *ops;
    uint32_t n = mp_graph_consumers(g, t, &ops);
    for (uint32_t k = 0; k < n; k++)
        if (g->ops[ops[k]].type != MP_OP_QUANTIZE)
            return false;
    return n > 0;
}

uint32_t mp_op_n_activation_inputs(const mp_graph *g, const mp_op *op)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < op->n_in; i++)
        if (op->in[i] != MP_NO_TENSOR && mp_tensor_is_activation(&g->tensors[op->in[i]]))
            n++;
    return n;
}

const char *mp_graph_op_where(const mp_graph *g, uint32_t i, char *buf, size_t buf_size)
{
    const mp_op *op = &g->ops[i];
    switch (g->source_kind) {
    case MP_SOURCE_JSON:
        if (op->where)
            snprintf(buf, buf_size, "%s '%s'", op->where, op->name);
        else
            snprintf(buf, buf_size, "layers[%u] '%s'", i, op->name);
        break;
    case MP_SOURCE_TFLITE: /* where: "operator N" when ops were removed (folded) */
        if (op->where)
            snprintf(buf, buf_size, "%s (%s)", op->where, op->type_name);
        else
            snprintf(buf, buf_size, "operator %u (%s)", i, op->type_name);
        break;
    default:
        snprintf(buf, buf_size, "op %u '%s'", i, op->name);
        break;
    }
    return buf;
}

const char *mp_shape_format(const mp_tensor *t, char *buf, size_t buf_size)
{
    const mp_shape *s = &t->shape;
    if (t->rank <= 2 && s->h == 1 && s->w == 1)
        snprintf(buf, buf_size, "%d", s->c);
    else if (s->n != 1)
        snprintf(buf, buf_size, "%dx%dx%dx%d", s->n, s->h, s->w, s->c);
    else
        snprintf(buf, buf_size, "%dx%dx%d", s->h, s->w, s->c);
    return buf;
}

bool mp_graph_shape_bytes(mp_shape s, mp_dtype dt, size_t *out)
{
    if (s.n <= 0 || s.h <= 0 || s.w <= 0 || s.c <= 0)
        return false;
    size_t t;
    return mp_mul4_size((size_t)s.n, (size_t)s.h, (size_t)s.w, (size_t)s.c, &t) &&
           mp_mul_size(t, mp_dtype_size(dt), out);
}
