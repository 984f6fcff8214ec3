/* SPDX-License-Identifier: MIT */
/*
 * fault_alloc.c - the unit tests' host allocator: every allocation goes
 * through cmocka's test_malloc (a leak fails the test) and the Nth call can
 * be made to fail, so tests can replay a scenario with the 1st, 2nd, 3rd ...
 * allocation failing and check that each run ends in success or a clean
 * MP_E_NOMEM (sqlite's fault-injection tests). The counter is the one mutable
 * global of memplan and lives only in test code. A mutex serialises the calls:
 * cmocka's allocation list is not thread-safe and sweeps allocate from threads.
 */
#include "fault_alloc.h"

#include "../../src/util/alloc.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static long fail_countdown = -1; /* -1: never fail */
static long calls;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void fault_alloc_fail_after(long n)
{
    fail_countdown = n;
    calls = 0;
}

long fault_alloc_calls(void)
{
    return calls;
}

static int should_fail(void)
{
    calls++;
    if (fail_countdown < 0)
        return 0;
    if (fail_countdown == 0)
        return 1;
    fail_countdown--;
    return 0;
}

void *mp_malloc(size_t n)
{
    pthread_mutex_lock(&lock);
    void *p = should_fail() ? NULL : _test_malloc(n ? n : 1, __FILE__, __LINE__);
    pthread_mutex_unlock(&lock);
    return p;
}

void *mp_calloc(size_t count, size_t size)
{
    pthread_mutex_lock(&lock);
    void *p = NULL;
    if (!should_fail() && !(count && size > SIZE_MAX / count))
        p = _test_calloc(count ? count : 1, size ? size : 1, __FILE__, __LINE__);
    pthread_mutex_unlock(&lock);
    return p;
}

void *mp_realloc(void *p, size_t n)
{
    pthread_mutex_lock(&lock);
    void *q = should_fail() ? NULL : _test_realloc(p, n ? n : 1, __FILE__, __LINE__);
    pthread_mutex_unlock(&lock);
    return q;
}

void mp_free(void *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&lock);
    _test_free(p, __FILE__, __LINE__);
    pthread_mutex_unlock(&lock);
}
