/*
 * libloyalty - encoding and decoding the customer profile record.
 *
 * The layout is in customer_int.h.  The decoder treats the record as hostile
 * input: every string is checked against the limits and character rules the
 * public API enforces on the way in, every list against its maximum count
 * and its sort order, every date and enum against its range.  A record that
 * the API could not have written is LTY_ECORRUPT.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "codec_int.h"
#include "contact_int.h"
#include "customer_int.h"
#include "validate_int.h"

enum profile_tag {
    TAG_CREATED = 1,
    TAG_NAME = 2,
    TAG_PHONE = 3,
    TAG_EMAIL = 4,
    TAG_BIRTHDAY = 5,
    TAG_CHANNEL = 6,
    TAG_PREFERENCE = 7,
    TAG_NOTE = 8,
    TAG_TAG = 9,
    TAG_ANNIVERSARY = 10,
    TAG_CONSENT = 11
};

int lty__str_cmp(lty__str a, lty__str b)
{
    size_t n = a.n < b.n ? a.n : b.n;
    int c = n ? memcmp(a.p, b.p, n) : 0;
    if (c)
        return c;
    return (a.n > b.n) - (a.n < b.n);
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */
/* ------------------------------------------------------------------ */

static void enc_text(lty__enc *w, unsigned tag, lty__str s)
{
    if (s.n)
        lty__enc_bytes(w, tag, s.p, s.n);
}

/* A nested message is built in scratch, then copied in as a bytes field;
 * a failure inside it is carried over to the outer encoder. */
static void enc_nested(lty__enc *w, unsigned tag, lty__enc *sub)
{
    int rc = lty__enc_end(sub);
    if (rc) {
        if (!w->err)
            w->err = rc;
        return;
    }
    lty__enc_bytes(w, tag, sub->b->data, sub->b->len);
}

static void enc_date_fields(lty__enc *sub, unsigned first_tag,
                            const lty_date *d)
{
    lty__enc_u64(sub, first_tag, (uint64_t)d->year);
    lty__enc_u64(sub, first_tag + 1, (uint64_t)d->month);
    lty__enc_u64(sub, first_tag + 2, (uint64_t)d->day);
}

static void enc_attrs(lty__enc *w, unsigned tag, const lty__attr *a,
                      size_t n, lty_buf *scratch)
{
    for (size_t i = 0; i < n; i++) {
        lty__enc sub;
        lty__enc_begin_sub(&sub, scratch);
        lty__enc_bytes(&sub, 1, a[i].key.p, a[i].key.n);
        /* An empty value is written too: "set to nothing" is a value. */
        lty__enc_bytes(&sub, 2, a[i].value.p, a[i].value.n);
        enc_nested(w, tag, &sub);
    }
}

static void enc_anniversaries(lty__enc *w, const lty__profile *p,
                              lty_buf *scratch)
{
    for (size_t i = 0; i < p->nanniv; i++) {
        lty__enc sub;
        lty__enc_begin_sub(&sub, scratch);
        lty__enc_bytes(&sub, 1, p->anniv[i].label.p, p->anniv[i].label.n);
        enc_date_fields(&sub, 2, &p->anniv[i].date);
        enc_nested(w, TAG_ANNIVERSARY, &sub);
    }
}

static void enc_consents(lty__enc *w, const lty__profile *p, lty_buf *scratch)
{
    for (size_t i = 0; i < p->nconsent; i++) {
        const lty__consent *c = &p->consent[i];
        lty__enc sub;
        lty__enc_begin_sub(&sub, scratch);
        lty__enc_u64(&sub, 1, (uint64_t)c->channel);
        lty__enc_u64(&sub, 2, (uint64_t)c->purpose);
        lty__enc_u64(&sub, 3, c->granted ? 1u : 0u);
        lty__enc_i64(&sub, 4, c->since);
        enc_nested(w, TAG_CONSENT, &sub);
    }
}

int lty__profile_encode(const lty__profile *p, lty_buf *out, lty_buf *scratch)
{
    lty__enc w;
    lty__enc_begin(&w, out, LTY__REC_PROFILE, LTY__PROFILE_VERSION);
    lty__enc_i64(&w, TAG_CREATED, p->created);
    enc_text(&w, TAG_NAME, p->name);
    enc_text(&w, TAG_PHONE, p->phone);
    enc_text(&w, TAG_EMAIL, p->email);
    if (p->birthday.month != 0) {
        lty__enc sub;
        lty__enc_begin_sub(&sub, scratch);
        enc_date_fields(&sub, 1, &p->birthday);
        enc_nested(&w, TAG_BIRTHDAY, &sub);
    }
    if (p->preferred_channel != LTY_CHANNEL_NONE)
        lty__enc_u64(&w, TAG_CHANNEL, (uint64_t)p->preferred_channel);
    enc_attrs(&w, TAG_PREFERENCE, p->pref, p->npref, scratch);
    enc_attrs(&w, TAG_NOTE, p->note, p->nnote, scratch);
    for (size_t i = 0; i < p->ntag; i++)
        lty__enc_bytes(&w, TAG_TAG, p->tag[i].p, p->tag[i].n);
    enc_anniversaries(&w, p, scratch);
    enc_consents(&w, p, scratch);
    return lty__enc_end(&w);
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */
/* ------------------------------------------------------------------ */

#define CORRUPT LTY_ECORRUPT

static int field_text(const lty__field *f, size_t min, size_t max,
                      lty__text_kind kind, lty__str *out)
{
    return lty__field_text(f, min, max, (int)kind, &out->p, &out->n);
}

static int field_small(const lty__field *f, uint64_t min, uint64_t max,
                       int *out)
{
    uint64_t v;
    if (lty__field_u64(f, &v) || v < min || v > max)
        return CORRUPT;
    *out = (int)v;
    return LTY_OK;
}

/* Read year, month and day from tags first..first+2 of a nested message.
 * Returns 1 when f was one of them (*rc tells whether it was valid), 0 for
 * any other tag, which is the caller's to handle. */
static int date_field(const lty__field *f, unsigned first, uint64_t *seen,
                      lty_date *d, int *rc)
{
    if (f->tag < first || f->tag > first + 2)
        return 0;
    *rc = lty__dec_once(seen, f->tag);
    if (*rc)
        return 1;
    if (f->tag == first)
        *rc = field_small(f, 0, 9999, &d->year);
    else if (f->tag == first + 1)
        *rc = field_small(f, 1, 12, &d->month);
    else
        *rc = field_small(f, 1, 31, &d->day);
    return 1;
}

/* Run the fields of a nested message through a handler; the handler returns
 * LTY_OK or CORRUPT.  Unknown tags are skipped (record-format.md: a later
 * minor version may add fields that older readers ignore), so handlers
 * return LTY_OK for them. */
typedef int (*sub_handler)(const lty__field *f, uint64_t *seen, void *ctx);

static int dec_nested(const lty__field *outer, sub_handler h, void *ctx)
{
    lty__dec d;
    lty__field f;
    uint64_t seen = 0;
    int rc = lty__dec_sub(&d, outer);
    while (rc == LTY_OK && (rc = lty__dec_next(&d, &f)) == 1)
        rc = h(&f, &seen, ctx);
    return rc < 0 ? CORRUPT : LTY_OK;
}

static int birthday_field(const lty__field *f, uint64_t *seen, void *ctx)
{
    int rc = LTY_OK;
    date_field(f, 1, seen, ctx, &rc);
    return rc;
}

static int dec_birthday(const lty__field *f, lty_date *d)
{
    memset(d, 0, sizeof *d);
    int rc = dec_nested(f, birthday_field, d);
    if (rc || !lty__date_valid(d, 1))
        return CORRUPT;
    return LTY_OK;
}

static int attr_field(const lty__field *f, uint64_t *seen, void *ctx)
{
    lty__attr *a = ctx;
    if (f->tag > 2)
        return LTY_OK;
    if (lty__dec_once(seen, f->tag))
        return CORRUPT;
    if (f->tag == 1)
        return field_text(f, 1, LTY_LABEL_MAX, LTY__TEXT_LINE, &a->key);
    return field_text(f, 0, LTY_TEXT_MAX, LTY__TEXT_MULTILINE, &a->value);
}

/* Append one preference or note, keeping the list strictly sorted. */
static int dec_attr(const lty__field *f, lty__attr *list, size_t *n)
{
    lty__attr a;
    memset(&a, 0, sizeof a);
    if (*n >= LTY_ATTRS_MAX || dec_nested(f, attr_field, &a) || a.key.n == 0)
        return CORRUPT;
    if (*n > 0 && lty__str_cmp(list[*n - 1].key, a.key) >= 0)
        return CORRUPT;
    list[(*n)++] = a;
    return LTY_OK;
}

static int dec_tag(const lty__field *f, lty__profile *p)
{
    lty__str t;
    if (p->ntag >= LTY_TAGS_MAX ||
        field_text(f, 1, LTY_LABEL_MAX, LTY__TEXT_LINE, &t))
        return CORRUPT;
    if (p->ntag > 0 && lty__str_cmp(p->tag[p->ntag - 1], t) >= 0)
        return CORRUPT;
    p->tag[p->ntag++] = t;
    return LTY_OK;
}

static int anniv_field(const lty__field *f, uint64_t *seen, void *ctx)
{
    lty__anniv *a = ctx;
    int rc = CORRUPT;
    if (date_field(f, 2, seen, &a->date, &rc))
        return rc;
    if (f->tag != 1)
        return LTY_OK;
    if (lty__dec_once(seen, 1))
        return CORRUPT;
    return field_text(f, 1, LTY_LABEL_MAX, LTY__TEXT_LINE, &a->label);
}

static int dec_anniversary(const lty__field *f, lty__profile *p)
{
    lty__anniv a;
    memset(&a, 0, sizeof a);
    if (p->nanniv >= LTY_ANNIVERSARIES_MAX || dec_nested(f, anniv_field, &a) ||
        a.label.n == 0 || !lty__date_valid(&a.date, 1))
        return CORRUPT;
    if (p->nanniv > 0 &&
        lty__str_cmp(p->anniv[p->nanniv - 1].label, a.label) >= 0)
        return CORRUPT;
    p->anniv[p->nanniv++] = a;
    return LTY_OK;
}

static int consent_field(const lty__field *f, uint64_t *seen, void *ctx)
{
    lty__consent *c = ctx;
    if (f->tag > 4)
        return LTY_OK;
    if (lty__dec_once(seen, f->tag))
        return CORRUPT;
    switch (f->tag) {
    case 1:
        return field_small(f, LTY_CHANNEL_SMS, LTY_CHANNEL_PUSH, &c->channel);
    case 2:
        return field_small(f, LTY_PURPOSE_MARKETING,
                           LTY_PURPOSE_NIGHT_MARKETING, &c->purpose);
    case 3:
        return field_small(f, 0, 1, &c->granted);
    case 4:
    default:
        return lty__field_int(f, LTY_TIME_MIN, LTY_TIME_MAX, &c->since);
    }
}

static int consent_order(const lty__consent *a, const lty__consent *b)
{
    if (a->channel != b->channel)
        return a->channel < b->channel ? -1 : 1;
    return (a->purpose > b->purpose) - (a->purpose < b->purpose);
}

static int dec_consent(const lty__field *f, lty__profile *p)
{
    lty__consent c;
    memset(&c, 0, sizeof c);
    /* The zero channel and purpose are out of range, so a message missing
     * either fails the check below; a missing "since" is refused too. */
    c.since = -1;
    if (p->nconsent >= LTY__CONSENTS_MAX || dec_nested(f, consent_field, &c) ||
        c.channel == 0 || c.purpose == 0 || c.since < 0)
        return CORRUPT;
    if (p->nconsent > 0 &&
        consent_order(&p->consent[p->nconsent - 1], &c) >= 0)
        return CORRUPT;
    p->consent[p->nconsent++] = c;
    return LTY_OK;
}

/* A stored phone or e-mail must already be in normal form: normalising it
 * again must give the same bytes. */
static int dec_phone(const lty__field *f, lty__str *out)
{
    char norm[LTY__E164_SIZE];
    size_t n;
    const char *why;
    if (field_text(f, 1, LTY__E164_MAX, LTY__TEXT_LINE, out) ||
        lty__phone_normalize(out->p, out->n, 1, norm, &n, &why) ||
        n != out->n || memcmp(norm, out->p, n) != 0)
        return CORRUPT;
    return LTY_OK;
}

static int dec_email(const lty__field *f, lty__str *out)
{
    char norm[LTY__EMAIL_SIZE];
    size_t n;
    const char *why;
    if (field_text(f, 1, LTY_EMAIL_MAX, LTY__TEXT_LINE, out) ||
        lty__email_normalize(out->p, out->n, norm, &n, &why) ||
        n != out->n || memcmp(norm, out->p, n) != 0)
        return CORRUPT;
    return LTY_OK;
}

/* Scalars may appear once; lists repeat their tag. */
static int profile_field(const lty__field *f, uint64_t *seen, lty__profile *p)
{
    if (f->tag < TAG_PREFERENCE && lty__dec_once(seen, f->tag))
        return CORRUPT;
    /* Tags past the last one this version knows are skipped: fields that a
     * later minor version adds are for its readers (record-format.md).
     * Tags are checked to be in order by the codec either way. */
    switch (f->tag) {
    case TAG_CREATED:
        return lty__field_int(f, LTY_TIME_MIN, LTY_TIME_MAX, &p->created);
    case TAG_NAME:
        return field_text(f, 1, LTY_NAME_MAX, LTY__TEXT_LINE, &p->name);
    case TAG_PHONE:
        return dec_phone(f, &p->phone);
    case TAG_EMAIL:
        return dec_email(f, &p->email);
    case TAG_BIRTHDAY:
        return dec_birthday(f, &p->birthday);
    case TAG_CHANNEL:
        return field_small(f, LTY_CHANNEL_SMS, LTY_CHANNEL_PUSH,
                           &p->preferred_channel);
    case TAG_PREFERENCE:
        return dec_attr(f, p->pref, &p->npref);
    case TAG_NOTE:
        return dec_attr(f, p->note, &p->nnote);
    case TAG_TAG:
        return dec_tag(f, p);
    case TAG_ANNIVERSARY:
        return dec_anniversary(f, p);
    case TAG_CONSENT:
        return dec_consent(f, p);
    default:
        return LTY_OK;
    }
}

int lty__profile_decode(const void *data, size_t len, lty__profile *p)
{
    lty__dec d;
    lty__field f;
    uint64_t seen = 0;
    memset(p, 0, sizeof *p);
    int rc = lty__dec_begin(&d, data, len, LTY__REC_PROFILE,
                            LTY__PROFILE_VERSION, NULL);
    if (rc)
        return rc;
    while ((rc = lty__dec_next(&d, &f)) == 1) {
        if ((rc = profile_field(&f, &seen, p)) != LTY_OK)
            break;
    }
    if (rc < 0 || !(seen & (UINT64_C(1) << TAG_CREATED))) {
        memset(p, 0, sizeof *p);
        return CORRUPT;
    }
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The anonymous-id counter                                            */
/* ------------------------------------------------------------------ */

int lty__anon_counter_encode(uint64_t value, lty_buf *out)
{
    lty__enc w;
    lty__enc_begin(&w, out, LTY__REC_COUNTER, LTY__COUNTER_VERSION);
    lty__enc_u64(&w, 1, value);
    return lty__enc_end(&w);
}

int lty__anon_counter_decode(const void *data, size_t len, uint64_t *value)
{
    lty__dec d;
    lty__field f;
    uint64_t seen = 0;
    *value = 0;
    int rc = lty__dec_begin(&d, data, len, LTY__REC_COUNTER,
                            LTY__COUNTER_VERSION, NULL);
    if (rc)
        return rc;
    while ((rc = lty__dec_next(&d, &f)) == 1) {
        if (f.tag != 1)
            continue; /* a later minor version's field */
        if (lty__dec_once(&seen, 1) || lty__field_u64(&f, value))
            return CORRUPT;
    }
    if (rc < 0 || !seen)
        return CORRUPT;
    return LTY_OK;
}
