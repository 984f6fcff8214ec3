/* SPDX-License-Identifier: MIT */
/* plan_print.c - text and JSON output of one patch schedule (module cli). */
#include "cli.h"

static const char *const role_names[] = {"whole input", "stream input", "working", "output"};

static const char *op_name(const mp_graph *g, uint32_t op)
{
    return g->ops[op].name;
}

static void print_segment_header(mp_cli *cli, const mp_graph *g, const mp_segment *seg,
                                 uint32_t si, const mp_plan_opts *po)
{
    FILE *f = cli->out;
    const mp_patch_plan *p = seg->patch;
    const mp_tensor *s = &g->tensors[p->split];
    char shape[48];
    fprintf(f, "\nsegment %u         patch stage: steps %u..%u (%u ops), split '%s' %s\n", si,
            p->spec.first_step, p->spec.last_step, p->n_ops, s->name,
            mp_shape_format(s, shape, sizeof shape));
    fprintf(f, "grid              %ux%u %s, halo %s, input %s%s\n", p->spec.rows, p->spec.cols,
            mp_cuts_name(p->spec.cuts), mp_halo_name(p->spec.halo),
            po->input_mode == MP_INPUT_STREAM ? "stream" : "sram",
            po->inplace_dw ? ", in-place depthwise" : "");
    fprintf(f, "row cuts         ");
    for (uint32_t i = 0; i <= p->spec.rows; i++)
        fprintf(f, " %d", p->row_cuts[i]);
    fprintf(f, "\ncolumn cuts      ");
    for (uint32_t j = 0; j <= p->spec.cols; j++)
        fprintf(f, " %d", p->col_cuts[j]);
    uint32_t pr = p->peak_patch / p->spec.cols, pc = p->peak_patch % p->spec.cols;
    fprintf(f, "\nstage peak        %s B at patch %u (row %u, col %u), op '%s'\n",
            cli_count(p->stage_peak), p->peak_patch, pr, pc, op_name(g, p->ops[p->peak_op]));
    fprintf(f, "held whole        %s B, caches %s B\n", cli_count(p->whole_bytes),
            cli_count(p->cache_bytes));
    fprintf(f, "stage MACs        %s\n", cli_count(p->stage_macs));
}

static void print_header(mp_cli *cli, const mp_schedule *s)
{
    FILE *f = cli->out;
    const mp_graph *g = s->g;
    uint32_t tiled = 0;
    for (uint32_t i = 0; i < s->n_segments; i++)
        tiled += s->segments[i].kind == MP_SEG_TILED;
    fprintf(f, "network           %s (%s)\n", g->name, g->source);
    fprintf(f, "schedule          %s, %u segment%s\n", tiled ? "patch-based" : "per-layer",
            s->n_segments, s->n_segments == 1 ? "" : "s");
    uint32_t moved = 0;
    for (uint32_t i = 0; i < g->n_ops; i++)
        moved += s->order[i] != g->order[i];
    if (moved)
        fprintf(f, "order             not the file's: %u of %u steps run another op\n", moved,
                g->n_ops);
    fprintf(f, "peak              %s B (%s)\n", cli_count(s->peak_bytes), cli_kib(s->peak_bytes));
    fprintf(f, "arena             %s B (%s), %s; lower bound %s B\n", cli_count(s->arena_bytes),
            cli_kib(s->arena_bytes), s->arena.method, cli_count(s->arena.lower_bound));
    double ovh = g->macs ? (double)s->macs / (double)g->macs - 1.0 : 0.0;
    fprintf(f, "MACs              %s (%+.2f%%)\n", cli_count(s->macs), ovh * 100);
}

static void print_buffers(mp_cli *cli, const mp_schedule *s)
{
    FILE *f = cli->out;
    fprintf(f, "\n%4s  %-10s %-24s %4s %12s %13s %12s\n", "buf", "kind", "tensor", "seg",
            "bytes", "steps", "offset");
    for (uint32_t i = 0; i < s->n_buffers; i++) {
        const mp_buffer *b = &s->buffers[i];
        char steps[32], seg[8];
        snprintf(steps, sizeof steps, "%u..%u", b->first, b->last);
        snprintf(seg, sizeof seg, "%d", b->segment);
        fprintf(f, "%4u  %-10s %-24s %4s %12s %13s %12s%s\n", i, mp_buffer_kind_name(b->kind),
                s->g->tensors[b->tensor].name, b->segment >= 0 ? seg : "-",
                cli_count(b->bytes), steps, cli_count(b->offset),
                b->group != i ? " (in place)" : "");
    }
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

void plan_print_text(mp_cli *cli, const mp_schedule *s, bool summary)
{
    print_header(cli, s);
    for (uint32_t si = 0; si < s->n_segments; si++) {
        const mp_segment *seg = &s->segments[si];
        if (seg->kind != MP_SEG_TILED)
            continue;
        print_segment_header(cli, s->g, seg, si, &s->opts);
        print_slots(cli, s->g, seg->patch);
        if (summary)
            continue;
        for (uint32_t i = 0; i < seg->patch->spec.rows; i++)
            for (uint32_t j = 0; j < seg->patch->spec.cols; j++)
                print_patch(cli, s->g, seg->patch, i, j);
    }
    print_buffers(cli, s);
}

void plan_print_json(mp_cli *cli, const mp_schedule *s)
{
    mp_error err;
    mp_strbuf sb;
    mp_error_init(&err);
    mp_strbuf_init(&sb);
    if (mp_schedule_write_json(s, &sb, &err) != MP_OK)
        cli_fail(cli, &err);
    else
        fputs(sb.buf, cli->out);
    mp_strbuf_release(&sb);
}
