/* SPDX-License-Identifier: MIT */
/*
 * targets.c - sweep targets from a budget list or MCU names (module sweep).
 */
#include "memplan/mp_sweep.h"

#include "../util/alloc.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *mp_sweep_size_label(size_t bytes, char *buf, size_t n)
{
    const size_t mib = (size_t)1024 * 1024;
    if (bytes && bytes % mib == 0)
        snprintf(buf, n, "%zuM", bytes / mib);
    else if (bytes && bytes % 1024 == 0)
        snprintf(buf, n, "%zuK", bytes / 1024);
    else
        snprintf(buf, n, "%zu", bytes);
    return buf;
}

void mp_sweep_targets_free(mp_sweep_target *t)
{
    mp_free(t);
}

/* Split list at commas into items (at most MP_SWEEP_MAX_TARGETS, each shorter than
 * MP_SWEEP_LABEL_MAX); calls fn for each. */
typedef mp_status (*item_fn)(void *ctx, const char *item, uint32_t index, mp_error *err);

static mp_status for_items(const char *list, const char *what, item_fn fn, void *ctx,
                           mp_error *err)
{
    uint32_t index = 0;
    const char *p = list;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char item[MP_SWEEP_LABEL_MAX];
        if (len == 0)
            return mp_errorf(err, MP_E_INVALID, "%s: empty item in '%s'", what, list);
        if (len >= sizeof item)
            return mp_errorf(err, MP_E_INVALID, "%s: item '%.*s' is too long", what,
                             (int)(len > 60 ? 60 : len), p);
        if (index == MP_SWEEP_MAX_TARGETS)
            return mp_errorf(err, MP_E_LIMIT, "%s: more than %u targets", what,
                             MP_SWEEP_MAX_TARGETS);
        memcpy(item, p, len);
        item[len] = '\0';
        MP_TRY(fn(ctx, item, index++, err));
        if (!e)
            return MP_OK;
        p = e + 1;
    }
}

typedef struct target_list {
    const char *what;
    mp_sweep_target *v;
    uint32_t n;
    const mp_mcu_catalog *cat;
} target_list;

static mp_status add_budget(void *ctx, const char *item, uint32_t index, mp_error *err)
{
    target_list *l = ctx;
    size_t bytes;
    MP_TRY(mp_parse_size(item, l->what, &bytes, err));
    if (bytes == 0)
        return mp_errorf(err, MP_E_INVALID, "%s: a budget must be more than 0 bytes, got '%s'",
                         l->what, item);
    for (uint32_t k = 0; k < l->n; k++)
        if (l->v[k].sram_bytes == bytes)
            return mp_errorf(err, MP_E_INVALID, "%s: '%s' repeats budget %u (%zu bytes)",
                             l->what, item, k + 1, bytes);
    mp_sweep_target *t = &l->v[index];
    memset(t, 0, sizeof *t);
    mp_sweep_size_label(bytes, t->label, sizeof t->label);
    t->sram_bytes = bytes;
    l->n = index + 1;
    return MP_OK;
}

static mp_status add_mcu(void *ctx, const char *item, uint32_t index, mp_error *err)
{
    target_list *l = ctx;
    const mp_mcu *m = mp_mcu_catalog_find(l->cat, item);
    if (!m)
        return mp_errorf(err, MP_E_INVALID,
                         "%s: unknown MCU '%s' ('memplan mcus' lists them; --catalog adds parts)",
                         l->what, item);
    for (uint32_t k = 0; k < l->n; k++)
        if (strcmp(l->v[k].label, m->name) == 0)
            return mp_errorf(err, MP_E_INVALID, "%s: '%s' is listed twice", l->what, item);
    mp_sweep_target *t = &l->v[index];
    memset(t, 0, sizeof *t);
    snprintf(t->label, sizeof t->label, "%s", m->name);
    t->is_mcu = true;
    t->sram_bytes = m->sram_bytes;
    t->flash_bytes = m->flash_bytes;
    l->n = index + 1;
    return MP_OK;
}

static mp_status make_targets(const char *list, const char *what, const mp_mcu_catalog *cat,
                              item_fn fn, mp_sweep_target **out, uint32_t *n, mp_error *err)
{
    *out = NULL;
    *n = 0;
    target_list l = {what, mp_calloc(MP_SWEEP_MAX_TARGETS, sizeof(mp_sweep_target)), 0, cat};
    if (!l.v)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    mp_status st = for_items(list, what, fn, &l, err);
    if (st != MP_OK) {
        mp_free(l.v);
        return st;
    }
    *out = l.v;
    *n = l.n;
    return MP_OK;
}

mp_status mp_sweep_budget_targets(const char *list, const char *what, mp_sweep_target **out,
                                  uint32_t *n, mp_error *err)
{
    return make_targets(list, what, NULL, add_budget, out, n, err);
}

mp_status mp_sweep_mcu_targets(const mp_mcu_catalog *c, const char *list, const char *what,
                               mp_sweep_target **out, uint32_t *n, mp_error *err)
{
    if (strcasecmp(list, "all") != 0)
        return make_targets(list, what, c, add_mcu, out, n, err);
    *out = NULL;
    *n = 0;
    if (c->n > MP_SWEEP_MAX_TARGETS)
        return mp_errorf(err, MP_E_LIMIT, "%s: the catalog has %u parts, more than %u targets",
                         what, c->n, MP_SWEEP_MAX_TARGETS);
    target_list l = {what, mp_calloc(c->n ? c->n : 1, sizeof(mp_sweep_target)), 0, c};
    if (!l.v)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t i = 0; i < c->n; i++)
        add_mcu(&l, c->mcus[i].name, i, err);
    *out = l.v;
    *n = l.n;
    return MP_OK;
}
