/* SPDX-License-Identifier: MIT */
/* error.c - mp_error: keeps the first (root-cause) message. Module: util. */
#include "memplan/mp_error.h"

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
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return status;
}

void mp_error_prefix(mp_error *err, const char *prefix)
{
    if (!err || err->status == MP_OK || !prefix || !*prefix)
        return;
    size_t plen = strlen(prefix) + 2; /* "prefix: " */
    size_t mlen = strlen(err->msg);
    if (plen >= sizeof err->msg)
        return;
    if (mlen + plen >= sizeof err->msg)
        mlen = sizeof err->msg - plen - 1;
    memmove(err->msg + plen, err->msg, mlen);
    err->msg[plen + mlen] = '\0';
    memcpy(err->msg, prefix, plen - 2);
    err->msg[plen - 2] = ':';
    err->msg[plen - 1] = ' ';
}

const char *mp_status_name(mp_status status)
{
    if ((unsigned)status >= MP_STATUS_COUNT)
        return "unknown";
    return status_names[status];
}
