/*
 * libloyalty - RFM over the store, and the latest scores kept per customer.
 *
 * One scan of "C\0" reads every customer's records in key order:
 * aggregates ("A"), then ledger entries ("L..." newest first), then the
 * stored scores ("Z").  With all history and a last visit not after as_of
 * the aggregates give the row; otherwise the ledger entries in the window
 * do.  Scores are then computed (rfm.c) and, in the same transaction,
 * written as "C\0<id>\0Z" (record kind LTY__REC_RFM); a "Z" of a customer
 * who is no longer scored is deleted, so "latest" always means the latest
 * computation.
 *
 * The "Z" record (version 1): 1 computed_at, 2 as_of, 3 window_days,
 * 4 bins, 5 recency days, 6 frequency, 7 monetary (zigzag varints),
 * 8 R, 9 F, 10 M (varints), 11 segment name (bytes).  No personal data:
 * erasure moves it with the customer's other records (customer_rekey.c).
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "keys_int.h"
#include "ledger_int.h"
#include "rfm_int.h"
#include "validate_int.h"

#define RFM_RECORD_VERSION 1

enum {
    Z_COMPUTED_AT = 1,
    Z_AS_OF = 2,
    Z_WINDOW = 3,
    Z_BINS = 4,
    Z_RECENCY = 5,
    Z_FREQUENCY = 6,
    Z_MONETARY = 7,
    Z_R = 8,
    Z_F = 9,
    Z_M = 10,
    Z_SEGMENT = 11
};

typedef struct rfm_op {
    lty_engine *e;
    lty__rfm_opts o;
    int64_t lo;               /* earliest time in the window */
    int64_t now;              /* computed_at */
    lty__rfm_data d;
    uint64_t *zrev;           /* per row: revision of its "Z" (0: none) */
    size_t zcap;
    lty_buf stale;            /* ids (NUL-terminated) + 8-byte revision */
    lty_rfm_result *res;
    /* the customer being read */
    char cur[LTY_ID_MAX + 1];
    size_t curn;
    int have;
    int use_ledger;
    int64_t last, visits, purchases, spend, prev_day;
    uint64_t cur_zrev;
    int corrupt;              /* 1 key, 2 aggregates, 3 ledger entry */
    int inner_rc;             /* an error of our own inside the scan */
    char err[LTY__ERRMSG_MAX];
} rfm_op;

static int zrev_set(rfm_op *op, size_t row, uint64_t rev)
{
    if (row >= op->zcap) {
        size_t cap = op->zcap ? op->zcap * 2 : 1024;
        while (cap <= row)
            cap *= 2;
        uint64_t *p = lty__realloc(&op->e->alloc, op->zrev, cap * sizeof *p);
        if (!p)
            return LTY_ENOMEM;
        op->zrev = p;
        op->zcap = cap;
    }
    op->zrev[row] = rev;
    return LTY_OK;
}

/* The customer just read is complete: a row, a stale "Z", or nothing. */
static int flush_customer(rfm_op *op)
{
    if (!op->have)
        return LTY_OK;
    op->have = 0;
    if (op->visits > 0) {
        size_t row;
        int64_t f = op->o.frequency == LTY_RFM_FREQ_PURCHASES ? op->purchases
                                                              : op->visits;
        int rc = lty__rfm_data_add(&op->d, op->cur, op->curn, op->last, f,
                                   op->spend, &row);
        if (!rc)
            rc = zrev_set(op, row, op->cur_zrev);
        return rc;
    }
    if (op->cur_zrev != LTY_REV_NONE && !op->o.no_save) {
        unsigned char rev[8];
        memcpy(rev, &op->cur_zrev, 8);
        if (lty__buf_append(&op->stale, op->cur, op->curn + 1, NULL) ||
            lty__buf_append(&op->stale, rev, 8, NULL))
            return LTY_ENOMEM;
    }
    return LTY_OK;
}

static int read_stats(rfm_op *op, const void *val, size_t len)
{
    lty__stats s;
    if (lty__stats_decode(val, len, &s)) {
        op->corrupt = 2;
        return LTY_ECORRUPT;
    }
    if (s.visits == 0)
        return LTY_OK;
    if (op->o.window_days == 0 && s.last_visit <= op->o.as_of) {
        op->visits = s.visits;
        op->purchases = s.purchases;
        op->spend = s.net_spend;
        op->last = s.last_visit;
    } else {
        op->use_ledger = 1;
    }
    return LTY_OK;
}

static int read_entry(rfm_op *op, const char *rest, size_t restn,
                      const void *val, size_t len)
{
    int64_t t, day;
    const char *evid;
    size_t evn;
    lty__entry en;
    if (!lty__key_parse_ledger(rest, restn, &t, &evid, &evn) || evn == 0) {
        op->corrupt = 1;
        return LTY_ECORRUPT;
    }
    if (t > op->o.as_of || t < op->lo)
        return LTY_OK;
    if (lty__entry_decode(val, len, &en)) {
        op->corrupt = 3;
        return LTY_ECORRUPT;
    }
    if (en.type == LTY_EVENT_REFUND) {
        if (__builtin_sub_overflow(op->spend, en.amount, &op->spend))
            goto range;
        return LTY_OK;
    }
    if (en.type != LTY_EVENT_VISIT && en.type != LTY_EVENT_PURCHASE)
        return LTY_OK;
    int rc = lty__local_day(op->e, t, &day);
    if (rc) {
        op->inner_rc = rc;
        return rc;
    }
    if (op->visits == 0) {
        op->last = t; /* newest first */
        op->visits = 1;
    } else if (day != op->prev_day) {
        op->visits++;
    }
    op->prev_day = day;
    if (en.type == LTY_EVENT_PURCHASE) {
        op->purchases++;
        if (__builtin_add_overflow(op->spend, en.amount, &op->spend))
            goto range;
    }
    return LTY_OK;
range:
    op->inner_rc = lty__err(op->e, LTY_ERANGE, "net spend: would overflow");
    return LTY_ERANGE;
}

static int scan_each(const char *key, size_t keylen, const void *val,
                     size_t len, uint64_t rev, void *ctx)
{
    rfm_op *op = ctx;
    const char *id, *rest;
    size_t idn, restn;
    int rc;
    if (!lty__key_parse_customer(key, keylen, &id, &idn, &rest, &restn) ||
        idn == 0 || idn > LTY_ID_MAX || restn == 0) {
        op->corrupt = 1;
        return LTY_ECORRUPT;
    }
    if (!op->have || idn != op->curn || memcmp(id, op->cur, idn) != 0) {
        if ((rc = flush_customer(op)))
            return rc;
        memcpy(op->cur, id, idn);
        op->cur[idn] = '\0';
        op->curn = idn;
        op->have = 1;
        op->use_ledger = 0;
        op->last = op->visits = op->purchases = op->spend = 0;
        op->prev_day = 0;
        op->cur_zrev = LTY_REV_NONE;
    }
    switch (rest[0]) {
    case 'A':
        return restn == 1 ? read_stats(op, val, len) : LTY_OK;
    case 'L':
        return op->use_ledger ? read_entry(op, rest, restn, val, len) : LTY_OK;
    case 'Z':
        if (restn == 1)
            op->cur_zrev = rev;
        return LTY_OK;
    default:
        return LTY_OK;
    }
}

static void op_reset(rfm_op *op)
{
    lty_rfm_result_free(op->res);
    op->res = NULL;
    lty__rfm_data_release(&op->d);
    op->stale.len = 0;
    op->have = 0;
    op->corrupt = 0;
    op->inner_rc = 0;
    op->err[0] = '\0';
}

static int compute_body(lty_engine *e, void *arg)
{
    rfm_op *op = arg;
    int rc;
    op_reset(op);
    lty__key k;
    lty__key_reset(&k);
    lty__key_add(&k, "C", 1);
    lty__key_sep(&k);
    rc = lty__scan(e, k.b, k.n, NULL, 0, scan_each, op);
    if (op->corrupt)
        return lty__corrupt(e, LTY_ECORRUPT,
                            op->corrupt == 1   ? "customer key"
                            : op->corrupt == 2 ? "customer aggregates"
                                               : "ledger entry");
    if (op->inner_rc)
        return op->inner_rc;
    if (!rc)
        rc = flush_customer(op);
    if (rc == LTY_ENOMEM)
        return lty__err(e, rc, "rfm: out of memory");
    if (rc)
        return rc;
    op->d.sorted_by_id = 1;
    if ((rc = lty__rfm_finish(&op->d, &op->o, &op->res, op->err,
                              sizeof op->err)))
        return lty__err(e, rc, "%s", op->err);
    if (op->o.no_save)
        return LTY_OK;
    /* lty__rfm_finish took the rows over; the result holds them now */
    size_t n = lty_rfm_result_count(op->res);
    lty_rfm_row row;
    for (size_t i = 0; i < n; i++) {
        lty_rfm_result_row(op->res, i, &row);
        int r, f, m;
        const char *seg;
        lty__rfm_result_scores(op->res, i, &r, &f, &m, &seg);
        lty__enc w;
        lty__enc_begin(&w, &e->wbuf, LTY__REC_RFM, RFM_RECORD_VERSION);
        lty__enc_i64(&w, Z_COMPUTED_AT, op->now);
        lty__enc_i64(&w, Z_AS_OF, op->o.as_of);
        lty__enc_u64(&w, Z_WINDOW, (uint64_t)op->o.window_days);
        lty__enc_u64(&w, Z_BINS, (uint64_t)op->o.bins);
        lty__enc_i64(&w, Z_RECENCY, row.recency_days);
        lty__enc_i64(&w, Z_FREQUENCY, row.frequency);
        lty__enc_i64(&w, Z_MONETARY, row.monetary);
        lty__enc_u64(&w, Z_R, (uint64_t)r);
        lty__enc_u64(&w, Z_F, (uint64_t)f);
        lty__enc_u64(&w, Z_M, (uint64_t)m);
        lty__enc_str(&w, Z_SEGMENT, seg);
        if ((rc = lty__enc_end(&w)))
            return lty__err(e, rc, "rfm scores: cannot encode");
        lty__key_customer(&k, row.customer_id, strlen(row.customer_id));
        lty__key_add(&k, "Z", 1);
        if ((rc = lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len,
                           op->zrev[i], NULL)))
            return rc;
    }
    for (size_t off = 0; off < op->stale.len;) {
        const char *id = (const char *)op->stale.data + off;
        size_t idn = strlen(id);
        uint64_t rev;
        memcpy(&rev, op->stale.data + off + idn + 1, 8);
        lty__key_customer(&k, id, idn);
        lty__key_add(&k, "Z", 1);
        if ((rc = lty__del(e, k.b, k.n, rev)))
            return rc;
        off += idn + 1 + 8;
    }
    return LTY_OK;
}

int lty_rfm_compute(lty_engine *e, const lty_rfm_options *opts,
                    lty_rfm_result **out)
{
    rfm_op op;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "out: missing");
    *out = NULL;
    memset(&op, 0, sizeof op);
    if ((rc = lty__rfm_opts_check(opts, &op.o, op.err, sizeof op.err)))
        return lty__err(e, rc, "%s", op.err);
    op.e = e;
    op.now = lty__now(e);
    if (op.o.as_of == LTY_TIME_NOW)
        op.o.as_of = op.now;
    op.lo = op.o.window_days
                ? op.o.as_of - (int64_t)op.o.window_days * 86400 + 1
                : LTY_TIME_MIN;
    lty__rfm_data_init(&op.d, &e->alloc);
    lty__buf_init(&op.stale, &e->alloc);
    if (op.o.no_save) {
        /* read only: no transaction needed beyond the scan's own */
        rc = compute_body(e, &op);
    } else {
        rc = lty__txn(e, compute_body, &op);
    }
    if (rc == LTY_OK) {
        *out = op.res;
        op.res = NULL;
    }
    op_reset(&op);
    lty__free(&e->alloc, op.zrev);
    lty__buf_release(&op.stale);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Reading the latest scores                                           */
/* ------------------------------------------------------------------ */

static int decode_scores(const void *data, size_t len, lty_rfm_scores *s)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    uint64_t seen = 0;
    int64_t v;
    int rc = lty__dec_begin(&d, data, len, LTY__REC_RFM, RFM_RECORD_VERSION,
                            &version);
    if (rc)
        return rc;
    while ((rc = lty__dec_next(&d, &f)) == 1) {
        if (f.tag < 64 && lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case Z_COMPUTED_AT:
            if (lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &s->computed_at))
                return LTY_ECORRUPT;
            break;
        case Z_AS_OF:
            if (lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &s->as_of))
                return LTY_ECORRUPT;
            break;
        case Z_WINDOW:
            if (f.wire != LTY__WIRE_VARINT || f.u > 36600)
                return LTY_ECORRUPT;
            s->window_days = (int)f.u;
            break;
        case Z_BINS:
            if (f.wire != LTY__WIRE_VARINT || f.u < 2 || f.u > LTY_RFM_BINS_MAX)
                return LTY_ECORRUPT;
            s->bins = (int)f.u;
            break;
        case Z_RECENCY:
            if (lty__field_int(&f, 0, INT64_MAX, &s->recency_days))
                return LTY_ECORRUPT;
            break;
        case Z_FREQUENCY:
            if (lty__field_int(&f, 0, INT64_MAX, &s->frequency))
                return LTY_ECORRUPT;
            break;
        case Z_MONETARY:
            if (lty__field_i64(&f, &s->monetary))
                return LTY_ECORRUPT;
            break;
        case Z_R:
        case Z_F:
        case Z_M:
            if (f.wire != LTY__WIRE_VARINT || f.u < 1 || f.u > LTY_RFM_BINS_MAX)
                return LTY_ECORRUPT;
            v = (int64_t)f.u;
            if (f.tag == Z_R)
                s->r = (int)v;
            else if (f.tag == Z_F)
                s->f = (int)v;
            else
                s->m = (int)v;
            break;
        case Z_SEGMENT: {
            const char *p;
            size_t n;
            if (lty__field_text(&f, 1, LTY_TITLE_MAX, LTY__TEXT_LINE, &p, &n))
                return LTY_ECORRUPT;
            memcpy(s->segment, p, n);
            s->segment[n] = '\0';
            break;
        }
        default:
            break; /* a newer field: skipped */
        }
    }
    if (rc < 0)
        return rc;
    const uint64_t need = (UINT64_C(1) << Z_R) | (UINT64_C(1) << Z_F) |
                          (UINT64_C(1) << Z_M) | (UINT64_C(1) << Z_SEGMENT) |
                          (UINT64_C(1) << Z_BINS);
    if ((seen & need) != need)
        return LTY_ECORRUPT;
    if (s->r > s->bins || s->f > s->bins || s->m > s->bins)
        return LTY_ECORRUPT;
    s->score = 100 * s->r + 10 * s->f + s->m;
    return LTY_OK;
}

int lty_rfm_customer_get(lty_engine *e, const char *customer_id,
                         lty_rfm_scores *out)
{
    size_t n;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "out: missing");
    if ((rc = lty__check_version(e, "rfm scores", out->version,
                                 LTY_RFM_SCORES_VERSION)) ||
        (rc = lty__check_id(e, "customer id", customer_id, &n)) ||
        (rc = lty__get_customer_record(e, customer_id, n, 'Z', "rfm scores")))
        return rc;
    lty_rfm_scores s;
    memset(&s, 0, sizeof s);
    s.version = out->version;
    if ((rc = decode_scores(e->rbuf.data, e->rbuf.len, &s)))
        return lty__corrupt(e, rc, "rfm scores");
    *out = s;
    return LTY_OK;
}

int lty__rfm_scores_decode(const void *data, size_t len, lty_rfm_scores *s)
{
    return decode_scores(data, len, s);
}
