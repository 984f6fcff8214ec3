/* SPDX-License-Identifier: MIT */
/*
 * sched_opts.h - the options that choose a schedule, shared by plan, validate
 * and render (module cli): a saved schedule, one patch stage, the best of the
 * patch search, or the best fused (multi-stage) schedule, plus the accounting
 * options. Commands put SCHED_LONGOPTS into their getopt_long tables and pass
 * unknown option codes to sched_opts_parse.
 */
#ifndef MEMPLAN_CLI_SCHED_OPTS_H
#define MEMPLAN_CLI_SCHED_OPTS_H

#include "cli.h"

#include <getopt.h>

enum {
    SO_SCHEDULE = 300,
    SO_SPLIT,
    SO_PATCHES,
    SO_CUTS,
    SO_HALO,
    SO_INPUT,
    SO_INPLACE_DW,
    SO_INPLACE_OPS,
    SO_ALIGN,
    SO_BEST,
    SO_BUDGET,
    SO_FUSED,
    SO_MAX_MACS,
    SO_MAX_STAGES,
    SO_MAX_BLOCK,
    SO_JOBS,
    SO_MAX_GRID,
    SO_ORDER,
    SO_FLOAT_INPUT,
    SO_KERNELS,
    SO_RESERVE,
};

#define SCHED_LONGOPTS                                                                             \
    {"schedule", required_argument, NULL, SO_SCHEDULE},                                            \
        {"split", required_argument, NULL, SO_SPLIT},                                              \
        {"patches", required_argument, NULL, SO_PATCHES},                                          \
        {"cuts", required_argument, NULL, SO_CUTS}, {"halo", required_argument, NULL, SO_HALO},    \
        {"input", required_argument, NULL, SO_INPUT},                                              \
        {"inplace-dw", no_argument, NULL, SO_INPLACE_DW},                                          \
        {"inplace-ops", no_argument, NULL, SO_INPLACE_OPS},                                        \
        {"align", required_argument, NULL, SO_ALIGN}, {"best", no_argument, NULL, SO_BEST},       \
        {"budget", required_argument, NULL, SO_BUDGET}, {"fused", no_argument, NULL, SO_FUSED},    \
        {"max-macs", required_argument, NULL, SO_MAX_MACS},                                        \
        {"max-stages", required_argument, NULL, SO_MAX_STAGES},                                    \
        {"max-block", required_argument, NULL, SO_MAX_BLOCK},                                      \
        {"jobs", required_argument, NULL, SO_JOBS},                                                \
        {"max-grid", required_argument, NULL, SO_MAX_GRID},                                        \
        {"order", required_argument, NULL, SO_ORDER},                                             \
        {"float-input-in-arena", no_argument, NULL, SO_FLOAT_INPUT},                               \
        {"kernels", required_argument, NULL, SO_KERNELS},                                         \
        {"reserve", required_argument, NULL, SO_RESERVE}

/* Usage text of these options (for the commands' --help), after a heading
 * line "schedule (default: ...):" of the command's own. */
extern const char sched_opts_usage[];

typedef struct sched_opts {
    const char *schedule;      /* --schedule FILE */
    const char *split, *cuts;  /* --split NAME --patches RxC [--cuts ...] */
    uint32_t rows, cols;
    bool halo_given;
    bool jobs_given;           /* --jobs */
    mp_halo halo;              /* --split: the one mode given */
    uint32_t halos;            /* MP_HALO_BIT of the modes --halo names */
    bool best;                 /* --best: the patch search's best */
    bool fused;                /* --fused: the multi-stage optimizer's best */
    bool order_best;           /* --order best: the ops in the order of lowest peak */
    mp_plan_opts plan;
    mp_search_opts search;     /* budget, grid limit */
    mp_fused_opts fused_opts;
} sched_opts;

void sched_opts_init(sched_opts *o);
/* Handle option code c (SO_*): EXIT_OK, EXIT_USAGE (reported), or -1: not ours. */
int sched_opts_parse(mp_cli *cli, int c, const char *arg, sched_opts *o);
/* Check combinations after parsing (EXIT_OK or EXIT_USAGE, reported). */
int sched_opts_check(mp_cli *cli, const sched_opts *o);
/* Whether any option asks for a specific schedule. */
bool sched_opts_any(const sched_opts *o);

/*
 * Build the schedule the options ask for (per-layer when none). *fits is false
 * when a budget or MAC limit cannot be met (the closest schedule is returned
 * and a diagnostic printed). Returns EXIT_OK, or prints the error and returns
 * EXIT_FAIL / EXIT_USAGE.
 */
int sched_opts_build(mp_cli *cli, const sched_opts *o, const mp_graph *g, mp_schedule **out,
                     bool *fits);

/* Parse "1.1x", "1.1" or "110%" into a factor >= 1. */
bool cli_parse_factor(mp_cli *cli, const char *opt, const char *text, double *out);

#endif
