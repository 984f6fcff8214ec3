/* SPDX-License-Identifier: MIT */
/*
 * tflm_out.h - TFLite Micro's whole arena in analyze and sweep (module cli):
 * the prediction of mp_tflm.h for a 32-bit Cortex-M and a 64-bit host.
 */
#ifndef MEMPLAN_CLI_TFLM_OUT_H
#define MEMPLAN_CLI_TFLM_OUT_H

#include "cli.h"

#include <stdio.h>

typedef struct cli_tflm {
    bool have;              /* a .tflite whose every op is modelled */
    bool tflite;            /* the network came from a .tflite */
    mp_tflm_kernels kernels;
    mp_tflm_arena mcu, host;
    char why[600];          /* why there is no figure (net.json, unmodelled op) */
} cli_tflm;

#define CLI_TFLM_USAGE                                                                     \
    "  --kernels K        the kernel library: reference (default) or cmsis-nn, whose\n"   \
    "                     per-op scratch buffers count towards what fits (and the\n"      \
    "                     TFLM arena figure)\n"                                           \
    "  --reserve SIZE     bytes kept for the stack and runtime (default 0): a\n"          \
    "                     schedule fits when peak + scratch + reserve <= budget\n"

/*
 * The "scratch" line (label: 17 or 18 columns) after a peak: nothing for the reference
 * kernels without a reserve; else "X B (cmsis-nn kernels), reserve R B: total T B".
 */
void cli_print_total(FILE *f, const char *label, mp_tflm_kernels kernels, size_t peak,
                     size_t scratch, size_t reserve);

/* Parse --reserve (a size, 0 allowed); false after printing a usage error. */
bool cli_parse_reserve(mp_cli *cli, const char *arg, size_t *out);

/* Parse --kernels; false after printing a usage error. */
bool cli_tflm_parse_kernels(mp_cli *cli, const char *arg, mp_tflm_kernels *out);
/* Predict for g's source file when it is a .tflite; never fails (why says what is missing). */
void cli_tflm_compute(const mp_graph *g, mp_tflm_kernels kernels, cli_tflm *t);
/* "TFLM arena ..." lines of analyze. */
void cli_tflm_text(FILE *f, const cli_tflm *t);
/* "tflm": {...} (no trailing comma or newline); null when there is no figure. */
void cli_tflm_json(mp_strbuf *sb, const cli_tflm *t);

#endif
