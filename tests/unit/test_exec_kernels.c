/* SPDX-License-Identifier: MIT */
#include "test_helpers.h"
static void test_stub(void **state) { (void)state; }
int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_stub)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
