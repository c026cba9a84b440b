/*
 * libloyalty - referrals: the policy, registration with its guards, the
 * stages moved by the ledger's and the appointments' hooks, the credit and
 * its reversal, the queries, and what erasure does to referrals.
 * The records are in referral_record.c; the keys in referral_int.h.
 *
 * Every change runs inside one storage transaction: registration in its
 * own, the stages inside the transaction of the call that causes them
 * (lty_record(), lty_appointment_book(), lty_appointment_arrive()), so a
 * referral moves exactly when, and only if, its cause is stored.
 *
 * What a referral gives is keyed by the referral's number, not by a
 * customer id: the program credits "referral/<n>" (the referrer's) and
 * "referral/<n>/welcome" (the friend's perk) are idempotent per cause
 * (program_apply.c), and the reward codes are derived from those causes,
 * so a replay finds what was given instead of giving it again.
 *
 * Error messages name the rule and never the customers' data.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appointment_int.h"
#include "codec_int.h"
#include "customer_int.h"
#include "ledger_int.h"
#include "outbox_int.h"
#include "plan_int.h"
#include "program_int.h"
#include "referral_int.h"
#include "validate_int.h"

#define SECONDS_PER_DAY INT64_C(86400)
#define POLICY_KEY "referrals"
#define SEQ_KEY "referral-seq"
/* Longest chain of referrers walked looking for a cycle; a longer one can
 * only be a damaged store. */
#define CHAIN_MAX 100000
/* The longest message-id tail: "booked", "thanks". */
#define TAIL_MAX 8
/* An arrival's visit (appointment.c) has the event id "appt/<id>". */
#define ARRIVAL_PREFIX "appt/"

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static void copy_text(char *dst, const char *src, size_t n)
{
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static int same_id(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && memcmp(a, b, an) == 0;
}

/* Read the referral of `referred`: LTY_ENOTFOUND (no message) when there
 * is none.  rev may be NULL. */
static int load_referral(lty_engine *e, const char *referred, size_t n,
                         lty__referral *r, uint64_t *rev)
{
    lty__key k;
    lty__key_referral(&k, referred, n);
    int rc = lty__get(e, k.b, k.n, NULL, rev);
    if (rc)
        return rc;
    if ((rc = lty__referral_decode(e->rbuf.data, e->rbuf.len, r)))
        return lty__corrupt(e, rc, "referral");
    return LTY_OK;
}

static int store_referral(lty_engine *e, const char *referred, size_t n,
                          const lty__referral *r, uint64_t rev)
{
    lty__key k;
    int rc = lty__referral_encode(r, &e->wbuf, &e->wbuf2);
    if (rc)
        return lty__err(e, rc, "referral: cannot encode");
    lty__key_referral(&k, referred, n);
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

static void given_out(const lty__given *g, lty_referral_given *o)
{
    o->kind = (lty_referral_gift_kind)g->kind;
    memcpy(o->program_id, g->program, sizeof o->program_id);
    o->amount = g->amount;
    memcpy(o->reward_code, g->code, sizeof o->reward_code);
    o->lost = g->lost;
}

/* The caller's view (version 1 has every field). */
static void referral_out(const lty__referral *r, const char *referred,
                         size_t n, lty_referral *o)
{
    unsigned version = o->version;
    memset(o, 0, sizeof *o);
    o->version = version;
    copy_text(o->referrer, r->referrer, r->rn);
    copy_text(o->referred, referred, n);
    o->number = r->number;
    o->stage = (lty_referral_stage)r->stage;
    o->registered = r->registered;
    o->booked = r->booked;
    o->completed = r->completed;
    o->credited = r->credited;
    o->reversed = r->reversed;
    copy_text(o->qualifying_event, r->event, r->evn);
    o->qualifying_amount = r->amount;
    o->reversible_until = r->reversible_until;
    given_out(&r->credit, &o->credit);
    given_out(&r->welcome, &o->welcome);
}

/* "referral/<n>" and "referral/<n>/welcome": the causes of what a
 * referral gives. */
static size_t cause_of(char out[LTY_ID_MAX + 1], uint64_t number,
                       int welcome)
{
    int n = snprintf(out, LTY_ID_MAX + 1, "referral/%llu%s",
                     (unsigned long long)number, welcome ? "/welcome" : "");
    return (size_t)n;
}

/* The id of a message to the referrer about `referred`:
 * "referral/<referred, escaped>/<kind>". */
static void message_id(lty__msgid *m, const char *referred, size_t n,
                       const char *kind)
{
    lty__idpart part = {referred, n};
    lty__msgid_prefix(m, "referral", &part, 1, TAIL_MAX);
    lty__msgid_tail(m, kind);
}

/* Plan a message to the referrer (none without a template; an erased
 * referrer, whose anonymous id has no profile, is skipped). */
static int plan_message(lty_engine *e, const lty_referral_policy *pol,
                        const lty__referral *r, const char *referred,
                        size_t n, const char *kind, const char *template_id,
                        int64_t due, const lty_param *params, size_t np)
{
    lty__msgid id;
    lty__plan p;
    if (!template_id[0])
        return LTY_OK;
    message_id(&id, referred, n, kind);
    memset(&p, 0, sizeof p);
    p.id = id.b;
    p.idlen = id.n;
    p.cid = r->referrer;
    p.cn = r->rn;
    p.template_id = template_id;
    p.purpose = pol->purpose;
    p.channel = pol->channel;
    p.due = due;
    p.params = params;
    p.nparams = np;
    int rc = lty__outbox_plan(e, &p);
    if (rc == LTY_ENOTFOUND) {
        lty__err_clear(e);
        return LTY_OK;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* The policy                                                          */
/* ------------------------------------------------------------------ */

/* The programs a policy names must exist and suit the gift. */
static int check_gift_program(lty_engine *e, const char *which,
                              const lty_referral_gift *g)
{
    const lty__programs *ps;
    if (g->kind == LTY_REFERRAL_GIFT_NONE || !g->program_id[0])
        return LTY_OK;
    int rc = lty__programs_current(e, &ps);
    if (rc)
        return rc;
    const lty__program *p =
        lty__program_find(ps, g->program_id, strlen(g->program_id));
    if (!p)
        return lty__err(e, LTY_ENOTFOUND,
                        "referral %s program_id: no such program", which);
    if (g->kind == LTY_REFERRAL_GIFT_PROGRAM && p->kind != LTY_PROGRAM_STARS &&
        p->kind != LTY_PROGRAM_POINTS)
        return lty__err(e, LTY_EINVALID,
                        "referral %s program_id: not a stars or points program",
                        which);
    if (g->kind == LTY_REFERRAL_GIFT_REWARD && p->medical &&
        g->reward_kind != LTY_REWARD_SERVICE)
        return lty__err(e, LTY_EINVALID,
                        "referral %s reward_kind: cash-equivalent rewards are "
                        "not allowed in a medical program", which);
    return LTY_OK;
}

static int policy_set_body(lty_engine *e, void *arg)
{
    const lty_referral_policy *p = arg;
    lty__key k;
    int rc;
    if ((rc = check_gift_program(e, "credit", &p->credit)) ||
        (rc = check_gift_program(e, "welcome", &p->welcome)))
        return rc;
    if ((rc = lty__referral_policy_encode(p, &e->wbuf, &e->wbuf2)))
        return lty__err(e, rc, "referral policy: cannot encode");
    lty__key_meta(&k, POLICY_KEY);
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, LTY_REV_ANY, NULL);
}

int lty_referral_policy_set(lty_engine *e, const lty_referral_policy *policy)
{
    lty_referral_policy p;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!policy)
        return lty__err(e, LTY_EINVALID, "referral policy: NULL");
    int rc = lty__check_version(e, "referral policy", policy->version,
                                LTY_REFERRAL_POLICY_VERSION);
    if (rc)
        return rc;
    p = *policy;
    if ((rc = lty__referral_policy_check(e, &p)))
        return rc;
    return lty__txn(e, policy_set_body, &p);
}

int lty_referral_policy_get(lty_engine *e, lty_referral_policy *out)
{
    lty_referral_policy p;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "referral policy: NULL");
    int rc = lty__check_version(e, "referral policy", out->version,
                                LTY_REFERRAL_POLICY_VERSION);
    if (rc || (rc = lty__referral_policy_current(e, &p)))
        return rc;
    unsigned version = out->version;
    *out = p;
    out->version = version;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */
/* ------------------------------------------------------------------ */

typedef struct reg_op {
    const char *referrer, *referred;
    size_t rn, dn;
    int64_t now;
    lty_buf b1, b2;            /* the two profiles */
} reg_op;

/* Two optional texts that are both set and equal. */
static int both_same(lty__str a, lty__str b)
{
    return a.n && b.n && a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Names equal ignoring ASCII case, leading and trailing spaces, and the
 * length of runs of spaces ("Kim  Minji" is "kim minji"). */
static int same_name(lty__str a, lty__str b)
{
    size_t i = 0, j = 0;
    while (i < a.n && is_space(a.p[i]))
        i++;
    while (j < b.n && is_space(b.p[j]))
        j++;
    if (i == a.n || j == b.n)
        return 0; /* an empty name matches nothing */
    for (;;) {
        int ea = i == a.n, eb = j == b.n;
        if (ea || eb) {
            while (i < a.n && is_space(a.p[i]))
                i++;
            while (j < b.n && is_space(b.p[j]))
                j++;
            return i == a.n && j == b.n;
        }
        if (is_space(a.p[i]) || is_space(b.p[j])) {
            int sa = 0, sb = 0;
            while (i < a.n && is_space(a.p[i])) {
                i++;
                sa = 1;
            }
            while (j < b.n && is_space(b.p[j])) {
                j++;
                sb = 1;
            }
            /* a run of spaces inside one name only, unless it ends it */
            if (sa != sb && i < a.n && j < b.n)
                return 0;
            continue;
        }
        if (fold(a.p[i]) != fold(b.p[j]))
            return 0;
        i++;
        j++;
    }
}

static int same_birthday(const lty_date *a, const lty_date *b)
{
    return a->month && b->month && a->month == b->month && a->day == b->day &&
           (a->year == 0 || b->year == 0 || a->year == b->year);
}

/* Self-referral under another id: one person's phone, e-mail, or name
 * and birthday.  (Phones and e-mail addresses are unique per customer in
 * a store the library wrote itself; profiles written by other means, or a
 * number moved between customers, are why the check is there.) */
static int check_self(lty_engine *e, const lty__profile *a,
                      const lty__profile *b)
{
    if (both_same(a->phone, b->phone))
        return lty__err(e, LTY_EINVALID,
                        "referral: the referrer and the referred have the "
                        "same phone");
    if (both_same(a->email, b->email))
        return lty__err(e, LTY_EINVALID,
                        "referral: the referrer and the referred have the "
                        "same e-mail");
    if (same_name(a->name, b->name) && same_birthday(&a->birthday, &b->birthday))
        return lty__err(e, LTY_EINVALID,
                        "referral: the referrer and the referred have the "
                        "same name and birthday");
    return LTY_OK;
}

/* Walk up from the referrer through who referred whom: reaching the
 * referred would close a cycle. */
static int check_cycle(lty_engine *e, const reg_op *op)
{
    char cur[LTY_ID_MAX + 1];
    size_t cn = op->rn;
    lty__referral r;
    memcpy(cur, op->referrer, cn);
    for (int i = 0; i < CHAIN_MAX; i++) {
        int rc = load_referral(e, cur, cn, &r, NULL);
        if (rc == LTY_ENOTFOUND)
            return LTY_OK;
        if (rc)
            return rc;
        if (same_id(r.referrer, r.rn, op->referred, op->dn))
            return lty__err(e, LTY_ESTATE,
                            "referral: the referred customer led to the "
                            "referrer (a cycle)");
        memcpy(cur, r.referrer, r.rn);
        cn = r.rn;
    }
    return lty__err(e, LTY_ECORRUPT,
                    "referral chain: longer than %d referrers (a cycle in "
                    "the store)", CHAIN_MAX);
}

/* The cap, and the registration counted toward it. */
static int count_registration(lty_engine *e, const reg_op *op,
                              const lty_referral_policy *pol)
{
    lty__referral_times *t = lty__malloc(&e->alloc, sizeof *t);
    lty__key k;
    uint64_t rev = LTY_REV_NONE;
    int rc;
    if (!t)
        return lty__err(e, LTY_ENOMEM, "referral: out of memory");
    t->n = 0;
    lty__key_customer(&k, op->referrer, op->rn);
    lty__key_add(&k, "N", 1);
    rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND) {
        rev = LTY_REV_NONE;
        rc = LTY_OK;
    } else if (rc == LTY_OK &&
               (rc = lty__referral_times_decode(e->rbuf.data, e->rbuf.len, t))) {
        rc = lty__corrupt(e, rc, "referral registrations");
    }
    /* forget what no cap can reach */
    int64_t horizon = op->now - (int64_t)LTY_REFERRAL_DAYS_MAX * SECONDS_PER_DAY;
    size_t drop = 0;
    while (rc == LTY_OK && drop < t->n && t->t[drop] <= horizon)
        drop++;
    if (rc == LTY_OK && pol->cap_count) {
        int64_t since = op->now - (int64_t)pol->cap_days * SECONDS_PER_DAY;
        int64_t within = 0;
        for (size_t i = drop; i < t->n; i++)
            within += t->t[i] > since;
        if (within >= pol->cap_count)
            rc = lty__err(e, LTY_ERANGE, "referrer: at most %d referrals in "
                          "%d days", pol->cap_count, pol->cap_days);
    }
    if (rc == LTY_OK) {
        if (t->n - drop == LTY__REFERRAL_TIMES_MAX)
            drop++;
        memmove(t->t, t->t + drop, (t->n - drop) * sizeof *t->t);
        t->n -= drop;
        /* in time order, whatever the engines' clocks did */
        size_t at = t->n;
        while (at > 0 && t->t[at - 1] > op->now)
            at--;
        memmove(t->t + at + 1, t->t + at, (t->n - at) * sizeof *t->t);
        t->t[at] = op->now;
        t->n++;
        if ((rc = lty__referral_times_encode(t, &e->wbuf)))
            rc = lty__err(e, rc, "referral registrations: cannot encode");
        else
            rc = lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
    }
    lty__free(&e->alloc, t);
    return rc;
}

/* The next referral number, store-wide. */
static int next_number(lty_engine *e, uint64_t *out)
{
    lty__key k;
    uint64_t value = 0, rev = LTY_REV_NONE;
    lty__key_meta(&k, SEQ_KEY);
    int rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND)
        rev = LTY_REV_NONE;
    else if (rc)
        return rc;
    else if ((rc = lty__anon_counter_decode(e->rbuf.data, e->rbuf.len, &value)))
        return lty__corrupt(e, rc, "referral counter");
    if (value == UINT64_MAX)
        return lty__err(e, LTY_ERANGE, "referral counter: exhausted");
    value++;
    if ((rc = lty__anon_counter_encode(value, &e->wbuf)))
        return lty__err(e, rc, "referral counter: cannot encode");
    if ((rc = lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL)))
        return rc;
    *out = value;
    return LTY_OK;
}

/* Appointment ids gathered from a customer's index (the connection cannot
 * be used inside the scan). */
typedef struct appt_ids {
    lty_buf ids;               /* NUL-separated */
    size_t plen;               /* "C\0<id>\0B" */
    int corrupt;
} appt_ids;

static int appt_each(const char *key, size_t keylen, const void *val,
                     size_t len, uint64_t rev, void *ctx)
{
    appt_ids *a = ctx;
    (void)val;
    (void)len;
    (void)rev;
    if (keylen <= a->plen + 8 || keylen - a->plen - 8 > LTY_APPOINTMENT_ID_MAX) {
        a->corrupt = 1;
        return LTY_ECORRUPT;
    }
    if (lty__buf_append(&a->ids, key + a->plen + 8, keylen - a->plen - 8, NULL) ||
        lty__buf_append(&a->ids, "", 1, NULL))
        return LTY_ENOMEM;
    return LTY_OK;
}

/* Has the customer an appointment still booked? */
static int has_booking(lty_engine *e, const char *cid, size_t cn, int *booked)
{
    appt_ids a;
    lty__key k;
    lty__appt ap;
    *booked = 0;
    memset(&a, 0, sizeof a);
    lty__buf_init(&a.ids, &e->alloc);
    lty__key_appt_customer_prefix(&k, cid, cn);
    a.plen = k.n;
    int rc = lty__scan(e, k.b, k.n, NULL, 0, appt_each, &a);
    if (a.corrupt)
        rc = lty__corrupt(e, LTY_ECORRUPT, "appointment index key");
    else if (rc == LTY_ENOMEM)
        rc = lty__err(e, rc, "referral: out of memory");
    for (size_t off = 0; rc == LTY_OK && off < a.ids.len && !*booked;) {
        const char *id = (const char *)a.ids.data + off;
        size_t n = strlen(id);
        if ((rc = lty__appt_load(e, id, n, &ap, NULL)) == LTY_OK)
            *booked = ap.state == LTY_APPOINTMENT_BOOKED;
        off += n + 1;
    }
    lty__buf_release(&a.ids);
    return rc;
}

static int not_found(lty_engine *e, int rc, const char *who)
{
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "%s: not found", who);
    return rc;
}

static int register_body(lty_engine *e, void *arg)
{
    reg_op *op = arg;
    lty_referral_policy pol;
    lty__profile a, b;
    lty__referral r;
    lty__stats st;
    lty__key k;
    uint64_t rev;
    int rc, booked = 0, taken = 0;
    /* one referrer per customer; the same pair again is a replay */
    rc = load_referral(e, op->referred, op->dn, &r, NULL);
    if (rc == LTY_OK) {
        if (same_id(r.referrer, r.rn, op->referrer, op->rn))
            return LTY_OK;
        taken = 1;
    } else if (rc != LTY_ENOTFOUND) {
        return rc;
    }
    if ((rc = not_found(e, lty__profile_load(e, op->referrer, op->rn, &op->b1,
                                             &a, NULL), "referrer")) ||
        (rc = not_found(e, lty__profile_load(e, op->referred, op->dn, &op->b2,
                                             &b, NULL), "referred")))
        return rc;
    if (taken)
        return lty__err(e, LTY_EEXISTS,
                        "referred: already referred by another customer");
    if ((rc = check_self(e, &a, &b)))
        return rc;
    if (b.created > op->now)
        return lty__err(e, LTY_ESTATE,
                        "referred: created after the registration time");
    if ((rc = lty__stats_load(e, op->referred, op->dn, &st, &rev)))
        return rc;
    if (st.visits || st.purchases)
        return lty__err(e, LTY_ESTATE, "referred: already has visits");
    if ((rc = check_cycle(e, op)) ||
        (rc = lty__referral_policy_current(e, &pol)) ||
        (rc = count_registration(e, op, &pol)))
        return rc;
    memset(&r, 0, sizeof r);
    memcpy(r.referrer, op->referrer, op->rn + 1);
    r.rn = op->rn;
    r.stage = LTY_REFERRAL_REGISTERED;
    r.registered = op->now;
    if ((rc = next_number(e, &r.number)) ||
        (rc = has_booking(e, op->referred, op->dn, &booked)))
        return rc;
    if (booked) {
        /* the friend booked before anyone asked who sent them */
        r.stage = LTY_REFERRAL_BOOKED;
        r.booked = op->now;
        if ((rc = plan_message(e, &pol, &r, op->referred, op->dn, "booked",
                               pol.booked_template, op->now, NULL, 0)))
            return rc;
    }
    if ((rc = store_referral(e, op->referred, op->dn, &r, LTY_REV_NONE)))
        return rc;
    lty__key_referral_entry(&k, op->referrer, op->rn, op->referred, op->dn);
    return lty__put(e, k.b, k.n, "", 0, LTY_REV_NONE, NULL);
}

int lty_referral_register(lty_engine *e, const char *referrer,
                          const char *referred)
{
    reg_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    memset(&op, 0, sizeof op);
    int rc;
    if ((rc = lty__check_id(e, "referrer id", referrer, &op.rn)) ||
        (rc = lty__check_id(e, "referred id", referred, &op.dn)))
        return rc;
    if (same_id(referrer, op.rn, referred, op.dn))
        return lty__err(e, LTY_EINVALID,
                        "referral: the referrer and the referred are the same "
                        "customer");
    op.referrer = referrer;
    op.referred = referred;
    op.now = lty__now(e);
    lty__buf_init(&op.b1, &e->alloc);
    lty__buf_init(&op.b2, &e->alloc);
    rc = lty__txn(e, register_body, &op);
    lty__buf_release(&op.b1);
    lty__buf_release(&op.b2);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Stages: booked                                                      */
/* ------------------------------------------------------------------ */

int lty__referral_on_booked(lty_engine *e, const char *cid, size_t cn,
                            int64_t now)
{
    lty_referral_policy pol;
    lty__referral r;
    uint64_t rev = 0;
    int rc = load_referral(e, cid, cn, &r, &rev);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK;
    if (rc || r.stage != LTY_REFERRAL_REGISTERED)
        return rc;
    r.stage = LTY_REFERRAL_BOOKED;
    r.booked = now > 0 ? now : 1;
    if ((rc = lty__referral_policy_current(e, &pol)) ||
        (rc = plan_message(e, &pol, &r, cid, cn, "booked", pol.booked_template,
                           now, NULL, 0)))
        return rc;
    return store_referral(e, cid, cn, &r, rev);
}

/* ------------------------------------------------------------------ */
/* Stages: completed and credited                                      */
/* ------------------------------------------------------------------ */

/* Give one gift of the policy to cid.  A gift the programs no longer
 * allow (its program redefined as medical since the policy was set) is
 * not given: recording the friend's purchase must not fail for it. */
static int give(lty_engine *e, const lty_referral_gift *g, const char *cid,
                size_t cn, const char *cause, size_t causelen, int64_t time,
                lty__given *out)
{
    const lty__programs *ps;
    const lty__program *p = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    if (g->kind == LTY_REFERRAL_GIFT_NONE)
        return LTY_OK;
    if (g->program_id[0]) {
        if ((rc = lty__programs_current(e, &ps)))
            return rc;
        p = lty__program_find(ps, g->program_id, strlen(g->program_id));
        if (!p)
            return LTY_OK;
    }
    if (g->kind == LTY_REFERRAL_GIFT_PROGRAM) {
        if (p->kind != LTY_PROGRAM_STARS && p->kind != LTY_PROGRAM_POINTS)
            return LTY_OK;
        if ((rc = lty__program_credit(e, g->program_id, cid, cn, g->amount,
                                      cause, causelen, time)))
            return rc;
        out->kind = LTY_REFERRAL_GIFT_PROGRAM;
        memcpy(out->program, g->program_id, sizeof out->program);
        out->amount = g->amount;
        return LTY_OK;
    }
    if (p && p->medical && g->reward_kind != LTY_REWARD_SERVICE)
        return LTY_OK;
    char code[LTY_ID_MAX + 1];
    int existed = 0;
    lty__reward_code(code, "referral", 8, cause, causelen, 0);
    lty__reward_new nr = {code, cid, cn, p ? g->program_id : NULL,
                          g->reward_name, g->reward_kind, g->reward_value,
                          g->reward_valid_days, LTY_REWARD_BY_RULE, time};
    if ((rc = lty__reward_put_new(e, &nr, &existed)))
        return rc;
    out->kind = LTY_REFERRAL_GIFT_REWARD;
    memcpy(out->program, p ? g->program_id : "", p ? sizeof out->program : 1);
    memcpy(out->code, code, sizeof out->code);
    return LTY_OK;
}

/* The thank-you's parameters: what the referrer was given. */
static int thanks_params(lty_engine *e, const lty__given *g,
                         const lty_referral_policy *pol, char amount[24],
                         lty_param params[2], size_t *np)
{
    *np = 0;
    if (g->kind == LTY_REFERRAL_GIFT_PROGRAM) {
        const lty__programs *ps;
        int rc = lty__programs_current(e, &ps);
        if (rc)
            return rc;
        const lty__program *p =
            lty__program_find(ps, g->program, strlen(g->program));
        snprintf(amount, 24, "%lld", (long long)g->amount);
        params[0].key = p && p->kind == LTY_PROGRAM_POINTS ? "points" : "stars";
        params[0].value = amount;
        *np = 1;
    } else if (g->kind == LTY_REFERRAL_GIFT_REWARD) {
        params[0].key = "reward";
        params[0].value = pol->credit.reward_name;
        params[1].key = "code";
        params[1].value = g->code;
        *np = 2;
    }
    return LTY_OK;
}

static int complete(lty_engine *e, lty__referral *r, uint64_t rev,
                    const lty__referral_event *ev,
                    const lty_referral_policy *pol)
{
    char cause[LTY_ID_MAX + 1], amount[24];
    lty_param params[2];
    int rc;
    r->stage = LTY_REFERRAL_COMPLETED;
    r->completed = ev->time > 0 ? ev->time : 1;
    copy_text(r->event, ev->evid, ev->en);
    r->evn = ev->en;
    r->amount = ev->type == LTY_EVENT_PURCHASE ? ev->amount : 0;
    r->minimum = pol->min_purchase;
    r->reversible_until = 0;
    if (ev->type == LTY_EVENT_PURCHASE && pol->reversal_days) {
        int64_t w = (int64_t)pol->reversal_days * SECONDS_PER_DAY;
        r->reversible_until = ev->time > LTY_TIME_MAX - w ? LTY_TIME_MAX
                                                          : ev->time + w;
        if (r->reversible_until < 1)
            r->reversible_until = 1;
    }
    size_t cn = cause_of(cause, r->number, 0);
    if ((rc = give(e, &pol->credit, r->referrer, r->rn, cause, cn, ev->time,
                   &r->credit)))
        return rc;
    if (r->credit.kind != LTY_REFERRAL_GIFT_NONE) {
        r->stage = LTY_REFERRAL_CREDITED;
        r->credited = r->completed;
    }
    cn = cause_of(cause, r->number, 1);
    if ((rc = give(e, &pol->welcome, ev->cid, ev->cn, cause, cn, ev->time,
                   &r->welcome)))
        return rc;
    size_t np = 0;
    if ((rc = thanks_params(e, &r->credit, pol, amount, params, &np)) ||
        (rc = plan_message(e, pol, r, ev->cid, ev->cn, "thanks",
                           pol->thanks_template, ev->time, params, np)))
        return rc;
    return store_referral(e, ev->cid, ev->cn, r, rev);
}

/* ------------------------------------------------------------------ */
/* Stages: reversed                                                    */
/* ------------------------------------------------------------------ */

static int take_back(lty_engine *e, lty__given *g, const char *cid, size_t cn,
                     const char *cause, size_t causelen, int64_t time)
{
    int rc, voided = 0;
    switch (g->kind) {
    case LTY_REFERRAL_GIFT_PROGRAM:
        rc = lty__program_debit(e, cid, cn, cause, causelen, time, NULL);
        if (rc == LTY_ENOTFOUND)
            return lty__err(e, LTY_ECORRUPT,
                            "referral: names a program credit that is missing");
        return rc;
    case LTY_REFERRAL_GIFT_REWARD:
        rc = lty__reward_withdraw(e, g->code, strlen(g->code), time, &voided);
        if (rc == LTY_ENOTFOUND)
            return lty__err(e, LTY_ECORRUPT,
                            "referral: names a reward that is missing");
        if (rc == LTY_OK && !voided)
            g->lost = 1; /* redeemed already: recorded as lost */
        return rc;
    default:
        return LTY_OK;
    }
}

static int reverse(lty_engine *e, lty__referral *r, uint64_t rev,
                   const lty__referral_event *ev)
{
    char cause[LTY_ID_MAX + 1];
    int rc;
    r->stage = LTY_REFERRAL_REVERSED;
    r->reversed = ev->time > 0 ? ev->time : 1;
    size_t cn = cause_of(cause, r->number, 0);
    if ((rc = take_back(e, &r->credit, r->referrer, r->rn, cause, cn,
                        ev->time)))
        return rc;
    cn = cause_of(cause, r->number, 1);
    if ((rc = take_back(e, &r->welcome, ev->cid, ev->cn, cause, cn, ev->time)))
        return rc;
    return store_referral(e, ev->cid, ev->cn, r, rev);
}

/* ------------------------------------------------------------------ */
/* The ledger's hook                                                   */
/* ------------------------------------------------------------------ */

static int is_arrival(const lty__referral_event *ev)
{
    size_t n = sizeof ARRIVAL_PREFIX - 1;
    return ev->en > n && memcmp(ev->evid, ARRIVAL_PREFIX, n) == 0;
}

int lty__referral_on_event(lty_engine *e, const lty__referral_event *ev)
{
    lty_referral_policy pol;
    lty__referral r;
    uint64_t rev = 0;
    int rc;
    if (ev->type != LTY_EVENT_VISIT && ev->type != LTY_EVENT_PURCHASE &&
        ev->type != LTY_EVENT_REFUND)
        return LTY_OK;
    rc = load_referral(e, ev->cid, ev->cn, &r, &rev);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK; /* nobody referred the customer: the usual case */
    if (rc)
        return rc;
    if (ev->type == LTY_EVENT_REFUND) {
        if (r.stage != LTY_REFERRAL_COMPLETED &&
            r.stage != LTY_REFERRAL_CREDITED)
            return LTY_OK;
        if (!r.reversible_until || ev->time > r.reversible_until ||
            !same_id(r.event, r.evn, ev->refund_of, ev->rn))
            return LTY_OK;
        /* what is left of the qualifying purchase must still qualify */
        int64_t left = ev->purchase_amount - ev->refunded_before - ev->amount;
        if (left > 0 && left >= r.minimum)
            return LTY_OK;
        return reverse(e, &r, rev, ev);
    }
    if (r.stage >= LTY_REFERRAL_COMPLETED)
        return LTY_OK;
    if ((rc = lty__referral_policy_current(e, &pol)))
        return rc;
    int qualifies = ev->type == LTY_EVENT_PURCHASE
                        ? ev->amount >= pol.min_purchase
                        : pol.visit_qualifies || is_arrival(ev);
    if (!qualifies)
        return LTY_OK;
    return complete(e, &r, rev, ev, &pol);
}

/* ------------------------------------------------------------------ */
/* Reads                                                               */
/* ------------------------------------------------------------------ */

int lty_referral_get(lty_engine *e, const char *referred, lty_referral *out)
{
    lty__referral r;
    size_t n;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "referral: NULL output");
    int rc = lty__check_version(e, "referral", out->version,
                                LTY_REFERRAL_VERSION);
    if (rc || (rc = lty__check_id(e, "referred id", referred, &n)))
        return rc;
    rc = load_referral(e, referred, n, &r, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "referral: nobody referred the customer");
    if (rc)
        return rc;
    referral_out(&r, referred, n, out);
    return LTY_OK;
}

/* Referred ids gathered from a referrer's list. */
typedef struct list_op {
    const char *referrer;
    size_t rn;
    lty_referral *out;
    size_t cap, count;
    lty_buf ids;               /* NUL-separated */
    size_t plen;               /* "C\0<referrer>\0F" */
    int corrupt;
} list_op;

static int list_each(const char *key, size_t keylen, const void *val,
                     size_t len, uint64_t rev, void *ctx)
{
    list_op *l = ctx;
    (void)val;
    (void)len;
    (void)rev;
    size_t n = keylen - l->plen;
    if (keylen <= l->plen || n > LTY_ID_MAX || memchr(key + l->plen, 0, n)) {
        l->corrupt = 1;
        return LTY_ECORRUPT;
    }
    l->count++;
    if (l->count > l->cap)
        return LTY_OK;
    if (lty__buf_append(&l->ids, key + l->plen, n, NULL) ||
        lty__buf_append(&l->ids, "", 1, NULL))
        return LTY_ENOMEM;
    return LTY_OK;
}

static int list_body(lty_engine *e, void *arg)
{
    list_op *l = arg;
    lty__key k;
    lty__referral r;
    l->count = 0;
    l->corrupt = 0;
    l->ids.len = 0;
    lty__key_customer(&k, l->referrer, l->rn);
    lty__key_add(&k, "F", 1);
    l->plen = k.n;
    int rc = lty__scan(e, k.b, k.n, NULL, 0, list_each, l);
    if (l->corrupt)
        return lty__corrupt(e, LTY_ECORRUPT, "referral list entry");
    if (rc == LTY_ENOMEM)
        return lty__err(e, rc, "referral list: out of memory");
    if (rc)
        return rc;
    if (l->count == 0) {
        lty__key_profile(&k, l->referrer, l->rn);
        rc = lty__get(e, k.b, k.n, NULL, NULL);
        return not_found(e, rc, "customer");
    }
    size_t i = 0;
    for (size_t off = 0; off < l->ids.len; i++) {
        const char *id = (const char *)l->ids.data + off;
        size_t n = strlen(id);
        rc = load_referral(e, id, n, &r, NULL);
        if (rc == LTY_ENOTFOUND)
            return lty__err(e, LTY_ECORRUPT,
                            "referral list entry: names a missing referral");
        if (rc)
            return rc;
        if (!same_id(r.referrer, r.rn, l->referrer, l->rn))
            return lty__err(e, LTY_ECORRUPT,
                            "referral list entry: names another referrer's "
                            "referral");
        referral_out(&r, id, n, &l->out[i]);
        off += n + 1;
    }
    return LTY_OK;
}

int lty_referral_list(lty_engine *e, const char *referrer, lty_referral *out,
                      size_t cap, size_t *count)
{
    list_op l;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!count || (cap && !out))
        return lty__err(e, LTY_EINVALID, "referral list: NULL output");
    memset(&l, 0, sizeof l);
    int rc = lty__check_id(e, "referrer id", referrer, &l.rn);
    if (rc)
        return rc;
    for (size_t i = 0; i < cap; i++)
        if ((rc = lty__check_version(e, "referral", out[i].version,
                                     LTY_REFERRAL_VERSION)))
            return rc;
    l.referrer = referrer;
    l.out = out;
    l.cap = cap;
    lty__buf_init(&l.ids, &e->alloc);
    rc = lty__txn(e, list_body, &l);
    lty__buf_release(&l.ids);
    if (rc == LTY_OK)
        *count = l.count;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Top referrers                                                       */
/* ------------------------------------------------------------------ */

typedef struct top_op {
    int64_t from, to;
    const lty_allocator *a;
    char (*ids)[LTY_ID_MAX + 1]; /* a referrer per completed referral */
    size_t n, cap;
    int corrupt, nomem;
} top_op;

static int top_each(const char *key, size_t keylen, const void *val,
                    size_t len, uint64_t rev, void *ctx)
{
    top_op *t = ctx;
    lty__referral r;
    (void)key;
    (void)keylen;
    (void)rev;
    if (lty__referral_decode(val, len, &r)) {
        t->corrupt = 1;
        return LTY_ECORRUPT;
    }
    if ((r.stage != LTY_REFERRAL_COMPLETED &&
         r.stage != LTY_REFERRAL_CREDITED) ||
        r.completed < t->from || r.completed >= t->to)
        return LTY_OK;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        void *p = lty__realloc(t->a, t->ids, cap * sizeof *t->ids);
        if (!p) {
            t->nomem = 1;
            return LTY_ENOMEM;
        }
        t->ids = p;
        t->cap = cap;
    }
    memcpy(t->ids[t->n++], r.referrer, r.rn + 1);
    return LTY_OK;
}

static int top_body(lty_engine *e, void *arg)
{
    top_op *t = arg;
    lty__key k;
    t->n = 0;
    t->corrupt = t->nomem = 0;
    lty__key_reset(&k);
    lty__key_add(&k, "R", 1);
    lty__key_sep(&k);
    int rc = lty__scan(e, k.b, k.n, NULL, 0, top_each, t);
    if (t->corrupt)
        return lty__corrupt(e, LTY_ECORRUPT, "referral");
    if (t->nomem)
        return lty__err(e, LTY_ENOMEM, "referral top: out of memory");
    return rc;
}

static int id_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

typedef struct ranked {
    char id[LTY_ID_MAX + 1];
    int64_t count;
} ranked;

/* Most referrals first, then by referrer id. */
static int rank_cmp(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->id, y->id);
}

int lty_referral_top(lty_engine *e, int64_t from, int64_t to,
                     lty_referrer_rank *out, size_t cap, size_t *count)
{
    top_op t;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!count || (cap && !out))
        return lty__err(e, LTY_EINVALID, "referral top: NULL output");
    int rc;
    if ((rc = lty__check_time(e, "referral top from", from)) ||
        (rc = lty__check_time(e, "referral top to", to)))
        return rc;
    if (to <= from)
        return lty__err(e, LTY_EINVALID, "referral top to: not after from");
    for (size_t i = 0; i < cap; i++)
        if ((rc = lty__check_version(e, "referrer rank", out[i].version,
                                     LTY_REFERRER_RANK_VERSION)))
            return rc;
    memset(&t, 0, sizeof t);
    t.from = from;
    t.to = to;
    t.a = &e->alloc;
    rc = lty__txn(e, top_body, &t);
    ranked *rk = NULL;
    size_t nr = 0;
    if (rc == LTY_OK && t.n) {
        qsort(t.ids, t.n, sizeof *t.ids, id_cmp);
        rk = lty__malloc(&e->alloc, t.n * sizeof *rk);
        if (!rk)
            rc = lty__err(e, LTY_ENOMEM, "referral top: out of memory");
        for (size_t i = 0; rc == LTY_OK && i < t.n; i++) {
            if (nr && strcmp(rk[nr - 1].id, t.ids[i]) == 0) {
                rk[nr - 1].count++;
                continue;
            }
            memcpy(rk[nr].id, t.ids[i], sizeof rk[nr].id);
            rk[nr].count = 1;
            nr++;
        }
        if (rc == LTY_OK)
            qsort(rk, nr, sizeof *rk, rank_cmp);
    }
    if (rc == LTY_OK) {
        for (size_t i = 0; i < nr && i < cap; i++) {
            memcpy(out[i].referrer, rk[i].id, sizeof out[i].referrer);
            out[i].completed = rk[i].count;
        }
        *count = nr;
    }
    lty__free(&e->alloc, rk);
    lty__free(&e->alloc, t.ids);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Erasure                                                             */
/* ------------------------------------------------------------------ */

int lty__referral_rekey_referred(lty_engine *e, const char *from, size_t fn,
                                 const char *to, size_t tn)
{
    static const char *const kinds[] = {"booked", "thanks"};
    lty__referral r;
    lty__key k;
    uint64_t rev = 0;
    int rc = load_referral(e, from, fn, &r, &rev);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK;
    if (rc || (rc = store_referral(e, to, tn, &r, LTY_REV_NONE)))
        return rc;
    lty__key_referral(&k, from, fn);
    if ((rc = lty__del(e, k.b, k.n, rev)))
        return rc;
    /* the referrer's list names the referral by the referred id */
    lty__key_referral_entry(&k, r.referrer, r.rn, from, fn);
    if ((rc = lty__del(e, k.b, k.n, LTY_REV_ANY)))
        return rc;
    lty__key_referral_entry(&k, r.referrer, r.rn, to, tn);
    if ((rc = lty__put(e, k.b, k.n, "", 0, LTY_REV_ANY, NULL)))
        return rc;
    /* and so do the ids of the messages to the referrer about it */
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        lty__msgid old, now;
        message_id(&old, from, fn, kinds[i]);
        message_id(&now, to, tn, kinds[i]);
        if ((rc = lty__outbox_rename(e, old.b, old.n, now.b, now.n)))
            return rc;
    }
    return LTY_OK;
}

int lty__referral_rekey_referrer(lty_engine *e, const char *referred,
                                 size_t n, const char *from, size_t fn,
                                 const char *to, size_t tn)
{
    lty__referral r;
    uint64_t rev = 0;
    if (n == 0 || n > LTY_ID_MAX || memchr(referred, 0, n))
        return lty__err(e, LTY_ECORRUPT, "referral list entry: malformed");
    int rc = load_referral(e, referred, n, &r, &rev);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ECORRUPT,
                        "referral list entry: names a missing referral");
    if (rc)
        return rc;
    if (!same_id(r.referrer, r.rn, from, fn))
        return lty__err(e, LTY_ECORRUPT,
                        "referral list entry: names another referrer's "
                        "referral");
    memcpy(r.referrer, to, tn);
    r.referrer[tn] = '\0';
    r.rn = tn;
    return store_referral(e, referred, n, &r, rev);
}
