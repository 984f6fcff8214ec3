/* SPDX-License-Identifier: MIT */
/*
 * cmd_validate.c - `memplan validate`: run a schedule inside one arena of its
 * planned size and compare every output byte with the per-layer reference
 * (module cli).
 */
#define _GNU_SOURCE
#include "record.h"
#include "sched_opts.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char validate_usage_head[] =
    "usage: memplan validate NET [schedule options] [--seed N] [--input FILE]\n"
    "                        [--pixels MODE] [--json]\n"
    "\n"
    "Prove a schedule: run the network per layer with the reference int8\n"
    "executor (every tensor in its own allocation), then run the schedule in ONE\n"
    "arena of exactly its planned size, poisoned first, with every buffer at its\n"
    "planned offset, patch by patch with the planned regions and caches; compare\n"
    "every output byte. Prints 'bit-exact: N outputs, M bytes' or the first\n"
    "mismatching output, coordinate and both values (exit 1). Without schedule\n"
    "options it validates the schedule analyze recommends (--best).\n"
    "Weights and quantization are the network's (.tflite), or seeded\n"
    "pseudo-random ones (net.json without weights).\n"
    "\n"
    "options:\n"
    "  --seed N           seed of synthesized weights and of a random input (default 1)\n"
    "  --input FILE       the network input: raw int8 bytes or a PGM/PPM/BMP image\n"
    "                     (--input sram|stream still sets the accounting mode)\n"
    "  --pixels MODE      image pixels as raw (bytes as int8), minus128 or quant\n"
    "  --json             print one JSON document (docs/cli.md)\n"
    RECORD_USAGE_MCU RECORD_USAGE_DB
    "  -h, --help         show this help\n";

typedef struct validate_opts {
    const char *net, *input;
    sched_opts so;
    uint64_t seed;
    mp_pixel_map pixels;
    bool json;
    record_opts rec;
} validate_opts;

static int parse_args(mp_cli *cli, int argc, char **argv, validate_opts *o)
{
    enum { OPT_SEED = 256, OPT_IN, OPT_PIXELS, OPT_JSON };
    static const struct option longopts[] = {
        SCHED_LONGOPTS,
        RECORD_LONGOPTS,
        {"seed", required_argument, NULL, OPT_SEED},
        {"input-file", required_argument, NULL, OPT_IN},
        {"pixels", required_argument, NULL, OPT_PIXELS},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    sched_opts_init(&o->so);
    o->seed = 1;
    o->pixels = MP_PIXELS_MINUS128;
    optind = 1;
    opterr = 0;
    int c;
    unsigned long v;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == SO_INPUT && optarg && strcmp(optarg, "sram") != 0 &&
            strcmp(optarg, "stream") != 0) {
            o->input = optarg; /* --input FILE (the accounting modes are sram/stream) */
            continue;
        }
        int rc = sched_opts_parse(cli, c, optarg, &o->so);
        if (rc == EXIT_USAGE)
            return rc;
        if (rc == EXIT_OK)
            continue;
        switch (c) {
        case OPT_SEED:
            if (!cli_parse_uint(cli, "--seed", optarg, 0, 4294967295ul, &v))
                return EXIT_USAGE;
            o->seed = v;
            break;
        case OPT_IN:
            o->input = optarg;
            break;
        case OPT_PIXELS:
            if (strcmp(optarg, "raw") == 0)
                o->pixels = MP_PIXELS_RAW;
            else if (strcmp(optarg, "minus128") == 0)
                o->pixels = MP_PIXELS_MINUS128;
            else if (strcmp(optarg, "quant") == 0)
                o->pixels = MP_PIXELS_QUANT;
            else
                return cli_usage_error(cli, "--pixels: expected raw, minus128 or quant, got '%s'",
                                       optarg);
            break;
        case OPT_JSON:
            o->json = true;
            break;
        case 'h':
            return -1;
        case ':':
            return cli_usage_error(cli, "option '%s' needs a value", argv[optind - 1]);
        default:
            if (record_option(c, optarg, &o->rec))
                break;
            return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(cli, "expected one network file, got %d arguments", argc - optind);
    o->net = argv[optind];
    if (!sched_opts_any(&o->so))
        o->so.best = true;
    return sched_opts_check(cli, &o->so);
}

typedef struct validation {
    int8_t **inputs, **ref_out, **sched_out;
    mp_exec_run ref;
    mp_exec_schedule_stats stats;
    mp_exec_mismatch mm;      /* network outputs */
    mp_exec_mismatch first;   /* first tensor that differs during the run */
    mp_exec_saturation sat;
    size_t bytes;
} validation;

static void validation_release(validation *v, const mp_graph *g)
{
    for (uint32_t i = 0; v->inputs && i < g->n_inputs; i++)
        free(v->inputs[i]);
    for (uint32_t k = 0; v->sched_out && k < g->n_outputs; k++)
        free(v->sched_out[k]);
    free(v->inputs);
    free(v->ref_out);
    free(v->sched_out);
    mp_exec_run_release(&v->ref);
}

static mp_status run_both(const validate_opts *o, const mp_exec_model *m, const mp_schedule *s,
                          validation *v, mp_error *err)
{
    const mp_graph *g = s->g;
    v->inputs = calloc(g->n_inputs, sizeof *v->inputs);
    v->ref_out = calloc(g->n_outputs, sizeof *v->ref_out);
    v->sched_out = calloc(g->n_outputs, sizeof *v->sched_out);
    if (!v->inputs || !v->ref_out || !v->sched_out)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        size_t n = g->tensors[g->inputs[i]].size_bytes;
        if (!(v->inputs[i] = malloc(n ? n : 1)))
            return mp_errorf(err, MP_E_NOMEM, "out of memory");
        if (o->input && i == 0)
            MP_TRY(mp_exec_load_input(m, 0, o->input, o->pixels, v->inputs[i], n, err));
        else
            MP_TRY(mp_exec_random_input(m, i, o->seed + i, v->inputs[i], n, err));
    }
    for (uint32_t k = 0; k < g->n_outputs; k++) {
        size_t n = g->tensors[g->outputs[k]].size_bytes;
        if (!(v->sched_out[k] = malloc(n ? n : 1)))
            return mp_errorf(err, MP_E_NOMEM, "out of memory");
        v->bytes += n;
    }
    MP_TRY(mp_exec_run_reference(m, (const int8_t *const *)v->inputs, true, &v->ref, err));
    MP_TRY(mp_exec_run_saturation(m, &v->ref, &v->sat, err));
    for (uint32_t k = 0; k < g->n_outputs; k++)
        v->ref_out[k] = (int8_t *)mp_exec_run_output(&v->ref, m, k);
    MP_TRY(mp_exec_run_schedule(m, s, (const int8_t *const *)v->inputs, v->sched_out, &v->ref,
                                &v->stats, &v->first, err));
    mp_exec_compare_outputs(m, (const int8_t *const *)v->ref_out,
                            (const int8_t *const *)v->sched_out, &v->mm);
    return MP_OK;
}

static const char *describe_schedule(const mp_schedule *s, char *buf, size_t n)
{
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    for (uint32_t i = 0; i < s->n_segments; i++) {
        const mp_patch_plan *p = s->segments[i].patch;
        if (p)
            mp_strbuf_printf(&sb, "%s%ux%u %s %s (steps %u..%u)", sb.len ? ", " : "tiled ",
                             p->spec.rows, p->spec.cols, mp_cuts_name(p->spec.cuts),
                             mp_halo_name(p->spec.halo), p->spec.first_step, p->spec.last_step);
    }
    snprintf(buf, n, "%s", sb.len ? sb.buf : "per-layer");
    mp_strbuf_release(&sb);
    return buf;
}

static void print_text(mp_cli *cli, const validate_opts *o, const mp_exec_model *m,
                       const mp_schedule *s, const validation *v)
{
    FILE *f = cli->out;
    const mp_graph *g = s->g;
    char desc[512];
    fprintf(f, "network          %s (%s)\n", g->name, g->source);
    fprintf(f, "schedule         %s\n", describe_schedule(s, desc, sizeof desc));
    fprintf(f, "arena            %s B, exactly as planned (peak %s B); %s\n",
            cli_count(s->arena_bytes), cli_count(s->peak_bytes),
            s->layout_ok ? "layout checked" : "LAYOUT OVERLAPS (see below)");
    fprintf(f, "weights          %s\n",
            mp_exec_model_synthesized(m) ? "seeded pseudo-random (calibrated scales)" : "the network's");
    if (o->input)
        fprintf(f, "input            %s\n", o->input);
    else
        fprintf(f, "input            seeded pseudo-random (seed %llu)\n", (unsigned long long)o->seed);
    fprintf(f, "ran              %s op runs, %u patches\n", cli_count(v->stats.op_runs),
            v->stats.patches);
    if (v->sat.total)
        fprintf(f, "saturation       %.3f%% of %s reference values\n",
                100.0 * (double)v->sat.saturated / (double)v->sat.total, cli_count(v->sat.total));
    fprintf(f, "tensors checked  %s as the schedule produced them\n",
            cli_count(v->first.tensors_checked));
    if (v->first.found)
        fprintf(f, "first difference tensor '%s' element %zu (y %d, x %d, c %d): expected %d, got %d\n",
                g->tensors[v->first.tensor].name, v->first.index, v->first.y, v->first.x,
                v->first.c, v->first.expected, v->first.actual);
    if (!v->mm.found && !v->first.found) {
        fprintf(f, "bit-exact: %u output%s, %s bytes\n", g->n_outputs, g->n_outputs == 1 ? "" : "s",
                cli_count(v->bytes));
        return;
    }
    if (!v->mm.found) {
        fprintf(f, "MISMATCH inside the schedule, outputs equal (%s bytes)\n", cli_count(v->bytes));
        return;
    }
    fprintf(f, "MISMATCH: output '%s' element %zu (y %d, x %d, c %d): expected %d, got %d; %s of "
               "%s bytes differ\n",
            g->tensors[v->mm.tensor].name, v->mm.index, v->mm.y, v->mm.x, v->mm.c, v->mm.expected,
            v->mm.actual, cli_count(v->mm.n_different), cli_count(v->bytes));
}

/* The result as the database keeps it (detail: the first difference, in buf). */
static mp_store_validation stored(const mp_schedule *s, const validation *v, char *buf, size_t n)
{
    const mp_exec_mismatch *mm = v->first.found ? &v->first : &v->mm;
    mp_store_validation r = {
        .bit_exact = !v->mm.found && !v->first.found,
        .bytes_compared = v->bytes,
        .mismatched_bytes = v->mm.found ? v->mm.n_different : 0,
        .arena_bytes = s->arena_bytes,
        .detail = NULL,
    };
    if (mm->found) {
        snprintf(buf, n, "tensor '%s' element %zu (y %d, x %d, c %d): expected %d, got %d",
                 s->g->tensors[mm->tensor].name, mm->index, mm->y, mm->x, mm->c, mm->expected,
                 mm->actual);
        r.detail = buf;
    }
    return r;
}

static void print_json(mp_cli *cli, const mp_schedule *s, const validation *v)
{
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_strbuf_printf(&sb, "{\"bit_exact\": %s, \"outputs\": %u, \"bytes\": %zu, "
                          "\"arena_bytes\": %zu, \"peak_bytes\": %zu, \"layout_ok\": %s, "
                          "\"op_runs\": %llu, \"patches\": %u, \"tensors_checked\": %llu, "
                          "\"saturation\": %.6f, \"mismatch\": ",
                     v->mm.found || v->first.found ? "false" : "true", s->g->n_outputs, v->bytes,
                     s->arena_bytes,
                     s->peak_bytes, s->layout_ok ? "true" : "false",
                     (unsigned long long)v->stats.op_runs, v->stats.patches,
                     (unsigned long long)v->first.tensors_checked, v->sat.total ? (double)v->sat.saturated / (double)v->sat.total : 0.0);
    const mp_exec_mismatch *mm = v->first.found ? &v->first : &v->mm;
    if (!mm->found) {
        mp_strbuf_puts(&sb, "null}\n");
    } else {
        mp_strbuf_puts(&sb, "{\"tensor\": ");
        mp_strbuf_json_string(&sb, s->g->tensors[mm->tensor].name);
        mp_strbuf_printf(&sb, ", \"index\": %zu, \"y\": %d, \"x\": %d, \"c\": %d, \"expected\": %d, "
                              "\"actual\": %d, \"outputs_different\": %llu}}\n",
                         mm->index, mm->y, mm->x, mm->c, mm->expected, mm->actual,
                         (unsigned long long)v->mm.n_different);
    }
    fputs(sb.buf, cli->out);
    mp_strbuf_release(&sb);
}

int cmd_validate(mp_cli *cli, int argc, char **argv)
{
    validate_opts o = {0};
    int rc = parse_args(cli, argc, argv, &o);
    if (rc < 0) {
        fputs(validate_usage_head, cli->out);
        fputs("schedule (default: per-layer):\n", cli->out);
        fputs(sched_opts_usage, cli->out);
        return EXIT_OK;
    }
    if (rc != EXIT_OK ||
        (rc = record_mcu_budget(cli, &o.rec, &o.so.search, o.so.best || o.so.fused)) != EXIT_OK)
        return rc;
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = NULL;
    mp_schedule *s = NULL;
    mp_exec_model *m = NULL;
    validation v;
    memset(&v, 0, sizeof v);
    bool fits;
    if (mp_import_file(o.net, &g, &err) != MP_OK)
        return cli_fail(cli, &err);
    rc = sched_opts_build(cli, &o.so, g, &s, &fits);
    mp_exec_opts eo;
    mp_exec_opts_init(&eo);
    eo.seed = o.seed;
    if (rc == EXIT_OK && mp_exec_model_new(g, &eo, &m, &err) != MP_OK) {
        mp_error_prefix(&err, o.net);
        rc = cli_fail(cli, &err);
    }
    if (rc == EXIT_OK && run_both(&o, m, s, &v, &err) != MP_OK)
        rc = cli_fail(cli, &err);
    if (rc == EXIT_OK) {
        if (!s->layout_ok) {
            mp_error lerr;
            mp_error_init(&lerr);
            mp_schedule_check_layout(s, &lerr);
            fprintf(cli->err, "memplan: validate: %s\n", lerr.msg);
        }
        if (o.json)
            print_json(cli, s, &v);
        else
            print_text(cli, &o, m, s, &v);
        rc = v.mm.found || v.first.found ? EXIT_FAIL : EXIT_OK;
        char detail[512];
        mp_store_validation sv = stored(s, &v, detail, sizeof detail);
        rc = record_validate(cli, &o.rec, argc, argv, s, &sv, rc);
    }
    validation_release(&v, g);
    mp_exec_model_free(m);
    mp_schedule_free(s);
    mp_graph_free(g);
    return rc;
}
