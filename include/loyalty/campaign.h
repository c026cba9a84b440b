/*
 * libloyalty - campaigns: definition, targeting, eligibility and launch
 * with a control group.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file campaign.h
 * @brief Define a campaign (target, channel, template, offer, budget,
 *        control group), count who is eligible and why others are not, and
 *        launch it: treatment and control assigned by a deterministic hash,
 *        the treatment group's messages planned into the outbox.
 *
 * Measure it afterwards: response rates of the treatment and control
 * groups, uplift with a 90% interval, incremental revenue and realised
 * ROI (lty_campaign_measure()).
 *
 * Simulate it before launch: expected responders from the store's past
 * campaigns on the same channel, expected revenue, costs and ROI with a
 * 90% interval (lty_campaign_simulate()).
 *
 * The guide (docs/guide/campaigns.md) gives the rules.
 *
 * **Threads.**  The engine rules apply: one thread at a time per engine.
 */
#ifndef LOYALTY_CAMPAIGN_H
#define LOYALTY_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>

#include "loyalty/common.h"
#include "loyalty/engine.h"
#include "loyalty/program.h"
#include "loyalty/rfm.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Longest campaign id, in bytes (message ids
 *         "campaign/<id>/<customer>" must fit #LTY_MESSAGE_ID_MAX). */
#define LTY_CAMPAIGN_ID_MAX 48
/** @brief Most RFM segments, and most tags, one target lists. */
#define LTY_CAMPAIGN_LIST_MAX 16

/** @brief The version of #lty_campaign_def this header describes. */
#define LTY_CAMPAIGN_DEF_VERSION 1

/**
 * @brief A campaign: who it targets, what it sends, what it may spend.
 *
 * Start from #LTY_CAMPAIGN_DEF_INIT (no target bounds, marketing, a 10%
 * control group, a 14-day attribution window), optionally apply a preset
 * (lty_campaign_preset_vip(), lty_campaign_preset_winback(),
 * lty_campaign_preset_birthday()), then fill in the id, name and template.
 * Target criteria combine with AND; a bound of 0 (or an empty list) does
 * not restrict.
 * With an @c offer_kind, every treatment member is issued a reward at
 * launch (source #LTY_REWARD_BY_CAMPAIGN, named after the campaign, worth
 * @c offer_value, valid @c offer_valid_days); its code is in the
 * membership (lty_campaign_member_get()).
 */
typedef struct lty_campaign_def {
    /** Must be #LTY_CAMPAIGN_DEF_VERSION. */
    unsigned int version;
    /** 1..#LTY_CAMPAIGN_ID_MAX printable bytes, no '/'. */
    const char *id;
    /** 1..#LTY_TITLE_MAX bytes of UTF-8, one line. */
    const char *name;
    /** RFM segment names (the customer's stored latest segment,
     *  lty_rfm_customer_get(), must be one of them), or NULL. */
    const char *const *segments;
    /** Number of @c segments, 0..#LTY_CAMPAIGN_LIST_MAX. */
    size_t segment_count;
    /** Lowest stored R score, 0 (no bound) or 1..9; likewise below. */
    int r_min;
    /** Highest stored R score, 0 or r_min..9. */
    int r_max;
    /** Lowest stored F score. */
    int f_min;
    /** Highest stored F score. */
    int f_max;
    /** Lowest stored M score. */
    int m_min;
    /** Highest stored M score. */
    int m_max;
    /** Whole days since the last visit or purchase at least this
     *  (0: no bound; a customer who never visited does not match a bound). */
    int days_since_visit_min;
    /** Whole days since the last visit or purchase at most this (0: no
     *  bound). */
    int days_since_visit_max;
    /** Birthday in this month, 1..12 (0: any). */
    int birthday_month;
    /** Tags: the customer has at least one of them, or NULL. */
    const char *const *tags;
    /** Number of @c tags, 0..#LTY_CAMPAIGN_LIST_MAX. */
    size_t tag_count;
    /** Lowest stored P(alive) (lty_clv_customer_get()), 0..1. */
    double p_alive_min;
    /** Highest stored P(alive), p_alive_min..1.  A range narrower than
     *  0..1 needs stored figures. */
    double p_alive_max;
    /** The channel, or #LTY_CHANNEL_NONE for the customer's preferred (then
     *  any consented channel with a valid address). */
    lty_channel channel;
    /** The template, 1..#LTY_MESSAGE_ID_MAX printable bytes. */
    const char *template_id;
    /** #LTY_PURPOSE_MARKETING (0 means it too) or
     *  #LTY_PURPOSE_TRANSACTIONAL. */
    lty_purpose purpose;
    /** The offer's reward kind, or 0 for no offer. */
    lty_reward_kind offer_kind;
    /** The offer's value in minor units (the template's {amount}), >= 0. */
    int64_t offer_value;
    /** What one offer costs the business, minor units, >= 0. */
    int64_t offer_cost;
    /** What one message costs, minor units, >= 0. */
    int64_t cost_per_message;
    /** Most messages over every launch, 0 for no cap. */
    int64_t max_messages;
    /** Most money (messages times cost per message plus offer cost) over
     *  every launch, 0 for no cap. */
    int64_t max_money;
    /** Share of the eligible customers held out as the control group,
     *  0..0.9 (default 0.1), in steps of 0.0001. */
    double control_share;
    /** Days after the send a response counts, 1..365 (default 14). */
    int attribution_days;
    /** The program whose title (ladder) or tier (stars, points) @c titles
     *  name, or NULL.  It must be defined when the campaign is counted or
     *  launched. */
    const char *program_id;
    /** Titles or tier names: the customer's current one in @c program_id
     *  (as lty_program_status_get() gives it) must be one of them, or NULL.
     *  Needs @c program_id. */
    const char *const *titles;
    /** Number of @c titles, 0..#LTY_CAMPAIGN_LIST_MAX. */
    size_t title_count;
    /** Days the offer's reward stays redeemable, 0..3660 (0: it never
     *  expires).  Used only with an @c offer_kind. */
    int offer_valid_days;
} lty_campaign_def;

/** @brief Initialiser for #lty_campaign_def. */
#define LTY_CAMPAIGN_DEF_INIT {LTY_CAMPAIGN_DEF_VERSION, NULL, NULL, NULL, 0, \
    0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0.0, 1.0, LTY_CHANNEL_NONE, NULL, \
    LTY_PURPOSE_MARKETING, (lty_reward_kind)0, 0, 0, 0, 0, 0, 0.1, 14, NULL, \
    NULL, 0, 30}

/**
 * @brief Preset: VIP, the RFM segment "Champions".
 * @param[in,out] def  A definition (its target is replaced).
 * @return #LTY_OK; #LTY_EINVALID (NULL).
 */
LTY_API int lty_campaign_preset_vip(lty_campaign_def *def);

/**
 * @brief Preset: win-back.  With @p lapsed_days 0, the RFM segments
 *        "At Risk" and "Can't Lose Them"; otherwise customers whose last
 *        visit is at least @p lapsed_days days ago.
 * @param[in,out] def          A definition (its target is replaced).
 * @param[in]     lapsed_days  0, or 1..36600.
 * @return #LTY_OK; #LTY_EINVALID.
 */
LTY_API int lty_campaign_preset_winback(lty_campaign_def *def,
                                        int lapsed_days);

/**
 * @brief Preset: birthday month.
 * @param[in,out] def    A definition (its target is replaced).
 * @param[in]     month  1..12.
 * @return #LTY_OK; #LTY_EINVALID.
 */
LTY_API int lty_campaign_preset_birthday(lty_campaign_def *def, int month);

/**
 * @brief Store a campaign definition (store-wide), replacing an earlier
 *        one of the same id.  Strings are copied.
 *
 * Memberships of earlier launches stay; a replaced definition applies to
 * the next eligibility count or launch.
 *
 * @param[in] e    The engine.
 * @param[in] def  The definition.
 * @return #LTY_OK; #LTY_EINVALID naming the field; #LTY_EVERSION; storage
 *         errors.
 */
LTY_API int lty_campaign_define(lty_engine *e, const lty_campaign_def *def);

/** @brief The version of #lty_campaign_report this header describes. */
#define LTY_CAMPAIGN_REPORT_VERSION 1

/**
 * @brief Counts of an eligibility check or a launch.
 *
 * Every customer of the store is counted once: in @c members (already in
 * the campaign from an earlier launch, left as they are), in @c eligible,
 * or in one exclusion, tested in the order the fields are listed.
 */
typedef struct lty_campaign_report {
    /** Set by the caller: #LTY_CAMPAIGN_REPORT_VERSION. */
    unsigned int version;
    /** Customers looked at (every customer with a profile). */
    uint64_t customers;
    /** Already members from an earlier launch. */
    uint64_t members;
    /** Excluded: the target does not match. */
    uint64_t not_in_target;
    /** Excluded: no consent for the channel (marketing only). */
    uint64_t no_consent;
    /** Excluded: no address for the channel, or it is invalid (bounces)
     *  or suppressed for marketing (unopened e-mails). */
    uint64_t contact_invalid;
    /** Excluded: the budget cap was reached before them. */
    uint64_t over_budget;
    /** Eligible and within the budget: @c treatment + @c control. */
    uint64_t eligible;
    /** Of the eligible, in (or, for eligibility, would be in) the
     *  treatment group. */
    uint64_t treatment;
    /** Of the eligible, in the control group. */
    uint64_t control;
    /** Launch only: messages planned by this call (equal to @c treatment). */
    uint64_t planned;
    /** Money the new treatment members cost (messages and offers). */
    int64_t cost;
} lty_campaign_report;

/** @brief Initialiser for #lty_campaign_report. */
#define LTY_CAMPAIGN_REPORT_INIT {LTY_CAMPAIGN_REPORT_VERSION, 0, 0, 0, 0, 0, \
    0, 0, 0, 0, 0, 0}

/**
 * @brief Count who a launch now would reach, and who not and why.
 *
 * Reads only.  Uses the engine's clock for days since the last visit, and
 * the same rules and order as lty_campaign_launch(), including the budget
 * left after earlier launches.  Consent and hygiene mirror the outbox
 * policy; the dispatcher still decides each message when it is due.
 *
 * @param[in]  e            The engine.
 * @param[in]  campaign_id  The campaign.
 * @param[in,out] out       Filled; its @c version must be set.
 * @return #LTY_OK; #LTY_ENOTFOUND (campaign); #LTY_EINVALID; #LTY_EVERSION;
 *         #LTY_ECORRUPT; #LTY_ENOMEM; storage errors.
 */
LTY_API int lty_campaign_eligibility(lty_engine *e, const char *campaign_id,
                                     lty_campaign_report *out);

/**
 * @brief Launch (or relaunch) a campaign, in one transaction.
 *
 * Customers are taken in id byte order.  Each eligible customer who is not
 * yet a member is assigned to the control group when a hash of (campaign
 * id, customer id) falls under the control share, else to the treatment
 * group, whose message "campaign/<id>/<customer>" is planned due @p now.
 * Membership (group, launch time) is recorded for both groups.  When the
 * budget cap is reached, every further eligible customer is counted as
 * over budget and not recorded, so a later launch with a larger budget can
 * reach them.  Members are never assigned or messaged again.
 *
 * @param[in]  e            The engine.
 * @param[in]  campaign_id  The campaign.
 * @param[in]  now          The launch time, or #LTY_TIME_NOW.
 * @param[in,out] out       Filled; its @c version must be set (may be NULL).
 * @return #LTY_OK; #LTY_ENOTFOUND (campaign); #LTY_EINVALID; #LTY_EVERSION;
 *         #LTY_ECORRUPT; #LTY_ENOMEM; #LTY_ERANGE; storage errors.
 */
LTY_API int lty_campaign_launch(lty_engine *e, const char *campaign_id,
                                int64_t now, lty_campaign_report *out);

/** @brief A customer's group in a campaign. */
typedef enum lty_campaign_group {
    LTY_CAMPAIGN_TREATMENT = 1, /**< Messaged. */
    LTY_CAMPAIGN_CONTROL = 2    /**< Held out: never messaged by the campaign. */
} lty_campaign_group;

/** @brief The version of #lty_campaign_member this header describes. */
#define LTY_CAMPAIGN_MEMBER_VERSION 1

/** @brief A customer's membership of a campaign. */
typedef struct lty_campaign_member {
    /** Set by the caller: #LTY_CAMPAIGN_MEMBER_VERSION. */
    unsigned int version;
    /** The group. */
    lty_campaign_group group;
    /** When the launch that assigned the customer ran. */
    int64_t launched_at;
    /** The customer's stored RFM segment at launch; empty when the
     *  customer had no stored scores.  Measurement and simulation group
     *  customers by it. */
    char segment[LTY_TITLE_MAX + 1];
    /** Treatment members of a campaign with an offer: the code of the
     *  reward issued at launch; otherwise empty. */
    char reward_code[LTY_ID_MAX + 1];
} lty_campaign_member;

/** @brief Initialiser for #lty_campaign_member. */
#define LTY_CAMPAIGN_MEMBER_INIT {LTY_CAMPAIGN_MEMBER_VERSION, \
    (lty_campaign_group)0, 0, "", ""}

/**
 * @brief A customer's membership of a campaign.
 * @param[in]  e            The engine.
 * @param[in]  campaign_id  The campaign.
 * @param[in]  customer_id  The customer.
 * @param[in,out] out       Filled; its @c version must be set.
 * @return #LTY_OK; #LTY_ENOTFOUND (not a member); #LTY_EINVALID;
 *         #LTY_EVERSION; #LTY_ECORRUPT; storage errors.
 */
LTY_API int lty_campaign_member_get(lty_engine *e, const char *campaign_id,
                                    const char *customer_id,
                                    lty_campaign_member *out);

/** @brief Most segment rows of a result or forecast: every RFM segment
 *         plus one for customers without stored scores. */
#define LTY_CAMPAIGN_SEGMENTS_MAX (LTY_RFM_SEGMENTS_MAX + 1)

/**
 * @brief What a campaign did among some of its members (all of them, or
 *        the members of one segment).
 * Rates are responders divided by members of the group (0 for an empty
 * group).  Amounts are minor units.
 */
typedef struct lty_campaign_figures {
    /** Treatment members whose message was sent (the measured group). */
    uint64_t treatment;
    /** Treatment members whose message was not sent (not yet, suppressed,
     *  dead, cancelled or gone): left out of every figure. */
    uint64_t unsent;
    /** Control members. */
    uint64_t control;
    /** Measured treatment members with a response. */
    uint64_t treatment_responders;
    /** Control members with a response. */
    uint64_t control_responders;
    /** treatment_responders / treatment. */
    double treatment_rate;
    /** control_responders / control. */
    double control_rate;
    /** treatment_rate - control_rate. */
    double uplift;
    /** Lower end of the 90% interval of the uplift (normal approximation
     *  of the difference of two proportions; -1 with an empty group). */
    double uplift_low;
    /** Upper end of that interval (1 with an empty group). */
    double uplift_high;
    /** Net purchase amounts (less refunds so far) of the measured treatment
     *  members inside their windows. */
    int64_t treatment_revenue;
    /** Likewise for the control members. */
    int64_t control_revenue;
    /** treatment_revenue - control_revenue * treatment / control (the
     *  control group's revenue scaled to the treatment group's size; with
     *  no control members, treatment_revenue). */
    double incremental_revenue;
    /** Messages sent times (cost per message + offer cost). */
    int64_t cost;
    /** (incremental_revenue - cost) / cost; 0 when cost is 0. */
    double roi;
} lty_campaign_figures;

/** @brief The figures of the members of one segment. */
typedef struct lty_campaign_segment_figures {
    /** The segment (the member's stored RFM segment at launch); empty for
     *  members who had no stored scores. */
    char segment[LTY_TITLE_MAX + 1];
    /** Their figures. */
    lty_campaign_figures figures;
} lty_campaign_segment_figures;

/** @brief The version of #lty_campaign_result this header describes. */
#define LTY_CAMPAIGN_RESULT_VERSION 2

/**
 * @brief What a campaign did, measured by lty_campaign_measure() and kept
 *        for lty_campaign_result_get().
 */
typedef struct lty_campaign_result {
    /** Set by the caller: #LTY_CAMPAIGN_RESULT_VERSION. */
    unsigned int version;
    /** The measurement time. */
    int64_t measured_at;
    /** All members. */
    lty_campaign_figures overall;
    /** Segment rows in use, 0..#LTY_CAMPAIGN_SEGMENTS_MAX. */
    size_t segment_count;
    /** One row per segment with members, in segment-name byte order (the
     *  row of members without scores, named "", first). */
    lty_campaign_segment_figures segments[LTY_CAMPAIGN_SEGMENTS_MAX];
} lty_campaign_result;

/** @brief Initialiser for #lty_campaign_result (the rest zero). */
#define LTY_CAMPAIGN_RESULT_INIT {LTY_CAMPAIGN_RESULT_VERSION, 0, {0}, 0, {{"", {0}}}}

/**
 * @brief Measure a campaign's response, uplift, revenue and ROI, overall
 *        and per segment, and keep the result.
 * A response is a visit or purchase at a time t with start < t <= start +
 * the attribution window and t <= @p now, where start is the message's send
 * time for a treatment member and the launch time for a control member.
 * The definition in force gives the window and the costs.  The result is
 * stored (replacing an earlier measurement): lty_campaign_result_get()
 * reads it back, and lty_campaign_simulate() of other campaigns on the same
 * channel learns each segment's response rate from it.
 * @param[in]  e            The engine.
 * @param[in]  campaign_id  The campaign.
 * @param[in]  now          The measurement time, or #LTY_TIME_NOW.
 * @param[in,out] out       Filled; its @c version must be set (may be NULL
 *                          to only store the result).
 * @return #LTY_OK; #LTY_ENOTFOUND (campaign); #LTY_EINVALID; #LTY_EVERSION;
 *         #LTY_ECORRUPT; #LTY_ENOMEM; #LTY_ERANGE; storage errors.
 */
LTY_API int lty_campaign_measure(lty_engine *e, const char *campaign_id,
                                 int64_t now, lty_campaign_result *out);

/**
 * @brief The campaign's last stored measurement.
 * The figures are recomputed from the stored counts with the definition in
 * force (its costs).
 * @param[in]  e            The engine.
 * @param[in]  campaign_id  The campaign.
 * @param[in,out] out       Filled; its @c version must be set.
 * @return #LTY_OK; #LTY_ENOTFOUND (campaign, or never measured: the message
 *         says which); #LTY_EINVALID; #LTY_EVERSION; #LTY_ECORRUPT;
 *         storage errors.
 */
LTY_API int lty_campaign_result_get(lty_engine *e, const char *campaign_id,
                                    lty_campaign_result *out);

/** @brief Monte Carlo draws behind the ROI interval of a forecast. */
#define LTY_CAMPAIGN_SIMULATION_DRAWS 2000

/** @brief The forecast for the eligible customers of one segment. */
typedef struct lty_campaign_segment_forecast {
    /** The segment (the customer's stored RFM segment); empty for
     *  customers without stored scores. */
    char segment[LTY_TITLE_MAX + 1];
    /** Eligible customers the hash puts in the treatment group. */
    uint64_t treatment;
    /** Measured treatment members of this segment with a response, in the
     *  stored results of the store's other campaigns on the same channel. */
    uint64_t history_responders;
    /** Those without one. */
    uint64_t history_nonresponders;
    /** The segment's prior (2m, 2(1 - m)), m the channel's pooled posterior
     *  mean (see #lty_campaign_forecast). */
    double prior_alpha;
    /** Second parameter of the prior. */
    double prior_beta;
    /** prior_alpha + history_responders. */
    double posterior_alpha;
    /** prior_beta + history_nonresponders. */
    double posterior_beta;
    /** posterior_alpha / (posterior_alpha + posterior_beta). */
    double response_rate;
    /** treatment * response_rate. */
    double expected_responders;
    /** The segment's eligible customers' net spend divided by their
     *  purchases (0 with no purchases). */
    double spend_per_purchase;
    /** expected_responders * spend_per_purchase. */
    double expected_revenue;
    /** Control members of this segment with a response, in the same
     *  history. */
    uint64_t history_control_responders;
    /** Those without one. */
    uint64_t history_control_nonresponders;
    /** The posterior mean of the rate without the message: the control
     *  rate, with the prior built the same way from the channel's pooled
     *  control rate. */
    double control_rate;
    /** treatment * (response_rate - control_rate): the responders the
     *  message is expected to add (negative when it is expected to lose
     *  some). */
    double expected_incremental_responders;
} lty_campaign_segment_forecast;

/** @brief The version of #lty_campaign_forecast this header describes. */
#define LTY_CAMPAIGN_FORECAST_VERSION 2

/**
 * @brief What a launch now is expected to do, by lty_campaign_simulate().
 * History is the stored results (lty_campaign_measure()) of the store's
 * other campaigns with the same channel.  Pooled over their segments, the
 * response rate has the stated prior Beta(1, 1) and the posterior
 * Beta(1 + R, 1 + N) with mean m (R responders and N non-responders).
 * Each segment's rate has the prior Beta(2m, 2(1 - m)), the pooled mean
 * worth two observations, updated by that segment's own responders and
 * non-responders; with no history at all every segment's posterior is
 * Beta(1, 1).  The control groups of the same campaigns give the rate
 * without the message the same way; the difference is the incremental
 * forecast (expected_incremental_revenue, incremental_roi), comparable
 * with what lty_campaign_measure() realises.  Amounts are minor units.
 */
typedef struct lty_campaign_forecast {
    /** Set by the caller: #LTY_CAMPAIGN_FORECAST_VERSION. */
    unsigned int version;
    /** The eligibility counts, as lty_campaign_eligibility() gives them;
     *  the forecast is for @c eligibility.treatment customers. */
    lty_campaign_report eligibility;
    /** 1 when past campaigns contributed measured members (treatment or
     *  control); 0 when the forecast rests on the priors alone. */
    int from_history;
    /** Other campaigns with the same channel whose stored results have
     *  measured members (treatment or control). */
    uint64_t history_campaigns;
    /** Their measured treatment members with a response (all segments). */
    uint64_t history_responders;
    /** Those without one. */
    uint64_t history_nonresponders;
    /** The pooled prior's first parameter (1). */
    double prior_alpha;
    /** The pooled prior's second parameter (1). */
    double prior_beta;
    /** prior_alpha + history_responders. */
    double posterior_alpha;
    /** prior_beta + history_nonresponders. */
    double posterior_beta;
    /** expected_responders / eligibility.treatment (the pooled posterior
     *  mean when there is nobody to send to). */
    double response_rate;
    /** The sum of the segments' expected responders. */
    double expected_responders;
    /** expected_revenue / expected_responders (0 with none). */
    double spend_per_purchase;
    /** The sum of the segments' expected revenue. */
    double expected_revenue;
    /** eligibility.treatment * (cost per message + offer cost). */
    double cost;
    /** (expected_revenue - cost) / cost; 0 when cost is 0. */
    double roi;
    /** Lower end of the 90% interval of the ROI (5th percentile of the
     *  draws; 0 when cost is 0). */
    double roi_low;
    /** Upper end (95th percentile). */
    double roi_high;
    /** Control members of the history with a response (all segments). */
    uint64_t history_control_responders;
    /** Those without one. */
    uint64_t history_control_nonresponders;
    /** The sum of the segments' expected incremental responders. */
    double expected_incremental_responders;
    /** The sum over segments of expected incremental responders times
     *  spend per purchase: what the campaign is expected to add. */
    double expected_incremental_revenue;
    /** (expected_incremental_revenue - cost) / cost; 0 when cost is 0.  The
     *  figure to compare with a measurement's realised ROI. */
    double incremental_roi;
    /** Lower end of the 90% interval of the incremental ROI. */
    double incremental_roi_low;
    /** Upper end. */
    double incremental_roi_high;
    /** Segment rows in use, 0..#LTY_CAMPAIGN_SEGMENTS_MAX. */
    size_t segment_count;
    /** One row per segment with eligible treatment customers, in
     *  segment-name byte order. */
    lty_campaign_segment_forecast segments[LTY_CAMPAIGN_SEGMENTS_MAX];
} lty_campaign_forecast;

/** @brief Initialiser for #lty_campaign_forecast (the rest zero). */
#define LTY_CAMPAIGN_FORECAST_INIT {LTY_CAMPAIGN_FORECAST_VERSION, \
    LTY_CAMPAIGN_REPORT_INIT, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, \
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, \
    {{"", 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0.0, 0.0}}}

/**
 * @brief Forecast a launch at the engine's clock: eligible customers per
 *        segment, expected responders, revenue, costs and ROI with a 90%
 *        interval.
 * Reads only.  The same store and seed give the same forecast.  The draws:
 * for each of #LTY_CAMPAIGN_SIMULATION_DRAWS, every segment's rate from its
 * posterior and its responders from a binomial, revenue at the segment's
 * spend per purchase; the interval is the 5th and 95th percentiles of the
 * draws' ROI.
 * @param[in]  e            The engine.
 * @param[in]  campaign_id  The campaign.
 * @param[in]  seed         Seed of the draws (any value).
 * @param[in,out] out       Filled; its @c version must be set.
 * @return #LTY_OK; #LTY_ENOTFOUND (campaign); #LTY_EINVALID; #LTY_EVERSION;
 *         #LTY_ECORRUPT; #LTY_ENOMEM; #LTY_ERANGE; storage errors.
 */
LTY_API int lty_campaign_simulate(lty_engine *e, const char *campaign_id,
                                  uint64_t seed, lty_campaign_forecast *out);

/**
 * @brief Read a campaign's definition back.
 * @param[in]  e            The engine.
 * @param[in]  campaign_id  The campaign.
 * @param[out] out          On success, a definition in one allocation
 *                          (its strings and lists inside it), which the
 *                          caller frees with lty_free(); NULL on failure.
 * @return #LTY_OK; #LTY_ENOTFOUND; #LTY_EINVALID; #LTY_ECORRUPT;
 *         #LTY_ENOMEM; storage errors.
 */
LTY_API int lty_campaign_get(lty_engine *e, const char *campaign_id,
                             lty_campaign_def **out);

/**
 * @brief Called by lty_campaign_list() for each campaign.
 * @param id        The campaign id (valid during the call).
 * @param name      Its name (valid during the call).
 * @param measured  1 when a measurement is stored, else 0.
 * @param userdata  As passed to lty_campaign_list().
 * @return 0 to go on; anything else stops the listing, and
 *         lty_campaign_list() returns it.
 */
typedef int (*lty_campaign_list_fn)(const char *id, const char *name,
                                    int measured, void *userdata);

/**
 * @brief List the defined campaigns in id byte order.
 * @param[in] e         The engine.
 * @param[in] each      Called once per campaign.
 * @param[in] userdata  Passed to @p each.
 * @return #LTY_OK; what @p each returned to stop; #LTY_EINVALID;
 *         #LTY_ECORRUPT; #LTY_ENOMEM; storage errors.
 */
LTY_API int lty_campaign_list(lty_engine *e, lty_campaign_list_fn each,
                              void *userdata);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_CAMPAIGN_H */
