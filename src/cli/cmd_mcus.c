/* SPDX-License-Identifier: MIT */
/*
 * cmd_mcus.c - `memplan mcus`: the MCU catalog (module cli).
 */
#define _GNU_SOURCE
#include "cli.h"
#include "record.h"

#include <getopt.h>

const char mcus_usage[] =
    "usage: memplan mcus [--catalog FILE] [--wide] [--json]\n"
    "\n"
    "List the microcontrollers --mcu and --mcus know: the SRAM budget (the\n"
    "largest contiguous block of on-chip data SRAM, what one tensor arena can\n"
    "use), the datasheet's total SRAM, the flash that holds the weights, and\n"
    "with --wide, what is counted with the datasheet it comes from\n"
    "(docs/database.md).\n"
    "\n"
    "options:\n"
    "  --catalog FILE     add the parts of a JSON catalog (docs/cli.md)\n"
    "  --wide             add what is counted and its datasheet (wider than 80\n"
    "                     columns)\n"
    "  --json             print a JSON array (with the datasheet notes)\n"
    "  -h, --help         show this help\n";

static const char *size_text(size_t bytes, char *buf, size_t n)
{
    const size_t mib = (size_t)1024 * 1024;
    if (bytes == 0)
        snprintf(buf, n, "-");
    else if (bytes % mib == 0)
        snprintf(buf, n, "%zu MiB", bytes / mib);
    else if (bytes % 1024 == 0)
        snprintf(buf, n, "%zu KiB", bytes / 1024);
    else
        snprintf(buf, n, "%zu B", bytes);
    return buf;
}

static void print_json(mp_cli *cli, const mp_mcu_catalog *cat, mp_strbuf *sb)
{
    mp_strbuf_puts(sb, "[");
    for (uint32_t i = 0; i < cat->n; i++) {
        const mp_mcu *m = &cat->mcus[i];
        mp_strbuf_puts(sb, i ? ",\n {\"name\": " : "\n {\"name\": ");
        mp_strbuf_json_string(sb, m->name);
        mp_strbuf_printf(sb, ", \"sram_bytes\": %zu, \"sram_total_bytes\": %zu, "
                             "\"flash_bytes\": %zu, \"note\": ",
                         m->sram_bytes, m->sram_total_bytes, m->flash_bytes);
        mp_strbuf_json_string(sb, m->note);
        mp_strbuf_puts(sb, "}");
    }
    mp_strbuf_puts(sb, "\n]\n");
    (void)cli;
}

static void table(const mp_mcu_catalog *cat, mp_report *r, bool wide)
{
    mp_report_set_title(r, "MCU catalog (%u parts); budgets count the largest contiguous SRAM",
                        cat->n);
    mp_report_add_column(r, "MCU", NULL, false);
    mp_report_add_column(r, "SRAM budget", NULL, true);
    mp_report_add_column(r, "SRAM total", NULL, true);
    mp_report_add_column(r, "flash", NULL, true);
    if (wide)
        mp_report_add_column(r, "what is counted (datasheet)", NULL, false);
    else
        mp_report_add_note(r, "what each figure counts, with its datasheet: memplan mcus --wide");
    for (uint32_t i = 0; i < cat->n; i++) {
        const mp_mcu *m = &cat->mcus[i];
        char a[32], b[32], c[32];
        mp_report_add_row(r);
        mp_report_set(r, 0, m->name);
        mp_report_set(r, 1, size_text(m->sram_bytes, a, sizeof a));
        mp_report_set(r, 2, size_text(m->sram_total_bytes, b, sizeof b));
        mp_report_set(r, 3, size_text(m->flash_bytes, c, sizeof c));
        if (wide)
            mp_report_set(r, 4, m->note);
    }
}

int cmd_mcus(mp_cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"catalog", required_argument, NULL, OPT_CATALOG},
        {"json", no_argument, NULL, 'J'},
        {"wide", no_argument, NULL, 'W'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    record_opts rec = {0};
    bool json = false, wide = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h')
            return cli_help(cli);
        if (c == 'J')
            json = true;
        else if (c == 'W')
            wide = true;
        else if (c == ':')
            return cli_usage_error(cli, "option '%s' needs a value", argv[optind - 1]);
        else if (!record_option(c, optarg, &rec))
            return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
    }
    if (optind != argc)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
    mp_mcu_catalog *cat;
    int rc = record_catalog(cli, &rec, &cat);
    if (rc != EXIT_OK)
        return rc;
    mp_error err;
    mp_error_init(&err);
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_report r;
    mp_report_init(&r);
    mp_status st = MP_OK;
    if (json) {
        print_json(cli, cat, &sb);
    } else {
        table(cat, &r, wide);
        st = mp_report_write(&r, MP_REPORT_TABLE, &sb, &err);
    }
    if (st == MP_OK && sb.failed)
        st = mp_errorf(&err, MP_E_NOMEM, "out of memory");
    if (st == MP_OK)
        fputs(sb.buf, cli->out);
    mp_report_release(&r);
    mp_strbuf_release(&sb);
    mp_mcu_catalog_free(cat);
    return st == MP_OK ? EXIT_OK : cli_fail(cli, &err);
}
