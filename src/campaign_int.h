/*
 * libloyalty - campaigns: what the campaign modules share.
 *
 *   campaign_def.c       presets, checking, storing and reading definitions
 *   campaign_member.c    membership records
 *   campaign_target.c    does a customer match the target, can we reach them
 *   campaign_launch.c    the pass shared by eligibility, launch, simulation
 *   campaign_measure.c   measurement and the stored results
 *   campaign_simulate.c  the forecast
 *
 * Keys (docs/guide/record-format.md):
 *   K\0<campaign id>             the definition (kind 29, version 1)
 *   C\0<customer>\0Q<campaign>   membership (kind 30, version 1): group,
 *                                launch time, segment at launch, reward
 *                                code; no personal data, moved by erasure
 *   U\0<campaign id>             the last measurement (kind 31, version 1):
 *                                counts per segment, channel
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_CAMPAIGN_INT_H
#define LTY_CAMPAIGN_INT_H

#include "loyalty/campaign.h"

#include "engine_int.h"
#include "codec_int.h"
#include "customer_int.h"
#include "keys_int.h"
#include "outbox_record.h"
#include "plan_int.h"

#define LTY__SHARE_SCALE 10000

/* A definition as stored (strings copied). */
typedef struct lty__campaign {
    char name[LTY_TITLE_MAX + 1];
    size_t nseg;
    char seg[LTY_CAMPAIGN_LIST_MAX][LTY_TITLE_MAX + 1];
    int r_min, r_max, f_min, f_max, m_min, m_max;
    int days_min, days_max, month;
    size_t ntag;
    char tag[LTY_CAMPAIGN_LIST_MAX][LTY_LABEL_MAX + 1];
    double pa_min, pa_max;
    lty_channel channel;
    char template_id[LTY_MESSAGE_ID_MAX + 1];
    lty_purpose purpose;
    int offer_kind;
    int64_t offer_value, offer_cost, cost_per_message;
    int64_t max_messages, max_money;
    int control_bps;           /* share in 1/10000 */
    int attribution_days;
    char program[LTY_ID_MAX + 1]; /* empty: no title target */
    size_t ntitle;
    char title[LTY_CAMPAIGN_LIST_MAX][LTY_TITLE_MAX + 1];
    int offer_valid_days;
} lty__campaign;

/* --- campaign_def.c --- */
LTY_INTERNAL int lty__campaign_check_id(lty_engine *e, const char *id,
                                        size_t *n);
/* Read and decode a definition; LTY_ENOTFOUND with a message. */
LTY_INTERNAL int lty__campaign_load(lty_engine *e, const char *id, size_t n,
                                    lty__campaign *c);
/* Every campaign id, NUL-separated, in byte order (caller releases). */
LTY_INTERNAL int lty__campaign_ids(lty_engine *e, lty_buf *ids);

/* --- campaign_member.c --- */
typedef struct lty__member {
    int group;                 /* 0: not a member */
    int64_t launched;
    char segment[LTY_TITLE_MAX + 1];
    char reward[LTY_ID_MAX + 1];
} lty__member;

LTY_INTERNAL void lty__campaign_member_key(lty__key *k, const char *cid,
                                           size_t cn, const char *id,
                                           size_t n);
LTY_INTERNAL int lty__campaign_member_encode(const lty__member *m,
                                             lty_buf *out);
/* m->group is 0 when the customer is no member. */
LTY_INTERNAL int lty__campaign_member_load(lty_engine *e, const char *cid,
                                           size_t cn, const char *id,
                                           size_t n, lty__member *m);

/* --- campaign_target.c --- */
enum { LTY__REACH_OK = 0, LTY__REACH_CONSENT, LTY__REACH_CONTACT };

/* Does the customer match the target at `now`?  *match 0 or 1.  `segment`
 * receives the customer's stored RFM segment ("" without scores). */
LTY_INTERNAL int lty__campaign_target(lty_engine *e, const lty__campaign *c,
                                      const char *cid, size_t cn,
                                      const lty__profile *p, int64_t now,
                                      int *match,
                                      char segment[LTY_TITLE_MAX + 1]);
/* LTY__REACH_*: can the campaign's message reach the customer? */
LTY_INTERNAL int lty__campaign_reach(lty_engine *e, const lty__campaign *c,
                                     const char *cid, size_t cn,
                                     const lty__profile *p, int *status);

/* --- campaign_launch.c --- */
/* "campaign/<campaign>/<customer>", escaped as every message id. */
LTY_INTERNAL void lty__campaign_message_id(lty__msgid *m, const char *id,
                                           size_t n, const char *cid,
                                           size_t cn);

/* The eligible customers of one segment, as a pass adds them up for the
 * simulation. */
typedef struct lty__pass_segment {
    char name[LTY_TITLE_MAX + 1];
    uint64_t treatment;
    double spend, purchases;
} lty__pass_segment;

typedef struct lty__pass {
    const char *id;
    size_t idlen;
    int launch;
    int64_t now;
    lty__campaign c;
    lty_campaign_report r;
    lty_buf prof;
    int simulate;              /* add up the eligible customers by segment */
    size_t nseg;
    lty__pass_segment seg[LTY_CAMPAIGN_SEGMENTS_MAX];
} lty__pass;

/* Inside a transaction: count (and with p->launch, launch). */
LTY_INTERNAL int lty__campaign_pass(lty_engine *e, lty__pass *p);

/* --- campaign_measure.c --- */
/* The counts a measurement keeps for one segment. */
typedef struct lty__seg_counts {
    char name[LTY_TITLE_MAX + 1];
    uint64_t treatment, unsent, control;
    uint64_t treatment_responders, control_responders;
    int64_t treatment_revenue, control_revenue;
} lty__seg_counts;

typedef struct lty__results {
    int64_t measured_at;
    lty_channel channel;
    size_t nseg;
    lty__seg_counts seg[LTY_CAMPAIGN_SEGMENTS_MAX];
} lty__results;

/* The stored results of a campaign; LTY_ENOTFOUND (no message) when it was
 * never measured. */
LTY_INTERNAL int lty__campaign_results_load(lty_engine *e, const char *id,
                                            size_t n, lty__results *out);

/* The slot of `name` in a sorted table of n entries of `size` bytes whose
 * first member is the name: found (*found 1) or where to insert it. */
LTY_INTERNAL size_t lty__campaign_seg_slot(const void *table, size_t n,
                                           size_t size, const char *name,
                                           int *found);
/* The row of `name` in such a table of capacity LTY_CAMPAIGN_SEGMENTS_MAX,
 * inserted zeroed (but for the name) in name order when absent; SIZE_MAX
 * when the table is full. */
LTY_INTERNAL size_t lty__campaign_seg_row(void *table, size_t *n, size_t size,
                                          const char *name);

#endif /* LTY_CAMPAIGN_INT_H */
