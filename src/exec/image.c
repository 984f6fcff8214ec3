/* SPDX-License-Identifier: MIT */
/*
 * image.c - reading input images (binary PGM/PPM, uncompressed BMP) and
 * turning files into int8 network inputs (module exec).
 *
 * Every offset and length read from a file is checked against the file size
 * before use. BMP rows are stored bottom-up unless the height is negative; the
 * decoded image is always top-down (what TFLite Micro's test data generator
 * produces with PIL's tobytes()). An 8-bit BMP with a gray palette decodes to
 * one channel of palette gray levels (the index itself for the usual identity
 * palette), any other palette to RGB.
 */
#include "exec_int.h"

#include "../util/alloc.h"
#include "../util/checked.h"
#include "memplan/mp_util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_IMAGE_DIM 65536

void mp_image_release(mp_image *img)
{
    if (!img)
        return;
    mp_free(img->pixels);
    memset(img, 0, sizeof *img);
}

static mp_status alloc_pixels(mp_image *img, int32_t w, int32_t h, int32_t c, const char *label,
                              mp_error *err)
{
    size_t n;
    if (w < 1 || h < 1 || w > MAX_IMAGE_DIM || h > MAX_IMAGE_DIM)
        return mp_errorf(err, MP_E_UNSUPPORTED, "%s: image size %dx%d is not supported", label, w,
                         h);
    if (!mp_mul4_size((size_t)w, (size_t)h, (size_t)c, 1, &n))
        return mp_errorf(err, MP_E_OVERFLOW, "%s: image size overflows", label);
    img->pixels = mp_malloc(n);
    if (!img->pixels)
        return mp_errorf(err, MP_E_NOMEM, "%s: out of memory", label);
    img->w = w;
    img->h = h;
    img->c = c;
    return MP_OK;
}

/* ---- PGM / PPM ------------------------------------------------------------------------ */

/* Next unsigned decimal of a PNM header at *pos (whitespace and # comments skipped). */
static bool pnm_number(const uint8_t *d, size_t size, size_t *pos, int32_t *out)
{
    size_t p = *pos;
    for (;;) {
        while (p < size && (d[p] == ' ' || d[p] == '\t' || d[p] == '\n' || d[p] == '\r'))
            p++;
        if (p < size && d[p] == '#') {
            while (p < size && d[p] != '\n')
                p++;
            continue;
        }
        break;
    }
    int64_t v = 0;
    size_t start = p;
    while (p < size && d[p] >= '0' && d[p] <= '9' && v <= MAX_IMAGE_DIM)
        v = v * 10 + (d[p++] - '0');
    if (p == start || v > MAX_IMAGE_DIM)
        return false;
    *out = (int32_t)v;
    *pos = p;
    return true;
}

static mp_status decode_pnm(const uint8_t *d, size_t size, const char *label, mp_image *img,
                            mp_error *err)
{
    int32_t c = d[1] == '5' ? 1 : 3, w, h, maxval;
    size_t pos = 2;
    if (!pnm_number(d, size, &pos, &w) || !pnm_number(d, size, &pos, &h) ||
        !pnm_number(d, size, &pos, &maxval) || pos >= size)
        return mp_errorf(err, MP_E_PARSE, "%s: malformed P%c header", label, d[1]);
    if (maxval < 1 || maxval > 255)
        return mp_errorf(err, MP_E_UNSUPPORTED, "%s: maxval %d (8-bit images only)", label,
                         maxval);
    pos++; /* the single whitespace after maxval */
    /* the file must hold the pixels before any memory is taken for them: a 20-byte
     * header may claim 65536 x 65536 x 3 */
    size_t n;
    if (w < 1 || h < 1 || !mp_mul4_size((size_t)w, (size_t)h, (size_t)c, 1, &n))
        return mp_errorf(err, MP_E_UNSUPPORTED, "%s: image size %dx%d is not supported", label,
                         w, h);
    if (size - pos < n)
        return mp_errorf(err, MP_E_PARSE, "%s: %zu bytes of pixels, %zu expected", label,
                         size - pos, n);
    MP_TRY(alloc_pixels(img, w, h, c, label, err));
    memcpy(img->pixels, d + pos, n);
    return MP_OK;
}

/* ---- BMP ------------------------------------------------------------------------------ */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

typedef struct bmp_info {
    int32_t w, h;          /* h > 0 */
    bool top_down;
    uint16_t bpp;
    size_t pixel_offset, row_bytes;
    const uint8_t *palette; /* 4 bytes per entry (B, G, R, 0) */
    uint32_t n_palette;
    bool gray;
} bmp_info;

static mp_status bmp_header(const uint8_t *d, size_t size, const char *label, bmp_info *b,
                            mp_error *err)
{
    if (size < 54)
        return mp_errorf(err, MP_E_PARSE, "%s: truncated BMP header", label);
    uint32_t dib = le32(d + 14), compression = le32(d + 30), colors = le32(d + 46);
    int64_t h = (int32_t)le32(d + 22);
    b->w = (int32_t)le32(d + 18);
    b->bpp = le16(d + 28);
    b->pixel_offset = le32(d + 10);
    if (dib < 40 || dib > size - 14 || compression != 0)
        return mp_errorf(err, MP_E_UNSUPPORTED, "%s: only uncompressed BMPs with a "
                         "BITMAPINFOHEADER are supported", label);
    if (b->bpp != 8 && b->bpp != 24 && b->bpp != 32)
        return mp_errorf(err, MP_E_UNSUPPORTED, "%s: %u bits per pixel (8, 24 or 32 only)",
                         label, b->bpp);
    if (b->w < 1 || b->w > MAX_IMAGE_DIM || h == 0 || h > MAX_IMAGE_DIM || h < -MAX_IMAGE_DIM)
        return mp_errorf(err, MP_E_UNSUPPORTED, "%s: image size %dx%lld is not supported", label,
                         b->w, (long long)h);
    b->top_down = h < 0;
    b->h = (int32_t)(h < 0 ? -h : h);
    b->row_bytes = ((size_t)b->bpp * (size_t)b->w + 31) / 32 * 4;
    b->palette = NULL;
    b->n_palette = 0;
    if (b->bpp == 8) {
        b->n_palette = colors ? colors : 256;
        size_t pal = 14 + (size_t)dib;
        if (b->n_palette > 256 || pal + 4 * (size_t)b->n_palette > size)
            return mp_errorf(err, MP_E_PARSE, "%s: bad BMP palette", label);
        b->palette = d + pal;
    }
    size_t need;
    if (!mp_mul_size(b->row_bytes, (size_t)b->h, &need) || b->pixel_offset > size ||
        need > size - b->pixel_offset)
        return mp_errorf(err, MP_E_PARSE, "%s: BMP pixel data is truncated", label);
    return MP_OK;
}

static bool palette_gray(const bmp_info *b)
{
    for (uint32_t i = 0; i < b->n_palette; i++) {
        const uint8_t *e = b->palette + 4 * i;
        if (e[0] != e[1] || e[1] != e[2])
            return false;
    }
    return true;
}

/* One BMP row into dst (c channels per pixel, RGB order). */
static void bmp_row(const bmp_info *b, const uint8_t *src, int32_t c, uint8_t *dst)
{
    for (int32_t x = 0; x < b->w; x++) {
        uint8_t *px = dst + (size_t)x * c;
        if (b->bpp == 8) {
            uint8_t idx = src[x];
            static const uint8_t black[4] = {0, 0, 0, 0};
            const uint8_t *e = idx < b->n_palette ? b->palette + 4 * idx : black;
            if (c == 1) {
                px[0] = e[2];
            } else {
                px[0] = e[2], px[1] = e[1], px[2] = e[0];
            }
        } else {
            const uint8_t *s = src + (size_t)x * (b->bpp / 8);
            px[0] = s[2], px[1] = s[1], px[2] = s[0];
        }
    }
}

static mp_status decode_bmp(const uint8_t *d, size_t size, const char *label, mp_image *img,
                            mp_error *err)
{
    bmp_info b = {0};
    MP_TRY(bmp_header(d, size, label, &b, err));
    int32_t c = b.bpp == 8 && palette_gray(&b) ? 1 : 3;
    MP_TRY(alloc_pixels(img, b.w, b.h, c, label, err));
    for (int32_t y = 0; y < b.h; y++) {
        int32_t file_row = b.top_down ? y : b.h - 1 - y;
        bmp_row(&b, d + b.pixel_offset + (size_t)file_row * b.row_bytes, c,
                img->pixels + (size_t)y * b.w * c);
    }
    return MP_OK;
}

/* ---- entry points ---------------------------------------------------------------------- */

static bool is_image(const uint8_t *d, size_t size)
{
    return size >= 2 && ((d[0] == 'P' && (d[1] == '5' || d[1] == '6')) ||
                         (d[0] == 'B' && d[1] == 'M'));
}

mp_status mp_image_decode(const uint8_t *data, size_t size, const char *label, mp_image *img,
                          mp_error *err)
{
    memset(img, 0, sizeof *img);
    if (!is_image(data, size))
        return mp_errorf(err, MP_E_PARSE, "%s: not a PGM (P5), PPM (P6) or BMP image", label);
    if (data[0] == 'P')
        return decode_pnm(data, size, label, img, err);
    return decode_bmp(data, size, label, img, err);
}

mp_status mp_image_read(const char *path, mp_image *img, mp_error *err)
{
    char *data;
    size_t size;
    memset(img, 0, sizeof *img);
    MP_TRY(mp_file_read(path, (size_t)256 << 20, &data, &size, err));
    mp_status st = mp_image_decode((const uint8_t *)data, size, path, img, err);
    mp_file_free(data);
    return st;
}

static const char *const pixel_names[] = {"raw", "minus128", "quant"};
_Static_assert(sizeof pixel_names / sizeof pixel_names[0] == MP_PIXELS_COUNT,
               "every pixel mapping needs a name");

bool mp_pixel_map_parse(const char *name, mp_pixel_map *out)
{
    for (int i = 0; i < MP_PIXELS_COUNT; i++) {
        if (strcmp(name, pixel_names[i]) == 0) {
            *out = (mp_pixel_map)i;
            return true;
        }
    }
    return false;
}

const char *mp_pixel_map_name(mp_pixel_map map)
{
    return (unsigned)map < MP_PIXELS_COUNT ? pixel_names[map] : "?";
}

static int8_t map_pixel(uint8_t p, mp_pixel_map map, float scale, int32_t zp)
{
    switch (map) {
    case MP_PIXELS_RAW:
        return (int8_t)(p > 127 ? (int32_t)p - 256 : (int32_t)p);
    case MP_PIXELS_MINUS128:
        return (int8_t)((int32_t)p - 128);
    default: {
        double q = (double)zp + nearbyint((double)p / 255.0 / (double)scale);
        return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
    }
    }
}

/*
 * Pixel p into element i of an input of q's type: int8 by the map; uint8 the same
 * value shifted by 128 (raw keeps the byte, quant uses the input's own scale and zero
 * point); float32 the real value the map stands for (quant p / 255, minus128 p - 128,
 * raw p), which the QUANTIZE reading the input then quantizes.
 */
static void pixel_to_input(uint8_t p, mp_pixel_map map, const exec_tensor *q, int8_t *dst,
                           size_t i)
{
    if (q->dtype == MP_DTYPE_FLOAT32) {
        float f = map == MP_PIXELS_QUANT      ? (float)p / 255.0f
                  : map == MP_PIXELS_MINUS128 ? (float)p - 128.0f
                                              : (float)p;
        memcpy(dst + i * sizeof f, &f, sizeof f);
    } else if (q->dtype == MP_DTYPE_UINT8) {
        double v = map == MP_PIXELS_QUANT ? (double)q->zp + nearbyint((double)p / 255.0 /
                                                                       (double)q->scale)
                                          : (double)p;
        ((uint8_t *)dst)[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    } else {
        dst[i] = map_pixel(p, map, q->scale, q->zp);
    }
}

static mp_status image_to_input(const mp_exec_model *m, uint32_t k, const mp_image *img,
                                const char *path, mp_pixel_map map, int8_t *dst, mp_error *err)
{
    const mp_tensor *t = &m->g->tensors[m->g->inputs[k]];
    if (img->h != t->shape.h || img->w != t->shape.w || img->c != t->shape.c)
        return mp_errorf(err, MP_E_INVALID, "%s: the image is %dx%dx%d, input '%s' is %dx%dx%d",
                         path, img->h, img->w, img->c, t->name, t->shape.h, t->shape.w,
                         t->shape.c);
    const exec_tensor *q = &m->t[m->g->inputs[k]];
    size_t n = (size_t)img->w * (size_t)img->h * (size_t)img->c;
    for (size_t i = 0; i < n; i++)
        pixel_to_input(img->pixels[i], map, q, dst, i);
    return MP_OK;
}

mp_status mp_exec_load_input(const mp_exec_model *m, uint32_t k, const char *path,
                             mp_pixel_map map, int8_t *dst, size_t dst_bytes, mp_error *err)
{
    if (k >= m->g->n_inputs)
        return mp_errorf(err, MP_E_INVALID, "the network has no input %u", k);
    const mp_tensor *t = &m->g->tensors[m->g->inputs[k]];
    if (dst_bytes != t->size_bytes)
        return mp_errorf(err, MP_E_INVALID, "input buffer of %zu bytes for '%s' (%zu bytes)",
                         dst_bytes, t->name, t->size_bytes);
    char *data;
    size_t size;
    MP_TRY(mp_file_read(path, (size_t)256 << 20, &data, &size, err));
    mp_status st = MP_OK;
    mp_image img;
    mp_error derr;
    mp_error_init(&derr);
    if (is_image((const uint8_t *)data, size) &&
        (mp_image_decode((const uint8_t *)data, size, path, &img, &derr) == MP_OK ||
         size != t->size_bytes)) {
        /* a file that only looks like an image but has the raw size is raw */
        st = derr.status == MP_OK ? image_to_input(m, k, &img, path, map, dst, err)
                                  : mp_errorf(err, derr.status, "%s", derr.msg);
        mp_image_release(&img);
    } else if (size != t->size_bytes) {
        char shape[64];
        st = mp_errorf(err, MP_E_INVALID, "%s: %zu bytes, but input %u '%s' (%s %s%s) needs "
                       "%zu (or give a PGM/PPM/BMP image)", path, size, k, t->name,
                       mp_shape_format(t, shape, sizeof shape), mp_dtype_name(t->dtype),
                       t->dtype == MP_DTYPE_FLOAT32 ? " little-endian" : "", t->size_bytes);
    } else {
        memcpy(dst, data, size);
    }
    mp_file_free(data);
    return st;
}
