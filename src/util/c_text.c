/* SPDX-License-Identifier: MIT */
/*
 * c_text.c - names in generated C: comments and string literals (module util).
 */
#include "c_text.h"

void mp_c_comment_text(mp_strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch == '*' && s[1] == '/') || (ch == '/' && s[1] == '*'))
            mp_strbuf_printf(sb, "%c ", ch);
        else if (ch < 0x20 || ch > 0x7e)
            mp_strbuf_puts(sb, "?");
        else
            mp_strbuf_append(sb, s, 1);
    }
}

void mp_c_string_literal(mp_strbuf *sb, const char *s)
{
    mp_strbuf_puts(sb, "\"");
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\' || ch == '?')
            mp_strbuf_printf(sb, "\\%c", ch);
        else if (ch < 0x20 || ch > 0x7e)
            mp_strbuf_printf(sb, "\\%03o", ch);
        else
            mp_strbuf_append(sb, s, 1);
    }
    mp_strbuf_puts(sb, "\"");
}
