/* SPDX-License-Identifier: MIT */
/*
 * cmd_export.c - `memplan export`: a schedule for deployment, as C (header +
 * source) or as normalised schedule JSON (module cli).
 */
#define _GNU_SOURCE
#include "cli.h"
#include "target.h"
#include "export_tflite_cmd.h"

#include <getopt.h>
#include <string.h>

const char export_usage[] =
    "usage: memplan export NET --schedule FILE [--format c|json] [-o DIR]\n"
    "                          [--prefix NAME]\n"
    "       memplan export NET.tflite --format tflite -o OUT.tflite [--schedule FILE]\n"
    "\n"
    "Export a schedule made by `memplan plan -o` for firmware. The schedule is\n"
    "checked against the network (hash) and rebuilt; its buffer layout must be\n"
    "sound. --format c (default) writes a complete package into DIR:\n"
    "  NAME_model.h/.c  memplan_rt tables (ops with weights, biases, multipliers,\n"
    "                   shifts; arena offsets; patch regions; halo caches), the\n"
    "                   weights as const arrays, NAME_ARENA_BYTES, the inputs and\n"
    "                   outputs, and the entry point NAME_invoke (alias\n"
    "                   mp_model_invoke) - the tables `validate` runs\n"
    "  memplan_rt/      the runtime's C99 sources (build them with the model,\n"
    "                   -IDIR/memplan_rt/include; docs/runtime.md)\n"
    "  NAME.h/.c        the schedule as descriptive tables (buffers, ops, regions)\n"
    "--format json writes DIR/NAME.json. Files are written atomically.\n"
    "\n"
    "options:\n"
    "  --schedule FILE    the schedule JSON\n"
    "  --format FMT       c (default), json, or tflite: -o OUT.tflite gets the\n"
    "                     network with the per-layer arena plan (--schedule, or\n"
    "                     memplan's own) as TFLite Micro OfflineMemoryAllocation\n"
    "  -o, --output DIR   output directory (default schedules/)\n"
    "  --prefix NAME      file name and C symbol prefix (default: from the schedule\n"
    "                     file name, e.g. mbv2_4x4 for mbv2-4x4.json)\n"
    "  --seed N           seed of synthesized weights of a net.json without them\n"
    "                     (default 1, as run and validate)\n"
    "  -h, --help         show this help\n";

typedef struct export_opts {
    const char *net, *schedule, *dir, *prefix;
    bool json;
    uint64_t seed;
    bool tflite; /* --format tflite: -o names the output .tflite */
} export_opts;

static int parse_args(mp_cli *cli, int argc, char **argv, export_opts *o)
{
    enum { OPT_SCHEDULE = 256, OPT_FORMAT, OPT_PREFIX, OPT_SEED };
    static const struct option longopts[] = {
        {"schedule", required_argument, NULL, OPT_SCHEDULE},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"prefix", required_argument, NULL, OPT_PREFIX},
        {"seed", required_argument, NULL, OPT_SEED},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    o->dir = "schedules";
    o->seed = 1;
    unsigned long v;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_SCHEDULE:
            o->schedule = optarg;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "c") != 0 && strcmp(optarg, "json") != 0 &&
                strcmp(optarg, "tflite") != 0)
                return cli_usage_error(cli, "--format: expected c, json or tflite, got '%s'",
                                       optarg);
            o->json = strcmp(optarg, "json") == 0;
            o->tflite = strcmp(optarg, "tflite") == 0;
            break;
        case OPT_PREFIX:
            o->prefix = optarg;
            break;
        case OPT_SEED:
            if (!cli_parse_uint(cli, "--seed", optarg, 0, 4294967295ul, &v))
                return EXIT_USAGE;
            o->seed = v;
            break;
        case 'o':
            o->dir = optarg;
            break;
        case 'h':
            return -1;
        case ':':
            return cli_usage_error(cli, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(cli, "expected one network file, got %d arguments", argc - optind);
    o->net = argv[optind];
    if (o->tflite && strcmp(o->dir, "schedules") == 0)
        return cli_usage_error(cli, "--format tflite needs -o OUT.tflite");
    if (!o->schedule && !o->tflite)
        return cli_usage_error(cli, "--schedule FILE is required");
    return EXIT_OK;
}

/* "schedules/mbv2-4x4.json" -> "mbv2_4x4" */
static void default_prefix(const char *path, char *out, size_t n)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t k = 0;
    if (!((*base >= 'a' && *base <= 'z') || (*base >= 'A' && *base <= 'Z')) && k + 1 < n)
        out[k++] = 's';
    for (; *base && *base != '.' && k + 1 < n; base++) {
        char ch = *base;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_';
        out[k++] = ok ? ch : '_';
    }
    out[k] = '\0';
}

static int write_file(mp_cli *cli, const char *dir, const char *name, const char *ext,
                      const mp_strbuf *sb)
{
    char path[4096];
    mp_error err;
    mp_error_init(&err);
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    if (mp_file_write_atomic(path, sb->buf, sb->len, &err) != MP_OK)
        return cli_fail(cli, &err);
    fprintf(cli->out, "wrote %s\n", path);
    return EXIT_OK;
}

/* NAME_model.h/.c: the memplan_rt tables of the schedule, and the runtime. */
static int export_package(mp_cli *cli, const export_opts *o, const mp_schedule *s,
                          const char *prefix)
{
    mp_error err;
    mp_error_init(&err);
    mp_exec_opts eo;
    mp_exec_opts_init(&eo);
    eo.seed = o->seed;
    mp_exec_model *m = NULL;
    mp_rt_tables *t = NULL;
    int rc = EXIT_OK;
    if (mp_exec_model_new(s->g, &eo, &m, &err) != MP_OK ||
        mp_rt_tables_new(m, s, &t, &err) != MP_OK)
        rc = cli_fail(cli, &err);
    else
        rc = target_write_package(cli, t, o->dir, prefix, false);
    mp_rt_tables_free(t);
    mp_exec_model_free(m);
    return rc;
}

static int export_schedule(mp_cli *cli, const export_opts *o, const mp_schedule *s)
{
    char prefix[64];
    if (o->prefix)
        snprintf(prefix, sizeof prefix, "%s", o->prefix);
    else
        default_prefix(o->schedule, prefix, sizeof prefix);
    mp_error err;
    mp_error_init(&err);
    mp_strbuf h, c;
    mp_strbuf_init(&h);
    mp_strbuf_init(&c);
    int rc = EXIT_OK;
    char header[80];
    snprintf(header, sizeof header, "%s.h", prefix);
    if (mp_mkdir_p(o->dir, &err) != MP_OK) {
        rc = cli_fail(cli, &err);
    } else if (o->json) {
        if (mp_schedule_check_layout(s, &err) != MP_OK ||
            mp_schedule_write_json(s, &h, &err) != MP_OK) {
            if (err.status == MP_E_MISMATCH)
                mp_error_prefix(&err, o->schedule);
            rc = cli_fail(cli, &err);
        }
        else
            rc = write_file(cli, o->dir, prefix, "json", &h);
    } else if (mp_schedule_export_c(s, prefix, header, &h, &c, &err) != MP_OK) {
        if (err.status == MP_E_MISMATCH)
            mp_error_prefix(&err, o->schedule);
        rc = cli_fail(cli, &err);
    } else {
        rc = write_file(cli, o->dir, prefix, "h", &h);
        if (rc == EXIT_OK)
            rc = write_file(cli, o->dir, prefix, "c", &c);
        if (rc == EXIT_OK)
            rc = export_package(cli, o, s, prefix);
    }
    mp_strbuf_release(&h);
    mp_strbuf_release(&c);
    return rc;
}

int cmd_export(mp_cli *cli, int argc, char **argv)
{
    export_opts o = {0};
    int rc = parse_args(cli, argc, argv, &o);
    if (rc < 0)
        return cli_help(cli);
    if (rc != EXIT_OK)
        return rc;
    if (o.tflite)
        return cli_export_tflite(cli, o.net, o.schedule, o.dir);
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = NULL;
    mp_schedule *s = NULL;
    if (cli_import(cli, o.net, &g, &err) != MP_OK ||
        mp_schedule_load(g, o.schedule, &s, &err) != MP_OK)
        rc = cli_fail(cli, &err);
    else
        rc = export_schedule(cli, &o, s);
    mp_schedule_free(s);
    mp_graph_free(g);
    return rc;
}
