/* SPDX-License-Identifier: MIT */
/*
 * export_c.c - a schedule as C for firmware (module schedule).
 *
 * The header declares the arena size, the buffer table (offset, size,
 * lifetime), the op table in execution order (type, geometry, the buffers it
 * reads and writes) and the segments with their patch loop bounds and
 * regions; the source defines the tables. Both need only <stdint.h>, compile
 * as C99 with -Wall -Wextra -Werror, and carry the network hash so firmware
 * can check it runs the network the schedule was made for. (What firmware
 * executes are the memplan_rt tables of src/exec/rt_export.c; these describe
 * the schedule.)
 *
 * Every field is as wide as its values can be (shapes and geometry int32_t,
 * counts and indices uint32_t/int32_t); byte offsets and sizes are size_t in
 * memplan and go through put_u32, which refuses a value above UINT32_MAX
 * naming the field. Names appear only inside comments and string literals,
 * escaped by c_text.h (no comment end, newline or trigraph can get through).
 */
#include "memplan/memplan.h"

#include "../util/c_text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static bool valid_prefix(const char *p)
{
    if (!p || !*p || !(isalpha((unsigned char)*p) || *p == '_'))
        return false;
    for (; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return false;
    return true;
}

static void upper(char *dst, const char *src, size_t n)
{
    size_t i = 0;
    for (; src[i] && i + 1 < n; i++)
        dst[i] = (char)toupper((unsigned char)src[i]);
    dst[i] = '\0';
}

static void header_types(mp_strbuf *h, const char *p, const char *P)
{
    mp_strbuf_printf(h, "enum %s_op_type {\n", p);
    for (int t = 0; t < MP_OP_COUNT; t++) {
        char name[64];
        upper(name, mp_op_type_name((mp_op_type)t), sizeof name);
        mp_strbuf_printf(h, "    %s_OP_%s = %d,\n", P, name, t);
    }
    mp_strbuf_printf(h, "};\n\nenum %s_buffer_kind {\n", p);
    for (int k = 0; k < MP_BUF_KIND_COUNT; k++) {
        char name[64];
        upper(name, mp_buffer_kind_name((mp_buffer_kind)k), sizeof name);
        mp_strbuf_printf(h, "    %s_BUF_%s = %d,\n", P, name, k);
    }
    mp_strbuf_printf(h,
        "};\n\n"
        "/* A buffer of the arena: bytes at [offset, offset + bytes), alive during steps\n"
        " * first_step..last_step. Tiled segments repeat their steps for every patch. */\n"
        "typedef struct {\n"
        "    uint32_t offset;\n    uint32_t bytes;\n    uint32_t first_step;\n"
        "    uint32_t last_step;\n    uint8_t kind;        /* enum %s_buffer_kind */\n"
        "    int32_t segment;     /* tiled segment, -1 for whole tensors */\n"
        "    uint32_t tensor;     /* index into %s_tensors */\n"
        "} %s_buffer_t;\n\n"
        "typedef struct {\n    const char *name;\n    int32_t h, w, c;      /* NHWC, batch 1 */\n"
        "    uint8_t dtype_bytes;\n} %s_tensor_t;\n\n"
        "/* An op in execution order. Buffers are indices into %s_buffers (-1: none);\n"
        " * in a tiled segment they are the region buffers of the patch. */\n"
        "typedef struct {\n"
        "    const char *name;\n    uint8_t type;        /* enum %s_op_type */\n"
        "    uint8_t activation;  /* 0 none, 1 relu, 2 relu6, 3 relu_n1_to_1 */\n"
        "    uint8_t inplace;     /* 1: runs over its input's buffer (depthwise: + plane) */\n"
        "    int32_t segment;     /* segment index */\n"
        "    uint32_t n_inputs;\n    const int32_t *input_buffer; /* n_inputs entries */\n"
        "    int32_t output_buffer;\n"
        "    int32_t plane_buffer;  /* in-place depthwise temporary, or -1 */\n"
        "    int32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;\n"
        "    int32_t pad_top, pad_bottom, pad_left, pad_right;\n"
        "    uint32_t output_tensor;\n"
        "} %s_op_t;\n\n"
        "typedef struct {\n    int32_t a, b;  /* half-open [a, b) */\n} %s_interval_t;\n\n"
        "/* A segment. Per-layer (tiled = 0): run steps first_step..last_step once.\n"
        " * Tiled: for each patch row i < rows and column j < cols, run the steps; op\n"
        " * s = first_step + l holds rows need_rows[l * rows + i] x cols\n"
        " * need_cols[l * cols + j] of its output in its buffer, and computes\n"
        " * comp_rows[...] x comp_cols[...] of it (the rest comes from the halo caches:\n"
        " * halo 0 recompute: none; 1 cache: row and column caches; 2 cache-cols:\n"
        " * the column cache only). row_cuts/col_cuts are the tile boundaries on the\n"
        " * split tensor. */\n"
        "typedef struct {\n    uint8_t tiled;\n    uint8_t halo;\n    uint32_t first_step, last_step;\n"
        "    uint32_t rows, cols;\n    const int32_t *row_cuts, *col_cuts;\n"
        "    const %s_interval_t *need_rows, *need_cols, *comp_rows, *comp_cols;\n"
        "} %s_segment_t;\n\n",
        p, p, p, p, p, p, p, p, p, p);
}

static void write_header(const mp_schedule *s, const char *p, const char *P, const char *guard,
                         mp_strbuf *h)
{
    const mp_graph *g = s->g;
    mp_strbuf_printf(h, "/* Generated by memplan %s: the schedule of network '", mp_version());
    mp_c_comment_text(h, g->name);
    mp_strbuf_puts(h, "' (");
    mp_c_comment_text(h, g->source);
    mp_strbuf_printf(h, ").\n * Peak %zu B, arena %zu B, %llu MACs. Do not edit: regenerate with\n"
                        " * `memplan export`. Needs only <stdint.h>. */\n",
                     s->peak_bytes, s->arena_bytes, (unsigned long long)s->macs);
    mp_strbuf_printf(h, "#ifndef %s\n#define %s\n\n#include <stdint.h>\n\n", guard, guard);
    mp_strbuf_printf(h, "#define %s_NETWORK_HASH \"%s\"\n", P, g->hash);
    mp_strbuf_printf(h, "#define %s_ARENA_BYTES %zuu\n#define %s_PEAK_BYTES %zuu\n", P,
                     s->arena_bytes, P, s->peak_bytes); /* size_t-wide macros: no narrowing */
    mp_strbuf_printf(h, "#define %s_ARENA_ALIGN %zuu\n#define %s_MACS %lluull\n", P,
                     s->opts.align, P, (unsigned long long)s->macs);
    mp_strbuf_printf(h, "#define %s_N_TENSORS %uu\n#define %s_N_BUFFERS %uu\n", P, g->n_tensors,
                     P, s->n_buffers);
    mp_strbuf_printf(h, "#define %s_N_OPS %uu\n#define %s_N_SEGMENTS %uu\n\n", P, g->n_ops, P,
                     s->n_segments);
    header_types(h, p, P);
    mp_strbuf_printf(h, "extern const %s_tensor_t %s_tensors[%s_N_TENSORS];\n", p, p, P);
    mp_strbuf_printf(h, "extern const %s_buffer_t %s_buffers[%s_N_BUFFERS];\n", p, p, P);
    mp_strbuf_printf(h, "extern const %s_op_t %s_ops[%s_N_OPS];\n", p, p, P);
    mp_strbuf_printf(h, "extern const %s_segment_t %s_segments[%s_N_SEGMENTS];\n\n#endif\n", p,
                     p, P);
}

static void write_tensors(const mp_schedule *s, const char *p, const char *P, mp_strbuf *c)
{
    const mp_graph *g = s->g;
    mp_strbuf_printf(c, "const %s_tensor_t %s_tensors[%s_N_TENSORS] = {\n", p, p, P);
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        const mp_tensor *x = &g->tensors[t];
        mp_strbuf_puts(c, "    {");
        mp_c_string_literal(c, x->name);
        mp_strbuf_printf(c, ", %d, %d, %d, %zu},\n", x->shape.h, x->shape.w, x->shape.c,
                         mp_dtype_size(x->dtype));
    }
    mp_strbuf_puts(c, "};\n\n");
}

/* A byte offset or size into a uint32_t field: refused, naming the field, when it does not fit. */
static bool put_u32(mp_strbuf *c, size_t v, const char *field, uint32_t index, mp_error *err)
{
    if ((uint64_t)v > UINT32_MAX) {
        mp_errorf(err, MP_E_LIMIT, "C export: %s of entry %u is %zu, more than a uint32_t holds",
                  field, index, v);
        return false;
    }
    mp_strbuf_printf(c, "%zuu, ", v);
    return true;
}

static mp_status write_buffers(const mp_schedule *s, const char *p, const char *P, mp_strbuf *c,
                               mp_error *err)
{
    mp_strbuf_printf(c, "const %s_buffer_t %s_buffers[%s_N_BUFFERS] = {\n", p, p, P);
    for (uint32_t i = 0; i < s->n_buffers; i++) {
        const mp_buffer *b = &s->buffers[i];
        mp_strbuf_puts(c, "    {");
        if (!put_u32(c, b->offset, "buffer.offset", i, err) ||
            !put_u32(c, b->bytes, "buffer.bytes", i, err))
            return err->status;
        mp_strbuf_printf(c, "%uu, %uu, %d, %d, %uu}, /* %u */\n", b->first, b->last, (int)b->kind,
                         b->segment, b->tensor, i);
    }
    mp_strbuf_puts(c, "};\n\n");
    return MP_OK;
}

/* The plane buffer of the in-place depthwise at step st, or -1. */
static int32_t plane_of(const mp_schedule *s, mp_tensor_id out, uint32_t st)
{
    for (uint32_t i = 0; i < s->n_buffers; i++)
        if (s->buffers[i].kind == MP_BUF_PLANE && s->buffers[i].tensor == out &&
            s->buffers[i].first == st)
            return (int32_t)i;
    return -1;
}

static int32_t segment_of(const mp_schedule *s, uint32_t st)
{
    for (uint32_t i = 0; i < s->n_segments; i++)
        if (s->segments[i].first_step <= st && st <= s->segments[i].last_step)
            return (int32_t)i;
    return -1;
}

/* Whether the op at step st runs over its input's buffer, as the schedule runs it:
 * a tiled op from its patch plan (depthwise over its input's region), a
 * per-layer op when the liveness made it in place and its output shares an
 * input's buffer group. */
static bool step_inplace(const mp_schedule *s, uint32_t st, int32_t seg, const int32_t *in,
                         uint32_t n_in, int32_t out)
{
    if (seg >= 0 && s->segments[seg].kind == MP_SEG_TILED) {
        const mp_patch_plan *pp = s->segments[seg].patch;
        return pp->inplace[st - pp->spec.first_step] != 0;
    }
    if (!s->pl.steps[st].inplace || out < 0)
        return false;
    for (uint32_t k = 0; k < n_in; k++)
        if (in[k] >= 0 && s->buffers[in[k]].group == s->buffers[out].group)
            return true;
    return false;
}

static void write_ops(const mp_schedule *s, const char *p, const char *P, mp_strbuf *c)
{
    const mp_graph *g = s->g;
    for (uint32_t st = 0; st < g->n_ops; st++) {
        const mp_op *op = &g->ops[s->order[st]];
        mp_strbuf_printf(c, "static const int32_t %s_op%u_in[%u] = {", p, st,
                         op->n_in ? op->n_in : 1);
        uint32_t n_in = 0;
        for (uint32_t k = 0; k < op->n_in; k++)
            if (op->in[k] != MP_NO_TENSOR && mp_tensor_is_activation(&g->tensors[op->in[k]]))
                mp_strbuf_printf(c, "%s%d", n_in++ ? ", " : "", s->tensor_buffer[op->in[k]]);
        mp_strbuf_puts(c, n_in ? "};\n" : "-1};\n");
    }
    mp_strbuf_printf(c, "\nconst %s_op_t %s_ops[%s_N_OPS] = {\n", p, p, P);
    for (uint32_t st = 0; st < g->n_ops; st++) {
        const mp_op *op = &g->ops[s->order[st]];
        const mp_op_params *q = &op->p;
        int32_t in[MP_MAX_OP_INPUTS];
        uint32_t n_in = 0;
        for (uint32_t k = 0; k < op->n_in && n_in < MP_MAX_OP_INPUTS; k++)
            if (op->in[k] != MP_NO_TENSOR && mp_tensor_is_activation(&g->tensors[op->in[k]]))
                in[n_in++] = s->tensor_buffer[op->in[k]];
        int32_t plane = plane_of(s, op->out[0], st), seg = segment_of(s, st);
        int32_t out = s->tensor_buffer[op->out[0]];
        bool inplace = plane >= 0 || step_inplace(s, st, seg, in, n_in, out);
        mp_strbuf_puts(c, "    {");
        mp_c_string_literal(c, op->name);
        mp_strbuf_printf(c, ", %d, %d, %d, %d, %uu, %s_op%u_in, %d, %d, "
                            "%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %uu},\n",
                         (int)op->type, (int)q->activation, inplace ? 1 : 0, seg, n_in, p, st,
                         out, plane, q->kernel_h, q->kernel_w, q->stride_h, q->stride_w,
                         q->dilation_h, q->dilation_w, q->pad_top, q->pad_bottom, q->pad_left,
                         q->pad_right, op->out[0]);
    }
    mp_strbuf_puts(c, "};\n\n");
}

static void write_intervals(mp_strbuf *c, const char *p, const char *name, uint32_t si,
                            const mp_patch_plan *pp, const mp_interval *v, uint32_t n)
{
    mp_strbuf_printf(c, "static const %s_interval_t %s_seg%u_%s[%u] = {", p, p, si, name,
                     pp->n_ops * n);
    for (uint32_t l = 0; l < pp->n_ops; l++) {
        uint32_t k = (uint32_t)pp->out_slot[l];
        mp_strbuf_puts(c, "\n   ");
        for (uint32_t i = 0; i < n; i++) {
            mp_interval x = v[k * n + i];
            if (x.b <= x.a)
                x.a = x.b = 0;
            mp_strbuf_printf(c, " {%d, %d},", x.a, x.b);
        }
    }
    mp_strbuf_puts(c, "\n};\n");
}

static void write_segments(const mp_schedule *s, const char *p, const char *P, mp_strbuf *c)
{
    for (uint32_t i = 0; i < s->n_segments; i++) {
        const mp_patch_plan *pp = s->segments[i].patch;
        if (!pp)
            continue;
        mp_strbuf_printf(c, "static const int32_t %s_seg%u_row_cuts[%u] = {", p, i, pp->spec.rows + 1);
        for (uint32_t k = 0; k <= pp->spec.rows; k++)
            mp_strbuf_printf(c, "%s%d", k ? ", " : "", pp->row_cuts[k]);
        mp_strbuf_printf(c, "};\nstatic const int32_t %s_seg%u_col_cuts[%u] = {", p, i,
                         pp->spec.cols + 1);
        for (uint32_t k = 0; k <= pp->spec.cols; k++)
            mp_strbuf_printf(c, "%s%d", k ? ", " : "", pp->col_cuts[k]);
        mp_strbuf_puts(c, "};\n");
        write_intervals(c, p, "need_rows", i, pp, pp->need_rows, pp->spec.rows);
        write_intervals(c, p, "need_cols", i, pp, pp->need_cols, pp->spec.cols);
        write_intervals(c, p, "comp_rows", i, pp, pp->comp_rows, pp->spec.rows);
        write_intervals(c, p, "comp_cols", i, pp, pp->comp_cols, pp->spec.cols);
        mp_strbuf_puts(c, "\n");
    }
    mp_strbuf_printf(c, "const %s_segment_t %s_segments[%s_N_SEGMENTS] = {\n", p, p, P);
    for (uint32_t i = 0; i < s->n_segments; i++) {
        const mp_segment *seg = &s->segments[i];
        if (!seg->patch) {
            mp_strbuf_printf(c, "    {0, 0, %uu, %uu, 1, 1, 0, 0, 0, 0, 0, 0},\n", seg->first_step,
                             seg->last_step);
            continue;
        }
        const mp_patch_plan *pp = seg->patch;
        mp_strbuf_printf(c, "    {1, %d, %uu, %uu, %u, %u, %s_seg%u_row_cuts, %s_seg%u_col_cuts, "
                            "%s_seg%u_need_rows, %s_seg%u_need_cols, %s_seg%u_comp_rows, "
                            "%s_seg%u_comp_cols},\n",
                         (int)pp->spec.halo, seg->first_step, seg->last_step,
                         pp->spec.rows, pp->spec.cols, p, i, p, i, p, i, p, i, p, i, p, i);
    }
    mp_strbuf_puts(c, "};\n");
}

_Static_assert(MP_HALO_RECOMPUTE == 0 && MP_HALO_CACHE == 1 && MP_HALO_CACHE_COLS == 2,
               "the exported halo codes");

mp_status mp_schedule_export_c(const mp_schedule *s, const char *prefix, const char *header_name,
                               mp_strbuf *h, mp_strbuf *c, mp_error *err)
{
    if (!valid_prefix(prefix) || strlen(prefix) > 40)
        return mp_errorf(err, MP_E_INVALID,
                         "--prefix: '%s' is not a C identifier (letters, digits, _; at most 40)",
                         prefix ? prefix : "");
    MP_TRY(mp_schedule_check_layout(s, err));
    char P[64], guard[96];
    upper(P, prefix, sizeof P);
    snprintf(guard, sizeof guard, "%s_SCHEDULE_H", P);
    write_header(s, prefix, P, guard, h);
    mp_strbuf_printf(c, "/* Generated by memplan %s for network '", mp_version());
    mp_c_comment_text(c, s->g->name);
    mp_strbuf_printf(c, "'. Do not edit. */\n#include \"%s\"\n\n", header_name);
    write_tensors(s, prefix, P, c);
    MP_TRY(write_buffers(s, prefix, P, c, err));
    write_ops(s, prefix, P, c);
    write_segments(s, prefix, P, c);
    if (h->failed || c->failed)
        return mp_errorf(err, MP_E_NOMEM, "out of memory writing the C export");
    return MP_OK;
}
