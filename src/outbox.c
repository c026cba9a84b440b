/*
 * libloyalty - the outbox: the message record, planning, cancelling,
 * reading and listing.  Dispatching is in dispatch.c, delivery reports in
 * hygiene.c.
 *
 * A message lives under "O\0<id>"; while it is planned, retrying or
 * claimed, "Q\0<due:8><id>" puts it in due-time order for the dispatcher,
 * and "C\0<customer>\0O<id>" lists it with its customer.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_int.h"
#include "fastenc_int.h"
#include "outbox_record.h"
#include "validate_int.h"

enum {
    M_CUSTOMER = 1, M_TEMPLATE, M_PURPOSE, M_CHANNEL, M_STATE, M_DUE,
    M_PLANNED, M_SENT, M_ATTEMPTS, M_REASON, M_PARAM, M_SENT_CHANNEL,
    M_ADDRESS, M_REPORTS, M_PLAN_DUE
};

/* ------------------------------------------------------------------ */
/* Keys                                                                */
/* ------------------------------------------------------------------ */

void lty__key_message(lty__key *k, const char *id, size_t n)
{
    lty__key_reset(k);
    lty__key_add(k, "O", 1);
    lty__key_sep(k);
    lty__key_add(k, id, n);
}

void lty__key_due(lty__key *k, int64_t due, const char *id, size_t n)
{
    lty__key_reset(k);
    lty__key_add(k, "Q", 1);
    lty__key_sep(k);
    lty__key_be64(k, (uint64_t)due);
    lty__key_add(k, id, n);
}

static void key_customer_index(lty__key *k, const char *cid, size_t cn,
                               const char *id, size_t n)
{
    lty__key_customer(k, cid, cn);
    lty__key_add(k, "O", 1);
    lty__key_add(k, id, n);
}

/* ------------------------------------------------------------------ */
/* Checking                                                            */
/* ------------------------------------------------------------------ */

/* A message id: printable one-line UTF-8, no NUL. */
static int check_message_id(lty_engine *e, const char *field, const char *s,
                            size_t *n)
{
    return lty__check_text(e, field, s, 1, LTY_MESSAGE_ID_MAX, LTY__TEXT_LINE, n);
}

int lty__plan_check(lty_engine *e, const lty__plan *p)
{
    size_t n;
    int rc;
    if (!p->id || p->idlen < 1 || p->idlen > LTY_MESSAGE_ID_MAX ||
        memchr(p->id, 0, p->idlen) ||
        !lty__text_valid(p->id, p->idlen, LTY__TEXT_LINE))
        return lty__err(e, LTY_EINVALID, "message id: empty, too long or not one line of UTF-8");
    if (!p->cid || p->cn < 1 || p->cn > LTY_ID_MAX)
        return lty__err(e, LTY_EINVALID, "customer id: invalid");
    if ((rc = check_message_id(e, "template id", p->template_id, &n)))
        return rc;
    if (p->purpose < LTY_PURPOSE_TRANSACTIONAL ||
        p->purpose > LTY_PURPOSE_NIGHT_MARKETING)
        return lty__err(e, LTY_EINVALID, "purpose: unknown");
    if ((int)p->channel < LTY_CHANNEL_NONE || (int)p->channel > LTY_CHANNEL_STAFF)
        return lty__err(e, LTY_EINVALID, "channel: unknown");
    if (p->channel == LTY_CHANNEL_STAFF && p->purpose != LTY_PURPOSE_TRANSACTIONAL)
        return lty__err(e, LTY_EINVALID, "purpose: staff notices are transactional");
    if ((rc = lty__check_time(e, "due time", p->due)))
        return rc;
    if (p->nparams > LTY_MESSAGE_PARAMS_MAX || (p->nparams && !p->params))
        return lty__err(e, LTY_EINVALID, "params: at most %d", LTY_MESSAGE_PARAMS_MAX);
    for (size_t i = 0; i < p->nparams; i++) {
        const lty_param *q = &p->params[i];
        size_t kn = q->key ? strlen(q->key) : 0;
        if (!kn || !lty__placeholder_known(q->key, kn))
            return lty__err(e, LTY_EINVALID, "params[%zu] key: not a placeholder name", i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->params[j].key, q->key) == 0)
                return lty__err(e, LTY_EINVALID, "params[%zu] key: given twice", i);
        char field[48];
        snprintf(field, sizeof field, "params[%zu] value", i);
        if ((rc = lty__check_text(e, field, q->value, 0, LTY_PARAM_MAX,
                                  LTY__TEXT_MULTILINE, &n)))
            return rc;
    }
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The record                                                          */
/* ------------------------------------------------------------------ */

static int msg_encode(const lty__msg *m, lty_buf *out)
{
    size_t most = 2 + 12 * LTY__FIELD_NUM_MAX + LTY__FIELD_BYTES_MAX(LTY_ID_MAX) +
                  2 * LTY__FIELD_BYTES_MAX(LTY_MESSAGE_ID_MAX) +
                  LTY__FIELD_BYTES_MAX(LTY__ADDRESS_MAX) +
                  m->nparams * LTY__FIELD_BYTES_MAX(2 * LTY__FIELD_BYTES_MAX(LTY_PARAM_MAX));
    lty__writer w;
    int rc = lty__writer_begin(&w, out, most, LTY__REC_MESSAGE, LTY__MESSAGE_VERSION);
    if (rc)
        return rc;
    lty__put_bytes(&w, M_CUSTOMER, m->cid, m->cn);
    lty__put_bytes(&w, M_TEMPLATE, m->template_id, strlen(m->template_id));
    lty__put_i64(&w, M_PURPOSE, m->purpose);
    if (m->channel)
        lty__put_i64(&w, M_CHANNEL, m->channel);
    lty__put_i64(&w, M_STATE, m->state);
    lty__put_i64(&w, M_DUE, m->due);
    lty__put_i64(&w, M_PLANNED, m->planned);
    if (m->sent)
        lty__put_i64(&w, M_SENT, m->sent);
    if (m->attempts)
        lty__put_i64(&w, M_ATTEMPTS, m->attempts);
    if (m->reason[0])
        lty__put_bytes(&w, M_REASON, m->reason, strlen(m->reason));
    for (size_t i = 0; i < m->nparams; i++) {
        unsigned char sub[2 * LTY__FIELD_BYTES_MAX(LTY_PARAM_MAX)];
        lty__writer s = {sub};
        lty__put_bytes(&s, 1, m->keys[i], strlen(m->keys[i]));
        lty__put_bytes(&s, 2, m->values[i], strlen(m->values[i]));
        lty__put_bytes(&w, M_PARAM, sub, (size_t)(s.p - sub));
    }
    if (m->sent_channel)
        lty__put_i64(&w, M_SENT_CHANNEL, m->sent_channel);
    if (m->address[0])
        lty__put_bytes(&w, M_ADDRESS, m->address, strlen(m->address));
    if (m->reports)
        lty__put_i64(&w, M_REPORTS, m->reports);
    if (m->plan_due != m->due)
        lty__put_i64(&w, M_PLAN_DUE, m->plan_due);
    lty__writer_end(&w, out);
    return LTY_OK;
}

static int copy_text(const lty__field *f, size_t min, size_t max, int kind,
                     char *out)
{
    const char *s;
    size_t n;
    if (lty__field_text(f, min, max, kind, &s, &n))
        return LTY_ECORRUPT;
    memcpy(out, s, n);
    out[n] = '\0';
    return LTY_OK;
}

static int dec_param(const lty__field *pf, lty__msg *m)
{
    lty__dec d;
    lty__field f;
    int r, have = 0;
    if (m->nparams == LTY_MESSAGE_PARAMS_MAX || lty__dec_sub(&d, pf))
        return LTY_ECORRUPT;
    char *key = m->keys[m->nparams], *value = m->values[m->nparams];
    value[0] = '\0';
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (f.tag == 1 && !(have & 1)) {
            if (copy_text(&f, 1, 15, LTY__TEXT_LINE, key) ||
                !lty__placeholder_known(key, strlen(key)))
                return LTY_ECORRUPT;
            have |= 1;
        } else if (f.tag == 2 && !(have & 2)) {
            if (copy_text(&f, 0, LTY_PARAM_MAX, LTY__TEXT_MULTILINE, value))
                return LTY_ECORRUPT;
            have |= 2;
        } else {
            return LTY_ECORRUPT;
        }
    }
    if (r < 0 || !(have & 1))
        return LTY_ECORRUPT;
    m->nparams++;
    return LTY_OK;
}

static int msg_decode(const void *data, size_t len, lty__msg *m)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    uint64_t seen = 0;
    int64_t v;
    int r;
    char id[LTY_MESSAGE_ID_MAX + 1];
    size_t idlen = m->idlen;
    memcpy(id, m->id, idlen + 1);
    memset(m, 0, sizeof *m);
    memcpy(m->id, id, idlen + 1);
    m->idlen = idlen;
    if ((r = lty__dec_begin(&d, data, len, LTY__REC_MESSAGE, LTY__MESSAGE_VERSION,
                            &version)))
        return r;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (f.tag != M_PARAM && lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case M_CUSTOMER:
            if (copy_text(&f, 1, LTY_ID_MAX, LTY__TEXT_LINE, m->cid))
                return LTY_ECORRUPT;
            m->cn = strlen(m->cid);
            break;
        case M_TEMPLATE:
            if (copy_text(&f, 1, LTY_MESSAGE_ID_MAX, LTY__TEXT_LINE, m->template_id))
                return LTY_ECORRUPT;
            break;
        case M_PURPOSE:
            if (lty__field_int(&f, LTY_PURPOSE_TRANSACTIONAL,
                               LTY_PURPOSE_NIGHT_MARKETING, &v))
                return LTY_ECORRUPT;
            m->purpose = (lty_purpose)v;
            break;
        case M_CHANNEL:
            if (lty__field_int(&f, LTY_CHANNEL_SMS, LTY_CHANNEL_STAFF, &v))
                return LTY_ECORRUPT;
            m->channel = (lty_channel)v;
            break;
        case M_STATE:
            if (lty__field_int(&f, LTY_MSG_PLANNED, LTY_MSG_CANCELLED, &v))
                return LTY_ECORRUPT;
            m->state = (lty_message_state)v;
            break;
        case M_DUE:
            if (lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &m->due))
                return LTY_ECORRUPT;
            break;
        case M_PLANNED:
            if (lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &m->planned))
                return LTY_ECORRUPT;
            break;
        case M_SENT:
            if (lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &m->sent))
                return LTY_ECORRUPT;
            break;
        case M_ATTEMPTS:
            if (lty__field_int(&f, 1, 1000, &v))
                return LTY_ECORRUPT;
            m->attempts = (int)v;
            break;
        case M_REASON:
            if (copy_text(&f, 1, LTY_MESSAGE_ID_MAX, LTY__TEXT_LINE, m->reason))
                return LTY_ECORRUPT;
            break;
        case M_PARAM:
            if (dec_param(&f, m))
                return LTY_ECORRUPT;
            break;
        case M_SENT_CHANNEL:
            if (lty__field_int(&f, LTY_CHANNEL_SMS, LTY_CHANNEL_STAFF, &v))
                return LTY_ECORRUPT;
            m->sent_channel = (lty_channel)v;
            break;
        case M_ADDRESS:
            if (copy_text(&f, 1, LTY__ADDRESS_MAX, LTY__TEXT_LINE, m->address))
                return LTY_ECORRUPT;
            break;
        case M_REPORTS:
            if (lty__field_int(&f, 1, 0xff, &v))
                return LTY_ECORRUPT;
            m->reports = (unsigned)v;
            break;
        case M_PLAN_DUE:
            if (lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &m->plan_due))
                return LTY_ECORRUPT;
            break;
        default:
            break; /* a field of a later minor version */
        }
    }
    if (r < 0 || !m->cn || !m->template_id[0] || !m->purpose || !m->state)
        return LTY_ECORRUPT;
    if (!(seen & (UINT64_C(1) << M_PLAN_DUE)))
        m->plan_due = m->due; /* left out when equal */
    return LTY_OK;
}

int lty__msg_load(lty_engine *e, const char *id, size_t n, lty__msg *m,
                  uint64_t *rev)
{
    lty__key k;
    lty__key_message(&k, id, n);
    int rc = lty__get(e, k.b, k.n, NULL, rev);
    if (rc)
        return rc;
    memcpy(m->id, id, n);
    m->id[n] = '\0';
    m->idlen = n;
    if ((rc = msg_decode(e->rbuf.data, e->rbuf.len, m)))
        return lty__corrupt(e, rc, "outbox message");
    return LTY_OK;
}

int lty__msg_store(lty_engine *e, const lty__msg *m, uint64_t rev,
                   lty_message_state old_state, int64_t old_due)
{
    lty__key k;
    int rc;
    int was = rev != LTY_REV_NONE && lty__msg_pending(old_state);
    int is = lty__msg_pending(m->state);
    if (was && (!is || old_due != m->due)) {
        lty__key_due(&k, old_due, m->id, m->idlen);
        if ((rc = lty__del(e, k.b, k.n, LTY_REV_ANY)))
            return rc;
    }
    if (is && (!was || old_due != m->due)) {
        lty__key_due(&k, m->due, m->id, m->idlen);
        if ((rc = lty__put(e, k.b, k.n, "", 0, LTY_REV_ANY, NULL)))
            return rc;
    }
    if ((rc = msg_encode(m, &e->wbuf)))
        return lty__err(e, rc, "outbox message: cannot encode");
    lty__key_message(&k, m->id, m->idlen);
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

void lty__msg_fill_entry(const lty__msg *m, lty_outbox_entry *out)
{
    memcpy(out->id, m->id, m->idlen + 1);
    memcpy(out->customer_id, m->cid, m->cn + 1);
    memcpy(out->template_id, m->template_id, sizeof out->template_id);
    out->purpose = m->purpose;
    out->channel = m->channel;
    out->sent_channel = m->sent_channel;
    out->state = m->state;
    out->due = m->due;
    out->planned = m->planned;
    out->sent = m->sent;
    out->attempts = m->attempts;
    memcpy(out->reason, m->reason, sizeof out->reason);
}

/* ------------------------------------------------------------------ */
/* Planning and cancelling                                             */
/* ------------------------------------------------------------------ */

/* A parameter's value: NULL (which lty__plan_check() accepts, as a value
 * may be empty) is empty text. */
static const char *param_value(const lty_param *q)
{
    return q->value ? q->value : "";
}

/* A bounded copy (the plan was checked, so it fits). */
static void copy_bounded(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void set_params(lty__msg *m, const lty__plan *p)
{
    m->nparams = p->nparams;
    for (size_t i = 0; i < p->nparams; i++) {
        copy_bounded(m->keys[i], sizeof m->keys[i], p->params[i].key);
        copy_bounded(m->values[i], sizeof m->values[i], param_value(&p->params[i]));
    }
}

static int same_params(const lty__msg *m, const lty__plan *p)
{
    if (m->nparams != p->nparams)
        return 0;
    for (size_t i = 0; i < p->nparams; i++)
        if (strcmp(m->keys[i], p->params[i].key) ||
            strcmp(m->values[i], param_value(&p->params[i])))
            return 0;
    return 1;
}

int lty__outbox_plan(lty_engine *e, const lty__plan *p)
{
    lty__msg m;
    lty__key k;
    uint64_t rev = LTY_REV_NONE;
    int rc = lty__msg_load(e, p->id, p->idlen, &m, &rev);
    if (rc == LTY_OK) {
        if (m.cn != p->cn || memcmp(m.cid, p->cid, p->cn))
            return lty__err(e, LTY_EEXISTS, "message id: used for another customer");
        /* only a message still waiting can be replanned */
        if (m.state != LTY_MSG_PLANNED && m.state != LTY_MSG_RETRY)
            return LTY_OK;
        /* compared with what it was planned as: a deferral or a retry's
         * back-off moved its next due time, and stays */
        if (m.plan_due == p->due && m.purpose == p->purpose &&
            m.channel == p->channel &&
            strcmp(m.template_id, p->template_id) == 0 && same_params(&m, p))
            return LTY_OK;
        lty_message_state old_state = m.state;
        int64_t old_due = m.due;
        snprintf(m.template_id, sizeof m.template_id, "%s", p->template_id);
        m.purpose = p->purpose;
        m.channel = p->channel;
        m.due = m.plan_due = p->due;
        m.state = LTY_MSG_PLANNED;
        m.reason[0] = '\0';
        set_params(&m, p);
        return lty__msg_store(e, &m, rev, old_state, old_due);
    }
    if (rc != LTY_ENOTFOUND)
        return rc;
    /* a new message: the customer must exist */
    if (!p->customer_known) {
        lty__key_profile(&k, p->cid, p->cn);
        if ((rc = lty__get(e, k.b, k.n, NULL, NULL)) == LTY_ENOTFOUND)
            return lty__err(e, LTY_ENOTFOUND, "customer: not found");
        if (rc)
            return rc;
    }
    /* every field msg_encode() reads (the parameter arrays are large and
     * only their first nparams entries are used) */
    memset(&m, 0, offsetof(lty__msg, nparams));
    memcpy(m.id, p->id, p->idlen);
    m.idlen = p->idlen;
    memcpy(m.cid, p->cid, p->cn);
    m.cn = p->cn;
    copy_bounded(m.template_id, sizeof m.template_id, p->template_id);
    m.purpose = p->purpose;
    m.channel = p->channel;
    m.state = LTY_MSG_PLANNED;
    m.due = m.plan_due = p->due;
    m.planned = lty__now(e);
    set_params(&m, p);
    key_customer_index(&k, p->cid, p->cn, p->id, p->idlen);
    if ((rc = lty__put(e, k.b, k.n, "", 0, LTY_REV_ANY, NULL)))
        return rc;
    return lty__msg_store(e, &m, LTY_REV_NONE, 0, 0);
}

int lty__outbox_cancel(lty_engine *e, const char *id, size_t n,
                       const char *reason)
{
    lty__msg m;
    uint64_t rev;
    int rc = lty__msg_load(e, id, n, &m, &rev);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK;
    if (rc)
        return rc;
    if (m.state != LTY_MSG_PLANNED && m.state != LTY_MSG_RETRY)
        return LTY_OK;
    lty_message_state old_state = m.state;
    m.state = LTY_MSG_CANCELLED;
    snprintf(m.reason, sizeof m.reason, "%s", reason ? reason : "cancelled");
    return lty__msg_store(e, &m, rev, old_state, m.due);
}

/* Message ids gathered by a scan (the connection cannot be used inside). */
typedef struct idset {
    lty_buf bytes;             /* ids, NUL-separated */
    size_t plen;               /* key prefix length to strip */
    size_t n;
    int corrupt;
} idset;

static int collect_id(const char *key, size_t keylen, const void *val,
                      size_t len, uint64_t rev, void *ctx)
{
    idset *s = ctx;
    (void)val;
    (void)len;
    (void)rev;
    /* an id a caller could not pass back (to lty_outbox_get(), say) is a
     * damaged key, not an id to hand out */
    if (keylen <= s->plen || keylen - s->plen > LTY_MESSAGE_ID_MAX ||
        !lty__text_valid(key + s->plen, keylen - s->plen, LTY__TEXT_LINE)) {
        s->corrupt = 1;
        return LTY_ECORRUPT;
    }
    if (lty__buf_append(&s->bytes, key + s->plen, keylen - s->plen, NULL) ||
        lty__buf_append(&s->bytes, "", 1, NULL))
        return LTY_ENOMEM;
    s->n++;
    return LTY_OK;
}

int lty__outbox_cancel_prefix(lty_engine *e, const char *prefix, size_t n,
                              const char *reason)
{
    lty__key k;
    idset s;
    memset(&s, 0, sizeof s);
    lty__buf_init(&s.bytes, &e->alloc);
    lty__key_message(&k, prefix, n);
    s.plen = 2;
    int rc = lty__scan(e, k.b, k.n, NULL, 0, collect_id, &s);
    if (s.corrupt)
        rc = lty__corrupt(e, LTY_ECORRUPT, "outbox message key");
    else if (rc == LTY_ENOMEM)
        rc = lty__err(e, rc, "outbox: out of memory");
    for (size_t off = 0; rc == LTY_OK && off < s.bytes.len;) {
        const char *id = (const char *)s.bytes.data + off;
        size_t idn = strlen(id);
        rc = lty__outbox_cancel(e, id, idn, reason);
        off += idn + 1;
    }
    lty__buf_release(&s.bytes);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The public calls                                                    */
/* ------------------------------------------------------------------ */

typedef struct plan_op {
    lty__plan p;
} plan_op;

static int plan_body(lty_engine *e, void *arg)
{
    return lty__outbox_plan(e, &((plan_op *)arg)->p);
}

int lty_outbox_plan(lty_engine *e, const lty_plan_spec *spec)
{
    plan_op op;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!spec)
        return lty__err(e, LTY_EINVALID, "plan: NULL");
    if ((rc = lty__check_version(e, "plan spec", spec->version,
                                 LTY_PLAN_SPEC_VERSION)))
        return rc;
    memset(&op, 0, sizeof op);
    if ((rc = check_message_id(e, "message id", spec->id, &op.p.idlen)) ||
        (rc = lty__check_id(e, "customer id", spec->customer_id, &op.p.cn)))
        return rc;
    op.p.id = spec->id;
    op.p.cid = spec->customer_id;
    op.p.template_id = spec->template_id;
    op.p.purpose = spec->purpose;
    op.p.channel = spec->channel;
    op.p.due = spec->due;
    op.p.params = spec->params;
    op.p.nparams = spec->param_count;
    if ((rc = lty__plan_check(e, &op.p)))
        return rc;
    return lty__txn(e, plan_body, &op);
}

typedef struct cancel_op {
    const char *id;
    size_t n;
} cancel_op;

static int cancel_body(lty_engine *e, void *arg)
{
    cancel_op *op = arg;
    lty__msg m;
    uint64_t rev;
    int rc = lty__msg_load(e, op->id, op->n, &m, &rev);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ENOTFOUND, "message: not found");
    if (rc)
        return rc;
    if (m.state == LTY_MSG_CANCELLED)
        return LTY_OK;
    if (m.state != LTY_MSG_PLANNED && m.state != LTY_MSG_RETRY)
        return lty__err(e, LTY_ESTATE, "message: already %s",
                        m.state == LTY_MSG_CLAIMED ? "being sent"
                        : m.state == LTY_MSG_SENT  ? "sent"
                        : m.state == LTY_MSG_DEAD  ? "dead"
                                                   : "suppressed");
    return lty__outbox_cancel(e, op->id, op->n, "cancelled by the host");
}

int lty_outbox_cancel(lty_engine *e, const char *message_id)
{
    cancel_op op;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if ((rc = check_message_id(e, "message id", message_id, &op.n)))
        return rc;
    op.id = message_id;
    return lty__txn(e, cancel_body, &op);
}

int lty_outbox_get(lty_engine *e, const char *message_id, lty_outbox_entry *out)
{
    lty__msg m;
    size_t n;
    uint64_t rev;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "outbox entry: NULL");
    if ((rc = lty__check_version(e, "outbox entry", out->version,
                                 LTY_OUTBOX_ENTRY_VERSION)) ||
        (rc = check_message_id(e, "message id", message_id, &n)))
        return rc;
    rc = lty__msg_load(e, message_id, n, &m, &rev);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ENOTFOUND, "message: not found");
    if (rc)
        return rc;
    lty__msg_fill_entry(&m, out);
    return LTY_OK;
}

/* Listing: gather the candidate ids (by customer, or all messages), then
 * read each one and keep those the filter matches, in due order. */
typedef struct listed {
    int64_t due;
    size_t off;                /* id in the idset's bytes */
} listed;

static int listed_cmp(const void *a, const void *b)
{
    const listed *x = a, *y = b;
    if (x->due != y->due)
        return x->due < y->due ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off; /* then id order */
}

int lty_outbox_list(lty_engine *e, const lty_outbox_filter *filter,
                    lty_outbox_entry *out, size_t cap, size_t *count)
{
    lty_outbox_filter none = {NULL, (lty_message_state)0, 0, 0};
    lty__key k;
    idset s;
    size_t cn = 0;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!count || (cap && !out))
        return lty__err(e, LTY_EINVALID, "outbox list: NULL");
    for (size_t i = 0; i < cap; i++)
        if ((rc = lty__check_version(e, "outbox entry", out[i].version,
                                     LTY_OUTBOX_ENTRY_VERSION)))
            return rc;
    if (!filter)
        filter = &none;
    if (filter->customer_id &&
        (rc = lty__check_id(e, "customer id", filter->customer_id, &cn)))
        return rc;
    if ((int)filter->state < 0 || (int)filter->state > LTY_MSG_CANCELLED)
        return lty__err(e, LTY_EINVALID, "filter state: unknown");
    memset(&s, 0, sizeof s);
    lty__buf_init(&s.bytes, &e->alloc);
    if (filter->customer_id) {
        lty__key_customer(&k, filter->customer_id, cn);
        lty__key_add(&k, "O", 1);
    } else {
        lty__key_message(&k, "", 0);
    }
    s.plen = k.n;
    rc = lty__scan(e, k.b, k.n, NULL, 0, collect_id, &s);
    if (s.corrupt)
        rc = lty__corrupt(e, LTY_ECORRUPT, "outbox key");
    else if (rc == LTY_ENOMEM)
        rc = lty__err(e, rc, "outbox: out of memory");
    listed *l = NULL;
    size_t n = 0;
    if (rc == LTY_OK && s.n) {
        l = lty__malloc(&e->alloc, s.n * sizeof *l);
        if (!l)
            rc = lty__err(e, LTY_ENOMEM, "outbox: out of memory");
    }
    lty__msg *m = lty__malloc(&e->alloc, sizeof *m);
    if (!m && rc == LTY_OK)
        rc = lty__err(e, LTY_ENOMEM, "outbox: out of memory");
    for (size_t off = 0; rc == LTY_OK && off < s.bytes.len;) {
        const char *id = (const char *)s.bytes.data + off;
        size_t idn = strlen(id);
        uint64_t rev;
        rc = lty__msg_load(e, id, idn, m, &rev);
        if (rc == LTY_ENOTFOUND)
            rc = lty__err(e, LTY_ECORRUPT,
                          "outbox index: points to a missing message");
        if (rc == LTY_OK &&
            (!filter->state || m->state == filter->state) &&
            (!filter->due_from || m->due >= filter->due_from) &&
            (!filter->due_to || m->due < filter->due_to))
            l[n++] = (listed){m->due, off};
        off += idn + 1;
    }
    if (rc == LTY_OK) {
        if (n)
            qsort(l, n, sizeof *l, listed_cmp);
        for (size_t i = 0; rc == LTY_OK && i < n && i < cap; i++) {
            const char *id = (const char *)s.bytes.data + l[i].off;
            uint64_t rev;
            if ((rc = lty__msg_load(e, id, strlen(id), m, &rev)) == LTY_OK)
                lty__msg_fill_entry(m, &out[i]);
        }
        *count = n;
    }
    lty__free(&e->alloc, m);
    lty__free(&e->alloc, l);
    lty__buf_release(&s.bytes);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Erasure                                                             */
/* ------------------------------------------------------------------ */

int lty__outbox_erase(lty_engine *e, const char *id, size_t n, const char *cid,
                      size_t cn)
{
    lty__msg *m = lty__malloc(&e->alloc, sizeof *m);
    lty__key k;
    uint64_t rev;
    if (!m)
        return lty__err(e, LTY_ENOMEM, "erase: out of memory");
    int rc = lty__msg_load(e, id, n, m, &rev);
    if (rc == LTY_ENOTFOUND)
        rc = lty__err(e, LTY_ECORRUPT, "outbox index: points to a missing message");
    if (rc == LTY_OK && (m->cn != cn || memcmp(m->cid, cid, cn)))
        rc = lty__err(e, LTY_ECORRUPT, "outbox index: names another customer's message");
    if (rc == LTY_OK && lty__msg_pending(m->state)) {
        lty__key_due(&k, m->due, m->id, m->idlen);
        rc = lty__del(e, k.b, k.n, LTY_REV_ANY);
    }
    if (rc == LTY_OK) {
        lty__key_message(&k, id, n);
        rc = lty__del(e, k.b, k.n, rev);
    }
    lty__free(&e->alloc, m);
    return rc;
}

/* Erasure of a customer a message is about but not addressed to (the
 * referral messages "referral/<referred>/<kind>" go to the referrer):
 * the message keeps its recipient, state, times and parameters under the
 * new id; the due-index and the recipient's index entries move with it. */
int lty__outbox_rename(lty_engine *e, const char *from, size_t fn,
                       const char *to, size_t tn)
{
    lty__msg *m = lty__malloc(&e->alloc, sizeof *m);
    lty__key k;
    uint64_t rev;
    if (!m)
        return lty__err(e, LTY_ENOMEM, "erase: out of memory");
    int rc = lty__msg_load(e, from, fn, m, &rev);
    if (rc == LTY_ENOTFOUND) {
        lty__free(&e->alloc, m);
        return LTY_OK;
    }
    if (rc == LTY_OK && lty__msg_pending(m->state)) {
        lty__key_due(&k, m->due, m->id, m->idlen);
        rc = lty__del(e, k.b, k.n, LTY_REV_ANY);
    }
    if (rc == LTY_OK) {
        key_customer_index(&k, m->cid, m->cn, from, fn);
        rc = lty__del(e, k.b, k.n, LTY_REV_ANY);
    }
    if (rc == LTY_OK) {
        lty__key_message(&k, from, fn);
        rc = lty__del(e, k.b, k.n, rev);
    }
    if (rc == LTY_OK) {
        memcpy(m->id, to, tn);
        m->id[tn] = '\0';
        m->idlen = tn;
        key_customer_index(&k, m->cid, m->cn, to, tn);
        rc = lty__put(e, k.b, k.n, "", 0, LTY_REV_ANY, NULL);
    }
    if (rc == LTY_OK)
        rc = lty__msg_store(e, m, LTY_REV_NONE, 0, 0);
    lty__free(&e->alloc, m);
    return rc;
}
