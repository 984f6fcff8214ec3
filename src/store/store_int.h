/* SPDX-License-Identifier: MIT */
/*
 * store_int.h - private parts of the store module: the handle and small
 * SQLite helpers that turn SQLite failures into mp_error messages
 * ("reports/memplan.db: database is locked"). Only src/store includes it.
 */
#ifndef MEMPLAN_STORE_INT_H
#define MEMPLAN_STORE_INT_H

#include "memplan/mp_store.h"
#include "store_test.h"

#include <sqlite3.h>

struct mp_store {
    sqlite3 *db;
    char *path;      /* as given to mp_store_open */
    bool in_run;     /* a run transaction is open */
    bool read_only;  /* opened read-only (asked for, or the file is not writable) */
    int64_t run_id;
};

/* "PATH: what: sqlite's message" with MP_E_DB. */
mp_status store_fail(const mp_store *st, mp_error *err, const char *what);
/* Prepare a constant SQL text. */
mp_status store_prepare(mp_store *st, const char *sql, sqlite3_stmt **out, mp_error *err);
/* Step a statement that returns no row (SQLITE_DONE), then reset it for reuse. */
mp_status store_step_done(mp_store *st, sqlite3_stmt *s, mp_error *err);
/* Step expecting one row (SQLITE_ROW): false with MP_OK when there is none. */
mp_status store_step_row(mp_store *st, sqlite3_stmt *s, bool *row, mp_error *err);

/* Binding with checks: integers must be <= INT64_MAX. */
mp_status store_bind_u64(mp_store *st, sqlite3_stmt *s, int i, uint64_t v, mp_error *err);
mp_status store_bind_i64(mp_store *st, sqlite3_stmt *s, int i, int64_t v, mp_error *err);
mp_status store_bind_text(mp_store *st, sqlite3_stmt *s, int i, const char *t, mp_error *err);
mp_status store_bind_null(mp_store *st, sqlite3_stmt *s, int i, mp_error *err);
mp_status store_bind_double(mp_store *st, sqlite3_stmt *s, int i, double v, mp_error *err);

/* Binding parameters 1, 2, 3, ... in turn with a sticky status (the first failure is kept
 * and later binds do nothing): bind them all, then check b.rc once. */
typedef struct binder {
    mp_store *st;
    sqlite3_stmt *s;
    mp_error *err;
    mp_status rc;
    int i; /* the last parameter bound */
} binder;

void binder_start(binder *b, mp_store *st, sqlite3_stmt *s, mp_error *err);
void bind_u64(binder *b, uint64_t v);
void bind_i64(binder *b, int64_t v);
void bind_text(binder *b, const char *t); /* NULL binds NULL */
void bind_double(binder *b, double v);
void bind_null(binder *b);

/* "file:PATH" percent-encoded, then query ("" or "?immutable=1"); NULL without memory. */
char *store_uri(const char *path, const char *query);

/* Text of column i, or NULL. */
const char *store_col_text(sqlite3_stmt *s, int i);

/* schema.c: read (only) the schema version into *found and refuse a database that is
 * newer than target, someone else's, or (existing: the caller does not create) empty. */
mp_status store_inspect(mp_store *st, int target, bool existing, int *found, mp_error *err);
/* schema.c: migrate st to version target (<= MP_STORE_SCHEMA_VERSION), one transaction. */
mp_status store_migrate(mp_store *st, int target, mp_error *err);

#endif
