/* SPDX-License-Identifier: MIT */
/*
 * test_helpers.h - shared helpers of the cmocka unit tests: include order
 * for cmocka, building small graphs from net.json text, and invariant checks.
 */
#ifndef MEMPLAN_TEST_HELPERS_H
#define MEMPLAN_TEST_HELPERS_H

#include "memplan/memplan.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fault_alloc.h"

/* Import net.json text; fails the test (printing the error) when it does not import. */
static inline mp_graph *test_graph_from_json(const char *json)
{
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_import_json_text(json, strlen(json), "test.json", "", &g, &err) != MP_OK) {
        print_error("import failed: %s\n", err.msg);
        fail();
    }
    return g;
}

/* Import text expected to fail; returns the status and copies the message. */
static inline mp_status test_json_error(const char *json, char *msg, size_t n)
{
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    mp_status st = mp_import_json_text(json, strlen(json), "test.json", "", &g, &err);
    assert_null(g);
    snprintf(msg, n, "%s", err.msg);
    return st;
}

#define NET_HEAD(shape)                                                                            \
    "{\"format\":\"memplan-net\",\"version\":1,\"name\":\"t\",\"input\":{\"name\":\"in\","     \
    "\"shape\":" shape "},\"layers\":["
#define NET_TAIL "]}"

#endif
