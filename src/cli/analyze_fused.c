/* SPDX-License-Identifier: MIT */
/*
 * analyze_fused.c - the multi-stage fused tiling part of `memplan analyze`:
 * the Pareto front of (peak, MACs) and the best schedule for --max-macs /
 * --budget, as text and as the "fused" JSON object (module cli).
 */
#include "analyze_fused.h"

static void describe(const mp_graph *g, const mp_per_layer *pl, const mp_fused_point *p,
                     mp_strbuf *sb)
{
    uint32_t tiled = 0;
    for (uint32_t k = 0; k < p->n_segs; k++) {
        const mp_fused_seg *s = &p->segs[k];
        if (!s->tiled)
            continue;
        const mp_op *last = &g->ops[pl->steps[s->last_step].op];
        mp_strbuf_printf(sb, "%s%u..%u %ux%u %s%s", tiled++ ? ", " : "", s->first_step,
                         s->last_step, s->rows, s->cols, mp_halo_name(s->halo),
                         mp_patch_op_reduces(g, pl->steps[s->last_step].op) ? " +reduce" : "");
        (void)last;
    }
    if (!tiled)
        mp_strbuf_puts(sb, "per-layer");
}

void analyze_fused_text(mp_cli *cli, const mp_graph *g, const mp_per_layer *pl,
                        const mp_fused_result *r, const mp_fused_point *best, bool fits,
                        bool pareto)
{
    FILE *f = cli->out;
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    fprintf(f, "\nfused tiling     %u blocks x grids examined, %u candidate segments, front of %u\n",
            r->n_blocks, r->n_candidates, r->n_pareto);
    for (uint32_t i = 0; i < r->n_pareto && (pareto || i == 0); i++) {
        const mp_fused_point *p = &r->pareto[i];
        mp_strbuf_reset(&sb);
        describe(g, pl, p, &sb);
        fprintf(f, "  %13s B %8.3fx MACs  %6.2fx smaller  tiled %s\n", cli_count(p->peak),
                p->factor, (double)r->per_layer_peak / (double)p->peak, sb.buf);
    }
    if (!fits)
        fprintf(f, "fused best       none meets the limits%s\n", best ? "; the closest:" : "");
    if (best) {
        mp_strbuf_reset(&sb);
        describe(g, pl, best, &sb);
        fprintf(f, "%s peak %s B (%s), %s MACs (%.3fx), %u segments: tiled %s\n",
                fits ? "fused best      " : "                ", cli_count(best->peak),
                cli_kib(best->peak), cli_count(best->macs), best->factor, best->n_segs, sb.buf);
    }
    mp_strbuf_release(&sb);
}

static void json_point(mp_strbuf *sb, const mp_graph *g, const mp_per_layer *pl,
                       const mp_fused_point *p)
{
    mp_strbuf_printf(sb, "{\"peak_bytes\": %zu, \"macs\": %llu, \"mac_factor\": %.6f, "
                         "\"segments\": [",
                     p->peak, (unsigned long long)p->macs, p->factor);
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
                        const mp_fused_result *r, const mp_fused_point *best, bool fits)
{
    mp_strbuf_printf(sb, ",\n  \"fused\": {\"blocks\": %u, \"candidates\": %u, \"fits\": %s, "
                         "\"best\": ",
                     r->n_blocks, r->n_candidates, fits ? "true" : "false");
    if (best)
        json_point(sb, g, pl, best);
    else
        mp_strbuf_puts(sb, "null");
    mp_strbuf_puts(sb, ",\n    \"pareto\": [");
    for (uint32_t i = 0; i < r->n_pareto; i++) {
        mp_strbuf_puts(sb, i ? ",\n      " : "\n      ");
        json_point(sb, g, pl, &r->pareto[i]);
    }
    mp_strbuf_puts(sb, "]}");
}
