/*
 * libloyalty tests - rewards and coupons: issue, read, list, redeem exactly
 * once, expiry at the local day's end, void, refusal of bad input, the
 * medical-program rule, the program engine's replay-safe put and derived
 * codes (white-box), two engines redeeming one code, corrupt records, and
 * every storage failure of every mutating call.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <loyalty.h>
#include <loyalty/reward.h>

#include "faultworld.h"
#include "program_int.h" /* white-box: lty__reward_put_new, codes, hashes */
#include "storedump.h"
#include "testutil.h"

static lty_test_env t;

static void setup(void)
{
    lty_test_env_open(&t);
    lty_test_customer(t.e, "c1", "Kim Minji", "010-1234-5678");
    lty_test_customer(t.e, "c2", "Lee Seojun", NULL);
}

static void teardown(void)
{
    lty_test_env_close(&t);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

#define HOUR INT64_C(3600)
#define DAY INT64_C(86400)
#define KST (9 * HOUR)

/* The last second of the UTC+9 local day `days` after the local day of t. */
static int64_t kst_day_end(int64_t t_utc, int days)
{
    int64_t day = (t_utc + KST) / DAY;
    return (day + days + 1) * DAY - KST - 1;
}

static lty_reward_spec spec(const char *code, const char *cid)
{
    lty_reward_spec s = LTY_REWARD_SPEC_INIT;
    s.code = code;
    s.customer_id = cid;
    s.name = "Free americano";
    s.kind = LTY_REWARD_SERVICE;
    s.value = 4500;
    s.valid_days = 30;
    return s;
}

static void issue_ok_on(lty_engine *e, const lty_reward_spec *s)
{
    int rc = lty_reward_issue(e, s);
    ck_assert_msg(rc == LTY_OK, "issue %s: %s (%s)", s->code,
                  lty_strerror(rc), lty_engine_last_error(e));
}

static void issue_ok(const lty_reward_spec *s)
{
    issue_ok_on(t.e, s);
}

/* Issue the default spec under code for c1, with valid_days. */
static void issue_simple(const char *code, int valid_days)
{
    lty_reward_spec s = spec(code, "c1");
    s.valid_days = valid_days;
    issue_ok(&s);
}

static lty_reward get_ok(const char *code)
{
    lty_reward r = LTY_REWARD_INIT;
    int rc = lty_reward_get(t.e, code, &r);
    ck_assert_msg(rc == LTY_OK, "get %s: %s (%s)", code, lty_strerror(rc),
                  lty_engine_last_error(t.e));
    return r;
}

static void redeem_ok(const char *code, int64_t when)
{
    int rc = lty_reward_redeem(t.e, code, when);
    ck_assert_msg(rc == LTY_OK, "redeem %s: %s (%s)", code, lty_strerror(rc),
                  lty_engine_last_error(t.e));
}

/* The whole store as text (keys, values, revisions); free() it. */
static char *dump(void)
{
    char *d = lty_test_dump(&t.ops, t.ud);
    ck_assert_ptr_nonnull(d);
    return d;
}

/* The refusal contract: the right code, a message that names the field and
 * does not quote the value, and a store exactly as it was. */
static void check_refused(char *before, int rc, int code, const char *field,
                          const char *value, int line)
{
    ck_assert_msg(rc == code, "line %d: got %s, want %s (%s)", line,
                  lty_strerror(rc), lty_strerror(code),
                  lty_engine_last_error(t.e));
    ck_assert_msg(strstr(lty_engine_last_error(t.e), field) != NULL,
                  "line %d: last error '%s' does not mention '%s'", line,
                  lty_engine_last_error(t.e), field);
    if (value && strlen(value) >= 3)
        ck_assert_msg(strstr(lty_engine_last_error(t.e), value) == NULL,
                      "line %d: last error quotes the value", line);
    char *after = dump();
    ck_assert_msg(strcmp(before, after) == 0,
                  "line %d: a refused call changed the store", line);
    free(after);
    free(before);
}

#define REFUSED(call, code, field, value)                                   \
    do {                                                                    \
        char *before_ = dump();                                             \
        int rc_ = (call);                                                   \
        check_refused(before_, rc_, (code), (field), (value), __LINE__);    \
    } while (0)

/* Raw writes through the test's own connection. */
static void put_raw(const char *key, size_t keylen, const void *v, size_t n)
{
    ck_assert_int_eq(t.ops.put(key, keylen, v, n, LTY_REV_ANY, NULL, t.ud),
                     LTY_OK);
}

/* "W\0<code>" */
static size_t reward_key(char *buf, const char *code)
{
    size_t n = strlen(code);
    buf[0] = 'W';
    buf[1] = '\0';
    memcpy(buf + 2, code, n);
    return 2 + n;
}

/* "C\0<id>\0W<code>" */
static size_t index_key(char *buf, const char *cid, const char *code,
                        size_t codelen)
{
    size_t n = strlen(cid);
    buf[0] = 'C';
    buf[1] = '\0';
    memcpy(buf + 2, cid, n);
    buf[2 + n] = '\0';
    buf[3 + n] = 'W';
    memcpy(buf + 4 + n, code, codelen);
    return 4 + n + codelen;
}

typedef struct raw_value {
    unsigned char data[4096];
    size_t len;
    int found;
} raw_value;

static int raw_each(const char *key, size_t keylen, const void *value,
                    size_t len, uint64_t rev, void *ctx)
{
    raw_value *r = ctx;
    (void)key;
    (void)keylen;
    (void)rev;
    ck_assert_uint_le(len, sizeof r->data);
    memcpy(r->data, value, len);
    r->len = len;
    r->found = 1;
    return LTY_SCAN_STOP;
}

static int get_raw(const char *key, size_t keylen, raw_value *r)
{
    memset(r, 0, sizeof *r);
    ck_assert_int_ge(t.ops.scan(key, keylen, NULL, 0, raw_each, r, t.ud), 0);
    return r->found;
}

/* A ladder program, medical or not. */
static void define_ladder(lty_engine *e, const char *id, int medical)
{
    static const lty_ladder_step steps[] = {{1, "Member"}, {10, "Regular"}};
    lty_program_def d = LTY_PROGRAM_DEF_INIT;
    d.id = id;
    d.name = "Ladder";
    d.kind = LTY_PROGRAM_LADDER;
    d.medical = medical;
    d.steps = steps;
    d.step_count = 2;
    int rc = lty_program_define(e, &d);
    ck_assert_msg(rc == LTY_OK, "define %s: %s (%s)", id, lty_strerror(rc),
                  lty_engine_last_error(e));
}

/* lty__reward_put_new() in its own transaction, as the program engine
 * calls it inside one. */
typedef struct put_call {
    lty__reward_new r;
    int existed;
} put_call;

static int put_body(lty_engine *e, void *arg)
{
    put_call *p = arg;
    return lty__reward_put_new(e, &p->r, &p->existed);
}

static int put_new(lty_engine *e, const char *code, const char *cid,
                   const char *program, int64_t issued, int *existed)
{
    put_call p;
    memset(&p, 0, sizeof p);
    p.existed = -1;
    p.r.code = code;
    p.r.customer_id = cid;
    p.r.cn = strlen(cid);
    p.r.program_id = program;
    p.r.name = "Gold drink";
    p.r.kind = LTY_REWARD_SERVICE;
    p.r.value = 0;
    p.r.valid_days = 7;
    p.r.source = LTY_REWARD_BY_RULE;
    p.r.issued = issued;
    int rc = lty__txn(e, put_body, &p);
    if (existed)
        *existed = p.existed;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Issue, get, list                                                    */
/* ------------------------------------------------------------------ */

START_TEST(issue_get_list_round_trip)
{
    lty_reward_spec s = spec("R-002", "c1");
    issue_ok(&s);
    s = spec("R-001", "c1");
    s.name = "봄 할인 쿠폰";
    s.kind = LTY_REWARD_DISCOUNT;
    s.value = 5000;
    s.valid_days = 0;
    s.source = LTY_REWARD_BY_CAMPAIGN;
    issue_ok(&s);
    s = spec("R-003", "c2");
    s.program_id = ""; /* as lty_reward.program_id reads back: none */
    issue_ok(&s);

    lty_reward r = get_ok("R-002");
    ck_assert_uint_eq(r.version, LTY_REWARD_VERSION);
    ck_assert_str_eq(r.code, "R-002");
    ck_assert_str_eq(r.customer_id, "c1");
    ck_assert_str_eq(r.program_id, "");
    ck_assert_str_eq(r.name, "Free americano");
    ck_assert_int_eq(r.kind, LTY_REWARD_SERVICE);
    ck_assert_int_eq(r.value, 4500);
    ck_assert_int_eq(r.source, LTY_REWARD_BY_HAND);
    ck_assert_int_eq(r.state, LTY_REWARD_ISSUED);
    ck_assert_int_eq(r.issued, LTY_TEST_NOW);
    ck_assert_int_eq(r.expires, kst_day_end(LTY_TEST_NOW, 30));
    ck_assert_int_eq(r.closed, 0);

    r = get_ok("R-001");
    ck_assert_str_eq(r.name, "봄 할인 쿠폰");
    ck_assert_int_eq(r.kind, LTY_REWARD_DISCOUNT);
    ck_assert_int_eq(r.value, 5000);
    ck_assert_int_eq(r.source, LTY_REWARD_BY_CAMPAIGN);
    ck_assert_int_eq(r.expires, LTY_TIME_NONE);

    /* One day: 2026-03-01 09:00 KST -> 2026-03-02 23:59:59 KST. */
    issue_simple("R-004", 1);
    ck_assert_int_eq(get_ok("R-004").expires, LTY_TEST_NOW + DAY + 14 * HOUR +
                                                  59 * 60 + 59);

    lty_reward list[4] = {LTY_REWARD_INIT, LTY_REWARD_INIT, LTY_REWARD_INIT,
                          LTY_REWARD_INIT};
    size_t count = 99;
    ck_assert_int_eq(lty_reward_list(t.e, "c1", list, 4, &count), LTY_OK);
    ck_assert_uint_eq(count, 3);
    ck_assert_str_eq(list[0].code, "R-001");
    ck_assert_str_eq(list[1].code, "R-002");
    ck_assert_str_eq(list[2].code, "R-004");
    ck_assert_str_eq(list[3].code, "");
    ck_assert_int_eq(list[1].expires, kst_day_end(LTY_TEST_NOW, 30));
    ck_assert_str_eq(list[0].name, "봄 할인 쿠폰");
    ck_assert_str_eq(list[2].customer_id, "c1");

    /* Fewer slots than rewards: the first ones, and the total. */
    lty_reward one[1] = {LTY_REWARD_INIT};
    ck_assert_int_eq(lty_reward_list(t.e, "c1", one, 1, &count), LTY_OK);
    ck_assert_uint_eq(count, 3);
    ck_assert_str_eq(one[0].code, "R-001");
    ck_assert_int_eq(lty_reward_list(t.e, "c1", NULL, 0, &count), LTY_OK);
    ck_assert_uint_eq(count, 3);

    ck_assert_int_eq(lty_reward_list(t.e, "c2", list, 4, &count), LTY_OK);
    ck_assert_uint_eq(count, 1);
    ck_assert_str_eq(list[0].code, "R-003");
    ck_assert_str_eq(list[0].program_id, "");

    lty_test_customer(t.e, "c3", NULL, NULL);
    ck_assert_int_eq(lty_reward_list(t.e, "c3", list, 4, &count), LTY_OK);
    ck_assert_uint_eq(count, 0);
    /* "c" is a prefix of "c1": its scan must not see c1's rewards */
    lty_test_customer(t.e, "c", NULL, NULL);
    ck_assert_int_eq(lty_reward_list(t.e, "c", list, 4, &count), LTY_OK);
    ck_assert_uint_eq(count, 0);

    count = 99;
    ck_assert_int_eq(lty_reward_list(t.e, "nobody", list, 4, &count),
                     LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "customer");
    ck_assert_uint_eq(count, 0);

    /* A second engine over the store reads the same. */
    lty_engine *e2 = lty_test_env_engine(&t);
    lty_reward r2 = LTY_REWARD_INIT;
    ck_assert_int_eq(lty_reward_get(e2, "R-002", &r2), LTY_OK);
    ck_assert_str_eq(r2.name, "Free americano");
    lty_engine_free(e2);
}
END_TEST

START_TEST(read_arguments_are_checked)
{
    issue_simple("R1", 1);
    lty_reward r = LTY_REWARD_INIT;
    size_t count = 0;
    ck_assert_int_eq(lty_reward_get(NULL, "R1", &r), LTY_EINVALID);
    ck_assert_int_eq(lty_reward_get(t.e, "R1", NULL), LTY_EINVALID);
    r.version = 0;
    ck_assert_int_eq(lty_reward_get(t.e, "R1", &r), LTY_EVERSION);
    lty_assert_err_mentions(t.e, "reward");
    r.version = LTY_REWARD_VERSION + 1;
    ck_assert_int_eq(lty_reward_get(t.e, "R1", &r), LTY_EVERSION);
    r.version = LTY_REWARD_VERSION;
    ck_assert_int_eq(lty_reward_get(t.e, "", &r), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "reward code");
    ck_assert_int_eq(lty_reward_get(t.e, NULL, &r), LTY_EINVALID);
    ck_assert_int_eq(lty_reward_get(t.e, "R2", &r), LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "reward");

    lty_reward list[2] = {LTY_REWARD_INIT, LTY_REWARD_INIT};
    ck_assert_int_eq(lty_reward_list(NULL, "c1", list, 2, &count),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_reward_list(t.e, "c1", list, 2, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_reward_list(t.e, "c1", NULL, 2, &count),
                     LTY_EINVALID);
    list[1].version = 0;
    ck_assert_int_eq(lty_reward_list(t.e, "c1", list, 2, &count),
                     LTY_EVERSION);
    list[1].version = LTY_REWARD_VERSION;
    ck_assert_int_eq(lty_reward_list(t.e, "", list, 2, &count), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "customer id");
    ck_assert_int_eq(lty_reward_list(t.e, "c1", list, 2, &count), LTY_OK);
    ck_assert_uint_eq(count, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Redeem, expiry, void                                                */
/* ------------------------------------------------------------------ */

START_TEST(redeem_exactly_once)
{
    issue_simple("R1", 30);
    t.now += HOUR;
    redeem_ok("R1", LTY_TIME_NOW);
    lty_reward r = get_ok("R1");
    ck_assert_int_eq(r.state, LTY_REWARD_REDEEMED);
    ck_assert_int_eq(r.closed, LTY_TEST_NOW + HOUR);
    ck_assert_int_eq(r.issued, LTY_TEST_NOW);

    REFUSED(lty_reward_redeem(t.e, "R1", LTY_TIME_NOW), LTY_ESTATE,
            "already redeemed", NULL);
    REFUSED(lty_reward_redeem(t.e, "R1", LTY_TEST_NOW), LTY_ESTATE,
            "already redeemed", NULL);
    REFUSED(lty_reward_void(t.e, "R1"), LTY_ESTATE, "already redeemed", NULL);

    /* An explicit redemption time is recorded as given. */
    issue_simple("R2", 30);
    redeem_ok("R2", LTY_TEST_NOW + 100);
    ck_assert_int_eq(get_ok("R2").closed, LTY_TEST_NOW + 100);

    issue_simple("R3", 30);
    REFUSED(lty_reward_redeem(t.e, "R3", -1), LTY_EINVALID, "redemption time",
            NULL);
    REFUSED(lty_reward_redeem(t.e, "R3", LTY_TIME_MAX + 1), LTY_EINVALID,
            "redemption time", NULL);
    REFUSED(lty_reward_redeem(t.e, "nope", LTY_TIME_NOW), LTY_ENOTFOUND,
            "reward", NULL);
    REFUSED(lty_reward_redeem(t.e, "", LTY_TIME_NOW), LTY_EINVALID,
            "reward code", NULL);
    REFUSED(lty_reward_redeem(t.e, NULL, LTY_TIME_NOW), LTY_EINVALID,
            "reward code", NULL);
    char longcode[LTY_ID_MAX + 2];
    memset(longcode, 'x', LTY_ID_MAX + 1);
    longcode[LTY_ID_MAX + 1] = '\0';
    REFUSED(lty_reward_redeem(t.e, longcode, LTY_TIME_NOW), LTY_EINVALID,
            "reward code", longcode);
    ck_assert_int_eq(lty_reward_redeem(NULL, "R3", LTY_TIME_NOW),
                     LTY_EINVALID);
    ck_assert_int_eq(get_ok("R3").state, LTY_REWARD_ISSUED);
}
END_TEST

START_TEST(expiry_is_the_end_of_the_local_day)
{
    /* Issued 2026-03-01 23:30 KST (14:30Z), one day: redeemable until
     * 2026-03-02 23:59:59 KST (14:59:59Z). */
    t.now = LTY_TEST_NOW + 14 * HOUR + 30 * 60;
    int64_t end = LTY_TEST_NOW + DAY + 14 * HOUR + 59 * 60 + 59;
    issue_simple("E1", 1);
    issue_simple("E2", 1);
    issue_simple("E3", 1);
    ck_assert_int_eq(get_ok("E1").expires, end);

    redeem_ok("E1", end);
    REFUSED(lty_reward_redeem(t.e, "E2", end + 1), LTY_ESTATE,
            "reward: expired", NULL);
    t.now = end;
    redeem_ok("E2", LTY_TIME_NOW);
    t.now = end + 1;
    REFUSED(lty_reward_redeem(t.e, "E3", LTY_TIME_NOW), LTY_ESTATE,
            "reward: expired", NULL);
    ck_assert_int_eq(get_ok("E3").state, LTY_REWARD_ISSUED);
    /* An expired reward can still be withdrawn. */
    ck_assert_int_eq(lty_reward_void(t.e, "E3"), LTY_OK);

    /* 2026-03-02 00:30 KST is still 2026-03-01 in UTC: the local day
     * counts, so one day runs to 2026-03-03 23:59:59 KST. */
    t.now = LTY_TEST_NOW + 15 * HOUR + 30 * 60;
    issue_simple("F1", 1);
    ck_assert_int_eq(get_ok("F1").expires,
                     LTY_TEST_NOW + 2 * DAY + 14 * HOUR + 59 * 60 + 59);
    issue_simple("F2", 0);
    ck_assert_int_eq(get_ok("F2").expires, LTY_TIME_NONE);
    redeem_ok("F2", LTY_TIME_MAX);
    issue_simple("F3", 3660);
    ck_assert_int_eq(get_ok("F3").expires, kst_day_end(t.now, 3660));

    /* Near the end of supported time the expiry is clamped. */
    t.now = LTY_TIME_MAX - DAY;
    issue_simple("F4", 3660);
    ck_assert_int_eq(get_ok("F4").expires, LTY_TIME_MAX);
    redeem_ok("F4", LTY_TIME_MAX);
}
END_TEST

/* Central European time around 2026-03-29, switching from +60 to +120
 * minutes at zone_switch. */
static int64_t zone_switch;

static int cet_zone(int64_t utc, void *ud)
{
    (void)ud;
    return utc < zone_switch ? 60 : 120;
}

START_TEST(expiry_follows_a_daylight_saving_zone)
{
    lty_test_env z;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.tz_offset = cet_zone;
    lty_test_env_open_with(&z, &o);
    lty_test_customer(z.e, "c1", NULL, NULL);
    int64_t mar29 = LTY_TEST_NOW + 28 * DAY; /* 2026-03-29T00:00Z */
    z.now = mar29 - 12 * HOUR;               /* 2026-03-28 13:00 CET */
    lty_reward_spec s = spec("D1", "c1");
    s.valid_days = 1;

    /* The real switch, 02:00 CET: the 29th ends at 23:59:59 CEST. */
    zone_switch = mar29 + HOUR;
    issue_ok_on(z.e, &s);
    lty_reward r = LTY_REWARD_INIT;
    ck_assert_int_eq(lty_reward_get(z.e, "D1", &r), LTY_OK);
    ck_assert_int_eq(r.expires, mar29 + 21 * HOUR + 59 * 60 + 59);

    /* A switch exactly at local midnight: the 29th's last second is
     * 23:59:59 CET, the next second is already 01:00 CEST. */
    zone_switch = mar29 + 23 * HOUR;
    s.code = "D2";
    issue_ok_on(z.e, &s);
    ck_assert_int_eq(lty_reward_get(z.e, "D2", &r), LTY_OK);
    ck_assert_int_eq(r.expires, mar29 + 22 * HOUR + 59 * 60 + 59);
    lty_test_env_close(&z);
}
END_TEST

START_TEST(void_withdraws_an_issued_reward)
{
    issue_simple("V1", 30);
    t.now += 60;
    ck_assert_int_eq(lty_reward_void(t.e, "V1"), LTY_OK);
    lty_reward r = get_ok("V1");
    ck_assert_int_eq(r.state, LTY_REWARD_VOID);
    ck_assert_int_eq(r.closed, LTY_TEST_NOW + 60);
    REFUSED(lty_reward_redeem(t.e, "V1", LTY_TIME_NOW), LTY_ESTATE,
            "reward: void", NULL);
    REFUSED(lty_reward_void(t.e, "V1"), LTY_ESTATE, "reward: void", NULL);
    REFUSED(lty_reward_void(t.e, "V2"), LTY_ENOTFOUND, "reward", NULL);
    REFUSED(lty_reward_void(t.e, ""), LTY_EINVALID, "reward code", NULL);
    REFUSED(lty_reward_void(t.e, "bad\ncode"), LTY_EINVALID, "reward code",
            NULL);
    ck_assert_int_eq(lty_reward_void(NULL, "V1"), LTY_EINVALID);

    size_t count = 0;
    lty_reward list[1] = {LTY_REWARD_INIT};
    ck_assert_int_eq(lty_reward_list(t.e, "c1", list, 1, &count), LTY_OK);
    ck_assert_uint_eq(count, 1);
    ck_assert_int_eq(list[0].state, LTY_REWARD_VOID);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Refusals                                                            */
/* ------------------------------------------------------------------ */

START_TEST(bad_specs_are_refused_without_writing)
{
    char longid[LTY_ID_MAX + 2], longname[LTY_TITLE_MAX + 2];
    memset(longid, 'k', LTY_ID_MAX + 1);
    longid[LTY_ID_MAX + 1] = '\0';
    memset(longname, 'N', LTY_TITLE_MAX + 1);
    longname[LTY_TITLE_MAX + 1] = '\0';
    lty_reward_spec s;

    REFUSED(lty_reward_issue(t.e, NULL), LTY_EINVALID, "reward spec", NULL);
    ck_assert_int_eq(lty_reward_issue(NULL, NULL), LTY_EINVALID);
    s = spec("R1", "c1");
    s.version = 0;
    REFUSED(lty_reward_issue(t.e, &s), LTY_EVERSION, "reward spec", NULL);
    s.version = LTY_REWARD_SPEC_VERSION + 1;
    REFUSED(lty_reward_issue(t.e, &s), LTY_EVERSION, "reward spec", NULL);

    static const char *const bad_ids[] = {NULL, "", "a\x01z", "\xC0\xAF",
                                          "tab\there"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof *bad_ids; i++) {
        s = spec(bad_ids[i], "c1");
        REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "reward code", NULL);
        s = spec("R1", bad_ids[i]);
        REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "customer id", NULL);
    }
    s = spec(longid, "c1");
    REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "reward code", longid);
    s = spec("R1", longid);
    REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "customer id", longid);
    s = spec("R1", "c1");
    s.program_id = longid;
    REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "program id", longid);
    s.program_id = "line\nbreak";
    REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "program id", NULL);

    static const char *const bad_names[] = {NULL, "", "Kim\x01Minji",
                                            "\xED\xA0\x80"};
    for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
        s = spec("R1", "c1");
        s.name = bad_names[i];
        REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "reward name",
                bad_names[i]);
    }
    s.name = longname;
    REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "reward name", longname);

    static const int bad_kinds[] = {0, 4, -1};
    for (size_t i = 0; i < sizeof bad_kinds / sizeof *bad_kinds; i++) {
        s = spec("R1", "c1");
        s.kind = (lty_reward_kind)bad_kinds[i];
        REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "reward kind", NULL);
    }
    s = spec("R1", "c1");
    s.value = -1;
    REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "reward value", NULL);
    s.value = INT64_MIN;
    REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "reward value", NULL);
    s = spec("R1", "c1");
    s.valid_days = -1;
    REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "valid_days", NULL);
    s.valid_days = 3661;
    REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "valid_days", NULL);
    static const int bad_sources[] = {0, LTY_REWARD_BY_RULE,
                                      LTY_REWARD_BY_DRAW, 5};
    for (size_t i = 0; i < sizeof bad_sources / sizeof *bad_sources; i++) {
        s = spec("R1", "c1");
        s.source = (lty_reward_source)bad_sources[i];
        REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "reward source",
                NULL);
    }

    s = spec("R1", "nobody");
    REFUSED(lty_reward_issue(t.e, &s), LTY_ENOTFOUND, "customer: not found",
            NULL);
    s = spec("R1", "c1");
    s.program_id = "no-such-program";
    REFUSED(lty_reward_issue(t.e, &s), LTY_ENOTFOUND, "program: not found",
            NULL);

    /* The limits themselves are accepted. */
    char maxid[LTY_ID_MAX + 1], maxname[LTY_TITLE_MAX + 1];
    memset(maxid, 'm', LTY_ID_MAX);
    maxid[LTY_ID_MAX] = '\0';
    memset(maxname, 'n', LTY_TITLE_MAX);
    maxname[LTY_TITLE_MAX] = '\0';
    s = spec(maxid, "c1");
    s.name = maxname;
    s.value = 0;
    s.valid_days = 3660;
    s.kind = LTY_REWARD_CASH;
    issue_ok(&s);
    ck_assert_str_eq(get_ok(maxid).name, maxname);
}
END_TEST

START_TEST(duplicate_code_is_eexists)
{
    lty_reward_spec s = spec("DUP", "c1");
    s.name = "Kim Minji birthday cake";
    issue_ok(&s);
    REFUSED(lty_reward_issue(t.e, &s), LTY_EEXISTS, "reward code",
            "Kim Minji");
    s.customer_id = "c2";
    REFUSED(lty_reward_issue(t.e, &s), LTY_EEXISTS,
            "reward code: already issued", "Kim Minji");
    /* also once redeemed */
    redeem_ok("DUP", LTY_TIME_NOW);
    REFUSED(lty_reward_issue(t.e, &s), LTY_EEXISTS, "reward code", NULL);
}
END_TEST

START_TEST(medical_programs_take_only_service_rewards)
{
    define_ladder(t.e, "clinic", 1);
    define_ladder(t.e, "cafe", 0);
    lty_reward_spec s = spec("M1", "c1");
    s.program_id = "clinic";
    s.kind = LTY_REWARD_DISCOUNT;
    REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID,
            "reward kind: cash-equivalent rewards are not allowed in a "
            "medical program",
            NULL);
    s.kind = LTY_REWARD_CASH;
    REFUSED(lty_reward_issue(t.e, &s), LTY_EINVALID, "medical program", NULL);
    s.kind = LTY_REWARD_SERVICE;
    issue_ok(&s);
    ck_assert_str_eq(get_ok("M1").program_id, "clinic");

    s = spec("M2", "c1");
    s.program_id = "cafe";
    s.kind = LTY_REWARD_CASH;
    issue_ok(&s);
    lty_reward r = get_ok("M2");
    ck_assert_str_eq(r.program_id, "cafe");
    ck_assert_int_eq(r.kind, LTY_REWARD_CASH);

    s = spec("M3", "c1");
    s.program_id = "caf"; /* a prefix of an existing id is not that id */
    REFUSED(lty_reward_issue(t.e, &s), LTY_ENOTFOUND, "program", NULL);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The program engine's path (white-box)                               */
/* ------------------------------------------------------------------ */

START_TEST(put_new_is_replay_safe)
{
    int existed = -1;
    char code[LTY_ID_MAX + 1];
    int64_t issued = LTY_TEST_NOW - DAY;
    lty__reward_code(code, "stars", 5, "ev-1", 4, 0);

    ck_assert_int_eq(put_new(t.e, code, "c1", "stars", issued, &existed),
                     LTY_OK);
    ck_assert_int_eq(existed, 0);
    lty_reward r = get_ok(code);
    ck_assert_str_eq(r.customer_id, "c1");
    ck_assert_str_eq(r.program_id, "stars");
    ck_assert_str_eq(r.name, "Gold drink");
    ck_assert_int_eq(r.source, LTY_REWARD_BY_RULE);
    ck_assert_int_eq(r.issued, issued);
    ck_assert_int_eq(r.expires, kst_day_end(issued, 7));
    size_t count = 0;
    ck_assert_int_eq(lty_reward_list(t.e, "c1", NULL, 0, &count), LTY_OK);
    ck_assert_uint_eq(count, 1);

    /* The same reward again (a replayed event): nothing changes, not even
     * a revision. */
    char *before = dump();
    ck_assert_int_eq(put_new(t.e, code, "c1", "stars", issued + 5, &existed),
                     LTY_OK);
    ck_assert_int_eq(existed, 1);
    char *after = dump();
    ck_assert_str_eq(before, after);
    free(after);
    free(before);

    /* The code for anyone else is taken. */
    REFUSED(put_new(t.e, code, "c2", "stars", issued, &existed), LTY_EEXISTS,
            "reward code", NULL);
    REFUSED(put_new(t.e, code, "c1", "other", issued, &existed), LTY_EEXISTS,
            "reward code", NULL);
    REFUSED(put_new(t.e, code, "c1", NULL, issued, &existed), LTY_EEXISTS,
            "reward code", NULL);
    REFUSED(put_new(t.e, code, "c1", "star", issued, &existed), LTY_EEXISTS,
            "reward code", NULL);

    /* A replay after redemption does not bring the coupon back. */
    redeem_ok(code, LTY_TIME_NOW);
    before = dump();
    ck_assert_int_eq(put_new(t.e, code, "c1", "stars", issued, &existed),
                     LTY_OK);
    ck_assert_int_eq(existed, 1);
    after = dump();
    ck_assert_str_eq(before, after);
    free(after);
    free(before);
    ck_assert_int_eq(get_ok(code).state, LTY_REWARD_REDEEMED);

    /* Without a program, and a hand-issued code replayed by a rule is a
     * replay only for the same customer and (no) program. */
    ck_assert_int_eq(put_new(t.e, "plain", "c1", NULL, issued, &existed),
                     LTY_OK);
    ck_assert_int_eq(existed, 0);
    ck_assert_str_eq(get_ok("plain").program_id, "");
    ck_assert_int_eq(put_new(t.e, "plain", "c1", NULL, issued, &existed),
                     LTY_OK);
    ck_assert_int_eq(existed, 1);
    issue_simple("hand", 1);
    ck_assert_int_eq(put_new(t.e, "hand", "c1", NULL, issued, &existed),
                     LTY_OK);
    ck_assert_int_eq(existed, 1);
    ck_assert_int_eq(get_ok("hand").source, LTY_REWARD_BY_HAND);

    /* Bad internal input is refused, not stored. */
    REFUSED(put_new(t.e, "", "c1", NULL, issued, &existed), LTY_EINVALID,
            "reward code", NULL);
    REFUSED(put_new(t.e, "x", "c1", NULL, -5, &existed), LTY_EINVALID,
            "reward issued", NULL);
}
END_TEST

/* An independent FNV-1a 64 over one buffer. */
static uint64_t fnv(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

START_TEST(reward_codes_are_derived_from_their_cause)
{
    /* FNV-1a 64 reference values, and continuation. */
    ck_assert_uint_eq(lty__hash64(LTY__HASH_SEED, "", 0), LTY__HASH_SEED);
    ck_assert_uint_eq(lty__hash64(LTY__HASH_SEED, "a", 1),
                      UINT64_C(0xaf63dc4c8601ec8c));
    ck_assert_uint_eq(lty__hash64(LTY__HASH_SEED, "foobar", 6),
                      UINT64_C(0x85944171f73967e8));
    ck_assert_uint_eq(lty__hash64(lty__hash64(LTY__HASH_SEED, "foo", 3),
                                  "bar", 3),
                      UINT64_C(0x85944171f73967e8));

    char a[LTY_ID_MAX + 1], b[LTY_ID_MAX + 1], want[LTY_ID_MAX + 1];
    static const unsigned char in[] = "stars\0ev1\0\x04\x03\x02\x01";
    lty__reward_code(a, "stars", 5, "ev1", 3, 0x01020304u);
    snprintf(want, sizeof want, "stars-%016" PRIx64, fnv(in, sizeof in - 1));
    ck_assert_str_eq(a, want);
    lty__reward_code(b, "stars", 5, "ev1", 3, 0x01020304u);
    ck_assert_str_eq(a, b);
    lty__reward_code(b, "stars", 5, "ev1", 3, 0);
    ck_assert_str_ne(a, b);
    lty__reward_code(a, "stars", 5, "ev2", 3, 0);
    ck_assert_str_ne(a, b);
    /* "ab"+"c" and "a"+"bc" differ: the separator is hashed */
    lty__reward_code(a, "ab", 2, "c", 1, 0);
    lty__reward_code(b, "a", 1, "bc", 2, 0);
    ck_assert_str_ne(a + 3, b + 2);

    /* Long program ids are cut so the code fits LTY_ID_MAX ... */
    char p64[LTY_ID_MAX + 1];
    memset(p64, 'p', LTY_ID_MAX);
    p64[LTY_ID_MAX] = '\0';
    lty__reward_code(a, p64, LTY_ID_MAX, "ev1", 3, 0);
    ck_assert_uint_eq(strlen(a), LTY_ID_MAX);
    ck_assert_int_eq(a[LTY_ID_MAX - 17], '-');
    ck_assert_int_eq(strspn(a, "p"), LTY_ID_MAX - 17);
    /* ... while the hash covers the whole id */
    p64[LTY_ID_MAX - 1] = 'q';
    lty__reward_code(b, p64, LTY_ID_MAX, "ev1", 3, 0);
    ck_assert_str_ne(a, b);
    /* 47 bytes fit as they are */
    lty__reward_code(a, p64, LTY_ID_MAX - 17, "ev1", 3, 0);
    ck_assert_uint_eq(strlen(a), LTY_ID_MAX);
    /* ... and at a character boundary: 21 three-byte characters (63
     * bytes) keep 15 of them (45 bytes). */
    char hangul[64] = "";
    for (int i = 0; i < 21; i++)
        strcat(hangul, "가");
    lty__reward_code(a, hangul, strlen(hangul), "ev1", 3, 7);
    ck_assert_uint_eq(strlen(a), 45 + 17);
    ck_assert_int_eq(memcmp(a, hangul, 45), 0);
    ck_assert_int_eq(a[45], '-');
    /* the code is a valid id: it can be issued and read back */
    lty_reward_spec s = spec(a, "c1");
    issue_ok(&s);
    ck_assert_str_eq(get_ok(a).code, a);
    /* no program */
    lty__reward_code(a, NULL, 0, "ev1", 3, 0);
    ck_assert_uint_eq(strlen(a), 17);
    ck_assert_int_eq(a[0], '-');
}
END_TEST

/* ------------------------------------------------------------------ */
/* Two engines                                                         */
/* ------------------------------------------------------------------ */

typedef struct racer {
    lty_engine *e;
    pthread_barrier_t *start;
    const char *code;
    int rc;
    char err[LTY__ERRMSG_MAX];
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    pthread_barrier_wait(r->start);
    r->rc = lty_reward_redeem(r->e, r->code, LTY_TIME_NOW);
    snprintf(r->err, sizeof r->err, "%s", lty_engine_last_error(r->e));
    return NULL;
}

START_TEST(two_engines_redeem_one_code_once)
{
    lty_engine *e2 = lty_test_env_engine(&t);
    for (int i = 0; i < 50; i++) {
        char code[32];
        snprintf(code, sizeof code, "RACE-%d", i);
        issue_simple(code, 30);
        pthread_barrier_t start;
        pthread_t ta, tb;
        ck_assert_int_eq(pthread_barrier_init(&start, NULL, 2), 0);
        racer a = {t.e, &start, code, 0, ""};
        racer b = {e2, &start, code, 0, ""};
        ck_assert_int_eq(pthread_create(&ta, NULL, race, &a), 0);
        ck_assert_int_eq(pthread_create(&tb, NULL, race, &b), 0);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        pthread_barrier_destroy(&start);
        racer *won = a.rc == LTY_OK ? &a : &b;
        racer *lost = a.rc == LTY_OK ? &b : &a;
        ck_assert_msg(won->rc == LTY_OK && lost->rc == LTY_ESTATE,
                      "round %d: %s and %s", i, lty_strerror(a.rc),
                      lty_strerror(b.rc));
        ck_assert_msg(strstr(lost->err, "already redeemed") != NULL,
                      "round %d: '%s'", i, lost->err);
    }
    lty_engine_free(e2);
}
END_TEST

/* A connection that lets another engine redeem between this engine's read
 * of a reward and its write: the memory store serialises transactions, so
 * the wrapper ends the transaction after the read, runs the other engine,
 * and opens a new one.  The stale revision must then conflict for real. */
typedef struct interleave {
    lty_storage_ops inner;
    void *inner_ud;
    lty_engine *other;
    const char *code;
    int armed;
    int other_rc;
    int reward_gets;
} interleave;

static int il_begin(void *ud)
{
    interleave *w = ud;
    return w->inner.begin(w->inner_ud);
}

static int il_commit(void *ud)
{
    interleave *w = ud;
    return w->inner.commit(w->inner_ud);
}

static int il_rollback(void *ud)
{
    interleave *w = ud;
    return w->inner.rollback(w->inner_ud);
}

static int il_get(const char *key, size_t keylen, lty_buf *v, uint64_t *rev,
                  void *ud)
{
    interleave *w = ud;
    int rc = w->inner.get(key, keylen, v, rev, w->inner_ud);
    if (keylen > 2 && key[0] == 'W' && key[1] == '\0') {
        w->reward_gets++;
        if (rc == LTY_OK && w->armed) {
            w->armed = 0;
            ck_assert_int_eq(w->inner.rollback(w->inner_ud), LTY_OK);
            w->other_rc = lty_reward_redeem(w->other, w->code, LTY_TIME_NOW);
            ck_assert_int_eq(w->inner.begin(w->inner_ud), LTY_OK);
        }
    }
    return rc;
}

static int il_put(const char *key, size_t keylen, const void *v, size_t n,
                  uint64_t expected, uint64_t *new_rev, void *ud)
{
    interleave *w = ud;
    return w->inner.put(key, keylen, v, n, expected, new_rev, w->inner_ud);
}

static int il_del(const char *key, size_t keylen, uint64_t expected, void *ud)
{
    interleave *w = ud;
    return w->inner.del(key, keylen, expected, w->inner_ud);
}

static int il_scan(const char *prefix, size_t plen, const char *after,
                   size_t alen, lty_scan_fn each, void *ctx, void *ud)
{
    interleave *w = ud;
    return w->inner.scan(prefix, plen, after, alen, each, ctx, w->inner_ud);
}

static void il_destroy(void *ud)
{
    interleave *w = ud;
    if (w->inner.destroy)
        w->inner.destroy(w->inner_ud);
}

static int64_t env_clock(void *ud)
{
    return ((lty_test_env *)ud)->now;
}

START_TEST(a_redemption_between_read_and_write_conflicts)
{
    interleave w;
    memset(&w, 0, sizeof w);
    ck_assert_int_eq(lty_memstore_connect(t.ms, &w.inner, &w.inner_ud),
                     LTY_OK);
    lty_storage_ops ops = LTY_STORAGE_OPS_INIT;
    ops.begin = il_begin;
    ops.commit = il_commit;
    ops.rollback = il_rollback;
    ops.get = il_get;
    ops.put = il_put;
    ops.del = il_del;
    ops.scan = il_scan;
    ops.destroy = il_destroy;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.storage = &ops;
    o.storage_userdata = &w;
    o.clock = env_clock;
    o.clock_userdata = &t;
    o.utc_offset_minutes = 540;
    lty_engine *ea = NULL;
    ck_assert_int_eq(lty_engine_new(&ea, &o), LTY_OK);

    issue_simple("ONE", 30);
    w.other = t.e;
    w.code = "ONE";
    w.armed = 1;
    t.now += 60;
    int rc = lty_reward_redeem(ea, "ONE", LTY_TIME_NOW);
    ck_assert_int_eq(w.other_rc, LTY_OK);
    ck_assert_msg(rc == LTY_ESTATE, "%s (%s)", lty_strerror(rc),
                  lty_engine_last_error(ea));
    ck_assert_ptr_nonnull(strstr(lty_engine_last_error(ea),
                                 "already redeemed"));
    /* read, conflicting write, retry's read */
    ck_assert_int_eq(w.reward_gets, 2);
    lty_reward r = get_ok("ONE");
    ck_assert_int_eq(r.state, LTY_REWARD_REDEEMED);
    ck_assert_int_eq(r.closed, LTY_TEST_NOW + 60);

    /* The same with a void in between. */
    issue_simple("TWO", 30);
    w.code = "TWO";
    w.armed = 1;
    w.reward_gets = 0;
    rc = lty_reward_void(ea, "TWO");
    ck_assert_int_eq(w.other_rc, LTY_OK);
    ck_assert_int_eq(rc, LTY_ESTATE);
    ck_assert_int_eq(w.reward_gets, 2);
    lty_engine_free(ea);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Corrupt records                                                     */
/* ------------------------------------------------------------------ */

/* A tiny record writer for hand-made (and hand-broken) rewards. */
typedef struct rec {
    unsigned char b[1024];
    size_t n;
} rec;

static void rec_varint(rec *r, uint64_t v)
{
    while (v >= 0x80) {
        r->b[r->n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    r->b[r->n++] = (unsigned char)v;
}

static void rec_begin(rec *r, unsigned kind, unsigned version)
{
    r->n = 0;
    r->b[r->n++] = (unsigned char)kind;
    r->b[r->n++] = (unsigned char)version;
}

static void rec_u64(rec *r, unsigned tag, uint64_t v)
{
    rec_varint(r, (uint64_t)tag << 3);
    rec_varint(r, v);
}

static void rec_bytes(rec *r, unsigned tag, const void *p, size_t n)
{
    rec_varint(r, (uint64_t)tag << 3 | 2);
    rec_varint(r, n);
    memcpy(r->b + r->n, p, n);
    r->n += n;
}

static void rec_str(rec *r, unsigned tag, const char *s)
{
    rec_bytes(r, tag, s, strlen(s));
}

/* The fields a record needs, tag by tag, with some replaced or left out:
 * skip names a tag to leave out; override a tag whose value (or text) is
 * given instead. */
typedef struct fields {
    const char *customer, *program, *name;
    uint64_t kind, value, source, state, issued, expires, closed;
    int has_expires, has_closed;
} fields;

static fields good_fields(void)
{
    fields f;
    memset(&f, 0, sizeof f);
    f.customer = "c1";
    f.name = "Drink";
    f.kind = 1;
    f.source = 4;
    f.state = 1;
    f.issued = (uint64_t)LTY_TEST_NOW;
    return f;
}

static void rec_reward(rec *r, const fields *f, unsigned skip)
{
    rec_begin(r, 9, 1);
    if (f->customer && skip != 1)
        rec_str(r, 1, f->customer);
    if (f->program && skip != 2)
        rec_str(r, 2, f->program);
    if (f->name && skip != 3)
        rec_str(r, 3, f->name);
    if (skip != 4)
        rec_u64(r, 4, f->kind);
    if (f->value && skip != 5)
        rec_u64(r, 5, f->value);
    if (skip != 6)
        rec_u64(r, 6, f->source);
    if (skip != 7)
        rec_u64(r, 7, f->state);
    if (skip != 8)
        rec_u64(r, 8, f->issued);
    if (f->has_expires && skip != 9)
        rec_u64(r, 9, f->expires);
    if (f->has_closed && skip != 10)
        rec_u64(r, 10, f->closed);
}

static int get_with(const rec *r)
{
    char key[LTY_ID_MAX + 8];
    lty_reward out = LTY_REWARD_INIT;
    put_raw(key, reward_key(key, "K1"), r->b, r->n);
    int rc = lty_reward_get(t.e, "K1", &out);
    if (rc == LTY_OK)
        ck_assert_str_eq(out.code, "K1");
    return rc;
}

static int get_fields(const fields *f)
{
    rec r;
    rec_reward(&r, f, 0);
    return get_with(&r);
}

START_TEST(hand_made_rewards_decode_or_are_ecorrupt)
{
    rec r;
    fields f = good_fields();
    ck_assert_int_eq(get_fields(&f), LTY_OK);
    f.program = "stars";
    f.value = 123;
    f.has_expires = 1;
    f.expires = f.issued;
    f.state = 2;
    f.has_closed = 1;
    f.closed = 0; /* any time, 1970 included */
    ck_assert_int_eq(get_fields(&f), LTY_OK);
    {
        lty_reward o = get_ok("K1");
        ck_assert_str_eq(o.program_id, "stars");
        ck_assert_int_eq(o.value, 123);
        ck_assert_int_eq(o.state, LTY_REWARD_REDEEMED);
        ck_assert_int_eq(o.expires, LTY_TEST_NOW);
    }

    /* Each required field left out. */
    static const unsigned required[] = {1, 3, 4, 6, 7, 8};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++) {
        f = good_fields();
        rec_reward(&r, &f, required[i]);
        ck_assert_msg(get_with(&r) == LTY_ECORRUPT, "without tag %u",
                      required[i]);
        lty_assert_err_mentions(t.e, "reward record: malformed");
    }

    /* Values out of range. */
#define BAD(field, v)                                                      \
    do {                                                                    \
        f = good_fields();                                                  \
        f.field = (v);                                                      \
        ck_assert_msg(get_fields(&f) == LTY_ECORRUPT, "%s = %s", #field,    \
                      #v);                                                  \
    } while (0)
    BAD(kind, 0);
    BAD(kind, 4);
    BAD(source, 0);
    BAD(source, 5);
    BAD(state, 0);
    BAD(state, 4);
    BAD(issued, (uint64_t)LTY_TIME_MAX + 1);
    BAD(value, (uint64_t)INT64_MAX + 1);
    BAD(customer, "");
    BAD(customer, "c\x01");
    BAD(customer, "\xC0\xAF");
    BAD(program, "");
    BAD(name, "");
    BAD(name, "Bad\nName");
    BAD(name, "\xF5\x80\x80\x80");
    BAD(customer, "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
                  "ccccccc"); /* 65 bytes */
    BAD(name, "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
              "nnn"); /* 65 bytes */
#undef BAD
    /* expiry before issue, or past the supported range */
    f = good_fields();
    f.has_expires = 1;
    f.expires = f.issued - 1;
    ck_assert_int_eq(get_fields(&f), LTY_ECORRUPT);
    f.expires = (uint64_t)LTY_TIME_MAX + 1;
    ck_assert_int_eq(get_fields(&f), LTY_ECORRUPT);
    /* closed exactly when no longer issued */
    f = good_fields();
    f.has_closed = 1;
    f.closed = f.issued;
    ck_assert_int_eq(get_fields(&f), LTY_ECORRUPT);
    f = good_fields();
    f.state = 3;
    ck_assert_int_eq(get_fields(&f), LTY_ECORRUPT);
    f.has_closed = 1;
    f.closed = (uint64_t)LTY_TIME_MAX + 1;
    ck_assert_int_eq(get_fields(&f), LTY_ECORRUPT);
    f.closed = f.issued;
    ck_assert_int_eq(get_fields(&f), LTY_OK);

    /* A NUL inside a text, a number sent as text, text as a number. */
    f = good_fields();
    rec_begin(&r, 9, 1);
    rec_bytes(&r, 1, "c\0001", 3);
    ck_assert_int_eq(get_with(&r), LTY_ECORRUPT);
    rec_begin(&r, 9, 1);
    rec_str(&r, 1, "c1");
    rec_str(&r, 3, "Drink");
    rec_str(&r, 4, "1");
    ck_assert_int_eq(get_with(&r), LTY_ECORRUPT);
    rec_begin(&r, 9, 1);
    rec_u64(&r, 1, 7);
    ck_assert_int_eq(get_with(&r), LTY_ECORRUPT);
    /* a repeated field, tags going backwards */
    rec_reward(&r, &f, 0);
    rec_u64(&r, 8, (uint64_t)LTY_TEST_NOW);
    ck_assert_int_eq(get_with(&r), LTY_ECORRUPT);
    rec_reward(&r, &f, 0);
    rec_str(&r, 3, "Late");
    ck_assert_int_eq(get_with(&r), LTY_ECORRUPT);
    /* headers */
    rec_reward(&r, &f, 0);
    r.b[0] = 2;
    ck_assert_int_eq(get_with(&r), LTY_ECORRUPT);
    rec_reward(&r, &f, 0);
    r.b[1] = 0;
    ck_assert_int_eq(get_with(&r), LTY_ECORRUPT);
    rec_reward(&r, &f, 0);
    r.b[1] = 2;
    ck_assert_int_eq(get_with(&r), LTY_EVERSION);
    lty_assert_err_mentions(t.e, "newer library");
    r.n = 0;
    ck_assert_int_eq(get_with(&r), LTY_ECORRUPT);
    /* fields of a later minor version are skipped */
    rec_reward(&r, &f, 0);
    rec_u64(&r, 11, 5);
    rec_str(&r, 999, "future");
    ck_assert_int_eq(get_with(&r), LTY_OK);
}
END_TEST

START_TEST(truncated_and_flipped_rewards_never_crash)
{
    char key[LTY_ID_MAX + 8];
    size_t kn = reward_key(key, "K1");
    raw_value good;
    rec r;
    lty_reward_spec s = spec("K1", "c1");
    s.program_id = NULL;
    s.value = 300;
    issue_ok(&s);
    redeem_ok("K1", LTY_TIME_NOW);
    ck_assert_int_eq(get_raw(key, kn, &good), 1);
    ck_assert_uint_le(good.len, sizeof r.b);

    for (size_t len = 0; len < good.len; len++) {
        memcpy(r.b, good.data, len);
        r.n = len;
        int rc = get_with(&r);
        ck_assert_msg(rc == LTY_OK || rc == LTY_ECORRUPT, "prefix %zu: %s",
                      len, lty_strerror(rc));
        if (len < 4)
            ck_assert_int_eq(rc, LTY_ECORRUPT);
    }
    for (size_t i = 0; i < good.len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(r.b, good.data, good.len);
            r.n = good.len;
            r.b[i] ^= (unsigned char)(1u << bit);
            int rc = get_with(&r);
            ck_assert_msg(rc == LTY_OK || rc == LTY_ECORRUPT ||
                              rc == LTY_EVERSION,
                          "byte %zu bit %d: %s", i, bit, lty_strerror(rc));
        }
    }
    memcpy(r.b, good.data, good.len);
    r.n = good.len;
    ck_assert_int_eq(get_with(&r), LTY_OK);
}
END_TEST

START_TEST(corrupt_records_refuse_every_call)
{
    char key[LTY_ID_MAX + 8];
    static const unsigned char junk[] = {9, 1, 0xff, 0xff, 0xff};
    issue_simple("K1", 30);
    put_raw(key, reward_key(key, "K1"), junk, sizeof junk);

    lty_reward r = LTY_REWARD_INIT;
    ck_assert_int_eq(lty_reward_get(t.e, "K1", &r), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "reward record");
    REFUSED(lty_reward_redeem(t.e, "K1", LTY_TIME_NOW), LTY_ECORRUPT,
            "reward record", NULL);
    REFUSED(lty_reward_void(t.e, "K1"), LTY_ECORRUPT, "reward record", NULL);
    size_t count = 0;
    lty_reward list[2] = {LTY_REWARD_INIT, LTY_REWARD_INIT};
    ck_assert_int_eq(lty_reward_list(t.e, "c1", list, 2, &count),
                     LTY_ECORRUPT);
    ck_assert_uint_eq(count, 0);
    /* counting alone does not read the records */
    ck_assert_int_eq(lty_reward_list(t.e, "c1", NULL, 0, &count), LTY_OK);
    ck_assert_uint_eq(count, 1);
    int existed = -1;
    REFUSED(put_new(t.e, "K1", "c1", NULL, LTY_TEST_NOW, &existed),
            LTY_ECORRUPT, "reward record", NULL);
    lty_reward_spec s = spec("K1", "c1");
    REFUSED(lty_reward_issue(t.e, &s), LTY_EEXISTS, "reward code", NULL);
}
END_TEST

START_TEST(corrupt_index_entries_are_ecorrupt)
{
    char key[2 * LTY_ID_MAX + 16];
    size_t count = 0;
    lty_reward list[2] = {LTY_REWARD_INIT, LTY_REWARD_INIT};
    issue_simple("K1", 30);

    /* An entry whose reward does not exist. */
    put_raw(key, index_key(key, "c2", "GHOST", 5), "", 0);
    ck_assert_int_eq(lty_reward_list(t.e, "c2", list, 2, &count),
                     LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "reward index");
    ck_assert_int_eq(t.ops.del(key, index_key(key, "c2", "GHOST", 5),
                               LTY_REV_ANY, t.ud),
                     LTY_OK);
    /* An entry naming another customer's reward. */
    put_raw(key, index_key(key, "c2", "K1", 2), "", 0);
    ck_assert_int_eq(lty_reward_list(t.e, "c2", list, 2, &count),
                     LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "another customer");
    ck_assert_int_eq(t.ops.del(key, index_key(key, "c2", "K1", 2),
                               LTY_REV_ANY, t.ud),
                     LTY_OK);
    ck_assert_int_eq(lty_reward_list(t.e, "c2", list, 2, &count), LTY_OK);
    ck_assert_uint_eq(count, 0);
    /* Codes that no reward can have. */
    char longcode[LTY_ID_MAX + 1];
    memset(longcode, 'x', sizeof longcode);
    put_raw(key, index_key(key, "c2", longcode, sizeof longcode), "", 0);
    ck_assert_int_eq(lty_reward_list(t.e, "c2", NULL, 0, &count),
                     LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "reward index key");
    ck_assert_int_eq(t.ops.del(key, index_key(key, "c2", longcode,
                                              sizeof longcode),
                               LTY_REV_ANY, t.ud),
                     LTY_OK);
    put_raw(key, index_key(key, "c2", "", 0), "", 0);
    ck_assert_int_eq(lty_reward_list(t.e, "c2", NULL, 0, &count),
                     LTY_ECORRUPT);
    ck_assert_int_eq(t.ops.del(key, index_key(key, "c2", "", 0), LTY_REV_ANY,
                               t.ud),
                     LTY_OK);
    put_raw(key, index_key(key, "c2", "a\x01", 2), "", 0);
    ck_assert_int_eq(lty_reward_list(t.e, "c2", NULL, 0, &count),
                     LTY_ECORRUPT);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Storage faults                                                      */
/* ------------------------------------------------------------------ */

static void fseed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    lty_test_customer(w->e, "c1", "Kim Minji", "010-1234-5678");
    lty_test_customer(w->e, "c2", "Lee Seojun", NULL);
    define_ladder(w->e, "cafe", 0);
    define_ladder(w->e, "clinic", 1);
    lty_reward_spec s = spec("F-redeem", "c1");
    issue_ok_on(w->e, &s);
    s = spec("F-void", "c1");
    issue_ok_on(w->e, &s);
    int existed = -1;
    ck_assert_int_eq(put_new(w->e, "F-rule", "c1", "cafe", LTY_TEST_NOW,
                             &existed),
                     LTY_OK);
    w->now += 60;
}

static void world_open(lty_test_fault_world *w)
{
    lty_test_fault_world_open(w, LTY_TEST_NOW, fseed, NULL);
}

static int do_issue(lty_engine *e)
{
    lty_reward_spec s = spec("F-new", "c2");
    return lty_reward_issue(e, &s);
}

static int do_issue_in_program(lty_engine *e)
{
    lty_reward_spec s = spec("F-new", "c1");
    s.program_id = "clinic";
    return lty_reward_issue(e, &s);
}

static int do_redeem(lty_engine *e)
{
    return lty_reward_redeem(e, "F-redeem", LTY_TIME_NOW);
}

static int do_redeem_at(lty_engine *e)
{
    return lty_reward_redeem(e, "F-redeem", LTY_TEST_NOW + 5);
}

static int do_void(lty_engine *e)
{
    return lty_reward_void(e, "F-void");
}

static int do_put_new(lty_engine *e)
{
    int existed = -1;
    int rc = put_new(e, "F-rule-2", "c1", "cafe", LTY_TEST_NOW, &existed);
    if (rc == LTY_OK && existed != 0)
        rc = LTY_EINVALID;
    return rc;
}

static int do_put_replay(lty_engine *e)
{
    int existed = -1;
    int rc = put_new(e, "F-rule", "c1", "cafe", LTY_TEST_NOW, &existed);
    if (rc == LTY_OK && existed != 1)
        rc = LTY_EINVALID;
    return rc;
}

static const struct {
    const char *name;
    int (*call)(lty_engine *e);
} calls[] = {
    {"issue", do_issue},
    {"issue in a program", do_issue_in_program},
    {"redeem now", do_redeem},
    {"redeem at", do_redeem_at},
    {"void", do_void},
    {"put_new", do_put_new},
    {"put_new replay", do_put_replay},
};
#define NCALLS ((int)(sizeof calls / sizeof *calls))

static void sweep(int i, unsigned flags)
{
    lty_test_fault_spec spec = {
        .name = calls[i].name, .call = calls[i].call, .flags = flags,
        .min_calls = 2, .now = LTY_TEST_NOW, .seed = fseed,
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
    lty_reward r = LTY_REWARD_INIT;
    size_t count = 9;
    lty_faulty_fail_at(w.faulty, 1, LTY_ESTORAGE);
    ck_assert_int_eq(lty_reward_get(w.e, "F-redeem", &r), LTY_ESTORAGE);
    for (long k = 1; k <= 5; k++) {
        lty_faulty_fail_at(w.faulty, k, LTY_ESTORAGE);
        ck_assert_int_eq(lty_reward_list(w.e, "c1", &r, 1, &count),
                         LTY_ESTORAGE);
        ck_assert_uint_eq(count, 0);
    }
    lty_faulty_reset(w.faulty);
    ck_assert_int_eq(lty_reward_list(w.e, "c1", &r, 1, &count), LTY_OK);
    ck_assert_uint_eq(count, 3);
    lty_test_fault_world_close(&w);
}
END_TEST

static Suite *reward_suite(void)
{
    Suite *s = suite_create("reward");
    TCase *tc = tcase_create("issue");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, issue_get_list_round_trip);
    tcase_add_test(tc, read_arguments_are_checked);
    tcase_add_test(tc, redeem_exactly_once);
    tcase_add_test(tc, expiry_is_the_end_of_the_local_day);
    tcase_add_test(tc, expiry_follows_a_daylight_saving_zone);
    tcase_add_test(tc, void_withdraws_an_issued_reward);
    suite_add_tcase(s, tc);

    tc = tcase_create("bad input");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, bad_specs_are_refused_without_writing);
    tcase_add_test(tc, duplicate_code_is_eexists);
    tcase_add_test(tc, medical_programs_take_only_service_rewards);
    suite_add_tcase(s, tc);

    tc = tcase_create("program engine");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, put_new_is_replay_safe);
    tcase_add_test(tc, reward_codes_are_derived_from_their_cause);
    suite_add_tcase(s, tc);

    tc = tcase_create("two engines");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, two_engines_redeem_one_code_once);
    tcase_add_test(tc, a_redemption_between_read_and_write_conflicts);
    suite_add_tcase(s, tc);

    tc = tcase_create("corrupt");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, hand_made_rewards_decode_or_are_ecorrupt);
    tcase_add_test(tc, truncated_and_flipped_rewards_never_crash);
    tcase_add_test(tc, corrupt_records_refuse_every_call);
    tcase_add_test(tc, corrupt_index_entries_are_ecorrupt);
    suite_add_tcase(s, tc);

    tc = tcase_create("faults");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, every_storage_failure_leaves_the_store_unchanged,
                        0, NCALLS);
    tcase_add_loop_test(tc, every_conflict_is_retried_transparently, 0,
                        NCALLS);
    tcase_add_test(tc, failed_reads_report_and_change_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(reward_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
