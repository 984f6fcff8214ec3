/* SPDX-License-Identifier: MIT */
/* size_parse.c - suffix-aware, overflow-checked byte counts. Module: util. */
#include "memplan/mp_util.h"

#include "checked.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool suffix_factor(const char *s, size_t *factor)
{
    static const struct {
        const char *name;
        size_t factor;
    } table[] = {
        {"", 1},
        {"b", 1},
        {"k", 1024},
        {"kb", 1024},
        {"kib", 1024},
        {"m", (size_t)1024 * 1024},
        {"mb", (size_t)1024 * 1024},
        {"mib", (size_t)1024 * 1024},
        {"g", (size_t)1024 * 1024 * 1024},
        {"gb", (size_t)1024 * 1024 * 1024},
        {"gib", (size_t)1024 * 1024 * 1024},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcasecmp(s, table[i].name) == 0) {
            *factor = table[i].factor;
            return true;
        }
    }
    return false;
}

mp_status mp_parse_size(const char *text, const char *what, size_t *out, mp_error *err)
{
    const char *p = text;
    size_t v = 0;
    if (!text || !isdigit((unsigned char)*p))
        return mp_errorf(err, MP_E_INVALID,
                         "%s: expected a size such as 256K, 320KiB or 300000, got '%s'", what,
                         text ? text : "");
    while (isdigit((unsigned char)*p)) {
        if (!mp_mul_size(v, 10, &v) || !mp_add_size(v, (size_t)(*p - '0'), &v))
            return mp_errorf(err, MP_E_OVERFLOW, "%s: size '%s' is too large", what, text);
        p++;
    }
    size_t factor;
    if (!suffix_factor(p, &factor))
        return mp_errorf(err, MP_E_INVALID,
                         "%s: unknown size suffix '%s' in '%s' (use B, K, KB, KiB, M, MB, MiB, G, GB or "
                         "GiB, any case; all are powers of 1024)", what,
                         p, text);
    if (!mp_mul_size(v, factor, &v))
        return mp_errorf(err, MP_E_OVERFLOW, "%s: size '%s' is too large", what, text);
    *out = v;
    return MP_OK;
}

char *mp_format_count(uint64_t n, char *buf, size_t buf_size)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    size_t o = 0;
    for (int i = 0; i < len && o + 1 < buf_size; i++) {
        if (i > 0 && (len - i) % 3 == 0 && o + 2 < buf_size)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    if (buf_size)
        buf[o < buf_size ? o : buf_size - 1] = '\0';
    return buf;
}
