/*
 * libloyalty - no-show statistics of a period: overall, by whether a
 * reminder went out, and by branch.
 *
 * The day index ("Y\0<day><start><id>") is read in pages of PAGE entries,
 * from the first day an appointment starting at `from` can have been filed
 * under (whatever the booking engine's UTC offset) to the last one for
 * `to`; each entry whose start lies in [from, to) is read and counted.
 * Whether a reminder went out is the outbox's answer for each message the
 * appointment planned (lty_outbox_get()), or the record's "reminded" flag
 * for schedules replaced by a reschedule.  Nothing is written, and the
 * figures are not one snapshot (each page is read on its own).
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "appointment_int.h"
#include "validate_int.h"

#define PAGE 128
#define SECONDS_PER_DAY INT64_C(86400)
#define OFFSET_MAX_SECONDS INT64_C(64800)
#define DAY_SIGN (UINT64_C(1) << 63)

typedef struct page_item {
    char id[LTY_APPOINTMENT_ID_MAX + 1];
    size_t n;
    int64_t start;
} page_item;

typedef struct page {
    int64_t day_hi;
    int64_t from, to;
    size_t n;
    page_item item[PAGE];
    char last[LTY_KEY_MAX];    /* the last key seen: the next page's start */
    size_t lastn;
    int done;                  /* the scan reached day_hi or the end */
    int bad_key;
} page;

static uint64_t be64(const char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | (unsigned char)p[i];
    return v;
}

static int page_each(const char *key, size_t keylen, const void *val,
                     size_t len, uint64_t rev, void *ctx)
{
    page *pg = ctx;
    (void)val;
    (void)len;
    (void)rev;
    /* "Y\0" <day:8> <start:8> <id> */
    if (keylen <= 18 || keylen - 18 > LTY_APPOINTMENT_ID_MAX ||
        keylen > sizeof pg->last) {
        pg->bad_key = 1;
        return LTY_ECORRUPT;
    }
    int64_t day = (int64_t)(be64(key + 2) ^ DAY_SIGN);
    if (day > pg->day_hi) {
        pg->done = 1;
        return LTY_SCAN_STOP;
    }
    memcpy(pg->last, key, keylen);
    pg->lastn = keylen;
    uint64_t start = be64(key + 10);
    if (start > (uint64_t)LTY_TIME_MAX) {
        pg->bad_key = 1;
        return LTY_ECORRUPT;
    }
    if ((int64_t)start >= pg->from && (int64_t)start < pg->to) {
        page_item *it = &pg->item[pg->n++];
        it->n = keylen - 18;
        memcpy(it->id, key + 18, it->n);
        it->id[it->n] = '\0';
        it->start = (int64_t)start;
    }
    return pg->n == PAGE ? LTY_SCAN_STOP : LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Accumulating                                                        */
/* ------------------------------------------------------------------ */

typedef struct branch_acc {
    char branch[LTY_CODE_MAX + 1];
    size_t n;
    lty_noshow_counts all, reminded, not_reminded;
} branch_acc;

typedef struct acc {
    const lty_allocator *a;
    branch_acc *b;
    size_t nb, capb;
    lty_noshow_stats s;
} acc;

/* The branch's entry, inserted in code order when new (NULL: no memory). */
static branch_acc *branch_of(acc *x, const char *code, size_t n)
{
    size_t lo = 0, hi = x->nb;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const branch_acc *m = &x->b[mid];
        size_t common = m->n < n ? m->n : n;
        int c = common ? memcmp(m->branch, code, common) : 0;
        if (c == 0)
            c = m->n < n ? -1 : m->n > n ? 1 : 0;
        if (c == 0)
            return &x->b[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (x->nb == x->capb) {
        size_t cap = x->capb ? x->capb * 2 : 8;
        branch_acc *p = lty__realloc(x->a, x->b, cap * sizeof *p);
        if (!p)
            return NULL;
        x->b = p;
        x->capb = cap;
    }
    memmove(&x->b[lo + 1], &x->b[lo], (x->nb - lo) * sizeof *x->b);
    x->nb++;
    branch_acc *en = &x->b[lo];
    memset(en, 0, sizeof *en);
    memcpy(en->branch, code, n);
    en->n = n;
    return en;
}

static void count(lty_noshow_counts *c, int state)
{
    if (state == LTY_APPOINTMENT_ARRIVED)
        c->arrived++;
    else
        c->no_shows++;
}

static void rate(lty_noshow_counts *c)
{
    int64_t closed = c->arrived + c->no_shows;
    c->rate = closed ? (double)c->no_shows / (double)closed : 0.0;
}

/* Did one of the current schedule's reminders reach "sent"? */
static int went_out(lty_engine *e, const page_item *it, const lty__appt *a,
                    int *yes)
{
    char mid[LTY_MESSAGE_ID_MAX + 1];
    *yes = a->reminded;
    for (size_t i = 0; i < a->nmsg && !*yes; i++) {
        lty_outbox_entry en = LTY_OUTBOX_ENTRY_INIT;
        lty__appt_message_id(mid, it->id, it->n, a->generation, a->msg[i]);
        int rc = lty_outbox_get(e, mid, &en);
        if (rc == LTY_ENOTFOUND)
            continue;
        if (rc)
            return rc;
        *yes = en.state == LTY_MSG_SENT;
    }
    return LTY_OK;
}

static int add_item(lty_engine *e, acc *x, const page_item *it)
{
    lty__appt a;
    int rc = lty__appt_load(e, it->id, it->n, &a, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ECORRUPT,
                        "appointment index: names a missing appointment");
    if (rc)
        return rc;
    if (a.start != it->start)
        return LTY_OK; /* rescheduled since the page was read */
    branch_acc *b = branch_of(x, a.branch, a.branchn);
    if (!b)
        return lty__err(e, LTY_ENOMEM, "no-show statistics: out of memory");
    x->s.appointments++;
    if (a.state == LTY_APPOINTMENT_CANCELLED) {
        x->s.cancelled++;
        return LTY_OK;
    }
    if (a.state == LTY_APPOINTMENT_BOOKED) {
        x->s.open++;
        return LTY_OK;
    }
    int yes = 0;
    if ((rc = went_out(e, it, &a, &yes)))
        return rc;
    count(&x->s.overall, a.state);
    count(&b->all, a.state);
    count(yes ? &x->s.reminded : &x->s.not_reminded, a.state);
    count(yes ? &b->reminded : &b->not_reminded, a.state);
    return LTY_OK;
}

static int run(lty_engine *e, acc *x, int64_t from, int64_t to)
{
    page *pg = lty__malloc(&e->alloc, sizeof *pg);
    lty__key prefix, first;
    if (!pg)
        return lty__err(e, LTY_ENOMEM, "no-show statistics: out of memory");
    memset(pg, 0, sizeof *pg);
    pg->from = from;
    pg->to = to;
    pg->day_hi = lty__floordiv(to - 1 + OFFSET_MAX_SECONDS, SECONDS_PER_DAY);
    /* every key of the first day and later sorts after "Y\0<day_lo>" */
    lty__key_appt_day_prefix(&first, lty__floordiv(from - OFFSET_MAX_SECONDS,
                                                   SECONDS_PER_DAY));
    memcpy(pg->last, first.b, first.n);
    pg->lastn = first.n;
    lty__key_reset(&prefix);
    lty__key_add(&prefix, "Y", 1);
    lty__key_sep(&prefix);
    int rc = LTY_OK;
    for (;;) {
        size_t before = pg->lastn;
        char resume[LTY_KEY_MAX];
        memcpy(resume, pg->last, before);
        pg->n = 0;
        pg->done = 0;
        rc = lty__scan(e, prefix.b, prefix.n, resume, before, page_each, pg);
        if (pg->bad_key)
            rc = lty__err(e, LTY_ECORRUPT, "appointment day index key: "
                                           "malformed");
        if (rc)
            break;
        for (size_t i = 0; rc == LTY_OK && i < pg->n; i++)
            rc = add_item(e, x, &pg->item[i]);
        if (rc)
            break;
        /* a full page may have more after it; anything else was the end */
        if (pg->done || pg->n < PAGE)
            break;
    }
    lty__free(&e->alloc, pg);
    return rc;
}

int lty_appointment_noshow_stats(lty_engine *e, int64_t from, int64_t to,
                                 lty_noshow_stats *out,
                                 lty_noshow_branch *branches, size_t cap,
                                 size_t *branch_count)
{
    acc x;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "no-show statistics: NULL output");
    int rc = lty__check_version(e, "no-show statistics", out->version,
                                LTY_NOSHOW_STATS_VERSION);
    if (rc)
        return rc;
    if (cap && (!branches || !branch_count))
        return lty__err(e, LTY_EINVALID, "branches: NULL output");
    for (size_t i = 0; i < cap; i++)
        if ((rc = lty__check_version(e, "no-show branch", branches[i].version,
                                     LTY_NOSHOW_BRANCH_VERSION)))
            return rc;
    if ((rc = lty__check_time(e, "period from", from)) ||
        (rc = lty__check_time(e, "period to", to)))
        return rc;
    if (to <= from)
        return lty__err(e, LTY_EINVALID, "period to: not after from");
    memset(&x, 0, sizeof x);
    x.a = &e->alloc;
    rc = run(e, &x, from, to);
    if (rc == LTY_OK) {
        unsigned v = out->version;
        rate(&x.s.overall);
        rate(&x.s.reminded);
        rate(&x.s.not_reminded);
        *out = x.s;
        out->version = v;
        for (size_t i = 0; i < x.nb && i < cap; i++) {
            lty_noshow_branch *o = &branches[i];
            memcpy(o->branch, x.b[i].branch, x.b[i].n + 1);
            o->overall = x.b[i].all;
            o->reminded = x.b[i].reminded;
            o->not_reminded = x.b[i].not_reminded;
            rate(&o->overall);
            rate(&o->reminded);
            rate(&o->not_reminded);
        }
        if (branch_count)
            *branch_count = x.nb;
        lty__err_clear(e);
    }
    lty__free(x.a, x.b);
    return rc;
}
