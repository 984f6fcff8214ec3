/* SPDX-License-Identifier: MIT */
/*
 * cli.h - shared parts of the memplan command line (module cli).
 *
 * Adding a command:
 *   1. write src/cli/cmd_<name>.c with `int cmd_<name>(mp_cli *cli, int argc, char **argv)`
 *      and a usage string `<name>_usage`, parsing options into locals with getopt_long;
 *   2. declare both below;
 *   3. add a row to the command table in main.c and the file to src/cli/meson.build;
 *   4. add CLI tests under tests/cli/<name>/ and document the command in docs/cli.md.
 * Commands only parse arguments, call the public library API and print.
 */
#ifndef MEMPLAN_CLI_H
#define MEMPLAN_CLI_H

#include "memplan/memplan.h"

#include <stdbool.h>
#include <stdio.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef struct mp_cli {
    FILE *out;         /* reports */
    FILE *err;         /* diagnostics */
    const char *cmd;   /* current command name */
    const char *usage; /* current command's usage text */
    int64_t started_ms; /* wall clock when the command started (runs.started_at) */
} mp_cli;

/* "memplan: <msg>" on stderr; returns EXIT_FAIL. */
/* text_out.c: a stream over under that escapes control characters (names); under itself
 * when one cannot be made. fclose it before under is closed. */
FILE *cli_text_stream(FILE *under);

/* mp_import_file, warning on standard error about a TFLite model with several subgraphs
 * (only subgraph 0 is read). */
mp_status cli_import(mp_cli *cli, const char *path, mp_graph **g, mp_error *err);
void cli_warn_subgraphs(mp_cli *cli, const char *path, const mp_graph *g);

/* "PATH: message" unless the message already starts with "PATH:" (errors of the executor
 * name the op, not the file). */
void cli_prefix_file(mp_error *err, const char *path);

int cli_fail(mp_cli *cli, const mp_error *err);
/* "memplan: <cmd>: <formatted>" plus a hint to --help on stderr; returns EXIT_USAGE. */
int cli_usage_error(mp_cli *cli, const char *fmt, ...) MP_PRINTF(2, 3);
/* Print the command's usage to stdout; returns EXIT_OK. */
int cli_help(mp_cli *cli);
/* Parse a size option (K/KiB suffixes); on error prints and returns false. */
bool cli_parse_size(mp_cli *cli, const char *opt, const char *text, size_t *out);
/* Parse an SRAM budget: a size above 0 (the same bounds as sweep's --budgets). */
bool cli_parse_budget(mp_cli *cli, const char *opt, const char *text, size_t *out);
/* Parse a non-negative integer option; on error prints and returns false. */
bool cli_parse_uint(mp_cli *cli, const char *opt, const char *text, unsigned long min,
                    unsigned long max, unsigned long *out);
/* --input sram|stream */
int cli_parse_input_mode(mp_cli *cli, const char *text, mp_input_mode *out);
/* --order file|best: *best = (text is "best"); EXIT_OK or EXIT_USAGE (reported). */
int cli_parse_order(mp_cli *cli, const char *text, bool *best);
/* The best operator order of g (mp_plan_best_order, default limits) into *r; prints
 * the error and returns EXIT_FAIL when the search fails. */
int cli_best_order(mp_cli *cli, const mp_graph *g, const mp_plan_opts *po, mp_order_result *r);
/* --halo recompute|cache|both */
int cli_parse_halo_modes(mp_cli *cli, const char *text, uint32_t *halos);
/* Thousands-separated count in a static rotating buffer (for printf arguments). */
const char *cli_count(uint64_t n);
/* A layer name for a table column of width characters (at most 47), in a static rotating
 * buffer: TFLite's fused names ("a/Relu;a/BiasAdd;...") by their first part and "...",
 * longer names with "..." in the middle. --json prints names whole. */
const char *cli_short_name(const char *name, size_t width);
/*
 * A progress bar on the command's stderr for long work: cli_progress_start sets up pr
 * (what: "networks", or NULL for a percentage) and returns false when stderr is not a
 * terminal (then give the library no callback). cli_progress is the library callback
 * (ctx = pr); it draws nothing during the first 0.3 s, so quick work shows no bar, and
 * clears its line when done == total.
 */
typedef struct cli_progress_bar {
    FILE *f;
    const char *cmd, *what;
    int64_t start_ms;
    bool drawn;
    uint32_t last_fill, last_pct; /* what is on the line */
} cli_progress_bar;
bool cli_progress_start(mp_cli *cli, const char *what, cli_progress_bar *pr);
void cli_progress(void *ctx, uint32_t done, uint32_t total);
/* Threads for parallel searches when the user gives no --jobs: the online CPUs, 1..8. */
uint32_t cli_default_jobs(void);
/* "1.1x" style (a MAC factor) in a static rotating buffer. */
const char *cli_factor(double f);
/* "1372.0 KiB" style in a static rotating buffer. */
const char *cli_kib(uint64_t bytes);

/* Print "LABEL" padded to 17 columns, then text wrapped on blanks at 80 columns, the
 * continuation lines indented by 17 (the layout of analyze's summary lines). */
void cli_print_wrapped(FILE *f, const char *label, const char *text);

extern const char analyze_usage[];
int cmd_analyze(mp_cli *cli, int argc, char **argv);
extern const char plan_usage_head[];
int cmd_plan(mp_cli *cli, int argc, char **argv);
extern const char validate_usage_head[];
int cmd_validate(mp_cli *cli, int argc, char **argv);

extern const char export_usage[];
int cmd_export(mp_cli *cli, int argc, char **argv);

extern const char mcus_usage[];
int cmd_mcus(mp_cli *cli, int argc, char **argv);
extern const char sweep_usage[];
int cmd_sweep(mp_cli *cli, int argc, char **argv);
extern const char merge_usage[];
int cmd_merge(mp_cli *cli, int argc, char **argv);
extern const char report_usage[];
int cmd_report(mp_cli *cli, int argc, char **argv);
extern const char render_usage[];
int cmd_render(mp_cli *cli, int argc, char **argv);
/* cmd_render.c: the three pictures (DIR/graph.svg, timeline.svg, lifecycle.svg) of schedule s,
 * search's budget drawn when it has one; exit code. */
int cli_render_dir(mp_cli *cli, const mp_schedule *s, const mp_search_opts *search,
                   const char *dir);

/* plan_print.c: a schedule in text (summary: no per-patch detail; wide: names whole;
 * per_layer_peak: the per-layer peak it is compared with, 0 for none; reserve: the
 * --reserve bytes shown in the total) or JSON */
void plan_print_text(mp_cli *cli, const mp_schedule *s, bool summary, bool wide,
                     size_t per_layer_peak, size_t reserve);
void plan_print_json(mp_cli *cli, const mp_schedule *s);

extern const char run_usage[];
int cmd_run(mp_cli *cli, int argc, char **argv);

extern const char convert_usage[];
int cmd_convert(mp_cli *cli, int argc, char **argv);

extern const char redistribute_usage[];
int cmd_redistribute(mp_cli *cli, int argc, char **argv);

#endif
