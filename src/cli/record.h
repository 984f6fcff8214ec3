/* SPDX-License-Identifier: MIT */
/*
 * record.h - what analyze, plan, validate and sweep share about the
 * database and the MCU catalog (module cli): the --db/--no-db/--mcu/--catalog
 * options and one call per command that records its results as one run.
 *
 * A command adds RECORD_LONGOPTS to its option table, passes those option
 * codes to record_option(), and calls record_<command>() once at the end;
 * each returns the command's exit code, raised to EXIT_FAIL when recording
 * failed (the message is printed).
 */
#ifndef MEMPLAN_CLI_RECORD_H
#define MEMPLAN_CLI_RECORD_H

#include "cli.h"

#include <stdint.h>

typedef struct record_opts {
    const char *db;      /* --db FILE; NULL: $MEMPLAN_DB, else reports/memplan.db */
    bool no_db;          /* --no-db */
    const char *mcu;     /* --mcu NAME */
    const char *catalog; /* --catalog FILE */
    mp_mcu part;         /* the --mcu part once resolved (name points at part_name) */
    char part_name[MP_MCU_NAME_MAX];
} record_opts;

enum { OPT_DB = 1000, OPT_NO_DB, OPT_MCU, OPT_CATALOG };

#define RECORD_LONGOPTS                                                                            \
    {"db", required_argument, NULL, OPT_DB}, {"no-db", no_argument, NULL, OPT_NO_DB},              \
        {"mcu", required_argument, NULL, OPT_MCU},                                                 \
        {"catalog", required_argument, NULL, OPT_CATALOG}

#define RECORD_USAGE_MCU                                                                           \
    "  --mcu NAME         the SRAM budget (and flash) of a part of the catalog\n"                  \
    "                     ('memplan mcus' lists them)\n"                                          \
    "  --catalog FILE     add the parts of a JSON catalog (docs/cli.md)\n"
#define RECORD_USAGE_DB                                                                            \
    "  --db FILE          record the run in FILE (default $MEMPLAN_DB or\n"                       \
    "                     reports/memplan.db; docs/database.md)\n"                                \
    "  --no-db            do not record the run\n"

/* Record redistribute: the network, the original's schedule (role "redistribute") and the
 * redistribution with its variants. */
int record_redistribute(mp_cli *cli, const record_opts *r, int argc, char **argv,
                        const mp_schedule *s, const mp_redist *rd, int rc);

/* Store an OPT_DB .. OPT_CATALOG option; false when c is none of them. */
bool record_option(int c, const char *arg, record_opts *r);
/* The database path the options select. */
const char *record_db_path(const record_opts *r);

/* Load the catalog (--catalog or the built-in one); exit code, message printed. */
int record_catalog(mp_cli *cli, const record_opts *r, mp_mcu_catalog **out);

/*
 * --mcu: set so's budget to the part's SRAM. allowed: the command accepts a
 * budget here (plan: only with --best). Usage error for an unknown part, for
 * --mcu with --budget, or when not allowed; EXIT_FAIL for a bad catalog file.
 */
int record_mcu_budget(mp_cli *cli, record_opts *r, mp_search_opts *so, bool allowed);
/* After analyze's report: with --mcu, whether the weights fit the part's flash (a line on
 * stdout when print). Returns rc, or EXIT_FAIL when they do not fit. */
int record_mcu_flash(mp_cli *cli, const record_opts *r, const mp_graph *g, bool print, int rc);

/* Record analyze: the network, its per-layer schedule and the best patch schedule (ps may be
 * NULL with --no-patch), both in order (NULL: the file order). Returns rc, or EXIT_FAIL when
 * recording failed. */
int record_analyze(mp_cli *cli, const record_opts *r, int argc, char **argv, const mp_graph *g,
                   const mp_plan_opts *po, size_t reserve, const uint32_t *order,
                   const mp_patch_search *ps, int rc);
/* Record plan: the network and the planned schedule. */
int record_plan(mp_cli *cli, const record_opts *r, int argc, char **argv, const mp_schedule *s,
                int rc);
/* Record validate: the network, the schedule that ran (role "validate") and its result. */
int record_validate(mp_cli *cli, const record_opts *r, int argc, char **argv,
                    const mp_schedule *s, const mp_store_validation *v, int rc);
/* Record a sweep (started_ms: when the command started). */
int record_sweep(mp_cli *cli, const record_opts *r, int argc, char **argv, int64_t started_ms,
                 const mp_sweep *sw, int rc);

/* Wall clock in ms since 1970 (for mp_run_info.started_ms). */
int64_t record_now_ms(void);

#endif
