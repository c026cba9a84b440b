/*
 * libloyalty example - a dental clinic's front desk on a Monday morning.
 *
 * Before the doors open, the desk prints the day's briefing: for every
 * appointment, who is coming, what they are to the clinic (their title on
 * the visit card), what staff must know (an allergy, a preferred doctor),
 * a birthday this week, who referred them and whether that person is
 * coming too, the rewards they can use, a promotion their visit will
 * reach ("prepare the party") and a "welcome back" after a long absence.
 *
 * Then the phone rings: caller ID turns the number, however it is
 * written, into the same card, with the caller's appointment.
 *
 * The clinic:
 *   - a visit card (a ladder): Friend at the 1st visit, Regular at the
 *     5th, Family at the 10th, VIP family at the 20th;
 *   - Kim Minji (9 visits: her 10th makes her Family today), allergic to
 *     penicillin, prefers a female doctor, birthday on Thursday;
 *   - Lee Jiho, new, referred by Kim, booked right after her;
 *   - Park Sora, back after eight months, with a free scaling to use.
 *
 * `make check` runs it: it exits non-zero unless the facts it prints
 * hold.
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

static void define_visit_card(lty_engine *e)
{
    static const lty_ladder_step steps[] = {
        {1, "Friend"}, {5, "Regular"}, {10, "Family"}, {20, "VIP family"}};
    lty_program_def def = LTY_PROGRAM_DEF_INIT;
    def.id = "visit-card";
    def.name = "Visit card";
    def.kind = LTY_PROGRAM_LADDER;
    def.medical = 1;
    def.steps = steps;
    def.step_count = sizeof steps / sizeof steps[0];
    TRY(lty_program_define(e, &def));
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

/* Past visits: `count` of them, `every` days apart, the last `last_ago`
 * days before Monday, the last one for `last_item`. */
static void history(lty_engine *e, const char *chart, int count, int every,
                    int last_ago, const char *last_item)
{
    for (int i = 0; i < count; i++) {
        char id[32];
        snprintf(id, sizeof id, "%s/v%d", chart, i + 1);
        lty_event ev = LTY_EVENT_INIT;
        ev.type = LTY_EVENT_VISIT;
        ev.id = id;
        ev.customer_id = chart;
        ev.time = MONDAY - (int64_t)(last_ago + (count - 1 - i) * every) * DAY +
                  10 * HOUR;
        ev.item = i == count - 1 ? last_item : "check-up";
        TRY(lty_record(e, &ev, NULL));
    }
}

static void book(lty_engine *e, const char *id, const char *chart, int hour,
                 int minute, const char *item, const char *staff)
{
    lty_appointment_spec s = LTY_APPOINTMENT_SPEC_INIT;
    s.id = id;
    s.customer_id = chart;
    s.start = MONDAY + hour * HOUR + minute * 60;
    s.duration = 30;
    s.item = item;
    s.branch = "gangnam";
    s.staff = staff;
    TRY(lty_appointment_book(e, &s));
}

int main(void)
{
    lty_memstore *store;
    lty_storage_ops ops;
    void *conn;
    lty_engine *e = NULL;
    int64_t now = MONDAY - 400 * DAY;

    printf("libloyalty %s: the front desk's morning\n\n",
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

    /* The clinic's records, as the OCS/EMR has filled them over the year. */
    define_visit_card(e);
    patient(e, "chart-1024", "Kim Minji", "010-1234-5678",
            (lty_date){1986, 3, 5});
    patient(e, "chart-0512", "Park Sora", "010-3333-4444",
            (lty_date){1979, 11, 30});
    TRY(lty_customer_set_note(e, "chart-1024", "allergy", "penicillin"));
    TRY(lty_customer_set_preference(e, "chart-1024", "doctor", "female"));
    TRY(lty_customer_set_preference(e, "chart-0512", "music", "none, please"));
    history(e, "chart-1024", 9, 30, 21, "whitening");
    history(e, "chart-0512", 3, 60, 243, "scaling");
    now = MONDAY - 250 * DAY;
    lty_reward_spec gift = LTY_REWARD_SPEC_INIT;
    gift.code = "SCALE-0512";
    gift.customer_id = "chart-0512";
    gift.program_id = "visit-card";
    gift.name = "Free scaling";
    gift.kind = LTY_REWARD_SERVICE;
    gift.valid_days = 365;
    TRY(lty_reward_issue(e, &gift));

    /* Last week: Kim brings her colleague Lee, who books with her. */
    now = MONDAY - 5 * DAY;
    patient(e, "chart-2048", "Lee Jiho", "010-2222-3333",
            (lty_date){0, 7, 14});
    TRY(lty_referral_register(e, "chart-1024", "chart-2048"));
    book(e, "R-0301", "chart-1024", 9, 0, "scaling", "dr-han");
    book(e, "R-0302", "chart-2048", 9, 30, "consultation", "dr-han");
    book(e, "R-0303", "chart-0512", 11, 0, "whitening", "dr-yoo");

    /* Monday, 08:00: print the briefing. */
    now = MONDAY + 8 * HOUR;
    lty_briefing *b = NULL;
    char *text = NULL;
    lty_date today = {2026, 3, 2};
    TRY(lty_briefing_day(e, &today, &b));
    TRY(lty_briefing_render_text(b, &text, NULL));
    fputs(text, stdout);
    lty_free(text);

    expect(lty_briefing_count(b) == 3, "three appointments today");
    const lty_card *kim = lty_briefing_entry(b, 0);
    const lty_card *lee = lty_briefing_entry(b, 1);
    const lty_card *park = lty_briefing_entry(b, 2);
    expect(kim && strcmp(lty_card_customer_id(kim), "chart-1024") == 0 &&
               lee && strcmp(lty_card_customer_id(lee), "chart-2048") == 0 &&
               park && strcmp(lty_card_customer_id(park), "chart-0512") == 0,
           "in time order: Kim 09:00, Lee 09:30, Park 11:00");
    if (failures)
        return EXIT_FAILURE;
    expect(lty_card_visits(kim) == 9 &&
               strcmp(lty_card_title(kim), "Regular") == 0,
           "Kim is a Regular with 9 visits");
    expect(lty_card_promotion_due(kim) &&
               strcmp(lty_card_promotion_due(kim), "Family") == 0,
           "Kim's 10th visit today makes her Family: prepare the party");
    expect(strcmp(lty_customer_note(lty_card_customer(kim), "allergy"),
                  "penicillin") == 0,
           "the desk sees Kim's penicillin allergy");
    lty_occasion o = LTY_OCCASION_INIT;
    expect(lty_card_occasion_count(kim) == 1 &&
               lty_card_occasion_at(kim, 0, &o) == LTY_OK &&
               o.kind == LTY_OCCASION_BIRTHDAY && o.days_until == 3 &&
               o.years == 40,
           "Kim turns 40 on Thursday");
    expect(lty_card_referral_count(kim) == 1, "Kim has referred one friend");
    expect(lty_card_first_visit(lee), "Lee comes for the first time");
    expect(lty_card_referrer_id(lee) &&
               strcmp(lty_card_referrer_id(lee), "chart-1024") == 0 &&
               lty_card_came_together(lee),
           "Lee was referred by Kim, and they came together");
    int64_t away = 0;
    expect(lty_card_welcome_back(park, &away) && away == 243,
           "Park is welcomed back after 243 days");
    lty_reward r = LTY_REWARD_INIT;
    expect(lty_card_reward_count(park) == 1 &&
               lty_card_reward_at(park, 0, &r) == LTY_OK &&
               strcmp(r.name, "Free scaling") == 0,
           "Park has a free scaling to use");
    expect(lty_card_segment(park) == NULL,
           "no segment before the analytics have run");
    lty_briefing_free(b);

    /* 08:40: the phone rings.  The screen gets the caller's card. */
    now = MONDAY + 8 * HOUR + 40 * 60;
    const char *number = "+82 10 2222 3333";
    lty_card *caller = NULL;
    printf("\nThe phone rings: %s\n", number);
    TRY(lty_recognize_phone(e, number, &caller));
    TRY(lty_card_render_text(caller, &text, NULL));
    fputs(text, stdout);
    lty_free(text);
    lty_appointment a = LTY_APPOINTMENT_INIT;
    expect(strcmp(lty_card_customer_id(caller), "chart-2048") == 0 &&
               lty_card_appointment(caller, &a) == LTY_OK &&
               strcmp(a.id, "R-0302") == 0,
           "the caller is Lee, booked for 09:30 today");
    expect(lty_card_came_together(caller),
           "Lee's card says Kim is coming too");
    lty_card_free(caller);

    /* A number nobody has: a new caller, found out in one look-up. */
    int rc = lty_recognize_phone(e, "02-555-0199", &caller);
    printf("\nThe phone rings: 02-555-0199\n  %s: a new caller\n",
           lty_strerror(rc));
    expect(rc == LTY_ENOTFOUND && caller == NULL,
           "an unknown number is LTY_ENOTFOUND");

    lty_engine_free(e);
    lty_memstore_free(store);
    if (failures) {
        fprintf(stderr, "front_desk: %d fact(s) did not hold\n", failures);
        return EXIT_FAILURE;
    }
    printf("\nOK: 3 appointments briefed; a promotion, a friend who came "
           "along, a welcome back; the caller recognised\n");
    return EXIT_SUCCESS;
}
