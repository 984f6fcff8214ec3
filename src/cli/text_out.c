/* SPDX-License-Identifier: MIT */
/*
 * text_out.c - memplan's text output never carries a control character of a
 * name (module cli; docs/reliability.md, "Names"). Standard output and error
 * are written through a filter stream: C0 controls other than newline, tab and
 * carriage return (CSV line ends),
 * DEL, and the C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F) become "\xNN"
 * and "\u00NN", so a name holding ESC [ 5 m cannot drive the terminal. Data
 * written to standard output as a file ('-o -') bypasses it (file descriptor 1).
 */
#define _GNU_SOURCE
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct filter {
    FILE *under;
    bool pending_c2; /* the last byte written was 0xC2: a C1 control may follow */
} filter;

static void put(filter *f, const char *s, size_t n)
{
    fwrite(s, 1, n, f->under);
}

static ssize_t filter_write(void *cookie, const char *buf, size_t size)
{
    filter *f = cookie;
    char esc[8];
    size_t start = 0;
    for (size_t i = 0; i < size; i++) {
        unsigned char ch = (unsigned char)buf[i];
        if (f->pending_c2) {
            f->pending_c2 = false;
            if (ch >= 0x80 && ch <= 0x9F) {
                snprintf(esc, sizeof esc, "\\u%04X", ch);
                put(f, esc, strlen(esc));
                start = i + 1;
                continue;
            }
            put(f, "\xC2", 1); /* held back: an ordinary character */
        }
        bool control = (ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') || ch == 0x7F;
        if (!control && ch != 0xC2)
            continue;
        put(f, buf + start, i - start);
        start = i + 1;
        if (ch == 0xC2) {
            f->pending_c2 = true;
            continue;
        }
        snprintf(esc, sizeof esc, "\\x%02X", ch);
        put(f, esc, strlen(esc));
    }
    put(f, buf + start, size - start);
    return (ssize_t)size;
}

static int filter_close(void *cookie)
{
    filter *f = cookie;
    if (f->pending_c2)
        put(f, "\xC2", 1);
    fflush(f->under);
    free(f);
    return 0;
}

FILE *cli_text_stream(FILE *under)
{
    filter *f = calloc(1, sizeof *f);
    if (!f)
        return under;
    f->under = under;
    cookie_io_functions_t io = {.write = filter_write, .close = filter_close};
    FILE *s = fopencookie(f, "w", io);
    if (!s) {
        free(f);
        return under;
    }
    /* a line at a time, flushed into the real stream before it is, so the order of
     * output and messages stays as written */
    setvbuf(s, NULL, _IOLBF, 0);
    return s;
}
