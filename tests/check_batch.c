/*
 * libloyalty tests - lty_record_batch(): many events, one transaction, all
 * or nothing.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <loyalty.h>

#include "faulty.h"
#include "storedump.h"
#include "testutil.h"

static lty_test_env t;

static void setup(void)
{
    lty_test_env_open(&t);
    lty_test_customer(t.e, "c1", "Kim", "010-1234-5678");
    lty_test_customer(t.e, "c2", "Lee", "010-2222-3333");
}

static void teardown(void)
{
    lty_test_env_close(&t);
}

static lty_event purchase(const char *id, const char *cid, int64_t day,
                          int64_t amount)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_PURCHASE;
    ev.id = id;
    ev.customer_id = cid;
    ev.time = LTY_TEST_NOW - 86400 * day;
    ev.amount = amount;
    ev.item = "scaling";
    return ev;
}

static int64_t spend(const char *cid)
{
    lty_customer *c;
    lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
    ck_assert_int_eq(lty_customer_get(t.e, cid, &c), LTY_OK);
    ck_assert_int_eq(lty_customer_stats_get(c, &st), LTY_OK);
    lty_customer_free(c);
    return st.net_spend;
}

START_TEST(batch_applies_every_event_in_order)
{
    lty_event evs[4] = {purchase("p1", "c1", 3, 1000), purchase("p2", "c2", 2, 2000),
                        purchase("p3", "c1", 1, 3000), purchase("p1", "c1", 3, 1000)};
    lty_record_outcome outs[4] = {LTY_RECORD_OUTCOME_INIT, LTY_RECORD_OUTCOME_INIT,
                                  LTY_RECORD_OUTCOME_INIT, LTY_RECORD_OUTCOME_INIT};
    size_t failed = 99;
    ck_assert_int_eq(lty_record_batch(t.e, evs, 4, outs, &failed), LTY_OK);
    ck_assert_int_eq(outs[0].duplicate, 0);
    ck_assert_int_eq(outs[2].visits, 2);
    ck_assert_int_eq(outs[2].net_spend, 4000);
    ck_assert_int_eq(outs[3].duplicate, 1); /* the same event again, in-batch */
    ck_assert_int_eq(spend("c1"), 4000);
    ck_assert_int_eq(spend("c2"), 2000);
    /* the whole batch replayed: every event a duplicate, nothing changes */
    ck_assert_int_eq(lty_record_batch(t.e, evs, 4, outs, NULL), LTY_OK);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(outs[i].duplicate, 1);
    ck_assert_int_eq(spend("c1"), 4000);
    size_t mismatches = 1;
    ck_assert_int_eq(lty_verify(t.e, &mismatches, NULL, NULL), LTY_OK);
    ck_assert_uint_eq(mismatches, 0);
}
END_TEST

START_TEST(one_bad_event_applies_nothing)
{
    char *before = lty_test_dump(&t.ops, t.ud);
    size_t failed = 99;
    lty_event evs[3] = {purchase("p1", "c1", 3, 1000), purchase("p2", "c2", 2, 2000),
                        purchase("p3", "c1", 1, -5)};
    ck_assert_int_eq(lty_record_batch(t.e, evs, 3, NULL, &failed), LTY_EINVALID);
    ck_assert_uint_eq(failed, 2);
    lty_assert_err_mentions(t.e, "events[2]");
    lty_assert_err_mentions(t.e, "amount");

    /* a failure found only inside the transaction: unknown customer */
    evs[2] = purchase("p3", "nobody", 1, 10);
    ck_assert_int_eq(lty_record_batch(t.e, evs, 3, NULL, &failed), LTY_ENOTFOUND);
    ck_assert_uint_eq(failed, 2);

    /* an id reused with other content inside the batch */
    evs[2] = purchase("p1", "c1", 3, 999);
    ck_assert_int_eq(lty_record_batch(t.e, evs, 3, NULL, &failed), LTY_EEXISTS);
    ck_assert_uint_eq(failed, 2);
    lty_assert_err_mentions(t.e, "events[2]: event id");

    char *after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST

START_TEST(bad_arguments)
{
    lty_event ev = purchase("p1", "c1", 1, 10);
    size_t failed = 99;
    ck_assert_int_eq(lty_record_batch(NULL, &ev, 1, NULL, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_record_batch(t.e, NULL, 1, NULL, &failed), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "events");
    ck_assert_int_eq(lty_record_batch(t.e, &ev, 0, NULL, &failed), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "count");
    ck_assert_int_eq(lty_record_batch(t.e, &ev, LTY_BATCH_MAX + 1, NULL, &failed),
                     LTY_EINVALID);
    lty_record_outcome out = LTY_RECORD_OUTCOME_INIT;
    out.version = 99;
    ck_assert_int_eq(lty_record_batch(t.e, &ev, 1, &out, &failed), LTY_EVERSION);
    ck_assert_uint_eq(failed, 0);
    ev.version = 0;
    ck_assert_int_eq(lty_record_batch(t.e, &ev, 1, NULL, &failed), LTY_EVERSION);
}
END_TEST

START_TEST(every_storage_failure_applies_nothing)
{
    lty_event evs[3] = {purchase("p1", "c1", 3, 1000), purchase("p2", "c2", 2, 2000),
                        purchase("p3", "c1", 1, 3000)};
    /* count the storage calls of a clean run through a wrapper */
    lty_test_env_close(&t);
    for (long k = 1;; k++) {
        lty_memstore *ms;
        lty_storage_ops inner, ops;
        void *iud, *ud;
        lty_faulty *f;
        lty_engine *e;
        ck_assert_int_eq(lty_memstore_new(&ms, NULL), LTY_OK);
        ck_assert_int_eq(lty_memstore_connect(ms, &inner, &iud), LTY_OK);
        ck_assert_int_eq(lty_faulty_new(&f, &inner, iud), LTY_OK);
        lty_faulty_ops(f, &ops, &ud);
        lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
        o.storage = &ops;
        o.storage_userdata = ud;
        ck_assert_int_eq(lty_engine_new(&e, &o), LTY_OK);
        lty_test_customer(e, "c1", NULL, NULL);
        lty_test_customer(e, "c2", NULL, NULL);
        lty_storage_ops dops;
        void *dud;
        ck_assert_int_eq(lty_memstore_connect(ms, &dops, &dud), LTY_OK);
        char *before = lty_test_dump(&dops, dud);
        lty_faulty_fail_at(f, k, LTY_ESTORAGE);
        int rc = lty_record_batch(e, evs, 3, NULL, NULL);
        int fired = lty_faulty_fired(f);
        char *after = lty_test_dump(&dops, dud);
        if (fired) {
            ck_assert_int_eq(rc, LTY_ESTORAGE);
            ck_assert_str_eq(before, after);
        } else {
            ck_assert_int_eq(rc, LTY_OK); /* k past the last call: done */
        }
        free(before);
        free(after);
        dops.destroy(dud);
        lty_engine_free(e);
        lty_memstore_free(ms);
        if (!fired) {
            ck_assert_int_gt(k, 10);
            break;
        }
    }
    lty_test_env_open(&t); /* for the fixture's teardown */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("batch");
    TCase *tc = tcase_create("batch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, batch_applies_every_event_in_order);
    tcase_add_test(tc, one_bad_event_applies_nothing);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, every_storage_failure_applies_nothing);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
