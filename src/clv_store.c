/*
 * libloyalty - lifetime-value figures kept per customer.
 *
 * lty_clv_store() writes, in one transaction, "C\0<id>\0V" (record kind
 * LTY__REC_CLV) for every customer of the call; lty_clv_customer_get()
 * reads it back.  The briefing card (card.c) shows it.
 *
 * The "V" record (version 1): 1 computed_at (zigzag varint), 2 p_alive,
 * 3 expected purchases, 4 expected spend, 5 CLV, 6 value at stake (each
 * 8 bytes: IEEE 754 binary64, little-endian, finite), 7 model fingerprint
 * (varint), 8 rank, 9 of (varints, 1 <= rank <= of).  No personal data:
 * erasure moves it with the customer's other records (customer_rekey.c).
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "clv_int.h"
#include "codec_int.h"
#include "engine_int.h"
#include "keys_int.h"
#include "validate_int.h"

#define CLV_RECORD_VERSION 1

enum {
    V_COMPUTED_AT = 1,
    V_P_ALIVE = 2,
    V_PURCHASES = 3,
    V_SPEND = 4,
    V_CLV = 5,
    V_AT_STAKE = 6,
    V_FINGERPRINT = 7,
    V_RANK = 8,
    V_OF = 9
};

/* ------------------------------------------------------------------ */
/* Doubles and the fingerprint                                         */
/* ------------------------------------------------------------------ */

static void double_le(double v, unsigned char out[8])
{
    uint64_t u;
    memcpy(&u, &v, 8);
    for (int i = 0; i < 8; i++)
        out[i] = (unsigned char)(u >> (8 * i));
}

static double double_from_le(const unsigned char in[8])
{
    uint64_t u = 0;
    double v;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)in[i] << (8 * i);
    memcpy(&v, &u, 8);
    return v;
}

uint64_t lty_clv_model_fingerprint(const lty_bgnbd_model *bg,
                                   const lty_gamgam_model *gg)
{
    if (!bg || !gg)
        return 0;
    const double v[7] = {bg->r, bg->alpha, bg->a, bg->b,
                         gg->p, gg->q, gg->gamma};
    uint64_t h = UINT64_C(14695981039346656037);
    for (int i = 0; i < 7; i++) {
        unsigned char b[8];
        double_le(v[i], b);
        for (int j = 0; j < 8; j++) {
            h ^= b[j];
            h *= UINT64_C(1099511628211);
        }
    }
    return h;
}

int lty_clv_figures_top_decile(const lty_clv_figures *f)
{
    if (!f || f->rank == 0 || f->of == 0)
        return 0;
    return f->rank <= (f->of + 9) / 10;
}

/* ------------------------------------------------------------------ */
/* Sorting row indexes (merge sort with a context: no global state)    */
/* ------------------------------------------------------------------ */

typedef int (*idx_before)(size_t i, size_t j, const void *ctx);

static void merge_sort(size_t *v, size_t *tmp, size_t n, idx_before before,
                       const void *ctx)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    merge_sort(v, tmp, h, before, ctx);
    merge_sort(v + h, tmp, n - h, before, ctx);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        if (before(v[j], v[i], ctx))
            tmp[k++] = v[j++];
        else
            tmp[k++] = v[i++]; /* stable */
    }
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

/* higher CLV first */
static int clv_before(size_t i, size_t j, const void *ctx)
{
    const lty_clv_score *s = ctx;
    return s[i].clv > s[j].clv;
}

static int id_before(size_t i, size_t j, const void *ctx)
{
    const lty_clv_row *r = ctx;
    return strcmp(r[i].customer_id, r[j].customer_id) < 0;
}

/* ------------------------------------------------------------------ */
/* Storing                                                             */
/* ------------------------------------------------------------------ */

typedef struct store_op {
    const lty_clv_score *scores;
    const lty_clv_row *rows;
    size_t n;
    const uint64_t *rank;   /* per row */
    uint64_t fingerprint;
    int64_t now;
} store_op;

static int model_ok(const lty_bgnbd_model *bg, const lty_gamgam_model *gg)
{
    return bg->r > 0 && bg->alpha > 0 && bg->a > 0 && bg->b > 0 &&
           isfinite(bg->r) && isfinite(bg->alpha) && isfinite(bg->a) &&
           isfinite(bg->b) && gg->p > 0 && gg->q > 0 && gg->gamma > 0 &&
           isfinite(gg->p) && isfinite(gg->q) && isfinite(gg->gamma);
}

static int score_ok(const lty_clv_score *s)
{
    return s->p_alive >= 0 && s->p_alive <= 1 &&
           isfinite(s->expected_purchases) && isfinite(s->expected_spend) &&
           isfinite(s->clv) && isfinite(s->value_at_stake);
}

static void enc_double(lty__enc *w, unsigned tag, double v)
{
    unsigned char b[8];
    double_le(v, b);
    lty__enc_bytes(w, tag, b, 8);
}

static int store_body(lty_engine *e, void *arg)
{
    store_op *op = arg;
    lty__key k;
    int rc;
    for (size_t i = 0; i < op->n; i++) {
        const char *id = op->rows[i].customer_id;
        size_t idn = strlen(id);
        uint64_t rev = LTY_REV_NONE;
        /* a customer of the store: a profile, or an anonymous id's
         * aggregates */
        lty__key_customer(&k, id, idn);
        lty__key_add(&k, "P", 1);
        rc = lty__get(e, k.b, k.n, NULL, NULL);
        if (rc == LTY_ENOTFOUND) {
            lty__key_customer(&k, id, idn);
            lty__key_add(&k, "A", 1);
            rc = lty__get(e, k.b, k.n, NULL, NULL);
            if (rc == LTY_ENOTFOUND)
                return lty__err(e, rc, "rows[%zu].customer_id: no such customer",
                                i);
        }
        if (rc)
            return rc;
        lty__key_customer(&k, id, idn);
        lty__key_add(&k, "V", 1);
        rc = lty__get(e, k.b, k.n, NULL, &rev);
        if (rc == LTY_ENOTFOUND)
            rev = LTY_REV_NONE;
        else if (rc)
            return rc;
        const lty_clv_score *s = &op->scores[i];
        lty__enc w;
        lty__enc_begin(&w, &e->wbuf, LTY__REC_CLV, CLV_RECORD_VERSION);
        lty__enc_i64(&w, V_COMPUTED_AT, op->now);
        enc_double(&w, V_P_ALIVE, s->p_alive);
        enc_double(&w, V_PURCHASES, s->expected_purchases);
        enc_double(&w, V_SPEND, s->expected_spend);
        enc_double(&w, V_CLV, s->clv);
        enc_double(&w, V_AT_STAKE, s->value_at_stake);
        lty__enc_u64(&w, V_FINGERPRINT, op->fingerprint);
        lty__enc_u64(&w, V_RANK, op->rank[i]);
        lty__enc_u64(&w, V_OF, (uint64_t)op->n);
        if ((rc = lty__enc_end(&w)))
            return lty__err(e, rc, "clv figures: cannot encode");
        if ((rc = lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL)))
            return rc;
    }
    return LTY_OK;
}

int lty_clv_store(lty_engine *e, const lty_clv_score *scores,
                  const lty_clv_row *rows, size_t n,
                  const lty_bgnbd_model *bg, const lty_gamgam_model *gg)
{
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (n && (!scores || !rows))
        return lty__err(e, LTY_EINVALID, "%s: missing",
                        !scores ? "scores" : "rows");
    if (!bg || !gg)
        return lty__err(e, LTY_EINVALID, "%s: missing", !bg ? "bg" : "gg");
    if (!model_ok(bg, gg))
        return lty__err(e, LTY_EINVALID,
                        "models: parameters must be positive and finite");
    for (size_t i = 0; i < n; i++) {
        size_t idn;
        char field[48];
        snprintf(field, sizeof field, "rows[%zu].customer_id", i);
        if ((rc = lty__check_id(e, field, rows[i].customer_id, &idn)))
            return rc;
        if (!score_ok(&scores[i]))
            return lty__err(e, LTY_EINVALID,
                            "scores[%zu]: not finite, or p_alive outside [0, 1]",
                            i);
    }
    if (n == 0)
        return LTY_OK;
    if (n > SIZE_MAX / (3 * sizeof(size_t)))
        return lty__err(e, LTY_ENOMEM, "clv store: out of memory");
    size_t *idx = lty__zalloc(&e->alloc, 3 * n * sizeof *idx);
    if (!idx)
        return lty__err(e, LTY_ENOMEM, "clv store: out of memory");
    size_t *tmp = idx + n;
    uint64_t *rank = lty__zalloc(&e->alloc, n * sizeof *rank);
    if (!rank) {
        lty__free(&e->alloc, idx);
        return lty__err(e, LTY_ENOMEM, "clv store: out of memory");
    }
    /* each customer once */
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    merge_sort(idx, tmp, n, id_before, rows);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(rows[idx[i - 1]].customer_id, rows[idx[i]].customer_id) ==
            0) {
            size_t a = idx[i - 1] < idx[i] ? idx[i - 1] : idx[i];
            size_t b = idx[i - 1] < idx[i] ? idx[i] : idx[i - 1];
            rc = lty__err(e, LTY_EINVALID,
                          "rows[%zu].customer_id: repeats rows[%zu]", b, a);
            goto out;
        }
    }
    /* ranks by CLV */
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    merge_sort(idx, tmp, n, clv_before, scores);
    for (size_t i = 0; i < n; i++)
        rank[idx[i]] = (uint64_t)i + 1;
    store_op op = {scores, rows, n, rank, lty_clv_model_fingerprint(bg, gg),
                   lty__now(e)};
    rc = lty__txn(e, store_body, &op);
out:
    lty__free(&e->alloc, idx);
    lty__free(&e->alloc, rank);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

static int field_double(const lty__field *f, double *out)
{
    if (f->wire != LTY__WIRE_BYTES || f->n != 8)
        return LTY_ECORRUPT;
    double v = double_from_le(f->s);
    if (!isfinite(v))
        return LTY_ECORRUPT;
    *out = v;
    return LTY_OK;
}

static int decode_figures(const void *data, size_t len, lty_clv_figures *s)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    uint64_t seen = 0;
    int rc = lty__dec_begin(&d, data, len, LTY__REC_CLV, CLV_RECORD_VERSION,
                            &version);
    if (rc)
        return rc;
    while ((rc = lty__dec_next(&d, &f)) == 1) {
        if (f.tag < 64 && lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case V_COMPUTED_AT:
            if (lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &s->computed_at))
                return LTY_ECORRUPT;
            break;
        case V_P_ALIVE:
            if (field_double(&f, &s->p_alive) || s->p_alive < 0 ||
                s->p_alive > 1)
                return LTY_ECORRUPT;
            break;
        case V_PURCHASES:
            if (field_double(&f, &s->expected_purchases))
                return LTY_ECORRUPT;
            break;
        case V_SPEND:
            if (field_double(&f, &s->expected_spend))
                return LTY_ECORRUPT;
            break;
        case V_CLV:
            if (field_double(&f, &s->clv))
                return LTY_ECORRUPT;
            break;
        case V_AT_STAKE:
            if (field_double(&f, &s->value_at_stake))
                return LTY_ECORRUPT;
            break;
        case V_FINGERPRINT:
            if (lty__field_u64(&f, &s->model_fingerprint))
                return LTY_ECORRUPT;
            break;
        case V_RANK:
            if (lty__field_u64(&f, &s->rank) || s->rank == 0)
                return LTY_ECORRUPT;
            break;
        case V_OF:
            if (lty__field_u64(&f, &s->of) || s->of == 0)
                return LTY_ECORRUPT;
            break;
        default:
            break; /* a newer field: skipped */
        }
    }
    if (rc < 0)
        return rc;
    const uint64_t need = (UINT64_C(1) << V_COMPUTED_AT) |
                          (UINT64_C(1) << V_P_ALIVE) |
                          (UINT64_C(1) << V_PURCHASES) |
                          (UINT64_C(1) << V_SPEND) | (UINT64_C(1) << V_CLV) |
                          (UINT64_C(1) << V_AT_STAKE) |
                          (UINT64_C(1) << V_FINGERPRINT) |
                          (UINT64_C(1) << V_RANK) | (UINT64_C(1) << V_OF);
    if ((seen & need) != need || s->rank > s->of)
        return LTY_ECORRUPT;
    return LTY_OK;
}

int lty_clv_customer_get(lty_engine *e, const char *customer_id,
                         lty_clv_figures *out)
{
    size_t n;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "out: missing");
    if ((rc = lty__check_version(e, "clv figures", out->version,
                                 LTY_CLV_FIGURES_VERSION)))
        return rc;
    if ((rc = lty__check_id(e, "customer id", customer_id, &n)))
        return rc;
    if ((rc = lty__get_customer_record(e, customer_id, n, 'V', "clv figures")))
        return rc;
    lty_clv_figures s;
    memset(&s, 0, sizeof s);
    s.version = out->version;
    if ((rc = decode_figures(e->rbuf.data, e->rbuf.len, &s)))
        return lty__corrupt(e, rc, "clv figures");
    *out = s;
    return LTY_OK;
}

int lty__clv_figures_decode(const void *data, size_t len, lty_clv_figures *s)
{
    return decode_figures(data, len, s);
}
