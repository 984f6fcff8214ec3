/* SPDX-License-Identifier: MIT */
/*
 * mp_store.h - the SQLite database of runs, networks, schedules and sweeps
 * (module store). The schema is documented in docs/database.md; anyone can
 * query it with the sqlite3 shell. The handle is opaque: no SQLite type
 * appears here, and src/store is the only code that includes sqlite3.h.
 *
 * A run is one transaction: mp_store_begin_run() takes the write lock
 * (BEGIN IMMEDIATE, waiting up to the busy timeout for another writer), the
 * mp_store_add_* calls insert rows, and mp_store_commit_run() commits. A run
 * that fails, is aborted or is killed leaves no rows. The database is in WAL
 * mode, so readers never block the writer.
 *
 *     mp_store *st;
 *     int64_t run, net, sched;
 *     mp_run_info info = {.command = "plan", .argc = argc, .argv = argv};
 *     if (mp_store_open("reports/memplan.db", NULL, &st, &err) == MP_OK &&
 *         mp_store_begin_run(st, &info, &run, &err) == MP_OK &&
 *         mp_store_add_network(st, g, &net, &err) == MP_OK &&
 *         mp_store_add_schedule(st, net, s, "plan", &sched, &err) == MP_OK)
 *         mp_store_commit_run(st, &err);
 *     mp_store_close(st);   // rolls back a run that was not committed
 *
 * Numbers are stored as SQLite integers: a value above INT64_MAX is refused
 * with MP_E_OVERFLOW. Nothing but the runs table holds a timestamp, so the
 * other tables are the same for the same inputs.
 */
#ifndef MEMPLAN_MP_STORE_H
#define MEMPLAN_MP_STORE_H

#include "memplan/mp_error.h"
#include "memplan/mp_graph.h"
#include "memplan/mp_redistribute.h"
#include "memplan/mp_report.h"
#include "memplan/mp_schedule.h"
#include "memplan/mp_sweep.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MP_STORE_SCHEMA_VERSION 3            /* PRAGMA user_version of the current schema */
#define MP_STORE_DEFAULT_PATH "reports/memplan.db"
#define MP_STORE_BUSY_TIMEOUT_MS 30000

typedef struct mp_store mp_store;

typedef struct mp_store_opts {
    int busy_timeout_ms; /* how long to wait for another writer (default 30 s) */
    bool create;         /* create the file (and its directory) when missing (default true);
                            false: an empty file or database is refused, not given a schema */
    bool read_only;      /* never write (no WAL switch, no migration; default false). A file
                            that cannot be written is opened read-only anyway. */
} mp_store_opts;

void mp_store_opts_init(mp_store_opts *o);

/*
 * Open (or create) the database at path, set the busy timeout, read its
 * schema version without writing and refuse a foreign or newer database
 * untouched; only then switch it to WAL and migrate it to
 * MP_STORE_SCHEMA_VERSION (each migration in src/store/schema.c, all in one
 * transaction). Read-only (asked, or the file is not writable): a current
 * database is read as it is; an older one is refused. Errors: MP_E_IO when the file
 * cannot be opened or created, MP_E_DB for a file that is not a memplan
 * database or is newer than this memplan (user_version above the current
 * one). opts may be NULL (defaults). Close with mp_store_close.
 */
mp_status mp_store_open(const char *path, const mp_store_opts *opts, mp_store **out,
                        mp_error *err);
/* Close; a run still open is rolled back. NULL is a no-op. */
void mp_store_close(mp_store *st);
/* The path the store was opened with. */
const char *mp_store_path(const mp_store *st);
/* Delete a closed database: path and its -wal and -shm files (missing ones are fine). */
void mp_store_remove_files(const char *path);

/* ---- runs: one transaction each ------------------------------------------------------- */

typedef struct mp_run_info {
    const char *command;     /* "analyze", "plan", "sweep", "validate" */
    int argc;                /* the command's arguments, argv[0] = the command */
    char *const *argv;       /* (stored as "memplan analyze ...", shell-quoted) */
    int64_t started_ms;      /* wall clock (ms since 1970, UTC) when it started; 0 = now */
} mp_run_info;

/* Start a run: take the write lock and insert its runs row. */
mp_status mp_store_begin_run(mp_store *st, const mp_run_info *info, int64_t *run_id,
                             mp_error *err);
/* Set finished_at and commit. */
mp_status mp_store_commit_run(mp_store *st, mp_error *err);
/* Roll back the open run (no-op when none is open). */
void mp_store_abort_run(mp_store *st);

/* The network (found by hash, else inserted). Needs an open run. */
mp_status mp_store_add_network(mp_store *st, const mp_graph *g, int64_t *network_id,
                               mp_error *err);

/*
 * A schedule of network_id: mode, split, grid, cuts, halo, options, peak,
 * arena, MACs, overhead, its schedule JSON, and one schedule_steps row per
 * step (op, live bytes, MACs). role says why it was recorded: "per-layer" and
 * "best" (analyze), "plan", "sweep", "validate".
 */
mp_status mp_store_add_schedule(mp_store *st, int64_t network_id, const mp_schedule *s,
                                const char *role, int64_t *schedule_id, mp_error *err);

/* The result of running a schedule with the reference executor (memplan validate). */
typedef struct mp_store_validation {
    bool bit_exact;            /* the outputs equal the per-layer reference byte for byte */
    uint64_t bytes_compared;   /* output bytes compared */
    uint64_t mismatched_bytes; /* bytes that differ (0 when bit_exact) */
    size_t arena_bytes;        /* size of the arena the schedule ran in */
    const char *detail;        /* the first mismatch, or NULL */
} mp_store_validation;

mp_status mp_store_add_validation(mp_store *st, int64_t schedule_id,
                                  const mp_store_validation *v, int64_t *validation_id,
                                  mp_error *err);

/*
 * A sweep (or one shard of it): the sweeps row (found by key, else inserted),
 * its targets, and per network that succeeded its networks row, its chosen
 * schedules (role "sweep") and one sweep_results row per target. A result
 * already stored for the same sweep, network index and target (an earlier run
 * of the same sweep) is replaced.
 */
mp_status mp_store_add_sweep(mp_store *st, const mp_sweep *sw, int64_t *sweep_id,
                             mp_error *err);

/*
 * A redistribution (memplan redistribute) of network_id: its redistributions row (split,
 * grid, cuts, halo of the original's schedule) and one redistribution_variants row per
 * variant of r, the original first (idx 0): id, the variant network's hash, its changes
 * (mp_redist_describe), receptive fields, peaks, MACs, overhead, params, Pareto flag.
 */
mp_status mp_store_add_redistribution(mp_store *st, int64_t network_id, const mp_redist *r,
                                      int64_t *redistribution_id, mp_error *err);

/* ---- reports -------------------------------------------------------------------------- */

/* The latest runs, newest first (id, command, started, version, networks, schedules,
 * command line). */
mp_status mp_store_report_runs(mp_store *st, uint32_t limit, mp_report *out, mp_error *err);
/* One run: its schedules; notes give its command line, sweep and validations. */
mp_status mp_store_report_run(mp_store *st, int64_t run_id, mp_report *out, mp_error *err);
/* Every schedule recorded for the networks called name. */
mp_status mp_store_report_network(mp_store *st, const char *name, mp_report *out,
                                  mp_error *err);
/* The matrix of a sweep (as `memplan sweep` prints it). */
mp_status mp_store_report_sweep(mp_store *st, int64_t sweep_id, mp_report *out, mp_error *err);
/*
 * The sweep a user names: a database id ("3": digits, fewer than 12) or the key
 * `memplan sweep` prints ("sweep 4398ba4676c3: ..."), whole or a prefix of at
 * least 4 hex digits. Errors name the text: no such sweep, or a prefix that
 * matches several.
 */
mp_status mp_store_find_sweep(mp_store *st, const char *text, int64_t *sweep_id, mp_error *err);

/* ---- merge ---------------------------------------------------------------------------- */

typedef struct mp_merge_stats {
    uint32_t runs_added, runs_skipped; /* runs are identified by their uuid */
    uint32_t results_added;            /* sweep results new to the output */
    uint32_t results_skipped;          /* results the output already had */
} mp_merge_stats;

/*
 * Combine databases (e.g. the shards of a sweep) into output without
 * duplicates: networks by hash, runs by uuid (a run already present is
 * skipped with its rows), sweeps by key, sweep results by (sweep, network
 * index, target index), the first one met winning (an existing output's rows
 * first). The inputs are combined in a staging file next to output; a missing
 * output becomes that file; an existing one is merged into in one write
 * transaction (never replaced, so concurrent writers lose nothing). Inputs
 * must be at the current schema version and are only read; an input that is
 * the output, and an output that is a directory or device, are refused.
 */
mp_status mp_store_merge(const char *const *inputs, uint32_t n_inputs, const char *output,
                         mp_merge_stats *stats, mp_error *err);

#ifdef __cplusplus
}
#endif

#endif
