/*
 * libloyalty - the treatment catalogue and aftercare recalls.
 *
 * The catalogue lives in one record, "M\0treatments" (kind 18), so one read
 * tells a recording engine whether its cached copy is current: the cache is
 * keyed by the record's revision, as the program registry's is.
 *
 * Aftercare: recording a visit or purchase of an item in the catalogue
 * plans "aftercare/<customer>/<item>/<visit day>" for the visit's local day
 * + effect - lead, at 10:00 local.  The visit's day is part of the id, so a
 * recall already sent never blocks the next one; a return for the same item
 * on a later day cancels the recall still pending from the earlier visit
 * and plans its own; a return on the same day keeps the one id; an older
 * event recorded late, after a later visit's recall exists, plans nothing.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "codec_int.h"
#include "keys_int.h"
#include "plan_int.h"
#include "validate_int.h"

#define CATALOGUE "treatments"

/* the id's tail: the visit's day, "YYYY-MM-DD" */
#define DAY_LEN 10u

/* ------------------------------------------------------------------ */
/* The record                                                          */
/* ------------------------------------------------------------------ */

enum { R_TREATMENT = 1 };
enum { T_ITEM = 1, T_NAME, T_EFFECT, T_LEAD, T_TEMPLATE, T_PURPOSE, T_CHANNEL };

static int encode_catalogue(lty_engine *e, const lty__treatment *t, size_t n,
                            lty_buf *out)
{
    lty_buf tb;
    lty__enc w, s;
    lty__buf_init(&tb, &e->alloc);
    lty__enc_begin(&w, out, LTY__REC_TREATMENTS, LTY__TREATMENTS_VERSION);
    for (size_t i = 0; i < n; i++) {
        lty__enc_begin_sub(&s, &tb);
        lty__enc_str(&s, T_ITEM, t[i].item);
        lty__enc_str(&s, T_NAME, t[i].name);
        lty__enc_i64(&s, T_EFFECT, t[i].effect_days);
        lty__enc_i64(&s, T_LEAD, t[i].lead_days);
        lty__enc_str(&s, T_TEMPLATE, t[i].template_id);
        lty__enc_i64(&s, T_PURPOSE, (int64_t)t[i].purpose);
        if (t[i].channel != LTY_CHANNEL_NONE)
            lty__enc_i64(&s, T_CHANNEL, (int64_t)t[i].channel);
        int err = lty__enc_end(&s);
        if (err && !w.err)
            w.err = err;
        lty__enc_bytes(&w, R_TREATMENT, tb.data, tb.len);
    }
    int rc = lty__enc_end(&w);
    lty__buf_release(&tb);
    return rc;
}

static int dec_text(const lty__field *f, size_t max, char *out, size_t *outn)
{
    const char *s;
    size_t n;
    if (lty__field_text(f, 1, max, LTY__TEXT_LINE, &s, &n))
        return LTY_ECORRUPT;
    memcpy(out, s, n);
    out[n] = '\0';
    if (outn)
        *outn = n;
    return LTY_OK;
}

static int dec_treatment(const lty__field *pf, lty__treatment *t)
{
    lty__dec d = {0};
    lty__field f;
    uint64_t seen = 0;
    int64_t v;
    int r;
    memset(t, 0, sizeof *t);
    if (lty__dec_sub(&d, pf))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case T_ITEM:
            if (dec_text(&f, LTY_CODE_MAX, t->item, &t->itemlen))
                return LTY_ECORRUPT;
            break;
        case T_NAME:
            if (dec_text(&f, LTY_TITLE_MAX, t->name, NULL))
                return LTY_ECORRUPT;
            break;
        case T_EFFECT:
            if (lty__field_int(&f, 1, LTY_PLAN_DAYS_MAX, &v))
                return LTY_ECORRUPT;
            t->effect_days = (int)v;
            break;
        case T_LEAD:
            if (lty__field_int(&f, 0, LTY_PLAN_DAYS_MAX - 1, &v))
                return LTY_ECORRUPT;
            t->lead_days = (int)v;
            break;
        case T_TEMPLATE:
            if (dec_text(&f, LTY_MESSAGE_ID_MAX, t->template_id, NULL))
                return LTY_ECORRUPT;
            break;
        case T_PURPOSE:
            if (lty__field_int(&f, LTY_PURPOSE_TRANSACTIONAL,
                               LTY_PURPOSE_MARKETING, &v))
                return LTY_ECORRUPT;
            t->purpose = (lty_purpose)v;
            break;
        case T_CHANNEL:
            if (lty__field_int(&f, LTY_CHANNEL_SMS, LTY_CHANNEL_STAFF, &v))
                return LTY_ECORRUPT;
            t->channel = (lty_channel)v;
            break;
        default:
            break; /* a later minor version's field */
        }
    }
    if (r < 0 || !t->itemlen || !t->name[0] || !t->effect_days ||
        !t->template_id[0] || !t->purpose || t->lead_days >= t->effect_days ||
        (t->channel == LTY_CHANNEL_STAFF &&
         t->purpose != LTY_PURPOSE_TRANSACTIONAL))
        return LTY_ECORRUPT;
    return LTY_OK;
}

/* Decode into a fresh array (items strictly ascending). */
static int decode_catalogue(lty_engine *e, const void *data, size_t len,
                            lty__treatment **out, size_t *count)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    size_t n = 0;
    int r, rc;
    *out = NULL;
    *count = 0;
    if ((rc = lty__dec_begin(&d, data, len, LTY__REC_TREATMENTS,
                             LTY__TREATMENTS_VERSION, &version)))
        return rc == LTY_EVERSION ? rc : LTY_ECORRUPT;
    lty__treatment *t = lty__malloc(&e->alloc, LTY_TREATMENTS_MAX * sizeof *t);
    if (!t)
        return LTY_ENOMEM;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (f.tag != R_TREATMENT || n == LTY_TREATMENTS_MAX ||
            dec_treatment(&f, &t[n]) ||
            (n > 0 && strcmp(t[n - 1].item, t[n].item) >= 0)) {
            r = -1;
            break;
        }
        n++;
    }
    if (r < 0) {
        lty__free(&e->alloc, t);
        return LTY_ECORRUPT;
    }
    *out = t;
    *count = n;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The cache                                                           */
/* ------------------------------------------------------------------ */

void lty__treatments_release(lty_engine *e)
{
    if (!e->treatments)
        return;
    lty__free(&e->alloc, e->treatments->t);
    lty__free(&e->alloc, e->treatments);
    e->treatments = NULL;
}

int lty__treatments_current(lty_engine *e, const lty__treatments **out)
{
    static const lty__treatments none = {0, 0, NULL};
    lty__key k;
    uint64_t rev = 0;
    lty__key_meta(&k, CATALOGUE);
    int rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND) {
        *out = &none;
        return LTY_OK;
    }
    if (rc)
        return rc;
    if (e->treatments && e->treatments->rev == rev) {
        *out = e->treatments;
        return LTY_OK;
    }
    lty__treatment *t;
    size_t n;
    if ((rc = decode_catalogue(e, e->rbuf.data, e->rbuf.len, &t, &n)))
        return rc == LTY_ENOMEM ? lty__err(e, rc, "treatments: out of memory")
                                : lty__corrupt(e, rc, "treatment catalogue");
    if (!e->treatments) {
        e->treatments = lty__zalloc(&e->alloc, sizeof *e->treatments);
        if (!e->treatments) {
            lty__free(&e->alloc, t);
            return lty__err(e, LTY_ENOMEM, "treatments: out of memory");
        }
    }
    lty__free(&e->alloc, e->treatments->t);
    e->treatments->t = t;
    e->treatments->n = n;
    e->treatments->rev = rev;
    *out = e->treatments;
    return LTY_OK;
}

/* The treatment of an item, or NULL (binary search: items are sorted). */
static const lty__treatment *find(const lty__treatments *c, const char *item,
                                  size_t n, size_t *at)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const lty__treatment *t = &c->t[mid];
        size_t m = t->itemlen < n ? t->itemlen : n;
        int cmp = memcmp(t->item, item, m);
        if (cmp == 0)
            cmp = t->itemlen < n ? -1 : t->itemlen > n;
        if (cmp == 0) {
            if (at)
                *at = mid;
            return t;
        }
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (at)
        *at = lo;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Defining and removing                                               */
/* ------------------------------------------------------------------ */

static int copy_text(lty_engine *e, const char *field, const char *s,
                     size_t max, char *out, size_t *outn)
{
    size_t n;
    int rc = lty__check_text(e, field, s, 1, max, LTY__TEXT_LINE, &n);
    if (rc)
        return rc;
    memcpy(out, s, n);
    out[n] = '\0';
    if (outn)
        *outn = n;
    return LTY_OK;
}

static int check_def(lty_engine *e, const lty_treatment_def *d,
                     lty__treatment *t)
{
    int rc;
    if (!d)
        return lty__err(e, LTY_EINVALID, "treatment: NULL");
    if ((rc = lty__check_version(e, "treatment definition", d->version,
                                 LTY_TREATMENT_DEF_VERSION)))
        return rc;
    memset(t, 0, sizeof *t);
    if ((rc = copy_text(e, "treatment item", d->item, LTY_CODE_MAX, t->item,
                        &t->itemlen)) ||
        (rc = copy_text(e, "treatment name", d->name, LTY_TITLE_MAX, t->name,
                        NULL)))
        return rc;
    if (d->effect_days < 1 || d->effect_days > LTY_PLAN_DAYS_MAX)
        return lty__err(e, LTY_EINVALID, "treatment effect_days: outside 1..%d",
                        LTY_PLAN_DAYS_MAX);
    if (d->lead_days < 0 || d->lead_days >= d->effect_days)
        return lty__err(e, LTY_EINVALID,
                        "treatment lead_days: outside 0..effect_days - 1");
    if ((rc = copy_text(e, "treatment template_id", d->template_id,
                        LTY_MESSAGE_ID_MAX, t->template_id, NULL)) ||
        (rc = lty__plan_check_route(e, "treatment", d->purpose, d->channel)))
        return rc;
    t->effect_days = d->effect_days;
    t->lead_days = d->lead_days;
    t->purpose = d->purpose;
    t->channel = d->channel;
    return LTY_OK;
}

typedef struct define_op {
    lty__treatment t;          /* the definition (define) */
    const char *item;          /* the item (remove) */
    size_t itemlen;
    int remove;
    lty__treatment *merged;    /* LTY_TREATMENTS_MAX slots */
} define_op;

static int define_body(lty_engine *e, void *arg)
{
    define_op *op = arg;
    const lty__treatments *cur;
    lty__key k;
    size_t at = 0;
    int rc = lty__treatments_current(e, &cur);
    if (rc)
        return rc;
    size_t n = cur->n;
    if (n)
        memcpy(op->merged, cur->t, n * sizeof *op->merged);
    uint64_t rev = cur->rev ? cur->rev : LTY_REV_NONE;
    const lty__treatments view = {0, n, op->merged};
    const char *item = op->remove ? op->item : op->t.item;
    size_t itemlen = op->remove ? op->itemlen : op->t.itemlen;
    const lty__treatment *old = find(&view, item, itemlen, &at);
    if (op->remove) {
        if (!old)
            return lty__err(e, LTY_ENOTFOUND, "treatment: not found");
        memmove(&op->merged[at], &op->merged[at + 1],
                (n - at - 1) * sizeof *op->merged);
        n--;
    } else if (old) {
        op->merged[at] = op->t;
    } else {
        if (n == LTY_TREATMENTS_MAX)
            return lty__err(e, LTY_ERANGE, "treatments: at most %d in one store",
                            LTY_TREATMENTS_MAX);
        memmove(&op->merged[at + 1], &op->merged[at],
                (n - at) * sizeof *op->merged);
        op->merged[at] = op->t;
        n++;
    }
    if ((rc = encode_catalogue(e, op->merged, n, &e->wbuf)))
        return lty__err(e, rc, "treatment catalogue: cannot encode");
    lty__key_meta(&k, CATALOGUE);
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

static int run_define(lty_engine *e, define_op *op)
{
    op->merged = lty__malloc(&e->alloc, LTY_TREATMENTS_MAX * sizeof *op->merged);
    if (!op->merged)
        return lty__err(e, LTY_ENOMEM, "treatments: out of memory");
    int rc = lty__txn(e, define_body, op);
    lty__free(&e->alloc, op->merged);
    return rc;
}

int lty_treatment_define(lty_engine *e, const lty_treatment_def *def)
{
    define_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    memset(&op, 0, sizeof op);
    int rc = check_def(e, def, &op.t);
    if (rc)
        return rc;
    return run_define(e, &op);
}

int lty_treatment_remove(lty_engine *e, const char *item)
{
    define_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    memset(&op, 0, sizeof op);
    int rc = lty__check_text(e, "treatment item", item, 1, LTY_CODE_MAX,
                             LTY__TEXT_LINE, &op.itemlen);
    if (rc)
        return rc;
    op.item = item;
    op.remove = 1;
    return run_define(e, &op);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

int lty_treatment_get(lty_engine *e, const char *item, lty_treatment *out)
{
    const lty__treatments *c;
    size_t n;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "treatment: NULL output");
    int rc = lty__check_version(e, "treatment", out->version,
                                LTY_TREATMENT_VERSION);
    if (rc || (rc = lty__check_text(e, "treatment item", item, 1, LTY_CODE_MAX,
                                    LTY__TEXT_LINE, &n)) ||
        (rc = lty__treatments_current(e, &c)))
        return rc;
    const lty__treatment *t = find(c, item, n, NULL);
    if (!t)
        return lty__err(e, LTY_ENOTFOUND, "treatment: not found");
    unsigned version = out->version;
    memset(out, 0, sizeof *out);
    out->version = version;
    memcpy(out->item, t->item, t->itemlen + 1);
    memcpy(out->name, t->name, sizeof out->name);
    out->effect_days = t->effect_days;
    out->lead_days = t->lead_days;
    memcpy(out->template_id, t->template_id, sizeof out->template_id);
    out->purpose = t->purpose;
    out->channel = t->channel;
    return LTY_OK;
}

int lty_treatment_list(lty_engine *e, char (*items)[LTY_CODE_MAX + 1],
                       size_t cap, size_t *count)
{
    const lty__treatments *c;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!count || (cap && !items))
        return lty__err(e, LTY_EINVALID, "treatment list: NULL");
    int rc = lty__treatments_current(e, &c);
    if (rc)
        return rc;
    for (size_t i = 0; i < c->n && i < cap; i++)
        memcpy(items[i], c->t[i].item, c->t[i].itemlen + 1);
    *count = c->n;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Aftercare                                                           */
/* ------------------------------------------------------------------ */

/* The recalls of one customer and item in the outbox, by their days. */
typedef struct recall_scan {
    size_t plen;               /* "O\0" + the id prefix */
    char day[DAY_LEN + 1];     /* this visit's day */
    int later;                 /* a recall of a later visit exists */
    lty_buf earlier;           /* tails of earlier visits' recalls, NUL-separated */
    int corrupt;
    int nomem;
} recall_scan;

static int recall_each(const char *key, size_t keylen, const void *val,
                       size_t len, uint64_t rev, void *ctx)
{
    recall_scan *rs = ctx;
    (void)val;
    (void)len;
    (void)rev;
    if (keylen < rs->plen) {
        rs->corrupt = 1;
        return LTY_ECORRUPT;
    }
    const char *tail = key + rs->plen;
    size_t tn = keylen - rs->plen;
    /* only ids of this scheme: the tail is a day */
    if (tn != DAY_LEN || memchr(tail, '/', tn) || memchr(tail, '\0', tn))
        return LTY_OK;
    int cmp = memcmp(tail, rs->day, DAY_LEN);
    if (cmp > 0) {
        rs->later = 1;
        return LTY_SCAN_STOP;
    }
    if (cmp < 0 && (lty__buf_append(&rs->earlier, tail, tn, NULL) ||
                    lty__buf_append(&rs->earlier, "", 1, NULL))) {
        rs->nomem = 1;
        return LTY_ENOMEM;
    }
    return LTY_OK;
}

/* Cancel the recalls still pending from earlier visits; *later when a
 * later visit's recall exists (then nothing is cancelled). */
static int settle_recalls(lty_engine *e, lty__msgid *id, const char *day,
                          int *later)
{
    recall_scan rs;
    lty__key k;
    memset(&rs, 0, sizeof rs);
    memcpy(rs.day, day, DAY_LEN);
    lty__buf_init(&rs.earlier, &e->alloc);
    lty__key_reset(&k);
    lty__key_add(&k, "O", 1);
    lty__key_sep(&k);
    lty__key_add(&k, id->b, id->prefix);
    rs.plen = k.n;
    int rc = lty__scan(e, k.b, k.n, NULL, 0, recall_each, &rs);
    if (rs.corrupt)
        rc = lty__corrupt(e, LTY_ECORRUPT, "outbox message key");
    else if (rs.nomem)
        rc = lty__err(e, LTY_ENOMEM, "aftercare: out of memory");
    *later = rs.later;
    for (size_t off = 0; rc == LTY_OK && !rs.later && off < rs.earlier.len;) {
        const char *tail = (const char *)rs.earlier.data + off;
        lty__msgid_tail(id, tail);
        rc = lty__outbox_cancel(e, id->b, id->n, "replaced by a later treatment");
        off += strlen(tail) + 1;
    }
    lty__buf_release(&rs.earlier);
    return rc;
}

int lty__aftercare_on_event(lty_engine *e, const char *cid, size_t cn,
                            const char *item, size_t itemlen, int64_t day)
{
    const lty__treatments *c;
    int rc = lty__treatments_current(e, &c);
    if (rc || c->n == 0)
        return rc;
    const lty__treatment *found = find(c, item, itemlen, NULL);
    if (!found)
        return LTY_OK;
    /* the cache may be reloaded by a later read: keep a copy */
    lty__treatment t = *found;
    char visit[16];
    lty__day_text(day, visit);
    lty__msgid id;
    lty__idpart parts[2] = {{cid, cn}, {item, itemlen}};
    lty__msgid_prefix(&id, "aftercare", parts, 2, DAY_LEN);
    int later = 0;
    if ((rc = settle_recalls(e, &id, visit, &later)) || later)
        return rc;
    int64_t due;
    int64_t rday = day + t.effect_days - t.lead_days;
    if (rday > lty__days_from_civil(9999, 12, 30))
        return LTY_OK; /* no recall after the supported range */
    if ((rc = lty__local_to_utc(e, rday, LTY_PLAN_LOCAL_MINUTE, &due)))
        return rc;
    if (due <= lty__now(e))
        return LTY_OK; /* an old visit recorded late: its recall has passed */
    lty__msgid_tail(&id, visit);
    lty_param params[2] = {{"item", t.name}, {"date", visit}};
    lty__plan p;
    memset(&p, 0, sizeof p);
    p.id = id.b;
    p.idlen = id.n;
    p.cid = cid;
    p.cn = cn;
    p.template_id = t.template_id;
    p.purpose = t.purpose;
    p.channel = t.channel;
    p.due = due;
    p.params = params;
    p.nparams = 2;
    if ((rc = lty__plan_check(e, &p)))
        return rc;
    return lty__outbox_plan(e, &p);
}
