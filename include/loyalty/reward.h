/*
 * libloyalty - rewards and coupons.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file reward.h
 * @brief Issue, list and redeem rewards and coupons.
 *
 * A reward is a coupon with a code: issued by a program rule (a Gold drink
 * every 12 stars, a draw prize), by a campaign or by hand.  It is redeemed
 * exactly once: when two front desks redeem the same code at the same
 * moment, one succeeds and the other gets #LTY_ESTATE.  A reward past its
 * expiry cannot be redeemed.
 *
 * Codes issued by rules are derived from what caused them (program, event,
 * sequence number), so replaying an event or rebuilding a program never
 * issues a second coupon.
 */
#ifndef LOYALTY_REWARD_H
#define LOYALTY_REWARD_H

#include "common.h"
#include "engine.h"
#include "program.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Where a reward came from. */
typedef enum lty_reward_source {
    LTY_REWARD_BY_RULE = 1,     /**< A tier's reward rule. */
    LTY_REWARD_BY_DRAW = 2,     /**< A draw prize. */
    LTY_REWARD_BY_CAMPAIGN = 3, /**< A campaign. */
    LTY_REWARD_BY_HAND = 4      /**< Staff, through lty_reward_issue(). */
} lty_reward_source;

/** @brief A reward's state. */
typedef enum lty_reward_state {
    LTY_REWARD_ISSUED = 1,   /**< Redeemable (unless expired). */
    LTY_REWARD_REDEEMED = 2, /**< Used. */
    LTY_REWARD_VOID = 3      /**< Withdrawn with lty_reward_void().  A refund does not void the rewards its purchase paid for. */
} lty_reward_state;

/** @brief The version of #lty_reward_spec this header describes. */
#define LTY_REWARD_SPEC_VERSION 1

/** @brief What lty_reward_issue() issues. */
typedef struct lty_reward_spec {
    /** Must be #LTY_REWARD_SPEC_VERSION. */
    unsigned int version;
    /** The code, 1..#LTY_ID_MAX printable UTF-8 bytes; unique in the store. */
    const char *code;
    /** The customer it is issued to. */
    const char *customer_id;
    /** The program it belongs to, or NULL. */
    const char *program_id;
    /** The reward's name, 1..#LTY_TITLE_MAX bytes. */
    const char *name;
    /** The kind (a medical program refuses cash-equivalent kinds). */
    lty_reward_kind kind;
    /** Value in minor units, >= 0. */
    int64_t value;
    /** Days it stays redeemable, 0..3660 (0: it never expires). */
    int valid_days;
    /** #LTY_REWARD_BY_HAND or #LTY_REWARD_BY_CAMPAIGN. */
    lty_reward_source source;
} lty_reward_spec;

/** @brief Initialiser for #lty_reward_spec. */
#define LTY_REWARD_SPEC_INIT {LTY_REWARD_SPEC_VERSION, NULL, NULL, NULL, NULL, \
    (lty_reward_kind)0, 0, 0, LTY_REWARD_BY_HAND}

/** @brief The version of #lty_reward this header describes. */
#define LTY_REWARD_VERSION 1

/** @brief A reward as stored.  Set @c version before a call that fills it. */
typedef struct lty_reward {
    /** Set by the caller: #LTY_REWARD_VERSION. */
    unsigned int version;
    /** The code. */
    char code[LTY_ID_MAX + 1];
    /** The customer. */
    char customer_id[LTY_ID_MAX + 1];
    /** The program, or empty. */
    char program_id[LTY_ID_MAX + 1];
    /** The name. */
    char name[LTY_TITLE_MAX + 1];
    /** The kind. */
    lty_reward_kind kind;
    /** The value in minor units. */
    int64_t value;
    /** Where it came from. */
    lty_reward_source source;
    /** The state. */
    lty_reward_state state;
    /** When it was issued. */
    int64_t issued;
    /** When it expires, or #LTY_TIME_NONE. */
    int64_t expires;
    /** When it was redeemed or voided, or 0. */
    int64_t closed;
} lty_reward;

/** @brief Initialiser for #lty_reward. */
#define LTY_REWARD_INIT {LTY_REWARD_VERSION, "", "", "", "", \
    (lty_reward_kind)0, 0, (lty_reward_source)0, (lty_reward_state)0, 0, 0, 0}

/**
 * @brief Issue a reward by hand or for a campaign.
 *
 * @param[in] e     The engine.
 * @param[in] spec  What to issue (copied).
 * @return #LTY_OK; #LTY_EEXISTS (the code is taken); #LTY_ENOTFOUND
 *         (customer or program); #LTY_EINVALID naming the field (also a
 *         cash-equivalent kind in a medical program); #LTY_EVERSION;
 *         storage errors.
 */
LTY_API int lty_reward_issue(lty_engine *e, const lty_reward_spec *spec);

/**
 * @brief Redeem a reward, exactly once.
 *
 * @param[in] e     The engine.
 * @param[in] code  The reward's code.
 * @param[in] when  The time of redemption, or #LTY_TIME_NOW.
 * @return #LTY_OK; #LTY_ESTATE (already redeemed, void, or expired: the
 *         message says which); #LTY_ENOTFOUND; #LTY_EINVALID; storage
 *         errors; #LTY_ECORRUPT.
 */
LTY_API int lty_reward_redeem(lty_engine *e, const char *code, int64_t when);

/**
 * @brief Withdraw an issued reward.
 *
 * @param[in] e     The engine.
 * @param[in] code  The reward's code.
 * @return #LTY_OK; #LTY_ESTATE (not in the issued state); #LTY_ENOTFOUND;
 *         #LTY_EINVALID; storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_reward_void(lty_engine *e, const char *code);

/**
 * @brief Read a reward.
 *
 * @param[in]  e     The engine.
 * @param[in]  code  The code.
 * @param[out] out   Filled on success (set @c version first).
 * @return #LTY_OK; #LTY_ENOTFOUND; #LTY_EINVALID; #LTY_EVERSION; storage
 *         errors; #LTY_ECORRUPT.
 */
LTY_API int lty_reward_get(lty_engine *e, const char *code, lty_reward *out);

/**
 * @brief List a customer's rewards, in code order.
 *
 * @param[in]  e            The engine.
 * @param[in]  customer_id  The customer.
 * @param[out] out          Array of @p cap rewards, each with @c version
 *                          set (may be NULL when @p cap is 0).
 * @param[in]  cap          Size of @p out.
 * @param[out] count        How many rewards the customer has (may exceed
 *                          @p cap; only the first @p cap are filled).
 * @return #LTY_OK; #LTY_ENOTFOUND (customer); #LTY_EINVALID; #LTY_EVERSION;
 *         storage errors; #LTY_ECORRUPT.
 */
LTY_API int lty_reward_list(lty_engine *e, const char *customer_id,
                            lty_reward *out, size_t cap, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_REWARD_H */
