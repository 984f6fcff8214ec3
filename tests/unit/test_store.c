/* SPDX-License-Identifier: MIT */
/*
 * test_store.c - the database (module store), the MCU catalog, sweep targets
 * and sweeps (module sweep), and the report tables (module util): schema and
 * the migration from schema version 1, run transactions (a failure mid-run
 * leaves no rows), fault injection through mp_malloc, merges of shards, and
 * sweeps that do not depend on the number of threads.
 */
#include "test_helpers.h"

#include "../../src/store/store_test.h"

#include <stdlib.h>
#include <unistd.h>

/* ---- fixtures ------------------------------------------------------------------------- */

typedef struct fixture {
    char dir[64];     /* a fresh temporary directory */
    char db[128];     /* dir/t.db */
    char nets[3][128]; /* three small networks written into dir */
} fixture;

/* in 16x16x3 -> c1 (stride 2, 8 ch) -> dw -> pw (16 ch) -> pool -> fc: per-layer peak at c1/dw;
 * patch schedules cut it. Variants differ in channels so their hashes differ. */
static void write_net(const char *path, int ch)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"format\":\"memplan-net\",\"version\":1,\"name\":\"tiny%d\",\"input\":{\"name\":"
            "\"in\",\"shape\":[16,16,3]},\"layers\":["
            "{\"name\":\"c1\",\"op\":\"conv2d\",\"filters\":%d,\"kernel\":3,\"stride\":2},"
            "{\"name\":\"dw\",\"op\":\"depthwise_conv2d\",\"kernel\":3},"
            "{\"name\":\"pw\",\"op\":\"conv2d\",\"filters\":16,\"kernel\":1},"
            "{\"name\":\"pool\",\"op\":\"mean\"},"
            "{\"name\":\"fc\",\"op\":\"fully_connected\",\"units\":10}]}\n",
            ch, ch);
    fclose(f);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/memplan-test-store.XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->db, sizeof fx->db, "%s/t.db", fx->dir);
    for (int i = 0; i < 3; i++) {
        snprintf(fx->nets[i], sizeof fx->nets[i], "%s/net%d.json", fx->dir, i);
        write_net(fx->nets[i], 8 * (i + 1));
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    if (system(cmd) != 0)
        return -1;
    free(fx);
    return 0;
}

static mp_store *open_ok(const char *path)
{
    mp_store *st = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_store_open(path, NULL, &st, &err) != MP_OK) {
        print_error("open failed: %s\n", err.msg);
        fail();
    }
    return st;
}

static int64_t count(mp_store *st, const char *sql)
{
    int64_t n = -1;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(store_query_int(st, sql, &n, &err), MP_OK);
    return n;
}

static mp_graph *load(const char *path)
{
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_import_file(path, &g, &err), MP_OK);
    return g;
}

static mp_schedule *per_layer_schedule(const mp_graph *g)
{
    mp_schedule_spec spec;
    mp_schedule *s = NULL;
    mp_error err;
    mp_error_init(&err);
    mp_schedule_spec_init(&spec);
    assert_int_equal(mp_schedule_build(g, &spec, &s, &err), MP_OK);
    return s;
}

static char *run_argv[] = {(char *)"test", (char *)"it's", NULL};

static mp_status record_one(mp_store *st, const mp_schedule *s, mp_error *err)
{
    mp_run_info info = {.command = "test", .argc = 2, .argv = run_argv};
    int64_t run, net, id;
    MP_TRY(mp_store_begin_run(st, &info, &run, err));
    MP_TRY(mp_store_add_network(st, s->g, &net, err));
    MP_TRY(mp_store_add_schedule(st, net, s, "plan", &id, err));
    return mp_store_commit_run(st, err);
}

/* ---- schema and migrations ------------------------------------------------------------ */

static void test_store_schema_fresh(void **state)
{
    fixture *fx = *state;
    mp_store *st = open_ok(fx->db);
    int v = 0;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(store_user_version(st, &v, &err), MP_OK);
    assert_int_equal(v, MP_STORE_SCHEMA_VERSION);
    assert_int_equal(count(st, "SELECT count(*) FROM pragma_journal_mode "
                               "WHERE journal_mode = 'wal'"),
                     1);
    assert_int_equal(count(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                               "name IN ('networks', 'runs', 'schedules', 'schedule_steps', "
                               "'sweeps', 'sweep_targets', 'sweep_results', 'validations')"),
                     8);
    assert_string_equal(mp_store_path(st), fx->db);
    mp_store_close(st);
    /* opening again migrates nothing */
    st = open_ok(fx->db);
    mp_store_close(st);
}

/* A database written at schema version 1 (one network, one run, a schedule with steps) is
 * migrated to the current version: rows are kept, new columns are NULL or their default, and
 * the schema is then exactly that of a new database. */
static void test_store_migration_from_v1(void **state)
{
    fixture *fx = *state;
    mp_error err;
    mp_error_init(&err);
    mp_store *st = NULL;
    assert_int_equal(store_open_version(fx->db, 1, &st, &err), MP_OK);
    int v = 0;
    assert_int_equal(store_user_version(st, &v, &err), MP_OK);
    assert_int_equal(v, 1);
    assert_int_equal(store_exec(st,
                                "INSERT INTO networks VALUES (1, 'abc', 'old', 'old.json', 3, 99);"
                                "INSERT INTO runs VALUES (1, 'analyze', 'memplan analyze old.json',"
                                " '0.0.9', '2024-01-01T00:00:00.000Z');"
                                "INSERT INTO schedules VALUES (1, 1, 1, 'per-layer', NULL, NULL, "
                                "NULL, 1000, 99, '{}');"
                                "INSERT INTO schedule_steps VALUES (1, 0, 1000), (1, 1, 500);",
                                &err),
                     MP_OK);
    mp_store_close(st);

    st = open_ok(fx->db);
    assert_int_equal(store_user_version(st, &v, &err), MP_OK);
    assert_int_equal(v, MP_STORE_SCHEMA_VERSION);
    assert_int_equal(count(st, "SELECT count(*) FROM runs WHERE uuid IS NOT NULL AND "
                               "length(uuid) = 32 AND finished_at IS NULL"),
                     1);
    assert_int_equal(count(st, "SELECT count(*) FROM networks WHERE params IS NULL"), 1);
    assert_int_equal(count(st, "SELECT count(*) FROM schedules WHERE role = 'unknown' AND "
                               "arena_bytes IS NULL AND peak_bytes = 1000"),
                     1);
    assert_int_equal(count(st, "SELECT sum(live_bytes) FROM schedule_steps"), 1500);
    /* the schema equals a new database's */
    char fresh[160], sql[400];
    snprintf(fresh, sizeof fresh, "%s/fresh.db", fx->dir);
    mp_store_close(open_ok(fresh));
    snprintf(sql, sizeof sql, "ATTACH DATABASE '%s' AS f", fresh);
    assert_int_equal(store_exec(st, sql, &err), MP_OK);
    assert_int_equal(count(st, "SELECT count(*) FROM (SELECT type, name, tbl_name, sql FROM "
                               "main.sqlite_master EXCEPT SELECT type, name, tbl_name, sql FROM "
                               "f.sqlite_master)"),
                     0);
    assert_int_equal(count(st, "SELECT count(*) FROM (SELECT type, name, tbl_name, sql FROM "
                               "f.sqlite_master EXCEPT SELECT type, name, tbl_name, sql FROM "
                               "main.sqlite_master)"),
                     0);
    assert_int_equal(store_exec(st, "DETACH DATABASE f", &err), MP_OK);
    /* the migrated database takes new runs; recording the network fills its new columns */
    mp_graph *g = load(fx->nets[0]);
    mp_schedule *s = per_layer_schedule(g);
    assert_int_equal(record_one(st, s, &err), MP_OK);
    assert_int_equal(count(st, "SELECT count(*) FROM runs"), 2);
    mp_store_close(st);
    mp_schedule_free(s);
    mp_graph_free(g);
}

static void test_store_refuses_foreign_databases(void **state)
{
    fixture *fx = *state;
    mp_error err;
    mp_error_init(&err);
    mp_store *st = open_ok(fx->db);
    assert_int_equal(store_exec(st, "PRAGMA user_version = 9", &err), MP_OK);
    mp_store_close(st);
    st = NULL;
    assert_int_equal(mp_store_open(fx->db, NULL, &st, &err), MP_E_DB);
    assert_null(st);
    assert_non_null(strstr(err.msg, "schema version 9 is newer than this memplan reads (3)"));

    /* an SQLite database of someone else */
    char other[160];
    snprintf(other, sizeof other, "%s/other.db", fx->dir);
    mp_error_init(&err);
    assert_int_equal(store_open_version(other, 1, &st, &err), MP_OK);
    assert_int_equal(store_exec(st, "PRAGMA user_version = 0", &err), MP_OK);
    mp_store_close(st);
    st = NULL;
    assert_int_equal(mp_store_open(other, NULL, &st, &err), MP_E_DB);
    assert_non_null(strstr(err.msg, "not a memplan database"));

    /* not SQLite at all */
    snprintf(other, sizeof other, "%s/text.db", fx->dir);
    FILE *f = fopen(other, "w");
    assert_non_null(f);
    fputs("hello, this is not a database, but it is long enough to have a header......\n"
          "................................................................................\n",
          f);
    fclose(f);
    mp_error_init(&err);
    assert_int_equal(mp_store_open(other, NULL, &st, &err), MP_E_DB);
    assert_non_null(strstr(err.msg, "not an SQLite database"));

    /* report on a missing database does not create one */
    mp_store_opts o;
    mp_store_opts_init(&o);
    o.create = false;
    snprintf(other, sizeof other, "%s/missing.db", fx->dir);
    mp_error_init(&err);
    assert_int_equal(mp_store_open(other, &o, &st, &err), MP_E_IO);
    assert_int_equal(access(other, F_OK), -1);
}

/* ---- transactions --------------------------------------------------------------------- */

static void test_store_failed_run_leaves_no_rows(void **state)
{
    fixture *fx = *state;
    mp_graph *g = load(fx->nets[1]);
    mp_schedule *s = per_layer_schedule(g);
    mp_store *st = open_ok(fx->db);
    mp_error err;
    mp_error_init(&err);
    mp_run_info info = {.command = "test", .argc = 2, .argv = run_argv};
    int64_t run, net, id;
    /* a failure mid-run: a schedule of a network that does not exist (foreign key) */
    assert_int_equal(mp_store_begin_run(st, &info, &run, &err), MP_OK);
    assert_int_equal(mp_store_add_network(st, g, &net, &err), MP_OK);
    assert_int_equal(mp_store_add_schedule(st, net, s, "plan", &id, &err), MP_OK);
    assert_int_equal(mp_store_add_schedule(st, 999, s, "plan", &id, &err), MP_E_DB);
    assert_non_null(strstr(err.msg, "FOREIGN KEY"));
    mp_store_abort_run(st);
    assert_int_equal(count(st, "SELECT count(*) FROM runs"), 0);
    assert_int_equal(count(st, "SELECT count(*) FROM networks"), 0);
    assert_int_equal(count(st, "SELECT count(*) FROM schedules"), 0);
    assert_int_equal(count(st, "SELECT count(*) FROM schedule_steps"), 0);
    /* a value above INT64_MAX is refused before binding */
    mp_error_init(&err);
    assert_int_equal(mp_store_begin_run(st, &info, &run, &err), MP_OK);
    mp_store_validation v = {.bit_exact = true, .bytes_compared = UINT64_MAX};
    assert_int_equal(mp_store_add_validation(st, 1, &v, &id, &err), MP_E_OVERFLOW);
    mp_store_abort_run(st);
    /* closing with a run open rolls it back */
    mp_error_init(&err);
    assert_int_equal(mp_store_begin_run(st, &info, &run, &err), MP_OK);
    assert_int_equal(mp_store_add_network(st, g, &net, &err), MP_OK);
    mp_store_close(st);
    st = open_ok(fx->db);
    assert_int_equal(count(st, "SELECT count(*) FROM networks"), 0);
    /* writes need an open run */
    assert_int_equal(mp_store_add_network(st, g, &net, &err), MP_E_INVALID);
    assert_int_equal(mp_store_commit_run(st, &err), MP_E_INVALID);
    /* a committed run: one row per step, whose MACs sum to the schedule's */
    mp_error_init(&err);
    assert_int_equal(record_one(st, s, &err), MP_OK);
    assert_int_equal(count(st, "SELECT count(*) FROM schedule_steps"), g->n_ops);
    assert_int_equal(count(st, "SELECT sum(macs) FROM schedule_steps"), (int64_t)s->macs);
    assert_int_equal(count(st, "SELECT max(live_bytes) FROM schedule_steps"),
                     (int64_t)s->peak_bytes);
    assert_int_equal(count(st, "SELECT count(*) FROM runs WHERE command_line = "
                               "'memplan test ''it''\\''''s''' AND finished_at IS NOT NULL"),
                     1);
    /* the same network again is the same row */
    assert_int_equal(record_one(st, s, &err), MP_OK);
    assert_int_equal(count(st, "SELECT count(*) FROM networks"), 1);
    assert_int_equal(count(st, "SELECT count(*) FROM schedules"), 2);
    mp_store_close(st);
    mp_schedule_free(s);
    mp_graph_free(g);
}

/* What memplan validate will record: a schedule and the result of running it. */
static void test_store_validation_recorded(void **state)
{
    fixture *fx = *state;
    mp_graph *g = load(fx->nets[0]);
    mp_schedule *s = per_layer_schedule(g);
    mp_store *st = open_ok(fx->db);
    mp_error err;
    mp_error_init(&err);
    mp_run_info info = {.command = "validate", .argc = 1, .argv = run_argv};
    int64_t run, net, sched, v1, v2;
    assert_int_equal(mp_store_begin_run(st, &info, &run, &err), MP_OK);
    assert_int_equal(mp_store_add_network(st, g, &net, &err), MP_OK);
    assert_int_equal(mp_store_add_schedule(st, net, s, "validate", &sched, &err), MP_OK);
    mp_store_validation ok = {.bit_exact = true, .bytes_compared = 10,
                              .arena_bytes = s->arena_bytes};
    mp_store_validation bad = {.bit_exact = false, .bytes_compared = 10, .mismatched_bytes = 2,
                               .arena_bytes = s->arena_bytes,
                               .detail = "tensor 'fc' element 3: expected 5, got 7"};
    assert_int_equal(mp_store_add_validation(st, sched, &ok, &v1, &err), MP_OK);
    assert_int_equal(mp_store_add_validation(st, sched, &bad, &v2, &err), MP_OK);
    assert_int_equal(mp_store_commit_run(st, &err), MP_OK);
    assert_int_equal(v2, v1 + 1);
    assert_int_equal(count(st, "SELECT count(*) FROM validations WHERE run_id = 1 AND "
                               "schedule_id = 1 AND mismatched_bytes + bit_exact = 1 + 0 * id"),
                     1);
    mp_report r;
    mp_report_init(&r);
    assert_int_equal(mp_store_report_run(st, run, &r, &err), MP_OK);
    assert_int_equal(r.n_rows, 1);
    assert_int_equal(r.n_notes, 4);
    char want[200];
    snprintf(want, sizeof want,
             "validation of schedule 1: MISMATCH, 10 bytes compared, arena %zu bytes: tensor "
             "'fc' element 3: expected 5, got 7",
             s->arena_bytes);
    assert_string_equal(r.notes[3], want);
    mp_report_release(&r);
    mp_store_close(st);
    mp_schedule_free(s);
    mp_graph_free(g);
}

/* Record a run with the Nth allocation failing, N = 0, 1, 2, ...: every attempt ends in
 * success or MP_E_NOMEM, leaks nothing (cmocka checks), and a failed attempt leaves no rows. */
static void test_store_allocation_failures(void **state)
{
    fixture *fx = *state;
    mp_graph *g = load(fx->nets[2]);
    mp_schedule *s = per_layer_schedule(g);
    for (long n = 0;; n++) {
        mp_store_remove_files(fx->db);
        mp_error err;
        mp_error_init(&err);
        mp_store *st = NULL;
        mp_report r;
        mp_report_init(&r);
        fault_alloc_fail_after(n);
        mp_status rc = mp_store_open(fx->db, NULL, &st, &err);
        if (rc == MP_OK)
            rc = record_one(st, s, &err);
        bool recorded = rc == MP_OK;
        if (rc == MP_OK)
            rc = mp_store_report_runs(st, 10, &r, &err);
        long calls = fault_alloc_calls();
        fault_alloc_fail_after(-1);
        mp_report_release(&r);
        mp_store_close(st);
        if (rc == MP_OK && calls <= n)
            break;
        assert_int_equal(rc, MP_E_NOMEM);
        if (access(fx->db, F_OK) == 0) {
            st = open_ok(fx->db);
            assert_int_equal(count(st, "SELECT count(*) FROM runs"), recorded);
            assert_int_equal(count(st, "SELECT count(*) FROM schedules"), recorded);
            mp_store_close(st);
        }
    }
    mp_schedule_free(s);
    mp_graph_free(g);
}

/* ---- report tables -------------------------------------------------------------------- */

static void test_store_report_formats(void **state)
{
    (void)state;
    mp_report r;
    mp_report_init(&r);
    mp_report_set_title(&r, "t %d", 1);
    mp_report_add_column(&r, "name", NULL, false);
    mp_report_add_column(&r, "bytes", "B", true);
    mp_report_add_row(&r);
    mp_report_set(&r, 0, "a,b \"q\"");
    mp_report_setf(&r, 1, "%d", 1234);
    mp_report_add_row(&r);
    mp_report_set(&r, 0, "x|y");
    mp_report_add_note(&r, "note");
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_report_write(&r, MP_REPORT_TABLE, &sb, &err), MP_OK);
    assert_string_equal(sb.buf, "t 1\n\nname     bytes\n             B\na,b \"q\"   1234\nx|y\n\n"
                                "note\n");
    mp_strbuf_reset(&sb);
    assert_int_equal(mp_report_write(&r, MP_REPORT_CSV, &sb, &err), MP_OK);
    assert_string_equal(sb.buf, "name,bytes\r\n\"a,b \"\"q\"\"\",1234\r\nx|y,\r\n");
    mp_strbuf_reset(&sb);
    assert_int_equal(mp_report_write(&r, MP_REPORT_JSON, &sb, &err), MP_OK);
    assert_string_equal(sb.buf,
                        "{\"title\": \"t 1\",\n \"columns\": [{\"name\": \"name\", \"detail\": "
                        "null}, {\"name\": \"bytes\", \"detail\": \"B\"}],\n \"rows\": [\n  "
                        "[\"a,b \\\"q\\\"\", 1234],\n  [\"x|y\", null]],\n \"notes\": "
                        "[\"note\"]}\n");
    mp_strbuf_reset(&sb);
    assert_int_equal(mp_report_write(&r, MP_REPORT_MARKDOWN, &sb, &err), MP_OK);
    assert_string_equal(sb.buf, "**t 1**\n\n| name | bytes (B) |\n| --- | ---: |\n"
                                "| a,b \"q\" | 1234 |\n| x\\|y |  |\n\nnote\n");
    mp_report_format f;
    assert_true(mp_report_format_parse("md", &f));
    assert_int_equal(f, MP_REPORT_MARKDOWN);
    assert_false(mp_report_format_parse("xml", &f));
    mp_strbuf_release(&sb);
    mp_report_release(&r);
}

/* ---- catalog and targets -------------------------------------------------------------- */

static void test_store_catalog_builtin(void **state)
{
    (void)state;
    static const char *const names[] = {"STM32F411", "STM32F412", "STM32F746", "STM32H743",
                                        "STM32L4R5", "nRF52840",  "RP2040",    "ESP32-S3",
                                        "Apollo3",   "MIMXRT1062"};
    mp_mcu_catalog *c = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_mcu_catalog_new(NULL, &c, &err), MP_OK);
    assert_int_equal(c->n, 10);
    for (int i = 0; i < 10; i++) {
        const mp_mcu *m = mp_mcu_catalog_find(c, names[i]);
        assert_non_null(m);
        assert_true(m->sram_bytes > 0 && m->sram_bytes <= m->sram_total_bytes);
        assert_true(m->flash_bytes > 0 && m->note[0]);
    }
    const mp_mcu *h = mp_mcu_catalog_find(c, "stm32h743");
    assert_non_null(h);
    assert_int_equal(h->sram_bytes, 512 * 1024);      /* contiguous AXI SRAM */
    assert_int_equal(h->sram_total_bytes, 1056 * 1024); /* all banks */
    assert_int_equal(mp_mcu_catalog_find(c, "RP2040")->sram_bytes, 264 * 1024);
    assert_null(mp_mcu_catalog_find(c, "Z80"));
    mp_mcu_catalog_free(c);
}

static void catalog_error(const char *text, mp_status want, const char *msg)
{
    mp_mcu_catalog *c = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_mcu_catalog_new_text(text, strlen(text), "cat.json", &c, &err), want);
    assert_null(c);
    assert_string_equal(err.msg, msg);
}

#define CAT_HEAD "{\"format\": \"memplan-mcus\", \"version\": 1, \"mcus\": ["

static void test_store_catalog_user(void **state)
{
    (void)state;
    const char *good = CAT_HEAD "{\"name\": \"MyBoard\", \"sram\": \"192K\", \"flash\": 2097152, "
                                "\"note\": \"linker map\"},"
                                "{\"name\": \"stm32f746\", \"sram\": \"300K\", \"flash\": \"1M\"}]}";
    mp_mcu_catalog *c = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_mcu_catalog_new_text(good, strlen(good), "cat.json", &c, &err), MP_OK);
    assert_int_equal(c->n, 11);
    const mp_mcu *m = mp_mcu_catalog_find(c, "myboard");
    assert_non_null(m);
    assert_int_equal(m->sram_bytes, 192 * 1024);
    assert_int_equal(m->sram_total_bytes, 192 * 1024);
    assert_int_equal(m->flash_bytes, 2 * 1024 * 1024);
    assert_string_equal(m->note, "linker map");
    /* a built-in's name replaces it in place */
    assert_string_equal(c->mcus[2].name, "stm32f746");
    assert_int_equal(c->mcus[2].sram_bytes, 300 * 1024);
    mp_mcu_catalog_free(c);

    catalog_error("{\"format\": \"memplan-mcus\",, }", MP_E_PARSE,
                  "cat.json:1:29: invalid JSON near '}'");
    catalog_error("{\"format\": \"memplan-net\", \"version\": 1, \"mcus\": []}", MP_E_INVALID,
                  "cat.json: format: expected \"memplan-mcus\", got \"memplan-net\"");
    catalog_error("{\"format\": \"memplan-mcus\", \"version\": 1}", MP_E_INVALID,
                  "cat.json: mcus: missing required field");
    catalog_error(CAT_HEAD "{\"name\": \"A\", \"flash\": \"1M\"}]}", MP_E_INVALID,
                  "cat.json: mcus[0].sram: missing required field");
    catalog_error(CAT_HEAD "{\"name\": \"A\", \"sram\": \"12X\"}]}", MP_E_INVALID,
                  "cat.json: mcus[0].sram: expected a size such as 262144 or \"256K\", got "
                  "\"12X\"");
    catalog_error(CAT_HEAD "{\"name\": \"A\", \"sram\": 0}]}", MP_E_INVALID,
                  "cat.json: mcus[0].sram: must be at least 1 bytes, got 0");
    catalog_error(CAT_HEAD "{\"name\": \"A\", \"sram\": 1.5}]}", MP_E_INVALID,
                  "cat.json: mcus[0].sram: expected a size such as 262144 or \"256K\", got 1.5");
    catalog_error(CAT_HEAD "{\"name\": \"A\", \"sram\": 1}, {\"name\": \"a\", \"sram\": 2}]}",
                  MP_E_INVALID, "cat.json: mcus[1].name: \"a\" is listed twice (also mcus[0])");
    catalog_error(CAT_HEAD "{\"name\": \"my board\", \"sram\": 1}]}", MP_E_INVALID,
                  "cat.json: mcus[0].name: expected 1 to 31 letters, digits or '-_.+', got "
                  "\"my board\"");
    catalog_error(CAT_HEAD "{\"name\": \"A\", \"sram\": \"2K\", \"sram_total\": \"1K\"}]}",
                  MP_E_INVALID, "cat.json: mcus[0].sram_total: 1024 bytes is less than sram (2048 "
                                "bytes)");
    catalog_error(CAT_HEAD "{\"name\": \"A\", \"sram\": 1, \"ram\": 2}]}", MP_E_INVALID,
                  "cat.json: mcus[0].ram: unknown field");
    catalog_error(CAT_HEAD "7]}", MP_E_INVALID,
                  "cat.json: mcus[0]: expected an object with name, sram and flash");
}

static void test_store_targets(void **state)
{
    (void)state;
    mp_sweep_target *t = NULL;
    uint32_t n = 0;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_sweep_budget_targets("64K,1M,300000", "--budgets", &t, &n, &err), MP_OK);
    assert_int_equal(n, 3);
    assert_string_equal(t[0].label, "64K");
    assert_string_equal(t[1].label, "1M");
    assert_string_equal(t[2].label, "300000");
    assert_int_equal(t[2].sram_bytes, 300000);
    assert_int_equal(t[0].flash_bytes, 0);
    mp_sweep_targets_free(t);
    static const struct {
        const char *list, *msg;
    } bad[] = {
        {"64K,,128K", "--budgets: empty item in '64K,,128K'"},
        {"0", "--budgets: a budget must be more than 0 bytes, got '0'"},
        {"64K,65536", "--budgets: '65536' repeats budget 1 (65536 bytes)"},
        {"12X", "--budgets: unknown size suffix 'X' in '12X' (use B, K, KB, KiB, M, MB, MiB, G, GB or GiB, any case; all are powers of 1024)"},
        {"", "--budgets: empty item in ''"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mp_error_init(&err);
        assert_int_not_equal(mp_sweep_budget_targets(bad[i].list, "--budgets", &t, &n, &err),
                             MP_OK);
        assert_null(t);
        assert_string_equal(err.msg, bad[i].msg);
    }
    mp_mcu_catalog *c = NULL;
    assert_int_equal(mp_mcu_catalog_new(NULL, &c, &err), MP_OK);
    assert_int_equal(mp_sweep_mcu_targets(c, "all", "--mcus", &t, &n, &err), MP_OK);
    assert_int_equal(n, c->n);
    assert_true(t[0].is_mcu);
    mp_sweep_targets_free(t);
    assert_int_equal(mp_sweep_mcu_targets(c, "rp2040,STM32F746", "--mcus", &t, &n, &err), MP_OK);
    assert_int_equal(n, 2);
    assert_string_equal(t[0].label, "RP2040");
    assert_int_equal(t[1].sram_bytes, 320 * 1024);
    assert_int_equal(t[1].flash_bytes, 1024 * 1024);
    mp_sweep_targets_free(t);
    mp_error_init(&err);
    assert_int_equal(mp_sweep_mcu_targets(c, "RP2040,Z80", "--mcus", &t, &n, &err),
                     MP_E_INVALID);
    assert_string_equal(err.msg, "--mcus: unknown MCU 'Z80' ('memplan mcus' lists them; "
                                 "--catalog adds parts)");
    mp_mcu_catalog_free(c);
}

/* ---- sweeps --------------------------------------------------------------------------- */

static mp_sweep *run_sweep(fixture *fx, uint32_t jobs, uint32_t shard, uint32_t n_shards)
{
    static mp_sweep_target targets[3];
    uint32_t nt;
    mp_sweep_target *t;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_sweep_budget_targets("16,2K,64K", "--budgets", &t, &nt, &err), MP_OK);
    memcpy(targets, t, sizeof targets);
    mp_sweep_targets_free(t);
    const char *nets[4] = {fx->nets[0], fx->nets[1], fx->nets[2], fx->nets[0]};
    mp_sweep_spec spec;
    mp_sweep_spec_init(&spec);
    spec.nets = nets;
    spec.n_nets = 4;
    spec.targets = targets;
    spec.n_targets = 3;
    spec.jobs = jobs;
    spec.shard = shard;
    spec.n_shards = n_shards;
    mp_sweep *sw = NULL;
    assert_int_equal(mp_sweep_run(&spec, &sw, &err), MP_OK);
    return sw;
}

static void matrix_text(const mp_sweep *sw, mp_strbuf *sb)
{
    mp_report r;
    mp_error err;
    mp_error_init(&err);
    mp_report_init(&r);
    assert_int_equal(mp_sweep_matrix(sw, &r, &err), MP_OK);
    assert_int_equal(mp_report_write(&r, MP_REPORT_CSV, sb, &err), MP_OK);
    mp_report_release(&r);
}

static void test_store_sweep_threads_and_shards(void **state)
{
    fixture *fx = *state;
    mp_sweep *one = run_sweep(fx, 1, 0, 1), *three = run_sweep(fx, 3, 0, 1);
    assert_int_equal(one->n_nets, 4);
    assert_int_equal(one->n_failed, 0);
    assert_string_equal(one->key, three->key);
    for (uint32_t i = 0; i < one->n_nets; i++) {
        const mp_sweep_net *a = &one->nets[i], *b = &three->nets[i];
        assert_string_equal(a->g->hash, b->g->hash);
        assert_int_equal(a->n_schedules, b->n_schedules);
        assert_memory_equal(a->cells, b->cells, one->n_targets * sizeof *a->cells);
        for (uint32_t k = 0; k < a->n_schedules; k++) {
            assert_int_equal(a->schedules[k].s->peak_bytes, b->schedules[k].s->peak_bytes);
            assert_int_equal(a->schedules[k].s->arena_bytes, b->schedules[k].s->arena_bytes);
            assert_int_equal(a->schedules[k].s->macs, b->schedules[k].s->macs);
            /* per-step MACs add up to the schedule's, halos included */
            uint64_t macs[16] = {0}, sum = 0;
            mp_sweep_step_macs(a->schedules[k].s, macs);
            for (uint32_t st = 0; st < a->g->n_ops; st++)
                sum += macs[st];
            assert_int_equal(sum, a->schedules[k].s->macs);
        }
        /* 16 bytes fit nothing, 64K fits per-layer */
        assert_false(a->cells[0].fits);
        assert_true(a->cells[0].missing_bytes > 0);
        assert_true(a->cells[2].fits);
        assert_false(a->schedules[a->cells[2].schedule].patch);
    }
    /* shards: networks 0, 2 and 1, 3 with the same key */
    mp_sweep *s1 = run_sweep(fx, 1, 0, 2), *s2 = run_sweep(fx, 2, 1, 2);
    assert_string_equal(s1->key, one->key);
    assert_int_equal(s1->n_nets, 2);
    assert_int_equal(s1->nets[1].index, 2);
    assert_int_equal(s2->nets[0].index, 1);
    mp_strbuf a, b;
    mp_strbuf_init(&a);
    mp_strbuf_init(&b);
    matrix_text(one, &a);
    matrix_text(three, &b);
    assert_string_equal(a.buf, b.buf);
    mp_strbuf_release(&a);
    mp_strbuf_release(&b);
    mp_sweep_free(one);
    mp_sweep_free(three);
    mp_sweep_free(s1);
    mp_sweep_free(s2);
}

static void record_sweep(const char *path, const mp_sweep *sw)
{
    mp_store *st = open_ok(path);
    mp_error err;
    mp_error_init(&err);
    mp_run_info info = {.command = "sweep", .argc = 1, .argv = run_argv};
    int64_t run, id;
    assert_int_equal(mp_store_begin_run(st, &info, &run, &err), MP_OK);
    assert_int_equal(mp_store_add_sweep(st, sw, &id, &err), MP_OK);
    assert_int_equal(mp_store_commit_run(st, &err), MP_OK);
    mp_store_close(st);
}

static void sweep_report(const char *path, mp_strbuf *sb)
{
    mp_store *st = open_ok(path);
    mp_report r;
    mp_report_init(&r);
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_store_report_sweep(st, 1, &r, &err), MP_OK);
    assert_int_equal(mp_report_write(&r, MP_REPORT_TABLE, sb, &err), MP_OK);
    mp_report_release(&r);
    mp_store_close(st);
}

static void test_store_merge_shards(void **state)
{
    fixture *fx = *state;
    char whole[160], a[160], b[160], merged[160];
    snprintf(whole, sizeof whole, "%s/whole.db", fx->dir);
    snprintf(a, sizeof a, "%s/a.db", fx->dir);
    snprintf(b, sizeof b, "%s/b.db", fx->dir);
    snprintf(merged, sizeof merged, "%s/merged.db", fx->dir);
    mp_sweep *sw = run_sweep(fx, 2, 0, 1), *s1 = run_sweep(fx, 1, 0, 2),
             *s2 = run_sweep(fx, 1, 1, 2);
    record_sweep(whole, sw);
    record_sweep(a, s1);
    record_sweep(b, s2);
    const char *inputs[] = {a, b, a};
    mp_merge_stats stats;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_store_merge(inputs, 3, merged, &stats, &err), MP_OK);
    assert_int_equal(stats.runs_added, 2);
    assert_int_equal(stats.runs_skipped, 1);
    assert_int_equal(stats.results_added, 12);
    assert_int_equal(stats.results_skipped, 6);
    /* merging again into the existing output adds nothing */
    assert_int_equal(mp_store_merge(inputs, 2, merged, &stats, &err), MP_OK);
    assert_int_equal(stats.runs_added, 0);
    assert_int_equal(stats.results_added, 0);
    mp_strbuf x, y, z;
    mp_strbuf_init(&x);
    mp_strbuf_init(&y);
    mp_strbuf_init(&z);
    sweep_report(whole, &x);
    sweep_report(merged, &y);
    assert_string_equal(x.buf, y.buf);
    /* the report from the database prints what the sweep printed */
    mp_report r;
    mp_report_init(&r);
    assert_int_equal(mp_sweep_matrix(sw, &r, &err), MP_OK);
    assert_int_equal(mp_report_write(&r, MP_REPORT_TABLE, &z, &err), MP_OK);
    assert_string_equal(x.buf, z.buf);
    mp_report_release(&r);
    mp_store *st = open_ok(merged);
    assert_int_equal(count(st, "SELECT count(*) FROM sweep_results"), 12);
    assert_int_equal(count(st, "SELECT count(*) FROM sweeps"), 1);
    assert_int_equal(count(st, "SELECT count(*) FROM networks"), 3);
    assert_int_equal(count(st, "SELECT count(*) FROM sweep_results x LEFT JOIN schedules s ON "
                               "s.id = x.schedule_id WHERE s.id IS NULL OR s.run_id != x.run_id"),
                     0);
    mp_store_close(st);
    /* an input at an older schema version is refused, the output is untouched */
    char old[160];
    snprintf(old, sizeof old, "%s/old.db", fx->dir);
    assert_int_equal(store_open_version(old, 1, &st, &err), MP_OK);
    mp_store_close(st);
    const char *bad[] = {a, old};
    assert_int_equal(mp_store_merge(bad, 2, merged, &stats, &err), MP_E_DB);
    char expect[64];
    snprintf(expect, sizeof expect, "old.db: schema version 1, expected %d",
             MP_STORE_SCHEMA_VERSION);
    assert_non_null(strstr(err.msg, expect));
    mp_strbuf_reset(&y);
    sweep_report(merged, &y);
    assert_string_equal(x.buf, y.buf);
    mp_strbuf_release(&x);
    mp_strbuf_release(&y);
    mp_strbuf_release(&z);
    mp_sweep_free(sw);
    mp_sweep_free(s1);
    mp_sweep_free(s2);
}

/* A database at schema version 2 (before kernel scratch and redistributions) is upgraded:
 * its schedule keeps its figures with NULL scratch columns, and it takes redistributions. */
static void test_store_migration_from_v2(void **state)
{
    fixture *fx = *state;
    mp_error err;
    mp_error_init(&err);
    mp_store *st = NULL;
    mp_graph *g = load(fx->nets[0]);
    mp_schedule *s = per_layer_schedule(g);
    assert_int_equal(store_open_version(fx->db, 2, &st, &err), MP_OK);
    assert_int_equal(store_exec(st,
                                "INSERT INTO networks (id, hash, name, source, ops, macs) VALUES "
                                "(1, 'abc', 'old', 'old.json', 3, 99);"
                                "INSERT INTO runs (id, command, command_line, memplan_version, "
                                "started_at, uuid) VALUES (1, 'plan', 'memplan plan', '0.0.9', "
                                "'2024-01-01T00:00:00.000Z', 'u1');"
                                "INSERT INTO schedules (id, run_id, network_id, mode, peak_bytes, "
                                "macs, schedule_json, role) VALUES (1, 1, 1, 'per-layer', 1000, "
                                "99, '{}', 'plan');",
                                &err),
                     MP_OK);
    int v = 0;
    assert_int_equal(store_user_version(st, &v, &err), MP_OK);
    assert_int_equal(v, 2);
    mp_store_close(st);
    st = open_ok(fx->db);
    assert_int_equal(store_user_version(st, &v, &err), MP_OK);
    assert_int_equal(v, MP_STORE_SCHEMA_VERSION);
    assert_int_equal(count(st, "SELECT count(*) FROM schedules WHERE peak_bytes = 1000 AND "
                               "kernels IS NULL AND scratch_bytes IS NULL AND total_bytes IS NULL"),
                     1);
    assert_int_equal(count(st, "SELECT count(*) FROM redistributions"), 0);
    assert_int_equal(record_one(st, s, &err), MP_OK);
    assert_int_equal(count(st, "SELECT count(*) FROM schedules WHERE kernels = 'reference' AND "
                               "scratch_bytes = 0 AND reserve_bytes = 0 AND "
                               "total_bytes = peak_bytes"),
                     1);
    mp_store_close(st);
    mp_schedule_free(s);
    mp_graph_free(g);
}

/* Record a redistribution: one row per variant, the original first; the run's report lists
 * them; a merge carries them over with the run. */
static void test_store_redistribution_recorded(void **state)
{
    fixture *fx = *state;
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = load(fx->nets[0]);
    mp_per_layer pl;
    assert_int_equal(mp_plan_per_layer(g, NULL, NULL, &pl, &err), MP_OK);
    mp_patch_spec spec = {.rows = 2, .cols = 2, .cuts = MP_CUTS_EVEN, .halo = MP_HALO_RECOMPUTE};
    assert_int_equal(mp_patch_spec_for_split(g, &pl, "pw", &spec, &err), MP_OK);
    mp_redist_opts ro;
    mp_redist_opts_init(&ro);
    mp_redist r = {0};
    mp_plan_opts po;
    mp_plan_opts_init(&po);
    assert_int_equal(mp_redistribute(g, &po, &spec, &ro, &r, &err), MP_OK);
    assert_true(r.n >= 1);
    mp_schedule *s = per_layer_schedule(g);
    mp_store *st = open_ok(fx->db);
    mp_run_info info = {.command = "redistribute", .argc = 1, .argv = run_argv};
    int64_t run, net, rid;
    assert_int_equal(mp_store_begin_run(st, &info, &run, &err), MP_OK);
    assert_int_equal(mp_store_add_network(st, g, &net, &err), MP_OK);
    assert_int_equal(mp_store_add_redistribution(st, net, &r, &rid, &err), MP_OK);
    assert_int_equal(mp_store_commit_run(st, &err), MP_OK);
    assert_int_equal(count(st, "SELECT count(*) FROM redistributions WHERE split = 'pw' AND "
                               "grid_rows = 2 AND grid_cols = 2 AND halo = 'recompute'"),
                     1);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM redistribution_variants WHERE "
                              "redistribution_id = %lld", (long long)rid);
    assert_int_equal(count(st, sql), r.n);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM redistribution_variants WHERE idx = 0 AND "
                              "variant = 'original' AND changes = 'unchanged' AND "
                              "peak_bytes = %zu", r.v[0].peak);
    assert_int_equal(count(st, sql), 1);
    mp_report rep;
    mp_report_init(&rep);
    assert_int_equal(mp_store_report_run(st, run, &rep, &err), MP_OK);
    assert_int_equal(rep.n_notes, 2 + r.n);
    assert_non_null(strstr(rep.notes[2], "redistribution 1 (pw 2x2 recompute) original: peak"));
    mp_report_release(&rep);
    mp_store_close(st);
    /* no open run: refused */
    st = open_ok(fx->db);
    assert_int_equal(mp_store_add_redistribution(st, net, &r, &rid, &err), MP_E_INVALID);
    mp_store_close(st);
    char merged[160];
    snprintf(merged, sizeof merged, "%s/merged.db", fx->dir);
    const char *inputs[] = {fx->db};
    mp_merge_stats stats;
    assert_int_equal(mp_store_merge(inputs, 1, merged, &stats, &err), MP_OK);
    st = open_ok(merged);
    assert_int_equal(count(st, "SELECT count(*) FROM redistribution_variants v JOIN "
                               "redistributions d ON d.id = v.redistribution_id JOIN runs u ON "
                               "u.id = d.run_id"),
                     r.n);
    mp_store_close(st);
    mp_schedule_free(s);
    mp_redist_release(&r);
    mp_per_layer_release(&pl);
    mp_graph_free(g);
}

/* The sweep, its recording and its report with the Nth allocation failing. */
static void test_store_sweep_allocation_failures(void **state)
{
    fixture *fx = *state;
    mp_sweep_target *t = NULL;
    uint32_t nt = 0;
    const char *nets[2] = {fx->nets[0], fx->nets[1]};
    for (long n = 0;; n++) {
        mp_store_remove_files(fx->db);
        mp_error err;
        mp_error_init(&err);
        mp_sweep *sw = NULL;
        mp_store *st = NULL;
        mp_report r;
        mp_report_init(&r);
        fault_alloc_fail_after(n);
        mp_status rc = mp_sweep_budget_targets("1K,64K", "--budgets", &t, &nt, &err);
        if (rc == MP_OK) {
            mp_sweep_spec spec;
            mp_sweep_spec_init(&spec);
            spec.nets = nets;
            spec.n_nets = 2;
            spec.targets = t;
            spec.n_targets = nt;
            /* a small search: every allocation is failed once, so the run is
             * repeated once per allocation */
            spec.search.halos = MP_HALO_BIT(MP_HALO_RECOMPUTE);
            spec.search.max_rows = spec.search.max_cols = 4;
            rc = mp_sweep_run(&spec, &sw, &err);
        }
        for (uint32_t i = 0; rc == MP_OK && i < sw->n_nets; i++)
            if (!sw->nets[i].g)
                rc = sw->nets[i].error.status;
        if (rc == MP_OK)
            rc = mp_store_open(fx->db, NULL, &st, &err);
        if (rc == MP_OK) {
            mp_run_info info = {.command = "sweep", .argc = 1, .argv = run_argv};
            int64_t run, id;
            rc = mp_store_begin_run(st, &info, &run, &err);
            if (rc == MP_OK)
                rc = mp_store_add_sweep(st, sw, &id, &err);
            if (rc == MP_OK)
                rc = mp_store_commit_run(st, &err);
        }
        if (rc == MP_OK)
            rc = mp_store_report_sweep(st, 1, &r, &err);
        long calls = fault_alloc_calls();
        fault_alloc_fail_after(-1);
        mp_report_release(&r);
        mp_store_close(st);
        mp_sweep_free(sw);
        mp_sweep_targets_free(t);
        t = NULL;
        if (rc == MP_OK && calls <= n)
            break;
        assert_int_equal(rc, MP_E_NOMEM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_schema_fresh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_migration_from_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_refuses_foreign_databases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_failed_run_leaves_no_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_validation_recorded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_allocation_failures, setup, teardown),
        cmocka_unit_test(test_store_report_formats),
        cmocka_unit_test(test_store_catalog_builtin),
        cmocka_unit_test(test_store_catalog_user),
        cmocka_unit_test(test_store_targets),
        cmocka_unit_test_setup_teardown(test_store_sweep_threads_and_shards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_merge_shards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_sweep_allocation_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_migration_from_v2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_redistribution_recorded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
