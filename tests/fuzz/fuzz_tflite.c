/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tflite.c - libFuzzer harness: arbitrary bytes as a TFLite flatbuffer.
 *
 * One job: never crash, hang or leak, and never read outside the bytes given
 * (ASan watches the buffer libFuzzer passes). When the bytes import, every
 * tensor has a shape, constant data lies inside the buffer or in the graph's
 * own copies, and the analyses (per-layer peak, TFLite Micro's arena, the
 * net.json writer) run on the graph.
 */
#include "memplan/memplan.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_graph(const mp_graph *g)
{
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        const mp_tensor *x = &g->tensors[t];
        if (x->shape.n <= 0 || x->shape.h <= 0 || x->shape.w <= 0 || x->shape.c <= 0)
            abort();
        if (x->source_index != t) /* TFLite tensor ids are the file's indices */
            abort();
    }
}

/* Whether the file's operator order is the execution order (TFLM runs that order). */
static bool file_order(const mp_graph *g)
{
    for (uint32_t s = 0; s < g->n_ops; s++)
        if (g->order[s] != s)
            return false;
    return true;
}

static void analyse(const mp_graph *g)
{
    mp_error err;
    mp_error_init(&err);
    mp_per_layer pl;
    size_t tflm;
    if (mp_plan_per_layer(g, NULL, NULL, &pl, &err) == MP_OK) {
        if (mp_plan_tflm_greedy(g, MP_TFLM_ALIGN, &tflm, &err) == MP_OK && file_order(g) &&
            tflm < pl.peak_bytes)
            abort(); /* a placement is never smaller than what is alive at once */
        mp_per_layer_release(&pl);
    }
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_export_net_json(g, NULL, &sb, &err);
    mp_strbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_import_tflite_buffer(data, size, "fuzz.tflite", &g, &err) != MP_OK) {
        if (g || !err.msg[0])
            abort(); /* a failure must leave no graph and a message */
        return 0;
    }
    check_graph(g);
    if (g->n_ops <= 256)
        analyse(g);
    mp_graph_free(g);
    return 0;
}
