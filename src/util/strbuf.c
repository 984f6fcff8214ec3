/* SPDX-License-Identifier: MIT */
/* strbuf.c - growable string with a sticky allocation error. Module: util. */
#include "memplan/mp_util.h"

#include "alloc.h"
#include "checked.h"

#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char empty_string[1];

void mp_strbuf_init(mp_strbuf *sb)
{
    sb->buf = empty_string;
    sb->len = 0;
    sb->cap = 0;
    sb->failed = false;
}

void mp_strbuf_release(mp_strbuf *sb)
{
    if (sb->cap)
        mp_free(sb->buf);
    mp_strbuf_init(sb);
}

void mp_strbuf_reset(mp_strbuf *sb)
{
    sb->len = 0;
    if (sb->cap)
        sb->buf[0] = '\0';
    sb->failed = false;
}

static bool grow(mp_strbuf *sb, size_t extra)
{
    size_t need;
    if (sb->failed)
        return false;
    if (!mp_add_size(sb->len, extra, &need) || !mp_add_size(need, 1, &need)) {
        sb->failed = true;
        return false;
    }
    if (need <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need) {
        if (!mp_mul_size(cap, 2, &cap)) {
            cap = need;
            break;
        }
    }
    char *nb = sb->cap ? mp_realloc(sb->buf, cap) : mp_malloc(cap);
    if (!nb) {
        sb->failed = true;
        return false;
    }
    if (!sb->cap)
        nb[0] = '\0';
    sb->buf = nb;
    sb->cap = cap;
    return true;
}

void mp_strbuf_append(mp_strbuf *sb, const char *s, size_t n)
{
    if (!grow(sb, n))
        return;
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void mp_strbuf_puts(mp_strbuf *sb, const char *s)
{
    mp_strbuf_append(sb, s, strlen(s));
}

void mp_strbuf_printf(mp_strbuf *sb, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        mp_strbuf_append(sb, small, (size_t)n);
        return;
    }
    if (!grow(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void mp_strbuf_json_string(mp_strbuf *sb, const char *s)
{
    mp_strbuf_append(sb, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            mp_strbuf_append(sb, "\\\"", 2);
            break;
        case '\\':
            mp_strbuf_append(sb, "\\\\", 2);
            break;
        case '\n':
            mp_strbuf_append(sb, "\\n", 2);
            break;
        case '\t':
            mp_strbuf_append(sb, "\\t", 2);
            break;
        case '\r':
            mp_strbuf_append(sb, "\\r", 2);
            break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                mp_strbuf_printf(sb, "\\u%04x", *p);
            } else if (*p < 0x80) {
                mp_strbuf_append(sb, (const char *)p, 1);
            } else {
                /* a valid UTF-8 sequence as it is; a byte that starts none (a file name's)
                 * becomes U+FFFD, so the document stays valid JSON */
                size_t seq = mp_utf8_seq((const char *)p, strnlen((const char *)p, 4));
                if (seq) {
                    mp_strbuf_append(sb, (const char *)p, seq);
                    p += seq - 1;
                } else {
                    mp_strbuf_puts(sb, "\\ufffd");
                }
            }
        }
    }
    mp_strbuf_append(sb, "\"", 1);
}
