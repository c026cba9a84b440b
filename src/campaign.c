/*
 * libloyalty - campaigns: definition, targeting, eligibility and launch.
 *
 * Keys (docs/guide/record-format.md):
 *   K\0<campaign id>             the definition (kind 29, version 1)
 *   C\0<customer>\0Q<campaign>   membership (kind 30, version 1): group
 *                                and launch time; no personal data, moved
 *                                by erasure (customer_rekey.c)
 * The treatment group's message is "campaign/<campaign>/<customer>"
 * (escaped as every message id), so relaunching never plans it twice.
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loyalty/campaign.h"
#include "loyalty/clv.h"
#include "loyalty/rfm.h"

#include "clv_int.h"
#include "codec_int.h"
#include "contact_state.h"
#include "customer_int.h"
#include "keys_int.h"
#include "ledger_int.h"
#include "outbox_record.h"
#include "plan_int.h"
#include "program_int.h"
#include "rfm_int.h"
#include "validate_int.h"

#define CAMPAIGN_VERSION 1
#define MEMBER_VERSION 1
#define SHARE_SCALE 10000

typedef struct campaign {
    char name[LTY_TITLE_MAX + 1];
    size_t nseg;
    char seg[LTY_CAMPAIGN_LIST_MAX][LTY_TITLE_MAX + 1];
    int r_min, r_max, f_min, f_max, m_min, m_max;
    int days_min, days_max, month;
    size_t ntag;
    char tag[LTY_CAMPAIGN_LIST_MAX][LTY_LABEL_MAX + 1];
    double pa_min, pa_max;
    lty_channel channel;
    char template_id[LTY_MESSAGE_ID_MAX + 1];
    lty_purpose purpose;
    int offer_kind;
    int64_t offer_value, offer_cost, cost_per_message;
    int64_t max_messages, max_money;
    int control_bps;           /* share in 1/10000 */
    int attribution_days;
} campaign;

enum {
    D_NAME = 1, D_SEGMENT, D_R_MIN, D_R_MAX, D_F_MIN, D_F_MAX, D_M_MIN,
    D_M_MAX, D_DAYS_MIN, D_DAYS_MAX, D_MONTH, D_TAG, D_PA_MIN, D_PA_MAX,
    D_CHANNEL, D_TEMPLATE, D_PURPOSE, D_OFFER_KIND, D_OFFER_VALUE,
    D_OFFER_COST, D_COST_PER_MESSAGE, D_MAX_MESSAGES, D_MAX_MONEY,
    D_CONTROL, D_ATTRIBUTION
};
enum { Q_GROUP = 1, Q_LAUNCHED = 2 };

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

static void key_member(lty__key *k, const char *cid, size_t cn,
                       const char *id, size_t n)
{
    lty__key_customer(k, cid, cn);
    lty__key_add(k, "Q", 1);
    lty__key_add(k, id, n);
}

static int check_campaign_id(lty_engine *e, const char *id, size_t *n)
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

static int check_def(lty_engine *e, const lty_campaign_def *d, campaign *c,
                     size_t *idlen)
{
    size_t n;
    int rc;
    if (!d)
        return lty__err(e, LTY_EINVALID, "campaign definition: NULL");
    if ((rc = lty__check_version(e, "campaign definition", d->version,
                                 LTY_CAMPAIGN_DEF_VERSION)) ||
        (rc = check_campaign_id(e, d->id, idlen)))
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
    c->control_bps = (int)lround(d->control_share * SHARE_SCALE);
    if (d->attribution_days < 1 || d->attribution_days > 365)
        return lty__err(e, LTY_EINVALID, "attribution days: not 1..365");
    c->attribution_days = d->attribution_days;
    return LTY_OK;
}

static int encode_campaign(const campaign *c, lty_buf *out)
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

static int decode_campaign(const void *data, size_t len, campaign *c)
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
        if (f.tag != D_SEGMENT && f.tag != D_TAG && lty__dec_once(&seen, f.tag))
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
        case D_CONTROL: rc = dec_int(&f, 0, SHARE_SCALE * 9 / 10, &c->control_bps); break;
        case D_ATTRIBUTION: rc = dec_int(&f, 1, 365, &c->attribution_days); break;
        default: break; /* a later version's field */
        }
        if (rc)
            return LTY_ECORRUPT;
    }
    if (r != 0 || !c->name[0] || !c->template_id[0] || !c->purpose ||
        !c->attribution_days || c->pa_min > c->pa_max)
        return LTY_ECORRUPT;
    return LTY_OK;
}

typedef struct define_op {
    const char *id;
    size_t idlen;
    campaign c;
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

static int load_campaign(lty_engine *e, const char *id, size_t n, campaign *c)
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
/* Membership                                                          */
/* ------------------------------------------------------------------ */

static int encode_member(int group, int64_t launched, lty_buf *out)
{
    lty__enc w;
    lty__enc_begin(&w, out, LTY__REC_CAMPAIGN_MEMBER, MEMBER_VERSION);
    lty__enc_i64(&w, Q_GROUP, group);
    lty__enc_i64(&w, Q_LAUNCHED, launched);
    return lty__enc_end(&w);
}

static int decode_member(const void *data, size_t len, int *group,
                         int64_t *launched)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    uint64_t seen = 0;
    int r, rc;
    *group = 0;
    *launched = 0;
    if ((rc = lty__dec_begin(&d, data, len, LTY__REC_CAMPAIGN_MEMBER,
                             MEMBER_VERSION, &version)))
        return rc == LTY_EVERSION ? rc : LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        if (f.tag == Q_GROUP) {
            if (dec_int(&f, LTY_CAMPAIGN_TREATMENT, LTY_CAMPAIGN_CONTROL, group))
                return LTY_ECORRUPT;
        } else if (f.tag == Q_LAUNCHED) {
            if (lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, launched))
                return LTY_ECORRUPT;
        }
    }
    return r == 0 && *group ? LTY_OK : LTY_ECORRUPT;
}

/* 0 and *group 0 when the customer is no member. */
static int load_member(lty_engine *e, const char *cid, size_t cn,
                       const char *id, size_t n, int *group, int64_t *launched)
{
    lty__key k;
    key_member(&k, cid, cn, id, n);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    *group = 0;
    *launched = 0;
    if (rc == LTY_ENOTFOUND)
        return LTY_OK;
    if (rc)
        return rc;
    if ((rc = decode_member(e->rbuf.data, e->rbuf.len, group, launched)))
        return lty__corrupt(e, rc, "campaign membership");
    return LTY_OK;
}

int lty_campaign_member_get(lty_engine *e, const char *campaign_id,
                            const char *customer_id, lty_campaign_member *out)
{
    size_t n, cn;
    int group, rc;
    int64_t launched;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "campaign member: NULL");
    if ((rc = lty__check_version(e, "campaign member", out->version,
                                 LTY_CAMPAIGN_MEMBER_VERSION)) ||
        (rc = check_campaign_id(e, campaign_id, &n)) ||
        (rc = lty__check_id(e, "customer id", customer_id, &cn)) ||
        (rc = load_member(e, customer_id, cn, campaign_id, n, &group, &launched)))
        return rc;
    if (!group)
        return lty__err(e, LTY_ENOTFOUND, "campaign member: not a member");
    out->group = (lty_campaign_group)group;
    out->launched_at = launched;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* Targeting and eligibility                                           */
/* ------------------------------------------------------------------ */

enum { ST_OK = 0, ST_TARGET, ST_CONSENT, ST_CONTACT };

static int in_range(int v, int lo, int hi)
{
    return (!lo || v >= lo) && (!hi || v <= hi);
}

static int str_eq(lty__str s, const char *z)
{
    size_t n = strlen(z);
    return s.n == n && memcmp(s.p, z, n) == 0;
}

/* Does the customer match the target?  *match 0 or 1. */
static int target_match(lty_engine *e, const campaign *c, const char *cid,
                        size_t cn, const lty__profile *p, int64_t now,
                        int *match)
{
    lty__key k;
    int rc;
    *match = 0;
    if (c->month && p->birthday.month != c->month)
        return LTY_OK;
    if (c->ntag) {
        int any = 0;
        for (size_t i = 0; i < c->ntag && !any; i++)
            for (size_t j = 0; j < p->ntag && !any; j++)
                any = str_eq(p->tag[j], c->tag[i]);
        if (!any)
            return LTY_OK;
    }
    if (c->days_min || c->days_max) {
        lty__stats s;
        uint64_t rev;
        if ((rc = lty__stats_load(e, cid, cn, &s, &rev)))
            return rc;
        if (s.visits == 0)
            return LTY_OK;
        int64_t days = now >= s.last_visit ? (now - s.last_visit) / 86400 : 0;
        if ((c->days_min && days < c->days_min) ||
            (c->days_max && days > c->days_max))
            return LTY_OK;
    }
    if (c->nseg || c->r_min || c->r_max || c->f_min || c->f_max || c->m_min ||
        c->m_max) {
        lty_rfm_scores z;
        memset(&z, 0, sizeof z);
        z.version = LTY_RFM_SCORES_VERSION;
        lty__key_customer(&k, cid, cn);
        lty__key_add(&k, "Z", 1);
        rc = lty__get(e, k.b, k.n, NULL, NULL);
        if (rc == LTY_ENOTFOUND)
            return LTY_OK;
        if (rc)
            return rc;
        if ((rc = lty__rfm_scores_decode(e->rbuf.data, e->rbuf.len, &z)))
            return lty__corrupt(e, rc, "rfm scores");
        if (!in_range(z.r, c->r_min, c->r_max) ||
            !in_range(z.f, c->f_min, c->f_max) ||
            !in_range(z.m, c->m_min, c->m_max))
            return LTY_OK;
        if (c->nseg) {
            int any = 0;
            for (size_t i = 0; i < c->nseg && !any; i++)
                any = strcmp(z.segment, c->seg[i]) == 0;
            if (!any)
                return LTY_OK;
        }
    }
    if (c->pa_min > 0.0 || c->pa_max < 1.0) {
        lty_clv_figures v;
        memset(&v, 0, sizeof v);
        v.version = LTY_CLV_FIGURES_VERSION;
        lty__key_customer(&k, cid, cn);
        lty__key_add(&k, "V", 1);
        rc = lty__get(e, k.b, k.n, NULL, NULL);
        if (rc == LTY_ENOTFOUND)
            return LTY_OK;
        if (rc)
            return rc;
        if ((rc = lty__clv_figures_decode(e->rbuf.data, e->rbuf.len, &v)))
            return lty__corrupt(e, rc, "clv figures");
        if (v.p_alive < c->pa_min || v.p_alive > c->pa_max)
            return LTY_OK;
    }
    *match = 1;
    return LTY_OK;
}

static int consent_of(const lty__profile *p, lty_channel ch)
{
    for (size_t i = 0; i < p->nconsent; i++)
        if (p->consent[i].channel == (int)ch &&
            p->consent[i].purpose == LTY_PURPOSE_MARKETING)
            return p->consent[i].granted;
    return 0;
}

/* ST_OK, ST_CONSENT or ST_CONTACT for one channel (as the dispatcher). */
static int channel_status(const campaign *c, const lty__profile *p,
                          lty__contact *ct, lty_channel ch)
{
    char addr[LTY_TEMPLATE_MAX + 1];
    lty__str s = {NULL, 0};
    int marketing = c->purpose == LTY_PURPOSE_MARKETING;
    if (marketing && !consent_of(p, ch))
        return ST_CONSENT;
    if (ch == LTY_CHANNEL_SMS || ch == LTY_CHANNEL_KAKAO)
        s = p->phone;
    else if (ch == LTY_CHANNEL_EMAIL)
        s = p->email;
    if (ch != LTY_CHANNEL_PUSH) {
        if (!s.n || s.n >= sizeof addr)
            return ST_CONTACT;
        memcpy(addr, s.p, s.n);
    }
    addr[s.n] = '\0';
    lty__contact_channel *x = lty__contact_for(ct, ch, addr);
    if (x->invalid)
        return ST_CONTACT;
    if (marketing && ch == LTY_CHANNEL_EMAIL && x->marketing_suppressed)
        return ST_CONTACT;
    return ST_OK;
}

static int reach_status(lty_engine *e, const campaign *c, const char *cid,
                        size_t cn, const lty__profile *p, int *status)
{
    lty__contact ct;
    uint64_t rev;
    int rc = lty__contact_load(e, cid, cn, &ct, &rev);
    if (rc)
        return rc;
    if (c->channel != LTY_CHANNEL_NONE) {
        *status = channel_status(c, p, &ct, c->channel);
        return LTY_OK;
    }
    int best = ST_CONSENT;
    for (int ch = LTY_CHANNEL_SMS; ch <= LTY_CHANNEL_PUSH; ch++) {
        int st = channel_status(c, p, &ct, (lty_channel)ch);
        if (st == ST_OK) {
            best = ST_OK;
            break;
        }
        if (st == ST_CONTACT)
            best = ST_CONTACT;
    }
    *status = best;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The pass shared by eligibility and launch                           */
/* ------------------------------------------------------------------ */

typedef struct pass_op {
    const char *id;
    size_t idlen;
    int launch;
    int64_t now;
    campaign c;
    lty_campaign_report r;
    lty_buf prof;
    int simulate;              /* add up the eligible customers' spend */
    double spend, purchases;
} pass_op;

static int is_control(const char *id, size_t n, const char *cid, size_t cn,
                      int bps)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)id[i]) * UINT64_C(1099511628211);
    h = (h ^ 0) * UINT64_C(1099511628211);
    for (size_t i = 0; i < cn; i++)
        h = (h ^ (unsigned char)cid[i]) * UINT64_C(1099511628211);
    /* splitmix64 finaliser: spread the low bits */
    h ^= h >> 30;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    h ^= h >> 27;
    h *= UINT64_C(0x94d049bb133111eb);
    h ^= h >> 31;
    return (int)(h % SHARE_SCALE) < bps;
}

/* "campaign/<campaign>/<customer>", escaped as every message id. */
static void message_id(lty__msgid *m, const char *id, size_t n,
                       const char *cid, size_t cn)
{
    lty__idpart parts[2] = {{id, n}, {cid, cn}};
    lty__msgid_prefix(m, "campaign", parts, 2, 0);
    m->b[--m->n] = '\0'; /* no trailing '/' */
}

static int plan_message(lty_engine *e, pass_op *op, const char *cid, size_t cn)
{
    lty__msgid m;
    message_id(&m, op->id, op->idlen, cid, cn);
    char amount[32];
    lty_param params[1] = {{"amount", amount}};
    snprintf(amount, sizeof amount, "%lld", (long long)op->c.offer_value);
    lty__plan p;
    memset(&p, 0, sizeof p);
    p.id = m.b;
    p.idlen = m.n;
    p.cid = cid;
    p.cn = cn;
    p.template_id = op->c.template_id;
    p.purpose = op->c.purpose;
    p.channel = op->c.channel;
    p.due = op->now;
    p.params = params;
    p.nparams = op->c.offer_kind ? 1 : 0;
    p.customer_known = 1;
    int rc = lty__plan_check(e, &p);
    return rc ? rc : lty__outbox_plan(e, &p);
}

static int pass_body(lty_engine *e, void *arg)
{
    pass_op *op = arg;
    lty_buf ids;
    unsigned char *groups = NULL;
    size_t count = 0;
    int rc;
    unsigned version = op->r.version;
    memset(&op->r, 0, sizeof op->r);
    op->r.version = version;
    if ((rc = load_campaign(e, op->id, op->idlen, &op->c)))
        return rc;
    const campaign *c = &op->c;
    int64_t unit;
    if (__builtin_add_overflow(c->cost_per_message, c->offer_cost, &unit))
        return lty__err(e, LTY_ERANGE, "campaign cost: would overflow");
    if ((rc = lty__collect_customers(e, 'P', &ids)))
        return rc;
    for (size_t off = 0; off < ids.len; off += strlen((const char *)ids.data + off) + 1)
        count++;
    if (count && !(groups = lty__malloc(&e->alloc, count))) {
        rc = lty__err(e, LTY_ENOMEM, "campaign: out of memory");
        goto out;
    }
    /* first the budget spent by earlier launches */
    int64_t msgs = 0, money = 0;
    size_t i = 0;
    for (size_t off = 0; off < ids.len; i++) {
        const char *cid = (const char *)ids.data + off;
        size_t cn = strlen(cid);
        int g;
        int64_t t;
        if ((rc = load_member(e, cid, cn, op->id, op->idlen, &g, &t)))
            goto out;
        groups[i] = (unsigned char)g;
        if (g == LTY_CAMPAIGN_TREATMENT) {
            msgs++;
            if (__builtin_add_overflow(money, unit, &money)) {
                rc = lty__err(e, LTY_ERANGE, "campaign cost: would overflow");
                goto out;
            }
        }
        off += cn + 1;
    }
    int full = 0;
    i = 0;
    for (size_t off = 0; off < ids.len; i++) {
        const char *cid = (const char *)ids.data + off;
        size_t cn = strlen(cid);
        off += cn + 1;
        op->r.customers++;
        if (groups[i]) {
            op->r.members++;
            continue;
        }
        lty__profile p;
        uint64_t prev;
        int match, st;
        if ((rc = lty__profile_load(e, cid, cn, &op->prof, &p, &prev)) ||
            (rc = target_match(e, c, cid, cn, &p, op->now, &match)))
            goto out;
        if (!match) {
            op->r.not_in_target++;
            continue;
        }
        if ((rc = reach_status(e, c, cid, cn, &p, &st)))
            goto out;
        if (st == ST_CONSENT) {
            op->r.no_consent++;
            continue;
        }
        if (st == ST_CONTACT) {
            op->r.contact_invalid++;
            continue;
        }
        if (!full && ((c->max_messages && msgs >= c->max_messages) ||
                      (c->max_money && (money > c->max_money - unit))))
            full = 1;
        if (full) {
            op->r.over_budget++;
            continue;
        }
        int group = is_control(op->id, op->idlen, cid, cn, c->control_bps)
                        ? LTY_CAMPAIGN_CONTROL
                        : LTY_CAMPAIGN_TREATMENT;
        op->r.eligible++;
        if (group == LTY_CAMPAIGN_CONTROL) {
            op->r.control++;
        } else {
            op->r.treatment++;
            msgs++;
            money += unit;
            op->r.cost += unit;
        }
        if (op->simulate) {
            lty__stats st0;
            uint64_t srev;
            if ((rc = lty__stats_load(e, cid, cn, &st0, &srev)))
                goto out;
            op->spend += (double)st0.net_spend;
            op->purchases += (double)st0.purchases;
        }
        if (!op->launch)
            continue;
        if (group == LTY_CAMPAIGN_TREATMENT) {
            if ((rc = plan_message(e, op, cid, cn)))
                goto out;
            op->r.planned++;
        }
        lty__key k;
        key_member(&k, cid, cn, op->id, op->idlen);
        if ((rc = encode_member(group, op->now, &e->wbuf))) {
            rc = lty__err(e, rc, "campaign membership: cannot encode");
            goto out;
        }
        if ((rc = lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len,
                           LTY_REV_NONE, NULL)))
            goto out;
    }
out:
    lty__free(&e->alloc, groups);
    lty__buf_release(&ids);
    return rc;
}

static int run_pass(lty_engine *e, const char *campaign_id, int launch,
                    int64_t now, lty_campaign_report *out)
{
    pass_op op;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    memset(&op, 0, sizeof op);
    if (out && (rc = lty__check_version(e, "campaign report", out->version,
                                        LTY_CAMPAIGN_REPORT_VERSION)))
        return rc;
    if (!out && !launch)
        return lty__err(e, LTY_EINVALID, "campaign report: NULL");
    if ((rc = check_campaign_id(e, campaign_id, &op.idlen)))
        return rc;
    if (now == LTY_TIME_NOW)
        now = lty__now(e);
    else if ((rc = lty__check_time(e, "launch time", now)))
        return rc;
    op.id = campaign_id;
    op.launch = launch;
    op.now = now;
    op.r.version = LTY_CAMPAIGN_REPORT_VERSION;
    lty__buf_init(&op.prof, &e->alloc);
    rc = lty__txn(e, pass_body, &op);
    lty__buf_release(&op.prof);
    if (!rc && out)
        *out = op.r;
    return rc;
}

int lty_campaign_eligibility(lty_engine *e, const char *campaign_id,
                             lty_campaign_report *out)
{
    return run_pass(e, campaign_id, 0, LTY_TIME_NOW, out);
}

int lty_campaign_launch(lty_engine *e, const char *campaign_id, int64_t now,
                        lty_campaign_report *out)
{
    return run_pass(e, campaign_id, 1, now, out);
}

/* ------------------------------------------------------------------ */
/* Measurement                                                         */
/* ------------------------------------------------------------------ */

typedef struct measure_op {
    const char *id;
    size_t idlen;
    int64_t now;
    campaign c;
    lty_campaign_result r;
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

static int measure_member(lty_engine *e, measure_op *op, const char *cid,
                          size_t cn, int group, int64_t launched)
{
    lty_campaign_result *r = &op->r;
    int64_t start = launched;
    int rc;
    if (group == LTY_CAMPAIGN_TREATMENT) {
        lty__msgid m;
        lty__msg msg;
        uint64_t rev;
        message_id(&m, op->id, op->idlen, cid, cn);
        rc = lty__msg_load(e, m.b, m.n, &msg, &rev);
        if (rc && rc != LTY_ENOTFOUND)
            return rc;
        if (rc == LTY_ENOTFOUND || !msg.sent) {
            r->unsent++;
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
    if (group == LTY_CAMPAIGN_TREATMENT) {
        r->treatment++;
        r->treatment_responders += (uint64_t)w.responded;
        revenue = &r->treatment_revenue;
    } else {
        r->control++;
        r->control_responders += (uint64_t)w.responded;
        revenue = &r->control_revenue;
    }
    if (__builtin_add_overflow(*revenue, w.revenue, revenue))
        return lty__err(e, LTY_ERANGE, "campaign revenue: would overflow");
    return LTY_OK;
}

/* The 95th percentile of the standard normal: a two-sided 90% interval. */
#define Z90 1.6448536269514722

static void measure_figures(const campaign *c, lty_campaign_result *r)
{
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
    double cost = (double)r->treatment *
                  ((double)c->cost_per_message + (double)c->offer_cost);
    r->cost = cost >= 9.2e18 ? INT64_MAX : (int64_t)cost;
    r->roi = r->cost ? (r->incremental_revenue - (double)r->cost) /
                           (double)r->cost
                     : 0.0;
}

static int measure_body(lty_engine *e, void *arg)
{
    measure_op *op = arg;
    lty_buf ids;
    int rc;
    memset(&op->r, 0, sizeof op->r);
    op->r.version = LTY_CAMPAIGN_RESULT_VERSION;
    if ((rc = load_campaign(e, op->id, op->idlen, &op->c)))
        return rc;
    if ((rc = lty__collect_customers(e, 'P', &ids)))
        return rc;
    for (size_t off = 0; off < ids.len;) {
        const char *cid = (const char *)ids.data + off;
        size_t cn = strlen(cid);
        int g;
        int64_t t;
        off += cn + 1;
        if ((rc = load_member(e, cid, cn, op->id, op->idlen, &g, &t)))
            break;
        if (g && (rc = measure_member(e, op, cid, cn, g, t)))
            break;
    }
    lty__buf_release(&ids);
    if (!rc)
        measure_figures(&op->c, &op->r);
    return rc;
}

int lty_campaign_measure(lty_engine *e, const char *campaign_id, int64_t now,
                         lty_campaign_result *out)
{
    measure_op op;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "campaign result: NULL");
    if ((rc = lty__check_version(e, "campaign result", out->version,
                                 LTY_CAMPAIGN_RESULT_VERSION)))
        return rc;
    memset(&op, 0, sizeof op);
    if ((rc = check_campaign_id(e, campaign_id, &op.idlen)))
        return rc;
    if (now == LTY_TIME_NOW)
        now = lty__now(e);
    else if ((rc = lty__check_time(e, "measurement time", now)))
        return rc;
    op.id = campaign_id;
    op.now = now;
    rc = lty__txn(e, measure_body, &op);
    if (!rc)
        *out = op.r;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Simulation                                                          */
/* ------------------------------------------------------------------ */

typedef struct simulate_op {
    pass_op pass;
    lty_campaign_forecast f;
} simulate_op;

static int collect_def(const char *key, size_t keylen, const void *val,
                       size_t len, uint64_t rev, void *ctx)
{
    lty_buf *ids = ctx;
    (void)val, (void)len, (void)rev;
    if (keylen < 3)
        return LTY_OK;
    int rc = lty__buf_append(ids, key + 2, keylen - 2, NULL);
    return rc ? rc : lty__buf_append(ids, "", 1, NULL);
}

static int simulate_body(lty_engine *e, void *arg)
{
    simulate_op *op = arg;
    pass_op *p = &op->pass;
    lty_campaign_forecast *f = &op->f;
    lty_buf ids;
    int rc;
    p->r.version = LTY_CAMPAIGN_REPORT_VERSION;
    p->spend = p->purchases = 0.0;
    f->history_campaigns = f->history_responders = 0;
    f->history_nonresponders = 0;
    if ((rc = pass_body(e, p)))
        return rc;
    lty__buf_init(&ids, &e->alloc);
    rc = lty__scan(e, "K", 2, NULL, 0, collect_def, &ids);
    for (size_t off = 0; !rc && off < ids.len;) {
        const char *id = (const char *)ids.data + off;
        size_t n = strlen(id);
        off += n + 1;
        if (n == p->idlen && memcmp(id, p->id, n) == 0)
            continue;
        campaign c;
        if ((rc = load_campaign(e, id, n, &c)))
            break;
        if (c.channel != p->c.channel)
            continue;
        measure_op m;
        memset(&m, 0, sizeof m);
        m.id = id;
        m.idlen = n;
        m.now = p->now;
        if ((rc = measure_body(e, &m)))
            break;
        if (!m.r.treatment)
            continue;
        f->history_campaigns++;
        f->history_responders += m.r.treatment_responders;
        f->history_nonresponders += m.r.treatment - m.r.treatment_responders;
    }
    lty__buf_release(&ids);
    return rc;
}

/* xorshift64*, seeded through splitmix64 so that any seed works. */
static uint64_t sim_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(2685821657736338717);
}

static double sim_uniform(uint64_t *s)
{
    return ((double)(sim_next(s) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double sim_normal(uint64_t *s)
{
    double u1 = sim_uniform(s), u2 = sim_uniform(s);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Marsaglia-Tsang; shape >= 1 here (the prior is 1 plus counts). */
static double sim_gamma(uint64_t *s, double shape)
{
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = sim_normal(s), v = 1.0 + c * x;
        if (v <= 0.0)
            continue;
        v = v * v * v;
        double u = sim_uniform(s);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

static double sim_beta(uint64_t *s, double a, double b)
{
    double x = sim_gamma(s, a), y = sim_gamma(s, b);
    return x / (x + y);
}

/* Binomial(n, p): exact for n <= 64, else the normal approximation. */
static double sim_binomial(uint64_t *s, uint64_t n, double p)
{
    if (n <= 64) {
        uint64_t k = 0;
        for (uint64_t i = 0; i < n; i++)
            k += sim_uniform(s) < p;
        return (double)k;
    }
    double nn = (double)n;
    double k = nn * p + sqrt(nn * p * (1.0 - p)) * sim_normal(s);
    return k < 0.0 ? 0.0 : k > nn ? nn : floor(k + 0.5);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void simulate_figures(const campaign *c, uint64_t seed,
                             lty_campaign_forecast *f)
{
    double draws[LTY_CAMPAIGN_SIMULATION_DRAWS];
    uint64_t n = f->eligibility.treatment;
    f->prior_alpha = 1.0;
    f->prior_beta = 1.0;
    f->from_history = f->history_responders + f->history_nonresponders > 0;
    f->posterior_alpha = f->prior_alpha + (double)f->history_responders;
    f->posterior_beta = f->prior_beta + (double)f->history_nonresponders;
    f->response_rate = f->posterior_alpha /
                       (f->posterior_alpha + f->posterior_beta);
    f->expected_responders = (double)n * f->response_rate;
    f->expected_revenue = f->expected_responders * f->spend_per_purchase;
    f->cost = (double)n * ((double)c->cost_per_message +
                           (double)c->offer_cost);
    f->roi = f->roi_low = f->roi_high = 0.0;
    if (f->cost <= 0.0)
        return;
    f->roi = (f->expected_revenue - f->cost) / f->cost;
    uint64_t s = seed + UINT64_C(0x9e3779b97f4a7c15);
    s = (s ^ (s >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    s = (s ^ (s >> 27)) * UINT64_C(0x94d049bb133111eb);
    s ^= s >> 31;
    if (!s)
        s = UINT64_C(0x9e3779b97f4a7c15);
    for (size_t i = 0; i < LTY_CAMPAIGN_SIMULATION_DRAWS; i++) {
        double p = sim_beta(&s, f->posterior_alpha, f->posterior_beta);
        double k = sim_binomial(&s, n, p);
        draws[i] = (k * f->spend_per_purchase - f->cost) / f->cost;
    }
    qsort(draws, LTY_CAMPAIGN_SIMULATION_DRAWS, sizeof draws[0], cmp_double);
    f->roi_low = draws[(LTY_CAMPAIGN_SIMULATION_DRAWS - 1) * 5 / 100];
    f->roi_high = draws[(LTY_CAMPAIGN_SIMULATION_DRAWS - 1) * 95 / 100];
}

int lty_campaign_simulate(lty_engine *e, const char *campaign_id,
                          uint64_t seed, lty_campaign_forecast *out)
{
    simulate_op op;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "campaign forecast: NULL");
    if ((rc = lty__check_version(e, "campaign forecast", out->version,
                                 LTY_CAMPAIGN_FORECAST_VERSION)))
        return rc;
    memset(&op, 0, sizeof op);
    if ((rc = check_campaign_id(e, campaign_id, &op.pass.idlen)))
        return rc;
    op.pass.id = campaign_id;
    op.pass.now = lty__now(e);
    op.pass.simulate = 1;
    op.f.version = LTY_CAMPAIGN_FORECAST_VERSION;
    lty__buf_init(&op.pass.prof, &e->alloc);
    rc = lty__txn(e, simulate_body, &op);
    lty__buf_release(&op.pass.prof);
    if (rc)
        return rc;
    op.f.eligibility = op.pass.r;
    op.f.spend_per_purchase = op.pass.purchases > 0.0
                                  ? op.pass.spend / op.pass.purchases
                                  : 0.0;
    simulate_figures(&op.pass.c, seed, &op.f);
    *out = op.f;
    return LTY_OK;
}
