/*
 * libloyalty tests - the run-time version agrees with the generated header.
 *
 * SPDX-License-Identifier: MIT
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <loyalty.h>

START_TEST(runtime_matches_header)
{
    int major = -1, minor = -1, patch = -1;
    const char *s = lty_version(&major, &minor, &patch);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(major, LTY_VERSION_MAJOR);
    ck_assert_int_eq(minor, LTY_VERSION_MINOR);
    ck_assert_int_eq(patch, LTY_VERSION_PATCH);
    ck_assert_str_eq(s, LTY_VERSION_STRING);
    char built[32];
    snprintf(built, sizeof built, "%d.%d.%d", major, minor, patch);
    ck_assert_str_eq(s, built);
    ck_assert_int_eq(LTY_VERSION_NUMBER, major * 10000 + minor * 100 + patch);
    ck_assert_str_eq(lty_version(NULL, NULL, NULL), s);
#ifdef PACKAGE_VERSION
    ck_assert_str_eq(s, PACKAGE_VERSION);
#endif
}
END_TEST

int main(void)
{
    Suite *s = suite_create("version");
    TCase *tc = tcase_create("version");
    tcase_add_test(tc, runtime_matches_header);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
