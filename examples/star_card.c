/*
 * libloyalty example - a coffee shop's star card, defined in C.
 *
 * The star card is built as an lty_program_def (the same program could be
 * written in a program file: see examples/programs/starcard.ini):
 *
 *   - 1 star for every whole 1,000 won of a purchase;
 *   - tiers by the stars *earned* (not the balance): Welcome from 0 stars,
 *     Green from 5, Gold from 30;
 *   - in Gold, every 12 stars of balance become a free drink (a service
 *     reward; the 12 stars are spent), redeemable for 30 days.
 *
 * A customer buys coffee over three weeks.  She swaps some stars for a
 * pastry while still in Green, which lowers her balance but not the stars
 * she has earned, so she still reaches Gold on time.  In Gold her stars turn
 * into free-drink coupons; she redeems one (redeeming it twice is refused)
 * and returns a mug, whose refund takes its stars back.
 *
 * `make check` runs it: it exits non-zero unless the facts the story tells
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

#define PROGRAM "starcard"
#define CUSTOMER "M-0007"
#define GOLD_THRESHOLD 30
#define DRINK_EVERY 12 /* stars per free drink in Gold */
#define COUPONS_MAX 8

static int failures;

/* Report a broken fact; the example then exits non-zero. */
static void expect(int ok, const char *fact)
{
    if (!ok) {
        fprintf(stderr, "FAIL: %s\n", fact);
        failures++;
    }
}

/* The shop's clock: whatever time the story has reached. */
static int64_t shop_clock(void *userdata)
{
    return *(const int64_t *)userdata;
}

static void define_star_card(lty_engine *e)
{
    static const lty_earn_rule rules[] = {
        /* kind, per_amount, earn, item */
        {LTY_EARN_PER_AMOUNT, 1000, 1, NULL},
    };
    static const lty_tier tiers[] = {
        /* name, threshold, multiplier_pct, reward_every, reward_name,
         * reward_kind, reward_value, reward_valid_days */
        {"Welcome", 0, 100, 0, NULL, (lty_reward_kind)0, 0, 0},
        {"Green", 5, 100, 0, NULL, (lty_reward_kind)0, 0, 0},
        {"Gold", GOLD_THRESHOLD, 100, DRINK_EVERY, "Free drink",
         LTY_REWARD_SERVICE, 5000, 30},
    };
    lty_program_def def = LTY_PROGRAM_DEF_INIT;
    def.id = PROGRAM;
    def.name = "Star Card";
    def.kind = LTY_PROGRAM_STARS;
    def.rules = rules;
    def.rule_count = sizeof rules / sizeof rules[0];
    def.tiers = tiers;
    def.tier_count = sizeof tiers / sizeof tiers[0];
    /* Tiers by everything ever earned, kept for good.  A real card might
     * count one calendar year (LTY_WINDOW_CALENDAR_YEAR) and drop a tier
     * that is not requalified (LTY_DOWNGRADE_PERIOD_END, grace_days). */
    def.window = LTY_WINDOW_LIFETIME;
    def.downgrade = LTY_DOWNGRADE_NEVER;
    TRY(lty_program_define(e, &def));
}

static lty_program_status status(lty_engine *e)
{
    lty_program_status st = LTY_PROGRAM_STATUS_INIT;
    TRY(lty_program_status_get(e, CUSTOMER, PROGRAM, &st));
    return st;
}

static void print_status(lty_engine *e)
{
    lty_program_status st = status(e);
    printf("             %s: %lld stars to spend, %lld earned", st.title,
           (long long)st.balance, (long long)st.earned_lifetime);
    if (st.next_title[0])
        printf(", %lld more to %s\n", (long long)st.to_next, st.next_title);
    else
        printf(", top tier\n");
}

static const char *date(lty_engine *e, int64_t t, char *buf, size_t n)
{
    lty_date d;
    TRY(lty_engine_local_date(e, t, &d));
    snprintf(buf, n, "%04d-%02d-%02d", d.year, d.month, d.day);
    return buf;
}

/* A purchase at the clock's time; prints what it earned and did. */
static lty_record_outcome buy(lty_engine *e, const char *id, int64_t won,
                              const char *what)
{
    char day[16];
    lty_program_status before = status(e);
    lty_event ev = LTY_EVENT_INIT;
    lty_record_outcome out = LTY_RECORD_OUTCOME_INIT;
    ev.type = LTY_EVENT_PURCHASE;
    ev.id = id;
    ev.customer_id = CUSTOMER;
    ev.time = LTY_TIME_NOW;
    ev.amount = won;
    ev.item = what;
    TRY(lty_record(e, &ev, &out));
    lty_program_status after = status(e);
    printf("  %s  %s %-14s %6lld won  +%lld stars\n",
           date(e, lty_engine_now(e), day, sizeof day), id, what,
           (long long)won,
           (long long)(after.earned_lifetime - before.earned_lifetime));
    if (out.promotions)
        printf("             reached %s!\n", out.title);
    if (out.rewards)
        printf("             %d free drink%s issued (%d stars spent)\n",
               out.rewards, out.rewards == 1 ? "" : "s",
               out.rewards * DRINK_EVERY);
    print_status(e);
    return out;
}

int main(void)
{
    lty_memstore *store;
    lty_storage_ops ops;
    void *conn;
    lty_engine *e = NULL;
    /* Monday 2025-11-03 08:00 in Seoul (23:00 UTC the day before). */
    const int64_t monday = INT64_C(1762124400);
    int64_t now = monday;
    int rewards = 0;
    char day[16];

    printf("libloyalty %s: a star card\n", lty_version(NULL, NULL, NULL));
    TRY(lty_memstore_new(&store, NULL));
    TRY(lty_memstore_connect(store, &ops, &conn));
    lty_engine_options opts = LTY_ENGINE_OPTIONS_INIT;
    opts.storage = &ops;
    opts.storage_userdata = conn;
    opts.clock = shop_clock;
    opts.clock_userdata = &now;
    opts.utc_offset_minutes = 540; /* Korea */
    TRY(lty_engine_new(&e, &opts));

    define_star_card(e);
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = CUSTOMER;
    f.set = LTY_FIELD_NAME;
    f.name = "정하늘";
    TRY(lty_customer_create(e, &f));
    printf("Star Card: 1 star per 1,000 won; Welcome 0, Green 5, Gold 30 "
           "stars earned;\nin Gold a free drink per 12 stars.  "
           "Customer %s joins.\n", CUSTOMER);

    printf("\nWeek 1\n");
    now = monday;
    rewards += buy(e, "P-101", 4500, "americano").rewards;
    now = monday + 1 * 86400;
    lty_record_outcome out = buy(e, "P-102", 5500, "latte");
    rewards += out.rewards;
    expect(out.promotions == 1 && strcmp(out.title, "Green") == 0,
           "the second purchase (9 stars earned) reaches Green");

    /* Stars are a currency: spending them lowers the balance, but the tier
     * goes by the stars earned. */
    now = monday + 3 * 86400;
    TRY(lty_points_spend(e, CUSTOMER, PROGRAM, "SP-1", 6, NULL));
    printf("  %s  SP-1  swaps 6 stars for a pastry\n",
           date(e, now, day, sizeof day));
    print_status(e);
    lty_program_status st = status(e);
    expect(st.balance == 3 && st.earned_lifetime == 9 &&
               strcmp(st.title, "Green") == 0,
           "after the swap: Green, 3 stars to spend, 9 earned");

    printf("\nWeek 2\n");
    now = monday + 7 * 86400;
    rewards += buy(e, "P-103", 6000, "flat white").rewards;
    now = monday + 9 * 86400;
    rewards += buy(e, "P-104", 4500, "americano").rewards;
    now = monday + 11 * 86400;
    rewards += buy(e, "P-105", 10500, "coffee run").rewards;
    expect(rewards == 0, "no free drink before Gold, even with 12 stars");

    printf("\nWeek 3\n");
    now = monday + 14 * 86400;
    out = buy(e, "P-106", 4500, "americano");
    rewards += out.rewards;
    expect(out.promotions == 1 && strcmp(out.title, "Gold") == 0,
           "33 stars earned reach Gold");
    /* 33 earned, but only 27 to spend when Gold was reached: below 30. */
    printf("             (Gold by the 33 stars earned: the 6 swapped for the "
           "pastry still count)\n");
    expect(out.rewards == 2, "27 stars of balance in Gold make 2 drinks");
    now = monday + 16 * 86400;
    rewards += buy(e, "P-107", 16000, "coffee beans").rewards;
    expect(rewards == 3, "3 free drinks issued in all");

    /* The coupons, as the till shows them (in code order). */
    lty_reward coupons[COUPONS_MAX];
    size_t ncoupons = 0;
    for (size_t i = 0; i < COUPONS_MAX; i++)
        coupons[i] = (lty_reward)LTY_REWARD_INIT;
    TRY(lty_reward_list(e, CUSTOMER, coupons, COUPONS_MAX, &ncoupons));
    printf("\n%s's coupons\n", CUSTOMER);
    for (size_t i = 0; i < ncoupons && i < COUPONS_MAX; i++) {
        char until[16];
        printf("  %s  %s, issued %s, redeemable through %s\n", coupons[i].code,
               coupons[i].name, date(e, coupons[i].issued, day, sizeof day),
               date(e, coupons[i].expires, until, sizeof until));
        expect(coupons[i].kind == LTY_REWARD_SERVICE &&
                   coupons[i].source == LTY_REWARD_BY_RULE &&
                   coupons[i].state == LTY_REWARD_ISSUED &&
                   strcmp(coupons[i].program_id, PROGRAM) == 0 &&
                   coupons[i].expires >= coupons[i].issued + 30 * 86400 &&
                   coupons[i].expires < coupons[i].issued + 31 * 86400,
               "each coupon: an issued service reward of the star card, "
               "redeemable for 30 days");
    }
    expect(ncoupons == 3, "the customer holds 3 coupons");

    /* A coupon is good for one drink. */
    if (ncoupons > 0) {
        const char *code = coupons[0].code;
        now = monday + 17 * 86400;
        TRY(lty_reward_redeem(e, code, LTY_TIME_NOW));
        printf("\n  %s  %s redeemed: one free drink\n",
               date(e, now, day, sizeof day), code);
        int rc = lty_reward_redeem(e, code, LTY_TIME_NOW);
        /* The message is the engine's until its next call: keep a copy. */
        char why[256];
        snprintf(why, sizeof why, "%s", lty_engine_last_error(e));
        printf("  %s  %s again: %s (%s)\n", date(e, now, day, sizeof day),
               code, lty_strerror(rc), why);
        expect(rc == LTY_ESTATE && strstr(why, "already redeemed"),
               "a coupon redeemed twice is refused with LTY_ESTATE");
        lty_reward r = LTY_REWARD_INIT;
        TRY(lty_reward_get(e, code, &r));
        expect(r.state == LTY_REWARD_REDEEMED && r.closed == now,
               "the coupon is redeemed, at the time of the first redemption");
    }

    /* A refund takes back the stars its purchase earned. */
    printf("\nA mug, returned\n");
    now = monday + 18 * 86400;
    rewards += buy(e, "P-108", 4000, "mug").rewards;
    now = monday + 19 * 86400;
    lty_program_status before = status(e);
    lty_event refund = LTY_EVENT_INIT;
    refund.type = LTY_EVENT_REFUND;
    refund.id = "R-108";
    refund.customer_id = CUSTOMER;
    refund.time = LTY_TIME_NOW;
    refund.amount = 4000;
    refund.refund_of = "P-108";
    TRY(lty_record(e, &refund, NULL));
    st = status(e);
    printf("  %s  R-108 refund of P-108    %lld won  %lld stars back\n",
           date(e, now, day, sizeof day), (long long)refund.amount,
           (long long)(before.earned_lifetime - st.earned_lifetime));
    print_status(e);
    expect(before.earned_lifetime - st.earned_lifetime == 4 &&
               before.balance - st.balance == 4,
           "the refund takes back the mug's 4 stars");

    /* 9 stars earned by Green, 6 swapped: 3.  Then +6 +4 +10 = 23, +4 = 27
     * in Gold: 2 drinks, 3 left.  +16 = 19: 1 drink, 7 left.  The mug's 4
     * came and went: 7. */
    st = status(e);
    expect(strcmp(st.title, "Gold") == 0 && st.level == 2,
           "Gold is kept after the refund");
    expect(st.balance == 7, "7 stars to spend after the refund");
    expect(st.earned_lifetime == 49, "49 stars earned, net of the refund");
    expect(rewards == 3, "the mug issued no drink");

    lty_engine_free(e);
    lty_memstore_free(store);
    if (failures) {
        fprintf(stderr, "star_card: %d fact(s) did not hold\n", failures);
        return EXIT_FAILURE;
    }
    printf("\nOK: Gold reached, %d free drinks issued, 1 redeemed once, "
           "%lld stars after the refund\n", rewards, (long long)st.balance);
    return EXIT_SUCCESS;
}
