/* SPDX-License-Identifier: MIT */
/* gv_png.h - the fast PNG device for Graphviz (module render, private; see gv_png.c). */
#ifndef MEMPLAN_RENDER_GV_PNG_H
#define MEMPLAN_RENDER_GV_PNG_H

#include <gvc.h>

/* The device's format name for gvRenderData. */
#define RENDER_PNG_DEVICE "memplan_png"

/* Register the device with a context (it draws with Graphviz's cairo renderer). */
void render_gv_add_png_device(GVC_t *gvc);

#endif
