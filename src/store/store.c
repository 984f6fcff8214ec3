/* SPDX-License-Identifier: MIT */
/*
 * store.c - opening the database, run transactions and the SQLite helpers
 * every store file uses (module store).
 *
 * Every statement is a constant SQL text with bound parameters; every
 * prepared statement is finalized on every path by the function that
 * prepared it (a single `out:` label where there are several).
 */
#include "store_int.h"

#include "memplan/memplan.h"

#include "../util/alloc.h"
#include "../util/checked.h"
#include "../util/file_guard.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void mp_store_opts_init(mp_store_opts *o)
{
    o->busy_timeout_ms = MP_STORE_BUSY_TIMEOUT_MS;
    o->create = true;
    o->read_only = false;
}

const char *mp_store_path(const mp_store *st)
{
    return st->path;
}

/* ---- helpers -------------------------------------------------------------------------- */

mp_status store_fail(const mp_store *st, mp_error *err, const char *what)
{
    return mp_errorf(err, MP_E_DB, "%s: %s: %s", st->path, what,
                     st->db ? sqlite3_errmsg(st->db) : "no database");
}

mp_status store_prepare(mp_store *st, const char *sql, sqlite3_stmt **out, mp_error *err)
{
    *out = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK) {
        sqlite3_finalize(*out);
        *out = NULL;
        return store_fail(st, err, "prepare");
    }
    return MP_OK;
}

mp_status store_exec(mp_store *st, const char *sql, mp_error *err)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_fail(st, err, "exec");
    return MP_OK;
}

mp_status store_step_done(mp_store *st, sqlite3_stmt *s, mp_error *err)
{
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
        mp_status e = store_fail(st, err, "write");
        sqlite3_reset(s);
        return e;
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return MP_OK;
}

mp_status store_step_row(mp_store *st, sqlite3_stmt *s, bool *row, mp_error *err)
{
    int rc = sqlite3_step(s);
    *row = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, err, "read");
    return MP_OK;
}

mp_status store_bind_u64(mp_store *st, sqlite3_stmt *s, int i, uint64_t v, mp_error *err)
{
    if (v > (uint64_t)INT64_MAX)
        return mp_errorf(err, MP_E_OVERFLOW, "%s: value %llu does not fit a database integer",
                         st->path, (unsigned long long)v);
    return store_bind_i64(st, s, i, (int64_t)v, err);
}

mp_status store_bind_i64(mp_store *st, sqlite3_stmt *s, int i, int64_t v, mp_error *err)
{
    if (sqlite3_bind_int64(s, i, (sqlite3_int64)v) != SQLITE_OK)
        return store_fail(st, err, "bind");
    return MP_OK;
}

mp_status store_bind_text(mp_store *st, sqlite3_stmt *s, int i, const char *t, mp_error *err)
{
    int rc = t ? sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
    if (rc != SQLITE_OK)
        return store_fail(st, err, "bind");
    return MP_OK;
}

mp_status store_bind_null(mp_store *st, sqlite3_stmt *s, int i, mp_error *err)
{
    if (sqlite3_bind_null(s, i) != SQLITE_OK)
        return store_fail(st, err, "bind");
    return MP_OK;
}

mp_status store_bind_double(mp_store *st, sqlite3_stmt *s, int i, double v, mp_error *err)
{
    if (sqlite3_bind_double(s, i, v) != SQLITE_OK)
        return store_fail(st, err, "bind");
    return MP_OK;
}

void binder_start(binder *b, mp_store *st, sqlite3_stmt *s, mp_error *err)
{
    *b = (binder){st, s, err, MP_OK, 0};
}

void bind_u64(binder *b, uint64_t v)
{
    b->i++;
    if (b->rc == MP_OK)
        b->rc = store_bind_u64(b->st, b->s, b->i, v, b->err);
}

void bind_i64(binder *b, int64_t v)
{
    b->i++;
    if (b->rc == MP_OK)
        b->rc = store_bind_i64(b->st, b->s, b->i, v, b->err);
}

void bind_text(binder *b, const char *t)
{
    b->i++;
    if (b->rc == MP_OK)
        b->rc = store_bind_text(b->st, b->s, b->i, t, b->err);
}

void bind_double(binder *b, double v)
{
    b->i++;
    if (b->rc == MP_OK)
        b->rc = store_bind_double(b->st, b->s, b->i, v, b->err);
}

void bind_null(binder *b)
{
    b->i++;
    if (b->rc == MP_OK)
        b->rc = store_bind_null(b->st, b->s, b->i, b->err);
}

const char *store_col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

mp_status store_query_int(mp_store *st, const char *sql, int64_t *out, mp_error *err)
{
    sqlite3_stmt *s;
    bool row;
    *out = 0;
    MP_TRY(store_prepare(st, sql, &s, err));
    mp_status rc = store_step_row(st, s, &row, err);
    if (rc == MP_OK && row)
        *out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc;
}

mp_status store_user_version(mp_store *st, int *version, mp_error *err)
{
    int64_t v;
    MP_TRY(store_query_int(st, "PRAGMA user_version", &v, err));
    *version = (int)v;
    return MP_OK;
}

/* "file:/a%20b.db" + query: a URI, so no character of the path is special. */
char *store_uri(const char *path, const char *query)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(path), bytes;
    if (!mp_mul_size(n, 3, &bytes) || !mp_add_size(bytes, 8 + strlen(query), &bytes))
        return NULL;
    char *u = mp_malloc(bytes);
    if (!u)
        return NULL;
    char *p = u;
    memcpy(p, "file:", 5);
    p += 5;
    for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
        bool plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                     (*c >= '0' && *c <= '9') || strchr("-._~/", *c);
        if (plain) {
            *p++ = (char)*c;
        } else {
            *p++ = '%';
            *p++ = hex[*c >> 4];
            *p++ = hex[*c & 15];
        }
    }
    memcpy(p, query, strlen(query) + 1);
    return u;
}

/* ---- open / close --------------------------------------------------------------------- */

void mp_store_close(mp_store *st)
{
    if (!st)
        return;
    mp_store_abort_run(st);
    sqlite3_close(st->db); /* every statement is finalized, so this closes */
    mp_free(st->path);
    mp_free(st);
}

void mp_store_remove_files(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    size_t n = strlen(path);
    char *p = mp_malloc(n + 5);
    if (!p) {
        unlink(path); /* still remove the database itself */
        return;
    }
    for (size_t i = 0; i < 3; i++) {
        memcpy(p, path, n);
        memcpy(p + n, suffixes[i], strlen(suffixes[i]) + 1);
        unlink(p);
    }
    mp_free(p);
}

/* Create the directory of path (for reports/memplan.db on a fresh checkout). */
static mp_status make_parent(const char *path, mp_error *err)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return MP_OK;
    size_t n = (size_t)(slash - path);
    char *dir = mp_malloc(n + 1);
    if (!dir)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    memcpy(dir, path, n);
    dir[n] = '\0';
    mp_status st = mp_mkdir_p(dir, err);
    mp_free(dir);
    return st;
}

/* WAL: readers never block the writer. Only set once the file is known to be a memplan
 * database this memplan may write (store_inspect). */
static mp_status set_wal(mp_store *st, mp_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    mp_status e = MP_OK;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        e = store_fail(st, err, "cannot switch to WAL");
    sqlite3_finalize(s);
    return e;
}

/* The file before SQLite sees it: a directory or device is refused by name, and an empty
 * file is not a database to a command that only reads. */
static mp_status check_file(const char *path, const mp_store_opts *o, mp_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return MP_OK; /* missing: create or "no database here" below */
    if (S_ISDIR(sb.st_mode))
        return mp_errorf(err, MP_E_IO, "%s: is a directory, not a database file", path);
    if (!S_ISREG(sb.st_mode))
        return mp_errorf(err, MP_E_IO, "%s: not a regular file, not a database", path);
    if (sb.st_size == 0 && !o->create)
        return mp_errorf(err, MP_E_DB, "%s: an empty file, not a memplan database", path);
    file_guard_note(&sb);
    return MP_OK;
}

/* A file memplan cannot write: a WAL database cannot be read when its -shm file cannot be
 * created. Without a -wal file the database file holds every commit, so it is read as
 * immutable (no locks, no -shm). Returns an SQLite result code. */
static int reopen_unwritable(mp_store *st)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_master", -1, &s, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    sqlite3_finalize(s);
    int code = rc & 0xff;
    if (rc == SQLITE_ROW || (code != SQLITE_READONLY && code != SQLITE_CANTOPEN))
        return SQLITE_OK; /* readable as it is, or an error the inspection reports */
    size_t n = strlen(st->path);
    char *wal = mp_malloc(n + 5);
    if (!wal)
        return SQLITE_NOMEM;
    memcpy(wal, st->path, n);
    memcpy(wal + n, "-wal", 5);
    bool has_wal = access(wal, F_OK) == 0;
    mp_free(wal);
    char *uri = has_wal ? NULL : store_uri(st->path, "?immutable=1");
    if (!uri)
        return has_wal ? rc : SQLITE_NOMEM;
    sqlite3_close(st->db);
    st->db = NULL;
    rc = sqlite3_open_v2(uri, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    mp_free(uri);
    return rc;
}

static mp_status connect(mp_store *st, const mp_store_opts *o, mp_error *err)
{
    MP_TRY(check_file(st->path, o, err));
    int flags = SQLITE_OPEN_URI | (o->read_only ? SQLITE_OPEN_READONLY
                                                : SQLITE_OPEN_READWRITE |
                                                      (o->create ? SQLITE_OPEN_CREATE : 0));
    int rc = sqlite3_open_v2(st->path, &st->db, flags, NULL);
    if (rc == SQLITE_OK && sqlite3_db_readonly(st->db, "main") == 1)
        rc = reopen_unwritable(st);
    if (rc != SQLITE_OK) {
        if (!o->create && (rc & 0xff) == SQLITE_CANTOPEN)
            return mp_errorf(err, MP_E_IO,
                             "%s: no database here (analyze, plan and sweep create one)",
                             st->path);
        return mp_errorf(err, MP_E_IO, "%s: cannot open: %s", st->path,
                         st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, o->busy_timeout_ms);
    st->read_only = sqlite3_db_readonly(st->db, "main") == 1;
    return store_exec(st, "PRAGMA foreign_keys = ON", err);
}

/* Switch to WAL and migrate, once store_inspect said the database is ours. */
static mp_status prepare_writes(mp_store *st, int version, mp_error *err)
{
    MP_TRY(set_wal(st, err));
    /* In WAL mode NORMAL never corrupts and survives a killed process; only a power loss
     * may drop the last commits. It saves an fsync per run. */
    MP_TRY(store_exec(st, "PRAGMA synchronous = NORMAL", err));
    return store_migrate(st, version, err);
}

static mp_status open_impl(const char *path, const mp_store_opts *opts, int version,
                           mp_store **out, mp_error *err)
{
    *out = NULL;
    mp_store_opts defaults;
    mp_store_opts_init(&defaults);
    const mp_store_opts *o = opts ? opts : &defaults;
    if (o->create)
        MP_TRY(make_parent(path, err));
    mp_store *st = mp_calloc(1, sizeof *st);
    size_t n = strlen(path);
    if (st)
        st->path = mp_malloc(n + 1);
    if (!st || !st->path) {
        mp_free(st);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    memcpy(st->path, path, n + 1);
    int found = 0;
    mp_status rc = connect(st, o, err);
    if (rc == MP_OK)
        rc = store_inspect(st, version, !o->create, &found, err);
    /* a command that only reads (create false) leaves a current database as it is */
    bool as_is = found == version && (st->read_only || !o->create);
    if (rc == MP_OK && !as_is)
        rc = st->read_only ? mp_errorf(err, MP_E_DB,
                                       "%s: schema version %d, this memplan reads %d: open it "
                                       "once where it can be written to migrate it",
                                       st->path, found, version)
                           : prepare_writes(st, version, err);
    if (rc != MP_OK) {
        mp_store_close(st);
        return rc;
    }
    *out = st;
    return MP_OK;
}

mp_status mp_store_open(const char *path, const mp_store_opts *opts, mp_store **out,
                        mp_error *err)
{
    return open_impl(path, opts, MP_STORE_SCHEMA_VERSION, out, err);
}

mp_status store_open_version(const char *path, int version, mp_store **out, mp_error *err)
{
    return open_impl(path, NULL, version, out, err);
}

/* ---- runs ----------------------------------------------------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "2025-01-31T12:34:56.789Z" */
static void format_time(int64_t ms, char *buf, size_t n)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, n, "%s.%03dZ", date, (int)(ms % 1000));
}

/* argv as one shell-quoted line: "memplan analyze 'my net.json'". */
static void command_line(const mp_run_info *info, mp_strbuf *sb)
{
    mp_strbuf_puts(sb, "memplan");
    for (int i = 0; i < info->argc; i++) {
        const char *a = info->argv[i];
        mp_strbuf_puts(sb, " ");
        if (*a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                            "_-+=.,/:@%") == strlen(a)) {
            mp_strbuf_puts(sb, a);
            continue;
        }
        mp_strbuf_puts(sb, "'");
        for (const char *p = a; *p; p++)
            if (*p == '\'')
                mp_strbuf_puts(sb, "'\\''");
            else
                mp_strbuf_append(sb, p, 1);
        mp_strbuf_puts(sb, "'");
    }
}

static mp_status insert_run(mp_store *st, const mp_run_info *info, const char *line,
                            mp_error *err)
{
    static const char sql[] =
        "INSERT INTO runs (uuid, command, command_line, memplan_version, started_at) "
        "VALUES (lower(hex(randomblob(16))), ?1, ?2, ?3, ?4)";
    char started[40];
    format_time(info->started_ms ? info->started_ms : now_ms(), started, sizeof started);
    sqlite3_stmt *s;
    binder b;
    MP_TRY(store_prepare(st, sql, &s, err));
    binder_start(&b, st, s, err);
    bind_text(&b, info->command);
    bind_text(&b, line);
    bind_text(&b, mp_version());
    bind_text(&b, started);
    if (b.rc == MP_OK)
        b.rc = store_step_done(st, s, err);
    sqlite3_finalize(s);
    return b.rc;
}

mp_status mp_store_begin_run(mp_store *st, const mp_run_info *info, int64_t *run_id,
                             mp_error *err)
{
    if (st->in_run)
        return mp_errorf(err, MP_E_INVALID, "%s: a run is already open", st->path);
    mp_strbuf line;
    mp_strbuf_init(&line);
    command_line(info, &line);
    if (line.failed) {
        mp_strbuf_release(&line);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    mp_status rc = store_exec(st, "BEGIN IMMEDIATE", err);
    if (rc == MP_OK) {
        st->in_run = true;
        rc = insert_run(st, info, line.buf, err);
    }
    mp_strbuf_release(&line);
    if (rc != MP_OK) {
        mp_store_abort_run(st);
        return rc;
    }
    st->run_id = sqlite3_last_insert_rowid(st->db);
    *run_id = st->run_id;
    return MP_OK;
}

mp_status mp_store_commit_run(mp_store *st, mp_error *err)
{
    if (!st->in_run)
        return mp_errorf(err, MP_E_INVALID, "%s: no run is open", st->path);
    char finished[40];
    format_time(now_ms(), finished, sizeof finished);
    sqlite3_stmt *s;
    mp_status rc = store_prepare(st, "UPDATE runs SET finished_at = ?1 WHERE id = ?2", &s, err);
    if (rc == MP_OK) {
        binder b;
        binder_start(&b, st, s, err);
        bind_text(&b, finished);
        bind_i64(&b, st->run_id);
        rc = b.rc == MP_OK ? store_step_done(st, s, err) : b.rc;
        sqlite3_finalize(s);
    }
    if (rc == MP_OK)
        rc = store_exec(st, "COMMIT", err);
    if (rc != MP_OK) {
        mp_store_abort_run(st);
        return rc;
    }
    st->in_run = false;
    return MP_OK;
}

void mp_store_abort_run(mp_store *st)
{
    if (!st || !st->in_run)
        return;
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    st->in_run = false;
}
