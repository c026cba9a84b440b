/*
 * libloyalty - contact hygiene: the contact-state record and delivery
 * reports.
 *
 * A hard bounce invalidates the address at once; a run of soft bounces
 * (soft_bounce_limit) invalidates it; a run of unopened marketing e-mails
 * (unopened_limit) suppresses marketing e-mail to it; a complaint or an
 * unsubscription withdraws that channel's marketing consent.  Counters
 * belong to an address: when the customer's address changes, the new one
 * starts clean (Mautic issue 5723: a bounce stuck to a changed address).
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "codec_int.h"
#include "contact_state.h"
#include "customer_int.h"
#include "fastenc_int.h"
#include "keys_int.h"
#include "messaging_int.h"
#include "outbox_record.h"
#include "program_int.h"
#include "validate_int.h"

uint64_t lty__address_hash(const char *addr)
{
    uint64_t h = lty__hash64(LTY__HASH_SEED, addr, strlen(addr));
    return h ? h : 1;
}

/* ------------------------------------------------------------------ */
/* The record                                                          */
/* ------------------------------------------------------------------ */

enum { K_CHANNEL = 1, K_SEND = 2 };
enum { KC_CHANNEL = 1, KC_HASH, KC_SOFT, KC_UNOPENED, KC_INVALID, KC_SUPPRESSED };

static void contact_key(lty__key *k, const char *cid, size_t cn)
{
    lty__key_customer(k, cid, cn);
    lty__key_add(k, "K", 1);
}

static int contact_encode(const lty__contact *c, lty_buf *out)
{
    size_t most = 2 + (LTY_CHANNEL_STAFF + 1) *
                          LTY__FIELD_BYTES_MAX(6 * LTY__FIELD_NUM_MAX) +
                  LTY__SENDS_MAX * LTY__FIELD_NUM_MAX;
    lty__writer w;
    int rc = lty__writer_begin(&w, out, most, LTY__REC_CONTACT, LTY__CONTACT_VERSION);
    if (rc)
        return rc;
    for (int ch = LTY_CHANNEL_SMS; ch <= LTY_CHANNEL_STAFF; ch++) {
        const lty__contact_channel *x = &c->ch[ch];
        if (!x->address_hash)
            continue;
        unsigned char sub[6 * LTY__FIELD_NUM_MAX];
        lty__writer s = {sub};
        lty__put_i64(&s, KC_CHANNEL, ch);
        lty__put_u64(&s, KC_HASH, x->address_hash);
        lty__put_i64(&s, KC_SOFT, x->soft_bounces);
        lty__put_i64(&s, KC_UNOPENED, x->unopened);
        lty__put_i64(&s, KC_INVALID, x->invalid);
        lty__put_i64(&s, KC_SUPPRESSED, x->marketing_suppressed);
        lty__put_bytes(&w, K_CHANNEL, sub, (size_t)(s.p - sub));
    }
    for (size_t i = 0; i < c->nsends; i++)
        lty__put_i64(&w, K_SEND, c->sends[i]);
    lty__writer_end(&w, out);
    return LTY_OK;
}

static int dec_channel(const lty__field *pf, lty__contact *c)
{
    lty__dec d;
    lty__field f;
    lty__contact_channel x;
    int64_t v, ch = 0;
    uint64_t u, seen = 0;
    int r;
    memset(&x, 0, sizeof x);
    if (lty__dec_sub(&d, pf))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case KC_CHANNEL:
            if (lty__field_int(&f, LTY_CHANNEL_SMS, LTY_CHANNEL_STAFF, &ch))
                return LTY_ECORRUPT;
            break;
        case KC_HASH:
            if (lty__field_u64(&f, &u) || !u)
                return LTY_ECORRUPT;
            x.address_hash = u;
            break;
        case KC_SOFT:
        case KC_UNOPENED:
            if (lty__field_int(&f, 0, 1000000, &v))
                return LTY_ECORRUPT;
            *(f.tag == KC_SOFT ? &x.soft_bounces : &x.unopened) = (int)v;
            break;
        case KC_INVALID:
        case KC_SUPPRESSED:
            if (lty__field_int(&f, 0, 1, &v))
                return LTY_ECORRUPT;
            *(f.tag == KC_INVALID ? &x.invalid : &x.marketing_suppressed) = (int)v;
            break;
        default:
            return LTY_ECORRUPT;
        }
    }
    if (r < 0 || !ch || !x.address_hash || c->ch[ch].address_hash)
        return LTY_ECORRUPT;
    c->ch[ch] = x;
    return LTY_OK;
}

static int contact_decode(const void *data, size_t len, lty__contact *c)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    int64_t t;
    int r;
    memset(c, 0, sizeof *c);
    if ((r = lty__dec_begin(&d, data, len, LTY__REC_CONTACT, LTY__CONTACT_VERSION,
                            &version)))
        return r;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (f.tag == K_CHANNEL) {
            if (dec_channel(&f, c))
                return LTY_ECORRUPT;
        } else if (f.tag == K_SEND) {
            if (c->nsends == LTY__SENDS_MAX ||
                lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &t) ||
                (c->nsends && c->sends[c->nsends - 1] > t))
                return LTY_ECORRUPT;
            c->sends[c->nsends++] = t;
        } else {
            return LTY_ECORRUPT;
        }
    }
    return r == 0 ? LTY_OK : LTY_ECORRUPT;
}

int lty__contact_load(lty_engine *e, const char *cid, size_t cn, lty__contact *c,
                      uint64_t *rev)
{
    lty__key k;
    contact_key(&k, cid, cn);
    int rc = lty__get(e, k.b, k.n, NULL, rev);
    if (rc == LTY_ENOTFOUND) {
        memset(c, 0, sizeof *c);
        *rev = LTY_REV_NONE;
        return LTY_OK;
    }
    if (rc)
        return rc;
    if ((rc = contact_decode(e->rbuf.data, e->rbuf.len, c)))
        return lty__corrupt(e, rc, "contact state");
    return LTY_OK;
}

int lty__contact_store(lty_engine *e, const char *cid, size_t cn,
                       const lty__contact *c, uint64_t rev)
{
    lty__key k;
    contact_key(&k, cid, cn);
    int rc = contact_encode(c, &e->wbuf);
    if (rc)
        return lty__err(e, rc, "contact state: cannot encode");
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

lty__contact_channel *lty__contact_for(lty__contact *c, lty_channel ch,
                                       const char *addr)
{
    lty__contact_channel *x = &c->ch[ch];
    uint64_t h = lty__address_hash(addr ? addr : "");
    if (x->address_hash != h) {
        memset(x, 0, sizeof *x);
        x->address_hash = h;
    }
    return x;
}

void lty__contact_sent(lty__contact *c, int64_t t)
{
    if (c->nsends == LTY__SENDS_MAX) {
        memmove(c->sends, c->sends + 1, (LTY__SENDS_MAX - 1) * sizeof *c->sends);
        c->nsends--;
    }
    /* keep them in time order even if clocks disagree a little */
    size_t at = c->nsends;
    while (at > 0 && c->sends[at - 1] > t)
        at--;
    memmove(c->sends + at + 1, c->sends + at, (c->nsends - at) * sizeof *c->sends);
    c->sends[at] = t;
    c->nsends++;
}

size_t lty__contact_sends_since(const lty__contact *c, int64_t since)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nsends; i++)
        n += c->sends[i] >= since;
    return n;
}

/* ------------------------------------------------------------------ */
/* Delivery reports                                                    */
/* ------------------------------------------------------------------ */

/* Is the address message m went to still the customer's on its channel? */
static int still_current(lty_engine *e, const lty__msg *m, int *current)
{
    lty_buf buf;
    lty__profile p;
    uint64_t rev;
    lty__str now = {NULL, 0};
    *current = 1;
    if (m->sent_channel != LTY_CHANNEL_SMS && m->sent_channel != LTY_CHANNEL_KAKAO &&
        m->sent_channel != LTY_CHANNEL_EMAIL)
        return LTY_OK;
    lty__buf_init(&buf, &e->alloc);
    int rc = lty__profile_load(e, m->cid, m->cn, &buf, &p, &rev);
    if (rc == LTY_OK) {
        now = m->sent_channel == LTY_CHANNEL_EMAIL ? p.email : p.phone;
        *current = now.n == strlen(m->address) &&
                   memcmp(now.p, m->address, now.n) == 0;
    } else if (rc == LTY_ENOTFOUND) {
        lty__err_clear(e);
        *current = 0;
        rc = LTY_OK;
    }
    lty__buf_release(&buf);
    return rc;
}

typedef struct report_op {
    const char *id;
    size_t n;
    lty_delivery_kind kind;
    int64_t when;
} report_op;

static int report_body(lty_engine *e, void *arg)
{
    report_op *op = arg;
    const lty__messaging *pol;
    lty__msg *m = NULL;
    lty__contact c;
    uint64_t rev, crev;
    int rc;
    if ((rc = lty__messaging_current(e, &pol)))
        return rc;
    m = lty__malloc(&e->alloc, sizeof *m);
    if (!m)
        return lty__err(e, LTY_ENOMEM, "delivery report: out of memory");
    rc = lty__msg_load(e, op->id, op->n, m, &rev);
    if (rc == LTY_ENOTFOUND)
        rc = lty__err(e, LTY_ENOTFOUND, "message: not found");
    if (rc)
        goto out;
    /* a gateway may report before the dispatcher has acknowledged */
    if ((m->state != LTY_MSG_SENT && m->state != LTY_MSG_CLAIMED) ||
        !m->sent_channel) {
        rc = lty__err(e, LTY_ESTATE, "message: never sent");
        goto out;
    }
    unsigned bit = 1u << op->kind;
    if (m->reports & bit)
        goto out; /* the same report again */
    unsigned before = m->reports;
    m->reports |= bit;
    if ((rc = lty__msg_store(e, m, rev, m->state, m->due)))
        goto out;
    if ((rc = lty__contact_load(e, m->cid, m->cn, &c, &crev)))
        goto out;
    /* The report is about the address the message went to: when the
     * customer has changed it since, the counters of the new address are
     * left alone (consent is per channel, so complaints still count). */
    int current = 1;
    if ((rc = still_current(e, m, &current)))
        goto out;
    lty__contact_channel spare, *x = &spare;
    memset(&spare, 0, sizeof spare);
    if (current)
        x = lty__contact_for(&c, m->sent_channel, m->address);
    int marketing = m->purpose != LTY_PURPOSE_TRANSACTIONAL;
    switch (op->kind) {
    case LTY_DELIVERED:
        x->soft_bounces = 0;
        break;
    case LTY_OPENED:
    case LTY_CLICKED:
        x->soft_bounces = 0;
        x->unopened = 0;
        if (marketing && m->sent_channel == LTY_CHANNEL_EMAIL &&
            !(before & ((1u << LTY_OPENED) | (1u << LTY_CLICKED))))
            x->marketing_suppressed = 0;
        break;
    case LTY_SOFT_BOUNCE:
        if (++x->soft_bounces >= pol->soft_bounce_limit)
            x->invalid = 1;
        break;
    case LTY_HARD_BOUNCE:
        x->invalid = 1;
        break;
    case LTY_COMPLAINT:
    case LTY_UNSUBSCRIBED:
        if (m->sent_channel >= LTY_CHANNEL_SMS && m->sent_channel <= LTY_CHANNEL_PUSH) {
            rc = lty__consent_set_in_txn(e, m->cid, m->cn, m->sent_channel,
                                         LTY_PURPOSE_MARKETING, 0);
            if (rc == LTY_OK)
                rc = lty__consent_set_in_txn(e, m->cid, m->cn, m->sent_channel,
                                             LTY_PURPOSE_NIGHT_MARKETING, 0);
            if (rc == LTY_ENOTFOUND)
                rc = LTY_OK; /* the customer was erased since */
            if (rc)
                goto out;
        }
        break;
    }
    rc = lty__contact_store(e, m->cid, m->cn, &c, crev);
out:
    lty__free(&e->alloc, m);
    return rc;
}

int lty_delivery_report(lty_engine *e, const char *message_id,
                        lty_delivery_kind kind, int64_t when)
{
    report_op op;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if ((rc = lty__check_text(e, "message id", message_id, 1, LTY_MESSAGE_ID_MAX,
                              LTY__TEXT_LINE, &op.n)))
        return rc;
    if (kind < LTY_DELIVERED || kind > LTY_UNSUBSCRIBED)
        return lty__err(e, LTY_EINVALID, "delivery kind: unknown");
    if (when == LTY_TIME_NOW)
        when = lty__now(e);
    else if ((rc = lty__check_time(e, "report time", when)))
        return rc;
    op.id = message_id;
    op.kind = kind;
    op.when = when;
    return lty__txn(e, report_body, &op);
}
