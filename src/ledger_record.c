/*
 * libloyalty - the ledger's records: customer aggregates (kind 3), ledger
 * entries (kind 4) and the event-id index (kind 5), version 1 each.
 *
 * Every number in these records is non-negative, so all are plain unsigned
 * varints (wire 0).  Fields holding their default (0, absent text) are not
 * written: most customers have no refunds or feedback, and a smaller record
 * is a smaller store.  The layouts are listed in docs/guide/ledger.md.
 *
 * Decoding treats the bytes as hostile: every value is checked against the
 * limits the public API enforces on input, so anything the engine reads back
 * is something it could have written.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "fastenc_int.h"
#include "keys_int.h"
#include "ledger_int.h"
#include "validate_int.h"

#define RECORD_VERSION 1u

/* Aggregates (kind 3). */
enum {
    ST_FIRST_VISIT = 1,
    ST_LAST_VISIT = 2,
    ST_VISITS = 3,
    ST_PURCHASES = 4,
    ST_NET_SPEND = 5,
    ST_REFUNDS = 6,
    ST_FEEDBACKS = 7,
    ST_LAST_ITEM_TIME = 8,
    ST_LAST_ITEM = 9,
    ST_LAST_ITEM_EVENT = 10
};

/* Ledger entry (kind 4). */
enum {
    EN_TYPE = 1,
    EN_AMOUNT = 2,
    EN_REFUNDED = 3,
    EN_SCORE = 4,
    EN_ITEM = 5,
    EN_BRANCH = 6,
    EN_REFUND_OF = 7,
    EN_COMMENT = 8,
    EN_EARNINGS = 9
};

/* Event index (kind 5). */
enum {
    IX_CUSTOMER = 1,
    IX_TIME = 2
};

/* ------------------------------------------------------------------ */
/* Encoding                                                            */
/* ------------------------------------------------------------------ */

/* These records are written once per event: encoded straight into their
 * buffer (fastenc_int.h). */

/* Non-negative numbers holding their default (0) are left out. */
static inline void put_nonzero(lty__writer *w, unsigned tag, int64_t v)
{
    if (v != 0)
        lty__put_u64(w, tag, (uint64_t)v);
}

/* ------------------------------------------------------------------ */
/* Shared decoding helpers                                             */
/* ------------------------------------------------------------------ */

/* A varint within 0..max, seen at most once. */
static int take_uint(const lty__field *f, uint64_t *seen, int64_t max,
                     int64_t *out)
{
    uint64_t v;
    if (lty__dec_once(seen, f->tag) || lty__field_u64(f, &v) ||
        v > (uint64_t)max)
        return LTY_ECORRUPT;
    *out = (int64_t)v;
    return LTY_OK;
}

/* A text field of min..max bytes, seen at most once. */
static int take_text(const lty__field *f, uint64_t *seen, size_t min,
                     size_t max, lty__text_kind kind, const char **s,
                     size_t *n)
{
    if (lty__dec_once(seen, f->tag))
        return LTY_ECORRUPT;
    return lty__field_text(f, min, max, (int)kind, s, n);
}

/* ------------------------------------------------------------------ */
/* Aggregates                                                          */
/* ------------------------------------------------------------------ */

int lty__stats_encode(const lty__stats *s, lty_buf *out)
{
    enum { MOST = 2 + 8 * LTY__FIELD_NUM_MAX + LTY__FIELD_BYTES_MAX(LTY_CODE_MAX) +
                  LTY__FIELD_BYTES_MAX(LTY_ID_MAX) };
    lty__writer w;
    int rc = lty__writer_begin(&w, out, MOST, LTY__REC_STATS, RECORD_VERSION);
    if (rc)
        return rc;
    put_nonzero(&w, ST_FIRST_VISIT, s->first_visit);
    put_nonzero(&w, ST_LAST_VISIT, s->last_visit);
    put_nonzero(&w, ST_VISITS, s->visits);
    put_nonzero(&w, ST_PURCHASES, s->purchases);
    put_nonzero(&w, ST_NET_SPEND, s->net_spend);
    put_nonzero(&w, ST_REFUNDS, s->refunds);
    put_nonzero(&w, ST_FEEDBACKS, s->feedbacks);
    if (s->last_item[0]) {
        /* The arrays are NUL-terminated within their bounds. */
        size_t in = strnlen(s->last_item, LTY_CODE_MAX);
        size_t en = strnlen(s->last_item_event, LTY_ID_MAX);
        put_nonzero(&w, ST_LAST_ITEM_TIME, s->last_item_time);
        lty__put_bytes(&w, ST_LAST_ITEM, s->last_item, in);
        if (en)
            lty__put_bytes(&w, ST_LAST_ITEM_EVENT, s->last_item_event, en);
    }
    lty__writer_end(&w, out);
    return LTY_OK;
}

/* Relations between the aggregates that the ledger always keeps. */
static int stats_consistent(const lty__stats *s, int has_item, int has_event)
{
    if (s->visits == 0 && (s->first_visit != 0 || s->last_visit != 0))
        return 0;
    if (s->first_visit > s->last_visit)
        return 0;
    /* A purchase marks a visit, so purchases imply visits. */
    if (s->purchases > 0 && s->visits == 0)
        return 0;
    if (has_item != has_event)
        return 0;
    if (!has_item && s->last_item_time != 0)
        return 0;
    return 1;
}

/* The aggregates are read once per event, so their decoder reads fields
 * inline instead of through lty__dec_next().  It keeps exactly the codec's
 * rules (see codec.c): canonical varints of at most 10 bytes, tags 1..
 * LTY__TAG_MAX in non-decreasing order, wire types 0 and 2 only, lengths
 * within the record; tests/check_ledger.c compares the two on mutated
 * records. */
static inline int read_varint(const unsigned char **pp,
                              const unsigned char *end, uint64_t *v)
{
    const unsigned char *p = *pp;
    if (p < end && *p < 0x80) { /* the common one-byte case */
        *v = *p;
        *pp = p + 1;
        return LTY_OK;
    }
    return lty__varint_get(pp, end, v);
}

/* The numeric aggregate a tag names, with its upper bound. */
static int64_t *stats_number(lty__stats *s, unsigned tag, int64_t *max)
{
    *max = INT64_MAX;
    switch (tag) {
    case ST_FIRST_VISIT: *max = LTY_TIME_MAX; return &s->first_visit;
    case ST_LAST_VISIT: *max = LTY_TIME_MAX; return &s->last_visit;
    case ST_VISITS: return &s->visits;
    case ST_PURCHASES: return &s->purchases;
    case ST_NET_SPEND: return &s->net_spend;
    case ST_REFUNDS: return &s->refunds;
    case ST_FEEDBACKS: return &s->feedbacks;
    case ST_LAST_ITEM_TIME: *max = LTY_TIME_MAX; return &s->last_item_time;
    }
    return NULL;
}

/* A text aggregate: 1..max bytes of printable UTF-8, copied with a NUL. */
static int stats_text(const unsigned char *p, uint64_t n, size_t max,
                      char *out)
{
    if (n < 1 || n > max || !lty__text_valid((const char *)p, (size_t)n,
                                             LTY__TEXT_LINE))
        return LTY_ECORRUPT;
    memcpy(out, p, (size_t)n);
    out[n] = '\0';
    return LTY_OK;
}

int lty__stats_decode(const void *data, size_t len, lty__stats *s)
{
    /* end is set after the check: an empty value may come with a NULL
     * pointer, and NULL + 0 is undefined */
    const unsigned char *p = data, *end;
    unsigned last_tag = 0;
    uint64_t seen = 0;
    if (!data || len < 2 || len > LTY_VALUE_MAX || p[0] != LTY__REC_STATS ||
        p[1] == 0)
        return LTY_ECORRUPT;
    end = p + len;
    if (p[1] > RECORD_VERSION)
        return LTY_EVERSION;
    p += 2;
    memset(s, 0, sizeof *s);
    while (p < end) {
        uint64_t key, v;
        int64_t max, *num;
        if (read_varint(&p, end, &key) || read_varint(&p, end, &v))
            return LTY_ECORRUPT;
        uint64_t tag = key >> 3, wire = key & 7;
        if (tag == 0 || tag > LTY__TAG_MAX || tag < last_tag)
            return LTY_ECORRUPT;
        last_tag = (unsigned)tag;
        if (wire == LTY__WIRE_BYTES) {
            if (v > (uint64_t)(end - p))
                return LTY_ECORRUPT;
            const unsigned char *str = p;
            p += v;
            int rc = LTY_OK;
            if (tag == ST_LAST_ITEM || tag == ST_LAST_ITEM_EVENT) {
                if (lty__dec_once(&seen, (unsigned)tag))
                    return LTY_ECORRUPT;
                rc = tag == ST_LAST_ITEM
                         ? stats_text(str, v, LTY_CODE_MAX, s->last_item)
                         : stats_text(str, v, LTY_ID_MAX, s->last_item_event);
            } else if (stats_number(s, (unsigned)tag, &max)) {
                rc = LTY_ECORRUPT; /* a number sent as bytes */
            }
            if (rc)
                return rc;
        } else if (wire == LTY__WIRE_VARINT) {
            if (tag == ST_LAST_ITEM || tag == ST_LAST_ITEM_EVENT)
                return LTY_ECORRUPT; /* text sent as a number */
            num = stats_number(s, (unsigned)tag, &max);
            if (num) {
                if (lty__dec_once(&seen, (unsigned)tag) || v > (uint64_t)max)
                    return LTY_ECORRUPT;
                *num = (int64_t)v;
            }
        } else {
            return LTY_ECORRUPT;
        }
    }
    if (!stats_consistent(s, s->last_item[0] != '\0',
                          s->last_item_event[0] != '\0'))
        return LTY_ECORRUPT;
    return LTY_OK;
}

int lty__stats_load(lty_engine *e, const char *id, size_t n, lty__stats *s,
                    uint64_t *rev)
{
    lty__key k;
    lty__key_stats(&k, id, n);
    int rc = lty__get(e, k.b, k.n, NULL, rev);
    if (rc == LTY_ENOTFOUND) {
        memset(s, 0, sizeof *s);
        *rev = LTY_REV_NONE;
        return LTY_OK;
    }
    if (rc)
        return rc;
    rc = lty__stats_decode(e->rbuf.data, e->rbuf.len, s);
    if (rc)
        return lty__corrupt(e, rc, "customer aggregates");
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Ledger entries                                                      */
/* ------------------------------------------------------------------ */

int lty__entry_encode(const lty__entry *en, lty_buf *out)
{
    /* Callers pass validated fields; the limits keep the reservation (and
     * the record) bounded even if one did not. */
    if (en->item_len > LTY_CODE_MAX || en->branch_len > LTY_CODE_MAX ||
        en->refund_of_len > LTY_ID_MAX || en->comment_len > LTY_COMMENT_MAX ||
        en->earnings_len > LTY__EARNINGS_MAX || en->amount < 0 ||
        en->refunded < 0)
        return LTY_ERANGE;
    size_t most = 2 + 4 * LTY__FIELD_NUM_MAX + 5 * LTY__FIELD_BYTES_MAX(0) +
                  en->item_len + en->branch_len + en->refund_of_len +
                  en->comment_len + en->earnings_len;
    lty__writer w;
    int rc = lty__writer_begin(&w, out, most, LTY__REC_EVENT, RECORD_VERSION);
    if (rc)
        return rc;
    lty__put_u64(&w, EN_TYPE, (uint64_t)en->type);
    put_nonzero(&w, EN_AMOUNT, en->amount);
    put_nonzero(&w, EN_REFUNDED, en->refunded);
    /* The score is written for feedback only, where 0 is a real score. */
    if (en->type == LTY_EVENT_FEEDBACK)
        lty__put_u64(&w, EN_SCORE, (uint64_t)en->score);
    if (en->item_len)
        lty__put_bytes(&w, EN_ITEM, en->item, en->item_len);
    if (en->branch_len)
        lty__put_bytes(&w, EN_BRANCH, en->branch, en->branch_len);
    if (en->refund_of_len)
        lty__put_bytes(&w, EN_REFUND_OF, en->refund_of, en->refund_of_len);
    if (en->comment_len)
        lty__put_bytes(&w, EN_COMMENT, en->comment, en->comment_len);
    if (en->earnings_len)
        lty__put_bytes(&w, EN_EARNINGS, en->earnings, en->earnings_len);
    lty__writer_end(&w, out);
    return LTY_OK;
}

/* The per-type rules of event.h's table, applied to a stored entry. */
static int entry_consistent(const lty__entry *en, int has_score)
{
    switch (en->type) {
    case LTY_EVENT_VISIT:
        return en->amount == 0 && en->refunded == 0 && !has_score &&
               !en->refund_of && !en->comment;
    case LTY_EVENT_PURCHASE:
        return en->refunded <= en->amount && !has_score && !en->refund_of &&
               !en->comment;
    case LTY_EVENT_REFUND:
        return en->amount > 0 && en->refunded == 0 && !has_score &&
               en->refund_of && !en->comment;
    case LTY_EVENT_FEEDBACK:
        return en->amount == 0 && en->refunded == 0 && has_score &&
               !en->refund_of;
    default:
        return 0;
    }
}

int lty__entry_decode(const void *data, size_t len, lty__entry *en)
{
    lty__dec d;
    lty__field f;
    uint64_t seen = 0;
    int64_t type = 0, score = -1;
    int rc = lty__dec_begin(&d, data, len, LTY__REC_EVENT, RECORD_VERSION,
                            NULL);
    if (rc)
        return rc;
    memset(en, 0, sizeof *en);
    while ((rc = lty__dec_next(&d, &f)) == 1) {
        switch (f.tag) {
        case EN_TYPE:
            rc = take_uint(&f, &seen, LTY_EVENT_FEEDBACK, &type);
            break;
        case EN_AMOUNT:
            rc = take_uint(&f, &seen, INT64_MAX, &en->amount);
            break;
        case EN_REFUNDED:
            rc = take_uint(&f, &seen, INT64_MAX, &en->refunded);
            break;
        case EN_SCORE:
            rc = take_uint(&f, &seen, 10, &score);
            break;
        case EN_ITEM:
            rc = take_text(&f, &seen, 1, LTY_CODE_MAX, LTY__TEXT_LINE,
                           &en->item, &en->item_len);
            break;
        case EN_BRANCH:
            rc = take_text(&f, &seen, 1, LTY_CODE_MAX, LTY__TEXT_LINE,
                           &en->branch, &en->branch_len);
            break;
        case EN_REFUND_OF:
            rc = take_text(&f, &seen, 1, LTY_ID_MAX, LTY__TEXT_LINE,
                           &en->refund_of, &en->refund_of_len);
            break;
        case EN_COMMENT:
            rc = take_text(&f, &seen, 1, LTY_COMMENT_MAX, LTY__TEXT_MULTILINE,
                           &en->comment, &en->comment_len);
            break;
        case EN_EARNINGS:
            /* checked field by field where it is used */
            rc = LTY_OK;
            if (lty__dec_once(&seen, f.tag) || f.wire != LTY__WIRE_BYTES ||
                f.n < 1 || f.n > LTY__EARNINGS_MAX)
                rc = LTY_ECORRUPT;
            en->earnings = f.s;
            en->earnings_len = f.n;
            break;
        default:
            rc = LTY_OK; /* a field of a later minor version */
            break;
        }
        if (rc)
            return LTY_ECORRUPT;
    }
    if (rc < 0)
        return rc;
    en->type = (lty_event_type)type;
    en->score = (int)score;
    if (!entry_consistent(en, score >= 0) ||
        (en->earnings && en->type != LTY_EVENT_PURCHASE))
        return LTY_ECORRUPT;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Event index                                                         */
/* ------------------------------------------------------------------ */

int lty__evindex_encode(const char *cid, size_t cn, int64_t time,
                        lty_buf *out)
{
    enum { MOST = 2 + LTY__FIELD_BYTES_MAX(LTY_ID_MAX) + LTY__FIELD_NUM_MAX };
    if (cn > LTY_ID_MAX || time < 0)
        return LTY_ERANGE;
    lty__writer w;
    int rc = lty__writer_begin(&w, out, MOST, LTY__REC_EVINDEX, RECORD_VERSION);
    if (rc)
        return rc;
    lty__put_bytes(&w, IX_CUSTOMER, cid, cn);
    put_nonzero(&w, IX_TIME, time);
    lty__writer_end(&w, out);
    return LTY_OK;
}

int lty__evindex_decode(const void *data, size_t len, lty__evindex *ix)
{
    lty__dec d;
    lty__field f;
    uint64_t seen = 0;
    int rc = lty__dec_begin(&d, data, len, LTY__REC_EVINDEX, RECORD_VERSION,
                            NULL);
    if (rc)
        return rc;
    memset(ix, 0, sizeof *ix);
    while ((rc = lty__dec_next(&d, &f)) == 1) {
        switch (f.tag) {
        case IX_CUSTOMER:
            rc = take_text(&f, &seen, 1, LTY_ID_MAX, LTY__TEXT_LINE,
                           &ix->customer_id, &ix->customer_len);
            break;
        case IX_TIME:
            rc = take_uint(&f, &seen, LTY_TIME_MAX, &ix->time);
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
    return ix->customer_id ? LTY_OK : LTY_ECORRUPT;
}
