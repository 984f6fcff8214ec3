/* SPDX-License-Identifier: MIT */
/*
 * gv_adapter.c - the thin Graphviz adapter (module render): a model becomes
 * a libcgraph graph, libgvc lays it out and renders it in memory. The only
 * file of memplan that includes Graphviz headers.
 *
 *   MP_RENDER_GRAPH      nodes, edges and "cluster_" subgraphs as the model
 *                        lists them; layout "dot"; the title, the schedule
 *                        and the colour scale form an HTML-like graph label.
 *   charts               one node per shape, in drawing order (Graphviz
 *                        draws nodes in creation order, so later shapes lie
 *                        on top), fixed-size and pinned at its centre with
 *                        pos="x,y!"; layout "nop2" (neato -n2: positions in
 *                        points are used as given). A line is a box of zero
 *                        height or width whose outline is the line; a text
 *                        is a plaintext node the size of its box, justified
 *                        with \l or \r. A white "canvas" node spans the whole
 *                        chart so the drawing keeps its margins.
 *
 * DOT output is the graph before layout, written by agwrite through an I/O
 * discipline that appends to an mp_strbuf. Other formats: gvLayout and
 * gvRenderData in the renderer's context (the bytes are copied and
 * Graphviz's buffer freed). The layout and graph are released on every path,
 * the context by mp_renderer_free. Graphviz 2.42 takes
 * `char *` for strings it only reads, hence the casts in S().
 */
#include "../util/alloc.h"
#include "gv_ids.h"
#include "gv_png.h"
#include "render_int.h"

#include <gvc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *S(const char *s)
{
    return (char *)s;
}

/* ---- DOT channel ---------------------------------------------------------------------- */

static int io_read(void *chan, char *buf, int n)
{
    (void)chan;
    (void)buf;
    (void)n;
    return 0;
}

static int io_put(void *chan, const char *str)
{
    mp_strbuf *sb = chan;
    mp_strbuf_puts(sb, str);
    return sb->failed ? EOF : 0;
}

static int io_flush(void *chan)
{
    (void)chan;
    return 0;
}

/* ---- attribute helpers ---------------------------------------------------------------- */

static void set(void *obj, const char *name, const char *value)
{
    agset(obj, S(name), S(value));
}

static void setf(void *obj, const char *name, double v)
{
    char b[32];
    snprintf(b, sizeof b, "%.2f", v);
    set(obj, name, b);
}

static void set_inches(void *obj, const char *name, double points)
{
    char b[32];
    snprintf(b, sizeof b, "%.4f", (points < 0 ? -points : points) / 72.0);
    set(obj, name, b);
}

static void set_color(void *obj, const char *name, uint32_t rgb)
{
    char b[16];
    snprintf(b, sizeof b, "#%06x", (unsigned)(rgb & 0xffffff));
    set(obj, name, b);
}

typedef struct attr_default {
    const char *name, *value;
} attr_default;

/* Declare attributes with their defaults on the root graph (kind AGRAPH/AGNODE/AGEDGE). */
static void declare(Agraph_t *g, int kind, const attr_default *a)
{
    for (; a->name; a++)
        agattr(g, kind, S(a->name), S(a->value));
}

/* Text as a Graphviz escString: backslashes doubled, newlines as `eol`. */
static void esc_label(mp_strbuf *sb, const char *text, const char *eol)
{
    mp_strbuf_reset(sb);
    for (const char *p = text; *p; p++) {
        if (*p == '\\')
            mp_strbuf_puts(sb, "\\\\");
        else if (*p == '\n')
            mp_strbuf_puts(sb, eol);
        else
            mp_strbuf_append(sb, p, 1);
    }
}

/* Text for an HTML-like label: &, <, >, " as entities. */
static void esc_html(mp_strbuf *sb, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&':
            mp_strbuf_puts(sb, "&amp;");
            break;
        case '<':
            mp_strbuf_puts(sb, "&lt;");
            break;
        case '>':
            mp_strbuf_puts(sb, "&gt;");
            break;
        case '"':
            mp_strbuf_puts(sb, "&quot;");
            break;
        default:
            mp_strbuf_append(sb, p, 1);
        }
    }
}

/* ---- charts --------------------------------------------------------------------------- */

static const char *const part_names[] = {
    "title", "note",      "plot",      "grid",   "axis",  "tick",        "axis_title", "legend",
    "stage", "bar_layer", "bar_sched", "buffer", "level", "level_label",
};
_Static_assert(sizeof part_names / sizeof part_names[0] == MP_PART_COUNT, "a name for every part");

/* The label's default stays Graphviz's own (\N, the node name) and every node sets its label,
 * empty ones included: agwrite leaves out empty defaults, so a DOT file read back by a Graphviz
 * tool would otherwise label every shape with its name. */
static const attr_default chart_node_attrs[] = {
    {"shape", "box"},  {"fixedsize", "true"},    {"width", "0"},       {"height", "0"},
    {"pos", ""},       {"label", "\\N"},         {"style", ""},        {"fillcolor", ""},
    {"color", ""},     {"penwidth", "1"},        {"peripheries", "1"}, {"fontname", "Helvetica"},
    {"fontsize", "9"}, {"fontcolor", "#222222"}, {"margin", "0"},      {"tooltip", ""},
    {NULL, NULL},
};

static void chart_style(Agnode_t *n, const mp_render_shape *p, mp_strbuf *tmp)
{
    mp_strbuf_reset(tmp);
    if (p->kind == MP_SHAPE_RECT && p->fill != MP_RENDER_NONE)
        mp_strbuf_puts(tmp, "filled");
    if (p->style == MP_STROKE_DASHED)
        mp_strbuf_puts(tmp, tmp->len ? ",dashed" : "dashed");
    else if (p->style == MP_STROKE_DOTTED)
        mp_strbuf_puts(tmp, tmp->len ? ",dotted" : "dotted");
    set(n, "style", tmp->buf);
    if (p->kind == MP_SHAPE_RECT && p->fill != MP_RENDER_NONE)
        set_color(n, "fillcolor", p->fill);
    bool outline = p->kind != MP_SHAPE_TEXT && p->stroke != MP_RENDER_NONE && p->pen > 0;
    set(n, "peripheries", outline ? "1" : "0");
    if (outline) {
        set_color(n, "color", p->stroke);
        setf(n, "penwidth", p->pen);
    }
}

static void chart_label(Agnode_t *n, const mp_render_shape *p, mp_strbuf *tmp)
{
    if (!p->text[0]) {
        set(n, "label", "");
        return;
    }
    const char *eol = p->kind != MP_SHAPE_TEXT     ? "\\n"
                      : p->align == MP_ALIGN_LEFT  ? "\\l"
                      : p->align == MP_ALIGN_RIGHT ? "\\r"
                                                   : "\\n";
    esc_label(tmp, p->text, eol);
    if (p->kind == MP_SHAPE_TEXT && p->align != MP_ALIGN_CENTER)
        mp_strbuf_puts(tmp, eol);
    set(n, "label", tmp->buf);
    setf(n, "fontsize", p->font_size);
    set_color(n, "fontcolor", p->kind == MP_SHAPE_TEXT ? p->fill : p->font_color);
}

static void chart_node(Agraph_t *g, const mp_render_shape *p, uint32_t k, mp_strbuf *tmp)
{
    char name[48];
    bool by_ref = p->ref >= 0 && (p->part == MP_PART_BAR_LAYER || p->part == MP_PART_BAR_SCHED ||
                                  p->part == MP_PART_BUFFER);
    if (by_ref)
        snprintf(name, sizeof name, "%s_%d", part_names[p->part], p->ref);
    else
        snprintf(name, sizeof name, "%s_s%u", part_names[p->part], k);
    Agnode_t *n = agnode(g, name, 1);
    if (!n)
        return;
    char pos[64];
    snprintf(pos, sizeof pos, "%.2f,%.2f!", p->x + p->w / 2, p->y + p->h / 2);
    set(n, "pos", pos);
    set_inches(n, "width", p->w);
    set_inches(n, "height", p->h);
    if (p->kind == MP_SHAPE_TEXT)
        set(n, "shape", "plaintext");
    chart_style(n, p, tmp);
    chart_label(n, p, tmp);
    if (p->tooltip[0]) {
        esc_label(tmp, p->tooltip, " ");
        set(n, "tooltip", tmp->buf);
    }
}

static void build_chart(Agraph_t *g, const mp_render_model *m, mp_strbuf *tmp)
{
    static const attr_default graph_attrs[] = {
        {"layout", "nop2"},
        {"bgcolor", "white"},
        {"pad", "0"},
        {"outputorder", "nodesfirst"},
        {"comment", "memplan chart: node positions are in points (neato -n2)"},
        {NULL, NULL},
    };
    declare(g, AGRAPH, graph_attrs);
    declare(g, AGNODE, chart_node_attrs);
    /* the canvas: keeps the margins in the bounding box */
    mp_render_shape canvas = {.kind = MP_SHAPE_RECT,
                              .part = MP_PART_PLOT,
                              .w = m->width,
                              .h = m->height,
                              .fill = 0xffffff,
                              .stroke = MP_RENDER_NONE,
                              .ref = -1};
    Agnode_t *n = agnode(g, S("canvas"), 1);
    if (n) {
        char pos[64];
        snprintf(pos, sizeof pos, "%.2f,%.2f!", m->width / 2, m->height / 2);
        set(n, "pos", pos);
        set_inches(n, "width", m->width);
        set_inches(n, "height", m->height);
        chart_style(n, &canvas, tmp);
        set(n, "label", "");
    }
    for (uint32_t k = 0; k < m->n_shapes; k++)
        chart_node(g, &m->shapes[k], k, tmp);
}

/* ---- network graph -------------------------------------------------------------------- */

static void graph_title(Agraph_t *g, const mp_render_model *m, mp_strbuf *h)
{
    mp_strbuf_reset(h);
    mp_strbuf_puts(h, "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"1\" CELLPADDING=\"2\">"
                      "<TR><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"16\">");
    esc_html(h, m->title);
    mp_strbuf_puts(h, "</FONT></TD></TR><TR><TD ALIGN=\"LEFT\"><FONT COLOR=\"#555555\">");
    for (const char *p = m->subtitle; *p; p++) {
        if (*p == '\n')
            mp_strbuf_puts(h, "<BR ALIGN=\"LEFT\"/>");
        else
            esc_html(h, (char[2]){*p, '\0'});
    }
    mp_strbuf_puts(h, "<BR ALIGN=\"LEFT\"/></FONT></TD></TR><TR><TD ALIGN=\"LEFT\">"
                      "<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"3\">"
                      "<TR><TD BORDER=\"0\">SRAM in use at the step:</TD>");
    for (uint32_t i = 0; i < m->n_scale; i++) {
        mp_strbuf_printf(h, "<TD BGCOLOR=\"#%06x\"><FONT COLOR=\"#%06x\">", m->scale[i].fill,
                         render_text_color_on(m->scale[i].fill));
        esc_html(h, m->scale[i].text);
        mp_strbuf_puts(h, "</FONT></TD>");
    }
    mp_strbuf_printf(h, "<TD BORDER=\"0\">  thick blue outline: the peak step</TD>"
                        "</TR></TABLE></TD></TR></TABLE>");
    char *html = agstrdup_html(g, h->buf);
    if (html) {
        agset(g, S("label"), html);
        agstrfree(g, html);
    }
}

static void graph_node(Agraph_t *g, const mp_render_model *m, const mp_render_node *nd,
                       Agnode_t **nodes, uint32_t i, mp_strbuf *tmp)
{
    Agnode_t *n = agnode(g, S(nd->id), 1);
    nodes[i] = n;
    if (!n)
        return;
    esc_label(tmp, nd->label, "\\n");
    set(n, "label", tmp->buf);
    set_color(n, "fillcolor", nd->fill);
    set_color(n, "fontcolor", nd->font);
    esc_label(tmp, nd->tooltip, " ");
    set(n, "tooltip", tmp->buf);
    if (nd->peak) {
        set_color(n, "color", RENDER_PEAK_OUTLINE);
        set(n, "penwidth", "3.5");
    }
    (void)m;
}

/*
 * Columns: consecutive steps of a column are chained by invisible edges (so
 * each column is a vertical run of ranks), edges between columns do not
 * constrain ranks, and the tops of neighbouring columns are joined by
 * invisible flat edges (minlen 0: same rank; dot draws the tail left of the
 * head), which orders the columns left to right.
 */
static void graph_columns(Agraph_t *g, const mp_render_model *m, Agnode_t **nodes)
{
    int32_t prev_top = -1;
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        Agedge_t *ed = NULL;
        if (!nodes[i])
            continue;
        char group[24];
        snprintf(group, sizeof group, "column%u", m->nodes[i].column);
        set(nodes[i], "group", group);
        if (i + 1 < m->n_nodes && nodes[i + 1] && m->nodes[i].column == m->nodes[i + 1].column)
            ed = agedge(g, nodes[i], nodes[i + 1], NULL, 1);
        if (ed) {
            set(ed, "style", "invis");
            set(ed, "weight", "4");
        }
        if (m->nodes[i].row != 0)
            continue;
        if (prev_top >= 0 && (ed = agedge(g, nodes[prev_top], nodes[i], NULL, 1)) != NULL) {
            set(ed, "style", "invis");
            set(ed, "minlen", "0");
            set(ed, "weight", "1");
        }
        prev_top = (int32_t)i;
    }
}

static void build_graph(Agraph_t *g, const mp_render_model *m, Agnode_t **nodes, mp_strbuf *tmp)
{
    static const attr_default graph_attrs[] = {
        {"layout", "dot"},         {"rankdir", "TB"},    {"nodesep", "0.3"},
        {"ranksep", "0.28"},       {"bgcolor", "white"}, {"pad", "0.2"},
        {"fontname", "Helvetica"}, {"fontsize", "11"},   {"labelloc", "t"},
        {"labeljust", "l"},        {"label", ""},        {"style", ""},
        {"fillcolor", ""},         {"color", ""},        {NULL, NULL},
    };
    static const attr_default node_attrs[] = {
        {"shape", "box"},
        {"style", "rounded,filled"},
        {"fontname", "Helvetica"},
        {"fontsize", "9"},
        {"margin", "0.1,0.04"},
        {"color", "#555555"},
        {"penwidth", "1"},
        {"label", ""},
        {"fillcolor", "white"},
        {"fontcolor", "black"},
        {"tooltip", ""},
        {"group", ""},
        {NULL, NULL},
    };
    static const attr_default edge_attrs[] = {
        {"color", "#6f6f6f"}, {"arrowsize", "0.6"},   {"penwidth", "1"},
        {"tooltip", ""},      {"constraint", "true"}, {"style", ""},
        {"weight", "1"},      {"minlen", "1"},        {NULL, NULL},
    };
    declare(g, AGRAPH, graph_attrs);
    declare(g, AGNODE, node_attrs);
    declare(g, AGEDGE, edge_attrs);
    graph_title(g, m, tmp);
    for (uint32_t i = 0; i < m->n_nodes; i++)
        graph_node(g, m, &m->nodes[i], nodes, i, tmp);
    size_t max_bytes = 1;
    for (uint32_t i = 0; i < m->n_edges; i++)
        max_bytes = m->edges[i].bytes > max_bytes ? m->edges[i].bytes : max_bytes;
    for (uint32_t i = 0; i < m->n_edges; i++) {
        const mp_render_edge *e = &m->edges[i];
        if (!nodes[e->from] || !nodes[e->to])
            continue;
        Agedge_t *ed = agedge(g, nodes[e->from], nodes[e->to], NULL, 1);
        if (!ed)
            continue;
        setf(ed, "penwidth", 0.8 + 2.4 * (double)e->bytes / (double)max_bytes);
        if (m->nodes[e->from].column != m->nodes[e->to].column) {
            set(ed, "constraint", "false");
            set(ed, "style", "dashed");
            set(ed, "color", "#9a9a9a");
        }
    }
    graph_columns(g, m, nodes);
    for (uint32_t c = 0; c < m->n_clusters; c++) {
        char name[48];
        snprintf(name, sizeof name, "cluster_stage%u", m->clusters[c].segment);
        Agraph_t *sub = agsubg(g, name, 1);
        if (!sub)
            continue;
        esc_label(tmp, m->clusters[c].label, "\\l");
        mp_strbuf_puts(tmp, "\\l");
        set(sub, "label", tmp->buf);
        set(sub, "style", "filled,rounded");
        set(sub, "fillcolor", "#eef3fb");
        set(sub, "color", "#6b8cc7");
        for (uint32_t i = m->clusters[c].first_step; i <= m->clusters[c].last_step; i++)
            if (i < m->n_nodes && nodes[i])
                agsubnode(sub, nodes[i], 1);
    }
}

/* ---- output --------------------------------------------------------------------------- */

/* The renderer: one Graphviz context for the process, and what its plugins offer
 * (checked once per engine and format: -1 unknown, 0 missing, 1 present). */
struct mp_renderer {
    GVC_t *gvc;
    int8_t has_layout[2]; /* "dot", "nop2" */
    int8_t has_device[MP_RENDER_FORMAT_COUNT];
    int8_t has_cairo; /* the cairo renderer (PNG and PDF) */
};

mp_status mp_renderer_new(mp_renderer **out, mp_error *err)
{
    *out = NULL;
    mp_renderer *r = mp_calloc(1, sizeof *r);
    if (!r)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    r->gvc = gvContext();
    if (!r->gvc) {
        mp_free(r);
        return mp_errorf(err, MP_E_NOMEM, "render: cannot create a Graphviz context");
    }
    render_gv_add_png_device(r->gvc);
    memset(r->has_layout, -1, sizeof r->has_layout);
    memset(r->has_device, -1, sizeof r->has_device);
    r->has_cairo = -1;
    *out = r;
    return MP_OK;
}

void mp_renderer_free(mp_renderer *r)
{
    if (!r)
        return;
    gvFreeContext(r->gvc);
    mp_free(r);
}

/* Whether Graphviz has a plugin called name of kind "layout" or "device" (cached in *known). */
static bool gv_has(GVC_t *gvc, const char *kind, const char *name, int8_t *known)
{
    if (*known >= 0)
        return *known;
    int n = 0;
    char **list = gvPluginList(gvc, kind, &n, NULL);
    bool found = false;
    for (int i = 0; list && i < n; i++) {
        found = found || strcmp(list[i], name) == 0;
        free(list[i]); /* Graphviz's allocations */
    }
    free(list);
    *known = found;
    return found;
}

/* Whether this Graphviz can lay out with engine and write fmt. */
static mp_status gv_check(mp_renderer *r, bool chart, mp_render_format fmt, mp_error *err)
{
    const char *engine = chart ? "nop2" : "dot";
    const char *format = fmt == MP_RENDER_PNG ? RENDER_PNG_DEVICE : mp_render_format_name(fmt);
    if (!gv_has(r->gvc, "layout", engine, &r->has_layout[chart]))
        return mp_errorf(err, MP_E_UNSUPPORTED,
                         "render: Graphviz has no '%s' layout here (Debian package libgvc6)",
                         engine);
    bool cairo = fmt == MP_RENDER_PNG || fmt == MP_RENDER_PDF;
    if (!gv_has(r->gvc, "device", format, &r->has_device[fmt]) ||
        (cairo && !gv_has(r->gvc, "render", "cairo", &r->has_cairo)))
        return mp_errorf(err, MP_E_UNSUPPORTED,
                         "render: Graphviz cannot write %s here: its %s plugin is missing "
                         "(Debian package libgvc6)",
                         mp_render_format_name(fmt), cairo ? "cairo" : "core");
    return MP_OK;
}

static mp_status gv_render(mp_renderer *r, Agraph_t *g, bool chart, mp_render_format fmt,
                           mp_strbuf *out, mp_error *err)
{
    MP_TRY(gv_check(r, chart, fmt, err));
    const char *format = fmt == MP_RENDER_PNG ? RENDER_PNG_DEVICE : mp_render_format_name(fmt);
    if (gvLayout(r->gvc, g, chart ? "nop2" : "dot") != 0)
        return mp_errorf(err, MP_E_INVALID, "render: Graphviz could not lay out the picture");
    mp_status st = MP_OK;
    char *data = NULL;
    unsigned int len = 0;
    if (gvRenderData(r->gvc, g, format, &data, &len) != 0 || !data)
        st = mp_errorf(err, MP_E_INVALID, "render: Graphviz could not write %s",
                       mp_render_format_name(fmt));
    else if (fmt == MP_RENDER_PNG && (len < 8 || memcmp(data, "\x89PNG", 4) != 0))
        st = mp_errorf(err, MP_E_NOMEM, "render: out of memory while encoding PNG");
    else
        mp_strbuf_append(out, data, len);
    if (st == MP_OK && !out->failed && fmt == MP_RENDER_PDF)
        render_pdf_fix_dates(out->buf + out->len - len, len); /* reproducible */
    if (st == MP_OK && out->failed)
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
    gvFreeRenderData(data);
    gvFreeLayout(r->gvc, g);
    return st;
}

mp_status mp_render_model_write(mp_renderer *r, const mp_render_model *m, mp_render_format fmt,
                                mp_strbuf *out, mp_error *err)
{
    if (!m || (unsigned)fmt >= MP_RENDER_FORMAT_COUNT)
        return mp_errorf(err, MP_E_INVALID, "render: no model or an unknown format");
    if (!r && fmt != MP_RENDER_DOT)
        return mp_errorf(err, MP_E_INVALID, "render: %s output needs a renderer",
                         mp_render_format_name(fmt));
    Agiodisc_t io = {io_read, io_put, io_flush};
    Agdisc_t disc = {&AgMemDisc, &mp_gv_id_disc, &io};
    char gname[32];
    snprintf(gname, sizeof gname, "memplan_%s", mp_render_kind_name(m->kind));
    Agraph_t *g = agopen(gname, Agdirected, &disc);
    Agnode_t **nodes = m->kind == MP_RENDER_GRAPH ? MP_NEW_ARRAY(Agnode_t *, m->n_nodes + 1) : NULL;
    mp_strbuf tmp;
    mp_strbuf_init(&tmp);
    mp_status st = MP_OK;
    if (!g || (m->kind == MP_RENDER_GRAPH && !nodes)) {
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
        goto out;
    }
    if (m->kind == MP_RENDER_GRAPH)
        build_graph(g, m, nodes, &tmp);
    else
        build_chart(g, m, &tmp);
    if (tmp.failed) {
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
        goto out;
    }
    if (fmt != MP_RENDER_DOT) {
        /* keep bitmaps under cairo's 32767-pixel limit and PDF pages under 200 in */
        agattr(g, AGRAPH, S("size"), S(fmt == MP_RENDER_PDF ? "200,200" : "300,300"));
        st = gv_render(r, g, m->kind != MP_RENDER_GRAPH, fmt, out, err);
    } else if (agwrite(g, out) == EOF || out->failed) {
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
out:
    if (g)
        agclose(g);
    mp_free(nodes);
    mp_strbuf_release(&tmp);
    return st;
}
