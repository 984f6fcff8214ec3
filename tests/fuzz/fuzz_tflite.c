/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tflite.c - libFuzzer harness: arbitrary bytes as a TFLite flatbuffer.
 *
 * One job: never crash, hang or leak, and never read outside the bytes given
 * (ASan watches the buffer libFuzzer passes). When the bytes import, every
 * graph keeps the documented invariants (fuzz_common.h), tensor ids are the
 * file's indices, constant data lies inside the given bytes or in the graph's
 * own copies, the analyses (per-layer peak, TFLite Micro's arena) run on it,
 * and the net.json writer's document imports back as the same network.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_graph(const mp_graph *g, const uint8_t *data, size_t size)
{
    fuzz_check_graph(g);
    for (uint32_t t = 0; t < g->n_tensors; t++) {
        const mp_tensor *x = &g->tensors[t];
        /* TFLite tensor ids are the file's indices; a folded PAD's padded tensor is
         * removed, so after one the ids only keep the file's order */
        if (!g->n_folded_pads)
            fuzz_check(x->source_index == t);
        else
            fuzz_check(x->source_index >= t &&
                       (t == 0 || x->source_index > g->tensors[t - 1].source_index));
        const uint8_t *p = x->data;
        if (p && p >= data && p < data + size) /* zero copy: the bytes lie in the file */
            fuzz_check(x->size_bytes <= (size_t)(data + size - p));
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

/* The round trip through net.json (base64 weights) costs ~100x an import: only for inputs
 * up to this size (the small test models and everything mutated from them). */
#define ROUNDTRIP_MAX_BYTES 32768

static void analyse(const mp_graph *g, size_t size)
{
    mp_error err;
    mp_error_init(&err);
    mp_per_layer pl;
    size_t tflm;
    if (mp_plan_per_layer(g, NULL, NULL, &pl, &err) == MP_OK) {
        /* a placement is never smaller than what is alive at once */
        fuzz_check(mp_plan_tflm_greedy(g, MP_TFLM_ALIGN, &tflm, &err) != MP_OK || !file_order(g) ||
                   tflm >= pl.peak_bytes);
        mp_per_layer_release(&pl);
    }
    if (size <= ROUNDTRIP_MAX_BYTES)
        fuzz_check_roundtrip(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_import_tflite_buffer(data, size, "fuzz.tflite", &g, &err) != MP_OK) {
        fuzz_check_failure(g, &err, "fuzz.tflite");
        return 0;
    }
    check_graph(g, data, size);
    if (g->n_ops <= 256)
        analyse(g, size);
    mp_graph_free(g);
    return 0;
}
