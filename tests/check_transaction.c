/*
 * check_transaction - lty_transaction(): several calls kept all or none;
 * a failed call inside rolls the whole group back even when the body
 * ignores it; the body's own code; no nesting, no dispatch inside; reads
 * see the group's writes; storage failures and conflicts at every storage
 * call of a group (the body is run again on a conflict).
 *
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loyalty.h"

#include "faultworld.h"
#include "storedump.h"
#include "testutil.h"

static lty_test_env t;

static void setup(void)
{
    lty_test_env_open(&t);
}

static void teardown(void)
{
    lty_test_env_close(&t);
}

static int add(lty_engine *e, const char *id, const char *phone)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = id;
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE;
    f.name = "Kim";
    f.phone = phone;
    return lty_customer_create(e, &f);
}

static int exists(lty_engine *e, const char *id)
{
    lty_customer *c = NULL;
    int rc = lty_customer_get(e, id, &c);
    lty_customer_free(c);
    ck_assert(rc == LTY_OK || rc == LTY_ENOTFOUND);
    return rc == LTY_OK;
}

/* Three customers and a purchase. */
static int batch_ok(lty_engine *e, void *ud)
{
    int *runs = ud, rc;
    if (runs)
        (*runs)++;
    if ((rc = add(e, "a1", "010-1111-0001")) ||
        (rc = add(e, "a2", "010-1111-0002")) ||
        (rc = add(e, "a3", "010-1111-0003")))
        return rc;
    /* reads inside see the group's own writes */
    lty_customer *c = NULL;
    if ((rc = lty_customer_get(e, "a2", &c)))
        return rc == LTY_ENOTFOUND ? LTY_EUSER : rc;
    lty_customer_free(c);
    lty_event ev = LTY_EVENT_INIT;
    ev.id = "p1";
    ev.customer_id = "a1";
    ev.type = LTY_EVENT_PURCHASE;
    ev.time = LTY_TEST_NOW - 3600;
    ev.amount = 12000;
    return lty_record(e, &ev, NULL);
}

START_TEST(every_call_of_a_group_is_kept)
{
    int runs = 0;
    ck_assert_int_eq(lty_transaction(t.e, batch_ok, &runs), LTY_OK);
    ck_assert_int_eq(runs, 1);
    ck_assert(exists(t.e, "a1") && exists(t.e, "a2") && exists(t.e, "a3"));
    lty_customer *c = NULL;
    lty_customer_stats s = LTY_CUSTOMER_STATS_INIT;
    ck_assert_int_eq(lty_customer_get(t.e, "a1", &c), LTY_OK);
    ck_assert_int_eq(lty_customer_stats_get(c, &s), LTY_OK);
    ck_assert_int_eq(s.net_spend, 12000);
    lty_customer_free(c);
    size_t mismatches = 9;
    ck_assert_int_eq(lty_verify(t.e, &mismatches, NULL, NULL), LTY_OK);
    ck_assert_uint_eq(mismatches, 0);
}
END_TEST

/* The third customer's phone is the first one's: that call fails, and the
 * body carries on as if nothing happened. */
static int batch_ignoring_a_failure(lty_engine *e, void *ud)
{
    int *seen = ud;
    (void)add(e, "b1", "010-2222-0001");
    (void)add(e, "b2", "010-2222-0002");
    *seen = add(e, "b3", "010-2222-0001");
    return LTY_OK;
}

START_TEST(a_failed_call_rolls_the_whole_group_back)
{
    char *before = lty_test_dump(&t.ops, t.ud);
    ck_assert_ptr_nonnull(before);
    int seen = 0;
    ck_assert_int_eq(lty_transaction(t.e, batch_ignoring_a_failure, &seen),
                     LTY_EEXISTS);
    ck_assert_int_eq(seen, LTY_EEXISTS);
    ck_assert_ptr_nonnull(strstr(lty_engine_last_error(t.e), "phone"));
    ck_assert(!exists(t.e, "b1") && !exists(t.e, "b2") && !exists(t.e, "b3"));
    char *after = lty_test_dump(&t.ops, t.ud);
    ck_assert_ptr_nonnull(after);
    ck_assert_str_eq(after, before); /* not even a revision moved */
    free(before);
    free(after);
}
END_TEST

static int batch_refused_by_host(lty_engine *e, void *ud)
{
    (void)ud;
    if (add(e, "c1", NULL))
        return LTY_ESTORAGE;
    return 42; /* the host's own reason */
}

START_TEST(the_body_decides_and_its_code_is_returned)
{
    ck_assert_int_eq(lty_transaction(t.e, batch_refused_by_host, NULL), 42);
    ck_assert_ptr_nonnull(strstr(lty_engine_last_error(t.e), "42"));
    ck_assert(!exists(t.e, "c1"));
    /* the engine is usable afterwards, outside any group */
    ck_assert_int_eq(add(t.e, "c1", NULL), LTY_OK);
    ck_assert(exists(t.e, "c1"));
}
END_TEST

static int send_ok(const lty_message *m, void *ud)
{
    (void)m, (void)ud;
    return LTY_OK;
}

static int nested(lty_engine *e, void *ud)
{
    int *codes = ud;
    (void)add(e, "d1", NULL);
    codes[0] = lty_transaction(e, batch_ok, NULL);
    codes[1] = lty_outbox_dispatch(e, LTY_TEST_NOW, 10, NULL);
    return LTY_OK; /* ignores both refusals */
}

START_TEST(no_nesting_and_no_dispatch_inside)
{
    lty_messenger_ops ops = LTY_MESSENGER_OPS_INIT;
    ops.send = send_ok;
    ck_assert_int_eq(lty_messenger_register(t.e, &ops, NULL), LTY_OK);
    int codes[2] = {0, 0};
    ck_assert_int_eq(lty_transaction(t.e, nested, codes), LTY_ESTATE);
    ck_assert_int_eq(codes[0], LTY_ESTATE);
    ck_assert_int_eq(codes[1], LTY_ESTATE);
    ck_assert(!exists(t.e, "d1") && !exists(t.e, "a1"));
    ck_assert_int_eq(lty_transaction(t.e, NULL, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_transaction(NULL, batch_ok, NULL), LTY_EINVALID);
}
END_TEST

/* Under the fault-injecting store: a storage failure anywhere leaves the
 * store as it was; a conflict anywhere runs the body again and the result
 * is the clean run's. */
static int f_group(lty_engine *e)
{
    return lty_transaction(e, batch_ok, NULL);
}

static void sweep(unsigned flags)
{
    lty_test_fault_spec spec = {.name = "transaction", .call = f_group,
                                .flags = flags, .min_calls = 5,
                                .now = LTY_TEST_NOW};
    lty_test_fault_sweep(&spec);
}

START_TEST(every_storage_failure_leaves_the_store_unchanged)
{
    sweep(LTY_TEST_FAULT_STORAGE);
}
END_TEST

START_TEST(every_injected_conflict_is_retried_transparently)
{
    sweep(LTY_TEST_FAULT_CONFLICT);
}
END_TEST

static Suite *transaction_suite(void)
{
    Suite *s = suite_create("transaction");
    TCase *tc = tcase_create("groups");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_call_of_a_group_is_kept);
    tcase_add_test(tc, a_failed_call_rolls_the_whole_group_back);
    tcase_add_test(tc, the_body_decides_and_its_code_is_returned);
    tcase_add_test(tc, no_nesting_and_no_dispatch_inside);
    suite_add_tcase(s, tc);
    tc = tcase_create("faults");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_storage_failure_leaves_the_store_unchanged);
    tcase_add_test(tc, every_injected_conflict_is_retried_transparently);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(transaction_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
