/* SPDX-License-Identifier: MIT */
/*
 * sniff.c - what a file that is neither a .tflite nor a net.json looks like,
 * so the message names it ("looks like a JPEG image") instead of a JSON
 * syntax error at its first byte (module import).
 */
#include "import_int.h"

#include <string.h>

static bool starts(const unsigned char *d, size_t n, const void *magic, size_t m)
{
    return n >= m && memcmp(d, magic, m) == 0;
}

const char *import_sniff_not_json(const void *data, size_t size)
{
    const unsigned char *d = data;
    if (!d || size == 0)
        return "is empty";
    size_t i = 0;
    while (i < size && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r'))
        i++;
    if (i == size)
        return "holds only blanks";
    if (i + 3 <= size && d[i] == 0xEF && d[i + 1] == 0xBB && d[i + 2] == 0xBF)
        i += 3; /* a UTF-8 byte order mark before the JSON */
    if (i < size && d[i] == '{')
        return NULL;
    static const struct {
        const char *magic;
        size_t len;
        const char *what;
    } kinds[] = {
        {"\xFF\xD8\xFF", 3, "looks like a JPEG image"},
        {"\x89PNG\r\n\x1A\n", 8, "looks like a PNG image"},
        {"GIF8", 4, "looks like a GIF image"},
        {"BM", 2, "looks like a BMP image"},
        {"P5", 2, "looks like a PGM image"},
        {"P6", 2, "looks like a PPM image"},
        {"PK\x03\x04", 4, "looks like a ZIP archive"},
        {"\x1F\x8B", 2, "looks like a gzip file"},
        {"\x7F" "ELF", 4, "looks like an ELF program"},
        {"SQLite format 3", 15, "looks like an SQLite database"},
        {"%PDF", 4, "looks like a PDF document"},
        {"<?xml", 5, "looks like an XML document"},
        {"<svg", 4, "looks like an SVG picture"},
        {"\x08\x01\x12", 3, "looks like an ONNX or other protobuf file"},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (starts(d, size, kinds[k].magic, kinds[k].len))
            return kinds[k].what;
    if (d[i] == '[' || d[i] == '"')
        return NULL; /* JSON, not an object: the JSON reader says so */
    if (size >= 8 && memcmp(d + 4, "TFL", 3) == 0)
        return "has the flatbuffer identifier of another TFLite schema version (TFLite "
               "models say 'TFL3')";
    for (size_t k = i; k < size && k < i + 512; k++)
        if (d[k] == 0 || (d[k] < 0x20 && d[k] != '\t' && d[k] != '\n' && d[k] != '\r'))
            return size < 8 ? "is too short for a .tflite" : "looks like binary data";
    return "is text, but not JSON";
}
