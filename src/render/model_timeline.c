/* SPDX-License-Identifier: MIT */
/*
 * model_timeline.c - the memory timeline chart's model (module render).
 *
 * One pair of bars per execution step: a wide light bar for the SRAM in use
 * when the network runs per layer, and a narrow dark bar in front of it for
 * the SRAM in use under the schedule (its buffers alive at that step; inside
 * a patch stage, one patch's regions plus what is held whole). Level lines
 * mark both peaks and the budget, labelled in the right margin; patch stages
 * are bands above the plot; the legend names the series with their peaks.
 */
#include "render_int.h"

#include <stdio.h>
#include <string.h>

#define TIMELINE_PLOT_H 300.0

static void bar_tooltip(const mp_schedule *s, const mp_render_model *m, uint32_t i, char *buf,
                        size_t n)
{
    const mp_op *op = &s->g->ops[s->order[i]];
    char name[48], a[32], b[32];
    render_clip(name, sizeof name, op->name, 36);
    render_printf(buf, n, "step %u '%s': per layer %s B, schedule %s B", i, name,
                  mp_format_count(m->per_layer[i], a, sizeof a),
                  mp_format_count(m->scheduled[i], b, sizeof b));
}

static double bar_height(const render_frame *f, size_t bytes)
{
    double h = render_frame_y(f, (double)bytes) - f->y0;
    return bytes && h < 0.6 ? 0.6 : h;
}

static void timeline_bars(render_scene *sc, const render_frame *f, const mp_schedule *s)
{
    const mp_render_model *m = sc->m;
    double wide = f->pitch >= 4 ? f->pitch * 0.84 : f->pitch;
    double narrow = f->pitch >= 4 ? f->pitch * 0.46 : f->pitch * 0.6;
    for (uint32_t i = 0; i < m->n_steps; i++) {
        double x = render_frame_x(f, i);
        char tip[MP_RENDER_TEXT_MAX];
        bar_tooltip(s, m, i, tip, sizeof tip);
        mp_render_shape *a =
            scene_rect(sc, MP_PART_BAR_LAYER, x + (f->pitch - wide) / 2, f->y0, wide,
                       bar_height(f, m->per_layer[i]), RENDER_LAYER_BAR, MP_RENDER_NONE, 0);
        if (a) {
            a->ref = (int32_t)i;
            render_printf(a->tooltip, sizeof a->tooltip, "%s", tip);
        }
        bool peak = i == m->peak_step;
        mp_render_shape *b =
            scene_rect(sc, MP_PART_BAR_SCHED, x + (f->pitch - narrow) / 2, f->y0, narrow,
                       bar_height(f, m->scheduled[i]), RENDER_SCHED_BAR,
                       peak ? RENDER_PEAK_OUTLINE : MP_RENDER_NONE, peak ? 1.2 : 0);
        if (b) {
            b->ref = (int32_t)i;
            render_printf(b->tooltip, sizeof b->tooltip, "%s", tip);
        }
    }
}

static bool has_tiled(const mp_schedule *s)
{
    for (uint32_t i = 0; i < s->n_segments; i++)
        if (s->segments[i].kind == MP_SEG_TILED)
            return true;
    return false;
}

static void timeline_levels(render_scene *sc, const render_frame *f, const mp_render_opts *o)
{
    const mp_render_model *m = sc->m;
    char t[MP_RENDER_TEXT_MAX], kib[32];
    if (m->per_layer_peak != m->peak_bytes) {
        render_printf(t, sizeof t, "per-layer peak %s",
                      render_kib(m->per_layer_peak, kib, sizeof kib));
        render_level(sc, f, m->per_layer_peak, RENDER_LAYER_LINE, MP_STROKE_DOTTED, t);
    }
    render_printf(t, sizeof t, "schedule peak %s", render_kib(m->peak_bytes, kib, sizeof kib));
    render_level(sc, f, m->peak_bytes, RENDER_SCHED_BAR, MP_STROKE_DOTTED, t);
    if (o->have_budget) {
        render_printf(t, sizeof t, "budget %s", render_kib(o->budget, kib, sizeof kib));
        render_level(sc, f, o->budget, RENDER_BUDGET, MP_STROKE_DASHED, t);
    }
}

static uint32_t timeline_legend_items(const render_scene *sc, const mp_schedule *s,
                                      const mp_render_opts *o, render_legend_item *it)
{
    const mp_render_model *m = sc->m;
    const mp_graph *g = s->g;
    char kib[32], name[48];
    uint32_t n = 0;
    render_clip(name, sizeof name, g->ops[s->order[m->per_layer_peak_step]].name, 28);
    it[n] = (render_legend_item){RENDER_LAYER_BAR, MP_RENDER_NONE, MP_STROKE_NONE, ""};
    render_printf(it[n++].text, sizeof it[0].text, "run per layer: peak %s at step %u '%s'",
                  render_kib(m->per_layer_peak, kib, sizeof kib), m->per_layer_peak_step, name);
    render_clip(name, sizeof name, g->ops[s->order[m->peak_step]].name, 28);
    it[n] = (render_legend_item){RENDER_SCHED_BAR, RENDER_PEAK_OUTLINE, MP_STROKE_NONE, ""};
    render_printf(it[n++].text, sizeof it[0].text, "this schedule (%s): peak %s at step %u '%s'",
                  has_tiled(s) ? "patch-based" : "per-layer",
                  render_kib(m->peak_bytes, kib, sizeof kib), m->peak_step, name);
    if (o->have_budget) {
        it[n] = (render_legend_item){MP_RENDER_NONE, RENDER_BUDGET, MP_STROKE_DASHED, ""};
        render_printf(it[n++].text, sizeof it[0].text, "SRAM budget %s (%s)",
                      render_kib(o->budget, kib, sizeof kib),
                      m->peak_bytes <= o->budget ? "the schedule fits" : "exceeded");
    }
    if (has_tiled(s)) {
        it[n] = (render_legend_item){render_mix(RENDER_STAGE, 0xffffff, 0.55), RENDER_STAGE,
                                     MP_STROKE_NONE, "patch stage: its steps run tile by tile"};
        n++;
    }
    return n;
}

mp_status render_build_timeline(mp_render_model *m, const mp_schedule *s, const mp_render_opts *o,
                                mp_error *err)
{
    render_scene sc = {.m = m, .err = err};
    size_t top = m->per_layer_peak > m->peak_bytes ? m->per_layer_peak : m->peak_bytes;
    if (o->have_budget && o->budget > top)
        top = o->budget;
    render_frame f;
    render_frame_init(&f, m->n_steps, top, TIMELINE_PLOT_H);
    render_frame_draw(&sc, &f, "execution step (ops in schedule order)");
    timeline_bars(&sc, &f, s);
    timeline_levels(&sc, &f, o);
    render_legend_item items[4];
    uint32_t n = timeline_legend_items(&sc, s, o, items);
    render_chart_finish(&sc, &f, s, "SRAM in use (KiB)", items, n);
    return sc.st;
}
