/* SPDX-License-Identifier: MIT */
/*
 * cmd_convert.c - `memplan convert`: write a network (.tflite or net.json) as
 * memplan's net.json (module cli).
 */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

const char convert_usage[] =
    "usage: memplan convert MODEL [-o OUT.json] [--embed-weights]\n"
    "\n"
    "Write a network (.tflite or net.json) as memplan's net.json (docs/net-json.md).\n"
    "Tensor and op names, shapes, attributes and quantization are kept, so\n"
    "`memplan analyze` gives the same figures for both files. The weights stay in\n"
    "the .tflite and are referenced by offset (\"weights_file\", a path relative to\n"
    "OUT.json), unless --embed-weights puts them into the document (base64).\n"
    "Ops memplan does not model cannot be converted.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE  write FILE (atomically) instead of standard output\n"
    "  --embed-weights    put the weights into the document\n"
    "  -h, --help         show this help\n";

typedef struct convert_opts {
    const char *model;
    const char *output; /* NULL: standard output */
    bool embed;
} convert_opts;

static int parse_args(mp_cli *cli, int argc, char **argv, convert_opts *o)
{
    enum { OPT_EMBED = 256 };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"embed-weights", no_argument, NULL, OPT_EMBED},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case OPT_EMBED:
            o->embed = true;
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
        return cli_usage_error(cli, "expected one model file, got %d arguments", argc - optind);
    o->model = argv[optind];
    return EXIT_OK;
}

/* Path of target relative to directory dir (both resolved); target itself on failure. */
static void relative_path(const char *target, const char *dir, char *buf, size_t n)
{
    char t[PATH_MAX], d[PATH_MAX];
    snprintf(buf, n, "%s", target);
    if (!realpath(target, t) || !realpath(dir, d))
        return;
    size_t common = 0, i = 0;
    for (; t[i] && t[i] == d[i]; i++)
        if (t[i] == '/')
            common = i;
    if (d[i] == '\0' && t[i] == '/')
        common = i; /* dir is a prefix of target */
    size_t len = 0;
    buf[0] = '\0';
    for (const char *p = d + common; *p; p++)
        if (*p == '/' && len + 4 < n)
            len += (size_t)snprintf(buf + len, n - len, "../");
    snprintf(buf + len, n - len, "%s", t + common + 1);
}

/* The directory the output goes to ("." for standard output). */
static void output_dir(const char *output, char *buf, size_t n)
{
    const char *slash = output ? strrchr(output, '/') : NULL;
    if (!slash)
        snprintf(buf, n, ".");
    else if (slash == output)
        snprintf(buf, n, "/");
    else
        snprintf(buf, n, "%.*s", (int)(slash - output), output);
}

static mp_status convert(const convert_opts *o, const char *data, size_t size, mp_strbuf *sb,
                         mp_error *err)
{
    char dir[PATH_MAX], weights[PATH_MAX], desc[PATH_MAX + 64];
    const char *base = strrchr(o->model, '/');
    mp_export_opts eo = {0};
    mp_graph *g = NULL;
    mp_status st;
    snprintf(desc, sizeof desc, "converted from %s by memplan convert", base ? base + 1 : o->model);
    eo.description = desc;
    if (mp_import_is_tflite(data, size)) {
        /* the network as the file states it: PADs fold again when the net.json is loaded */
        st = mp_import_tflite_buffer_unfolded(data, size, o->model, &g, err);
        if (!o->embed) {
            output_dir(o->output, dir, sizeof dir);
            relative_path(o->model, dir, weights, sizeof weights);
            eo.weights_base = data;
            eo.weights_bytes = size;
            eo.weights_file = weights;
        }
    } else {
        st = mp_import_file_unfolded(o->model, &g, err);
    }
    if (st == MP_OK)
        st = mp_export_net_json(g, &eo, sb, err);
    mp_graph_free(g);
    return st;
}

int cmd_convert(mp_cli *cli, int argc, char **argv)
{
    convert_opts o = {0};
    int rc = parse_args(cli, argc, argv, &o);
    if (rc < 0)
        return cli_help(cli);
    if (rc != EXIT_OK)
        return rc;
    mp_error err;
    mp_error_init(&err);
    char *data = NULL;
    size_t size = 0;
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_status st = mp_file_read(o.model, MP_IMPORT_MAX_FILE_BYTES, &data, &size, &err);
    if (st == MP_OK)
        st = convert(&o, data, size, &sb, &err);
    if (st == MP_OK && o.output)
        st = mp_file_write_atomic(o.output, sb.buf, sb.len, &err);
    else if (st == MP_OK)
        fputs(sb.buf, cli->out);
    mp_strbuf_release(&sb);
    mp_file_free(data);
    return st == MP_OK ? EXIT_OK : cli_fail(cli, &err);
}
