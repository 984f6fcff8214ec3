/* SPDX-License-Identifier: MIT */
/*
 * mp_error.h - error values shared by every memplan module.
 *
 * Every fallible library function returns an mp_status and fills a caller-owned
 * mp_error. The message puts the most precise location first, compiler style:
 *
 *     nets/vww.json: layers[3].kernel: expected a positive integer, got "3x3"
 *
 * The first error reported into an mp_error is kept (the root cause); later
 * calls to mp_errorf() on the same object leave the message alone but still
 * return their status, so `return mp_errorf(...)` reports and fails in one go.
 */
#ifndef MEMPLAN_MP_ERROR_H
#define MEMPLAN_MP_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mp_status {
    MP_OK = 0,
    MP_E_IO,          /* a file could not be read or written */
    MP_E_PARSE,       /* syntax error in an input file */
    MP_E_INVALID,     /* well-formed input that violates a rule */
    MP_E_UNSUPPORTED, /* valid input memplan cannot handle */
    MP_E_NOMEM,       /* a host allocation failed */
    MP_E_OVERFLOW,    /* a size computation would overflow */
    MP_E_DB,          /* SQLite reported an error */
    MP_E_MISMATCH,    /* a check failed (validation, hash) */
    MP_E_LIMIT,       /* an input exceeds one of memplan's limits */
    MP_STATUS_COUNT
} mp_status;

#define MP_ERROR_MSG_MAX 512

typedef struct mp_error {
    mp_status status;           /* MP_OK until the first error */
    char msg[MP_ERROR_MSG_MAX]; /* the first error's message, "" when none */
} mp_error;

#if defined(__GNUC__) || defined(__clang__)
#define MP_PRINTF(fmt_idx, arg_idx) __attribute__((format(printf, fmt_idx, arg_idx)))
#else
#define MP_PRINTF(fmt_idx, arg_idx)
#endif

/* Reset err to "no error". */
void mp_error_init(mp_error *err);

/*
 * Record an error: when err holds no error yet, store status and the formatted
 * message (truncated to MP_ERROR_MSG_MAX - 1 bytes). Returns status, so callers
 * can write `return mp_errorf(err, MP_E_INVALID, "...", ...)`. err may be NULL.
 */
mp_status mp_errorf(mp_error *err, mp_status status, const char *fmt, ...) MP_PRINTF(3, 4);

/*
 * Prefix the stored message with "prefix: " (used to add a file name to an
 * error reported by a lower layer). No-op when err holds no error.
 */
void mp_error_prefix(mp_error *err, const char *prefix);

/* A short constant name of a status ("io", "parse", ...). */
const char *mp_status_name(mp_status status);

/* Forward a failing status to the caller. */
#define MP_TRY(expr)                                                                               \
    do {                                                                                           \
        mp_status mp_try_st_ = (expr);                                                             \
        if (mp_try_st_ != MP_OK)                                                                   \
            return mp_try_st_;                                                                     \
    } while (0)

#ifdef __cplusplus
}
#endif

#endif
