/*
 * libloyalty - recognition: the daily front-desk briefing and the
 * caller-ID card.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file briefing.h
 * @brief The front desk's morning briefing of a day's appointments, and the
 *        summary card shown for an incoming call (caller ID).
 *
 * Both are built from one thing: a @e card (#lty_card), the summary of one
 * customer the front desk should see before saying hello.  A card holds:
 *
 * - the customer's id, name and profile (preferences, notes such as an
 *   allergy, tags, anniversaries: lty_card_customer() gives the whole
 *   snapshot of customer.h);
 * - the title or tier in every program (lty_card_program_at(); the first
 *   ladder's title and the first stars or points program's tier directly
 *   with lty_card_title() and lty_card_tier());
 * - counted visits, the last visit and its item;
 * - a birthday or anniversary falling within a week (lty_card_occasion_at());
 * - who referred the customer, whether that person is booked the same day
 *   ("came together"), and how many customers this one has referred;
 * - a promotion due at the next counted visit (a ladder step: "prepare the
 *   party"), rewards ready to redeem, and "welcome back" after a long gap;
 * - the appointment the card is about: the briefing entry's own, or for
 *   caller ID today's or the next one;
 * - what the analytics stored for the customer: the segment and R/F/M
 *   scores of the latest lty_rfm_compute() (lty_card_segment(),
 *   lty_card_rfm()), P(alive) and lifetime value from lty_clv_store()
 *   (lty_card_p_alive(), lty_card_clv()), and the VIP mark
 *   (lty_card_vip()); empty when nothing is stored.
 *
 * lty_briefing_day() makes one card per appointment of a local day, in time
 * order; lty_recognize_phone() makes the card of the customer a phone
 * number belongs to, written any way a person would write it.
 *
 * @par Reads, not a snapshot
 * Both calls only read: they write nothing and open no transaction, so a
 * briefing never blocks the front desks that are booking and recording
 * meanwhile.  The parts of a card are read one after the other; a change
 * made by another engine while the call runs may show in some parts and
 * not in others.  A failed read returns its code (a storage error,
 * #LTY_ECORRUPT for a record that does not decode) and nothing is
 * returned.
 *
 * @par Ownership
 * A briefing and a card are snapshots that the caller frees
 * (lty_briefing_free(), lty_card_free()); they do not change when the store
 * does and may outlive the engine.  The cards of a briefing belong to the
 * briefing.  Every string an accessor returns is borrowed from the card or
 * briefing and valid until it is freed.  The plain-text renderings
 * (lty_briefing_render_text(), lty_card_render_text()) are new strings the
 * caller frees with lty_free().
 *
 * @par Threads
 * Like every call on an engine, these run on the calling thread and use the
 * engine one thread at a time.  A finished briefing or card is read-only:
 * several threads may read the same one at once.
 *
 * The guide (docs/guide/briefing.md) shows a printed briefing and gives the
 * exact rules of every field.
 */
#ifndef LOYALTY_BRIEFING_H
#define LOYALTY_BRIEFING_H

#include "common.h"
#include "engine.h"
#include "customer.h"
#include "program.h"
#include "reward.h"
#include "appointment.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A day's briefing (opaque); free with lty_briefing_free(). */
typedef struct lty_briefing lty_briefing;

/** @brief A customer's summary card (opaque).  Free the cards of
 *  lty_recognize_phone() with lty_card_free(); a briefing's cards belong
 *  to the briefing. */
typedef struct lty_card lty_card;

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

/** @brief Default of #lty_briefing_options.welcome_back_days. */
#define LTY_WELCOME_BACK_DAYS 180
/** @brief Default of #lty_briefing_options.occasion_days. */
#define LTY_OCCASION_DAYS 7

/** @brief The version of #lty_briefing_options this header describes. */
#define LTY_BRIEFING_OPTIONS_VERSION 1

/**
 * @brief Options of lty_briefing_day_with() and lty_recognize_phone_with().
 *
 * Start from #LTY_BRIEFING_OPTIONS_INIT, which sets the version and the
 * defaults.
 */
typedef struct lty_briefing_options {
    /** Must be #LTY_BRIEFING_OPTIONS_VERSION (or an older supported one). */
    unsigned int version;
    /**
     * "Welcome back" when the last visit before the card's day is more
     * than this many days before it: 1..36600, or 0 to never say it.
     * Default #LTY_WELCOME_BACK_DAYS (180).
     */
    int welcome_back_days;
    /**
     * Birthdays and anniversaries falling on the card's day or within this
     * many days after it are shown: 0..366 (0: on the day only).  Default
     * #LTY_OCCASION_DAYS (7).
     */
    int occasion_days;
} lty_briefing_options;

/** @brief Initialiser for #lty_briefing_options with the defaults. */
#define LTY_BRIEFING_OPTIONS_INIT {LTY_BRIEFING_OPTIONS_VERSION, \
    LTY_WELCOME_BACK_DAYS, LTY_OCCASION_DAYS}

/* ------------------------------------------------------------------ */
/* The daily briefing                                                  */
/* ------------------------------------------------------------------ */

/**
 * @brief Build the briefing of one local day: a card for every appointment
 *        starting that day, in time order (then appointment id).
 *
 * The same as lty_briefing_day_with() with the default options.
 *
 * @param[in]  e           The engine.
 * @param[in]  local_date  The day, in the engine's time zone (a year is
 *                         required).
 * @param[out] out         Receives the briefing, to free with
 *                         lty_briefing_free(); NULL on failure.
 * @return As lty_briefing_day_with().
 */
LTY_API int lty_briefing_day(lty_engine *e, const lty_date *local_date,
                             lty_briefing **out);

/**
 * @brief Build the briefing of one local day with options.
 *
 * Lists the appointments of the day (lty_appointment_list_day()), leaves
 * out the cancelled ones, and makes one card per appointment, the card's
 * day being @p local_date.  Booked, arrived and no-show appointments are
 * all listed (lty_card_appointment() tells the state), so a briefing
 * printed at noon still shows the whole day.  A customer with two
 * appointments that day has two entries.
 *
 * Per entry, the rules that depend on the day (details in the guide):
 * - the last visit and its item are the latest visit or purchase
 *   @e before the day, so "welcome back" and "last time" stay right after
 *   the customer has arrived; counted visits are as of the call;
 * - a promotion is due on the customer's first booked entry of the day
 *   when the customer has no counted visit on or after the day yet and a
 *   ladder's next step is one counted visit away;
 * - rewards are ready when issued and not expired at the later of the
 *   appointment's start and the engine's clock;
 * - "came together": the referrer has an appointment the same day that is
 *   booked or kept (not cancelled, not a no-show).
 *
 * An appointment whose customer has been erased gets a card with the
 * anonymous id only (lty_card_customer() is NULL, nothing else is set).
 *
 * @param[in]  e           The engine.
 * @param[in]  local_date  The day (a year is required).
 * @param[in]  opts        The options (copied), or NULL for the defaults.
 * @param[out] out         Receives the briefing, to free with
 *                         lty_briefing_free(); NULL on failure.
 * @return #LTY_OK (also for a day without appointments: the briefing has
 *         no entries); #LTY_EINVALID (NULL argument, a bad date, an option
 *         out of range: the message names it); #LTY_EVERSION (options);
 *         #LTY_ENOMEM; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_briefing_day_with(lty_engine *e, const lty_date *local_date,
                                  const lty_briefing_options *opts,
                                  lty_briefing **out);

/**
 * @brief Free a briefing and its cards.
 * @param[in] b  The briefing, or NULL (ignored).
 */
LTY_API void lty_briefing_free(lty_briefing *b);

/**
 * @brief The day a briefing is for.
 * @param[in]  b    The briefing.
 * @param[out] out  Receives the local date.
 * @return #LTY_OK or #LTY_EINVALID (NULL).
 */
LTY_API int lty_briefing_date(const lty_briefing *b, lty_date *out);

/**
 * @brief Number of entries (appointments) of a briefing.
 * @param[in] b  The briefing (NULL gives 0).
 * @return The count.
 */
LTY_API size_t lty_briefing_count(const lty_briefing *b);

/**
 * @brief An entry of a briefing: the card of its appointment.
 *
 * lty_card_appointment() on the card gives the entry's appointment (id,
 * start, item, branch, staff, state).
 *
 * @param[in] b      The briefing.
 * @param[in] index  0 .. lty_briefing_count() - 1, in time order.
 * @return The card, owned by the briefing (do not free it); NULL for a bad
 *         index.
 */
LTY_API const lty_card *lty_briefing_entry(const lty_briefing *b,
                                           size_t index);

/**
 * @brief Render a briefing as plain text, for printing at the desk.
 *
 * UTF-8, one block per entry (time, appointment, customer, then one line
 * per fact that is present), lines ending in "\n".  The layout is for
 * people and may change between versions: programs read the accessors.
 * The text contains personal data (names, notes): print it, do not log
 * it.
 *
 * @param[in]  b    The briefing.
 * @param[out] out  Receives a new NUL-terminated string; free it with
 *                  lty_free().  NULL on failure.
 * @param[out] len  Receives its length in bytes, without the NUL (may be
 *                  NULL).
 * @return #LTY_OK, #LTY_EINVALID (NULL argument) or #LTY_ENOMEM.
 */
LTY_API int lty_briefing_render_text(const lty_briefing *b, char **out,
                                     size_t *len);

/* ------------------------------------------------------------------ */
/* Caller ID                                                           */
/* ------------------------------------------------------------------ */

/**
 * @brief The card of the customer a phone number belongs to: what the
 *        front desk sees when the phone rings.
 *
 * The same as lty_recognize_phone_with() with the default options.
 *
 * @param[in]  e      The engine.
 * @param[in]  phone  The calling number in any notation (see below).
 * @param[out] out    Receives the card, to free with lty_card_free();
 *                    NULL on failure.
 * @return As lty_recognize_phone_with().
 */
LTY_API int lty_recognize_phone(lty_engine *e, const char *phone,
                                lty_card **out);

/**
 * @brief The card of the customer a phone number belongs to, with options.
 *
 * The number is normalised as customer.h describes ("010-1234-5678",
 * "01012345678", "+82 10 1234 5678" and "(010) 1234 5678" are all
 * "+821012345678") and looked up in the phone index: an unknown number
 * costs that one look-up and is #LTY_ENOTFOUND.
 *
 * The card's day is today (the engine's clock, local): its last visit is
 * the latest one, a birthday within a week counts from today, rewards are
 * ready when issued and not expired now, and a promotion is due when a
 * ladder's next step is one counted visit away.  Its appointment is the
 * customer's first appointment today that is not cancelled, or else the
 * next booked one after now; "came together" tells whether the referrer
 * has an appointment booked or kept on that appointment's day.
 *
 * @param[in]  e      The engine.
 * @param[in]  phone  The calling number.
 * @param[in]  opts   The options (copied), or NULL for the defaults.
 * @param[out] out    Receives the card, to free with lty_card_free();
 *                    NULL on failure.
 * @return #LTY_OK; #LTY_ENOTFOUND (no customer has the number);
 *         #LTY_EINVALID (NULL argument, a number that is not a phone
 *         number, an option out of range); #LTY_EVERSION (options);
 *         #LTY_ENOMEM; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_recognize_phone_with(lty_engine *e, const char *phone,
                                     const lty_briefing_options *opts,
                                     lty_card **out);

/**
 * @brief Free a card from lty_recognize_phone().
 *
 * Never call it on a card of a briefing (lty_briefing_entry()): those are
 * freed with their briefing.
 *
 * @param[in] c  The card, or NULL (ignored).
 */
LTY_API void lty_card_free(lty_card *c);

/**
 * @brief Render a card as plain text (the caller-ID pop-up).
 *
 * The same layout as one entry of lty_briefing_render_text().
 *
 * @param[in]  c    The card.
 * @param[out] out  Receives a new NUL-terminated string; free it with
 *                  lty_free().  NULL on failure.
 * @param[out] len  Receives its length in bytes (may be NULL).
 * @return #LTY_OK, #LTY_EINVALID (NULL argument) or #LTY_ENOMEM.
 */
LTY_API int lty_card_render_text(const lty_card *c, char **out, size_t *len);

/* ------------------------------------------------------------------ */
/* The card                                                            */
/* ------------------------------------------------------------------ */

/**
 * @brief The customer's id.
 * @param[in] c  The card.
 * @return A string owned by the card; NULL when @p c is NULL.
 */
LTY_API const char *lty_card_customer_id(const lty_card *c);

/**
 * @brief The customer's display name.
 * @param[in] c  The card.
 * @return A string owned by the card, or NULL when not set (or erased).
 */
LTY_API const char *lty_card_name(const lty_card *c);

/**
 * @brief The customer's profile: preferences, notes, tags, anniversaries,
 *        birthday, phone and e-mail, through the accessors of customer.h.
 *
 * Notes are the profile's notes as they are ("allergy" = "penicillin" is
 * just a note).  The aggregates of this snapshot (lty_customer_stats_get())
 * are those at the time of the call; the card's own lty_card_last_visit()
 * follows the card's day.
 *
 * @param[in] c  The card.
 * @return The snapshot, owned by the card (do not free it); NULL for the
 *         card of an erased customer.
 */
LTY_API const lty_customer *lty_card_customer(const lty_card *c);

/**
 * @brief The appointment the card is about: a briefing entry's own, or
 *        for caller ID today's or the next one.
 * @param[in]  c    The card.
 * @param[out] out  Filled on success (set @c version first).
 * @return #LTY_OK; #LTY_ENOTFOUND (a caller-ID card without a current or
 *         coming appointment); #LTY_EINVALID; #LTY_EVERSION.
 */
LTY_API int lty_card_appointment(const lty_card *c, lty_appointment *out);

/**
 * @brief Counted visits (one per local day), as of the call.
 * @param[in] c  The card.
 * @return The count; 0 for NULL.
 */
LTY_API int64_t lty_card_visits(const lty_card *c);

/**
 * @brief The last visit or purchase before the card's day (a briefing) or
 *        the latest one (caller ID).
 * @param[in] c  The card.
 * @return Unix seconds, UTC; 0 when there is none.
 */
LTY_API int64_t lty_card_last_visit(const lty_card *c);

/**
 * @brief The item of that last visit or purchase (the latest one before
 *        it that had an item).
 * @param[in] c  The card.
 * @return A string owned by the card, or NULL when there is none.
 */
LTY_API const char *lty_card_last_item(const lty_card *c);

/**
 * @brief Whether this is the customer's first visit: no visit or purchase
 *        before the card's day (a briefing) or at all (caller ID).
 * @param[in] c  The card.
 * @return 1 or 0.
 */
LTY_API int lty_card_first_visit(const lty_card *c);

/**
 * @brief "Welcome back": the last visit is more than the option's
 *        @c welcome_back_days before the card's day.
 * @param[in]  c          The card.
 * @param[out] days_away  Receives the local days from the last visit to
 *                        the card's day (0 without a last visit); may be
 *                        NULL.
 * @return 1 when the customer should be welcomed back, else 0.
 */
LTY_API int lty_card_welcome_back(const lty_card *c, int64_t *days_away);

/** @brief The version of #lty_card_program this header describes. */
#define LTY_CARD_PROGRAM_VERSION 1

/**
 * @brief The customer's standing in one program, as a card shows it.
 *        Set @c version before the call (#LTY_CARD_PROGRAM_INIT).
 *
 * The strings are borrowed from the card.
 */
typedef struct lty_card_program {
    /** Set by the caller: #LTY_CARD_PROGRAM_VERSION. */
    unsigned int version;
    /** The program's id. */
    const char *program_id;
    /** The program's display name. */
    const char *name;
    /** #LTY_PROGRAM_LADDER, #LTY_PROGRAM_STARS or #LTY_PROGRAM_POINTS
     *  (draws have no standing and are not listed). */
    lty_program_kind kind;
    /** The title (ladder) or tier; "" before a ladder's first step. */
    const char *title;
    /** The next step's title or the next tier; "" at the top. */
    const char *next_title;
    /** Counted visits (ladder) or earnings (currency) still needed for the
     *  next step or tier; 0 at the top. */
    int64_t to_next;
    /** Currency: the balance; ladder: 0. */
    int64_t balance;
    /** Ladder: 1 when a promotion is due at the next counted visit (see
     *  lty_card_promotion_due()); else 0. */
    int promotion_due;
} lty_card_program;

/** @brief Initialiser for #lty_card_program. */
#define LTY_CARD_PROGRAM_INIT {LTY_CARD_PROGRAM_VERSION, NULL, NULL, \
    (lty_program_kind)0, NULL, NULL, 0, 0, 0}

/**
 * @brief Number of programs on the card (every ladder, stars and points
 *        program of the store, in program-id order).
 * @param[in] c  The card.
 * @return The count.
 */
LTY_API size_t lty_card_program_count(const lty_card *c);

/**
 * @brief The standing in one program.
 * @param[in]  c      The card.
 * @param[in]  index  0 .. lty_card_program_count() - 1.
 * @param[out] out    Filled on success (set @c version first).
 * @return #LTY_OK, #LTY_EINVALID (NULL, index out of range) or
 *         #LTY_EVERSION.
 */
LTY_API int lty_card_program_at(const lty_card *c, size_t index,
                                lty_card_program *out);

/**
 * @brief The title in the first ladder (program-id order).
 * @param[in] c  The card.
 * @return A string owned by the card; NULL without a ladder or before its
 *         first step.
 */
LTY_API const char *lty_card_title(const lty_card *c);

/**
 * @brief The tier in the first stars or points program with tiers.
 * @param[in] c  The card.
 * @return A string owned by the card; NULL without such a program.
 */
LTY_API const char *lty_card_tier(const lty_card *c);

/**
 * @brief A promotion due at this visit: the next counted visit reaches a
 *        ladder's next step.  Prepare the party.
 *
 * In a briefing only the customer's first booked appointment of the day
 * carries it, and only while the customer has no counted visit on or
 * after the day (a second visit the same day does not count).  With
 * several ladders due, the first in program-id order is given here; each
 * is marked in lty_card_program_at().
 *
 * @param[in] c  The card.
 * @return The title the visit reaches, owned by the card; NULL when no
 *         promotion is due.
 */
LTY_API const char *lty_card_promotion_due(const lty_card *c);

/** @brief Kinds of occasions. */
typedef enum lty_occasion_kind {
    LTY_OCCASION_BIRTHDAY = 1,   /**< The profile's birthday. */
    LTY_OCCASION_ANNIVERSARY = 2 /**< A named anniversary of the profile. */
} lty_occasion_kind;

/** @brief The version of #lty_occasion this header describes. */
#define LTY_OCCASION_VERSION 1

/**
 * @brief A birthday or anniversary falling within the window of the
 *        options' @c occasion_days.  Set @c version before the call
 *        (#LTY_OCCASION_INIT).
 */
typedef struct lty_occasion {
    /** Set by the caller: #LTY_OCCASION_VERSION. */
    unsigned int version;
    /** Birthday or anniversary. */
    lty_occasion_kind kind;
    /** "birthday", or the anniversary's label (borrowed from the card). */
    const char *label;
    /** The date as recorded (year 0 when unknown). */
    lty_date date;
    /** The day it falls on this time (29 February falls on 28 February in
     *  common years). */
    lty_date on;
    /** Days from the card's day to @c on: 0 on the day. */
    int days_until;
    /** Years it turns on @c on (age, years married) when the recorded year
     *  is known; else 0. */
    int years;
} lty_occasion;

/** @brief Initialiser for #lty_occasion. */
#define LTY_OCCASION_INIT {LTY_OCCASION_VERSION, (lty_occasion_kind)0, NULL, \
    {0, 0, 0}, {0, 0, 0}, 0, 0}

/**
 * @brief Number of birthdays and anniversaries within the window.
 * @param[in] c  The card.
 * @return The count.
 */
LTY_API size_t lty_card_occasion_count(const lty_card *c);

/**
 * @brief An occasion, nearest first (then birthday first, then by label).
 * @param[in]  c      The card.
 * @param[in]  index  0 .. lty_card_occasion_count() - 1.
 * @param[out] out    Filled on success (set @c version first).
 * @return #LTY_OK, #LTY_EINVALID or #LTY_EVERSION.
 */
LTY_API int lty_card_occasion_at(const lty_card *c, size_t index,
                                 lty_occasion *out);

/**
 * @brief Number of rewards ready to redeem: issued and not expired (see
 *        lty_briefing_day_with() and lty_recognize_phone_with() for the
 *        time that is compared).
 * @param[in] c  The card.
 * @return The count.
 */
LTY_API size_t lty_card_reward_count(const lty_card *c);

/**
 * @brief A ready reward, in code order.
 * @param[in]  c      The card.
 * @param[in]  index  0 .. lty_card_reward_count() - 1.
 * @param[out] out    Filled on success (set @c version first).
 * @return #LTY_OK, #LTY_EINVALID or #LTY_EVERSION.
 */
LTY_API int lty_card_reward_at(const lty_card *c, size_t index,
                               lty_reward *out);

/**
 * @brief The id of the customer who referred this one (whatever the
 *        referral's stage).
 *
 * A referrer who has since been erased appears under the anonymous id
 * erasure gave them, without a name, and never "came together".
 *
 * @param[in] c  The card.
 * @return A string owned by the card, or NULL when nobody did.
 */
LTY_API const char *lty_card_referrer_id(const lty_card *c);

/**
 * @brief The referrer's display name.
 * @param[in] c  The card.
 * @return A string owned by the card, or NULL (no referrer, no name, or
 *         an erased referrer).
 */
LTY_API const char *lty_card_referrer_name(const lty_card *c);

/**
 * @brief "Came together": the referrer has an appointment on the day of
 *        the card's appointment that is booked or kept (not cancelled, not
 *        a no-show).
 * @param[in] c  The card.
 * @return 1 or 0 (0 without a referrer or an appointment).
 */
LTY_API int lty_card_came_together(const lty_card *c);

/**
 * @brief How many customers this one has referred (every referral
 *        registered, whatever its stage).
 * @param[in] c  The card.
 * @return The count.
 */
LTY_API size_t lty_card_referral_count(const lty_card *c);

/** @brief The RFM segment that makes a customer a VIP (lty_card_vip()). */
#define LTY_CARD_VIP_SEGMENT "Champions"
/** @brief The least P(alive) of a VIP by lifetime value (lty_card_vip()). */
#define LTY_CARD_VIP_P_ALIVE 0.5

/**
 * @brief The customer's segment in the latest RFM computation that stored
 *        scores (lty_rfm_compute(), lty_rfm_customer_get()), such as
 *        "Champions" or "At Risk".
 *
 * @param[in] c  The card.
 * @return A string owned by the card, or NULL when no scores are stored for
 *         the customer (never computed, not scored by the latest
 *         computation, or an erased customer's card).
 */
LTY_API const char *lty_card_segment(const lty_card *c);

/**
 * @brief The customer's stored R, F and M scores (as lty_card_segment()).
 *
 * @param[in]  c  The card.
 * @param[out] r  The R score, 1..bins (may be NULL).
 * @param[out] f  The F score (may be NULL).
 * @param[out] m  The M score (may be NULL).
 * @return 1 when scores are stored (the outputs are set), else 0 (they are
 *         left alone).
 */
LTY_API int lty_card_rfm(const lty_card *c, int *r, int *f, int *m);

/**
 * @brief The customer's stored P(alive) (lty_clv_store(),
 *        lty_clv_customer_get()).
 *
 * @param[in]  c    The card.
 * @param[out] out  P(alive), 0..1 (may be NULL).
 * @return 1 when lifetime-value figures are stored (out is set), else 0.
 */
LTY_API int lty_card_p_alive(const lty_card *c, double *out);

/**
 * @brief The customer's stored lifetime value, minor units (as
 *        lty_card_p_alive()).
 *
 * @param[in]  c    The card.
 * @param[out] out  The lifetime value (may be NULL).
 * @return 1 when lifetime-value figures are stored (out is set), else 0.
 */
LTY_API int lty_card_clv(const lty_card *c, double *out);

/**
 * @brief Whether the customer is a VIP.
 *
 * A customer is a VIP when either holds:
 * - the stored RFM segment is #LTY_CARD_VIP_SEGMENT ("Champions");
 * - lifetime-value figures are stored, P(alive) is at least
 *   #LTY_CARD_VIP_P_ALIVE and the lifetime value is in the top decile of
 *   the customers of the lty_clv_store() call that stored it
 *   (lty_clv_figures_top_decile()).
 *
 * @param[in] c  The card.
 * @return 1 or 0 (0 when nothing is stored).
 */
LTY_API int lty_card_vip(const lty_card *c);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_BRIEFING_H */
