/* SPDX-License-Identifier: MIT */
/* json_fields.c - typed cJSON getters with path-aware errors (module util). */
#include "json_fields.h"

#include "text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

mp_status jfail(jctx *c, const char *key, mp_status st, const char *fmt, ...)
{
    char full[2048], msg[400];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(full, sizeof full, fmt, ap);
    va_end(ap);
    /* a long name in the middle is shortened, the reason at the end kept */
    mp_text_fit(full, n < 0 ? 0 : (size_t)n < sizeof full ? (size_t)n : sizeof full - 1, msg,
                sizeof msg);
    if (key && *c->path)
        return mp_errorf(c->err, st, "%s: %s.%s: %s", c->file, c->path, key, msg);
    if (key)
        return mp_errorf(c->err, st, "%s: %s: %s", c->file, key, msg);
    if (*c->path)
        return mp_errorf(c->err, st, "%s: %s: %s", c->file, c->path, msg);
    return mp_errorf(c->err, st, "%s: %s", c->file, msg);
}

const char *jdescribe(const cJSON *v, char *buf, size_t n)
{
    if (!v)
        snprintf(buf, n, "nothing");
    else if (cJSON_IsString(v))
        snprintf(buf, n, "\"%.40s%s\"", v->valuestring, strlen(v->valuestring) > 40 ? "..." : "");
    else if (cJSON_IsNumber(v))
        snprintf(buf, n, "%.17g", v->valuedouble);
    else if (cJSON_IsBool(v))
        snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNull(v))
        snprintf(buf, n, "null");
    else if (cJSON_IsArray(v))
        snprintf(buf, n, "an array");
    else
        snprintf(buf, n, "an object");
    return buf;
}

mp_status jmember(jctx *c, const cJSON *obj, const char *key, bool required, const cJSON **out)
{
    *out = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!*out && required)
        return jfail(c, key, MP_E_INVALID, "missing required field");
    return MP_OK;
}

static const char *int_expectation(int32_t min, char *buf, size_t n)
{
    if (min == 1)
        snprintf(buf, n, "a positive integer");
    else if (min == 0)
        snprintf(buf, n, "an integer >= 0");
    else if (min == INT32_MIN)
        snprintf(buf, n, "an integer");
    else
        snprintf(buf, n, "an integer >= %d", min);
    return buf;
}

mp_status jint_value(jctx *c, const cJSON *v, const char *key, int32_t min, int32_t max,
                     int32_t *out)
{
    char got[64], want[48];
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble < (double)min || v->valuedouble > (double)max) {
        if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
            v->valuedouble > (double)max)
            return jfail(c, key, MP_E_LIMIT, "value %s exceeds the limit %d",
                         jdescribe(v, got, sizeof got), max);
        return jfail(c, key, MP_E_INVALID, "expected %s, got %s",
                     int_expectation(min, want, sizeof want), jdescribe(v, got, sizeof got));
    }
    *out = (int32_t)v->valuedouble;
    return MP_OK;
}

mp_status jint(jctx *c, const cJSON *obj, const char *key, bool required, int32_t def,
               int32_t min, int32_t max, int32_t *out)
{
    const cJSON *v;
    MP_TRY(jmember(c, obj, key, required, &v));
    if (!v) {
        *out = def;
        return MP_OK;
    }
    return jint_value(c, v, key, min, max, out);
}

mp_status jpair(jctx *c, const cJSON *obj, const char *key, bool required, int32_t def,
                int32_t min, int32_t *a, int32_t *b)
{
    const cJSON *v;
    MP_TRY(jmember(c, obj, key, required, &v));
    if (!v) {
        *a = *b = def;
        return MP_OK;
    }
    if (cJSON_IsArray(v)) {
        if (cJSON_GetArraySize(v) != 2) {
            char want[48];
            return jfail(c, key, MP_E_INVALID, "expected %s or a pair [height, width], got %d values",
                         int_expectation(min, want, sizeof want), cJSON_GetArraySize(v));
        }
        MP_TRY(jint_value(c, cJSON_GetArrayItem(v, 0), key, min, 1000000, a));
        return jint_value(c, cJSON_GetArrayItem(v, 1), key, min, 1000000, b);
    }
    if (!cJSON_IsNumber(v)) {
        char got[64], want[48];
        return jfail(c, key, MP_E_INVALID, "expected %s, got %s",
                     int_expectation(min, want, sizeof want), jdescribe(v, got, sizeof got));
    }
    MP_TRY(jint_value(c, v, key, min, 1000000, a));
    *b = *a;
    return MP_OK;
}

mp_status jstring(jctx *c, const cJSON *obj, const char *key, bool required, const char *def,
                  const char **out)
{
    const cJSON *v;
    MP_TRY(jmember(c, obj, key, required, &v));
    if (!v) {
        *out = def;
        return MP_OK;
    }
    if (!cJSON_IsString(v) || !v->valuestring) {
        char got[64];
        return jfail(c, key, MP_E_INVALID, "expected a string, got %s",
                     jdescribe(v, got, sizeof got));
    }
    *out = v->valuestring;
    return MP_OK;
}

mp_status jbool(jctx *c, const cJSON *obj, const char *key, bool def, bool *out)
{
    const cJSON *v;
    MP_TRY(jmember(c, obj, key, false, &v));
    if (!v) {
        *out = def;
        return MP_OK;
    }
    if (!cJSON_IsBool(v)) {
        char got[64];
        return jfail(c, key, MP_E_INVALID, "expected true or false, got %s",
                     jdescribe(v, got, sizeof got));
    }
    *out = cJSON_IsTrue(v);
    return MP_OK;
}

mp_status jnumber(jctx *c, const cJSON *obj, const char *key, bool required, double def,
                  double *out)
{
    const cJSON *v;
    MP_TRY(jmember(c, obj, key, required, &v));
    if (!v) {
        *out = def;
        return MP_OK;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
        char got[64];
        return jfail(c, key, MP_E_INVALID, "expected a number, got %s",
                     jdescribe(v, got, sizeof got));
    }
    *out = v->valuedouble;
    return MP_OK;
}

static bool in_list(const char *key, const char *const *list)
{
    for (; list && *list; list++)
        if (strcmp(key, *list) == 0)
            return true;
    return false;
}

mp_status jonly(jctx *c, const cJSON *obj, const char *const *allowed1,
                const char *const *allowed2)
{
    for (const cJSON *m = obj->child; m; m = m->next) {
        if (!m->string)
            continue;
        if (!in_list(m->string, allowed1) && !in_list(m->string, allowed2))
            return jfail(c, m->string, MP_E_INVALID, "unknown field");
        for (const cJSON *o = obj->child; o != m; o = o->next)
            if (o->string && strcmp(o->string, m->string) == 0)
                return jfail(c, m->string, MP_E_INVALID, "field given twice");
    }
    return MP_OK;
}

/* Line and column (1-based) of position at in text. */
static void line_col(const char *text, const char *at, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (const char *p = text; p < at; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* A syntax error at position at (cJSON's error position, or trailing text after the
 * document when trailing is true): "label:line:col: ...". */
static mp_status syntax_at(const char *label, const char *text, size_t len, mp_error *err,
                           const char *at, bool trailing)
{
    if (!at || at < text || at > text + len)
        return mp_errorf(err, MP_E_PARSE, "%s: invalid JSON", label);
    while (at < text + len && (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r'))
        at++;
    int line, col;
    line_col(text, at, &line, &col);
    if (at >= text + len || !*at)
        return mp_errorf(err, MP_E_PARSE, "%s:%d:%d: unexpected end of the document", label, line,
                         col);
    char near[24];
    size_t k = 0;
    for (const char *p = at; k < sizeof near - 1 && p < text + len && *p && *p != '\n'; p++)
        near[k++] = *p;
    near[k] = '\0';
    if (trailing)
        return mp_errorf(err, MP_E_PARSE, "%s:%d:%d: unexpected text after the document: '%s'",
                         label, line, col, near);
    return mp_errorf(err, MP_E_PARSE, "%s:%d:%d: invalid JSON near '%s'", label, line, col, near);
}

/* What jparse checks before cJSON parses: nesting depth, and strings that cJSON would take
 * but memplan refuses. */
typedef struct text_scan {
    const char *deep;    /* the first '[' or '{' nested deeper than MP_JSON_MAX_DEPTH */
    const char *control; /* the first raw control character (< 0x20) inside a string: invalid
                            JSON that cJSON accepts */
    const char *nul;     /* the first \u0000 escape: C strings would end there, so "a\u0000b"
                            would silently read as "a" */
} text_scan;

static void scan_text(const char *text, size_t len, text_scan *sc)
{
    *sc = (text_scan){NULL, NULL, NULL};
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (in_string) {
            if (ch < 0x20 && !sc->control)
                sc->control = text + i;
            if (ch == '\\') {
                if (!sc->nul && len - i >= 6 && memcmp(text + i + 1, "u0000", 5) == 0)
                    sc->nul = text + i;
                i++;
            } else if (ch == '"') {
                in_string = false;
            }
        } else if (ch == '"') {
            in_string = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > MP_JSON_MAX_DEPTH && !sc->deep)
                sc->deep = text + i;
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
}

/* The earliest of the positions (NULL ones ignored). */
static const char *earliest(const char *a, const char *b)
{
    return !a ? b : !b ? a : a < b ? a : b;
}

/*
 * cJSON reports where parsing stopped through return_parse_end, on failure too; its
 * global cJSON_GetErrorPtr() is not used, because threads (a sweep imports networks in
 * parallel) would race on it. Nesting is limited before cJSON's own, much deeper, limit
 * (1000 levels of recursion) is reached, and strings with raw control characters or
 * \u0000 are refused. A syntax error before the first such place is reported as the
 * syntax error; otherwise the place is.
 */
mp_status jparse(const char *label, const char *text, size_t len, cJSON **root, mp_error *err)
{
    const char *end = NULL;
    text_scan sc;
    scan_text(text, len, &sc);
    const char *bad = earliest(sc.deep, earliest(sc.control, sc.nul));
    *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!*root && !(bad && end >= bad))
        return syntax_at(label, text, len, err, end, false);
    if (bad) {
        cJSON_Delete(*root);
        *root = NULL;
        int line, col;
        line_col(text, bad, &line, &col);
        if (bad == sc.deep)
            return mp_errorf(err, MP_E_LIMIT, "%s:%d:%d: nested deeper than %d levels", label,
                             line, col, MP_JSON_MAX_DEPTH);
        if (bad == sc.control)
            return mp_errorf(err, MP_E_PARSE,
                             "%s:%d:%d: invalid JSON: control character 0x%02x in a string",
                             label, line, col, (unsigned char)*bad);
        return mp_errorf(err, MP_E_UNSUPPORTED, "%s:%d:%d: \\u0000 in a string is not supported",
                         label, line, col);
    }
    while (end && end < text + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (end && end < text + len) {
        cJSON_Delete(*root);
        *root = NULL;
        return syntax_at(label, text, len, err, end, true);
    }
    return MP_OK;
}
