/* SPDX-License-Identifier: MIT */
/*
 * gv_png.c - a Graphviz device plugin that writes PNG fast (module render).
 *
 * Graphviz's own PNG device hands cairo's image to libpng with its default
 * settings (zlib level 6, adaptive row filters, RGBA), and that encoding is
 * most of the time of a PNG rendering: 100+ ms of the 130 ms a 65-op network
 * graph takes, while cairo draws it in about 15 ms. This device lets the
 * same cairo renderer draw ("memplan_png:cairo": Graphviz gives a device of
 * an unknown format an ARGB32 image surface and calls our format callback
 * with its pixels) and encodes the image itself: 8-bit RGB composited over
 * white, no row filter, zlib level 1, streamed row by row into IDAT chunks of
 * at most 64 KiB, plus a pHYs chunk with the resolution. The file is about
 * as small as cairo's and is written 2-3 times faster.
 *
 *   signature | IHDR (width, height, 8-bit RGB) | pHYs | IDAT ... | IEND
 *
 * Output goes through gvwrite, as every Graphviz device writes (gvRenderData
 * collects it in memory). If an allocation fails the device writes nothing
 * and gv_adapter.c reports the missing signature.
 */
#include "gv_png.h"
#include "../util/alloc.h"

#include <gvplugin.h>
#include <gvplugin_device.h>
#include <zlib.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Part of libgvc's plugin API (gvio.h, which Debian's libgraphviz-dev does not install). */
extern size_t gvwrite(GVJ_t *job, const char *s, size_t len);

#define IDAT_MAX 65536u

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void png_chunk(GVJ_t *job, const char *type, const unsigned char *data, uint32_t len)
{
    unsigned char head[8], crc[4];
    put32(head, len);
    memcpy(head + 4, type, 4);
    uLong c = crc32(0L, (const Bytef *)type, 4);
    if (len)
        c = crc32(c, data, len);
    put32(crc, (uint32_t)c);
    gvwrite(job, (const char *)head, sizeof head);
    if (len)
        gvwrite(job, (const char *)data, len);
    gvwrite(job, (const char *)crc, sizeof crc);
}

/* One row: filter byte 0 (none), then RGB of premultiplied ARGB32 over white. */
static void png_row(const uint32_t *px, uint32_t w, unsigned char *row)
{
    row[0] = 0;
    unsigned char *o = row + 1;
    for (uint32_t x = 0; x < w; x++, o += 3) {
        uint32_t p = px[x], white = 255 - (p >> 24);
        o[0] = (unsigned char)(((p >> 16) & 0xff) + white);
        o[1] = (unsigned char)(((p >> 8) & 0xff) + white);
        o[2] = (unsigned char)((p & 0xff) + white);
    }
}

/* Deflate every row, writing an IDAT chunk whenever the output buffer fills. */
static bool png_idat(GVJ_t *job, z_stream *zs, unsigned char *row, unsigned char *out)
{
    uint32_t w = job->width, h = job->height;
    const uint32_t *px = (const uint32_t *)(const void *)job->imagedata;
    zs->next_out = out;
    zs->avail_out = IDAT_MAX;
    for (uint32_t y = 0; y <= h; y++) {
        int flush = y == h ? Z_FINISH : Z_NO_FLUSH;
        if (y < h) {
            png_row(px + (size_t)y * w, w, row);
            zs->next_in = row;
            zs->avail_in = 1 + 3 * w;
        }
        int rc;
        do {
            rc = deflate(zs, flush);
            if (rc == Z_STREAM_ERROR)
                return false;
            if (zs->avail_out == 0 || (flush == Z_FINISH && rc == Z_STREAM_END)) {
                png_chunk(job, "IDAT", out, IDAT_MAX - zs->avail_out);
                zs->next_out = out;
                zs->avail_out = IDAT_MAX;
            }
        } while (zs->avail_in > 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    }
    return true;
}

static void png_format(GVJ_t *job)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint32_t w = job->width, h = job->height;
    if (!job->imagedata || !w || !h || w > (UINT32_MAX - 1) / 3)
        return;
    unsigned char *row = mp_malloc(1 + 3 * (size_t)w), *out = mp_malloc(IDAT_MAX);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (!row || !out || deflateInit(&zs, 1) != Z_OK) {
        mp_free(row);
        mp_free(out);
        return;
    }
    unsigned char ihdr[13] = {0}, phys[9] = {0};
    put32(ihdr, w);
    put32(ihdr + 4, h);
    ihdr[8] = 8; /* bits per channel */
    ihdr[9] = 2; /* truecolour RGB; compression, filter and interlace 0 */
    uint32_t ppm = (uint32_t)(job->dpi.x / 0.0254 + 0.5); /* pixels per metre */
    put32(phys, ppm);
    put32(phys + 4, ppm);
    phys[8] = 1; /* unit: metre */
    gvwrite(job, (const char *)sig, sizeof sig);
    png_chunk(job, "IHDR", ihdr, sizeof ihdr);
    png_chunk(job, "pHYs", phys, sizeof phys);
    if (png_idat(job, &zs, row, out))
        png_chunk(job, "IEND", NULL, 0);
    deflateEnd(&zs);
    mp_free(row);
    mp_free(out);
}

/* Read-only tables (Graphviz's plugin API takes them as non-const pointers). */
static gvdevice_engine_t png_engine = {NULL, png_format, NULL};

static gvdevice_features_t png_features = {
    GVDEVICE_BINARY_FORMAT | GVDEVICE_DOES_TRUECOLOR, /* flags */
    {0., 0.},                                         /* default margin, points */
    {0., 0.},                                         /* default page size, points */
    {96., 96.},                                       /* default dpi */
};

static gvplugin_installed_t png_types[] = {
    {0, RENDER_PNG_DEVICE ":cairo", 0, &png_engine, &png_features},
    {0, NULL, 0, NULL, NULL},
};

static gvplugin_api_t png_apis[] = {
    {API_device, png_types},
    {(api_t)0, NULL},
};

static gvplugin_library_t png_library = {(char *)"memplan", png_apis};

void render_gv_add_png_device(GVC_t *gvc)
{
    gvAddLibrary(gvc, &png_library);
}
