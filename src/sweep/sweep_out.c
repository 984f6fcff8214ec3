/* SPDX-License-Identifier: MIT */
/*
 * sweep_out.c - what a sweep prints: the networks x targets matrix, the JSON
 * document, and per-step MACs of a schedule (module sweep). The matrix
 * layout is shared with `memplan report --sweep`, which rebuilds it from the
 * database, so both print the same text.
 */
#include "memplan/mp_sweep.h"

#include "memplan/memplan.h"

#include <stdio.h>
#include <string.h>

/* "+43 KiB" (rounded up), or "+2.9 MiB" (rounded up to 0.1 MiB) from 1 MiB on. */
static const char *missing_text(size_t bytes, char *buf, size_t n)
{
    const size_t mib = (size_t)1024 * 1024;
    if (bytes < mib) {
        snprintf(buf, n, "+%zu KiB", bytes / 1024 + (bytes % 1024 != 0));
    } else {
        size_t rest = bytes % mib * 10; /* < 10 MiB: no overflow */
        size_t tenths = bytes / mib * 10 + rest / mib + (rest % mib != 0);
        snprintf(buf, n, "+%zu.%zu MiB", tenths / 10, tenths % 10);
    }
    return buf;
}

void mp_sweep_verdict_of(const mp_sweep_net *net, uint32_t target, mp_sweep_verdict *v)
{
    const mp_sweep_cell *c = &net->cells[target];
    const mp_sweep_schedule *s = &net->schedules[c->schedule];
    memset(v, 0, sizeof *v);
    v->sram_fits = c->sram_fits;
    v->flash_fits = c->flash_fits;
    v->patch = s->patch;
    if (s->patch) {
        v->rows = s->point.rows;
        v->cols = s->point.cols;
        v->halo = s->point.halo;
    }
    v->missing_bytes = c->missing_bytes;
    v->flash_missing_bytes = c->flash_missing_bytes;
}

const char *mp_sweep_cell_text(const mp_sweep_verdict *v, char *buf, size_t n)
{
    char a[32], b[32];
    if (!v->sram_fits && !v->flash_fits)
        snprintf(buf, n, "needs %s, flash %s", missing_text(v->missing_bytes, a, sizeof a),
                 missing_text(v->flash_missing_bytes, b, sizeof b));
    else if (!v->sram_fits)
        snprintf(buf, n, "needs %s", missing_text(v->missing_bytes, a, sizeof a));
    else if (!v->flash_fits)
        snprintf(buf, n, "flash %s", missing_text(v->flash_missing_bytes, b, sizeof b));
    else if (v->patch)
        snprintf(buf, n, "%ux%u %s", v->rows, v->cols, mp_halo_name(v->halo));
    else
        snprintf(buf, n, "per-layer");
    return buf;
}

static const char *kib_text(size_t bytes, char *buf, size_t n)
{
    if (bytes % 1024 == 0)
        snprintf(buf, n, "%zu KiB", bytes / 1024);
    else
        snprintf(buf, n, "%.1f KiB", (double)bytes / 1024.0);
    return buf;
}

void mp_sweep_matrix_begin(mp_report *r, const char *key, uint32_t n_rows, uint32_t n_total,
                           const mp_sweep_target *targets, uint32_t n_targets)
{
    bool mcus = n_targets && targets[0].is_mcu;
    const char *what = mcus ? (n_targets == 1 ? "MCU" : "MCUs")
                            : (n_targets == 1 ? "budget" : "budgets");
    const char *nets = n_total == 1 ? "network" : "networks";
    if (n_rows == n_total)
        mp_report_set_title(r, "sweep %.12s: %u %s x %u %s", key, n_total, nets, n_targets,
                            what);
    else
        mp_report_set_title(r, "sweep %.12s: %u of %u %s x %u %s", key, n_rows, n_total, nets,
                            n_targets, what);
    mp_report_add_column(r, "network", NULL, false);
    for (uint32_t t = 0; t < n_targets; t++) {
        char detail[32];
        mp_report_add_column(r, targets[t].label, kib_text(targets[t].sram_bytes, detail,
                                                            sizeof detail),
                             false);
    }
    mp_report_add_note(r, "per-layer, RxC recompute|cache: the cheapest schedule that fits "
                          "(per-layer, or R x C patches with halos recomputed or cached)");
    mp_report_add_note(r, "needs +N: the lowest-peak schedule is N over the SRAM; flash +N: the "
                          "weights are N over the flash (KiB and MiB rounded up)");
}

/* "; TFLM fits" or "; TFLM +N KiB": TFLite Micro's whole arena on that SRAM. */
static void tflm_text(const mp_sweep_net *net, size_t sram, size_t reserve, char *text,
                      size_t n)
{
    size_t len = strlen(text), need = net->tflm_arena_bytes + reserve; /* sizes < 2^40 */
    if (need <= sram)
        snprintf(text + len, n - len, "; TFLM fits");
    else
        snprintf(text + len, n - len, "; TFLM +%zu KiB", (need - sram + 1023) / 1024);
}

mp_status mp_sweep_matrix(const mp_sweep *sw, mp_report *r, mp_error *err)
{
    mp_sweep_matrix_begin(r, sw->key, sw->n_nets - sw->n_failed, sw->n_total_nets, sw->targets,
                          sw->n_targets);
    if (sw->kernels != MP_TFLM_KERNELS_REFERENCE || sw->reserve)
        mp_report_add_note(r, "fits counts %s%s%zu bytes of reserve: peak + scratch + reserve "
                              "<= SRAM",
                           sw->kernels != MP_TFLM_KERNELS_REFERENCE
                               ? "each op's scratch buffer of the cmsis-nn kernels"
                               : "",
                           sw->kernels != MP_TFLM_KERNELS_REFERENCE ? " and " : "", sw->reserve);
    for (uint32_t i = 0; i < sw->n_nets; i++)
        if (sw->nets[i].tflm_have) {
            mp_report_add_note(r, "TFLM fits / +N: TFLite Micro's whole arena (planned tensors, "
                                  "scratch, bookkeeping; 32-bit Cortex-M) on the SRAM");
            break;
        }
    for (uint32_t i = 0; i < sw->n_nets; i++) {
        const mp_sweep_net *net = &sw->nets[i];
        if (!net->g)
            continue;
        mp_report_add_row(r);
        mp_report_set(r, 0, net->g->name);
        for (uint32_t t = 0; t < sw->n_targets; t++) {
            mp_sweep_verdict v;
            char text[80];
            mp_sweep_verdict_of(net, t, &v);
            mp_sweep_cell_text(&v, text, sizeof text);
            if (net->tflm_have)
                tflm_text(net, sw->targets[t].sram_bytes, sw->reserve, text, sizeof text);
            mp_report_set(r, t + 1, text);
        }
    }
    if (r->failed)
        return mp_errorf(err, MP_E_NOMEM, "out of memory building the sweep matrix");
    return MP_OK;
}

/* ---- JSON ----------------------------------------------------------------------------- */

static void json_schedule(mp_strbuf *sb, const mp_graph *g, const mp_sweep_schedule *s)
{
    if (s->patch) {
        const mp_patch_point *p = &s->point;
        mp_strbuf_puts(sb, "{\"mode\": \"patch\", \"split\": ");
        mp_strbuf_json_string(sb, g->tensors[p->split].name);
        mp_strbuf_printf(sb, ", \"split_step\": %u, \"grid\": [%u, %u], \"cuts\": \"%s\", "
                             "\"halo\": \"%s\", ",
                         p->last_step, p->rows, p->cols, mp_cuts_name(p->cuts),
                         mp_halo_name(p->halo));
    } else {
        mp_strbuf_puts(sb, "{\"mode\": \"per-layer\", ");
    }
    double ovh = g->macs ? (double)s->s->macs / (double)g->macs - 1.0 : 0.0;
    mp_strbuf_printf(sb, "\"peak_bytes\": %zu, \"scratch_bytes\": %zu, \"arena_bytes\": %zu, "
                         "\"macs\": %llu, \"overhead\": %.6f}",
                     s->s->peak_bytes, s->s->scratch_bytes, s->s->arena_bytes,
                     (unsigned long long)s->s->macs, ovh);
}

static void json_net(mp_strbuf *sb, const mp_sweep *sw, const mp_sweep_net *net)
{
    const mp_graph *g = net->g;
    mp_strbuf_printf(sb, "    {\"index\": %u, \"path\": ", net->index);
    mp_strbuf_json_string(sb, net->path);
    mp_strbuf_puts(sb, ", \"name\": ");
    mp_strbuf_json_string(sb, g->name);
    mp_strbuf_printf(sb, ", \"hash\": \"%s\", \"macs\": %llu, \"weight_bytes\": %llu, "
                         "\"per_layer_peak_bytes\": %zu,\n     \"results\": [",
                     g->hash, (unsigned long long)g->macs, (unsigned long long)g->weight_bytes,
                     net->per_layer_peak);
    if (net->tflm_have)
        mp_strbuf_printf(sb, "\n     \"tflm_arena_bytes\": %zu,", net->tflm_arena_bytes);
    else
        mp_strbuf_puts(sb, "\n     \"tflm_arena_bytes\": null,");
    for (uint32_t t = 0; t < sw->n_targets; t++) {
        const mp_sweep_cell *c = &net->cells[t];
        mp_strbuf_puts(sb, t ? ",\n      {\"target\": " : "\n      {\"target\": ");
        mp_strbuf_json_string(sb, sw->targets[t].label);
        const mp_schedule *cs = net->schedules[c->schedule].s;
        mp_strbuf_printf(sb, ", \"fits\": %s, \"sram_fits\": %s, \"flash_fits\": %s, "
                             "\"missing_bytes\": %zu, \"flash_missing_bytes\": %zu, "
                             "\"total_bytes\": %zu,\n       \"schedule\": ",
                         c->fits ? "true" : "false", c->sram_fits ? "true" : "false",
                         c->flash_fits ? "true" : "false", c->missing_bytes,
                         c->flash_missing_bytes,
                         cs->peak_bytes + cs->scratch_bytes + sw->reserve);
        json_schedule(sb, g, &net->schedules[c->schedule]);
        mp_strbuf_printf(sb, ", \"tflm_fits\": %s",
                         !net->tflm_have ? "null" : c->tflm_fits ? "true" : "false");
        mp_strbuf_puts(sb, "}");
    }
    mp_strbuf_puts(sb, "]}");
}

mp_status mp_sweep_write_json(const mp_sweep *sw, mp_strbuf *sb, mp_error *err)
{
    mp_strbuf_puts(sb, "{\n  \"memplan_version\": ");
    mp_strbuf_json_string(sb, mp_version());
    mp_strbuf_printf(sb, ",\n  \"sweep\": {\"key\": \"%s\", \"networks\": %u, \"shard\": [%u, %u], "
                         "\"options\": ",
                     sw->key, sw->n_total_nets, sw->shard + 1, sw->n_shards);
    mp_strbuf_json_string(sb, sw->options);
    mp_strbuf_puts(sb, "},\n  \"targets\": [");
    for (uint32_t t = 0; t < sw->n_targets; t++) {
        const mp_sweep_target *x = &sw->targets[t];
        mp_strbuf_puts(sb, t ? ",\n    {\"label\": " : "\n    {\"label\": ");
        mp_strbuf_json_string(sb, x->label);
        mp_strbuf_printf(sb, ", \"mcu\": %s, \"sram_bytes\": %zu, \"flash_bytes\": ",
                         x->is_mcu ? "true" : "false", x->sram_bytes);
        if (x->flash_bytes)
            mp_strbuf_printf(sb, "%zu}", x->flash_bytes);
        else
            mp_strbuf_puts(sb, "null}");
    }
    mp_strbuf_puts(sb, "],\n  \"networks\": [");
    bool first = true;
    for (uint32_t i = 0; i < sw->n_nets; i++) {
        if (!sw->nets[i].g)
            continue;
        mp_strbuf_puts(sb, first ? "\n" : ",\n");
        json_net(sb, sw, &sw->nets[i]);
        first = false;
    }
    mp_strbuf_puts(sb, "],\n  \"errors\": [");
    first = true;
    for (uint32_t i = 0; i < sw->n_nets; i++) {
        const mp_sweep_net *net = &sw->nets[i];
        if (net->g)
            continue;
        mp_strbuf_printf(sb, "%s    {\"index\": %u, \"path\": ", first ? "\n" : ",\n",
                         net->index);
        mp_strbuf_json_string(sb, net->path);
        mp_strbuf_puts(sb, ", \"message\": ");
        mp_strbuf_json_string(sb, net->error.msg);
        mp_strbuf_puts(sb, "}");
        first = false;
    }
    mp_strbuf_puts(sb, "]\n}\n");
    if (sb->failed)
        return mp_errorf(err, MP_E_NOMEM, "out of memory writing the sweep");
    return MP_OK;
}

/* ---- per-step MACs -------------------------------------------------------------------- */

/* MACs of block-local op l of a tiled segment: its MACs per output pixel times the pixels
 * it computes over all patches (halos included), as the patch cost model counts them. */
static uint64_t tiled_op_macs(const mp_graph *g, const mp_patch_plan *p, uint32_t l)
{
    const mp_op *op = &g->ops[p->ops[l]];
    const mp_tensor *out = &g->tensors[op->out[0]];
    uint64_t px = (uint64_t)out->shape.h * (uint64_t)out->shape.w;
    if (!px || !op->macs)
        return 0;
    uint32_t k = (uint32_t)p->out_slot[l];
    uint64_t sr = 0, sc = 0;
    for (uint32_t i = 0; i < p->spec.rows; i++)
        sr += (uint64_t)mp_interval_len(p->comp_rows[k * p->spec.rows + i]);
    for (uint32_t j = 0; j < p->spec.cols; j++)
        sc += (uint64_t)mp_interval_len(p->comp_cols[k * p->spec.cols + j]);
    return op->macs / px * sr * sc;
}

void mp_sweep_step_macs(const mp_schedule *s, uint64_t *macs)
{
    const mp_graph *g = s->g;
    for (uint32_t si = 0; si < s->n_segments; si++) {
        const mp_segment *seg = &s->segments[si];
        for (uint32_t st = seg->first_step; st <= seg->last_step; st++) {
            if (seg->kind == MP_SEG_TILED)
                macs[st] = tiled_op_macs(g, seg->patch, st - seg->first_step);
            else
                macs[st] = g->ops[s->order[st]].macs;
        }
    }
}
