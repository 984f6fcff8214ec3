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
    "  --kernels K        TFLite Micro kernels for the TFLM arena figure: reference\n"     \
    "                     (default) or cmsis-nn\n"

/* Parse --kernels; false after printing a usage error. */
bool cli_tflm_parse_kernels(mp_cli *cli, const char *arg, mp_tflm_kernels *out);
/* Predict for g's source file when it is a .tflite; never fails (why says what is missing). */
void cli_tflm_compute(const mp_graph *g, mp_tflm_kernels kernels, cli_tflm *t);
/* "TFLM arena ..." lines of analyze. */
void cli_tflm_text(FILE *f, const cli_tflm *t);
/* "tflm": {...} (no trailing comma or newline); null when there is no figure. */
void cli_tflm_json(mp_strbuf *sb, const cli_tflm *t);

#endif
