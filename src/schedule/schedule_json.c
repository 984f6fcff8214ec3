/* SPDX-License-Identifier: MIT */
/*
 * schedule_json.c - writing schedules as versioned JSON (module schedule).
 * The format is documented in docs/schedule-json.md; reading is in
 * schedule_read.c.
 */
#include "memplan/memplan.h"

#include "schedule_int.h"

static const char *const role_names[] = {"whole_input", "stream_input", "working", "output"};

const char *mp_stage_role_name(mp_stage_role r)
{
    return (unsigned)r < MP_ROLE_COUNT ? role_names[r] : "?";
}

static void put_intervals(mp_strbuf *sb, const mp_interval *v, uint32_t k, uint32_t n)
{
    mp_strbuf_puts(sb, "[");
    for (uint32_t i = 0; i < n; i++) {
        mp_interval x = v[k * n + i];
        if (x.b <= x.a)
            x.a = x.b = 0;
        mp_strbuf_printf(sb, "%s[%d, %d]", i ? ", " : "", x.a, x.b);
    }
    mp_strbuf_puts(sb, "]");
}

static void put_ints(mp_strbuf *sb, const int32_t *v, uint32_t n)
{
    mp_strbuf_puts(sb, "[");
    for (uint32_t i = 0; i < n; i++)
        mp_strbuf_printf(sb, "%s%d", i ? ", " : "", v[i]);
    mp_strbuf_puts(sb, "]");
}

static void put_tiled(mp_strbuf *sb, const mp_graph *g, const mp_segment *seg)
{
    const mp_patch_plan *p = seg->patch;
    mp_strbuf_printf(sb, "{\"kind\": \"tiled\", \"first_step\": %u, \"last_step\": %u, \"split\": ",
                     seg->first_step, seg->last_step);
    mp_strbuf_json_string(sb, g->tensors[p->split].name);
    mp_strbuf_printf(sb, ", \"grid\": [%u, %u], \"cuts\": \"%s\", \"halo\": \"%s\",\n      \"row_cuts\": ",
                     p->spec.rows, p->spec.cols, mp_cuts_name(p->spec.cuts),
                     mp_halo_name(p->spec.halo));
    put_ints(sb, p->row_cuts, p->spec.rows + 1);
    mp_strbuf_puts(sb, ", \"col_cuts\": ");
    put_ints(sb, p->col_cuts, p->spec.cols + 1);
    mp_strbuf_printf(sb, ",\n      \"peak_bytes\": %zu, \"whole_bytes\": %zu, \"cache_bytes\": %zu, "
                         "\"macs\": %llu,\n      \"tensors\": [",
                     p->stage_peak, p->whole_bytes, p->cache_bytes,
                     (unsigned long long)p->stage_macs);
    for (uint32_t k = 0; k < p->n_slots; k++) {
        const mp_stage_tensor *s = &p->slots[k];
        mp_strbuf_puts(sb, k ? ",\n        {\"name\": " : "\n        {\"name\": ");
        mp_strbuf_json_string(sb, g->tensors[s->id].name);
        mp_strbuf_printf(sb, ", \"role\": \"%s\", \"first_op\": %d, \"last_op\": %d, "
                             "\"max_region_bytes\": %zu, \"row_cache_bytes\": %zu, "
                             "\"col_cache_bytes\": %zu,\n         \"rows\": ",
                         mp_stage_role_name(s->role), s->first_op, s->last_op,
                         s->max_region_bytes, s->row_cache_bytes, s->col_cache_bytes);
        put_intervals(sb, p->need_rows, k, p->spec.rows);
        mp_strbuf_puts(sb, ", \"cols\": ");
        put_intervals(sb, p->need_cols, k, p->spec.cols);
        mp_strbuf_puts(sb, ",\n         \"computed_rows\": ");
        put_intervals(sb, p->comp_rows, k, p->spec.rows);
        mp_strbuf_puts(sb, ", \"computed_cols\": ");
        put_intervals(sb, p->comp_cols, k, p->spec.cols);
        mp_strbuf_puts(sb, "}");
    }
    mp_strbuf_puts(sb, "]}");
}

static void put_buffers(mp_strbuf *sb, const mp_schedule *s)
{
    for (uint32_t i = 0; i < s->n_buffers; i++) {
        const mp_buffer *b = &s->buffers[i];
        mp_strbuf_printf(sb, "%s{\"kind\": \"%s\", \"tensor\": ", i ? ",\n    " : "\n    ",
                         mp_buffer_kind_name(b->kind));
        mp_strbuf_json_string(sb, s->g->tensors[b->tensor].name);
        mp_strbuf_printf(sb, ", \"segment\": %d, \"bytes\": %zu, \"first\": %u, \"last\": %u, "
                             "\"group\": %u, \"offset\": %zu}",
                         b->segment, b->bytes, b->first, b->last, b->group, b->offset);
    }
}

mp_status mp_schedule_write_json(const mp_schedule *s, mp_strbuf *sb, mp_error *err)
{
    const mp_graph *g = s->g;
    mp_strbuf_printf(sb, "{\n  \"format\": \"memplan-schedule\",\n  \"version\": %d,\n"
                         "  \"memplan_version\": ",
                     MP_SCHEDULE_JSON_VERSION);
    mp_strbuf_json_string(sb, mp_version());
    mp_strbuf_puts(sb, ",\n  \"network\": {\"name\": ");
    mp_strbuf_json_string(sb, g->name);
    mp_strbuf_puts(sb, ", \"source\": ");
    mp_strbuf_json_string(sb, g->source);
    mp_strbuf_printf(sb, ", \"hash\": \"%s\"},\n", g->hash);
    mp_strbuf_printf(sb, "  \"options\": {\"inplace_dw\": %s, \"inplace_ops\": %s, \"align\": %zu, "
                         "\"input\": \"%s\"},\n",
                     s->opts.inplace_dw ? "true" : "false", s->opts.inplace_ops ? "true" : "false",
                     s->opts.align, s->opts.input_mode == MP_INPUT_STREAM ? "stream" : "sram");
    mp_strbuf_printf(sb, "  \"peak_bytes\": %zu,\n  \"arena_bytes\": %zu,\n  \"macs\": %llu,\n",
                     s->peak_bytes, s->arena_bytes, (unsigned long long)s->macs);
    if (s->kernels != MP_TFLM_KERNELS_REFERENCE) /* absent: reference kernels, no scratch */
        mp_strbuf_printf(sb, "  \"kernels\": \"%s\",\n  \"scratch_bytes\": %zu,\n",
                         s->kernels == MP_TFLM_KERNELS_CMSIS_NN ? "cmsis-nn" : "reference",
                         s->scratch_bytes);
    mp_strbuf_puts(sb, "  \"order\": [");
    for (uint32_t i = 0; i < g->n_ops; i++) {
        mp_strbuf_puts(sb, i ? (i % 8 ? ", " : ",\n    ") : "\n    ");
        mp_strbuf_json_string(sb, g->ops[s->order[i]].name);
    }
    mp_strbuf_puts(sb, "],\n  \"segments\": [");
    for (uint32_t i = 0; i < s->n_segments; i++) {
        const mp_segment *seg = &s->segments[i];
        mp_strbuf_puts(sb, i ? ",\n    " : "\n    ");
        if (seg->kind == MP_SEG_TILED)
            put_tiled(sb, g, seg);
        else
            mp_strbuf_printf(sb, "{\"kind\": \"layers\", \"first_step\": %u, \"last_step\": %u}",
                             seg->first_step, seg->last_step);
    }
    mp_strbuf_puts(sb, "],\n  \"buffers\": [");
    put_buffers(sb, s);
    mp_strbuf_puts(sb, "]\n}\n");
    if (sb->failed)
        return mp_errorf(err, MP_E_NOMEM, "out of memory writing the schedule");
    return MP_OK;
}
