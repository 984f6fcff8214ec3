/* SPDX-License-Identifier: MIT */
/*
 * sweep.c - running a sweep: networks x targets, in worker threads (module
 * sweep).
 *
 * Per network: import, per-layer plan, one patch search without a budget,
 * then for every target mp_patch_search_recommend() with the target's SRAM
 * (the same rule as `analyze --budget`), the flash check, and one schedule
 * build per distinct chosen schedule. Networks are claimed from a shared
 * counter and written to their own slot, so results never depend on the
 * thread count or on timing. Imports are serialised: cJSON keeps its parse
 * error position in a global, so two parses at once would race (the import
 * is ~1% of a network's time).
 */
#include "memplan/mp_sweep.h"

#include "memplan/memplan.h"

#include "../util/alloc.h"
#include "../util/sha256.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

void mp_sweep_spec_init(mp_sweep_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    mp_plan_opts_init(&spec->plan);
    mp_search_opts_init(&spec->search);
    spec->jobs = 1;
    spec->n_shards = 1;
}

static void net_release(mp_sweep_net *net)
{
    for (uint32_t i = 0; i < net->n_schedules; i++)
        mp_schedule_free(net->schedules[i].s);
    mp_free(net->schedules);
    mp_free(net->cells);
    mp_graph_free(net->g);
    net->schedules = NULL;
    net->cells = NULL;
    net->g = NULL;
    net->n_schedules = 0;
}

void mp_sweep_free(mp_sweep *sw)
{
    if (!sw)
        return;
    for (uint32_t i = 0; sw->nets && i < sw->n_nets; i++)
        net_release(&sw->nets[i]);
    mp_free(sw->nets);
    mp_free(sw->targets);
    mp_free(sw);
}

/* ---- one network ---------------------------------------------------------------------- */

typedef struct worker {
    const mp_sweep_spec *spec;
    mp_sweep *sw;
    pthread_mutex_t lock;        /* next, done, progress calls */
    pthread_mutex_t import_lock; /* cJSON's global error position */
    uint32_t next, done;
} worker;

static bool same_point(const mp_patch_point *a, const mp_patch_point *b)
{
    return a->last_step == b->last_step && a->rows == b->rows && a->cols == b->cols &&
           a->cuts == b->cuts && a->halo == b->halo;
}

/* Index of the chosen schedule among net's, adding it when new. */
static uint32_t schedule_index(mp_sweep_net *net, const mp_patch_search *ps)
{
    for (uint32_t i = 0; i < net->n_schedules; i++) {
        const mp_sweep_schedule *s = &net->schedules[i];
        if (s->patch == ps->have_best && (!s->patch || same_point(&s->point, &ps->best)))
            return i;
    }
    mp_sweep_schedule *s = &net->schedules[net->n_schedules];
    s->patch = ps->have_best;
    if (s->patch)
        s->point = ps->best;
    return net->n_schedules++;
}

static void decide(const mp_sweep_target *t, const mp_graph *g, mp_patch_search *ps,
                   const mp_search_opts *base, mp_sweep_net *net, mp_sweep_cell *cell)
{
    mp_search_opts so = *base;
    so.have_budget = true;
    so.budget = t->sram_bytes;
    mp_patch_search_recommend(ps, &so);
    cell->sram_fits = ps->fits;
    cell->missing_bytes = ps->fits ? 0 : ps->missing_bytes;
    cell->flash_fits = !t->flash_bytes || g->weight_bytes <= (uint64_t)t->flash_bytes;
    cell->flash_missing_bytes =
        cell->flash_fits ? 0 : (size_t)(g->weight_bytes - (uint64_t)t->flash_bytes);
    cell->fits = cell->sram_fits && cell->flash_fits;
    cell->tflm_fits = net->tflm_have && !mp_search_missing(&so, net->tflm_arena_bytes);
    cell->schedule = schedule_index(net, ps);
}

static mp_status build_schedules(const mp_sweep_spec *spec, mp_sweep_net *net, mp_error *err)
{
    mp_schedule_spec ss;
    for (uint32_t i = 0; i < net->n_schedules; i++) {
        mp_sweep_schedule *s = &net->schedules[i];
        mp_schedule_spec_init(&ss);
        ss.opts = spec->plan;
        ss.reserve = spec->search.reserve;
        mp_schedule_spec_set_patch(&ss, s->patch ? &s->point : NULL);
        MP_TRY(mp_schedule_build(net->g, &ss, &s->s, err));
    }
    return MP_OK;
}

static mp_status sweep_one(worker *w, mp_sweep_net *net, mp_error *err)
{
    const mp_sweep_spec *spec = w->spec;
    pthread_mutex_lock(&w->import_lock);
    mp_status st = mp_import_file(net->path, &net->g, err);
    pthread_mutex_unlock(&w->import_lock);
    MP_TRY(st);
    if (net->g->source_kind == MP_SOURCE_TFLITE) { /* no figure for unmodelled ops: not fatal */
        mp_tflm_arena a;
        mp_error terr;
        mp_error_init(&terr);
        net->tflm_have = mp_tflm_arena_predict_file(net->path, spec->tflm_kernels,
                                                    MP_TFLM_TARGET_MCU32, &a, &terr) == MP_OK;
        net->tflm_arena_bytes = net->tflm_have ? a.min_arena_bytes : 0;
    }
    mp_per_layer pl = {0};
    mp_patch_search ps = {0};
    mp_search_opts so = spec->search;
    so.have_budget = false;
    net->cells = mp_calloc(w->sw->n_targets, sizeof *net->cells);
    net->schedules = mp_calloc(w->sw->n_targets, sizeof *net->schedules);
    if (!net->cells || !net->schedules)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    st = mp_plan_per_layer(net->g, NULL, &spec->plan, &pl, err);
    if (st == MP_OK)
        st = mp_patch_search_run(net->g, &pl, &spec->plan, &so, &ps, err);
    if (st == MP_OK) {
        net->per_layer_peak = pl.peak_bytes;
        for (uint32_t t = 0; t < w->sw->n_targets; t++)
            decide(&w->sw->targets[t], net->g, &ps, &so, net, &net->cells[t]);
        st = build_schedules(spec, net, err);
    }
    mp_patch_search_release(&ps);
    mp_per_layer_release(&pl);
    return st;
}

static void *work(void *arg)
{
    worker *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        uint32_t i = w->next < w->sw->n_nets ? w->next++ : UINT32_MAX;
        pthread_mutex_unlock(&w->lock);
        if (i == UINT32_MAX)
            return NULL;
        mp_sweep_net *net = &w->sw->nets[i];
        if (sweep_one(w, net, &net->error) != MP_OK) {
            /* import errors name the file already; planning errors do not */
            if (strncmp(net->error.msg, net->path, strlen(net->path)) != 0)
                mp_error_prefix(&net->error, net->path);
            net_release(net);
        }
        pthread_mutex_lock(&w->lock);
        w->done++;
        if (w->spec->progress)
            w->spec->progress(w->spec->progress_ctx, w->done, w->sw->n_nets);
        pthread_mutex_unlock(&w->lock);
    }
}

/* ---- the sweep ------------------------------------------------------------------------ */

static void describe_options(const mp_sweep_spec *spec, char *buf, size_t n)
{
    const mp_plan_opts *p = &spec->plan;
    const mp_search_opts *s = &spec->search;
    char halos[64] = "";
    for (int h = 0; h < MP_HALO_COUNT; h++)
        if (s->halos & MP_HALO_BIT(h)) {
            if (halos[0])
                strcat(halos, "+");
            strcat(halos, mp_halo_name((mp_halo)h));
        }
    snprintf(buf, n,
             "inplace_dw=%d inplace_ops=%d align=%zu input=%s halo=%s cuts=even%s max_grid=%ux%u",
             p->inplace_dw, p->inplace_ops, p->align,
             p->input_mode == MP_INPUT_STREAM ? "stream" : "sram", halos,
             s->balanced ? "+balanced" : "", s->max_rows, s->max_cols);
    if (spec->tflm_kernels != MP_TFLM_KERNELS_REFERENCE) { /* the default keeps older keys */
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, " tflm=%s", mp_tflm_kernels_name(spec->tflm_kernels));
    }
    if (p->kernels != MP_TFLM_KERNELS_REFERENCE) {
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, " kernels=%s", mp_tflm_kernels_name(p->kernels));
    }
    if (s->reserve) {
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, " reserve=%zu", s->reserve);
    }
}

/* The key: SHA-256 of a canonical description of the whole sweep (not of the shard). */
static void sweep_key(const mp_sweep_spec *spec, mp_sweep *sw)
{
    mp_sha256 h;
    char line[160];
    unsigned char digest[32];
    mp_sha256_init(&h);
    /* the options apart: they may be longer than line (hashed the same way as before) */
    mp_sha256_update(&h, "memplan-sweep 1\n", 16);
    mp_sha256_update(&h, sw->options, strlen(sw->options));
    int len = snprintf(line, sizeof line, "\ntargets %u\n", spec->n_targets);
    mp_sha256_update(&h, line, (size_t)len);
    for (uint32_t t = 0; t < spec->n_targets; t++) {
        const mp_sweep_target *x = &spec->targets[t];
        len = snprintf(line, sizeof line, "%s %d %zu %zu\n", x->label, x->is_mcu,
                       x->sram_bytes, x->flash_bytes);
        mp_sha256_update(&h, line, (size_t)len);
    }
    len = snprintf(line, sizeof line, "networks %u\n", spec->n_nets);
    mp_sha256_update(&h, line, (size_t)len);
    for (uint32_t i = 0; i < spec->n_nets; i++) {
        mp_sha256_update(&h, spec->nets[i], strlen(spec->nets[i]));
        mp_sha256_update(&h, "\n", 1);
    }
    mp_sha256_final(&h, digest);
    mp_sha256_hex(digest, sw->key);
}

static mp_status check_spec(const mp_sweep_spec *spec, mp_error *err)
{
    if (!spec->n_targets || spec->n_targets > MP_SWEEP_MAX_TARGETS)
        return mp_errorf(err, MP_E_INVALID, "sweep: %u targets (1 to %u allowed)",
                         spec->n_targets, MP_SWEEP_MAX_TARGETS);
    if (spec->n_nets > MP_SWEEP_MAX_NETS)
        return mp_errorf(err, MP_E_LIMIT, "sweep: %u networks exceed the limit of %u",
                         spec->n_nets, MP_SWEEP_MAX_NETS);
    if (!spec->n_shards || spec->shard >= spec->n_shards || !spec->jobs)
        return mp_errorf(err, MP_E_INVALID, "sweep: shard %u of %u, %u jobs", spec->shard,
                         spec->n_shards, spec->jobs);
    for (uint32_t t = 0; t < spec->n_targets; t++)
        if (!spec->targets[t].sram_bytes)
            return mp_errorf(err, MP_E_INVALID, "sweep: target '%s' has no SRAM",
                             spec->targets[t].label);
    return MP_OK;
}

static mp_status sweep_alloc(const mp_sweep_spec *spec, mp_sweep **out, mp_error *err)
{
    mp_sweep *sw = mp_calloc(1, sizeof *sw);
    if (!sw)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    sw->n_total_nets = spec->n_nets;
    sw->shard = spec->shard;
    sw->n_shards = spec->n_shards;
    sw->n_targets = spec->n_targets;
    for (uint32_t i = spec->shard; i < spec->n_nets; i += spec->n_shards)
        sw->n_nets++;
    sw->targets = mp_calloc(spec->n_targets, sizeof *sw->targets);
    sw->nets = mp_calloc(sw->n_nets ? sw->n_nets : 1, sizeof *sw->nets);
    if (!sw->targets || !sw->nets) {
        mp_sweep_free(sw);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    memcpy(sw->targets, spec->targets, spec->n_targets * sizeof *sw->targets);
    uint32_t k = 0;
    for (uint32_t i = spec->shard; i < spec->n_nets; i += spec->n_shards, k++) {
        sw->nets[k].index = i;
        sw->nets[k].path = spec->nets[i];
        mp_error_init(&sw->nets[k].error);
    }
    sw->kernels = spec->plan.kernels;
    sw->reserve = spec->search.reserve;
    describe_options(spec, sw->options, sizeof sw->options);
    sweep_key(spec, sw);
    *out = sw;
    return MP_OK;
}

static void run_workers(worker *w, uint32_t jobs)
{
    pthread_t threads[64];
    uint32_t n = jobs - 1 < 64 ? jobs - 1 : 64, started = 0;
    if (n >= w->sw->n_nets)
        n = w->sw->n_nets ? w->sw->n_nets - 1 : 0;
    for (; started < n; started++)
        if (pthread_create(&threads[started], NULL, work, w) != 0)
            break; /* fewer threads: same results, only slower */
    work(w);
    for (uint32_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
}

mp_status mp_sweep_run(const mp_sweep_spec *spec, mp_sweep **out, mp_error *err)
{
    *out = NULL;
    MP_TRY(check_spec(spec, err));
    mp_sweep *sw = NULL;
    MP_TRY(sweep_alloc(spec, &sw, err));
    worker w = {.spec = spec, .sw = sw};
    if (pthread_mutex_init(&w.lock, NULL) != 0) {
        mp_sweep_free(sw);
        return mp_errorf(err, MP_E_NOMEM, "sweep: cannot create a mutex");
    }
    if (pthread_mutex_init(&w.import_lock, NULL) != 0) {
        pthread_mutex_destroy(&w.lock);
        mp_sweep_free(sw);
        return mp_errorf(err, MP_E_NOMEM, "sweep: cannot create a mutex");
    }
    run_workers(&w, spec->jobs);
    pthread_mutex_destroy(&w.import_lock);
    pthread_mutex_destroy(&w.lock);
    for (uint32_t i = 0; i < sw->n_nets; i++)
        sw->n_failed += sw->nets[i].g == NULL;
    *out = sw;
    return MP_OK;
}
