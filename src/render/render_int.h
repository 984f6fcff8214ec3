/* SPDX-License-Identifier: MIT */
/*
 * render_int.h - private helpers of the render module: the scene builder
 * used by the two charts (shapes with a sticky allocation error), colours,
 * number formatting, axis ticks and the schedule in words.
 */
#ifndef MEMPLAN_RENDER_INT_H
#define MEMPLAN_RENDER_INT_H

#include "memplan/mp_render.h"

/* Fonts of the pictures, points. */
#define RENDER_FONT_TITLE 14.0
#define RENDER_FONT_TEXT  10.0
#define RENDER_FONT_SMALL 9.0
/* Height of a line of text at a font size (box height of a text shape). */
#define RENDER_LINE_HEIGHT(size) ((size)*1.35)

/* Palette. */
#define RENDER_INK          0x222222u /* text, axes */
#define RENDER_MUTED        0x555555u /* secondary text */
#define RENDER_GRIDLINE     0xd9d9d9u
#define RENDER_PLOT_BG      0xfbfbfbu
#define RENDER_LAYER_BAR    0xb9cbe0u /* per-layer series */
#define RENDER_LAYER_LINE   0x4f6f95u
#define RENDER_SCHED_BAR    0xe6550du /* the schedule's series */
#define RENDER_BUDGET       0xc0152fu
#define RENDER_ARENA        0x333333u
#define RENDER_STAGE        0x8fa9d6u /* patch stage band */
#define RENDER_PEAK_OUTLINE 0x08306bu

/* A chart under construction: shapes are appended to m->shapes; the first
 * allocation failure is kept in st and makes further appends no-ops. */
typedef struct render_scene {
    mp_render_model *m;
    uint32_t cap;
    mp_status st;
    mp_error *err;
} render_scene;

mp_render_shape *scene_add(render_scene *sc, mp_render_shape_kind kind, mp_render_part part);
mp_render_shape *scene_rect(render_scene *sc, mp_render_part part, double x, double y, double w,
                            double h, uint32_t fill, uint32_t stroke, double pen);
mp_render_shape *scene_line(render_scene *sc, mp_render_part part, double x, double y, double w,
                            double h, uint32_t color, double pen, mp_render_stroke style);
/* A text shape whose box starts at x (left), is centred on x (centre) or ends at x (right),
 * with its bottom at y; the box width is the text's estimated width. */
mp_render_shape *scene_text(render_scene *sc, mp_render_part part, double x, double y,
                            mp_render_align align, double size, uint32_t color, const char *text);

/* Colours */
uint32_t render_heat_color(double t);         /* t in [0, 1]: light yellow .. dark red */
uint32_t render_text_color_on(uint32_t fill); /* black or white, whichever reads better */
uint32_t render_mix(uint32_t a, uint32_t b, double t);

/* "166.8 KiB" (one decimal), or "640 B" below 1 KiB, into buf. */
char *render_kib(size_t bytes, char *buf, size_t n);
/* Tick step for an axis from 0 to max_value with about `want` ticks: 1, 2 or 5 x 10^k. */
double render_nice_step(double max_value, unsigned want);
/* Copy s into dst (size n) shortened to at most max_chars characters with "..." when longer. */
void render_clip(char *dst, size_t n, const char *s, size_t max_chars);

/* snprintf that truncates silently (texts of the pictures have fixed sizes). */
void render_printf(char *buf, size_t n, const char *fmt, ...) MP_PRINTF(3, 4);
/* printf-append to the NUL-terminated text in buf (size n), truncating. */
void render_appendf(char *buf, size_t n, const char *fmt, ...) MP_PRINTF(3, 4);

/* The schedule in words, up to two lines separated by '\n'. */
void render_describe_schedule(const mp_schedule *s, char *buf, size_t n);

/* Shared chart frame: the horizontal step axis and the vertical KiB axis. */
typedef struct render_frame {
    double x0, y0;   /* plot area's lower-left corner */
    double pw, ph;   /* plot area size */
    double pitch;    /* points per step */
    double ymax;     /* bytes at the top of the plot */
    double tick_kib; /* KiB between y ticks */
    uint32_t n_steps;
    double right; /* canvas right edge (plot + margin for level labels) */
} render_frame;

/* Plot area size and step pitch for n steps; ymax from the largest value drawn. */
void render_frame_init(render_frame *f, uint32_t n_steps, size_t max_bytes, double plot_h);
double render_frame_x(const render_frame *f, double step);
double render_frame_y(const render_frame *f, double bytes);
/* Background, grid, ticks, tick labels and the x axis title (under the plot). */
void render_frame_draw(render_scene *sc, const render_frame *f, const char *x_title);

/* A horizontal level across the plot at `bytes` with a label in the right
 * margin; render_chart_finish moves the labels apart so that none overlaps another. */
void render_level(render_scene *sc, const render_frame *f, size_t bytes, uint32_t color,
                  mp_render_stroke style, const char *label);

typedef struct render_legend_item {
    uint32_t fill, stroke;
    mp_render_stroke style; /* MP_STROKE_NONE: a filled swatch; else a line sample */
    char text[MP_RENDER_TEXT_MAX];
} render_legend_item;

/* After the plot's data: axis lines, level labels placed, stage bands, then the rows above
 * the plot (y axis title, legend, subtitle, title); finally the canvas. */
void render_chart_finish(render_scene *sc, const render_frame *f, const mp_schedule *s,
                         const char *y_title, const render_legend_item *items, uint32_t n_items);

/* Builders of the three kinds (model already holds series, title and subtitle). */
mp_status render_build_graph(mp_render_model *m, const mp_schedule *s, mp_error *err);
mp_status render_build_timeline(mp_render_model *m, const mp_schedule *s, const mp_render_opts *o,
                                mp_error *err);
mp_status render_build_lifecycle(mp_render_model *m, const mp_schedule *s, const mp_render_opts *o,
                                 mp_error *err);

/* pdf_dates.c: overwrite the dates cairo stamps into a PDF with a fixed one, in place. */
void render_pdf_fix_dates(char *pdf, size_t len);

#endif
