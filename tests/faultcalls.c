/*
 * libloyalty tests - the API calls the fault-injection tests fail in turn
 * (see faultcalls.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <check.h>

#include "faultcalls.h"
#include "testutil.h"

void lty_test_fault_seed(lty_engine *e)
{
    lty_test_customer(e, "c1", "Kim Minji", "010-1234-5678");
    lty_test_customer(e, "c2", "Lee Seojun", "010-9999-0000");
    ck_assert_int_eq(lty_customer_set_note(e, "c1", "allergy", "penicillin"), LTY_OK);
    ck_assert_int_eq(lty_customer_add_tag(e, "c1", "vip"), LTY_OK);
    lty_test_event(e, "p1", "c1", LTY_TEST_NOW - 86400 * 3, 50000, "scaling");
    lty_test_event(e, "p2", "c1", LTY_TEST_NOW - 86400 * 2, 20000, "whitening");
    lty_test_event(e, "v1", "c2", LTY_TEST_NOW - 86400, -1, "check-up");
}

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

const lty_test_fault_call lty_test_fault_calls[] = {
    {"create", do_create},           {"update phone", do_update_phone},
    {"preference", do_preference},   {"remove note", do_note_remove},
    {"add tag", do_tag},             {"remove tag", do_untag},
    {"anniversary", do_anniversary}, {"consent", do_consent},
    {"erase", do_erase},             {"purchase", do_purchase},
    {"out-of-order visit", do_first_event},
    {"refund", do_refund},           {"feedback", do_feedback},
};

const int lty_test_fault_ncalls =
    (int)(sizeof lty_test_fault_calls / sizeof lty_test_fault_calls[0]);
