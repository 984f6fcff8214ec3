/* SPDX-License-Identifier: MIT */
/*
 * mp_report.h - a small table model and its four renderings (module util):
 * aligned text, CSV (RFC 4180), JSON and Markdown. The sweep matrix and every
 * `memplan report` view are built as an mp_report, so the same data prints
 * the same way wherever it comes from (a sweep in memory or the database).
 *
 *     mp_report r;
 *     mp_report_init(&r);
 *     mp_report_set_title(&r, "runs");
 *     mp_report_add_column(&r, "run", NULL, true);
 *     mp_report_add_column(&r, "command", NULL, false);
 *     mp_report_add_row(&r);
 *     mp_report_setf(&r, 0, "%d", 1);
 *     mp_report_set(&r, 1, "analyze");
 *     mp_report_write(&r, MP_REPORT_TABLE, &sb, &err);
 *     mp_report_release(&r);
 *
 * Building never fails on the spot: an allocation failure is remembered
 * (sticky, like mp_strbuf) and mp_report_write then returns MP_E_NOMEM.
 */
#ifndef MEMPLAN_MP_REPORT_H
#define MEMPLAN_MP_REPORT_H

#include "memplan/mp_error.h"
#include "memplan/mp_util.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mp_report_format {
    MP_REPORT_TABLE,    /* aligned columns for a terminal; title, detail line, notes */
    MP_REPORT_CSV,      /* header + rows only (RFC 4180 quoting) */
    MP_REPORT_JSON,     /* {"title", "columns": [{"name", "detail"}], "rows": [[...]], "notes"} */
    MP_REPORT_MARKDOWN, /* a GitHub table with the title in bold and notes below */
    MP_REPORT_FORMAT_COUNT
} mp_report_format;

typedef struct mp_report_column {
    char *name;   /* header */
    char *detail; /* second header line (e.g. "320 KiB" under an MCU name), or NULL */
    bool numeric; /* right-aligned; integer/decimal cells become JSON numbers */
} mp_report_column;

typedef struct mp_report {
    char *title;              /* or NULL */
    uint32_t n_cols;
    mp_report_column *cols;
    uint32_t n_rows;
    char **cells;             /* n_rows * n_cols, row-major; NULL = empty (JSON null) */
    uint32_t rows_cap;
    uint32_t n_notes;
    char **notes;             /* lines printed after the table (legend, hints) */
    bool failed;              /* an allocation failed: the report is incomplete */
} mp_report;

void mp_report_init(mp_report *r);
/* Free everything the report owns; it can be reused after mp_report_init. */
void mp_report_release(mp_report *r);
void mp_report_set_title(mp_report *r, const char *fmt, ...) MP_PRINTF(2, 3);
/* Add a column (only before the first row). detail may be NULL. */
void mp_report_add_column(mp_report *r, const char *name, const char *detail, bool numeric);
/* Append a row of empty cells; mp_report_set/setf fill the last row. */
void mp_report_add_row(mp_report *r);
void mp_report_set(mp_report *r, uint32_t col, const char *text);
void mp_report_setf(mp_report *r, uint32_t col, const char *fmt, ...) MP_PRINTF(3, 4);
void mp_report_add_note(mp_report *r, const char *fmt, ...) MP_PRINTF(2, 3);

/* Render into out (appended). MP_E_NOMEM when building or rendering ran out of memory. */
mp_status mp_report_write(const mp_report *r, mp_report_format fmt, mp_strbuf *out,
                          mp_error *err);

/* "table", "csv", "json", "markdown" (also "md"); false for anything else. */
bool mp_report_format_parse(const char *s, mp_report_format *out);

#ifdef __cplusplus
}
#endif

#endif
