/* SPDX-License-Identifier: MIT */
/*
 * fuzz_net_json.c - libFuzzer harness: arbitrary bytes as net.json.
 *
 * One job: never crash, hang or leak. When the bytes import, the graph's
 * documented invariants must hold and the planning pipeline (per-layer
 * liveness, a patch plan, a schedule with its arena) runs on it too.
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
    }
    for (uint32_t s = 0; s < g->n_ops; s++)
        if (g->order[s] >= g->n_ops || g->step_of_op[g->order[s]] != (int32_t)s)
            abort();
}

static void plan(const mp_graph *g)
{
    mp_error err;
    mp_error_init(&err);
    mp_plan_opts o;
    mp_plan_opts_init(&o);
    o.inplace_dw = true;
    o.inplace_ops = true;
    mp_per_layer pl;
    if (mp_plan_per_layer(g, NULL, &o, &pl, &err) != MP_OK)
        return;
    mp_schedule_spec spec;
    mp_schedule_spec_init(&spec);
    spec.opts = o;
    int32_t last = mp_patch_last_patchable_step(g, NULL);
    if (last >= 0) {
        spec.tiled[0] = (mp_patch_spec){0, (uint32_t)last, 2, 2, MP_CUTS_BALANCED, NULL, NULL,
                                        MP_HALO_CACHE};
        spec.n_tiled = 1;
    }
    mp_schedule *s = NULL;
    if (mp_schedule_build(g, &spec, &s, &err) == MP_OK) {
        uint32_t a, b;
        if (!mp_arena_check(s->buffers, s->n_buffers, s->opts.align, s->arena_bytes, &a, &b))
            abort();
        mp_schedule_free(s);
    }
    mp_per_layer_release(&pl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_import_json_text((const char *)data, size, "fuzz.json", "/nonexistent", &g, &err) !=
        MP_OK) {
        if (g || !err.msg[0])
            abort(); /* a failure must leave no graph and a message */
        return 0;
    }
    check_graph(g);
    if (g->n_ops <= 64)
        plan(g);
    mp_graph_free(g);
    return 0;
}
