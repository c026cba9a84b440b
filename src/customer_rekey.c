/*
 * libloyalty - moving a customer's remaining records to the anonymous id of
 * erasure: everything under "C\0<id>\0" that is not the profile ("P", which
 * erasure deletes), the aggregates ("A") or the ledger ("L...", both moved
 * by ledger_rekey.c).  Also the record gathering the two share.
 *
 * Each kind was checked against its encoder; none holds personal data, so
 * each moves with the same key suffix and the same value bytes:
 *
 *   G            program state (program_state.c put_state): program ids,
 *                definition versions, step, balance, lifetime and yearly
 *                earnings, tier, peak, tier validity times, notice times,
 *                lots (expiry, unlock, amount) and day buckets (day,
 *                amount).  Numbers and program ids only.
 *   X<event id>  what one event earned (record kind 10, LTY__REC_EARNING):
 *                per program its id, earned, expiry, unlock, day and points
 *                spent on the purchase.  Stores written since earnings moved
 *                into the purchase's ledger entry have none; older ones
 *                may.  (In the ledger entry the same numbers move with the
 *                ledger, ledger_rekey.c.)
 *   S<spend id>  a points spend (points.c spend_body): program id, amount,
 *                time and the purchase's event id.
 *   H<time><program>\0<kind><cause>
 *                program history (program_apply.c lty__plog_add): kind,
 *                title, reward code, amount, due time.  Titles are step
 *                titles, tier names and reward or prize names from the
 *                program definitions; causes are event ids.
 *   W<code>      reward index entry: an empty value.
 *   B<start:8><appointment id>
 *                appointment index entry (appointment_record.c): an empty
 *                value.  The appointment ("A\0<appointment id>") names the
 *                customer: lty__appointment_rekey() rewrites that id to
 *                the anonymous one and keeps the rest (times, state, item,
 *                branch and staff codes, reminder list: no personal data),
 *                so no-show statistics stay whole; the entry then moves.
 *                The day index ("Y\0...") holds no customer id.
 *   J<journey>   journey enrolment (journey.c, kind 20): the anchor date
 *                (year, month, day), the enrolment and unenrolment times
 *                and the enrolment's number.  Numbers only; the journey id
 *                is the store's own.  Moved so that the anonymous
 *                statistics keep who was enrolled in what; the journey's
 *                messages name the erased id and are the outbox's to
 *                withdraw.
 *   O<message>   outbox index entry.  The message ("O\0<id>") names the
 *                customer, its id is often built from the customer id
 *                ("birthday/<customer>/<year>") and its parameters may hold
 *                text the host filled in: lty__outbox_erase() (outbox.c)
 *                deletes the message, sent or not (an erased customer is
 *                sent nothing), and the index entry is deleted.
 *   K            contact state (hygiene.c): fingerprints of the customer's
 *                addresses and counters; deleted, not moved.
 *   R<cause>     a credit of stars or points outside an event (kind 26,
 *                program_apply.c lty__program_credit): program id, amount,
 *                time, time taken back.  Causes are "referral/<n>" and
 *                "referral/<n>/welcome": a referral's number, no customer
 *                id.  Moved.
 *   N            the customer's recent referral registrations, for the
 *                referral cap (kind 25, referral_record.c): times only.
 *                Moved.
 *   F<referred>  the customer's referral list entry (empty value).  The
 *                referral ("R\0<referred>", kind 24) names this customer
 *                as its referrer: lty__referral_rekey_referrer() rewrites
 *                that id to the anonymous one and keeps the rest (number,
 *                stage, times, the qualifying event id, what was given:
 *                program ids, amounts, reward codes), so the referred
 *                customer's "who referred me" and the statistics stay;
 *                the entry then moves.
 *   Z            the latest RFM scores (kind 27, rfm_store.c): times,
 *                window, bins, recency, frequency, monetary, the R/F/M
 *                scores and the segment name (from the segment table, not
 *                the customer).  Moved, so statistics keep them.
 *   V            the latest lifetime-value figures (kind 28, clv_store.c):
 *                computed_at, P(alive), expected purchases, expected spend,
 *                CLV, value at stake (doubles), a fingerprint of the model
 *                parameters, the rank and size of the call that stored
 *                them.  Numbers only; moved, so statistics keep them.
 *   Q<campaign>  campaign membership (kind 30, campaign.c): the group
 *                (treatment or control) and the launch time.  Numbers
 *                only; the campaign id is the store's own.  Moved, so a
 *                campaign's measurement keeps the customer's group; the
 *                campaign's message ("campaign/<campaign>/<customer>") is
 *                the outbox's to delete (see O above).
 *
 * Referrals where the erased customer is the referred one live outside
 * "C\0<id>\0": lty__referral_rekey_referred() (referral.c) moves
 * "R\0<id>" to "R\0<anonymous id>" unchanged (it holds the referrer's id,
 * not the referred one's), renames the referrer's list entry
 * "F<id>" to "F<anonymous id>", and renames the messages to the referrer
 * about the referral ("referral/<id>/booked", ".../thanks") to the
 * anonymous id, keeping their state: their parameters never held the
 * referred customer's data.  An anonymous id is never reused while such a
 * record exists (lty__customer_id_used() looks at "R\0<id>" too).
 *
 * Event ids, spend ids and reward codes are the host's own identifiers; the
 * ledger keeps event ids through erasure already, and a reward's code is
 * what its holder redeems it by, so they are kept as they are (the guide
 * asks hosts not to build them from personal data).
 *
 * The reward records themselves ("W\0<code>") name the customer: for each
 * index entry, lty__reward_rekey() (reward.c) rewrites the customer id to
 * the anonymous id and keeps the reward's state, so an issued coupon stays
 * redeemable by its code.  Its name is kept when a program definition gave
 * it and made neutral when the host typed it (by hand, by campaign), as
 * such a name may be personal.
 *
 * Any other kind under "C\0<id>\0" refuses the erasure with LTY_EVERSION
 * and changes nothing: a record this code does not know (a newer library
 * version's, or a module added without teaching erasure about it) might
 * hold personal data, and neither moving it to the anonymous id nor
 * leaving it under the erased id would be right.  A new per-customer record
 * kind must be added to known_kind() below, after checking its encoder.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "appointment_int.h"
#include "keys_int.h"
#include "outbox_int.h"
#include "program_int.h"
#include "referral_int.h"
#include "rekey_int.h"

/* ------------------------------------------------------------------ */
/* Gathering records (shared with ledger_rekey.c)                      */
/* ------------------------------------------------------------------ */

void lty__rekey_set_init(lty__rekey_set *s, const lty_allocator *a)
{
    memset(s, 0, sizeof *s);
    s->a = a;
    lty__buf_init(&s->bytes, a);
}

void lty__rekey_set_release(lty__rekey_set *s)
{
    lty__buf_release(&s->bytes);
    lty__free(s->a, s->r);
    s->r = NULL;
    s->n = s->cap = 0;
}

static int collect_each(const char *key, size_t keylen, const void *val,
                        size_t len, uint64_t rev, void *ctx)
{
    lty__rekey_set *s = ctx;
    if (keylen <= s->plen) {
        s->failed = 1;
        return LTY_ECORRUPT;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        lty__rekey_rec *p = lty__realloc(s->a, s->r, cap * sizeof *p);
        if (!p) {
            s->failed = 2;
            return LTY_ENOMEM;
        }
        s->r = p;
        s->cap = cap;
    }
    lty__rekey_rec *r = &s->r[s->n];
    if (lty__buf_append(&s->bytes, key + s->plen, keylen - s->plen,
                        &r->koff) ||
        lty__buf_append(&s->bytes, val, len, &r->voff)) {
        s->failed = 2;
        return LTY_ENOMEM;
    }
    r->klen = keylen - s->plen;
    r->vlen = len;
    r->rev = rev;
    s->n++;
    return LTY_OK;
}

int lty__rekey_collect(lty_engine *e, lty__rekey_set *s, const char *id,
                       size_t n, const char *sub, size_t subn,
                       const char *what)
{
    lty__key prefix;
    lty__key_customer(&prefix, id, n);
    s->plen = prefix.n;
    s->n = 0;
    s->bytes.len = 0;
    s->failed = 0;
    if (subn)
        lty__key_add(&prefix, sub, subn);
    int rc = lty__scan(e, prefix.b, prefix.n, NULL, 0, collect_each, s);
    if (s->failed == 2)
        return lty__err(e, LTY_ENOMEM, "%s: out of memory", what);
    if (s->failed == 1)
        return lty__corrupt(e, LTY_ECORRUPT, "customer key");
    return rc;
}

/* ------------------------------------------------------------------ */
/* Is an id in use?                                                    */
/* ------------------------------------------------------------------ */

static int any_each(const char *key, size_t keylen, const void *val,
                    size_t len, uint64_t rev, void *ctx)
{
    (void)key;
    (void)keylen;
    (void)val;
    (void)len;
    (void)rev;
    *(int *)ctx = 1;
    return LTY_SCAN_STOP;
}

int lty__customer_id_used(lty_engine *e, const char *id, size_t n, int *used)
{
    lty__key prefix;
    *used = 0;
    lty__key_customer(&prefix, id, n);
    int rc = lty__scan(e, prefix.b, prefix.n, NULL, 0, any_each, used);
    if (rc || *used)
        return rc;
    /* an erased referred customer may have left only the referral */
    lty__key_referral(&prefix, id, n);
    rc = lty__get(e, prefix.b, prefix.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK;
    if (rc == LTY_OK)
        *used = 1;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Moving the rest                                                     */
/* ------------------------------------------------------------------ */

enum { KIND_SKIP, KIND_MOVE, KIND_REWARD, KIND_MESSAGE, KIND_DROP,
       KIND_APPOINTMENT, KIND_REFERRAL, KIND_UNKNOWN };

/* What erasure does with a record, by the key's rest after "C\0<id>\0". */
static int known_kind(const char *rest, size_t n)
{
    switch (rest[0]) {
    case 'A': /* aggregates and ledger: moved by lty__ledger_rekey() */
    case 'L':
        return KIND_SKIP;
    case 'P': /* the profile: deleted by erasure */
        return n == 1 ? KIND_SKIP : KIND_UNKNOWN;
    case 'G':
        return n == 1 ? KIND_MOVE : KIND_UNKNOWN;
    case 'X':
    case 'S':
    case 'H':
    case 'J':
    case 'Q': /* campaign membership */
    case 'R': /* a program credit outside an event */
        return n > 1 ? KIND_MOVE : KIND_UNKNOWN;
    case 'N': /* recent referral registrations */
    case 'Z': /* latest RFM scores */
    case 'V': /* latest lifetime-value figures */
        return n == 1 ? KIND_MOVE : KIND_UNKNOWN;
    case 'F': /* referral list entry: the referral is rewritten too */
        return n > 1 ? KIND_REFERRAL : KIND_UNKNOWN;
    case 'W':
        return n > 1 ? KIND_REWARD : KIND_UNKNOWN;
    case 'B': /* "B<start:8><appointment id>": the record is rewritten too */
        return n > 9 ? KIND_APPOINTMENT : KIND_UNKNOWN;
    case 'O': /* outbox index entry: the message is rewritten too */
        return n > 1 ? KIND_MESSAGE : KIND_UNKNOWN;
    case 'K': /* contact state: fingerprints of the addresses; dropped */
        return n == 1 ? KIND_DROP : KIND_UNKNOWN;
    default:
        return KIND_UNKNOWN;
    }
}

static int move_record(lty_engine *e, const lty__rekey_set *s, size_t i,
                       const char *from, size_t fn, const char *to, size_t tn)
{
    const char *rest = lty__rekey_rest(s, i);
    const lty__rekey_rec *r = &s->r[i];
    lty__key k;
    int rc;
    lty__key_customer(&k, to, tn);
    lty__key_add(&k, rest, r->klen);
    if ((rc = lty__put(e, k.b, k.n, lty__rekey_value(s, i), r->vlen,
                       LTY_REV_NONE, NULL)))
        return rc;
    lty__key_customer(&k, from, fn);
    lty__key_add(&k, rest, r->klen);
    return lty__del(e, k.b, k.n, r->rev);
}

int lty__customer_rekey_rest(lty_engine *e, const char *from, size_t fn,
                             const char *to, size_t tn)
{
    lty__rekey_set s;
    lty__rekey_set_init(&s, &e->alloc);
    /* After lty__ledger_rekey(), inside the same transaction: the ledger
     * and the aggregates are gone from "from", so this scan does not copy
     * the ledger again. */
    int rc = lty__rekey_collect(e, &s, from, fn, NULL, 0, "erase");
    /* Refuse before writing anything, so the error names the cause. */
    for (size_t i = 0; rc == LTY_OK && i < s.n; i++)
        if (known_kind(lty__rekey_rest(&s, i), s.r[i].klen) == KIND_UNKNOWN)
            rc = lty__err(e, LTY_EVERSION,
                          "erase: a customer record of a kind this library "
                          "version cannot erase");
    for (size_t i = 0; rc == LTY_OK && i < s.n; i++) {
        const char *rest = lty__rekey_rest(&s, i);
        int kind = known_kind(rest, s.r[i].klen);
        if (kind == KIND_SKIP)
            continue;
        if (kind == KIND_DROP) {
            lty__key k;
            lty__key_customer(&k, from, fn);
            lty__key_add(&k, rest, s.r[i].klen);
            rc = lty__del(e, k.b, k.n, s.r[i].rev);
            continue;
        }
        if (kind == KIND_MESSAGE) {
            rc = lty__outbox_erase(e, rest + 1, s.r[i].klen - 1, from, fn);
            if (rc == LTY_OK) {
                lty__key k;
                lty__key_customer(&k, from, fn);
                lty__key_add(&k, rest, s.r[i].klen);
                rc = lty__del(e, k.b, k.n, s.r[i].rev);
            }
            continue;
        }
        if (kind == KIND_REWARD) {
            rc = lty__reward_rekey(e, rest + 1, s.r[i].klen - 1, from, fn, to,
                                   tn);
            if (rc)
                break;
        }
        if (kind == KIND_APPOINTMENT) {
            rc = lty__appointment_rekey(e, rest, s.r[i].klen, from, fn, to,
                                        tn);
            if (rc)
                break;
        }
        if (kind == KIND_REFERRAL) {
            rc = lty__referral_rekey_referrer(e, rest + 1, s.r[i].klen - 1,
                                              from, fn, to, tn);
            if (rc)
                break;
        }
        rc = move_record(e, &s, i, from, fn, to, tn);
    }
    lty__rekey_set_release(&s);
    /* the customer as a referred friend: "R\0<id>" and what names it */
    if (rc == LTY_OK)
        rc = lty__referral_rekey_referred(e, from, fn, to, tn);
    return rc;
}
