/*
 * libloyalty - internal: the summary card shared by the daily briefing
 * (briefing.c), caller ID (recognize.c) and their text renderings
 * (briefing_text.c).  card.c builds cards and answers the accessors.
 *
 * A card is a snapshot: it owns copies of everything it shows and the
 * allocator it was made with, so it outlives the engine.  It reads through
 * the public read calls of the other modules (customers, programs,
 * rewards, appointments, referrals), never their records: what the front
 * desk sees is exactly what those calls answer.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_CARD_INT_H
#define LTY_CARD_INT_H

#include "engine_int.h"
#include "loyalty/briefing.h"

/* Birthday plus every anniversary. */
#define LTY__OCCASIONS_MAX (1 + LTY_ANNIVERSARIES_MAX)

typedef struct lty__card_program {
    char id[LTY_ID_MAX + 1];
    char name[LTY_TITLE_MAX + 1];
    lty_program_kind kind;
    char title[LTY_TITLE_MAX + 1];
    char next_title[LTY_TITLE_MAX + 1];
    int64_t to_next;
    int64_t balance;
    int promotion_due;
} lty__card_program;

typedef struct lty__card_occasion {
    lty_occasion_kind kind;
    const char *label;          /* "birthday" or borrowed from cust */
    lty_date date;
    lty_date on;
    int days_until;
    int years;
} lty__card_occasion;

struct lty_card {
    lty_allocator alloc;
    char id[LTY_ID_MAX + 1];
    lty_customer *cust;         /* NULL: an erased customer */

    /* visits, relative to the card's day */
    int64_t visits;
    int64_t last_visit;         /* 0: none */
    char last_item[LTY_CODE_MAX + 1];
    int has_last_item;
    int64_t days_away;
    int welcome_back;
    lty_date last_visit_date;   /* local, for the text */

    size_t nprog;
    lty__card_program *prog;
    int title_at;               /* index of the first ladder, or -1 */
    int tier_at;                /* first currency program with tiers, or -1 */
    int promo_at;               /* first ladder with a promotion due, or -1 */

    size_t nocc;
    lty__card_occasion occ[LTY__OCCASIONS_MAX];

    size_t nrewards;
    lty_reward *rewards;

    char referrer_id[LTY_ID_MAX + 1];   /* "": none */
    char *referrer_name;                /* NULL: none */
    int referrer_erased;                /* the referrer has no profile */
    int came_together;
    size_t referrals;

    /* analytics: the stored RFM scores and lifetime-value figures */
    int has_rfm;
    char segment[LTY_TITLE_MAX + 1];
    int rfm_r, rfm_f, rfm_m;
    int has_clv;
    double p_alive;
    double clv;
    int vip;

    int has_appt;
    lty_appointment appt;
    lty_date appt_date;         /* local date and minute of its start */
    int appt_minute;

    lty_date day;               /* the card's day (local) */
    int caller;                 /* 1: a caller-ID card */
};

/* A day's briefing: n cards in time order (briefing.c). */
struct lty_briefing {
    lty_allocator alloc;
    lty_date date;
    size_t n;
    lty_card **cards;
};

/* What a card is built for. */
typedef struct lty__card_ctx {
    const lty_briefing_options *opts;
    int64_t day;                /* the card's local day number */
    int64_t day_start;          /* its first instant, UTC */
    /* Briefing: the last visit is the latest one before day_start.
     * Caller ID (0): the latest one. */
    int before_day;
    /* Rewards are ready when issued and not expired at this time. */
    int64_t ready_at;
    /* The card's appointment, or NULL: caller ID finds today's or the
     * next one itself. */
    const lty_appointment *appt;
    /* Briefing: a promotion may be due on this entry (its appointment is
     * the customer's first booked one of the day). */
    int promotion_allowed;
    /* Briefing: is this customer booked (not cancelled) on the day?  NULL:
     * the card reads the referrer's appointments itself. */
    int (*booked_on_day)(const void *ud, const char *customer_id);
    const void *booked_ud;
} lty__card_ctx;

/* Check options (NULL gives the defaults) into *out. */
LTY_INTERNAL int lty__briefing_options(lty_engine *e,
                                       const lty_briefing_options *in,
                                       lty_briefing_options *out);

/* Build the card of customer id.  cust, when not NULL, is the customer's
 * snapshot already read (the card takes it over, also on failure); else
 * the card reads it, and a customer without a profile (erased) gives a
 * card with the id only.  *out is NULL on failure. */
LTY_INTERNAL int lty__card_build(lty_engine *e, const char *id,
                                 lty_customer *cust, const lty__card_ctx *ctx,
                                 lty_card **out);

/* Append a card's text to a growing string (briefing_text.c). */
typedef struct lty__text {
    const lty_allocator *alloc;
    char *p;
    size_t n, cap;
    int failed;                 /* an allocation failed */
} lty__text;

LTY_INTERNAL void lty__text_card(lty__text *t, const lty_card *c);

#endif /* LTY_CARD_INT_H */
