/* SPDX-License-Identifier: MIT */
/*
 * export_tflite_cmd.c - `memplan export NET --format tflite -o OUT.tflite`
 * (module cli): the .tflite with memplan's per-layer arena plan as TFLite
 * Micro's OfflineMemoryAllocation metadata (src/schedule/export_tflite.c).
 */
#include "export_tflite_cmd.h"

int cli_export_tflite(mp_cli *cli, const char *net, const char *schedule, const char *out)
{
    mp_error err;
    mp_error_init(&err);
    mp_graph *g = NULL;
    mp_schedule *s = NULL;
    /* the network as TFLite Micro runs it: PADs are ops of their own there */
    mp_status st = mp_import_file_unfolded(net, &g, &err);
    if (st == MP_OK && g->source_kind != MP_SOURCE_TFLITE)
        st = mp_errorf(&err, MP_E_INVALID, "%s: --format tflite needs a .tflite network", net);
    if (st == MP_OK && schedule) {
        st = mp_schedule_load(g, schedule, &s, &err);
    } else if (st == MP_OK) {
        mp_schedule_spec spec; /* memplan's per-layer plan, 16-byte aligned like TFLM */
        mp_schedule_spec_init(&spec);
        spec.opts.align = MP_TFLM_ALIGN;
        spec.opts.count_float_input = true; /* TFLM holds every input in its arena */
        st = mp_schedule_build(g, &spec, &s, &err);
    }
    if (st == MP_OK)
        st = mp_tflm_export_file(net, s, out, &err);
    int rc = st == MP_OK ? EXIT_OK : cli_fail(cli, &err);
    if (st == MP_OK)
        fprintf(cli->out, "wrote %s (arena plan %zu B as %s metadata)\n", out, s->arena_bytes,
                MP_TFLM_OFFLINE_NAME);
    mp_schedule_free(s);
    mp_graph_free(g);
    return rc;
}
