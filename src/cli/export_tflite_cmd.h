/* SPDX-License-Identifier: MIT */
/* export_tflite_cmd.h - `memplan export --format tflite` (module cli). */
#ifndef MEMPLAN_CLI_EXPORT_TFLITE_CMD_H
#define MEMPLAN_CLI_EXPORT_TFLITE_CMD_H

#include "cli.h"

/* Write net with the plan of schedule (NULL: memplan's per-layer plan) to out. */
int cli_export_tflite(mp_cli *cli, const char *net, const char *schedule, const char *out);

#endif
