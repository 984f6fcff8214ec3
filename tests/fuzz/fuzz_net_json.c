/* SPDX-License-Identifier: MIT */
/*
 * fuzz_net_json.c - libFuzzer harness: arbitrary bytes as net.json.
 *
 * One job: never crash, hang or leak. A failure leaves no graph and a message
 * naming the file. When the bytes import, the graph's documented invariants
 * hold (fuzz_common.h), the net.json writer's output imports back as the same
 * network, and the planning pipeline (per-layer liveness, a patch plan, a
 * schedule with its arena, its JSON read back) runs on it: the schedule's
 * layout is sound, its arena at least its peak, and a schedule written to
 * JSON reads back with the same arena and peak; receptive-field
 * redistribution keeps the total field in every variant.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Schedules are built (twice: built and read back) only for graphs up to this size: the
 * arena planner's improvement loop costs ~0.3 s for a 30-op network in a release build and
 * ~10x that instrumented, which would turn the zoo's networks into timeouts. */
#define PLAN_MAX_OPS 24

/* A built schedule: a sound layout, and its JSON reads back as the same schedule. */
static void check_schedule(const mp_graph *g, const mp_schedule *s)
{
    uint32_t a, b;
    fuzz_check(mp_arena_check(s->buffers, s->n_buffers, s->opts.align, s->arena_bytes, &a, &b));
    fuzz_check(s->layout_ok && s->arena_bytes >= s->arena.lower_bound);
    mp_error err;
    mp_error_init(&err);
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    if (mp_schedule_write_json(s, &sb, &err) == MP_OK && !sb.failed) {
        mp_schedule *back = NULL;
        fuzz_check(mp_schedule_read_json(g, sb.buf, sb.len, "s.json", &back, &err) == MP_OK);
        fuzz_check(back->arena_bytes == s->arena_bytes && back->peak_bytes == s->peak_bytes &&
                   back->macs == s->macs && back->n_buffers == s->n_buffers && back->layout_ok);
        mp_schedule_free(back);
    }
    mp_strbuf_release(&sb);
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
        check_schedule(g, s);
        mp_schedule_free(s);
    } else {
        fuzz_check(!s && err.msg[0]);
    }
    mp_per_layer_release(&pl);
}

/* Variants of the graph at its largest patch stage: each keeps the total field. */
static void redistribute(const mp_graph *g)
{
    int32_t last = mp_patch_last_patchable_step(g, NULL);
    if (last < 0)
        return;
    mp_error err;
    mp_error_init(&err);
    mp_plan_opts po;
    mp_plan_opts_init(&po);
    mp_redist_opts ro;
    mp_redist_opts_init(&ro);
    ro.min_kernel = 1;
    ro.max_moves = 2;
    mp_patch_spec spec = {0, (uint32_t)last, 2, 2, MP_CUTS_EVEN, NULL, NULL, MP_HALO_RECOMPUTE};
    mp_redist r;
    if (mp_redistribute(g, &po, &spec, &ro, &r, &err) != MP_OK)
        return;
    for (uint32_t k = 1; k < r.n; k++)
        fuzz_check(r.v[k].total_rf.size_h >= r.v[0].total_rf.size_h &&
                   r.v[k].total_rf.size_w >= r.v[0].total_rf.size_w);
    mp_redist_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_import_json_text((const char *)data, size, "fuzz.json", "/nonexistent", &g, &err) !=
        MP_OK) {
        fuzz_check_failure(g, &err, "fuzz.json");
        return 0;
    }
    fuzz_check_graph(g);
    fuzz_check_roundtrip(g);
    if (g->n_ops <= PLAN_MAX_OPS) {
        plan(g);
        redistribute(g);
    }
    mp_graph_free(g);
    return 0;
}
