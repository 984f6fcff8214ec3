/* SPDX-License-Identifier: MIT */
/*
 * alloc.h - host allocation entry points. Module: util.
 *
 * All host allocations of the library go through these functions. The normal
 * build links src/util/alloc.c (plain libc); the unit tests link a variant
 * that can fail the Nth call and tracks leaks, so every allocation failure
 * path is exercised. Allocation failure is an ordinary MP_E_NOMEM.
 */
#ifndef MEMPLAN_UTIL_ALLOC_H
#define MEMPLAN_UTIL_ALLOC_H

#include <stddef.h>

void *mp_malloc(size_t n);
void *mp_calloc(size_t count, size_t size);
void *mp_realloc(void *p, size_t n);
void mp_free(void *p);

/* calloc of count elements of size bytes with an overflow check (NULL on overflow). */
#define MP_NEW_ARRAY(type, count) ((type *)mp_calloc((count), sizeof(type)))

#endif
