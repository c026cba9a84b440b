/*
 * libloyalty - internal: referral records, the engine's copy of the
 * referral policy, and the hooks the ledger, the appointments and erasure
 * call (referral.c, referral_record.c).
 *
 * Keys (docs/guide/record-format.md, "Referrals"):
 *
 *   M\0referrals                  the store's referral policy (kind 23)
 *   M\0referral-seq               the last referral number given (kind 6)
 *   R\0<referred id>              the referral (kind 24)
 *   C\0<referrer id>\0F<referred> the referrer's list entry (empty value)
 *   C\0<referrer id>\0N           the referrer's recent registrations, for
 *                                 the cap (kind 25)
 *
 * What a referral gives goes through the programs and the rewards: program
 * credits "C\0<id>\0R<cause>" (program_apply.c) with the causes
 * "referral/<n>" (the referrer's credit) and "referral/<n>/welcome" (the
 * friend's perk), and rewards with the codes lty__reward_code("referral",
 * cause, 0) and (..., 1).  The referral's number n, not a customer id, is
 * in those keys, so erasing either customer leaves nothing that names them.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_REFERRAL_INT_H
#define LTY_REFERRAL_INT_H

#include "engine_int.h"
#include "keys_int.h"
#include "loyalty/event.h"
#include "loyalty/referral.h"

#define LTY__REFERRAL_POLICY_VERSION 1u
#define LTY__REFERRAL_VERSION 1u
#define LTY__REFERRAL_TIMES_VERSION 1u

/* Registrations remembered per referrer for the cap: the newest
 * LTY_REFERRAL_CAP_MAX within LTY_REFERRAL_DAYS_MAX days, whatever the
 * policy says now, so that a cap set later counts earlier ones. */
#define LTY__REFERRAL_TIMES_MAX LTY_REFERRAL_CAP_MAX

/* What a referral gave one customer. */
typedef struct lty__given {
    int kind;                        /* lty_referral_gift_kind */
    char program[LTY_ID_MAX + 1];
    int64_t amount;
    char code[LTY_ID_MAX + 1];
    int lost;
} lty__given;

/* A referral as stored ("R\0<referred>"), with copies of its texts. */
typedef struct lty__referral {
    char referrer[LTY_ID_MAX + 1];
    size_t rn;
    uint64_t number;
    int stage;                       /* lty_referral_stage */
    int64_t registered, booked, completed, credited, reversed;
    char event[LTY_ID_MAX + 1];      /* the qualifying event, "" */
    size_t evn;
    int64_t amount;                  /* of the qualifying purchase */
    int64_t minimum;                 /* min_purchase at completion */
    int64_t reversible_until;        /* 0: cannot be reversed */
    lty__given credit, welcome;
} lty__referral;

/* A referrer's recent registration times, oldest first. */
typedef struct lty__referral_times {
    size_t n;
    int64_t t[LTY__REFERRAL_TIMES_MAX];
} lty__referral_times;

/* Records: LTY_OK, LTY_ENOMEM, LTY_ERANGE; decoding LTY_ECORRUPT or
 * LTY_EVERSION.  A decoded policy passes every check of
 * lty_referral_policy_set() but the programs' (they may change). */
LTY_INTERNAL int lty__referral_policy_encode(const lty_referral_policy *p,
                                             lty_buf *out, lty_buf *scratch);
LTY_INTERNAL int lty__referral_policy_decode(const void *data, size_t len,
                                             lty_referral_policy *p);
LTY_INTERNAL int lty__referral_encode(const lty__referral *r, lty_buf *out,
                                      lty_buf *scratch);
LTY_INTERNAL int lty__referral_decode(const void *data, size_t len,
                                      lty__referral *r);
LTY_INTERNAL int lty__referral_times_encode(const lty__referral_times *t,
                                            lty_buf *out);
LTY_INTERNAL int lty__referral_times_decode(const void *data, size_t len,
                                            lty__referral_times *t);

/* The checks of lty_referral_policy_set() that need no store (messages
 * name the field); with e NULL, only the verdict. */
LTY_INTERNAL int lty__referral_policy_check(lty_engine *e,
                                            const lty_referral_policy *p);

/* Keys. */
LTY_INTERNAL void lty__key_referral(lty__key *k, const char *referred,
                                    size_t n);
LTY_INTERNAL void lty__key_referral_entry(lty__key *k, const char *referrer,
                                          size_t rn, const char *referred,
                                          size_t n);

/* The engine's copy of "M\0referrals", valid while its revision is. */
typedef struct lty__referral_cache {
    uint64_t rev;
    lty_referral_policy policy;
} lty__referral_cache;

/* Inside a transaction: the current policy (the default when none is
 * stored), copied into *out. */
LTY_INTERNAL int lty__referral_policy_current(lty_engine *e,
                                              lty_referral_policy *out);
/* Free the engine's cache (engine teardown). */
LTY_INTERNAL void lty__referrals_release(lty_engine *e);

/* ------------------------------------------------------------------ */
/* Hooks                                                               */
/* ------------------------------------------------------------------ */

/* A recorded event as the referrals see it. */
typedef struct lty__referral_event {
    const char *cid;
    size_t cn;
    const char *evid;
    size_t en;
    lty_event_type type;
    int64_t time;
    int64_t amount;
    const char *refund_of;           /* refunds */
    size_t rn;
    int64_t purchase_amount;         /* refunds: of the refunded purchase */
    int64_t refunded_before;         /* refunds: refunded of it before */
} lty__referral_event;

/*
 * The ledger's hook (event.c), inside the record transaction, for a new
 * (not duplicate) visit, purchase or refund, after the programs' hook: a
 * qualifying visit or purchase of a referred customer completes the
 * referral and credits it; a refund of the qualifying purchase within the
 * window reverses it.  One read ("R\0<id>") for a customer nobody
 * referred.
 */
LTY_INTERNAL int lty__referral_on_event(lty_engine *e,
                                        const lty__referral_event *ev);

/* The appointments' hook (appointment.c), inside the booking transaction
 * of a new appointment of cid: a registered referral becomes booked. */
LTY_INTERNAL int lty__referral_on_booked(lty_engine *e, const char *cid,
                                         size_t cn, int64_t now);

/* Erasure (customer_rekey.c), inside the erase transaction:
 * - the referral of the erased customer as the referred moves from
 *   "R\0<from>" to "R\0<to>", its referrer's list entry and the messages
 *   about it ("referral/<from>/...") are renamed likewise;
 * - for each list entry "F<referred>" of the erased customer as the
 *   referrer, the referral names `to` as its referrer (the entry itself is
 *   the caller's to move). */
LTY_INTERNAL int lty__referral_rekey_referred(lty_engine *e, const char *from,
                                              size_t fn, const char *to,
                                              size_t tn);
LTY_INTERNAL int lty__referral_rekey_referrer(lty_engine *e,
                                              const char *referred, size_t n,
                                              const char *from, size_t fn,
                                              const char *to, size_t tn);

#endif /* LTY_REFERRAL_INT_H */
