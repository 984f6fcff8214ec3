/* SPDX-License-Identifier: MIT */
/*
 * out_values.c - network output values as run and validate print them (module cli):
 * the stored value of an element in the output's own type, and the top classes.
 */
#include "out_values.h"

#include <string.h>

/* Element i of an output of type dt stored at d: the stored value (int8/uint8 code, or
 * the float32 value, read little-endian as TFLite holds it). */
double cli_stored_value(mp_dtype dt, const int8_t *d, size_t i)
{
    if (dt == MP_DTYPE_FLOAT32) {
        float f;
        memcpy(&f, d + i * sizeof f, sizeof f);
        return (double)f;
    }
    return dt == MP_DTYPE_UINT8 ? (double)((const uint8_t *)d)[i] : (double)d[i];
}

/* Indices of the top n values of d, largest first (ties: lower index first). */
void cli_top_indices(mp_dtype dt, const int8_t *d, size_t count, size_t n, size_t *idx)
{
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        double v = cli_stored_value(dt, d, i);
        if (kept == n && v <= cli_stored_value(dt, d, idx[n - 1]))
            continue;
        size_t j = kept < n ? kept++ : n - 1;
        while (j > 0 && cli_stored_value(dt, d, idx[j - 1]) < v) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i;
    }
}
