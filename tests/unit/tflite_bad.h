/* SPDX-License-Identifier: MIT */
/* tflite_bad.h - malformed TFLite models for the tests (see tflite_bad.c). */
#ifndef MEMPLAN_TEST_TFLITE_BAD_H
#define MEMPLAN_TEST_TFLITE_BAD_H

#include "tflite_models.h"

typedef struct tm_bad {
    const char *name;                 /* file name without ".tflite" */
    void (*edit)(tw_model *m);        /* change the description, or NULL */
    void (*damage)(unsigned char *data, size_t *size, const tw_layout *lay); /* or NULL */
} tm_bad;

const tm_bad *tm_bad_cases(size_t *n);
/* The serialized bad model (malloc'ed; free()). */
unsigned char *tm_bad_build(const tm_bad *c, tm_store *s, size_t *size);

#endif
