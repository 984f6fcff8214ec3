/* SPDX-License-Identifier: MIT */
/*
 * analyze_boundary.c - what `memplan analyze` says about the network's
 * float/uint8 boundary (inputs read by QUANTIZE: the caller's buffer, outside
 * the arena unless --float-input-in-arena; outputs written by DEQUANTIZE) and
 * about the PAD ops folded into convolutions (module cli).
 */
#include "analyze_boundary.h"

static bool dequantized(const mp_graph *g, mp_tensor_id t)
{
    int32_t p = g->tensors[t].producer;
    return p >= 0 && g->ops[p].type == MP_OP_DEQUANTIZE;
}

/* Tensor names are shortened to 36 characters, ops named as in the layer table. */
void analyze_boundary_text(FILE *f, const mp_graph *g, const mp_plan_opts *po,
                           const cli_names *names)
{
    char shape[64];
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        const mp_tensor *t = &g->tensors[g->inputs[i]];
        if (!mp_graph_is_boundary_input(g, g->inputs[i]))
            continue;
        mp_strbuf_reset(&sb);
        mp_strbuf_printf(&sb, "'%s' %s %s (%s B) -> quantize: %s", cli_short_name(t->name, 36),
                         mp_dtype_name(t->dtype), mp_shape_format(t, shape, sizeof shape),
                         cli_count(t->size_bytes),
                         po->count_float_input ? "held in the arena (--float-input-in-arena)"
                                               : "the caller's buffer, outside the arena");
        if (!sb.failed)
            cli_print_wrapped(f, "boundary input", sb.buf);
    }
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        const mp_tensor *t = &g->tensors[g->outputs[i]];
        if (!dequantized(g, g->outputs[i]))
            continue;
        mp_strbuf_reset(&sb);
        mp_strbuf_printf(&sb, "'%s' %s %s (%s B) <- dequantize, in the arena",
                         cli_short_name(t->name, 36), mp_dtype_name(t->dtype),
                         mp_shape_format(t, shape, sizeof shape), cli_count(t->size_bytes));
        if (!sb.failed)
            cli_print_wrapped(f, "boundary output", sb.buf);
    }
    if (g->n_folded_pads) {
        mp_strbuf_reset(&sb);
        mp_strbuf_printf(&sb, "%u (never held), into the padding of", g->n_folded_pads);
        uint32_t shown = 0;
        for (uint32_t i = 0; i < g->n_ops && shown < 6; i++) {
            const mp_op *op = &g->ops[i];
            if (!op->folded_pad)
                continue;
            mp_strbuf_printf(&sb, "%s %s '%s'", shown++ ? "," : "", op->type_name,
                             names ? cli_names_op(names, i) : op->name);
        }
        if (g->n_folded_pads > shown)
            mp_strbuf_printf(&sb, ", and %u more", g->n_folded_pads - shown);
        if (!sb.failed)
            cli_print_wrapped(f, "folded PADs", sb.buf);
    }
    mp_strbuf_release(&sb);
}

void analyze_boundary_json(mp_strbuf *sb, const mp_graph *g, const mp_plan_opts *po)
{
    bool any = g->n_folded_pads > 0;
    for (uint32_t i = 0; i < g->n_inputs; i++)
        any = any || mp_graph_is_boundary_input(g, g->inputs[i]);
    for (uint32_t i = 0; i < g->n_outputs; i++)
        any = any || dequantized(g, g->outputs[i]);
    if (!any) /* the document of a clean int8 network stays as it was */
        return;
    mp_strbuf_puts(sb, "  \"boundary\": {\"inputs\": [");
    uint32_t n = 0;
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        if (!mp_graph_is_boundary_input(g, g->inputs[i]))
            continue;
        const mp_tensor *t = &g->tensors[g->inputs[i]];
        mp_strbuf_puts(sb, n++ ? ", {\"name\": " : "{\"name\": ");
        mp_strbuf_json_string(sb, t->name);
        mp_strbuf_printf(sb, ", \"dtype\": \"%s\", \"bytes\": %zu, \"in_arena\": %s}",
                         mp_dtype_name(t->dtype), t->size_bytes,
                         po->count_float_input ? "true" : "false");
    }
    mp_strbuf_puts(sb, "], \"outputs\": [");
    n = 0;
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        if (!dequantized(g, g->outputs[i]))
            continue;
        mp_strbuf_puts(sb, n++ ? ", " : "");
        mp_strbuf_json_string(sb, g->tensors[g->outputs[i]].name);
    }
    mp_strbuf_puts(sb, "]},\n  \"folded_pads\": [");
    n = 0;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        if (!g->ops[i].folded_pad)
            continue;
        mp_strbuf_puts(sb, n++ ? ", {\"pad\": " : "{\"pad\": ");
        mp_strbuf_json_string(sb, g->ops[i].folded_pad);
        mp_strbuf_puts(sb, ", \"into\": ");
        mp_strbuf_json_string(sb, g->ops[i].name);
        mp_strbuf_puts(sb, "}");
    }
    mp_strbuf_puts(sb, "],\n");
}
