/* SPDX-License-Identifier: MIT */
/*
 * chart.c - the parts the two charts share (module render): the scene
 * builder, the plot frame (step axis, KiB axis, grid, ticks), level lines
 * with their labels, the legend, patch stage bands and the titles.
 *
 * Charts are laid out bottom-up in points with y up (Graphviz's convention):
 * axis titles and tick labels, the plot, then rows above it (stage bands,
 * the y axis title, the legend, subtitle, title), each row starting above
 * the highest shape placed so far, so rows never overlap. Inside a row,
 * texts are measured with mp_render_text_width (a conservative estimate),
 * and labels that would not fit are dropped (the tooltip keeps them).
 */
#include "../util/alloc.h"
#include "../util/checked.h"
#include "render_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- scene ---------------------------------------------------------------------------- */

mp_render_shape *scene_add(render_scene *sc, mp_render_shape_kind kind, mp_render_part part)
{
    if (sc->st != MP_OK)
        return NULL;
    mp_render_model *m = sc->m;
    if (m->n_shapes == sc->cap) {
        uint32_t cap = sc->cap ? sc->cap * 2 : 256;
        size_t bytes;
        mp_render_shape *v = NULL;
        if (cap > sc->cap && mp_mul_size(cap, sizeof *v, &bytes))
            v = mp_realloc(m->shapes, bytes);
        if (!v) {
            sc->st = mp_errorf(sc->err, MP_E_NOMEM, "out of memory");
            return NULL;
        }
        m->shapes = v;
        sc->cap = cap;
    }
    mp_render_shape *p = &m->shapes[m->n_shapes++];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->part = part;
    p->fill = MP_RENDER_NONE;
    p->stroke = MP_RENDER_NONE;
    p->font_color = RENDER_INK;
    p->font_size = RENDER_FONT_SMALL;
    p->ref = -1;
    return p;
}

static mp_render_shape *scene_box(render_scene *sc, mp_render_shape_kind kind, mp_render_part part,
                                  double x, double y, double w, double h)
{
    mp_render_shape *p = scene_add(sc, kind, part);
    if (p) {
        p->x = x;
        p->y = y;
        p->w = w;
        p->h = h;
    }
    return p;
}

mp_render_shape *scene_rect(render_scene *sc, mp_render_part part, double x, double y, double w,
                            double h, uint32_t fill, uint32_t stroke, double pen)
{
    mp_render_shape *p = scene_box(sc, MP_SHAPE_RECT, part, x, y, w, h);
    if (p) {
        p->fill = fill;
        p->stroke = stroke;
        p->pen = pen;
        p->style = stroke == MP_RENDER_NONE ? MP_STROKE_NONE : MP_STROKE_SOLID;
    }
    return p;
}

mp_render_shape *scene_line(render_scene *sc, mp_render_part part, double x, double y, double w,
                            double h, uint32_t color, double pen, mp_render_stroke style)
{
    mp_render_shape *p = scene_box(sc, MP_SHAPE_LINE, part, x, y, w, h);
    if (p) {
        p->stroke = color;
        p->pen = pen;
        p->style = style;
    }
    return p;
}

mp_render_shape *scene_text(render_scene *sc, mp_render_part part, double x, double y,
                            mp_render_align align, double size, uint32_t color, const char *text)
{
    mp_render_shape *p = scene_add(sc, MP_SHAPE_TEXT, part);
    if (!p)
        return NULL;
    p->align = align;
    p->font_size = size;
    p->fill = color;
    render_printf(p->text, sizeof p->text, "%s", text);
    p->w = ceil(mp_render_text_width(p->text, size)) + 2;
    p->h = RENDER_LINE_HEIGHT(size);
    p->x = align == MP_ALIGN_LEFT ? x : align == MP_ALIGN_RIGHT ? x - p->w : x - p->w / 2;
    p->y = y;
    return p;
}

/* Highest point of every shape so far. */
static double scene_top(const render_scene *sc)
{
    double top = 0;
    for (uint32_t i = 0; i < sc->m->n_shapes; i++) {
        const mp_render_shape *p = &sc->m->shapes[i];
        double t = p->h > 0 ? p->y + p->h : p->y;
        top = t > top ? t : top;
    }
    return top;
}

static void render_scene_finish(render_scene *sc, double margin)
{
    mp_render_model *m = sc->m;
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (uint32_t i = 0; i < m->n_shapes; i++) {
        const mp_render_shape *p = &m->shapes[i];
        double ax = fmin(p->x, p->x + p->w), bx = fmax(p->x, p->x + p->w);
        double ay = fmin(p->y, p->y + p->h), by = fmax(p->y, p->y + p->h);
        double halfpen = p->kind == MP_SHAPE_TEXT ? 0 : p->pen / 2;
        x0 = fmin(x0, ax - halfpen);
        y0 = fmin(y0, ay - halfpen);
        x1 = fmax(x1, bx + halfpen);
        y1 = fmax(y1, by + halfpen);
    }
    if (!m->n_shapes)
        x0 = y0 = x1 = y1 = 0;
    for (uint32_t i = 0; i < m->n_shapes; i++) {
        m->shapes[i].x += margin - x0;
        m->shapes[i].y += margin - y0;
    }
    m->width = ceil(x1 - x0 + 2 * margin);
    m->height = ceil(y1 - y0 + 2 * margin);
}

/* ---- frame ---------------------------------------------------------------------------- */

#define PLOT_MIN_W  480.0
#define PLOT_MAX_W  1040.0
#define STEP_PITCH  14.0
#define PLOT_BOTTOM 40.0 /* room under the plot for tick labels and the x axis title */

/* Tick steps are 1, 2 or 5 x 10^k: as many decimals as the step has. */
static void tick_text(double kib, double step, char *buf, size_t n)
{
    int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    render_printf(buf, n, "%.*f", decimals, kib);
}

/* KiB per y tick and the plot's top, from the largest value (6 % headroom). */
static void frame_y_scale(render_frame *f, size_t max_bytes, double *tick_kib)
{
    double top_kib = (double)max_bytes / 1024.0 * 1.06;
    if (top_kib < 0.01)
        top_kib = 0.01;
    *tick_kib = render_nice_step(top_kib, 6);
    f->ymax = ceil(top_kib / *tick_kib - 1e-9) * *tick_kib * 1024.0;
}

void render_frame_init(render_frame *f, uint32_t n_steps, size_t max_bytes, double plot_h)
{
    memset(f, 0, sizeof *f);
    f->n_steps = n_steps ? n_steps : 1;
    double pw = f->n_steps * STEP_PITCH;
    f->pw = pw < PLOT_MIN_W ? PLOT_MIN_W : pw > PLOT_MAX_W ? PLOT_MAX_W : pw;
    f->pitch = f->pw / f->n_steps;
    f->ph = plot_h;
    frame_y_scale(f, max_bytes, &f->tick_kib);
    char top[32];
    tick_text(f->ymax / 1024.0, f->tick_kib, top, sizeof top);
    f->x0 = ceil(mp_render_text_width(top, RENDER_FONT_SMALL)) + 14;
    f->y0 = PLOT_BOTTOM;
    f->right = f->x0 + f->pw;
}

double render_frame_x(const render_frame *f, double step)
{
    return f->x0 + step * f->pitch;
}

double render_frame_y(const render_frame *f, double bytes)
{
    return f->y0 + bytes / f->ymax * f->ph;
}

static void frame_y_axis(render_scene *sc, const render_frame *f)
{
    double tick_kib = f->tick_kib;
    double th = RENDER_LINE_HEIGHT(RENDER_FONT_SMALL);
    for (unsigned i = 0;; i++) {
        double kib = i * tick_kib;
        if (kib * 1024.0 > f->ymax * (1 + 1e-9))
            break;
        double y = render_frame_y(f, kib * 1024.0);
        char t[32];
        tick_text(kib, tick_kib, t, sizeof t);
        if (i > 0)
            scene_line(sc, MP_PART_GRID, f->x0, y, f->pw, 0, RENDER_GRIDLINE, 0.6, MP_STROKE_SOLID);
        scene_line(sc, MP_PART_AXIS, f->x0 - 4, y, 4, 0, RENDER_INK, 0.8, MP_STROKE_SOLID);
        scene_text(sc, MP_PART_TICK_LABEL, f->x0 - 6, y - th / 2, MP_ALIGN_RIGHT, RENDER_FONT_SMALL,
                   RENDER_INK, t);
    }
}

/* Steps between labelled x ticks: 1, 2, 5, 10, 20, ... wide enough for the labels. */
static uint32_t frame_x_every(const render_frame *f)
{
    char t[16];
    render_printf(t, sizeof t, "%u", f->n_steps - 1);
    double need = mp_render_text_width(t, RENDER_FONT_SMALL) + 10;
    static const uint32_t mant[] = {1, 2, 5};
    for (uint32_t p = 1; p <= 100000000u; p *= 10) {
        for (unsigned i = 0; i < 3; i++) {
            if (mant[i] * p * f->pitch >= need)
                return mant[i] * p;
        }
    }
    return f->n_steps;
}

static void frame_x_axis(render_scene *sc, const render_frame *f, const char *x_title)
{
    uint32_t every = frame_x_every(f);
    double th = RENDER_LINE_HEIGHT(RENDER_FONT_SMALL);
    for (uint32_t s = 0; s < f->n_steps; s += every) {
        double x = render_frame_x(f, s + 0.5);
        char t[16];
        render_printf(t, sizeof t, "%u", s);
        scene_line(sc, MP_PART_AXIS, x, f->y0 - 4, 0, 4, RENDER_INK, 0.8, MP_STROKE_SOLID);
        scene_text(sc, MP_PART_TICK_LABEL, x, f->y0 - 6 - th, MP_ALIGN_CENTER, RENDER_FONT_SMALL,
                   RENDER_INK, t);
    }
    scene_text(sc, MP_PART_AXIS_TITLE, f->x0 + f->pw / 2, 0, MP_ALIGN_CENTER, RENDER_FONT_TEXT,
               RENDER_INK, x_title);
}

void render_frame_draw(render_scene *sc, const render_frame *f, const char *x_title)
{
    scene_rect(sc, MP_PART_PLOT, f->x0, f->y0, f->pw, f->ph, RENDER_PLOT_BG, MP_RENDER_NONE, 0);
    frame_y_axis(sc, f);
    frame_x_axis(sc, f, x_title);
}

/* Axis lines, drawn after the data so that they stay on top. */
static void render_frame_axes(render_scene *sc, const render_frame *f)
{
    scene_line(sc, MP_PART_AXIS, f->x0, f->y0, f->pw, 0, RENDER_INK, 1, MP_STROKE_SOLID);
    scene_line(sc, MP_PART_AXIS, f->x0, f->y0, 0, f->ph, RENDER_INK, 1, MP_STROKE_SOLID);
}

/* ---- levels --------------------------------------------------------------------------- */

void render_level(render_scene *sc, const render_frame *f, size_t bytes, uint32_t color,
                  mp_render_stroke style, const char *label)
{
    double y = render_frame_y(f, (double)bytes);
    mp_render_shape *l = scene_line(sc, MP_PART_LEVEL, f->x0, y, f->pw, 0, color, 1.4, style);
    if (l)
        render_printf(l->tooltip, sizeof l->tooltip, "%s", label);
    double th = RENDER_LINE_HEIGHT(RENDER_FONT_SMALL);
    scene_text(sc, MP_PART_LEVEL_LABEL, f->x0 + f->pw + 6, y - th / 2, MP_ALIGN_LEFT,
               RENDER_FONT_SMALL, color, label);
}

/* Move level labels apart vertically so that none overlaps another: a chart has at most a few,
 * so repeated passes take the lowest unplaced label and push it above the last one placed. */
static void render_levels_place(render_scene *sc)
{
    mp_render_model *m = sc->m;
    if (sc->st != MP_OK)
        return;
    double floor_y = -INFINITY;
    uint32_t placed = 0, n = 0;
    for (uint32_t i = 0; i < m->n_shapes; i++)
        n += m->shapes[i].part == MP_PART_LEVEL_LABEL;
    bool done[64] = {false};
    if (n > 64)
        return;
    while (placed < n) {
        int32_t best = -1;
        uint32_t k = 0, best_k = 0;
        for (uint32_t i = 0; i < m->n_shapes; i++) {
            if (m->shapes[i].part != MP_PART_LEVEL_LABEL)
                continue;
            if (!done[k] && (best < 0 || m->shapes[i].y < m->shapes[best].y)) {
                best = (int32_t)i;
                best_k = k;
            }
            k++;
        }
        mp_render_shape *p = &m->shapes[best];
        if (p->y < floor_y)
            p->y = floor_y;
        floor_y = p->y + p->h + 1;
        done[best_k] = true;
        placed++;
    }
}

/* ---- legend --------------------------------------------------------------------------- */

#define SWATCH_W 18.0
#define SWATCH_H 10.0

static double legend_item_width(const render_legend_item *it)
{
    return SWATCH_W + 5 + ceil(mp_render_text_width(it->text, RENDER_FONT_SMALL)) + 2;
}

static void legend_item(render_scene *sc, const render_legend_item *it, double x, double y,
                        double row_h)
{
    double mid = y + row_h / 2;
    if (it->style == MP_STROKE_NONE)
        scene_rect(sc, MP_PART_LEGEND, x, mid - SWATCH_H / 2, SWATCH_W, SWATCH_H, it->fill,
                   it->stroke, it->stroke == MP_RENDER_NONE ? 0 : 1);
    else
        scene_line(sc, MP_PART_LEGEND, x, mid, SWATCH_W, 0, it->stroke, 1.6, it->style);
    scene_text(sc, MP_PART_LEGEND, x + SWATCH_W + 5,
               mid - RENDER_LINE_HEIGHT(RENDER_FONT_SMALL) / 2, MP_ALIGN_LEFT, RENDER_FONT_SMALL,
               RENDER_INK, it->text);
}

static double render_legend(render_scene *sc, const render_legend_item *items, uint32_t n, double x,
                            double bottom, double max_x)
{
    const double gap = 18, row_h = 15;
    /* rows: first item of each row */
    uint32_t row_of[16];
    uint32_t rows = 0;
    double cx = x;
    for (uint32_t i = 0; i < n && i < 16; i++) {
        double w = legend_item_width(&items[i]);
        if (i == 0 || (cx + w > max_x && cx > x)) {
            rows++;
            cx = x;
        }
        row_of[i] = rows - 1;
        cx += w + gap;
    }
    cx = x;
    for (uint32_t i = 0; i < n && i < 16; i++) {
        if (i > 0 && row_of[i] != row_of[i - 1])
            cx = x;
        double y = bottom + (double)(rows - 1 - row_of[i]) * row_h;
        legend_item(sc, &items[i], cx, y, row_h);
        cx += legend_item_width(&items[i]) + gap;
    }
    return bottom + rows * row_h;
}

/* ---- patch stage bands ---------------------------------------------------------------- */

#define BAND_H 14.0

static void band_label(render_scene *sc, const render_frame *f, const mp_render_shape *band,
                       double next_left, const char *long_text, const char *short_text)
{
    double th = RENDER_LINE_HEIGHT(RENDER_FONT_SMALL);
    double y = band->y + (band->h - th) / 2;
    const char *texts[2] = {long_text, short_text};
    for (int i = 0; i < 2; i++) {
        double w = mp_render_text_width(texts[i], RENDER_FONT_SMALL) + 8;
        if (w <= band->w) {
            scene_text(sc, MP_PART_STAGE, band->x + 4, y, MP_ALIGN_LEFT, RENDER_FONT_SMALL,
                       RENDER_INK, texts[i]);
            return;
        }
        double right_end = band->x + band->w + 4 + w;
        if (right_end <= next_left && right_end <= f->x0 + f->pw) {
            scene_text(sc, MP_PART_STAGE, band->x + band->w + 4, y, MP_ALIGN_LEFT,
                       RENDER_FONT_SMALL, RENDER_INK, texts[i]);
            return;
        }
    }
}

static double render_stage_bands(render_scene *sc, const render_frame *f, const mp_schedule *s)
{
    double y = f->y0 + f->ph + 6;
    bool any = false;
    for (uint32_t i = 0; i < s->n_segments; i++) {
        const mp_segment *seg = &s->segments[i];
        if (seg->kind != MP_SEG_TILED)
            continue;
        any = true;
        double x = render_frame_x(f, seg->first_step);
        double w = (seg->last_step - seg->first_step + 1) * f->pitch;
        mp_render_shape *band =
            scene_rect(sc, MP_PART_STAGE, x, y, w, BAND_H, render_mix(RENDER_STAGE, 0xffffff, 0.55),
                       RENDER_STAGE, 0.8);
        if (!band)
            return y + BAND_H;
        char lt[MP_RENDER_TEXT_MAX], st[64];
        uint32_t tiles = seg->patch->spec.rows * seg->patch->spec.cols;
        render_printf(lt, sizeof lt, "patch stage: %ux%u tiles, steps %u-%u", seg->patch->spec.rows,
                      seg->patch->spec.cols, seg->first_step, seg->last_step);
        snprintf(st, sizeof st, "patch %ux%u", seg->patch->spec.rows, seg->patch->spec.cols);
        render_printf(band->tooltip, sizeof band->tooltip, "%s (%u patches)", lt, tiles);
        band->ref = (int32_t)i;
        double next_left = f->x0 + f->pw;
        for (uint32_t j = i + 1; j < s->n_segments; j++) {
            if (s->segments[j].kind == MP_SEG_TILED) {
                next_left = render_frame_x(f, s->segments[j].first_step);
                break;
            }
        }
        band_label(sc, f, &sc->m->shapes[sc->m->n_shapes - 1], next_left, lt, st);
    }
    return any ? y + BAND_H : f->y0 + f->ph;
}

/* ---- titles --------------------------------------------------------------------------- */

static double render_titles(render_scene *sc, const mp_render_model *m, double x, double bottom)
{
    /* subtitle lines, last line lowest */
    const char *lines[4];
    char copy[sizeof m->subtitle];
    unsigned n = 0;
    snprintf(copy, sizeof copy, "%s", m->subtitle);
    for (char *p = copy; p && *p && n < 4;) {
        lines[n++] = p;
        char *nl = strchr(p, '\n');
        if (nl)
            *nl++ = '\0';
        p = nl;
    }
    double y = bottom;
    double lh = RENDER_LINE_HEIGHT(RENDER_FONT_TEXT);
    for (unsigned i = n; i-- > 0;) {
        scene_text(sc, MP_PART_NOTE, x, y, MP_ALIGN_LEFT, RENDER_FONT_TEXT, RENDER_MUTED, lines[i]);
        y += lh;
    }
    y += 2;
    scene_text(sc, MP_PART_TITLE, x, y, MP_ALIGN_LEFT, RENDER_FONT_TITLE, RENDER_INK, m->title);
    return y + RENDER_LINE_HEIGHT(RENDER_FONT_TITLE);
}

/* ---- the rows above the plot ---------------------------------------------------------- */

void render_chart_finish(render_scene *sc, const render_frame *f, const mp_schedule *s,
                         const char *y_title, const render_legend_item *items, uint32_t n_items)
{
    render_frame_axes(sc, f);
    render_levels_place(sc);
    render_stage_bands(sc, f, s);
    scene_text(sc, MP_PART_AXIS_TITLE, 0, scene_top(sc) + 6, MP_ALIGN_LEFT, RENDER_FONT_TEXT,
               RENDER_INK, y_title);
    double y = render_legend(sc, items, n_items, 0, scene_top(sc) + 8, f->right);
    render_titles(sc, sc->m, 0, y + 8);
    render_scene_finish(sc, 10);
}
