/*
 * libloyalty tests - fault injection over every mutating API call.
 *
 * For each call: count the storage calls it makes, then for every k fail
 * the k-th one and check that the call reports the error, that the store is
 * exactly what it was before, and that running the call again applies it
 * exactly once (the store then equals a run without faults).  A conflict
 * injected at k must instead be retried by the engine transparently.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <loyalty.h>

#include "faultcalls.h"
#include "faultworld.h"
#include "testutil.h"

static void seed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    lty_test_fault_seed(w->e);
}

/* A memory store seeded by lty_test_fault_seed(), and an engine over the
 * fault-injecting wrapper. */
static void world_open(lty_test_fault_world *w)
{
    lty_test_fault_world_open(w, LTY_TEST_NOW, seed, NULL);
}

static void sweep(int i, unsigned flags)
{
    const lty_test_fault_call *c = &lty_test_fault_calls[i];
    lty_test_fault_spec spec = {
        .name = c->name, .call = c->call, .flags = flags, .min_calls = 2,
        .now = LTY_TEST_NOW, .seed = seed,
        .on_fault = lty_test_fault_error_names_storage};
    lty_test_fault_sweep(&spec);
}

START_TEST(every_storage_failure_leaves_the_store_unchanged)
{
    sweep(_i, LTY_TEST_FAULT_STORAGE);
}
END_TEST

START_TEST(every_conflict_is_retried_transparently)
{
    sweep(_i, LTY_TEST_FAULT_CONFLICT);
}
END_TEST

START_TEST(failed_reads_report_and_change_nothing)
{
    lty_test_fault_world w;
    world_open(&w);
    lty_customer *c = NULL;
    lty_faulty_fail_at(w.faulty, 1, LTY_ESTORAGE);
    ck_assert_int_eq(lty_customer_get(w.e, "c1", &c), LTY_ESTORAGE);
    ck_assert_ptr_null(c);
    lty_history *h = NULL;
    lty_faulty_fail_at(w.faulty, 1, LTY_ESTORAGE);
    ck_assert_int_eq(lty_history_list(w.e, "c1", NULL, 10, &h), LTY_ESTORAGE);
    ck_assert_ptr_null(h);
    size_t mismatches = 99;
    lty_faulty_fail_at(w.faulty, 1, LTY_ESTORAGE);
    ck_assert_int_eq(lty_verify(w.e, &mismatches, NULL, NULL), LTY_ESTORAGE);
    lty_faulty_reset(w.faulty);
    ck_assert_int_eq(lty_verify(w.e, &mismatches, NULL, NULL), LTY_OK);
    ck_assert_uint_eq(mismatches, 0);
    lty_test_fault_world_close(&w);
}
END_TEST

static Suite *faults_suite(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("faults");
    tcase_set_timeout(tc, 120);
    int n = lty_test_fault_ncalls;
    tcase_add_loop_test(tc, every_storage_failure_leaves_the_store_unchanged, 0, n);
    tcase_add_loop_test(tc, every_conflict_is_retried_transparently, 0, n);
    tcase_add_test(tc, failed_reads_report_and_change_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(faults_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
