/*
 * libloyalty - campaigns: membership records
 * (C\0<customer>\0Q<campaign>, kind 30): the group, the launch time, the
 * customer's RFM segment at launch and the code of the offer's reward.
 * No personal data: erasure moves them to the anonymous id unchanged
 * (customer_rekey.c), so measurement keeps the groups.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "campaign_int.h"
#include "validate_int.h"

#define MEMBER_VERSION 1

enum { Q_GROUP = 1, Q_LAUNCHED = 2, Q_SEGMENT = 3, Q_REWARD = 4 };

void lty__campaign_member_key(lty__key *k, const char *cid, size_t cn,
                              const char *id, size_t n)
{
    lty__key_customer(k, cid, cn);
    lty__key_add(k, "Q", 1);
    lty__key_add(k, id, n);
}

int lty__campaign_member_encode(const lty__member *m, lty_buf *out)
{
    lty__enc w;
    lty__enc_begin(&w, out, LTY__REC_CAMPAIGN_MEMBER, MEMBER_VERSION);
    lty__enc_i64(&w, Q_GROUP, m->group);
    lty__enc_i64(&w, Q_LAUNCHED, m->launched);
    if (m->segment[0])
        lty__enc_str(&w, Q_SEGMENT, m->segment);
    if (m->reward[0])
        lty__enc_str(&w, Q_REWARD, m->reward);
    return lty__enc_end(&w);
}

static int field_text(const lty__field *f, size_t max, char *out)
{
    const char *s;
    size_t n;
    if (lty__field_text(f, 1, max, LTY__TEXT_LINE, &s, &n))
        return LTY_ECORRUPT;
    memcpy(out, s, n);
    out[n] = '\0';
    return LTY_OK;
}

static int decode_member(const void *data, size_t len, lty__member *m)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    uint64_t seen = 0;
    int64_t v = 0;
    int r, rc;
    memset(m, 0, sizeof *m);
    if ((rc = lty__dec_begin(&d, data, len, LTY__REC_CAMPAIGN_MEMBER,
                             MEMBER_VERSION, &version)))
        return rc == LTY_EVERSION ? rc : LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        rc = LTY_OK;
        switch (f.tag) {
        case Q_GROUP:
            rc = lty__field_int(&f, LTY_CAMPAIGN_TREATMENT,
                                LTY_CAMPAIGN_CONTROL, &v);
            m->group = (int)v;
            break;
        case Q_LAUNCHED:
            rc = lty__field_int(&f, LTY_TIME_MIN, LTY_TIME_MAX, &m->launched);
            break;
        case Q_SEGMENT: rc = field_text(&f, LTY_TITLE_MAX, m->segment); break;
        case Q_REWARD: rc = field_text(&f, LTY_ID_MAX, m->reward); break;
        default: break; /* a later version's field */
        }
        if (rc)
            return LTY_ECORRUPT;
    }
    return r == 0 && m->group ? LTY_OK : LTY_ECORRUPT;
}

int lty__campaign_member_load(lty_engine *e, const char *cid, size_t cn,
                              const char *id, size_t n, lty__member *m)
{
    lty__key k;
    lty__campaign_member_key(&k, cid, cn, id, n);
    int rc = lty__get(e, k.b, k.n, NULL, NULL);
    memset(m, 0, sizeof *m);
    if (rc == LTY_ENOTFOUND)
        return LTY_OK;
    if (rc)
        return rc;
    if ((rc = decode_member(e->rbuf.data, e->rbuf.len, m)))
        return lty__corrupt(e, rc, "campaign membership");
    return LTY_OK;
}

int lty_campaign_member_get(lty_engine *e, const char *campaign_id,
                            const char *customer_id, lty_campaign_member *out)
{
    size_t n, cn;
    lty__member m;
    int rc;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "campaign member: NULL");
    if ((rc = lty__check_version(e, "campaign member", out->version,
                                 LTY_CAMPAIGN_MEMBER_VERSION)) ||
        (rc = lty__campaign_check_id(e, campaign_id, &n)) ||
        (rc = lty__check_id(e, "customer id", customer_id, &cn)) ||
        (rc = lty__campaign_member_load(e, customer_id, cn, campaign_id, n,
                                        &m)))
        return rc;
    if (!m.group)
        return lty__err(e, LTY_ENOTFOUND, "campaign member: not a member");
    out->group = (lty_campaign_group)m.group;
    out->launched_at = m.launched;
    memcpy(out->segment, m.segment, sizeof out->segment);
    memcpy(out->reward_code, m.reward, sizeof out->reward_code);
    return LTY_OK;
}
