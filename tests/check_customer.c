/*
 * libloyalty tests - customer profiles: create, read, update, look-ups by
 * phone and e-mail, preferences, notes, tags, anniversaries, consent,
 * refusal of bad input, erasure, and corrupt profile records.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <loyalty.h>

#include "ledger_int.h" /* white-box: decode the aggregates left after erasure */
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

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* The whole store as text (keys, values, revisions); free() it. */
static char *dump(void)
{
    char *d = lty_test_dump(&t.ops, t.ud);
    ck_assert_ptr_nonnull(d);
    return d;
}

/* 1 when any key or value of the store holds the text. */
static int store_contains(const char *text)
{
    int rc = lty_test_dump_contains(&t.ops, t.ud, text, strlen(text));
    ck_assert_int_ge(rc, 0);
    return rc;
}

static lty_customer *get_ok(const char *id)
{
    lty_customer *c = NULL;
    int rc = lty_customer_get(t.e, id, &c);
    ck_assert_msg(rc == LTY_OK, "get: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
    ck_assert_ptr_nonnull(c);
    return c;
}

static int create_full(const char *id, const char *name, const char *phone,
                       const char *email)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = id;
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_EMAIL;
    f.name = name;
    f.phone = phone;
    f.email = email;
    return lty_customer_create(t.e, &f);
}

static int update_phone(const char *id, const char *phone)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = id;
    f.set = LTY_FIELD_PHONE;
    f.phone = phone;
    return lty_customer_update(t.e, &f);
}

static int update_email(const char *id, const char *email)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = id;
    f.set = LTY_FIELD_EMAIL;
    f.email = email;
    return lty_customer_update(t.e, &f);
}

/* The id of the customer a phone finds, or NULL (result in a static). */
static const char *who_has_phone(const char *phone)
{
    static char id[LTY_ID_MAX + 1];
    lty_customer *c = NULL;
    int rc = lty_customer_find_by_phone(t.e, phone, &c);
    if (rc == LTY_ENOTFOUND) {
        ck_assert_ptr_null(c);
        return NULL;
    }
    ck_assert_msg(rc == LTY_OK, "find_by_phone: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
    snprintf(id, sizeof id, "%s", lty_customer_id(c));
    lty_customer_free(c);
    return id;
}

static const char *who_has_email(const char *email)
{
    static char id[LTY_ID_MAX + 1];
    lty_customer *c = NULL;
    int rc = lty_customer_find_by_email(t.e, email, &c);
    if (rc == LTY_ENOTFOUND)
        return NULL;
    ck_assert_msg(rc == LTY_OK, "find_by_email: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
    snprintf(id, sizeof id, "%s", lty_customer_id(c));
    lty_customer_free(c);
    return id;
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

#define REFUSED(call, code, field, value)                                  \
    do {                                                                    \
        char *before_ = dump();                                  \
        int rc_ = (call);                                                   \
        check_refused(before_, rc_, (code), (field), (value), __LINE__);    \
    } while (0)

/* Raw access to one record through the test's own connection. */
static void put_raw(const char *key, size_t keylen, const void *v, size_t n)
{
    ck_assert_int_eq(t.ops.put(key, keylen, v, n, LTY_REV_ANY, NULL, t.ud),
                     LTY_OK);
}

typedef struct raw_value {
    unsigned char data[8192];
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

/* Read one exact key (a prefix scan that stops at the first match, which
 * is the key itself when it exists). */
static int get_raw(const char *key, size_t keylen, raw_value *r)
{
    memset(r, 0, sizeof *r);
    ck_assert_int_eq(t.ops.scan(key, keylen, NULL, 0, raw_each, r, t.ud) < 0,
                     0);
    return r->found;
}

/* "C\0<id>\0<suffix>" */
static size_t customer_key(char *buf, const char *id, char suffix)
{
    size_t n = strlen(id);
    buf[0] = 'C';
    buf[1] = '\0';
    memcpy(buf + 2, id, n);
    buf[2 + n] = '\0';
    buf[3 + n] = suffix;
    return 4 + n;
}

/* ------------------------------------------------------------------ */
/* Create and read                                                     */
/* ------------------------------------------------------------------ */

START_TEST(create_get_round_trip)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    lty_date bd = {1985, 7, 14}, d;
    f.id = "chart-1001";
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_EMAIL |
            LTY_FIELD_BIRTHDAY | LTY_FIELD_PREFERRED_CHANNEL;
    f.name = "김민지";
    f.phone = "010-1234-5678";
    f.email = "MinJi.Kim@Example.com";
    f.birthday = bd;
    f.preferred_channel = LTY_CHANNEL_KAKAO;
    ck_assert_int_eq(lty_customer_create(t.e, &f), LTY_OK);
    ck_assert_str_eq(lty_engine_last_error(t.e), "");

    ck_assert_int_eq(lty_customer_set_preference(t.e, "chart-1001", "doctor",
                                                 "female"), LTY_OK);
    ck_assert_int_eq(lty_customer_set_preference(t.e, "chart-1001", "food",
                                                 "no garlic\nno onion"),
                     LTY_OK);
    ck_assert_int_eq(lty_customer_set_note(t.e, "chart-1001", "allergy",
                                           "penicillin"), LTY_OK);
    ck_assert_int_eq(lty_customer_add_tag(t.e, "chart-1001", "vip"), LTY_OK);
    ck_assert_int_eq(lty_customer_add_tag(t.e, "chart-1001", "referrer"),
                     LTY_OK);
    lty_date wed = {2015, 5, 2};
    ck_assert_int_eq(lty_customer_set_anniversary(t.e, "chart-1001", "wedding",
                                                  &wed), LTY_OK);
    ck_assert_int_eq(lty_customer_set_consent(t.e, "chart-1001",
                                              LTY_CHANNEL_SMS,
                                              LTY_PURPOSE_MARKETING, 1),
                     LTY_OK);

    lty_customer *c = get_ok("chart-1001");
    ck_assert_str_eq(lty_customer_id(c), "chart-1001");
    ck_assert_str_eq(lty_customer_name(c), "김민지");
    ck_assert_str_eq(lty_customer_phone(c), "+821012345678");
    ck_assert_str_eq(lty_customer_email(c), "minji.kim@example.com");
    ck_assert_int_eq(lty_customer_birthday(c, &d), LTY_OK);
    ck_assert_int_eq(d.year, 1985);
    ck_assert_int_eq(d.month, 7);
    ck_assert_int_eq(d.day, 14);
    ck_assert_int_eq(lty_customer_preferred_channel(c), LTY_CHANNEL_KAKAO);
    ck_assert_int_eq(lty_customer_created(c), LTY_TEST_NOW);

    const char *k, *v;
    ck_assert_uint_eq(lty_customer_preference_count(c), 2);
    ck_assert_int_eq(lty_customer_preference_at(c, 0, &k, &v), LTY_OK);
    ck_assert_str_eq(k, "doctor");
    ck_assert_str_eq(v, "female");
    ck_assert_int_eq(lty_customer_preference_at(c, 1, &k, &v), LTY_OK);
    ck_assert_str_eq(k, "food");
    ck_assert_str_eq(v, "no garlic\nno onion");
    ck_assert_int_eq(lty_customer_preference_at(c, 2, &k, &v), LTY_EINVALID);
    ck_assert_str_eq(lty_customer_preference(c, "doctor"), "female");
    ck_assert_ptr_null(lty_customer_preference(c, "music"));

    ck_assert_uint_eq(lty_customer_note_count(c), 1);
    ck_assert_int_eq(lty_customer_note_at(c, 0, &k, &v), LTY_OK);
    ck_assert_str_eq(k, "allergy");
    ck_assert_str_eq(v, "penicillin");
    ck_assert_str_eq(lty_customer_note(c, "allergy"), "penicillin");

    ck_assert_uint_eq(lty_customer_tag_count(c), 2);
    ck_assert_str_eq(lty_customer_tag_at(c, 0), "referrer");
    ck_assert_str_eq(lty_customer_tag_at(c, 1), "vip");
    ck_assert_ptr_null(lty_customer_tag_at(c, 2));
    ck_assert_int_eq(lty_customer_has_tag(c, "vip"), 1);
    ck_assert_int_eq(lty_customer_has_tag(c, "vi"), 0);

    ck_assert_uint_eq(lty_customer_anniversary_count(c), 1);
    ck_assert_int_eq(lty_customer_anniversary_at(c, 0, &k, &d), LTY_OK);
    ck_assert_str_eq(k, "wedding");
    ck_assert_int_eq(d.year, 2015);
    ck_assert_int_eq(d.month, 5);
    ck_assert_int_eq(d.day, 2);

    int granted = -1;
    int64_t since = -1;
    ck_assert_int_eq(lty_customer_consent(c, LTY_CHANNEL_SMS,
                                          LTY_PURPOSE_MARKETING, &granted,
                                          &since), LTY_OK);
    ck_assert_int_eq(granted, 1);
    ck_assert_int_eq(since, LTY_TEST_NOW);

    lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
    ck_assert_int_eq(lty_customer_stats_get(c, &st), LTY_OK);
    ck_assert_int_eq(st.visits, 0);
    ck_assert_int_eq(st.net_spend, 0);
    ck_assert_int_eq(st.first_visit, 0);
    ck_assert_ptr_null(st.last_item);
    lty_customer_free(c);
}
END_TEST

START_TEST(minimal_customer_has_nothing_set)
{
    lty_test_customer(t.e, "c1", NULL, NULL);
    lty_customer *c = get_ok("c1");
    lty_date d = {1, 1, 1};
    ck_assert_ptr_null(lty_customer_name(c));
    ck_assert_ptr_null(lty_customer_phone(c));
    ck_assert_ptr_null(lty_customer_email(c));
    ck_assert_int_eq(lty_customer_birthday(c, &d), LTY_ENOTFOUND);
    ck_assert_int_eq(lty_customer_preferred_channel(c), LTY_CHANNEL_NONE);
    ck_assert_uint_eq(lty_customer_preference_count(c), 0);
    ck_assert_uint_eq(lty_customer_note_count(c), 0);
    ck_assert_uint_eq(lty_customer_tag_count(c), 0);
    ck_assert_uint_eq(lty_customer_anniversary_count(c), 0);
    int granted = 7;
    ck_assert_int_eq(lty_customer_consent(c, LTY_CHANNEL_EMAIL,
                                          LTY_PURPOSE_MARKETING, &granted,
                                          NULL), LTY_ENOTFOUND);
    ck_assert_int_eq(granted, 0);
    lty_customer_free(c);
}
END_TEST

START_TEST(snapshot_outlives_engine_and_store_changes)
{
    lty_test_customer(t.e, "c1", "Before", "010-1111-2222");
    lty_customer *c = get_ok("c1");
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "c1";
    f.set = LTY_FIELD_NAME;
    f.name = "After";
    ck_assert_int_eq(lty_customer_update(t.e, &f), LTY_OK);
    ck_assert_str_eq(lty_customer_name(c), "Before");
    lty_test_env_close(&t);
    ck_assert_str_eq(lty_customer_name(c), "Before");
    ck_assert_str_eq(lty_customer_phone(c), "+821011112222");
    lty_customer_free(c);
    lty_test_env_open(&t); /* for the teardown */
}
END_TEST

START_TEST(create_existing_id_is_eexists)
{
    lty_test_customer(t.e, "c1", "A", NULL);
    REFUSED(create_full("c1", "B", NULL, NULL), LTY_EEXISTS, "customer id",
            NULL);
    lty_customer *c = get_ok("c1");
    ck_assert_str_eq(lty_customer_name(c), "A");
    lty_customer_free(c);
}
END_TEST

START_TEST(unknown_customer_is_enotfound)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    lty_customer *c = (lty_customer *)&f; /* must be reset to NULL */
    lty_date d = {0, 1, 1};
    f.id = "nobody";
    f.set = LTY_FIELD_NAME;
    f.name = "X";
    ck_assert_int_eq(lty_customer_get(t.e, "nobody", &c), LTY_ENOTFOUND);
    ck_assert_ptr_null(c);
    lty_assert_err_mentions(t.e, "customer id");
    REFUSED(lty_customer_update(t.e, &f), LTY_ENOTFOUND, "customer id", NULL);
    REFUSED(lty_customer_set_preference(t.e, "nobody", "k", "v"),
            LTY_ENOTFOUND, "customer id", NULL);
    REFUSED(lty_customer_set_note(t.e, "nobody", "k", "v"), LTY_ENOTFOUND,
            "customer id", NULL);
    REFUSED(lty_customer_add_tag(t.e, "nobody", "k"), LTY_ENOTFOUND,
            "customer id", NULL);
    REFUSED(lty_customer_remove_tag(t.e, "nobody", "k"), LTY_ENOTFOUND,
            "customer id", NULL);
    REFUSED(lty_customer_set_anniversary(t.e, "nobody", "k", &d),
            LTY_ENOTFOUND, "customer id", NULL);
    REFUSED(lty_customer_set_consent(t.e, "nobody", LTY_CHANNEL_SMS,
                                     LTY_PURPOSE_MARKETING, 1),
            LTY_ENOTFOUND, "customer id", NULL);
    REFUSED(lty_customer_erase(t.e, "nobody"), LTY_ENOTFOUND, "customer id",
            NULL);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Update                                                              */
/* ------------------------------------------------------------------ */

START_TEST(partial_update_changes_only_set_fields)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    lty_date bd = {0, 2, 29}, d;
    f.id = "c1";
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_EMAIL |
            LTY_FIELD_BIRTHDAY | LTY_FIELD_PREFERRED_CHANNEL;
    f.name = "Old Name";
    f.phone = "010-1234-5678";
    f.email = "a@example.com";
    f.birthday = bd;
    f.preferred_channel = LTY_CHANNEL_SMS;
    ck_assert_int_eq(lty_customer_create(t.e, &f), LTY_OK);
    ck_assert_int_eq(lty_customer_add_tag(t.e, "c1", "vip"), LTY_OK);

    /* A later clock must not move the created time. */
    t.now += 3600;
    lty_customer_fields u = LTY_CUSTOMER_FIELDS_INIT;
    u.id = "c1";
    u.set = LTY_FIELD_NAME;
    u.name = "New Name";
    u.phone = "garbage that is not read";
    u.email = "neither is this";
    ck_assert_int_eq(lty_customer_update(t.e, &u), LTY_OK);

    lty_customer *c = get_ok("c1");
    ck_assert_str_eq(lty_customer_name(c), "New Name");
    ck_assert_str_eq(lty_customer_phone(c), "+821012345678");
    ck_assert_str_eq(lty_customer_email(c), "a@example.com");
    ck_assert_int_eq(lty_customer_birthday(c, &d), LTY_OK);
    ck_assert_int_eq(d.year, 0);
    ck_assert_int_eq(d.month, 2);
    ck_assert_int_eq(d.day, 29);
    ck_assert_int_eq(lty_customer_preferred_channel(c), LTY_CHANNEL_SMS);
    ck_assert_int_eq(lty_customer_created(c), LTY_TEST_NOW);
    ck_assert_int_eq(lty_customer_has_tag(c, "vip"), 1);
    lty_customer_free(c);

    u.set = LTY_FIELD_PREFERRED_CHANNEL;
    u.preferred_channel = LTY_CHANNEL_EMAIL;
    ck_assert_int_eq(lty_customer_update(t.e, &u), LTY_OK);
    c = get_ok("c1");
    ck_assert_int_eq(lty_customer_preferred_channel(c), LTY_CHANNEL_EMAIL);
    ck_assert_str_eq(lty_customer_name(c), "New Name");
    lty_customer_free(c);

    /* Nothing set: a valid no-op. */
    u.set = 0;
    ck_assert_int_eq(lty_customer_update(t.e, &u), LTY_OK);
}
END_TEST

START_TEST(set_fields_with_null_or_empty_clear)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    lty_date bd = {1990, 1, 31}, d;
    f.id = "c1";
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_EMAIL |
            LTY_FIELD_BIRTHDAY | LTY_FIELD_PREFERRED_CHANNEL;
    f.name = "Name";
    f.phone = "010-1234-5678";
    f.email = "a@example.com";
    f.birthday = bd;
    f.preferred_channel = LTY_CHANNEL_PUSH;
    ck_assert_int_eq(lty_customer_create(t.e, &f), LTY_OK);

    lty_customer_fields u = LTY_CUSTOMER_FIELDS_INIT;
    u.id = "c1";
    u.set = f.set;
    u.name = "";
    u.phone = NULL;
    u.email = "";
    /* birthday {0,0,0} and LTY_CHANNEL_NONE from the initialiser */
    ck_assert_int_eq(lty_customer_update(t.e, &u), LTY_OK);

    lty_customer *c = get_ok("c1");
    ck_assert_ptr_null(lty_customer_name(c));
    ck_assert_ptr_null(lty_customer_phone(c));
    ck_assert_ptr_null(lty_customer_email(c));
    ck_assert_int_eq(lty_customer_birthday(c, &d), LTY_ENOTFOUND);
    ck_assert_int_eq(lty_customer_preferred_channel(c), LTY_CHANNEL_NONE);
    lty_customer_free(c);

    /* The look-up entries went with the values. */
    ck_assert_ptr_null(who_has_phone("010-1234-5678"));
    ck_assert_ptr_null(who_has_email("a@example.com"));
    ck_assert_int_eq(store_contains("+821012345678"), 0);
    ck_assert_int_eq(store_contains("a@example.com"), 0);
    /* ...and are free for another customer. */
    ck_assert_int_eq(create_full("c2", NULL, "01012345678", "A@example.com"),
                     LTY_OK);
    ck_assert_str_eq(who_has_phone("+82 10 1234 5678"), "c2");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Phones and e-mail addresses                                         */
/* ------------------------------------------------------------------ */

START_TEST(three_phone_spellings_are_one_number)
{
    static const char *spellings[] = {"010-1234-5678", "01012345678",
                                      "+82 10-1234-5678"};
    lty_test_customer(t.e, "c1", "A", spellings[0]);
    for (size_t i = 0; i < 3; i++) {
        const char *who = who_has_phone(spellings[i]);
        ck_assert_ptr_nonnull(who);
        ck_assert_str_eq(who, "c1");
    }
    lty_test_customer(t.e, "c2", "B", NULL);
    for (size_t i = 0; i < 3; i++) {
        REFUSED(create_full("c3", "C", spellings[i], NULL), LTY_EEXISTS,
                "phone", spellings[i]);
        REFUSED(update_phone("c2", spellings[i]), LTY_EEXISTS, "phone",
                spellings[i]);
    }
    /* Giving a customer the number it already has is fine. */
    ck_assert_int_eq(update_phone("c1", "+82 (10) 1234.5678"), LTY_OK);
    ck_assert_str_eq(who_has_phone("01012345678"), "c1");
}
END_TEST

START_TEST(changing_phone_moves_the_index)
{
    lty_test_customer(t.e, "c1", "A", "010-1111-1111");
    ck_assert_int_eq(update_phone("c1", "010-2222-2222"), LTY_OK);
    ck_assert_ptr_null(who_has_phone("010-1111-1111"));
    ck_assert_str_eq(who_has_phone("01022222222"), "c1");
    ck_assert_int_eq(store_contains("+821011111111"), 0);
    /* The old number is free again. */
    lty_test_customer(t.e, "c2", "B", "010-1111-1111");
    ck_assert_str_eq(who_has_phone("010-1111-1111"), "c2");
    ck_assert_str_eq(who_has_phone("010-2222-2222"), "c1");
}
END_TEST

START_TEST(phone_normalisation_table)
{
    static const struct {
        const char *in;
        const char *e164;
    } ok[] = {
        {"010-1234-5678", "+821012345678"},
        {"(02) 123.4567", "+8221234567"},
        {"0082 10 1234 5678", "+821012345678"},
        {"+44 (0)20 7946 0958", "+442079460958"},
        {"+1 (555) 123-4567", "+15551234567"},
        {"1012345678", "+821012345678"},   /* national, no trunk prefix */
        {"[010] 1234-5678", "+821012345678"},
        {"+123456789012345", "+123456789012345"}, /* 15 digits */
        {"+12345678", "+12345678"},               /* 8 digits */
    };
    char id[16];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        snprintf(id, sizeof id, "p%zu", i);
        int rc = create_full(id, NULL, ok[i].in, NULL);
        ck_assert_msg(rc == LTY_OK, "%s: %s (%s)", ok[i].in, lty_strerror(rc),
                      lty_engine_last_error(t.e));
        lty_customer *c = get_ok(id);
        ck_assert_str_eq(lty_customer_phone(c), ok[i].e164);
        lty_customer_free(c);
        ck_assert_str_eq(who_has_phone(ok[i].e164), id);
        ck_assert_int_eq(update_phone(id, NULL), LTY_OK);
    }
}
END_TEST

START_TEST(bad_phones_are_einvalid)
{
    static const char *bad[] = {
        "010-1234-567a",          /* a letter */
        "abc",
        "+",
        "",                       /* only in look-ups: create clears */
        "   ",                    /* no digits */
        "12-34",                  /* too short: +821234 */
        "+1234567890123456",      /* 16 digits */
        "+1234567",               /* 7 digits */
        "+0 10 1234 5678",        /* country code 0 */
        "000 10 1234 5678",
        "010\t1234\t5678",        /* tabs are not separators */
        "010-1234-5678 ext 9",
        "++821012345678",
        "82+1012345678",
        "010/1234/5678",
        "０１０-1234-5678",       /* full-width digits */
        "010-1234-5678-9012-3456-7890-1234", /* 33 bytes */
    };
    lty_test_customer(t.e, "c1", NULL, NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lty_customer *c = NULL;
        if (bad[i][0] != '\0') {
            REFUSED(create_full("c2", NULL, bad[i], NULL), LTY_EINVALID,
                    "phone", bad[i]);
            REFUSED(update_phone("c1", bad[i]), LTY_EINVALID, "phone",
                    bad[i]);
        }
        ck_assert_int_eq(lty_customer_find_by_phone(t.e, bad[i], &c),
                         LTY_EINVALID);
        ck_assert_ptr_null(c);
        lty_assert_err_mentions(t.e, "phone");
    }
    lty_customer *c = NULL;
    ck_assert_int_eq(lty_customer_find_by_phone(t.e, NULL, &c), LTY_EINVALID);
    ck_assert_int_eq(lty_customer_find_by_phone(t.e, "010-1234-5678", NULL),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_customer_find_by_phone(NULL, "010-1234-5678", &c),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_customer_find_by_phone(t.e, "010-9999-9999", &c),
                     LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "phone");
}
END_TEST

START_TEST(country_code_comes_from_the_engine)
{
    lty_test_env_close(&t);
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.country_code = 1;
    lty_test_env_open_with(&t, &o);
    ck_assert_int_eq(create_full("us", NULL, "(555) 123-4567", NULL), LTY_OK);
    ck_assert_str_eq(who_has_phone("+1 555 123 4567"), "us");
    ck_assert_str_eq(who_has_phone("555.123.4567"), "us");
}
END_TEST

START_TEST(email_is_case_insensitive)
{
    ck_assert_int_eq(create_full("c1", NULL, NULL, "  Kim.Min@Example.COM\n"),
                     LTY_OK);
    lty_customer *c = get_ok("c1");
    ck_assert_str_eq(lty_customer_email(c), "kim.min@example.com");
    lty_customer_free(c);
    ck_assert_str_eq(who_has_email("KIM.MIN@EXAMPLE.COM"), "c1");
    ck_assert_str_eq(who_has_email("kim.min@example.com"), "c1");
    ck_assert_ptr_null(who_has_email("kim.min@example.org"));
    REFUSED(create_full("c2", NULL, NULL, "kim.min@EXAMPLE.com"), LTY_EEXISTS,
            "email", "kim.min");
    /* Non-ASCII letters are kept as they are. */
    ck_assert_int_eq(create_full("c3", NULL, NULL, "Ünal@Bücher.DE"), LTY_OK);
    ck_assert_str_eq(who_has_email("ÜNAL@bücher.DE"), "c3");
    ck_assert_ptr_null(who_has_email("ünal@bücher.de"));
    /* Moving an address. */
    ck_assert_int_eq(update_email("c1", "new@example.com"), LTY_OK);
    ck_assert_ptr_null(who_has_email("kim.min@example.com"));
    ck_assert_str_eq(who_has_email("NEW@example.com"), "c1");
}
END_TEST

START_TEST(bad_emails_are_einvalid)
{
    char longmail[LTY_EMAIL_MAX + 2];
    memset(longmail, 'a', sizeof longmail - 1);
    longmail[sizeof longmail - 1] = '\0';
    longmail[10] = '@';
    const char *bad[] = {
        "no-at-sign", "a@@b.com", "a@b@c.com", "@example.com", "kim@",
        "kim lee@example.com", "kim@exa mple.com", "kim\x01@example.com",
        "kim@exam\x7fple.com", "kim@\xC3\x28.com", "kim@\xC0\xAF.com",
        "   ", longmail,
    };
    lty_test_customer(t.e, "c1", NULL, NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lty_customer *c = NULL;
        REFUSED(create_full("c2", NULL, NULL, bad[i]), LTY_EINVALID, "email",
                bad[i]);
        REFUSED(update_email("c1", bad[i]), LTY_EINVALID, "email", bad[i]);
        ck_assert_int_eq(lty_customer_find_by_email(t.e, bad[i], &c),
                         LTY_EINVALID);
        lty_assert_err_mentions(t.e, "email");
    }
    /* Exactly LTY_EMAIL_MAX bytes is fine. */
    longmail[LTY_EMAIL_MAX] = '\0';
    ck_assert_int_eq(update_email("c1", longmail), LTY_OK);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Preferences, notes, tags, anniversaries                             */
/* ------------------------------------------------------------------ */

typedef int (*set_attr_fn)(lty_engine *, const char *, const char *,
                           const char *);

static void check_attr_list(set_attr_fn set, const char *field,
                            size_t (*count)(const lty_customer *),
                            const char *(*get)(const lty_customer *,
                                               const char *))
{
    lty_test_customer(t.e, "c1", NULL, NULL);
    ck_assert_int_eq(set(t.e, "c1", "b", "two"), LTY_OK);
    ck_assert_int_eq(set(t.e, "c1", "a", "one"), LTY_OK);
    ck_assert_int_eq(set(t.e, "c1", "b", "TWO"), LTY_OK);     /* replace */
    ck_assert_int_eq(set(t.e, "c1", "empty", ""), LTY_OK);    /* a value */
    lty_customer *c = get_ok("c1");
    ck_assert_uint_eq(count(c), 3);
    ck_assert_str_eq(get(c, "a"), "one");
    ck_assert_str_eq(get(c, "b"), "TWO");
    ck_assert_str_eq(get(c, "empty"), "");
    lty_customer_free(c);

    ck_assert_int_eq(set(t.e, "c1", "a", NULL), LTY_OK);      /* remove */
    REFUSED(set(t.e, "c1", "a", NULL), LTY_ENOTFOUND, field, NULL);
    c = get_ok("c1");
    ck_assert_uint_eq(count(c), 2);
    ck_assert_ptr_null(get(c, "a"));
    lty_customer_free(c);

    /* Fill up to the limit; the next new key is ERANGE, replacing is not. */
    char key[16];
    for (int i = 0; count(c = get_ok("c1")) < LTY_ATTRS_MAX; i++) {
        lty_customer_free(c);
        snprintf(key, sizeof key, "k%02d", i);
        ck_assert_int_eq(set(t.e, "c1", key, "v"), LTY_OK);
    }
    lty_customer_free(c);
    REFUSED(set(t.e, "c1", "one-too-many", "v"), LTY_ERANGE, "more than 32",
            "one-too-many");
    ck_assert_int_eq(set(t.e, "c1", "b", "still replaceable"), LTY_OK);

    /* Keys and values are checked. */
    char longkey[LTY_LABEL_MAX + 2], longval[LTY_TEXT_MAX + 2];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    memset(longval, 'v', sizeof longval - 1);
    longval[sizeof longval - 1] = '\0';
    REFUSED(set(t.e, "c1", longkey, "v"), LTY_EINVALID, "key", NULL);
    REFUSED(set(t.e, "c1", "", "v"), LTY_EINVALID, "key", NULL);
    REFUSED(set(t.e, "c1", NULL, "v"), LTY_EINVALID, "key", NULL);
    REFUSED(set(t.e, "c1", "line\nbreak", "v"), LTY_EINVALID, "key",
            "line\nbreak");
    REFUSED(set(t.e, "c1", "b", longval), LTY_EINVALID, "value", NULL);
    REFUSED(set(t.e, "c1", "b", "bell\a"), LTY_EINVALID, "value", "bell\a");
    REFUSED(set(t.e, "c1", "b", "\xC3\x28"), LTY_EINVALID, "value", NULL);
    longkey[LTY_LABEL_MAX] = '\0';
    longval[LTY_TEXT_MAX] = '\0';
    ck_assert_int_eq(set(t.e, "c1", "b", longval), LTY_OK);
    ck_assert_int_eq(set(t.e, "c1", "b", "tab\tand\r\nnewline"), LTY_OK);
}

START_TEST(preferences_add_replace_remove_and_limit)
{
    check_attr_list(lty_customer_set_preference, "preference",
                    lty_customer_preference_count, lty_customer_preference);
    lty_customer *c = get_ok("c1");
    ck_assert_uint_eq(lty_customer_note_count(c), 0);
    /* Listed in key order. */
    const char *prev = "", *k;
    for (size_t i = 0; i < lty_customer_preference_count(c); i++) {
        ck_assert_int_eq(lty_customer_preference_at(c, i, &k, NULL), LTY_OK);
        ck_assert_int_lt(strcmp(prev, k), 0);
        prev = k;
    }
    lty_customer_free(c);
}
END_TEST

START_TEST(notes_add_replace_remove_and_limit)
{
    check_attr_list(lty_customer_set_note, "note", lty_customer_note_count,
                    lty_customer_note);
    /* A separate list: a full note list leaves room for preferences. */
    ck_assert_int_eq(lty_customer_set_preference(t.e, "c1", "k", "v"), LTY_OK);
    lty_customer *c = get_ok("c1");
    ck_assert_uint_eq(lty_customer_note_count(c), LTY_ATTRS_MAX);
    ck_assert_uint_eq(lty_customer_preference_count(c), 1);
    lty_customer_free(c);
}
END_TEST

START_TEST(tags_sorted_unique_and_limited)
{
    lty_test_customer(t.e, "c1", NULL, NULL);
    ck_assert_int_eq(lty_customer_add_tag(t.e, "c1", "vip"), LTY_OK);
    ck_assert_int_eq(lty_customer_add_tag(t.e, "c1", "allergy"), LTY_OK);
    ck_assert_int_eq(lty_customer_add_tag(t.e, "c1", "vip"), LTY_OK);
    lty_customer *c = get_ok("c1");
    ck_assert_uint_eq(lty_customer_tag_count(c), 2);
    ck_assert_str_eq(lty_customer_tag_at(c, 0), "allergy");
    ck_assert_str_eq(lty_customer_tag_at(c, 1), "vip");
    lty_customer_free(c);

    ck_assert_int_eq(lty_customer_remove_tag(t.e, "c1", "vip"), LTY_OK);
    REFUSED(lty_customer_remove_tag(t.e, "c1", "vip"), LTY_ENOTFOUND, "tag",
            NULL);
    char tag[16];
    for (int i = 0; i < LTY_TAGS_MAX - 1; i++) {
        snprintf(tag, sizeof tag, "t%02d", i);
        ck_assert_int_eq(lty_customer_add_tag(t.e, "c1", tag), LTY_OK);
    }
    REFUSED(lty_customer_add_tag(t.e, "c1", "thirty-third"), LTY_ERANGE,
            "tags", "thirty-third");
    ck_assert_int_eq(lty_customer_add_tag(t.e, "c1", "t05"), LTY_OK);
    REFUSED(lty_customer_add_tag(t.e, "c1", ""), LTY_EINVALID, "tag", NULL);
    REFUSED(lty_customer_add_tag(t.e, "c1", NULL), LTY_EINVALID, "tag", NULL);
    REFUSED(lty_customer_add_tag(t.e, "c1", "a\x01" "b"), LTY_EINVALID, "tag",
            "a\x01" "b");
    REFUSED(lty_customer_remove_tag(t.e, "c1", "\xC0\xAF"), LTY_EINVALID,
            "tag", NULL);
    c = get_ok("c1");
    ck_assert_uint_eq(lty_customer_tag_count(c), LTY_TAGS_MAX);
    lty_customer_free(c);
}
END_TEST

START_TEST(anniversaries_set_replace_remove_and_limit)
{
    lty_date wedding = {2015, 5, 2}, first = {0, 2, 29}, d;
    const char *label;
    lty_test_customer(t.e, "c1", NULL, NULL);
    ck_assert_int_eq(lty_customer_set_anniversary(t.e, "c1", "wedding",
                                                  &wedding), LTY_OK);
    ck_assert_int_eq(lty_customer_set_anniversary(t.e, "c1", "first visit",
                                                  &first), LTY_OK);
    wedding.year = 2016;
    ck_assert_int_eq(lty_customer_set_anniversary(t.e, "c1", "wedding",
                                                  &wedding), LTY_OK);
    lty_customer *c = get_ok("c1");
    ck_assert_uint_eq(lty_customer_anniversary_count(c), 2);
    ck_assert_int_eq(lty_customer_anniversary_at(c, 0, &label, &d), LTY_OK);
    ck_assert_str_eq(label, "first visit");
    ck_assert_int_eq(d.year, 0);
    ck_assert_int_eq(d.month, 2);
    ck_assert_int_eq(d.day, 29);
    ck_assert_int_eq(lty_customer_anniversary_at(c, 1, &label, &d), LTY_OK);
    ck_assert_str_eq(label, "wedding");
    ck_assert_int_eq(d.year, 2016);
    ck_assert_int_eq(lty_customer_anniversary_at(c, 2, &label, &d),
                     LTY_EINVALID);
    lty_customer_free(c);

    ck_assert_int_eq(lty_customer_set_anniversary(t.e, "c1", "wedding", NULL),
                     LTY_OK);
    REFUSED(lty_customer_set_anniversary(t.e, "c1", "wedding", NULL),
            LTY_ENOTFOUND, "anniversary", NULL);

    lty_date bad_feb = {2025, 2, 29}, bad_month = {2020, 13, 1},
             bad_day = {2020, 4, 31}, zero = {0, 0, 0};
    REFUSED(lty_customer_set_anniversary(t.e, "c1", "x", &bad_feb),
            LTY_EINVALID, "anniversary date", NULL);
    REFUSED(lty_customer_set_anniversary(t.e, "c1", "x", &bad_month),
            LTY_EINVALID, "anniversary date", NULL);
    REFUSED(lty_customer_set_anniversary(t.e, "c1", "x", &bad_day),
            LTY_EINVALID, "anniversary date", NULL);
    REFUSED(lty_customer_set_anniversary(t.e, "c1", "x", &zero),
            LTY_EINVALID, "anniversary date", NULL);
    REFUSED(lty_customer_set_anniversary(t.e, "c1", "", &wedding),
            LTY_EINVALID, "anniversary label", NULL);

    char label_buf[16];
    for (int i = 0; i < LTY_ANNIVERSARIES_MAX - 1; i++) {
        snprintf(label_buf, sizeof label_buf, "a%02d", i);
        ck_assert_int_eq(lty_customer_set_anniversary(t.e, "c1", label_buf,
                                                      &wedding), LTY_OK);
    }
    REFUSED(lty_customer_set_anniversary(t.e, "c1", "one more", &wedding),
            LTY_ERANGE, "anniversaries", NULL);
    ck_assert_int_eq(lty_customer_set_anniversary(t.e, "c1", "a03", &first),
                     LTY_OK);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Consent                                                             */
/* ------------------------------------------------------------------ */

START_TEST(consent_given_and_withdrawn_with_clock_times)
{
    int granted;
    int64_t since;
    lty_test_customer(t.e, "c1", NULL, NULL);

    t.now = LTY_TEST_NOW + 100;
    ck_assert_int_eq(lty_customer_set_consent(t.e, "c1", LTY_CHANNEL_SMS,
                                              LTY_PURPOSE_MARKETING, 1),
                     LTY_OK);
    t.now = LTY_TEST_NOW + 200;
    ck_assert_int_eq(lty_customer_set_consent(t.e, "c1", LTY_CHANNEL_KAKAO,
                                              LTY_PURPOSE_NIGHT_MARKETING, 5),
                     LTY_OK);
    lty_customer *c = get_ok("c1");
    ck_assert_int_eq(lty_customer_consent(c, LTY_CHANNEL_SMS,
                                          LTY_PURPOSE_MARKETING, &granted,
                                          &since), LTY_OK);
    ck_assert_int_eq(granted, 1);
    ck_assert_int_eq(since, LTY_TEST_NOW + 100);
    ck_assert_int_eq(lty_customer_consent(c, LTY_CHANNEL_KAKAO,
                                          LTY_PURPOSE_NIGHT_MARKETING,
                                          &granted, &since), LTY_OK);
    ck_assert_int_eq(granted, 1);
    ck_assert_int_eq(since, LTY_TEST_NOW + 200);
    /* Night-time consent is separate from daytime consent. */
    ck_assert_int_eq(lty_customer_consent(c, LTY_CHANNEL_KAKAO,
                                          LTY_PURPOSE_MARKETING, &granted,
                                          &since), LTY_ENOTFOUND);
    ck_assert_int_eq(granted, 0);
    ck_assert_int_eq(lty_customer_consent(c, LTY_CHANNEL_SMS,
                                          LTY_PURPOSE_MARKETING, NULL, NULL),
                     LTY_OK);
    ck_assert_int_eq(lty_customer_consent(c, LTY_CHANNEL_NONE,
                                          LTY_PURPOSE_MARKETING, &granted,
                                          NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_customer_consent(c, LTY_CHANNEL_SMS,
                                          LTY_PURPOSE_TRANSACTIONAL, &granted,
                                          NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_customer_consent(NULL, LTY_CHANNEL_SMS,
                                          LTY_PURPOSE_MARKETING, &granted,
                                          NULL), LTY_EINVALID);
    lty_customer_free(c);

    t.now = LTY_TEST_NOW + 300;
    ck_assert_int_eq(lty_customer_set_consent(t.e, "c1", LTY_CHANNEL_SMS,
                                              LTY_PURPOSE_MARKETING, 0),
                     LTY_OK);
    c = get_ok("c1");
    ck_assert_int_eq(lty_customer_consent(c, LTY_CHANNEL_SMS,
                                          LTY_PURPOSE_MARKETING, &granted,
                                          &since), LTY_OK);
    ck_assert_int_eq(granted, 0);
    ck_assert_int_eq(since, LTY_TEST_NOW + 300);
    ck_assert_int_eq(lty_customer_consent(c, LTY_CHANNEL_KAKAO,
                                          LTY_PURPOSE_NIGHT_MARKETING,
                                          &granted, &since), LTY_OK);
    ck_assert_int_eq(since, LTY_TEST_NOW + 200);
    lty_customer_free(c);

    /* Every channel and purpose pair fits. */
    for (int ch = LTY_CHANNEL_SMS; ch <= LTY_CHANNEL_PUSH; ch++)
        for (int p = LTY_PURPOSE_MARKETING; p <= LTY_PURPOSE_NIGHT_MARKETING;
             p++)
            ck_assert_int_eq(lty_customer_set_consent(t.e, "c1",
                                                      (lty_channel)ch,
                                                      (lty_purpose)p, 1),
                             LTY_OK);

    REFUSED(lty_customer_set_consent(t.e, "c1", LTY_CHANNEL_NONE,
                                     LTY_PURPOSE_MARKETING, 1),
            LTY_EINVALID, "consent channel", NULL);
    REFUSED(lty_customer_set_consent(t.e, "c1", (lty_channel)5,
                                     LTY_PURPOSE_MARKETING, 1),
            LTY_EINVALID, "consent channel", NULL);
    REFUSED(lty_customer_set_consent(t.e, "c1", (lty_channel)-1,
                                     LTY_PURPOSE_MARKETING, 1),
            LTY_EINVALID, "consent channel", NULL);
    REFUSED(lty_customer_set_consent(t.e, "c1", LTY_CHANNEL_SMS,
                                     LTY_PURPOSE_TRANSACTIONAL, 1),
            LTY_EINVALID, "consent purpose", NULL);
    REFUSED(lty_customer_set_consent(t.e, "c1", LTY_CHANNEL_SMS,
                                     (lty_purpose)0, 1),
            LTY_EINVALID, "consent purpose", NULL);
    REFUSED(lty_customer_set_consent(t.e, "c1", LTY_CHANNEL_SMS,
                                     (lty_purpose)4, 1),
            LTY_EINVALID, "consent purpose", NULL);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Bad input                                                           */
/* ------------------------------------------------------------------ */

START_TEST(bad_fields_are_refused_without_writing)
{
    char id65[LTY_ID_MAX + 2], name257[LTY_NAME_MAX + 2];
    memset(id65, 'x', sizeof id65 - 1);
    id65[sizeof id65 - 1] = '\0';
    memset(name257, 'n', sizeof name257 - 1);
    name257[sizeof name257 - 1] = '\0';

    lty_test_customer(t.e, "exists", "Name", NULL);
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: create a new customer; pass 1: update an existing one */
        int (*call)(lty_engine *, const lty_customer_fields *) =
            pass ? lty_customer_update : lty_customer_create;
        const char *id = pass ? "exists" : "new";
        lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;

        ck_assert_int_eq(call(NULL, &f), LTY_EINVALID);
        REFUSED(call(t.e, NULL), LTY_EINVALID, "customer fields", NULL);

        f.id = NULL;
        REFUSED(call(t.e, &f), LTY_EINVALID, "customer id", NULL);
        f.id = "";
        REFUSED(call(t.e, &f), LTY_EINVALID, "customer id", NULL);
        f.id = id65;
        REFUSED(call(t.e, &f), LTY_EINVALID, "customer id: longer than 64",
                id65);
        f.id = "bad\xC3\x28id";
        REFUSED(call(t.e, &f), LTY_EINVALID, "customer id", "bad");
        f.id = "over\xC0\xAFlong";
        REFUSED(call(t.e, &f), LTY_EINVALID, "customer id", "over");
        f.id = "tab\there";
        REFUSED(call(t.e, &f), LTY_EINVALID, "customer id", "tab");
        f.id = "nl\nhere";
        REFUSED(call(t.e, &f), LTY_EINVALID, "customer id", "here");

        f.id = id;
        f.version = 0;
        REFUSED(call(t.e, &f), LTY_EVERSION, "customer fields", NULL);
        f.version = 99;
        REFUSED(call(t.e, &f), LTY_EVERSION, "customer fields", NULL);
        f.version = LTY_CUSTOMER_FIELDS_VERSION;

        f.set = 1u << 5;
        REFUSED(call(t.e, &f), LTY_EINVALID, "customer fields", NULL);
        f.set = LTY_FIELD_NAME | 0x80000000u;
        f.name = "ok";
        REFUSED(call(t.e, &f), LTY_EINVALID, "customer fields", NULL);

        f.set = LTY_FIELD_NAME;
        f.name = "Kim\x01Secret";
        REFUSED(call(t.e, &f), LTY_EINVALID, "name", "Secret");
        f.name = "Kim\xC3\x28Secret";
        REFUSED(call(t.e, &f), LTY_EINVALID, "name", "Secret");
        f.name = name257;
        REFUSED(call(t.e, &f), LTY_EINVALID, "name", name257);
        f.name = "\xC2\x85" "Sakura"; /* a C1 control character */
        REFUSED(call(t.e, &f), LTY_EINVALID, "name", "Sakura");

        f.set = LTY_FIELD_BIRTHDAY;
        lty_date feb29_2025 = {2025, 2, 29}, m13 = {1990, 13, 1},
                 d32 = {1990, 1, 32}, y1800 = {1800, 1, 1},
                 noday = {1990, 1, 0};
        f.birthday = feb29_2025;
        REFUSED(call(t.e, &f), LTY_EINVALID, "birthday", NULL);
        f.birthday = m13;
        REFUSED(call(t.e, &f), LTY_EINVALID, "birthday", NULL);
        f.birthday = d32;
        REFUSED(call(t.e, &f), LTY_EINVALID, "birthday", NULL);
        f.birthday = y1800;
        REFUSED(call(t.e, &f), LTY_EINVALID, "birthday", NULL);
        f.birthday = noday;
        REFUSED(call(t.e, &f), LTY_EINVALID, "birthday", NULL);

        f.set = LTY_FIELD_PREFERRED_CHANNEL;
        f.preferred_channel = (lty_channel)5;
        REFUSED(call(t.e, &f), LTY_EINVALID, "preferred channel", NULL);
        f.preferred_channel = (lty_channel)-1;
        REFUSED(call(t.e, &f), LTY_EINVALID, "preferred channel", NULL);
    }

    /* The valid neighbours of those dates pass. */
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    lty_date feb29_noyear = {0, 2, 29}, feb29_2024 = {2024, 2, 29}, d;
    f.id = "exists";
    f.set = LTY_FIELD_BIRTHDAY;
    f.birthday = feb29_noyear;
    ck_assert_int_eq(lty_customer_update(t.e, &f), LTY_OK);
    f.birthday = feb29_2024;
    ck_assert_int_eq(lty_customer_update(t.e, &f), LTY_OK);
    lty_customer *c = get_ok("exists");
    ck_assert_int_eq(lty_customer_birthday(c, &d), LTY_OK);
    ck_assert_int_eq(d.year, 2024);
    ck_assert_int_eq(lty_customer_birthday(c, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_customer_birthday(NULL, &d), LTY_EINVALID);
    lty_customer_free(c);
    ck_assert_int_eq(lty_customer_get(t.e, "new", &c), LTY_ENOTFOUND);
}
END_TEST

START_TEST(bad_ids_on_every_call)
{
    static const char *bad[] = {NULL, "", "\xC3\x28", "\xC0\xAF", "a\x7f",
                                "x\x1bx"};
    lty_date d = {0, 1, 1};
    lty_test_customer(t.e, "c1", NULL, NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *id = bad[i];
        lty_customer *c = NULL;
        ck_assert_int_eq(lty_customer_get(t.e, id, &c), LTY_EINVALID);
        ck_assert_ptr_null(c);
        lty_assert_err_mentions(t.e, "customer id");
        REFUSED(lty_customer_set_preference(t.e, id, "k", "v"), LTY_EINVALID,
                "customer id", NULL);
        REFUSED(lty_customer_set_note(t.e, id, "k", "v"), LTY_EINVALID,
                "customer id", NULL);
        REFUSED(lty_customer_add_tag(t.e, id, "t"), LTY_EINVALID,
                "customer id", NULL);
        REFUSED(lty_customer_remove_tag(t.e, id, "t"), LTY_EINVALID,
                "customer id", NULL);
        REFUSED(lty_customer_set_anniversary(t.e, id, "l", &d), LTY_EINVALID,
                "customer id", NULL);
        REFUSED(lty_customer_set_consent(t.e, id, LTY_CHANNEL_SMS,
                                         LTY_PURPOSE_MARKETING, 1),
                LTY_EINVALID, "customer id", NULL);
        REFUSED(lty_customer_erase(t.e, id), LTY_EINVALID, "customer id",
                NULL);
    }
    /* NULL engine and NULL outputs. */
    lty_customer *c = NULL;
    ck_assert_int_eq(lty_customer_get(NULL, "c1", &c), LTY_EINVALID);
    ck_assert_int_eq(lty_customer_get(t.e, "c1", NULL), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "customer");
    ck_assert_int_eq(lty_customer_find_by_email(t.e, "a@b", NULL),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_customer_set_preference(NULL, "c1", "k", "v"),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_customer_set_note(NULL, "c1", "k", "v"),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_customer_add_tag(NULL, "c1", "t"), LTY_EINVALID);
    ck_assert_int_eq(lty_customer_remove_tag(NULL, "c1", "t"), LTY_EINVALID);
    ck_assert_int_eq(lty_customer_set_anniversary(NULL, "c1", "l", &d),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_customer_set_consent(NULL, "c1", LTY_CHANNEL_SMS,
                                              LTY_PURPOSE_MARKETING, 1),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_customer_erase(NULL, "c1"), LTY_EINVALID);
    ck_assert_int_eq(lty_customer_find_by_email(NULL, "a@b", &c),
                     LTY_EINVALID);

    /* Accessors accept NULL. */
    lty_customer_free(NULL);
    ck_assert_ptr_null(lty_customer_id(NULL));
    ck_assert_ptr_null(lty_customer_name(NULL));
    ck_assert_uint_eq(lty_customer_tag_count(NULL), 0);
    ck_assert_int_eq(lty_customer_has_tag(NULL, "x"), 0);
    ck_assert_ptr_null(lty_customer_preference(NULL, "x"));
    lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
    ck_assert_int_eq(lty_customer_stats_get(NULL, &st), LTY_EINVALID);

    c = get_ok("c1");
    ck_assert_int_eq(lty_customer_stats_get(c, NULL), LTY_EINVALID);
    st.version = 0;
    ck_assert_int_eq(lty_customer_stats_get(c, &st), LTY_EVERSION);
    st.version = 99;
    ck_assert_int_eq(lty_customer_stats_get(c, &st), LTY_EVERSION);
    ck_assert_ptr_null(lty_customer_preference(c, NULL));
    ck_assert_int_eq(lty_customer_has_tag(c, NULL), 0);
    lty_customer_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Erase                                                               */
/* ------------------------------------------------------------------ */

static void make_rich_customer(const char *id)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    lty_date bd = {1979, 11, 23};
    f.id = id;
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_EMAIL |
            LTY_FIELD_BIRTHDAY;
    f.name = "Hong Gildong";
    f.phone = "010-7777-8888";
    f.email = "Gildong.Hong@Example.net";
    f.birthday = bd;
    ck_assert_int_eq(lty_customer_create(t.e, &f), LTY_OK);
    ck_assert_int_eq(lty_customer_set_note(t.e, id, "allergy",
                                           "penicillin-rash-2019"), LTY_OK);
    ck_assert_int_eq(lty_customer_set_preference(t.e, id, "food",
                                                 "no-garlic-please"), LTY_OK);
    ck_assert_int_eq(lty_customer_add_tag(t.e, id, "whale-watcher"), LTY_OK);
    lty_date wed = {2001, 6, 9};
    ck_assert_int_eq(lty_customer_set_anniversary(t.e, id, "silver-wedding",
                                                  &wed), LTY_OK);
    ck_assert_int_eq(lty_customer_set_consent(t.e, id, LTY_CHANNEL_SMS,
                                              LTY_PURPOSE_MARKETING, 1),
                     LTY_OK);
}

static int64_t stored_net_spend(const char *id)
{
    char key[LTY_ID_MAX + 8];
    raw_value r;
    lty__stats st;
    size_t n = customer_key(key, id, 'A');
    ck_assert_int_eq(get_raw(key, n, &r), 1);
    ck_assert_int_eq(lty__stats_decode(r.data, r.len, &st), LTY_OK);
    return st.net_spend;
}

START_TEST(erase_removes_personal_data_and_keeps_aggregates)
{
    make_rich_customer("chart-4711");
    lty_test_event(t.e, "order-1", "chart-4711", LTY_TEST_NOW - 86400 * 3,
                   12000, "facial");
    lty_test_event(t.e, "order-2", "chart-4711", LTY_TEST_NOW - 86400, 30000,
                   "laser");
    lty_test_event(t.e, "visit-1", "chart-4711", LTY_TEST_NOW - 3600, -1,
                   NULL);
    lty_customer *c = get_ok("chart-4711");
    lty_customer_stats before = LTY_CUSTOMER_STATS_INIT;
    ck_assert_int_eq(lty_customer_stats_get(c, &before), LTY_OK);
    ck_assert_int_eq(before.net_spend, 42000);
    ck_assert_int_eq(before.purchases, 2);
    lty_customer_free(c);

    ck_assert_int_eq(lty_customer_erase(t.e, "chart-4711"), LTY_OK);

    ck_assert_int_eq(lty_customer_get(t.e, "chart-4711", &c), LTY_ENOTFOUND);
    ck_assert_ptr_null(who_has_phone("010-7777-8888"));
    ck_assert_ptr_null(who_has_email("gildong.hong@example.net"));
    REFUSED(lty_customer_erase(t.e, "chart-4711"), LTY_ENOTFOUND,
            "customer id", NULL);

    static const char *personal[] = {
        "Hong Gildong", "+821077778888", "01077778888", "1077778888",
        "77778888", "gildong.hong@example.net", "Gildong.Hong",
        "penicillin-rash-2019", "no-garlic-please", "whale-watcher",
        "silver-wedding", "chart-4711",
    };
    for (size_t i = 0; i < sizeof personal / sizeof personal[0]; i++)
        ck_assert_msg(!store_contains(personal[i]),
                      "the store still holds '%s' after erasure", personal[i]);

    /* The anonymous id is not a customer... */
    ck_assert_int_eq(lty_customer_get(t.e, "anon-1", &c), LTY_ENOTFOUND);
    /* ...but the aggregates live on under it, consistent with the ledger. */
    ck_assert_int_eq(stored_net_spend("anon-1"), 42000);
    size_t mismatches = 99;
    ck_assert_int_eq(lty_verify(t.e, &mismatches, NULL, NULL), LTY_OK);
    ck_assert_uint_eq(mismatches, 0);

    /* The id can be used again, by a customer with an empty history. */
    lty_test_customer(t.e, "chart-4711", "Someone Else", "010-7777-8888");
    c = get_ok("chart-4711");
    lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
    ck_assert_int_eq(lty_customer_stats_get(c, &st), LTY_OK);
    ck_assert_int_eq(st.net_spend, 0);
    ck_assert_int_eq(st.visits, 0);
    lty_customer_free(c);
    /* A new customer with a new id cannot take over anon-1's history. */
    REFUSED(create_full("anon-1", NULL, NULL, NULL), LTY_EEXISTS,
            "customer id", NULL);
}
END_TEST

START_TEST(erase_hands_out_fresh_anonymous_ids)
{
    char key[LTY_ID_MAX + 8];
    raw_value r;
    /* A host customer that happens to be called "anon-1" is skipped. */
    lty_test_customer(t.e, "anon-1", "Host Named Me So", NULL);
    lty_test_customer(t.e, "a", NULL, NULL);
    lty_test_customer(t.e, "b", NULL, NULL);
    lty_test_event(t.e, "ev-a", "a", LTY_TEST_NOW - 10, 100, NULL);
    lty_test_event(t.e, "ev-b", "b", LTY_TEST_NOW - 10, 250, NULL);
    ck_assert_int_eq(lty_customer_erase(t.e, "a"), LTY_OK);
    ck_assert_int_eq(lty_customer_erase(t.e, "b"), LTY_OK);
    ck_assert_int_eq(stored_net_spend("anon-2"), 100);
    ck_assert_int_eq(stored_net_spend("anon-3"), 250);
    ck_assert_int_eq(get_raw(key, customer_key(key, "anon-1", 'A'), &r), 0);
    lty_customer *c = get_ok("anon-1");
    ck_assert_str_eq(lty_customer_name(c), "Host Named Me So");
    lty_customer_free(c);

    /* A customer without events leaves nothing behind but the counter. */
    lty_test_customer(t.e, "quiet", "Quiet Person", "010-5555-4444");
    ck_assert_int_eq(lty_customer_erase(t.e, "quiet"), LTY_OK);
    ck_assert_int_eq(store_contains("Quiet Person"), 0);
    ck_assert_int_eq(store_contains("+821055554444"), 0);
    size_t mismatches = 99;
    ck_assert_int_eq(lty_verify(t.e, &mismatches, NULL, NULL), LTY_OK);
    ck_assert_uint_eq(mismatches, 0);
}
END_TEST

START_TEST(erase_with_corrupt_counter_changes_nothing)
{
    static const char meta_anon[] = "M\0anon";
    static const unsigned char junk[] = {6, 1, 0x0f, 0xff};
    lty_test_customer(t.e, "a", "Name", "010-1234-5678");
    put_raw(meta_anon, sizeof meta_anon - 1, junk, sizeof junk);
    REFUSED(lty_customer_erase(t.e, "a"), LTY_ECORRUPT, "anonymous id", NULL);
    ck_assert_str_eq(who_has_phone("010-1234-5678"), "a");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Corrupt records                                                     */
/* ------------------------------------------------------------------ */

/* A tiny record writer for hand-made (and hand-broken) profiles. */
typedef struct rec {
    unsigned char b[4096];
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

/* created = 2026-03-01 (zigzag) */
static void rec_profile_start(rec *r)
{
    rec_begin(r, 2, 1);
    rec_u64(r, 1, (uint64_t)LTY_TEST_NOW * 2);
}

static int get_with_profile(const rec *r)
{
    char key[LTY_ID_MAX + 8];
    lty_customer *c = (lty_customer *)key;
    put_raw(key, customer_key(key, "c1", 'P'), r->b, r->n);
    int rc = lty_customer_get(t.e, "c1", &c);
    if (rc == LTY_OK)
        lty_customer_free(c);
    else
        ck_assert_ptr_null(c);
    return rc;
}

START_TEST(hand_made_profiles_decode_or_are_ecorrupt)
{
    rec r, sub;
    lty_test_customer(t.e, "c1", NULL, NULL);

    /* A valid hand-made record reads back. */
    rec_profile_start(&r);
    rec_str(&r, 2, "Name");
    rec_str(&r, 3, "+821012345678");
    rec_str(&r, 9, "a");
    rec_str(&r, 9, "b");
    ck_assert_int_eq(get_with_profile(&r), LTY_OK);

    /* Each of these is something the API could never have written. */
    rec_begin(&r, 2, 1);                       /* no created time */
    rec_str(&r, 2, "Name");
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "customer profile");

    rec_profile_start(&r);
    rec_str(&r, 9, "b");                        /* tags out of order */
    rec_str(&r, 9, "a");
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);
    rec_str(&r, 9, "a");                        /* duplicate tag */
    rec_str(&r, 9, "a");
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);
    rec_str(&r, 2, "Bad\x01Name");              /* control character */
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);
    rec_str(&r, 2, "\xC0\xAF");                 /* overlong UTF-8 */
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);
    rec_bytes(&r, 2, "A\0B", 3);                /* NUL inside */
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);
    rec_str(&r, 3, "010-1234-5678");            /* not normalised */
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);
    rec_str(&r, 4, "Upper@Case.com");           /* not normalised */
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);
    rec_str(&r, 2, "A");
    rec_str(&r, 2, "B");                        /* scalar repeated */
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);
    rec_str(&r, 3, "+821012345678");
    rec_str(&r, 2, "Late");                     /* tags going backwards */
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);
    rec_u64(&r, 6, 9);                          /* unknown channel */
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    /* Fields a later minor version may add are skipped, at the top level
     * and inside nested messages. */
    rec_profile_start(&r);
    sub.n = 0;
    rec_str(&sub, 1, "doctor");
    rec_str(&sub, 2, "female");
    rec_u64(&sub, 3, 77);
    rec_bytes(&r, 7, sub.b, sub.n);
    sub.n = 0;
    rec_u64(&sub, 1, 1);
    rec_u64(&sub, 2, 2);
    rec_u64(&sub, 3, 1);
    rec_u64(&sub, 4, 2);
    rec_str(&sub, 200, "future");
    rec_bytes(&r, 11, sub.b, sub.n);
    rec_u64(&r, 12, 1);
    rec_str(&r, 999, "future");
    ck_assert_int_eq(get_with_profile(&r), LTY_OK);
    {
        lty_customer *c = get_ok("c1");
        int granted = 0;
        int64_t since = 0;
        ck_assert_str_eq(lty_customer_preference(c, "doctor"), "female");
        ck_assert_int_eq(lty_customer_consent(c, LTY_CHANNEL_SMS,
                                              LTY_PURPOSE_MARKETING, &granted,
                                              &since), LTY_OK);
        ck_assert_int_eq(granted, 1);
        ck_assert_int_eq(since, 1);
        lty_customer_free(c);
    }

    rec_profile_start(&r);                      /* consent without time */
    sub.n = 0;
    rec_u64(&sub, 1, 1);
    rec_u64(&sub, 2, 2);
    rec_u64(&sub, 3, 1);
    rec_bytes(&r, 11, sub.b, sub.n);
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);                      /* a tag past the codec's */
    rec_u64(&r, 1001, 1);
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);                      /* Feb 29 2025 */
    sub.n = 0;
    rec_u64(&sub, 1, 2025);
    rec_u64(&sub, 2, 2);
    rec_u64(&sub, 3, 29);
    rec_bytes(&r, 5, sub.b, sub.n);
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);                      /* month 13 */
    sub.n = 0;
    rec_u64(&sub, 1, 0);
    rec_u64(&sub, 2, 13);
    rec_u64(&sub, 3, 1);
    rec_bytes(&r, 5, sub.b, sub.n);
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);                      /* Feb 29, no year: fine */
    sub.n = 0;
    rec_u64(&sub, 1, 0);
    rec_u64(&sub, 2, 2);
    rec_u64(&sub, 3, 29);
    rec_bytes(&r, 5, sub.b, sub.n);
    ck_assert_int_eq(get_with_profile(&r), LTY_OK);

    rec_profile_start(&r);                      /* 33 preferences */
    for (int i = 0; i < LTY_ATTRS_MAX + 1; i++) {
        char k[8];
        snprintf(k, sizeof k, "k%02d", i);
        sub.n = 0;
        rec_str(&sub, 1, k);
        rec_str(&sub, 2, "v");
        rec_bytes(&r, 7, sub.b, sub.n);
    }
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);                      /* preference without key */
    sub.n = 0;
    rec_str(&sub, 2, "v");
    rec_bytes(&r, 7, sub.b, sub.n);
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);                      /* transactional consent */
    sub.n = 0;
    rec_u64(&sub, 1, 1);
    rec_u64(&sub, 2, 1);
    rec_u64(&sub, 3, 1);
    rec_u64(&sub, 4, 2);
    rec_bytes(&r, 11, sub.b, sub.n);
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_profile_start(&r);                      /* length past the end */
    rec_varint(&r, 2 << 3 | 2);
    rec_varint(&r, 100);
    rec_str(&r, 99, "x");
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_begin(&r, 3, 1);                        /* wrong kind */
    rec_u64(&r, 1, 2);
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_begin(&r, 2, 0);                        /* version 0 */
    rec_u64(&r, 1, 2);
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);

    rec_begin(&r, 2, 2);                        /* a newer library's */
    rec_u64(&r, 1, 2);
    ck_assert_int_eq(get_with_profile(&r), LTY_EVERSION);
    lty_assert_err_mentions(t.e, "customer profile");

    r.n = 0;                                    /* empty value */
    ck_assert_int_eq(get_with_profile(&r), LTY_ECORRUPT);
}
END_TEST

START_TEST(truncated_and_flipped_profiles_never_crash)
{
    char key[LTY_ID_MAX + 8];
    size_t kn = customer_key(key, "c1", 'P');
    raw_value good;
    rec r;
    make_rich_customer("c1");
    ck_assert_int_eq(lty_customer_set_consent(t.e, "c1", LTY_CHANNEL_PUSH,
                                              LTY_PURPOSE_NIGHT_MARKETING, 0),
                     LTY_OK);
    ck_assert_int_eq(get_raw(key, kn, &good), 1);
    ck_assert_uint_le(good.len, sizeof r.b);

    /* Every proper prefix is malformed (the record ends inside a field, or
     * lacks a list entry's required part), except those that end exactly
     * between two top-level fields, which are shorter valid profiles. */
    for (size_t len = 0; len < good.len; len++) {
        memcpy(r.b, good.data, len);
        r.n = len;
        int rc = get_with_profile(&r);
        ck_assert_msg(rc == LTY_OK || rc == LTY_ECORRUPT,
                      "prefix %zu: %s", len, lty_strerror(rc));
        if (len < 4)
            ck_assert_int_eq(rc, LTY_ECORRUPT);
    }
    /* Flip every bit of every byte. */
    for (size_t i = 0; i < good.len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(r.b, good.data, good.len);
            r.n = good.len;
            r.b[i] ^= (unsigned char)(1u << bit);
            int rc = get_with_profile(&r);
            ck_assert_msg(rc == LTY_OK || rc == LTY_ECORRUPT ||
                              rc == LTY_EVERSION,
                          "byte %zu bit %d: %s", i, bit, lty_strerror(rc));
        }
    }
    /* Garbage. */
    unsigned char junk[512];
    unsigned s = 12345;
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(s % sizeof junk);
        for (size_t i = 0; i < n; i++) {
            s = s * 1103515245u + 12345u;
            junk[i] = (unsigned char)(s >> 16);
        }
        if (n >= 2) {
            junk[0] = 2;
            junk[1] = 1;
        }
        memcpy(r.b, junk, n);
        r.n = n;
        int rc = get_with_profile(&r);
        ck_assert(rc == LTY_OK || rc == LTY_ECORRUPT);
    }
    /* The original bytes are still fine. */
    memcpy(r.b, good.data, good.len);
    r.n = good.len;
    ck_assert_int_eq(get_with_profile(&r), LTY_OK);
}
END_TEST

START_TEST(corrupt_profile_refuses_updates_and_finds)
{
    char key[LTY_ID_MAX + 8];
    static const unsigned char junk[] = {2, 1, 0xff, 0xff, 0xff};
    lty_customer *c = NULL;
    lty_test_customer(t.e, "c1", "Name", "010-1234-5678");
    put_raw(key, customer_key(key, "c1", 'P'), junk, sizeof junk);
    REFUSED(lty_customer_add_tag(t.e, "c1", "x"), LTY_ECORRUPT,
            "customer profile", NULL);
    REFUSED(lty_customer_erase(t.e, "c1"), LTY_ECORRUPT, "customer profile",
            NULL);
    ck_assert_int_eq(lty_customer_find_by_phone(t.e, "010-1234-5678", &c),
                     LTY_ECORRUPT);
    ck_assert_ptr_null(c);

    /* A look-up entry that does not hold an id. */
    static const char phone_key[] = "I\0phone\0+821012345678";
    put_raw(phone_key, sizeof phone_key - 1, "", 0);
    ck_assert_int_eq(lty_customer_find_by_phone(t.e, "010-1234-5678", &c),
                     LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "phone index");
    put_raw(phone_key, sizeof phone_key - 1, "c\0001", 3);
    ck_assert_int_eq(lty_customer_find_by_phone(t.e, "010-1234-5678", &c),
                     LTY_ECORRUPT);
    /* An entry that points at a customer without that number (a stale
     * entry) finds nobody. */
    lty_test_customer(t.e, "c2", "Other", NULL);
    put_raw(phone_key, sizeof phone_key - 1, "c2", 2);
    ck_assert_int_eq(lty_customer_find_by_phone(t.e, "010-1234-5678", &c),
                     LTY_ENOTFOUND);
    ck_assert_ptr_null(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Concurrency                                                         */
/* ------------------------------------------------------------------ */

START_TEST(two_engines_see_each_others_changes)
{
    lty_engine *e2 = lty_test_env_engine(&t);
    lty_test_customer(t.e, "c1", "A", "010-1234-5678");
    ck_assert_int_eq(lty_customer_add_tag(e2, "c1", "from-e2"), LTY_OK);
    ck_assert_int_eq(lty_customer_add_tag(t.e, "c1", "from-e1"), LTY_OK);
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "c2";
    f.set = LTY_FIELD_PHONE;
    f.phone = "+821012345678";
    ck_assert_int_eq(lty_customer_create(e2, &f), LTY_EEXISTS);
    lty_customer *c = get_ok("c1");
    ck_assert_uint_eq(lty_customer_tag_count(c), 2);
    lty_customer_free(c);
    lty_engine_free(e2);
}
END_TEST

static Suite *customer_suite(void)
{
    Suite *s = suite_create("customer");
    TCase *tc;

    tc = tcase_create("profile");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, create_get_round_trip);
    tcase_add_test(tc, minimal_customer_has_nothing_set);
    tcase_add_test(tc, snapshot_outlives_engine_and_store_changes);
    tcase_add_test(tc, create_existing_id_is_eexists);
    tcase_add_test(tc, unknown_customer_is_enotfound);
    tcase_add_test(tc, partial_update_changes_only_set_fields);
    tcase_add_test(tc, set_fields_with_null_or_empty_clear);
    tcase_add_test(tc, two_engines_see_each_others_changes);
    suite_add_tcase(s, tc);

    tc = tcase_create("contact");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, three_phone_spellings_are_one_number);
    tcase_add_test(tc, changing_phone_moves_the_index);
    tcase_add_test(tc, phone_normalisation_table);
    tcase_add_test(tc, bad_phones_are_einvalid);
    tcase_add_test(tc, country_code_comes_from_the_engine);
    tcase_add_test(tc, email_is_case_insensitive);
    tcase_add_test(tc, bad_emails_are_einvalid);
    suite_add_tcase(s, tc);

    tc = tcase_create("lists");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, preferences_add_replace_remove_and_limit);
    tcase_add_test(tc, notes_add_replace_remove_and_limit);
    tcase_add_test(tc, tags_sorted_unique_and_limited);
    tcase_add_test(tc, anniversaries_set_replace_remove_and_limit);
    tcase_add_test(tc, consent_given_and_withdrawn_with_clock_times);
    suite_add_tcase(s, tc);

    tc = tcase_create("bad input");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, bad_fields_are_refused_without_writing);
    tcase_add_test(tc, bad_ids_on_every_call);
    suite_add_tcase(s, tc);

    tc = tcase_create("erase");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, erase_removes_personal_data_and_keeps_aggregates);
    tcase_add_test(tc, erase_hands_out_fresh_anonymous_ids);
    tcase_add_test(tc, erase_with_corrupt_counter_changes_nothing);
    suite_add_tcase(s, tc);

    tc = tcase_create("corrupt");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, hand_made_profiles_decode_or_are_ecorrupt);
    tcase_add_test(tc, truncated_and_flipped_profiles_never_crash);
    tcase_add_test(tc, corrupt_profile_refuses_updates_and_finds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(customer_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
