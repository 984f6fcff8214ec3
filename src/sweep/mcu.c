/* SPDX-License-Identifier: MIT */
/*
 * mcu.c - the built-in MCU catalog and user catalog files (module sweep).
 *
 * What the SRAM budget counts. A tensor arena is one contiguous block, so a
 * part's budget (sram_bytes) is the largest block of on-chip data SRAM that
 * is contiguous in the address map, not the datasheet's headline total
 * (sram_total_bytes, kept beside it: every on-chip RAM bank including code
 * TCMs, without backup/retention RAM). For most parts the two are equal. The
 * firmware's own data, stack and heap come out of the same block: pass
 * --budgets or a catalog file with the figure a linker map gives for a
 * precise answer.
 *
 * Flash is what holds the weights: on-chip flash, or, for parts without it
 * (RP2040, ESP32-S3, i.MX RT1062), the external QSPI flash of the board
 * named in the note.
 *
 * Every figure below is cited from the vendor's datasheet (or reference
 * manual for the memory map); docs/database.md has the same table.
 */
#include "memplan/mp_sweep.h"

#include "../util/alloc.h"
#include "../util/json_fields.h"
#include "../util/pool.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define KIB ((size_t)1024)
#define MIB ((size_t)1024 * 1024)

static const mp_mcu builtin[] = {
    /* DS10314 (STM32F411xC/xE), features: "up to 512 Kbytes of Flash memory",
     * "128 Kbytes of SRAM". The xE part (512 KB flash). One SRAM block. */
    {"STM32F411", 128 * KIB, 128 * KIB, 512 * KIB,
     "STM32F411xE, DS10314: 128 KB SRAM (one block), 512 KB flash"},
    /* DS11139 (STM32F412xE/xG): "up to 1 Mbyte of Flash memory", "256 Kbytes of SRAM".
     * The xG part (1 MB flash). One SRAM block. */
    {"STM32F412", 256 * KIB, 256 * KIB, 1 * MIB,
     "STM32F412xG, DS11139: 256 KB SRAM (one block), 1 MB flash"},
    /* DS10916 (STM32F745xx/746xx): "up to 1 Mbyte of Flash memory", "320 Kbytes of SRAM
     * (including 64 Kbytes of data TCM RAM)" + "16 Kbytes of instruction TCM RAM".
     * RM0385 memory map: DTCM 0x20000000 (64 KB), SRAM1 0x20010000 (240 KB), SRAM2
     * 0x2004C000 (16 KB) are adjacent: 320 KB contiguous. ITCM (code) is not counted. */
    {"STM32F746", 320 * KIB, 336 * KIB, 1 * MIB,
     "STM32F746xG, DS10916: 320 KB contiguous (64 KB DTCM + 240 KB SRAM1 + 16 KB SRAM2); "
     "total 336 KB with 16 KB ITCM; 1 MB flash"},
    /* DS12110 (STM32H742xI/G, STM32H743xI/G): "up to 2 Mbytes of Flash memory", "~1 Mbyte of
     * RAM": 192 KB TCM (64 KB ITCM + 128 KB DTCM), 864 KB user SRAM (512 KB AXI SRAM in D1,
     * 288 KB SRAM1-3 in D2, 64 KB SRAM4 in D3), 4 KB backup SRAM. The banks sit in different
     * domains at different addresses; the largest contiguous block is the 512 KB AXI SRAM
     * (what MCUNet reports as the H743's SRAM). */
    {"STM32H743", 512 * KIB, 1056 * KIB, 2 * MIB,
     "STM32H743xI, DS12110: 512 KB AXI SRAM (largest contiguous bank) of 1056 KB in 7 banks "
     "(ITCM 64, DTCM 128, AXI 512, SRAM1-3 288, SRAM4 64); 2 MB flash"},
    /* DS12023 (STM32L4R5xx/L4R7xx/L4R9xx): "up to 2 Mbytes of Flash memory", "640 Kbytes of
     * SRAM": SRAM1 192 KB, SRAM2 64 KB, SRAM3 384 KB, adjacent from 0x20000000 (RM0432). */
    {"STM32L4R5", 640 * KIB, 640 * KIB, 2 * MIB,
     "STM32L4R5xI, DS12023: 640 KB contiguous (SRAM1 192 + SRAM2 64 + SRAM3 384 KB); "
     "2 MB flash"},
    /* nRF52840 Product Specification v1.7: "1 MB flash and 256 KB RAM" (one RAM region at
     * 0x20000000). */
    {"nRF52840", 256 * KIB, 256 * KIB, 1 * MIB,
     "nRF52840 Product Specification: 256 KB RAM (one region), 1 MB flash"},
    /* RP2040 datasheet: "264kB on-chip SRAM in six independent banks": four 64 KB banks
     * striped over 0x20000000-0x2003FFFF, SRAM4/5 (4 KB each) at 0x20040000/0x20041000, so
     * all 264 KB are contiguous. No on-chip flash: Raspberry Pi Pico datasheet: 2 MB QSPI
     * flash (W25Q16JV). */
    {"RP2040", 264 * KIB, 264 * KIB, 2 * MIB,
     "RP2040 datasheet: 264 KB SRAM, contiguous from 0x20000000; no internal flash: "
     "2 MB QSPI flash of the Raspberry Pi Pico"},
    /* ESP32-S3 Series Datasheet: "512 KB SRAM" = SRAM0 32 KB (instruction bus only), SRAM1
     * 416 KB (instruction and data bus), SRAM2 64 KB (data bus, usable as data cache)
     * (ESP32-S3 TRM, "System and Memory"). The budget is SRAM1, the block that holds data
     * in every cache configuration. No on-chip flash: ESP32-S3-WROOM-1-N8 module, 8 MB. */
    {"ESP32-S3", 416 * KIB, 512 * KIB, 8 * MIB,
     "ESP32-S3 datasheet: 512 KB SRAM = SRAM0 32 KB (code only) + SRAM1 416 KB + SRAM2 64 KB "
     "(data cache); budget SRAM1; 8 MB flash of the ESP32-S3-WROOM-1-N8 module"},
    /* Apollo3 Blue datasheet (AMA3B1KK): "1 MB of flash memory", "384 KB of low leakage
     * SRAM" (64 KB TCM + 320 KB SRAM, adjacent from 0x10000000). */
    {"Apollo3", 384 * KIB, 384 * KIB, 1 * MIB,
     "Ambiq Apollo3 Blue datasheet: 384 KB SRAM (64 KB TCM + 320 KB, contiguous), 1 MB flash"},
    /* i.MX RT1060 datasheet (IMXRT1060CEC): "1 MB on-chip RAM": 512 KB FlexRAM (configurable
     * as ITCM, DTCM or OCRAM) + 512 KB general OCRAM (OCRAM2 at 0x20200000). The blocks are
     * not adjacent: the budget is one of them, 512 KB. No on-chip flash: Teensy 4.1, 8 MB
     * QSPI flash. */
    {"MIMXRT1062", 512 * KIB, 1024 * KIB, 8 * MIB,
     "i.MX RT1062, IMXRT1060CEC: 512 KB contiguous of 1 MB (512 KB FlexRAM TCM + 512 KB OCRAM, "
     "not adjacent); 8 MB QSPI flash of the Teensy 4.1"},
};

#define N_BUILTIN ((uint32_t)(sizeof builtin / sizeof builtin[0]))

struct mp_mcu_catalog_priv {
    mp_pool pool; /* names and notes of the user's parts */
};

const mp_mcu *mp_mcu_builtin(uint32_t *n)
{
    *n = N_BUILTIN;
    return builtin;
}

void mp_mcu_catalog_free(mp_mcu_catalog *c)
{
    if (!c)
        return;
    if (c->priv)
        mp_pool_release(&c->priv->pool);
    mp_free(c->priv);
    mp_free(c->mcus);
    mp_free(c);
}

const mp_mcu *mp_mcu_catalog_find(const mp_mcu_catalog *c, const char *name)
{
    for (uint32_t i = 0; i < c->n; i++)
        if (strcasecmp(c->mcus[i].name, name) == 0)
            return &c->mcus[i];
    return NULL;
}

static mp_status catalog_alloc(uint32_t cap, mp_mcu_catalog **out, mp_error *err)
{
    mp_mcu_catalog *c = mp_calloc(1, sizeof *c);
    if (c) {
        c->priv = mp_calloc(1, sizeof *c->priv);
        c->mcus = mp_calloc(cap, sizeof *c->mcus);
    }
    if (!c || !c->priv || !c->mcus) {
        mp_mcu_catalog_free(c);
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    }
    mp_pool_init(&c->priv->pool);
    memcpy(c->mcus, builtin, sizeof builtin);
    c->n = N_BUILTIN;
    *out = c;
    return MP_OK;
}

/* ---- user catalog files --------------------------------------------------------------- */

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= MP_MCU_NAME_MAX)
        return false;
    for (const char *p = s; *p; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '+';
        if (!ok)
            return false;
    }
    return true;
}

/* A size: a positive integer byte count, or a string such as "256K" (mp_parse_size). */
static mp_status jsize(jctx *c, const cJSON *obj, const char *key, bool required, size_t min,
                       size_t *out)
{
    const cJSON *v;
    MP_TRY(jmember(c, obj, key, required, &v));
    if (!v)
        return MP_OK;
    char got[64];
    mp_error local;
    mp_error_init(&local);
    size_t bytes = 0;
    bool ok;
    if (cJSON_IsString(v))
        ok = mp_parse_size(v->valuestring, key, &bytes, &local) == MP_OK;
    else
        ok = cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9.0e15 &&
             v->valuedouble == (double)(size_t)v->valuedouble &&
             (bytes = (size_t)v->valuedouble, true);
    if (!ok)
        return jfail(c, key, MP_E_INVALID,
                     "expected a size such as 262144 or \"256K\", got %s",
                     jdescribe(v, got, sizeof got));
    if (bytes < min)
        return jfail(c, key, MP_E_INVALID, "must be at least %zu bytes, got %s", min,
                     jdescribe(v, got, sizeof got));
    *out = bytes;
    return MP_OK;
}

static mp_status read_part(jctx *c, mp_mcu_catalog *cat, const cJSON *obj, mp_mcu *m)
{
    static const char *const keys[] = {"name", "sram", "flash", "sram_total", "note", NULL};
    if (!cJSON_IsObject(obj))
        return jfail(c, NULL, MP_E_INVALID, "expected an object with name, sram and flash");
    MP_TRY(jonly(c, obj, keys, NULL));
    const char *name, *note;
    MP_TRY(jstring(c, obj, "name", true, NULL, &name));
    if (!name_ok(name))
        return jfail(c, "name", MP_E_INVALID,
                     "expected 1 to %u letters, digits or '-_.+', got \"%.40s\"",
                     MP_MCU_NAME_MAX - 1, name);
    size_t sram = 0, total = 0, flash = 0;
    MP_TRY(jsize(c, obj, "sram", true, 1, &sram));
    MP_TRY(jsize(c, obj, "flash", false, 0, &flash));
    total = sram;
    MP_TRY(jsize(c, obj, "sram_total", false, 1, &total));
    if (total < sram)
        return jfail(c, "sram_total", MP_E_INVALID, "%zu bytes is less than sram (%zu bytes)",
                     total, sram);
    MP_TRY(jstring(c, obj, "note", false, "", &note));
    m->name = mp_pool_strdup(&cat->priv->pool, name);
    m->note = mp_pool_strdup(&cat->priv->pool, note);
    if (!m->name || !m->note)
        return mp_errorf(c->err, MP_E_NOMEM, "out of memory");
    m->sram_bytes = sram;
    m->sram_total_bytes = total;
    m->flash_bytes = flash;
    return MP_OK;
}

static mp_status check_header(jctx *c, const cJSON *root, const cJSON **parts)
{
    static const char *const keys[] = {"format", "version", "mcus", "comment", NULL};
    if (!cJSON_IsObject(root))
        return jfail(c, NULL, MP_E_INVALID, "expected an object with format, version and mcus");
    MP_TRY(jonly(c, root, keys, NULL));
    const char *format;
    int32_t version;
    MP_TRY(jstring(c, root, "format", true, NULL, &format));
    if (strcmp(format, "memplan-mcus") != 0)
        return jfail(c, "format", MP_E_INVALID, "expected \"memplan-mcus\", got \"%.40s\"",
                     format);
    MP_TRY(jint(c, root, "version", true, 0, 1, INT32_MAX, &version));
    if (version > 1)
        return jfail(c, "version", MP_E_UNSUPPORTED,
                     "version %d is newer than this memplan reads (1)", version);
    MP_TRY(jmember(c, root, "mcus", true, parts));
    if (!cJSON_IsArray(*parts))
        return jfail(c, "mcus", MP_E_INVALID, "expected an array of parts");
    int n = cJSON_GetArraySize(*parts);
    if (n > (int)MP_MCU_CATALOG_MAX)
        return jfail(c, "mcus", MP_E_LIMIT, "%d parts exceed the limit of %u", n,
                     MP_MCU_CATALOG_MAX);
    return MP_OK;
}

/* Add part m, read from mcus[i]. A name used earlier in the file is an error; a built-in's
 * name replaces the built-in. file_index[k] is the file position of entry k, -1 for a
 * built-in. */
static mp_status add_part(jctx *c, mp_mcu_catalog *cat, int *file_index, const mp_mcu *m,
                          int i)
{
    for (uint32_t k = 0; k < cat->n; k++) {
        if (strcasecmp(cat->mcus[k].name, m->name) != 0)
            continue;
        if (file_index[k] >= 0)
            return jfail(c, "name", MP_E_INVALID, "\"%s\" is listed twice (also mcus[%d])",
                         m->name, file_index[k]);
        cat->mcus[k] = *m;
        file_index[k] = i;
        return MP_OK;
    }
    file_index[cat->n] = i;
    cat->mcus[cat->n++] = *m;
    return MP_OK;
}

static mp_status read_parts(jctx *c, mp_mcu_catalog *cat, const cJSON *parts, uint32_t cap)
{
    int *file_index = mp_calloc(cap, sizeof *file_index);
    if (!file_index)
        return mp_errorf(c->err, MP_E_NOMEM, "out of memory");
    for (uint32_t k = 0; k < cap; k++)
        file_index[k] = -1;
    mp_status st = MP_OK;
    int i = 0;
    for (const cJSON *p = parts->child; st == MP_OK && p; p = p->next, i++) {
        mp_mcu m = {0};
        snprintf(c->path, sizeof c->path, "mcus[%d]", i);
        st = read_part(c, cat, p, &m);
        if (st == MP_OK)
            st = add_part(c, cat, file_index, &m, i);
    }
    mp_free(file_index);
    return st;
}

mp_status mp_mcu_catalog_new_text(const char *text, size_t len, const char *label,
                                  mp_mcu_catalog **out, mp_error *err)
{
    *out = NULL;
    cJSON *root = NULL;
    MP_TRY(jparse(label, text, len, &root, err));
    jctx c = {.file = label, .err = err, .path = ""};
    const cJSON *parts = NULL;
    mp_mcu_catalog *cat = NULL;
    uint32_t cap = N_BUILTIN;
    mp_status st = check_header(&c, root, &parts);
    if (st == MP_OK) {
        cap += (uint32_t)cJSON_GetArraySize(parts);
        st = catalog_alloc(cap, &cat, err);
    }
    if (st == MP_OK)
        st = read_parts(&c, cat, parts, cap);
    cJSON_Delete(root);
    if (st != MP_OK) {
        mp_mcu_catalog_free(cat);
        return st;
    }
    *out = cat;
    return MP_OK;
}

mp_status mp_mcu_catalog_new(const char *user_file, mp_mcu_catalog **out, mp_error *err)
{
    *out = NULL;
    if (!user_file)
        return catalog_alloc(N_BUILTIN, out, err);
    char *text;
    size_t len;
    MP_TRY(mp_file_read(user_file, MP_MCU_CATALOG_FILE_MAX, &text, &len, err));
    mp_status st = mp_mcu_catalog_new_text(text, len, user_file, out, err);
    mp_file_free(text);
    return st;
}
