/* SPDX-License-Identifier: MIT */
/*
 * report.c - the queries behind `memplan report` (module store): recent runs,
 * one run, one network's schedules, a sweep matrix. Each fills an mp_report;
 * numbers stay plain integers so CSV and JSON consumers can use them.
 */
#include "store_int.h"

#include "../util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copy column i of the current row into the last report row's cell c (NULL stays NULL). */
static void cell(mp_report *r, uint32_t c, sqlite3_stmt *s, int i)
{
    mp_report_set(r, c, store_col_text(s, i));
}

static mp_status finish_report(mp_store *st, sqlite3_stmt *s, mp_status rc, mp_report *r,
                               mp_error *err)
{
    sqlite3_finalize(s);
    if (rc == MP_OK && r->failed)
        rc = mp_errorf(err, MP_E_NOMEM, "%s: out of memory building the report", st->path);
    return rc;
}

/* ---- runs ----------------------------------------------------------------------------- */

mp_status mp_store_report_runs(mp_store *st, uint32_t limit, mp_report *r, mp_error *err)
{
    static const char sql[] =
        "SELECT r.id, r.command, r.started_at, r.memplan_version, "
        "(SELECT count(DISTINCT network_id) FROM schedules s WHERE s.run_id = r.id), "
        "(SELECT count(*) FROM schedules s WHERE s.run_id = r.id), r.command_line "
        "FROM runs r ORDER BY r.id DESC LIMIT ?1";
    static const char *const names[] = {"run",      "command",   "started (UTC)", "version",
                                        "networks", "schedules", "command line"};
    static const bool numeric[] = {true, false, false, false, true, true, false};
    mp_report_set_title(r, "latest runs (newest first)");
    for (uint32_t c = 0; c < 7; c++)
        mp_report_add_column(r, names[c], NULL, numeric[c]);
    sqlite3_stmt *s;
    MP_TRY(store_prepare(st, sql, &s, err));
    mp_status rc = store_bind_u64(st, s, 1, limit, err);
    bool row = rc == MP_OK;
    while (rc == MP_OK && (rc = store_step_row(st, s, &row, err)) == MP_OK && row) {
        mp_report_add_row(r);
        for (int c = 0; c < 7; c++)
            cell(r, (uint32_t)c, s, c);
    }
    mp_report_add_note(r, "memplan report --run ID shows a run's schedules");
    return finish_report(st, s, rc, r, err);
}

/* ---- schedules (of a run, or of a network) -------------------------------------------- */

static const char schedules_sql[] =
    "SELECT s.id, s.run_id, n.name, substr(n.hash, 1, 12), s.role, s.mode, s.split, "
    "CASE WHEN s.grid_rows IS NULL THEN NULL ELSE s.grid_rows || 'x' || s.grid_cols END, "
    "s.halo, s.peak_bytes, s.arena_bytes, s.macs, "
    "CASE WHEN s.overhead IS NULL THEN NULL ELSE printf('%.2f', s.overhead * 100) END "
    "FROM schedules s JOIN networks n ON n.id = s.network_id "
    "WHERE (?1 IS NULL OR s.run_id = ?1) AND (?2 IS NULL OR n.name = ?2) ORDER BY s.id";

/* Columns of schedules_sql in the report; by_network shows the hash instead of the name. */
static void schedule_columns(mp_report *r, bool by_network)
{
    static const char *const names[] = {"schedule", "run",        "network",     "hash",
                                        "role",     "mode",       "split",       "grid",
                                        "halo",     "peak bytes", "arena bytes", "MACs",
                                        "overhead %"};
    static const bool numeric[] = {true,  true,  false, false, false, false, false,
                                   false, false, true,  true,  true,  true};
    for (uint32_t c = 0; c < 13; c++)
        if (c != (by_network ? 2u : 3u))
            mp_report_add_column(r, names[c], NULL, numeric[c]);
}

static mp_status schedule_rows(mp_store *st, int64_t run, const char *name, mp_report *r,
                               uint32_t *n, mp_error *err)
{
    sqlite3_stmt *s;
    binder b;
    MP_TRY(store_prepare(st, schedules_sql, &s, err));
    binder_start(&b, st, s, err);
    if (run)
        bind_i64(&b, run);
    else
        bind_null(&b);
    bind_text(&b, name);
    mp_status rc = b.rc;
    bool row = true;
    *n = 0;
    while (rc == MP_OK && (rc = store_step_row(st, s, &row, err)) == MP_OK && row) {
        mp_report_add_row(r);
        uint32_t c = 0;
        for (int i = 0; i < 13; i++)
            if (i != (name ? 2 : 3))
                cell(r, c++, s, i);
        (*n)++;
    }
    return finish_report(st, s, rc, r, err);
}

static mp_status run_notes(mp_store *st, int64_t run, mp_report *r, mp_error *err)
{
    static const char sql[] =
        "SELECT 'sweep ' || sweep_id || ' (memplan report --sweep ' || sweep_id || ')' "
        "FROM (SELECT DISTINCT sweep_id FROM sweep_results WHERE run_id = ?1) "
        "UNION ALL SELECT 'validation of schedule ' || schedule_id || ': ' || "
        "CASE WHEN bit_exact THEN 'bit-exact' ELSE 'MISMATCH' END || ', ' || bytes_compared || "
        "' bytes compared, arena ' || arena_bytes || ' bytes' || "
        "coalesce(': ' || detail, '') FROM validations WHERE run_id = ?1 "
        "UNION ALL SELECT * FROM (SELECT printf('redistribution %d (%s %dx%d %s) %s: peak %d B, "
        "%+.2f%% MACs, receptive field %d (stage %d)%s: %s', d.id, d.split, d.grid_rows, "
        "d.grid_cols, d.halo, v.variant, v.peak_bytes, v.overhead * 100, v.total_rf, "
        "v.stage_rf, CASE WHEN v.pareto THEN ', Pareto' ELSE '' END, v.changes) "
        "FROM redistributions d JOIN redistribution_variants v ON v.redistribution_id = d.id "
        "WHERE d.run_id = ?1 ORDER BY d.id, v.idx)";
    sqlite3_stmt *s;
    MP_TRY(store_prepare(st, sql, &s, err));
    mp_status rc = store_bind_i64(st, s, 1, run, err);
    bool row = true;
    while (rc == MP_OK && (rc = store_step_row(st, s, &row, err)) == MP_OK && row)
        mp_report_add_note(r, "%s", store_col_text(s, 0));
    sqlite3_finalize(s);
    return rc;
}

mp_status mp_store_report_run(mp_store *st, int64_t run, mp_report *r, mp_error *err)
{
    static const char sql[] =
        "SELECT command, command_line, memplan_version FROM runs WHERE id = ?1";
    sqlite3_stmt *s;
    bool row = false;
    MP_TRY(store_prepare(st, sql, &s, err));
    mp_status rc = store_bind_i64(st, s, 1, run, err);
    if (rc == MP_OK)
        rc = store_step_row(st, s, &row, err);
    if (rc == MP_OK && !row)
        rc = mp_errorf(err, MP_E_INVALID, "%s: no run %lld ('memplan report' lists the runs)",
                       st->path, (long long)run);
    if (rc == MP_OK) {
        mp_report_set_title(r, "run %lld: %s", (long long)run, store_col_text(s, 0));
        mp_report_add_note(r, "command line: %s", store_col_text(s, 1));
        mp_report_add_note(r, "memplan %s", store_col_text(s, 2));
    }
    sqlite3_finalize(s);
    MP_TRY(rc);
    schedule_columns(r, false);
    uint32_t n;
    MP_TRY(schedule_rows(st, run, NULL, r, &n, err));
    return run_notes(st, run, r, err);
}

mp_status mp_store_report_network(mp_store *st, const char *name, mp_report *r, mp_error *err)
{
    mp_report_set_title(r, "network %s: schedules", name);
    schedule_columns(r, true);
    uint32_t n;
    MP_TRY(schedule_rows(st, 0, name, r, &n, err));
    if (!n)
        return mp_errorf(err, MP_E_INVALID,
                         "%s: no schedules of a network called '%s' ('memplan report' lists "
                         "the runs)",
                         st->path, name);
    mp_report_add_note(r, "the schedule JSON is in schedules.schedule_json (docs/database.md)");
    return MP_OK;
}

/* ---- sweeps --------------------------------------------------------------------------- */

typedef struct sweep_head {
    char key[65];
    uint32_t n_networks, n_targets, n_rows;
    mp_sweep_target *targets;
} sweep_head;

static mp_status read_head(mp_store *st, int64_t id, sweep_head *h, mp_error *err)
{
    static const char sql[] =
        "SELECT key, n_networks, n_targets, (SELECT count(DISTINCT network_idx) FROM "
        "sweep_results WHERE sweep_id = ?1) FROM sweeps WHERE id = ?1";
    sqlite3_stmt *s;
    bool row = false;
    MP_TRY(store_prepare(st, sql, &s, err));
    mp_status rc = store_bind_i64(st, s, 1, id, err);
    if (rc == MP_OK)
        rc = store_step_row(st, s, &row, err);
    if (rc == MP_OK && !row)
        rc = mp_errorf(err, MP_E_INVALID, "%s: no sweep %lld ('memplan report' lists the runs)",
                       st->path, (long long)id);
    if (rc == MP_OK) {
        snprintf(h->key, sizeof h->key, "%s", store_col_text(s, 0));
        h->n_networks = (uint32_t)sqlite3_column_int64(s, 1);
        h->n_targets = (uint32_t)sqlite3_column_int64(s, 2);
        h->n_rows = (uint32_t)sqlite3_column_int64(s, 3);
        if (!h->n_targets || h->n_targets > MP_SWEEP_MAX_TARGETS)
            rc = mp_errorf(err, MP_E_DB, "%s: sweep %lld has %u targets", st->path,
                           (long long)id, h->n_targets);
    }
    sqlite3_finalize(s);
    return rc;
}

static mp_status read_targets(mp_store *st, int64_t id, sweep_head *h, mp_error *err)
{
    static const char sql[] = "SELECT idx, label, is_mcu, sram_bytes, coalesce(flash_bytes, 0) "
                              "FROM sweep_targets WHERE sweep_id = ?1 ORDER BY idx";
    sqlite3_stmt *s;
    MP_TRY(store_prepare(st, sql, &s, err));
    mp_status rc = store_bind_i64(st, s, 1, id, err);
    bool row = true;
    while (rc == MP_OK && (rc = store_step_row(st, s, &row, err)) == MP_OK && row) {
        int64_t i = sqlite3_column_int64(s, 0);
        if (i < 0 || i >= (int64_t)h->n_targets)
            continue;
        mp_sweep_target *t = &h->targets[i];
        snprintf(t->label, sizeof t->label, "%s", store_col_text(s, 1));
        t->is_mcu = sqlite3_column_int64(s, 2) != 0;
        t->sram_bytes = (size_t)sqlite3_column_int64(s, 3);
        t->flash_bytes = (size_t)sqlite3_column_int64(s, 4);
    }
    sqlite3_finalize(s);
    return rc;
}

static void verdict_of_row(sqlite3_stmt *s, mp_sweep_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->sram_fits = sqlite3_column_int64(s, 3) != 0;
    v->flash_fits = sqlite3_column_int64(s, 4) != 0;
    const char *mode = store_col_text(s, 5);
    v->patch = mode && strcmp(mode, "patch") == 0;
    v->rows = (uint32_t)sqlite3_column_int64(s, 6);
    v->cols = (uint32_t)sqlite3_column_int64(s, 7);
    const char *halo = store_col_text(s, 8);
    if (!halo || !mp_halo_parse(halo, &v->halo))
        v->halo = MP_HALO_RECOMPUTE;
    v->missing_bytes = (size_t)sqlite3_column_int64(s, 9);
    v->flash_missing_bytes = (size_t)sqlite3_column_int64(s, 10);
}

static mp_status matrix_rows(mp_store *st, int64_t id, const sweep_head *h, mp_report *r,
                             mp_error *err)
{
    static const char sql[] =
        "SELECT x.network_idx, x.target_idx, n.name, x.sram_fits, x.flash_fits, s.mode, "
        "s.grid_rows, s.grid_cols, s.halo, x.missing_bytes, x.flash_missing_bytes "
        "FROM sweep_results x JOIN networks n ON n.id = x.network_id "
        "JOIN schedules s ON s.id = x.schedule_id WHERE x.sweep_id = ?1 "
        "ORDER BY x.network_idx, x.target_idx";
    sqlite3_stmt *s;
    MP_TRY(store_prepare(st, sql, &s, err));
    mp_status rc = store_bind_i64(st, s, 1, id, err);
    bool row = true;
    int64_t current = -1;
    while (rc == MP_OK && (rc = store_step_row(st, s, &row, err)) == MP_OK && row) {
        int64_t net = sqlite3_column_int64(s, 0), t = sqlite3_column_int64(s, 1);
        if (net != current) {
            mp_report_add_row(r);
            cell(r, 0, s, 2);
            current = net;
        }
        if (t < 0 || t >= (int64_t)h->n_targets)
            continue;
        mp_sweep_verdict v;
        char text[80];
        verdict_of_row(s, &v);
        mp_report_set(r, (uint32_t)t + 1, mp_sweep_cell_text(&v, text, sizeof text));
    }
    return finish_report(st, s, rc, r, err);
}

mp_status mp_store_report_sweep(mp_store *st, int64_t id, mp_report *r, mp_error *err)
{
    sweep_head h = {0};
    MP_TRY(read_head(st, id, &h, err));
    h.targets = mp_calloc(h.n_targets, sizeof *h.targets);
    if (!h.targets)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    mp_status rc = read_targets(st, id, &h, err);
    if (rc == MP_OK) {
        mp_sweep_matrix_begin(r, h.key, h.n_rows, h.n_networks, h.targets, h.n_targets);
        rc = matrix_rows(st, id, &h, r, err);
    }
    mp_sweep_targets_free(h.targets);
    return rc;
}

mp_status mp_store_find_sweep(mp_store *st, const char *text, int64_t *sweep_id, mp_error *err)
{
    size_t n = strlen(text), digits = strspn(text, "0123456789"),
           hex = strspn(text, "0123456789abcdefABCDEF");
    if (n && digits == n && n < 12) {
        *sweep_id = strtoll(text, NULL, 10);
        return MP_OK;
    }
    if (n < 4 || hex != n || n > 64)
        return mp_errorf(err, MP_E_INVALID, "--sweep: expected a sweep id or the key 'memplan "
                         "sweep' prints (4 to 64 hex digits), got '%s'", text);
    static const char sql[] = "SELECT id FROM sweeps WHERE substr(key, 1, length(?1)) = "
                              "lower(?1) ORDER BY id LIMIT 2";
    sqlite3_stmt *s;
    MP_TRY(store_prepare(st, sql, &s, err));
    mp_status rc = store_bind_text(st, s, 1, text, err);
    uint32_t found = 0;
    bool row = true;
    while (rc == MP_OK && row && (rc = store_step_row(st, s, &row, err)) == MP_OK && row) {
        if (found++ == 0)
            *sweep_id = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    if (rc == MP_OK && found == 0)
        rc = mp_errorf(err, MP_E_INVALID, "%s: no sweep with key '%s' ('memplan report' lists "
                       "the runs)", st->path, text);
    else if (rc == MP_OK && found > 1)
        rc = mp_errorf(err, MP_E_INVALID, "%s: sweep key '%s' matches several sweeps; give more "
                       "digits", st->path, text);
    return rc;
}
