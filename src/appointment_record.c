/*
 * libloyalty - appointment and reminder-policy records: keys, encoding,
 * defensive decoding, reminder message ids, and erasure's rewrite of an
 * appointment's customer id.  Layouts in appointment_int.h and
 * docs/guide/record-format.md ("Appointments").
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "appointment_int.h"
#include "codec_int.h"
#include "validate_int.h"

#define SECONDS_PER_DAY INT64_C(86400)
/* The widest UTC offset the engine accepts (18 hours), in seconds. */
#define OFFSET_MAX_SECONDS INT64_C(64800)
#define DAY_SIGN (UINT64_C(1) << 63)

/* Fields of the appointment record. */
enum {
    AP_CUSTOMER = 1,
    AP_START = 2,
    AP_DURATION = 3,
    AP_DAY = 4,
    AP_ITEM = 5,
    AP_BRANCH = 6,
    AP_STAFF = 7,
    AP_STATE = 8,
    AP_BOOKED = 9,
    AP_CLOSED = 10,
    AP_GENERATION = 11,
    AP_REMINDED = 12,
    AP_MESSAGE = 13
};

#define AP_REQUIRED                                                        \
    ((UINT64_C(1) << AP_CUSTOMER) | (UINT64_C(1) << AP_START) |            \
     (UINT64_C(1) << AP_DURATION) | (UINT64_C(1) << AP_DAY) |              \
     (UINT64_C(1) << AP_STATE) | (UINT64_C(1) << AP_BOOKED) |              \
     (UINT64_C(1) << AP_GENERATION))

/* Fields of the policy record and of each of its entries. */
enum { RP_ENTRY = 1 };
enum { RE_OFFSET = 1, RE_CHANNEL = 2, RE_TEMPLATE = 3 };

/* ------------------------------------------------------------------ */
/* Keys                                                                */
/* ------------------------------------------------------------------ */

void lty__key_appt(lty__key *k, const char *id, size_t n)
{
    lty__key_reset(k);
    lty__key_add(k, "A", 1);
    lty__key_sep(k);
    lty__key_add(k, id, n);
}

void lty__key_appt_customer_prefix(lty__key *k, const char *cid, size_t cn)
{
    lty__key_customer(k, cid, cn);
    lty__key_add(k, "B", 1);
}

void lty__key_appt_customer(lty__key *k, const char *cid, size_t cn,
                            int64_t start, const char *id, size_t n)
{
    lty__key_appt_customer_prefix(k, cid, cn);
    lty__key_be64(k, (uint64_t)start);
    lty__key_add(k, id, n);
}

void lty__key_appt_day_prefix(lty__key *k, int64_t day)
{
    lty__key_reset(k);
    lty__key_add(k, "Y", 1);
    lty__key_sep(k);
    /* the sign bit flipped: byte order is numeric order, negatives first */
    lty__key_be64(k, (uint64_t)day ^ DAY_SIGN);
}

void lty__key_appt_day(lty__key *k, int64_t day, int64_t start,
                       const char *id, size_t n)
{
    lty__key_appt_day_prefix(k, day);
    lty__key_be64(k, (uint64_t)start);
    lty__key_add(k, id, n);
}

/* ------------------------------------------------------------------ */
/* Reminder message ids                                                */
/* ------------------------------------------------------------------ */

static const char *const channel_names[LTY_REMINDER_CHANNELS] = {
    "", "sms", "email", "kakao", "push", "staff"};

size_t lty__appt_message_id(char out[LTY_MESSAGE_ID_MAX + 1], const char *id,
                            size_t n, uint32_t gen, uint64_t msg)
{
    unsigned ch = (unsigned)(msg & 7u);
    long long offset = (long long)(msg >> 3);
    int len;
    if (ch == 0 || ch >= LTY_REMINDER_CHANNELS)
        len = snprintf(out, LTY_MESSAGE_ID_MAX + 1, "appt/%.*s/%lu/%lld",
                       (int)n, id, (unsigned long)gen, offset);
    else
        len = snprintf(out, LTY_MESSAGE_ID_MAX + 1, "appt/%.*s/%lu/%lld/%s",
                       (int)n, id, (unsigned long)gen, offset,
                       channel_names[ch]);
    /* ids are at most LTY_APPOINTMENT_ID_MAX bytes: always fits */
    if (len < 0)
        len = 0;
    if (len > LTY_MESSAGE_ID_MAX)
        len = LTY_MESSAGE_ID_MAX;
    return (size_t)len;
}

/* ------------------------------------------------------------------ */
/* The appointment record                                              */
/* ------------------------------------------------------------------ */

int lty__appt_encode(const lty__appt *a, lty_buf *out)
{
    lty__enc w;
    lty__enc_begin(&w, out, LTY__REC_APPOINTMENT, LTY__APPOINTMENT_VERSION);
    lty__enc_bytes(&w, AP_CUSTOMER, a->cid, a->cn);
    lty__enc_u64(&w, AP_START, (uint64_t)a->start);
    lty__enc_u64(&w, AP_DURATION, (uint64_t)a->duration);
    lty__enc_i64(&w, AP_DAY, a->day);
    if (a->itemn)
        lty__enc_bytes(&w, AP_ITEM, a->item, a->itemn);
    if (a->branchn)
        lty__enc_bytes(&w, AP_BRANCH, a->branch, a->branchn);
    if (a->staffn)
        lty__enc_bytes(&w, AP_STAFF, a->staff, a->staffn);
    lty__enc_u64(&w, AP_STATE, (uint64_t)a->state);
    lty__enc_u64(&w, AP_BOOKED, (uint64_t)a->booked);
    if (a->state != LTY_APPOINTMENT_BOOKED)
        lty__enc_u64(&w, AP_CLOSED, (uint64_t)a->closed);
    lty__enc_u64(&w, AP_GENERATION, a->generation);
    if (a->reminded)
        lty__enc_u64(&w, AP_REMINDED, 1);
    for (size_t i = 0; i < a->nmsg; i++)
        lty__enc_u64(&w, AP_MESSAGE, a->msg[i]);
    return lty__enc_end(&w);
}

/* An unsigned varint within min..max. */
static int field_uint(const lty__field *f, int64_t min, int64_t max,
                      int64_t *out)
{
    uint64_t v;
    if (lty__field_u64(f, &v) || v > (uint64_t)max || (int64_t)v < min)
        return LTY_ECORRUPT;
    *out = (int64_t)v;
    return LTY_OK;
}

/* A one-line text of 1..max bytes, copied NUL-terminated into buf. */
static int field_copy(const lty__field *f, size_t max, char *buf, size_t *n)
{
    const char *s;
    int rc = lty__field_text(f, 1, max, LTY__TEXT_LINE, &s, n);
    if (rc)
        return rc;
    memcpy(buf, s, *n);
    buf[*n] = '\0';
    return LTY_OK;
}

/* Reminder messages are listed in planning order: largest offset first,
 * then by channel; so no message appears twice. */
static int message_after(uint64_t prev, uint64_t m)
{
    uint64_t po = prev >> 3, mo = m >> 3;
    return mo < po || (mo == po && (m & 7u) > (prev & 7u));
}

static int valid_message(uint64_t m)
{
    uint64_t offset = m >> 3;
    return (m & 7u) < LTY_REMINDER_CHANNELS && offset >= 1 &&
           offset <= (uint64_t)LTY_REMINDER_OFFSET_MAX;
}

static int appt_field(lty__appt *a, const lty__field *f)
{
    int64_t v = 0;
    int rc;
    switch (f->tag) {
    case AP_CUSTOMER:
        return field_copy(f, LTY_ID_MAX, a->cid, &a->cn);
    case AP_START:
        return field_uint(f, LTY_TIME_MIN, LTY_TIME_MAX, &a->start);
    case AP_DURATION:
        rc = field_uint(f, 1, LTY_APPOINTMENT_DURATION_MAX, &v);
        a->duration = (int)v;
        return rc;
    case AP_DAY:
        return lty__field_int(f, -2, INT64_C(2932897) + 1, &a->day);
    case AP_ITEM:
        return field_copy(f, LTY_CODE_MAX, a->item, &a->itemn);
    case AP_BRANCH:
        return field_copy(f, LTY_CODE_MAX, a->branch, &a->branchn);
    case AP_STAFF:
        return field_copy(f, LTY_CODE_MAX, a->staff, &a->staffn);
    case AP_STATE:
        rc = field_uint(f, LTY_APPOINTMENT_BOOKED, LTY_APPOINTMENT_CANCELLED,
                        &v);
        a->state = (int)v;
        return rc;
    case AP_BOOKED:
        return field_uint(f, LTY_TIME_MIN, LTY_TIME_MAX, &a->booked);
    case AP_CLOSED:
        return field_uint(f, LTY_TIME_MIN, LTY_TIME_MAX, &a->closed);
    case AP_GENERATION:
        rc = field_uint(f, 1, LTY__APPT_GENERATION_MAX, &v);
        a->generation = (uint32_t)v;
        return rc;
    case AP_REMINDED:
        rc = field_uint(f, 1, 1, &v);
        a->reminded = 1;
        return rc;
    case AP_MESSAGE: {
        uint64_t m;
        if (lty__field_u64(f, &m) || !valid_message(m) ||
            a->nmsg == LTY__APPT_MESSAGES_MAX ||
            (a->nmsg && !message_after(a->msg[a->nmsg - 1], m)))
            return LTY_ECORRUPT;
        a->msg[a->nmsg++] = m;
        return LTY_OK;
    }
    default:
        return LTY_OK; /* a field of a later minor version */
    }
}

int lty__appt_decode(const void *data, size_t len, lty__appt *a)
{
    lty__dec d;
    lty__field f;
    uint64_t seen = 0;
    int rc = lty__dec_begin(&d, data, len, LTY__REC_APPOINTMENT,
                            LTY__APPOINTMENT_VERSION, NULL);
    if (rc)
        return rc;
    memset(a, 0, sizeof *a);
    while ((rc = lty__dec_next(&d, &f)) == 1) {
        if (f.tag < AP_MESSAGE && lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        if (appt_field(a, &f))
            return LTY_ECORRUPT;
    }
    if (rc < 0)
        return rc;
    if ((seen & AP_REQUIRED) != AP_REQUIRED)
        return LTY_ECORRUPT;
    int has_closed = (seen & (UINT64_C(1) << AP_CLOSED)) != 0;
    if (has_closed != (a->state != LTY_APPOINTMENT_BOOKED))
        return LTY_ECORRUPT;
    /* the local day lies within the widest UTC offset of the start */
    if (a->day < lty__floordiv(a->start - OFFSET_MAX_SECONDS, SECONDS_PER_DAY) ||
        a->day > lty__floordiv(a->start + OFFSET_MAX_SECONDS, SECONDS_PER_DAY))
        return LTY_ECORRUPT;
    return LTY_OK;
}

int lty__appt_load(lty_engine *e, const char *id, size_t n, lty__appt *a,
                   uint64_t *rev)
{
    lty__key k;
    lty__key_appt(&k, id, n);
    int rc = lty__get(e, k.b, k.n, NULL, rev);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "appointment: not found");
    if (rc)
        return rc;
    if ((rc = lty__appt_decode(e->rbuf.data, e->rbuf.len, a)))
        return lty__corrupt(e, rc, "appointment");
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The reminder policy record                                          */
/* ------------------------------------------------------------------ */

void lty__rpolicy_default(lty__rpolicy *p)
{
    static const int64_t offsets[] = {3 * SECONDS_PER_DAY, SECONDS_PER_DAY,
                                      2 * 3600};
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        p->e[i].offset = offsets[i];
        p->e[i].channel = LTY_CHANNEL_NONE;
        memcpy(p->e[i].template_id, "appointment_reminder",
               sizeof "appointment_reminder");
    }
    p->n = sizeof offsets / sizeof offsets[0];
}

int lty__rpolicy_encode(const lty__rpolicy *p, lty_buf *out, lty_buf *scratch)
{
    lty__enc w, s;
    lty__enc_begin(&w, out, LTY__REC_REMINDER_POLICY,
                   LTY__REMINDER_POLICY_VERSION);
    for (size_t i = 0; i < p->n; i++) {
        const lty__rpolicy_entry *en = &p->e[i];
        lty__enc_begin_sub(&s, scratch);
        lty__enc_u64(&s, RE_OFFSET, (uint64_t)en->offset);
        if (en->channel)
            lty__enc_u64(&s, RE_CHANNEL, (uint64_t)en->channel);
        lty__enc_str(&s, RE_TEMPLATE, en->template_id);
        int rc = lty__enc_end(&s);
        if (rc)
            return rc;
        lty__enc_bytes(&w, RP_ENTRY, scratch->data, scratch->len);
    }
    return lty__enc_end(&w);
}

static int rpolicy_entry(const lty__field *f, lty__rpolicy_entry *en)
{
    lty__dec d;
    lty__field g;
    uint64_t seen = 0;
    int64_t v = 0;
    size_t n = 0;
    int rc = lty__dec_sub(&d, f);
    if (rc)
        return rc;
    memset(en, 0, sizeof *en);
    while ((rc = lty__dec_next(&d, &g)) == 1) {
        if (g.tag <= RE_TEMPLATE && lty__dec_once(&seen, g.tag))
            return LTY_ECORRUPT;
        switch (g.tag) {
        case RE_OFFSET:
            rc = field_uint(&g, 1, LTY_REMINDER_OFFSET_MAX, &en->offset);
            break;
        case RE_CHANNEL:
            rc = field_uint(&g, LTY_CHANNEL_SMS, LTY_REMINDER_CHANNELS - 1, &v);
            en->channel = (int)v;
            break;
        case RE_TEMPLATE:
            rc = field_copy(&g, LTY_MESSAGE_ID_MAX, en->template_id, &n);
            break;
        default:
            rc = LTY_OK;
            break;
        }
        if (rc)
            return LTY_ECORRUPT;
    }
    if (rc < 0)
        return rc;
    if (!(seen & (UINT64_C(1) << RE_OFFSET)) ||
        !(seen & (UINT64_C(1) << RE_TEMPLATE)))
        return LTY_ECORRUPT;
    return LTY_OK;
}

int lty__rpolicy_decode(const void *data, size_t len, lty__rpolicy *p)
{
    lty__dec d;
    lty__field f;
    size_t offsets = 0;
    int rc = lty__dec_begin(&d, data, len, LTY__REC_REMINDER_POLICY,
                            LTY__REMINDER_POLICY_VERSION, NULL);
    if (rc)
        return rc;
    memset(p, 0, sizeof *p);
    while ((rc = lty__dec_next(&d, &f)) == 1) {
        if (f.tag != RP_ENTRY)
            continue;
        if (p->n == LTY__APPT_MESSAGES_MAX)
            return LTY_ECORRUPT;
        lty__rpolicy_entry *en = &p->e[p->n];
        if ((rc = rpolicy_entry(&f, en)))
            return LTY_ECORRUPT;
        if (p->n) {
            const lty__rpolicy_entry *pr = &p->e[p->n - 1];
            if (en->offset > pr->offset ||
                (en->offset == pr->offset && en->channel <= pr->channel))
                return LTY_ECORRUPT;
        }
        if (p->n == 0 || en->offset != p->e[p->n - 1].offset)
            offsets++;
        if (offsets > LTY_REMINDERS_MAX)
            return LTY_ECORRUPT;
        p->n++;
    }
    return rc < 0 ? rc : LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Erasure                                                             */
/* ------------------------------------------------------------------ */

int lty__appointment_rekey(lty_engine *e, const char *rest, size_t restn,
                           const char *from, size_t fn, const char *to,
                           size_t tn)
{
    lty__appt a;
    lty__key k;
    uint64_t rev = 0, start = 0;
    if (restn <= 9 || rest[0] != 'B')
        return lty__err(e, LTY_ECORRUPT, "appointment index key: malformed");
    const char *id = rest + 9;
    size_t n = restn - 9;
    if (n > LTY_APPOINTMENT_ID_MAX || memchr(id, 0, n) ||
        !lty__text_valid(id, n, LTY__TEXT_LINE))
        return lty__err(e, LTY_ECORRUPT, "appointment index key: malformed");
    for (int i = 1; i <= 8; i++)
        start = start << 8 | (unsigned char)rest[i];
    int rc = lty__appt_load(e, id, n, &a, &rev);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ECORRUPT,
                        "appointment index: names a missing appointment");
    if (rc)
        return rc;
    if (a.cn != fn || memcmp(a.cid, from, fn) != 0 ||
        (uint64_t)a.start != start)
        return lty__err(e, LTY_ECORRUPT,
                        "appointment index: does not match the appointment");
    memcpy(a.cid, to, tn);
    a.cid[tn] = '\0';
    a.cn = tn;
    if ((rc = lty__appt_encode(&a, &e->wbuf)))
        return lty__err(e, rc, "appointment: cannot encode");
    lty__key_appt(&k, id, n);
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}
