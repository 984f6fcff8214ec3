/* SPDX-License-Identifier: MIT */
/*
 * cmd_validate.c - `memplan validate`: run a schedule inside one arena of its
 * planned size and compare every output byte with the per-layer reference
 * (module cli).
 */
#define _GNU_SOURCE
#include "record.h"
#include "sched_opts.h"
#include "out_values.h"
#include "target.h"

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
    "  --seed N           seed of synthesized weights and of a random input\n"
    "                     (default 1)\n"
    "  --input FILE       the network input: raw bytes in the input's type (int8,\n"
    "                     uint8, float32 little-endian) or a PGM/PPM/BMP image\n"
    "                     (--input sram|stream still sets the accounting mode)\n"
    "  --pixels MODE      image pixels as quant (pixel/255 through the input's\n"
    "                     quantization, the default, as run), minus128 or raw\n"
    "  --json             print one JSON document (docs/cli.md)\n"
    "  --target CPU       also build the exported package for cortex-m4 (QEMU\n"
    "                     mps2-an386) or cortex-m7 (mps2-an500), link it with RAM =\n"
    "                     the SRAM budget, run it under qemu-system-arm and compare\n"
    "                     its output bytes (needs arm-none-eabi-gcc, qemu-system-arm)\n"
    "  --ram SIZE         with --target: the RAM region (default: --budget or --mcu's\n"
    "                     SRAM, else arena + stack + 4 KiB)\n"
    "  --stack SIZE       with --target: stack reserved in RAM (default 4K)\n"
    "  --target-output FILE  with --target: write the output bytes the MCU produced\n"
    RECORD_USAGE_MCU RECORD_USAGE_DB
    "  -h, --help         show this help\n";

typedef struct validate_opts {
    const char *net, *input;
    sched_opts so;
    uint64_t seed;
    mp_pixel_map pixels;
    bool json;
    record_opts rec;
    const char *target, *target_output;
    size_t ram, stack;
} validate_opts;

static int parse_args(mp_cli *cli, int argc, char **argv, validate_opts *o)
{
    enum { OPT_SEED = 256, OPT_IN, OPT_PIXELS, OPT_JSON, OPT_TARGET, OPT_RAM, OPT_STACK, OPT_TOUT };
    static const struct option longopts[] = {
        SCHED_LONGOPTS,
        RECORD_LONGOPTS,
        {"seed", required_argument, NULL, OPT_SEED},
        {"input-file", required_argument, NULL, OPT_IN},
        {"pixels", required_argument, NULL, OPT_PIXELS},
        {"json", no_argument, NULL, OPT_JSON},
        {"target", required_argument, NULL, OPT_TARGET},
        {"ram", required_argument, NULL, OPT_RAM},
        {"stack", required_argument, NULL, OPT_STACK},
        {"target-output", required_argument, NULL, OPT_TOUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    sched_opts_init(&o->so);
    o->seed = 1;
    o->pixels = MP_PIXELS_QUANT; /* as run */
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
        case OPT_TARGET:
            if (strcmp(optarg, "cortex-m4") != 0 && strcmp(optarg, "cortex-m7") != 0)
                return cli_usage_error(cli, "--target: expected cortex-m4 or cortex-m7, got '%s'",
                                       optarg);
            o->target = optarg;
            break;
        case OPT_RAM:
            if (!cli_parse_size(cli, "--ram", optarg, &o->ram))
                return EXIT_USAGE;
            break;
        case OPT_TOUT:
            o->target_output = optarg;
            break;
        case OPT_STACK:
            if (!cli_parse_size(cli, "--stack", optarg, &o->stack))
                return EXIT_USAGE;
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
    if ((o->ram || o->stack || o->target_output) && !o->target)
        return cli_usage_error(cli, "--ram, --stack and --target-output need --target");
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
    target_result target;      /* --target */
    mp_exec_mismatch rt_mm;    /* memplan_rt (the exported tables): network outputs */
    mp_exec_mismatch rt_first; /* memplan_rt: first tensor that differs */
    size_t rt_const_bytes;
    bool rt_skipped;           /* memplan_rt cannot run an op of this network */
    char rt_why[sizeof(((mp_error *)0)->msg)];
} validation;

static bool validation_exact(const validation *v)
{
    return !v->mm.found && !v->first.found && !v->rt_mm.found && !v->rt_first.found &&
           (!v->target.ran || v->target.bit_exact);
}

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

/* Inputs (or reference outputs) back to back, as the device takes them. */
static int8_t *concat(int8_t *const *parts, const mp_tensor_id *ids, uint32_t n, const mp_graph *g,
                      size_t *bytes)
{
    *bytes = 0;
    for (uint32_t i = 0; i < n; i++)
        *bytes += g->tensors[ids[i]].size_bytes;
    int8_t *all = malloc(*bytes ? *bytes : 1);
    for (uint32_t i = 0, at = 0; all && i < n; i++) {
        memcpy(all + at, parts[i], g->tensors[ids[i]].size_bytes);
        at += (uint32_t)g->tensors[ids[i]].size_bytes;
    }
    return all;
}

/* --target: the package on the emulated MCU. */
static int run_target(mp_cli *cli, const validate_opts *o, const mp_exec_model *m,
                      const mp_schedule *s, validation *v)
{
    const mp_graph *g = s->g;
    mp_error err;
    mp_error_init(&err);
    mp_rt_tables *t = NULL;
    if (mp_rt_tables_new(m, s, &t, &err) != MP_OK)
        return cli_fail(cli, &err);
    size_t stack = o->stack ? o->stack : 4096, nin, nout;
    size_t ram = o->ram ? o->ram
                 : o->so.search.have_budget ? o->so.search.budget
                                            : s->arena_bytes + stack + 4096;
    int8_t *in = concat(v->inputs, g->inputs, g->n_inputs, g, &nin);
    int8_t *want = concat(v->ref_out, g->outputs, g->n_outputs, g, &nout);
    int rc = in && want ? target_run(cli, t, o->target, ram, stack, in, nin, want, nout, &v->target)
                        : EXIT_FAIL;
    if (rc == EXIT_OK && o->target_output && v->target.output &&
        mp_file_write_atomic(o->target_output, v->target.output, nout, &err) != MP_OK)
        rc = cli_fail(cli, &err);
    free(v->target.output);
    v->target.output = NULL;
    free(in);
    free(want);
    mp_rt_tables_free(t);
    return rc;
}

/* The tables `export --format c` writes, run through memplan_rt (the device's code). */
static mp_status run_runtime(const mp_exec_model *m, const mp_schedule *s, validation *v,
                             mp_error *err)
{
    const mp_graph *g = s->g;
    mp_rt_tables *t = NULL;
    int8_t **out = calloc(g->n_outputs, sizeof *out);
    mp_status st = out ? mp_rt_tables_new(m, s, &t, err)
                       : mp_errorf(err, MP_E_NOMEM, "out of memory");
    for (uint32_t k = 0; st == MP_OK && k < g->n_outputs; k++)
        if (!(out[k] = malloc(g->tensors[g->outputs[k]].size_bytes + 1)))
            st = mp_errorf(err, MP_E_NOMEM, "out of memory");
    if (st == MP_OK) {
        v->rt_const_bytes = mp_rt_tables_const_bytes(t);
        st = mp_rt_run(t, (const int8_t *const *)v->inputs, out, &v->ref, NULL, &v->rt_first,
                       err);
    }
    if (st == MP_OK)
        mp_exec_compare_outputs(m, (const int8_t *const *)v->ref_out,
                                (const int8_t *const *)out, &v->rt_mm);
    for (uint32_t k = 0; out && k < g->n_outputs; k++)
        free(out[k]);
    free(out);
    mp_rt_tables_free(t);
    return st;
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
    mp_status st = mp_exec_run_reference(m, (const int8_t *const *)v->inputs, true, &v->ref, err);
    if (st == MP_OK)
        st = mp_exec_run_saturation(m, &v->ref, &v->sat, err);
    for (uint32_t k = 0; st == MP_OK && k < g->n_outputs; k++)
        v->ref_out[k] = (int8_t *)mp_exec_run_output(&v->ref, m, k);
    if (st == MP_OK)
        st = mp_exec_run_schedule(m, s, (const int8_t *const *)v->inputs, v->sched_out, &v->ref,
                                  &v->stats, &v->first, err);
    if (st != MP_OK) {
        cli_prefix_file(err, o->net); /* the executor names the op, not the file */
        return st;
    }
    mp_exec_compare_outputs(m, (const int8_t *const *)v->ref_out,
                            (const int8_t *const *)v->sched_out, &v->mm);
    st = run_runtime(m, s, v, err);
    if (st == MP_E_UNSUPPORTED) { /* an op memplan_rt lacks: a note, not a failed check */
        v->rt_skipped = true;
        snprintf(v->rt_why, sizeof v->rt_why, "%s", err->msg);
        mp_error_init(err);
        st = MP_OK;
    }
    return st;
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

/* The schedule's outputs: each one's top class (the largest element) and its real value. */
static void print_outputs(FILE *f, const mp_exec_model *m, const mp_graph *g,
                          const validation *v)
{
    enum { SHOWN = 4 };
    for (uint32_t k = 0; k < g->n_outputs && k < SHOWN; k++) {
        const mp_tensor *t = &g->tensors[g->outputs[k]];
        size_t count = t->size_bytes / mp_dtype_size(t->dtype), top = 0;
        if (!count)
            continue;
        cli_top_indices(t->dtype, v->sched_out[k], count, 1, &top);
        double value = cli_stored_value(t->dtype, v->sched_out[k], top), real = value;
        float scale = 1;
        int32_t zp = 0;
        char line[320], shape[64];
        if (t->dtype != MP_DTYPE_FLOAT32 && mp_exec_tensor_quant(m, g->outputs[k], &scale, &zp))
            real = (double)scale * (value - zp);
        int n = snprintf(line, sizeof line, "'%s' %s: top index %zu, ", cli_short_name(t->name, 36),
                         mp_shape_format(t, shape, sizeof shape), top);
        if (n > 0 && (size_t)n < sizeof line)
            snprintf(line + n, sizeof line - (size_t)n,
                     t->dtype == MP_DTYPE_FLOAT32 ? "value %.6g" : "value %.0f (real %.6g)",
                     value, real);
        cli_print_wrapped(f, "output", line);
    }
    if (g->n_outputs > SHOWN)
        fprintf(f, "                 and %u more outputs\n", g->n_outputs - SHOWN);
}

static void print_text(mp_cli *cli, const validate_opts *o, const mp_exec_model *m,
                       const mp_schedule *s, const validation *v)
{
    FILE *f = cli->out;
    const mp_graph *g = s->g;
    char desc[512];
    char head[1024];
    snprintf(head, sizeof head, "%s (%s)", g->name, g->source);
    cli_print_wrapped(f, "network", head);
    cli_print_wrapped(f, "schedule", describe_schedule(s, desc, sizeof desc));
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
    const mp_exec_mismatch *rt = v->rt_first.found ? &v->rt_first : &v->rt_mm;
    char note[sizeof(((mp_error *)0)->msg) + 16];
    if (v->rt_skipped) {
        snprintf(note, sizeof note, "not run: %s", v->rt_why);
        cli_print_wrapped(f, "memplan_rt", note);
    } else if (rt->found)
        fprintf(f, "memplan_rt       MISMATCH running the exported tables: tensor '%s' element "
                   "%zu (y %d, x %d, c %d): expected %d, got %d\n",
                g->tensors[rt->tensor].name, rt->index, rt->y, rt->x, rt->c, rt->expected,
                rt->actual);
    else
        fprintf(f, "memplan_rt       the exported tables run bit-exact (%s tensors checked)\n",
                cli_count(v->rt_first.tensors_checked));
    if (v->target.ran) {
        char line[512];
        snprintf(line, sizeof line,
                 "%s on QEMU %s: %s; RAM %s B (budget) holds arena %s B + data/stack, deepest "
                 "stack %s B, runtime .text %s B, const data %s B, %s instructions",
                 v->target.cpu, v->target.board, v->target.bit_exact ? "bit-exact" : "MISMATCH",
                 cli_count(v->target.ram_bytes), cli_count(v->target.arena_bytes),
                 cli_count(v->target.stack_bytes), cli_count(v->target.text_bytes),
                 cli_count(v->target.weights_bytes), cli_count(v->target.instructions));
        cli_print_wrapped(f, "target", line);
    }
    if (v->target.ran && !v->target.bit_exact) {
        fprintf(f, "MISMATCH on the target %s\n", v->target.cpu);
        return;
    }
    if (!v->mm.found && !v->first.found && rt->found) {
        fprintf(f, "MISMATCH in memplan_rt, the host executor is bit-exact\n");
        return;
    }
    if (!v->mm.found && !v->first.found) {
        print_outputs(f, m, g, v);
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
        .bit_exact = validation_exact(v),
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
                          "\"saturation\": %.6f, ",
                     validation_exact(v) ? "true" : "false", s->g->n_outputs, v->bytes,
                     s->arena_bytes,
                     s->peak_bytes, s->layout_ok ? "true" : "false",
                     (unsigned long long)v->stats.op_runs, v->stats.patches,
                     (unsigned long long)v->first.tensors_checked, v->sat.total ? (double)v->sat.saturated / (double)v->sat.total : 0.0);
    if (v->rt_skipped) {
        mp_strbuf_puts(&sb, "\"runtime\": {\"ran\": false, \"why\": ");
        mp_strbuf_json_string(&sb, v->rt_why);
        mp_strbuf_puts(&sb, "}, ");
    } else {
        mp_strbuf_printf(&sb, "\"runtime\": {\"ran\": true, \"bit_exact\": %s, "
                              "\"tensors_checked\": %llu, \"const_bytes\": %zu}, ",
                         v->rt_mm.found || v->rt_first.found ? "false" : "true",
                         (unsigned long long)v->rt_first.tensors_checked, v->rt_const_bytes);
    }
    if (v->target.ran)
        mp_strbuf_printf(&sb, "\"target\": {\"cpu\": \"%s\", \"board\": \"%s\", \"bit_exact\": %s, "
                              "\"arena_bytes\": %zu, \"stack_bytes\": %zu, \"text_bytes\": %zu, "
                              "\"weights_bytes\": %zu, \"instructions\": %llu, \"ram_bytes\": %zu, "
                              "\"ram_used\": %zu}, ",
                         v->target.cpu, v->target.board, v->target.bit_exact ? "true" : "false",
                         v->target.arena_bytes, v->target.stack_bytes, v->target.text_bytes,
                         v->target.weights_bytes, (unsigned long long)v->target.instructions,
                         v->target.ram_bytes, v->target.ram_used);
    mp_strbuf_puts(&sb, "\"mismatch\": ");
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
        fputs("schedule (default: --best, the schedule analyze recommends):\n", cli->out);
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
    bool fits = true;
    if (cli_import(cli, o.net, &g, &err) != MP_OK)
        return cli_fail(cli, &err);
    rc = sched_opts_build(cli, &o.so, g, &s, &fits);
    mp_exec_opts eo;
    mp_exec_opts_init(&eo);
    eo.seed = o.seed;
    if (rc == EXIT_OK && mp_exec_model_new(g, &eo, &m, &err) != MP_OK) {
        cli_prefix_file(&err, o.net); /* the executor names the op, not the file */
        rc = cli_fail(cli, &err);
    }
    if (rc == EXIT_OK && run_both(&o, m, s, &v, &err) != MP_OK)
        rc = cli_fail(cli, &err);
    if (rc == EXIT_OK && o.target)
        rc = run_target(cli, &o, m, s, &v);
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
        /* a schedule that misses the budget is a failed check too (as in plan) */
        rc = validation_exact(&v) && fits ? EXIT_OK : EXIT_FAIL;
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
