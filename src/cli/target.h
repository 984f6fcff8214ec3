/* SPDX-License-Identifier: MIT */
/*
 * target.h - memplan_rt packages on disk and on an emulated MCU (module cli):
 * writing the package `export --format c` makes, and building and running
 * one on QEMU for `validate --target`.
 */
#ifndef MEMPLAN_CLI_TARGET_H
#define MEMPLAN_CLI_TARGET_H

#include "cli.h"

/* DIR/PREFIX_model.h/.c (the tables of t) and DIR/memplan_rt/ (the runtime);
 * "wrote PATH" per file on cli->out unless quiet. */
int target_write_package(mp_cli *cli, const mp_rt_tables *t, const char *dir, const char *prefix,
                         bool quiet);

typedef struct target_result {
    bool ran;              /* the firmware ran to its end */
    bool bit_exact;        /* its output bytes equal the expected ones */
    char cpu[16], board[32];
    size_t ram_bytes;      /* the RAM region of the link (the SRAM budget) */
    size_t ram_used;       /* .data + .bss + .stack */
    size_t arena_bytes, stack_bytes, text_bytes, weights_bytes;
    uint64_t instructions; /* per inference, from QEMU's -icount (to 40 instructions) */
    int8_t *output;        /* the bytes the firmware produced (expected_bytes; free()) */
} target_result;

/*
 * Build t's package for cpu ("cortex-m4": QEMU mps2-an386; "cortex-m7":
 * mps2-an500) with RAM = ram_bytes (the link fails when arena + data + stack
 * do not fit) and stack_bytes of stack, run it on input (input_bytes, the
 * inputs back to back) and compare its output with expected (the outputs back
 * to back). Returns EXIT_OK with *r filled (r->bit_exact says whether the bytes
 * matched), EXIT_FAIL with a message when the tools are missing or the build
 * or run failed.
 */
int target_run(mp_cli *cli, const mp_rt_tables *t, const char *cpu, size_t ram_bytes,
               size_t stack_bytes, const int8_t *input, size_t input_bytes,
               const int8_t *expected, size_t expected_bytes, target_result *r);

#endif
