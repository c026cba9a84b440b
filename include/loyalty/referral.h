/*
 * libloyalty - referrals: who brought whom, and thanking them for it.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file referral.h
 * @brief Register referrals, follow them through their stages, credit the
 *        referrer (and welcome the friend), thank the referrer, take the
 *        credit back when the qualifying purchase is refunded; list a
 *        referrer's referrals and the top referrers.
 *
 * A referral links a **referrer** (an existing customer who brought a
 * friend) to the **referred** customer (the friend).  It is registered with
 * lty_referral_register() when the friend is new, and then moves by itself,
 * inside the transactions of the calls that cause each step:
 *
 * | stage                        | reached when                                      |
 * |------------------------------|---------------------------------------------------|
 * | #LTY_REFERRAL_REGISTERED     | lty_referral_register()                           |
 * | #LTY_REFERRAL_BOOKED         | the friend's first appointment is booked (lty_appointment_book(), or already booked at registration) |
 * | #LTY_REFERRAL_COMPLETED      | the friend's first kept appointment (lty_appointment_arrive()) or first purchase of at least the policy's minimum (lty_record()) |
 * | #LTY_REFERRAL_CREDITED       | in the same transaction as completion, when the policy has a credit: the referrer's credit was given |
 * | #LTY_REFERRAL_REVERSED       | the qualifying purchase was refunded within the policy's reversal window (lty_record() of the refund) |
 *
 * A referral may skip "booked" (a friend who walks in and buys).  Completed
 * and credited referrals can still be reversed until their window ends;
 * reversed is final.
 *
 * **The policy** (lty_referral_policy_set(), store-wide) says what the
 * referrer is credited (stars or points of a program through the programs
 * of program.h, or a reward of reward.h), the optional welcome perk for the
 * friend, the minimum purchase that qualifies, the reversal window, a cap
 * per referrer and period, and the messages: "friend booked" (optional)
 * and "thank you", both to the referrer through the outbox (message.h),
 * transactional by default, with the ids
 * <tt>referral/&lt;referred id&gt;/booked</tt> and
 * <tt>referral/&lt;referred id&gt;/thanks</tt> (the referred id escaped and,
 * when too long, hashed as for the other message ids).  The messages name
 * no detail of the friend: templates get {stars} or {points}, or {reward}
 * and {code}, and the referrer's own {name}.
 *
 * **Guards.**  Registration refuses, each with its own code and message:
 * a self-referral (the same id; the same phone; the same e-mail; or the
 * same name and birthday), a referred customer who already has a visit or
 * purchase, a second referrer for one customer, a referrer over the cap,
 * and a cycle (A referred B, so B cannot refer A, nor can anyone B led to
 * A).  Messages never contain personal data.
 *
 * **Idempotency.**  Registering the same pair again is a replay (#LTY_OK).
 * Every stage moves once: replayed events, bookings and arrivals are
 * duplicates that change nothing, and the credit, the welcome perk and
 * their taking back are keyed by the referral (program credits by their
 * cause <tt>referral/&lt;n&gt;</tt> and <tt>referral/&lt;n&gt;/welcome</tt>, reward
 * codes <tt>referral-&lt;16 hex&gt;</tt> derived from them), so nothing is ever
 * given twice.  Every referral gets a number @c n, store-wide, at
 * registration.
 *
 * The guide (docs/guide/referrals.md) gives the rules with examples.
 *
 * Thread notes: like every call on an engine, these run on the calling
 * thread and use the engine one thread at a time.  Several engines may
 * register and complete referrals over one store at once: conflicts are
 * retried, and a referral completes once.
 */
#ifndef LOYALTY_REFERRAL_H
#define LOYALTY_REFERRAL_H

#include "common.h"
#include "engine.h"
#include "message.h"
#include "program.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The stages of a referral. */
typedef enum lty_referral_stage {
    LTY_REFERRAL_REGISTERED = 1, /**< Registered; the friend has not booked or come yet. */
    LTY_REFERRAL_BOOKED = 2,     /**< The friend booked an appointment. */
    LTY_REFERRAL_COMPLETED = 3,  /**< The friend came (kept appointment) or bought enough; no credit was due. */
    LTY_REFERRAL_CREDITED = 4,   /**< Completed, and the referrer was credited. */
    LTY_REFERRAL_REVERSED = 5    /**< The qualifying purchase was refunded in the window; the credit was taken back. */
} lty_referral_stage;

/** @brief What a referral gives (the referrer's credit, the friend's
 *         welcome perk). */
typedef enum lty_referral_gift_kind {
    LTY_REFERRAL_GIFT_NONE = 0,    /**< Nothing. */
    LTY_REFERRAL_GIFT_PROGRAM = 1, /**< Stars or points of a program. */
    LTY_REFERRAL_GIFT_REWARD = 2   /**< A reward (a coupon with a code). */
} lty_referral_gift_kind;

/** @brief The largest referral credit, in stars or points. */
#define LTY_REFERRAL_AMOUNT_MAX INT64_C(1000000)
/** @brief Most referrals the cap may allow per period. */
#define LTY_REFERRAL_CAP_MAX 1000
/** @brief Longest reversal window or cap period, in days. */
#define LTY_REFERRAL_DAYS_MAX 3660
/** @brief The default template of the thank-you message. */
#define LTY_REFERRAL_THANKS_TEMPLATE "referral_thanks"

/**
 * @brief A gift of the policy: stars or points, or a reward.
 *
 * | field          | #LTY_REFERRAL_GIFT_PROGRAM | #LTY_REFERRAL_GIFT_REWARD |
 * |----------------|----------------------------|---------------------------|
 * | program_id     | the stars or points program (required) | the program the reward belongs to, or "" |
 * | amount         | 1..#LTY_REFERRAL_AMOUNT_MAX | 0                        |
 * | reward_name    | ""                         | 1..#LTY_TITLE_MAX bytes   |
 * | reward_kind    | 0                          | an #lty_reward_kind; only #LTY_REWARD_SERVICE when the program is medical |
 * | reward_value   | 0                          | minor units, >= 0         |
 * | reward_valid_days | 0                       | 0..3660 (0: never expires) |
 *
 * With #LTY_REFERRAL_GIFT_NONE every field must be left empty or 0.
 */
typedef struct lty_referral_gift {
    /** What is given. */
    lty_referral_gift_kind kind;
    /** The program (see the table), "" for none. */
    char program_id[LTY_ID_MAX + 1];
    /** Stars or points. */
    int64_t amount;
    /** The reward's name. */
    char reward_name[LTY_TITLE_MAX + 1];
    /** The reward's kind. */
    lty_reward_kind reward_kind;
    /** The reward's value in minor units. */
    int64_t reward_value;
    /** Days the reward stays redeemable (0: it never expires). */
    int reward_valid_days;
} lty_referral_gift;

/** @brief The version of #lty_referral_policy this header describes. */
#define LTY_REFERRAL_POLICY_VERSION 1

/**
 * @brief The store's referral policy (lty_referral_policy_set(),
 *        lty_referral_policy_get()).
 *
 * Start from #LTY_REFERRAL_POLICY_INIT: no credit, no welcome perk, any
 * purchase qualifies, no reversal, no cap, no "friend booked" message, the
 * thank-you message with the template #LTY_REFERRAL_THANKS_TEMPLATE,
 * transactional, on the referrer's choice of channel.  Until a policy is
 * set, referrals follow that default.
 */
typedef struct lty_referral_policy {
    /** Must be #LTY_REFERRAL_POLICY_VERSION. */
    unsigned int version;
    /** The referrer's credit at completion (kind NONE: none; the
     *  referral then stays #LTY_REFERRAL_COMPLETED). */
    lty_referral_gift credit;
    /** The friend's welcome perk at completion (kind NONE: none). */
    lty_referral_gift welcome;
    /** The smallest purchase (minor units, >= 0) that completes a
     *  referral; 0: any purchase. */
    int64_t min_purchase;
    /** 1: any visit recorded with lty_record() completes a referral too;
     *  0 (default): only a kept appointment (lty_appointment_arrive()) or a
     *  qualifying purchase. */
    int visit_qualifies;
    /** Days after completion during which a refund that leaves the
     *  qualifying purchase below @c min_purchase (or at nothing) reverses
     *  the referral, 0..#LTY_REFERRAL_DAYS_MAX; 0: never reversed. */
    int reversal_days;
    /** Most registrations one referrer may make within @c cap_days days,
     *  0..#LTY_REFERRAL_CAP_MAX; 0: no cap. */
    int cap_count;
    /** The cap's period in days, 1..#LTY_REFERRAL_DAYS_MAX with a cap,
     *  0 without. */
    int cap_days;
    /** Template of the message to the referrer when the friend books, or
     *  "" for none. */
    char booked_template[LTY_MESSAGE_ID_MAX + 1];
    /** Template of the thank-you message to the referrer at completion,
     *  or "" for none. */
    char thanks_template[LTY_MESSAGE_ID_MAX + 1];
    /** The purpose of both messages (default #LTY_PURPOSE_TRANSACTIONAL). */
    lty_purpose purpose;
    /** Their channel, or #LTY_CHANNEL_NONE (default) for the referrer's
     *  choice. */
    lty_channel channel;
} lty_referral_policy;

/** @brief Initialiser for #lty_referral_gift: nothing. */
#define LTY_REFERRAL_GIFT_INIT {LTY_REFERRAL_GIFT_NONE, "", 0, "", \
    (lty_reward_kind)0, 0, 0}

/** @brief Initialiser for #lty_referral_policy (the defaults). */
#define LTY_REFERRAL_POLICY_INIT {LTY_REFERRAL_POLICY_VERSION, \
    LTY_REFERRAL_GIFT_INIT, LTY_REFERRAL_GIFT_INIT, 0, 0, 0, 0, 0, "", \
    LTY_REFERRAL_THANKS_TEMPLATE, LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE}

/**
 * @brief Store the referral policy (store-wide; every engine over the
 *        store applies it from its next call).
 *
 * The policy applies to what happens from then on: referrals completed
 * earlier keep what they were given, and a reversal takes back what the
 * referral recorded, whatever the policy says now.
 *
 * @param[in] e       The engine.
 * @param[in] policy  The policy (copied).
 * @return #LTY_OK; #LTY_EINVALID naming the field ("referral credit
 *         amount: outside 1..1000000", "referral welcome reward kind:
 *         cash-equivalent rewards are not allowed in a medical program",
 *         "referral cap_days: outside 1..3660 days"); #LTY_ENOTFOUND (a
 *         program that does not exist); #LTY_EVERSION; storage errors;
 *         #LTY_ECORRUPT.
 */
LTY_API int lty_referral_policy_set(lty_engine *e,
                                    const lty_referral_policy *policy);

/**
 * @brief Read the referral policy (the default of
 *        #LTY_REFERRAL_POLICY_INIT when none was set).
 *
 * @param[in]  e    The engine.
 * @param[out] out  Filled on success (set @c version first).
 * @return #LTY_OK; #LTY_EINVALID; #LTY_EVERSION; storage errors;
 *         #LTY_ECORRUPT.
 */
LTY_API int lty_referral_policy_get(lty_engine *e, lty_referral_policy *out);

/**
 * @brief Register that @p referrer referred @p referred.
 *
 * At the engine's clock, which must not be before the referred customer
 * was created, and before the referred customer's first visit or
 * purchase.  When the referred customer already has a booked appointment
 * the referral starts at #LTY_REFERRAL_BOOKED (and the "friend booked"
 * message is planned).  Registering the same pair again changes nothing.
 *
 * The checks, in order, each with its own code:
 *
 * | refusal | code | message |
 * |---------|------|---------|
 * | the same id | #LTY_EINVALID | "referral: the referrer and the referred are the same customer" |
 * | either customer unknown | #LTY_ENOTFOUND | "referrer: not found", "referred: not found" |
 * | the referred already has a referrer | #LTY_EEXISTS | "referred: already referred by another customer" |
 * | the same phone | #LTY_EINVALID | "referral: the referrer and the referred have the same phone" |
 * | the same e-mail | #LTY_EINVALID | "referral: the referrer and the referred have the same e-mail" |
 * | the same name and birthday | #LTY_EINVALID | "referral: the referrer and the referred have the same name and birthday" |
 * | registered before the referred customer was created | #LTY_ESTATE | "referred: created after the registration time" |
 * | the referred has a visit or purchase | #LTY_ESTATE | "referred: already has visits" |
 * | a cycle | #LTY_ESTATE | "referral: the referred customer led to the referrer (a cycle)" |
 * | the referrer's cap | #LTY_ERANGE | "referrer: at most N referrals in D days" |
 *
 * Names match when they are equal ignoring ASCII case and runs of spaces;
 * birthdays when month and day are equal and so are the years, unless one
 * is unknown.
 *
 * @param[in] e         The engine.
 * @param[in] referrer  The customer who brought the friend.
 * @param[in] referred  The friend (a new customer).
 * @return #LTY_OK or a code of the table; #LTY_EINVALID for a malformed
 *         id; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_referral_register(lty_engine *e, const char *referrer,
                                  const char *referred);

/** @brief What a referral gave one customer (lty_referral). */
typedef struct lty_referral_given {
    /** What was given; #LTY_REFERRAL_GIFT_NONE: nothing (yet). */
    lty_referral_gift_kind kind;
    /** #LTY_REFERRAL_GIFT_PROGRAM: the program; a reward's program or
     *  empty. */
    char program_id[LTY_ID_MAX + 1];
    /** #LTY_REFERRAL_GIFT_PROGRAM: the stars or points. */
    int64_t amount;
    /** #LTY_REFERRAL_GIFT_REWARD: the reward's code. */
    char reward_code[LTY_ID_MAX + 1];
    /** Reversed referrals: 1 when the gift could not be taken back (a
     *  reward already redeemed), else 0.  Stars and points are always
     *  taken back (the balance may go into debt). */
    int lost;
} lty_referral_given;

/** @brief The version of #lty_referral this header describes. */
#define LTY_REFERRAL_VERSION 1

/** @brief A referral as stored.  Set @c version before a call that fills
 *         it.  Times are Unix seconds UTC, 0 for a stage not reached. */
typedef struct lty_referral {
    /** Set by the caller: #LTY_REFERRAL_VERSION. */
    unsigned int version;
    /** The referrer. */
    char referrer[LTY_ID_MAX + 1];
    /** The referred customer. */
    char referred[LTY_ID_MAX + 1];
    /** The referral's number, store-wide (1, 2, ...). */
    uint64_t number;
    /** The stage. */
    lty_referral_stage stage;
    /** When it was registered. */
    int64_t registered;
    /** When the friend booked. */
    int64_t booked;
    /** When it completed: the time of the qualifying visit or purchase. */
    int64_t completed;
    /** When the referrer was credited (the completion's time). */
    int64_t credited;
    /** When it was reversed: the time of the refund. */
    int64_t reversed;
    /** The event that completed it (an arrival's is
     *  <tt>appt/&lt;appointment id&gt;</tt>), or empty. */
    char qualifying_event[LTY_ID_MAX + 1];
    /** The qualifying purchase's amount (0 for a visit). */
    int64_t qualifying_amount;
    /** The last second a refund reverses it; 0 when it cannot be (not
     *  completed yet, completed by a visit, or no reversal window). */
    int64_t reversible_until;
    /** What the referrer was given. */
    lty_referral_given credit;
    /** What the friend was given. */
    lty_referral_given welcome;
} lty_referral;

/** @brief Initialiser for #lty_referral_given. */
#define LTY_REFERRAL_GIVEN_INIT {LTY_REFERRAL_GIFT_NONE, "", 0, "", 0}

/** @brief Initialiser for #lty_referral. */
#define LTY_REFERRAL_INIT {LTY_REFERRAL_VERSION, "", "", 0, \
    (lty_referral_stage)0, 0, 0, 0, 0, 0, "", 0, 0, \
    LTY_REFERRAL_GIVEN_INIT, LTY_REFERRAL_GIVEN_INIT}

/**
 * @brief Who referred a customer, and how far the referral got.
 *
 * @param[in]  e         The engine.
 * @param[in]  referred  The referred customer.
 * @param[out] out       Filled on success (set @c version first).
 * @return #LTY_OK; #LTY_ENOTFOUND (nobody referred the customer, or no
 *         such customer); #LTY_EINVALID; #LTY_EVERSION; storage errors;
 *         #LTY_ECORRUPT.
 */
LTY_API int lty_referral_get(lty_engine *e, const char *referred,
                             lty_referral *out);

/**
 * @brief A referrer's referrals, in every stage, in referred-id order.
 *
 * @param[in]  e         The engine.
 * @param[in]  referrer  The referrer.
 * @param[out] out       Array of @p cap referrals, each with @c version
 *                       set (may be NULL when @p cap is 0).
 * @param[in]  cap       Size of @p out.
 * @param[out] count     How many referrals the referrer has made (may
 *                       exceed @p cap; only the first @p cap are filled).
 * @return #LTY_OK; #LTY_ENOTFOUND (no such customer and no referrals under
 *         the id); #LTY_EINVALID; #LTY_EVERSION; #LTY_ENOMEM; storage
 *         errors; #LTY_ECORRUPT.
 */
LTY_API int lty_referral_list(lty_engine *e, const char *referrer,
                              lty_referral *out, size_t cap, size_t *count);

/** @brief The version of #lty_referrer_rank this header describes. */
#define LTY_REFERRER_RANK_VERSION 1

/** @brief One line of the top referrers.  Set @c version before the call. */
typedef struct lty_referrer_rank {
    /** Set by the caller: #LTY_REFERRER_RANK_VERSION. */
    unsigned int version;
    /** The referrer. */
    char referrer[LTY_ID_MAX + 1];
    /** Referrals completed in the period and not reversed since. */
    int64_t completed;
} lty_referrer_rank;

/** @brief Initialiser for #lty_referrer_rank. */
#define LTY_REFERRER_RANK_INIT {LTY_REFERRER_RANK_VERSION, "", 0}

/**
 * @brief The top referrers of a period: by the number of their referrals
 *        completed in [from, to) and not reversed, most first, then by
 *        referrer id.
 *
 * Reads every referral of the store (one prefix scan), in one read
 * transaction.
 *
 * @param[in]  e      The engine.
 * @param[in]  from   Start of the period (included).
 * @param[in]  to     End of the period (excluded), after @p from.
 * @param[out] out    Array of @p cap lines, each with @c version set (may
 *                    be NULL when @p cap is 0).
 * @param[in]  cap    Size of @p out.
 * @param[out] count  How many referrers completed at least one referral in
 *                    the period (may exceed @p cap).
 * @return #LTY_OK; #LTY_EINVALID (times, NULL output); #LTY_EVERSION;
 *         #LTY_ENOMEM; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_referral_top(lty_engine *e, int64_t from, int64_t to,
                             lty_referrer_rank *out, size_t cap,
                             size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_REFERRAL_H */
