/* SPDX-License-Identifier: MIT */
/*
 * schema.c - the database schema as a list of migrations (module store).
 *
 * migrations[k] takes a database from schema version k to k + 1 and ends by
 * setting PRAGMA user_version. A new database runs all of them, so the path
 * an old database takes is the path every database takes, and it is tested on
 * every run. To change the schema, append a migration (never edit one that
 * has shipped), bump MP_STORE_SCHEMA_VERSION and update docs/database.md.
 *
 *   v1  the first layout: networks, runs, schedules, schedule_steps
 *       (tests/data/store/schema-v1.sql is a v1 database with rows)
 *   v2  networks.params/weight_bytes; runs.uuid (merge identity) and
 *       finished_at; schedules.role, split_step, cuts, halo, input, options,
 *       arena_bytes, overhead; schedule_steps.op and macs; sweeps,
 *       sweep_targets, sweep_results, validations
 *   v3  schedules.kernels, scratch_bytes, reserve_bytes, total_bytes (kernel scratch and
 *       the stack/runtime reserve); sweep_results.total_bytes; redistributions and
 *       redistribution_variants (memplan redistribute)
 *
 * Columns added by a migration are NULL in rows written before it.
 */
#include "store_int.h"

#include <stdio.h>

static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE networks (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  hash TEXT NOT NULL UNIQUE,\n"
    "  name TEXT NOT NULL,\n"
    "  source TEXT NOT NULL,\n"
    "  ops INTEGER NOT NULL,\n"
    "  macs INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE runs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  command TEXT NOT NULL,\n"
    "  command_line TEXT NOT NULL,\n"
    "  memplan_version TEXT NOT NULL,\n"
    "  started_at TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE schedules (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id),\n"
    "  network_id INTEGER NOT NULL REFERENCES networks(id),\n"
    "  mode TEXT NOT NULL,\n"
    "  split TEXT,\n"
    "  grid_rows INTEGER,\n"
    "  grid_cols INTEGER,\n"
    "  peak_bytes INTEGER NOT NULL,\n"
    "  macs INTEGER NOT NULL,\n"
    "  schedule_json TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE schedule_steps (\n"
    "  schedule_id INTEGER NOT NULL REFERENCES schedules(id),\n"
    "  step INTEGER NOT NULL,\n"
    "  live_bytes INTEGER NOT NULL,\n"
    "  PRIMARY KEY (schedule_id, step)\n"
    ") WITHOUT ROWID;\n"
    "PRAGMA user_version = 1;\n",

    /* 1 -> 2 */
    "ALTER TABLE networks ADD COLUMN params INTEGER;\n"
    "ALTER TABLE networks ADD COLUMN weight_bytes INTEGER;\n"
    "ALTER TABLE runs ADD COLUMN uuid TEXT;\n"
    "UPDATE runs SET uuid = lower(hex(randomblob(16)));\n"
    "CREATE UNIQUE INDEX runs_uuid ON runs(uuid);\n"
    "ALTER TABLE runs ADD COLUMN finished_at TEXT;\n"
    "ALTER TABLE schedules ADD COLUMN role TEXT NOT NULL DEFAULT 'unknown';\n"
    "ALTER TABLE schedules ADD COLUMN split_step INTEGER;\n"
    "ALTER TABLE schedules ADD COLUMN cuts TEXT;\n"
    "ALTER TABLE schedules ADD COLUMN halo TEXT;\n"
    "ALTER TABLE schedules ADD COLUMN input TEXT;\n"
    "ALTER TABLE schedules ADD COLUMN inplace_dw INTEGER;\n"
    "ALTER TABLE schedules ADD COLUMN inplace_ops INTEGER;\n"
    "ALTER TABLE schedules ADD COLUMN align INTEGER;\n"
    "ALTER TABLE schedules ADD COLUMN arena_bytes INTEGER;\n"
    "ALTER TABLE schedules ADD COLUMN overhead REAL;\n"
    "CREATE INDEX schedules_run ON schedules(run_id);\n"
    "CREATE INDEX schedules_network ON schedules(network_id);\n"
    "ALTER TABLE schedule_steps ADD COLUMN op TEXT;\n"
    "ALTER TABLE schedule_steps ADD COLUMN macs INTEGER;\n"
    "CREATE TABLE sweeps (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  key TEXT NOT NULL UNIQUE,\n"
    "  options TEXT NOT NULL,\n"
    "  n_networks INTEGER NOT NULL,\n"
    "  n_targets INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE sweep_targets (\n"
    "  sweep_id INTEGER NOT NULL REFERENCES sweeps(id),\n"
    "  idx INTEGER NOT NULL,\n"
    "  label TEXT NOT NULL,\n"
    "  is_mcu INTEGER NOT NULL,\n"
    "  sram_bytes INTEGER NOT NULL,\n"
    "  flash_bytes INTEGER,\n"
    "  PRIMARY KEY (sweep_id, idx)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE sweep_results (\n"
    "  sweep_id INTEGER NOT NULL REFERENCES sweeps(id),\n"
    "  network_idx INTEGER NOT NULL,\n"
    "  target_idx INTEGER NOT NULL,\n"
    "  path TEXT NOT NULL,\n"
    "  network_id INTEGER NOT NULL REFERENCES networks(id),\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id),\n"
    "  schedule_id INTEGER NOT NULL REFERENCES schedules(id),\n"
    "  fits INTEGER NOT NULL,\n"
    "  sram_fits INTEGER NOT NULL,\n"
    "  flash_fits INTEGER NOT NULL,\n"
    "  missing_bytes INTEGER NOT NULL,\n"
    "  flash_missing_bytes INTEGER NOT NULL,\n"
    "  PRIMARY KEY (sweep_id, network_idx, target_idx)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX sweep_results_run ON sweep_results(run_id);\n"
    "CREATE TABLE validations (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id),\n"
    "  schedule_id INTEGER NOT NULL REFERENCES schedules(id),\n"
    "  bit_exact INTEGER NOT NULL,\n"
    "  bytes_compared INTEGER NOT NULL,\n"
    "  mismatched_bytes INTEGER NOT NULL,\n"
    "  arena_bytes INTEGER NOT NULL,\n"
    "  detail TEXT\n"
    ");\n"
    "CREATE INDEX validations_run ON validations(run_id);\n"
    "PRAGMA user_version = 2;\n",

    /* 2 -> 3 */
    "ALTER TABLE schedules ADD COLUMN kernels TEXT;\n"
    "ALTER TABLE schedules ADD COLUMN scratch_bytes INTEGER;\n"
    "ALTER TABLE schedules ADD COLUMN reserve_bytes INTEGER;\n"
    "ALTER TABLE schedules ADD COLUMN total_bytes INTEGER;\n"
    "ALTER TABLE sweep_results ADD COLUMN total_bytes INTEGER;\n"
    "CREATE TABLE redistributions (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id),\n"
    "  network_id INTEGER NOT NULL REFERENCES networks(id),\n"
    "  split TEXT NOT NULL,\n"
    "  grid_rows INTEGER NOT NULL,\n"
    "  grid_cols INTEGER NOT NULL,\n"
    "  cuts TEXT NOT NULL,\n"
    "  halo TEXT NOT NULL,\n"
    "  n_variants INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX redistributions_run ON redistributions(run_id);\n"
    "CREATE TABLE redistribution_variants (\n"
    "  redistribution_id INTEGER NOT NULL REFERENCES redistributions(id),\n"
    "  idx INTEGER NOT NULL,\n"
    "  variant TEXT NOT NULL,\n"
    "  hash TEXT NOT NULL,\n"
    "  changes TEXT NOT NULL,\n"
    "  split TEXT NOT NULL,\n"
    "  stage_rf INTEGER NOT NULL,\n"
    "  total_rf INTEGER NOT NULL,\n"
    "  per_layer_peak_bytes INTEGER NOT NULL,\n"
    "  peak_bytes INTEGER NOT NULL,\n"
    "  macs INTEGER NOT NULL,\n"
    "  patch_macs INTEGER NOT NULL,\n"
    "  overhead REAL NOT NULL,\n"
    "  params INTEGER NOT NULL,\n"
    "  pareto INTEGER NOT NULL,\n"
    "  PRIMARY KEY (redistribution_id, idx)\n"
    ") WITHOUT ROWID;\n"
    "PRAGMA user_version = 3;\n",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == MP_STORE_SCHEMA_VERSION,
               "one migration per schema version");

/* Reads only: the journal mode and the file are left as they are until the database is
 * known to be memplan's and not newer than this memplan. */
mp_status store_inspect(mp_store *st, int target, bool existing, int *found, mp_error *err)
{
    /* one statement, so one snapshot: another process may be creating the schema */
    static const char sql[] = "SELECT (SELECT user_version FROM pragma_user_version), "
                              "(SELECT count(*) FROM sqlite_master)";
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    int v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    int64_t tables = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW) {
        if ((sqlite3_errcode(st->db) & 0xff) == SQLITE_NOTADB)
            return mp_errorf(err, MP_E_DB, "%s: not an SQLite database", st->path);
        return store_fail(st, err, "read");
    }
    *found = v;
    if (v > MP_STORE_SCHEMA_VERSION || v > target)
        return mp_errorf(err, MP_E_DB,
                         "%s: schema version %d is newer than this memplan reads (%d); use a "
                         "newer memplan",
                         st->path, v, target);
    if (v < 0)
        return mp_errorf(err, MP_E_DB, "%s: not a memplan database (user_version %d)",
                         st->path, v);
    if (v == 0 && tables)
        return mp_errorf(err, MP_E_DB,
                         "%s: not a memplan database (it has tables but no memplan schema "
                         "version)",
                         st->path);
    if (v == 0 && existing)
        return mp_errorf(err, MP_E_DB, "%s: an empty database, no memplan schema", st->path);
    return MP_OK;
}

static mp_status migrate_locked(mp_store *st, int target, mp_error *err)
{
    int v;
    MP_TRY(store_user_version(st, &v, err));
    /* checked again under the write lock: another process may have migrated meanwhile */
    if (v > target)
        return mp_errorf(err, MP_E_DB, "%s: schema version %d is newer than this memplan "
                                       "reads (%d); use a newer memplan",
                         st->path, v, target);
    for (int k = v; k < target; k++) {
        if (sqlite3_exec(st->db, migrations[k], NULL, NULL, NULL) != SQLITE_OK) {
            char what[48];
            snprintf(what, sizeof what, "migration to schema version %d", k + 1);
            return store_fail(st, err, what);
        }
    }
    return MP_OK;
}

mp_status store_migrate(mp_store *st, int target, mp_error *err)
{
    if (target < 1 || target > MP_STORE_SCHEMA_VERSION)
        return mp_errorf(err, MP_E_INVALID, "%s: no schema version %d", st->path, target);
    /* BEGIN IMMEDIATE: two processes opening a new database at once do not both migrate */
    MP_TRY(store_exec(st, "BEGIN IMMEDIATE", err));
    mp_status rc = migrate_locked(st, target, err);
    if (rc == MP_OK)
        rc = store_exec(st, "COMMIT", err);
    if (rc != MP_OK)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}
