/* SPDX-License-Identifier: MIT */
/*
 * merge.c - combining databases (module store), e.g. the shards of a sweep.
 *
 * The inputs are first combined into a staging database next to the output
 * (PATH.tmp.PID.N): each input is attached (only read) and copied in one
 * transaction with INSERT ... SELECT, mapping ids through temporary tables:
 *
 *   networks       by hash (a network met again is the same row)
 *   runs           by uuid (a run without one: by command line, version and
 *                  start time); a run already present is skipped with all its
 *                  rows; new runs and their schedules get ids shifted past the
 *                  output's largest
 *   schedules      (and their steps and validations) of new runs
 *   sweeps         by key; targets by (sweep, idx)
 *   sweep_results  by (sweep, network index, target index): the first one wins
 *
 * A missing output is then the staging file, hard-linked into place (link(2)
 * fails if the output appeared meanwhile, and then it is merged into as an
 * existing one). An existing output is never replaced: the staging database is
 * merged into it the same way, in one write transaction, so SQLite's locking
 * orders it with other writers (a sweep recording into it, another merge) and a
 * failure leaves it as it was.
 */
#include "store_int.h"

#include "../util/alloc.h"
#include "../util/checked.h"
#include "../util/file_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The copy, statement by statement; ?1 is the schedule id offset and ?2 the run id offset
 * where used. */
static const char *const copy_sql[] = {
    "CREATE TEMP TABLE IF NOT EXISTS net_map (src INTEGER PRIMARY KEY, dst INTEGER NOT NULL)",
    "CREATE TEMP TABLE IF NOT EXISTS run_map (src INTEGER PRIMARY KEY, dst INTEGER NOT NULL, "
    "new INTEGER NOT NULL)",
    "CREATE TEMP TABLE IF NOT EXISTS sweep_map (src INTEGER PRIMARY KEY, dst INTEGER NOT NULL)",
    "DELETE FROM temp.net_map",
    "DELETE FROM temp.run_map",
    "DELETE FROM temp.sweep_map",
    "INSERT INTO main.networks (hash, name, source, ops, macs, params, weight_bytes) "
    "SELECT hash, name, source, ops, macs, params, weight_bytes FROM src.networks WHERE true "
    "ORDER BY id ON CONFLICT (hash) DO UPDATE SET "
    "params = coalesce(params, excluded.params), "
    "weight_bytes = coalesce(weight_bytes, excluded.weight_bytes)",
    "INSERT INTO temp.net_map SELECT s.id, m.id FROM src.networks s "
    "JOIN main.networks m ON m.hash = s.hash",
    "INSERT OR IGNORE INTO temp.run_map SELECT s.id, m.id, 0 FROM src.runs s "
    "JOIN main.runs m ON m.uuid = s.uuid",
    /* a run without a uuid (written by another tool) is known by what it ran and when */
    "INSERT OR IGNORE INTO temp.run_map SELECT s.id, m.id, 0 FROM src.runs s "
    "JOIN main.runs m ON m.uuid IS NULL AND m.command = s.command "
    "AND m.command_line = s.command_line AND m.memplan_version = s.memplan_version "
    "AND m.started_at = s.started_at WHERE s.uuid IS NULL",
    "INSERT INTO temp.run_map SELECT id, id + ?2, 1 FROM src.runs "
    "WHERE id NOT IN (SELECT src FROM temp.run_map)",
    "INSERT INTO main.runs (id, uuid, command, command_line, memplan_version, started_at, "
    "finished_at) SELECT r.dst, s.uuid, s.command, s.command_line, s.memplan_version, "
    "s.started_at, s.finished_at FROM src.runs s JOIN temp.run_map r ON r.src = s.id AND r.new "
    "ORDER BY s.id",
    "INSERT INTO main.schedules (id, run_id, network_id, role, mode, split, split_step, "
    "grid_rows, grid_cols, cuts, halo, input, inplace_dw, inplace_ops, align, peak_bytes, "
    "arena_bytes, macs, overhead, schedule_json, kernels, scratch_bytes, reserve_bytes, "
    "total_bytes) "
    "SELECT s.id + ?1, r.dst, n.dst, s.role, s.mode, s.split, s.split_step, s.grid_rows, "
    "s.grid_cols, s.cuts, s.halo, s.input, s.inplace_dw, s.inplace_ops, s.align, "
    "s.peak_bytes, s.arena_bytes, s.macs, s.overhead, s.schedule_json, s.kernels, "
    "s.scratch_bytes, s.reserve_bytes, s.total_bytes FROM src.schedules s "
    "JOIN temp.run_map r ON r.src = s.run_id AND r.new "
    "JOIN temp.net_map n ON n.src = s.network_id ORDER BY s.id",
    "INSERT INTO main.schedule_steps (schedule_id, step, op, live_bytes, macs) "
    "SELECT t.schedule_id + ?1, t.step, t.op, t.live_bytes, t.macs FROM src.schedule_steps t "
    "JOIN src.schedules s ON s.id = t.schedule_id "
    "JOIN temp.run_map r ON r.src = s.run_id AND r.new",
    "INSERT INTO main.validations (run_id, schedule_id, bit_exact, bytes_compared, "
    "mismatched_bytes, arena_bytes, detail) SELECT r.dst, v.schedule_id + ?1, v.bit_exact, "
    "v.bytes_compared, v.mismatched_bytes, v.arena_bytes, v.detail FROM src.validations v "
    "JOIN temp.run_map r ON r.src = v.run_id AND r.new ORDER BY v.id",
    "INSERT OR IGNORE INTO main.sweeps (key, options, n_networks, n_targets) "
    "SELECT key, options, n_networks, n_targets FROM src.sweeps ORDER BY id",
    "INSERT INTO temp.sweep_map SELECT s.id, m.id FROM src.sweeps s "
    "JOIN main.sweeps m ON m.key = s.key",
    "INSERT OR IGNORE INTO main.sweep_targets (sweep_id, idx, label, is_mcu, sram_bytes, "
    "flash_bytes) SELECT w.dst, t.idx, t.label, t.is_mcu, t.sram_bytes, t.flash_bytes "
    "FROM src.sweep_targets t JOIN temp.sweep_map w ON w.src = t.sweep_id",
};

/* Kept apart: its change count is the number of results added. */
static const char results_sql[] =
    "INSERT OR IGNORE INTO main.sweep_results (sweep_id, network_idx, target_idx, path, "
    "network_id, run_id, schedule_id, fits, sram_fits, flash_fits, missing_bytes, "
    "flash_missing_bytes, total_bytes) SELECT w.dst, x.network_idx, x.target_idx, x.path, "
    "n.dst, r.dst, x.schedule_id + ?1, x.fits, x.sram_fits, x.flash_fits, x.missing_bytes, "
    "x.flash_missing_bytes, x.total_bytes FROM src.sweep_results x "
    "JOIN temp.sweep_map w ON w.src = x.sweep_id JOIN temp.net_map n ON n.src = x.network_id "
    "JOIN temp.run_map r ON r.src = x.run_id AND r.new "
    "ORDER BY x.sweep_id, x.network_idx, x.target_idx";

/* Redistributions of new runs, ids shifted past the output's (?1), runs mapped. */
static const char *const redist_sql[] = {
    "INSERT INTO main.redistributions (id, run_id, network_id, split, grid_rows, grid_cols, "
    "cuts, halo, n_variants) SELECT d.id + ?1, r.dst, n.dst, d.split, d.grid_rows, "
    "d.grid_cols, d.cuts, d.halo, d.n_variants FROM src.redistributions d "
    "JOIN temp.run_map r ON r.src = d.run_id AND r.new "
    "JOIN temp.net_map n ON n.src = d.network_id ORDER BY d.id",
    "INSERT INTO main.redistribution_variants SELECT v.redistribution_id + ?1, v.idx, "
    "v.variant, v.hash, v.changes, v.split, v.stage_rf, v.total_rf, v.per_layer_peak_bytes, "
    "v.peak_bytes, v.macs, v.patch_macs, v.overhead, v.params, v.pareto "
    "FROM src.redistribution_variants v "
    "JOIN src.redistributions d ON d.id = v.redistribution_id "
    "JOIN temp.run_map r ON r.src = d.run_id AND r.new",
};

/* Run one statement; ?1 and ?2 (when it has them) are bound to the offsets. */
static mp_status run_sql(mp_store *st, const char *sql, const int64_t offset[2], int *changes,
                         mp_error *err)
{
    sqlite3_stmt *s;
    MP_TRY(store_prepare(st, sql, &s, err));
    mp_status rc = MP_OK;
    for (int i = 0; i < sqlite3_bind_parameter_count(s) && i < 2 && rc == MP_OK; i++)
        rc = store_bind_i64(st, s, i + 1, offset[i], err);
    if (rc == MP_OK)
        rc = store_step_done(st, s, err);
    if (changes)
        *changes = sqlite3_changes(st->db);
    sqlite3_finalize(s);
    return rc;
}

static mp_status copy_rows(mp_store *st, mp_merge_stats *stats, mp_error *err)
{
    int64_t offset[2], total, old_runs;
    int added;
    MP_TRY(store_query_int(st, "SELECT coalesce(max(id), 0) FROM main.schedules", &offset[0],
                           err));
    MP_TRY(store_query_int(st, "SELECT coalesce(max(id), 0) FROM main.runs", &offset[1], err));
    for (size_t i = 0; i < sizeof copy_sql / sizeof copy_sql[0]; i++)
        MP_TRY(run_sql(st, copy_sql[i], offset, NULL, err));
    MP_TRY(run_sql(st, results_sql, offset, &added, err));
    int64_t rd_offset[2] = {0, 0};
    MP_TRY(store_query_int(st, "SELECT coalesce(max(id), 0) FROM main.redistributions",
                           &rd_offset[0], err));
    for (size_t i = 0; i < sizeof redist_sql / sizeof redist_sql[0]; i++)
        MP_TRY(run_sql(st, redist_sql[i], rd_offset, NULL, err));
    MP_TRY(store_query_int(st, "SELECT count(*) FROM src.sweep_results", &total, err));
    MP_TRY(store_query_int(st, "SELECT count(*) FROM temp.run_map WHERE new = 0", &old_runs,
                           err));
    int64_t runs;
    MP_TRY(store_query_int(st, "SELECT count(*) FROM temp.run_map", &runs, err));
    stats->results_added += (uint32_t)added;
    stats->results_skipped += (uint32_t)(total - added);
    stats->runs_added += (uint32_t)(runs - old_runs);
    stats->runs_skipped += (uint32_t)old_runs;
    return MP_OK;
}

/* The input is attached read-write but only read: a read-only attach (mode=ro) of a WAL
 * database leaves its -wal and -shm files behind; a read-write one checkpoints and removes
 * them on detach, as closing the database would. */
static mp_status attach(mp_store *st, const char *path, mp_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return mp_errorf(err, MP_E_IO, "%s: no such database file", path);
    if (!S_ISREG(sb.st_mode))
        return mp_errorf(err, MP_E_IO, "%s: %s, not a database file", path,
                         S_ISDIR(sb.st_mode) ? "a directory" : "not a regular file");
    char *uri = store_uri(path, "");
    if (!uri)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    sqlite3_stmt *s;
    mp_status rc = store_prepare(st, "ATTACH DATABASE ?1 AS src", &s, err);
    if (rc == MP_OK) {
        rc = store_bind_text(st, s, 1, uri, err);
        if (rc == MP_OK && sqlite3_step(s) != SQLITE_DONE)
            rc = (sqlite3_errcode(st->db) & 0xff) == SQLITE_NOTADB
                     ? mp_errorf(err, MP_E_DB, "%s: not an SQLite database", path)
                     : mp_errorf(err, MP_E_DB, "%s: cannot open: %s", path,
                                 sqlite3_errmsg(st->db));
        sqlite3_finalize(s);
    }
    mp_free(uri);
    return rc;
}

static mp_status check_input(mp_store *st, const char *path, mp_error *err)
{
    int64_t v, tables;
    mp_error local;
    mp_error_init(&local);
    if (store_query_int(st, "PRAGMA src.user_version", &v, &local) != MP_OK ||
        store_query_int(st, "SELECT count(*) FROM src.sqlite_master", &tables, &local) != MP_OK)
        return mp_errorf(err, MP_E_DB, "%s: not an SQLite database", path);
    if (v == 0)
        return mp_errorf(err, MP_E_DB, "%s: not a memplan database", path);
    if (v > MP_STORE_SCHEMA_VERSION)
        return mp_errorf(err, MP_E_DB,
                         "%s: schema version %lld is newer than this memplan reads (%d); use a "
                         "newer memplan",
                         path, (long long)v, MP_STORE_SCHEMA_VERSION);
    if (v != MP_STORE_SCHEMA_VERSION)
        return mp_errorf(err, MP_E_DB,
                         "%s: schema version %lld, expected %d (open it once with this memplan, "
                         "e.g. 'memplan report --db %s', to migrate it)",
                         path, (long long)v, MP_STORE_SCHEMA_VERSION, path);
    return MP_OK;
}

static mp_status merge_one(mp_store *st, const char *path, mp_merge_stats *stats,
                           mp_error *err)
{
    MP_TRY(attach(st, path, err));
    mp_status rc = check_input(st, path, err);
    if (rc == MP_OK)
        rc = store_exec(st, "BEGIN IMMEDIATE", err);
    if (rc == MP_OK) {
        rc = copy_rows(st, stats, err);
        if (rc == MP_OK)
            rc = store_exec(st, "COMMIT", err);
        if (rc != MP_OK)
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    }
    if (sqlite3_exec(st->db, "DETACH DATABASE src", NULL, NULL, NULL) != SQLITE_OK &&
        rc == MP_OK)
        rc = store_fail(st, err, "detach");
    return rc;
}

/* The staging database PATH.tmp.PID.N beside output, and its -wal and -shm files, all
 * registered for removal on a signal (slots[3]). */
static mp_status make_staging(const char *output, char **tmp, int slots[3], mp_error *err)
{
    int fd;
    MP_TRY(file_guard_temp_create(output, tmp, &fd, err));
    close(fd);
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    size_t n = strlen(*tmp);
    char *p = mp_malloc(n + 5);
    for (int i = 0; i < 3; i++) {
        slots[i] = -1;
        if (p) {
            memcpy(p, *tmp, n);
            memcpy(p + n, suffixes[i], strlen(suffixes[i]) + 1);
            slots[i] = file_guard_temp_add(p);
        }
    }
    mp_free(p);
    return MP_OK;
}

static void drop_staging(char *tmp, const int slots[3])
{
    mp_store_remove_files(tmp);
    for (int i = 0; i < 3; i++)
        file_guard_temp_drop(slots[i]);
    mp_free(tmp);
}

/* Put the closed staging database in place of a missing output. *exists: the output
 * appeared meanwhile (nothing was done). */
static mp_status publish_new(const char *tmp, const char *output, bool *exists, mp_error *err)
{
    *exists = false;
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return mp_errorf(err, MP_E_IO, "%s: cannot sync the merged database: %s", output,
                         strerror(e));
    }
    close(fd);
    if (link(tmp, output) == 0)
        return MP_OK;
    if (errno == EEXIST) {
        *exists = true;
        return MP_OK;
    }
    return mp_errorf(err, MP_E_IO, "%s: cannot create the merged database: %s", output,
                     strerror(errno));
}

/* Refuse an output that is a directory or device, and an input that is the output. */
static mp_status check_paths(const char *const *inputs, uint32_t n_inputs, const char *output,
                             bool *exists, mp_error *err)
{
    struct stat out, in;
    *exists = stat(output, &out) == 0;
    if (*exists && S_ISDIR(out.st_mode))
        return mp_errorf(err, MP_E_IO, "%s: is a directory: -o names the database file to write",
                         output);
    if (*exists && !S_ISREG(out.st_mode))
        return mp_errorf(err, MP_E_IO, "%s: not a regular file, not a database", output);
    for (uint32_t i = 0; *exists && i < n_inputs; i++)
        if (stat(inputs[i], &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
            return mp_errorf(err, MP_E_INVALID, "%s: is the output database; merge other "
                                                "databases into it",
                             inputs[i]);
    return MP_OK;
}

/* Merge the staging database into the existing output in one transaction. */
static mp_status merge_into(const char *tmp, const char *output, mp_merge_stats *stats,
                            mp_error *err)
{
    mp_store *st = NULL;
    mp_merge_stats into;
    memset(&into, 0, sizeof into);
    mp_status rc = mp_store_open(output, NULL, &st, err);
    if (rc == MP_OK && st->read_only)
        rc = mp_errorf(err, MP_E_IO, "%s: cannot be written", output);
    if (rc == MP_OK)
        rc = merge_one(st, tmp, &into, err);
    mp_store_close(st);
    if (rc != MP_OK)
        return rc;
    /* the inputs' duplicates of each other, then those the output already had */
    stats->runs_added = into.runs_added;
    stats->runs_skipped += into.runs_skipped;
    stats->results_added = into.results_added;
    stats->results_skipped += into.results_skipped;
    return MP_OK;
}

mp_status mp_store_merge(const char *const *inputs, uint32_t n_inputs, const char *output,
                         mp_merge_stats *stats, mp_error *err)
{
    memset(stats, 0, sizeof *stats);
    bool exists;
    MP_TRY(check_paths(inputs, n_inputs, output, &exists, err));
    char *tmp;
    int slots[3];
    MP_TRY(make_staging(output, &tmp, slots, err));
    mp_store *st = NULL;
    mp_status rc = mp_store_open(tmp, NULL, &st, err);
    for (uint32_t i = 0; rc == MP_OK && i < n_inputs; i++)
        rc = merge_one(st, inputs[i], stats, err);
    mp_store_close(st);
    if (rc == MP_OK && !exists)
        rc = publish_new(tmp, output, &exists, err);
    if (rc == MP_OK && exists)
        rc = merge_into(tmp, output, stats, err);
    drop_staging(tmp, slots);
    return rc;
}
