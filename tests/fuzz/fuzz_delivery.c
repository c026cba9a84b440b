/*
 * libloyalty fuzz harness - delivery reports and the outbox state machine
 * around them.
 *
 * The library has no parser of its own for gateways' reports: the host
 * parses them and calls lty_delivery_report() with a message id, a kind
 * and a time, all of which come from outside.  So the input is a program
 * of operations on two customers and four messages (m0..m3), run against
 * one engine:
 *
 *   op 0  plan a message (customer, channel, purpose, due time)
 *   op 1  dispatch, the messenger answering OK / temporary / permanent
 *         failure as the input says
 *   op 2  a delivery report for m0..m3: any kind (invalid ones included),
 *         now or some time back
 *   op 3  move the clock forward
 *   op 4  cancel a message
 *   op 5  change a customer's phone or e-mail (a changed address starts
 *         clean)
 *   op 6  grant or withdraw a consent
 *   op 7  a delivery report for a message id taken from the input bytes
 *
 * What must hold:
 *
 *   - no crash, no sanitizer report, no leak;
 *   - only documented return codes;
 *   - a report is accepted only for a message that was sent, and an
 *     invalid kind is LTY_EINVALID;
 *   - final states (sent, dead, suppressed, cancelled) never change, the
 *     attempts never go down, and a sent message is never sent again;
 *   - no message is left claimed after a dispatch;
 *   - lty_verify() finds the store consistent at the end.
 *
 * Build with libFuzzer: tests/fuzz/run.sh (make fuzz).  Without it,
 * tests/fuzz/replay.c runs the same function over the seed corpus
 * (make check: tests/fuzz/replay_delivery.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "fuzz_util.h"

#define H "fuzz_delivery"
#define NMSG 4
#define HOUR INT64_C(3600)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const msg_ids[NMSG] = {"m0", "m1", "m2", "m3"};
static const char *const cust_ids[2] = {"c1", "c2"};

typedef struct run {
    fuzz_world w;
    const uint8_t *p, *end;
    unsigned answers; /* the messenger's answers, two bits per call */
    int sent_now[NMSG]; /* messenger calls per message in one dispatch */
    lty_outbox_entry before[NMSG];
    int exists[NMSG];
} run;

static int next(run *r, unsigned *b)
{
    if (r->p >= r->end)
        return 0;
    *b = *r->p++;
    return 1;
}

static int messenger(const lty_message *msg, void *ud)
{
    run *r = ud;
    for (int i = 0; i < NMSG; i++)
        if (strcmp(msg->id, msg_ids[i]) == 0)
            r->sent_now[i]++;
    if (!msg->text || !msg->customer_id)
        fuzz_fail(H, "a message without text or customer", 0, msg->id);
    if ((msg->channel == LTY_CHANNEL_SMS || msg->channel == LTY_CHANNEL_KAKAO ||
         msg->channel == LTY_CHANNEL_EMAIL) && !msg->address)
        fuzz_fail(H, "a message sent without an address", 0, msg->id);
    unsigned a = r->answers & 3;
    r->answers = (r->answers >> 2) | (a << 6); /* cycle the eight bits */
    return a == 1 ? LTY_ETEMPORARY : a == 2 ? LTY_EPERMANENT : LTY_OK;
}

static int is_final(lty_message_state s)
{
    return s == LTY_MSG_SENT || s == LTY_MSG_DEAD || s == LTY_MSG_SUPPRESSED ||
           s == LTY_MSG_CANCELLED;
}

/* Snapshot every message (before an operation). */
static void snapshot(run *r)
{
    for (int i = 0; i < NMSG; i++) {
        lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
        int rc = lty_outbox_get(r->w.e, msg_ids[i], &m);
        if (rc != LTY_OK && rc != LTY_ENOTFOUND)
            fuzz_fail(H, "lty_outbox_get", rc, lty_engine_last_error(r->w.e));
        r->exists[i] = rc == LTY_OK;
        r->before[i] = m;
    }
}

/* What must hold between the snapshot and now. */
static void check_transitions(run *r)
{
    for (int i = 0; i < NMSG; i++) {
        lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
        int rc = lty_outbox_get(r->w.e, msg_ids[i], &m);
        if (rc != LTY_OK && rc != LTY_ENOTFOUND)
            fuzz_fail(H, "lty_outbox_get", rc, lty_engine_last_error(r->w.e));
        if (!r->exists[i]) {
            if (r->sent_now[i])
                fuzz_fail(H, "the messenger got a message never planned", 0,
                          msg_ids[i]);
            continue;
        }
        if (rc != LTY_OK)
            fuzz_fail(H, "a message disappeared", rc, msg_ids[i]);
        if (m.state < LTY_MSG_PLANNED || m.state > LTY_MSG_CANCELLED)
            fuzz_fail(H, "a message in no known state", (int)m.state, msg_ids[i]);
        const lty_outbox_entry *b = &r->before[i];
        if (is_final(b->state) && m.state != b->state)
            fuzz_fail(H, "a final state changed", (int)m.state, msg_ids[i]);
        if (m.attempts < b->attempts)
            fuzz_fail(H, "the attempts went down", m.attempts, msg_ids[i]);
        if (m.state == LTY_MSG_CLAIMED)
            fuzz_fail(H, "a message was left claimed", 0, msg_ids[i]);
        if (r->sent_now[i] && b->state == LTY_MSG_SENT)
            fuzz_fail(H, "a sent message was sent again", 0, msg_ids[i]);
        if (r->sent_now[i] > 1)
            fuzz_fail(H, "one dispatch sent a message twice", 0, msg_ids[i]);
        if (m.state == LTY_MSG_SENT && m.sent == 0)
            fuzz_fail(H, "a sent message without its time", 0, msg_ids[i]);
    }
    memset(r->sent_now, 0, sizeof r->sent_now);
}

static void setup(run *r)
{
    lty_engine *e = r->w.e;
    int rc;
    static const char *const phones[2] = {"010-1111-2222", "010-3333-4444"};
    static const char *const emails[2] = {"a@example.com", "b@example.com"};
    for (int i = 0; i < 2; i++) {
        lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
        f.id = cust_ids[i];
        f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_EMAIL;
        f.name = "Kim";
        f.phone = phones[i];
        f.email = emails[i];
        if ((rc = lty_customer_create(e, &f)) != LTY_OK)
            fuzz_fail(H, "lty_customer_create", rc, lty_engine_last_error(e));
    }
    for (int ch = LTY_CHANNEL_SMS; ch <= LTY_CHANNEL_STAFF; ch++) {
        rc = lty_template_set(e, "t", (lty_channel)ch, "", "Hello {name}");
        if (rc != LTY_OK)
            fuzz_fail(H, "lty_template_set", rc, lty_engine_last_error(e));
    }
    lty_messenger_ops ops = LTY_MESSENGER_OPS_INIT;
    ops.send = messenger;
    if ((rc = lty_messenger_register(e, &ops, r)) != LTY_OK)
        fuzz_fail(H, "lty_messenger_register", rc, NULL);
}

static void op_plan(run *r, unsigned a, unsigned b)
{
    lty_engine *e = r->w.e;
    int i = (int)(a & 3);
    lty_plan_spec p = LTY_PLAN_SPEC_INIT;
    p.id = msg_ids[i];
    p.customer_id = cust_ids[(a >> 2) & 1];
    p.template_id = "t";
    p.channel = (lty_channel)((a >> 3) % 6);
    p.purpose = (a & 0x80) && p.channel != LTY_CHANNEL_STAFF
                    ? LTY_PURPOSE_MARKETING
                    : LTY_PURPOSE_TRANSACTIONAL;
    p.due = r->w.now + (int64_t)b * HOUR / 4;
    int rc = lty_outbox_plan(e, &p);
    /* LTY_EEXISTS: the id is planned for the other customer */
    if (rc != LTY_OK &&
        !(rc == LTY_EEXISTS && r->exists[i] &&
          strcmp(r->before[i].customer_id, p.customer_id) != 0))
        fuzz_fail(H, "lty_outbox_plan of a valid message", rc,
                  lty_engine_last_error(e));
}

static void report(run *r, const char *id, int idx, unsigned a, unsigned b)
{
    lty_engine *e = r->w.e;
    int kind = (int)((a >> 2) % 9); /* 0 and 8 are not kinds */
    int64_t when = b == 0 ? LTY_TIME_NOW : r->w.now - (int64_t)b * 600;
    int rc = lty_delivery_report(e, id, (lty_delivery_kind)kind, when);
    fuzz_expect_rc(H, "lty_delivery_report", rc, lty_engine_last_error(e), 4,
                   LTY_OK, LTY_ENOTFOUND, LTY_ESTATE, LTY_EINVALID);
    if ((kind < LTY_DELIVERED || kind > LTY_UNSUBSCRIBED) && rc != LTY_EINVALID)
        fuzz_fail(H, "a report of no known kind was not refused", rc, id);
    if (idx >= 0) {
        if (rc == LTY_OK && r->before[idx].state != LTY_MSG_SENT)
            fuzz_fail(H, "a report accepted for a message never sent", rc, id);
        if (rc == LTY_ENOTFOUND && r->exists[idx])
            fuzz_fail(H, "a report for a stored message is LTY_ENOTFOUND", rc,
                      id);
    }
}

static void op_contact(run *r, unsigned a)
{
    static const char *const phones[4] = {"010-5555-0000", "010-5555-0001",
                                          "", "+82 10 5555 0002"};
    static const char *const emails[4] = {"x@example.com", "X@Example.com",
                                          "", "y@example.org"};
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = cust_ids[a & 1];
    f.set = (a & 2) ? LTY_FIELD_PHONE : LTY_FIELD_EMAIL;
    f.phone = phones[(a >> 2) & 3];
    f.email = emails[(a >> 4) & 3];
    int rc = lty_customer_update(r->w.e, &f);
    /* the other customer may hold the address already */
    fuzz_expect_rc(H, "lty_customer_update", rc,
                   lty_engine_last_error(r->w.e), 2, LTY_OK, LTY_EEXISTS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run r;
    memset(&r, 0, sizeof r);
    fuzz_world_open(&r.w, H);
    r.w.now = FUZZ_NOW + 12 * HOUR; /* noon: marketing may go out */
    r.p = data;
    r.end = data + size;
    setup(&r);
    lty_engine *e = r.w.e;
    unsigned op, a = 0, b = 0;
    int steps = 0;
    while (steps++ < 64 && next(&r, &op)) {
        snapshot(&r);
        switch (op % 8) {
        case 0:
            if (next(&r, &a) && next(&r, &b))
                op_plan(&r, a, b);
            break;
        case 1: {
            if (!next(&r, &a))
                break;
            r.answers = a;
            lty_dispatch_report rep;
            int rc = lty_outbox_dispatch(e, LTY_TIME_NOW, 10, &rep);
            if (rc != LTY_OK)
                fuzz_fail(H, "lty_outbox_dispatch", rc,
                          lty_engine_last_error(e));
            break;
        }
        case 2:
            if (next(&r, &a) && next(&r, &b))
                report(&r, msg_ids[a & 3], (int)(a & 3), a, b);
            break;
        case 3:
            if (next(&r, &a))
                r.w.now += (int64_t)a * HOUR;
            break;
        case 4:
            if (next(&r, &a)) {
                int rc = lty_outbox_cancel(e, msg_ids[a & 3]);
                fuzz_expect_rc(H, "lty_outbox_cancel", rc,
                               lty_engine_last_error(e), 3, LTY_OK,
                               LTY_ESTATE, LTY_ENOTFOUND);
            }
            break;
        case 5:
            if (next(&r, &a))
                op_contact(&r, a);
            break;
        case 6:
            if (next(&r, &a)) {
                int rc = lty_customer_set_consent(
                    e, cust_ids[a & 1], (lty_channel)(1 + (a >> 1) % 5),
                    (lty_purpose)(1 + (a >> 4) % 3), (a >> 7) & 1);
                fuzz_expect_rc(H, "lty_customer_set_consent", rc,
                               lty_engine_last_error(e), 2, LTY_OK,
                               LTY_EINVALID);
            }
            break;
        case 7: {
            unsigned n;
            if (!next(&r, &n))
                break;
            n %= 140;
            if ((size_t)(r.end - r.p) < n + 2)
                break;
            char id[140];
            memcpy(id, r.p, n);
            id[n] = '\0';
            r.p += n;
            next(&r, &a);
            next(&r, &b);
            report(&r, id, -1, a, b);
            break;
        }
        }
        check_transitions(&r);
    }

    size_t mismatches = 0;
    int rc = lty_verify(e, &mismatches, NULL, NULL);
    if (rc != LTY_OK || mismatches)
        fuzz_fail(H, "lty_verify", rc, lty_engine_last_error(e));
    fuzz_world_close(&r.w);
    return 0;
}
