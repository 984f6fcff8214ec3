/* SPDX-License-Identifier: MIT */
/*
 * write.c - the rows a run writes: networks, schedules with their steps,
 * validations and sweeps (module store). Every function needs an open run
 * (mp_store_begin_run), so its rows commit or vanish together.
 */
#include "store_int.h"

#include "../util/alloc.h"

#include <string.h>

static mp_status need_run(const mp_store *st, mp_error *err)
{
    if (!st->in_run)
        return mp_errorf(err, MP_E_INVALID, "%s: no run is open", st->path);
    return MP_OK;
}

/* Run a prepared, fully bound statement that returns no row, then finalize it. */
static mp_status finish(mp_store *st, sqlite3_stmt *s, binder *b, mp_error *err)
{
    mp_status rc = b->rc == MP_OK ? store_step_done(st, s, err) : b->rc;
    sqlite3_finalize(s);
    return rc;
}

/* The id of the row a one-parameter text query finds (0 when none). */
static mp_status find_id(mp_store *st, const char *sql, const char *key, int64_t *id,
                         mp_error *err)
{
    sqlite3_stmt *s;
    binder b;
    bool row = false;
    *id = 0;
    MP_TRY(store_prepare(st, sql, &s, err));
    binder_start(&b, st, s, err);
    bind_text(&b, key);
    mp_status rc = b.rc == MP_OK ? store_step_row(st, s, &row, err) : b.rc;
    if (rc == MP_OK && row)
        *id = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (rc == MP_OK && !row)
        rc = mp_errorf(err, MP_E_DB, "%s: row for '%s' not found after insert", st->path, key);
    return rc;
}

/* ---- networks ------------------------------------------------------------------------- */

mp_status mp_store_add_network(mp_store *st, const mp_graph *g, int64_t *network_id,
                               mp_error *err)
{
    MP_TRY(need_run(st, err));
    /* Rows migrated from schema v1 lack params and weight_bytes: fill them in. */
    static const char sql[] =
        "INSERT INTO networks (hash, name, source, ops, macs, params, weight_bytes) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (hash) DO UPDATE SET "
        "params = coalesce(params, excluded.params), "
        "weight_bytes = coalesce(weight_bytes, excluded.weight_bytes)";
    sqlite3_stmt *s;
    binder b;
    MP_TRY(store_prepare(st, sql, &s, err));
    binder_start(&b, st, s, err);
    bind_text(&b, g->hash);
    bind_text(&b, g->name);
    bind_text(&b, g->source);
    bind_u64(&b, g->n_ops);
    bind_u64(&b, g->macs);
    bind_u64(&b, g->params);
    bind_u64(&b, g->weight_bytes);
    MP_TRY(finish(st, s, &b, err));
    return find_id(st, "SELECT id FROM networks WHERE hash = ?1", g->hash, network_id, err);
}

/* ---- schedules ------------------------------------------------------------------------ */

static const mp_segment *first_tiled(const mp_schedule *s)
{
    for (uint32_t i = 0; i < s->n_segments; i++)
        if (s->segments[i].kind == MP_SEG_TILED)
            return &s->segments[i];
    return NULL;
}

static void bind_schedule(binder *b, int64_t run, int64_t net, const mp_schedule *s,
                          const char *role, const char *json)
{
    const mp_segment *t = first_tiled(s);
    const mp_graph *g = s->g;
    bind_i64(b, run);
    bind_i64(b, net);
    bind_text(b, role);
    bind_text(b, t ? "patch" : "per-layer");
    if (t) {
        bind_text(b, g->tensors[t->patch->split].name);
        bind_u64(b, t->last_step);
        bind_u64(b, t->patch->spec.rows);
        bind_u64(b, t->patch->spec.cols);
        bind_text(b, mp_cuts_name(t->patch->spec.cuts));
        bind_text(b, mp_halo_name(t->patch->spec.halo));
    } else {
        for (int k = 0; k < 6; k++)
            bind_null(b);
    }
    bind_text(b, s->opts.input_mode == MP_INPUT_STREAM ? "stream" : "sram");
    bind_i64(b, s->opts.inplace_dw);
    bind_i64(b, s->opts.inplace_ops);
    bind_u64(b, s->opts.align);
    bind_u64(b, s->peak_bytes);
    bind_u64(b, s->arena_bytes);
    bind_u64(b, s->macs);
    bind_double(b, g->macs ? (double)s->macs / (double)g->macs - 1.0 : 0.0);
    bind_text(b, json);
    bind_text(b, s->kernels == MP_TFLM_KERNELS_CMSIS_NN ? "cmsis-nn" : "reference");
    bind_u64(b, s->scratch_bytes);
    bind_u64(b, s->reserve_bytes);
    bind_u64(b, (uint64_t)s->peak_bytes + s->scratch_bytes + s->reserve_bytes);
}

static mp_status insert_schedule(mp_store *st, int64_t net, const mp_schedule *s,
                                 const char *role, int64_t *id, mp_error *err)
{
    static const char sql[] =
        "INSERT INTO schedules (run_id, network_id, role, mode, split, split_step, grid_rows, "
        "grid_cols, cuts, halo, input, inplace_dw, inplace_ops, align, peak_bytes, "
        "arena_bytes, macs, overhead, schedule_json, kernels, scratch_bytes, reserve_bytes, "
        "total_bytes) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
        "?18, ?19, ?20, ?21, ?22, ?23)";
    mp_strbuf json;
    mp_strbuf_init(&json);
    mp_status rc = mp_schedule_write_json(s, &json, err);
    sqlite3_stmt *stmt = NULL;
    if (rc == MP_OK)
        rc = store_prepare(st, sql, &stmt, err);
    if (rc == MP_OK) {
        binder b;
        binder_start(&b, st, stmt, err);
        bind_schedule(&b, st->run_id, net, s, role, json.buf);
        rc = finish(st, stmt, &b, err);
    }
    mp_strbuf_release(&json);
    *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

static mp_status insert_steps(mp_store *st, int64_t id, const mp_schedule *s,
                              const size_t *live, const uint64_t *macs, mp_error *err)
{
    static const char sql[] = "INSERT INTO schedule_steps (schedule_id, step, op, live_bytes, "
                              "macs) VALUES (?1, ?2, ?3, ?4, ?5)";
    sqlite3_stmt *stmt;
    MP_TRY(store_prepare(st, sql, &stmt, err));
    mp_status rc = MP_OK;
    for (uint32_t i = 0; rc == MP_OK && i < s->g->n_ops; i++) {
        binder b;
        binder_start(&b, st, stmt, err);
        bind_i64(&b, id);
        bind_u64(&b, i);
        bind_text(&b, s->g->ops[s->order[i]].name);
        bind_u64(&b, live[i]);
        bind_u64(&b, macs[i]);
        rc = b.rc == MP_OK ? store_step_done(st, stmt, err) : b.rc;
    }
    sqlite3_finalize(stmt);
    return rc;
}

mp_status mp_store_add_schedule(mp_store *st, int64_t network_id, const mp_schedule *s,
                                const char *role, int64_t *schedule_id, mp_error *err)
{
    MP_TRY(need_run(st, err));
    uint32_t n = s->g->n_ops;
    size_t *live = mp_calloc(n ? n : 1, sizeof *live);
    uint64_t *macs = mp_calloc(n ? n : 1, sizeof *macs);
    mp_status rc = live && macs ? MP_OK : mp_errorf(err, MP_E_NOMEM, "out of memory");
    if (rc == MP_OK)
        rc = mp_schedule_timeline(s, live, err);
    if (rc == MP_OK) {
        mp_sweep_step_macs(s, macs);
        rc = insert_schedule(st, network_id, s, role, schedule_id, err);
    }
    if (rc == MP_OK)
        rc = insert_steps(st, *schedule_id, s, live, macs, err);
    mp_free(live);
    mp_free(macs);
    return rc;
}

/* ---- validations ---------------------------------------------------------------------- */

mp_status mp_store_add_validation(mp_store *st, int64_t schedule_id,
                                  const mp_store_validation *v, int64_t *validation_id,
                                  mp_error *err)
{
    MP_TRY(need_run(st, err));
    static const char sql[] =
        "INSERT INTO validations (run_id, schedule_id, bit_exact, bytes_compared, "
        "mismatched_bytes, arena_bytes, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    sqlite3_stmt *s;
    binder b;
    MP_TRY(store_prepare(st, sql, &s, err));
    binder_start(&b, st, s, err);
    bind_i64(&b, st->run_id);
    bind_i64(&b, schedule_id);
    bind_i64(&b, v->bit_exact);
    bind_u64(&b, v->bytes_compared);
    bind_u64(&b, v->mismatched_bytes);
    bind_u64(&b, v->arena_bytes);
    bind_text(&b, v->detail);
    MP_TRY(finish(st, s, &b, err));
    *validation_id = sqlite3_last_insert_rowid(st->db);
    return MP_OK;
}

/* ---- sweeps --------------------------------------------------------------------------- */

static mp_status insert_sweep(mp_store *st, const mp_sweep *sw, int64_t *id, mp_error *err)
{
    static const char sql[] = "INSERT OR IGNORE INTO sweeps (key, options, n_networks, "
                              "n_targets) VALUES (?1, ?2, ?3, ?4)";
    sqlite3_stmt *s;
    binder b;
    MP_TRY(store_prepare(st, sql, &s, err));
    binder_start(&b, st, s, err);
    bind_text(&b, sw->key);
    bind_text(&b, sw->options);
    bind_u64(&b, sw->n_total_nets);
    bind_u64(&b, sw->n_targets);
    MP_TRY(finish(st, s, &b, err));
    return find_id(st, "SELECT id FROM sweeps WHERE key = ?1", sw->key, id, err);
}

static mp_status insert_targets(mp_store *st, const mp_sweep *sw, int64_t id, mp_error *err)
{
    static const char sql[] = "INSERT OR IGNORE INTO sweep_targets (sweep_id, idx, label, "
                              "is_mcu, sram_bytes, flash_bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    sqlite3_stmt *s;
    MP_TRY(store_prepare(st, sql, &s, err));
    mp_status rc = MP_OK;
    for (uint32_t t = 0; rc == MP_OK && t < sw->n_targets; t++) {
        const mp_sweep_target *x = &sw->targets[t];
        binder b;
        binder_start(&b, st, s, err);
        bind_i64(&b, id);
        bind_u64(&b, t);
        bind_text(&b, x->label);
        bind_i64(&b, x->is_mcu);
        bind_u64(&b, x->sram_bytes);
        if (x->flash_bytes)
            bind_u64(&b, x->flash_bytes);
        else
            bind_null(&b);
        rc = b.rc == MP_OK ? store_step_done(st, s, err) : b.rc;
    }
    sqlite3_finalize(s);
    return rc;
}

static mp_status insert_results(mp_store *st, int64_t sweep, const mp_sweep *sw,
                                const mp_sweep_net *net, int64_t net_id, const int64_t *sched,
                                mp_error *err)
{
    static const char sql[] =
        "INSERT OR REPLACE INTO sweep_results (sweep_id, network_idx, target_idx, path, "
        "network_id, run_id, schedule_id, fits, sram_fits, flash_fits, missing_bytes, "
        "flash_missing_bytes, total_bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
        "?12, ?13)";
    sqlite3_stmt *s;
    MP_TRY(store_prepare(st, sql, &s, err));
    mp_status rc = MP_OK;
    for (uint32_t t = 0; rc == MP_OK && t < sw->n_targets; t++) {
        const mp_sweep_cell *c = &net->cells[t];
        binder b;
        binder_start(&b, st, s, err);
        bind_i64(&b, sweep);
        bind_u64(&b, net->index);
        bind_u64(&b, t);
        bind_text(&b, net->path);
        bind_i64(&b, net_id);
        bind_i64(&b, st->run_id);
        bind_i64(&b, sched[c->schedule]);
        bind_i64(&b, c->fits);
        bind_i64(&b, c->sram_fits);
        bind_i64(&b, c->flash_fits);
        bind_u64(&b, c->missing_bytes);
        bind_u64(&b, c->flash_missing_bytes);
        const mp_schedule *cs = net->schedules[c->schedule].s;
        bind_u64(&b, (uint64_t)cs->peak_bytes + cs->scratch_bytes + sw->reserve);
        rc = b.rc == MP_OK ? store_step_done(st, s, err) : b.rc;
    }
    sqlite3_finalize(s);
    return rc;
}

static mp_status add_sweep_net(mp_store *st, int64_t sweep, const mp_sweep *sw,
                               const mp_sweep_net *net, mp_error *err)
{
    int64_t net_id;
    MP_TRY(mp_store_add_network(st, net->g, &net_id, err));
    int64_t *sched = mp_calloc(net->n_schedules ? net->n_schedules : 1, sizeof *sched);
    if (!sched)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    mp_status rc = MP_OK;
    for (uint32_t i = 0; rc == MP_OK && i < net->n_schedules; i++)
        rc = mp_store_add_schedule(st, net_id, net->schedules[i].s, "sweep", &sched[i], err);
    if (rc == MP_OK)
        rc = insert_results(st, sweep, sw, net, net_id, sched, err);
    mp_free(sched);
    return rc;
}

mp_status mp_store_add_sweep(mp_store *st, const mp_sweep *sw, int64_t *sweep_id,
                             mp_error *err)
{
    MP_TRY(need_run(st, err));
    MP_TRY(insert_sweep(st, sw, sweep_id, err));
    MP_TRY(insert_targets(st, sw, *sweep_id, err));
    for (uint32_t i = 0; i < sw->n_nets; i++)
        if (sw->nets[i].g)
            MP_TRY(add_sweep_net(st, *sweep_id, sw, &sw->nets[i], err));
    return MP_OK;
}
