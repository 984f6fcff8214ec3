/* SPDX-License-Identifier: MIT */
/*
 * mp_sweep.h - which networks fit which microcontrollers (module sweep):
 * the built-in MCU catalog (plus the user's parts from a JSON file), sweep
 * targets (SRAM budgets or MCUs), and the sweep itself: for every network x
 * target the cheapest schedule that fits the SRAM (and weights that fit the
 * flash), or by how much it misses.
 *
 * A sweep runs one patch search per network and reuses its Pareto front for
 * every target (mp_patch_search_recommend): the front already holds the
 * lowest-MAC schedule under every peak, so a target costs a lookup. The
 * networks are independent; `jobs` threads take them one at a time and store
 * each result at the network's index, so the result does not depend on the
 * number of threads. A shard I of N takes the networks whose index k has
 * k mod N = I (0-based), so N machines share one sweep and their databases
 * merge into the same result as one unsharded run (docs/database.md).
 *
 * Module order: sweep sits after schedule (it imports, plans and builds
 * schedules) and before store, which records a finished sweep.
 */
#ifndef MEMPLAN_MP_SWEEP_H
#define MEMPLAN_MP_SWEEP_H

#include "memplan/mp_error.h"
#include "memplan/mp_graph.h"
#include "memplan/mp_patch.h"
#include "memplan/mp_plan.h"
#include "memplan/mp_report.h"
#include "memplan/mp_schedule.h"
#include "memplan/mp_tflm.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- MCU catalog ---------------------------------------------------------------------- */

#define MP_MCU_NAME_MAX 32u        /* bytes of a part name, NUL included */
#define MP_MCU_CATALOG_MAX 1024u   /* parts in a user catalog file */
#define MP_MCU_CATALOG_FILE_MAX ((size_t)1 << 20)

typedef struct mp_mcu {
    const char *name;        /* "STM32F746"; letters, digits, '-', '_', '.', '+' */
    size_t sram_bytes;       /* the SRAM budget: the largest contiguous block of on-chip data
                                SRAM one tensor arena can use (docs/database.md, "MCU catalog") */
    size_t sram_total_bytes; /* all on-chip SRAM the datasheet lists */
    size_t flash_bytes;      /* flash for the weights: on-chip, or the named board's external
                                flash for parts without one; 0 = not checked */
    const char *note;        /* what is counted and the datasheet figure it comes from */
} mp_mcu;

typedef struct mp_mcu_catalog_priv mp_mcu_catalog_priv;

typedef struct mp_mcu_catalog {
    uint32_t n;
    mp_mcu *mcus;              /* the built-in parts, then the user's (a user part with a
                                  built-in's name replaces it in place) */
    mp_mcu_catalog_priv *priv; /* storage of the user's strings; not API */
} mp_mcu_catalog;

/* The built-in parts (static data, datasheet order). */
const mp_mcu *mp_mcu_builtin(uint32_t *n);

/*
 * The catalog: the built-in parts plus, when user_file is not NULL, the parts
 * of that JSON file (docs/cli.md, "mcus"):
 *   {"format": "memplan-mcus", "version": 1,
 *    "mcus": [{"name": "MyBoard", "sram": "192K", "flash": "1M",
 *              "sram_total": "256K", "note": "..."}]}
 * Sizes are byte counts or strings with K/M suffixes; sram_total defaults to
 * sram, flash to 0 (not checked). Errors name the file, the JSON path and the
 * problem ("cat.json: mcus[1].sram: expected a size ..."). Free with
 * mp_mcu_catalog_free.
 */
mp_status mp_mcu_catalog_new(const char *user_file, mp_mcu_catalog **out, mp_error *err);
/* The same from text in memory; label names it in messages. */
mp_status mp_mcu_catalog_new_text(const char *text, size_t len, const char *label,
                                  mp_mcu_catalog **out, mp_error *err);
void mp_mcu_catalog_free(mp_mcu_catalog *c);
/* The part called name (case-insensitive), or NULL. */
const mp_mcu *mp_mcu_catalog_find(const mp_mcu_catalog *c, const char *name);

/* ---- targets -------------------------------------------------------------------------- */

#define MP_SWEEP_LABEL_MAX 40u
#define MP_SWEEP_MAX_TARGETS 256u
#define MP_SWEEP_MAX_NETS 100000u

typedef struct mp_sweep_target {
    char label[MP_SWEEP_LABEL_MAX]; /* the MCU name, or the budget ("256K", "1M", "300000") */
    bool is_mcu;
    size_t sram_bytes;              /* > 0 */
    size_t flash_bytes;             /* 0: not checked (plain budgets) */
} mp_sweep_target;

/*
 * Targets from a budget list "64K,128K,300000" (sizes as mp_parse_size reads
 * them; each > 0, no two equal). Labels are canonical ("64K" for 65536).
 * what names the option in messages. Free *out with mp_sweep_targets_free.
 */
mp_status mp_sweep_budget_targets(const char *list, const char *what, mp_sweep_target **out,
                                  uint32_t *n, mp_error *err);
/* Targets from "all" (every part of the catalog, in catalog order) or a list of part names
 * "STM32F746,nRF52840" (case-insensitive, no repeats). */
mp_status mp_sweep_mcu_targets(const mp_mcu_catalog *c, const char *list, const char *what,
                               mp_sweep_target **out, uint32_t *n, mp_error *err);
void mp_sweep_targets_free(mp_sweep_target *t);

/* Canonical label of a byte count: "64K" (multiple of 1 KiB), "1M" (of 1 MiB), else bytes. */
const char *mp_sweep_size_label(size_t bytes, char *buf, size_t n);

/* ---- sweep ---------------------------------------------------------------------------- */

typedef struct mp_sweep_spec {
    const char *const *nets;         /* network files of the whole sweep (borrowed) */
    uint32_t n_nets;
    const mp_sweep_target *targets;  /* borrowed; copied into the result */
    uint32_t n_targets;
    mp_plan_opts plan;
    mp_search_opts search;           /* have_budget and budget are ignored */
    uint32_t jobs;                   /* networks at once (threads), >= 1; at most 65 are used */
    uint32_t shard, n_shards;        /* this shard (0-based) of n_shards (>= 1) */
    mp_tflm_kernels tflm_kernels;    /* kernels of the TFLite Micro arena figure (.tflite) */
    /* Called after each network (serialised: never two calls at once), may be NULL. */
    void (*progress)(void *ctx, uint32_t done, uint32_t total);
    void *progress_ctx;
} mp_sweep_spec;

/* No networks or targets, plan and search defaults, 1 job, shard 0 of 1. */
void mp_sweep_spec_init(mp_sweep_spec *spec);

/* The answer for one network and one target. */
typedef struct mp_sweep_cell {
    bool fits;                  /* sram_fits && flash_fits */
    bool sram_fits;             /* the chosen schedule's peak <= the SRAM budget */
    bool flash_fits;            /* weight bytes <= flash (true when flash is not checked) */
    uint32_t schedule;          /* index into the network's schedules: the cheapest schedule
                                   that fits, else the lowest-peak one */
    size_t missing_bytes;       /* peak - SRAM when !sram_fits, else 0 */
    size_t flash_missing_bytes; /* weight bytes - flash when !flash_fits, else 0 */
    bool tflm_fits;             /* TFLite Micro's whole arena (net's tflm_arena_bytes) <= SRAM;
                                   false when not predicted (in memory only, not stored) */
} mp_sweep_cell;

typedef struct mp_sweep_schedule {
    bool patch;                 /* patch-based (point is valid) or per-layer */
    mp_patch_point point;
    mp_schedule *s;             /* built: arena offsets, JSON, timeline (owned) */
} mp_sweep_schedule;

typedef struct mp_sweep_net {
    uint32_t index;             /* position in the sweep's network list (the matrix row) */
    const char *path;           /* the file (borrowed from the spec) */
    mp_graph *g;                /* NULL when the network failed (see error) */
    mp_error error;
    size_t per_layer_peak;
    bool tflm_have;               /* a .tflite whose TFLM arena is predicted (mp_tflm.h) */
    size_t tflm_arena_bytes;      /* ...the Cortex-M kTensorArenaSize */
    uint32_t n_schedules;
    mp_sweep_schedule *schedules; /* distinct chosen schedules, in order of first use */
    mp_sweep_cell *cells;         /* one per target */
} mp_sweep_net;

typedef struct mp_sweep {
    char key[65];               /* SHA-256 of the sweep's definition (options, targets,
                                   network list): equal for all shards of one sweep */
    char options[256];          /* the options as canonical text (part of the key) */
    uint32_t n_total_nets;      /* networks of the whole sweep */
    uint32_t shard, n_shards;
    uint32_t n_targets;
    mp_sweep_target *targets;
    uint32_t n_nets;            /* networks of this shard, in index order */
    mp_sweep_net *nets;
    uint32_t n_failed;          /* networks that could not be imported or planned */
    mp_tflm_kernels kernels;    /* whose scratch counts (spec->plan.kernels) */
    size_t reserve;             /* spec->search.reserve: cells fit when the schedule's peak +
                                   scratch + reserve <= the target's SRAM */
} mp_sweep;

/*
 * Run a sweep: for each network of this shard (in `jobs` threads): import,
 * per-layer plan, one patch search, then for every target the
 * recommendation for its SRAM (analyze --budget's rule) and the flash check;
 * every distinct chosen schedule is built (arena offsets). A network that
 * fails is kept with its error (net->g == NULL, sw->n_failed counts them) and
 * the others go on; the call itself fails only for bad arguments, thread
 * creation or out of memory outside a network. Free with mp_sweep_free.
 */
mp_status mp_sweep_run(const mp_sweep_spec *spec, mp_sweep **out, mp_error *err);
void mp_sweep_free(mp_sweep *sw);

/* What a matrix cell says (built from a sweep in memory or from database rows). */
typedef struct mp_sweep_verdict {
    bool sram_fits, flash_fits;
    bool patch;                  /* the chosen schedule is patch-based */
    uint32_t rows, cols;         /* its grid */
    mp_halo halo;
    size_t missing_bytes, flash_missing_bytes;
} mp_sweep_verdict;

void mp_sweep_verdict_of(const mp_sweep_net *net, uint32_t target, mp_sweep_verdict *v);
/* "per-layer", "4x4 recompute", "2x2 cache", "needs +43 KiB", "flash +120 KiB". */
const char *mp_sweep_cell_text(const mp_sweep_verdict *v, char *buf, size_t n);

/*
 * Start the matrix report: title "sweep KEY12: N networks x M targets" (or
 * "R of N networks" when rows are missing), a "network" column and one
 * column per target (detail: its SRAM), and the legend. The caller adds one
 * row per network. Used for the sweep output and `memplan report --sweep`.
 */
void mp_sweep_matrix_begin(mp_report *r, const char *key, uint32_t n_rows, uint32_t n_total,
                           const mp_sweep_target *targets, uint32_t n_targets);
/* The matrix of a sweep in memory (failed networks have no row). */
mp_status mp_sweep_matrix(const mp_sweep *sw, mp_report *out, mp_error *err);
/* The sweep as one JSON document (docs/cli.md, "sweep"). */
mp_status mp_sweep_write_json(const mp_sweep *sw, mp_strbuf *out, mp_error *err);

/* Per-step MACs of a schedule: op MACs, with the halo recomputation of tiled segments
 * (the sum over steps equals s->macs). macs has g->n_ops entries. */
void mp_sweep_step_macs(const mp_schedule *s, uint64_t *macs);

#ifdef __cplusplus
}
#endif

#endif
