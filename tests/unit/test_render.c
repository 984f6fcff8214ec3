/* SPDX-License-Identifier: MIT */
/*
 * test_render.c - pictures (module render): the neutral model checked
 * without Graphviz (series, bars, buffers, nodes, edges, clusters, columns,
 * texts that never overlap, shapes inside the canvas, allocation failures),
 * then the Graphviz adapter's output read back: DOT with cgraph, SVG with
 * expat, the PNG signature and IHDR size, the PDF header, and a 1000-op
 * network that renders without error.
 */
#include "test_helpers.h"

#include <cgraph.h>
#include <expat.h>

#include <math.h>
#include <stdlib.h>

/* A tiny net, live bytes worked out by hand (int8, per layer, no in-place):
 *   in    8x8x2 = 128 B, read by conv1 (step 0) and add (step 3)
 *   conv1 8x8x4 = 256 B  step 0: in + conv1            = 384
 *   dw    8x8x4 = 256 B  step 1: in + conv1 + dw       = 640 (peak)
 *   proj  8x8x2 = 128 B  step 2: in + dw + proj        = 512
 *   add   8x8x2 = 128 B  step 3: in + proj + add       = 384
 * Edges between ops: conv1->dw, dw->proj, proj->add (the input is no op). */
static const char tiny_net[] = NET_HEAD(
    "[8,8,2]") "{\"name\":\"conv1\",\"op\":\"conv2d\",\"filters\":4,\"kernel\":3,\"padding\":"
               "\"same\"},"
               "{\"name\":\"dw\",\"op\":\"depthwise_conv2d\",\"kernel\":3,\"padding\":\"same\"},"
               "{\"name\":\"proj\",\"op\":\"conv2d\",\"filters\":2,\"kernel\":1},"
               "{\"name\":\"add\",\"op\":\"add\",\"inputs\":[\"in\",\"proj\"]}" NET_TAIL;

/* One renderer for the whole test program (see mp_renderer_new: a second Graphviz context
 * in one process makes Graphviz read freed memory); it is the group state. */
typedef struct fixture {
    mp_renderer *r;
    mp_graph *g;
    mp_schedule *per_layer; /* one layer segment */
    mp_schedule *tiled;     /* steps 0..2 as a 2x2 patch stage, then the add */
} fixture;

static mp_schedule *build(const mp_graph *g, uint32_t n_tiled, uint32_t last, uint32_t r,
                          uint32_t c)
{
    mp_schedule_spec spec;
    mp_schedule_spec_init(&spec);
    spec.n_tiled = n_tiled;
    spec.tiled[0] = (mp_patch_spec){0, last, r, c, MP_CUTS_EVEN, NULL, NULL, MP_HALO_RECOMPUTE};
    mp_schedule *s = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_schedule_build(g, &spec, &s, &err) != MP_OK) {
        print_error("schedule: %s\n", err.msg);
        fail();
    }
    return s;
}

static int setup(void **state)
{
    fixture *f = test_calloc(1, sizeof *f);
    f->r = *state;
    f->g = test_graph_from_json(tiny_net);
    f->per_layer = build(f->g, 0, 0, 1, 1);
    f->tiled = build(f->g, 1, 2, 2, 2);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    mp_schedule_free(f->tiled);
    mp_schedule_free(f->per_layer);
    mp_graph_free(f->g);
    test_free(f);
    return 0;
}

static mp_render_model *model(const mp_schedule *s, mp_render_kind kind, size_t budget)
{
    mp_render_opts o;
    mp_render_opts_init(&o);
    o.kind = kind;
    o.have_budget = budget > 0;
    o.budget = budget;
    mp_render_model *m = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_render_model_build(s, &o, &m, &err) != MP_OK) {
        print_error("model: %s\n", err.msg);
        fail();
    }
    return m;
}

static uint32_t count_part(const mp_render_model *m, mp_render_part part)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->n_shapes; i++)
        n += m->shapes[i].part == part;
    return n;
}

static const mp_render_shape *find_part(const mp_render_model *m, mp_render_part part, int32_t ref)
{
    for (uint32_t i = 0; i < m->n_shapes; i++)
        if (m->shapes[i].part == part && (ref < 0 || m->shapes[i].ref == ref))
            return &m->shapes[i];
    return NULL;
}

static bool boxes_overlap(const mp_render_shape *a, const mp_render_shape *b)
{
    const double eps = 1e-6;
    return a->x + eps < b->x + b->w && b->x + eps < a->x + a->w && a->y + eps < b->y + b->h &&
           b->y + eps < a->y + a->h;
}

/* Every chart: shapes on the canvas, no two texts overlapping, rect labels fitting. */
static void assert_scene_valid(const mp_render_model *m)
{
    assert_true(m->width > 0 && m->height > 0);
    assert_true(m->n_shapes > 0);
    for (uint32_t i = 0; i < m->n_shapes; i++) {
        const mp_render_shape *p = &m->shapes[i];
        double x0 = fmin(p->x, p->x + p->w), x1 = fmax(p->x, p->x + p->w);
        double y0 = fmin(p->y, p->y + p->h), y1 = fmax(p->y, p->y + p->h);
        if (x0 < -0.01 || y0 < -0.01 || x1 > m->width + 0.01 || y1 > m->height + 0.01) {
            print_error("shape %u ('%s') lies outside the %gx%g canvas\n", i, p->text, m->width,
                        m->height);
            fail();
        }
        if (p->kind == MP_SHAPE_RECT && p->text[0])
            assert_true(mp_render_text_width(p->text, p->font_size) <= p->w);
        if (p->kind != MP_SHAPE_TEXT)
            continue;
        assert_true(p->w >= mp_render_text_width(p->text, p->font_size));
        for (uint32_t j = i + 1; j < m->n_shapes; j++) {
            const mp_render_shape *q = &m->shapes[j];
            if (q->kind == MP_SHAPE_TEXT && boxes_overlap(p, q)) {
                print_error("texts overlap: '%s' and '%s'\n", p->text, q->text);
                fail();
            }
        }
    }
}

static bool any_text_contains(const mp_render_model *m, mp_render_part part, const char *needle)
{
    for (uint32_t i = 0; i < m->n_shapes; i++)
        if (m->shapes[i].part == part && strstr(m->shapes[i].text, needle))
            return true;
    return false;
}

/* ---- names ---------------------------------------------------------------------------- */

static void test_render_names(void **state)
{
    (void)state;
    mp_render_format f;
    assert_true(mp_render_format_from_path("a/b.dot", &f) && f == MP_RENDER_DOT);
    assert_true(mp_render_format_from_path("b.gv", &f) && f == MP_RENDER_DOT);
    assert_true(mp_render_format_from_path("B.SVG", &f) && f == MP_RENDER_SVG);
    assert_true(mp_render_format_from_path("x.y.png", &f) && f == MP_RENDER_PNG);
    assert_true(mp_render_format_from_path("doc.pdf", &f) && f == MP_RENDER_PDF);
    assert_false(mp_render_format_from_path("picture", &f));
    assert_false(mp_render_format_from_path("picture.", &f));
    assert_false(mp_render_format_from_path("dir.png/picture", &f));
    assert_false(mp_render_format_from_path("p.jpg", &f));
    mp_render_kind k;
    for (int i = 0; i < MP_RENDER_KIND_COUNT; i++) {
        assert_true(mp_render_kind_parse(mp_render_kind_name((mp_render_kind)i), &k));
        assert_int_equal(k, i);
    }
    assert_false(mp_render_kind_parse("pie", &k));
    assert_string_equal(mp_render_format_name(MP_RENDER_PNG), "png");
    assert_true(mp_render_text_width("", 10) == 0);
    assert_true(mp_render_text_width("WWW", 10) > mp_render_text_width("iii", 10));
    assert_true(mp_render_text_width("abc", 20) == 2 * mp_render_text_width("abc", 10));
}

/* ---- the data ------------------------------------------------------------------------- */

static void test_render_series_by_hand(void **state)
{
    fixture *f = *state;
    static const size_t want[] = {384, 640, 512, 384};
    mp_render_model *m = model(f->per_layer, MP_RENDER_TIMELINE, 0);
    assert_int_equal(m->n_steps, 4);
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(m->per_layer[i], want[i]);
        assert_int_equal(m->scheduled[i], want[i]); /* per-layer schedule: the same */
    }
    assert_int_equal(m->per_layer_peak, 640);
    assert_int_equal(m->per_layer_peak_step, 1);
    assert_int_equal(m->peak_bytes, 640);
    assert_int_equal(m->arena_bytes, f->per_layer->arena_bytes);
    mp_render_model_free(m);
    /* the tiled schedule: same per-layer series, its own timeline */
    m = model(f->tiled, MP_RENDER_TIMELINE, 0);
    size_t *tl = test_calloc(4, sizeof *tl);
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_schedule_timeline(f->tiled, tl, &err), MP_OK);
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(m->per_layer[i], want[i]);
        assert_int_equal(m->scheduled[i], tl[i]);
        assert_true(m->scheduled[i] <= m->peak_bytes);
    }
    assert_int_equal(m->scheduled[m->peak_step], m->peak_bytes);
    test_free(tl);
    mp_render_model_free(m);
}

/* ---- timeline ------------------------------------------------------------------------- */

static void test_render_timeline_bars(void **state)
{
    fixture *f = *state;
    mp_render_model *m = model(f->tiled, MP_RENDER_TIMELINE, 1000);
    assert_int_equal(m->kind, MP_RENDER_TIMELINE);
    assert_scene_valid(m);
    assert_int_equal(count_part(m, MP_PART_BAR_LAYER), m->n_steps);
    assert_int_equal(count_part(m, MP_PART_BAR_SCHED), m->n_steps);
    const mp_render_shape *plot = find_part(m, MP_PART_PLOT, -1);
    assert_non_null(plot);
    double per_byte = 0, prev_x = -1;
    for (int32_t i = 0; i < (int32_t)m->n_steps; i++) {
        const mp_render_shape *a = find_part(m, MP_PART_BAR_LAYER, i);
        const mp_render_shape *b = find_part(m, MP_PART_BAR_SCHED, i);
        assert_non_null(a);
        assert_non_null(b);
        /* bars stand on the plot's floor, left to right, heights proportional to bytes */
        assert_true(fabs(a->y - plot->y) < 1e-9 && fabs(b->y - plot->y) < 1e-9);
        assert_true(a->x > prev_x && a->x >= plot->x && a->x + a->w <= plot->x + plot->w);
        assert_true(b->x >= a->x && b->x + b->w <= a->x + a->w); /* in front, narrower */
        prev_x = a->x;
        if (per_byte == 0)
            per_byte = a->h / (double)m->per_layer[i];
        assert_true(fabs(a->h - per_byte * (double)m->per_layer[i]) < 1e-6);
        assert_true(fabs(b->h - per_byte * (double)m->scheduled[i]) < 1e-6);
        assert_true(a->tooltip[0] != '\0');
    }
    /* the peak bar of the schedule is outlined */
    assert_int_not_equal(find_part(m, MP_PART_BAR_SCHED, (int32_t)m->peak_step)->stroke,
                         MP_RENDER_NONE);
    /* budget, per-layer peak and schedule peak as levels with labels in the right margin */
    assert_int_equal(count_part(m, MP_PART_LEVEL), 3);
    assert_int_equal(count_part(m, MP_PART_LEVEL_LABEL), 3);
    assert_true(any_text_contains(m, MP_PART_LEVEL_LABEL, "budget 1000 B"));
    for (uint32_t i = 0; i < m->n_shapes; i++) {
        const mp_render_shape *p = &m->shapes[i];
        if (p->part == MP_PART_LEVEL && strstr(p->tooltip, "budget"))
            assert_true(fabs(p->y - (plot->y + per_byte * 1000)) < 1e-6);
        if (p->part == MP_PART_LEVEL_LABEL)
            assert_true(p->x >= plot->x + plot->w);
    }
    /* axes with units, a legend, the patch stage band, titles */
    assert_true(any_text_contains(m, MP_PART_AXIS_TITLE, "(KiB)"));
    assert_true(any_text_contains(m, MP_PART_AXIS_TITLE, "step"));
    assert_true(any_text_contains(m, MP_PART_LEGEND, "run per layer: peak 640 B at step 1"));
    assert_true(any_text_contains(m, MP_PART_LEGEND, "this schedule (patch-based)"));
    assert_true(any_text_contains(m, MP_PART_LEGEND, "SRAM budget 1000 B"));
    assert_true(count_part(m, MP_PART_STAGE) >= 1);
    assert_true(any_text_contains(m, MP_PART_TITLE, "t: SRAM in use"));
    assert_true(any_text_contains(m, MP_PART_TICK_LABEL, "0"));
    mp_render_model_free(m);
}

/* Level labels that would collide are moved apart (budget = peak: same height). */
static void test_render_timeline_levels_apart(void **state)
{
    fixture *f = *state;
    mp_render_model *m = model(f->per_layer, MP_RENDER_TIMELINE, 640);
    assert_scene_valid(m);
    assert_int_equal(count_part(m, MP_PART_LEVEL_LABEL), 2); /* peaks equal: one peak level */
    assert_true(any_text_contains(m, MP_PART_LEGEND, "this schedule (per-layer)"));
    assert_int_equal(count_part(m, MP_PART_STAGE), 0);
    mp_render_model_free(m);
}

/* ---- lifecycle ------------------------------------------------------------------------ */

static void assert_lifecycle(const mp_schedule *s)
{
    mp_render_model *m = model(s, MP_RENDER_LIFECYCLE, 0);
    assert_scene_valid(m);
    assert_int_equal(count_part(m, MP_PART_BUFFER), s->n_buffers);
    const mp_render_shape *plot = find_part(m, MP_PART_PLOT, -1);
    const mp_render_shape *first = find_part(m, MP_PART_BUFFER, 0);
    double pitch = 0, per_byte = 0;
    for (uint32_t i = 0; i < s->n_buffers; i++) {
        const mp_buffer *b = &s->buffers[i];
        const mp_render_shape *r = find_part(m, MP_PART_BUFFER, (int32_t)i);
        assert_non_null(r);
        double steps = (double)(b->last - b->first + 1);
        if (pitch == 0)
            pitch = r->w / steps;
        assert_true(fabs(r->w - pitch * steps) < 1e-6);
        assert_true(fabs(r->x - (plot->x + pitch * b->first)) < 1e-6);
        if (per_byte == 0 && b->bytes > 64)
            per_byte = r->h / (double)b->bytes;
        if (per_byte > 0 && b->offset > 0)
            assert_true(fabs(r->y - (plot->y + per_byte * (double)b->offset)) < 1e-6);
        assert_true(strstr(r->tooltip, "offset") != NULL);
    }
    (void)first;
    /* a valid layout: no two buffers' rectangles overlap */
    for (uint32_t i = 0; i < m->n_shapes; i++) {
        for (uint32_t j = i + 1; j < m->n_shapes; j++) {
            const mp_render_shape *p = &m->shapes[i], *q = &m->shapes[j];
            if (p->part == MP_PART_BUFFER && q->part == MP_PART_BUFFER && p->h >= 1 && q->h >= 1 &&
                boxes_overlap(p, q)) {
                print_error("buffers %d and %d overlap\n", p->ref, q->ref);
                fail();
            }
        }
    }
    assert_true(any_text_contains(m, MP_PART_LEVEL_LABEL, "arena"));
    assert_true(any_text_contains(m, MP_PART_AXIS_TITLE, "arena offset (KiB)"));
    assert_true(any_text_contains(m, MP_PART_LEGEND, "whole tensor"));
    mp_render_model_free(m);
}

static void test_render_lifecycle_rects(void **state)
{
    fixture *f = *state;
    assert_lifecycle(f->per_layer);
    assert_lifecycle(f->tiled);
}

/* ---- graph ---------------------------------------------------------------------------- */

static void test_render_graph_nodes(void **state)
{
    fixture *f = *state;
    mp_render_model *m = model(f->tiled, MP_RENDER_GRAPH, 0);
    assert_int_equal(m->n_nodes, f->g->n_ops);
    static const char *const names[] = {"conv1", "dw", "proj", "add"};
    uint32_t peaks = 0;
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        const mp_render_node *n = &m->nodes[i];
        assert_string_equal(n->id, names[i]);
        assert_int_equal(n->step, i);
        assert_int_equal(n->live_bytes, m->scheduled[i]);
        assert_int_equal(n->per_layer_bytes, m->per_layer[i]);
        assert_non_null(strstr(n->label, names[i]));
        assert_non_null(strstr(n->label, "8x8x"));
        assert_non_null(strstr(n->label, "live "));
        assert_int_equal(n->cluster, i <= 2 ? 0 : -1);
        peaks += n->peak;
        if (n->peak)
            assert_int_equal(n->live_bytes, m->peak_bytes);
        assert_int_not_equal(n->fill, n->font);
    }
    assert_int_equal(peaks, 1);
    /* edges by hand */
    assert_int_equal(m->n_edges, 3);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(m->edges[i].from, i);
        assert_int_equal(m->edges[i].to, i + 1);
    }
    assert_int_equal(m->n_clusters, 1);
    assert_int_equal(m->clusters[0].first_step, 0);
    assert_int_equal(m->clusters[0].last_step, 2);
    assert_non_null(strstr(m->clusters[0].label, "2x2 tiles"));
    assert_non_null(strstr(m->clusters[0].label, "split 'proj'"));
    /* the patch stage starts a column of its own, and the add starts the next */
    assert_int_equal(m->nodes[0].row, 0);
    assert_int_equal(m->nodes[3].row, 0);
    assert_int_not_equal(m->nodes[3].column, m->nodes[2].column);
    assert_int_equal(m->n_scale, 5);
    mp_render_model_free(m);
}

/* Columns: consecutive steps either continue a column or start the next one at row 0. */
static void test_render_graph_columns(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/nets/mobilenetv2-w1.0-r224.json", MEMPLAN_SOURCE_ROOT);
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_import_file(path, &g, &err), MP_OK);
    mp_schedule *s = build(g, 1, 23, 4, 4);
    mp_render_model *m = model(s, MP_RENDER_GRAPH, 0);
    assert_true(m->n_columns >= 3 && m->n_columns <= 8);
    for (uint32_t i = 1; i < m->n_nodes; i++) {
        const mp_render_node *a = &m->nodes[i - 1], *b = &m->nodes[i];
        bool same = b->column == a->column && b->row == a->row + 1;
        bool next = b->column == a->column + 1 && b->row == 0;
        assert_true(same || next);
        if (i == 24)
            assert_true(next); /* the stage ends at step 23 */
    }
    /* darker colour = more SRAM: luminance never rises as live bytes rise */
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        for (uint32_t j = 0; j < m->n_nodes; j++) {
            const mp_render_node *a = &m->nodes[i], *b = &m->nodes[j];
            if (a->live_bytes < b->live_bytes) {
                double la = ((a->fill >> 16) & 255) + ((a->fill >> 8) & 255) + (a->fill & 255);
                double lb = ((b->fill >> 16) & 255) + ((b->fill >> 8) & 255) + (b->fill & 255);
                assert_true(la >= lb);
            }
        }
    }
    mp_render_model_free(m);
    /* the real best schedule's charts keep their invariants too */
    m = model(s, MP_RENDER_TIMELINE, 256 * 1024);
    assert_scene_valid(m);
    mp_render_model_free(m);
    assert_lifecycle(s);
    mp_schedule_free(s);
    mp_graph_free(g);
}

/* ---- allocation failures -------------------------------------------------------------- */

static void test_render_allocation_failures(void **state)
{
    fixture *f = *state;
    for (int k = 0; k < MP_RENDER_KIND_COUNT; k++) {
        mp_render_opts o;
        mp_render_opts_init(&o);
        o.kind = (mp_render_kind)k;
        for (long n = 0;; n++) {
            mp_render_model *m = NULL;
            mp_error err;
            mp_error_init(&err);
            fault_alloc_fail_after(n);
            mp_status st = mp_render_model_build(f->tiled, &o, &m, &err);
            mp_strbuf sb;
            mp_strbuf_init(&sb);
            if (st == MP_OK)
                st = mp_render_model_write(NULL, m, MP_RENDER_DOT, &sb, &err);
            fault_alloc_fail_after(-1);
            mp_strbuf_release(&sb);
            mp_render_model_free(m);
            if (st == MP_OK)
                break;
            assert_int_equal(st, MP_E_NOMEM);
        }
    }
}

/* ---- Graphviz output ------------------------------------------------------------------ */

static void render(mp_renderer *r, const mp_schedule *s, mp_render_kind kind, mp_render_format fmt,
                   mp_strbuf *out)
{
    mp_render_opts o;
    mp_render_opts_init(&o);
    o.kind = kind;
    o.have_budget = true;
    o.budget = 600;
    mp_error err;
    mp_error_init(&err);
    mp_strbuf_init(out);
    if (mp_render(r, s, &o, fmt, out, &err) != MP_OK) {
        print_error("render %s %s: %s\n", mp_render_kind_name(kind), mp_render_format_name(fmt),
                    err.msg);
        fail();
    }
    assert_true(out->len > 0);
}

static Agraph_t *read_dot(const mp_strbuf *sb)
{
    Agraph_t *g = agmemread(sb->buf);
    assert_non_null(g);
    return g;
}

/* Edges drawn (the invisible ones only order the columns). */
static int visible_edges(Agraph_t *g)
{
    int n = 0;
    for (Agnode_t *v = agfstnode(g); v; v = agnxtnode(g, v))
        for (Agedge_t *e = agfstout(g, v); e; e = agnxtout(g, e)) {
            char *style = agget(e, (char *)"style");
            n += !(style && strcmp(style, "invis") == 0);
        }
    return n;
}

static void test_render_dot_read_back(void **state)
{
    fixture *f = *state;
    mp_strbuf sb;
    render(f->r, f->tiled, MP_RENDER_GRAPH, MP_RENDER_DOT, &sb);
    Agraph_t *g = read_dot(&sb);
    assert_int_equal(agnnodes(g), (int)f->g->n_ops);
    assert_int_equal(visible_edges(g), 3);
    for (uint32_t i = 0; i < f->g->n_ops; i++) {
        const mp_op *op = &f->g->ops[i];
        Agnode_t *n = agnode(g, (char *)op->name, 0);
        assert_non_null(n);
        char shape[48];
        mp_shape_format(&f->g->tensors[op->out[0]], shape, sizeof shape);
        char *label = agget(n, (char *)"label");
        assert_non_null(label);
        assert_non_null(strstr(label, shape));
        assert_non_null(strstr(label, "live "));
    }
    Agraph_t *sub = agfstsubg(g);
    assert_non_null(sub);
    assert_string_equal(agnameof(sub), "cluster_stage0");
    assert_int_equal(agnnodes(sub), 3);
    assert_non_null(strstr(agget(sub, (char *)"label"), "patch stage: 2x2 tiles"));
    assert_string_equal(agget(g, (char *)"layout"), "dot");
    agclose(g);
    mp_strbuf_release(&sb);
    /* charts: one node per shape plus the canvas, pinned */
    mp_render_opts o;
    mp_render_opts_init(&o);
    o.kind = MP_RENDER_TIMELINE;
    mp_render_model *m = model(f->tiled, MP_RENDER_TIMELINE, 600);
    render(f->r, f->tiled, MP_RENDER_TIMELINE, MP_RENDER_DOT, &sb);
    g = read_dot(&sb);
    assert_int_equal(agnnodes(g), (int)m->n_shapes + 1);
    Agnode_t *bar = agnode(g, (char *)"bar_sched_1", 0);
    assert_non_null(bar);
    assert_non_null(strchr(agget(bar, (char *)"pos"), '!'));
    assert_string_equal(agget(g, (char *)"layout"), "nop2");
    assert_null(strstr(sb.buf, "0x")); /* no addresses */
    /* read back by a Graphviz tool, no shape shows its node name as a label */
    for (Agnode_t *v = agfstnode(g); v; v = agnxtnode(g, v))
        assert_string_not_equal(agget(v, (char *)"label"), "\\N");
    agclose(g);
    mp_strbuf_release(&sb);
    mp_render_model_free(m);
}

/* DOT output is deterministic: the same bytes twice. */
static void test_render_dot_deterministic(void **state)
{
    fixture *f = *state;
    for (int k = 0; k < MP_RENDER_KIND_COUNT; k++) {
        mp_strbuf a, b;
        render(f->r, f->tiled, (mp_render_kind)k, MP_RENDER_DOT, &a);
        render(f->r, f->tiled, (mp_render_kind)k, MP_RENDER_DOT, &b);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.buf, b.buf, a.len);
        mp_strbuf_release(&a);
        mp_strbuf_release(&b);
    }
}

typedef struct svg_facts {
    int depth, max_depth, elements, nodes, clusters, edges;
    bool root_svg, in_title;
    char titles[4096];
} svg_facts;

static void XMLCALL svg_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
    svg_facts *s = data;
    if (s->elements++ == 0)
        s->root_svg = strcmp(name, "svg") == 0;
    s->depth++;
    s->max_depth = s->depth > s->max_depth ? s->depth : s->max_depth;
    s->in_title = strcmp(name, "title") == 0;
    for (int i = 0; attrs[i]; i += 2) {
        if (strcmp(name, "g") == 0 && strcmp(attrs[i], "class") == 0) {
            s->nodes += strcmp(attrs[i + 1], "node") == 0;
            s->clusters += strcmp(attrs[i + 1], "cluster") == 0;
            s->edges += strcmp(attrs[i + 1], "edge") == 0;
        }
    }
}

static void XMLCALL svg_end(void *data, const XML_Char *name)
{
    svg_facts *s = data;
    (void)name;
    s->depth--;
    s->in_title = false;
}

static void XMLCALL svg_text(void *data, const XML_Char *text, int len)
{
    svg_facts *s = data;
    size_t have = strlen(s->titles);
    if (!s->in_title || have + (size_t)len + 2 >= sizeof s->titles)
        return;
    memcpy(s->titles + have, text, (size_t)len);
    s->titles[have + (size_t)len] = '|';
    s->titles[have + (size_t)len + 1] = '\0';
}

static svg_facts parse_svg(const mp_strbuf *sb)
{
    svg_facts facts = {0};
    XML_Parser p = XML_ParserCreate(NULL);
    assert_non_null(p);
    XML_SetUserData(p, &facts);
    XML_SetElementHandler(p, svg_start, svg_end);
    XML_SetCharacterDataHandler(p, svg_text);
    if (XML_Parse(p, sb->buf, (int)sb->len, 1) != XML_STATUS_OK) {
        print_error("SVG is not well-formed: line %lu: %s\n",
                    (unsigned long)XML_GetCurrentLineNumber(p),
                    XML_ErrorString(XML_GetErrorCode(p)));
        XML_ParserFree(p);
        fail();
    }
    XML_ParserFree(p);
    assert_true(facts.root_svg);
    assert_int_equal(facts.depth, 0);
    return facts;
}

static void test_render_svg_well_formed(void **state)
{
    fixture *f = *state;
    mp_strbuf sb;
    render(f->r, f->tiled, MP_RENDER_GRAPH, MP_RENDER_SVG, &sb);
    svg_facts s = parse_svg(&sb);
    assert_int_equal(s.nodes, (int)f->g->n_ops);
    assert_int_equal(s.clusters, 1);
    assert_int_equal(s.edges, 3);
    assert_non_null(strstr(s.titles, "|proj|"));
    assert_non_null(strstr(s.titles, "cluster_stage0"));
    mp_strbuf_release(&sb);
    for (int k = MP_RENDER_TIMELINE; k <= MP_RENDER_LIFECYCLE; k++) {
        mp_render_model *m = model(f->tiled, (mp_render_kind)k, 600);
        render(f->r, f->tiled, (mp_render_kind)k, MP_RENDER_SVG, &sb);
        s = parse_svg(&sb);
        assert_int_equal(s.nodes, (int)m->n_shapes + 1);
        assert_int_equal(s.edges, 0);
        assert_non_null(strstr(s.titles, k == MP_RENDER_TIMELINE ? "bar_sched_2" : "buffer_0"));
        assert_non_null(strstr(sb.buf, "KiB"));
        mp_strbuf_release(&sb);
        mp_render_model_free(m);
    }
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_render_png_and_pdf(void **state)
{
    fixture *f = *state;
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    for (int k = 0; k < MP_RENDER_KIND_COUNT; k++) {
        mp_strbuf sb;
        render(f->r, f->tiled, (mp_render_kind)k, MP_RENDER_PNG, &sb);
        const unsigned char *p = (const unsigned char *)sb.buf;
        assert_true(sb.len > 33);
        assert_memory_equal(p, sig, 8);
        assert_int_equal(be32(p + 8), 13);
        assert_memory_equal(p + 12, "IHDR", 4);
        uint32_t w = be32(p + 16), h = be32(p + 20);
        assert_true(w > 100 && h > 100);
        if (k != MP_RENDER_GRAPH) { /* charts: the canvas at 96 dpi */
            mp_render_model *m = model(f->tiled, (mp_render_kind)k, 600);
            assert_true(fabs(w - m->width * 96.0 / 72.0) <= 4);
            assert_true(fabs(h - m->height * 96.0 / 72.0) <= 4);
            mp_render_model_free(m);
        }
        mp_strbuf_release(&sb);
        render(f->r, f->tiled, (mp_render_kind)k, MP_RENDER_PDF, &sb);
        assert_memory_equal(sb.buf, "%PDF-", 5);
        mp_strbuf_release(&sb);
    }
}

static void test_render_file_errors(void **state)
{
    fixture *f = *state;
    mp_render_opts o;
    mp_render_opts_init(&o);
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_render_file(f->r, f->tiled, &o, "picture.jpg", &err), MP_E_INVALID);
    assert_non_null(strstr(err.msg, "picture.jpg"));
    mp_error_init(&err);
    assert_int_equal(mp_render_file(f->r, f->tiled, &o, "/nonexistent-dir/p.svg", &err), MP_E_IO);
    mp_error_init(&err);
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    assert_int_equal(mp_render(NULL, f->tiled, &o, MP_RENDER_SVG, &sb, &err), MP_E_INVALID);
    assert_int_equal(mp_render(NULL, f->tiled, &o, MP_RENDER_DOT, &sb, &err), MP_OK);
    mp_strbuf_release(&sb);
    mp_render_model *m = NULL;
    mp_error_init(&err);
    o.kind = MP_RENDER_KIND_COUNT;
    assert_int_equal(mp_render_model_build(f->tiled, &o, &m, &err), MP_E_INVALID);
    assert_null(m);
}

/* ---- a 1000-op network ---------------------------------------------------------------- */

/* stem conv, then blocks expand 1x1 -> depthwise 3x3 -> project 1x1 (+ add every other). */
static char *big_net_json(uint32_t n_ops)
{
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_strbuf_puts(&sb, NET_HEAD("[32,32,8]") "{\"name\":\"stem\",\"op\":\"conv2d\","
                                              "\"filters\":8,\"kernel\":3,\"padding\":\"same\"}");
    uint32_t n = 1;
    char prev[32] = "stem";
    for (uint32_t b = 0; n < n_ops; b++) {
        const char *ops[3][2] = {{"expand", "\"op\":\"conv2d\",\"filters\":16,\"kernel\":1"},
                                 {"dw", "\"op\":\"depthwise_conv2d\",\"kernel\":3,"
                                        "\"padding\":\"same\""},
                                 {"project", "\"op\":\"conv2d\",\"filters\":8,\"kernel\":1"}};
        for (int i = 0; i < 3 && n < n_ops; i++, n++)
            mp_strbuf_printf(&sb, ",{\"name\":\"b%u_%s\",%s}", b, ops[i][0], ops[i][1]);
        if (b % 2 == 0 && n < n_ops) {
            mp_strbuf_printf(&sb,
                             ",{\"name\":\"b%u_add\",\"op\":\"add\",\"inputs\":[\"%s\","
                             "\"b%u_project\"]}",
                             b, prev, b);
            snprintf(prev, sizeof prev, "b%u_add", b);
            n++;
        } else {
            snprintf(prev, sizeof prev, "b%u_project", b);
        }
    }
    mp_strbuf_puts(&sb, NET_TAIL);
    assert_false(sb.failed);
    char *text = test_malloc(sb.len + 1);
    memcpy(text, sb.buf, sb.len + 1);
    mp_strbuf_release(&sb);
    return text;
}

static void test_render_1000_ops(void **state)
{
    char *json = big_net_json(1000);
    mp_graph *g = test_graph_from_json(json);
    test_free(json);
    assert_int_equal(g->n_ops, 1000);
    mp_schedule *s = build(g, 1, 39, 2, 2);
    mp_renderer *r = *state;
    mp_strbuf sb;
    render(r, s, MP_RENDER_GRAPH, MP_RENDER_DOT, &sb);
    Agraph_t *dg = read_dot(&sb);
    assert_int_equal(agnnodes(dg), 1000);
    agclose(dg);
    mp_strbuf_release(&sb);
    render(r, s, MP_RENDER_GRAPH, MP_RENDER_SVG, &sb);
    svg_facts facts = parse_svg(&sb);
    assert_int_equal(facts.nodes, 1000);
    mp_strbuf_release(&sb);
    render(r, s, MP_RENDER_TIMELINE, MP_RENDER_PNG, &sb);
    mp_strbuf_release(&sb);
    render(r, s, MP_RENDER_LIFECYCLE, MP_RENDER_SVG, &sb);
    mp_strbuf_release(&sb);
    mp_render_model *m = model(s, MP_RENDER_TIMELINE, 0);
    assert_scene_valid(m);
    mp_render_model_free(m);
    mp_schedule_free(s);
    mp_graph_free(g);
}

static int group_setup(void **state)
{
    mp_renderer *r = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_renderer_new(&r, &err) != MP_OK) {
        print_error("renderer: %s\n", err.msg);
        return -1;
    }
    *state = r;
    return 0;
}

static int group_teardown(void **state)
{
    mp_renderer_free(*state);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_names),
        cmocka_unit_test_setup_teardown(test_render_series_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_timeline_bars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_timeline_levels_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_lifecycle_rects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_graph_nodes, setup, teardown),
        cmocka_unit_test(test_render_graph_columns),
        cmocka_unit_test_setup_teardown(test_render_allocation_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_dot_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_dot_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_svg_well_formed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_png_and_pdf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_file_errors, setup, teardown),
        cmocka_unit_test(test_render_1000_ops),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
