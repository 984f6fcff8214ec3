/* SPDX-License-Identifier: MIT */
/*
 * import_int.h - entry points shared by the importers and mp_import_file
 * (module import; private).
 */
#ifndef MEMPLAN_IMPORT_IMPORT_INT_H
#define MEMPLAN_IMPORT_IMPORT_INT_H

#include "memplan/mp_import.h"

/* Import a TFLite model read from a file; the graph takes data over (mp_file_free). */
mp_status import_tflite_owned(char *data, size_t size, const char *label, bool keep_pads,
                              mp_graph **out, mp_error *err);
/* Import net.json text read from path (weight files resolve relative to its directory). */
mp_status import_json_loaded(const char *text, size_t len, const char *path, bool keep_pads,
                             mp_graph **out, mp_error *err);
/* mp_import_json_text, PAD ops kept when keep_pads. */
mp_status import_json_text(const char *text, size_t len, const char *label,
                           const char *base_dir, bool keep_pads, mp_graph **out, mp_error *err);

#endif
