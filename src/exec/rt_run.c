/* SPDX-License-Identifier: MIT */
/*
 * rt_run.c - running memplan_rt tables on the host (module exec): the arena
 * is allocated at exactly the planned size and poisoned, the inputs are laid
 * back to back as on the device, and every tensor the runtime reports
 * complete is compared with the reference run.
 */
#include "exec_int.h"
#include "rt_tables_int.h"

#include "../util/alloc.h"

#include <string.h>

typedef struct compare {
    const mp_graph *g;
    const mp_exec_run *ref;
    mp_exec_mismatch *first;
} compare;

static void tensor_done(void *user, int32_t t, const int8_t *got, uint32_t bytes)
{
    compare *c = user;
    if (!c->ref || !c->first || (uint32_t)t >= c->ref->n_tensors || !c->ref->tensor[t])
        return;
    const mp_tensor *x = &c->g->tensors[t];
    const int8_t *want = c->ref->tensor[t];
    c->first->tensors_checked++;
    if (c->first->found || bytes != x->size_bytes || memcmp(want, got, bytes) == 0)
        return;
    for (size_t e = 0; e < bytes; e++) {
        if (want[e] == got[e])
            continue;
        size_t ch = (size_t)x->shape.c;
        mp_exec_mismatch *mm = c->first;
        mm->found = true;
        mm->tensor = (mp_tensor_id)t;
        mm->index = e;
        mm->y = (int32_t)(e / ch / (size_t)x->shape.w);
        mm->x = (int32_t)(e / ch % (size_t)x->shape.w);
        mm->c = (int32_t)(e % ch);
        mm->expected = want[e];
        mm->actual = got[e];
        break;
    }
}

static const char *status_text(mprt_status st)
{
    switch (st) {
    case MPRT_E_VERSION: return "tables of another format version";
    case MPRT_E_ARENA: return "arena smaller than the tables need";
    default: return "malformed tables";
    }
}

mp_status mp_rt_run(const mp_rt_tables *t, const int8_t *const *inputs, int8_t *const *outputs,
                    const mp_exec_run *reference, mp_exec_schedule_stats *stats,
                    mp_exec_mismatch *first, mp_error *err)
{
    const mprt_model *md = &t->model;
    if (first)
        memset(first, 0, sizeof *first);
    uint8_t *arena = mp_malloc(md->arena_bytes ? md->arena_bytes : 1);
    int8_t *in = mp_malloc(md->input_bytes ? md->input_bytes : 1);
    int8_t *out = mp_malloc(md->output_bytes ? md->output_bytes : 1);
    mp_status st = MP_OK;
    if (!arena || !in || !out) {
        st = mp_errorf(err, MP_E_NOMEM, "out of memory for a %u-byte arena", md->arena_bytes);
        goto done;
    }
    memset(arena, 0xA5, md->arena_bytes);
    for (int32_t i = 0; i < md->n_inputs; i++)
        memcpy(in + md->inputs[i].pos, inputs[i], md->inputs[i].bytes);
    compare c = {t->g, reference, first};
    mprt_ctx ctx;
    mprt_ctx_init(&ctx);
    ctx.tensor_done = tensor_done;
    ctx.user = &c;
    mprt_status rs = mprt_run(&ctx, md, arena, md->arena_bytes, in, out);
    if (rs != MPRT_OK) {
        st = mp_errorf(err, MP_E_INVALID, "memplan_rt: %s", status_text(rs));
        goto done;
    }
    for (int32_t k = 0; k < md->n_outputs; k++)
        memcpy(outputs[k], out + md->outputs[k].pos, md->outputs[k].bytes);
    if (stats) {
        stats->arena_bytes = md->arena_bytes;
        stats->op_runs = ctx.op_runs;
        stats->patches = ctx.patches;
    }
done:
    mp_free(arena);
    mp_free(in);
    mp_free(out);
    return st;
}
