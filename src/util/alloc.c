/* SPDX-License-Identifier: MIT */
/* alloc.c - default host allocator (plain libc). Module: util. */
#include "alloc.h"

#include <stdlib.h>

void *mp_malloc(size_t n)
{
    return malloc(n ? n : 1);
}

void *mp_calloc(size_t count, size_t size)
{
    if (count == 0 || size == 0)
        return calloc(1, 1);
    return calloc(count, size);
}

void *mp_realloc(void *p, size_t n)
{
    return realloc(p, n ? n : 1);
}

void mp_free(void *p)
{
    free(p);
}
