/* SPDX-License-Identifier: MIT */
/* plan_print.c - text and JSON output of one patch schedule (module cli). */
#include "cli.h"
#include "cli_names.h"
#include "tflm_out.h"

#include <string.h>

static const char *const role_names[] = {"whole input", "stream input", "working", "output"};

enum { NAME_W = 20 }; /* the name columns (names.c shortens wider names) */

/* A tensor's name for a column: its producer's display name when the two are the
 * same (TFLite), else the tensor's own, shortened. */
static const char *tensor_label(const cli_names *cn, const mp_graph *g, mp_tensor_id t)
{
    const mp_tensor *x = &g->tensors[t];
    if (!cn)
        return x->name;
    if (x->producer >= 0 && strcmp(x->name, g->ops[x->producer].name) == 0)
        return cli_names_op(cn, (uint32_t)x->producer);
    return cli_short_name(x->name, NAME_W);
}

static void print_segment_header(mp_cli *cli, const mp_graph *g, const cli_names *cn,
                                 const mp_segment *seg, uint32_t si, const mp_plan_opts *po)
{
    FILE *f = cli->out;
    const mp_patch_plan *p = seg->patch;
    const mp_tensor *s = &g->tensors[p->split];
    uint32_t last = p->ops[p->n_ops - 1];
    char shape[48];
    fprintf(f, "\nsegment %u         patch stage: steps %u..%u (%u ops)\n", si,
            p->spec.first_step, p->spec.last_step, p->n_ops);
    if (mp_patch_op_reduces(g, last) && g->ops[last].out[0] != p->split)
        fprintf(f, "reduction         '%s' summed patch by patch over its input\n",
                cn ? cli_names_op(cn, last) : g->ops[last].name);
    fprintf(f, "split             '%s' %s\n", tensor_label(cn, g, p->split),
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
    fprintf(f, "\nstage peak        %s B at patch %u (row %u, col %u)\n",
            cli_count(p->stage_peak), p->peak_patch, pr, pc);
    fprintf(f, "                  during op '%s'\n",
            cn ? cli_names_op(cn, p->ops[p->peak_op]) : g->ops[p->ops[p->peak_op]].name);
    fprintf(f, "held whole        %s B, caches %s B\n", cli_count(p->whole_bytes),
            cli_count(p->cache_bytes));
    fprintf(f, "stage MACs        %s\n", cli_count(p->stage_macs));
}

static void print_header(mp_cli *cli, const mp_schedule *s, size_t per_layer_peak)
{
    FILE *f = cli->out;
    const mp_graph *g = s->g;
    uint32_t tiled = 0;
    for (uint32_t i = 0; i < s->n_segments; i++)
        tiled += s->segments[i].kind == MP_SEG_TILED;
    fprintf(f, "network           %s\n", g->name);
    fprintf(f, "file              %s\n", g->source);
    if (tiled)
        fprintf(f, "schedule          patch-based, %u tiled block%s in %u segment%s\n", tiled,
                tiled == 1 ? "" : "s", s->n_segments, s->n_segments == 1 ? "" : "s");
    else
        fprintf(f, "schedule          per-layer\n");
    uint32_t moved = 0;
    for (uint32_t i = 0; i < g->n_ops; i++)
        moved += s->order[i] != g->order[i];
    if (moved)
        fprintf(f, "order             not the file's: %u of %u steps run another op\n", moved,
                g->n_ops);
    fprintf(f, "peak              %s B (%s)", cli_count(s->peak_bytes), cli_kib(s->peak_bytes));
    if (tiled && per_layer_peak)
        fprintf(f, "%s per-layer %s B", s->peak_bytes > per_layer_peak ? "; ABOVE" : ";",
                cli_count(per_layer_peak));
    fprintf(f, "\narena             %s B (%s), %s\n", cli_count(s->arena_bytes),
            cli_kib(s->arena_bytes), s->arena.method);
    fprintf(f, "                  lower bound %s B\n", cli_count(s->arena.lower_bound));
    double ovh = g->macs ? (double)s->macs / (double)g->macs - 1.0 : 0.0;
    fprintf(f, "MACs              %s (%+.2f%%)\n", cli_count(s->macs), ovh * 100);
}

static void print_buffers(mp_cli *cli, const mp_schedule *s, const cli_names *cn)
{
    FILE *f = cli->out;
    bool any_inplace = false;
    fprintf(f, "\n%4s %-8s %-20s %3s %11s %11s %11s\n", "buf", "kind", "tensor", "seg", "bytes",
            "steps", "offset");
    for (uint32_t i = 0; i < s->n_buffers; i++) {
        const mp_buffer *b = &s->buffers[i];
        char steps[32], seg[12];
        snprintf(steps, sizeof steps, "%u..%u", b->first, b->last);
        snprintf(seg, sizeof seg, "%d", b->segment);
        any_inplace |= b->group != i;
        fprintf(f, "%4u %-8.8s %-20s %3s %11s %11s %11s%s\n", i, mp_buffer_kind_name(b->kind),
                tensor_label(cn, s->g, b->tensor), b->segment >= 0 ? seg : "-",
                cli_count(b->bytes), steps, cli_count(b->offset), b->group != i ? " *" : "");
    }
    if (any_inplace)
        fprintf(f, "(* in place: shares the memory of the buffer it overwrites)\n");
}

static void print_slots(mp_cli *cli, const mp_graph *g, const cli_names *cn,
                        const mp_patch_plan *p)
{
    FILE *f = cli->out;
    fprintf(f, "\n%-20s %-12s %-11s %10s %10s %10s\n", "tensor", "role", "shape", "max region",
            "row cache", "col cache");
    for (uint32_t k = 0; k < p->n_slots; k++) {
        const mp_stage_tensor *s = &p->slots[k];
        const mp_tensor *t = &g->tensors[s->id];
        char shape[48];
        bool region = s->role == MP_ROLE_WORKING || s->role == MP_ROLE_STREAM_INPUT;
        fprintf(f, "%-20s %-12s %-11s %10s %10s %10s\n", tensor_label(cn, g, s->id),
                role_names[s->role], mp_shape_format(t, shape, sizeof shape),
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

static void print_patch(mp_cli *cli, const mp_graph *g, const cli_names *cn,
                        const mp_patch_plan *p, uint32_t i, uint32_t j)
{
    FILE *f = cli->out;
    fprintf(f, "\npatch %u (row %u, col %u)\n", i * p->spec.cols + j, i, j);
    fprintf(f, "%3s  %-20s %-24s %-24s\n", "op", "layer", "holds", "computes");
    fprintf(f, "%3s  %s\n", "", "reads: tensor region, padding top,bottom,left,right");
    for (uint32_t l = 0; l < p->n_ops; l++) {
        const mp_op *op = &g->ops[p->ops[l]];
        mp_interval nr, nc, cr, cc;
        mp_patch_slot_region(p, (uint32_t)p->out_slot[l], i, j, &nr, &nc, &cr, &cc);
        char holds[64], comp[64];
        fmt_rect(holds, sizeof holds, nr, nc);
        fmt_rect(comp, sizeof comp, cr, cc);
        fprintf(f, "%3u  %-20s %-24s %-24s\n", l, cn ? cli_names_op(cn, p->ops[l]) : op->name,
                holds, comp);
        for (uint32_t k = 0; k < op->n_in; k++) {
            if (op->in[k] == MP_NO_TENSOR || !mp_tensor_is_activation(&g->tensors[op->in[k]]))
                continue;
            mp_interval rr, rc;
            int32_t pad[4];
            char rect[64];
            mp_patch_read_region(g, p, l, k, i, j, &rr, &rc, pad);
            fmt_rect(rect, sizeof rect, rr, rc);
            fprintf(f, "%3s  reads %s %s, pad %d,%d,%d,%d\n", "",
                    tensor_label(cn, g, op->in[k]), rect, pad[0], pad[1], pad[2], pad[3]);
        }
    }
}

void plan_print_text(mp_cli *cli, const mp_schedule *s, bool summary, bool wide,
                     size_t per_layer_peak, size_t reserve)
{
    cli_names names, *cn = NULL;
    if (!wide && cli_names_build(&names, s->g, NAME_W, false) == 0)
        cn = &names;
    print_header(cli, s, per_layer_peak);
    cli_print_total(cli->out, "scratch           ", s->kernels, s->peak_bytes, s->scratch_bytes,
                    reserve);
    for (uint32_t si = 0; si < s->n_segments; si++) {
        const mp_segment *seg = &s->segments[si];
        if (seg->kind != MP_SEG_TILED)
            continue;
        print_segment_header(cli, s->g, cn, seg, si, &s->opts);
        print_slots(cli, s->g, cn, seg->patch);
        if (summary)
            continue;
        for (uint32_t i = 0; i < seg->patch->spec.rows; i++)
            for (uint32_t j = 0; j < seg->patch->spec.cols; j++)
                print_patch(cli, s->g, cn, seg->patch, i, j);
    }
    print_buffers(cli, s, cn);
    if (cn)
        cli_names_free(cn);
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
