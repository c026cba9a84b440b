/*
 * libloyalty tests - the engine: options, errors, clock and time zone,
 * allocator hooks, the store format record and conflict retries.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <loyalty.h>

#include "testutil.h"

static lty_memstore *ms;
static lty_storage_ops mops;
static void *mud;

static void setup(void)
{
    ck_assert_int_eq(lty_memstore_new(&ms, NULL), LTY_OK);
    ck_assert_int_eq(lty_memstore_connect(ms, &mops, &mud), LTY_OK);
}

static void teardown(void)
{
    if (mud && mops.destroy)
        mops.destroy(mud);
    mud = NULL;
    lty_memstore_free(ms);
}

/* Open an engine over the fixture's connection; on success the engine owns
 * the connection. */
static int open_engine(lty_engine **e, lty_engine_options *o)
{
    o->storage = &mops;
    o->storage_userdata = mud;
    int rc = lty_engine_new(e, o);
    if (rc == LTY_OK)
        mud = NULL;
    return rc;
}

START_TEST(strerror_covers_every_code)
{
    for (int code = LTY_ERROR_MIN; code <= 0; code++) {
        const char *s = lty_strerror(code);
        ck_assert_ptr_nonnull(s);
        ck_assert_str_ne(s, "unknown error code");
        for (int other = LTY_ERROR_MIN; other < code; other++)
            ck_assert_str_ne(s, lty_strerror(other));
    }
    ck_assert_str_eq(lty_strerror(LTY_ERROR_MIN - 1), "unknown error code");
    ck_assert_str_eq(lty_strerror(7), "unknown error code");
    ck_assert_str_eq(lty_engine_last_error(NULL), "no engine");
}
END_TEST

START_TEST(options_are_validated)
{
    lty_engine *e = (lty_engine *)&e;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    ck_assert_int_eq(lty_engine_new(NULL, &o), LTY_EINVALID);
    ck_assert_int_eq(lty_engine_new(&e, NULL), LTY_EINVALID);
    ck_assert_ptr_null(e);
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_EINVALID); /* no storage */

    o.storage = &mops;
    o.storage_userdata = mud;
    o.version = 0;
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_EVERSION);
    o.version = LTY_ENGINE_OPTIONS_VERSION + 1;
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_EVERSION);
    o.version = LTY_ENGINE_OPTIONS_VERSION;

    lty_storage_ops bad = mops;
    o.storage = &bad;
    bad.version = LTY_STORAGE_OPS_VERSION + 1;
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_EVERSION);
    bad.version = LTY_STORAGE_OPS_VERSION;
    bad.scan = NULL;
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_EINVALID);
    o.storage = &mops;

    o.utc_offset_minutes = 1081;
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_EINVALID);
    o.utc_offset_minutes = -1081;
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_EINVALID);
    o.utc_offset_minutes = 540;
    o.currency_exponent = 5;
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_EINVALID);
    o.currency_exponent = 2;
    o.country_code = 0;
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_EINVALID);
    o.country_code = 82;
    o.retry_limit = -1;
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_EINVALID);
    o.retry_limit = 3;
    lty_allocator half = {NULL, NULL, NULL, NULL};
    o.allocator = &half;
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_EINVALID);
    o.allocator = NULL;
    /* nothing was written by any failed attempt */
    ck_assert_uint_eq(lty_memstore_count(ms), 0);
    ck_assert_int_eq(open_engine(&e, &o), LTY_OK);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(lty_memstore_count(ms), 1); /* the format record */
    lty_engine_free(e);
    lty_engine_free(NULL);
}
END_TEST

START_TEST(store_format_is_checked)
{
    lty_engine *e;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    /* format 2 is newer than this library */
    const char key[] = "M\0format";
    const unsigned char newer[] = {1, 1, (1 << 3) | 0, 2};
    ck_assert_int_eq(mops.put(key, sizeof key - 1, newer, sizeof newer,
                              LTY_REV_NONE, NULL, mud), LTY_OK);
    ck_assert_int_eq(open_engine(&e, &o), LTY_EVERSION);
    const unsigned char garbage[] = {9, 9, 9};
    ck_assert_int_eq(mops.put(key, sizeof key - 1, garbage, sizeof garbage,
                              LTY_REV_ANY, NULL, mud), LTY_OK);
    ck_assert_int_eq(open_engine(&e, &o), LTY_ECORRUPT);
    const unsigned char current[] = {1, 1, (1 << 3) | 0, 1};
    ck_assert_int_eq(mops.put(key, sizeof key - 1, current, sizeof current,
                              LTY_REV_ANY, NULL, mud), LTY_OK);
    ck_assert_int_eq(open_engine(&e, &o), LTY_OK);
    lty_engine_free(e);
}
END_TEST

static int64_t fixed_clock(void *ud)
{
    return *(int64_t *)ud;
}

START_TEST(clock_and_fixed_zone)
{
    lty_engine *e;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    ck_assert_int_eq(open_engine(&e, &o), LTY_OK);
    /* the default clock is the system's */
    int64_t now = (int64_t)time(NULL);
    ck_assert(llabs(lty_engine_now(e) - now) <= 5);
    lty_engine_free(e);

    teardown();
    setup();
    int64_t t = INT64_C(1772290800); /* 2026-02-28T15:00:00Z */
    o.clock = fixed_clock;
    o.clock_userdata = &t;
    o.utc_offset_minutes = 540;
    ck_assert_int_eq(open_engine(&e, &o), LTY_OK);
    ck_assert_int_eq(lty_engine_now(e), t);
    lty_date d;
    ck_assert_int_eq(lty_engine_local_date(e, t, &d), LTY_OK);
    ck_assert_int_eq(d.year, 2026);
    ck_assert_int_eq(d.month, 3);
    ck_assert_int_eq(d.day, 1); /* 00:00 in Seoul */
    ck_assert_int_eq(lty_engine_local_date(e, t - 1, &d), LTY_OK);
    ck_assert_int_eq(d.day, 28);
    ck_assert_int_eq(lty_engine_local_date(e, -1, &d), LTY_EINVALID);
    lty_assert_err_mentions(e, "time");
    ck_assert_int_eq(lty_engine_local_date(e, LTY_TIME_MAX + 1, &d), LTY_EINVALID);
    ck_assert_int_eq(lty_engine_local_date(e, t, NULL), LTY_EINVALID);
    /* a clock outside the supported range is clamped */
    t = -100;
    ck_assert_int_eq(lty_engine_now(e), LTY_TIME_MIN);
    lty_engine_free(e);
}
END_TEST

/* US Eastern: UTC-4 from the second Sunday of March 07:00Z to the first
 * Sunday of November 06:00Z, for 2026 only (enough for the test). */
static int eastern(int64_t utc, void *ud)
{
    (void)ud;
    const int64_t dst_start = INT64_C(1772953200); /* 2026-03-08T07:00Z */
    const int64_t dst_end = INT64_C(1793512800);   /* 2026-11-01T06:00Z */
    return utc >= dst_start && utc < dst_end ? -240 : -300;
}

static int broken_zone(int64_t utc, void *ud)
{
    (void)utc;
    (void)ud;
    return 5000;
}

START_TEST(daylight_saving_zone)
{
    lty_engine *e;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.tz_offset = eastern;
    o.utc_offset_minutes = 540; /* ignored when tz_offset is set */
    ck_assert_int_eq(open_engine(&e, &o), LTY_OK);
    lty_date d;
    /* 2026-03-08T04:30Z is 23:30 EST on the 7th */
    ck_assert_int_eq(lty_engine_local_date(e, INT64_C(1772944200), &d), LTY_OK);
    ck_assert_int_eq(d.day, 7);
    /* 2026-07-01T03:30Z is 23:30 EDT on 30 June */
    ck_assert_int_eq(lty_engine_local_date(e, INT64_C(1782876600), &d), LTY_OK);
    ck_assert_int_eq(d.month, 6);
    ck_assert_int_eq(d.day, 30);
    lty_engine_free(e);

    teardown();
    setup();
    o.tz_offset = broken_zone;
    ck_assert_int_eq(open_engine(&e, &o), LTY_OK);
    ck_assert_int_eq(lty_engine_local_date(e, 0, &d), LTY_EINVALID);
    lty_assert_err_mentions(e, "time zone");
    lty_engine_free(e);
}
END_TEST

typedef struct counting {
    long allocs, frees;
} counting;

static void *c_malloc(size_t n, void *ud)
{
    ((counting *)ud)->allocs++;
    return malloc(n);
}

static void *c_realloc(void *p, size_t n, void *ud)
{
    if (!p)
        ((counting *)ud)->allocs++;
    return realloc(p, n);
}

static void c_free(void *p, void *ud)
{
    if (p)
        ((counting *)ud)->frees++;
    free(p);
}

START_TEST(allocator_hooks_are_used)
{
    counting c = {0, 0};
    lty_allocator a = {c_malloc, c_realloc, c_free, &c};
    lty_engine *e;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.allocator = &a;
    ck_assert_int_eq(open_engine(&e, &o), LTY_OK);
    lty_test_customer(e, "c1", "Kim", "010-1234-5678");
    lty_customer *cu;
    ck_assert_int_eq(lty_customer_get(e, "c1", &cu), LTY_OK);
    lty_engine_free(e);
    /* the snapshot outlives the engine and frees through the same hooks */
    ck_assert_str_eq(lty_customer_name(cu), "Kim");
    lty_customer_free(cu);
    ck_assert_int_gt(c.allocs, 0);
    ck_assert_int_eq(c.allocs, c.frees);
}
END_TEST

/* A wrapper whose commit reports a conflict the first `conflicts` times. */
typedef struct conflicting {
    lty_storage_ops inner;
    void *ud;
    int conflicts;
    int commits;
    int open;              /* a transaction is open */
    int prefetches;        /* hints received inside a transaction */
    int stray_prefetches;  /* hints received outside one */
} conflicting;

static int cf_begin(void *u)
{
    conflicting *c = u;
    int rc = c->inner.begin(c->ud);
    c->open = rc == LTY_OK;
    return rc;
}
static int cf_rollback(void *u)
{
    conflicting *c = u;
    c->open = 0;
    return c->inner.rollback(c->ud);
}
static int cf_commit(void *u)
{
    conflicting *c = u;
    c->commits++;
    if (c->conflicts > 0) {
        c->conflicts--;
        return LTY_ECONFLICT;
    }
    c->open = 0;
    return c->inner.commit(c->ud);
}
static void cf_prefetch(const char *k, size_t kl, void *u)
{
    conflicting *c = u;
    if (c->open)
        c->prefetches++;
    else
        c->stray_prefetches++;
    c->inner.prefetch(k, kl, c->ud);
}
static int cf_get(const char *k, size_t kl, lty_buf *v, uint64_t *r, void *u)
{
    conflicting *c = u;
    return c->inner.get(k, kl, v, r, c->ud);
}
static int cf_put(const char *k, size_t kl, const void *v, size_t l, uint64_t ex,
                  uint64_t *nr, void *u)
{
    conflicting *c = u;
    return c->inner.put(k, kl, v, l, ex, nr, c->ud);
}
static int cf_del(const char *k, size_t kl, uint64_t ex, void *u)
{
    conflicting *c = u;
    return c->inner.del(k, kl, ex, c->ud);
}
static int cf_scan(const char *p, size_t pl, const char *a, size_t al,
                   lty_scan_fn fn, void *ctx, void *u)
{
    conflicting *c = u;
    return c->inner.scan(p, pl, a, al, fn, ctx, c->ud);
}

START_TEST(conflicts_are_retried_up_to_the_limit)
{
    conflicting c = {mops, mud, 0, 0, 0, 0, 0};
    lty_storage_ops ops = LTY_STORAGE_OPS_INIT;
    ops.begin = cf_begin;
    ops.commit = cf_commit;
    ops.rollback = cf_rollback;
    ops.get = cf_get;
    ops.put = cf_put;
    ops.del = cf_del;
    ops.scan = cf_scan;
    ops.prefetch = cf_prefetch;
    lty_engine *e;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.storage = &ops;
    o.storage_userdata = &c;
    o.retry_limit = 3;
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_OK);
    size_t before = lty_memstore_count(ms);

    /* three conflicts: the fourth attempt commits, once */
    c.conflicts = 3;
    c.commits = 0;
    lty_test_customer(e, "c1", "Kim", NULL);
    ck_assert_int_eq(c.commits, 4);
    ck_assert_uint_eq(lty_memstore_count(ms), before + 1);

    /* four conflicts exceed the limit: the call fails with nothing applied */
    c.conflicts = 4;
    c.commits = 0;
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "c2";
    ck_assert_int_eq(lty_customer_create(e, &f), LTY_ECONFLICT);
    ck_assert_int_eq(c.commits, 4);
    lty_assert_err_mentions(e, "commit");
    ck_assert_uint_eq(lty_memstore_count(ms), before + 1);
    lty_customer *cu;
    ck_assert_int_eq(lty_customer_get(e, "c2", &cu), LTY_ENOTFOUND);

    /* recording an event announces its keys, inside its transaction: the
     * event index, aggregates and ledger entry, and the referral record
     * the referral hook reads */
    lty_test_event(e, "ev1", "c1", LTY_TEST_NOW, 1000, "item");
    ck_assert_int_eq(c.prefetches, 4);
    ck_assert_int_eq(c.stray_prefetches, 0);
    /* the memory store ignores a hint outside a transaction */
    mops.prefetch("C", 1, mud);
    lty_engine_free(e); /* no destroy op: the fixture closes the connection */
}
END_TEST

START_TEST(two_engines_share_one_store)
{
    lty_test_env t;
    lty_test_env_open(&t);
    lty_engine *other = lty_test_env_engine(&t);
    lty_test_customer(t.e, "c1", "Kim", "010-1111-2222");
    lty_customer *cu;
    ck_assert_int_eq(lty_customer_find_by_phone(other, "01011112222", &cu), LTY_OK);
    ck_assert_str_eq(lty_customer_id(cu), "c1");
    lty_customer_free(cu);
    lty_engine_free(other);
    lty_test_env_close(&t);
}
END_TEST

static Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("engine");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, strerror_covers_every_code);
    tcase_add_test(tc, options_are_validated);
    tcase_add_test(tc, store_format_is_checked);
    tcase_add_test(tc, clock_and_fixed_zone);
    tcase_add_test(tc, daylight_saving_zone);
    tcase_add_test(tc, allocator_hooks_are_used);
    tcase_add_test(tc, conflicts_are_retried_up_to_the_limit);
    tcase_add_test(tc, two_engines_share_one_store);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(engine_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
