/* SPDX-License-Identifier: MIT */
/*
 * report.c - the table model of mp_report.h and its text, CSV, JSON and
 * Markdown renderings (module util). Cells are strings; a column marked
 * numeric is right-aligned in text and Markdown, and its cells that look
 * like numbers are written as JSON numbers.
 */
#include "memplan/mp_report.h"

#include "alloc.h"
#include "checked.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mp_report_init(mp_report *r)
{
    memset(r, 0, sizeof *r);
}

void mp_report_release(mp_report *r)
{
    mp_free(r->title);
    for (uint32_t i = 0; i < r->n_cols; i++) {
        mp_free(r->cols[i].name);
        mp_free(r->cols[i].detail);
    }
    mp_free(r->cols);
    for (size_t i = 0; i < (size_t)r->n_rows * r->n_cols; i++)
        mp_free(r->cells[i]);
    mp_free(r->cells);
    for (uint32_t i = 0; i < r->n_notes; i++)
        mp_free(r->notes[i]);
    mp_free(r->notes);
    mp_report_init(r);
}

/* A heap copy of s (NULL stays NULL); sets r->failed when out of memory. */
static char *dup_text(mp_report *r, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *d = mp_malloc(n + 1);
    if (!d) {
        r->failed = true;
        return NULL;
    }
    memcpy(d, s, n + 1);
    return d;
}

/* vsnprintf into a new heap string; NULL (and r->failed) when out of memory. */
static char *vformat(mp_report *r, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *d = n >= 0 ? mp_malloc((size_t)n + 1) : NULL;
    if (!d) {
        r->failed = true;
        return NULL;
    }
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    return d;
}

void mp_report_set_title(mp_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *t = vformat(r, fmt, ap);
    va_end(ap);
    mp_free(r->title);
    r->title = t;
}

void mp_report_add_column(mp_report *r, const char *name, const char *detail, bool numeric)
{
    if (r->failed || r->n_rows) {
        r->failed = true;
        return;
    }
    mp_report_column *cols = mp_realloc(r->cols, ((size_t)r->n_cols + 1) * sizeof *cols);
    if (!cols) {
        r->failed = true;
        return;
    }
    r->cols = cols;
    mp_report_column *c = &cols[r->n_cols];
    c->name = dup_text(r, name);
    c->detail = dup_text(r, detail);
    c->numeric = numeric;
    r->n_cols++;
}

void mp_report_add_row(mp_report *r)
{
    if (r->failed)
        return;
    if (r->n_rows == r->rows_cap) {
        uint32_t cap = r->rows_cap ? r->rows_cap * 2 : 16;
        size_t bytes;
        if (cap <= r->rows_cap || !mp_mul_size((size_t)cap * r->n_cols, sizeof(char *), &bytes)) {
            r->failed = true;
            return;
        }
        char **cells = mp_realloc(r->cells, bytes ? bytes : 1);
        if (!cells) {
            r->failed = true;
            return;
        }
        r->cells = cells;
        r->rows_cap = cap;
    }
    for (uint32_t c = 0; c < r->n_cols; c++)
        r->cells[(size_t)r->n_rows * r->n_cols + c] = NULL;
    r->n_rows++;
}

static char **last_cell(mp_report *r, uint32_t col)
{
    if (r->failed || !r->n_rows || col >= r->n_cols)
        return NULL;
    return &r->cells[(size_t)(r->n_rows - 1) * r->n_cols + col];
}

void mp_report_set(mp_report *r, uint32_t col, const char *text)
{
    char **cell = last_cell(r, col);
    if (!cell)
        return;
    mp_free(*cell);
    *cell = dup_text(r, text);
}

void mp_report_setf(mp_report *r, uint32_t col, const char *fmt, ...)
{
    char **cell = last_cell(r, col);
    if (!cell)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *t = vformat(r, fmt, ap);
    va_end(ap);
    mp_free(*cell);
    *cell = t;
}

void mp_report_add_note(mp_report *r, const char *fmt, ...)
{
    if (r->failed)
        return;
    char **notes = mp_realloc(r->notes, ((size_t)r->n_notes + 1) * sizeof *notes);
    if (!notes) {
        r->failed = true;
        return;
    }
    r->notes = notes;
    va_list ap;
    va_start(ap, fmt);
    char *t = vformat(r, fmt, ap);
    va_end(ap);
    if (t)
        r->notes[r->n_notes++] = t;
}

static const char *cell_at(const mp_report *r, uint32_t row, uint32_t col)
{
    return r->cells[(size_t)row * r->n_cols + col];
}

/* ---- text ----------------------------------------------------------------------------- */

static void pad(mp_strbuf *sb, size_t n)
{
    static const char spaces[] = "                                ";
    while (n) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        mp_strbuf_append(sb, spaces, k);
        n -= k;
    }
}

enum { TABLE_WIDTH = 80 }; /* wider tables are printed in groups of columns */

/* Append one line of cells (text[c] may be NULL) of column 0 and columns [lo, hi),
 * aligned, trailing blanks trimmed. */
static void text_line(mp_strbuf *sb, const mp_report *r, const size_t *width,
                      const char *const *text, uint32_t lo, uint32_t hi)
{
    size_t line_start = sb->len;
    for (uint32_t c = 0; c < hi; c++) {
        if (c && c < lo)
            continue;
        const char *t = text[c] ? text[c] : "";
        size_t len = strlen(t);
        if (c)
            pad(sb, 2);
        if (r->cols[c].numeric)
            pad(sb, width[c] > len ? width[c] - len : 0);
        if (!r->cols[c].numeric && len > width[c] && width[c] > 3) { /* a clamped column */
            mp_strbuf_append(sb, t, width[c] - 3);
            mp_strbuf_puts(sb, "...");
            len = width[c];
        } else {
            mp_strbuf_append(sb, t, len);
        }
        if (!r->cols[c].numeric)
            pad(sb, width[c] > len ? width[c] - len : 0);
    }
    while (sb->len > line_start && !sb->failed && sb->buf[sb->len - 1] == ' ')
        sb->buf[--sb->len] = '\0';
    mp_strbuf_puts(sb, "\n");
}

/* A note wrapped at TABLE_WIDTH on blanks, continuation lines indented by 2. */
static void write_note(mp_strbuf *sb, const char *t)
{
    size_t col = 0, indent = 0;
    while (*t) {
        size_t word = strcspn(t, " "), lead = col > indent ? 1 : 0;
        if (col > indent && col + lead + word > TABLE_WIDTH) {
            mp_strbuf_puts(sb, "\n  ");
            col = indent = 2;
            lead = 0;
        }
        if (lead)
            mp_strbuf_puts(sb, " ");
        mp_strbuf_append(sb, t, word);
        col += lead + word;
        t += word;
        while (*t == ' ')
            t++;
    }
    mp_strbuf_puts(sb, "\n");
}

/* The header lines and rows of column 0 and columns [lo, hi). */
static void write_group(const mp_report *r, mp_strbuf *sb, const size_t *width,
                        const char **text, bool details, uint32_t lo, uint32_t hi)
{
    for (uint32_t c = 0; c < r->n_cols; c++)
        text[c] = r->cols[c].name;
    text_line(sb, r, width, text, lo, hi);
    if (details) {
        for (uint32_t c = 0; c < r->n_cols; c++)
            text[c] = r->cols[c].detail;
        text_line(sb, r, width, text, lo, hi);
    }
    for (uint32_t i = 0; i < r->n_rows; i++) {
        for (uint32_t c = 0; c < r->n_cols; c++)
            text[c] = cell_at(r, i, c);
        text_line(sb, r, width, text, lo, hi);
    }
}

static void write_table(const mp_report *r, mp_strbuf *sb, size_t *width, const char **text)
{
    bool details = false;
    for (uint32_t c = 0; c < r->n_cols; c++) {
        width[c] = strlen(r->cols[c].name);
        if (r->cols[c].detail) {
            details = true;
            size_t d = strlen(r->cols[c].detail);
            width[c] = d > width[c] ? d : width[c];
        }
        for (uint32_t i = 0; i < r->n_rows; i++) {
            const char *t = cell_at(r, i, c);
            size_t len = t ? strlen(t) : 0;
            width[c] = len > width[c] ? len : width[c];
        }
    }
    if (r->title)
        mp_strbuf_printf(sb, "%s\n\n", r->title);
    /* Column 0 names the rows; the others go in groups that fit the width (at least one
     * column each), so a matrix of many targets stays readable on a terminal. */
    uint32_t lo = r->n_cols ? 1 : 0;
    do {
        size_t used = r->n_cols ? width[0] : 0;
        uint32_t hi = lo;
        while (hi < r->n_cols && (hi == lo || used + 2 + width[hi] <= TABLE_WIDTH))
            used += 2 + width[hi++];
        /* A free-text column too wide even alone (a command line) is cut to the width;
         * --format csv and json keep it whole. */
        if (hi == lo + 1 && used > TABLE_WIDTH && !r->cols[lo].numeric &&
            used - width[lo] + 20 <= TABLE_WIDTH)
            width[lo] = TABLE_WIDTH - (used - width[lo]);
        if (lo > 1)
            mp_strbuf_puts(sb, "\n");
        write_group(r, sb, width, text, details, lo, hi > lo ? hi : r->n_cols);
        lo = hi;
    } while (lo < r->n_cols);
    if (!r->n_rows)
        mp_strbuf_puts(sb, "(none)\n");
    for (uint32_t i = 0; i < r->n_notes; i++) {
        if (!i)
            mp_strbuf_puts(sb, "\n");
        write_note(sb, r->notes[i]);
    }
}

/* ---- CSV ------------------------------------------------------------------------------ */

static void csv_field(mp_strbuf *sb, const char *t)
{
    if (!t)
        return;
    if (!strpbrk(t, ",\"\r\n") && t[0] != ' ' && (!*t || t[strlen(t) - 1] != ' ')) {
        mp_strbuf_puts(sb, t);
        return;
    }
    mp_strbuf_puts(sb, "\"");
    for (const char *p = t; *p; p++) {
        if (*p == '"')
            mp_strbuf_puts(sb, "\"");
        mp_strbuf_append(sb, p, 1);
    }
    mp_strbuf_puts(sb, "\"");
}

static void write_csv(const mp_report *r, mp_strbuf *sb)
{
    for (uint32_t c = 0; c < r->n_cols; c++) {
        if (c)
            mp_strbuf_puts(sb, ",");
        csv_field(sb, r->cols[c].name);
    }
    mp_strbuf_puts(sb, "\r\n");
    for (uint32_t i = 0; i < r->n_rows; i++) {
        for (uint32_t c = 0; c < r->n_cols; c++) {
            if (c)
                mp_strbuf_puts(sb, ",");
            csv_field(sb, cell_at(r, i, c));
        }
        mp_strbuf_puts(sb, "\r\n");
    }
}

/* ---- JSON ----------------------------------------------------------------------------- */

/* A JSON number: -?digits(.digits)? with no leading zeros except "0". */
static bool is_json_number(const char *t)
{
    const char *p = t;
    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

static void json_text(mp_strbuf *sb, const char *t)
{
    if (t)
        mp_strbuf_json_string(sb, t);
    else
        mp_strbuf_puts(sb, "null");
}

static void write_json(const mp_report *r, mp_strbuf *sb)
{
    mp_strbuf_puts(sb, "{\"title\": ");
    json_text(sb, r->title);
    mp_strbuf_puts(sb, ",\n \"columns\": [");
    for (uint32_t c = 0; c < r->n_cols; c++) {
        mp_strbuf_puts(sb, c ? ", {\"name\": " : "{\"name\": ");
        json_text(sb, r->cols[c].name);
        mp_strbuf_puts(sb, ", \"detail\": ");
        json_text(sb, r->cols[c].detail);
        mp_strbuf_puts(sb, "}");
    }
    mp_strbuf_puts(sb, "],\n \"rows\": [");
    for (uint32_t i = 0; i < r->n_rows; i++) {
        mp_strbuf_puts(sb, i ? ",\n  [" : "\n  [");
        for (uint32_t c = 0; c < r->n_cols; c++) {
            const char *t = cell_at(r, i, c);
            if (c)
                mp_strbuf_puts(sb, ", ");
            if (t && r->cols[c].numeric && is_json_number(t))
                mp_strbuf_puts(sb, t);
            else
                json_text(sb, t);
        }
        mp_strbuf_puts(sb, "]");
    }
    mp_strbuf_puts(sb, "],\n \"notes\": [");
    for (uint32_t i = 0; i < r->n_notes; i++) {
        mp_strbuf_puts(sb, i ? ", " : "");
        json_text(sb, r->notes[i]);
    }
    mp_strbuf_puts(sb, "]}\n");
}

/* ---- Markdown ------------------------------------------------------------------------- */

static void md_text(mp_strbuf *sb, const char *t, bool cell)
{
    /* a name is text, never markup: HTML's special characters become entities, in a table
     * cell the cell's and code's (| `) are backslash-escaped, line breaks and control
     * characters become spaces */
    for (const char *p = t ? t : ""; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '<')
            mp_strbuf_puts(sb, "&lt;");
        else if (ch == '>')
            mp_strbuf_puts(sb, "&gt;");
        else if (ch == '&')
            mp_strbuf_puts(sb, "&amp;");
        else if (cell && (ch == '|' || ch == '`'))
            mp_strbuf_printf(sb, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            mp_strbuf_puts(sb, " ");
        else
            mp_strbuf_append(sb, p, 1);
    }
}

static void md_cell(mp_strbuf *sb, const char *t)
{
    mp_strbuf_puts(sb, " ");
    md_text(sb, t, true);
    mp_strbuf_puts(sb, " |");
}

static void write_markdown(const mp_report *r, mp_strbuf *sb)
{
    if (r->title) {
        mp_strbuf_puts(sb, "**");
        md_text(sb, r->title, false);
        mp_strbuf_puts(sb, "**\n\n");
    }
    mp_strbuf_puts(sb, "|");
    for (uint32_t c = 0; c < r->n_cols; c++) {
        mp_strbuf_puts(sb, " ");
        mp_strbuf_puts(sb, r->cols[c].name);
        if (r->cols[c].detail)
            mp_strbuf_printf(sb, " (%s)", r->cols[c].detail);
        mp_strbuf_puts(sb, " |");
    }
    mp_strbuf_puts(sb, "\n|");
    for (uint32_t c = 0; c < r->n_cols; c++)
        mp_strbuf_puts(sb, r->cols[c].numeric ? " ---: |" : " --- |");
    mp_strbuf_puts(sb, "\n");
    for (uint32_t i = 0; i < r->n_rows; i++) {
        mp_strbuf_puts(sb, "|");
        for (uint32_t c = 0; c < r->n_cols; c++)
            md_cell(sb, cell_at(r, i, c));
        mp_strbuf_puts(sb, "\n");
    }
    for (uint32_t i = 0; i < r->n_notes; i++) {
        mp_strbuf_puts(sb, "\n");
        md_text(sb, r->notes[i], false);
        mp_strbuf_puts(sb, "\n");
    }
}

mp_status mp_report_write(const mp_report *r, mp_report_format fmt, mp_strbuf *out,
                          mp_error *err)
{
    if (r->failed)
        return mp_errorf(err, MP_E_NOMEM, "out of memory building a report");
    size_t *width = mp_calloc(r->n_cols ? r->n_cols : 1, sizeof *width);
    const char **text = mp_calloc(r->n_cols ? r->n_cols : 1, sizeof *text);
    if (!width || !text) {
        mp_free(width);
        mp_free(text);
        return mp_errorf(err, MP_E_NOMEM, "out of memory writing a report");
    }
    switch (fmt) {
    case MP_REPORT_CSV:
        write_csv(r, out);
        break;
    case MP_REPORT_JSON:
        write_json(r, out);
        break;
    case MP_REPORT_MARKDOWN:
        write_markdown(r, out);
        break;
    default:
        write_table(r, out, width, text);
        break;
    }
    mp_free(width);
    mp_free(text);
    if (out->failed)
        return mp_errorf(err, MP_E_NOMEM, "out of memory writing a report");
    return MP_OK;
}

bool mp_report_format_parse(const char *s, mp_report_format *out)
{
    static const struct {
        const char *name;
        mp_report_format fmt;
    } names[] = {
        {"table", MP_REPORT_TABLE}, {"csv", MP_REPORT_CSV},      {"json", MP_REPORT_JSON},
        {"markdown", MP_REPORT_MARKDOWN}, {"md", MP_REPORT_MARKDOWN},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].fmt;
            return true;
        }
    }
    return false;
}
