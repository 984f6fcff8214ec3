/* SPDX-License-Identifier: MIT */
/* cli_names.h - layer names shortened to a table column (module cli; names.c). */
#ifndef MEMPLAN_CLI_NAMES_H
#define MEMPLAN_CLI_NAMES_H

#include "memplan/mp_graph.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct cli_names {
    const mp_graph *g;
    char **v;   /* per op: the shortened name, or NULL when printed whole */
    uint32_t n;
} cli_names;

/* Display names of g's ops for a column of width characters (wide: every name whole).
 * 0, or -1 when out of memory. */
int cli_names_build(cli_names *cn, const mp_graph *g, size_t width, bool wide);
/* The name to print for op (whole when it fits or --wide). */
const char *cli_names_op(const cli_names *cn, uint32_t op);
void cli_names_free(cli_names *cn);

#endif
