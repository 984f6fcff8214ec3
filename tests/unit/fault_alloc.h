/* SPDX-License-Identifier: MIT */
/* fault_alloc.h - control of the tests' fault-injecting allocator. */
#ifndef MEMPLAN_TEST_FAULT_ALLOC_H
#define MEMPLAN_TEST_FAULT_ALLOC_H

/* After n successful allocations every further one fails; n < 0: never fail. */
void fault_alloc_fail_after(long n);
/* Allocation calls since the last fault_alloc_fail_after(). */
long fault_alloc_calls(void);

#endif
