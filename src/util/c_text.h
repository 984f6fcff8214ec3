/* SPDX-License-Identifier: MIT */
/*
 * c_text.h - text that goes into generated C safely (module util): names in
 * comments and string literals, whatever bytes they hold.
 */
#ifndef MEMPLAN_UTIL_C_TEXT_H
#define MEMPLAN_UTIL_C_TEXT_H

#include "memplan/mp_util.h"

/* s inside a C block comment: printable ASCII kept, every other byte (newlines,
 * control characters, non-ASCII) as '?', and "*" + "/" written as "* /" and "/" + "*"
 * as "/ *", so the comment cannot end early or nest. */
void mp_c_comment_text(mp_strbuf *sb, const char *s);

/* s as a C string literal (with the quotes): '"' and '\' escaped, every '?'
 * as "\?" (no trigraph can form), other bytes outside printable ASCII as
 * three-digit octal escapes. */
void mp_c_string_literal(mp_strbuf *sb, const char *s);

#endif
