/*
 * libloyalty example - a dental clinic's "bring a friend" programme.
 *
 * Most new patients of a clinic come because somebody told them about it.
 * The clinic thanks them: when a friend a patient brought comes for the
 * first time (a kept appointment) or buys at least 30,000 won, the patient
 * who referred them gets 5,000 clinic points, the friend a free scaling,
 * and the referrer a thank-you SMS.  The desk registers "who told you
 * about us?" once; the booking, the arrival, the purchase and a refund
 * move the referral by themselves.
 *
 * The story:
 *   - Kim Minji brings her colleague Lee Jiho: the desk registers it, Lee
 *     books (Kim hears "your friend booked"), comes, and Kim is credited;
 *     the thank-you goes to the outbox and out through the messenger;
 *   - somebody tries to register a second chart of Kim herself as her
 *     friend (same name, same birthday): refused as a self-referral;
 *   - Kim brings Choi Yuna, who walks in and buys a whitening kit, then
 *     returns it ten days later: inside the 14-day window, so the referral
 *     is reversed and Kim's 5,000 points and Choi's perk are taken back;
 *   - Kim's third friend this month is refused: the cap is 2 in 30 days;
 *   - Park Sora brings two friends who both buy: she tops the month's
 *     leaderboard, Kim (one referral left standing) comes second.
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
#define DAY INT64_C(86400)

/* Monday 2026-03-02, 00:00 in Seoul (2026-03-01T15:00Z). */
#define MONDAY INT64_C(1772377200)
#define POINTS "clinic-points"

static int failures;

/* Report a broken fact; the example then exits non-zero. */
static void expect(int ok, const char *fact)
{
    if (!ok) {
        fprintf(stderr, "FAIL: %s\n", fact);
        failures++;
    }
}

/* The clinic's clock: whatever time the story has reached. */
static int64_t clinic_clock(void *userdata)
{
    return *(const int64_t *)userdata;
}

/* The messenger: prints what the gateway would receive, keeps the last
 * text so the story can check it.  It must not call into the engine. */
static int print_send(const lty_message *m, void *userdata)
{
    printf("    SMS to %s: %s\n", m->address, m->text);
    snprintf((char *)userdata, 256, "%s", m->text);
    return LTY_OK;
}

static void patient(lty_engine *e, const char *chart, const char *name,
                    const char *phone, lty_date birthday)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = chart;
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_BIRTHDAY;
    f.name = name;
    f.phone = phone;
    f.birthday = birthday;
    TRY(lty_customer_create(e, &f));
}

static void purchase(lty_engine *e, const char *id, const char *chart,
                     int64_t won, const char *item)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_PURCHASE;
    ev.id = id;
    ev.customer_id = chart;
    ev.amount = won;
    ev.item = item;
    TRY(lty_record(e, &ev, NULL));
}

static lty_referral referral_of(lty_engine *e, const char *friend_chart)
{
    lty_referral r = LTY_REFERRAL_INIT;
    TRY(lty_referral_get(e, friend_chart, &r));
    return r;
}

static int64_t points(lty_engine *e, const char *chart)
{
    lty_program_status st = LTY_PROGRAM_STATUS_INIT;
    TRY(lty_program_status_get(e, chart, POINTS, &st));
    return st.balance;
}

static const char *stage_name(lty_referral_stage s)
{
    static const char *const names[] = {"?", "registered", "booked",
                                        "completed", "credited", "reversed"};
    return s >= 1 && s <= 5 ? names[s] : names[0];
}

int main(void)
{
    lty_memstore *store;
    lty_storage_ops ops;
    void *conn;
    lty_engine *e = NULL;
    int64_t now = MONDAY - 30 * DAY;
    char last_sms[256] = "";

    printf("libloyalty %s: bring a friend to the clinic\n\n",
           lty_version(NULL, NULL, NULL));
    TRY(lty_memstore_new(&store, NULL));
    TRY(lty_memstore_connect(store, &ops, &conn));
    lty_engine_options opts = LTY_ENGINE_OPTIONS_INIT;
    opts.storage = &ops;
    opts.storage_userdata = conn;
    opts.clock = clinic_clock;
    opts.clock_userdata = &now;
    opts.utc_offset_minutes = 540; /* Korea */
    TRY(lty_engine_new(&e, &opts));
    lty_messenger_ops mops = LTY_MESSENGER_OPS_INIT;
    mops.send = print_send;
    TRY(lty_messenger_register(e, &mops, last_sms));

    /* Clinic points: 1 point per 1,000 won.  A medical programme: its
     * rewards can only be services, never money off care. */
    static const lty_earn_rule earn[] = {{LTY_EARN_PER_AMOUNT, 1000, 1, NULL}};
    lty_program_def def = LTY_PROGRAM_DEF_INIT;
    def.id = POINTS;
    def.name = "Clinic points";
    def.kind = LTY_PROGRAM_POINTS;
    def.medical = 1;
    def.rules = earn;
    def.rule_count = 1;
    TRY(lty_program_define(e, &def));

    /* What a referral is worth, once for the store. */
    lty_referral_policy p = LTY_REFERRAL_POLICY_INIT;
    p.credit.kind = LTY_REFERRAL_GIFT_PROGRAM; /* 5,000 points to the referrer */
    strcpy(p.credit.program_id, POINTS);
    p.credit.amount = 5000;
    p.welcome.kind = LTY_REFERRAL_GIFT_REWARD; /* a scaling for the friend */
    strcpy(p.welcome.program_id, POINTS);
    strcpy(p.welcome.reward_name, "Free scaling");
    p.welcome.reward_kind = LTY_REWARD_SERVICE;
    p.welcome.reward_valid_days = 90;
    p.min_purchase = 30000;  /* a purchase of 30,000 won or more qualifies */
    p.reversal_days = 14;    /* a refund within 14 days takes it all back */
    p.cap_count = 2;         /* at most 2 friends ... */
    p.cap_days = 30;         /* ... in any 30 days per referrer */
    strcpy(p.booked_template, "referral_booked");
    TRY(lty_referral_policy_set(e, &p));
    /* The messages name nothing about the friend: only the referrer's
     * own {name} and what they get. */
    TRY(lty_template_set(e, "referral_booked", LTY_CHANNEL_SMS, "",
                         "{name}, the friend you told about us has booked."));
    TRY(lty_template_set(e, "referral_thanks", LTY_CHANNEL_SMS, "",
                         "Thank you, {name}! Your friend came: {points} "
                         "points are yours."));

    patient(e, "chart-1024", "Kim Minji", "010-1234-5678", (lty_date){1986, 3, 5});
    patient(e, "chart-0512", "Park Sora", "010-3333-4444", (lty_date){1979, 11, 30});

    /* 1. Lee: registered at the desk, books, comes. */
    now = MONDAY - 7 * DAY + 10 * HOUR;
    patient(e, "chart-2048", "Lee Jiho", "010-2222-3333", (lty_date){0, 7, 14});
    TRY(lty_referral_register(e, "chart-1024", "chart-2048"));
    lty_appointment_spec a = LTY_APPOINTMENT_SPEC_INIT;
    a.id = "R-0302";
    a.customer_id = "chart-2048";
    a.start = MONDAY + 9 * HOUR + 30 * 60;
    a.duration = 30;
    a.item = "consultation";
    TRY(lty_appointment_book(e, &a));
    expect(referral_of(e, "chart-2048").stage == LTY_REFERRAL_BOOKED,
           "Lee's booking moves the referral to 'booked'");
    printf("Lee booked; the outbox tells Kim:\n");
    TRY(lty_outbox_dispatch(e, LTY_TIME_NOW, 10, NULL));
    expect(strstr(last_sms, "has booked") != NULL,
           "Kim hears that her friend booked (and not who)");

    now = MONDAY + 9 * HOUR + 25 * 60;
    TRY(lty_appointment_arrive(e, "R-0302", LTY_TIME_NOW, NULL));
    lty_referral r = referral_of(e, "chart-2048");
    printf("Lee came: the referral is %s, Kim has %lld points\n",
           stage_name(r.stage), (long long)points(e, "chart-1024"));
    expect(r.stage == LTY_REFERRAL_CREDITED && r.credit.amount == 5000 &&
               strcmp(r.qualifying_event, "appt/R-0302") == 0,
           "the kept appointment completes the referral and credits Kim");
    expect(points(e, "chart-1024") == 5000, "Kim has 5,000 points");
    lty_reward perk = LTY_REWARD_INIT;
    expect(r.welcome.kind == LTY_REFERRAL_GIFT_REWARD &&
               lty_reward_get(e, r.welcome.reward_code, &perk) == LTY_OK &&
               strcmp(perk.customer_id, "chart-2048") == 0 &&
               perk.state == LTY_REWARD_ISSUED,
           "Lee has a free scaling waiting");
    lty_outbox_entry thanks = LTY_OUTBOX_ENTRY_INIT;
    expect(lty_outbox_get(e, "referral/chart-2048/thanks", &thanks) == LTY_OK &&
               thanks.state == LTY_MSG_PLANNED &&
               strcmp(thanks.customer_id, "chart-1024") == 0,
           "the thank-you to Kim waits in the outbox");
    TRY(lty_outbox_dispatch(e, LTY_TIME_NOW, 10, NULL));
    expect(strstr(last_sms, "5000 points") != NULL &&
               lty_outbox_get(e, "referral/chart-2048/thanks", &thanks) ==
                   LTY_OK && thanks.state == LTY_MSG_SENT,
           "the thank-you is sent with the points in it");

    /* 2. A second chart of Kim herself, "referred" by Kim: refused. */
    patient(e, "chart-9001", "kim  MINJI", "010-9999-0000", (lty_date){1986, 3, 5});
    int rc = lty_referral_register(e, "chart-1024", "chart-9001");
    printf("\nKim 'refers' a second chart of herself: %s (%s)\n",
           lty_strerror(rc), lty_engine_last_error(e));
    expect(rc == LTY_EINVALID &&
               strstr(lty_engine_last_error(e), "same name and birthday"),
           "a self-referral (same name and birthday) is refused");

    /* 3. Choi walks in, buys, and returns it within the window. */
    now = MONDAY + 11 * HOUR;
    patient(e, "chart-3072", "Choi Yuna", "010-4444-5555", (lty_date){1992, 8, 1});
    TRY(lty_referral_register(e, "chart-1024", "chart-3072"));
    purchase(e, "S-3072-1", "chart-3072", 45000, "whitening-kit");
    r = referral_of(e, "chart-3072");
    printf("\nChoi bought a 45,000 won kit: %s, Kim has %lld points\n",
           stage_name(r.stage), (long long)points(e, "chart-1024"));
    expect(r.stage == LTY_REFERRAL_CREDITED && points(e, "chart-1024") == 10000,
           "Choi's purchase credits Kim again: 10,000 points");
    char choi_perk[LTY_ID_MAX + 1];
    snprintf(choi_perk, sizeof choi_perk, "%s", r.welcome.reward_code);

    now = MONDAY + 10 * DAY + 15 * HOUR;
    lty_event refund = LTY_EVENT_INIT;
    refund.type = LTY_EVENT_REFUND;
    refund.id = "S-3072-1/refund";
    refund.customer_id = "chart-3072";
    refund.amount = 45000;
    refund.refund_of = "S-3072-1";
    TRY(lty_record(e, &refund, NULL));
    r = referral_of(e, "chart-3072");
    printf("Ten days later Choi returns it: %s, Kim has %lld points\n",
           stage_name(r.stage), (long long)points(e, "chart-1024"));
    expect(r.stage == LTY_REFERRAL_REVERSED && points(e, "chart-1024") == 5000,
           "the refund within 14 days reverses the referral and Kim's credit");
    expect(lty_reward_get(e, choi_perk, &perk) == LTY_OK &&
               perk.state == LTY_REWARD_VOID,
           "Choi's unused welcome scaling is voided");

    /* 4. Kim's third friend in 30 days: over the cap. */
    patient(e, "chart-4096", "Jung Hana", "010-5555-6666", (lty_date){1990, 1, 9});
    rc = lty_referral_register(e, "chart-1024", "chart-4096");
    printf("\nKim's third friend this month: %s (%s)\n", lty_strerror(rc),
           lty_engine_last_error(e));
    expect(rc == LTY_ERANGE, "the cap of 2 referrals in 30 days holds");

    /* 5. Park brings two friends, who both buy. */
    now = MONDAY + 12 * DAY + 11 * HOUR;
    patient(e, "chart-5120", "Han Mirae", "010-6666-7777", (lty_date){1995, 5, 5});
    TRY(lty_referral_register(e, "chart-0512", "chart-4096"));
    TRY(lty_referral_register(e, "chart-0512", "chart-5120"));
    purchase(e, "S-4096-1", "chart-4096", 60000, "scaling");
    purchase(e, "S-5120-1", "chart-5120", 30000, "check-up");

    /* This month's leaderboard: referrals completed and not reversed. */
    lty_referrer_rank top[5];
    size_t n = 0;
    for (size_t i = 0; i < 5; i++)
        top[i] = (lty_referrer_rank)LTY_REFERRER_RANK_INIT;
    TRY(lty_referral_top(e, MONDAY - 30 * DAY, MONDAY + 30 * DAY, top, 5, &n));
    printf("\nTop referrers this month:\n");
    for (size_t i = 0; i < n && i < 5; i++)
        printf("  %zu. %s  %lld friend(s)\n", i + 1, top[i].referrer,
               (long long)top[i].completed);
    expect(n == 2 && strcmp(top[0].referrer, "chart-0512") == 0 &&
               top[0].completed == 2 &&
               strcmp(top[1].referrer, "chart-1024") == 0 &&
               top[1].completed == 1,
           "Park leads with 2; Kim has 1 (Choi's reversed referral "
           "does not count)");
    size_t made = 0;
    TRY(lty_referral_list(e, "chart-1024", NULL, 0, &made));
    expect(made == 2, "Kim's list holds Lee and Choi (the refused ones "
                      "were never stored)");

    lty_engine_free(e);
    lty_memstore_free(store);
    if (failures) {
        fprintf(stderr, "referral: %d fact(s) did not hold\n", failures);
        return EXIT_FAILURE;
    }
    printf("\nOK: referrals booked, credited, thanked, reversed by a refund; "
           "a self-referral and the cap refused\n");
    return EXIT_SUCCESS;
}
