/*
 * libloyalty tests - the outbox: planning, cancelling, reading and listing
 * messages; dispatching them through a recording messenger under the
 * messaging policy (consent, quiet hours, the frequency cap, channel
 * fallback, the Korean advertising frame); messenger failures and crashes
 * between send and acknowledgement; two dispatchers at once; delivery
 * reports and contact hygiene; corrupt records; and every storage failure
 * of planning, cancelling, dispatching and delivery reports.
 *
 * The engine clock is t.now; the engine's zone is UTC+9 (Seoul).
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <loyalty.h>

#include "faultworld.h"
#include "storedump.h"
#include "testutil.h"

#define DAY INT64_C(86400)
/* Local (Seoul) time h:m on day d after 2026-03-01 (LTY_TEST_NOW is 09:00
 * local on day 0). */
#define KST(d, h, m) (LTY_TEST_NOW + (int64_t)(d) * DAY + \
                      ((int64_t)(h) - 9) * 3600 + (int64_t)(m) * 60)

#define KO_LABEL "(광고)"
#define KO_SENDER "행복치과"
#define KO_CONTACT "02-123-4567"
#define KO_OPT_OUT "무료수신거부 080-123-4567"

#define C1_PHONE "+821012345678"
#define C1_EMAIL "minji@example.com"
#define C2_EMAIL "lee@example.com"

/* ------------------------------------------------------------------ */
/* The recording messenger                                             */
/* ------------------------------------------------------------------ */

typedef struct call {
    char id[LTY_MESSAGE_ID_MAX + 1];
    char cid[LTY_ID_MAX + 1];
    char template_id[LTY_MESSAGE_ID_MAX + 1];
    lty_channel channel;
    lty_purpose purpose;
    int has_address;
    char address[300];
    char *text;
    int64_t due;
    int attempt;
} call;

typedef struct messenger messenger;
struct messenger {
    call *calls;
    size_t n, cap;
    int script[64];            /* result of the k-th call (0-based); */
    size_t nscript;            /* beyond the script: LTY_OK */
    /* run inside send (with another engine: never the sending one) */
    void (*hook)(messenger *m, const lty_message *msg);
    void *hook_ctx;
    /* crash simulation: after send returns, the next storage call of the
     * sending engine (the acknowledgement's begin) fails */
    lty_faulty *crash;
    int crash_on;              /* 1: crash after every send */
};

static int rec_send(const lty_message *msg, void *ud)
{
    messenger *m = ud;
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 16;
        m->calls = realloc(m->calls, m->cap * sizeof *m->calls);
        ck_assert_ptr_nonnull(m->calls);
    }
    call *c = &m->calls[m->n];
    memset(c, 0, sizeof *c);
    ck_assert_ptr_nonnull(msg->id);
    ck_assert_ptr_nonnull(msg->customer_id);
    ck_assert_ptr_nonnull(msg->template_id);
    ck_assert_ptr_nonnull(msg->text);
    snprintf(c->id, sizeof c->id, "%s", msg->id);
    snprintf(c->cid, sizeof c->cid, "%s", msg->customer_id);
    snprintf(c->template_id, sizeof c->template_id, "%s", msg->template_id);
    c->channel = msg->channel;
    c->purpose = msg->purpose;
    c->has_address = msg->address != NULL;
    if (msg->address)
        snprintf(c->address, sizeof c->address, "%s", msg->address);
    c->text = strdup(msg->text);
    ck_assert_ptr_nonnull(c->text);
    c->due = msg->due;
    c->attempt = msg->attempt;
    size_t k = m->n++;
    if (m->hook)
        m->hook(m, msg);
    if (m->crash && m->crash_on)
        lty_faulty_fail_at(m->crash, 1, LTY_ESTORAGE);
    return k < m->nscript ? m->script[k] : LTY_OK;
}

static void messenger_reset(messenger *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->calls[i].text);
    free(m->calls);
    memset(m, 0, sizeof *m);
}

static void messenger_attach(lty_engine *e, messenger *m)
{
    lty_messenger_ops ops = LTY_MESSENGER_OPS_INIT;
    ops.send = rec_send;
    ck_assert_int_eq(lty_messenger_register(e, &ops, m), LTY_OK);
}

/* How many times the messenger saw an id. */
static size_t calls_for(const messenger *m, const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n; i++)
        n += strcmp(m->calls[i].id, id) == 0;
    return n;
}

/* ------------------------------------------------------------------ */
/* The world of most tests                                             */
/* ------------------------------------------------------------------ */

static lty_test_env t;
static messenger msgr;

static void mk_customer(lty_engine *e, const char *id, const char *name,
                        const char *phone, const char *email,
                        lty_channel preferred)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = id;
    f.set = LTY_FIELD_NAME | LTY_FIELD_PREFERRED_CHANNEL;
    f.name = name;
    f.preferred_channel = preferred;
    if (phone) {
        f.set |= LTY_FIELD_PHONE;
        f.phone = phone;
    }
    if (email) {
        f.set |= LTY_FIELD_EMAIL;
        f.email = email;
    }
    int rc = lty_customer_create(e, &f);
    ck_assert_msg(rc == LTY_OK, "create %s: %s (%s)", id, lty_strerror(rc),
                  lty_engine_last_error(e));
}

static void tpl(lty_engine *e, const char *id, lty_channel ch, const char *text)
{
    int rc = lty_template_set(e, id, ch, "", text);
    ck_assert_msg(rc == LTY_OK, "template %s: %s (%s)", id, lty_strerror(rc),
                  lty_engine_last_error(e));
}

static void consent(lty_engine *e, const char *cid, lty_channel ch,
                    lty_purpose p, int granted)
{
    int rc = lty_customer_set_consent(e, cid, ch, p, granted);
    ck_assert_msg(rc == LTY_OK, "consent: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(e));
}

/* The world: c1 (phone, e-mail, prefers SMS), c2 (e-mail only, prefers
 * SMS), c3 (no address); templates "remind" and "promo" for SMS and
 * e-mail; the recording messenger on t.e. */
static void seed(lty_engine *e)
{
    mk_customer(e, "c1", "김민지", "010-1234-5678", C1_EMAIL, LTY_CHANNEL_SMS);
    mk_customer(e, "c2", "Lee", NULL, C2_EMAIL, LTY_CHANNEL_SMS);
    mk_customer(e, "c3", "Park", NULL, NULL, LTY_CHANNEL_NONE);
    tpl(e, "remind", LTY_CHANNEL_SMS, "{name}님, {date} {time} 예약을 잊지 마세요");
    tpl(e, "remind", LTY_CHANNEL_EMAIL, "Dear {name}, see you on {date} at {time}");
    tpl(e, "promo", LTY_CHANNEL_SMS, "{name}님, 생일 쿠폰이 도착했습니다");
    tpl(e, "promo", LTY_CHANNEL_EMAIL, "Happy birthday, {name}");
}

static void setup(void)
{
    lty_test_env_open(&t);
    memset(&msgr, 0, sizeof msgr);
    seed(t.e);
    messenger_attach(t.e, &msgr);
}

static void teardown(void)
{
    lty_test_env_close(&t);
    messenger_reset(&msgr);
}

static int plan_full(lty_engine *e, const char *id, const char *cid,
                     const char *template_id, lty_purpose purpose,
                     lty_channel ch, int64_t due, const lty_param *params,
                     size_t np)
{
    lty_plan_spec s = LTY_PLAN_SPEC_INIT;
    s.id = id;
    s.customer_id = cid;
    s.template_id = template_id;
    s.purpose = purpose;
    s.channel = ch;
    s.due = due;
    s.params = params;
    s.param_count = np;
    return lty_outbox_plan(e, &s);
}

static void plan_ok(lty_engine *e, const char *id, const char *cid,
                    const char *template_id, lty_purpose purpose,
                    lty_channel ch, int64_t due)
{
    int rc = plan_full(e, id, cid, template_id, purpose, ch, due, NULL, 0);
    ck_assert_msg(rc == LTY_OK, "plan %s: %s (%s)", id, lty_strerror(rc),
                  lty_engine_last_error(e));
}

static lty_outbox_entry entry(lty_engine *e, const char *id)
{
    lty_outbox_entry x = LTY_OUTBOX_ENTRY_INIT;
    int rc = lty_outbox_get(e, id, &x);
    ck_assert_msg(rc == LTY_OK, "get %s: %s (%s)", id, lty_strerror(rc),
                  lty_engine_last_error(e));
    return x;
}

static lty_dispatch_report dispatch_at(lty_engine *e, int64_t now)
{
    lty_dispatch_report r;
    int rc = lty_outbox_dispatch(e, now, 100, &r);
    ck_assert_msg(rc == LTY_OK, "dispatch: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(e));
    return r;
}

static void configure(lty_engine *e, const lty_messaging_options *o)
{
    int rc = lty_messaging_configure(e, o);
    ck_assert_msg(rc == LTY_OK, "configure: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(e));
}

static lty_messaging_options korea(void)
{
    lty_messaging_options o = LTY_MESSAGING_OPTIONS_INIT;
    o.ad_label = KO_LABEL;
    o.sender_name = KO_SENDER;
    o.sender_contact = KO_CONTACT;
    o.opt_out_line = KO_OPT_OUT;
    o.strict_consent = 1;
    return o;
}

static char *dump(void)
{
    char *d = lty_test_dump(&t.ops, t.ud);
    ck_assert_ptr_nonnull(d);
    return d;
}

#define assert_reason(x, text) \
    ck_assert_msg(strstr((x).reason, (text)) != NULL, \
                  "reason '%s' does not mention '%s'", (x).reason, (text))

static const lty_param appt_params[] = {{"date", "3월 2일"}, {"time", "10:00"}};

/* ------------------------------------------------------------------ */
/* 1. Planning                                                         */
/* ------------------------------------------------------------------ */

typedef struct bad_plan {
    const char *mentions;
    int code;
} bad_plan;

static char long_id[LTY_MESSAGE_ID_MAX + 2];
static char long_cid[LTY_ID_MAX + 2];
static char long_value[LTY_PARAM_MAX + 2];
static lty_param many_params[LTY_MESSAGE_PARAMS_MAX + 1];

static lty_plan_spec broken_plan(int i, lty_param *ps)
{
    lty_plan_spec s = LTY_PLAN_SPEC_INIT;
    memset(long_id, 'x', sizeof long_id - 1);
    memset(long_cid, 'c', sizeof long_cid - 1);
    memset(long_value, 'v', sizeof long_value - 1);
    for (size_t k = 0; k <= LTY_MESSAGE_PARAMS_MAX; k++)
        many_params[k] = (lty_param){"date", "x"};
    s.id = "m1";
    s.customer_id = "c1";
    s.template_id = "remind";
    s.purpose = LTY_PURPOSE_TRANSACTIONAL;
    s.due = KST(1, 10, 0);
    ps[0] = (lty_param){"date", "3월 2일"};
    ps[1] = (lty_param){"time", "10:00"};
    s.params = ps;
    s.param_count = 2;
    switch (i) {
    case 0: s.id = NULL; break;
    case 1: s.id = ""; break;
    case 2: s.id = long_id; break;
    case 3: s.id = "a\nb"; break;
    case 4: s.id = "bad\xff"; break;
    case 5: s.customer_id = NULL; break;
    case 6: s.customer_id = long_cid; break;
    case 7: s.template_id = NULL; break;
    case 8: s.template_id = ""; break;
    case 9: s.purpose = (lty_purpose)0; break;
    case 10: s.purpose = (lty_purpose)4; break;
    case 11: s.channel = (lty_channel)6; break;
    case 12: s.channel = (lty_channel)-1; break;
    case 13: s.channel = LTY_CHANNEL_STAFF; s.purpose = LTY_PURPOSE_MARKETING; break;
    case 14: s.due = -1; break;
    case 15: s.due = LTY_TIME_MAX + 1; break;
    case 16: s.params = many_params; s.param_count = LTY_MESSAGE_PARAMS_MAX + 1; break;
    case 17: s.params = NULL; s.param_count = 1; break;
    case 18: ps[0].key = "colour"; break;
    case 19: ps[0].key = NULL; break;
    case 20: ps[1].key = "date"; break;
    case 21: ps[0].value = long_value; break;
    case 22: ps[0].value = "\xff"; break;
    case 23: s.version = 0; break;
    case 24: s.version = LTY_PLAN_SPEC_VERSION + 1; break;
    }
    return s;
}

static const bad_plan bad_plans[] = {
    {"message id", LTY_EINVALID},   {"message id", LTY_EINVALID},
    {"message id", LTY_EINVALID},   {"message id", LTY_EINVALID},
    {"message id", LTY_EINVALID},   {"customer id", LTY_EINVALID},
    {"customer id", LTY_EINVALID},  {"template id", LTY_EINVALID},
    {"template id", LTY_EINVALID},  {"purpose", LTY_EINVALID},
    {"purpose", LTY_EINVALID},      {"channel", LTY_EINVALID},
    {"channel", LTY_EINVALID},      {"purpose", LTY_EINVALID},
    {"due time", LTY_EINVALID},     {"due time", LTY_EINVALID},
    {"params", LTY_EINVALID},       {"params", LTY_EINVALID},
    {"params[0] key", LTY_EINVALID}, {"params[0] key", LTY_EINVALID},
    {"params[1] key", LTY_EINVALID}, {"params[0] value", LTY_EINVALID},
    {"params[0] value", LTY_EINVALID}, {"plan spec", LTY_EVERSION},
    {"plan spec", LTY_EVERSION},
};

START_TEST(bad_plans_are_refused_naming_the_field)
{
    lty_param ps[2];
    char *before = dump();
    lty_plan_spec s = broken_plan(_i, ps);
    int rc = lty_outbox_plan(t.e, &s);
    ck_assert_msg(rc == bad_plans[_i].code, "case %d: %s (%s)", _i,
                  lty_strerror(rc), lty_engine_last_error(t.e));
    lty_assert_err_mentions(t.e, bad_plans[_i].mentions);
    char *after = dump();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST

START_TEST(null_arguments_are_refused)
{
    lty_outbox_entry x = LTY_OUTBOX_ENTRY_INIT;
    size_t n;
    ck_assert_int_eq(lty_outbox_plan(NULL, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_outbox_plan(t.e, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_outbox_cancel(t.e, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_outbox_get(t.e, "m1", NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_outbox_get(t.e, NULL, &x), LTY_EINVALID);
    x.version = 0;
    ck_assert_int_eq(lty_outbox_get(t.e, "m1", &x), LTY_EVERSION);
    ck_assert_int_eq(lty_outbox_list(t.e, NULL, NULL, 0, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_outbox_list(t.e, NULL, NULL, 1, &n), LTY_EINVALID);
    lty_outbox_filter bad = {NULL, (lty_message_state)8, 0, 0};
    ck_assert_int_eq(lty_outbox_list(t.e, &bad, NULL, 0, &n), LTY_EINVALID);
    ck_assert_int_eq(lty_delivery_report(t.e, NULL, LTY_DELIVERED, LTY_TIME_NOW),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_delivery_report(t.e, "m1", (lty_delivery_kind)0,
                                         LTY_TIME_NOW), LTY_EINVALID);
    ck_assert_int_eq(lty_delivery_report(t.e, "m1", (lty_delivery_kind)8,
                                         LTY_TIME_NOW), LTY_EINVALID);
    ck_assert_int_eq(lty_outbox_dispatch(NULL, 0, 1, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_outbox_dispatch(t.e, LTY_TIME_NOW, 0, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_outbox_dispatch(t.e, LTY_TIME_NOW, 10001, NULL),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_outbox_dispatch(t.e, -5, 1, NULL), LTY_EINVALID);
    lty_messenger_ops ops = LTY_MESSENGER_OPS_INIT;
    ck_assert_int_eq(lty_messenger_register(t.e, &ops, NULL), LTY_EINVALID);
    ops.send = rec_send;
    ops.version = 2;
    ck_assert_int_eq(lty_messenger_register(t.e, &ops, NULL), LTY_EVERSION);
}
END_TEST

START_TEST(an_unknown_customer_is_enotfound_and_nothing_is_stored)
{
    char *before = dump();
    ck_assert_int_eq(plan_full(t.e, "m1", "nobody", "remind",
                               LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE,
                               KST(1, 10, 0), NULL, 0), LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "customer");
    char *after = dump();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST

START_TEST(planning_again_is_idempotent_and_replans_what_waits)
{
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(1, 10, 0));
    lty_outbox_entry x = entry(t.e, "m1");
    ck_assert_int_eq(x.state, LTY_MSG_PLANNED);
    ck_assert_int_eq(x.due, KST(1, 10, 0));
    /* the same content: nothing changes, not even a revision */
    char *before = dump();
    t.now += 3600;
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(1, 10, 0));
    char *after = dump();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    /* a new due time: replanned, and only due at the new time */
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(2, 10, 0));
    x = entry(t.e, "m1");
    ck_assert_int_eq(x.state, LTY_MSG_PLANNED);
    ck_assert_int_eq(x.due, KST(2, 10, 0));
    ck_assert_int_eq(x.planned, LTY_TEST_NOW); /* first planned */
    lty_dispatch_report r = dispatch_at(t.e, KST(1, 10, 0));
    ck_assert_uint_eq(r.claimed, 0);
    ck_assert_uint_eq(msgr.n, 0);
    /* new parameters: replanned, and the text uses them */
    const lty_param p2[] = {{"date", "3월 3일"}, {"time", "11:30"}};
    ck_assert_int_eq(plan_full(t.e, "m1", "c1", "remind",
                               LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE,
                               KST(2, 10, 0), p2, 2), LTY_OK);
    r = dispatch_at(t.e, KST(2, 10, 0));
    ck_assert_uint_eq(r.sent, 1);
    ck_assert_uint_eq(msgr.n, 1);
    ck_assert_str_eq(msgr.calls[0].text, "김민지님, 3월 3일 11:30 예약을 잊지 마세요");
    /* sent: planning again (even with changes) leaves it alone */
    before = dump();
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(5, 10, 0));
    after = dump();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    x = entry(t.e, "m1");
    ck_assert_int_eq(x.state, LTY_MSG_SENT);
    ck_assert_int_eq(x.due, KST(2, 10, 0));
    r = dispatch_at(t.e, KST(5, 10, 0));
    ck_assert_uint_eq(r.claimed, 0);
    ck_assert_uint_eq(msgr.n, 1);
    /* the id used for another customer */
    ck_assert_int_eq(plan_full(t.e, "m1", "c2", "remind",
                               LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE,
                               KST(5, 10, 0), NULL, 0), LTY_EEXISTS);
    lty_assert_err_mentions(t.e, "message id");
}
END_TEST

/* A message the dispatcher has claimed: the hook runs inside send, through
 * a second engine over the store. */
typedef struct claimed_probe {
    lty_engine *e2;
    int get_rc, plan_rc, cancel_rc;
    lty_outbox_entry before, after;
} claimed_probe;

static void probe_claimed(messenger *m, const lty_message *msg)
{
    claimed_probe *p = m->hook_ctx;
    p->before = (lty_outbox_entry)LTY_OUTBOX_ENTRY_INIT;
    p->after = (lty_outbox_entry)LTY_OUTBOX_ENTRY_INIT;
    p->get_rc = lty_outbox_get(p->e2, msg->id, &p->before);
    p->plan_rc = plan_full(p->e2, msg->id, "c1", "remind",
                           LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE,
                           KST(9, 10, 0), NULL, 0);
    p->cancel_rc = lty_outbox_cancel(p->e2, msg->id);
    (void)lty_outbox_get(p->e2, msg->id, &p->after);
}

START_TEST(a_claimed_message_is_left_alone_and_cannot_be_cancelled)
{
    claimed_probe p;
    memset(&p, 0, sizeof p);
    p.e2 = lty_test_env_engine(&t);
    msgr.hook = probe_claimed;
    msgr.hook_ctx = &p;
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(r.sent, 1);
    ck_assert_int_eq(p.get_rc, LTY_OK);
    ck_assert_int_eq(p.before.state, LTY_MSG_CLAIMED);
    ck_assert_int_eq(p.before.attempts, 1);
    ck_assert_int_eq(p.before.due, KST(0, 10, 0) + 300); /* the claim's end */
    ck_assert_int_eq(p.before.sent_channel, LTY_CHANNEL_SMS);
    ck_assert_int_eq(p.plan_rc, LTY_OK);
    ck_assert_int_eq(p.cancel_rc, LTY_ESTATE);
    ck_assert_int_eq(p.after.state, LTY_MSG_CLAIMED);
    ck_assert_int_eq(p.after.due, p.before.due);
    lty_outbox_entry x = entry(t.e, "m1");
    ck_assert_int_eq(x.state, LTY_MSG_SENT);
    ck_assert_int_eq(x.due, KST(0, 10, 0));
    lty_engine_free(p.e2);
}
END_TEST

START_TEST(cancel_planned_retrying_and_sent)
{
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(1, 10, 0));
    plan_ok(t.e, "m2", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    plan_ok(t.e, "m3", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    ck_assert_int_eq(lty_outbox_cancel(t.e, "m1"), LTY_OK);
    lty_outbox_entry x = entry(t.e, "m1");
    ck_assert_int_eq(x.state, LTY_MSG_CANCELLED);
    ck_assert_str_ne(x.reason, "");
    char *before = dump();
    ck_assert_int_eq(lty_outbox_cancel(t.e, "m1"), LTY_OK); /* again */
    char *after = dump();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    /* planning a cancelled message again leaves it cancelled */
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(2, 10, 0));
    ck_assert_int_eq(entry(t.e, "m1").state, LTY_MSG_CANCELLED);
    /* m2 fails temporarily (retry), m3 is sent */
    msgr.script[0] = LTY_ETEMPORARY;
    msgr.nscript = 1;
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(r.retried, 1);
    ck_assert_uint_eq(r.sent, 1);
    ck_assert_int_eq(entry(t.e, "m2").state, LTY_MSG_RETRY);
    ck_assert_int_eq(lty_outbox_cancel(t.e, "m2"), LTY_OK);
    ck_assert_int_eq(entry(t.e, "m2").state, LTY_MSG_CANCELLED);
    ck_assert_int_eq(entry(t.e, "m3").state, LTY_MSG_SENT);
    ck_assert_int_eq(lty_outbox_cancel(t.e, "m3"), LTY_ESTATE);
    lty_assert_err_mentions(t.e, "sent");
    ck_assert_int_eq(lty_outbox_cancel(t.e, "nope"), LTY_ENOTFOUND);
    /* nothing cancelled is ever sent */
    r = dispatch_at(t.e, KST(3, 10, 0));
    ck_assert_uint_eq(r.claimed, 0);
    ck_assert_uint_eq(msgr.n, 2);
}
END_TEST

START_TEST(get_returns_the_stored_message)
{
    ck_assert_int_eq(plan_full(t.e, "appt/42/259200", "c1", "remind",
                               LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_EMAIL,
                               KST(1, 10, 0), appt_params, 2), LTY_OK);
    lty_outbox_entry x = entry(t.e, "appt/42/259200");
    ck_assert_str_eq(x.id, "appt/42/259200");
    ck_assert_str_eq(x.customer_id, "c1");
    ck_assert_str_eq(x.template_id, "remind");
    ck_assert_int_eq(x.purpose, LTY_PURPOSE_TRANSACTIONAL);
    ck_assert_int_eq(x.channel, LTY_CHANNEL_EMAIL);
    ck_assert_int_eq(x.sent_channel, LTY_CHANNEL_NONE);
    ck_assert_int_eq(x.state, LTY_MSG_PLANNED);
    ck_assert_int_eq(x.due, KST(1, 10, 0));
    ck_assert_int_eq(x.planned, LTY_TEST_NOW);
    ck_assert_int_eq(x.sent, 0);
    ck_assert_int_eq(x.attempts, 0);
    ck_assert_str_eq(x.reason, "");
    lty_outbox_entry y = LTY_OUTBOX_ENTRY_INIT;
    ck_assert_int_eq(lty_outbox_get(t.e, "nope", &y), LTY_ENOTFOUND);
}
END_TEST

static void list_ids(const lty_outbox_filter *f, size_t cap, size_t expect_count,
                     const char *expect)
{
    lty_outbox_entry out[16];
    size_t n = 99;
    char got[256] = "";
    for (size_t i = 0; i < 16; i++)
        out[i] = (lty_outbox_entry)LTY_OUTBOX_ENTRY_INIT;
    int rc = lty_outbox_list(t.e, f, cap ? out : NULL, cap, &n);
    ck_assert_msg(rc == LTY_OK, "list: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
    ck_assert_uint_eq(n, expect_count);
    for (size_t i = 0; i < n && i < cap; i++) {
        if (i)
            strcat(got, " ");
        strcat(got, out[i].id);
    }
    ck_assert_str_eq(got, expect);
}

START_TEST(list_filters_in_due_order)
{
    plan_ok(t.e, "a", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(3, 10, 0));
    plan_ok(t.e, "d", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(1, 10, 0));
    plan_ok(t.e, "b", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(1, 10, 0));
    plan_ok(t.e, "c", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(2, 10, 0));
    plan_ok(t.e, "e", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    ck_assert_int_eq(lty_outbox_cancel(t.e, "c"), LTY_OK);
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(r.sent, 1);
    list_ids(NULL, 16, 5, "e b d c a");
    list_ids(NULL, 2, 5, "e b");
    list_ids(NULL, 0, 5, "");
    lty_outbox_filter f = {"c1", (lty_message_state)0, 0, 0};
    list_ids(&f, 16, 3, "d c a");
    f = (lty_outbox_filter){"c2", (lty_message_state)0, 0, 0};
    list_ids(&f, 16, 2, "e b");
    f = (lty_outbox_filter){NULL, LTY_MSG_PLANNED, 0, 0};
    list_ids(&f, 16, 3, "b d a");
    f = (lty_outbox_filter){NULL, LTY_MSG_CANCELLED, 0, 0};
    list_ids(&f, 16, 1, "c");
    f = (lty_outbox_filter){"c2", LTY_MSG_SENT, 0, 0};
    list_ids(&f, 16, 1, "e");
    f = (lty_outbox_filter){NULL, (lty_message_state)0, KST(1, 10, 0), KST(3, 10, 0)};
    list_ids(&f, 16, 3, "b d c");
    f = (lty_outbox_filter){NULL, (lty_message_state)0, KST(1, 10, 1), 0};
    list_ids(&f, 16, 2, "c a");
    f = (lty_outbox_filter){NULL, (lty_message_state)0, 0, KST(1, 10, 0)};
    list_ids(&f, 16, 1, "e");
    f = (lty_outbox_filter){"c1", LTY_MSG_PLANNED, KST(2, 0, 0), 0};
    list_ids(&f, 16, 1, "a");
    f = (lty_outbox_filter){"c3", (lty_message_state)0, 0, 0};
    list_ids(&f, 16, 0, "");
    f = (lty_outbox_filter){"nobody", (lty_message_state)0, 0, 0};
    list_ids(&f, 16, 0, "");
}
END_TEST

/* A NULL parameter value passes validation (a value may be empty); it must
 * then behave as "" -- stored, compared on replanning and rendered. */
START_TEST(a_null_param_value_is_empty_text)
{
    const lty_param ps[] = {{"date", NULL}, {"time", "10:00"}};
    ck_assert_int_eq(plan_full(t.e, "m1", "c1", "remind",
                               LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE,
                               KST(0, 10, 0), ps, 2), LTY_OK);
    char *before = dump();
    /* planning the same again: no change (and no crash) */
    ck_assert_int_eq(plan_full(t.e, "m1", "c1", "remind",
                               LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE,
                               KST(0, 10, 0), ps, 2), LTY_OK);
    char *after = dump();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(msgr.n, 1);
    ck_assert_str_eq(msgr.calls[0].text, "김민지님,  10:00 예약을 잊지 마세요");
}
END_TEST

/* Planning the same spec again must change nothing, also after the
 * dispatcher deferred the message (quiet hours) ... */
START_TEST(planning_the_same_spec_again_keeps_a_deferral)
{
    consent(t.e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_MARKETING, 1);
    plan_ok(t.e, "p1", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
            KST(0, 22, 0));
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 22, 0));
    ck_assert_uint_eq(r.deferred, 1);
    lty_outbox_entry x = entry(t.e, "p1");
    ck_assert_int_eq(x.due, KST(1, 8, 0));
    char *before = dump();
    plan_ok(t.e, "p1", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
            KST(0, 22, 0));
    char *after = dump();
    lty_outbox_entry y = entry(t.e, "p1");
    ck_assert_msg(y.due == x.due && strcmp(x.reason, y.reason) == 0,
                  "replanning the same spec moved a deferred message from "
                  "due %lld (%s) back to %lld (%s)", (long long)x.due, x.reason,
                  (long long)y.due, y.reason);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST

/* ... or after a temporary failure (the back-off must hold). */
START_TEST(planning_the_same_spec_again_keeps_the_retry_backoff)
{
    msgr.script[0] = LTY_ETEMPORARY;
    msgr.nscript = 1;
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(r.retried, 1);
    lty_outbox_entry x = entry(t.e, "m1");
    ck_assert_int_eq(x.state, LTY_MSG_RETRY);
    ck_assert_int_eq(x.due, KST(0, 10, 0) + 60);
    /* the host plans its reminders again (same spec) */
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    lty_outbox_entry y = entry(t.e, "m1");
    ck_assert_msg(y.state == LTY_MSG_RETRY && y.due == x.due,
                  "replanning the same spec turned retry (due +60) into "
                  "state %d due %+lld", (int)y.state,
                  (long long)(y.due - KST(0, 10, 0)));
    r = dispatch_at(t.e, KST(0, 10, 0) + 1);
    lty_outbox_entry z = entry(t.e, "m1");
    ck_assert_msg(r.claimed == 0, "resent 1 second after a temporary failure "
                  "(claimed %zu sent %zu; m1 state %d due %+lld attempts %d)",
                  r.claimed, r.sent, (int)z.state,
                  (long long)(z.due - KST(0, 10, 0)), z.attempts);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 2. Dispatch                                                         */
/* ------------------------------------------------------------------ */

START_TEST(a_due_transactional_message_is_sent_once_on_the_preferred_channel)
{
    ck_assert_int_eq(plan_full(t.e, "r1", "c1", "remind",
                               LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE,
                               KST(0, 10, 0), appt_params, 2), LTY_OK);
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 9, 59));
    ck_assert_uint_eq(r.claimed + r.sent + r.deferred + r.suppressed, 0);
    ck_assert_uint_eq(msgr.n, 0);
    ck_assert_int_eq(entry(t.e, "r1").state, LTY_MSG_PLANNED);
    r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(r.claimed, 1);
    ck_assert_uint_eq(r.sent, 1);
    ck_assert_uint_eq(r.retried + r.dead + r.suppressed + r.deferred, 0);
    ck_assert_uint_eq(msgr.n, 1);
    call *c = &msgr.calls[0];
    ck_assert_str_eq(c->id, "r1");
    ck_assert_str_eq(c->cid, "c1");
    ck_assert_str_eq(c->template_id, "remind");
    ck_assert_int_eq(c->channel, LTY_CHANNEL_SMS);
    ck_assert_int_eq(c->purpose, LTY_PURPOSE_TRANSACTIONAL);
    ck_assert(c->has_address);
    ck_assert_str_eq(c->address, C1_PHONE);
    ck_assert_str_eq(c->text, "김민지님, 3월 2일 10:00 예약을 잊지 마세요");
    ck_assert_int_eq(c->due, KST(0, 10, 0));
    ck_assert_int_eq(c->attempt, 1);
    lty_outbox_entry x = entry(t.e, "r1");
    ck_assert_int_eq(x.state, LTY_MSG_SENT);
    ck_assert_int_eq(x.sent, KST(0, 10, 0));
    ck_assert_int_eq(x.attempts, 1);
    ck_assert_int_eq(x.sent_channel, LTY_CHANNEL_SMS);
    ck_assert_int_eq(x.due, KST(0, 10, 0));
    /* again: nothing */
    r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(r.claimed, 0);
    r = dispatch_at(t.e, KST(3, 10, 0));
    ck_assert_uint_eq(r.claimed, 0);
    ck_assert_uint_eq(msgr.n, 1);
    /* LTY_TIME_NOW is the engine's clock */
    plan_ok(t.e, "r2", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 11, 0));
    t.now = KST(0, 10, 59);
    ck_assert_int_eq(lty_outbox_dispatch(t.e, LTY_TIME_NOW, 10, &r), LTY_OK);
    ck_assert_uint_eq(r.claimed, 0);
    t.now = KST(0, 11, 0);
    ck_assert_int_eq(lty_outbox_dispatch(t.e, LTY_TIME_NOW, 10, &r), LTY_OK);
    ck_assert_uint_eq(r.sent, 1);
    ck_assert_uint_eq(msgr.n, 2);
    ck_assert_int_eq(msgr.calls[1].channel, LTY_CHANNEL_EMAIL);
    ck_assert_str_eq(msgr.calls[1].text, "Dear Lee, see you on  at ");
}
END_TEST

START_TEST(dispatch_respects_max_and_sends_in_due_order)
{
    char id[16];
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "m%d", i);
        plan_ok(t.e, id, "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
                LTY_CHANNEL_NONE, KST(0, 10, 4 - i));
    }
    lty_dispatch_report r;
    ck_assert_int_eq(lty_outbox_dispatch(t.e, KST(0, 11, 0), 2, &r), LTY_OK);
    ck_assert_uint_eq(r.claimed, 2);
    ck_assert_uint_eq(msgr.n, 2);
    ck_assert_str_eq(msgr.calls[0].id, "m4");
    ck_assert_str_eq(msgr.calls[1].id, "m3");
    ck_assert_int_eq(lty_outbox_dispatch(t.e, KST(0, 11, 0), 10, &r), LTY_OK);
    ck_assert_uint_eq(r.claimed, 3);
    ck_assert_str_eq(msgr.calls[4].id, "m0");
}
END_TEST

START_TEST(without_a_messenger_dispatch_is_estate)
{
    plan_ok(t.e, "r1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    ck_assert_int_eq(lty_messenger_register(t.e, NULL, NULL), LTY_OK);
    lty_dispatch_report r;
    memset(&r, 0xff, sizeof r);
    ck_assert_int_eq(lty_outbox_dispatch(t.e, KST(0, 10, 0), 10, &r), LTY_ESTATE);
    lty_assert_err_mentions(t.e, "messenger");
    ck_assert_uint_eq(r.claimed, 0);
    ck_assert_int_eq(entry(t.e, "r1").state, LTY_MSG_PLANNED);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 3. Policy                                                           */
/* ------------------------------------------------------------------ */

START_TEST(marketing_without_consent_is_suppressed_and_never_sent)
{
    plan_ok(t.e, "p1", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
            KST(0, 10, 0));
    plan_ok(t.e, "p2", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_SMS,
            KST(0, 10, 0));
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(r.suppressed, 2);
    ck_assert_uint_eq(r.claimed + r.sent, 0);
    ck_assert_uint_eq(msgr.n, 0);
    lty_outbox_entry x = entry(t.e, "p1");
    ck_assert_int_eq(x.state, LTY_MSG_SUPPRESSED);
    assert_reason(x, "consent");
    x = entry(t.e, "p2");
    ck_assert_int_eq(x.state, LTY_MSG_SUPPRESSED);
    assert_reason(x, "consent");
    ck_assert_int_eq(x.attempts, 0);
    /* a later consent does not revive a suppressed message */
    consent(t.e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_MARKETING, 1);
    r = dispatch_at(t.e, KST(1, 10, 0));
    ck_assert_uint_eq(r.claimed, 0);
    ck_assert_uint_eq(msgr.n, 0);
}
END_TEST

START_TEST(consented_marketing_carries_the_korean_frame)
{
    lty_messaging_options o = korea();
    configure(t.e, &o);
    consent(t.e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_MARKETING, 1);
    consent(t.e, "c2", LTY_CHANNEL_EMAIL, LTY_PURPOSE_MARKETING, 1);
    plan_ok(t.e, "p1", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
            KST(0, 10, 0));
    plan_ok(t.e, "p2", "c2", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
            KST(0, 10, 0));
    plan_ok(t.e, "r1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(r.sent, 3);
    ck_assert_uint_eq(msgr.n, 3);
    for (size_t i = 0; i < 3; i++) {
        call *c = &msgr.calls[i];
        if (strcmp(c->id, "p1") == 0) {
            ck_assert_int_eq(c->channel, LTY_CHANNEL_SMS);
            ck_assert_int_eq(c->purpose, LTY_PURPOSE_MARKETING);
            ck_assert_str_eq(c->text, KO_LABEL " " KO_SENDER " " KO_CONTACT "\n"
                                      "김민지님, 생일 쿠폰이 도착했습니다\n" KO_OPT_OUT);
        } else if (strcmp(c->id, "p2") == 0) {
            ck_assert_int_eq(c->channel, LTY_CHANNEL_EMAIL);
            ck_assert_str_eq(c->address, C2_EMAIL);
            ck_assert_str_eq(c->text, KO_LABEL " " KO_SENDER " " KO_CONTACT "\n"
                                      "Happy birthday, Lee\n" KO_OPT_OUT);
        } else {
            /* transactional: no frame */
            ck_assert_str_eq(c->text, "김민지님,   예약을 잊지 마세요");
        }
    }
}
END_TEST

START_TEST(quiet_hours_defer_marketing_to_exactly_0800_local)
{
    consent(t.e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_MARKETING, 1);
    plan_ok(t.e, "p1", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
            KST(0, 22, 0));
    plan_ok(t.e, "r1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 22, 0));
    plan_ok(t.e, "p2", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
            KST(1, 7, 0));
    plan_ok(t.e, "p3", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
            KST(0, 20, 59));
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 20, 59));
    ck_assert_uint_eq(r.sent, 1); /* p3: before 21:00 */
    r = dispatch_at(t.e, KST(0, 22, 0));
    ck_assert_uint_eq(r.sent, 1); /* r1: transactional */
    ck_assert_uint_eq(r.deferred, 1);
    ck_assert_uint_eq(msgr.n, 2);
    ck_assert_str_eq(msgr.calls[1].id, "r1");
    lty_outbox_entry x = entry(t.e, "p1");
    ck_assert_int_eq(x.state, LTY_MSG_PLANNED);
    ck_assert_int_eq(x.due, KST(1, 8, 0));
    assert_reason(x, "quiet");
    r = dispatch_at(t.e, KST(1, 7, 0));
    ck_assert_uint_eq(r.deferred, 1); /* p2 */
    ck_assert_uint_eq(r.sent, 0);
    ck_assert_int_eq(entry(t.e, "p2").due, KST(1, 8, 0));
    r = dispatch_at(t.e, KST(1, 7, 59));
    ck_assert_uint_eq(r.claimed + r.deferred, 0);
    r = dispatch_at(t.e, KST(1, 8, 0));
    ck_assert_uint_eq(r.sent, 2);
    ck_assert_uint_eq(msgr.n, 4);
    ck_assert_int_eq(entry(t.e, "p1").state, LTY_MSG_SENT);
}
END_TEST

START_TEST(strict_consent_with_night_consent_sends_at_night)
{
    lty_messaging_options o = korea();
    configure(t.e, &o);
    consent(t.e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_MARKETING, 1);
    consent(t.e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_NIGHT_MARKETING, 1);
    consent(t.e, "c2", LTY_CHANNEL_EMAIL, LTY_PURPOSE_MARKETING, 1);
    plan_ok(t.e, "p1", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
            KST(0, 22, 0));
    plan_ok(t.e, "p2", "c2", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
            KST(0, 22, 0));
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 22, 0));
    ck_assert_uint_eq(r.sent, 1);
    ck_assert_uint_eq(r.deferred, 1);
    ck_assert_uint_eq(msgr.n, 1);
    ck_assert_str_eq(msgr.calls[0].id, "p1");
    ck_assert_str_eq(msgr.calls[0].text, KO_LABEL " " KO_SENDER " " KO_CONTACT
                     "\n김민지님, 생일 쿠폰이 도착했습니다\n" KO_OPT_OUT);
    ck_assert_int_eq(entry(t.e, "p2").due, KST(1, 8, 0));
    r = dispatch_at(t.e, KST(1, 8, 0));
    ck_assert_uint_eq(r.sent, 1);
    /* without strict consent, night consent does not lift quiet hours */
    o.strict_consent = 0;
    configure(t.e, &o);
    plan_ok(t.e, "p3", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
            KST(1, 23, 0));
    r = dispatch_at(t.e, KST(1, 23, 0));
    ck_assert_uint_eq(r.deferred, 1);
    ck_assert_int_eq(entry(t.e, "p3").due, KST(2, 8, 0));
}
END_TEST

/* Night-time consent on one channel must not turn a night-time message on
 * another channel (without night consent) into a suppression: it waits for
 * the morning like any marketing message at night. */
START_TEST(night_consent_on_another_channel_still_defers)
{
    lty_messaging_options o = korea();
    configure(t.e, &o);
    consent(t.e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_MARKETING, 1);
    consent(t.e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_NIGHT_MARKETING, 1);
    consent(t.e, "c1", LTY_CHANNEL_EMAIL, LTY_PURPOSE_MARKETING, 1);
    plan_ok(t.e, "p1", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_EMAIL,
            KST(0, 22, 0));
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 22, 0));
    ck_assert_uint_eq(msgr.n, 0);
    lty_outbox_entry x = entry(t.e, "p1");
    ck_assert_msg(x.state == LTY_MSG_PLANNED && x.due == KST(1, 8, 0),
                  "an e-mail with day-time consent at 22:00 was not deferred "
                  "to 08:00 but ended in state %d (%s); report: deferred %zu "
                  "suppressed %zu", (int)x.state, x.reason, r.deferred,
                  r.suppressed);
    r = dispatch_at(t.e, KST(1, 8, 0));
    ck_assert_uint_eq(r.sent, 1);
    ck_assert_int_eq(msgr.calls[0].channel, LTY_CHANNEL_EMAIL);
    /* no marketing consent at all on the channel: suppressed, day or night */
    plan_ok(t.e, "p2", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_KAKAO,
            KST(1, 22, 0));
    r = dispatch_at(t.e, KST(1, 22, 0));
    ck_assert_uint_eq(r.suppressed, 1);
    ck_assert_int_eq(entry(t.e, "p2").state, LTY_MSG_SUPPRESSED);
}
END_TEST

START_TEST(the_frequency_cap_defers_the_fifth_in_seven_days)
{
    consent(t.e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_MARKETING, 1);
    char id[16];
    for (int d = 0; d < 4; d++) {
        snprintf(id, sizeof id, "p%d", d);
        plan_ok(t.e, id, "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
                KST(d, 10, 0));
        lty_dispatch_report r = dispatch_at(t.e, KST(d, 10, 0));
        ck_assert_uint_eq(r.sent, 1);
    }
    plan_ok(t.e, "p4", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
            KST(4, 10, 0));
    plan_ok(t.e, "r4", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(4, 10, 0));
    lty_dispatch_report r = dispatch_at(t.e, KST(4, 10, 0));
    ck_assert_uint_eq(r.deferred, 1);
    ck_assert_uint_eq(r.sent, 1); /* the transactional one is not capped */
    lty_outbox_entry x = entry(t.e, "p4");
    ck_assert_int_eq(x.state, LTY_MSG_PLANNED);
    ck_assert_int_eq(x.due, KST(0, 10, 0) + 7 * DAY + 1);
    assert_reason(x, "cap");
    r = dispatch_at(t.e, KST(7, 10, 0));
    ck_assert_uint_eq(r.claimed + r.deferred, 0);
    r = dispatch_at(t.e, KST(7, 10, 0) + 1);
    ck_assert_uint_eq(r.sent, 1);
    ck_assert_int_eq(entry(t.e, "p4").state, LTY_MSG_SENT);
    ck_assert_uint_eq(calls_for(&msgr, "p4"), 1);
}
END_TEST

START_TEST(the_cap_counts_the_messages_of_one_batch)
{
    consent(t.e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_MARKETING, 1);
    char id[16];
    for (int i = 0; i < 6; i++) {
        snprintf(id, sizeof id, "p%d", i);
        plan_ok(t.e, id, "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
                KST(0, 10, 0));
    }
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(r.sent, 4);
    ck_assert_uint_eq(r.deferred, 2);
    ck_assert_int_eq(entry(t.e, "p4").due, KST(0, 10, 0) + 7 * DAY + 1);
    ck_assert_int_eq(entry(t.e, "p5").due, KST(0, 10, 0) + 7 * DAY + 1);
}
END_TEST

/* lty_messaging_configure accepts cap_messages up to 1000; the contact
 * state remembers only the last 64 marketing sends. */
/* The contact state remembers the last 64 marketing sends, so a larger cap
 * could not be enforced: it is refused; the largest one is enforced. */
START_TEST(the_cap_is_at_most_64_and_enforced)
{
    lty_messaging_options o = LTY_MESSAGING_OPTIONS_INIT;
    o.cap_messages = 65;
    o.cap_window_days = 30;
    ck_assert_int_eq(lty_messaging_configure(t.e, &o), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "cap_messages");
    o.cap_messages = 64;
    configure(t.e, &o);
    consent(t.e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_MARKETING, 1);
    char id[16];
    size_t sent = 0, deferred = 0;
    for (int i = 0; i < 70; i++) {
        snprintf(id, sizeof id, "p%d", i);
        plan_ok(t.e, id, "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
                KST(0, 10, i));
        lty_dispatch_report r = dispatch_at(t.e, KST(0, 10, i));
        sent += r.sent;
        deferred += r.deferred;
    }
    ck_assert_msg(sent == 64 && deferred == 6,
                  "cap 64 in 30 days: %zu of 70 marketing messages sent in 70 "
                  "minutes, %zu deferred", sent, deferred);
}
END_TEST

START_TEST(channel_fallback_and_suppression)
{
    /* c2 prefers SMS but has no phone: e-mail */
    plan_ok(t.e, "r1", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    /* c3 has no address at all */
    plan_ok(t.e, "r2", "c3", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    /* SMS asked for explicitly, no phone */
    plan_ok(t.e, "r3", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_SMS, KST(0, 10, 0));
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(r.sent, 1);
    ck_assert_uint_eq(r.suppressed, 2);
    ck_assert_uint_eq(msgr.n, 1);
    ck_assert_str_eq(msgr.calls[0].id, "r1");
    ck_assert_int_eq(msgr.calls[0].channel, LTY_CHANNEL_EMAIL);
    ck_assert_str_eq(msgr.calls[0].address, C2_EMAIL);
    lty_outbox_entry x = entry(t.e, "r2");
    ck_assert_int_eq(x.state, LTY_MSG_SUPPRESSED);
    ck_assert_str_ne(x.reason, "");
    x = entry(t.e, "r3");
    ck_assert_int_eq(x.state, LTY_MSG_SUPPRESSED);
    assert_reason(x, "no address");
    /* no template for the preferred channel: the next one */
    tpl(t.e, "mailonly", LTY_CHANNEL_EMAIL, "mail for {name}");
    plan_ok(t.e, "r4", "c1", "mailonly", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 11, 0));
    /* no template for any channel */
    plan_ok(t.e, "r5", "c1", "ghost", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 11, 0));
    r = dispatch_at(t.e, KST(0, 11, 0));
    ck_assert_uint_eq(r.sent, 1);
    ck_assert_uint_eq(r.suppressed, 1);
    ck_assert_str_eq(msgr.calls[1].id, "r4");
    ck_assert_int_eq(msgr.calls[1].channel, LTY_CHANNEL_EMAIL);
    ck_assert_str_eq(msgr.calls[1].address, C1_EMAIL);
    ck_assert_str_eq(msgr.calls[1].text, "mail for 김민지");
    x = entry(t.e, "r5");
    ck_assert_int_eq(x.state, LTY_MSG_SUPPRESSED);
    assert_reason(x, "template");
    /* marketing falls back only to a consented channel */
    consent(t.e, "c1", LTY_CHANNEL_EMAIL, LTY_PURPOSE_MARKETING, 1);
    plan_ok(t.e, "p1", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
            KST(0, 12, 0));
    r = dispatch_at(t.e, KST(0, 12, 0));
    ck_assert_uint_eq(r.sent, 1);
    ck_assert_int_eq(msgr.calls[2].channel, LTY_CHANNEL_EMAIL);
}
END_TEST

START_TEST(staff_and_push_notices_carry_no_address)
{
    tpl(t.e, "desk", LTY_CHANNEL_STAFF, "{name}: check-in");
    tpl(t.e, "app", LTY_CHANNEL_PUSH, "{name}, see you");
    plan_ok(t.e, "s1", "c3", "desk", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_STAFF, KST(0, 10, 0));
    plan_ok(t.e, "s2", "c3", "app", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_PUSH, KST(0, 10, 1));
    /* push is not a fallback: not everyone has the host's app */
    plan_ok(t.e, "s3", "c3", "app", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 2));
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 11, 0));
    ck_assert_uint_eq(r.sent, 2);
    ck_assert_uint_eq(r.suppressed, 1);
    assert_reason(entry(t.e, "s3"), "no address");
    ck_assert_int_eq(msgr.calls[0].channel, LTY_CHANNEL_STAFF);
    ck_assert(!msgr.calls[0].has_address);
    ck_assert_str_eq(msgr.calls[0].text, "Park: check-in");
    ck_assert_int_eq(msgr.calls[1].channel, LTY_CHANNEL_PUSH);
    ck_assert(!msgr.calls[1].has_address);
    ck_assert_str_eq(msgr.calls[1].text, "Park, see you");
}
END_TEST

/* A zone with daylight saving (the offset callback): 21:00-08:00 is local
 * time on both sides of the change. */
static int64_t dst_switch;
static int dst_before, dst_after;

static int dst_offset(int64_t utc, void *ud)
{
    (void)ud;
    return utc < dst_switch ? dst_before : dst_after;
}

static void check_dst(int before, int after)
{
    lty_storage_ops ops;
    void *ud;
    lty_engine *e;
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    ck_assert_int_eq(lty_memstore_connect(t.ms, &ops, &ud), LTY_OK);
    o.storage = &ops;
    o.storage_userdata = ud;
    o.tz_offset = dst_offset;
    dst_before = before;
    dst_after = after;
    /* the change: 2026-03-08 07:00 UTC (02:00 in New York) */
    dst_switch = LTY_TEST_NOW + 7 * DAY + 7 * 3600;
    ck_assert_int_eq(lty_engine_new(&e, &o), LTY_OK);
    messenger m;
    memset(&m, 0, sizeof m);
    messenger_attach(e, &m);
    consent(e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_MARKETING, 1);
    /* 22:00 local on 2026-03-07, before the change */
    int64_t due = LTY_TEST_NOW + 7 * DAY + 22 * 3600 - (int64_t)before * 60;
    plan_ok(e, "p1", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_SMS, due);
    lty_dispatch_report r = dispatch_at(e, due);
    ck_assert_uint_eq(r.deferred, 1);
    /* 08:00 local on 2026-03-08, after it */
    int64_t morning = LTY_TEST_NOW + 8 * DAY + 8 * 3600 - (int64_t)after * 60;
    ck_assert_int_eq(entry(e, "p1").due, morning);
    r = dispatch_at(e, morning);
    ck_assert_uint_eq(r.sent, 1);
    lty_engine_free(e);
    messenger_reset(&m);
}

START_TEST(quiet_hours_follow_a_daylight_saving_change)
{
    check_dst(-300, -240); /* spring forward */
}
END_TEST

START_TEST(quiet_hours_follow_a_daylight_saving_change_back)
{
    check_dst(-240, -300); /* fall back */
}
END_TEST

START_TEST(a_text_over_the_channel_limit_is_dead)
{
    lty_messaging_options o = LTY_MESSAGING_OPTIONS_INIT;
    o.max_length[LTY_CHANNEL_SMS] = 40;
    configure(t.e, &o);
    tpl(t.e, "long", LTY_CHANNEL_SMS, "item: {item}");
    char item[61];
    memset(item, 'x', 60);
    item[60] = '\0';
    const lty_param ps[] = {{"item", item}};
    ck_assert_int_eq(plan_full(t.e, "m1", "c1", "long", LTY_PURPOSE_TRANSACTIONAL,
                               LTY_CHANNEL_SMS, KST(0, 10, 0), ps, 1), LTY_OK);
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(r.dead, 1);
    ck_assert_uint_eq(r.claimed, 0);
    ck_assert_uint_eq(msgr.n, 0);
    lty_outbox_entry x = entry(t.e, "m1");
    ck_assert_int_eq(x.state, LTY_MSG_DEAD);
    assert_reason(x, "longer");
}
END_TEST

START_TEST(an_erased_customer_is_sent_nothing)
{
    plan_ok(t.e, "r1", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    ck_assert_int_eq(lty_customer_erase(t.e, "c2"), LTY_OK);
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(r.claimed, 0);
    ck_assert_uint_eq(msgr.n, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 4. Messenger failures                                               */
/* ------------------------------------------------------------------ */

START_TEST(temporary_failures_back_off_then_die)
{
    lty_messaging_options o = LTY_MESSAGING_OPTIONS_INIT;
    o.max_attempts = 3;
    configure(t.e, &o);
    msgr.script[0] = LTY_ETEMPORARY;
    msgr.script[1] = LTY_EUSER; /* any other code counts as temporary */
    msgr.script[2] = LTY_ETEMPORARY;
    msgr.nscript = 3;
    int64_t t0 = KST(0, 10, 0);
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, t0);
    lty_dispatch_report r = dispatch_at(t.e, t0);
    ck_assert_uint_eq(r.claimed, 1);
    ck_assert_uint_eq(r.retried, 1);
    lty_outbox_entry x = entry(t.e, "m1");
    ck_assert_int_eq(x.state, LTY_MSG_RETRY);
    ck_assert_int_eq(x.due, t0 + 60);
    ck_assert_int_eq(x.attempts, 1);
    assert_reason(x, "retry");
    r = dispatch_at(t.e, t0 + 59);
    ck_assert_uint_eq(r.claimed, 0);
    r = dispatch_at(t.e, t0 + 60);
    ck_assert_uint_eq(r.retried, 1);
    x = entry(t.e, "m1");
    ck_assert_int_eq(x.due, t0 + 60 + 120);
    ck_assert_int_eq(x.attempts, 2);
    r = dispatch_at(t.e, t0 + 179);
    ck_assert_uint_eq(r.claimed, 0);
    r = dispatch_at(t.e, t0 + 180);
    ck_assert_uint_eq(r.dead, 1);
    x = entry(t.e, "m1");
    ck_assert_int_eq(x.state, LTY_MSG_DEAD);
    ck_assert_int_eq(x.attempts, 3);
    assert_reason(x, "attempts");
    ck_assert_uint_eq(msgr.n, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_str_eq(msgr.calls[i].id, "m1");
        ck_assert_int_eq(msgr.calls[i].attempt, i + 1);
    }
    r = dispatch_at(t.e, t0 + DAY);
    ck_assert_uint_eq(r.claimed, 0);
    ck_assert_uint_eq(msgr.n, 3);
}
END_TEST

START_TEST(a_permanent_failure_is_dead_at_once)
{
    msgr.script[0] = LTY_EPERMANENT;
    msgr.nscript = 1;
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(r.dead, 1);
    ck_assert_uint_eq(r.sent + r.retried, 0);
    lty_outbox_entry x = entry(t.e, "m1");
    ck_assert_int_eq(x.state, LTY_MSG_DEAD);
    ck_assert_int_eq(x.attempts, 1);
    assert_reason(x, "refused");
    r = dispatch_at(t.e, KST(1, 10, 0));
    ck_assert_uint_eq(r.claimed, 0);
    ck_assert_uint_eq(msgr.n, 1);
    ck_assert_int_eq(lty_delivery_report(t.e, "m1", LTY_DELIVERED, LTY_TIME_NOW),
                     LTY_ESTATE);
}
END_TEST

/* The fault world: a memory store behind the fault-injecting wrapper,
 * the same seed, the recording messenger (w->user). */
static void fworld_cleanup(lty_test_fault_world *w)
{
    messenger_reset(w->user);
    free(w->user);
}

static void fworld_seed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    messenger *m = calloc(1, sizeof *m);
    ck_assert_ptr_nonnull(m);
    w->user = m;
    w->cleanup = fworld_cleanup;
    seed(w->e);
    messenger_attach(w->e, m);
    m->crash = w->faulty;
}

static void fworld_open(lty_test_fault_world *w)
{
    lty_test_fault_world_open(w, LTY_TEST_NOW, fworld_seed, NULL);
}

START_TEST(a_crash_between_send_and_acknowledgement_resends_the_same_id)
{
    lty_test_fault_world w;
    fworld_open(&w);
    messenger *m = w.user;
    plan_ok(w.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    plan_ok(w.e, "m2", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    m->crash_on = 1;
    lty_dispatch_report r;
    int rc = lty_outbox_dispatch(w.e, KST(0, 10, 0), 10, &r);
    ck_assert_int_eq(rc, LTY_ESTORAGE);
    ck_assert_uint_eq(r.claimed, 2);
    ck_assert_uint_eq(m->n, 1); /* the first was sent, then "the crash" */
    m->crash_on = 0;
    lty_outbox_entry x = entry(w.e, "m1");
    ck_assert_int_eq(x.state, LTY_MSG_CLAIMED);
    ck_assert_int_eq(x.attempts, 1);
    ck_assert_int_eq(entry(w.e, "m2").state, LTY_MSG_CLAIMED);
    /* the claim holds for claim_seconds (300) */
    r = dispatch_at(w.e, KST(0, 10, 0) + 299);
    ck_assert_uint_eq(r.claimed, 0);
    ck_assert_uint_eq(m->n, 1);
    r = dispatch_at(w.e, KST(0, 10, 0) + 300);
    ck_assert_uint_eq(r.claimed, 2);
    ck_assert_uint_eq(r.sent, 2);
    ck_assert_uint_eq(m->n, 3);
    ck_assert_str_eq(m->calls[0].id, m->calls[1].id);
    ck_assert_int_eq(m->calls[0].attempt, 1);
    ck_assert_int_eq(m->calls[1].attempt, 2);
    ck_assert_str_eq(m->calls[0].text, m->calls[1].text);
    ck_assert_uint_eq(calls_for(m, "m1") + calls_for(m, "m2"), 3);
    ck_assert_int_eq(entry(w.e, "m1").state, LTY_MSG_SENT);
    ck_assert_int_eq(entry(w.e, "m2").state, LTY_MSG_SENT);
    ck_assert_int_eq(entry(w.e, "m1").attempts, 2);
    r = dispatch_at(w.e, KST(1, 10, 0));
    ck_assert_uint_eq(r.claimed, 0);
    lty_test_fault_world_close(&w);
}
END_TEST

/* A dispatcher slower than its claim: another one takes the message over
 * after the claim runs out and sends attempt 2; the slow one's late
 * acknowledgement (of either outcome) must not overwrite that. */
typedef struct takeover {
    lty_engine *e2;
    messenger m2;
    int64_t at;
    int rc;
    lty_dispatch_report r;
} takeover;

static void take_over(messenger *m, const lty_message *msg)
{
    takeover *p = m->hook_ctx;
    (void)msg;
    p->rc = lty_outbox_dispatch(p->e2, p->at, 10, &p->r);
}

static void check_takeover(int first_result)
{
    takeover p;
    memset(&p, 0, sizeof p);
    p.e2 = lty_test_env_engine(&t);
    messenger_attach(p.e2, &p.m2);
    p.at = KST(0, 10, 0) + 300;
    msgr.hook = take_over;
    msgr.hook_ctx = &p;
    msgr.script[0] = first_result;
    msgr.nscript = 1;
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    lty_dispatch_report r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_int_eq(p.rc, LTY_OK);
    ck_assert_uint_eq(p.r.sent, 1);
    ck_assert_uint_eq(p.m2.n, 1);
    ck_assert_str_eq(p.m2.calls[0].id, "m1");
    ck_assert_int_eq(p.m2.calls[0].attempt, 2);
    ck_assert_uint_eq(r.claimed, 1);
    ck_assert_uint_eq(r.sent + r.retried + r.dead, 0); /* not its to record */
    lty_outbox_entry x = entry(t.e, "m1");
    ck_assert_int_eq(x.state, LTY_MSG_SENT);
    ck_assert_int_eq(x.attempts, 2);
    ck_assert_int_eq(x.sent, KST(0, 10, 0) + 300);
    r = dispatch_at(t.e, KST(1, 10, 0));
    ck_assert_uint_eq(r.claimed, 0);
    lty_engine_free(p.e2);
    messenger_reset(&p.m2);
}

START_TEST(a_slow_dispatcher_does_not_overwrite_a_takeover)
{
    check_takeover(LTY_OK);
}
END_TEST

START_TEST(a_slow_dispatchers_failure_does_not_overwrite_a_takeover)
{
    check_takeover(LTY_EPERMANENT);
}
END_TEST

/* A message whose acknowledgement never lands (the process dies in send
 * every time) is claimed again and again; it must not end up blocking the
 * whole outbox. */
START_TEST(a_message_that_never_acknowledges_does_not_block_the_outbox)
{
    lty_test_fault_world w;
    fworld_open(&w);
    messenger *m = w.user;
    int64_t now = KST(0, 10, 0);
    plan_ok(w.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, now);
    m->crash_on = 1;
    for (int i = 0; i < 1005; i++) {
        lty_dispatch_report r;
        int rc = lty_outbox_dispatch(w.e, now, 10, &r);
        if (rc != LTY_ESTORAGE && rc != LTY_OK)
            ck_abort_msg("dispatch %d (attempts so far %zu): %s (%s)", i,
                         calls_for(m, "m1"), lty_strerror(rc),
                         lty_engine_last_error(w.e));
        now += 300;
        if (rc == LTY_OK && r.claimed == 0)
            break;
    }
    m->crash_on = 0;
    /* another message must still go out */
    plan_ok(w.e, "m2", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, now);
    lty_dispatch_report r;
    int rc = lty_outbox_dispatch(w.e, now, 10, &r);
    ck_assert_msg(rc == LTY_OK, "after %zu crashed sends of m1, dispatch "
                  "fails: %s (%s)", calls_for(m, "m1"), lty_strerror(rc),
                  lty_engine_last_error(w.e));
    ck_assert_uint_eq(calls_for(m, "m2"), 1);
    lty_test_fault_world_close(&w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 5. Two dispatchers                                                  */
/* ------------------------------------------------------------------ */

typedef struct dispatcher {
    lty_engine *e;
    messenger m;
    int64_t now;
    int rc;
    size_t claimed, rounds;
} dispatcher;

static void *dispatch_thread(void *arg)
{
    dispatcher *d = arg;
    for (;;) {
        lty_dispatch_report r;
        d->rc = lty_outbox_dispatch(d->e, d->now, 7, &r);
        if (d->rc)
            break;
        d->rounds++;
        d->claimed += r.claimed;
        if (r.claimed == 0 && r.deferred == 0 && r.suppressed == 0)
            break;
    }
    return NULL;
}

START_TEST(two_dispatchers_send_every_message_exactly_once)
{
    char cid[16], id[32];
    for (int c = 0; c < 20; c++) {
        snprintf(cid, sizeof cid, "k%02d", c);
        char phone[32];
        snprintf(phone, sizeof phone, "010-5555-%04d", c);
        lty_test_customer(t.e, cid, "K", phone);
        for (int i = 0; i < 10; i++) {
            snprintf(id, sizeof id, "x/%s/%d", cid, i);
            plan_ok(t.e, id, cid, "remind", LTY_PURPOSE_TRANSACTIONAL,
                    LTY_CHANNEL_NONE, KST(0, 10, i));
        }
    }
    dispatcher d[2];
    memset(d, 0, sizeof d);
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        d[i].e = lty_test_env_engine(&t);
        d[i].now = KST(0, 11, 0);
        messenger_attach(d[i].e, &d[i].m);
    }
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, dispatch_thread, &d[i]), 0);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < 2; i++)
        ck_assert_msg(d[i].rc == LTY_OK, "dispatcher %d: %s (%s)", i,
                      lty_strerror(d[i].rc), lty_engine_last_error(d[i].e));
    ck_assert_uint_eq(d[0].m.n + d[1].m.n, 200);
    ck_assert_uint_eq(d[0].claimed + d[1].claimed, 200);
    for (int c = 0; c < 20; c++)
        for (int i = 0; i < 10; i++) {
            snprintf(id, sizeof id, "x/k%02d/%d", c, i);
            size_t n = calls_for(&d[0].m, id) + calls_for(&d[1].m, id);
            ck_assert_msg(n == 1, "%s sent %zu times", id, n);
            ck_assert_int_eq(entry(t.e, id).state, LTY_MSG_SENT);
        }
    lty_outbox_filter f = {NULL, LTY_MSG_SENT, 0, 0};
    size_t n;
    ck_assert_int_eq(lty_outbox_list(t.e, &f, NULL, 0, &n), LTY_OK);
    ck_assert_uint_eq(n, 200);
    for (int i = 0; i < 2; i++) {
        lty_engine_free(d[i].e);
        messenger_reset(&d[i].m);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* 6. Delivery reports and hygiene                                     */
/* ------------------------------------------------------------------ */

/* Plan id now on a channel, dispatch, and expect it sent. */
static void send_one(const char *id, const char *cid, const char *template_id,
                     lty_purpose purpose, lty_channel ch)
{
    t.now += 60;
    plan_ok(t.e, id, cid, template_id, purpose, ch, t.now);
    size_t before = msgr.n;
    lty_dispatch_report r = dispatch_at(t.e, t.now);
    ck_assert_msg(r.sent == 1, "%s not sent: %s", id, entry(t.e, id).reason);
    ck_assert_uint_eq(msgr.n, before + 1);
}

/* Plan id now, dispatch, and expect it suppressed; its reason. */
static lty_outbox_entry suppressed_one(const char *id, const char *cid,
                                       const char *template_id,
                                       lty_purpose purpose, lty_channel ch)
{
    t.now += 60;
    plan_ok(t.e, id, cid, template_id, purpose, ch, t.now);
    size_t before = msgr.n;
    lty_dispatch_report r = dispatch_at(t.e, t.now);
    ck_assert_msg(r.suppressed == 1, "%s not suppressed (sent %zu)", id, r.sent);
    ck_assert_uint_eq(msgr.n, before);
    lty_outbox_entry x = entry(t.e, id);
    ck_assert_int_eq(x.state, LTY_MSG_SUPPRESSED);
    return x;
}

static void report_ok(const char *id, lty_delivery_kind k)
{
    int rc = lty_delivery_report(t.e, id, k, LTY_TIME_NOW);
    ck_assert_msg(rc == LTY_OK, "report %s: %s (%s)", id, lty_strerror(rc),
                  lty_engine_last_error(t.e));
}

START_TEST(a_hard_bounce_invalidates_the_address_and_falls_back)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "c1";
    f.set = LTY_FIELD_PREFERRED_CHANNEL;
    f.preferred_channel = LTY_CHANNEL_EMAIL;
    ck_assert_int_eq(lty_customer_update(t.e, &f), LTY_OK);
    send_one("t1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE);
    ck_assert_int_eq(msgr.calls[0].channel, LTY_CHANNEL_EMAIL);
    report_ok("t1", LTY_HARD_BOUNCE);
    lty_outbox_entry x = suppressed_one("t2", "c1", "remind",
                                        LTY_PURPOSE_TRANSACTIONAL,
                                        LTY_CHANNEL_EMAIL);
    assert_reason(x, "address invalid");
    send_one("t3", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE);
    ck_assert_int_eq(msgr.calls[1].channel, LTY_CHANNEL_SMS);
    ck_assert_str_eq(msgr.calls[1].address, C1_PHONE);
    /* the phone is unaffected */
    send_one("t4", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_SMS);
}
END_TEST

START_TEST(five_soft_bounces_in_a_row_invalidate_and_a_delivery_resets_the_run)
{
    char id[16];
    int k = 0;
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "s%d", k++);
        send_one(id, "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_EMAIL);
        report_ok(id, LTY_SOFT_BOUNCE);
    }
    snprintf(id, sizeof id, "s%d", k++);
    send_one(id, "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_EMAIL);
    report_ok(id, LTY_DELIVERED);
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "s%d", k++);
        send_one(id, "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_EMAIL);
        report_ok(id, LTY_SOFT_BOUNCE);
    }
    /* 4 in a row: still valid */
    snprintf(id, sizeof id, "s%d", k++);
    send_one(id, "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_EMAIL);
    report_ok(id, LTY_SOFT_BOUNCE);
    /* the 5th in a row */
    lty_outbox_entry x = suppressed_one("after", "c2", "remind",
                                        LTY_PURPOSE_TRANSACTIONAL,
                                        LTY_CHANNEL_EMAIL);
    assert_reason(x, "address invalid");
}
END_TEST

START_TEST(the_same_report_twice_counts_once)
{
    lty_messaging_options o = LTY_MESSAGING_OPTIONS_INIT;
    o.soft_bounce_limit = 2;
    configure(t.e, &o);
    send_one("s1", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_EMAIL);
    report_ok("s1", LTY_SOFT_BOUNCE);
    char *before = dump();
    report_ok("s1", LTY_SOFT_BOUNCE);
    char *after = dump();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    send_one("s2", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_EMAIL);
    report_ok("s2", LTY_SOFT_BOUNCE);
    lty_outbox_entry x = suppressed_one("s3", "c2", "remind",
                                        LTY_PURPOSE_TRANSACTIONAL,
                                        LTY_CHANNEL_EMAIL);
    assert_reason(x, "address invalid");
}
END_TEST

START_TEST(reports_for_unknown_or_unsent_messages_are_refused)
{
    char *before = dump();
    ck_assert_int_eq(lty_delivery_report(t.e, "nope", LTY_DELIVERED, LTY_TIME_NOW),
                     LTY_ENOTFOUND);
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(1, 10, 0));
    free(before);
    before = dump();
    ck_assert_int_eq(lty_delivery_report(t.e, "m1", LTY_HARD_BOUNCE, LTY_TIME_NOW),
                     LTY_ESTATE);
    lty_assert_err_mentions(t.e, "never sent");
    ck_assert_int_eq(lty_delivery_report(t.e, "m1", LTY_DELIVERED, -1),
                     LTY_EINVALID);
    char *after = dump();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST

START_TEST(unopened_marketing_emails_suppress_marketing_email_until_an_open)
{
    lty_messaging_options o = LTY_MESSAGING_OPTIONS_INIT;
    o.unopened_limit = 3;
    o.cap_messages = 0;
    configure(t.e, &o);
    consent(t.e, "c2", LTY_CHANNEL_EMAIL, LTY_PURPOSE_MARKETING, 1);
    send_one("e1", "c2", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE);
    send_one("e2", "c2", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE);
    /* transactional e-mails do not count */
    send_one("t1", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE);
    send_one("e3", "c2", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE);
    lty_outbox_entry x = suppressed_one("e4", "c2", "promo",
                                        LTY_PURPOSE_MARKETING, LTY_CHANNEL_EMAIL);
    assert_reason(x, "unopened");
    /* transactional e-mail still goes */
    send_one("t2", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE);
    /* an open lifts it */
    report_ok("e2", LTY_OPENED);
    send_one("e5", "c2", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE);
    send_one("e6", "c2", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE);
    report_ok("e6", LTY_CLICKED);
    send_one("e7", "c2", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE);
}
END_TEST

static int consent_of(const char *cid, lty_channel ch, lty_purpose p)
{
    lty_customer *c;
    int g = -1;
    ck_assert_int_eq(lty_customer_get(t.e, cid, &c), LTY_OK);
    (void)lty_customer_consent(c, ch, p, &g, NULL);
    lty_customer_free(c);
    return g;
}

START_TEST(a_complaint_or_unsubscription_withdraws_that_channels_consent)
{
    lty_messaging_options o = korea();
    o.cap_messages = 0;
    configure(t.e, &o);
    consent(t.e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_MARKETING, 1);
    consent(t.e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_NIGHT_MARKETING, 1);
    consent(t.e, "c1", LTY_CHANNEL_EMAIL, LTY_PURPOSE_MARKETING, 1);
    send_one("p1", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_EMAIL);
    report_ok("p1", LTY_COMPLAINT);
    ck_assert_int_eq(consent_of("c1", LTY_CHANNEL_EMAIL, LTY_PURPOSE_MARKETING), 0);
    ck_assert_int_eq(consent_of("c1", LTY_CHANNEL_SMS, LTY_PURPOSE_MARKETING), 1);
    lty_outbox_entry x = suppressed_one("p2", "c1", "promo",
                                        LTY_PURPOSE_MARKETING, LTY_CHANNEL_EMAIL);
    assert_reason(x, "consent");
    /* transactional e-mail is unaffected */
    send_one("t1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_EMAIL);
    /* unsubscribing from SMS: both SMS consents go */
    send_one("p3", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_SMS);
    report_ok("p3", LTY_UNSUBSCRIBED);
    ck_assert_int_eq(consent_of("c1", LTY_CHANNEL_SMS, LTY_PURPOSE_MARKETING), 0);
    ck_assert_int_eq(consent_of("c1", LTY_CHANNEL_SMS, LTY_PURPOSE_NIGHT_MARKETING), 0);
    x = suppressed_one("p4", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE);
    assert_reason(x, "consent");
}
END_TEST

START_TEST(a_changed_address_starts_clean)
{
    send_one("t1", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_EMAIL);
    report_ok("t1", LTY_HARD_BOUNCE);
    suppressed_one("t2", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_EMAIL);
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "c2";
    f.set = LTY_FIELD_EMAIL;
    f.email = "lee.new@example.com";
    ck_assert_int_eq(lty_customer_update(t.e, &f), LTY_OK);
    send_one("t3", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_EMAIL);
    ck_assert_str_eq(msgr.calls[msgr.n - 1].address, "lee.new@example.com");
    send_one("t4", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_EMAIL);
}
END_TEST

/* With the channel left to the customer (LTY_CHANNEL_NONE) the reason of a
 * suppression must name what blocked the channels the customer can be
 * reached on -- not what the last channel tried (push, which needs no
 * address and has no template here) happened to say. */
START_TEST(with_the_customers_channel_the_reason_names_the_real_cause)
{
    lty_messaging_options o = LTY_MESSAGING_OPTIONS_INIT;
    o.unopened_limit = 1;
    o.cap_messages = 0;
    configure(t.e, &o);
    consent(t.e, "c2", LTY_CHANNEL_EMAIL, LTY_PURPOSE_MARKETING, 1);
    send_one("e1", "c2", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE);
    lty_outbox_entry x = suppressed_one("e2", "c2", "promo",
                                        LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE);
    ck_assert_msg(strstr(x.reason, "unopened") != NULL,
                  "c2's only address is an e-mail left unopened, reason: '%s'",
                  x.reason);
    send_one("t1", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE);
    report_ok("t1", LTY_HARD_BOUNCE);
    x = suppressed_one("t2", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL,
                       LTY_CHANNEL_NONE);
    ck_assert_msg(strstr(x.reason, "address invalid") != NULL,
                  "c2's only address hard-bounced, reason: '%s'", x.reason);
}
END_TEST

/* A late report about the address a customer had before must not wipe
 * what is known about the address in use now. */
START_TEST(a_late_report_about_an_old_address_keeps_the_new_ones_state)
{
    send_one("t1", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_EMAIL);
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "c2";
    f.set = LTY_FIELD_EMAIL;
    f.email = "lee.new@example.com";
    ck_assert_int_eq(lty_customer_update(t.e, &f), LTY_OK);
    send_one("t2", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_EMAIL);
    report_ok("t2", LTY_HARD_BOUNCE); /* the new address does not exist */
    report_ok("t1", LTY_DELIVERED);   /* late news about the old one */
    t.now += 60;
    plan_ok(t.e, "t3", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_EMAIL, t.now);
    dispatch_at(t.e, t.now);
    lty_outbox_entry x = entry(t.e, "t3");
    ck_assert_msg(x.state == LTY_MSG_SUPPRESSED,
                  "t3 went to the hard-bounced new address (state %d) after "
                  "a late report about the old one", (int)x.state);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 7. Corruption                                                       */
/* ------------------------------------------------------------------ */

static void raw_put(const char *key, size_t keylen, const void *val, size_t len)
{
    ck_assert_int_eq(t.ops.begin(t.ud), LTY_OK);
    ck_assert_int_eq(t.ops.put(key, keylen, val, len, LTY_REV_ANY, NULL, t.ud),
                     LTY_OK);
    ck_assert_int_eq(t.ops.commit(t.ud), LTY_OK);
}

static void raw_del(const char *key, size_t keylen)
{
    ck_assert_int_eq(t.ops.begin(t.ud), LTY_OK);
    ck_assert_int_eq(t.ops.del(key, keylen, LTY_REV_ANY, t.ud), LTY_OK);
    ck_assert_int_eq(t.ops.commit(t.ud), LTY_OK);
}

static void due_key(char *k, size_t *n, int64_t due, const char *id, size_t idn)
{
    k[0] = 'Q';
    k[1] = '\0';
    for (int i = 0; i < 8; i++)
        k[2 + i] = (char)((uint64_t)due >> (56 - 8 * i));
    memcpy(k + 10, id, idn);
    *n = 10 + idn;
}

static void expect_all_corrupt(void)
{
    lty_outbox_entry x = LTY_OUTBOX_ENTRY_INIT;
    size_t n;
    ck_assert_int_eq(lty_outbox_get(t.e, "m1", &x), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "outbox");
    ck_assert_int_eq(lty_outbox_list(t.e, NULL, NULL, 0, &n), LTY_ECORRUPT);
    lty_outbox_filter f = {"c1", (lty_message_state)0, 0, 0};
    ck_assert_int_eq(lty_outbox_list(t.e, &f, NULL, 0, &n), LTY_ECORRUPT);
    lty_dispatch_report r;
    ck_assert_int_eq(lty_outbox_dispatch(t.e, KST(0, 10, 0), 10, &r), LTY_ECORRUPT);
    ck_assert_uint_eq(msgr.n, 0);
    ck_assert_int_eq(lty_outbox_cancel(t.e, "m1"), LTY_ECORRUPT);
    ck_assert_int_eq(plan_full(t.e, "m1", "c1", "remind",
                               LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE,
                               KST(0, 10, 0), NULL, 0), LTY_ECORRUPT);
}

START_TEST(a_corrupted_message_record_is_ecorrupt)
{
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    static const char key[] = "O\0m1";
    ck_assert_int_eq(lty_test_dump_contains(&t.ops, t.ud, key, sizeof key - 1), 1);
    raw_put(key, sizeof key - 1, "\x08\x01\x0a\x05zz", 7);
    expect_all_corrupt();
    /* an empty record */
    raw_put(key, sizeof key - 1, "", 0);
    expect_all_corrupt();
}
END_TEST

START_TEST(a_sent_message_corrupted_is_ecorrupt_for_reports)
{
    send_one("m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE);
    static const char key[] = "O\0m1";
    raw_put(key, sizeof key - 1, "\x01\x02\x03", 3);
    ck_assert_int_eq(lty_delivery_report(t.e, "m1", LTY_DELIVERED, LTY_TIME_NOW),
                     LTY_ECORRUPT);
}
END_TEST

START_TEST(a_corrupted_due_index_is_ecorrupt)
{
    plan_ok(t.e, "m1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    char k[64];
    size_t n;
    lty_dispatch_report r;
    /* a key too short to hold a due time and an id */
    raw_put("Q\0\0\0\0", 5, "", 0);
    ck_assert_int_eq(lty_outbox_dispatch(t.e, KST(0, 10, 0), 10, &r), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "due index");
    raw_del("Q\0\0\0\0", 5);
    /* an entry for a message that does not exist */
    due_key(k, &n, KST(0, 9, 0), "ghost", 5);
    raw_put(k, n, "", 0);
    ck_assert_int_eq(lty_outbox_dispatch(t.e, KST(0, 10, 0), 10, &r), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "due index");
    raw_del(k, n);
    /* an entry whose due time disagrees with its message */
    due_key(k, &n, KST(0, 9, 0), "m1", 2);
    raw_put(k, n, "", 0);
    ck_assert_int_eq(lty_outbox_dispatch(t.e, KST(0, 9, 30), 10, &r), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "due index");
    raw_del(k, n);
    /* an id with a NUL byte in it */
    due_key(k, &n, KST(0, 9, 0), "m1\0x", 4);
    raw_put(k, n, "", 0);
    ck_assert_int_eq(lty_outbox_dispatch(t.e, KST(0, 10, 0), 10, &r), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "due index");
    raw_del(k, n);
    ck_assert_uint_eq(msgr.n, 0);
    /* clean again */
    r = dispatch_at(t.e, KST(0, 10, 0));
    ck_assert_uint_eq(r.sent, 1);
}
END_TEST

START_TEST(a_customer_index_entry_without_its_message_is_ecorrupt)
{
    static const char key[] = "C\0c1\0Oghost";
    raw_put(key, sizeof key - 1, "", 0);
    lty_outbox_filter f = {"c1", (lty_message_state)0, 0, 0};
    size_t n;
    ck_assert_int_eq(lty_outbox_list(t.e, &f, NULL, 0, &n), LTY_ECORRUPT);
    static const char bad[] = "O\0a\0b";
    raw_del(key, sizeof key - 1);
    raw_put(bad, sizeof bad - 1, "", 0);
    ck_assert_int_eq(lty_outbox_list(t.e, NULL, NULL, 0, &n), LTY_ECORRUPT);
}
END_TEST

START_TEST(a_corrupted_contact_state_is_ecorrupt)
{
    lty_messaging_options o = LTY_MESSAGING_OPTIONS_INIT;
    configure(t.e, &o);
    consent(t.e, "c1", LTY_CHANNEL_SMS, LTY_PURPOSE_MARKETING, 1);
    send_one("p1", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE);
    static const char key[] = "C\0c1\0K";
    ck_assert_int_eq(lty_test_dump_contains(&t.ops, t.ud, key, sizeof key - 1), 1);
    raw_put(key, sizeof key - 1, "\x08\x01\x0a\x05zz", 7);
    plan_ok(t.e, "p2", "c1", "promo", LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE,
            t.now);
    lty_dispatch_report r;
    ck_assert_int_eq(lty_outbox_dispatch(t.e, t.now, 10, &r), LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "contact state");
    ck_assert_int_eq(lty_delivery_report(t.e, "p1", LTY_DELIVERED, LTY_TIME_NOW),
                     LTY_ECORRUPT);
    ck_assert_uint_eq(msgr.n, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 8. Storage failures                                                 */
/* ------------------------------------------------------------------ */

/* The state the fault calls start from: m-old planned (c1), m-sent sent
 * by e-mail to c2 (marketing, consented), consents recorded. */
static void fault_seed(lty_test_fault_world *w, void *ud)
{
    fworld_seed(w, ud);
    consent(w->e, "c2", LTY_CHANNEL_EMAIL, LTY_PURPOSE_MARKETING, 1);
    plan_ok(w->e, "m-old", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(1, 10, 0));
    plan_ok(w->e, "m-sent", "c2", "promo", LTY_PURPOSE_MARKETING,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    lty_dispatch_report r;
    ck_assert_int_eq(lty_outbox_dispatch(w->e, KST(0, 10, 0), 10, &r), LTY_OK);
    ck_assert_uint_eq(r.sent, 1);
}

static int f_plan_new(lty_engine *e)
{
    return plan_full(e, "m-new", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
                     LTY_CHANNEL_NONE, KST(2, 10, 0), appt_params, 2);
}

static int f_replan(lty_engine *e)
{
    return plan_full(e, "m-old", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
                     LTY_CHANNEL_SMS, KST(3, 10, 0), appt_params, 2);
}

static int f_cancel(lty_engine *e)
{
    return lty_outbox_cancel(e, "m-old");
}

static int f_bounce(lty_engine *e)
{
    return lty_delivery_report(e, "m-sent", LTY_HARD_BOUNCE, LTY_TIME_NOW);
}

static int f_complaint(lty_engine *e)
{
    return lty_delivery_report(e, "m-sent", LTY_COMPLAINT, LTY_TIME_NOW);
}

static int f_opened(lty_engine *e)
{
    return lty_delivery_report(e, "m-sent", LTY_OPENED, LTY_TIME_NOW);
}

static const struct {
    const char *name;
    int (*call)(lty_engine *);
} fcalls[] = {
    {"plan", f_plan_new}, {"replan", f_replan},       {"cancel", f_cancel},
    {"bounce", f_bounce}, {"complaint", f_complaint}, {"opened", f_opened},
};

static void sweep(int i, unsigned flags)
{
    lty_test_fault_spec spec = {
        .name = fcalls[i].name, .call = fcalls[i].call, .flags = flags,
        .min_calls = 1, .now = LTY_TEST_NOW, .seed = fault_seed};
    lty_test_fault_sweep(&spec);
}

START_TEST(every_storage_failure_leaves_the_store_unchanged)
{
    sweep(_i, LTY_TEST_FAULT_STORAGE);
}
END_TEST

START_TEST(every_injected_conflict_is_retried_transparently)
{
    sweep(_i, LTY_TEST_FAULT_CONFLICT);
}
END_TEST

/* The dispatch world: five due messages -- three transactional (c1 SMS,
 * c2 e-mail, c1 e-mail), one consented marketing (c2), one marketing
 * without consent (c1: suppressed by policy). */
static const char *const dmsgs[] = {"d1", "d2", "d3", "d4", "d5"};
#define NDMSGS 5

static void dispatch_seed(lty_test_fault_world *w, void *ud)
{
    fworld_seed(w, ud);
    consent(w->e, "c2", LTY_CHANNEL_EMAIL, LTY_PURPOSE_MARKETING, 1);
    plan_ok(w->e, "d1", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    plan_ok(w->e, "d2", "c2", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_NONE, KST(0, 10, 0));
    plan_ok(w->e, "d3", "c1", "remind", LTY_PURPOSE_TRANSACTIONAL,
            LTY_CHANNEL_EMAIL, KST(0, 10, 1));
    plan_ok(w->e, "d4", "c2", "promo", LTY_PURPOSE_MARKETING,
            LTY_CHANNEL_NONE, KST(0, 10, 2));
    plan_ok(w->e, "d5", "c1", "promo", LTY_PURPOSE_MARKETING,
            LTY_CHANNEL_NONE, KST(0, 10, 3));
}

/* Dispatch until nothing is due; the clock moves past claims. */
static void drain(lty_test_fault_world *w, int64_t *now)
{
    for (int round = 0; round < 20; round++) {
        lty_dispatch_report r;
        int rc = lty_outbox_dispatch(w->e, *now, 100, &r);
        ck_assert_msg(rc == LTY_OK, "drain: %s (%s)", lty_strerror(rc),
                      lty_engine_last_error(w->e));
        if (r.claimed + r.deferred + r.suppressed + r.dead == 0) {
            /* anything still claimed waits for its claim to run out */
            lty_outbox_filter f = {NULL, LTY_MSG_CLAIMED, 0, 0};
            size_t n;
            ck_assert_int_eq(lty_outbox_list(w->e, &f, NULL, 0, &n), LTY_OK);
            if (n == 0)
                return;
        }
        *now += 301;
    }
    ck_abort_msg("the outbox did not drain");
}

static void check_dispatch_outcome(lty_test_fault_world *w, const char *what,
                                   long k)
{
    const messenger *m = w->user;
    for (int i = 0; i < NDMSGS; i++) {
        lty_outbox_entry x = entry(w->e, dmsgs[i]);
        size_t seen = calls_for(m, dmsgs[i]);
        if (i == 4) {
            ck_assert_msg(x.state == LTY_MSG_SUPPRESSED && seen == 0,
                          "%s %ld: %s state %d, sent %zu times", what, k,
                          dmsgs[i], (int)x.state, seen);
            continue;
        }
        ck_assert_msg(x.state == LTY_MSG_SENT, "%s %ld: %s state %d (%s)",
                      what, k, dmsgs[i], (int)x.state, x.reason);
        ck_assert_msg(seen >= 1 && seen <= (size_t)x.attempts,
                      "%s %ld: %s sent %zu times in %d attempts", what, k,
                      dmsgs[i], seen, x.attempts);
        /* never the same attempt twice: the id and attempt tell them apart */
        for (size_t a = 0; a < m->n; a++)
            for (size_t b = a + 1; b < m->n; b++)
                ck_assert_msg(strcmp(m->calls[a].id, m->calls[b].id) ||
                              m->calls[a].attempt != m->calls[b].attempt,
                              "%s %ld: %s attempt %d sent twice", what, k,
                              m->calls[a].id, m->calls[a].attempt);
    }
}

START_TEST(every_storage_failure_of_dispatch_loses_nothing)
{
    lty_test_fault_world w;
    lty_test_fault_world_open(&w, LTY_TEST_NOW, dispatch_seed, NULL);
    lty_dispatch_report r;
    ck_assert_int_eq(lty_outbox_dispatch(w.e, KST(0, 11, 0), 100, &r), LTY_OK);
    ck_assert_uint_eq(r.sent, 4);
    ck_assert_uint_eq(r.suppressed, 1);
    long n = lty_faulty_calls(w.faulty);
    lty_test_fault_world_close(&w);
    ck_assert_int_gt(n, 4);
    for (long k = 1; k <= n; k++) {
        lty_test_fault_world_open(&w, LTY_TEST_NOW, dispatch_seed, NULL);
        const messenger *m = w.user;
        char *before = lty_test_fault_world_dump(&w);
        lty_faulty_fail_at(w.faulty, k, LTY_ESTORAGE);
        int rc = lty_outbox_dispatch(w.e, KST(0, 11, 0), 100, &r);
        ck_assert_msg(lty_faulty_fired(w.faulty), "call %ld not reached", k);
        ck_assert_msg(rc == LTY_ESTORAGE, "fault at call %ld gave %s", k,
                      lty_strerror(rc));
        if (m->n == 0) {
            /* the claim failed: nothing changed */
            char *after = lty_test_fault_world_dump(&w);
            ck_assert_msg(strcmp(before, after) == 0,
                          "fault at call %ld (claim) changed the store", k);
            free(after);
        }
        free(before);
        int64_t now = KST(0, 11, 0);
        drain(&w, &now);
        check_dispatch_outcome(&w, "fault at call", k);
        lty_test_fault_world_close(&w);
    }
}
END_TEST

START_TEST(every_conflict_of_dispatch_is_retried_and_sends_once)
{
    lty_test_fault_world w;
    lty_test_fault_world_open(&w, LTY_TEST_NOW, dispatch_seed, NULL);
    lty_dispatch_report r;
    ck_assert_int_eq(lty_outbox_dispatch(w.e, KST(0, 11, 0), 100, &r), LTY_OK);
    long n = lty_faulty_calls(w.faulty);
    lty_test_fault_world_close(&w);
    for (long k = 1; k <= n; k++) {
        lty_test_fault_world_open(&w, LTY_TEST_NOW, dispatch_seed, NULL);
        const messenger *m = w.user;
        lty_faulty_fail_at(w.faulty, k, LTY_ECONFLICT);
        int rc = lty_outbox_dispatch(w.e, KST(0, 11, 0), 100, &r);
        ck_assert_msg(rc == LTY_OK, "conflict at call %ld gave %s (%s)", k,
                      lty_strerror(rc), lty_engine_last_error(w.e));
        ck_assert_msg(r.sent == 4 && r.suppressed == 1 && r.claimed == 4,
                      "conflict at call %ld: claimed %zu sent %zu suppressed %zu",
                      k, r.claimed, r.sent, r.suppressed);
        ck_assert_uint_eq(m->n, 4);
        check_dispatch_outcome(&w, "conflict at call", k);
        for (int i = 0; i < 4; i++)
            ck_assert_int_eq(entry(w.e, dmsgs[i]).attempts, 1);
        lty_test_fault_world_close(&w);
    }
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *outbox_suite(void)
{
    Suite *s = suite_create("outbox");
    TCase *tc = tcase_create("planning");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, bad_plans_are_refused_naming_the_field, 0,
                        (int)(sizeof bad_plans / sizeof bad_plans[0]));
    tcase_add_test(tc, null_arguments_are_refused);
    tcase_add_test(tc, an_unknown_customer_is_enotfound_and_nothing_is_stored);
    tcase_add_test(tc, planning_again_is_idempotent_and_replans_what_waits);
    tcase_add_test(tc, a_claimed_message_is_left_alone_and_cannot_be_cancelled);
    tcase_add_test(tc, cancel_planned_retrying_and_sent);
    tcase_add_test(tc, get_returns_the_stored_message);
    tcase_add_test(tc, list_filters_in_due_order);
    tcase_add_test(tc, a_null_param_value_is_empty_text);
    tcase_add_test(tc, planning_the_same_spec_again_keeps_a_deferral);
    tcase_add_test(tc, planning_the_same_spec_again_keeps_the_retry_backoff);
    suite_add_tcase(s, tc);

    tc = tcase_create("dispatch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_due_transactional_message_is_sent_once_on_the_preferred_channel);
    tcase_add_test(tc, dispatch_respects_max_and_sends_in_due_order);
    tcase_add_test(tc, without_a_messenger_dispatch_is_estate);
    tcase_add_test(tc, an_erased_customer_is_sent_nothing);
    suite_add_tcase(s, tc);

    tc = tcase_create("policy");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, marketing_without_consent_is_suppressed_and_never_sent);
    tcase_add_test(tc, consented_marketing_carries_the_korean_frame);
    tcase_add_test(tc, quiet_hours_defer_marketing_to_exactly_0800_local);
    tcase_add_test(tc, strict_consent_with_night_consent_sends_at_night);
    tcase_add_test(tc, night_consent_on_another_channel_still_defers);
    tcase_add_test(tc, the_frequency_cap_defers_the_fifth_in_seven_days);
    tcase_add_test(tc, the_cap_counts_the_messages_of_one_batch);
    tcase_add_test(tc, the_cap_is_at_most_64_and_enforced);
    tcase_add_test(tc, channel_fallback_and_suppression);
    tcase_add_test(tc, a_text_over_the_channel_limit_is_dead);
    tcase_add_test(tc, staff_and_push_notices_carry_no_address);
    tcase_add_test(tc, quiet_hours_follow_a_daylight_saving_change);
    tcase_add_test(tc, quiet_hours_follow_a_daylight_saving_change_back);
    suite_add_tcase(s, tc);

    tc = tcase_create("failures");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, temporary_failures_back_off_then_die);
    tcase_add_test(tc, a_permanent_failure_is_dead_at_once);
    tcase_add_test(tc, a_crash_between_send_and_acknowledgement_resends_the_same_id);
    tcase_add_test(tc, a_message_that_never_acknowledges_does_not_block_the_outbox);
    tcase_add_test(tc, a_slow_dispatcher_does_not_overwrite_a_takeover);
    tcase_add_test(tc, a_slow_dispatchers_failure_does_not_overwrite_a_takeover);
    tcase_add_test(tc, two_dispatchers_send_every_message_exactly_once);
    suite_add_tcase(s, tc);

    tc = tcase_create("hygiene");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_hard_bounce_invalidates_the_address_and_falls_back);
    tcase_add_test(tc, five_soft_bounces_in_a_row_invalidate_and_a_delivery_resets_the_run);
    tcase_add_test(tc, the_same_report_twice_counts_once);
    tcase_add_test(tc, reports_for_unknown_or_unsent_messages_are_refused);
    tcase_add_test(tc, unopened_marketing_emails_suppress_marketing_email_until_an_open);
    tcase_add_test(tc, a_complaint_or_unsubscription_withdraws_that_channels_consent);
    tcase_add_test(tc, a_changed_address_starts_clean);
    tcase_add_test(tc, a_late_report_about_an_old_address_keeps_the_new_ones_state);
    tcase_add_test(tc, with_the_customers_channel_the_reason_names_the_real_cause);
    suite_add_tcase(s, tc);

    tc = tcase_create("storage");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_corrupted_message_record_is_ecorrupt);
    tcase_add_test(tc, a_sent_message_corrupted_is_ecorrupt_for_reports);
    tcase_add_test(tc, a_corrupted_due_index_is_ecorrupt);
    tcase_add_test(tc, a_customer_index_entry_without_its_message_is_ecorrupt);
    tcase_add_test(tc, a_corrupted_contact_state_is_ecorrupt);
    tcase_add_loop_test(tc, every_storage_failure_leaves_the_store_unchanged, 0,
                        (int)(sizeof fcalls / sizeof fcalls[0]));
    tcase_add_loop_test(tc, every_injected_conflict_is_retried_transparently, 0,
                        (int)(sizeof fcalls / sizeof fcalls[0]));
    tcase_add_test(tc, every_storage_failure_of_dispatch_loses_nothing);
    tcase_add_test(tc, every_conflict_of_dispatch_is_retried_and_sends_once);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(outbox_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
