/*
 * libloyalty - campaigns: does a customer match a campaign's target, and
 * can its message reach them (consent and address hygiene, as the outbox
 * policy decides them; docs/guide/campaigns.md, "Eligibility").
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "loyalty/clv.h"
#include "loyalty/rfm.h"

#include "campaign_int.h"
#include "clv_int.h"
#include "contact_state.h"
#include "ledger_int.h"
#include "program_int.h"
#include "rfm_int.h"

static int in_range(int v, int lo, int hi)
{
    return (!lo || v >= lo) && (!hi || v <= hi);
}

static int str_eq(lty__str s, const char *z)
{
    size_t n = strlen(z);
    return s.n == n && memcmp(s.p, z, n) == 0;
}

/* The customer's stored RFM scores: *have 0 when there are none. */
static int load_scores(lty_engine *e, const char *cid, size_t cn,
                       lty_rfm_scores *z, int *have)
{
    lty__key k;
    memset(z, 0, sizeof *z);
    z->version = LTY_RFM_SCORES_VERSION;
    *have = 0;
    lty__key_customer(&k, cid, cn);
    lty__key_add(&k, "Z", 1);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK;
    if (rc)
        return rc;
    if ((rc = lty__rfm_scores_decode(e->rbuf.data, e->rbuf.len, z)))
        return lty__corrupt(e, rc, "rfm scores");
    *have = 1;
    return LTY_OK;
}

/* Is the customer's title or tier in the program one of the target's? */
static int title_match(lty_engine *e, const lty__campaign *c, const char *cid,
                       size_t cn, int64_t now, int *match)
{
    const lty__programs *ps;
    int rc = lty__programs_current(e, &ps);
    if (rc)
        return rc;
    const lty__program *p = lty__program_find(ps, c->program,
                                              strlen(c->program));
    if (!p)
        return lty__err(e, LTY_ENOTFOUND, "campaign program: not defined");
    lty_program_status st;
    st.version = LTY_PROGRAM_STATUS_VERSION;
    if ((rc = lty__program_status(e, p, cid, cn, now, &st)))
        return rc;
    *match = 0;
    for (size_t i = 0; i < c->ntitle && !*match; i++)
        *match = strcmp(st.title, c->title[i]) == 0;
    return LTY_OK;
}

int lty__campaign_target(lty_engine *e, const lty__campaign *c,
                         const char *cid, size_t cn, const lty__profile *p,
                         int64_t now, int *match,
                         char segment[LTY_TITLE_MAX + 1])
{
    lty__key k;
    lty_rfm_scores z;
    int rc, have;
    *match = 0;
    segment[0] = '\0';
    if ((rc = load_scores(e, cid, cn, &z, &have)))
        return rc;
    if (have)
        memcpy(segment, z.segment, LTY_TITLE_MAX + 1);
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
        if (!have)
            return LTY_OK;
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
    if (c->ntitle) {
        int ok = 0;
        if ((rc = title_match(e, c, cid, cn, now, &ok)) || !ok)
            return rc;
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

/* LTY__REACH_OK, LTY__REACH_CONSENT or LTY__REACH_CONTACT for one channel (as the dispatcher). */
static int channel_status(const lty__campaign *c, const lty__profile *p,
                          lty__contact *ct, lty_channel ch)
{
    char addr[LTY_TEMPLATE_MAX + 1];
    lty__str s = {NULL, 0};
    int marketing = c->purpose == LTY_PURPOSE_MARKETING;
    if (marketing && !consent_of(p, ch))
        return LTY__REACH_CONSENT;
    if (ch == LTY_CHANNEL_SMS || ch == LTY_CHANNEL_KAKAO)
        s = p->phone;
    else if (ch == LTY_CHANNEL_EMAIL)
        s = p->email;
    if (ch != LTY_CHANNEL_PUSH) {
        if (!s.n || s.n >= sizeof addr)
            return LTY__REACH_CONTACT;
        memcpy(addr, s.p, s.n);
    }
    addr[s.n] = '\0';
    lty__contact_channel *x = lty__contact_for(ct, ch, addr);
    if (x->invalid)
        return LTY__REACH_CONTACT;
    if (marketing && ch == LTY_CHANNEL_EMAIL && x->marketing_suppressed)
        return LTY__REACH_CONTACT;
    return LTY__REACH_OK;
}

int lty__campaign_reach(lty_engine *e, const lty__campaign *c, const char *cid,
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
    int best = LTY__REACH_CONSENT;
    for (int ch = LTY_CHANNEL_SMS; ch <= LTY_CHANNEL_PUSH; ch++) {
        int st = channel_status(c, p, &ct, (lty_channel)ch);
        if (st == LTY__REACH_OK) {
            best = LTY__REACH_OK;
            break;
        }
        if (st == LTY__REACH_CONTACT)
            best = LTY__REACH_CONTACT;
    }
    *status = best;
    return LTY_OK;
}
