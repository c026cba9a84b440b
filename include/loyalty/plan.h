/*
 * libloyalty - what the library plans on its own: aftercare recalls from a
 * treatment catalogue, birthdays and anniversaries, win-back of lapsed
 * customers, and journeys of steps from an anchor date.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file plan.h
 * @brief Plan reminders into the outbox: aftercare recalls, birthdays and
 *        anniversaries, win-back, and journeys.
 *
 * Everything here only @e plans messages into the outbox (message.h); the
 * outbox's dispatcher later applies the messaging policy (consent, quiet
 * hours, caps) and sends them.  Each planned message has a stable id
 * derived from its cause, so planning again never sends twice:
 *
 * | cause | message id |
 * |-------|------------|
 * | aftercare recall | <tt>aftercare/&lt;customer&gt;/&lt;item&gt;/&lt;visit day&gt;</tt> |
 * | birthday | <tt>birthday/&lt;customer&gt;/&lt;year&gt;</tt> |
 * | anniversary | <tt>anniv/&lt;customer&gt;/&lt;label&gt;/&lt;year&gt;</tt> |
 * | win-back | <tt>winback/&lt;customer&gt;/&lt;last visit day&gt;</tt> |
 * | journey step | <tt>journey/&lt;journey&gt;/&lt;customer&gt;/&lt;step&gt;</tt> (<tt>&lt;step&gt;\@&lt;n&gt;</tt> for the n-th enrolment after an unenrolment) |
 *
 * Days are local dates written <tt>YYYY-MM-DD</tt>; steps count from 1.
 * In the variable parts (ids, item codes, labels) the bytes
 * <tt>%</tt>, <tt>/</tt>, <tt>~</tt> and space are written as
 * <tt>%25</tt>, <tt>%2F</tt>, <tt>%7E</tt> and <tt>%20</tt>, so every part
 * is unambiguous; when an id would exceed #LTY_MESSAGE_ID_MAX bytes, its
 * longest variable parts are replaced by <tt>~</tt> and 16 hexadecimal
 * digits of their 64-bit FNV-1a hash until it fits.
 *
 * Planned messages are due at #LTY_PLAN_LOCAL_MINUTE (10:00) local time on
 * their day, in the engine's time zone (the offset callback's answer at
 * that moment, so daylight saving time is followed).  Occasions whose day
 * has already passed are skipped, never sent late in a burst.
 *
 * The guide (docs/guide/reminders.md) gives the rules with examples.
 *
 * @par Threads
 * As everywhere: one engine, one thread at a time.
 */
#ifndef LOYALTY_PLAN_H
#define LOYALTY_PLAN_H

#include "common.h"
#include "engine.h"
#include "event.h"
#include "message.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The local time of day messages planned here are due at, in
 *  minutes after midnight: 10:00 (lty_plan_day() can change it for what it
 *  plans). */
#define LTY_PLAN_LOCAL_MINUTE 600

/** @brief Longest effect period, recall lead, journey offset or lapse, in
 *  days (about ten years). */
#define LTY_PLAN_DAYS_MAX 3660

/* ------------------------------------------------------------------ */
/* Treatments and aftercare                                            */
/* ------------------------------------------------------------------ */

/** @brief Most treatments in a store's catalogue. */
#define LTY_TREATMENTS_MAX 256

/** @brief The version of #lty_treatment_def this header describes. */
#define LTY_TREATMENT_DEF_VERSION 1

/**
 * @brief A treatment of the catalogue: what an item code does and when to
 *        recall the customer.
 *
 * When a visit or purchase of the item is recorded (lty_record()), a recall
 * is planned for the local day of the event + @c effect_days -
 * @c lead_days, at 10:00 local time, with the parameters <tt>{item}</tt>
 * (the treatment's @c name) and <tt>{date}</tt> (the day of the visit,
 * <tt>YYYY-MM-DD</tt>).
 */
typedef struct lty_treatment_def {
    /** Must be #LTY_TREATMENT_DEF_VERSION. */
    unsigned int version;
    /** The item code events carry, 1..#LTY_CODE_MAX bytes. */
    const char *item;
    /** The name customers read (<tt>{item}</tt>), 1..#LTY_TITLE_MAX bytes. */
    const char *name;
    /** How long the treatment's effect lasts, 1..#LTY_PLAN_DAYS_MAX days. */
    int effect_days;
    /** How many days before the effect ends to recall, 0..effect_days - 1. */
    int lead_days;
    /** The recall's template, 1..#LTY_MESSAGE_ID_MAX bytes. */
    const char *template_id;
    /** #LTY_PURPOSE_TRANSACTIONAL (a service notice) or
     *  #LTY_PURPOSE_MARKETING (an offer). */
    lty_purpose purpose;
    /** The channel, or #LTY_CHANNEL_NONE for the customer's preferred one;
     *  #LTY_CHANNEL_STAFF (a call list for the front desk) needs the
     *  transactional purpose. */
    lty_channel channel;
} lty_treatment_def;

/** @brief Initialiser for #lty_treatment_def. */
#define LTY_TREATMENT_DEF_INIT {LTY_TREATMENT_DEF_VERSION, NULL, NULL, 0, 0, \
    NULL, (lty_purpose)0, LTY_CHANNEL_NONE}

/**
 * @brief Add a treatment to the store's catalogue, or replace the one with
 *        the same item code.
 *
 * The catalogue is store-wide: every engine over the store uses it from
 * its next call.  A changed definition applies to events recorded from
 * then on; recalls already planned keep their time.
 *
 * @param[in] e    The engine.
 * @param[in] def  The treatment (strings copied).
 * @return #LTY_OK; #LTY_EINVALID naming the field; #LTY_ERANGE (more than
 *         #LTY_TREATMENTS_MAX treatments); #LTY_EVERSION; #LTY_ENOMEM;
 *         storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_treatment_define(lty_engine *e, const lty_treatment_def *def);

/**
 * @brief Remove a treatment from the catalogue.  Recalls already planned
 *        stay planned (cancel them with lty_outbox_cancel()).
 *
 * @param[in] e     The engine.
 * @param[in] item  The item code.
 * @return #LTY_OK; #LTY_ENOTFOUND; #LTY_EINVALID; storage errors;
 *         #LTY_ECORRUPT.
 */
LTY_API int lty_treatment_remove(lty_engine *e, const char *item);

/** @brief The version of #lty_treatment this header describes. */
#define LTY_TREATMENT_VERSION 1

/** @brief A treatment as stored.  Set @c version before a call. */
typedef struct lty_treatment {
    /** Set by the caller: #LTY_TREATMENT_VERSION. */
    unsigned int version;
    /** The item code. */
    char item[LTY_CODE_MAX + 1];
    /** The name. */
    char name[LTY_TITLE_MAX + 1];
    /** Effect period in days. */
    int effect_days;
    /** Recall lead in days. */
    int lead_days;
    /** The recall's template. */
    char template_id[LTY_MESSAGE_ID_MAX + 1];
    /** The recall's purpose. */
    lty_purpose purpose;
    /** The recall's channel (#LTY_CHANNEL_NONE: the customer's). */
    lty_channel channel;
} lty_treatment;

/** @brief Initialiser for #lty_treatment. */
#define LTY_TREATMENT_INIT {LTY_TREATMENT_VERSION, "", "", 0, 0, "", \
    (lty_purpose)0, LTY_CHANNEL_NONE}

/**
 * @brief Read a treatment of the catalogue.
 *
 * @param[in]  e     The engine.
 * @param[in]  item  The item code.
 * @param[out] out   Receives the treatment; set @c out->version first.
 * @return #LTY_OK; #LTY_ENOTFOUND; #LTY_EINVALID; #LTY_EVERSION; storage
 *         errors; #LTY_ECORRUPT.
 */
LTY_API int lty_treatment_get(lty_engine *e, const char *item,
                              lty_treatment *out);

/**
 * @brief List the item codes of the catalogue, in byte order.
 *
 * @param[in]  e      The engine.
 * @param[out] items  Array of @p cap codes (may be NULL when @p cap is 0).
 * @param[in]  cap    Size of @p items.
 * @param[out] count  Receives the number of treatments (may exceed @p cap).
 * @return #LTY_OK; #LTY_EINVALID; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_treatment_list(lty_engine *e,
                               char (*items)[LTY_CODE_MAX + 1], size_t cap,
                               size_t *count);

/* ------------------------------------------------------------------ */
/* Birthdays, anniversaries and win-back                               */
/* ------------------------------------------------------------------ */

/** @brief What lty_plan_day() plans (bits of #lty_plan_day_options.include). */
enum lty_plan_kind {
    LTY_PLAN_BIRTHDAYS = 1u << 0,     /**< Birthdays. */
    LTY_PLAN_ANNIVERSARIES = 1u << 1, /**< Named anniversaries. */
    LTY_PLAN_WINBACK = 1u << 2        /**< Win-back of lapsed customers. */
};

/** @brief The version of #lty_plan_day_options this header describes. */
#define LTY_PLAN_DAY_OPTIONS_VERSION 1

/**
 * @brief Options for lty_plan_day().  Start from
 *        #LTY_PLAN_DAY_OPTIONS_INIT.
 *
 * Win-back needs a lapse rule: @c lapse_days, or @c lapse_factor_pct (or
 * both).  A customer with at least @c lapse_min_visits counted visits has
 * a usual interval: (last visit day - first visit day) / (counted visits
 * - 1), in days.  With @c lapse_factor_pct such a customer has lapsed after
 * max(@c lapse_min_days, ceil(interval x @c lapse_factor_pct / 100)) days
 * without a visit; every other customer (and every customer when the
 * factor is 0) after @c lapse_days (0: never).
 */
typedef struct lty_plan_day_options {
    /** Must be #LTY_PLAN_DAY_OPTIONS_VERSION. */
    unsigned int version;
    /** Bitwise OR of #lty_plan_kind.  Default birthdays and anniversaries. */
    unsigned int include;
    /** Birthdays and anniversaries from the given day to this many days
     *  after it are planned, 0..366.  Default 7. */
    int days_ahead;
    /** Local time of day the messages are due, minutes 0..1439.
     *  Default #LTY_PLAN_LOCAL_MINUTE (10:00). */
    int local_minute;
    /** Birthday template, or NULL for "birthday". */
    const char *birthday_template;
    /** Anniversary template, or NULL for "anniversary". */
    const char *anniversary_template;
    /** Win-back template, or NULL for "winback". */
    const char *winback_template;
    /** The purpose of all three.  Default #LTY_PURPOSE_MARKETING. */
    lty_purpose purpose;
    /** The channel, or #LTY_CHANNEL_NONE (default) for the customer's. */
    lty_channel channel;
    /** Win-back: days without a visit that make a lapse, 0..#LTY_PLAN_DAYS_MAX
     *  (0: only the factor rule).  Default 0. */
    int lapse_days;
    /** Win-back: lapse after this percentage of the customer's usual
     *  interval, 0 or 100..10000 (200 = twice the usual interval).
     *  Default 0 (not used). */
    int lapse_factor_pct;
    /** Win-back: counted visits needed for a usual interval, 2..1000.
     *  Default 3. */
    int lapse_min_visits;
    /** Win-back: the factor rule never lapses a customer sooner than this,
     *  1..#LTY_PLAN_DAYS_MAX days.  Default 14. */
    int lapse_min_days;
    /** Win-back: customers whose last visit is more than this many days
     *  before the planned day are left alone (long gone, or a first run
     *  over an old store), 0 (no limit) or 1..#LTY_PLAN_DAYS_MAX.
     *  Default 0. */
    int lapse_max_days;
} lty_plan_day_options;

/** @brief Initialiser for #lty_plan_day_options with every default. */
#define LTY_PLAN_DAY_OPTIONS_INIT {LTY_PLAN_DAY_OPTIONS_VERSION, \
    LTY_PLAN_BIRTHDAYS | LTY_PLAN_ANNIVERSARIES, 7, LTY_PLAN_LOCAL_MINUTE, \
    NULL, NULL, NULL, LTY_PURPOSE_MARKETING, LTY_CHANNEL_NONE, 0, 0, 3, 14, 0}

/**
 * @brief The daily planning run: birthdays and anniversaries ahead, and
 *        win-back of lapsed customers.
 *
 * Run it once a day (running it more often, or again, is harmless: the
 * message ids make every plan happen once).  For every customer with a
 * profile (erased customers have none):
 *
 * - **Birthdays**: each birthday falling on @p local_date or up to
 *   @c days_ahead days after it is planned as
 *   <tt>birthday/&lt;customer&gt;/&lt;year&gt;</tt>, due on the birthday at
 *   @c local_minute, with <tt>{date}</tt> the birthday (<tt>YYYY-MM-DD</tt>).
 *   A birthday on 29 February is celebrated on 28 February in common
 *   years.  A birth year, when known, is not itself celebrated.
 * - **Anniversaries**: the same for each named anniversary, as
 *   <tt>anniv/&lt;customer&gt;/&lt;label&gt;/&lt;year&gt;</tt>.
 * - **Win-back**: a customer whose last visit is at least the lapse (see
 *   #lty_plan_day_options) before @p local_date gets
 *   <tt>winback/&lt;customer&gt;/&lt;last visit day&gt;</tt>, due on @p local_date at
 *   @c local_minute, with <tt>{date}</tt> the last visit's day and
 *   <tt>{days}</tt> the days since.  One message per lapse: a customer who
 *   comes back and lapses again gets a new one.
 *
 * Days before the engine's current local day are skipped (never planned
 * late), so running it for a past date plans only what is still ahead.
 *
 * Each customer is planned in a transaction of its own: a failure stops
 * the run and returns the error, keeping what was planned for the
 * customers before; running it again completes it.
 *
 * @param[in]  e           The engine.
 * @param[in]  local_date  The day to plan from, a local date with its year.
 * @param[in]  opts        The options, or NULL for the defaults.
 * @param[out] planned     Receives the number of messages newly planned
 *                         (may be NULL).
 * @return #LTY_OK; #LTY_EINVALID naming the field or option;
 *         #LTY_EVERSION; #LTY_ENOMEM; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_plan_day(lty_engine *e, const lty_date *local_date,
                         const lty_plan_day_options *opts, size_t *planned);

/* ------------------------------------------------------------------ */
/* Journeys                                                            */
/* ------------------------------------------------------------------ */

/** @brief Most steps of a journey. */
#define LTY_JOURNEY_STEPS_MAX 32

/** @brief One step of a journey. */
typedef struct lty_journey_step {
    /** Days from the anchor date, -#LTY_PLAN_DAYS_MAX..#LTY_PLAN_DAYS_MAX
     *  (negative: before it, such as weeks before a due date). */
    int offset_days;
    /** The step's template, 1..#LTY_MESSAGE_ID_MAX bytes. */
    const char *template_id;
    /** #LTY_PURPOSE_TRANSACTIONAL or #LTY_PURPOSE_MARKETING. */
    lty_purpose purpose;
    /** The channel, or #LTY_CHANNEL_NONE for the customer's. */
    lty_channel channel;
} lty_journey_step;

/** @brief The version of #lty_journey_def this header describes. */
#define LTY_JOURNEY_DEF_VERSION 1

/** @brief A journey: a named sequence of steps from an anchor date. */
typedef struct lty_journey_def {
    /** Must be #LTY_JOURNEY_DEF_VERSION. */
    unsigned int version;
    /** The journey's id, 1..#LTY_ID_MAX bytes ("pregnancy"). */
    const char *id;
    /** Its name, 1..#LTY_TITLE_MAX bytes. */
    const char *name;
    /** The steps, in any order; step n (from 1) is @c steps[n - 1]. */
    const lty_journey_step *steps;
    /** Number of steps, 1..#LTY_JOURNEY_STEPS_MAX. */
    size_t step_count;
} lty_journey_def;

/** @brief Initialiser for #lty_journey_def. */
#define LTY_JOURNEY_DEF_INIT {LTY_JOURNEY_DEF_VERSION, NULL, NULL, NULL, 0}

/**
 * @brief Define a journey, or replace the one with the same id.
 *
 * A replaced definition applies to enrolments made from then on;
 * customers already enrolled keep what was planned until they are
 * enrolled again.
 *
 * @param[in] e    The engine.
 * @param[in] def  The journey (copied).
 * @return #LTY_OK; #LTY_EINVALID naming the field (an offset beyond
 *         #LTY_PLAN_DAYS_MAX days, an unknown purpose); #LTY_EVERSION;
 *         storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_journey_define(lty_engine *e, const lty_journey_def *def);

/** @brief The version of #lty_journey_info this header describes. */
#define LTY_JOURNEY_INFO_VERSION 1

/** @brief A step as stored (#lty_journey_info). */
typedef struct lty_journey_step_info {
    /** Days from the anchor. */
    int offset_days;
    /** The template. */
    char template_id[LTY_MESSAGE_ID_MAX + 1];
    /** The purpose. */
    lty_purpose purpose;
    /** The channel. */
    lty_channel channel;
} lty_journey_step_info;

/** @brief A journey as stored.  Set @c version before a call. */
typedef struct lty_journey_info {
    /** Set by the caller: #LTY_JOURNEY_INFO_VERSION. */
    unsigned int version;
    /** The name. */
    char name[LTY_TITLE_MAX + 1];
    /** Number of steps. */
    size_t step_count;
    /** The steps (the first @c step_count). */
    lty_journey_step_info steps[LTY_JOURNEY_STEPS_MAX];
} lty_journey_info;

/**
 * @brief Read a journey's definition.
 *
 * @param[in]  e           The engine.
 * @param[in]  journey_id  The journey.
 * @param[out] out         Receives it; set @c out->version first.
 * @return #LTY_OK; #LTY_ENOTFOUND; #LTY_EINVALID; #LTY_EVERSION; storage
 *         errors; #LTY_ECORRUPT.
 */
LTY_API int lty_journey_get(lty_engine *e, const char *journey_id,
                            lty_journey_info *out);

/**
 * @brief Enrol a customer in a journey from an anchor date (a due date, a
 *        child's birth date), planning its steps.
 *
 * Step n is planned as <tt>journey/&lt;journey&gt;/&lt;customer&gt;/&lt;n&gt;</tt>, due on
 * the anchor + its offset at 10:00 local time, with <tt>{date}</tt> the
 * step's day and <tt>{days}</tt> its offset.  Only steps whose due time is
 * still ahead of the engine's clock are planned: a late enrolment skips
 * the past steps rather than sending them at once.
 *
 * Enrolling again with the same anchor changes nothing.  With another
 * anchor, the steps are replanned: pending steps move to their new times,
 * pending steps whose new time has passed are cancelled, steps already
 * sent are not sent again.  After lty_journey_unenrol(), enrolling again
 * starts over with fresh ids (<tt>.../&lt;n&gt;\@2</tt>, <tt>\@3</tt>, ...).
 *
 * @param[in] e            The engine.
 * @param[in] journey_id   The journey.
 * @param[in] customer_id  The customer.
 * @param[in] anchor       The anchor, a local date with its year.
 * @return #LTY_OK; #LTY_ENOTFOUND (unknown journey or customer: nothing is
 *         written); #LTY_EINVALID; #LTY_ERANGE (a step would fall after
 *         9999-12-30); storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_journey_enrol(lty_engine *e, const char *journey_id,
                              const char *customer_id, const lty_date *anchor);

/**
 * @brief Take a customer out of a journey: every step still pending
 *        (planned or retrying) is cancelled.
 *
 * @param[in] e            The engine.
 * @param[in] journey_id   The journey.
 * @param[in] customer_id  The customer.
 * @return #LTY_OK; #LTY_ENOTFOUND (the customer is not enrolled);
 *         #LTY_EINVALID; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_journey_unenrol(lty_engine *e, const char *journey_id,
                                const char *customer_id);

/** @brief The version of #lty_journey_enrolment this header describes. */
#define LTY_JOURNEY_ENROLMENT_VERSION 1

/** @brief A customer's enrolment.  Set @c version before a call. */
typedef struct lty_journey_enrolment {
    /** Set by the caller: #LTY_JOURNEY_ENROLMENT_VERSION. */
    unsigned int version;
    /** The journey. */
    char journey_id[LTY_ID_MAX + 1];
    /** The anchor date. */
    lty_date anchor;
    /** When the customer was (last) enrolled. */
    int64_t enrolled;
} lty_journey_enrolment;

/**
 * @brief List the journeys a customer is enrolled in, by journey id.
 *
 * @param[in]  e            The engine.
 * @param[in]  customer_id  The customer.
 * @param[out] out          Array of @p cap entries, each with @c version
 *                          set (may be NULL when @p cap is 0).
 * @param[in]  cap          Size of @p out.
 * @param[out] count        Receives the number of enrolments (may exceed
 *                          @p cap).
 * @return #LTY_OK; #LTY_ENOTFOUND (customer); #LTY_EINVALID;
 *         #LTY_EVERSION; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_journey_list_enrolments(lty_engine *e, const char *customer_id,
                                        lty_journey_enrolment *out, size_t cap,
                                        size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_PLAN_H */
