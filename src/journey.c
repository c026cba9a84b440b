/*
 * libloyalty - journeys: named sequences of steps planned from an anchor
 * date (an obstetrics clinic's week-by-week notes from the due date).
 *
 * A definition lives at "J\0<journey id>" (kind 19); a customer's
 * enrolment at "C\0<customer id>\0J<journey id>" (kind 20), holding the
 * anchor, when it was made, its number n (1 for the first enrolment, one
 * more after each unenrolment) and, once unenrolled, when.  Step s of
 * enrolment n is the message "journey/<journey>/<customer>/<s>" (n = 1) or
 * ".../<s>@<n>": a message once cancelled or sent is never planned again by
 * the outbox, so enrolling again after an unenrolment needs fresh ids,
 * while moving the anchor of a live enrolment keeps them (and so never
 * sends a step twice).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "codec_int.h"
#include "keys_int.h"
#include "plan_int.h"
#include "validate_int.h"

/* the id's tail: "<step>@<n>", at most "32@4294967295" */
#define TAIL_MAX 16u

typedef struct jstep {
    int offset_days;
    char template_id[LTY_MESSAGE_ID_MAX + 1];
    lty_purpose purpose;
    lty_channel channel;
} jstep;

typedef struct journey {
    char name[LTY_TITLE_MAX + 1];
    size_t n;
    jstep steps[LTY_JOURNEY_STEPS_MAX];
} journey;

typedef struct enrolment {
    lty_date anchor;
    int64_t enrolled;
    uint64_t number;           /* 1, 2, ... */
    int64_t unenrolled;        /* 0 while enrolled */
} enrolment;

/* ------------------------------------------------------------------ */
/* Keys and records                                                    */
/* ------------------------------------------------------------------ */

static void key_journey(lty__key *k, const char *id, size_t n)
{
    lty__key_reset(k);
    lty__key_add(k, "J", 1);
    lty__key_sep(k);
    lty__key_add(k, id, n);
}

static void key_enrolment(lty__key *k, const char *cid, size_t cn,
                          const char *jid, size_t jn)
{
    lty__key_customer(k, cid, cn);
    lty__key_add(k, "J", 1);
    lty__key_add(k, jid, jn);
}

enum { J_NAME = 1, J_STEP };
enum { S_OFFSET = 1, S_TEMPLATE, S_PURPOSE, S_CHANNEL };
enum { N_YEAR = 1, N_MONTH, N_DAY, N_ENROLLED, N_NUMBER, N_UNENROLLED };

static int encode_journey(lty_engine *e, const journey *j, lty_buf *out)
{
    lty_buf sb;
    lty__enc w, s;
    lty__buf_init(&sb, &e->alloc);
    lty__enc_begin(&w, out, LTY__REC_JOURNEY, LTY__JOURNEY_VERSION);
    lty__enc_str(&w, J_NAME, j->name);
    for (size_t i = 0; i < j->n; i++) {
        const jstep *st = &j->steps[i];
        lty__enc_begin_sub(&s, &sb);
        lty__enc_i64(&s, S_OFFSET, st->offset_days);
        lty__enc_str(&s, S_TEMPLATE, st->template_id);
        lty__enc_i64(&s, S_PURPOSE, (int64_t)st->purpose);
        if (st->channel != LTY_CHANNEL_NONE)
            lty__enc_i64(&s, S_CHANNEL, (int64_t)st->channel);
        int err = lty__enc_end(&s);
        if (err && !w.err)
            w.err = err;
        lty__enc_bytes(&w, J_STEP, sb.data, sb.len);
    }
    int rc = lty__enc_end(&w);
    lty__buf_release(&sb);
    return rc;
}

static int dec_step(const lty__field *pf, jstep *st)
{
    lty__dec d = {0};
    lty__field f;
    uint64_t seen = 0;
    int64_t v;
    int r;
    memset(st, 0, sizeof *st);
    if (lty__dec_sub(&d, pf))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case S_OFFSET:
            if (lty__field_int(&f, -LTY_PLAN_DAYS_MAX, LTY_PLAN_DAYS_MAX, &v))
                return LTY_ECORRUPT;
            st->offset_days = (int)v;
            break;
        case S_TEMPLATE: {
            const char *s;
            size_t n;
            if (lty__field_text(&f, 1, LTY_MESSAGE_ID_MAX, LTY__TEXT_LINE, &s,
                                &n))
                return LTY_ECORRUPT;
            memcpy(st->template_id, s, n);
            st->template_id[n] = '\0';
            break;
        }
        case S_PURPOSE:
            if (lty__field_int(&f, LTY_PURPOSE_TRANSACTIONAL,
                               LTY_PURPOSE_MARKETING, &v))
                return LTY_ECORRUPT;
            st->purpose = (lty_purpose)v;
            break;
        case S_CHANNEL:
            if (lty__field_int(&f, LTY_CHANNEL_SMS, LTY_CHANNEL_STAFF, &v))
                return LTY_ECORRUPT;
            st->channel = (lty_channel)v;
            break;
        default:
            break; /* a later minor version's field */
        }
    }
    if (r < 0 || !(seen & (1u << S_OFFSET)) || !st->template_id[0] ||
        !st->purpose ||
        (st->channel == LTY_CHANNEL_STAFF &&
         st->purpose != LTY_PURPOSE_TRANSACTIONAL))
        return LTY_ECORRUPT;
    return LTY_OK;
}

static int decode_journey(const void *data, size_t len, journey *j)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    int r, rc;
    memset(j, 0, sizeof *j);
    if ((rc = lty__dec_begin(&d, data, len, LTY__REC_JOURNEY,
                             LTY__JOURNEY_VERSION, &version)))
        return rc == LTY_EVERSION ? rc : LTY_ECORRUPT;
    int named = 0;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (f.tag == J_NAME) {
            const char *s;
            size_t n;
            if (named ||
                lty__field_text(&f, 1, LTY_TITLE_MAX, LTY__TEXT_LINE, &s, &n))
                return LTY_ECORRUPT;
            memcpy(j->name, s, n);
            j->name[n] = '\0';
            named = 1;
        } else if (f.tag == J_STEP) {
            if (j->n == LTY_JOURNEY_STEPS_MAX || dec_step(&f, &j->steps[j->n]))
                return LTY_ECORRUPT;
            j->n++;
        }
    }
    return r == 0 && named && j->n ? LTY_OK : LTY_ECORRUPT;
}

static int encode_enrolment(const enrolment *en, lty_buf *out)
{
    lty__enc w;
    lty__enc_begin(&w, out, LTY__REC_ENROLMENT, LTY__ENROLMENT_VERSION);
    lty__enc_i64(&w, N_YEAR, en->anchor.year);
    lty__enc_i64(&w, N_MONTH, en->anchor.month);
    lty__enc_i64(&w, N_DAY, en->anchor.day);
    lty__enc_i64(&w, N_ENROLLED, en->enrolled);
    lty__enc_u64(&w, N_NUMBER, en->number);
    if (en->unenrolled)
        lty__enc_i64(&w, N_UNENROLLED, en->unenrolled);
    return lty__enc_end(&w);
}

static int decode_enrolment(const void *data, size_t len, enrolment *en)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    uint64_t seen = 0;
    int64_t v;
    int r, rc;
    memset(en, 0, sizeof *en);
    if ((rc = lty__dec_begin(&d, data, len, LTY__REC_ENROLMENT,
                             LTY__ENROLMENT_VERSION, &version)))
        return rc == LTY_EVERSION ? rc : LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case N_YEAR:
            if (lty__field_int(&f, 1900, 9999, &v))
                return LTY_ECORRUPT;
            en->anchor.year = (int)v;
            break;
        case N_MONTH:
            if (lty__field_int(&f, 1, 12, &v))
                return LTY_ECORRUPT;
            en->anchor.month = (int)v;
            break;
        case N_DAY:
            if (lty__field_int(&f, 1, 31, &v))
                return LTY_ECORRUPT;
            en->anchor.day = (int)v;
            break;
        case N_ENROLLED:
            if (lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &en->enrolled))
                return LTY_ECORRUPT;
            break;
        case N_NUMBER:
            if (lty__field_u64(&f, &en->number) || en->number == 0 ||
                en->number > UINT32_MAX)
                return LTY_ECORRUPT;
            break;
        case N_UNENROLLED:
            if (lty__field_int(&f, 1, LTY_TIME_MAX, &en->unenrolled))
                return LTY_ECORRUPT;
            break;
        default:
            break;
        }
    }
    if (r < 0 || !en->number || !lty__date_valid(&en->anchor, 0))
        return LTY_ECORRUPT;
    return LTY_OK;
}

/* Read a journey (LTY_ENOTFOUND with a message). */
static int load_journey(lty_engine *e, const char *jid, size_t jn, journey *j)
{
    lty__key k;
    key_journey(&k, jid, jn);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ENOTFOUND, "journey: not found");
    if (rc)
        return rc;
    if ((rc = decode_journey(e->rbuf.data, e->rbuf.len, j)))
        return lty__corrupt(e, rc, "journey definition");
    return LTY_OK;
}

/* Read an enrolment; *rev = LTY_REV_NONE when there is none. */
static int load_enrolment(lty_engine *e, const char *cid, size_t cn,
                          const char *jid, size_t jn, enrolment *en,
                          uint64_t *rev)
{
    lty__key k;
    key_enrolment(&k, cid, cn, jid, jn);
    *rev = LTY_REV_NONE;
    memset(en, 0, sizeof *en);
    int rc = lty__get(e, k.b, k.n, NULL, rev);
    if (rc == LTY_ENOTFOUND) {
        *rev = LTY_REV_NONE;
        return LTY_OK;
    }
    if (rc)
        return rc;
    if ((rc = decode_enrolment(e->rbuf.data, e->rbuf.len, en)))
        return lty__corrupt(e, rc, "journey enrolment");
    return LTY_OK;
}

static int store_enrolment(lty_engine *e, const char *cid, size_t cn,
                           const char *jid, size_t jn, const enrolment *en,
                           uint64_t rev)
{
    lty__key k;
    int rc = encode_enrolment(en, &e->wbuf);
    if (rc)
        return lty__err(e, rc, "journey enrolment: cannot encode");
    key_enrolment(&k, cid, cn, jid, jn);
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

/* ------------------------------------------------------------------ */
/* Defining and reading                                                */
/* ------------------------------------------------------------------ */

static int check_def(lty_engine *e, const lty_journey_def *d, journey *j,
                     size_t *idlen)
{
    char field[48];
    size_t n;
    int rc;
    if (!d)
        return lty__err(e, LTY_EINVALID, "journey: NULL");
    if ((rc = lty__check_version(e, "journey definition", d->version,
                                 LTY_JOURNEY_DEF_VERSION)) ||
        (rc = lty__check_id(e, "journey id", d->id, idlen)) ||
        (rc = lty__check_text(e, "journey name", d->name, 1, LTY_TITLE_MAX,
                              LTY__TEXT_LINE, &n)))
        return rc;
    memset(j, 0, sizeof *j);
    memcpy(j->name, d->name, n);
    if (!d->steps || d->step_count < 1 || d->step_count > LTY_JOURNEY_STEPS_MAX)
        return lty__err(e, LTY_EINVALID, "journey steps: need 1..%d steps",
                        LTY_JOURNEY_STEPS_MAX);
    for (size_t i = 0; i < d->step_count; i++) {
        const lty_journey_step *s = &d->steps[i];
        jstep *o = &j->steps[i];
        if (s->offset_days < -LTY_PLAN_DAYS_MAX ||
            s->offset_days > LTY_PLAN_DAYS_MAX)
            return lty__err(e, LTY_EINVALID,
                            "journey steps[%zu] offset_days: outside %d..%d", i,
                            -LTY_PLAN_DAYS_MAX, LTY_PLAN_DAYS_MAX);
        snprintf(field, sizeof field, "journey steps[%zu] template_id", i);
        if ((rc = lty__check_text(e, field, s->template_id, 1,
                                  LTY_MESSAGE_ID_MAX, LTY__TEXT_LINE, &n)))
            return rc;
        snprintf(field, sizeof field, "journey steps[%zu]", i);
        if ((rc = lty__plan_check_route(e, field, s->purpose, s->channel)))
            return rc;
        o->offset_days = s->offset_days;
        memcpy(o->template_id, s->template_id, n);
        o->purpose = s->purpose;
        o->channel = s->channel;
    }
    j->n = d->step_count;
    return LTY_OK;
}

typedef struct define_op {
    const char *id;
    size_t idlen;
    journey j;
} define_op;

static int define_body(lty_engine *e, void *arg)
{
    define_op *op = arg;
    lty__key k;
    uint64_t rev = LTY_REV_NONE;
    key_journey(&k, op->id, op->idlen);
    int rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND)
        rev = LTY_REV_NONE;
    else if (rc)
        return rc;
    if ((rc = encode_journey(e, &op->j, &e->wbuf)))
        return lty__err(e, rc, "journey definition: cannot encode");
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

int lty_journey_define(lty_engine *e, const lty_journey_def *def)
{
    define_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = check_def(e, def, &op.j, &op.idlen);
    if (rc)
        return rc;
    op.id = def->id;
    return lty__txn(e, define_body, &op);
}

int lty_journey_get(lty_engine *e, const char *journey_id,
                    lty_journey_info *out)
{
    journey j;
    size_t jn;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "journey info: NULL");
    int rc = lty__check_version(e, "journey info", out->version,
                                LTY_JOURNEY_INFO_VERSION);
    if (rc || (rc = lty__check_id(e, "journey id", journey_id, &jn)) ||
        (rc = load_journey(e, journey_id, jn, &j)))
        return rc;
    unsigned version = out->version;
    memset(out, 0, sizeof *out);
    out->version = version;
    memcpy(out->name, j.name, sizeof out->name);
    out->step_count = j.n;
    for (size_t i = 0; i < j.n; i++) {
        out->steps[i].offset_days = j.steps[i].offset_days;
        memcpy(out->steps[i].template_id, j.steps[i].template_id,
               sizeof out->steps[i].template_id);
        out->steps[i].purpose = j.steps[i].purpose;
        out->steps[i].channel = j.steps[i].channel;
    }
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Enrolling                                                           */
/* ------------------------------------------------------------------ */

typedef struct enrol_op {
    const char *jid, *cid;
    size_t jn, cn;
    lty_date anchor;
    journey j;
} enrol_op;

/* The id of step s (from 1) of enrolment number n. */
static void step_id(lty__msgid *id, size_t s, uint64_t n)
{
    char tail[32];
    if (n <= 1)
        snprintf(tail, sizeof tail, "%zu", s);
    else
        snprintf(tail, sizeof tail, "%zu@%llu", s, (unsigned long long)n);
    lty__msgid_tail(id, tail);
}

static int plan_step(lty_engine *e, const enrol_op *op, const lty__msgid *id,
                     const jstep *st, int64_t day, int64_t due)
{
    char date[16], days[16];
    lty__day_text(day, date);
    snprintf(days, sizeof days, "%d", st->offset_days);
    lty_param params[2] = {{"date", date}, {"days", days}};
    lty__plan p;
    memset(&p, 0, sizeof p);
    p.id = id->b;
    p.idlen = id->n;
    p.cid = op->cid;
    p.cn = op->cn;
    p.template_id = st->template_id;
    p.purpose = st->purpose;
    p.channel = st->channel;
    p.due = due;
    p.params = params;
    p.nparams = 2;
    int rc = lty__plan_check(e, &p);
    return rc ? rc : lty__outbox_plan(e, &p);
}

static int enrol_body(lty_engine *e, void *arg)
{
    enrol_op *op = arg;
    enrolment en;
    uint64_t rev;
    int rc;
    if ((rc = lty__plan_customer_exists(e, op->cid, op->cn)) ||
        (rc = load_journey(e, op->jid, op->jn, &op->j)) ||
        (rc = load_enrolment(e, op->cid, op->cn, op->jid, op->jn, &en, &rev)))
        return rc;
    int64_t anchor = lty__days_from_civil(op->anchor.year, op->anchor.month,
                                          op->anchor.day);
    int64_t last = lty__days_from_civil(9999, 12, 30);
    int64_t due[LTY_JOURNEY_STEPS_MAX];
    for (size_t i = 0; i < op->j.n; i++) {
        int64_t day = anchor + op->j.steps[i].offset_days;
        if (day > last)
            return lty__err(e, LTY_ERANGE,
                            "anchor: step %zu would fall after 9999-12-30",
                            i + 1);
        /* steps on the first days of 1970 or before are long past */
        due[i] = LTY_TIME_MIN - 1;
        if (day >= 1 &&
            (rc = lty__local_to_utc(e, day, LTY_PLAN_LOCAL_MINUTE, &due[i])))
            return rc;
    }
    int live = rev != LTY_REV_NONE && en.unenrolled == 0;
    int moved = live && (en.anchor.year != op->anchor.year ||
                         en.anchor.month != op->anchor.month ||
                         en.anchor.day != op->anchor.day);
    if (!live) {
        en.number = rev == LTY_REV_NONE ? 1 : en.number + 1;
        if (en.number > UINT32_MAX)
            return lty__err(e, LTY_ERANGE, "journey enrolment: enrolled too often");
    }
    int64_t now = lty__now(e);
    lty__msgid id;
    lty__idpart parts[2] = {{op->jid, op->jn}, {op->cid, op->cn}};
    lty__msgid_prefix(&id, "journey", parts, 2, TAIL_MAX);
    for (size_t i = 0; i < LTY_JOURNEY_STEPS_MAX; i++) {
        step_id(&id, i + 1, en.number);
        if (i < op->j.n && due[i] > now) {
            rc = plan_step(e, op, &id, &op->j.steps[i],
                           anchor + op->j.steps[i].offset_days, due[i]);
        } else if (moved) {
            /* a pending step the new anchor puts in the past (or a step
             * the journey no longer has) */
            rc = lty__outbox_cancel(e, id.b, id.n, "journey anchor moved");
        }
        if (rc)
            return rc;
    }
    if (live && !moved)
        return LTY_OK;
    en.anchor = op->anchor;
    en.enrolled = now;
    en.unenrolled = 0;
    return store_enrolment(e, op->cid, op->cn, op->jid, op->jn, &en, rev);
}

int lty_journey_enrol(lty_engine *e, const char *journey_id,
                      const char *customer_id, const lty_date *anchor)
{
    enrol_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    memset(&op, 0, sizeof op);
    int rc;
    if ((rc = lty__check_id(e, "journey id", journey_id, &op.jn)) ||
        (rc = lty__check_id(e, "customer id", customer_id, &op.cn)) ||
        (rc = lty__check_date(e, "anchor", anchor, 0)))
        return rc;
    op.jid = journey_id;
    op.cid = customer_id;
    op.anchor = *anchor;
    return lty__txn(e, enrol_body, &op);
}

static int unenrol_body(lty_engine *e, void *arg)
{
    enrol_op *op = arg;
    enrolment en;
    uint64_t rev;
    int rc;
    if ((rc = load_enrolment(e, op->cid, op->cn, op->jid, op->jn, &en, &rev)))
        return rc;
    if (rev == LTY_REV_NONE || en.unenrolled) {
        /* say which is unknown: the journey, or the enrolment */
        lty__key k;
        key_journey(&k, op->jid, op->jn);
        rc = lty__get(e, k.b, k.n, NULL, NULL);
        if (rc == LTY_ENOTFOUND)
            return lty__err(e, LTY_ENOTFOUND, "journey: not found");
        if (rc)
            return rc;
        return lty__err(e, LTY_ENOTFOUND,
                        "journey enrolment: the customer is not enrolled");
    }
    lty__msgid id;
    lty__idpart parts[2] = {{op->jid, op->jn}, {op->cid, op->cn}};
    lty__msgid_prefix(&id, "journey", parts, 2, TAIL_MAX);
    if ((rc = lty__outbox_cancel_prefix(e, id.b, id.prefix, "unenrolled")))
        return rc;
    en.unenrolled = lty__now(e);
    if (en.unenrolled < 1)
        en.unenrolled = 1;
    return store_enrolment(e, op->cid, op->cn, op->jid, op->jn, &en, rev);
}

int lty_journey_unenrol(lty_engine *e, const char *journey_id,
                        const char *customer_id)
{
    enrol_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    memset(&op, 0, sizeof op);
    int rc;
    if ((rc = lty__check_id(e, "journey id", journey_id, &op.jn)) ||
        (rc = lty__check_id(e, "customer id", customer_id, &op.cn)))
        return rc;
    op.jid = journey_id;
    op.cid = customer_id;
    return lty__txn(e, unenrol_body, &op);
}

/* ------------------------------------------------------------------ */
/* Listing                                                             */
/* ------------------------------------------------------------------ */

typedef struct list_scan {
    size_t plen;               /* "C\0<customer>\0J" */
    lty_journey_enrolment *out;
    size_t cap;
    size_t count;
    int corrupt;
} list_scan;

static int list_each(const char *key, size_t keylen, const void *val,
                     size_t len, uint64_t rev, void *ctx)
{
    list_scan *ls = ctx;
    enrolment en;
    (void)rev;
    size_t jn = keylen - ls->plen;
    if (keylen <= ls->plen || jn > LTY_ID_MAX ||
        !lty__text_valid(key + ls->plen, jn, LTY__TEXT_LINE) ||
        decode_enrolment(val, len, &en)) {
        ls->corrupt = 1;
        return LTY_ECORRUPT;
    }
    if (en.unenrolled)
        return LTY_OK;
    if (ls->count < ls->cap) {
        lty_journey_enrolment *o = &ls->out[ls->count];
        unsigned version = o->version;
        memset(o, 0, sizeof *o);
        o->version = version;
        memcpy(o->journey_id, key + ls->plen, jn);
        o->anchor = en.anchor;
        o->enrolled = en.enrolled;
    }
    ls->count++;
    return LTY_OK;
}

int lty_journey_list_enrolments(lty_engine *e, const char *customer_id,
                                lty_journey_enrolment *out, size_t cap,
                                size_t *count)
{
    size_t cn;
    lty__key k;
    list_scan ls;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!count || (cap && !out))
        return lty__err(e, LTY_EINVALID, "journey enrolments: NULL");
    int rc = lty__check_id(e, "customer id", customer_id, &cn);
    for (size_t i = 0; rc == LTY_OK && i < cap; i++)
        rc = lty__check_version(e, "journey enrolment", out[i].version,
                                LTY_JOURNEY_ENROLMENT_VERSION);
    if (rc || (rc = lty__plan_customer_exists(e, customer_id, cn)))
        return rc;
    memset(&ls, 0, sizeof ls);
    ls.out = out;
    ls.cap = cap;
    lty__key_customer(&k, customer_id, cn);
    lty__key_add(&k, "J", 1);
    ls.plen = k.n;
    rc = lty__scan(e, k.b, k.n, NULL, 0, list_each, &ls);
    if (ls.corrupt)
        return lty__corrupt(e, LTY_ECORRUPT, "journey enrolment");
    if (rc)
        return rc;
    *count = ls.count;
    return LTY_OK;
}
