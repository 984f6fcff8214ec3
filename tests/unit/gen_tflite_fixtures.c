/* SPDX-License-Identifier: MIT */
/*
 * gen_tflite_fixtures.c - write the TFLite fixtures of the CLI tests:
 *
 *   build/tests/gen_tflite_fixtures tests/data
 *
 * writes tests/data/tflite/{tiny_net,ops_net,unknown_ops,real_ops}.tflite and the
 * malformed models tests/data/bad/tflite_*.tflite (their expected messages
 * are generated with `tests/cli/run_bad.sh build/memplan . --update`).
 * test_tflite checks that the committed files equal what this writes.
 */
#include "tflite_bad.h"

#include <stdio.h>
#include <stdlib.h>

static tw_model model;
static tm_store store;

static int write_file(const char *dir, const char *name, const unsigned char *data, size_t size)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s.tflite", dir, name);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, size, f) == size;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "gen_tflite_fixtures: cannot write %s\n", path);
    return ok ? 0 : 1;
}

static int write_model(const char *dir, const char *name, void (*build)(tw_model *, tm_store *))
{
    size_t size;
    tm_store_init(&store);
    build(&model, &store);
    unsigned char *data = tw_write(&model, &size, NULL);
    int rc = data ? write_file(dir, name, data, size) : 1;
    free(data);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_tflite_fixtures DATA_DIR (tests/data)\n");
        return 2;
    }
    char dir[4096];
    int rc = 0;
    snprintf(dir, sizeof dir, "%s/tflite", argv[1]);
    rc |= write_model(dir, "tiny_net", tm_tiny_net);
    rc |= write_model(dir, "ops_net", tm_ops_net);
    rc |= write_model(dir, "unknown_ops", tm_unknown_net);
    rc |= write_model(dir, "real_ops", tm_real_ops_net);
    size_t n;
    const tm_bad *cases = tm_bad_cases(&n);
    snprintf(dir, sizeof dir, "%s/bad", argv[1]);
    for (size_t i = 0; i < n; i++) {
        size_t size;
        unsigned char *data = tm_bad_build(&cases[i], &store, &size);
        rc |= data ? write_file(dir, cases[i].name, data, size) : 1;
        free(data);
    }
    return rc;
}
