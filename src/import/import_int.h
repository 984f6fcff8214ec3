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

/* NULL when data may be a net.json (its first non-blank byte is '{'), else what the file
 * is, to end "the file ..." ("looks like a JPEG image", "is empty"; sniff.c). */
const char *import_sniff_not_json(const void *data, size_t size);

#endif
