/* SPDX-License-Identifier: MIT */
/* text.c - UTF-8 validation and middle shortening (module util; text.h). */
#include "text.h"

#include <stdint.h>
#include <string.h>

size_t mp_utf8_seq(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    if (n == 0)
        return 0;
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len == 0 || c > 0xF4 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if (c == 0xE0 && p[1] < 0xA0) /* overlong */
        return 0;
    if (c == 0xED && p[1] >= 0xA0) /* surrogates */
        return 0;
    if (c == 0xF0 && p[1] < 0x90) /* overlong */
        return 0;
    if (c == 0xF4 && p[1] >= 0x90) /* above U+10FFFF */
        return 0;
    return len;
}

size_t mp_utf8_valid_prefix(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t k = mp_utf8_seq((const char *)p + i, len - i);
        if (!k)
            return i;
        i += k;
    }
    return len;
}

size_t mp_utf8_cut(const char *s, size_t len, size_t n)
{
    if (n >= len)
        return len;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

void mp_text_fit(const char *text, size_t len, char *buf, size_t size)
{
    if (size == 0)
        return;
    if (len < size) {
        memcpy(buf, text, len);
        buf[len] = '\0';
        return;
    }
    static const char gap[] = " ... ";
    size_t room = size - 1 - (sizeof gap - 1);
    size_t tail_want = room * 2 / 5; /* the reason is usually short */
    size_t head = mp_utf8_cut(text, len, room - tail_want);
    size_t from = len - tail_want;
    while (from < len && ((unsigned char)text[from] & 0xC0) == 0x80)
        from++;
    memcpy(buf, text, head);
    memcpy(buf + head, gap, sizeof gap - 1);
    memcpy(buf + head + sizeof gap - 1, text + from, len - from);
    buf[head + sizeof gap - 1 + len - from] = '\0';
}
