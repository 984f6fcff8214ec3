/* SPDX-License-Identifier: MIT */
/*
 * cmd_run.c - `memplan run`: one inference with the reference int8 executor,
 * printing the top outputs (module cli).
 */
#define _GNU_SOURCE
#include "cli.h"
#include "out_values.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define RUN_MAX_INPUTS 16
#define TOP_MAX 64 /* --top limit */

const char run_usage[] =
    "usage: memplan run NET --input FILE [options]\n"
    "\n"
    "Run a network (net.json or .tflite) once with the reference int8 executor\n"
    "and print its largest outputs. Weights and quantization a net.json leaves\n"
    "out are synthesized from the seed (seeded weights, calibrated scales).\n"
    "\n"
    "options:\n"
    "  --input FILE     the input: its raw bytes in NHWC order in the input's type\n"
    "                   (int8, uint8 or float32 little-endian), or a PGM/PPM/BMP\n"
    "                   image of the input's size (repeat for several inputs)\n"
    "  --pixels MAP     how image pixels become int8 values: quant (pixel/255\n"
    "                   through the input's scale and zero point, the default),\n"
    "                   minus128 (pixel - 128), raw (each byte taken as int8, as\n"
    "                   TFLite Micro's person-detection test feeds its BMPs)\n"
    "  --output FILE    write the outputs' raw bytes in their own types, in output\n"
    "                   order, as TFLite Micro holds them (written atomically)\n"
    "  --top N          print the N largest values of each output (default 5,\n"
    "                   at most 64)\n"
    "  --seed N         seed of synthesized weights (default 1)\n"
    "  --json           print one JSON document instead of the table (docs/cli.md)\n"
    "  -h, --help       show this help\n";

typedef struct run_opts {
    const char *net;
    const char *inputs[RUN_MAX_INPUTS];
    uint32_t n_inputs;
    const char *output;
    mp_pixel_map pixels;
    unsigned long top;
    mp_exec_opts exec;
    bool json;
} run_opts;

static int parse_option(mp_cli *cli, int c, run_opts *o, char **argv)
{
    unsigned long v;
    switch (c) {
    case 'i':
        if (o->n_inputs == RUN_MAX_INPUTS)
            return cli_usage_error(cli, "more than %d --input files", RUN_MAX_INPUTS);
        o->inputs[o->n_inputs++] = optarg;
        return EXIT_OK;
    case 'p':
        if (!mp_pixel_map_parse(optarg, &o->pixels))
            return cli_usage_error(cli, "--pixels: expected raw, minus128 or quant, got '%s'",
                                   optarg);
        return EXIT_OK;
    case 'o':
        o->output = optarg;
        return EXIT_OK;
    case 't':
        return cli_parse_uint(cli, "--top", optarg, 1, TOP_MAX, &o->top) ? EXIT_OK : EXIT_USAGE;
    case 's':
        if (!cli_parse_uint(cli, "--seed", optarg, 0, ULONG_MAX, &v))
            return EXIT_USAGE;
        o->exec.seed = v;
        return EXIT_OK;
    case 'j':
        o->json = true;
        return EXIT_OK;
    case ':':
        return cli_usage_error(cli, "option '%s' needs a value", argv[optind - 1]);
    default:
        return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
    }
}

static int parse_args(mp_cli *cli, int argc, char **argv, run_opts *o)
{
    static const struct option longopts[] = {
        {"input", required_argument, NULL, 'i'}, {"pixels", required_argument, NULL, 'p'},
        {"output", required_argument, NULL, 'o'}, {"top", required_argument, NULL, 't'},
        {"seed", required_argument, NULL, 's'},   {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    mp_exec_opts_init(&o->exec);
    o->pixels = MP_PIXELS_QUANT;
    o->top = 5;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h')
            return -1;
        int rc = parse_option(cli, c, o, argv);
        if (rc != EXIT_OK)
            return rc;
    }
    if (optind != argc - 1)
        return cli_usage_error(cli, "expected one network file, got %d arguments",
                               argc - optind);
    o->net = argv[optind];
    if (o->n_inputs == 0)
        return cli_usage_error(cli, "--input FILE is required");
    return EXIT_OK;
}

typedef struct run_result {
    const mp_graph *g;
    const mp_exec_model *m;
    const mp_exec_run *run;
    double saturation;
} run_result;

/* Network output k: its tensor, bytes, quantization and top values. */
typedef struct output_info {
    const mp_tensor *t;
    const int8_t *d;
    size_t count;   /* elements */
    bool real;      /* float32: the values are real already */
    float scale;
    int32_t zp;
    size_t n_top;
    size_t top[TOP_MAX];
} output_info;

static void output_of(const run_opts *o, const run_result *r, uint32_t k, output_info *out)
{
    out->t = &r->g->tensors[r->g->outputs[k]];
    out->d = mp_exec_run_output(r->run, r->m, k);
    out->scale = 1;
    out->zp = 0;
    mp_exec_tensor_quant(r->m, r->g->outputs[k], &out->scale, &out->zp);
    out->real = out->t->dtype == MP_DTYPE_FLOAT32;
    out->count = out->t->size_bytes / mp_dtype_size(out->t->dtype);
    size_t n = o->top < out->count ? o->top : out->count;
    out->n_top = n < TOP_MAX ? n : TOP_MAX;
    cli_top_indices(out->t->dtype, out->d, out->count, out->n_top, out->top);
}

/* Output element i as the number printed ("value") and its real value. */
static double value_of(const output_info *x, size_t i, double *real)
{
    double v = cli_stored_value(x->t->dtype, x->d, i);
    *real = x->real ? v : (double)x->scale * (v - x->zp);
    return v;
}

static void print_text(mp_cli *cli, const run_opts *o, const run_result *r)
{
    FILE *f = cli->out;
    fprintf(f, "network     %s (%s)\n", r->g->name,
            mp_exec_model_synthesized(r->m) ? "seeded weights" : "given weights");
    for (uint32_t k = 0; k < r->g->n_outputs; k++) {
        output_info x;
        output_of(o, r, k, &x);
        char shape[64];
        if (x.real)
            fprintf(f, "output      '%s' %s float32\n", x.t->name,
                    mp_shape_format(x.t, shape, sizeof shape));
        else
            fprintf(f, "output      '%s' %s%s, scale %g, zero point %d\n", x.t->name,
                    mp_shape_format(x.t, shape, sizeof shape),
                    x.t->dtype == MP_DTYPE_UINT8 ? " uint8" : "", (double)x.scale, x.zp);
        fprintf(f, "%6s %8s %6s %12s\n", "rank", "index", "value", "real");
        for (size_t i = 0; i < x.n_top; i++) {
            double real, v = value_of(&x, x.top[i], &real);
            if (x.real)
                fprintf(f, "%6zu %8zu %6s %12.6f\n", i + 1, x.top[i], "-", real);
            else
                fprintf(f, "%6zu %8zu %6d %12.6f\n", i + 1, x.top[i], (int)v, real);
        }
    }
    fprintf(f, "saturation  %.3f%% of activation values\n", 100.0 * r->saturation);
}

static void print_json(mp_cli *cli, const run_opts *o, const run_result *r)
{
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_strbuf_puts(&sb, "{\n  \"network\": ");
    mp_strbuf_json_string(&sb, r->g->name);
    mp_strbuf_printf(&sb, ",\n  \"seeded\": %s, \"seed\": %llu, \"saturation\": %.6f,\n"
                          "  \"outputs\": [\n",
                     mp_exec_model_synthesized(r->m) ? "true" : "false",
                     (unsigned long long)o->exec.seed, r->saturation);
    for (uint32_t k = 0; k < r->g->n_outputs; k++) {
        output_info x;
        output_of(o, r, k, &x);
        mp_strbuf_puts(&sb, "    {\"name\": ");
        mp_strbuf_json_string(&sb, x.t->name);
        /* the shape as the model states it: the last `rank` of N, H, W, C */
        const int32_t dims[4] = {x.t->shape.n, x.t->shape.h, x.t->shape.w, x.t->shape.c};
        uint32_t rank = x.t->rank >= 1 && x.t->rank <= 4 ? x.t->rank : 4;
        mp_strbuf_puts(&sb, ", \"shape\": [");
        for (uint32_t d = 4 - rank; d < 4; d++)
            mp_strbuf_printf(&sb, "%s%d", d > 4 - rank ? ", " : "", dims[d]);
        mp_strbuf_printf(&sb, "], \"dtype\": \"%s\", \"scale\": %.9g, \"zero_point\": %d, "
                              "\"top\": [",
                         mp_dtype_name(x.t->dtype), (double)x.scale, x.zp);
        for (size_t i = 0; i < x.n_top; i++) {
            double real, v = value_of(&x, x.top[i], &real);
            mp_strbuf_printf(&sb, "%s{\"index\": %zu, \"value\": %.9g}", i ? ", " : "",
                             x.top[i], v);
        }
        mp_strbuf_puts(&sb, "], \"values\": [");
        for (size_t i = 0; i < x.count; i++) {
            double real, v = value_of(&x, i, &real);
            mp_strbuf_printf(&sb, "%s%.9g", i ? ", " : "", v);
        }
        mp_strbuf_printf(&sb, "]}%s\n", k + 1 < r->g->n_outputs ? "," : "");
    }
    mp_strbuf_puts(&sb, "  ]\n}\n");
    fputs(sb.buf, cli->out);
    mp_strbuf_release(&sb);
}

static mp_status load_inputs(const run_opts *o, const mp_exec_model *m, int8_t **bufs,
                             mp_error *err)
{
    const mp_graph *g = mp_exec_model_graph(m);
    if (o->n_inputs != g->n_inputs)
        return mp_errorf(err, MP_E_INVALID, "%s: the network has %u inputs, %u --input given",
                         o->net, g->n_inputs, o->n_inputs);
    for (uint32_t k = 0; k < g->n_inputs; k++) {
        size_t n = g->tensors[g->inputs[k]].size_bytes;
        bufs[k] = malloc(n ? n : 1);
        if (!bufs[k])
            return mp_errorf(err, MP_E_NOMEM, "out of memory");
        MP_TRY(mp_exec_load_input(m, k, o->inputs[k], o->pixels, bufs[k], n, err));
    }
    return MP_OK;
}

static mp_status write_outputs(const run_opts *o, const run_result *r, mp_error *err)
{
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    for (uint32_t k = 0; k < r->g->n_outputs; k++)
        mp_strbuf_append(&sb, (const char *)mp_exec_run_output(r->run, r->m, k),
                         r->g->tensors[r->g->outputs[k]].size_bytes);
    mp_status st = sb.failed ? mp_errorf(err, MP_E_NOMEM, "out of memory")
                             : mp_file_write_atomic(o->output, sb.buf, sb.len, err);
    mp_strbuf_release(&sb);
    return st;
}

static mp_status infer(const run_opts *o, const mp_exec_model *m, int8_t **bufs, mp_cli *cli,
                       mp_error *err)
{
    mp_exec_run run = {0};
    mp_exec_saturation sat = {0};
    mp_status st = load_inputs(o, m, bufs, err);
    if (st == MP_OK) {
        st = mp_exec_run_reference(m, (const int8_t *const *)bufs, true, &run, err);
        if (st == MP_OK)
            st = mp_exec_run_saturation(m, &run, &sat, err);
        if (st != MP_OK)
            cli_prefix_file(err, o->net); /* the executor names the op, not the file */
    }
    run_result r = {mp_exec_model_graph(m), m, &run,
                    sat.total ? (double)sat.saturated / (double)sat.total : 0.0};
    if (st == MP_OK && o->output)
        st = write_outputs(o, &r, err);
    if (st == MP_OK) {
        if (o->json)
            print_json(cli, o, &r);
        else
            print_text(cli, o, &r);
    }
    mp_exec_run_release(&run);
    return st;
}

int cmd_run(mp_cli *cli, int argc, char **argv)
{
    run_opts o = {0};
    int rc = parse_args(cli, argc, argv, &o);
    if (rc < 0)
        return cli_help(cli);
    if (rc != EXIT_OK)
        return rc;
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = NULL;
    mp_exec_model *m = NULL;
    int8_t *bufs[RUN_MAX_INPUTS] = {0};
    mp_status st = cli_import(cli, o.net, &g, &err);
    if (st == MP_OK) {
        st = mp_exec_model_new(g, &o.exec, &m, &err);
        if (st != MP_OK)
            cli_prefix_file(&err, o.net);
    }
    if (st == MP_OK)
        st = infer(&o, m, bufs, cli, &err);
    for (uint32_t k = 0; k < RUN_MAX_INPUTS; k++)
        free(bufs[k]);
    mp_exec_model_free(m);
    mp_graph_free(g);
    return st == MP_OK ? EXIT_OK : cli_fail(cli, &err);
}
