/*
 * libloyalty - loyalty programs: title ladders, star currencies with tiers
 * and rewards, points with expiry.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file program.h
 * @brief Define loyalty programs and read a customer's standing in them.
 *
 * A program is defined once (lty_program_define(), or from a text file with
 * lty_program_load_file()) and stored in the store, so every engine over the
 * store applies the same rules.  Several programs run at once; each customer
 * has a state per program, updated in the same transaction as the event that
 * changed it (lty_record()).
 *
 * Three kinds:
 *
 * - #LTY_PROGRAM_LADDER: ordered steps of counted visits, each with a title
 *   (the Tsukada card: 주임 at the first visit ... 회장 at the 36th).  The
 *   ladder reads the customer's counted visits (one per local day, see
 *   event.h), so a ladder defined later ranks existing customers by the
 *   visits they already have.  Titles are never taken away.
 * - #LTY_PROGRAM_STARS: a currency earned by rules, with tiers by what was
 *   @e earned (not the balance) within a qualification window, and rewards
 *   every N stars within a tier that spend those stars (the Starbucks card:
 *   Welcome 0, Green 5, Gold 30; a drink per 12 stars in Gold).
 * - #LTY_PROGRAM_POINTS: a currency whose every earning expires on its own
 *   schedule, is locked during a return window, and is spent
 *   earliest-expiring first with lty_points_spend().  Points programs may
 *   have tiers too.
 * - #LTY_PROGRAM_DRAW: an instant-win draw on each counted visit (a shop's
 *   lottery): a prize table with odds and daily caps, the outcome
 *   reproducible from the event id, every draw recorded, prizes issued as
 *   rewards (reward.h).
 *
 * Changing a definition (defining the same id again) makes a new definition
 * version; what customers already earned, their titles and tiers are kept
 * and the new rules apply from then on (lty_programs_rebuild() applies them
 * to the whole history instead).
 *
 * The guide (docs/guide/programs.md) gives the exact rules, with examples.
 */
#ifndef LOYALTY_PROGRAM_H
#define LOYALTY_PROGRAM_H

#include "common.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Most steps of a ladder. */
#define LTY_PROGRAM_STEPS_MAX 64
/** @brief Most tiers of a currency program. */
#define LTY_PROGRAM_TIERS_MAX 16
/** @brief Most earn rules of a currency program. */
#define LTY_PROGRAM_RULES_MAX 64
/** @brief Most prizes of a draw. */
#define LTY_PROGRAM_PRIZES_MAX 32
/** @brief Most programs in one store. */
#define LTY_PROGRAMS_MAX 32

/** @brief Kinds of programs. */
typedef enum lty_program_kind {
    LTY_PROGRAM_LADDER = 1, /**< Visit-count title ladder. */
    LTY_PROGRAM_STARS = 2,  /**< Star currency with tiers and rewards. */
    LTY_PROGRAM_POINTS = 3, /**< Points with per-earning expiry. */
    LTY_PROGRAM_DRAW = 4    /**< Instant-win draw on each counted visit. */
} lty_program_kind;

/** @brief One step of a ladder. */
typedef struct lty_ladder_step {
    /** Counted visits that reach the step, >= 1, strictly ascending. */
    int64_t visits;
    /** The title, 1..#LTY_TITLE_MAX bytes of UTF-8. */
    const char *title;
} lty_ladder_step;

/** @brief What an earn rule pays for. */
typedef enum lty_earn_kind {
    /** @c earn for every whole @c per_amount of a purchase's amount. */
    LTY_EARN_PER_AMOUNT = 1,
    /** @c earn for each counted visit (the first visit or purchase of a
     *  local day). */
    LTY_EARN_PER_VISIT = 2,
    /** @c earn for each purchase of the item code @c item. */
    LTY_EARN_PER_ITEM = 3
} lty_earn_kind;

/** @brief An earn rule of a currency program.  All rules that match an
 *  event add up; the tier's multiplier then applies to the sum. */
typedef struct lty_earn_rule {
    /** What the rule pays for. */
    lty_earn_kind kind;
    /** #LTY_EARN_PER_AMOUNT only: the amount unit (minor units), >= 1;
     *  0 elsewhere. */
    int64_t per_amount;
    /** Stars or points earned, 1..1,000,000. */
    int64_t earn;
    /** #LTY_EARN_PER_ITEM only: the item code; NULL elsewhere. */
    const char *item;
} lty_earn_rule;

/** @brief Kinds of rewards, for the reward-kind policy. */
typedef enum lty_reward_kind {
    LTY_REWARD_SERVICE = 1,  /**< A service or product perk (a drink, a scaling). */
    LTY_REWARD_DISCOUNT = 2, /**< A discount: cash-equivalent. */
    LTY_REWARD_CASH = 3      /**< Money or a voucher: cash-equivalent. */
} lty_reward_kind;

/** @brief A tier of a currency program. */
typedef struct lty_tier {
    /** The tier's name, 1..#LTY_TITLE_MAX bytes. */
    const char *name;
    /** Stars or points earned within the window that reach the tier; the
     *  first tier's must be 0, then strictly ascending. */
    int64_t threshold;
    /** Earning multiplier in percent (100 = x1), 100..1000; 0 means 100. */
    int multiplier_pct;
    /** Every this many stars of balance, a reward is issued and the stars
     *  are spent; 0 for no rewards in this tier. */
    int64_t reward_every;
    /** The reward's name (with @c reward_every), else NULL. */
    const char *reward_name;
    /** The reward's kind (with @c reward_every), else 0. */
    lty_reward_kind reward_kind;
    /** The reward's value in minor units (0 for a perk without a price). */
    int64_t reward_value;
    /** Days a reward stays redeemable, 1..3660; 0 means it never expires. */
    int reward_valid_days;
} lty_tier;

/** @brief A prize of a draw program. */
typedef struct lty_prize {
    /** The prize's name, 1..#LTY_TITLE_MAX bytes. */
    const char *name;
    /** The reward kind it is issued as. */
    lty_reward_kind kind;
    /** Its value in minor units (0 for a perk without a price). */
    int64_t value;
    /** Chance per draw, in millionths, 1..1,000,000; the prizes' chances
     *  add up to at most 1,000,000 (the rest is "no prize"). */
    int64_t odds_ppm;
    /** Most of this prize won per local day over the whole store, 0 for no
     *  cap; a draw that lands on a prize whose cap is used up wins
     *  nothing. */
    int64_t daily_cap;
    /** Days the prize stays redeemable, 1..3660; 0: never expires. */
    int valid_days;
} lty_prize;

/** @brief The window within which earnings count toward a tier. */
typedef enum lty_window_kind {
    LTY_WINDOW_LIFETIME = 1,      /**< Everything ever earned. */
    LTY_WINDOW_ROLLING = 2,       /**< The last @c window_days local days. */
    LTY_WINDOW_CALENDAR_YEAR = 3  /**< The current local calendar year. */
} lty_window_kind;

/** @brief When a tier can be lost. */
typedef enum lty_downgrade_policy {
    /** Never: the highest tier reached is kept for good. */
    LTY_DOWNGRADE_NEVER = 1,
    /** When its validity (the end of the next period, plus grace) ends
     *  without requalifying. */
    LTY_DOWNGRADE_PERIOD_END = 2,
    /** Only when a refund takes back the earnings that qualified. */
    LTY_DOWNGRADE_ON_REFUND = 3
} lty_downgrade_policy;

/** @brief When a points earning expires. */
typedef enum lty_expiry_kind {
    LTY_EXPIRY_NEVER = 1,        /**< Never. */
    LTY_EXPIRY_AFTER_DAYS = 2,   /**< At the end of the local day @c expiry_days after. */
    LTY_EXPIRY_END_OF_MONTH = 3, /**< At the end of the local month of the earning. */
    LTY_EXPIRY_END_OF_YEAR = 4   /**< At the end of the local year of the earning. */
} lty_expiry_kind;

/** @brief The version of #lty_program_def this header describes. */
#define LTY_PROGRAM_DEF_VERSION 2

/**
 * @brief A program definition.
 *
 * Fields that do not apply to the kind must stay at their
 * #LTY_PROGRAM_DEF_INIT value, or lty_program_define() fails naming them.
 *
 * | field                          | ladder   | stars    | points   |
 * |--------------------------------|----------|----------|----------|
 * | steps, step_count              | required | -        | -        |
 * | rules, rule_count              | -        | required | required |
 * | tiers, tier_count              | -        | required | optional |
 * | window, window_days            | -        | yes      | yes      |
 * | downgrade, grace_days, downgrade_notice_days | - | yes | yes |
 * | expiry, expiry_days, lock_days, expiry_notice_days | - | - | yes |
 *
 * A draw program takes only @c prizes and @c prize_count (and @c medical).
 */
typedef struct lty_program_def {
    /** Must be #LTY_PROGRAM_DEF_VERSION. */
    unsigned int version;
    /** Required: the program's id, 1..#LTY_ID_MAX printable UTF-8 bytes. */
    const char *id;
    /** Required: the display name, 1..#LTY_TITLE_MAX bytes. */
    const char *name;
    /** The kind. */
    lty_program_kind kind;
    /** Non-zero for a medical program: only #LTY_REWARD_SERVICE rewards
     *  are allowed (no money, no discounts on care). */
    int medical;

    /** Ladder: the steps, 1..#LTY_PROGRAM_STEPS_MAX. */
    const lty_ladder_step *steps;
    /** Number of @c steps. */
    size_t step_count;

    /** Currency: the earn rules, 1..#LTY_PROGRAM_RULES_MAX. */
    const lty_earn_rule *rules;
    /** Number of @c rules. */
    size_t rule_count;
    /** Currency: the tiers, 0..#LTY_PROGRAM_TIERS_MAX (stars need >= 1). */
    const lty_tier *tiers;
    /** Number of @c tiers. */
    size_t tier_count;
    /** The qualification window (default #LTY_WINDOW_LIFETIME when 0). */
    lty_window_kind window;
    /** #LTY_WINDOW_ROLLING only: the window in days, 1..3660. */
    int window_days;
    /** The downgrade policy (default #LTY_DOWNGRADE_NEVER when 0). */
    lty_downgrade_policy downgrade;
    /** #LTY_DOWNGRADE_PERIOD_END: days a tier is kept after its period,
     *  0..366. */
    int grace_days;
    /** #LTY_DOWNGRADE_PERIOD_END: days before a downgrade that
     *  lty_programs_tick() plans the notice, 0..366 (0: no notice). */
    int downgrade_notice_days;

    /** Points: when each earning expires (default #LTY_EXPIRY_NEVER). */
    lty_expiry_kind expiry;
    /** #LTY_EXPIRY_AFTER_DAYS: days, 1..3660. */
    int expiry_days;
    /** Points: days an earning stays locked (the return window), 0..366;
     *  locked points can be neither spent nor count toward a tier. */
    int lock_days;
    /** Points: days before expiry that lty_programs_tick() plans the
     *  "expiring soon" notice, 0..366 (0: no notice). */
    int expiry_notice_days;

    /** Draw: the prizes, 1..#LTY_PROGRAM_PRIZES_MAX. */
    const lty_prize *prizes;
    /** Number of @c prizes. */
    size_t prize_count;

    /** Version 2: the template of the staff notice planned at every
     *  promotion (a ladder step or a higher tier; channel
     *  #LTY_CHANNEL_STAFF, params {title} {tier}), or NULL for
     *  "program_promotion". */
    const char *staff_template;
    /** Version 2: the template of a message to the customer at every
     *  promotion (transactional, the customer's channel), or NULL for
     *  none. */
    const char *promotion_template;
    /** Version 2: the template of the downgrade notice (params {tier}
     *  {date}) and of the expiring-points notice (params {points} {date}),
     *  both transactional messages to the customer, or NULL for
     *  "program_notice". */
    const char *notice_template;
} lty_program_def;

/** @brief Initialiser for #lty_program_def. */
#define LTY_PROGRAM_DEF_INIT {LTY_PROGRAM_DEF_VERSION, NULL, NULL, \
    (lty_program_kind)0, 0, NULL, 0, NULL, 0, NULL, 0, \
    (lty_window_kind)0, 0, (lty_downgrade_policy)0, 0, 0, \
    (lty_expiry_kind)0, 0, 0, 0, NULL, 0, NULL, NULL, NULL}

/**
 * @brief Define a program, or change the definition of an existing one.
 *
 * The definition is checked whole before anything is stored: steps and
 * thresholds ascending, the first tier at 0, rates and days in range, no
 * cash-equivalent reward in a medical program, no field that does not apply
 * to the kind.  A program defined again with the same id keeps its
 * customers' states and gets the next definition version; its kind cannot
 * change (#LTY_ESTATE).
 *
 * @param[in] e    The engine.
 * @param[in] def  The definition (copied; nothing is retained).
 * @return #LTY_OK; #LTY_EINVALID naming the field (e.g. "tiers[2] threshold:
 *         not above the previous tier's"); #LTY_ESTATE (the kind differs
 *         from the stored definition's); #LTY_ERANGE (more than
 *         #LTY_PROGRAMS_MAX programs); #LTY_EVERSION; #LTY_ENOMEM; storage
 *         errors.
 */
LTY_API int lty_program_define(lty_engine *e, const lty_program_def *def);

/**
 * @brief Define every program of an INI-style text file.
 *
 * The format (one <tt>[program ID]</tt> section per program, with
 * <tt>[step]</tt>, <tt>[earn]</tt>, <tt>[tier]</tt> and <tt>[prize]</tt>
 * subsections) is in docs/guide/programs-file.md with a complete example
 * of each kind.  All
 * programs of the file are defined in one transaction, or none.
 *
 * @param[in] e     The engine.
 * @param[in] path  The file.
 * @return #LTY_OK; #LTY_EPARSE (a syntax error, an unknown key, a duplicate
 *         key or section) or #LTY_EINVALID (a value or definition rule):
 *         the message begins with "FILE:LINE:" and names the key; #LTY_ESTORAGE
 *         when the file cannot be read; the codes of lty_program_define().
 */
LTY_API int lty_program_load_file(lty_engine *e, const char *path);

/**
 * @brief lty_program_load_file() from text in memory.
 *
 * @param[in] e       The engine.
 * @param[in] text    The text (need not be NUL-terminated).
 * @param[in] len     Its length in bytes.
 * @param[in] origin  What to call the text in messages ("programs.ini"), or
 *                    NULL for "(text)".
 * @return As lty_program_load_file().
 */
LTY_API int lty_program_load_text(lty_engine *e, const char *text, size_t len,
                                  const char *origin);

/** @brief What lty_program_info() tells about a program. */
typedef struct lty_program_info {
    /** The kind. */
    lty_program_kind kind;
    /** The definition version, 1 for the first definition. */
    int64_t def_version;
    /** The display name. */
    char name[LTY_TITLE_MAX + 1];
    /** Steps (ladder) or tiers (currency). */
    size_t levels;
} lty_program_info;

/**
 * @brief Describe a stored program.
 *
 * @param[in]  e    The engine.
 * @param[in]  id   The program's id.
 * @param[out] out  Filled on success.
 * @return #LTY_OK; #LTY_ENOTFOUND; #LTY_EINVALID; storage errors;
 *         #LTY_ECORRUPT.
 */
LTY_API int lty_program_info_get(lty_engine *e, const char *id,
                                 lty_program_info *out);

/**
 * @brief List the ids of the stored programs, in byte order.
 *
 * @param[in]  e      The engine.
 * @param[out] ids    Array of @p cap buffers of #LTY_ID_MAX + 1 bytes each,
 *                    filled with the first @p cap ids (may be NULL if @p cap
 *                    is 0).
 * @param[in]  cap    Size of @p ids.
 * @param[out] count  The number of programs (may exceed @p cap).
 * @return #LTY_OK; #LTY_EINVALID; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_program_list(lty_engine *e, char (*ids)[LTY_ID_MAX + 1],
                             size_t cap, size_t *count);

/** @brief The version of #lty_program_status this header describes. */
#define LTY_PROGRAM_STATUS_VERSION 1

/**
 * @brief A customer's standing in one program.  Set @c version before the
 *        call (#LTY_PROGRAM_STATUS_INIT).
 */
typedef struct lty_program_status {
    /** Set by the caller: #LTY_PROGRAM_STATUS_VERSION. */
    unsigned int version;
    /** The program's kind. */
    lty_program_kind kind;
    /** Ladder: counted visits.  Currency: 0. */
    int64_t visits;
    /** Ladder: the step reached (0-based), -1 before the first.  Currency:
     *  the tier (0-based), -1 without tiers. */
    int level;
    /** The title or tier name; empty before the first step. */
    char title[LTY_TITLE_MAX + 1];
    /** The next step's title or the next tier's name; empty at the top. */
    char next_title[LTY_TITLE_MAX + 1];
    /** Ladder: visits still needed for the next step.  Currency: earnings
     *  within the window still needed for the next tier.  0 at the top. */
    int64_t to_next;
    /** Currency: the balance (spendable; negative is a debt that later
     *  earnings repay). */
    int64_t balance;
    /** Points: earned but still locked (not spendable, not counted). */
    int64_t locked;
    /** Currency: earned within the current window (net of refunds). */
    int64_t earned_window;
    /** Currency: earned in all (net of refunds). */
    int64_t earned_lifetime;
    /** Currency: the time the tier ends unless requalified;
     *  #LTY_TIME_NONE when it does not end. */
    int64_t tier_until;
    /** Points: the earliest expiry among the unspent points, and how many
     *  expire then; #LTY_TIME_NONE and 0 when none expire. */
    int64_t next_expiry;
    /** Points expiring at @c next_expiry. */
    int64_t next_expiry_amount;
} lty_program_status;

/** @brief "No such time": a tier or points that do not expire. */
#define LTY_TIME_NONE INT64_MAX

/** @brief Initialiser for #lty_program_status. */
#define LTY_PROGRAM_STATUS_INIT {LTY_PROGRAM_STATUS_VERSION, \
    (lty_program_kind)0, 0, -1, "", "", 0, 0, 0, 0, 0, 0, 0, 0}

/**
 * @brief A customer's standing in a program, as of the engine's clock.
 *
 * A customer with no activity in the program gets the starting standing
 * (the first tier, no title).  Tiers past their validity and points past
 * their expiry are shown as lty_programs_tick() would leave them.
 *
 * @param[in]  e            The engine.
 * @param[in]  customer_id  The customer.
 * @param[in]  program_id   The program.
 * @param[out] out          Filled on success (set @c version first).
 * @return #LTY_OK; #LTY_ENOTFOUND (customer or program); #LTY_EINVALID;
 *         #LTY_EVERSION; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_program_status_get(lty_engine *e, const char *customer_id,
                                   const char *program_id,
                                   lty_program_status *out);

/** @brief Kinds of entries in a customer's program history. */
typedef enum lty_program_log_kind {
    /** A ladder step reached: @c title is the new title.  This is the
     *  staff's cue to prepare the promotion party. */
    LTY_PLOG_PROMOTED = 1,
    /** A higher tier reached: @c title is the tier. */
    LTY_PLOG_TIER_UP = 2,
    /** A tier lost: @c title is the tier now held. */
    LTY_PLOG_TIER_DOWN = 3,
    /** A reward issued by a tier rule: @c title, @c code; @c amount is the
     *  stars or points it spent. */
    LTY_PLOG_REWARD = 4,
    /** A draw: @c title and @c code of the prize, both empty when it won
     *  nothing. */
    LTY_PLOG_DRAW = 5,
    /** Points expired: @c amount. */
    LTY_PLOG_EXPIRED = 6,
    /** The tier will be lost at @c amount (a time) unless requalified:
     *  @c title is the tier. */
    LTY_PLOG_DOWNGRADE_NOTICE = 7,
    /** @c amount points will expire at the entry's @c due time. */
    LTY_PLOG_EXPIRY_NOTICE = 8,
    /** Stars or points credited outside an event (a referral's credit or
     *  welcome perk, referral.h): @c amount; @c code is the cause
     *  ("referral/7"). */
    LTY_PLOG_CREDIT = 9,
    /** A credit taken back (a reversed referral): @c amount is what was
     *  taken back (the balance may go into debt, as after a refund);
     *  @c code is the credit's cause. */
    LTY_PLOG_DEBIT = 10
} lty_program_log_kind;

/** @brief One entry of a customer's program history. */
typedef struct lty_program_log_entry {
    /** When it happened (the event's time, or the tick's). */
    int64_t time;
    /** The program. */
    char program_id[LTY_ID_MAX + 1];
    /** What happened. */
    lty_program_log_kind kind;
    /** A title, tier, reward or prize name, or empty. */
    char title[LTY_TITLE_MAX + 1];
    /** A reward code; for #LTY_PLOG_CREDIT and #LTY_PLOG_DEBIT the
     *  credit's cause; or empty. */
    char code[LTY_ID_MAX + 1];
    /** #LTY_PLOG_PROMOTED: the step's counted visits; rewards, expiries,
     *  expiry notices, credits and debits: the stars or points; else 0. */
    int64_t amount;
    /** Notices: when the downgrade or expiry happens; else 0. */
    int64_t due;
} lty_program_log_entry;

/**
 * @brief A customer's program history, oldest first.
 *
 * @param[in]  e            The engine.
 * @param[in]  customer_id  The customer.
 * @param[out] out          Array of @p cap entries (may be NULL when @p cap
 *                          is 0).
 * @param[in]  cap          Size of @p out.
 * @param[out] count        The number of entries (may exceed @p cap; only
 *                          the first @p cap are filled).
 * @return #LTY_OK; #LTY_ENOTFOUND (customer); #LTY_EINVALID; storage
 *         errors; #LTY_ECORRUPT.
 */
LTY_API int lty_program_history(lty_engine *e, const char *customer_id,
                                lty_program_log_entry *out, size_t cap,
                                size_t *count);

/**
 * @brief Spend points (or stars) of a currency program.
 *
 * Draws on the unlocked earnings that expire first.  The spend is recorded
 * under @p spend_id (an idempotency key like an event id): spending again
 * with the same id changes nothing.  When @p for_event names a purchase,
 * refunding that purchase gives the spent points back in proportion, so a
 * purchase paid with points is never deducted twice.
 *
 * @param[in] e            The engine.
 * @param[in] customer_id  The customer.
 * @param[in] program_id   A stars or points program.
 * @param[in] spend_id     The idempotency key, 1..#LTY_ID_MAX bytes.
 * @param[in] amount       1..balance.
 * @param[in] for_event    The purchase paid with the points, or NULL.
 * @return #LTY_OK; #LTY_ERANGE (more than the spendable balance);
 *         #LTY_EEXISTS (the id was used for a different spend);
 *         #LTY_ENOTFOUND; #LTY_EINVALID; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_points_spend(lty_engine *e, const char *customer_id,
                             const char *program_id, const char *spend_id,
                             int64_t amount, const char *for_event);

/**
 * @brief Expire, unlock and downgrade what is due, for every customer.
 *
 * Run it once a day (or more often): points past their expiry leave the
 * balances, locked points whose return window ended unlock, tiers past
 * their validity are downgraded by policy.  Each customer is one
 * transaction, so an interrupted tick is finished by the next one.
 *
 * @param[in]  e        The engine.
 * @param[in]  now      The time to tick to, or #LTY_TIME_NOW.
 * @param[out] changed  Customers whose state changed (may be NULL).
 * @return #LTY_OK; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_programs_tick(lty_engine *e, int64_t now, size_t *changed);

/**
 * @brief Recompute program states from the ledger.
 *
 * Replays the customer's events (or every customer's, with NULL) in time
 * order through the current definitions, with the spends recorded by
 * lty_points_spend(), and replaces the stored states.  Rewards already
 * issued by the same rule keep their codes and states; no notice is planned
 * for the past.  Use it after an import of old events or a changed rule.
 *
 * @param[in] e            The engine.
 * @param[in] customer_id  One customer, or NULL for all.
 * @return #LTY_OK; #LTY_ENOTFOUND; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_programs_rebuild(lty_engine *e, const char *customer_id);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_PROGRAM_H */
