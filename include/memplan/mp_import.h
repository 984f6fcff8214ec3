/* SPDX-License-Identifier: MIT */
/*
 * mp_import.h - reading networks (module import): memplan's net.json
 * (docs/net-json.md) and TFLite flatbuffers. Every importer returns a
 * finalized graph or an error naming the file, the field and the problem.
 */
#ifndef MEMPLAN_MP_IMPORT_H
#define MEMPLAN_MP_IMPORT_H

#include "memplan/mp_error.h"
#include "memplan/mp_graph.h"
#include "memplan/mp_util.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MP_NET_JSON_VERSION 1                        /* "version" written and accepted */
#define MP_IMPORT_MAX_FILE_BYTES ((size_t)256 << 20) /* larger inputs are refused */

/* Import path: .tflite files (by content: "TFL3" identifier) or net.json. */
mp_status mp_import_file(const char *path, mp_graph **out, mp_error *err);

/* net.json from a file, or from memory (label names it in messages; base_dir
 * resolves relative weight file references, "" = current directory). */
mp_status mp_import_json(const char *path, mp_graph **out, mp_error *err);
mp_status mp_import_json_text(const char *text, size_t len, const char *label,
                              const char *base_dir, mp_graph **out, mp_error *err);

#ifdef __cplusplus
}
#endif

#endif
