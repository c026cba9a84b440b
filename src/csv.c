/*
 * libloyalty - the reader of transaction files (customer_id,date,amount):
 * blocks of the file, fields, dates, amounts, errors with path and line.
 * See csv_int.h.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_int.h"
#include "validate_int.h"

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

void lty__csv_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int lty__csv_fail(char *err, size_t errlen, const char *path,
                  unsigned long line, const char *column, const char *what)
{
    if (column)
        lty__csv_errf(err, errlen, "%s:%lu: %s: %s", path, line, column, what);
    else
        lty__csv_errf(err, errlen, "%s:%lu: %s", path, line, what);
    return LTY_EPARSE;
}

static int csv_fail(csv *c, const char *column, const char *what)
{
    return lty__csv_fail(c->err, c->errlen, c->path, c->line, column, what);
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

/* Lines are parsed a block at a time and handed over together (the
 * caller can prefetch for the whole block before it uses the first). */
typedef struct csv_block {
    lty__csv_txn p[LTY__CSV_BLOCK];
    size_t n;
    char qid[LTY__CSV_BLOCK][LTY_ID_MAX]; /* ids that were quoted (scratch) */
} csv_block;

/* Parse a data line into the block (not yet handed over). */
static int csv_line(csv *c, csv_block *k, const lty__csv_sink *s,
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
    lty__csv_txn *e = &k->p[k->n];
    if (fp[COL_ID] == c->scratch[COL_ID]) {
        memcpy(k->qid[k->n], fp[COL_ID], fn[COL_ID]);
        fp[COL_ID] = k->qid[k->n];
    }
    e->id = fp[COL_ID];
    e->idn = fn[COL_ID];
    e->hash = 0;
    e->time = t;
    e->amount = amount;
    e->line = c->line;
    e->is_date = fn[COL_DATE] == 10 && fp[COL_DATE][4] == '-';
    if (s->on_row)
        s->on_row(s->ctx, e);
    k->n++;
    return LTY_OK;
}

/* Hand the block's lines over, in order. */
static int csv_flush(csv_block *k, const lty__csv_sink *s)
{
    size_t n = k->n;
    k->n = 0;
    return n ? s->on_block(s->ctx, k->p, n) : LTY_OK;
}

int lty__csv_read_txns(const char *path, const lty__csv_sink *s, char *err,
                       size_t errlen)
{
    csv c;
    csv_block *blk = NULL;
    int rc = LTY_OK;
    memset(&c, 0, sizeof c);
    c.path = path;
    c.err = err;
    c.errlen = errlen;
    c.col[0] = c.col[1] = c.col[2] = -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        lty__csv_errf(err, errlen, "%s: cannot open: %s", path,
                      strerror(errno));
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
        lty__csv_errf(err, errlen, "%s: out of memory", path);
        goto done;
    }
    while (!eof) {
        size_t got = fread(buf + len, 1, cap - len, f);
        if (got < cap - len) {
            if (ferror(f)) {
                lty__csv_errf(err, errlen, "%s: read error", path);
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
                if ((rc = csv_line(&c, blk, s, ls, le))) {
                    int frc = csv_flush(blk, s); /* earlier lines first */
                    if (frc)
                        rc = frc;
                    goto done;
                }
                if (blk->n == LTY__CSV_BLOCK && (rc = csv_flush(blk, s)))
                    goto done;
            }
            if (!nl)
                break;
        }
        /* the block points into buf: hand it over before buf moves */
        if ((rc = csv_flush(blk, s)))
            goto done;
        len = (size_t)(end - p);
        memmove(buf, p, len);
        if (len == cap) { /* a line longer than the buffer */
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                rc = LTY_ENOMEM;
                lty__csv_errf(err, errlen, "%s: out of memory", path);
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
    return rc;
}
