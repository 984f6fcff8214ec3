/* SPDX-License-Identifier: MIT */
/*
 * store_test.h - seams of the store module for its unit tests (no SQLite
 * types): open a database at an older schema version, run constant SQL, read
 * one number. Not API; the CLI never uses them.
 */
#ifndef MEMPLAN_STORE_TEST_H
#define MEMPLAN_STORE_TEST_H

#include "memplan/mp_store.h"

/* Open (or create) path and migrate it only up to version (1..MP_STORE_SCHEMA_VERSION). */
mp_status store_open_version(const char *path, int version, mp_store **out, mp_error *err);
/* Run constant SQL text (no parameters; may hold several statements). */
mp_status store_exec(mp_store *st, const char *sql, mp_error *err);
/* The schema version of an open store (PRAGMA user_version). */
mp_status store_user_version(mp_store *st, int *version, mp_error *err);
/* The first column of the first row of a constant query (0 when there is no row). */
mp_status store_query_int(mp_store *st, const char *sql, int64_t *out, mp_error *err);

#endif
