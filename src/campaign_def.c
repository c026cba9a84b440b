/*
 * libloyalty - campaigns: presets, checking, storing and reading back
 * definitions (K\0<campaign id>, kind 29; campaign_int.h lists the keys).
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_int.h"
#include "alloc_int.h"
#include "validate_int.h"

#define CAMPAIGN_VERSION 1

enum {
    D_NAME = 1, D_SEGMENT, D_R_MIN, D_R_MAX, D_F_MIN, D_F_MAX, D_M_MIN,
    D_M_MAX, D_DAYS_MIN, D_DAYS_MAX, D_MONTH, D_TAG, D_PA_MIN, D_PA_MAX,
    D_CHANNEL, D_TEMPLATE, D_PURPOSE, D_OFFER_KIND, D_OFFER_VALUE,
    D_OFFER_COST, D_COST_PER_MESSAGE, D_MAX_MESSAGES, D_MAX_MONEY,
    D_CONTROL, D_ATTRIBUTION, D_PROGRAM, D_TITLE, D_OFFER_DAYS
};

/* ------------------------------------------------------------------ */
/* Presets                                                             */
/* ------------------------------------------------------------------ */

static const char *const vip_segments[] = {"Champions"};
static const char *const winback_segments[] = {"At Risk", "Can't Lose Them"};

static void clear_target(lty_campaign_def *d)
{
    d->segments = NULL;
    d->segment_count = 0;
    d->r_min = d->r_max = d->f_min = d->f_max = d->m_min = d->m_max = 0;
    d->days_since_visit_min = d->days_since_visit_max = 0;
    d->birthday_month = 0;
    d->tags = NULL;
    d->tag_count = 0;
    d->p_alive_min = 0.0;
    d->p_alive_max = 1.0;
    d->program_id = NULL;
    d->titles = NULL;
    d->title_count = 0;
}

int lty_campaign_preset_vip(lty_campaign_def *def)
{
    if (!def)
        return LTY_EINVALID;
    clear_target(def);
    def->segments = vip_segments;
    def->segment_count = 1;
    return LTY_OK;
}

int lty_campaign_preset_winback(lty_campaign_def *def, int lapsed_days)
{
    if (!def || lapsed_days < 0 || lapsed_days > 36600)
        return LTY_EINVALID;
    clear_target(def);
    if (lapsed_days == 0) {
        def->segments = winback_segments;
        def->segment_count = 2;
    } else {
        def->days_since_visit_min = lapsed_days;
    }
    return LTY_OK;
}

int lty_campaign_preset_birthday(lty_campaign_def *def, int month)
{
    if (!def || month < 1 || month > 12)
        return LTY_EINVALID;
    clear_target(def);
    def->birthday_month = month;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Checking and storing a definition                                   */
/* ------------------------------------------------------------------ */

static void key_campaign(lty__key *k, const char *id, size_t n)
{
    lty__key_reset(k);
    lty__key_add(k, "K", 1);
    lty__key_sep(k);
    lty__key_add(k, id, n);
}

int lty__campaign_check_id(lty_engine *e, const char *id, size_t *n)
{
    int rc = lty__check_text(e, "campaign id", id, 1, LTY_CAMPAIGN_ID_MAX,
                             LTY__TEXT_LINE, n);
    if (rc)
        return rc;
    for (size_t i = 0; i < *n; i++)
        if ((unsigned char)id[i] <= ' ' || id[i] == '/')
            return lty__err(e, LTY_EINVALID,
                            "campaign id: spaces and '/' not allowed");
    return LTY_OK;
}

static int check_range(lty_engine *e, const char *what, int lo, int hi,
                       int max)
{
    if (lo < 0 || lo > max || hi < 0 || hi > max || (hi && lo > hi))
        return lty__err(e, LTY_EINVALID, "%s: range out of bounds", what);
    return LTY_OK;
}

static int check_def(lty_engine *e, const lty_campaign_def *d, lty__campaign *c,
                     size_t *idlen)
{
    size_t n;
    int rc;
    if (!d)
        return lty__err(e, LTY_EINVALID, "campaign definition: NULL");
    if ((rc = lty__check_version(e, "campaign definition", d->version,
                                 LTY_CAMPAIGN_DEF_VERSION)) ||
        (rc = lty__campaign_check_id(e, d->id, idlen)))
        return rc;
    memset(c, 0, sizeof *c);
    if ((rc = lty__check_text(e, "campaign name", d->name, 1, LTY_TITLE_MAX,
                              LTY__TEXT_LINE, &n)))
        return rc;
    memcpy(c->name, d->name, n);
    if (d->segment_count > LTY_CAMPAIGN_LIST_MAX ||
        (d->segment_count && !d->segments))
        return lty__err(e, LTY_EINVALID, "segments: too many or missing");
    for (size_t i = 0; i < d->segment_count; i++) {
        if ((rc = lty__check_text(e, "segment", d->segments[i], 1,
                                  LTY_TITLE_MAX, LTY__TEXT_LINE, &n)))
            return rc;
        memcpy(c->seg[i], d->segments[i], n);
    }
    c->nseg = d->segment_count;
    if ((rc = check_range(e, "R score", d->r_min, d->r_max, LTY_RFM_BINS_MAX)) ||
        (rc = check_range(e, "F score", d->f_min, d->f_max, LTY_RFM_BINS_MAX)) ||
        (rc = check_range(e, "M score", d->m_min, d->m_max, LTY_RFM_BINS_MAX)) ||
        (rc = check_range(e, "days since visit", d->days_since_visit_min,
                          d->days_since_visit_max, 36600)))
        return rc;
    c->r_min = d->r_min, c->r_max = d->r_max;
    c->f_min = d->f_min, c->f_max = d->f_max;
    c->m_min = d->m_min, c->m_max = d->m_max;
    c->days_min = d->days_since_visit_min;
    c->days_max = d->days_since_visit_max;
    if (d->birthday_month < 0 || d->birthday_month > 12)
        return lty__err(e, LTY_EINVALID, "birthday month: not 0..12");
    c->month = d->birthday_month;
    if (d->tag_count > LTY_CAMPAIGN_LIST_MAX || (d->tag_count && !d->tags))
        return lty__err(e, LTY_EINVALID, "tags: too many or missing");
    for (size_t i = 0; i < d->tag_count; i++) {
        if ((rc = lty__check_text(e, "tag", d->tags[i], 1, LTY_LABEL_MAX,
                                  LTY__TEXT_LINE, &n)))
            return rc;
        memcpy(c->tag[i], d->tags[i], n);
    }
    c->ntag = d->tag_count;
    if (!(d->p_alive_min >= 0.0 && d->p_alive_max <= 1.0 &&
          d->p_alive_min <= d->p_alive_max))
        return lty__err(e, LTY_EINVALID, "p_alive range: not within 0..1");
    c->pa_min = d->p_alive_min;
    c->pa_max = d->p_alive_max;
    if ((int)d->channel < LTY_CHANNEL_NONE || (int)d->channel > LTY_CHANNEL_PUSH)
        return lty__err(e, LTY_EINVALID, "channel: not NONE, SMS, e-mail, "
                                         "KakaoTalk or push");
    c->channel = d->channel;
    if ((rc = lty__check_text(e, "template id", d->template_id, 1,
                              LTY_MESSAGE_ID_MAX, LTY__TEXT_LINE, &n)))
        return rc;
    memcpy(c->template_id, d->template_id, n);
    c->purpose = d->purpose ? d->purpose : LTY_PURPOSE_MARKETING;
    if (c->purpose != LTY_PURPOSE_MARKETING &&
        c->purpose != LTY_PURPOSE_TRANSACTIONAL)
        return lty__err(e, LTY_EINVALID, "purpose: not marketing or "
                                         "transactional");
    if ((int)d->offer_kind < 0 || (int)d->offer_kind > LTY_REWARD_CASH)
        return lty__err(e, LTY_EINVALID, "offer kind: unknown");
    c->offer_kind = (int)d->offer_kind;
    if (d->offer_value < 0 || d->offer_cost < 0 || d->cost_per_message < 0 ||
        d->max_messages < 0 || d->max_money < 0)
        return lty__err(e, LTY_EINVALID, "offer, cost or budget: negative");
    c->offer_value = d->offer_value;
    c->offer_cost = d->offer_cost;
    c->cost_per_message = d->cost_per_message;
    c->max_messages = d->max_messages;
    c->max_money = d->max_money;
    if (!(d->control_share >= 0.0 && d->control_share <= 0.9))
        return lty__err(e, LTY_EINVALID, "control share: not 0..0.9");
    c->control_bps = (int)lround(d->control_share * LTY__SHARE_SCALE);
    if (d->attribution_days < 1 || d->attribution_days > 365)
        return lty__err(e, LTY_EINVALID, "attribution days: not 1..365");
    c->attribution_days = d->attribution_days;
    if (d->program_id) {
        if ((rc = lty__check_id(e, "program id", d->program_id, &n)))
            return rc;
        memcpy(c->program, d->program_id, n);
    }
    if (d->title_count > LTY_CAMPAIGN_LIST_MAX ||
        (d->title_count && !d->titles))
        return lty__err(e, LTY_EINVALID, "titles: too many or missing");
    if (d->title_count && !d->program_id)
        return lty__err(e, LTY_EINVALID, "titles: need a program id");
    for (size_t i = 0; i < d->title_count; i++) {
        if ((rc = lty__check_text(e, "title", d->titles[i], 1, LTY_TITLE_MAX,
                                  LTY__TEXT_LINE, &n)))
            return rc;
        memcpy(c->title[i], d->titles[i], n);
    }
    c->ntitle = d->title_count;
    if (d->offer_valid_days < 0 || d->offer_valid_days > 3660)
        return lty__err(e, LTY_EINVALID, "offer valid days: not 0..3660");
    c->offer_valid_days = d->offer_valid_days;
    return LTY_OK;
}

static int encode_campaign(const lty__campaign *c, lty_buf *out)
{
    lty__enc w;
    lty__enc_begin(&w, out, LTY__REC_CAMPAIGN, CAMPAIGN_VERSION);
    lty__enc_str(&w, D_NAME, c->name);
    for (size_t i = 0; i < c->nseg; i++)
        lty__enc_str(&w, D_SEGMENT, c->seg[i]);
    lty__enc_i64(&w, D_R_MIN, c->r_min);
    lty__enc_i64(&w, D_R_MAX, c->r_max);
    lty__enc_i64(&w, D_F_MIN, c->f_min);
    lty__enc_i64(&w, D_F_MAX, c->f_max);
    lty__enc_i64(&w, D_M_MIN, c->m_min);
    lty__enc_i64(&w, D_M_MAX, c->m_max);
    lty__enc_i64(&w, D_DAYS_MIN, c->days_min);
    lty__enc_i64(&w, D_DAYS_MAX, c->days_max);
    lty__enc_i64(&w, D_MONTH, c->month);
    for (size_t i = 0; i < c->ntag; i++)
        lty__enc_str(&w, D_TAG, c->tag[i]);
    uint64_t u;
    memcpy(&u, &c->pa_min, 8);
    lty__enc_u64(&w, D_PA_MIN, u);
    memcpy(&u, &c->pa_max, 8);
    lty__enc_u64(&w, D_PA_MAX, u);
    lty__enc_i64(&w, D_CHANNEL, c->channel);
    lty__enc_str(&w, D_TEMPLATE, c->template_id);
    lty__enc_i64(&w, D_PURPOSE, c->purpose);
    lty__enc_i64(&w, D_OFFER_KIND, c->offer_kind);
    lty__enc_i64(&w, D_OFFER_VALUE, c->offer_value);
    lty__enc_i64(&w, D_OFFER_COST, c->offer_cost);
    lty__enc_i64(&w, D_COST_PER_MESSAGE, c->cost_per_message);
    lty__enc_i64(&w, D_MAX_MESSAGES, c->max_messages);
    lty__enc_i64(&w, D_MAX_MONEY, c->max_money);
    lty__enc_i64(&w, D_CONTROL, c->control_bps);
    lty__enc_i64(&w, D_ATTRIBUTION, c->attribution_days);
    if (c->program[0])
        lty__enc_str(&w, D_PROGRAM, c->program);
    for (size_t i = 0; i < c->ntitle; i++)
        lty__enc_str(&w, D_TITLE, c->title[i]);
    lty__enc_i64(&w, D_OFFER_DAYS, c->offer_valid_days);
    return lty__enc_end(&w);
}

static int dec_text(const lty__field *f, size_t max, char *out)
{
    const char *s;
    size_t n;
    if (lty__field_text(f, 1, max, LTY__TEXT_LINE, &s, &n))
        return LTY_ECORRUPT;
    memcpy(out, s, n);
    out[n] = '\0';
    return LTY_OK;
}

static int dec_int(const lty__field *f, int64_t lo, int64_t hi, int *out)
{
    int64_t v;
    if (lty__field_int(f, lo, hi, &v))
        return LTY_ECORRUPT;
    *out = (int)v;
    return LTY_OK;
}

static int dec_double(const lty__field *f, double *out)
{
    uint64_t u;
    if (lty__field_u64(f, &u))
        return LTY_ECORRUPT;
    memcpy(out, &u, 8);
    return *out >= 0.0 && *out <= 1.0 ? LTY_OK : LTY_ECORRUPT;
}

static int decode_campaign(const void *data, size_t len, lty__campaign *c)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    uint64_t seen = 0;
    int r, rc, v = 0;
    memset(c, 0, sizeof *c);
    if ((rc = lty__dec_begin(&d, data, len, LTY__REC_CAMPAIGN,
                             CAMPAIGN_VERSION, &version)))
        return rc == LTY_EVERSION ? rc : LTY_ECORRUPT;
    c->pa_max = 1.0;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (f.tag != D_SEGMENT && f.tag != D_TAG && f.tag != D_TITLE &&
            lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        rc = LTY_OK;
        switch (f.tag) {
        case D_NAME: rc = dec_text(&f, LTY_TITLE_MAX, c->name); break;
        case D_SEGMENT:
            if (c->nseg == LTY_CAMPAIGN_LIST_MAX)
                return LTY_ECORRUPT;
            rc = dec_text(&f, LTY_TITLE_MAX, c->seg[c->nseg++]);
            break;
        case D_R_MIN: rc = dec_int(&f, 0, LTY_RFM_BINS_MAX, &c->r_min); break;
        case D_R_MAX: rc = dec_int(&f, 0, LTY_RFM_BINS_MAX, &c->r_max); break;
        case D_F_MIN: rc = dec_int(&f, 0, LTY_RFM_BINS_MAX, &c->f_min); break;
        case D_F_MAX: rc = dec_int(&f, 0, LTY_RFM_BINS_MAX, &c->f_max); break;
        case D_M_MIN: rc = dec_int(&f, 0, LTY_RFM_BINS_MAX, &c->m_min); break;
        case D_M_MAX: rc = dec_int(&f, 0, LTY_RFM_BINS_MAX, &c->m_max); break;
        case D_DAYS_MIN: rc = dec_int(&f, 0, 36600, &c->days_min); break;
        case D_DAYS_MAX: rc = dec_int(&f, 0, 36600, &c->days_max); break;
        case D_MONTH: rc = dec_int(&f, 0, 12, &c->month); break;
        case D_TAG:
            if (c->ntag == LTY_CAMPAIGN_LIST_MAX)
                return LTY_ECORRUPT;
            rc = dec_text(&f, LTY_LABEL_MAX, c->tag[c->ntag++]);
            break;
        case D_PA_MIN: rc = dec_double(&f, &c->pa_min); break;
        case D_PA_MAX: rc = dec_double(&f, &c->pa_max); break;
        case D_CHANNEL:
            rc = dec_int(&f, LTY_CHANNEL_NONE, LTY_CHANNEL_PUSH, &v);
            c->channel = (lty_channel)v;
            break;
        case D_TEMPLATE:
            rc = dec_text(&f, LTY_MESSAGE_ID_MAX, c->template_id);
            break;
        case D_PURPOSE:
            rc = dec_int(&f, LTY_PURPOSE_TRANSACTIONAL, LTY_PURPOSE_MARKETING, &v);
            c->purpose = (lty_purpose)v;
            break;
        case D_OFFER_KIND: rc = dec_int(&f, 0, LTY_REWARD_CASH, &c->offer_kind); break;
        case D_OFFER_VALUE: rc = lty__field_int(&f, 0, INT64_MAX, &c->offer_value); break;
        case D_OFFER_COST: rc = lty__field_int(&f, 0, INT64_MAX, &c->offer_cost); break;
        case D_COST_PER_MESSAGE:
            rc = lty__field_int(&f, 0, INT64_MAX, &c->cost_per_message);
            break;
        case D_MAX_MESSAGES: rc = lty__field_int(&f, 0, INT64_MAX, &c->max_messages); break;
        case D_MAX_MONEY: rc = lty__field_int(&f, 0, INT64_MAX, &c->max_money); break;
        case D_CONTROL: rc = dec_int(&f, 0, LTY__SHARE_SCALE * 9 / 10, &c->control_bps); break;
        case D_ATTRIBUTION: rc = dec_int(&f, 1, 365, &c->attribution_days); break;
        case D_PROGRAM: rc = dec_text(&f, LTY_ID_MAX, c->program); break;
        case D_TITLE:
            if (c->ntitle == LTY_CAMPAIGN_LIST_MAX)
                return LTY_ECORRUPT;
            rc = dec_text(&f, LTY_TITLE_MAX, c->title[c->ntitle++]);
            break;
        case D_OFFER_DAYS: rc = dec_int(&f, 0, 3660, &c->offer_valid_days); break;
        default: break; /* a later version's field */
        }
        if (rc)
            return LTY_ECORRUPT;
    }
    if (r != 0 || !c->name[0] || !c->template_id[0] || !c->purpose ||
        !c->attribution_days || c->pa_min > c->pa_max ||
        (c->ntitle && !c->program[0]))
        return LTY_ECORRUPT;
    return LTY_OK;
}

typedef struct define_op {
    const char *id;
    size_t idlen;
    lty__campaign c;
} define_op;

static int define_body(lty_engine *e, void *arg)
{
    define_op *op = arg;
    lty__key k;
    uint64_t rev = LTY_REV_NONE;
    key_campaign(&k, op->id, op->idlen);
    int rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND)
        rev = LTY_REV_NONE;
    else if (rc)
        return rc;
    if ((rc = encode_campaign(&op->c, &e->wbuf)))
        return lty__err(e, rc, "campaign definition: cannot encode");
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

int lty_campaign_define(lty_engine *e, const lty_campaign_def *def)
{
    define_op op;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    int rc = check_def(e, def, &op.c, &op.idlen);
    if (rc)
        return rc;
    op.id = def->id;
    return lty__txn(e, define_body, &op);
}

int lty__campaign_load(lty_engine *e, const char *id, size_t n,
                       lty__campaign *c)
{
    lty__key k;
    key_campaign(&k, id, n);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return lty__err(e, rc, "campaign: not defined");
    if (rc)
        return rc;
    if ((rc = decode_campaign(e->rbuf.data, e->rbuf.len, c)))
        return lty__corrupt(e, rc, "campaign definition");
    return LTY_OK;
}


/* ------------------------------------------------------------------ */
/* Reading definitions back                                            */
/* ------------------------------------------------------------------ */

static int collect_id(const char *key, size_t keylen, const void *val,
                      size_t len, uint64_t rev, void *ctx)
{
    lty_buf *ids = ctx;
    (void)val, (void)len, (void)rev;
    /* the id must be one a caller could pass back (a NUL in it would also
     * split it in two in the NUL-separated list) */
    if (keylen < 3 || keylen - 2 > LTY_ID_MAX ||
        !lty__text_valid(key + 2, keylen - 2, LTY__TEXT_LINE))
        return LTY_ECORRUPT;
    int rc = lty__buf_append(ids, key + 2, keylen - 2, NULL);
    return rc ? rc : lty__buf_append(ids, "", 1, NULL);
}

int lty__campaign_ids(lty_engine *e, lty_buf *ids)
{
    lty__buf_init(ids, &e->alloc);
    int rc = lty__scan(e, "K", 2, NULL, 0, collect_id, ids);
    if (rc == LTY_ECORRUPT)
        rc = lty__corrupt(e, rc, "campaign key");
    else if (rc == LTY_ENOMEM)
        rc = lty__err(e, rc, "campaign list: out of memory");
    if (rc)
        lty__buf_release(ids);
    return rc;
}

/* Bytes a string list of n entries needs after the definition. */
static size_t list_bytes(const char (*items)[LTY_TITLE_MAX + 1], size_t n)
{
    size_t b = n * sizeof(char *);
    for (size_t i = 0; i < n; i++)
        b += strlen(items[i]) + 1;
    return b;
}

/* Copies strings into the block at *cur, advancing it. */
static const char *put_str(char **cur, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = memcpy(*cur, s, n);
    *cur += n;
    return p;
}

typedef struct get_op {
    const char *id;
    size_t idlen;
    lty__campaign c;
} get_op;

static int get_body(lty_engine *e, void *arg)
{
    get_op *op = arg;
    return lty__campaign_load(e, op->id, op->idlen, &op->c);
}

int lty_campaign_get(lty_engine *e, const char *campaign_id,
                     lty_campaign_def **out)
{
    get_op op;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "campaign definition: NULL");
    *out = NULL;
    if ((rc = lty__campaign_check_id(e, campaign_id, &op.idlen)))
        return rc;
    op.id = campaign_id;
    if ((rc = lty__txn(e, get_body, &op)))
        return rc;
    const lty__campaign *c = &op.c;
    /* pointer arrays first (aligned after the struct), then the text */
    size_t tags = c->ntag * sizeof(char *);
    for (size_t i = 0; i < c->ntag; i++)
        tags += strlen(c->tag[i]) + 1;
    size_t size = sizeof(lty_campaign_def) +
                  list_bytes(c->seg, c->nseg) +
                  list_bytes(c->title, c->ntitle) +
                  tags + op.idlen + strlen(c->name) + strlen(c->template_id) +
                  strlen(c->program) + 4;
    lty_campaign_def *d = lty__user_alloc(&e->alloc, size);
    if (!d)
        return lty__err(e, LTY_ENOMEM, "campaign definition: out of memory");
    lty_campaign_def init = LTY_CAMPAIGN_DEF_INIT;
    *d = init;
    const char **segs = (const char **)(void *)(d + 1);
    const char **titles = segs + c->nseg;
    const char **tagv = titles + c->ntitle;
    char *cur = (char *)(tagv + c->ntag);
    d->id = put_str(&cur, campaign_id);
    d->name = put_str(&cur, c->name);
    d->template_id = put_str(&cur, c->template_id);
    for (size_t i = 0; i < c->nseg; i++)
        segs[i] = put_str(&cur, c->seg[i]);
    for (size_t i = 0; i < c->ntitle; i++)
        titles[i] = put_str(&cur, c->title[i]);
    for (size_t i = 0; i < c->ntag; i++)
        tagv[i] = put_str(&cur, c->tag[i]);
    d->program_id = c->program[0] ? put_str(&cur, c->program) : NULL;
    d->segments = c->nseg ? segs : NULL;
    d->segment_count = c->nseg;
    d->titles = c->ntitle ? titles : NULL;
    d->title_count = c->ntitle;
    d->tags = c->ntag ? tagv : NULL;
    d->tag_count = c->ntag;
    d->r_min = c->r_min, d->r_max = c->r_max;
    d->f_min = c->f_min, d->f_max = c->f_max;
    d->m_min = c->m_min, d->m_max = c->m_max;
    d->days_since_visit_min = c->days_min;
    d->days_since_visit_max = c->days_max;
    d->birthday_month = c->month;
    d->p_alive_min = c->pa_min;
    d->p_alive_max = c->pa_max;
    d->channel = c->channel;
    d->purpose = c->purpose;
    d->offer_kind = (lty_reward_kind)c->offer_kind;
    d->offer_value = c->offer_value;
    d->offer_cost = c->offer_cost;
    d->offer_valid_days = c->offer_valid_days;
    d->cost_per_message = c->cost_per_message;
    d->max_messages = c->max_messages;
    d->max_money = c->max_money;
    d->control_share = (double)c->control_bps / LTY__SHARE_SCALE;
    d->attribution_days = c->attribution_days;
    *out = d;
    return LTY_OK;
}

typedef struct list_op {
    lty_campaign_list_fn each;
    void *userdata;
    int stopped;               /* the callback's own return value */
} list_op;

static int list_body(lty_engine *e, void *arg)
{
    list_op *op = arg;
    lty_buf ids;
    int rc = lty__campaign_ids(e, &ids);
    if (rc)
        return rc;
    for (size_t off = 0; off < ids.len;) {
        const char *id = (const char *)ids.data + off;
        size_t n = strlen(id);
        off += n + 1;
        lty__campaign c;
        lty__results res;
        if ((rc = lty__campaign_load(e, id, n, &c)))
            break;
        rc = lty__campaign_results_load(e, id, n, &res);
        if (rc && rc != LTY_ENOTFOUND)
            break;
        int measured = rc == LTY_OK;
        if ((rc = op->each(id, c.name, measured, op->userdata))) {
            op->stopped = rc;
            break;
        }
    }
    lty__buf_release(&ids);
    return rc;
}

int lty_campaign_list(lty_engine *e, lty_campaign_list_fn each, void *userdata)
{
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!each)
        return lty__err(e, LTY_EINVALID, "campaign list callback: NULL");
    list_op op = {each, userdata, 0};
    int rc = lty__txn(e, list_body, &op);
    return op.stopped ? op.stopped : rc;
}
