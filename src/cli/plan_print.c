/* SPDX-License-Identifier: MIT */
/* plan_print.c - text and JSON output of one patch schedule (module cli). */
#include "cli.h"

static const char *const role_names[] = {"whole input", "stream input", "working", "output"};

static const char *op_name(const mp_graph *g, uint32_t op)
{
    return g->ops[op].name;
}

static void print_header(mp_cli *cli, const mp_graph *g, const mp_patch_plan *p,
                         const mp_plan_opts *po)
{
    FILE *f = cli->out;
    const mp_tensor *s = &g->tensors[p->split];
    char shape[48];
    fprintf(f, "network          %s (%s)\n", g->name, g->source);
    fprintf(f, "patch stage      steps %u..%u (%u ops), split '%s' %s\n", p->spec.first_step,
            p->spec.last_step, p->n_ops, s->name, mp_shape_format(s, shape, sizeof shape));
    fprintf(f, "grid             %ux%u %s, halo %s, input %s%s\n", p->spec.rows, p->spec.cols,
            mp_cuts_name(p->spec.cuts), mp_halo_name(p->spec.halo),
            po->input_mode == MP_INPUT_STREAM ? "stream" : "sram",
            po->inplace_dw ? ", in-place depthwise" : "");
    fprintf(f, "row cuts        ");
    for (uint32_t i = 0; i <= p->spec.rows; i++)
        fprintf(f, " %d", p->row_cuts[i]);
    fprintf(f, "\ncolumn cuts     ");
    for (uint32_t j = 0; j <= p->spec.cols; j++)
        fprintf(f, " %d", p->col_cuts[j]);
    uint32_t pr = p->peak_patch / p->spec.cols, pc = p->peak_patch % p->spec.cols;
    fprintf(f, "\npeak             %s B (%s)\n", cli_count(p->peak), cli_kib(p->peak));
    fprintf(f, "  stage          %s B at patch %u (row %u, col %u), op '%s'\n",
            cli_count(p->stage_peak), p->peak_patch, pr, pc, op_name(g, p->ops[p->peak_op]));
    if (p->rest_peak)
        fprintf(f, "  rest           %s B at step %u\n", cli_count(p->rest_peak),
                p->rest_peak_step);
    fprintf(f, "  held whole     %s B, caches %s B\n", cli_count(p->whole_bytes),
            cli_count(p->cache_bytes));
    fprintf(f, "MACs             %s (+%.2f%%), stage %s\n", cli_count(p->macs), p->overhead * 100,
            cli_count(p->stage_macs));
}

static void print_slots(mp_cli *cli, const mp_graph *g, const mp_patch_plan *p)
{
    FILE *f = cli->out;
    fprintf(f, "\n%-24s %-13s %-14s %12s %11s %11s\n", "tensor", "role", "shape", "max region",
            "row cache", "col cache");
    for (uint32_t k = 0; k < p->n_slots; k++) {
        const mp_stage_tensor *s = &p->slots[k];
        const mp_tensor *t = &g->tensors[s->id];
        char shape[48];
        bool region = s->role == MP_ROLE_WORKING || s->role == MP_ROLE_STREAM_INPUT;
        fprintf(f, "%-24s %-13s %-14s %12s %11s %11s\n", t->name, role_names[s->role],
                mp_shape_format(t, shape, sizeof shape),
                region ? cli_count(s->max_region_bytes) : "whole", cli_count(s->row_cache_bytes),
                cli_count(s->col_cache_bytes));
    }
}

static void fmt_rect(char *buf, size_t n, mp_interval r, mp_interval c)
{
    if (r.b <= r.a || c.b <= c.a)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "[%d,%d)x[%d,%d)", r.a, r.b, c.a, c.b);
}

static void print_patch(mp_cli *cli, const mp_graph *g, const mp_patch_plan *p, uint32_t i,
                        uint32_t j)
{
    FILE *f = cli->out;
    fprintf(f, "\npatch %u (row %u, col %u)\n", i * p->spec.cols + j, i, j);
    fprintf(f, "  %3s  %-24s %-22s %-22s %s\n", "op", "layer", "holds", "computes",
            "reads (padding top,bottom,left,right)");
    for (uint32_t l = 0; l < p->n_ops; l++) {
        const mp_op *op = &g->ops[p->ops[l]];
        mp_interval nr, nc, cr, cc;
        mp_patch_slot_region(p, (uint32_t)p->out_slot[l], i, j, &nr, &nc, &cr, &cc);
        char holds[64], comp[64];
        fmt_rect(holds, sizeof holds, nr, nc);
        fmt_rect(comp, sizeof comp, cr, cc);
        fprintf(f, "  %3u  %-24s %-22s %-22s", l, op->name, holds, comp);
        for (uint32_t k = 0; k < op->n_in; k++) {
            if (op->in[k] == MP_NO_TENSOR || !mp_tensor_is_activation(&g->tensors[op->in[k]]))
                continue;
            mp_interval rr, rc;
            int32_t pad[4];
            char rect[64];
            mp_patch_read_region(g, p, l, k, i, j, &rr, &rc, pad);
            fmt_rect(rect, sizeof rect, rr, rc);
            fprintf(f, " %s %s pad %d,%d,%d,%d", g->tensors[op->in[k]].name, rect, pad[0], pad[1],
                    pad[2], pad[3]);
        }
        fputc('\n', f);
    }
}

void plan_print_text(mp_cli *cli, const mp_graph *g, const mp_patch_plan *p,
                     const mp_plan_opts *po, bool summary)
{
    print_header(cli, g, p, po);
    print_slots(cli, g, p);
    if (summary)
        return;
    for (uint32_t i = 0; i < p->spec.rows; i++)
        for (uint32_t j = 0; j < p->spec.cols; j++)
            print_patch(cli, g, p, i, j);
}

static void json_rect(mp_strbuf *sb, mp_interval r, mp_interval c)
{
    mp_strbuf_printf(sb, "[[%d, %d], [%d, %d]]", r.a, r.b > r.a ? r.b : r.a, c.a,
                     c.b > c.a ? c.b : c.a);
}

static void json_patch(mp_strbuf *sb, const mp_graph *g, const mp_patch_plan *p, uint32_t i,
                       uint32_t j)
{
    mp_strbuf_printf(sb, "{\"patch\": %u, \"row\": %u, \"col\": %u, \"ops\": [",
                     i * p->spec.cols + j, i, j);
    for (uint32_t l = 0; l < p->n_ops; l++) {
        const mp_op *op = &g->ops[p->ops[l]];
        mp_interval nr, nc, cr, cc;
        mp_patch_slot_region(p, (uint32_t)p->out_slot[l], i, j, &nr, &nc, &cr, &cc);
        mp_strbuf_puts(sb, l ? ",\n      {\"op\": " : "\n      {\"op\": ");
        mp_strbuf_json_string(sb, op->name);
        mp_strbuf_puts(sb, ", \"holds\": ");
        json_rect(sb, nr, nc);
        mp_strbuf_puts(sb, ", \"computes\": ");
        json_rect(sb, cr, cc);
        mp_strbuf_puts(sb, ", \"reads\": [");
        bool first = true;
        for (uint32_t k = 0; k < op->n_in; k++) {
            if (op->in[k] == MP_NO_TENSOR || !mp_tensor_is_activation(&g->tensors[op->in[k]]))
                continue;
            mp_interval rr, rc;
            int32_t pad[4];
            mp_patch_read_region(g, p, l, k, i, j, &rr, &rc, pad);
            mp_strbuf_puts(sb, first ? "{\"tensor\": " : ", {\"tensor\": ");
            first = false;
            mp_strbuf_json_string(sb, g->tensors[op->in[k]].name);
            mp_strbuf_puts(sb, ", \"region\": ");
            json_rect(sb, rr, rc);
            mp_strbuf_printf(sb, ", \"pad\": [%d, %d, %d, %d]}", pad[0], pad[1], pad[2], pad[3]);
        }
        mp_strbuf_puts(sb, "]}");
    }
    mp_strbuf_puts(sb, "]}");
}

void plan_print_json(mp_cli *cli, const mp_graph *g, const mp_patch_plan *p,
                     const mp_plan_opts *po)
{
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_strbuf_puts(&sb, "{\n  \"network\": {\"name\": ");
    mp_strbuf_json_string(&sb, g->name);
    mp_strbuf_printf(&sb, ", \"hash\": \"%s\"},\n  \"schedule\": {\"split\": ", g->hash);
    mp_strbuf_json_string(&sb, g->tensors[p->split].name);
    mp_strbuf_printf(&sb, ", \"first_step\": %u, \"last_step\": %u, \"grid\": [%u, %u], "
                          "\"cuts\": \"%s\", \"halo\": \"%s\", \"input\": \"%s\", "
                          "\"inplace_dw\": %s, \"align\": %zu,\n    \"row_cuts\": [",
                     p->spec.first_step, p->spec.last_step, p->spec.rows, p->spec.cols,
                     mp_cuts_name(p->spec.cuts), mp_halo_name(p->spec.halo),
                     po->input_mode == MP_INPUT_STREAM ? "stream" : "sram",
                     po->inplace_dw ? "true" : "false", po->align);
    for (uint32_t i = 0; i <= p->spec.rows; i++)
        mp_strbuf_printf(&sb, "%s%d", i ? ", " : "", p->row_cuts[i]);
    mp_strbuf_puts(&sb, "], \"col_cuts\": [");
    for (uint32_t j = 0; j <= p->spec.cols; j++)
        mp_strbuf_printf(&sb, "%s%d", j ? ", " : "", p->col_cuts[j]);
    mp_strbuf_printf(&sb, "],\n    \"peak_bytes\": %zu, \"stage_peak_bytes\": %zu, "
                          "\"peak_patch\": %u, \"peak_op\": %u, \"rest_peak_bytes\": %zu, "
                          "\"whole_bytes\": %zu, \"cache_bytes\": %zu, \"macs\": %llu, "
                          "\"stage_macs\": %llu, \"overhead\": %.6f},\n  \"tensors\": [",
                     p->peak, p->stage_peak, p->peak_patch, p->peak_op, p->rest_peak,
                     p->whole_bytes, p->cache_bytes, (unsigned long long)p->macs,
                     (unsigned long long)p->stage_macs, p->overhead);
    for (uint32_t k = 0; k < p->n_slots; k++) {
        const mp_stage_tensor *s = &p->slots[k];
        mp_strbuf_puts(&sb, k ? ",\n    {\"name\": " : "\n    {\"name\": ");
        mp_strbuf_json_string(&sb, g->tensors[s->id].name);
        mp_strbuf_printf(&sb, ", \"role\": \"%s\", \"max_region_bytes\": %zu, "
                              "\"row_cache_bytes\": %zu, \"col_cache_bytes\": %zu}",
                         role_names[s->role], s->max_region_bytes, s->row_cache_bytes,
                         s->col_cache_bytes);
    }
    mp_strbuf_puts(&sb, "],\n  \"patches\": [");
    for (uint32_t i = 0; i < p->spec.rows; i++)
        for (uint32_t j = 0; j < p->spec.cols; j++) {
            mp_strbuf_puts(&sb, i + j ? ",\n    " : "\n    ");
            json_patch(&sb, g, p, i, j);
        }
    mp_strbuf_puts(&sb, "]\n}\n");
    fputs(sb.buf, cli->out);
    mp_strbuf_release(&sb);
}
