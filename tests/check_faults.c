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

#include "conformance/faulty.h"
#include "faultcalls.h"
#include "storedump.h"
#include "testutil.h"

typedef struct world {
    lty_memstore *ms;
    lty_faulty *faulty;
    lty_storage_ops ops;   /* the wrapper's */
    void *ud;
    lty_storage_ops inner; /* the memory store's, for dumps */
    void *inner_ud;
    lty_engine *e;
    int64_t now;
} world;

static int64_t world_clock(void *ud)
{
    return ((world *)ud)->now;
}

/* A memory store seeded by lty_test_fault_seed(), and an engine over the
 * fault-injecting wrapper. */
static void world_open(world *w)
{
    memset(w, 0, sizeof *w);
    w->now = LTY_TEST_NOW;
    ck_assert_int_eq(lty_memstore_new(&w->ms, NULL), LTY_OK);
    ck_assert_int_eq(lty_memstore_connect(w->ms, &w->inner, &w->inner_ud), LTY_OK);
    /* a second connection for dumps, outside the engine */
    lty_storage_ops wrapped;
    void *wrapped_ud;
    ck_assert_int_eq(lty_memstore_connect(w->ms, &wrapped, &wrapped_ud), LTY_OK);
    ck_assert_int_eq(lty_faulty_new(&w->faulty, &wrapped, wrapped_ud), LTY_OK);
    lty_faulty_ops(w->faulty, &w->ops, &w->ud);
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.storage = &w->ops;
    o.storage_userdata = w->ud;
    o.clock = world_clock;
    o.clock_userdata = w;
    o.utc_offset_minutes = 540;
    ck_assert_int_eq(lty_engine_new(&w->e, &o), LTY_OK);

    lty_test_fault_seed(w->e);
    lty_faulty_reset(w->faulty);
}

static void world_close(world *w)
{
    lty_engine_free(w->e);
    w->inner.destroy(w->inner_ud);
    lty_memstore_free(w->ms);
}

/* The store's contents without revisions: a failed attempt may advance the
 * store's revision counter, which is allowed, so only keys and values are
 * compared between a faulted-then-retried run and a clean run. */
static char *contents(world *w)
{
    char *d = lty_test_dump(&w->inner, w->inner_ud);
    char *out = malloc(strlen(d) + 1), *o = out;
    for (char *line = strtok(d, "\n"); line; line = strtok(NULL, "\n")) {
        char *last = strrchr(line, ' ');
        size_t n = last ? (size_t)(last - line) : strlen(line);
        memcpy(o, line, n);
        o += n;
        *o++ = '\n';
    }
    *o = '\0';
    free(d);
    return out;
}

START_TEST(every_storage_failure_leaves_the_store_unchanged)
{
    const lty_test_fault_call *c = &lty_test_fault_calls[_i];
    world w;
    world_open(&w);
    /* the clean run: how many storage calls, and the resulting store */
    ck_assert_int_eq(c->call(w.e), LTY_OK);
    long n = lty_faulty_calls(w.faulty);
    char *expected = contents(&w);
    world_close(&w);
    ck_assert_int_gt(n, 2);

    for (long k = 1; k <= n; k++) {
        world_open(&w);
        char *before = lty_test_dump(&w.inner, w.inner_ud);
        lty_faulty_fail_at(w.faulty, k, LTY_ESTORAGE);
        int rc = c->call(w.e);
        ck_assert_msg(lty_faulty_fired(w.faulty), "%s: call %ld not reached",
                      c->name, k);
        ck_assert_msg(rc == LTY_ESTORAGE, "%s: fault at call %ld gave %s",
                      c->name, k, lty_strerror(rc));
        ck_assert_msg(strstr(lty_engine_last_error(w.e), "storage") != NULL,
                      "%s: error not reported: '%s'", c->name,
                      lty_engine_last_error(w.e));
        char *after = lty_test_dump(&w.inner, w.inner_ud);
        ck_assert_msg(strcmp(before, after) == 0,
                      "%s: fault at call %ld changed the store", c->name, k);
        /* the retry applies the call exactly once */
        lty_faulty_reset(w.faulty);
        ck_assert_int_eq(c->call(w.e), LTY_OK);
        char *retried = contents(&w);
        ck_assert_msg(strcmp(retried, expected) == 0,
                      "%s: retry after fault at call %ld differs from a clean run",
                      c->name, k);
        free(before);
        free(after);
        free(retried);
        world_close(&w);
    }
    free(expected);
}
END_TEST

START_TEST(every_conflict_is_retried_transparently)
{
    const lty_test_fault_call *c = &lty_test_fault_calls[_i];
    world w;
    world_open(&w);
    ck_assert_int_eq(c->call(w.e), LTY_OK);
    long n = lty_faulty_calls(w.faulty);
    char *expected = contents(&w);
    world_close(&w);

    for (long k = 1; k <= n; k++) {
        world_open(&w);
        lty_faulty_fail_at(w.faulty, k, LTY_ECONFLICT);
        ck_assert_msg(c->call(w.e) == LTY_OK, "%s: conflict at %ld",
                      c->name, k);
        char *got = contents(&w);
        ck_assert_msg(strcmp(got, expected) == 0,
                      "%s: conflict at call %ld applied the call differently",
                      c->name, k);
        free(got);
        world_close(&w);
    }
    free(expected);
}
END_TEST

START_TEST(failed_reads_report_and_change_nothing)
{
    world w;
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
    world_close(&w);
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
