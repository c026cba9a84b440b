/*
 * libloyalty tests - erasing a customer who takes part in programs: the
 * program state, per-event earnings, points spends, program history and
 * rewards move to the anonymous id with the ledger, nothing is left under
 * the erased id, and a new customer with that id starts from nothing.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <loyalty.h>

#include "faultworld.h"
#include "storedump.h"
#include "testutil.h"

#define DAY INT64_C(86400)
/* Noon in Seoul (UTC+9) on day d after LTY_TEST_NOW (2026-03-01). */
#define AT(d) (LTY_TEST_NOW + (int64_t)(d) * DAY + 3 * 3600)

/* The erased customer's id and personal data: none may survive erasure. */
#define OLD_ID "chart-0815-kim"
#define PERSONAL_NAME "Kim Minji"
#define HAND_REWARD_NAME "Minji's birthday cake"
#define ANON_ID "anon-1"

static lty_test_env t;

static void setup(void)
{
    lty_test_env_open(&t);
    t.now = AT(10);
}

static void teardown(void)
{
    lty_test_env_close(&t);
}

/* ------------------------------------------------------------------ */
/* Programs (as in check_program.c)                                    */
/* ------------------------------------------------------------------ */

static const lty_ladder_step ladder_steps[] = {
    {1, "주임"}, {3, "계장"}, {6, "과장"}};

static const lty_earn_rule star_rules[] = {
    {LTY_EARN_PER_AMOUNT, 1000, 1, NULL}};

static lty_tier star_tiers[] = {
    {"Welcome", 0, 0, 0, NULL, 0, 0, 0},
    {"Green", 5, 0, 0, NULL, 0, 0, 0},
    {"Gold", 30, 0, 12, "Free drink", LTY_REWARD_SERVICE, 5000, 30}};

static const lty_earn_rule point_rules[] = {
    {LTY_EARN_PER_AMOUNT, 100, 1, NULL}};

static void define_programs(lty_engine *e)
{
    lty_program_def d = LTY_PROGRAM_DEF_INIT;
    d.id = "stars";
    d.name = "Star card";
    d.kind = LTY_PROGRAM_STARS;
    d.rules = star_rules;
    d.rule_count = 1;
    d.tiers = star_tiers;
    d.tier_count = 3;
    ck_assert_int_eq(lty_program_define(e, &d), LTY_OK);

    lty_program_def p = LTY_PROGRAM_DEF_INIT;
    p.id = "points";
    p.name = "Clinic points";
    p.kind = LTY_PROGRAM_POINTS;
    p.medical = 1;
    p.rules = point_rules;
    p.rule_count = 1;
    p.expiry = LTY_EXPIRY_AFTER_DAYS;
    p.expiry_days = 30;
    ck_assert_int_eq(lty_program_define(e, &p), LTY_OK);

    lty_program_def l = LTY_PROGRAM_DEF_INIT;
    l.id = "ladder";
    l.name = "Visit card";
    l.kind = LTY_PROGRAM_LADDER;
    l.steps = ladder_steps;
    l.step_count = sizeof ladder_steps / sizeof ladder_steps[0];
    ck_assert_int_eq(lty_program_define(e, &l), LTY_OK);
}

static void record_ok(lty_engine *e, lty_event_type type, const char *id,
                      const char *cid, int64_t time, int64_t amount,
                      const char *refund_of)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = type;
    ev.id = id;
    ev.customer_id = cid;
    ev.time = time;
    ev.amount = amount;
    ev.refund_of = refund_of;
    int rc = lty_record(e, &ev, NULL);
    ck_assert_msg(rc == LTY_OK, "record %s: %s (%s)", id, lty_strerror(rc),
                  lty_engine_last_error(e));
}

static void issue_by_hand(lty_engine *e, const char *code, const char *cid,
                          const char *name)
{
    lty_reward_spec r = LTY_REWARD_SPEC_INIT;
    r.code = code;
    r.customer_id = cid;
    r.name = name;
    r.kind = LTY_REWARD_DISCOUNT;
    r.value = 3000;
    ck_assert_int_eq(lty_reward_issue(e, &r), LTY_OK);
}

/* The customer to erase, with a bystander, programs, purchases, a visit,
 * a points spend, a refund, rewards by rule and by hand, and a tick's
 * notices. */
static void seed(lty_engine *e)
{
    define_programs(e);
    lty_test_customer(e, OLD_ID, PERSONAL_NAME, "010-4321-8765");
    lty_test_customer(e, "bystander", "Lee", NULL);
    /* 40 stars: Gold, three drinks of 12 stars; 400 points */
    record_ok(e, LTY_EVENT_PURCHASE, "b1", OLD_ID, AT(0), 40000, NULL);
    /* 10 more stars: a fourth drink; 100 points */
    record_ok(e, LTY_EVENT_PURCHASE, "b2", OLD_ID, AT(1), 10000, NULL);
    record_ok(e, LTY_EVENT_VISIT, "v1", OLD_ID, AT(2), 0, NULL);
    ck_assert_int_eq(lty_points_spend(e, OLD_ID, "points", "sp1", 150, "b2"),
                     LTY_OK);
    ck_assert_int_eq(lty_points_spend(e, OLD_ID, "points", "sp2", 20, NULL),
                     LTY_OK);
    record_ok(e, LTY_EVENT_REFUND, "rf1", OLD_ID, AT(3), 5000, "b2");
    issue_by_hand(e, "gift-77", OLD_ID, HAND_REWARD_NAME);
    record_ok(e, LTY_EVENT_PURCHASE, "o1", "bystander", AT(1), 7000, NULL);
    /* expiry notices and the like land in the program history */
    ck_assert_int_eq(lty_programs_tick(e, AT(4), NULL), LTY_OK);
}

/* ------------------------------------------------------------------ */
/* Reading the store                                                   */
/* ------------------------------------------------------------------ */

typedef struct lines {
    char *s;
    size_t len, cap;
    size_t plen;
} lines;

static void hex_to(lines *l, const void *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        l->s[l->len++] = digits[b[i] >> 4];
        l->s[l->len++] = digits[b[i] & 15];
    }
}

static int program_record(const char *key, size_t keylen, const void *val,
                          size_t len, uint64_t rev, void *ctx)
{
    lines *l = ctx;
    (void)rev;
    const char *rest = key + l->plen;
    if (rest[0] == 'A' || rest[0] == 'L' || rest[0] == 'P')
        return LTY_OK; /* the ledger's and the profile's own tests cover these */
    if (rest[0] == 'O' || rest[0] == 'K')
        return LTY_OK; /* outbox messages and contact state: deleted, below */
    size_t need = l->len + 2 * (keylen + len) + 3;
    if (need > l->cap) {
        l->cap = need * 2;
        l->s = realloc(l->s, l->cap);
        ck_assert_ptr_nonnull(l->s);
    }
    hex_to(l, rest, keylen - l->plen);
    l->s[l->len++] = ' ';
    hex_to(l, val, len);
    l->s[l->len++] = '\n';
    l->s[l->len] = '\0';
    return LTY_OK;
}

/* Every record of customer id other than the profile, the aggregates and
 * the ledger, as "<key rest> <value>" lines in hex (malloc'd). */
static char *program_records(const lty_storage_ops *ops, void *ud,
                             const char *id)
{
    char prefix[LTY_ID_MAX + 4];
    size_t n = strlen(id);
    prefix[0] = 'C';
    prefix[1] = '\0';
    memcpy(prefix + 2, id, n);
    prefix[2 + n] = '\0';
    lines l = {calloc(1, 1), 0, 1, 3 + n};
    ck_assert_ptr_nonnull(l.s);
    ck_assert_int_eq(ops->scan(prefix, 3 + n, NULL, 0, program_record, &l, ud),
                     LTY_OK);
    return l.s;
}

static void put_raw(const void *key, size_t keylen, const void *val,
                    size_t len)
{
    ck_assert_int_eq(t.ops.begin(t.ud), LTY_OK);
    ck_assert_int_eq(t.ops.put(key, keylen, val, len, LTY_REV_ANY, NULL, t.ud),
                     LTY_OK);
    ck_assert_int_eq(t.ops.commit(t.ud), LTY_OK);
}

static int contains(const char *text)
{
    int rc = lty_test_dump_contains(&t.ops, t.ud, text, strlen(text));
    ck_assert_int_ge(rc, 0);
    return rc;
}

static lty_program_status status(const char *cid, const char *pid)
{
    lty_program_status st = LTY_PROGRAM_STATUS_INIT;
    int rc = lty_program_status_get(t.e, cid, pid, &st);
    ck_assert_msg(rc == LTY_OK, "status %s %s: %s (%s)", cid, pid,
                  lty_strerror(rc), lty_engine_last_error(t.e));
    return st;
}

static size_t verify_mismatches(void)
{
    size_t mismatches = 99;
    ck_assert_int_eq(lty_verify(t.e, &mismatches, NULL, NULL), LTY_OK);
    return mismatches;
}

#define MAX_REWARDS 16

static size_t list_rewards(const char *cid, lty_reward out[MAX_REWARDS])
{
    size_t count = 0;
    for (size_t i = 0; i < MAX_REWARDS; i++) {
        lty_reward r = LTY_REWARD_INIT;
        out[i] = r;
    }
    ck_assert_int_eq(lty_reward_list(t.e, cid, out, MAX_REWARDS, &count),
                     LTY_OK);
    ck_assert_uint_le(count, MAX_REWARDS);
    return count;
}

static void same_status(const lty_program_status *a,
                        const lty_program_status *b)
{
    ck_assert_int_eq(a->kind, b->kind);
    ck_assert_int_eq(a->visits, b->visits);
    ck_assert_int_eq(a->level, b->level);
    ck_assert_str_eq(a->title, b->title);
    ck_assert_str_eq(a->next_title, b->next_title);
    ck_assert_int_eq(a->to_next, b->to_next);
    ck_assert_int_eq(a->balance, b->balance);
    ck_assert_int_eq(a->locked, b->locked);
    ck_assert_int_eq(a->earned_window, b->earned_window);
    ck_assert_int_eq(a->earned_lifetime, b->earned_lifetime);
    ck_assert_int_eq(a->tier_until, b->tier_until);
    ck_assert_int_eq(a->next_expiry, b->next_expiry);
    ck_assert_int_eq(a->next_expiry_amount, b->next_expiry_amount);
}

static const char *const programs[] = {"stars", "points", "ladder"};
#define NPROGRAMS (sizeof programs / sizeof programs[0])

/* ------------------------------------------------------------------ */
/* Scenario                                                            */
/* ------------------------------------------------------------------ */

START_TEST(erase_moves_programs_and_rewards_to_the_anonymous_id)
{
    seed(t.e);

    /* Before: the standing, rewards, history and records of the customer. */
    lty_program_status before[NPROGRAMS];
    for (size_t i = 0; i < NPROGRAMS; i++)
        before[i] = status(OLD_ID, programs[i]);
    ck_assert_str_eq(before[0].title, "Gold");
    ck_assert_int_gt(before[1].balance, 0);
    ck_assert_int_ge(before[2].level, 0);
    lty_reward rewards[MAX_REWARDS];
    size_t nrewards = list_rewards(OLD_ID, rewards);
    ck_assert_uint_eq(nrewards, 5); /* four drinks and the gift */
    size_t nhistory = 0;
    ck_assert_int_eq(lty_program_history(t.e, OLD_ID, NULL, 0, &nhistory),
                     LTY_OK);
    ck_assert_uint_gt(nhistory, 0);
    char *records = program_records(&t.ops, t.ud, OLD_ID);
    /* every kind is there to be moved: program state, history, spends and
     * reward index (key rests G, H, S, W in hex); per-event earnings ("X")
     * move too when a store holds them */
    ck_assert_int_eq(strncmp(records, "47 ", 3), 0);
    static const char *const kinds[] = {"\n48", "\n53", "\n57"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        ck_assert_msg(strstr(records, kinds[i]) != NULL,
                      "no record of kind %s before erasure", kinds[i] + 1);
    ck_assert_int_eq(contains(OLD_ID), 1);
    ck_assert_int_eq(contains(HAND_REWARD_NAME), 1);
    /* the promotions planned staff notices in the outbox */
    lty_outbox_filter of = {OLD_ID, (lty_message_state)0, 0, 0};
    size_t nmsg = 0;
    ck_assert_int_eq(lty_outbox_list(t.e, &of, NULL, 0, &nmsg), LTY_OK);
    ck_assert_uint_gt(nmsg, 0);

    ck_assert_int_eq(lty_customer_erase(t.e, OLD_ID), LTY_OK);

    /* an erased customer is sent nothing: the messages are gone */
    ck_assert_int_eq(lty_outbox_list(t.e, &of, NULL, 0, &nmsg), LTY_OK);
    ck_assert_uint_eq(nmsg, 0);
    lty_outbox_filter anon_f = {ANON_ID, (lty_message_state)0, 0, 0};
    ck_assert_int_eq(lty_outbox_list(t.e, &anon_f, NULL, 0, &nmsg), LTY_OK);
    ck_assert_uint_eq(nmsg, 0);
    /* a bystander's notices are untouched */
    lty_outbox_filter other = {"bystander", (lty_message_state)0, 0, 0};
    ck_assert_int_eq(lty_outbox_list(t.e, &other, NULL, 0, &nmsg), LTY_OK);
    ck_assert_uint_gt(nmsg, 0);

    /* (a) the erased id and the personal texts are nowhere in the store */
    ck_assert_int_eq(contains(OLD_ID), 0);
    ck_assert_int_eq(contains(PERSONAL_NAME), 0);
    ck_assert_int_eq(contains("Minji"), 0);
    ck_assert_int_eq(contains("+821043218765"), 0);

    /* (b) the same records, byte for byte, under the anonymous id */
    char *moved = program_records(&t.ops, t.ud, ANON_ID);
    ck_assert_str_eq(moved, records);
    char *left = program_records(&t.ops, t.ud, OLD_ID);
    ck_assert_str_eq(left, "");
    free(records);
    free(moved);
    free(left);

    /* (c) the rewards belong to the anonymous id, keep their state, and
     * stay redeemable by code; a name the host typed is neutral now */
    for (size_t i = 0; i < nrewards; i++) {
        lty_reward r = LTY_REWARD_INIT;
        ck_assert_int_eq(lty_reward_get(t.e, rewards[i].code, &r), LTY_OK);
        ck_assert_str_eq(r.customer_id, ANON_ID);
        ck_assert_str_eq(r.program_id, rewards[i].program_id);
        ck_assert_int_eq(r.state, rewards[i].state);
        ck_assert_int_eq(r.kind, rewards[i].kind);
        ck_assert_int_eq(r.value, rewards[i].value);
        ck_assert_int_eq(r.source, rewards[i].source);
        ck_assert_int_eq(r.issued, rewards[i].issued);
        ck_assert_int_eq(r.expires, rewards[i].expires);
        if (r.source == LTY_REWARD_BY_HAND)
            ck_assert_str_eq(r.name, "reward");
        else
            ck_assert_str_eq(r.name, rewards[i].name);
    }
    size_t drink = nrewards;
    for (size_t i = 0; i < nrewards && drink == nrewards; i++)
        if (rewards[i].source == LTY_REWARD_BY_RULE &&
            rewards[i].state == LTY_REWARD_ISSUED)
            drink = i;
    ck_assert_uint_lt(drink, nrewards);
    ck_assert_int_eq(lty_reward_redeem(t.e, "gift-77", LTY_TIME_NOW), LTY_OK);
    ck_assert_int_eq(lty_reward_redeem(t.e, rewards[drink].code, LTY_TIME_NOW),
                     LTY_OK);
    ck_assert_int_eq(lty_reward_redeem(t.e, rewards[drink].code, LTY_TIME_NOW),
                     LTY_ESTATE);
    lty_reward got = LTY_REWARD_INIT;
    ck_assert_int_eq(lty_reward_get(t.e, rewards[drink].code, &got), LTY_OK);
    ck_assert_int_eq(got.state, LTY_REWARD_REDEEMED);
    ck_assert_str_eq(got.customer_id, ANON_ID);

    /* (e) the ledger and aggregates still agree */
    ck_assert_uint_eq(verify_mismatches(), 0);

    /* (d) a new customer with the old id starts from nothing */
    lty_test_customer(t.e, OLD_ID, "Someone Else", NULL);
    lty_program_status st = status(OLD_ID, "stars");
    ck_assert_int_eq(st.balance, 0);
    ck_assert_int_eq(st.earned_lifetime, 0);
    ck_assert_int_eq(st.level, 0);
    ck_assert_str_eq(st.title, "Welcome");
    st = status(OLD_ID, "points");
    ck_assert_int_eq(st.balance, 0);
    ck_assert_int_eq(st.earned_lifetime, 0);
    st = status(OLD_ID, "ladder");
    ck_assert_int_eq(st.level, -1);
    ck_assert_int_eq(st.visits, 0);
    lty_reward none[MAX_REWARDS];
    ck_assert_uint_eq(list_rewards(OLD_ID, none), 0);
    size_t n = 99;
    ck_assert_int_eq(lty_program_history(t.e, OLD_ID, NULL, 0, &n), LTY_OK);
    ck_assert_uint_eq(n, 0);
    /* its first purchase earns from zero */
    record_ok(t.e, LTY_EVENT_PURCHASE, "n1", OLD_ID, AT(5), 6000, NULL);
    st = status(OLD_ID, "stars");
    ck_assert_int_eq(st.balance, 6);
    ck_assert_str_eq(st.title, "Green");
    ck_assert_int_eq(status(OLD_ID, "points").balance, 60);
    ck_assert_uint_eq(list_rewards(OLD_ID, none), 0);
    ck_assert_uint_eq(verify_mismatches(), 0);

    /* (b) once more, through the API: given a profile (a test-only stub;
     * the anonymous id is not a customer), the anonymous id's standing is
     * the erased customer's, and its rewards list is theirs. */
    static const char stub_key[] = "C\0" ANON_ID "\0P";
    static const unsigned char stub_profile[] = {2, 1, 0x08, 0x02};
    put_raw(stub_key, sizeof stub_key - 1, stub_profile, sizeof stub_profile);
    for (size_t i = 0; i < NPROGRAMS; i++) {
        lty_program_status now = status(ANON_ID, programs[i]);
        same_status(&now, &before[i]);
    }
    lty_reward anon[MAX_REWARDS];
    ck_assert_uint_eq(list_rewards(ANON_ID, anon), nrewards);
    for (size_t i = 0; i < nrewards; i++)
        ck_assert_str_eq(anon[i].code, rewards[i].code);
    ck_assert_int_eq(lty_program_history(t.e, ANON_ID, NULL, 0, &n), LTY_OK);
    ck_assert_uint_eq(n, nhistory);
}
END_TEST

START_TEST(a_customer_with_only_a_reward_leaves_no_id_to_take_over)
{
    lty_test_customer(t.e, OLD_ID, PERSONAL_NAME, NULL);
    issue_by_hand(t.e, "gift-1", OLD_ID, HAND_REWARD_NAME);
    ck_assert_int_eq(lty_customer_erase(t.e, OLD_ID), LTY_OK);
    ck_assert_int_eq(contains(OLD_ID), 0);
    ck_assert_int_eq(contains("Minji"), 0);
    lty_reward r = LTY_REWARD_INIT;
    ck_assert_int_eq(lty_reward_get(t.e, "gift-1", &r), LTY_OK);
    ck_assert_str_eq(r.customer_id, ANON_ID);
    ck_assert_int_eq(r.state, LTY_REWARD_ISSUED);
    /* anon-1 has no aggregates, only the reward: still not to be taken */
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = ANON_ID;
    ck_assert_int_eq(lty_customer_create(t.e, &f), LTY_EEXISTS);
    lty_assert_err_mentions(t.e, "erased customer");
    /* the old id is free again, and empty */
    lty_test_customer(t.e, OLD_ID, NULL, NULL);
    lty_reward none[MAX_REWARDS];
    ck_assert_uint_eq(list_rewards(OLD_ID, none), 0);
    /* the next erasure takes the next anonymous id */
    issue_by_hand(t.e, "gift-2", OLD_ID, "Cake");
    ck_assert_int_eq(lty_customer_erase(t.e, OLD_ID), LTY_OK);
    ck_assert_int_eq(lty_reward_get(t.e, "gift-2", &r), LTY_OK);
    ck_assert_str_eq(r.customer_id, "anon-2");
    ck_assert_int_eq(lty_reward_get(t.e, "gift-1", &r), LTY_OK);
    ck_assert_str_eq(r.customer_id, ANON_ID);
    ck_assert_uint_eq(verify_mismatches(), 0);
}
END_TEST

START_TEST(an_unknown_record_kind_refuses_erasure_and_changes_nothing)
{
    seed(t.e);
    static const char key[] = "C\0" OLD_ID "\0Zfuture";
    put_raw(key, sizeof key - 1, "\x30\x01", 2);
    char *before = lty_test_dump(&t.ops, t.ud);
    ck_assert_int_eq(lty_customer_erase(t.e, OLD_ID), LTY_EVERSION);
    lty_assert_err_mentions(t.e, "erase");
    char *after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    lty_customer *c = NULL;
    ck_assert_int_eq(lty_customer_get(t.e, OLD_ID, &c), LTY_OK);
    lty_customer_free(c);
}
END_TEST

START_TEST(a_broken_reward_index_refuses_erasure_and_changes_nothing)
{
    lty_test_customer(t.e, OLD_ID, PERSONAL_NAME, NULL);
    lty_test_customer(t.e, "other", NULL, NULL);
    issue_by_hand(t.e, "theirs", "other", "Cake");
    /* an index entry naming a missing reward, then another's reward */
    static const char missing[] = "C\0" OLD_ID "\0Wnot-there";
    static const char foreign[] = "C\0" OLD_ID "\0Wtheirs";
    put_raw(missing, sizeof missing - 1, "", 0);
    char *before = lty_test_dump(&t.ops, t.ud);
    ck_assert_int_eq(lty_customer_erase(t.e, OLD_ID), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "missing reward");
    char *after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);

    ck_assert_int_eq(t.ops.begin(t.ud), LTY_OK);
    ck_assert_int_eq(t.ops.del(missing, sizeof missing - 1, LTY_REV_ANY, t.ud),
                     LTY_OK);
    ck_assert_int_eq(t.ops.commit(t.ud), LTY_OK);
    put_raw(foreign, sizeof foreign - 1, "", 0);
    before = lty_test_dump(&t.ops, t.ud);
    ck_assert_int_eq(lty_customer_erase(t.e, OLD_ID), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "another customer");
    after = lty_test_dump(&t.ops, t.ud);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    lty_reward r = LTY_REWARD_INIT;
    ck_assert_int_eq(lty_reward_get(t.e, "theirs", &r), LTY_OK);
    ck_assert_str_eq(r.customer_id, "other");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Fault injection                                                     */
/* ------------------------------------------------------------------ */

/* A memory store behind the fault-injecting wrapper. */
static void fseed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    seed(w->e);
}

static int f_erase(lty_engine *e)
{
    return lty_customer_erase(e, OLD_ID);
}

/* After every erasure: nothing is left under the old id, and erasing again
 * finds nothing. */
static void erased(lty_test_fault_world *w, void *ctx, long k)
{
    (void)ctx;
    ck_assert_msg(lty_test_dump_contains(&w->inner, w->inner_ud, OLD_ID,
                                         strlen(OLD_ID)) == 0,
                  "erase (k = %ld): the old id is still stored", k);
    ck_assert_int_eq(lty_customer_erase(w->e, OLD_ID), LTY_ENOTFOUND);
}

START_TEST(every_storage_failure_of_an_erase_leaves_the_store_unchanged)
{
    lty_test_fault_spec spec = {
        .name = "erase", .call = f_erase, .flags = LTY_TEST_FAULT_STORAGE,
        .min_calls = 20, .now = AT(10), .seed = fseed, .on_applied = erased};
    lty_test_fault_sweep(&spec);
}
END_TEST

static Suite *erase_programs_suite(void)
{
    Suite *s = suite_create("erase_programs");
    TCase *tc = tcase_create("erase");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, erase_moves_programs_and_rewards_to_the_anonymous_id);
    tcase_add_test(tc, a_customer_with_only_a_reward_leaves_no_id_to_take_over);
    tcase_add_test(tc, an_unknown_record_kind_refuses_erasure_and_changes_nothing);
    tcase_add_test(tc, a_broken_reward_index_refuses_erasure_and_changes_nothing);
    suite_add_tcase(s, tc);
    TCase *tf = tcase_create("faults");
    tcase_set_timeout(tf, 120);
    tcase_add_test(tf, every_storage_failure_of_an_erase_leaves_the_store_unchanged);
    suite_add_tcase(s, tf);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(erase_programs_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
