/*
 * check_settings - the store's settings: stored and read back, refused
 * field by field with nothing written, a corrupted record refused, copied
 * into engine options, and set under the fault-injecting store.
 *
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
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

START_TEST(settings_are_stored_and_read_back)
{
    lty_store_settings s = LTY_STORE_SETTINGS_INIT, got = LTY_STORE_SETTINGS_INIT;
    got.country_code = 7; /* left alone on ENOTFOUND */
    ck_assert_int_eq(lty_store_settings_get(t.e, &got), LTY_ENOTFOUND);
    ck_assert_int_eq(got.country_code, 7);
    ck_assert_ptr_nonnull(strstr(lty_engine_last_error(t.e), "never stored"));
    ck_assert_int_eq(lty_store_settings_set(t.e, &s), LTY_OK);
    ck_assert_int_eq(lty_store_settings_get(t.e, &got), LTY_OK);
    ck_assert_str_eq(got.currency, "KRW");
    ck_assert_int_eq(got.currency_exponent, 0);
    ck_assert_int_eq(got.zone_local, 0);
    ck_assert_int_eq(got.utc_offset_minutes, 540);
    ck_assert_int_eq(got.country_code, 82);
    ck_assert_str_eq(got.locale, "ko");
    /* replaced */
    memcpy(s.currency, "USD", 4);
    s.currency_exponent = 2;
    s.zone_local = 1;
    s.utc_offset_minutes = 0;
    s.country_code = 1;
    strcpy(s.locale, "en-US");
    ck_assert_int_eq(lty_store_settings_set(t.e, &s), LTY_OK);
    ck_assert_int_eq(lty_store_settings_get(t.e, &got), LTY_OK);
    ck_assert_str_eq(got.currency, "USD");
    ck_assert_int_eq(got.currency_exponent, 2);
    ck_assert_int_eq(got.zone_local, 1);
    ck_assert_int_eq(got.country_code, 1);
    ck_assert_str_eq(got.locale, "en-US");
    /* into engine options: the zone stays the host's */
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.utc_offset_minutes = 123;
    ck_assert_int_eq(lty_store_settings_apply(&got, &o), LTY_OK);
    ck_assert_int_eq(o.currency_exponent, 2);
    ck_assert_int_eq(o.country_code, 1);
    ck_assert_int_eq(o.utc_offset_minutes, 123);
    lty_store_settings korea = LTY_STORE_SETTINGS_INIT;
    ck_assert_int_eq(lty_store_settings_apply(&korea, &o), LTY_OK);
    ck_assert_int_eq(o.utc_offset_minutes, 540);
    ck_assert_int_eq(lty_store_settings_apply(NULL, &o), LTY_EINVALID);
    korea.country_code = 0;
    ck_assert_int_eq(lty_store_settings_apply(&korea, &o), LTY_EINVALID);
}
END_TEST

static void refused(void (*spoil)(lty_store_settings *), const char *field)
{
    lty_store_settings s = LTY_STORE_SETTINGS_INIT;
    spoil(&s);
    char *before = lty_test_dump(&t.ops, t.ud);
    ck_assert_int_eq(lty_store_settings_set(t.e, &s), LTY_EINVALID);
    ck_assert_msg(strstr(lty_engine_last_error(t.e), field), "%s: %s", field,
                  lty_engine_last_error(t.e));
    char *after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
}

static void lower(lty_store_settings *s) { memcpy(s->currency, "krw", 4); }
static void short_code(lty_store_settings *s) { memcpy(s->currency, "KR\0", 4); }
static void exponent(lty_store_settings *s) { s->currency_exponent = 5; }
static void zone(lty_store_settings *s) { s->zone_local = 2; }
static void offset(lty_store_settings *s) { s->utc_offset_minutes = 1081; }
static void local_and_offset(lty_store_settings *s) { s->zone_local = 1; }
static void country(lty_store_settings *s) { s->country_code = 1000; }
static void locale(lty_store_settings *s) { strcpy(s->locale, "ko KR"); }
static void unterminated(lty_store_settings *s)
{
    memset(s->locale, 'a', sizeof s->locale);
}

START_TEST(bad_fields_are_refused_by_name_and_nothing_is_written)
{
    refused(lower, "currency");
    refused(short_code, "currency");
    refused(exponent, "currency exponent");
    refused(zone, "zone local");
    refused(offset, "utc offset");
    refused(local_and_offset, "utc offset");
    refused(country, "country code");
    refused(locale, "locale");
    refused(unterminated, "locale");
    lty_store_settings s = LTY_STORE_SETTINGS_INIT;
    ck_assert_int_eq(lty_store_settings_set(t.e, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_store_settings_set(NULL, &s), LTY_EINVALID);
    s.version = 99;
    ck_assert_int_eq(lty_store_settings_set(t.e, &s), LTY_EVERSION);
    ck_assert_int_eq(lty_store_settings_get(t.e, &s), LTY_EVERSION);
}
END_TEST

START_TEST(a_corrupted_record_is_refused)
{
    static const char junk[] = "\x20\x01junk";
    ck_assert_int_eq(t.ops.put("M\0settings", 10, junk, sizeof junk - 1,
                               LTY_REV_ANY, NULL, t.ud),
                     LTY_OK);
    lty_store_settings s = LTY_STORE_SETTINGS_INIT;
    ck_assert_int_eq(lty_store_settings_get(t.e, &s), LTY_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(lty_engine_last_error(t.e), "settings"));
    /* setting them again repairs the record */
    ck_assert_int_eq(lty_store_settings_set(t.e, &s), LTY_OK);
    ck_assert_int_eq(lty_store_settings_get(t.e, &s), LTY_OK);
}
END_TEST

static int f_set(lty_engine *e)
{
    lty_store_settings s = LTY_STORE_SETTINGS_INIT;
    return lty_store_settings_set(e, &s);
}

START_TEST(set_under_storage_faults_and_conflicts)
{
    lty_test_fault_spec spec = {.name = "settings", .call = f_set,
                                .flags = _i ? LTY_TEST_FAULT_CONFLICT
                                            : LTY_TEST_FAULT_STORAGE,
                                .min_calls = 1, .now = LTY_TEST_NOW};
    lty_test_fault_sweep(&spec);
}
END_TEST

static Suite *settings_suite(void)
{
    Suite *s = suite_create("settings");
    TCase *tc = tcase_create("settings");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, settings_are_stored_and_read_back);
    tcase_add_test(tc, bad_fields_are_refused_by_name_and_nothing_is_written);
    tcase_add_test(tc, a_corrupted_record_is_refused);
    suite_add_tcase(s, tc);
    tc = tcase_create("faults");
    tcase_add_loop_test(tc, set_under_storage_faults_and_conflicts, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(settings_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
