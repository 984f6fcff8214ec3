/* SPDX-License-Identifier: MIT */
/*
 * model_lifecycle.c - the arena lifecycle chart's model (module render).
 *
 * Every buffer of the schedule is a rectangle: x spans the steps it is
 * alive (first .. last, inclusive), y spans [offset, offset + bytes) of the
 * arena. The layout is valid, so no two rectangles overlap: buffers alive at
 * the same time never share bytes, and the members of an in-place group
 * (same offset) live one after the other, drawn in one colour so that the
 * chain reads as one strip. Inside a patch stage the rectangles show one
 * patch's buffers; every patch reuses that layout. A dashed line marks the
 * arena size (and the budget when given).
 */
#include "render_int.h"

#include <stdio.h>
#include <string.h>

#define LIFECYCLE_PLOT_H 360.0
#define LABEL_FONT       8.0

/* Two or three shades per buffer kind, picked by the group leader's tensor. */
static uint32_t kind_color(mp_buffer_kind k, uint32_t shade)
{
    static const uint32_t tensor[] = {0x4f8fc0, 0x7fb0d8, 0xa9cbe6};
    static const uint32_t region[] = {0xf08a3c, 0xf6ad6e, 0xf9c99c};
    static const uint32_t row[] = {0x4aa564, 0x7cc38d};
    static const uint32_t col[] = {0x8c7fc0, 0xafa5d5};
    switch (k) {
    case MP_BUF_TENSOR:
        return tensor[shade % 3];
    case MP_BUF_REGION:
        return region[shade % 3];
    case MP_BUF_ROW_CACHE:
        return row[shade % 2];
    case MP_BUF_COL_CACHE:
        return col[shade % 2];
    case MP_BUF_ACCUM:
        return 0xc9a0dc;
    default:
        return 0x9a9a9a;
    }
}

static const char *const kind_legend[] = {
    "whole tensor",
    "patch region (one patch; every patch reuses it)",
    "halo row cache",
    "halo column cache",
    "in-place depthwise plane",
    "reduction accumulators (int32)",
};
_Static_assert(sizeof kind_legend / sizeof kind_legend[0] == MP_BUF_KIND_COUNT,
               "a legend for every buffer kind");

static void buffer_rect(render_scene *sc, const render_frame *f, const mp_schedule *s, uint32_t i)
{
    const mp_buffer *b = &s->buffers[i];
    const mp_buffer *lead = &s->buffers[b->group];
    double x = render_frame_x(f, b->first);
    double w = (double)(b->last - b->first + 1) * f->pitch;
    double y = render_frame_y(f, (double)b->offset);
    double h = render_frame_y(f, (double)b->offset + (double)b->bytes) - y;
    if (h < 0.6)
        h = 0.6;
    uint32_t fill = kind_color(b->kind, lead->tensor);
    mp_render_shape *p =
        scene_rect(sc, MP_PART_BUFFER, x, y, w, h, fill, render_mix(fill, 0x000000, 0.45), 0.5);
    if (!p)
        return;
    p->ref = (int32_t)i;
    bool bad = !s->layout_ok && (i == s->layout_bad[0] || i == s->layout_bad[1]);
    if (bad) {
        p->stroke = RENDER_BUDGET; /* a hand-edited layout: the offending pair in red */
        p->pen = 2;
    }
    p->font_size = LABEL_FONT;
    p->font_color = render_text_color_on(fill);
    char name[MP_RENDER_TEXT_MAX], a[32], c[32];
    mp_schedule_buffer_name(s, i, name, sizeof name);
    render_printf(p->tooltip, sizeof p->tooltip, "%s%.60s: %s B at offset %s, steps %u-%u",
                  bad ? "OVERLAPS: " : "", name, mp_format_count(b->bytes, a, sizeof a),
                  mp_format_count(b->offset, c, sizeof c), b->first, b->last);
    const char *tname = s->g->tensors[b->tensor].name;
    if (b->kind == MP_BUF_TENSOR || b->kind == MP_BUF_REGION) {
        char label[48];
        render_clip(label, sizeof label, tname, 24);
        if (mp_render_text_width(label, LABEL_FONT) + 4 <= w && RENDER_LINE_HEIGHT(LABEL_FONT) <= h)
            render_printf(p->text, sizeof p->text, "%s", label);
    }
}

static uint32_t lifecycle_legend_items(const mp_schedule *s, const mp_render_opts *o,
                                       render_legend_item *it)
{
    bool present[MP_BUF_KIND_COUNT] = {false};
    for (uint32_t i = 0; i < s->n_buffers; i++)
        present[s->buffers[i].kind] = true;
    uint32_t n = 0;
    char kib[32];
    for (unsigned k = 0; k < MP_BUF_KIND_COUNT; k++) {
        if (!present[k])
            continue;
        uint32_t fill = kind_color((mp_buffer_kind)k, 0);
        it[n] = (render_legend_item){fill, render_mix(fill, 0x000000, 0.45), MP_STROKE_NONE, ""};
        render_printf(it[n++].text, sizeof it[0].text, "%s", kind_legend[k]);
    }
    it[n] = (render_legend_item){MP_RENDER_NONE, RENDER_ARENA, MP_STROKE_DASHED, ""};
    render_printf(it[n++].text, sizeof it[0].text, "arena %s",
                  render_kib(s->arena_bytes, kib, sizeof kib));
    if (o->have_budget) {
        it[n] = (render_legend_item){MP_RENDER_NONE, RENDER_BUDGET, MP_STROKE_DASHED, ""};
        render_printf(it[n++].text, sizeof it[0].text, "SRAM budget %s",
                      render_kib(o->budget, kib, sizeof kib));
    }
    return n;
}

mp_status render_build_lifecycle(mp_render_model *m, const mp_schedule *s, const mp_render_opts *o,
                                 mp_error *err)
{
    render_scene sc = {.m = m, .err = err};
    size_t top = s->arena_bytes;
    if (o->have_budget && o->budget > top)
        top = o->budget;
    render_frame f;
    render_frame_init(&f, m->n_steps, top, LIFECYCLE_PLOT_H);
    render_frame_draw(&sc, &f, "execution step (ops in schedule order)");
    for (uint32_t i = 0; i < s->n_buffers; i++)
        buffer_rect(&sc, &f, s, i);
    char t[64], kib[32];
    render_printf(t, sizeof t, "arena %s", render_kib(s->arena_bytes, kib, sizeof kib));
    render_level(&sc, &f, s->arena_bytes, RENDER_ARENA, MP_STROKE_DASHED, t);
    if (o->have_budget) {
        render_printf(t, sizeof t, "budget %s", render_kib(o->budget, kib, sizeof kib));
        render_level(&sc, &f, o->budget, RENDER_BUDGET, MP_STROKE_DASHED, t);
    }
    render_legend_item items[MP_BUF_KIND_COUNT + 2];
    uint32_t n = lifecycle_legend_items(s, o, items);
    render_chart_finish(&sc, &f, s, "arena offset (KiB)", items, n);
    return sc.st;
}
