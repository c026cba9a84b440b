/*
 * libloyalty - dispatching the outbox: claim what is due under the
 * messaging policy, hand it to the messenger, record the outcome.
 *
 * 1. One transaction claims up to `max` due messages.  For each, the
 *    policy decides: send on a channel (claimed until now + claim_seconds),
 *    defer (quiet hours, frequency cap), suppress (no consent, no usable
 *    channel or template; kept with the reason) or give up (the text is
 *    longer than the channel allows).  The rendered texts are kept in
 *    memory for step 2.
 * 2. After the commit, the messenger's send is called for each claimed
 *    message, outside any transaction.
 * 3. Each outcome is recorded in a transaction of its own, only if the
 *    message is still this dispatcher's claim (same attempt number).  A
 *    dispatcher that dies between 2 and 3 leaves the message claimed; when
 *    the claim runs out it is due again and sent again with the same id.
 *
 * Two dispatchers never both claim a message: claiming rewrites the
 * message record at the revision read, so the second one's transaction
 * conflicts, is run again, and finds the message claimed.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "contact_state.h"
#include "customer_int.h"
#include "keys_int.h"
#include "messaging_int.h"
#include "outbox_record.h"
#include "validate_int.h"

#define DISPATCH_MAX 10000
#define RETRY_MAX_SECONDS (24 * 3600)

int lty_messenger_register(lty_engine *e, const lty_messenger_ops *ops,
                           void *userdata)
{
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (ops) {
        if (ops->version == 0 || ops->version > LTY_MESSENGER_OPS_VERSION)
            return lty__err(e, LTY_EVERSION, "messenger ops: version %u not supported",
                            ops->version);
        if (!ops->send)
            return lty__err(e, LTY_EINVALID, "messenger ops: no send callback");
    }
    if (e->messenger.destroy)
        e->messenger.destroy(e->messenger_ud);
    memset(&e->messenger, 0, sizeof e->messenger);
    e->messenger_ud = NULL;
    if (ops) {
        e->messenger = *ops;
        e->messenger_ud = userdata;
    }
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* What was claimed, for the send phase                                */
/* ------------------------------------------------------------------ */

typedef struct claimed {
    size_t id, cid, template_id, text, address; /* offsets into the arena */
    int has_address;
    lty_channel channel;
    lty_purpose purpose;
    int64_t due;
    int attempt;
} claimed;

typedef struct dispatch_op {
    int64_t now;
    size_t max;
    lty_dispatch_report rep;
    lty_buf ids;               /* due ids gathered from the index */
    lty_buf arena;             /* strings of the claimed messages */
    claimed *c;
    size_t nc;
    lty_buf text;              /* rendering scratch */
    lty_buf prof;              /* profile scratch */
    lty__msg *m;
} dispatch_op;

static int arena_add(lty_engine *e, dispatch_op *op, const char *s, size_t *off)
{
    if (lty__buf_append(&op->arena, s, strlen(s) + 1, off))
        return lty__err(e, LTY_ENOMEM, "dispatch: out of memory");
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Gathering what is due                                               */
/* ------------------------------------------------------------------ */

typedef struct due_scan {
    dispatch_op *op;
    int64_t now;
    size_t n;
    int corrupt;
} due_scan;

static int due_each(const char *key, size_t keylen, const void *val, size_t len,
                    uint64_t rev, void *ctx)
{
    due_scan *s = ctx;
    (void)val;
    (void)len;
    (void)rev;
    /* a NUL in the id would split it in two in the NUL-separated list */
    if (keylen <= 10 || keylen - 10 > LTY_MESSAGE_ID_MAX ||
        !lty__text_valid(key + 10, keylen - 10, LTY__TEXT_LINE)) {
        s->corrupt = 1;
        return LTY_ECORRUPT;
    }
    uint64_t due = 0;
    for (int i = 2; i < 10; i++)
        due = due << 8 | (unsigned char)key[i];
    if (due > (uint64_t)s->now)
        return LTY_SCAN_STOP;
    if (lty__buf_append(&s->op->ids, key + 10, keylen - 10, NULL) ||
        lty__buf_append(&s->op->ids, "", 1, NULL))
        return LTY_ENOMEM;
    return ++s->n >= s->op->max ? LTY_SCAN_STOP : LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The policy                                                          */
/* ------------------------------------------------------------------ */

enum action { SEND, DEFER, SUPPRESS, GIVE_UP };

typedef struct decision {
    enum action action;
    lty_channel channel;
    const char *address;       /* into the profile buffer, or NULL */
    int64_t defer_to;
    const char *reason;
} decision;

static int consent_of(const lty__profile *p, lty_channel ch, lty_purpose purpose)
{
    for (size_t i = 0; i < p->nconsent; i++)
        if (p->consent[i].channel == (int)ch && p->consent[i].purpose == (int)purpose)
            return p->consent[i].granted;
    return 0;
}

/* Local minutes after midnight at t, and the UTC time of the next local
 * `minutes` after t. */
static int local_minutes(lty_engine *e, int64_t t, int *out)
{
    int off;
    int rc = lty__utc_offset(e, t, &off);
    if (rc)
        return rc;
    int64_t local = t + (int64_t)off * 60;
    *out = (int)((local - lty__floordiv(local, 86400) * 86400) / 60);
    return LTY_OK;
}

static int next_local(lty_engine *e, int64_t t, int minutes, int64_t *out)
{
    int off;
    int rc = lty__utc_offset(e, t, &off);
    if (rc)
        return rc;
    int64_t day = lty__floordiv(t + (int64_t)off * 60, 86400);
    int64_t at = day * 86400 + (int64_t)minutes * 60 - (int64_t)off * 60;
    if (at <= t)
        at += 86400;
    /* the offset may differ on that day (daylight saving) */
    if ((rc = lty__utc_offset(e, at, &off)) == LTY_OK) {
        int64_t d2 = lty__floordiv(at + (int64_t)off * 60, 86400);
        at = d2 * 86400 + (int64_t)minutes * 60 - (int64_t)off * 60;
        if (at <= t)
            at += 86400;
    }
    *out = at;
    return rc;
}

static int in_quiet_hours(const lty__messaging *pol, int local)
{
    if (pol->quiet_start == pol->quiet_end)
        return 0;
    if (pol->quiet_start < pol->quiet_end)
        return local >= pol->quiet_start && local < pol->quiet_end;
    return local >= pol->quiet_start || local < pol->quiet_end;
}

/* The customer's address on a channel, or NULL (push and staff need none:
 * "" is returned for them). */
static const char *address_of(const lty__profile *p, lty_channel ch, char *buf,
                              size_t size)
{
    lty__str s = {NULL, 0};
    switch (ch) {
    case LTY_CHANNEL_SMS:
    case LTY_CHANNEL_KAKAO:
        s = p->phone;
        break;
    case LTY_CHANNEL_EMAIL:
        s = p->email;
        break;
    default:
        return "";
    }
    if (!s.n || s.n >= size)
        return NULL;
    memcpy(buf, s.p, s.n);
    buf[s.n] = '\0';
    return buf;
}

/* The customer's "locale" preference, or "" (the default template) when
 * there is none or it is not a locale tag: preferences are free text, and
 * a spelling such as "ko_KR" must not make rendering fail (which would
 * fail the whole dispatch, every time, while the message is due). */
static const char *locale_of(const lty__profile *p, char *buf, size_t size)
{
    for (size_t i = 0; i < p->npref; i++)
        if (p->pref[i].key.n == 6 && memcmp(p->pref[i].key.p, "locale", 6) == 0 &&
            p->pref[i].value.n < size) {
            const char *v = p->pref[i].value.p;
            for (size_t k = 0; k < p->pref[i].value.n; k++)
                if (!((v[k] >= 'a' && v[k] <= 'z') ||
                      (v[k] >= 'A' && v[k] <= 'Z') ||
                      (v[k] >= '0' && v[k] <= '9') || v[k] == '-'))
                    return "";
            memcpy(buf, v, p->pref[i].value.n);
            buf[p->pref[i].value.n] = '\0';
            return buf;
        }
    return "";
}

/* Sends of marketing already claimed in this batch for the customer. */
static size_t batch_sends(const dispatch_op *op, const char *cid)
{
    size_t n = 0;
    for (size_t i = 0; i < op->nc; i++)
        if (op->c[i].purpose != LTY_PURPOSE_TRANSACTIONAL &&
            strcmp((const char *)op->arena.data + op->c[i].cid, cid) == 0)
            n++;
    return n;
}

static int decide(lty_engine *e, dispatch_op *op, const lty__messaging *pol,
                  const lty__msg *m, const lty__profile *p, lty__contact *ct,
                  decision *d, char addrbuf[][LTY__ADDRESS_MAX + 1])
{
    int rc, local;
    int marketing = m->purpose != LTY_PURPOSE_TRANSACTIONAL;
    memset(d, 0, sizeof *d);
    int night = 0;
    if (marketing) {
        /* quiet hours: wait them out, unless the policy is strict and the
         * customer gave night-time consent on a channel we may use */
        if ((rc = local_minutes(e, op->now, &local)))
            return rc;
        night = in_quiet_hours(pol, local);
        /* a customer who consented to marketing on no channel at all is
         * suppressed now, not first deferred to the morning */
        int any_consent = 0;
        for (int ch = LTY_CHANNEL_SMS; ch <= LTY_CHANNEL_PUSH; ch++)
            any_consent |= consent_of(p, (lty_channel)ch, LTY_PURPOSE_MARKETING);
        if (night && any_consent) {
            int night_ok = 0;
            if (pol->strict_consent)
                for (int ch = LTY_CHANNEL_SMS; ch <= LTY_CHANNEL_PUSH; ch++)
                    night_ok |= consent_of(p, (lty_channel)ch,
                                           LTY_PURPOSE_NIGHT_MARKETING);
            if (!night_ok) {
                d->action = DEFER;
                d->reason = "deferred: quiet hours";
                return next_local(e, op->now, pol->quiet_end, &d->defer_to);
            }
        }
        /* the frequency cap */
        if (pol->cap_messages > 0) {
            int64_t window = (int64_t)pol->cap_window_days * 86400;
            size_t sent = lty__contact_sends_since(ct, op->now - window) +
                          batch_sends(op, m->cid);
            if (sent >= (size_t)pol->cap_messages) {
                int64_t oldest = op->now;
                for (size_t i = 0; i < ct->nsends; i++)
                    if (ct->sends[i] >= op->now - window) {
                        oldest = ct->sends[i];
                        break;
                    }
                d->action = DEFER;
                d->reason = "deferred: frequency cap";
                d->defer_to = oldest + window + 1;
                if (d->defer_to <= op->now)
                    d->defer_to = op->now + 60;
                return LTY_OK;
            }
        }
    }
    /* the channels to try, in order */
    lty_channel order[6];
    size_t n = 0;
    if (m->channel != LTY_CHANNEL_NONE) {
        order[n++] = m->channel;
    } else {
        /* push only when the customer chose it: not everyone has the
         * host's app */
        static const lty_channel fallback[] = {LTY_CHANNEL_SMS, LTY_CHANNEL_KAKAO,
                                               LTY_CHANNEL_EMAIL};
        if (p->preferred_channel >= LTY_CHANNEL_SMS &&
            p->preferred_channel <= LTY_CHANNEL_PUSH)
            order[n++] = (lty_channel)p->preferred_channel;
        for (size_t i = 0; i < 3; i++)
            if (!n || order[0] != fallback[i])
                order[n++] = fallback[i];
    }
    char locale[LTY_LOCALE_MAX + 1];
    const char *loc = locale_of(p, locale, sizeof locale);
    /* {name} comes from the profile unless the plan gave it */
    lty_param params[LTY_MESSAGE_PARAMS_MAX + 1];
    char name[LTY_PARAM_MAX + 1] = "";
    size_t np = 0;
    int have_name = 0;
    for (size_t i = 0; i < m->nparams; i++) {
        params[np++] = (lty_param){m->keys[i], m->values[i]};
        have_name |= strcmp(m->keys[i], "name") == 0;
    }
    if (!have_name && p->name.n && p->name.n <= LTY_PARAM_MAX) {
        memcpy(name, p->name.p, p->name.n);
        name[p->name.n] = '\0';
        params[np++] = (lty_param){"name", name};
    }
    /* The reason kept is that of the first channel tried that has an
     * address (the one asked for, or the customer's own first): the most
     * telling one.  Later channels only fill it when none had a reason. */
    const char *why = NULL;
#define REFUSE(text)          \
    do {                      \
        if (!why)             \
            why = (text);     \
    } while (0)
    /* a channel refused only for want of night-time consent: the message
     * waits for the morning rather than being suppressed */
    int wait_for_day = 0;
    for (size_t i = 0; i < n; i++) {
        lty_channel ch = order[i];
        const char *addr = address_of(p, ch, addrbuf[i], LTY__ADDRESS_MAX + 1);
        if (!addr)
            continue;
        if (ch != LTY_CHANNEL_STAFF) {
            lty__contact_channel *x = lty__contact_for(ct, ch, addr);
            if (x->invalid) {
                REFUSE("suppressed: address invalid");
                continue;
            }
            if (marketing) {
                int need_night = night || m->purpose == LTY_PURPOSE_NIGHT_MARKETING;
                if (!consent_of(p, ch, LTY_PURPOSE_MARKETING) ||
                    (need_night && !consent_of(p, ch, LTY_PURPOSE_NIGHT_MARKETING))) {
                    if (night && m->purpose == LTY_PURPOSE_MARKETING &&
                        consent_of(p, ch, LTY_PURPOSE_MARKETING))
                        wait_for_day = 1;
                    REFUSE("suppressed: no consent");
                    continue;
                }
                if (ch == LTY_CHANNEL_EMAIL && x->marketing_suppressed) {
                    REFUSE("suppressed: e-mails left unopened");
                    continue;
                }
            }
        }
        rc = lty__render(e, pol, m->template_id, ch, loc, m->purpose, params, np,
                         &op->text);
        if (rc == LTY_ENOTFOUND) {
            REFUSE("suppressed: no template for the channel");
            continue;
        }
        if (rc == LTY_ERANGE) {
            d->action = GIVE_UP;
            d->reason = "dead: text longer than the channel allows";
            return LTY_OK;
        }
        if (rc)
            return rc;
        d->action = SEND;
        d->channel = ch;
        d->address = ch == LTY_CHANNEL_STAFF || ch == LTY_CHANNEL_PUSH ? NULL : addr;
        d->reason = NULL;
        return LTY_OK;
    }
#undef REFUSE
    d->reason = why ? why
                : m->channel != LTY_CHANNEL_NONE ? "suppressed: no address on the channel"
                                                 : "suppressed: no address";
    if (wait_for_day) {
        d->action = DEFER;
        d->reason = "deferred: quiet hours";
        return next_local(e, op->now, pol->quiet_end, &d->defer_to);
    }
    d->action = SUPPRESS;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* 1. Claim                                                            */
/* ------------------------------------------------------------------ */

static int claim_one(lty_engine *e, dispatch_op *op, const lty__messaging *pol,
                     const char *id, size_t idn)
{
    lty__msg *m = op->m;
    lty__profile p;
    lty__contact ct;
    decision d;
    uint64_t rev, prev, crev;
    char addrbuf[6][LTY__ADDRESS_MAX + 1];
    int rc = lty__msg_load(e, id, idn, m, &rev);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ECORRUPT, "outbox due index: points to a missing message");
    if (rc)
        return rc;
    if (!lty__msg_pending(m->state) || m->due > op->now)
        return lty__err(e, LTY_ECORRUPT, "outbox due index: out of step with its message");
    lty_message_state old_state = m->state;
    int64_t old_due = m->due;
    /* a claim that ran out was an attempt that never acknowledged (the
     * dispatcher died, or its acknowledgement failed): it counts */
    if (m->state == LTY_MSG_CLAIMED && m->attempts >= pol->max_attempts) {
        m->state = LTY_MSG_DEAD;
        m->due = m->plan_due;
        snprintf(m->reason, sizeof m->reason,
                 "dead: too many attempts without an acknowledgement");
        op->rep.dead++;
        return lty__msg_store(e, m, rev, old_state, old_due);
    }
    rc = lty__profile_load(e, m->cid, m->cn, &op->prof, &p, &prev);
    if (rc == LTY_ENOTFOUND) {
        lty__err_clear(e);
        m->state = LTY_MSG_SUPPRESSED;
        m->due = m->plan_due;
        snprintf(m->reason, sizeof m->reason, "suppressed: the customer was erased");
        op->rep.suppressed++;
        return lty__msg_store(e, m, rev, old_state, old_due);
    }
    if (rc)
        return rc;
    if ((rc = lty__contact_load(e, m->cid, m->cn, &ct, &crev)) ||
        (rc = decide(e, op, pol, m, &p, &ct, &d, addrbuf)))
        return rc;
    switch (d.action) {
    case DEFER:
        m->due = d.defer_to;
        if (m->state == LTY_MSG_CLAIMED)
            m->state = LTY_MSG_PLANNED;
        snprintf(m->reason, sizeof m->reason, "%s", d.reason);
        op->rep.deferred++;
        return lty__msg_store(e, m, rev, old_state, old_due);
    case SUPPRESS:
    case GIVE_UP:
        m->state = d.action == SUPPRESS ? LTY_MSG_SUPPRESSED : LTY_MSG_DEAD;
        m->due = m->plan_due;
        snprintf(m->reason, sizeof m->reason, "%s", d.reason);
        if (d.action == SUPPRESS)
            op->rep.suppressed++;
        else
            op->rep.dead++;
        return lty__msg_store(e, m, rev, old_state, old_due);
    case SEND:
        break;
    }
    m->state = LTY_MSG_CLAIMED;
    m->attempts++;
    m->sent_channel = d.channel;
    snprintf(m->address, sizeof m->address, "%s", d.address ? d.address : "");
    m->reason[0] = '\0';
    m->due = op->now + pol->claim_seconds;
    if ((rc = lty__msg_store(e, m, rev, old_state, old_due)))
        return rc;
    claimed c;
    memset(&c, 0, sizeof c);
    c.channel = d.channel;
    c.purpose = m->purpose;
    c.due = m->plan_due;
    c.attempt = m->attempts;
    c.has_address = d.address != NULL;
    if ((rc = arena_add(e, op, m->id, &c.id)) ||
        (rc = arena_add(e, op, m->cid, &c.cid)) ||
        (rc = arena_add(e, op, m->template_id, &c.template_id)) ||
        (rc = arena_add(e, op, (const char *)op->text.data, &c.text)) ||
        (rc = arena_add(e, op, m->address, &c.address)))
        return rc;
    op->c[op->nc++] = c;
    op->rep.claimed++;
    return LTY_OK;
}

static int claim_body(lty_engine *e, void *arg)
{
    dispatch_op *op = arg;
    const lty__messaging *pol;
    lty__key k;
    int rc;
    /* a retried transaction starts over */
    memset(&op->rep, 0, sizeof op->rep);
    op->nc = 0;
    op->ids.len = 0;
    op->arena.len = 0;
    if ((rc = lty__messaging_current(e, &pol)))
        return rc;
    due_scan s = {op, op->now, 0, 0};
    lty__key_reset(&k);
    lty__key_add(&k, "Q", 1);
    lty__key_sep(&k);
    rc = lty__scan(e, k.b, k.n, NULL, 0, due_each, &s);
    if (s.corrupt)
        return lty__corrupt(e, LTY_ECORRUPT, "outbox due index key");
    if (rc == LTY_ENOMEM)
        return lty__err(e, rc, "dispatch: out of memory");
    if (rc)
        return rc;
    for (size_t off = 0; off < op->ids.len;) {
        const char *id = (const char *)op->ids.data + off;
        size_t n = strlen(id);
        if ((rc = claim_one(e, op, pol, id, n)))
            return rc;
        off += n + 1;
    }
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* 3. Acknowledge                                                      */
/* ------------------------------------------------------------------ */

typedef struct ack_op {
    dispatch_op *op;
    const claimed *c;
    int result;                /* what send returned */
    int outcome;               /* 0 sent, 1 retried, 2 dead, -1 not ours */
} ack_op;

static int ack_body(lty_engine *e, void *arg)
{
    ack_op *a = arg;
    dispatch_op *op = a->op;
    const lty__messaging *pol;
    lty__msg *m = op->m;
    lty__contact ct;
    uint64_t rev, crev;
    const char *id = (const char *)op->arena.data + a->c->id;
    int rc;
    a->outcome = -1;
    if ((rc = lty__messaging_current(e, &pol)))
        return rc;
    rc = lty__msg_load(e, id, strlen(id), m, &rev);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK; /* erased meanwhile */
    if (rc)
        return rc;
    /* another dispatcher took it over after our claim ran out */
    if (m->state != LTY_MSG_CLAIMED || m->attempts != a->c->attempt)
        return LTY_OK;
    lty_message_state old_state = m->state;
    int64_t old_due = m->due;
    if (a->result == LTY_OK) {
        m->state = LTY_MSG_SENT;
        m->sent = op->now;
        m->due = a->c->due;
        a->outcome = 0;
        if ((rc = lty__msg_store(e, m, rev, old_state, old_due)))
            return rc;
        if (m->purpose == LTY_PURPOSE_TRANSACTIONAL)
            return LTY_OK;
        /* marketing: the cap counts it; an e-mail counts as unopened
         * until a report says otherwise */
        if ((rc = lty__contact_load(e, m->cid, m->cn, &ct, &crev)))
            return rc;
        lty__contact_sent(&ct, op->now);
        if (m->sent_channel == LTY_CHANNEL_EMAIL) {
            lty__contact_channel *x = lty__contact_for(&ct, LTY_CHANNEL_EMAIL,
                                                       m->address);
            if (++x->unopened >= pol->unopened_limit && pol->unopened_limit > 0)
                x->marketing_suppressed = 1;
        }
        return lty__contact_store(e, m->cid, m->cn, &ct, crev);
    }
    if (a->result == LTY_EPERMANENT || m->attempts >= pol->max_attempts) {
        m->state = LTY_MSG_DEAD;
        snprintf(m->reason, sizeof m->reason, "%s",
                 a->result == LTY_EPERMANENT ? "dead: refused by the messenger"
                                             : "dead: too many attempts");
        m->due = a->c->due;
        a->outcome = 2;
    } else {
        int64_t delay = (int64_t)pol->retry_base_seconds << (m->attempts - 1 < 20 ? m->attempts - 1 : 20);
        if (delay > RETRY_MAX_SECONDS)
            delay = RETRY_MAX_SECONDS;
        m->state = LTY_MSG_RETRY;
        m->due = op->now + delay;
        snprintf(m->reason, sizeof m->reason, "retry: the messenger failed temporarily");
        a->outcome = 1;
    }
    return lty__msg_store(e, m, rev, old_state, old_due);
}

/* ------------------------------------------------------------------ */
/* The call                                                            */
/* ------------------------------------------------------------------ */

int lty_outbox_dispatch(lty_engine *e, int64_t now, size_t max,
                        lty_dispatch_report *report)
{
    dispatch_op op;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (report)
        memset(report, 0, sizeof *report);
    if (!e->messenger.send)
        return lty__err(e, LTY_ESTATE, "dispatch: no messenger registered");
    /* a claim must be committed before its message is handed over */
    if (e->in_group) {
        if (!e->group_rc)
            e->group_rc = LTY_ESTATE;
        return lty__err(e, LTY_ESTATE, "dispatch: not inside lty_transaction()");
    }
    if (max < 1 || max > DISPATCH_MAX)
        return lty__err(e, LTY_EINVALID, "max: outside 1..%d", DISPATCH_MAX);
    if (now == LTY_TIME_NOW)
        now = lty__now(e);
    else if ((rc = lty__check_time(e, "dispatch time", now)))
        return rc;
    memset(&op, 0, sizeof op);
    op.now = now;
    op.max = max;
    lty__buf_init(&op.ids, &e->alloc);
    lty__buf_init(&op.arena, &e->alloc);
    lty__buf_init(&op.text, &e->alloc);
    lty__buf_init(&op.prof, &e->alloc);
    op.c = lty__malloc(&e->alloc, max * sizeof *op.c);
    op.m = lty__malloc(&e->alloc, sizeof *op.m);
    if (!op.c || !op.m) {
        rc = lty__err(e, LTY_ENOMEM, "dispatch: out of memory");
        goto out;
    }
    if ((rc = lty__txn(e, claim_body, &op)))
        goto out;
    for (size_t i = 0; i < op.nc; i++) {
        const claimed *c = &op.c[i];
        const char *a = (const char *)op.arena.data;
        lty_message msg = {a + c->id, a + c->cid, c->channel, c->purpose,
                           c->has_address ? a + c->address : NULL,
                           a + c->template_id, a + c->text, c->due, c->attempt};
        ack_op ack = {&op, c, e->messenger.send(&msg, e->messenger_ud), -1};
        if (ack.result != LTY_OK && ack.result != LTY_EPERMANENT)
            ack.result = LTY_ETEMPORARY;
        /* an acknowledgement that fails leaves the claim to run out: the
         * message is sent again later, never lost */
        if ((rc = lty__txn(e, ack_body, &ack)))
            goto out;
        if (ack.outcome == 0)
            op.rep.sent++;
        else if (ack.outcome == 1)
            op.rep.retried++;
        else if (ack.outcome == 2)
            op.rep.dead++;
    }
out:
    if (report)
        *report = op.rep;
    lty__buf_release(&op.ids);
    lty__buf_release(&op.arena);
    lty__buf_release(&op.text);
    lty__buf_release(&op.prof);
    lty__free(&e->alloc, op.c);
    lty__free(&e->alloc, op.m);
    return rc;
}
