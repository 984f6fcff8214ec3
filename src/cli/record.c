/* SPDX-License-Identifier: MIT */
/*
 * record.c - recording runs in the database and resolving --mcu (module
 * cli). See record.h.
 *
 * Test seam: MEMPLAN_TEST_COMMIT_DELAY_MS=N makes a run wait N ms with its
 * transaction open, just before COMMIT, after printing a line on stderr; the
 * CLI tests use it to kill a run (SIGKILL) while it holds the transaction and
 * to make two runs contend for the database.
 */
#include "record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool record_option(int c, const char *arg, record_opts *r)
{
    switch (c) {
    case OPT_DB:
        r->db = arg;
        r->no_db = false;
        return true;
    case OPT_NO_DB:
        r->no_db = true;
        return true;
    case OPT_MCU:
        r->mcu = arg;
        return true;
    case OPT_CATALOG:
        r->catalog = arg;
        return true;
    default:
        return false;
    }
}

const char *record_db_path(const record_opts *r)
{
    if (r->db)
        return r->db;
    const char *env = getenv("MEMPLAN_DB");
    return env && *env ? env : MP_STORE_DEFAULT_PATH;
}

int64_t record_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- MCUs ----------------------------------------------------------------------------- */

int record_catalog(mp_cli *cli, const record_opts *r, mp_mcu_catalog **out)
{
    mp_error err;
    mp_error_init(&err);
    if (mp_mcu_catalog_new(r->catalog, out, &err) != MP_OK)
        return cli_fail(cli, &err);
    return EXIT_OK;
}

int record_mcu_budget(mp_cli *cli, record_opts *r, mp_search_opts *so, bool allowed)
{
    if (!r->mcu)
        return EXIT_OK;
    if (!allowed)
        return cli_usage_error(cli, "--mcu needs --best or --fused");
    if (so->have_budget)
        return cli_usage_error(cli, "--budget and --mcu exclude each other");
    mp_mcu_catalog *cat;
    int rc = record_catalog(cli, r, &cat);
    if (rc != EXIT_OK)
        return rc;
    const mp_mcu *m = mp_mcu_catalog_find(cat, r->mcu);
    if (m) {
        r->part = *m;
        snprintf(r->part_name, sizeof r->part_name, "%s", m->name);
        r->part.name = r->part_name;
        r->part.note = "";
        so->have_budget = true;
        so->budget = m->sram_bytes;
    } else {
        rc = cli_usage_error(cli, "--mcu: unknown MCU '%s' ('memplan mcus' lists them; "
                                  "--catalog adds parts)",
                             r->mcu);
    }
    mp_mcu_catalog_free(cat);
    return rc;
}

int record_mcu_flash(mp_cli *cli, const record_opts *r, const mp_graph *g, bool print, int rc)
{
    if (!r->mcu || !r->part.flash_bytes)
        return rc;
    bool fits = g->weight_bytes <= (uint64_t)r->part.flash_bytes;
    if (print && fits)
        fprintf(cli->out, "flash            %s B (%s): the weights fit\n",
                cli_count(r->part.flash_bytes), r->part.name);
    else if (print)
        fprintf(cli->out, "flash            %s B (%s): the weights need %s bytes more\n",
                cli_count(r->part.flash_bytes), r->part.name,
                cli_count(g->weight_bytes - r->part.flash_bytes));
    return fits ? rc : EXIT_FAIL;
}

/* ---- recording ------------------------------------------------------------------------ */

typedef mp_status (*record_fn)(mp_store *st, const void *ctx, mp_error *err);

static void test_delay(mp_cli *cli)
{
    const char *env = getenv("MEMPLAN_TEST_COMMIT_DELAY_MS");
    if (!env || !*env)
        return;
    long ms = strtol(env, NULL, 10);
    if (ms <= 0)
        return;
    fprintf(cli->err, "memplan: %s: holding the transaction for %ld ms "
                      "(MEMPLAN_TEST_COMMIT_DELAY_MS)\n",
            cli->cmd, ms);
    fflush(cli->err);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Open the database, run fn in one run transaction, commit. */
static int record_run(mp_cli *cli, const record_opts *r, int argc, char **argv,
                      int64_t started_ms, record_fn fn, const void *ctx, int rc)
{
    if (r->no_db)
        return rc;
    mp_error err;
    mp_error_init(&err);
    mp_store *st = NULL;
    int64_t run;
    mp_run_info info = {.command = cli->cmd, .argc = argc, .argv = argv,
                        .started_ms = started_ms ? started_ms : cli->started_ms};
    mp_status s = mp_store_open(record_db_path(r), NULL, &st, &err);
    if (s == MP_OK)
        s = mp_store_begin_run(st, &info, &run, &err);
    if (s == MP_OK)
        s = fn(st, ctx, &err);
    if (s == MP_OK) {
        test_delay(cli);
        s = mp_store_commit_run(st, &err);
    }
    mp_store_close(st); /* rolls back a run that did not commit */
    if (s != MP_OK) {
        fprintf(cli->err, "memplan: %s: not recorded: %s\n", cli->cmd, err.msg);
        return EXIT_FAIL;
    }
    return rc;
}

typedef struct analyze_ctx {
    const mp_graph *g;
    const mp_plan_opts *po;
    size_t reserve;
    const uint32_t *order;
    const mp_patch_search *ps;
} analyze_ctx;

static mp_status add_built(mp_store *st, const mp_graph *g, int64_t net,
                           const mp_schedule_spec *spec, const char *role, mp_error *err)
{
    mp_schedule *s;
    int64_t id;
    MP_TRY(mp_schedule_build(g, spec, &s, err));
    mp_status rc = mp_store_add_schedule(st, net, s, role, &id, err);
    mp_schedule_free(s);
    return rc;
}

static mp_status put_analyze(mp_store *st, const void *ctx, mp_error *err)
{
    const analyze_ctx *a = ctx;
    int64_t net;
    MP_TRY(mp_store_add_network(st, a->g, &net, err));
    mp_schedule_spec spec;
    mp_schedule_spec_init(&spec);
    spec.opts = *a->po;
    spec.reserve = a->reserve;
    spec.order = a->order;
    MP_TRY(add_built(st, a->g, net, &spec, "per-layer", err));
    if (!a->ps || !a->ps->have_best)
        return MP_OK;
    mp_schedule_spec_set_patch(&spec, &a->ps->best);
    return add_built(st, a->g, net, &spec, "best", err);
}

int record_analyze(mp_cli *cli, const record_opts *r, int argc, char **argv, const mp_graph *g,
                   const mp_plan_opts *po, size_t reserve, const uint32_t *order,
                   const mp_patch_search *ps, int rc)
{
    analyze_ctx a = {g, po, reserve, order, ps};
    return record_run(cli, r, argc, argv, 0, put_analyze, &a, rc);
}

static mp_status put_plan(mp_store *st, const void *ctx, mp_error *err)
{
    const mp_schedule *s = ctx;
    int64_t net, id;
    MP_TRY(mp_store_add_network(st, s->g, &net, err));
    return mp_store_add_schedule(st, net, s, "plan", &id, err);
}

int record_plan(mp_cli *cli, const record_opts *r, int argc, char **argv, const mp_schedule *s,
                int rc)
{
    if (!s)
        return rc;
    return record_run(cli, r, argc, argv, 0, put_plan, s, rc);
}

typedef struct validate_ctx {
    const mp_schedule *s;
    const mp_store_validation *v;
} validate_ctx;

static mp_status put_validate(mp_store *st, const void *ctx, mp_error *err)
{
    const validate_ctx *c = ctx;
    int64_t net, id, vid;
    MP_TRY(mp_store_add_network(st, c->s->g, &net, err));
    MP_TRY(mp_store_add_schedule(st, net, c->s, "validate", &id, err));
    return mp_store_add_validation(st, id, c->v, &vid, err);
}

int record_validate(mp_cli *cli, const record_opts *r, int argc, char **argv,
                    const mp_schedule *s, const mp_store_validation *v, int rc)
{
    validate_ctx c = {s, v};
    return record_run(cli, r, argc, argv, 0, put_validate, &c, rc);
}

static mp_status put_sweep(mp_store *st, const void *ctx, mp_error *err)
{
    int64_t id;
    return mp_store_add_sweep(st, ctx, &id, err);
}

int record_sweep(mp_cli *cli, const record_opts *r, int argc, char **argv, int64_t started_ms,
                 const mp_sweep *sw, int rc)
{
    return record_run(cli, r, argc, argv, started_ms, put_sweep, sw, rc);
}

typedef struct redist_ctx {
    const mp_schedule *s;
    const mp_redist *r;
} redist_ctx;

static mp_status put_redistribute(mp_store *st, const void *ctx, mp_error *err)
{
    const redist_ctx *c = ctx;
    int64_t net, id, rid;
    MP_TRY(mp_store_add_network(st, c->s->g, &net, err));
    MP_TRY(mp_store_add_schedule(st, net, c->s, "redistribute", &id, err));
    return mp_store_add_redistribution(st, net, c->r, &rid, err);
}

int record_redistribute(mp_cli *cli, const record_opts *r, int argc, char **argv,
                        const mp_schedule *s, const mp_redist *rd, int rc)
{
    redist_ctx c = {s, rd};
    return record_run(cli, r, argc, argv, 0, put_redistribute, &c, rc);
}
