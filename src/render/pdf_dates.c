/* SPDX-License-Identifier: MIT */
/*
 * pdf_dates.c - reproducible PDF pictures (module render): cairo stamps the
 * time of writing into /CreationDate (and /ModDate). Their digits are
 * overwritten in place with a fixed date, byte for byte, so the cross-reference
 * offsets stay right and the same schedule always gives the same file.
 */
#include "render_int.h"

#include <string.h>

#define FIXED_DATE "20000101000000" /* YYYYMMDDHHmmSS */

static void fix_key(char *pdf, size_t len, const char *key)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i + klen + 4 <= len; i++) {
        if (memcmp(pdf + i, key, klen) != 0)
            continue;
        size_t p = i + klen;
        while (p < len && (pdf[p] == ' ' || pdf[p] == '('))
            p++;
        if (p + 2 > len || memcmp(pdf + p, "D:", 2) != 0)
            continue;
        p += 2;
        for (size_t k = 0; k < sizeof FIXED_DATE - 1 && p < len && pdf[p] >= '0' && pdf[p] <= '9';
             k++)
            pdf[p++] = FIXED_DATE[k];
    }
}

void render_pdf_fix_dates(char *pdf, size_t len)
{
    fix_key(pdf, len, "/CreationDate");
    fix_key(pdf, len, "/ModDate");
}
