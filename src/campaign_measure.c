/*
 * libloyalty - campaigns: measurement.  Responses of the treatment and
 * control groups inside the attribution window, overall and per segment
 * at launch; the counts are kept (U\0<campaign id>, kind 31) so that the
 * result stays queryable and later simulations learn from it.
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "campaign_int.h"
#include "ledger_int.h"
#include "program_int.h"
#include "validate_int.h"

#define RESULTS_VERSION 1

/* The results record: measured-at and channel, then one nested message
 * per segment (fields S_*), in segment-name order. */
enum { U_MEASURED = 1, U_CHANNEL = 2, U_SEGMENT = 3 };
enum {
    S_NAME = 1, S_TREATMENT, S_UNSENT, S_CONTROL, S_T_RESPONDERS,
    S_C_RESPONDERS, S_T_REVENUE, S_C_REVENUE
};

size_t lty__campaign_seg_slot(const void *table, size_t n, size_t size,
                              const char *name, int *found)
{
    const char *base = table;
    size_t lo = 0, hi = n;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(base + mid * size, name);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t lty__campaign_seg_row(void *table, size_t *n, size_t size,
                             const char *name)
{
    char *base = table;
    int found;
    size_t i = lty__campaign_seg_slot(table, *n, size, name, &found);
    if (found)
        return i;
    if (*n == LTY_CAMPAIGN_SEGMENTS_MAX)
        return SIZE_MAX;
    memmove(base + (i + 1) * size, base + i * size, (*n - i) * size);
    memset(base + i * size, 0, size);
    memcpy(base + i * size, name, strlen(name) + 1);
    (*n)++;
    return i;
}

static void results_key(lty__key *k, const char *id, size_t n)
{
    lty__key_reset(k);
    lty__key_add(k, "U", 1);
    lty__key_sep(k);
    lty__key_add(k, id, n);
}

static int encode_results(const lty__results *r, lty_buf *out, lty_buf *tmp)
{
    lty__enc w;
    lty__enc_begin(&w, out, LTY__REC_CAMPAIGN_RESULTS, RESULTS_VERSION);
    lty__enc_i64(&w, U_MEASURED, r->measured_at);
    lty__enc_i64(&w, U_CHANNEL, r->channel);
    for (size_t i = 0; i < r->nseg; i++) {
        const lty__seg_counts *c = &r->seg[i];
        lty__enc sub;
        lty__enc_begin_sub(&sub, tmp);
        lty__enc_str(&sub, S_NAME, c->name);
        lty__enc_u64(&sub, S_TREATMENT, c->treatment);
        lty__enc_u64(&sub, S_UNSENT, c->unsent);
        lty__enc_u64(&sub, S_CONTROL, c->control);
        lty__enc_u64(&sub, S_T_RESPONDERS, c->treatment_responders);
        lty__enc_u64(&sub, S_C_RESPONDERS, c->control_responders);
        lty__enc_i64(&sub, S_T_REVENUE, c->treatment_revenue);
        lty__enc_i64(&sub, S_C_REVENUE, c->control_revenue);
        int err = lty__enc_end(&sub);
        if (err)
            return err;
        lty__enc_bytes(&w, U_SEGMENT, tmp->data, tmp->len);
    }
    return lty__enc_end(&w);
}

static int decode_segment(const lty__field *pf, lty__seg_counts *c)
{
    lty__dec d;
    lty__field f;
    uint64_t seen = 0;
    int r, rc;
    memset(c, 0, sizeof *c);
    if (lty__dec_sub(&d, pf))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        const char *p;
        size_t n;
        if (lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case S_NAME:
            rc = lty__field_text(&f, 0, LTY_TITLE_MAX, LTY__TEXT_LINE, &p, &n);
            if (!rc) {
                memcpy(c->name, p, n);
                c->name[n] = '\0';
            }
            break;
        case S_TREATMENT: rc = lty__field_u64(&f, &c->treatment); break;
        case S_UNSENT: rc = lty__field_u64(&f, &c->unsent); break;
        case S_CONTROL: rc = lty__field_u64(&f, &c->control); break;
        case S_T_RESPONDERS:
            rc = lty__field_u64(&f, &c->treatment_responders);
            break;
        case S_C_RESPONDERS:
            rc = lty__field_u64(&f, &c->control_responders);
            break;
        case S_T_REVENUE:
            rc = lty__field_int(&f, INT64_MIN, INT64_MAX, &c->treatment_revenue);
            break;
        case S_C_REVENUE:
            rc = lty__field_int(&f, INT64_MIN, INT64_MAX, &c->control_revenue);
            break;
        default: rc = LTY_OK; break; /* a later version's field */
        }
        if (rc)
            return LTY_ECORRUPT;
    }
    if (r != 0 || c->treatment_responders > c->treatment ||
        c->control_responders > c->control)
        return LTY_ECORRUPT;
    return LTY_OK;
}

static int decode_results(const void *data, size_t len, lty__results *r)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    uint64_t seen = 0;
    int rc;
    int64_t v;
    memset(r, 0, sizeof *r);
    if ((rc = lty__dec_begin(&d, data, len, LTY__REC_CAMPAIGN_RESULTS,
                             RESULTS_VERSION, &version)))
        return rc == LTY_EVERSION ? rc : LTY_ECORRUPT;
    while ((rc = lty__dec_next(&d, &f)) > 0) {
        if (f.tag != U_SEGMENT && lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        if (f.tag == U_MEASURED) {
            if (lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &r->measured_at))
                return LTY_ECORRUPT;
        } else if (f.tag == U_CHANNEL) {
            if (lty__field_int(&f, LTY_CHANNEL_NONE, LTY_CHANNEL_PUSH, &v))
                return LTY_ECORRUPT;
            r->channel = (lty_channel)v;
        } else if (f.tag == U_SEGMENT) {
            if (r->nseg == LTY_CAMPAIGN_SEGMENTS_MAX ||
                decode_segment(&f, &r->seg[r->nseg]))
                return LTY_ECORRUPT;
            /* segments are stored in name order, each once */
            if (r->nseg &&
                strcmp(r->seg[r->nseg - 1].name, r->seg[r->nseg].name) >= 0)
                return LTY_ECORRUPT;
            r->nseg++;
        }
    }
    if (rc != 0 || !(seen & (UINT64_C(1) << U_MEASURED)))
        return LTY_ECORRUPT;
    return LTY_OK;
}

int lty__campaign_results_load(lty_engine *e, const char *id, size_t n,
                               lty__results *out)
{
    lty__key k;
    results_key(&k, id, n);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc)
        return rc;
    if ((rc = decode_results(e->rbuf.data, e->rbuf.len, out)))
        return lty__corrupt(e, rc, "campaign results");
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Counting responses                                                  */
/* ------------------------------------------------------------------ */

typedef struct measure_op {
    const char *id;
    size_t idlen;
    int64_t now;
    lty__campaign c;
    lty__results res;
} measure_op;

/* One member's window: what the ledger scan looks for. */
typedef struct window_scan {
    lty_engine *e;
    int64_t start, end;        /* start < t <= end */
    int responded;
    int64_t revenue;
    int rc;
} window_scan;

static int window_each(const char *key, size_t keylen, const void *val,
                       size_t len, uint64_t rev, void *ctx)
{
    window_scan *w = ctx;
    const char *id, *rest, *evid;
    size_t idn, restn, evn;
    int64_t t;
    lty__entry en;
    (void)rev;
    if (!lty__key_parse_customer(key, keylen, &id, &idn, &rest, &restn) ||
        !restn || rest[0] != 'L' ||
        !lty__key_parse_ledger(rest, restn, &t, &evid, &evn)) {
        w->rc = lty__corrupt(w->e, LTY_ECORRUPT, "ledger key");
        return w->rc;
    }
    if (t <= w->start || t > w->end)
        return LTY_OK;
    int rc = lty__entry_decode(val, len, &en);
    if (rc) {
        w->rc = lty__corrupt(w->e, rc, "ledger entry");
        return w->rc;
    }
    if (en.type != LTY_EVENT_VISIT && en.type != LTY_EVENT_PURCHASE)
        return LTY_OK;
    w->responded = 1;
    if (en.type == LTY_EVENT_PURCHASE && en.amount > en.refunded &&
        __builtin_add_overflow(w->revenue, en.amount - en.refunded,
                               &w->revenue)) {
        w->rc = lty__err(w->e, LTY_ERANGE, "campaign revenue: would overflow");
        return w->rc;
    }
    return LTY_OK;
}

static int count_member(lty_engine *e, measure_op *op, const char *cid,
                        size_t cn, const lty__member *m)
{
    int64_t start = m->launched;
    int rc;
    size_t i = lty__campaign_seg_row(op->res.seg, &op->res.nseg,
                                     sizeof op->res.seg[0], m->segment);
    if (i == SIZE_MAX)
        return lty__err(e, LTY_ERANGE, "campaign: more segments than "
                                       "LTY_CAMPAIGN_SEGMENTS_MAX");
    lty__seg_counts *s = &op->res.seg[i];
    if (m->group == LTY_CAMPAIGN_TREATMENT) {
        lty__msgid id;
        lty__msg msg;
        uint64_t rev;
        lty__campaign_message_id(&id, op->id, op->idlen, cid, cn);
        rc = lty__msg_load(e, id.b, id.n, &msg, &rev);
        if (rc && rc != LTY_ENOTFOUND)
            return rc;
        if (rc == LTY_ENOTFOUND || !msg.sent) {
            s->unsent++;
            return LTY_OK;
        }
        start = msg.sent;
    }
    window_scan w;
    memset(&w, 0, sizeof w);
    w.e = e;
    w.start = start;
    w.end = start + (int64_t)op->c.attribution_days * 86400;
    if (w.end > op->now)
        w.end = op->now;
    lty__key k;
    lty__key_ledger_prefix(&k, cid, cn);
    rc = lty__scan(e, k.b, k.n, NULL, 0, window_each, &w);
    if (w.rc)
        rc = w.rc;
    if (rc)
        return rc;
    int64_t *revenue;
    if (m->group == LTY_CAMPAIGN_TREATMENT) {
        s->treatment++;
        s->treatment_responders += (uint64_t)w.responded;
        revenue = &s->treatment_revenue;
    } else {
        s->control++;
        s->control_responders += (uint64_t)w.responded;
        revenue = &s->control_revenue;
    }
    if (__builtin_add_overflow(*revenue, w.revenue, revenue))
        return lty__err(e, LTY_ERANGE, "campaign revenue: would overflow");
    return LTY_OK;
}

static int measure_body(lty_engine *e, void *arg)
{
    measure_op *op = arg;
    lty_buf ids;
    lty__key k;
    int rc;
    memset(&op->res, 0, sizeof op->res);
    if ((rc = lty__campaign_load(e, op->id, op->idlen, &op->c)))
        return rc;
    op->res.measured_at = op->now;
    op->res.channel = op->c.channel;
    if ((rc = lty__collect_customers(e, 'P', &ids)))
        return rc;
    for (size_t off = 0; off < ids.len;) {
        const char *cid = (const char *)ids.data + off;
        size_t cn = strlen(cid);
        lty__member m;
        off += cn + 1;
        if ((rc = lty__campaign_member_load(e, cid, cn, op->id, op->idlen, &m)))
            break;
        if (m.group && (rc = count_member(e, op, cid, cn, &m)))
            break;
    }
    lty__buf_release(&ids);
    if (rc)
        return rc;
    results_key(&k, op->id, op->idlen);
    uint64_t rev = LTY_REV_NONE;
    rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND)
        rev = LTY_REV_NONE;
    else if (rc)
        return rc;
    lty_buf tmp;
    lty__buf_init(&tmp, &e->alloc);
    rc = encode_results(&op->res, &e->wbuf, &tmp);
    lty__buf_release(&tmp);
    if (rc)
        return lty__err(e, rc, "campaign results: cannot encode");
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

/* ------------------------------------------------------------------ */
/* The figures                                                         */
/* ------------------------------------------------------------------ */

/* The 95th percentile of the standard normal: a two-sided 90% interval. */
#define Z90 1.6448536269514722

static void figures_of(const lty__campaign *c, const lty__seg_counts *s,
                       lty_campaign_figures *r)
{
    memset(r, 0, sizeof *r);
    r->treatment = s->treatment;
    r->unsent = s->unsent;
    r->control = s->control;
    r->treatment_responders = s->treatment_responders;
    r->control_responders = s->control_responders;
    r->treatment_revenue = s->treatment_revenue;
    r->control_revenue = s->control_revenue;
    double nt = (double)r->treatment, nc = (double)r->control;
    double pt = r->treatment ? (double)r->treatment_responders / nt : 0.0;
    double pc = r->control ? (double)r->control_responders / nc : 0.0;
    r->treatment_rate = pt;
    r->control_rate = pc;
    r->uplift = pt - pc;
    if (r->treatment && r->control) {
        double se = sqrt(pt * (1.0 - pt) / nt + pc * (1.0 - pc) / nc);
        r->uplift_low = r->uplift - Z90 * se;
        r->uplift_high = r->uplift + Z90 * se;
    } else {
        r->uplift_low = -1.0;
        r->uplift_high = 1.0;
    }
    r->incremental_revenue = (double)r->treatment_revenue;
    if (r->control)
        r->incremental_revenue -= (double)r->control_revenue * nt / nc;
    double cost = nt * ((double)c->cost_per_message + (double)c->offer_cost);
    r->cost = cost >= 9.2e18 ? INT64_MAX : (int64_t)cost;
    r->roi = r->cost ? (r->incremental_revenue - (double)r->cost) /
                           (double)r->cost
                     : 0.0;
}

/* Sums saturate: counts of one store cannot overflow 64 bits, revenue
 * was checked when each segment was added up. */
static void add_counts(lty__seg_counts *to, const lty__seg_counts *s)
{
    to->treatment += s->treatment;
    to->unsent += s->unsent;
    to->control += s->control;
    to->treatment_responders += s->treatment_responders;
    to->control_responders += s->control_responders;
    if (__builtin_add_overflow(to->treatment_revenue, s->treatment_revenue,
                               &to->treatment_revenue))
        to->treatment_revenue = INT64_MAX;
    if (__builtin_add_overflow(to->control_revenue, s->control_revenue,
                               &to->control_revenue))
        to->control_revenue = INT64_MAX;
}

static void result_of(const lty__campaign *c, const lty__results *res,
                      lty_campaign_result *out)
{
    lty__seg_counts all;
    unsigned version = out->version;
    memset(out, 0, sizeof *out);
    out->version = version;
    memset(&all, 0, sizeof all);
    out->measured_at = res->measured_at;
    out->segment_count = res->nseg;
    for (size_t i = 0; i < res->nseg; i++) {
        add_counts(&all, &res->seg[i]);
        memcpy(out->segments[i].segment, res->seg[i].name,
               sizeof out->segments[i].segment);
        figures_of(c, &res->seg[i], &out->segments[i].figures);
    }
    figures_of(c, &all, &out->overall);
}

static int check_call(lty_engine *e, const char *campaign_id,
                      lty_campaign_result *out, size_t *idlen)
{
    int rc;
    if (out && (rc = lty__check_version(e, "campaign result", out->version,
                                        LTY_CAMPAIGN_RESULT_VERSION)))
        return rc;
    return lty__campaign_check_id(e, campaign_id, idlen);
}

int lty_campaign_measure(lty_engine *e, const char *campaign_id, int64_t now,
                         lty_campaign_result *out)
{
    measure_op op;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    memset(&op, 0, sizeof op);
    if ((rc = check_call(e, campaign_id, out, &op.idlen)))
        return rc;
    if (now == LTY_TIME_NOW)
        now = lty__now(e);
    else if ((rc = lty__check_time(e, "measurement time", now)))
        return rc;
    op.id = campaign_id;
    op.now = now;
    if ((rc = lty__txn(e, measure_body, &op)))
        return rc;
    if (out)
        result_of(&op.c, &op.res, out);
    return LTY_OK;
}

static int get_body(lty_engine *e, void *arg)
{
    measure_op *op = arg;
    int rc = lty__campaign_load(e, op->id, op->idlen, &op->c);
    if (rc)
        return rc;
    rc = lty__campaign_results_load(e, op->id, op->idlen, &op->res);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "campaign results: never measured");
    return rc;
}

int lty_campaign_result_get(lty_engine *e, const char *campaign_id,
                            lty_campaign_result *out)
{
    measure_op op;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "campaign result: NULL");
    memset(&op, 0, sizeof op);
    if ((rc = check_call(e, campaign_id, out, &op.idlen)))
        return rc;
    op.id = campaign_id;
    if ((rc = lty__txn(e, get_body, &op)))
        return rc;
    result_of(&op.c, &op.res, out);
    return LTY_OK;
}
