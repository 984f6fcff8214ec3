/* SPDX-License-Identifier: MIT */
/*
 * pool.c - bump allocator over a list of chunks. Module: util.
 *
 * Small requests are carved from the current chunk; a request larger than
 * half a chunk gets a chunk of its own so big constant buffers do not waste
 * the tail of a shared chunk.
 */
#include "pool.h"

#include "alloc.h"
#include "checked.h"

#include <stdint.h>
#include <string.h>

#define POOL_CHUNK_BYTES ((size_t)64 * 1024)
#define POOL_ALIGN ((size_t)16)

struct mp_pool_chunk {
    mp_pool_chunk *next;
    size_t cap;  /* usable bytes after the header */
    size_t used; /* bytes handed out from this chunk */
    _Alignas(16) unsigned char data[];
};

void mp_pool_init(mp_pool *pool)
{
    pool->head = NULL;
    pool->used_bytes = 0;
}

void mp_pool_release(mp_pool *pool)
{
    mp_pool_chunk *c = pool->head;
    while (c) {
        mp_pool_chunk *next = c->next;
        mp_free(c);
        c = next;
    }
    mp_pool_init(pool);
}

static mp_pool_chunk *chunk_new(size_t cap)
{
    size_t total;
    if (!mp_add_size(sizeof(mp_pool_chunk), cap, &total))
        return NULL;
    mp_pool_chunk *c = mp_malloc(total);
    if (!c)
        return NULL;
    c->next = NULL;
    c->cap = cap;
    c->used = 0;
    return c;
}

void *mp_pool_alloc(mp_pool *pool, size_t n)
{
    size_t need;
    if (!mp_align_up(n ? n : 1, POOL_ALIGN, &need))
        return NULL;
    mp_pool_chunk *c = pool->head;
    if (!c || c->cap - c->used < need) {
        if (need > POOL_CHUNK_BYTES / 2) {
            /* Dedicated chunk, linked behind the current one so the current
             * chunk's free tail stays available. */
            mp_pool_chunk *big = chunk_new(need);
            if (!big)
                return NULL;
            if (c) {
                big->next = c->next;
                c->next = big;
            } else {
                pool->head = big;
            }
            big->used = need;
            memset(big->data, 0, need);
            pool->used_bytes += need;
            return big->data;
        }
        c = chunk_new(POOL_CHUNK_BYTES);
        if (!c)
            return NULL;
        c->next = pool->head;
        pool->head = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    memset(p, 0, need);
    pool->used_bytes += need;
    return p;
}

void *mp_pool_array(mp_pool *pool, size_t count, size_t size)
{
    size_t n;
    if (!mp_mul_size(count, size, &n))
        return NULL;
    return mp_pool_alloc(pool, n);
}

char *mp_pool_strndup(mp_pool *pool, const char *s, size_t n)
{
    size_t len = 0;
    while (len < n && s[len])
        len++;
    char *d = mp_pool_alloc(pool, len + 1);
    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *mp_pool_strdup(mp_pool *pool, const char *s)
{
    return mp_pool_strndup(pool, s, SIZE_MAX);
}

void *mp_pool_memdup(mp_pool *pool, const void *p, size_t n)
{
    void *d = mp_pool_alloc(pool, n);
    if (d && n)
        memcpy(d, p, n);
    return d;
}
