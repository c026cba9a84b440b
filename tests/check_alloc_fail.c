/*
 * libloyalty tests - every allocation failure of the main operations.
 *
 * The engine allocates through a hook (lty_engine_options.allocator) that
 * counts what it hands out and fails the n-th allocation (malloc or
 * realloc) after it is armed: only that one, so the code must pass the
 * failure up even when later allocations would succeed, and then (a second
 * sweep) that one and every later one, so the error paths must not need
 * memory either.  For every n from
 * 1 until the operation no longer reaches an n-th allocation, in a fresh,
 * seeded store each time, the operation must
 *   - return LTY_ENOMEM,
 *   - leave the store exactly as it was (keys, values and revisions), and
 *   - leak nothing: once the engine and what it handed out are freed,
 *     every block the hook allocated has been freed.
 * The run in which no allocation failed must succeed and change the store
 * (briefings only read).
 *
 * The worlds are those of the storage fault tests (faultworld.h), with the
 * counting allocator given to the engine.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <loyalty.h>

#include "faultworld.h"
#include "testutil.h"

#define NOW LTY_TEST_NOW /* 2026-03-01T00:00:00Z, 09:00 in Seoul */
#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)

/* ------------------------------------------------------------------ */
/* The counting, failing allocator                                     */
/* ------------------------------------------------------------------ */

typedef struct counting {
    long live;      /* blocks handed out and not yet freed */
    long calls;     /* malloc and realloc calls since armed */
    long fail_at;   /* fail this call (1-based); 0: never */
    int sticky;     /* and every later one too */
    int fired;      /* the armed call was reached (and failed) */
} counting;

/* 1 when this call is the one to fail. */
static int should_fail(counting *c)
{
    c->calls++;
    if (c->fail_at &&
        (c->calls == c->fail_at || (c->sticky && c->calls > c->fail_at))) {
        c->fired = 1;
        return 1;
    }
    return 0;
}

static void *c_malloc(size_t n, void *ud)
{
    counting *c = ud;
    if (should_fail(c))
        return NULL;
    void *p = malloc(n);
    if (p)
        c->live++;
    return p;
}

static void *c_realloc(void *old, size_t n, void *ud)
{
    counting *c = ud;
    if (should_fail(c))
        return NULL; /* the old block stays valid, as with realloc() */
    void *p = realloc(old, n);
    if (p && !old)
        c->live++;
    return p;
}

static void c_free(void *p, void *ud)
{
    counting *c = ud;
    if (p)
        c->live--;
    free(p);
}

static void arm(counting *c, long n)
{
    c->calls = 0;
    c->fail_at = n;
    c->fired = 0;
}

/* ------------------------------------------------------------------ */
/* The seeded store                                                    */
/* ------------------------------------------------------------------ */

/* A visit ladder (a title, and a staff notice, at the first visit) and a
 * stars program that gives a reward every 10 stars (a visit earns 5). */
static const char PROGRAMS[] =
    "[program ladder]\n"
    "kind = ladder\n"
    "name = Visit ladder\n"
    "[step]\nvisits = 1\ntitle = Regular\n"
    "[step]\nvisits = 3\ntitle = Friend\n"
    "[program stars]\n"
    "kind = stars\n"
    "name = Stars\n"
    "[earn]\nper = visit\nearn = 5\n"
    "[tier]\nname = Member\nthreshold = 0\n"
    "reward_every = 10\nreward = Coffee\nreward_kind = service\n"
    "reward_value = 4000\nreward_valid_days = 30\n";

/* Loaded by the "program load text" operation. */
static const char MORE_PROGRAMS[] =
    "[program points]\n"
    "kind = points\n"
    "name = Points\n"
    "expiry = after 365\n"
    "[earn]\nper = amount\nper_amount = 1000\nearn = 10\n"
    "[tier]\nname = Basic\nthreshold = 0\n"
    "[tier]\nname = Silver\nthreshold = 500\n";

static int sent; /* messages the messenger accepted */

static int count_send(const lty_message *msg, void *ud)
{
    (void)msg;
    (void)ud;
    sent++;
    return LTY_OK;
}

static void ok(lty_engine *e, int rc, const char *what)
{
    ck_assert_msg(rc == LTY_OK, "seed: %s: %s (%s)", what, lty_strerror(rc),
                  lty_engine_last_error(e));
}

/* A customer with a phone, SMS marketing consent and a March birthday. */
static void customer(lty_engine *e, const char *id, const char *name,
                     const char *phone)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = id;
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_BIRTHDAY;
    f.name = name;
    f.phone = phone;
    f.birthday.year = 1990;
    f.birthday.month = 3;
    f.birthday.day = 10;
    ok(e, lty_customer_create(e, &f), "customer");
    ok(e, lty_customer_set_consent(e, id, LTY_CHANNEL_SMS,
                                   LTY_PURPOSE_MARKETING, 1),
       "consent");
}

static int book(lty_engine *e, const char *id, const char *cid, int64_t start)
{
    lty_appointment_spec s = LTY_APPOINTMENT_SPEC_INIT;
    s.id = id;
    s.customer_id = cid;
    s.start = start;
    s.duration = 30;
    s.item = "scaling";
    s.staff = "dr-kim";
    return lty_appointment_book(e, &s);
}

static int plan(lty_engine *e, const char *id, const char *cid, int64_t due)
{
    lty_plan_spec s = LTY_PLAN_SPEC_INIT;
    s.id = id;
    s.customer_id = cid;
    s.template_id = "promo";
    s.purpose = LTY_PURPOSE_MARKETING;
    s.channel = LTY_CHANNEL_SMS;
    s.due = due;
    return lty_outbox_plan(e, &s);
}

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return NOW;
}

/* Programs, templates, four customers with history, an appointment today,
 * a message due, a birthday campaign, written by an engine of its own:
 * the engine under test starts cold, with nothing cached and no buffer
 * grown yet, so that the operation makes every allocation it can make. */
static void seed_store(lty_test_fault_world *w)
{
    lty_storage_ops ops;
    void *ud;
    ck_assert_int_eq(lty_memstore_connect(w->ms, &ops, &ud), LTY_OK);
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.storage = &ops;
    o.storage_userdata = ud;
    o.clock = fixed_clock;
    o.utc_offset_minutes = 540;
    lty_engine *e = NULL;
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_OK);
    ok(e, lty_program_load_text(e, PROGRAMS, sizeof PROGRAMS - 1, "seed"),
       "programs");
    ok(e, lty_template_set(e, "promo", LTY_CHANNEL_SMS, "",
                           "{name}, a gift for your birthday month"),
       "template");
    ok(e, lty_template_set(e, "program_promotion", LTY_CHANNEL_SMS, "",
                           "{name} reached a new title"),
       "template");
    customer(e, "c1", "Kim", "010-1111-2222");
    customer(e, "c2", "Lee", "010-3333-4444");
    customer(e, "c3", "Park", "010-5555-6666");
    customer(e, "c4", "Choi", "010-7777-8888");
    lty_test_event(e, "p1", "c1", NOW - 20 * DAY, 50000, "scaling");
    lty_test_event(e, "p2", "c1", NOW - 3 * DAY, 20000, "whitening");
    lty_test_event(e, "p3", "c2", NOW - 40 * DAY, 90000, "implant");
    lty_test_event(e, "v1", "c3", NOW - 2 * DAY, -1, "check-up");
    ok(e, book(e, "a1", "c1", NOW + 2 * HOUR), "book");
    ok(e, plan(e, "m1", "c2", NOW - HOUR), "plan");
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    ok(e, lty_campaign_preset_birthday(&d, 3), "preset");
    d.id = "bday";
    d.name = "Birthday";
    d.template_id = "promo";
    d.channel = LTY_CHANNEL_SMS;
    d.control_share = 0.25;
    ok(e, lty_campaign_define(e, &d), "campaign");
    lty_engine_free(e);
}

/* The seed of a world: the store, and the counting messenger on the engine
 * under test. */
static void seed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    seed_store(w);
    lty_messenger_ops m = LTY_MESSENGER_OPS_INIT;
    m.send = count_send;
    ok(w->e, lty_messenger_register(w->e, &m, NULL), "messenger");
}

/* ------------------------------------------------------------------ */
/* The operations                                                      */
/* ------------------------------------------------------------------ */

static int op_create(lty_engine *e)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "c9";
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_EMAIL;
    f.name = "Park";
    f.phone = "010-9999-0000";
    f.email = "park@example.com";
    return lty_customer_create(e, &f);
}

static int op_update(lty_engine *e)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "c1";
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_EMAIL;
    f.name = "Kim M.";
    f.phone = "010-1212-3434";
    f.email = "kim@example.com";
    return lty_customer_update(e, &f);
}

/* c4's first visit: the first title (with its staff notice) and 5 stars. */
static int op_record(lty_engine *e)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_PURCHASE;
    ev.id = "p9";
    ev.customer_id = "c4";
    ev.time = NOW;
    ev.amount = 30000;
    ev.item = "consult";
    lty_record_outcome o = LTY_RECORD_OUTCOME_INIT;
    int rc = lty_record(e, &ev, &o);
    if (rc == LTY_OK)
        ck_assert_int_ge(o.promotions, 1);
    return rc;
}

/* c2's second visit: 5 -> 10 stars, the reward. */
static int op_record_reward(lty_engine *e)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_VISIT;
    ev.id = "v9";
    ev.customer_id = "c2";
    ev.time = NOW;
    lty_record_outcome o = LTY_RECORD_OUTCOME_INIT;
    int rc = lty_record(e, &ev, &o);
    if (rc == LTY_OK)
        ck_assert_int_ge(o.rewards, 1);
    return rc;
}

static int op_batch(lty_engine *e)
{
    lty_event ev[3] = {LTY_EVENT_INIT, LTY_EVENT_INIT, LTY_EVENT_INIT};
    const char *ids[3] = {"b1", "b2", "b3"};
    const char *cids[3] = {"c1", "c3", "c4"};
    for (int i = 0; i < 3; i++) {
        ev[i].type = LTY_EVENT_PURCHASE;
        ev[i].id = ids[i];
        ev[i].customer_id = cids[i];
        ev[i].time = NOW - i * HOUR;
        ev[i].amount = 10000 * (i + 1);
    }
    lty_record_outcome out[3] = {LTY_RECORD_OUTCOME_INIT,
                                 LTY_RECORD_OUTCOME_INIT,
                                 LTY_RECORD_OUTCOME_INIT};
    size_t failed = 99;
    int rc = lty_record_batch(e, ev, 3, out, &failed);
    if (rc == LTY_OK)
        ck_assert_int_eq(out[2].visit_counted, 1);
    return rc;
}

static int op_book(lty_engine *e)
{
    return book(e, "a2", "c2", NOW + 3 * DAY);
}

static int op_plan(lty_engine *e)
{
    return plan(e, "m2", "c3", NOW + DAY);
}

static int op_dispatch(lty_engine *e)
{
    lty_dispatch_report r;
    int before = sent;
    int rc = lty_outbox_dispatch(e, NOW, 10, &r);
    if (rc == LTY_OK)
        ck_assert_int_ge(sent - before, 1);
    return rc;
}

static int op_launch(lty_engine *e)
{
    lty_campaign_report r = LTY_CAMPAIGN_REPORT_INIT;
    int rc = lty_campaign_launch(e, "bday", LTY_TIME_NOW, &r);
    if (rc == LTY_OK)
        ck_assert_uint_ge(r.treatment, 1);
    return rc;
}

static int op_rfm(lty_engine *e)
{
    lty_rfm_result *r = NULL;
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    int rc = lty_rfm_compute(e, &o, &r);
    if (rc == LTY_OK)
        ck_assert_uint_eq(lty_rfm_result_count(r), 3);
    else
        ck_assert_ptr_null(r);
    lty_rfm_result_free(r);
    return rc;
}

static int op_referral(lty_engine *e)
{
    return lty_referral_register(e, "c1", "c4");
}

static int op_load(lty_engine *e)
{
    return lty_program_load_text(e, MORE_PROGRAMS, sizeof MORE_PROGRAMS - 1,
                                 "more");
}

static int op_briefing(lty_engine *e)
{
    lty_date day = {2026, 3, 1};
    lty_briefing *b = (lty_briefing *)e;
    int rc = lty_briefing_day(e, &day, &b);
    if (rc) {
        ck_assert_ptr_null(b);
        return rc;
    }
    ck_assert_uint_eq(lty_briefing_count(b), 1);
    char *s = (char *)b;
    rc = lty_briefing_render_text(b, &s, NULL);
    lty_briefing_free(b);
    if (rc) {
        ck_assert_ptr_null(s);
        return rc;
    }
    lty_free(s);
    return LTY_OK;
}

static int op_erase(lty_engine *e)
{
    return lty_customer_erase(e, "c1");
}

/* The daily planning run: the four March birthdays.  It plans each
 * customer in a transaction of its own and stops at the first failure,
 * keeping what it planned before (documented): see partial_ok. */
static int op_plan_day(lty_engine *e)
{
    lty_date day = {2026, 3, 1};
    lty_plan_day_options o = LTY_PLAN_DAY_OPTIONS_INIT;
    o.days_ahead = 10; /* the birthdays on 10 March */
    o.birthday_template = "promo";
    size_t planned = 0;
    int rc = lty_plan_day(e, &day, &o, &planned);
    if (rc == LTY_OK)
        ck_assert_uint_ge(planned, 1);
    return rc;
}

static int op_recognize(lty_engine *e)
{
    lty_card *c = (lty_card *)e;
    int rc = lty_recognize_phone(e, "010-1111-2222", &c);
    if (rc) {
        ck_assert_ptr_null(c);
        return rc;
    }
    char *s = (char *)c;
    rc = lty_card_render_text(c, &s, NULL);
    lty_card_free(c);
    if (rc) {
        ck_assert_ptr_null(s);
        return rc;
    }
    lty_free(s);
    return LTY_OK;
}

/* reads_only: changes nothing when it succeeds.  no_alloc: allocates
 * nothing on a cold engine (it works in the buffers lty_engine_new()
 * allocated); if that changes, the sweep checks the new allocations.
 * partial_ok: documented to keep the work it finished before a failure;
 * instead of an unchanged store, running it again must then succeed and
 * leave the keys and values of a run without failures. */
static const struct {
    const char *name;
    int (*call)(lty_engine *e);
    int reads_only, no_alloc, partial_ok;
} ops[] = {
    {"customer create", op_create, 0, 1, 0},
    {"customer update", op_update, 0, 0, 0},
    {"record with a promotion", op_record, 0, 0, 0},
    {"record with a reward", op_record_reward, 0, 0, 0},
    {"record batch", op_batch, 0, 0, 0},
    {"appointment book", op_book, 0, 0, 0},
    {"outbox plan", op_plan, 0, 0, 0},
    {"outbox dispatch", op_dispatch, 0, 0, 0},
    {"campaign launch", op_launch, 0, 0, 0},
    {"rfm compute", op_rfm, 0, 0, 0},
    {"referral register", op_referral, 0, 0, 0},
    {"program load text", op_load, 0, 0, 0},
    {"briefing day", op_briefing, 1, 0, 0},
    {"customer erase", op_erase, 0, 0, 0},
    {"plan day", op_plan_day, 0, 0, 1},
    {"recognize phone", op_recognize, 1, 0, 0},
};

/* ------------------------------------------------------------------ */
/* The sweep                                                           */
/* ------------------------------------------------------------------ */

/* The keys and values a run without failures leaves. */
static char *clean_values(int i)
{
    counting c = {0};
    lty_allocator a = {c_malloc, c_realloc, c_free, &c};
    lty_test_fault_world w;
    lty_test_fault_world_open_alloc(&w, NOW, &a, seed, NULL);
    ck_assert_int_eq(ops[i].call(w.e), LTY_OK);
    char *v = lty_test_fault_world_values(&w);
    lty_test_fault_world_close(&w);
    return v;
}

static void sweep(int i, int sticky)
{
    const char *name = ops[i].name;
    char *clean = ops[i].partial_ok ? clean_values(i) : NULL;
    long n;
    for (n = 1;; n++) {
        counting c = {0};
        c.sticky = sticky;
        lty_allocator a = {c_malloc, c_realloc, c_free, &c};
        lty_test_fault_world w;
        lty_test_fault_world_open_alloc(&w, NOW, &a, seed, NULL);
        char *before = lty_test_fault_world_dump(&w);
        arm(&c, n);
        int rc = ops[i].call(w.e);
        int fired = c.fired;
        arm(&c, 0);
        char *after = lty_test_fault_world_dump(&w);
        if (fired) {
            ck_assert_msg(rc == LTY_ENOMEM,
                          "%s: allocation %ld failed, the call returned %s",
                          name, n, lty_strerror(rc));
            if (clean) {
                ck_assert_int_eq(ops[i].call(w.e), LTY_OK);
                char *v = lty_test_fault_world_values(&w);
                ck_assert_msg(strcmp(v, clean) == 0,
                              "%s: allocation %ld failed, and running it "
                              "again did not complete it", name, n);
                free(v);
            } else {
                ck_assert_msg(strcmp(before, after) == 0,
                              "%s: allocation %ld failed and the store "
                              "changed", name, n);
            }
        } else {
            ck_assert_msg(rc == LTY_OK, "%s: %s (%s)", name, lty_strerror(rc),
                          lty_engine_last_error(w.e));
            ck_assert_msg((strcmp(before, after) == 0) == ops[i].reads_only,
                          ops[i].reads_only ? "%s: a read changed the store"
                                            : "%s: the call changed nothing",
                          name);
        }
        free(before);
        free(after);
        lty_test_fault_world_close(&w);
        ck_assert_msg(c.live == 0,
                      "%s: %ld blocks leaked when allocation %ld failed",
                      name, c.live, n);
        if (!fired)
            break;
    }
    free(clean);
    /* the sweep failed at least one allocation, or none was expected */
    ck_assert_msg(n > 1 || ops[i].no_alloc, "%s: no allocation to fail", name);
    ck_assert_msg(n == 1 || !ops[i].no_alloc,
                  "%s: now allocates: clear its no_alloc flag", name);
    fprintf(stderr, "%s: %ld allocation failures checked%s\n", name, n - 1,
            sticky ? " (each with every later allocation failing too)" : "");
}

START_TEST(every_allocation_failure_reports_enomem_and_changes_nothing)
{
    sweep(_i, 0);
}
END_TEST

START_TEST(failing_every_allocation_from_the_nth_on_too)
{
    sweep(_i, 1);
}
END_TEST

/* The engine's own allocations: lty_engine_new() fails cleanly. */
START_TEST(engine_new_reports_enomem_and_leaks_nothing)
{
    long n;
    for (n = 1;; n++) {
        counting c = {0};
        lty_allocator a = {c_malloc, c_realloc, c_free, &c};
        lty_memstore *ms = NULL;
        ck_assert_int_eq(lty_memstore_new(&ms, NULL), LTY_OK);
        lty_storage_ops ops_;
        void *ud;
        ck_assert_int_eq(lty_memstore_connect(ms, &ops_, &ud), LTY_OK);
        lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
        o.storage = &ops_;
        o.storage_userdata = ud;
        o.allocator = &a;
        arm(&c, n);
        lty_engine *e = (lty_engine *)&c;
        int rc = lty_engine_new(&e, &o);
        int fired = c.fired;
        arm(&c, 0);
        if (fired) {
            ck_assert_msg(rc == LTY_ENOMEM,
                          "engine new: allocation %ld failed, returned %s", n,
                          lty_strerror(rc));
            ck_assert_ptr_null(e);
            /* the connection stays the caller's when the engine is not
             * made */
            ops_.destroy(ud);
        } else {
            ck_assert_int_eq(rc, LTY_OK);
            lty_engine_free(e);
        }
        lty_memstore_free(ms);
        ck_assert_msg(c.live == 0, "engine new: %ld blocks leaked at %ld",
                      c.live, n);
        if (!fired)
            break;
    }
    ck_assert_int_gt(n, 1);
}
END_TEST

static Suite *alloc_fail_suite(void)
{
    Suite *s = suite_create("alloc_fail");
    TCase *tc = tcase_create("alloc_fail");
    tcase_set_timeout(tc, 300);
    int n = (int)(sizeof ops / sizeof ops[0]);
    tcase_add_loop_test(tc,
                        every_allocation_failure_reports_enomem_and_changes_nothing,
                        0, n);
    tcase_add_loop_test(tc, failing_every_allocation_from_the_nth_on_too, 0, n);
    tcase_add_test(tc, engine_new_reports_enomem_and_leaks_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(alloc_fail_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
