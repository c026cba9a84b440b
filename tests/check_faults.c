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

/* A store with two customers and some history, and an engine over the
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

    lty_test_customer(w->e, "c1", "Kim Minji", "010-1234-5678");
    lty_test_customer(w->e, "c2", "Lee Seojun", "010-9999-0000");
    ck_assert_int_eq(lty_customer_set_note(w->e, "c1", "allergy", "penicillin"), LTY_OK);
    ck_assert_int_eq(lty_customer_add_tag(w->e, "c1", "vip"), LTY_OK);
    lty_test_event(w->e, "p1", "c1", LTY_TEST_NOW - 86400 * 3, 50000, "scaling");
    lty_test_event(w->e, "p2", "c1", LTY_TEST_NOW - 86400 * 2, 20000, "whitening");
    lty_test_event(w->e, "v1", "c2", LTY_TEST_NOW - 86400, -1, "check-up");
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

typedef int (*api_call)(lty_engine *e);

static int do_create(lty_engine *e)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "c3";
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_EMAIL;
    f.name = "Park";
    f.phone = "010-5555-6666";
    f.email = "park@example.com";
    return lty_customer_create(e, &f);
}

static int do_update_phone(lty_engine *e)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "c1";
    f.set = LTY_FIELD_PHONE | LTY_FIELD_NAME;
    f.phone = "010-2222-3333";
    f.name = "Kim M.";
    return lty_customer_update(e, &f);
}

static int do_preference(lty_engine *e)
{
    return lty_customer_set_preference(e, "c1", "doctor", "female");
}

static int do_note_remove(lty_engine *e)
{
    return lty_customer_set_note(e, "c1", "allergy", NULL);
}

static int do_tag(lty_engine *e)
{
    return lty_customer_add_tag(e, "c2", "new");
}

static int do_untag(lty_engine *e)
{
    return lty_customer_remove_tag(e, "c1", "vip");
}

static int do_anniversary(lty_engine *e)
{
    lty_date d = {2020, 5, 17};
    return lty_customer_set_anniversary(e, "c1", "wedding", &d);
}

static int do_consent(lty_engine *e)
{
    return lty_customer_set_consent(e, "c1", LTY_CHANNEL_KAKAO,
                                    LTY_PURPOSE_MARKETING, 1);
}

static int do_erase(lty_engine *e)
{
    return lty_customer_erase(e, "c1");
}

static int do_purchase(lty_engine *e)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_PURCHASE;
    ev.id = "p3";
    ev.customer_id = "c1";
    ev.time = LTY_TEST_NOW;
    ev.amount = 30000;
    ev.item = "implant-consult";
    return lty_record(e, &ev, NULL);
}

static int do_first_event(lty_engine *e)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_VISIT;
    ev.id = "v9";
    ev.customer_id = "c1";
    ev.time = LTY_TEST_NOW - 86400 * 10; /* out of order: earlier day */
    return lty_record(e, &ev, NULL);
}

static int do_refund(lty_engine *e)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_REFUND;
    ev.id = "r1";
    ev.customer_id = "c1";
    ev.time = LTY_TEST_NOW;
    ev.amount = 5000;
    ev.refund_of = "p1";
    return lty_record(e, &ev, NULL);
}

static int do_feedback(lty_engine *e)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_FEEDBACK;
    ev.id = "f1";
    ev.customer_id = "c2";
    ev.time = LTY_TEST_NOW;
    ev.score = 9;
    ev.comment = "kind staff";
    return lty_record(e, &ev, NULL);
}

static const struct {
    const char *name;
    api_call call;
} calls[] = {
    {"create", do_create},           {"update phone", do_update_phone},
    {"preference", do_preference},   {"remove note", do_note_remove},
    {"add tag", do_tag},             {"remove tag", do_untag},
    {"anniversary", do_anniversary}, {"consent", do_consent},
    {"erase", do_erase},             {"purchase", do_purchase},
    {"out-of-order visit", do_first_event},
    {"refund", do_refund},           {"feedback", do_feedback},
};

START_TEST(every_storage_failure_leaves_the_store_unchanged)
{
    world w;
    world_open(&w);
    /* the clean run: how many storage calls, and the resulting store */
    ck_assert_int_eq(calls[_i].call(w.e), LTY_OK);
    long n = lty_faulty_calls(w.faulty);
    char *expected = contents(&w);
    world_close(&w);
    ck_assert_int_gt(n, 2);

    for (long k = 1; k <= n; k++) {
        world_open(&w);
        char *before = lty_test_dump(&w.inner, w.inner_ud);
        lty_faulty_fail_at(w.faulty, k, LTY_ESTORAGE);
        int rc = calls[_i].call(w.e);
        ck_assert_msg(lty_faulty_fired(w.faulty), "%s: call %ld not reached",
                      calls[_i].name, k);
        ck_assert_msg(rc == LTY_ESTORAGE, "%s: fault at call %ld gave %s",
                      calls[_i].name, k, lty_strerror(rc));
        ck_assert_msg(strstr(lty_engine_last_error(w.e), "storage") != NULL,
                      "%s: error not reported: '%s'", calls[_i].name,
                      lty_engine_last_error(w.e));
        char *after = lty_test_dump(&w.inner, w.inner_ud);
        ck_assert_msg(strcmp(before, after) == 0,
                      "%s: fault at call %ld changed the store", calls[_i].name, k);
        /* the retry applies the call exactly once */
        lty_faulty_reset(w.faulty);
        ck_assert_int_eq(calls[_i].call(w.e), LTY_OK);
        char *retried = contents(&w);
        ck_assert_msg(strcmp(retried, expected) == 0,
                      "%s: retry after fault at call %ld differs from a clean run",
                      calls[_i].name, k);
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
    world w;
    world_open(&w);
    ck_assert_int_eq(calls[_i].call(w.e), LTY_OK);
    long n = lty_faulty_calls(w.faulty);
    char *expected = contents(&w);
    world_close(&w);

    for (long k = 1; k <= n; k++) {
        world_open(&w);
        lty_faulty_fail_at(w.faulty, k, LTY_ECONFLICT);
        ck_assert_msg(calls[_i].call(w.e) == LTY_OK, "%s: conflict at %ld",
                      calls[_i].name, k);
        char *got = contents(&w);
        ck_assert_msg(strcmp(got, expected) == 0,
                      "%s: conflict at call %ld applied the call differently",
                      calls[_i].name, k);
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
    int n = (int)(sizeof calls / sizeof calls[0]);
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
