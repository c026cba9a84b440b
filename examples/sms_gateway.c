/*
 * libloyalty example - your own messenger: an SMS / KakaoTalk gateway.
 *
 * The library never talks to a network.  It plans messages into the
 * outbox and lty_outbox_dispatch() hands each due one to the host's
 * messenger (lty_messenger_ops.send), which answers:
 *   LTY_OK          the gateway accepted it       -> sent
 *   LTY_ETEMPORARY  try again later (busy, 429)    -> retry with back-off
 *   LTY_EPERMANENT  never (a number it refuses)    -> dead
 * Later the gateway reports what became of the message (a delivery report,
 * "DLR"), which the host passes to lty_delivery_report(): a hard bounce
 * marks the address invalid, and nothing is sent to it again.
 *
 * Here the gateway is imitated in memory: it takes at most 2 messages a
 * second (more gets "429 Too Many Requests"), refuses one number for good
 * (not a mobile number), and queues delivery reports, one of which says
 * a number is out of service.  An optician's shop tells five customers
 * their glasses are ready, follows the retries and the bounce, and plans
 * an advertisement at 22:30 that the quiet hours hold until 08:00.
 *
 * Wiring a real HTTP gateway (no network code here, by design):
 *   - send(): POST {to: msg->address (E.164), text: msg->text, channel,
 *     reference: msg->id} with a short timeout.  Pass msg->id as the
 *     provider's idempotency key / client reference: a send repeated after
 *     a crash is then delivered once.  Map 2xx -> LTY_OK; 429, 5xx,
 *     timeouts, connection errors -> LTY_ETEMPORARY; "invalid number",
 *     "blocked", "template not approved" (KakaoTalk alim-talk) ->
 *     LTY_EPERMANENT.  send() runs outside any transaction on the
 *     dispatching thread and must not call the engine.
 *   - The webhook receiving delivery reports maps the provider's codes
 *     (DELIVRD -> LTY_DELIVERED, UNDELIV / unknown subscriber ->
 *     LTY_HARD_BOUNCE, EXPIRED / phone off -> LTY_SOFT_BOUNCE, user
 *     blocked the sender -> LTY_UNSUBSCRIBED) and calls
 *     lty_delivery_report(e, reference, kind, when) on an engine of its
 *     own over the same store (an engine is one thread at a time).
 *   - Run lty_outbox_dispatch() from a timer every minute or so.
 *
 * `make check` runs it: it exits non-zero unless the facts it prints hold.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <loyalty.h>

#define TRY(call)                                                          \
    do {                                                                   \
        int rc_ = (call);                                                  \
        if (rc_ != LTY_OK) {                                               \
            fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__, __LINE__,    \
                    #call, lty_strerror(rc_), lty_engine_last_error(e));   \
            exit(EXIT_FAILURE);                                            \
        }                                                                  \
    } while (0)

#define HOUR INT64_C(3600)
/* Monday 2026-03-02, 00:00 in Seoul (2026-03-01T15:00Z). */
#define MONDAY INT64_C(1772377200)

static int failures;

static void expect(int ok, const char *fact)
{
    if (!ok) {
        fprintf(stderr, "FAIL: %s\n", fact);
        failures++;
    }
}

static int64_t shop_clock(void *userdata)
{
    return *(const int64_t *)userdata;
}

/* ------------------------------------------------------------------ */
/* The imitation gateway                                                */
/* ------------------------------------------------------------------ */

typedef struct dlr {            /* a delivery report waiting to come back */
    char reference[LTY_MESSAGE_ID_MAX + 1];
    lty_delivery_kind kind;
} dlr;

typedef struct gateway {
    const int64_t *clock;       /* the story's time */
    int64_t second;             /* the current rate-limit second */
    int in_second;              /* messages taken in it */
    const char *refused;        /* a number it refuses for good */
    const char *out_of_service; /* accepted, then reported undeliverable */
    dlr reports[16];
    size_t nreports;
    char last_text[512];        /* the last text accepted */
} gateway;

static const char *channel_name(lty_channel c)
{
    return c == LTY_CHANNEL_KAKAO ? "KakaoTalk" : c == LTY_CHANNEL_SMS ? "SMS" : "?";
}

static int gateway_send(const lty_message *m, void *userdata)
{
    gateway *g = userdata;
    const char *to = m->address ? m->address : "";
    printf("    %-9s %-13s attempt %d  %-14s ", channel_name(m->channel), to,
           m->attempt, m->id);
    if (strcmp(to, g->refused) == 0) {
        printf("-> 400 not a mobile number\n");
        return LTY_EPERMANENT;
    }
    if (g->second != *g->clock) {
        g->second = *g->clock;
        g->in_second = 0;
    }
    if (g->in_second == 2) {
        printf("-> 429 too many requests\n");
        return LTY_ETEMPORARY;
    }
    g->in_second++;
    if (g->nreports < sizeof g->reports / sizeof g->reports[0]) {
        dlr *d = &g->reports[g->nreports++];
        snprintf(d->reference, sizeof d->reference, "%s", m->id);
        d->kind = strcmp(to, g->out_of_service) == 0 ? LTY_HARD_BOUNCE
                                                      : LTY_DELIVERED;
    }
    snprintf(g->last_text, sizeof g->last_text, "%s", m->text);
    printf("-> 202 accepted\n");
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The shop                                                             */
/* ------------------------------------------------------------------ */

static void customer(lty_engine *e, const char *id, const char *phone,
                     lty_channel preferred)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = id;
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_PREFERRED_CHANNEL;
    f.name = "Customer";
    f.phone = phone;
    f.preferred_channel = preferred;
    TRY(lty_customer_create(e, &f));
}

static void plan(lty_engine *e, const char *id, const char *who,
                 const char *template_id, lty_purpose purpose,
                 lty_channel channel)
{
    lty_plan_spec p = LTY_PLAN_SPEC_INIT;
    p.id = id;
    p.customer_id = who;
    p.template_id = template_id;
    p.purpose = purpose;
    p.channel = channel;
    p.due = lty_engine_now(e);
    TRY(lty_outbox_plan(e, &p));
}

static lty_dispatch_report dispatch(lty_engine *e, const char *when)
{
    lty_dispatch_report r;
    printf("\n%s, dispatch:\n", when);
    TRY(lty_outbox_dispatch(e, LTY_TIME_NOW, 100, &r));
    printf("  sent %zu, retried %zu, dead %zu, suppressed %zu, deferred %zu\n",
           r.sent, r.retried, r.dead, r.suppressed, r.deferred);
    return r;
}

static lty_outbox_entry entry(lty_engine *e, const char *id)
{
    lty_outbox_entry o = LTY_OUTBOX_ENTRY_INIT;
    TRY(lty_outbox_get(e, id, &o));
    return o;
}

int main(void)
{
    static const char *const states[] = {"?", "planned", "claimed", "sent",
                                         "retry", "dead", "suppressed",
                                         "cancelled"};
    lty_memstore *store;
    lty_storage_ops ops;
    void *conn;
    lty_engine *e = NULL;
    int64_t now = MONDAY + 14 * HOUR;
    gateway gw = {&now, 0, 0, "+821099999999", "+821011110002", {{"", 0}},
                  0, ""};

    printf("libloyalty %s: an SMS / KakaoTalk gateway\n",
           lty_version(NULL, NULL, NULL));
    TRY(lty_memstore_new(&store, NULL));
    TRY(lty_memstore_connect(store, &ops, &conn));
    lty_engine_options opts = LTY_ENGINE_OPTIONS_INIT;
    opts.storage = &ops;
    opts.storage_userdata = conn;
    opts.clock = shop_clock;
    opts.clock_userdata = &now;
    opts.utc_offset_minutes = 540; /* Korea */
    TRY(lty_engine_new(&e, &opts));
    lty_messenger_ops mops = LTY_MESSENGER_OPS_INIT;
    mops.send = gateway_send;
    TRY(lty_messenger_register(e, &mops, &gw));

    /* Quiet hours 21:00-08:00 for advertising, retries after 60 s,
     * 120 s, ...; advertising framed with a label and an opt-out line. */
    lty_messaging_options mo = LTY_MESSAGING_OPTIONS_INIT;
    mo.ad_label = "[AD]";
    mo.sender_name = "Bright Eyes Optical";
    mo.sender_contact = "02-555-0100";
    mo.opt_out_line = "Reply STOP to opt out";
    TRY(lty_messaging_configure(e, &mo));
    TRY(lty_template_set(e, "glasses_ready", LTY_CHANNEL_SMS, "",
                         "Your glasses are ready at Bright Eyes."));
    TRY(lty_template_set(e, "glasses_ready", LTY_CHANNEL_KAKAO, "",
                         "[Bright Eyes] Your glasses are ready."));
    TRY(lty_template_set(e, "autumn_sale", LTY_CHANNEL_SMS, "",
                         "Autumn frames: 20% off this week."));

    customer(e, "c-01", "010-1111-0001", LTY_CHANNEL_KAKAO);
    customer(e, "c-02", "010-1111-0002", LTY_CHANNEL_NONE);
    customer(e, "c-03", "010-1111-0003", LTY_CHANNEL_NONE);
    customer(e, "c-04", "010-1111-0004", LTY_CHANNEL_NONE);
    customer(e, "c-05", "010-9999-9999", LTY_CHANNEL_NONE);
    TRY(lty_customer_set_consent(e, "c-03", LTY_CHANNEL_SMS,
                                 LTY_PURPOSE_MARKETING, 1));

    /* 14:00: five "glasses ready" notices (transactional). */
    const char *ids[] = {"ready/c-01", "ready/c-02", "ready/c-03",
                         "ready/c-04", "ready/c-05"};
    for (int i = 0; i < 5; i++)
        plan(e, ids[i], ids[i] + 6, "glasses_ready", LTY_PURPOSE_TRANSACTIONAL,
             LTY_CHANNEL_NONE);
    lty_dispatch_report r = dispatch(e, "14:00");
    expect(r.sent == 2 && r.retried == 2 && r.dead == 1,
           "two accepted, two throttled for a retry, one number refused");
    expect(entry(e, "ready/c-01").sent_channel == LTY_CHANNEL_KAKAO,
           "c-01 is reached on KakaoTalk, as preferred");
    lty_outbox_entry o = entry(e, "ready/c-03");
    expect(o.state == LTY_MSG_RETRY && o.due == now + 60,
           "a throttled message is due again a minute later");
    expect(entry(e, "ready/c-05").state == LTY_MSG_DEAD,
           "the refused number's message is dead");

    /* 14:01: the retries go through, at their second attempt. */
    now += 60;
    r = dispatch(e, "14:01");
    o = entry(e, "ready/c-04");
    expect(r.sent == 2 && o.state == LTY_MSG_SENT && o.attempts == 2,
           "the retries are sent at the second attempt");

    /* 14:10: the delivery reports come back. */
    now = MONDAY + 14 * HOUR + 10 * 60;
    printf("\n14:10, delivery reports:\n");
    for (size_t i = 0; i < gw.nreports; i++) {
        printf("    %-14s %s\n", gw.reports[i].reference,
               gw.reports[i].kind == LTY_HARD_BOUNCE ? "undeliverable"
                                                     : "delivered");
        TRY(lty_delivery_report(e, gw.reports[i].reference,
                                gw.reports[i].kind, LTY_TIME_NOW));
    }
    expect(gw.nreports == 4, "four reports for the four accepted messages");

    /* 15:00: c-02's lenses are ready too, but the number bounced. */
    now = MONDAY + 15 * HOUR;
    plan(e, "lenses/c-02", "c-02", "glasses_ready", LTY_PURPOSE_TRANSACTIONAL,
         LTY_CHANNEL_SMS);
    r = dispatch(e, "15:00");
    o = entry(e, "lenses/c-02");
    printf("  lenses/c-02: %s (%s)\n", states[o.state], o.reason);
    expect(r.suppressed == 1 && o.state == LTY_MSG_SUPPRESSED &&
               strstr(o.reason, "invalid") != NULL,
           "nothing more goes to the number that bounced");

    /* 22:30: an advertisement is held until the quiet hours end. */
    now = MONDAY + 22 * HOUR + 30 * 60;
    plan(e, "sale/c-03", "c-03", "autumn_sale", LTY_PURPOSE_MARKETING,
         LTY_CHANNEL_SMS);
    r = dispatch(e, "22:30");
    o = entry(e, "sale/c-03");
    printf("  sale/c-03: %s, due again in %lld minutes (%s)\n",
           states[o.state], (long long)((o.due - now) / 60), o.reason);
    expect(r.deferred == 1 && o.state == LTY_MSG_PLANNED &&
               o.due == MONDAY + 32 * HOUR,
           "the advertisement waits for 08:00 the next morning");
    now = MONDAY + 32 * HOUR;
    r = dispatch(e, "Tuesday 08:00");
    printf("  text: %s\n", gw.last_text);
    expect(r.sent == 1 && strncmp(gw.last_text, "[AD] Bright Eyes", 16) == 0 &&
               strstr(gw.last_text, "Reply STOP") != NULL,
           "at 08:00 it goes out, labelled and with the opt-out line");

    /* The outbox at the end of it. */
    lty_outbox_entry all[16];
    size_t n = 0, count[8] = {0};
    for (size_t i = 0; i < 16; i++)
        all[i] = (lty_outbox_entry)LTY_OUTBOX_ENTRY_INIT;
    TRY(lty_outbox_list(e, NULL, all, 16, &n));
    printf("\nThe outbox:\n");
    for (size_t i = 0; i < n && i < 16; i++) {
        printf("  %-12s %-10s attempts %d  %s\n", all[i].id,
               states[all[i].state], all[i].attempts, all[i].reason);
        count[all[i].state]++;
    }
    expect(n == 7 && count[LTY_MSG_SENT] == 5 && count[LTY_MSG_DEAD] == 1 &&
               count[LTY_MSG_SUPPRESSED] == 1,
           "seven messages: five sent, one dead, one suppressed");

    lty_engine_free(e);
    lty_memstore_free(store);
    if (failures) {
        fprintf(stderr, "sms_gateway: %d fact(s) did not hold\n", failures);
        return EXIT_FAILURE;
    }
    printf("\nOK: retries, a refused number, a bounce and the quiet hours, "
           "all handled by the outbox\n");
    return EXIT_SUCCESS;
}
