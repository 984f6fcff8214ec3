/* SPDX-License-Identifier: MIT */
/*
 * analyze_fused.c - the multi-stage fused tiling part of `memplan analyze`:
 * the Pareto front of (peak, MACs) and the best schedule for --max-macs /
 * --budget, as text and as the "fused" JSON object (module cli).
 */
#include "analyze_fused.h"
#include "tflm_out.h"

#include <string.h>

/* Print "label" then the point's tiled blocks as a list wrapped at 80 columns. */
static void print_blocks(FILE *f, const mp_graph *g, const mp_per_layer *pl,
                         const mp_fused_point *p)
{
    enum { INDENT = 17, WIDTH = 80 };
    char item[96];
    size_t col = INDENT;
    uint32_t tiled = 0;
    fprintf(f, "%*s", INDENT, "");
    for (uint32_t k = 0; k < p->n_segs; k++) {
        const mp_fused_seg *s = &p->segs[k];
        if (!s->tiled)
            continue;
        int n = snprintf(item, sizeof item, "%s%u..%u %ux%u %s%s", tiled ? ", " : "tiled ",
                         s->first_step, s->last_step, s->rows, s->cols, mp_halo_name(s->halo),
                         mp_patch_op_reduces(g, pl->steps[s->last_step].op) ? " +reduce" : "");
        size_t len = n > 0 ? (size_t)n : 0;
        if (tiled && col + len > WIDTH) {
            fprintf(f, ",\n%*s", INDENT, "");
            col = INDENT;
            memmove(item, item + 2, len - 1); /* drop the ", " */
            len -= 2;
        }
        fputs(item, f);
        col += len;
        tiled++;
    }
    fputs(tiled ? "\n" : "per-layer\n", f);
}

size_t analyze_fused_tensor_peak(const mp_graph *g, const analyze_split *sp,
                                 const mp_fused_point *p)
{
    size_t peak = p->peak;
    mp_error err;
    mp_error_init(&err);
    if (sp->kernels != MP_TFLM_KERNELS_REFERENCE &&
        mp_fused_point_peak(g, sp->tpl, sp->topts, p, &peak, &err) != MP_OK)
        peak = p->peak;
    return peak < p->peak ? peak : p->peak;
}

static uint32_t count_tiled(const mp_fused_point *p)
{
    uint32_t n = 0;
    for (uint32_t k = 0; k < p->n_segs; k++)
        n += p->segs[k].tiled;
    return n;
}

static void print_point(FILE *f, const char *label, const mp_graph *g, const mp_per_layer *pl,
                        const analyze_split *sp, const mp_fused_point *p)
{
    uint32_t n = count_tiled(p);
    size_t tensors = analyze_fused_tensor_peak(g, sp, p);
    fprintf(f, "%-16s %s B, %s MACs (%.3fx), %u tiled block%s\n", label, cli_count(tensors),
            cli_count(p->macs), p->factor, n, n == 1 ? "" : "s");
    print_blocks(f, g, pl, p);
    cli_print_total(f, "                 scratch ", sp->kernels, tensors, p->peak - tensors,
                    sp->reserve);
}

void analyze_fused_text(mp_cli *cli, const mp_graph *g, const mp_per_layer *pl,
                        const mp_fused_result *r, const mp_fused_point *best, bool fits,
                        bool pareto, const analyze_split *sp)
{
    FILE *f = cli->out;
    fprintf(f, "\nfused tiling     %s blocks x grids, %s candidate segments, front of %u\n",
            cli_count(r->n_blocks), cli_count(r->n_candidates), r->n_pareto);
    for (uint32_t i = 0; i < r->n_pareto && pareto; i++)
        print_point(f, "", g, pl, sp, &r->pareto[i]);
    if (!pareto && r->n_pareto && (!best || r->pareto[0].peak < best->peak))
        print_point(f, "lowest peak", g, pl, sp, &r->pareto[0]);
    if (!fits)
        fprintf(f, "fused best       none meets the limits%s\n", best ? "; the closest:" : "");
    if (best)
        print_point(f, fits ? "fused best" : "", g, pl, sp, best);
}

static void json_point(mp_strbuf *sb, const mp_graph *g, const mp_per_layer *pl,
                       const analyze_split *sp, const mp_fused_point *p)
{
    size_t tensors = analyze_fused_tensor_peak(g, sp, p);
    mp_strbuf_printf(sb, "{\"peak_bytes\": %zu, \"scratch_bytes\": %zu, \"total_bytes\": %zu, "
                         "\"macs\": %llu, \"mac_factor\": %.6f, \"segments\": [",
                     tensors, p->peak - tensors, p->peak + sp->reserve,
                     (unsigned long long)p->macs, p->factor);
    for (uint32_t k = 0; k < p->n_segs; k++) {
        const mp_fused_seg *s = &p->segs[k];
        mp_strbuf_printf(sb, "%s{\"kind\": \"%s\", \"first_step\": %u, \"last_step\": %u",
                         k ? ", " : "", s->tiled ? "tiled" : "layers", s->first_step,
                         s->last_step);
        if (s->tiled) {
            mp_strbuf_puts(sb, ", \"split\": ");
            const mp_op *last = &g->ops[pl->steps[s->last_step].op];
            mp_strbuf_json_string(sb, g->tensors[last->out[0]].name);
            mp_strbuf_printf(sb, ", \"grid\": [%u, %u], \"cuts\": \"%s\", \"halo\": \"%s\"",
                             s->rows, s->cols, mp_cuts_name(s->cuts), mp_halo_name(s->halo));
        }
        mp_strbuf_printf(sb, ", \"peak_bytes\": %zu, \"macs\": %llu}", s->peak,
                         (unsigned long long)s->macs);
    }
    mp_strbuf_puts(sb, "]}");
}

void analyze_fused_json(mp_strbuf *sb, const mp_graph *g, const mp_per_layer *pl,
                        const mp_fused_result *r, const mp_fused_point *best, bool fits,
                        const analyze_split *sp)
{
    mp_strbuf_printf(sb, ",\n  \"fused\": {\"blocks\": %u, \"candidates\": %u, \"fits\": %s, "
                         "\"best\": ",
                     r->n_blocks, r->n_candidates, fits ? "true" : "false");
    if (best)
        json_point(sb, g, pl, sp, best);
    else
        mp_strbuf_puts(sb, "null");
    mp_strbuf_puts(sb, ",\n    \"pareto\": [");
    for (uint32_t i = 0; i < r->n_pareto; i++) {
        mp_strbuf_puts(sb, i ? ",\n      " : "\n      ");
        json_point(sb, g, pl, sp, &r->pareto[i]);
    }
    mp_strbuf_puts(sb, "]}");
}
