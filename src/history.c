/*
 * libloyalty - a customer's history, newest first, a page at a time.
 *
 * The cursor is the lower-case hex of the last listed entry's ledger key
 * after "C\0<id>\0L" (8 bytes of inverted time, then the event id), so the
 * next page is a scan that starts strictly after it: no offsets to skip, and
 * events recorded meanwhile never shift a page.  Being hex, it is printable
 * and safe to hand through URLs and logs; being validated strictly, a forged
 * cursor is LTY_EINVALID and never reaches the store as garbage.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "keys_int.h"
#include "ledger_int.h"
#include "validate_int.h"

#define HISTORY_LIMIT_MAX 1000
#define NO_STR SIZE_MAX
/* The key suffix a cursor carries: inverted time and event id. */
#define SUFFIX_MAX (8 + LTY_ID_MAX)
#define CURSOR_MAX (2 * SUFFIX_MAX)

typedef struct hist_item {
    lty_event_type type;
    int64_t time;
    int64_t amount;
    int64_t refunded;
    int score;
    /* Offsets into the page's string block (NO_STR when absent); offsets,
     * not pointers, because the block grows while the page fills. */
    size_t id, item, branch, refund_of, comment;
} hist_item;

struct lty_history {
    lty_allocator alloc;      /* a copy: the page may outlive the engine */
    hist_item *items;
    size_t count, cap;
    char *strs;
    size_t slen, scap;
    char *customer_id;
    int has_next;
    char cursor[CURSOR_MAX + 1];
};

/* ------------------------------------------------------------------ */
/* Cursors                                                             */
/* ------------------------------------------------------------------ */

static const char hexdigits[] = "0123456789abcdef";

static void hex_encode(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexdigits[p[i] >> 4];
        out[2 * i + 1] = hexdigits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1; /* upper case is refused too: one spelling per cursor */
}

/* Decode a cursor into a ledger key suffix ("L" + inverted time + event
 * id) and check that it is one the library could have produced. */
static int cursor_decode(lty_engine *e, const char *cursor, char *suffix,
                         size_t *n)
{
    size_t len = strnlen(cursor, CURSOR_MAX + 1);
    int64_t time;
    const char *evid;
    size_t evn;
    if (len > CURSOR_MAX || len < 2 * (8 + 1) || len % 2 != 0)
        return lty__err(e, LTY_EINVALID, "cursor: wrong length");
    suffix[0] = 'L';
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hex_value(cursor[2 * i]), lo = hex_value(cursor[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return lty__err(e, LTY_EINVALID, "cursor: not a history cursor");
        suffix[1 + i] = (char)(hi << 4 | lo);
    }
    *n = 1 + len / 2;
    if (!lty__key_parse_ledger(suffix, *n, &time, &evid, &evn) ||
        memchr(evid, '\0', evn) || !lty__text_valid(evid, evn, LTY__TEXT_LINE))
        return lty__err(e, LTY_EINVALID, "cursor: not a history cursor");
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Building a page                                                     */
/* ------------------------------------------------------------------ */

static int page_reserve_items(lty_history *h, size_t want)
{
    if (want <= h->cap)
        return LTY_OK;
    size_t cap = h->cap ? h->cap * 2 : 16;
    while (cap < want)
        cap *= 2;
    hist_item *p = lty__realloc(&h->alloc, h->items, cap * sizeof *p);
    if (!p)
        return LTY_ENOMEM;
    h->items = p;
    h->cap = cap;
    return LTY_OK;
}

/* Append n bytes and a NUL to the string block; *off receives where. */
static int page_add_str(lty_history *h, const char *s, size_t n, size_t *off)
{
    if (!s) {
        *off = NO_STR;
        return LTY_OK;
    }
    if (h->slen + n + 1 > h->scap) {
        size_t cap = h->scap ? h->scap * 2 : 1024;
        while (cap < h->slen + n + 1)
            cap *= 2;
        char *p = lty__realloc(&h->alloc, h->strs, cap);
        if (!p)
            return LTY_ENOMEM;
        h->strs = p;
        h->scap = cap;
    }
    if (n)
        memcpy(h->strs + h->slen, s, n);
    h->strs[h->slen + n] = '\0';
    *off = h->slen;
    h->slen += n + 1;
    return LTY_OK;
}

typedef struct page_scan {
    lty_history *h;
    size_t limit;
    size_t plen;               /* length of "C\0<id>\0L" */
    char last[SUFFIX_MAX];     /* key suffix of the last entry listed */
    size_t lastn;
    int failed;                /* 1 key corrupt, 2 entry corrupt, 3 no memory */
} page_scan;

static int page_add(page_scan *ps, const char *key, size_t keylen,
                    const void *val, size_t len)
{
    lty_history *h = ps->h;
    const char *rest = key + ps->plen - 1, *evid;
    size_t restn = keylen - ps->plen + 1, evn;
    lty__entry en;
    hist_item *it;
    int64_t time;
    if (!lty__key_parse_ledger(rest, restn, &time, &evid, &evn) || evn == 0)
        return 1;
    if (lty__entry_decode(val, len, &en))
        return 2;
    if (page_reserve_items(h, h->count + 1))
        return 3;
    it = &h->items[h->count];
    it->time = time;
    it->type = en.type;
    it->amount = en.amount;
    it->refunded = en.refunded;
    it->score = en.score;
    if (page_add_str(h, evid, evn, &it->id) ||
        page_add_str(h, en.item, en.item_len, &it->item) ||
        page_add_str(h, en.branch, en.branch_len, &it->branch) ||
        page_add_str(h, en.refund_of, en.refund_of_len, &it->refund_of) ||
        page_add_str(h, en.comment, en.comment_len, &it->comment))
        return 3;
    h->count++;
    memcpy(ps->last, rest + 1, restn - 1);
    ps->lastn = restn - 1;
    return 0;
}

static int page_scan_each(const char *key, size_t keylen, const void *val,
                          size_t len, uint64_t rev, void *ctx)
{
    page_scan *ps = ctx;
    (void)rev;
    if (ps->h->count == ps->limit) {
        ps->h->has_next = 1; /* one more exists: the page needs a cursor */
        return LTY_SCAN_STOP;
    }
    if (keylen < ps->plen + 9) {
        ps->failed = 1;
        return LTY_ECORRUPT;
    }
    ps->failed = page_add(ps, key, keylen, val, len);
    if (ps->failed)
        return ps->failed == 3 ? LTY_ENOMEM : LTY_ECORRUPT;
    return LTY_OK;
}

typedef struct list_op {
    const char *id;
    size_t idlen;
    const char *suffix;        /* decoded cursor, or NULL */
    size_t suffixn;
    size_t limit;
    lty_history *h;
} list_op;

static int customer_known(lty_engine *e, const char *id, size_t n)
{
    lty__key k;
    lty__key_profile(&k, id, n);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc != LTY_ENOTFOUND)
        return rc;
    /* An erased customer's history lives on under its anonymous id, which
     * has aggregates but no profile. */
    lty__key_stats(&k, id, n);
    rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, LTY_ENOTFOUND, "customer: not found");
    return rc;
}

static int list_body(lty_engine *e, void *arg)
{
    list_op *op = arg;
    lty_history *h = op->h;
    lty__key prefix, after;
    page_scan ps;
    h->count = 0;
    h->slen = 0;
    h->has_next = 0;
    int rc = customer_known(e, op->id, op->idlen);
    if (rc)
        return rc;
    memset(&ps, 0, sizeof ps);
    ps.h = h;
    ps.limit = op->limit;
    lty__key_ledger_prefix(&prefix, op->id, op->idlen);
    ps.plen = prefix.n;
    after.n = 0;
    if (op->suffix) {
        lty__key_customer(&after, op->id, op->idlen);
        lty__key_add(&after, op->suffix, op->suffixn);
    }
    rc = lty__scan(e, prefix.b, prefix.n, after.b, after.n, page_scan_each,
                   &ps);
    if (ps.failed == 3)
        return lty__err(e, LTY_ENOMEM, "history: out of memory");
    if (ps.failed)
        return lty__corrupt(e, LTY_ECORRUPT,
                            ps.failed == 1 ? "ledger key" : "ledger entry");
    if (rc)
        return rc;
    if (h->has_next)
        hex_encode((const unsigned char *)ps.last, ps.lastn, h->cursor);
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

int lty_history_list(lty_engine *e, const char *customer_id,
                     const char *cursor, size_t limit, lty_history **out)
{
    char suffix[1 + SUFFIX_MAX];
    list_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "history: NULL output");
    *out = NULL;
    memset(&op, 0, sizeof op);
    int rc = lty__check_id(e, "customer id", customer_id, &op.idlen);
    if (rc)
        return rc;
    if (limit < 1 || limit > HISTORY_LIMIT_MAX)
        return lty__err(e, LTY_EINVALID, "limit: outside 1..%d",
                        HISTORY_LIMIT_MAX);
    if (cursor) {
        if ((rc = cursor_decode(e, cursor, suffix, &op.suffixn)))
            return rc;
        op.suffix = suffix;
    }
    op.id = customer_id;
    op.limit = limit;
    op.h = lty__zalloc(&e->alloc, sizeof *op.h);
    if (!op.h)
        return lty__err(e, LTY_ENOMEM, "history: out of memory");
    op.h->alloc = e->alloc;
    op.h->customer_id = lty__strndup(&e->alloc, customer_id, op.idlen);
    if (!op.h->customer_id)
        rc = lty__err(e, LTY_ENOMEM, "history: out of memory");
    else
        rc = lty__txn(e, list_body, &op);
    if (rc) {
        lty_history_free(op.h);
        return rc;
    }
    *out = op.h;
    return LTY_OK;
}

size_t lty_history_count(const lty_history *h)
{
    return h ? h->count : 0;
}

static const char *page_str(const lty_history *h, size_t off)
{
    return off == NO_STR ? NULL : h->strs + off;
}

int lty_history_get(const lty_history *h, size_t index, lty_event *ev)
{
    if (!h || !ev || index >= h->count)
        return LTY_EINVALID;
    if (ev->version == 0 || ev->version > LTY_EVENT_VERSION)
        return LTY_EVERSION;
    const hist_item *it = &h->items[index];
    /* Version 1 has every field; later versions only add to the end. */
    ev->type = it->type;
    ev->id = page_str(h, it->id);
    ev->customer_id = h->customer_id;
    ev->time = it->time;
    ev->amount = it->amount;
    ev->item = page_str(h, it->item);
    ev->branch = page_str(h, it->branch);
    ev->refund_of = page_str(h, it->refund_of);
    ev->score = it->score;
    ev->comment = page_str(h, it->comment);
    return LTY_OK;
}

int64_t lty_history_refunded(const lty_history *h, size_t index)
{
    if (!h || index >= h->count || h->items[index].type != LTY_EVENT_PURCHASE)
        return 0;
    return h->items[index].refunded;
}

const char *lty_history_cursor(const lty_history *h)
{
    return h && h->has_next ? h->cursor : NULL;
}

void lty_history_free(lty_history *h)
{
    if (!h)
        return;
    lty_allocator a = h->alloc;
    lty__free(&a, h->items);
    lty__free(&a, h->strs);
    lty__free(&a, h->customer_id);
    lty__free(&a, h);
}
