/* SPDX-License-Identifier: MIT */
/*
 * tflm_out.c - TFLite Micro's whole arena in analyze and sweep (module cli).
 */
#include "tflm_out.h"

#include <string.h>

bool cli_tflm_parse_kernels(mp_cli *cli, const char *arg, mp_tflm_kernels *out)
{
    if (mp_tflm_kernels_parse(arg, out))
        return true;
    cli_usage_error(cli, "--kernels: '%s' is not reference or cmsis-nn", arg);
    return false;
}

void cli_print_total(FILE *f, const char *label, mp_tflm_kernels kernels, size_t peak,
                     size_t scratch, size_t reserve)
{
    if (kernels == MP_TFLM_KERNELS_REFERENCE && !reserve)
        return;
    size_t total = peak + scratch + reserve; /* sizes far below SIZE_MAX (1 GiB tensors) */
    fprintf(f, "%s%s B (%s)", label, cli_count(scratch), mp_tflm_kernels_name(kernels));
    if (reserve)
        fprintf(f, ", reserve %s B", cli_count(reserve));
    fprintf(f, ": total %s B\n", cli_count(total));
}

bool cli_parse_reserve(mp_cli *cli, const char *arg, size_t *out)
{
    return cli_parse_size(cli, "--reserve", arg, out);
}

void cli_tflm_compute(const mp_graph *g, mp_tflm_kernels kernels, cli_tflm *t)
{
    memset(t, 0, sizeof *t);
    t->kernels = kernels;
    if (g->source_kind != MP_SOURCE_TFLITE) {
        snprintf(t->why, sizeof t->why, "the network is not a .tflite");
        return;
    }
    t->tflite = true;
    mp_error err;
    mp_error_init(&err);
    if (mp_tflm_arena_predict_file(g->source, kernels, MP_TFLM_TARGET_MCU32, &t->mcu, &err) !=
            MP_OK ||
        mp_tflm_arena_predict_file(g->source, kernels, MP_TFLM_TARGET_HOST64, &t->host, &err) !=
            MP_OK) {
        /* the file is named on analyze's "file" line: keep the reason alone */
        size_t n = strlen(g->source);
        const char *why = err.msg;
        if (strncmp(why, g->source, n) == 0 && strncmp(why + n, ": ", 2) == 0)
            why += n + 2;
        snprintf(t->why, sizeof t->why, "%s", why);
        return;
    }
    t->have = true;
}

void cli_tflm_text(FILE *f, const cli_tflm *t)
{
    if (!t->tflite)
        return; /* net.json: no TFLM model to size */
    if (!t->have) {
        char text[sizeof t->why + 32];
        snprintf(text, sizeof text, "not predicted: %s", t->why);
        cli_print_wrapped(f, "TFLM arena", text);
        return;
    }
    fprintf(f, "TFLM arena       %s B (%s): kTensorArenaSize\n", cli_count(t->mcu.min_arena_bytes),
            cli_kib(t->mcu.min_arena_bytes));
    fprintf(f, "                 on a 32-bit Cortex-M, %s kernels\n",
            mp_tflm_kernels_name(t->kernels));
    if (t->mcu.min_arena_bytes > (t->mcu.used_bytes + 15) / 16 * 16)
        fprintf(f, "                 (with the room TFLM needs while planning)\n");
    fprintf(f, "                 %s B tensors%s, %s B scratch, %s B bookkeeping\n",
            cli_count(t->mcu.tensor_bytes), t->mcu.offline_plan ? " (offline plan)" : "",
            cli_count(t->mcu.head_bytes - t->mcu.tensor_bytes), cli_count(t->mcu.tail_bytes));
    fprintf(f, "                 %s B on a 64-bit host (tflm_runner's arena_used_bytes)\n",
            cli_count(t->host.used_bytes));
}

static void json_target(mp_strbuf *sb, const char *name, const mp_tflm_arena *a)
{
    mp_strbuf_printf(sb, "\"%s\": {\"arena_bytes\": %zu, \"arena_used_bytes\": %zu, "
                         "\"head_bytes\": %zu, \"tensor_bytes\": %zu, \"tail_bytes\": %zu}",
                     name, a->min_arena_bytes, a->used_bytes, a->head_bytes, a->tensor_bytes,
                     a->tail_bytes);
}

void cli_tflm_json(mp_strbuf *sb, const cli_tflm *t)
{
    if (!t->have) {
        mp_strbuf_puts(sb, "\"tflm\": null");
        return;
    }
    mp_strbuf_printf(sb, "\"tflm\": {\"kernels\": \"%s\", \"arena_bytes_mcu\": %zu, "
                         "\"arena_bytes_host\": %zu, \"scratch_bytes\": %zu, ",
                     mp_tflm_kernels_name(t->kernels), t->mcu.min_arena_bytes,
                     t->host.min_arena_bytes, t->mcu.scratch_bytes);
    json_target(sb, "mcu", &t->mcu);
    mp_strbuf_puts(sb, ", ");
    json_target(sb, "host", &t->host);
    mp_strbuf_puts(sb, "}");
}
