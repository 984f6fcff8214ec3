/* SPDX-License-Identifier: MIT */
/*
 * fuzz_catalog.c - libFuzzer harness: arbitrary bytes as an MCU catalog file
 * (`memplan mcus --catalog FILE`, docs/cli.md).
 *
 * One job: never crash, hang or leak. A failure leaves no catalog and a
 * message that names the file. A catalog that loads keeps the documented
 * invariants (mp_sweep.h): the built-in parts first, at most
 * MP_MCU_CATALOG_MAX parts from the file, names of 1..31 letters, digits or
 * '-_.+' and unique (case-insensitive), sram >= 1, sram_total >= sram, every
 * part findable by its name; and the sweep targets "all" are built from it.
 */
#include "fuzz_common.h"

#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= MP_MCU_NAME_MAX)
        return false;
    for (; *s; s++) {
        char ch = *s;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.' || ch == '+'))
            return false;
    }
    return true;
}

static void check_catalog(const mp_mcu_catalog *c)
{
    uint32_t n_builtin;
    mp_mcu_builtin(&n_builtin);
    fuzz_check(c->n >= n_builtin && c->n <= n_builtin + MP_MCU_CATALOG_MAX);
    for (uint32_t i = 0; i < c->n; i++) {
        const mp_mcu *m = &c->mcus[i];
        fuzz_check(m->name && m->note && name_ok(m->name) && m->sram_bytes >= 1 &&
                   m->sram_total_bytes >= m->sram_bytes);
        /* names are unique, so the lookup finds this very part */
        fuzz_check(mp_mcu_catalog_find(c, m->name) == m);
        for (uint32_t k = 0; k < i; k++)
            fuzz_check(strcasecmp(c->mcus[k].name, m->name) != 0);
    }
    mp_error err;
    mp_error_init(&err);
    mp_sweep_target *t = NULL;
    uint32_t n = 0;
    if (mp_sweep_mcu_targets(c, "all", "--mcus", &t, &n, &err) == MP_OK) {
        fuzz_check(n == c->n);
        for (uint32_t i = 0; i < n; i++)
            fuzz_check(t[i].is_mcu && t[i].sram_bytes == c->mcus[i].sram_bytes);
    } else { /* only a catalog larger than the target limit is refused */
        fuzz_check(!t && err.msg[0] && c->n > MP_SWEEP_MAX_TARGETS);
    }
    mp_sweep_targets_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mp_mcu_catalog *c = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_mcu_catalog_new_text((const char *)data, size, "fuzz.json", &c, &err) != MP_OK) {
        /* a failure leaves no catalog and a message naming the file */
        fuzz_check(!c && strncmp(err.msg, "fuzz.json", 9) == 0);
        return 0;
    }
    check_catalog(c);
    mp_mcu_catalog_free(c);
    return 0;
}
