/*
 * libloyalty - campaigns: the pass over every customer shared by
 * eligibility, launch and simulation.  Launch assigns treatment and control
 * by a hash of (campaign, customer), plans the treatment group's messages,
 * issues the offer's reward and records membership, in one transaction.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "campaign_int.h"
#include "ledger_int.h"
#include "plan_int.h"
#include "program_int.h"
#include "validate_int.h"

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
    return (int)(h % LTY__SHARE_SCALE) < bps;
}

void lty__campaign_message_id(lty__msgid *m, const char *id, size_t n,
                              const char *cid, size_t cn)
{
    lty__idpart parts[2] = {{id, n}, {cid, cn}};
    lty__msgid_prefix(m, "campaign", parts, 2, 0);
    m->b[--m->n] = '\0'; /* no trailing '/' */
}

static int plan_message(lty_engine *e, lty__pass *op, const char *cid,
                        size_t cn)
{
    lty__msgid m;
    lty__campaign_message_id(&m, op->id, op->idlen, cid, cn);
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

/* The offer's reward, code "<campaign>-<16 hex>" from (campaign,
 * customer): a relaunch or a retried transaction finds the same code. */
static int issue_offer(lty_engine *e, lty__pass *op, const char *cid,
                       size_t cn, char code[LTY_ID_MAX + 1])
{
    lty__reward_new r;
    int existed;
    lty__reward_code(code, op->id, op->idlen, cid, cn, 0);
    memset(&r, 0, sizeof r);
    r.code = code;
    r.customer_id = cid;
    r.cn = cn;
    r.program_id = NULL;
    r.name = op->c.name;
    r.kind = (lty_reward_kind)op->c.offer_kind;
    r.value = op->c.offer_value;
    r.valid_days = op->c.offer_valid_days;
    r.source = LTY_REWARD_BY_CAMPAIGN;
    r.issued = op->now;
    return lty__reward_put_new(e, &r, &existed);
}

/* Add an eligible treatment customer to its segment's row (simulation). */
static int add_to_segment(lty_engine *e, lty__pass *op, const char *cid,
                          size_t cn, const char *segment)
{
    lty__stats st;
    uint64_t rev;
    int rc;
    size_t i = lty__campaign_seg_row(op->seg, &op->nseg, sizeof op->seg[0],
                                     segment);
    if (i == SIZE_MAX)
        return lty__err(e, LTY_ERANGE, "campaign: more segments than "
                                       "LTY_CAMPAIGN_SEGMENTS_MAX");
    if ((rc = lty__stats_load(e, cid, cn, &st, &rev)))
        return rc;
    op->seg[i].treatment++;
    op->seg[i].spend += (double)st.net_spend;
    op->seg[i].purchases += (double)st.purchases;
    return LTY_OK;
}

/* A new member of the launch: message (treatment), offer, membership. */
static int enrol(lty_engine *e, lty__pass *op, const char *cid, size_t cn,
                 int group, const char *segment)
{
    lty__member m;
    lty__key k;
    int rc;
    memset(&m, 0, sizeof m);
    m.group = group;
    m.launched = op->now;
    memcpy(m.segment, segment, strlen(segment) + 1);
    if (group == LTY_CAMPAIGN_TREATMENT) {
        if ((rc = plan_message(e, op, cid, cn)))
            return rc;
        op->r.planned++;
        if (op->c.offer_kind && (rc = issue_offer(e, op, cid, cn, m.reward)))
            return rc;
    }
    lty__campaign_member_key(&k, cid, cn, op->id, op->idlen);
    if ((rc = lty__campaign_member_encode(&m, &e->wbuf)))
        return lty__err(e, rc, "campaign membership: cannot encode");
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, LTY_REV_NONE,
                    NULL);
}

int lty__campaign_pass(lty_engine *e, lty__pass *op)
{
    lty_buf ids;
    unsigned char *groups = NULL;
    size_t count = 0;
    int rc;
    unsigned version = op->r.version;
    memset(&op->r, 0, sizeof op->r);
    op->r.version = version;
    op->nseg = 0;
    if ((rc = lty__campaign_load(e, op->id, op->idlen, &op->c)))
        return rc;
    const lty__campaign *c = &op->c;
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
        lty__member m;
        if ((rc = lty__campaign_member_load(e, cid, cn, op->id, op->idlen, &m)))
            goto out;
        groups[i] = (unsigned char)m.group;
        if (m.group == LTY_CAMPAIGN_TREATMENT) {
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
        char segment[LTY_TITLE_MAX + 1];
        int match, st;
        if ((rc = lty__profile_load(e, cid, cn, &op->prof, &p, &prev)) ||
            (rc = lty__campaign_target(e, c, cid, cn, &p, op->now, &match,
                                       segment)))
            goto out;
        if (!match) {
            op->r.not_in_target++;
            continue;
        }
        if ((rc = lty__campaign_reach(e, c, cid, cn, &p, &st)))
            goto out;
        if (st == LTY__REACH_CONSENT) {
            op->r.no_consent++;
            continue;
        }
        if (st == LTY__REACH_CONTACT) {
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
            if (op->simulate && (rc = add_to_segment(e, op, cid, cn, segment)))
                goto out;
        }
        if (op->launch && (rc = enrol(e, op, cid, cn, group, segment)))
            goto out;
    }
out:
    lty__free(&e->alloc, groups);
    lty__buf_release(&ids);
    return rc;
}

static int pass_body(lty_engine *e, void *arg)
{
    return lty__campaign_pass(e, arg);
}

static int run_pass(lty_engine *e, const char *campaign_id, int launch,
                    int64_t now, lty_campaign_report *out)
{
    lty__pass op;
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
    if ((rc = lty__campaign_check_id(e, campaign_id, &op.idlen)))
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
