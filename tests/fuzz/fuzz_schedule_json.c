/* SPDX-License-Identifier: MIT */
/*
 * fuzz_schedule_json.c - libFuzzer harness: arbitrary bytes as a schedule
 * JSON for a fixed small network (a residual block with a patch stage and a
 * mean). Never crash, hang or leak; a failure leaves no schedule and a
 * message naming the file. A schedule that reads describes a layout the
 * checker accepts or reports (and layout_ok agrees with the checker); written
 * back to JSON it reads again with the same offsets, arena, peak and MACs;
 * and a sound one exports to C.
 */
#include "fuzz_common.h"

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
    fuzz_check(mp_import_json_text(net, sizeof net - 1, "net.json", "", &g, &err) == MP_OK);
    return 0;
}

/* Written back, the schedule reads again as itself. */
static void roundtrip(const mp_schedule *s)
{
    mp_error err;
    mp_error_init(&err);
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    if (mp_schedule_write_json(s, &sb, &err) == MP_OK && !sb.failed) {
        mp_schedule *b = NULL;
        fuzz_check(mp_schedule_read_json(g, sb.buf, sb.len, "back.json", &b, &err) == MP_OK);
        fuzz_check(b->arena_bytes == s->arena_bytes && b->peak_bytes == s->peak_bytes &&
                   b->macs == s->macs && b->n_buffers == s->n_buffers &&
                   b->layout_ok == s->layout_ok);
        for (uint32_t i = 0; i < s->n_buffers; i++)
            fuzz_check(b->buffers[i].offset == s->buffers[i].offset);
        mp_schedule_free(b);
    }
    mp_strbuf_release(&sb);
}

static void export_c(const mp_schedule *s)
{
    mp_error err;
    mp_error_init(&err);
    mp_strbuf h, c;
    mp_strbuf_init(&h);
    mp_strbuf_init(&c);
    fuzz_check(mp_schedule_export_c(s, "fz", "fz.h", &h, &c, &err) == MP_OK ||
               err.status == MP_E_NOMEM);
    mp_strbuf_release(&h);
    mp_strbuf_release(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mp_error err;
    mp_error_init(&err);
    mp_schedule *s = NULL;
    if (mp_schedule_read_json(g, (const char *)data, size, "fuzz.json", &s, &err) == MP_OK) {
        mp_error_init(&err);
        mp_status st = mp_schedule_check_layout(s, &err);
        fuzz_check((st == MP_OK || st == MP_E_MISMATCH) && (st == MP_OK) == s->layout_ok);
        roundtrip(s);
        if (st == MP_OK)
            export_c(s);
        mp_schedule_free(s);
    } else {
        fuzz_check(!s && strncmp(err.msg, "fuzz.json", 9) == 0);
    }
    return 0;
}
