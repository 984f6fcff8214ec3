/* SPDX-License-Identifier: MIT */
/*
 * redist.c - the rows `memplan redistribute` writes (module store): one
 * redistributions row per run and network (split, grid, cuts, halo) and one
 * redistribution_variants row per variant, the original first (idx 0).
 */
#include "store_int.h"

#include <string.h>

static mp_status insert_head(mp_store *st, int64_t net, const mp_redist *r, int64_t *id,
                             mp_error *err)
{
    static const char sql[] =
        "INSERT INTO redistributions (run_id, network_id, split, grid_rows, grid_cols, cuts, "
        "halo, n_variants) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    const mp_redist_variant *v0 = &r->v[0];
    sqlite3_stmt *s;
    MP_TRY(store_prepare(st, sql, &s, err));
    binder b;
    binder_start(&b, st, s, err);
    bind_i64(&b, st->run_id);
    bind_i64(&b, net);
    bind_text(&b, v0->graph->tensors[v0->split].name);
    bind_u64(&b, r->spec.rows);
    bind_u64(&b, r->spec.cols);
    bind_text(&b, mp_cuts_name(r->spec.cuts));
    bind_text(&b, mp_halo_name(r->spec.halo));
    bind_u64(&b, r->n);
    mp_status rc = b.rc == MP_OK ? store_step_done(st, s, err) : b.rc;
    sqlite3_finalize(s);
    *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

static void bind_variant(binder *b, int64_t id, uint32_t idx, const mp_redist_variant *v,
                         const char *changes)
{
    bind_i64(b, id);
    bind_u64(b, idx);
    bind_text(b, v->id);
    bind_text(b, v->graph->hash);
    bind_text(b, changes);
    bind_text(b, v->graph->tensors[v->split].name);
    bind_u64(b, (uint64_t)(v->stage_rf.size_h > v->stage_rf.size_w ? v->stage_rf.size_h
                                                                    : v->stage_rf.size_w));
    bind_u64(b, (uint64_t)(v->total_rf.size_h > v->total_rf.size_w ? v->total_rf.size_h
                                                                    : v->total_rf.size_w));
    bind_u64(b, v->per_layer_peak);
    bind_u64(b, v->peak);
    bind_u64(b, v->macs);
    bind_u64(b, v->patch_macs);
    bind_double(b, v->overhead);
    bind_u64(b, v->params);
    bind_i64(b, v->pareto);
}

mp_status mp_store_add_redistribution(mp_store *st, int64_t network_id, const mp_redist *r,
                                      int64_t *redistribution_id, mp_error *err)
{
    static const char sql[] =
        "INSERT INTO redistribution_variants (redistribution_id, idx, variant, hash, changes, "
        "split, stage_rf, total_rf, per_layer_peak_bytes, peak_bytes, macs, patch_macs, "
        "overhead, params, pareto) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
    if (!st->in_run)
        return mp_errorf(err, MP_E_INVALID, "%s: no run is open", st->path);
    if (!r->n)
        return mp_errorf(err, MP_E_INVALID, "%s: a redistribution without variants", st->path);
    int64_t id;
    MP_TRY(insert_head(st, network_id, r, &id, err));
    sqlite3_stmt *s;
    MP_TRY(store_prepare(st, sql, &s, err));
    mp_status rc = MP_OK;
    mp_strbuf changes;
    mp_strbuf_init(&changes);
    for (uint32_t i = 0; rc == MP_OK && i < r->n; i++) {
        mp_strbuf_reset(&changes);
        mp_redist_describe(&r->v[i], &changes);
        binder b;
        binder_start(&b, st, s, err);
        bind_variant(&b, id, i, &r->v[i], changes.buf ? changes.buf : "");
        rc = b.rc == MP_OK ? store_step_done(st, s, err) : b.rc;
        if (rc == MP_OK && changes.failed)
            rc = mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    mp_strbuf_release(&changes);
    sqlite3_finalize(s);
    if (rc == MP_OK && redistribution_id)
        *redistribution_id = id;
    return rc;
}
