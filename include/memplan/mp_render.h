/* SPDX-License-Identifier: MIT */
/*
 * mp_render.h - pictures of a schedule (module render): the network graph
 * shaded by memory, the memory timeline, and the arena lifecycle.
 *
 * Rendering has two halves. The first builds a neutral model, pure data
 * with no Graphviz in it, from a schedule:
 *
 *   MP_RENDER_GRAPH      a node per op (label, colour scaled by the SRAM in
 *                        use at its step, the peak flagged), an edge per
 *                        tensor from producer to reader, a cluster per patch
 *                        stage; Graphviz's dot lays it out;
 *   MP_RENDER_TIMELINE   a bar chart: SRAM in use at every step run per
 *                        layer and under the schedule, the budget and peaks
 *                        as lines, axes in KiB, a legend;
 *   MP_RENDER_LIFECYCLE  every arena buffer as a rectangle: x = the steps it
 *                        lives, y = its offset and size (TinyEngine's
 *                        lifecycle plot, drawn from memplan's real layout).
 *
 * The two charts are "scenes": shapes already placed in points (1/72 inch,
 * y up), in drawing order, laid out so that no two texts overlap and every
 * shape lies on the canvas; the model is unit-tested without Graphviz. The
 * second half is a thin adapter that turns a model into a libcgraph graph
 * (chart shapes become nodes pinned at their positions) and has libgvc lay it
 * out and render it to DOT, SVG, PNG or PDF in memory; mp_render_file()
 * writes the result atomically.
 *
 *     mp_renderer *r;
 *     mp_render_opts ro;
 *     mp_render_opts_init(&ro);
 *     ro.kind = MP_RENDER_TIMELINE;
 *     if (mp_renderer_new(&r, &err) != MP_OK ||
 *         mp_render_file(r, schedule, &ro, "timeline.png", &err) != MP_OK) ...
 *     mp_renderer_free(r);
 *
 * DOT output is the graph before layout: charts carry layout="nop2" and
 * pinned positions in points, so `dot -Tsvg file.dot` (any Graphviz tool)
 * draws the same picture. Output is deterministic: node names come from layer
 * names and shape indices, never from addresses, and nothing holds a time.
 *
 * Graphviz keeps process-wide state: do not render from two threads at once,
 * and keep one renderer for the life of the process (see mp_renderer_new).
 * A model borrows the schedule's graph: valid until mp_graph_free.
 */
#ifndef MEMPLAN_MP_RENDER_H
#define MEMPLAN_MP_RENDER_H

#include "memplan/mp_error.h"
#include "memplan/mp_graph.h"
#include "memplan/mp_schedule.h"
#include "memplan/mp_util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MP_RENDER_NONE     0xFFFFFFFFu /* "no colour" (colours are 0xRRGGBB) */
#define MP_RENDER_TEXT_MAX 128         /* bytes of a text, label or tooltip, NUL included */

typedef enum mp_render_kind {
    MP_RENDER_GRAPH,
    MP_RENDER_TIMELINE,
    MP_RENDER_LIFECYCLE,
    MP_RENDER_KIND_COUNT
} mp_render_kind;

typedef enum mp_render_format {
    MP_RENDER_DOT, /* the graph before layout (.dot, .gv) */
    MP_RENDER_SVG,
    MP_RENDER_PNG, /* Graphviz's cairo plugin */
    MP_RENDER_PDF, /* Graphviz's cairo plugin */
    MP_RENDER_FORMAT_COUNT
} mp_render_format;

typedef struct mp_render_opts {
    mp_render_kind kind;
    bool have_budget;
    size_t budget;     /* SRAM budget in bytes, drawn as a line when have_budget */
    const char *title; /* NULL: the network's name */
} mp_render_opts;

/* Kind MP_RENDER_GRAPH, no budget, default title. */
void mp_render_opts_init(mp_render_opts *opts);

/* ---- model: the graph ----------------------------------------------------------------- */

typedef struct mp_render_node {
    const char *id;         /* the op's name (borrowed from the graph): the DOT node name */
    uint32_t op;            /* op index */
    uint32_t step;          /* its step in the schedule's order */
    size_t out_bytes;       /* bytes of its output tensor */
    size_t live_bytes;      /* SRAM in use at its step under the schedule (buffers alive) */
    size_t per_layer_bytes; /* SRAM in use at its step when run per layer */
    int32_t cluster;        /* index of its patch stage in clusters, -1 outside */
    uint32_t column;        /* the picture wraps the step order into columns, left to right */
    uint32_t row;           /* position in its column, top to bottom */
    bool peak;              /* first step reaching the schedule's peak */
    uint32_t fill;          /* colour scaled by live_bytes (light: little, dark red: peak) */
    uint32_t font;          /* text colour readable on fill */
    char label[MP_RENDER_TEXT_MAX]; /* lines separated by '\n' */
    char tooltip[MP_RENDER_TEXT_MAX];
} mp_render_node;

typedef struct mp_render_edge {
    uint32_t from, to;   /* node indices: producer -> reader */
    mp_tensor_id tensor; /* the tensor passed */
    size_t bytes;        /* its size */
} mp_render_edge;

typedef struct mp_render_cluster {
    uint32_t segment; /* index of the tiled segment in the schedule */
    uint32_t first_step, last_step;
    char label[MP_RENDER_TEXT_MAX]; /* grid, split, stage peak; lines separated by '\n' */
} mp_render_cluster;

typedef struct mp_render_swatch {
    uint32_t fill; /* colour */
    char text[48]; /* what it stands for ("342.4 KiB") */
} mp_render_swatch;

/* ---- model: the charts ---------------------------------------------------------------- */

typedef enum mp_render_shape_kind {
    MP_SHAPE_RECT, /* filled and/or outlined rectangle, optional label inside */
    MP_SHAPE_LINE, /* from (x, y) to (x + w, y + h); charts use horizontal and vertical ones */
    MP_SHAPE_TEXT, /* text in its box (x, y, w, h), aligned left, centre or right */
} mp_render_shape_kind;

/* What a shape shows (tests and tooltips find shapes by it). */
typedef enum mp_render_part {
    MP_PART_TITLE,
    MP_PART_NOTE, /* subtitle lines */
    MP_PART_PLOT, /* plot area background */
    MP_PART_GRID, /* horizontal grid line */
    MP_PART_AXIS, /* axis line or tick mark */
    MP_PART_TICK_LABEL,
    MP_PART_AXIS_TITLE,
    MP_PART_LEGEND,    /* legend swatch or text */
    MP_PART_STAGE,     /* the band marking a patch stage's steps, and its label */
    MP_PART_BAR_LAYER, /* timeline: SRAM at a step run per layer (ref = step) */
    MP_PART_BAR_SCHED, /* timeline: SRAM at a step under the schedule (ref = step) */
    MP_PART_BUFFER,    /* lifecycle: one buffer (ref = buffer index) */
    MP_PART_LEVEL,     /* horizontal level line: budget, peak, arena size */
    MP_PART_LEVEL_LABEL,
    MP_PART_COUNT
} mp_render_part;

typedef enum mp_render_stroke {
    MP_STROKE_NONE,
    MP_STROKE_SOLID,
    MP_STROKE_DASHED,
    MP_STROKE_DOTTED,
} mp_render_stroke;

typedef enum mp_render_align {
    MP_ALIGN_LEFT,
    MP_ALIGN_CENTER,
    MP_ALIGN_RIGHT,
} mp_render_align;

typedef struct mp_render_shape {
    mp_render_shape_kind kind;
    mp_render_part part;
    double x, y;     /* lower-left corner, points (y up) */
    double w, h;     /* size, points (a line's extent; 0 in one direction) */
    uint32_t fill;   /* rect: fill colour; text: text colour (MP_RENDER_NONE: none) */
    uint32_t stroke; /* rect outline or line colour (MP_RENDER_NONE: none) */
    double pen;      /* outline/line width, points */
    mp_render_stroke style;
    mp_render_align align;            /* text */
    double font_size;                 /* text, and a rect's label, points */
    uint32_t font_color;              /* a rect's label */
    int32_t ref;                      /* step (bars) or buffer index (lifecycle), -1 none */
    char text[MP_RENDER_TEXT_MAX];    /* a text, or a rect's label ("": none) */
    char tooltip[MP_RENDER_TEXT_MAX]; /* shown on hover in SVG ("": none) */
} mp_render_shape;

/* ---- the model ------------------------------------------------------------------------ */

typedef struct mp_render_model {
    mp_render_kind kind;
    char title[MP_RENDER_TEXT_MAX];
    char subtitle[2 * MP_RENDER_TEXT_MAX]; /* the schedule in words; lines separated by '\n' */
    /* MP_RENDER_GRAPH */
    mp_render_node *nodes; /* one per op, in step order */
    uint32_t n_nodes;
    mp_render_edge *edges;
    uint32_t n_edges;
    mp_render_cluster *clusters; /* one per tiled segment */
    uint32_t n_clusters;
    uint32_t n_columns;        /* columns of nodes (a patch stage starts a new column) */
    mp_render_swatch scale[6]; /* the colour scale, light to dark */
    uint32_t n_scale;
    /* MP_RENDER_TIMELINE, MP_RENDER_LIFECYCLE */
    double width, height;    /* canvas, points; every shape lies inside */
    mp_render_shape *shapes; /* in drawing order (later shapes on top) */
    uint32_t n_shapes;
    /* The data drawn (every kind) */
    uint32_t n_steps;
    size_t *per_layer;     /* per step: SRAM in use run per layer (bytes) */
    size_t *scheduled;     /* per step: SRAM in use under the schedule's buffers (bytes) */
    size_t peak_bytes;     /* max of scheduled */
    uint32_t peak_step;    /* first step reaching it */
    size_t per_layer_peak; /* max of per_layer */
    uint32_t per_layer_peak_step;
    size_t arena_bytes; /* the schedule's arena */
} mp_render_model;

/*
 * Build the model of one picture of schedule s. Errors: MP_E_NOMEM,
 * MP_E_INVALID (a schedule without ops). Free with mp_render_model_free.
 */
mp_status mp_render_model_build(const mp_schedule *s, const mp_render_opts *opts,
                                mp_render_model **out, mp_error *err);
void mp_render_model_free(mp_render_model *m);

/* Estimated width in points of text at a font size (conservative: a little wider than
 * Helvetica or DejaVu Sans draw it). Text boxes of the charts are sized with it. */
double mp_render_text_width(const char *text, double font_size);

/* ---- output --------------------------------------------------------------------------- */

/*
 * A renderer: one Graphviz context (plugins loaded once, fonts cached).
 * Create one per process and use it for every picture until the process is
 * done: Graphviz 2.42's text layout plugin (pango) keeps a pointer into the
 * font table of the context it last worked for, so a second context created
 * in the same process makes it read freed memory. DOT output needs no
 * renderer (pass NULL). Not thread-safe. Errors: MP_E_NOMEM.
 */
typedef struct mp_renderer mp_renderer;
mp_status mp_renderer_new(mp_renderer **out, mp_error *err);
void mp_renderer_free(mp_renderer *r);

/*
 * Render a model with Graphviz into out (appended; binary for PNG and PDF).
 * r may be NULL for MP_RENDER_DOT. Errors: MP_E_UNSUPPORTED when this
 * machine's Graphviz lacks the layout engine or the output plugin (PNG and
 * PDF need the cairo plugin, Debian package libgvc6), MP_E_INVALID when
 * Graphviz fails or a renderer is missing, MP_E_NOMEM.
 */
mp_status mp_render_model_write(mp_renderer *r, const mp_render_model *m, mp_render_format fmt,
                                mp_strbuf *out, mp_error *err);

/* Build the model of s and render it (mp_render_model_build + mp_render_model_write). */
mp_status mp_render(mp_renderer *r, const mp_schedule *s, const mp_render_opts *opts,
                    mp_render_format fmt, mp_strbuf *out, mp_error *err);

/* Render s to path, the format taken from its extension, written atomically.
 * Errors: MP_E_INVALID for an extension that names no format, MP_E_IO. */
mp_status mp_render_file(mp_renderer *r, const mp_schedule *s, const mp_render_opts *opts,
                         const char *path, mp_error *err);

/* Format from a file name's extension: .dot/.gv, .svg, .png, .pdf (any case). */
bool mp_render_format_from_path(const char *path, mp_render_format *out);
const char *mp_render_format_name(mp_render_format f); /* "dot", "svg", "png", "pdf" */
const char *mp_render_kind_name(mp_render_kind k);     /* "graph", "timeline", "lifecycle" */
bool mp_render_kind_parse(const char *name, mp_render_kind *out);

#ifdef __cplusplus
}
#endif

#endif
