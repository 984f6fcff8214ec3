/* SPDX-License-Identifier: MIT */
/*
 * json_fields.h - reading typed fields from cJSON with path-aware errors
 * (module util; private). Used by the JSON readers (net.json, schedule JSON,
 * MCU catalog); cJSON types never appear in public headers.
 *
 * Every getter reports problems as "FILE: PATH.KEY: what is wrong, got X".
 */
#ifndef MEMPLAN_UTIL_JSON_FIELDS_H
#define MEMPLAN_UTIL_JSON_FIELDS_H

#include "memplan/mp_error.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct jctx {
    const char *file;  /* label of the document in messages */
    mp_error *err;
    char path[160];    /* JSON path of the current object, e.g. "layers[3]" */
} jctx;

/* Deepest nesting of arrays and objects a JSON reader accepts. memplan's formats need 7
 * levels; the limit leaves room for "comment" values and keeps cJSON's recursion shallow. */
#define MP_JSON_MAX_DEPTH 64

/* Parse a whole document; trailing text after it is a syntax error ("label:line:col:
 * invalid JSON near '...'"), and so are raw control characters in strings. Nesting deeper
 * than MP_JSON_MAX_DEPTH is MP_E_LIMIT ("label:line:col: nested deeper than 64 levels"),
 * a \u0000 escape MP_E_UNSUPPORTED (names are C strings). */
mp_status jparse(const char *label, const char *text, size_t len, cJSON **root, mp_error *err);

/* Report an error at PATH.key (key may be NULL for the object itself). */
mp_status jfail(jctx *c, const char *key, mp_status st, const char *fmt, ...) MP_PRINTF(4, 5);
/* Short description of a JSON value for messages: "3x3" (quoted), 0, an object, ... */
const char *jdescribe(const cJSON *v, char *buf, size_t n);

/* The member key of obj, or NULL; a required member that is absent is an error. */
mp_status jmember(jctx *c, const cJSON *obj, const char *key, bool required, const cJSON **out);

mp_status jint(jctx *c, const cJSON *obj, const char *key, bool required, int32_t def,
               int32_t min, int32_t max, int32_t *out);
mp_status jint_value(jctx *c, const cJSON *v, const char *key, int32_t min, int32_t max,
                     int32_t *out);
/* An integer n (meaning n, n) or a pair [a, b]. */
mp_status jpair(jctx *c, const cJSON *obj, const char *key, bool required, int32_t def,
                int32_t min, int32_t *a, int32_t *b);
mp_status jstring(jctx *c, const cJSON *obj, const char *key, bool required, const char *def,
                  const char **out);
mp_status jbool(jctx *c, const cJSON *obj, const char *key, bool def, bool *out);
mp_status jnumber(jctx *c, const cJSON *obj, const char *key, bool required, double def,
                  double *out);
/* Reject members of obj whose names are not in allowed (NULL-terminated). */
mp_status jonly(jctx *c, const cJSON *obj, const char *const *allowed1,
                const char *const *allowed2);

#endif
