/* SPDX-License-Identifier: MIT */
/*
 * import.c - mp_import_file: read a network file and hand it to the importer
 * its content asks for (module import). A TFLite flatbuffer carries the file
 * identifier "TFL3" at byte 4; anything else is read as net.json.
 */
#include "memplan/mp_import.h"

#include "import_int.h"

#include <string.h>

bool mp_import_is_tflite(const void *data, size_t size)
{
    return data && size >= 8 && memcmp((const char *)data + 4, "TFL3", 4) == 0;
}

static mp_status import_file(const char *path, bool keep_pads, mp_graph **out, mp_error *err)
{
    char *data;
    size_t size;
    *out = NULL;
    MP_TRY(mp_file_read(path, MP_IMPORT_MAX_FILE_BYTES, &data, &size, err));
    if (mp_import_is_tflite(data, size))
        return import_tflite_owned(data, size, path, keep_pads, out, err);
    const char *kind = import_sniff_not_json(data, size);
    if (kind) {
        mp_file_free(data);
        return mp_errorf(err, MP_E_INVALID, "%s: not a .tflite or net.json: the file %s", path,
                         kind);
    }
    mp_status st = import_json_loaded(data, size, path, keep_pads, out, err);
    mp_file_free(data);
    return st;
}

mp_status mp_import_file(const char *path, mp_graph **out, mp_error *err)
{
    return import_file(path, false, out, err);
}

mp_status mp_import_file_unfolded(const char *path, mp_graph **out, mp_error *err)
{
    return import_file(path, true, out, err);
}
