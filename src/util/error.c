/* SPDX-License-Identifier: MIT */
/* error.c - mp_error: keeps the first (root-cause) message. Module: util. */
#include "memplan/mp_error.h"

#include "alloc.h"
#include "text.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[] = {
    [MP_OK] = "ok",
    [MP_E_IO] = "io",
    [MP_E_PARSE] = "parse",
    [MP_E_INVALID] = "invalid",
    [MP_E_UNSUPPORTED] = "unsupported",
    [MP_E_NOMEM] = "nomem",
    [MP_E_OVERFLOW] = "overflow",
    [MP_E_DB] = "db",
    [MP_E_MISMATCH] = "mismatch",
    [MP_E_LIMIT] = "limit",
};
_Static_assert(sizeof status_names / sizeof status_names[0] == MP_STATUS_COUNT,
               "every mp_status needs a name");

void mp_error_init(mp_error *err)
{
    if (!err)
        return;
    err->status = MP_OK;
    err->msg[0] = '\0';
}

mp_status mp_errorf(mp_error *err, mp_status status, const char *fmt, ...)
{
    assert(status != MP_OK);
    if (!err || err->status != MP_OK)
        return status;
    err->status = status;
    /* formatted with room to spare, then fitted: a long name in the middle is shortened
     * and the reason at the end is kept */
    char local[4 * MP_ERROR_MSG_MAX], *full = local;
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(local, sizeof local, fmt, ap);
    size_t len = n < 0 ? 0 : (size_t)n;
    if (len >= sizeof local) { /* a very long name: the whole text, to keep its end */
        full = mp_malloc(len + 1);
        if (full)
            vsnprintf(full, len + 1, fmt, again);
        else
            full = local, len = sizeof local - 1;
    }
    va_end(again);
    va_end(ap);
    mp_text_fit(full, len, err->msg, sizeof err->msg);
    if (full != local)
        mp_free(full);
    return status;
}

void mp_error_prefix(mp_error *err, const char *prefix)
{
    if (!err || err->status == MP_OK || !prefix || !*prefix)
        return;
    char full[2 * MP_ERROR_MSG_MAX + 8];
    int n = snprintf(full, sizeof full, "%.*s: %s", MP_ERROR_MSG_MAX, prefix, err->msg);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof full ? (size_t)n : sizeof full - 1;
    mp_text_fit(full, len, err->msg, sizeof err->msg); /* the reason at the end is kept */
}

const char *mp_status_name(mp_status status)
{
    if ((unsigned)status >= MP_STATUS_COUNT)
        return "unknown";
    return status_names[status];
}
