/* SPDX-License-Identifier: MIT */
/*
 * mp_util.h - small public helpers: a growable string buffer, size parsing,
 * whole-file reads and crash-safe (atomic) file writes.
 */
#ifndef MEMPLAN_MP_UTIL_H
#define MEMPLAN_MP_UTIL_H

#include "memplan/mp_error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A growable NUL-terminated string. Appends after a failed allocation are
 * ignored and `failed` stays set (a sticky error), so a writer checks once at
 * the end. Initialise with mp_strbuf_init, free with mp_strbuf_release.
 */
typedef struct mp_strbuf {
    char *buf;   /* NUL-terminated text, never NULL after init */
    size_t len;  /* bytes before the NUL */
    size_t cap;  /* allocated bytes */
    bool failed; /* an allocation failed; content is truncated */
} mp_strbuf;

void mp_strbuf_init(mp_strbuf *sb);
void mp_strbuf_release(mp_strbuf *sb);
void mp_strbuf_reset(mp_strbuf *sb);
void mp_strbuf_append(mp_strbuf *sb, const char *s, size_t n);
void mp_strbuf_puts(mp_strbuf *sb, const char *s);
void mp_strbuf_printf(mp_strbuf *sb, const char *fmt, ...) MP_PRINTF(2, 3);
/* Append s as a JSON string literal, with quotes and escapes. */
void mp_strbuf_json_string(mp_strbuf *sb, const char *s);

/*
 * Parse a byte count: a decimal integer with an optional suffix
 * B, K/KB/KiB (1024), M/MB/MiB (1024^2), G/GiB (1024^3), case-insensitive.
 * ("256K" = 262144; memory sizes of MCU datasheets are binary.) Returns
 * MP_E_INVALID for text that is not a size, MP_E_OVERFLOW when it exceeds
 * SIZE_MAX; what names the option in the message ("--budget").
 */
mp_status mp_parse_size(const char *text, const char *what, size_t *out, mp_error *err);

/* Format n with thousands separators into buf ("1,404,928"); returns buf. */
char *mp_format_count(uint64_t n, char *buf, size_t buf_size);

/*
 * Read a whole file into a new heap buffer (NUL-terminated for text parsers;
 * *size excludes the NUL). Only regular files are read: a directory, FIFO,
 * device or socket is refused with MP_E_IO without blocking. Files larger
 * than max_bytes are refused with MP_E_LIMIT. The file is remembered as an
 * input of the process (mp_file_write_atomic never writes over it). Free the
 * buffer with mp_file_free.
 */
mp_status mp_file_read(const char *path, size_t max_bytes, char **data, size_t *size,
                       mp_error *err);
void mp_file_free(char *data);

/*
 * Write an output file (docs/reliability.md, "Writing outputs"). "-" is
 * standard output. Otherwise path (or the file its symbolic link names) must
 * be missing or a regular file that is not an input of this process (same
 * device and inode as a file read by mp_file_read or noted with
 * mp_file_note_input); anything else is refused with MP_E_IO. A temporary
 * file beside it is written, flushed and renamed over it, so readers see the
 * old or the new content, never a partial file; it keeps the old file's mode
 * (and owner where permitted), a new file gets 0666 less the umask. The
 * temporary is removed on failure and by mp_file_remove_temporaries.
 */
mp_status mp_file_write_atomic(const char *path, const void *data, size_t size, mp_error *err);

/* Remember path (when it exists) as an input: outputs are never written over it. */
mp_status mp_file_note_input(const char *path);

/* Remove the temporary files being written right now. Only unlink(2): async-signal-safe,
 * for a SIGINT/SIGTERM handler (the CLI installs one). */
void mp_file_remove_temporaries(void);

/* Create directory path (and missing parents); an existing directory is fine. */
mp_status mp_mkdir_p(const char *path, mp_error *err);

#ifdef __cplusplus
}
#endif

#endif
