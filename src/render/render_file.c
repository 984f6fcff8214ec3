/* SPDX-License-Identifier: MIT */
/*
 * render_file.c - model + adapter in one call, and pictures written to files
 * atomically, the format taken from the file's extension (module render).
 */
#include "memplan/mp_render.h"

mp_status mp_render(mp_renderer *r, const mp_schedule *s, const mp_render_opts *opts,
                    mp_render_format fmt, mp_strbuf *out, mp_error *err)
{
    mp_render_model *m = NULL;
    MP_TRY(mp_render_model_build(s, opts, &m, err));
    mp_status st = mp_render_model_write(r, m, fmt, out, err);
    mp_render_model_free(m);
    return st;
}

mp_status mp_render_file(mp_renderer *r, const mp_schedule *s, const mp_render_opts *opts,
                         const char *path, mp_error *err)
{
    mp_render_format fmt;
    if (!mp_render_format_from_path(path, &fmt))
        return mp_errorf(err, MP_E_INVALID,
                         "%s: cannot tell the picture format from the name: use .dot, .gv, "
                         ".svg, .png or .pdf",
                         path);
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_status st = mp_render(r, s, opts, fmt, &sb, err);
    if (st == MP_OK)
        st = mp_file_write_atomic(path, sb.buf, sb.len, err);
    mp_strbuf_release(&sb);
    return st;
}
