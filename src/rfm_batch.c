/*
 * libloyalty - RFM in batch, without a store: from arrays of transactions
 * and from a CSV file.
 *
 * Customers are gathered in one pass through an open-addressing hash
 * (rfm.c); the file is read in blocks, never whole, so memory grows with
 * the customers, not the file.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfm_int.h"
#include "validate_int.h"

typedef struct batch {
    lty__rfm_opts o;
    int64_t lo;
    lty__rfm_data d;
} batch;

static int batch_begin(batch *b, const lty_rfm_options *opts, char *err,
                       size_t errlen)
{
    lty_allocator a;
    int rc = lty__rfm_opts_check(opts, &b->o, err, errlen);
    if (rc)
        return rc;
    if (b->o.window_days && b->o.as_of == LTY_TIME_NOW) {
        lty__rfm_errf(err, errlen,
                      "as_of: required with a window in batch");
        return LTY_EINVALID;
    }
    b->lo = b->o.window_days
                ? b->o.as_of - (int64_t)b->o.window_days * 86400 + 1
                : LTY_TIME_MIN;
    lty__alloc_init(&a, NULL);
    lty__rfm_data_init(&b->d, &a);
    return LTY_OK;
}

/* One transaction; the caller checked the id's length and the time. */
static inline int batch_add_h(batch *b, const char *id, size_t n, uint64_t h,
                              int64_t t, int64_t amount)
{
    size_t row;
    int created, rc;
    if ((b->o.as_of != LTY_TIME_NOW && t > b->o.as_of) || t < b->lo)
        return LTY_OK;
    if ((rc = lty__rfm_data_upsert_h(&b->d, id, n, h, &row, &created)))
        return rc;
    lty__rfm_row *w = &b->d.rows[row];
    if (__builtin_add_overflow(w->mon, amount, &w->mon))
        return LTY_ERANGE;
    if (amount >= 0) {
        w->freq++;
        if (t > w->last)
            w->last = t;
    }
    return LTY_OK;
}

static inline int batch_add(batch *b, const char *id, size_t n, int64_t t,
                            int64_t amount)
{
    return batch_add_h(b, id, n, lty__rfm_hash(id, n), t, amount);
}

/* Drop customers with no counted transaction, resolve as_of, score. */
static int batch_end(batch *b, lty_rfm_result **out, char *err, size_t errlen)
{
    lty__rfm_data *d = &b->d;
    size_t k = 0;
    int64_t maxt = LTY_TIME_MIN;
    for (size_t i = 0; i < d->n; i++) {
        if (d->rows[i].freq == 0)
            continue;
        if (d->rows[i].last > maxt)
            maxt = d->rows[i].last;
        d->rows[k++] = d->rows[i];
    }
    if (k != d->n) {
        d->n = k;
        lty__free(&d->alloc, d->hash);
        d->hash = NULL;
        d->hcap = 0;
    }
    if (b->o.as_of == LTY_TIME_NOW)
        b->o.as_of = maxt;
    return lty__rfm_finish(d, &b->o, out, err, errlen);
}

int lty_rfm_from_transactions(lty_rfm_result **out, const char *const *ids,
                              const int64_t *times, const int64_t *amounts,
                              size_t n, const lty_rfm_options *opts,
                              char *err, size_t errlen)
{
    batch b;
    int rc;
    if (!out) {
        lty__rfm_errf(err, errlen, "out: missing");
        return LTY_EINVALID;
    }
    *out = NULL;
    if (n && (!ids || !times || !amounts)) {
        lty__rfm_errf(err, errlen, "transactions: missing arrays");
        return LTY_EINVALID;
    }
    if ((rc = batch_begin(&b, opts, err, errlen)))
        return rc;
    for (size_t i = 0; i < n; i++) {
        size_t len = ids[i] ? strlen(ids[i]) : 0;
        if (len == 0 || len > LTY_ID_MAX) {
            lty__rfm_errf(err, errlen,
                          "transaction %zu: customer id: must be 1..%d bytes",
                          i, LTY_ID_MAX);
            rc = LTY_EINVALID;
        } else if (times[i] < LTY_TIME_MIN || times[i] > LTY_TIME_MAX) {
            lty__rfm_errf(err, errlen, "transaction %zu: time: out of range", i);
            rc = LTY_EINVALID;
        } else if ((rc = batch_add(&b, ids[i], len, times[i], amounts[i]))) {
            lty__rfm_errf(err, errlen, "transaction %zu: %s", i,
                          rc == LTY_ERANGE ? "monetary: would overflow"
                                           : "out of memory");
        }
        if (rc) {
            lty__rfm_data_release(&b.d);
            return rc;
        }
    }
    return batch_end(&b, out, err, errlen);
}

/* ------------------------------------------------------------------ */
/* CSV                                                                 */
/* ------------------------------------------------------------------ */

enum { COL_ID, COL_DATE, COL_AMOUNT };
static const char *const col_names[3] = {"customer_id", "date", "amount"};

typedef struct csv {
    const char *path;
    unsigned long line;
    int col[3];      /* field index of each column */
    int nfields;     /* fields in the header */
    char *err;
    size_t errlen;
    char scratch[3][LTY_ID_MAX + 32]; /* unquoted copies of quoted fields */
} csv;

static int csv_fail(csv *c, const char *column, const char *what)
{
    if (column)
        lty__rfm_errf(c->err, c->errlen, "%s:%lu: %s: %s", c->path, c->line,
                      column, what);
    else
        lty__rfm_errf(c->err, c->errlen, "%s:%lu: %s", c->path, c->line, what);
    return LTY_EPARSE;
}

/* Split a line into fields; want[i] gets the field of column i.  Quoted
 * fields of wanted columns are unquoted into the scratch space. */
static int csv_fields(csv *c, const char *p, const char *end,
                      const char **fp, size_t *fn, int header)
{
    int fi = 0;
    for (;;) {
        const char *s;
        size_t n;
        int slot = -1;
        if (!header)
            for (int k = 0; k < 3; k++)
                if (c->col[k] == fi)
                    slot = k;
        if (p < end && *p == '"') {
            char tmp[LTY_ID_MAX + 32];
            size_t tn = 0;
            int over = 0;
            p++;
            for (;;) {
                if (p == end)
                    return csv_fail(c, NULL, "unterminated quoted field");
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        p++;
                    } else {
                        p++;
                        break;
                    }
                }
                if (tn < sizeof tmp)
                    tmp[tn++] = *p;
                else
                    over = 1;
                p++;
            }
            if (p < end && *p != ',')
                return csv_fail(c, NULL, "text after a closing quote");
            if (header) {
                s = NULL;
                n = 0;
                if (!over && tn < sizeof c->scratch[0]) {
                    memcpy(c->scratch[0], tmp, tn);
                    s = c->scratch[0];
                    n = tn;
                }
                for (int k = 0; k < 3; k++)
                    if (s && n == strlen(col_names[k]) &&
                        memcmp(s, col_names[k], n) == 0 && c->col[k] < 0)
                        c->col[k] = fi;
            } else if (slot >= 0) {
                if (over)
                    tn = sizeof c->scratch[slot]; /* too long: caught later */
                else
                    memcpy(c->scratch[slot], tmp, tn);
                fp[slot] = c->scratch[slot];
                fn[slot] = tn;
            }
        } else {
            s = p;
            const char *q = memchr(p, ',', (size_t)(end - p));
            p = q ? q : end;
            n = (size_t)(p - s);
            if (header) {
                for (int k = 0; k < 3; k++)
                    if (n == strlen(col_names[k]) &&
                        memcmp(s, col_names[k], n) == 0 && c->col[k] < 0)
                        c->col[k] = fi;
            } else if (slot >= 0) {
                fp[slot] = s;
                fn[slot] = n;
            }
        }
        fi++;
        if (fi > 1000000)
            return csv_fail(c, NULL, "too many fields");
        if (p == end)
            break;
        p++; /* the comma */
    }
    if (header) {
        c->nfields = fi;
        for (int k = 0; k < 3; k++)
            if (c->col[k] < 0)
                return csv_fail(c, col_names[k], "column missing from the header");
        return LTY_OK;
    }
    if (fi != c->nfields) {
        char what[64];
        snprintf(what, sizeof what, "expected %d fields, found %d",
                 c->nfields, fi);
        return csv_fail(c, NULL, what);
    }
    return LTY_OK;
}

static int parse_digits(const char *p, size_t n, int64_t *out)
{
    int64_t v = 0;
    if (n == 0 || n > 19)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)p[i] - '0';
        if (d > 9)
            return -1;
        if (v > (INT64_MAX - (int64_t)d) / 10)
            return -1;
        v = v * 10 + (int64_t)d;
    }
    *out = v;
    return 0;
}

static int parse_date(const char *p, size_t n, int64_t *t)
{
    if (n == 10 && p[4] == '-' && p[7] == '-') {
        int64_t y, m, d;
        if (parse_digits(p, 4, &y) || parse_digits(p + 5, 2, &m) ||
            parse_digits(p + 8, 2, &d))
            return -1;
        lty_date dt = {(int)y, (int)m, (int)d};
        if (y < 1970 || !lty__date_valid(&dt, 0))
            return -1;
        *t = lty__days_from_civil((int)y, (int)m, (int)d) * 86400;
        return 0;
    }
    if (parse_digits(p, n, t) || *t > LTY_TIME_MAX)
        return -1;
    return 0;
}

static int parse_amount(const char *p, size_t n, int64_t *v)
{
    int neg = 0;
    if (n && (*p == '-' || *p == '+')) {
        neg = *p == '-';
        p++;
        n--;
    }
    if (parse_digits(p, n, v))
        return -1;
    if (neg)
        *v = -*v;
    return 0;
}

/* A parsed line waiting for its customer's row (see csv_flush). */
typedef struct pending {
    const char *id;
    size_t n;
    uint64_t h;
    int64_t t, amount;
    unsigned long line;
} pending;

/* Lines are parsed a block at a time, their hash slots, rows and ids
 * prefetched in stages, then added in file order. */
#define CSV_BLOCK 32

typedef struct csv_block {
    pending p[CSV_BLOCK];
    size_t n;
    char qid[CSV_BLOCK][LTY_ID_MAX]; /* ids that were quoted (scratch) */
} csv_block;

/* Parse a data line into the block (not yet added). */
static int csv_line(csv *c, csv_block *k, const lty__rfm_data *d,
                    const char *p, const char *end)
{
    const char *fp[3] = {NULL, NULL, NULL};
    size_t fn[3] = {0, 0, 0};
    int64_t t, amount;
    int rc = csv_fields(c, p, end, fp, fn, 0);
    if (rc)
        return rc;
    if (fn[COL_ID] == 0)
        return csv_fail(c, "customer_id", "empty");
    if (fn[COL_ID] > LTY_ID_MAX || memchr(fp[COL_ID], '\0', fn[COL_ID]))
        return csv_fail(c, "customer_id", "longer than 64 bytes or has a NUL");
    if (parse_date(fp[COL_DATE], fn[COL_DATE], &t))
        return csv_fail(c, "date", "not YYYY-MM-DD or Unix seconds in range");
    if (parse_amount(fp[COL_AMOUNT], fn[COL_AMOUNT], &amount))
        return csv_fail(c, "amount", "not an integer in minor units");
    pending *e = &k->p[k->n];
    if (fp[COL_ID] == c->scratch[COL_ID]) {
        memcpy(k->qid[k->n], fp[COL_ID], fn[COL_ID]);
        fp[COL_ID] = k->qid[k->n];
    }
    e->id = fp[COL_ID];
    e->n = fn[COL_ID];
    e->h = lty__rfm_hash(e->id, e->n);
    e->t = t;
    e->amount = amount;
    e->line = c->line;
    lty__rfm_data_prefetch(d, e->h, 0);
    k->n++;
    return LTY_OK;
}

/* Add the block's lines, in order. */
static int csv_flush(csv *c, csv_block *k, batch *b)
{
    unsigned long line = c->line;
    size_t n = k->n;
    k->n = 0;
    for (size_t i = 0; i < n; i++)
        lty__rfm_data_prefetch(&b->d, k->p[i].h, 1);
    for (size_t i = 0; i < n; i++)
        lty__rfm_data_prefetch(&b->d, k->p[i].h, 2);
    for (size_t i = 0; i < n; i++) {
        const pending *e = &k->p[i];
        int rc = batch_add_h(b, e->id, e->n, e->h, e->t, e->amount);
        if (rc) {
            c->line = e->line;
            if (rc == LTY_ERANGE)
                return csv_fail(c, "amount", "customer total would overflow");
            lty__rfm_errf(c->err, c->errlen, "%s:%lu: out of memory", c->path,
                          c->line);
            return rc;
        }
    }
    c->line = line;
    return LTY_OK;
}

int lty_rfm_from_csv(lty_rfm_result **out, const char *path,
                     const lty_rfm_options *opts, char *err, size_t errlen)
{
    batch b;
    csv c;
    csv_block *blk = NULL;
    int rc;
    if (!out || !path) {
        lty__rfm_errf(err, errlen, "%s: missing", out ? "path" : "out");
        return LTY_EINVALID;
    }
    *out = NULL;
    if ((rc = batch_begin(&b, opts, err, errlen)))
        return rc;
    memset(&c, 0, sizeof c);
    c.path = path;
    c.err = err;
    c.errlen = errlen;
    c.col[0] = c.col[1] = c.col[2] = -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        lty__rfm_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        lty__rfm_data_release(&b.d);
        return LTY_ESTORAGE;
    }
    size_t cap = 1u << 20, len = 0;
    char *buf = malloc(cap);
    int header = 1, eof = 0;
    blk = malloc(sizeof *blk);
    if (blk)
        blk->n = 0;
    if (!buf || !blk) {
        rc = LTY_ENOMEM;
        lty__rfm_errf(err, errlen, "%s: out of memory", path);
        goto done;
    }
    while (!eof) {
        size_t got = fread(buf + len, 1, cap - len, f);
        if (got < cap - len) {
            if (ferror(f)) {
                lty__rfm_errf(err, errlen, "%s: read error", path);
                rc = LTY_ESTORAGE;
                goto done;
            }
            eof = 1;
        }
        len += got;
        char *p = buf, *end = buf + len;
        for (;;) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            char *le;
            if (!nl) {
                if (!eof)
                    break;
                if (p == end)
                    break;
                le = end; /* the last line has no newline */
            } else {
                le = nl;
            }
            c.line++;
            char *ls = p;
            p = nl ? nl + 1 : end;
            if (le > ls && le[-1] == '\r')
                le--;
            if (c.line == 1 && le - ls >= 3 && memcmp(ls, "\xEF\xBB\xBF", 3) == 0)
                ls += 3;
            if (header) {
                if ((rc = csv_fields(&c, ls, le, NULL, NULL, 1)))
                    goto done;
                header = 0;
            } else if (le > ls) {
                if ((rc = csv_line(&c, blk, &b.d, ls, le))) {
                    int frc = csv_flush(&c, blk, &b); /* earlier lines first */
                    if (frc)
                        rc = frc;
                    goto done;
                }
                if (blk->n == CSV_BLOCK && (rc = csv_flush(&c, blk, &b)))
                    goto done;
            }
            if (!nl)
                break;
        }
        /* the block points into buf: add it before buf moves */
        if ((rc = csv_flush(&c, blk, &b)))
            goto done;
        len = (size_t)(end - p);
        memmove(buf, p, len);
        if (len == cap) { /* a line longer than the buffer */
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                rc = LTY_ENOMEM;
                lty__rfm_errf(err, errlen, "%s: out of memory", path);
                goto done;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (header) {
        c.line = 1;
        rc = csv_fail(&c, NULL, "the header line is missing");
    }
done:
    free(blk);
    free(buf);
    fclose(f);
    if (rc) {
        lty__rfm_data_release(&b.d);
        return rc;
    }
    return batch_end(&b, out, err, errlen);
}
