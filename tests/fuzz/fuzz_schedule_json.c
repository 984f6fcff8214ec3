/* SPDX-License-Identifier: MIT */
/*
 * fuzz_schedule_json.c - libFuzzer harness: arbitrary bytes as a schedule
 * JSON for a fixed small network (a residual block with a patch stage and a
 * mean). Never crash, hang or leak; a schedule that reads back must describe
 * a layout the checker accepts or reports.
 */
#include "memplan/memplan.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char net[] =
    "{\"format\":\"memplan-net\",\"version\":1,\"name\":\"fz\",\"input\":{\"name\":\"in\","
    "\"shape\":[12,10,3]},\"layers\":["
    "{\"name\":\"c1\",\"op\":\"conv2d\",\"filters\":4,\"kernel\":3,\"stride\":2},"
    "{\"name\":\"dw\",\"op\":\"depthwise_conv2d\",\"kernel\":3},"
    "{\"name\":\"pw\",\"op\":\"conv2d\",\"filters\":4,\"kernel\":1},"
    "{\"name\":\"add\",\"op\":\"add\",\"inputs\":[\"c1\",\"pw\"]},"
    "{\"name\":\"m\",\"op\":\"mean\"},"
    "{\"name\":\"fc\",\"op\":\"fully_connected\",\"units\":3}]}";

/* The network is imported once (fuzz code may keep state; the library does not). */
static mp_graph *g;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    mp_error err;
    mp_error_init(&err);
    if (mp_import_json_text(net, sizeof net - 1, "net.json", "", &g, &err) != MP_OK)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mp_error err;
    mp_error_init(&err);
    mp_schedule *s = NULL;
    if (mp_schedule_read_json(g, (const char *)data, size, "fuzz.json", &s, &err) == MP_OK) {
        mp_error_init(&err);
        mp_status st = mp_schedule_check_layout(s, &err);
        if (st != MP_OK && st != MP_E_MISMATCH)
            abort();
        mp_schedule_free(s);
    } else if (s || !err.msg[0]) {
        abort();
    }
    return 0;
}
