/* SPDX-License-Identifier: MIT */
/*
 * render_model.c - the neutral picture model (module render): options and
 * names, the data every picture shows (SRAM in use per step, run per layer
 * and under the schedule), the scene builder, colours and number formats.
 * Nothing here knows Graphviz; gv_adapter.c turns a model into a picture.
 */
#include "memplan/mp_render.h"

#include "../util/alloc.h"
#include "render_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[] = {"graph", "timeline", "lifecycle"};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == MP_RENDER_KIND_COUNT,
               "a name for every render kind");
static const char *const format_names[] = {"dot", "svg", "png", "pdf"};
_Static_assert(sizeof format_names / sizeof format_names[0] == MP_RENDER_FORMAT_COUNT,
               "a name for every render format");

void mp_render_opts_init(mp_render_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->kind = MP_RENDER_GRAPH;
}

const char *mp_render_kind_name(mp_render_kind k)
{
    return (unsigned)k < MP_RENDER_KIND_COUNT ? kind_names[k] : "?";
}

bool mp_render_kind_parse(const char *name, mp_render_kind *out)
{
    for (unsigned k = 0; k < MP_RENDER_KIND_COUNT; k++) {
        if (strcmp(name, kind_names[k]) == 0) {
            *out = (mp_render_kind)k;
            return true;
        }
    }
    return false;
}

const char *mp_render_format_name(mp_render_format f)
{
    return (unsigned)f < MP_RENDER_FORMAT_COUNT ? format_names[f] : "?";
}

bool mp_render_format_from_path(const char *path, mp_render_format *out)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    if (!dot || dot[1] == '\0')
        return false;
    if (strcasecmp(dot + 1, "gv") == 0) {
        *out = MP_RENDER_DOT;
        return true;
    }
    for (unsigned f = 0; f < MP_RENDER_FORMAT_COUNT; f++) {
        if (strcasecmp(dot + 1, format_names[f]) == 0) {
            *out = (mp_render_format)f;
            return true;
        }
    }
    return false;
}

/* ---- text, numbers, colours ----------------------------------------------------------- */

/* Advance widths in ems, a little above DejaVu Sans (the widest of the usual
 * sans fonts), so that boxes sized with them hold the drawn text. */
static double char_em(unsigned char c)
{
    if (c >= 0x80)
        return 0.85;
    if (strchr("iljI!.,:;'|", c))
        return 0.32;
    if (strchr("frt()[]- /\\", c))
        return 0.43;
    if (c >= '0' && c <= '9')
        return 0.66;
    if (c == 'm')
        return 1.0;
    if (c == 'w')
        return 0.85;
    if (c == 'M' || c == 'W' || c == '%')
        return 1.0;
    if (c >= 'a' && c <= 'z')
        return 0.64;
    if (c >= 'A' && c <= 'Z')
        return 0.78;
    return 0.72;
}

double mp_render_text_width(const char *text, double font_size)
{
    double em = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue; /* UTF-8 continuation byte: one character, counted once */
        em += char_em(*p);
    }
    return em * font_size;
}

char *render_kib(size_t bytes, char *buf, size_t n)
{
    if (bytes < 1024)
        render_printf(buf, n, "%zu B", bytes);
    else
        render_printf(buf, n, "%.1f KiB", (double)bytes / 1024.0);
    return buf;
}

double render_nice_step(double max_value, unsigned want)
{
    if (!(max_value > 0) || want == 0)
        return 1;
    /* the 1, 2 or 5 x 10^k whose tick count is nearest to want (the larger step on ties) */
    static const double mant[] = {1, 2, 5};
    double p = pow(10.0, floor(log10(max_value / want)) - 1);
    double best = 0, best_diff = INFINITY;
    for (int d = 0; d < 3; d++, p *= 10) {
        for (int i = 0; i < 3; i++) {
            double step = mant[i] * p;
            double diff = fabs(ceil(max_value / step - 1e-9) - want);
            if (diff <= best_diff) {
                best = step;
                best_diff = diff;
            }
        }
    }
    return best;
}

void render_clip(char *dst, size_t n, const char *s, size_t max_chars)
{
    size_t len = strlen(s);
    if (max_chars < 4)
        max_chars = 4;
    if (len <= max_chars) {
        snprintf(dst, n, "%s", s);
        return;
    }
    size_t keep = max_chars - 3;
    while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
        keep--; /* do not cut a UTF-8 sequence */
    snprintf(dst, n, "%.*s...", (int)keep, s);
}

/* ColorBrewer YlOrRd, 9 classes. */
static const uint32_t heat_stops[] = {0xffffcc, 0xffeda0, 0xfed976, 0xfeb24c, 0xfd8d3c,
                                      0xfc4e2a, 0xe31a1c, 0xbd0026, 0x800026};

uint32_t render_mix(uint32_t a, uint32_t b, double t)
{
    uint32_t out = 0;
    for (int sh = 16; sh >= 0; sh -= 8) {
        double ca = (double)((a >> sh) & 0xff), cb = (double)((b >> sh) & 0xff);
        long v = lround(ca + (cb - ca) * t);
        out |= (uint32_t)(v < 0 ? 0 : v > 255 ? 255 : v) << sh;
    }
    return out;
}

uint32_t render_heat_color(double t)
{
    const unsigned n = sizeof heat_stops / sizeof heat_stops[0];
    if (!(t > 0))
        return heat_stops[0];
    if (t >= 1)
        return heat_stops[n - 1];
    double pos = t * (n - 1);
    unsigned i = (unsigned)pos;
    return render_mix(heat_stops[i], heat_stops[i + 1], pos - i);
}

uint32_t render_text_color_on(uint32_t fill)
{
    double r = (fill >> 16) & 0xff, g = (fill >> 8) & 0xff, b = fill & 0xff;
    double luma = 0.299 * r + 0.587 * g + 0.114 * b;
    return luma < 140 ? 0xffffff : 0x000000;
}

/* ---- the schedule in words ------------------------------------------------------------ */

void render_printf(char *buf, size_t n, const char *fmt, ...)
{
    if (!n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

void render_appendf(char *buf, size_t n, const char *fmt, ...)
{
    size_t len = strnlen(buf, n);
    if (len + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, n - len, fmt, ap);
    va_end(ap);
}

void render_describe_schedule(const mp_schedule *s, char *buf, size_t n)
{
    const mp_graph *g = s->g;
    char a[48], b[48], c[48], kib[32];
    const mp_segment *tiled = NULL;
    uint32_t n_tiled = 0;
    for (uint32_t i = 0; i < s->n_segments; i++) {
        if (s->segments[i].kind == MP_SEG_TILED) {
            tiled = tiled ? tiled : &s->segments[i];
            n_tiled++;
        }
    }
    buf[0] = '\0';
    if (tiled) {
        const mp_patch_plan *p = tiled->patch;
        char name[48];
        render_clip(name, sizeof name, g->tensors[p->split].name, 32);
        render_appendf(buf, n, "patch-based: split '%s' (step %u), %ux%u tiles (%s cuts), halo %s",
                       name, tiled->last_step, p->spec.rows, p->spec.cols,
                       mp_cuts_name(p->spec.cuts), mp_halo_name(p->spec.halo));
        if (n_tiled > 1)
            render_appendf(buf, n, " and %u more stages", n_tiled - 1);
    } else {
        render_appendf(buf, n, "per-layer");
    }
    render_appendf(buf, n, "; input %s",
                   s->opts.input_mode == MP_INPUT_STREAM ? "streamed" : "in SRAM");
    if (s->opts.inplace_dw)
        render_appendf(buf, n, "; in-place depthwise");
    if (s->opts.align > 1)
        render_appendf(buf, n, "; align %zu", s->opts.align);
    double overhead = g->macs ? (double)s->macs / (double)g->macs - 1.0 : 0.0;
    render_appendf(buf, n, "\npeak %s B%s%s%s, arena %s B, %s MACs (%+.2f%%)",
                   mp_format_count(s->peak_bytes, a, sizeof a), s->peak_bytes >= 1024 ? " (" : "",
                   s->peak_bytes >= 1024 ? render_kib(s->peak_bytes, kib, sizeof kib) : "",
                   s->peak_bytes >= 1024 ? ")" : "",
                   mp_format_count(s->arena_bytes, b, sizeof b),
                   mp_format_count(s->macs, c, sizeof c), overhead * 100.0);
}

/* ---- the model ------------------------------------------------------------------------ */

void mp_render_model_free(mp_render_model *m)
{
    if (!m)
        return;
    mp_free(m->nodes);
    mp_free(m->edges);
    mp_free(m->clusters);
    mp_free(m->shapes);
    mp_free(m->per_layer);
    mp_free(m->scheduled);
    mp_free(m);
}

static const char *const kind_titles[] = {
    "SRAM per op",
    "SRAM in use at every step",
    "arena lifecycle: every buffer's offset and lifetime",
};
_Static_assert(sizeof kind_titles / sizeof kind_titles[0] == MP_RENDER_KIND_COUNT,
               "a title for every render kind");

/* The series every picture shows: per-layer liveness of the schedule's order,
 * and the bytes of the schedule's buffers alive at each step. */
static mp_status build_series(mp_render_model *m, const mp_schedule *s, mp_error *err)
{
    uint32_t n = s->g->n_ops;
    m->n_steps = n;
    m->per_layer = MP_NEW_ARRAY(size_t, n);
    m->scheduled = MP_NEW_ARRAY(size_t, n);
    if (!m->per_layer || !m->scheduled)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    MP_TRY(mp_schedule_timeline(s, m->scheduled, err));
    for (uint32_t i = 0; i < n; i++) {
        m->per_layer[i] = s->pl.steps[i].live_bytes;
        if (m->per_layer[i] > m->per_layer_peak) {
            m->per_layer_peak = m->per_layer[i];
            m->per_layer_peak_step = i;
        }
        if (m->scheduled[i] > m->peak_bytes) {
            m->peak_bytes = m->scheduled[i];
            m->peak_step = i;
        }
    }
    m->arena_bytes = s->arena_bytes;
    return MP_OK;
}

mp_status mp_render_model_build(const mp_schedule *s, const mp_render_opts *opts,
                                mp_render_model **out, mp_error *err)
{
    *out = NULL;
    if (!s || !opts || (unsigned)opts->kind >= MP_RENDER_KIND_COUNT)
        return mp_errorf(err, MP_E_INVALID, "render: no schedule or an unknown picture kind");
    if (s->g->n_ops == 0 || s->pl.n_steps != s->g->n_ops)
        return mp_errorf(err, MP_E_INVALID, "render: the schedule has no steps");
    mp_render_model *m = mp_calloc(1, sizeof *m);
    if (!m)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    m->kind = opts->kind;
    if (opts->title)
        render_printf(m->title, sizeof m->title, "%s", opts->title);
    else
        render_printf(m->title, sizeof m->title, "%.60s: %s", s->g->name, kind_titles[opts->kind]);
    render_describe_schedule(s, m->subtitle, sizeof m->subtitle);
    mp_status st = build_series(m, s, err);
    if (st == MP_OK && opts->kind == MP_RENDER_GRAPH)
        st = render_build_graph(m, s, err);
    else if (st == MP_OK && opts->kind == MP_RENDER_TIMELINE)
        st = render_build_timeline(m, s, opts, err);
    else if (st == MP_OK)
        st = render_build_lifecycle(m, s, opts, err);
    if (st != MP_OK) {
        mp_render_model_free(m);
        return st;
    }
    *out = m;
    return MP_OK;
}
