/*
 * libloyalty - internal: program definitions as the engine keeps them, the
 * per-customer program state, and the hooks the ledger calls.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_PROGRAM_INT_H
#define LTY_PROGRAM_INT_H

#include "engine_int.h"
#include "loyalty/event.h"
#include "loyalty/message.h"
#include "loyalty/program.h"
#include "loyalty/reward.h"

#define LTY__PROGRAMS_VERSION 1
#define LTY__PSTATE_VERSION 1

/* A definition, with its own copies of every string. */
typedef struct lty__step {
    int64_t visits;
    char title[LTY_TITLE_MAX + 1];
} lty__step;

typedef struct lty__rule {
    lty_earn_kind kind;
    int64_t per_amount;
    int64_t earn;
    char item[LTY_CODE_MAX + 1];
} lty__rule;

typedef struct lty__tierdef {
    char name[LTY_TITLE_MAX + 1];
    int64_t threshold;
    int multiplier_pct;
    int64_t reward_every;
    char reward_name[LTY_TITLE_MAX + 1];
    lty_reward_kind reward_kind;
    int64_t reward_value;
    int reward_valid_days;
} lty__tierdef;

typedef struct lty__prizedef {
    char name[LTY_TITLE_MAX + 1];
    lty_reward_kind kind;
    int64_t value;
    int64_t odds_ppm;
    int64_t daily_cap;
    int valid_days;
} lty__prizedef;

typedef struct lty__program {
    char id[LTY_ID_MAX + 1];
    size_t idlen;
    char name[LTY_TITLE_MAX + 1];
    lty_program_kind kind;
    int medical;
    int64_t def_version;
    size_t nsteps, nrules, ntiers, nprizes;
    lty__step steps[LTY_PROGRAM_STEPS_MAX];
    lty__rule rules[LTY_PROGRAM_RULES_MAX];
    lty__tierdef tiers[LTY_PROGRAM_TIERS_MAX];
    lty__prizedef prizes[LTY_PROGRAM_PRIZES_MAX];
    lty_window_kind window;
    int window_days;
    lty_downgrade_policy downgrade;
    int grace_days;
    int downgrade_notice_days;
    lty_expiry_kind expiry;
    int expiry_days;
    int lock_days;
    int expiry_notice_days;
    /* the templates of the messages the program plans (message.h) */
    char staff_template[LTY_MESSAGE_ID_MAX + 1];
    char promotion_template[LTY_MESSAGE_ID_MAX + 1]; /* "": none */
    char notice_template[LTY_MESSAGE_ID_MAX + 1];
} lty__program;

/* The engine's copy of the store's program registry ("M\0programs"),
 * valid while the record's revision is unchanged. */
typedef struct lty__pstates lty__pstates;

typedef struct lty__programs {
    uint64_t rev;              /* 0: nothing loaded */
    size_t n;
    lty__program *p;           /* n definitions, in id order */
    lty__pstates *scratch;     /* states of the event being recorded */
} lty__programs;

/*
 * Define every program of defs[0..n) in one transaction (the config file
 * loader's path; lty_program_define() is n = 1).  Each definition is checked
 * whole first; on a failure *failed is the index of the definition at fault
 * (n when the failure is not about one definition) and the engine's last
 * error names the field without the program's position.
 */
LTY_INTERNAL int lty__program_define_all(lty_engine *e,
                                         const lty_program_def *defs,
                                         size_t n, size_t *failed);

/* Inside a transaction: the current definitions (read through the cache;
 * *out is valid until the next call that may reload it). */
LTY_INTERNAL int lty__programs_current(lty_engine *e, const lty__programs **out);
/* One definition by id, or NULL. */
LTY_INTERNAL const lty__program *lty__program_find(const lty__programs *ps,
                                                   const char *id, size_t n);
/* A customer's status in a program at `now`, as lty_program_status_get()
 * gives it, without writing anything (points.c).  out->version is set. */
LTY_INTERNAL int lty__program_status(lty_engine *e, const lty__program *p,
                                     const char *cid, size_t cn, int64_t now,
                                     lty_program_status *out);
/* Free the engine's cache (engine teardown). */
LTY_INTERNAL void lty__programs_release(lty_engine *e);

/* ------------------------------------------------------------------ */
/* Per-customer state ("C\0<id>\0G")                                   */
/* ------------------------------------------------------------------ */

/* Points of one (expiry, unlock) pair: earnings that expire and unlock
 * together are kept as one lot. */
typedef struct lty__lot {
    int64_t expires;           /* LTY_TIME_NONE: never */
    int64_t unlocks;           /* 0: unlocked */
    int64_t amount;            /* > 0 */
} lty__lot;

/* Earnings of one local day (rolling windows). */
typedef struct lty__bucket {
    int64_t day;
    int64_t amount;            /* may be 0 or negative after refunds */
} lty__bucket;

typedef struct lty__pstate {
    char program[LTY_ID_MAX + 1];
    size_t plen;
    int64_t def_version;       /* of the definition last applied */
    /* ladder */
    int step;                  /* -1 before the first */
    /* currency */
    int64_t balance;           /* may be negative: a debt */
    int64_t earned_lifetime;   /* unlocked, net of refunds */
    int64_t year;              /* calendar-year window: the year of ... */
    int64_t earned_year;       /* ... these earnings */
    int tier;                  /* current tier, -1 without tiers */
    int peak;                  /* highest tier reached */
    int64_t until[LTY_PROGRAM_TIERS_MAX]; /* validity of each tier */
    int64_t noticed_until;     /* the validity a downgrade notice was planned for */
    size_t nlots, caplots;
    lty__lot *lots;            /* by expiry, then unlock */
    size_t nbuckets, capbuckets;
    lty__bucket *buckets;      /* by day */
    int64_t expiry_noticed;    /* the expiry a notice was planned for */
} lty__pstate;

struct lty__pstates {
    const lty_allocator *a;
    size_t n, cap;             /* states in use; slots allocated */
    lty__pstate *s;
};

LTY_INTERNAL void lty__pstates_init(lty__pstates *ss, const lty_allocator *a);
LTY_INTERNAL void lty__pstates_release(lty__pstates *ss);
/* Empty the set, keeping its memory for the next customer. */
LTY_INTERNAL void lty__pstates_reset(lty__pstates *ss);
/* The state of a program (created at its starting point when absent). */
LTY_INTERNAL int lty__pstates_get(lty__pstates *ss, const lty__program *p,
                                  lty__pstate **out);
LTY_INTERNAL int lty__pstates_encode(const lty__pstates *ss, lty_buf *out);
LTY_INTERNAL int lty__pstates_decode(const void *data, size_t len,
                                     lty__pstates *ss);
/* Lots and buckets. */
LTY_INTERNAL int lty__pstate_add_lot(lty__pstates *ss, lty__pstate *s,
                                     int64_t expires, int64_t unlocks,
                                     int64_t amount);
LTY_INTERNAL int lty__pstate_add_bucket(lty__pstates *ss, lty__pstate *s,
                                        int64_t day, int64_t amount);

/* Load / store a customer's states inside a transaction. */
LTY_INTERNAL int lty__pstates_load(lty_engine *e, const char *cid, size_t cn,
                                   lty__pstates *ss, uint64_t *rev);
LTY_INTERNAL int lty__pstates_store(lty_engine *e, const char *cid, size_t cn,
                                    const lty__pstates *ss, uint64_t rev);

/* ------------------------------------------------------------------ */
/* Hooks from the ledger                                               */
/* ------------------------------------------------------------------ */

/* What a purchase earned in each currency program, and the points spent
 * on it: kept in the purchase's ledger entry (lty__entry.earnings), so a
 * refund takes back exactly that and gives back what was spent on it. */
typedef struct lty__earning {
    char program[LTY_ID_MAX + 1];
    size_t plen;
    int64_t earned;
    int64_t expires;           /* the lot it went into */
    int64_t unlocks;
    int64_t day;               /* local day it counted on */
    int64_t spent;             /* points spent on this purchase */
} lty__earning;

typedef struct lty__earnings {
    size_t n;
    lty__earning e[LTY_PROGRAMS_MAX];
} lty__earnings;

/* Write x as the entry's earnings field into out (LTY__EARNINGS_MAX
 * bytes, ledger_int.h); returns the length, 0 for none. */
LTY_INTERNAL size_t lty__earnings_write(const lty__earnings *x,
                                        unsigned char *out);
/* Read an entry's earnings field (len 0: none). */
LTY_INTERNAL int lty__earnings_read(const void *data, size_t len,
                                    lty__earnings *x);
LTY_INTERNAL lty__earning *lty__earnings_find(lty__earnings *x,
                                              const char *program);

/* What an event did to the programs, for the record outcome. */
typedef struct lty__program_effects {
    int promotions;            /* steps and tier rises */
    int rewards;               /* rewards issued */
    char title[LTY_TITLE_MAX + 1]; /* the last promotion's title or tier */
} lty__program_effects;

/* The event as the programs see it. */
typedef struct lty__program_event {
    const char *cid;
    size_t cn;
    const char *evid;
    size_t en;
    lty_event_type type;
    int64_t time;
    int64_t day;               /* local day */
    int64_t amount;
    const char *item;
    size_t itemlen;
    int visit_counted;
    int64_t visits;            /* counted visits after the event */
    /* refunds */
    const char *refund_of;
    size_t rn;
    int64_t purchase_amount;   /* of the refunded purchase */
    int64_t refunded_before;   /* refunded of it before this refund */
    const lty__earnings *refunded; /* what the refunded purchase earned */
    lty__earnings *earned;     /* purchases: filled with what it earns */
    int replay;                /* lty_programs_rebuild(): no notices */
} lty__program_event;


/* Calendar: the last second of a local day; when an earning made at t
 * expires (LTY_TIME_NONE: never). */
LTY_INTERNAL int lty__local_day_end(lty_engine *e, int64_t day, int64_t *out);
LTY_INTERNAL int lty__points_expiry(lty_engine *e, const lty__program *p,
                                    int64_t t, int64_t *out);

/* Add an entry to the customer's program history (idempotent per cause). */
LTY_INTERNAL int lty__plog_add(lty_engine *e, const char *cid, size_t cn,
                               int64_t time, const lty__pstate *s,
                               lty_program_log_kind kind, const char *cause,
                               size_t causelen, const char *title,
                               const char *code, int64_t amount, int64_t due);

/* Take amount off the unlocked lots, earliest expiry first; returns what
 * they could not cover.  amount 0 only drops emptied lots. */
LTY_INTERNAL int64_t lty__lots_take(lty__pstate *s, int64_t now, int64_t amount);

/* Move a currency state to now: unlock, expire, roll the window, settle a
 * period-end tier.  History entries are written when write_log is set. */
LTY_INTERNAL int lty__pstate_advance(lty_engine *e, const lty__program *p,
                                     lty__pstates *ss, lty__pstate *s,
                                     int64_t now, const char *cid, size_t cn,
                                     int write_log, int *changed);

/* Apply one event to loaded states (the record hook and the rebuild);
 * *touched says whether any state changed. */
LTY_INTERNAL int lty__programs_apply(lty_engine *e, const lty__programs *ps,
                                     lty__pstates *ss,
                                     const lty__program_event *ev,
                                     lty__program_effects *fx, int *touched);

/* A points spend ("C\0<id>\0S<spend id>"). */
typedef struct lty__spend {
    char program[LTY_ID_MAX + 1];
    int64_t amount;
    int64_t time;
    char for_event[LTY_ID_MAX + 1];
} lty__spend;

LTY_INTERNAL int lty__spend_decode(const void *data, size_t len, lty__spend *sp);
/* Take a spend off a loaded state at `now` (LTY_ERANGE beyond the balance). */
LTY_INTERNAL int lty__spend_apply(lty_engine *e, const lty__program *p,
                                  lty__pstates *ss, lty__pstate *s, int64_t now,
                                  int64_t amount, const char *cid, size_t cn);

/* ------------------------------------------------------------------ */
/* Credits outside an event ("C\0<id>\0R<cause>", program_apply.c)     */
/* ------------------------------------------------------------------ */

/* Stars or points credited by another module (a referral's credit or
 * welcome perk), and whether they were taken back.  The cause is the
 * idempotency key: 1..LTY_ID_MAX bytes of one line. */
typedef struct lty__credit {
    char program[LTY_ID_MAX + 1];
    int64_t amount;            /* > 0 */
    int64_t time;              /* when credited */
    int64_t taken;             /* when taken back; 0: not taken back */
} lty__credit;

LTY_INTERNAL int lty__credit_decode(const void *data, size_t len,
                                    lty__credit *c);

/*
 * Inside a transaction: credit `amount` (1..1,000,000,000) of the stars or
 * points program `program` to customer cid at `time`, as an earning that
 * is not locked and has no multiplier: one lot expiring by the program's
 * rule, counted toward the tiers, a history entry (LTY_PLOG_CREDIT), a
 * tier reached (with its notices) and rewards by rule as an earning would
 * give.  Idempotent per cause: the same cause with the same program and
 * amount again changes nothing; with another program or amount it is
 * LTY_EEXISTS.  LTY_ENOTFOUND (program), LTY_EINVALID (not a stars or
 * points program, bad cause or amount), LTY_ERANGE, storage errors.
 */
LTY_INTERNAL int lty__program_credit(lty_engine *e, const char *program,
                                     const char *cid, size_t cn,
                                     int64_t amount, const char *cause,
                                     size_t causelen, int64_t time);

/*
 * Inside a transaction: take back, at `time`, what the credit `cause` of
 * customer cid gave: out of its lot while it is there, else out of the
 * balance, which may go into debt (as a refund does); the tier is settled
 * again for programs that downgrade on refunds; a history entry
 * (LTY_PLOG_DEBIT).  Idempotent: a credit already taken back is left alone
 * (*taken = 0).  *taken (may be NULL) receives what was taken back.
 * LTY_ENOTFOUND (no such credit), storage errors.
 */
LTY_INTERNAL int lty__program_debit(lty_engine *e, const char *cid, size_t cn,
                                    const char *cause, size_t causelen,
                                    int64_t time, int64_t *taken);

/* The credit and its taking back applied to loaded states (the two calls
 * above and lty_programs_rebuild(); replay: no messages). */
LTY_INTERNAL int lty__credit_apply(lty_engine *e, const lty__program *p,
                                   lty__pstates *ss, lty__pstate *s,
                                   const char *cid, size_t cn,
                                   const char *cause, size_t causelen,
                                   int64_t amount, int64_t time, int replay);
LTY_INTERNAL int lty__debit_apply(lty_engine *e, const lty__program *p,
                                  lty__pstates *ss, lty__pstate *s,
                                  const char *cid, size_t cn,
                                  const char *cause, size_t causelen,
                                  const lty__credit *c, int64_t time);

/* Every customer id owning a record "C\0<id>\0<which>" (which: 'G' program
 * state, 'P' profile), NUL-separated in *out (released by the caller). */
LTY_INTERNAL int lty__collect_customers(lty_engine *e, char which, lty_buf *out);

/* Inside a transaction: withdraw the reward `code` (n bytes) at `when` if
 * it is still issued (*voided = 1); a redeemed or void reward is left as it
 * is (*voided = 0).  LTY_ENOTFOUND when there is no such reward. */
LTY_INTERNAL int lty__reward_withdraw(lty_engine *e, const char *code,
                                      size_t n, int64_t when, int *voided);
/* Does a reward with this code exist? (reward.c) */
LTY_INTERNAL int lty__reward_exists(lty_engine *e, const char *code, int *exists);

/* Plan one of a program's messages (message id
 * "program/<program>/<customer>/<kind>/<cause>"); a customer without a
 * profile (erased) is skipped.  Inside a transaction. */
LTY_INTERNAL int lty__program_plan(lty_engine *e, const lty__program *p,
                                   const char *cid, size_t cn, const char *kind,
                                   const char *cause, size_t causelen,
                                   const char *template_id, lty_channel channel,
                                   int64_t due, const lty_param *params,
                                   size_t nparams, int customer_known);
/* "YYYY-MM-DD" of the local date of t. */
LTY_INTERNAL void lty__format_local_date(lty_engine *e, int64_t t, char out[16]);

/* Inside the record transaction, after the aggregates are updated. */
LTY_INTERNAL int lty__programs_on_event(lty_engine *e,
                                        const lty__program_event *ev,
                                        lty__program_effects *fx);

/* ------------------------------------------------------------------ */
/* Rewards (reward.c)                                                  */
/* ------------------------------------------------------------------ */

typedef struct lty__reward_new {
    const char *code;
    const char *customer_id;
    size_t cn;
    const char *program_id;    /* may be NULL */
    const char *name;
    lty_reward_kind kind;
    int64_t value;
    int valid_days;
    lty_reward_source source;
    int64_t issued;
} lty__reward_new;

/* Inside a transaction: store a new reward.  A code that exists for the
 * same customer and program is a replay: *existed = 1, nothing changes;
 * for anyone else it is LTY_EEXISTS. */
LTY_INTERNAL int lty__reward_put_new(lty_engine *e, const lty__reward_new *r,
                                     int *existed);
/* Inside the erase transaction: the reward under code (n bytes, not
 * NUL-terminated) belongs to customer `from`; name `to` instead, keeping
 * its state, and replace a name typed by the host (rewards by hand or by
 * campaign) with a neutral one.  The index entry "C\0<id>\0W<code>" is the
 * caller's to move.  A missing reward, or one of another customer, is
 * LTY_ECORRUPT. */
LTY_INTERNAL int lty__reward_rekey(lty_engine *e, const char *code, size_t n,
                                   const char *from, size_t fn, const char *to,
                                   size_t tn);
/* A code derived from what caused the reward: "<program>-<16 hex>". */
LTY_INTERNAL void lty__reward_code(char out[LTY_ID_MAX + 1],
                                   const char *program, size_t pn,
                                   const char *cause, size_t cn, unsigned seq);

/* 64-bit FNV-1a, for codes and draws. */
LTY_INTERNAL uint64_t lty__hash64(uint64_t h, const void *p, size_t n);
#define LTY__HASH_SEED UINT64_C(0xcbf29ce484222325)

#endif /* LTY_PROGRAM_INT_H */
