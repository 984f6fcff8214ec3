/* SPDX-License-Identifier: MIT */
/*
 * model_graph.c - the network graph picture's model (module render): a node
 * per op in step order, labelled with its output shape and the SRAM in use
 * at its step, filled with a colour scaled by that SRAM (the peak step gets a
 * thick outline), an edge per tensor from its producer to each reader, and a
 * cluster per patch stage noting its grid. Graphviz's dot lays it out.
 */
#include "../util/alloc.h"
#include "render_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* "conv2d 3x3/2", "depthwise 3x3", "add" */
static void op_text(const mp_op *op, char *buf, size_t n)
{
    char type[40];
    render_clip(type, sizeof type, op->type == MP_OP_DEPTHWISE_CONV2D ? "depthwise" : op->type_name,
                24);
    bool windowed = op->type == MP_OP_CONV2D || op->type == MP_OP_DEPTHWISE_CONV2D ||
                    op->type == MP_OP_AVG_POOL2D || op->type == MP_OP_MAX_POOL2D;
    if (!windowed) {
        render_printf(buf, n, "%s", type);
        return;
    }
    render_printf(buf, n, "%s %dx%d", type, op->p.kernel_h, op->p.kernel_w);
    if (op->p.stride_h > 1 || op->p.stride_w > 1)
        render_appendf(buf, n, "/%d", op->p.stride_h);
}

static int32_t cluster_of_step(const mp_schedule *s, uint32_t step)
{
    int32_t k = 0;
    for (uint32_t i = 0; i < s->n_segments; i++) {
        const mp_segment *seg = &s->segments[i];
        if (seg->kind != MP_SEG_TILED)
            continue;
        if (step >= seg->first_step && step <= seg->last_step)
            return k;
        k++;
    }
    return -1;
}

/* name: op / shape, size / live (/ per layer when it differs) (/ PEAK) */
static void node_texts(const mp_schedule *s, mp_render_node *nd)
{
    const mp_graph *g = s->g;
    const mp_op *op = &g->ops[nd->op];
    const mp_tensor *t = &g->tensors[mp_op_output(op)];
    char name[48], what[64], shape[48], out[32], live[32], pl[32], cnt[32];
    render_clip(name, sizeof name, op->name, 24);
    op_text(op, what, sizeof what);
    mp_shape_format(t, shape, sizeof shape);
    render_kib(nd->out_bytes, out, sizeof out);
    render_kib(nd->live_bytes, live, sizeof live);
    render_printf(nd->label, sizeof nd->label, "%s: %s\n%s, %s\nlive %s", name, what, shape, out,
                  live);
    if (nd->live_bytes != nd->per_layer_bytes)
        render_appendf(nd->label, sizeof nd->label, "\nper layer %s",
                       render_kib(nd->per_layer_bytes, pl, sizeof pl));
    if (nd->peak)
        render_appendf(nd->label, sizeof nd->label, "\nPEAK");
    render_clip(name, sizeof name, op->name, 40);
    render_printf(nd->tooltip, sizeof nd->tooltip, "step %u '%s': %s B in SRAM", nd->step, name,
                  mp_format_count(nd->live_bytes, cnt, sizeof cnt));
}

static mp_status graph_nodes(mp_render_model *m, const mp_schedule *s, mp_error *err)
{
    const mp_graph *g = s->g;
    m->nodes = MP_NEW_ARRAY(mp_render_node, m->n_steps);
    if (!m->nodes)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    m->n_nodes = m->n_steps;
    for (uint32_t i = 0; i < m->n_steps; i++) {
        mp_render_node *nd = &m->nodes[i];
        const mp_op *op = &g->ops[s->order[i]];
        nd->id = op->name;
        nd->op = s->order[i];
        nd->step = i;
        nd->out_bytes = g->tensors[mp_op_output(op)].size_bytes;
        nd->live_bytes = m->scheduled[i];
        nd->per_layer_bytes = m->per_layer[i];
        nd->cluster = cluster_of_step(s, i);
        nd->peak = i == m->peak_step;
        double t = m->peak_bytes ? (double)nd->live_bytes / (double)m->peak_bytes : 0;
        nd->fill = render_heat_color(t);
        nd->font = render_text_color_on(nd->fill);
        node_texts(s, nd);
    }
    return MP_OK;
}

/* One edge per (activation tensor, reader), producer -> reader, in reader step order. */
static mp_status graph_edges(mp_render_model *m, const mp_schedule *s, mp_error *err)
{
    const mp_graph *g = s->g;
    uint32_t *step_of = MP_NEW_ARRAY(uint32_t, g->n_ops);
    size_t cap = 0;
    for (uint32_t i = 0; i < g->n_ops; i++)
        cap += g->ops[i].n_in;
    m->edges = MP_NEW_ARRAY(mp_render_edge, cap ? cap : 1);
    if (!step_of || !m->edges) {
        mp_free(step_of);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < m->n_steps; i++)
        step_of[s->order[i]] = i;
    for (uint32_t i = 0; i < m->n_steps; i++) {
        const mp_op *op = &g->ops[s->order[i]];
        for (uint32_t k = 0; k < op->n_in; k++) {
            mp_tensor_id t = op->in[k];
            if (t == MP_NO_TENSOR || !mp_tensor_is_activation(&g->tensors[t]) ||
                g->tensors[t].producer < 0)
                continue;
            bool seen = false;
            for (uint32_t j = 0; j < k; j++)
                seen = seen || op->in[j] == t;
            if (seen)
                continue;
            m->edges[m->n_edges++] =
                (mp_render_edge){step_of[g->tensors[t].producer], i, t, g->tensors[t].size_bytes};
        }
    }
    mp_free(step_of);
    return MP_OK;
}

static mp_status graph_clusters(mp_render_model *m, const mp_schedule *s, mp_error *err)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->n_segments; i++)
        n += s->segments[i].kind == MP_SEG_TILED;
    if (!n)
        return MP_OK;
    m->clusters = MP_NEW_ARRAY(mp_render_cluster, n);
    if (!m->clusters)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t i = 0; i < s->n_segments; i++) {
        const mp_segment *seg = &s->segments[i];
        if (seg->kind != MP_SEG_TILED)
            continue;
        const mp_patch_plan *p = seg->patch;
        const mp_tensor *split = &s->g->tensors[p->split];
        mp_render_cluster *c = &m->clusters[m->n_clusters++];
        char name[48], shape[48], peak[32];
        render_clip(name, sizeof name, split->name, 30);
        mp_shape_format(split, shape, sizeof shape);
        c->segment = i;
        c->first_step = seg->first_step;
        c->last_step = seg->last_step;
        render_printf(c->label, sizeof c->label,
                      "patch stage: %ux%u tiles (%s cuts), halo %s\nsplit '%s' %s, stage peak %s",
                      p->spec.rows, p->spec.cols, mp_cuts_name(p->spec.cuts),
                      mp_halo_name(p->spec.halo), name, shape,
                      render_kib(p->stage_peak, peak, sizeof peak));
    }
    return MP_OK;
}

/*
 * Wrap the step order into columns of about equal height, so that the
 * picture is about as wide as it is tall (a 65-op network is 5-6 columns, not
 * one strip 65 nodes long). Every segment of the schedule (a patch stage, a
 * run of per-layer steps) starts a new column, so that a stage's cluster
 * holds whole columns.
 */
static void graph_columns(mp_render_model *m, const mp_schedule *s)
{
    uint32_t want = (uint32_t)lround(sqrt(m->n_nodes / 5.0));
    want = want ? want : 1;
    uint32_t height = (m->n_nodes + want - 1) / want;
    uint32_t col = 0;
    for (uint32_t i = 0; i < s->n_segments; i++) {
        const mp_segment *seg = &s->segments[i];
        uint32_t len = seg->last_step - seg->first_step + 1;
        uint32_t k = (len + height - 1) / height;
        uint32_t per = (len + k - 1) / k;
        for (uint32_t j = 0; j < len; j++) {
            mp_render_node *nd = &m->nodes[seg->first_step + j];
            nd->column = col + j / per;
            nd->row = j % per;
        }
        col += (len + per - 1) / per;
    }
    m->n_columns = col;
}

/* Colour scale: five swatches from nothing to the peak. */
static void graph_scale(mp_render_model *m)
{
    m->n_scale = 5;
    for (uint32_t i = 0; i < m->n_scale; i++) {
        double t = i / 4.0;
        m->scale[i].fill = render_heat_color(t);
        render_kib((size_t)((double)m->peak_bytes * t + 0.5), m->scale[i].text,
                   sizeof m->scale[i].text);
    }
}

mp_status render_build_graph(mp_render_model *m, const mp_schedule *s, mp_error *err)
{
    MP_TRY(graph_nodes(m, s, err));
    MP_TRY(graph_edges(m, s, err));
    MP_TRY(graph_clusters(m, s, err));
    graph_columns(m, s);
    graph_scale(m);
    return MP_OK;
}
