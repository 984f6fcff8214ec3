/* SPDX-License-Identifier: MIT */
/*
 * pool.h - host-side bump allocator. Module: util.
 *
 * A pool hands out memory from large chunks and frees everything at once.
 * A graph owns one pool for all its names, arrays and copied constants, so
 * mp_graph_free() is a single walk over the chunk list. (The word "arena" is
 * reserved for the planned MCU tensor arena.)
 */
#ifndef MEMPLAN_UTIL_POOL_H
#define MEMPLAN_UTIL_POOL_H

#include <stddef.h>

typedef struct mp_pool_chunk mp_pool_chunk;

typedef struct mp_pool {
    mp_pool_chunk *head; /* newest chunk first */
    size_t used_bytes;   /* total handed out, for statistics */
} mp_pool;

void mp_pool_init(mp_pool *pool);
/* Free every chunk; the pool can be reused afterwards. */
void mp_pool_release(mp_pool *pool);
/* n bytes aligned to 16, zero-filled; NULL when out of memory. */
void *mp_pool_alloc(mp_pool *pool, size_t n);
/* count * size bytes with an overflow check; NULL on overflow or out of memory. */
void *mp_pool_array(mp_pool *pool, size_t count, size_t size);
/* A copy of s (NUL-terminated), or of its first n bytes for mp_pool_strndup. */
char *mp_pool_strdup(mp_pool *pool, const char *s);
char *mp_pool_strndup(mp_pool *pool, const char *s, size_t n);
void *mp_pool_memdup(mp_pool *pool, const void *p, size_t n);

#endif
