/* SPDX-License-Identifier: MIT */
/* out_values.h - network output values as run and validate print them (module cli). */
#ifndef MEMPLAN_CLI_OUT_VALUES_H
#define MEMPLAN_CLI_OUT_VALUES_H

#include "memplan/mp_graph.h"

#include <stddef.h>
#include <stdint.h>

/* Element i of an output of type dt stored at d: the stored value (int8/uint8 code, or
 * the float32 value, read little-endian as TFLite holds it). */
double cli_stored_value(mp_dtype dt, const int8_t *d, size_t i);
/* Indices of the top n values of d (count elements), largest first (ties: lower index
 * first); idx holds n entries. */
void cli_top_indices(mp_dtype dt, const int8_t *d, size_t count, size_t n, size_t *idx);

#endif
