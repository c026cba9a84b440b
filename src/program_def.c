/*
 * libloyalty - program definitions: checking them, storing them in the
 * program registry, and the engine's cache of the registry.
 *
 * Every definition lives in one record, "M\0programs", so one read tells a
 * recording engine whether its cached definitions are current: the cache
 * is keyed by that record's revision, which changes with every definition.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "codec_int.h"
#include "keys_int.h"
#include "program_int.h"
#include "validate_int.h"

#define REGISTRY "programs"

/* ------------------------------------------------------------------ */
/* Checking a definition                                               */
/* ------------------------------------------------------------------ */

static int check_title(lty_engine *e, const char *field, const char *s,
                       char out[LTY_TITLE_MAX + 1])
{
    size_t n;
    int rc = lty__check_text(e, field, s, 1, LTY_TITLE_MAX, LTY__TEXT_LINE, &n);
    if (rc)
        return rc;
    memcpy(out, s, n);
    out[n] = '\0';
    return LTY_OK;
}

static int check_range(lty_engine *e, const char *field, int64_t v,
                       int64_t lo, int64_t hi)
{
    if (v < lo || v > hi)
        return lty__err(e, LTY_EINVALID, "%s: outside %lld..%lld", field,
                        (long long)lo, (long long)hi);
    return LTY_OK;
}

/* A field that does not apply to the kind must be left at its default. */
static int not_for_kind(lty_engine *e, int set, const char *field)
{
    if (set)
        return lty__err(e, LTY_EINVALID, "%s: does not apply to this kind of program",
                        field);
    return LTY_OK;
}

static int check_reward_kind(lty_engine *e, const char *field,
                             lty_reward_kind k, int medical)
{
    if (k < LTY_REWARD_SERVICE || k > LTY_REWARD_CASH)
        return lty__err(e, LTY_EINVALID, "%s: unknown reward kind", field);
    if (medical && k != LTY_REWARD_SERVICE)
        return lty__err(e, LTY_EINVALID,
                        "%s: cash-equivalent rewards are not allowed in a medical program",
                        field);
    return LTY_OK;
}

static int check_steps(lty_engine *e, const lty_program_def *d, lty__program *p)
{
    char f[64];
    int rc;
    if (!d->steps || d->step_count < 1 || d->step_count > LTY_PROGRAM_STEPS_MAX)
        return lty__err(e, LTY_EINVALID, "steps: need 1..%d steps",
                        LTY_PROGRAM_STEPS_MAX);
    for (size_t i = 0; i < d->step_count; i++) {
        const lty_ladder_step *s = &d->steps[i];
        snprintf(f, sizeof f, "steps[%zu] visits", i);
        if ((rc = check_range(e, f, s->visits, 1, 1000000)))
            return rc;
        if (i > 0 && s->visits <= d->steps[i - 1].visits)
            return lty__err(e, LTY_EINVALID,
                            "steps[%zu] visits: not above the previous step's", i);
        snprintf(f, sizeof f, "steps[%zu] title", i);
        if ((rc = check_title(e, f, s->title, p->steps[i].title)))
            return rc;
        p->steps[i].visits = s->visits;
    }
    p->nsteps = d->step_count;
    return LTY_OK;
}

static int check_rules(lty_engine *e, const lty_program_def *d, lty__program *p)
{
    char f[64];
    int rc;
    if (!d->rules || d->rule_count < 1 || d->rule_count > LTY_PROGRAM_RULES_MAX)
        return lty__err(e, LTY_EINVALID, "rules: need 1..%d earn rules",
                        LTY_PROGRAM_RULES_MAX);
    for (size_t i = 0; i < d->rule_count; i++) {
        const lty_earn_rule *r = &d->rules[i];
        lty__rule *o = &p->rules[i];
        memset(o, 0, sizeof *o);
        if (r->kind < LTY_EARN_PER_AMOUNT || r->kind > LTY_EARN_PER_ITEM)
            return lty__err(e, LTY_EINVALID, "rules[%zu] kind: unknown", i);
        snprintf(f, sizeof f, "rules[%zu] earn", i);
        if ((rc = check_range(e, f, r->earn, 1, 1000000)))
            return rc;
        if (r->kind == LTY_EARN_PER_AMOUNT) {
            snprintf(f, sizeof f, "rules[%zu] per_amount", i);
            if ((rc = check_range(e, f, r->per_amount, 1, INT64_C(1000000000000))))
                return rc;
        } else if (r->per_amount) {
            return lty__err(e, LTY_EINVALID,
                            "rules[%zu] per_amount: only for per-amount rules", i);
        }
        if (r->kind == LTY_EARN_PER_ITEM) {
            size_t n;
            snprintf(f, sizeof f, "rules[%zu] item", i);
            if ((rc = lty__check_text(e, f, r->item, 1, LTY_CODE_MAX,
                                      LTY__TEXT_LINE, &n)))
                return rc;
            memcpy(o->item, r->item, n);
            o->item[n] = '\0';
        } else if (r->item) {
            return lty__err(e, LTY_EINVALID, "rules[%zu] item: only for per-item rules",
                            i);
        }
        o->kind = r->kind;
        o->per_amount = r->per_amount;
        o->earn = r->earn;
    }
    p->nrules = d->rule_count;
    return LTY_OK;
}

static int check_tier(lty_engine *e, const lty_program_def *d, size_t i,
                      lty__tierdef *o)
{
    const lty_tier *t = &d->tiers[i];
    char f[64];
    int rc;
    memset(o, 0, sizeof *o);
    snprintf(f, sizeof f, "tiers[%zu] name", i);
    if ((rc = check_title(e, f, t->name, o->name)))
        return rc;
    if (i == 0 && t->threshold != 0)
        return lty__err(e, LTY_EINVALID, "tiers[0] threshold: the first tier starts at 0");
    if (i > 0 && t->threshold <= d->tiers[i - 1].threshold)
        return lty__err(e, LTY_EINVALID,
                        "tiers[%zu] threshold: not above the previous tier's", i);
    snprintf(f, sizeof f, "tiers[%zu] threshold", i);
    if ((rc = check_range(e, f, t->threshold, 0, INT64_C(1000000000000))))
        return rc;
    o->threshold = t->threshold;
    o->multiplier_pct = t->multiplier_pct ? t->multiplier_pct : 100;
    snprintf(f, sizeof f, "tiers[%zu] multiplier_pct", i);
    if ((rc = check_range(e, f, o->multiplier_pct, 100, 1000)))
        return rc;
    snprintf(f, sizeof f, "tiers[%zu] reward_every", i);
    if ((rc = check_range(e, f, t->reward_every, 0, 1000000)))
        return rc;
    o->reward_every = t->reward_every;
    if (!t->reward_every) {
        if (t->reward_name || t->reward_kind || t->reward_value ||
            t->reward_valid_days)
            return lty__err(e, LTY_EINVALID,
                            "tiers[%zu] reward: set without reward_every", i);
        return LTY_OK;
    }
    snprintf(f, sizeof f, "tiers[%zu] reward_name", i);
    if ((rc = check_title(e, f, t->reward_name, o->reward_name)))
        return rc;
    snprintf(f, sizeof f, "tiers[%zu] reward_kind", i);
    if ((rc = check_reward_kind(e, f, t->reward_kind, d->medical)))
        return rc;
    snprintf(f, sizeof f, "tiers[%zu] reward_value", i);
    if ((rc = check_range(e, f, t->reward_value, 0, INT64_C(1000000000000))))
        return rc;
    snprintf(f, sizeof f, "tiers[%zu] reward_valid_days", i);
    if ((rc = check_range(e, f, t->reward_valid_days, 0, 3660)))
        return rc;
    o->reward_kind = t->reward_kind;
    o->reward_value = t->reward_value;
    o->reward_valid_days = t->reward_valid_days;
    return LTY_OK;
}

static int check_currency(lty_engine *e, const lty_program_def *d,
                          lty__program *p)
{
    int rc;
    if ((rc = check_rules(e, d, p)))
        return rc;
    size_t min_tiers = d->kind == LTY_PROGRAM_STARS ? 1 : 0;
    if (d->tier_count < min_tiers || d->tier_count > LTY_PROGRAM_TIERS_MAX ||
        (d->tier_count && !d->tiers))
        return lty__err(e, LTY_EINVALID, "tiers: need %zu..%d tiers", min_tiers,
                        LTY_PROGRAM_TIERS_MAX);
    for (size_t i = 0; i < d->tier_count; i++)
        if ((rc = check_tier(e, d, i, &p->tiers[i])))
            return rc;
    p->ntiers = d->tier_count;
    p->window = d->window ? d->window : LTY_WINDOW_LIFETIME;
    if (p->window < LTY_WINDOW_LIFETIME || p->window > LTY_WINDOW_CALENDAR_YEAR)
        return lty__err(e, LTY_EINVALID, "window: unknown");
    if (p->window == LTY_WINDOW_ROLLING) {
        if ((rc = check_range(e, "window_days", d->window_days, 1, 3660)))
            return rc;
    } else if ((rc = not_for_kind(e, d->window_days != 0, "window_days"))) {
        return rc;
    }
    p->window_days = d->window_days;
    p->downgrade = d->downgrade ? d->downgrade : LTY_DOWNGRADE_NEVER;
    if (p->downgrade < LTY_DOWNGRADE_NEVER || p->downgrade > LTY_DOWNGRADE_ON_REFUND)
        return lty__err(e, LTY_EINVALID, "downgrade: unknown");
    if (p->downgrade == LTY_DOWNGRADE_PERIOD_END) {
        if (p->window == LTY_WINDOW_LIFETIME)
            return lty__err(e, LTY_EINVALID,
                            "downgrade: a lifetime window has no period end");
        if ((rc = check_range(e, "grace_days", d->grace_days, 0, 366)) ||
            (rc = check_range(e, "downgrade_notice_days",
                              d->downgrade_notice_days, 0, 366)))
            return rc;
    } else if ((rc = not_for_kind(e, d->grace_days != 0, "grace_days")) ||
               (rc = not_for_kind(e, d->downgrade_notice_days != 0,
                                  "downgrade_notice_days"))) {
        return rc;
    }
    p->grace_days = d->grace_days;
    p->downgrade_notice_days = d->downgrade_notice_days;
    if (d->kind == LTY_PROGRAM_STARS) {
        if ((rc = not_for_kind(e, d->expiry != 0, "expiry")) ||
            (rc = not_for_kind(e, d->expiry_days != 0, "expiry_days")) ||
            (rc = not_for_kind(e, d->lock_days != 0, "lock_days")) ||
            (rc = not_for_kind(e, d->expiry_notice_days != 0, "expiry_notice_days")))
            return rc;
        p->expiry = LTY_EXPIRY_NEVER;
        return LTY_OK;
    }
    p->expiry = d->expiry ? d->expiry : LTY_EXPIRY_NEVER;
    if (p->expiry < LTY_EXPIRY_NEVER || p->expiry > LTY_EXPIRY_END_OF_YEAR)
        return lty__err(e, LTY_EINVALID, "expiry: unknown");
    if (p->expiry == LTY_EXPIRY_AFTER_DAYS) {
        if ((rc = check_range(e, "expiry_days", d->expiry_days, 1, 3660)))
            return rc;
    } else if ((rc = not_for_kind(e, d->expiry_days != 0, "expiry_days"))) {
        return rc;
    }
    if ((rc = check_range(e, "lock_days", d->lock_days, 0, 366)) ||
        (rc = check_range(e, "expiry_notice_days", d->expiry_notice_days, 0, 366)))
        return rc;
    if (p->expiry == LTY_EXPIRY_NEVER && d->expiry_notice_days)
        return lty__err(e, LTY_EINVALID,
                        "expiry_notice_days: the points never expire");
    p->expiry_days = d->expiry_days;
    p->lock_days = d->lock_days;
    p->expiry_notice_days = d->expiry_notice_days;
    return LTY_OK;
}

static int check_prizes(lty_engine *e, const lty_program_def *d, lty__program *p)
{
    char f[64];
    int rc;
    int64_t total = 0;
    if (!d->prizes || d->prize_count < 1 || d->prize_count > LTY_PROGRAM_PRIZES_MAX)
        return lty__err(e, LTY_EINVALID, "prizes: need 1..%d prizes",
                        LTY_PROGRAM_PRIZES_MAX);
    for (size_t i = 0; i < d->prize_count; i++) {
        const lty_prize *z = &d->prizes[i];
        lty__prizedef *o = &p->prizes[i];
        memset(o, 0, sizeof *o);
        snprintf(f, sizeof f, "prizes[%zu] name", i);
        if ((rc = check_title(e, f, z->name, o->name)))
            return rc;
        snprintf(f, sizeof f, "prizes[%zu] kind", i);
        if ((rc = check_reward_kind(e, f, z->kind, d->medical)))
            return rc;
        snprintf(f, sizeof f, "prizes[%zu] value", i);
        if ((rc = check_range(e, f, z->value, 0, INT64_C(1000000000000))))
            return rc;
        snprintf(f, sizeof f, "prizes[%zu] odds_ppm", i);
        if ((rc = check_range(e, f, z->odds_ppm, 1, 1000000)))
            return rc;
        snprintf(f, sizeof f, "prizes[%zu] daily_cap", i);
        if ((rc = check_range(e, f, z->daily_cap, 0, 1000000000)))
            return rc;
        snprintf(f, sizeof f, "prizes[%zu] valid_days", i);
        if ((rc = check_range(e, f, z->valid_days, 0, 3660)))
            return rc;
        total += z->odds_ppm;
        if (total > 1000000)
            return lty__err(e, LTY_EINVALID,
                            "prizes[%zu] odds_ppm: the chances add up to more than 1,000,000",
                            i);
        o->kind = z->kind;
        o->value = z->value;
        o->odds_ppm = z->odds_ppm;
        o->daily_cap = z->daily_cap;
        o->valid_days = z->valid_days;
    }
    p->nprizes = d->prize_count;
    return LTY_OK;
}

/* A template id of a definition (version 2), or its default. */
static int check_template(lty_engine *e, const char *field, const char *given,
                          const char *dflt, char out[LTY_MESSAGE_ID_MAX + 1])
{
    size_t n;
    if (!given) {
        snprintf(out, LTY_MESSAGE_ID_MAX + 1, "%s", dflt);
        return LTY_OK;
    }
    int rc = lty__check_text(e, field, given, 1, LTY_MESSAGE_ID_MAX,
                             LTY__TEXT_LINE, &n);
    if (rc)
        return rc;
    memcpy(out, given, n);
    out[n] = '\0';
    return LTY_OK;
}

static int check_templates(lty_engine *e, const lty_program_def *d,
                           lty__program *p)
{
    int v2 = d->version >= 2;
    int rc = check_template(e, "staff_template", v2 ? d->staff_template : NULL,
                            "program_promotion", p->staff_template);
    if (rc == LTY_OK)
        rc = check_template(e, "promotion_template",
                            v2 ? d->promotion_template : NULL, "",
                            p->promotion_template);
    if (rc == LTY_OK)
        rc = check_template(e, "notice_template", v2 ? d->notice_template : NULL,
                            "program_notice", p->notice_template);
    return rc;
}

/* Check d whole and copy it into p. */
static int check_def(lty_engine *e, const lty_program_def *d, lty__program *p)
{
    int rc;
    if (!d)
        return lty__err(e, LTY_EINVALID, "program: NULL");
    if ((rc = lty__check_version(e, "program definition", d->version,
                                 LTY_PROGRAM_DEF_VERSION)))
        return rc;
    memset(p, 0, sizeof *p);
    if ((rc = lty__check_id(e, "program id", d->id, &p->idlen)))
        return rc;
    memcpy(p->id, d->id, p->idlen);
    if ((rc = check_title(e, "program name", d->name, p->name)))
        return rc;
    if (d->medical != 0 && d->medical != 1)
        return lty__err(e, LTY_EINVALID, "medical: must be 0 or 1");
    p->medical = d->medical;
    p->kind = d->kind;
    int ladder = d->kind == LTY_PROGRAM_LADDER;
    int currency = d->kind == LTY_PROGRAM_STARS || d->kind == LTY_PROGRAM_POINTS;
    int draw = d->kind == LTY_PROGRAM_DRAW;
    if (!ladder && !currency && !draw)
        return lty__err(e, LTY_EINVALID, "program kind: unknown");
    if ((rc = not_for_kind(e, !ladder && (d->steps || d->step_count), "steps")) ||
        (rc = not_for_kind(e, !draw && (d->prizes || d->prize_count), "prizes")))
        return rc;
    if (!currency) {
        if ((rc = not_for_kind(e, d->rules || d->rule_count, "rules")) ||
            (rc = not_for_kind(e, d->tiers || d->tier_count, "tiers")) ||
            (rc = not_for_kind(e, d->window != 0, "window")) ||
            (rc = not_for_kind(e, d->window_days != 0, "window_days")) ||
            (rc = not_for_kind(e, d->downgrade != 0, "downgrade")) ||
            (rc = not_for_kind(e, d->grace_days != 0, "grace_days")) ||
            (rc = not_for_kind(e, d->downgrade_notice_days != 0,
                               "downgrade_notice_days")) ||
            (rc = not_for_kind(e, d->expiry != 0, "expiry")) ||
            (rc = not_for_kind(e, d->expiry_days != 0, "expiry_days")) ||
            (rc = not_for_kind(e, d->lock_days != 0, "lock_days")) ||
            (rc = not_for_kind(e, d->expiry_notice_days != 0,
                               "expiry_notice_days")))
            return rc;
    }
    if ((rc = check_templates(e, d, p)))
        return rc;
    if (ladder)
        return check_steps(e, d, p);
    if (draw)
        return check_prizes(e, d, p);
    return check_currency(e, d, p);
}

/* ------------------------------------------------------------------ */
/* The registry record                                                 */
/* ------------------------------------------------------------------ */

enum {
    R_PROGRAM = 1
};
enum {
    P_ID = 1, P_NAME, P_KIND, P_MEDICAL, P_DEF_VERSION, P_STEP, P_RULE, P_TIER,
    P_WINDOW, P_WINDOW_DAYS, P_DOWNGRADE, P_GRACE, P_NOTICE, P_EXPIRY,
    P_EXPIRY_DAYS, P_LOCK_DAYS, P_EXPIRY_NOTICE, P_PRIZE, P_STAFF_TEMPLATE,
    P_PROMOTION_TEMPLATE, P_NOTICE_TEMPLATE
};

static void enc_sub(lty__enc *w, unsigned tag, lty__enc *sub)
{
    int err = lty__enc_end(sub);
    if (err && !w->err)
        w->err = err;
    lty__enc_bytes(w, tag, sub->b->data, sub->b->len);
}

static void enc_program(lty__enc *w, const lty__program *p, lty_buf *tmp)
{
    lty__enc s;
    lty__enc_str(w, P_ID, p->id);
    lty__enc_str(w, P_NAME, p->name);
    lty__enc_i64(w, P_KIND, (int64_t)p->kind);
    if (p->medical)
        lty__enc_i64(w, P_MEDICAL, 1);
    lty__enc_i64(w, P_DEF_VERSION, p->def_version);
    for (size_t i = 0; i < p->nsteps; i++) {
        lty__enc_begin_sub(&s, tmp);
        lty__enc_i64(&s, 1, p->steps[i].visits);
        lty__enc_str(&s, 2, p->steps[i].title);
        enc_sub(w, P_STEP, &s);
    }
    for (size_t i = 0; i < p->nrules; i++) {
        const lty__rule *r = &p->rules[i];
        lty__enc_begin_sub(&s, tmp);
        lty__enc_i64(&s, 1, (int64_t)r->kind);
        lty__enc_i64(&s, 2, r->per_amount);
        lty__enc_i64(&s, 3, r->earn);
        if (r->item[0])
            lty__enc_str(&s, 4, r->item);
        enc_sub(w, P_RULE, &s);
    }
    for (size_t i = 0; i < p->ntiers; i++) {
        const lty__tierdef *t = &p->tiers[i];
        lty__enc_begin_sub(&s, tmp);
        lty__enc_str(&s, 1, t->name);
        lty__enc_i64(&s, 2, t->threshold);
        lty__enc_i64(&s, 3, t->multiplier_pct);
        lty__enc_i64(&s, 4, t->reward_every);
        if (t->reward_every) {
            lty__enc_str(&s, 5, t->reward_name);
            lty__enc_i64(&s, 6, (int64_t)t->reward_kind);
            lty__enc_i64(&s, 7, t->reward_value);
            lty__enc_i64(&s, 8, t->reward_valid_days);
        }
        enc_sub(w, P_TIER, &s);
    }
    lty__enc_i64(w, P_WINDOW, (int64_t)p->window);
    lty__enc_i64(w, P_WINDOW_DAYS, p->window_days);
    lty__enc_i64(w, P_DOWNGRADE, (int64_t)p->downgrade);
    lty__enc_i64(w, P_GRACE, p->grace_days);
    lty__enc_i64(w, P_NOTICE, p->downgrade_notice_days);
    lty__enc_i64(w, P_EXPIRY, (int64_t)p->expiry);
    lty__enc_i64(w, P_EXPIRY_DAYS, p->expiry_days);
    lty__enc_i64(w, P_LOCK_DAYS, p->lock_days);
    lty__enc_i64(w, P_EXPIRY_NOTICE, p->expiry_notice_days);
    for (size_t i = 0; i < p->nprizes; i++) {
        const lty__prizedef *z = &p->prizes[i];
        lty__enc_begin_sub(&s, tmp);
        lty__enc_str(&s, 1, z->name);
        lty__enc_i64(&s, 2, (int64_t)z->kind);
        lty__enc_i64(&s, 3, z->value);
        lty__enc_i64(&s, 4, z->odds_ppm);
        lty__enc_i64(&s, 5, z->daily_cap);
        lty__enc_i64(&s, 6, z->valid_days);
        enc_sub(w, P_PRIZE, &s);
    }
    lty__enc_str(w, P_STAFF_TEMPLATE, p->staff_template);
    if (p->promotion_template[0])
        lty__enc_str(w, P_PROMOTION_TEMPLATE, p->promotion_template);
    lty__enc_str(w, P_NOTICE_TEMPLATE, p->notice_template);
}

static int encode_registry(lty_engine *e, const lty__program *ps, size_t n,
                           lty_buf *out)
{
    lty_buf pb, tmp;
    lty__enc w, pw;
    int rc;
    lty__buf_init(&pb, &e->alloc);
    lty__buf_init(&tmp, &e->alloc);
    lty__enc_begin(&w, out, LTY__REC_PROGRAMS, LTY__PROGRAMS_VERSION);
    for (size_t i = 0; i < n; i++) {
        lty__enc_begin_sub(&pw, &pb);
        enc_program(&pw, &ps[i], &tmp);
        enc_sub(&w, R_PROGRAM, &pw);
    }
    rc = lty__enc_end(&w);
    lty__buf_release(&pb);
    lty__buf_release(&tmp);
    return rc;
}

/* Decoding: what comes back from storage is untrusted, so every field is
 * checked as strictly as check_def() checks the caller's input. */

static int dec_title(const lty__field *f, char out[LTY_TITLE_MAX + 1])
{
    const char *s;
    size_t n;
    if (lty__field_text(f, 1, LTY_TITLE_MAX, LTY__TEXT_LINE, &s, &n))
        return LTY_ECORRUPT;
    memcpy(out, s, n);
    out[n] = '\0';
    return LTY_OK;
}

static int dec_int(const lty__field *f, int64_t lo, int64_t hi, int64_t *out)
{
    return lty__field_int(f, lo, hi, out) ? LTY_ECORRUPT : LTY_OK;
}

static int dec_step(const lty__field *pf, lty__step *s)
{
    lty__dec d = {0};
    lty__field f;
    int r, have = 0;
    memset(s, 0, sizeof *s);
    if (lty__dec_sub(&d, pf))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (f.tag == 1 && dec_int(&f, 1, 1000000, &s->visits) == LTY_OK)
            have |= 1;
        else if (f.tag == 2 && dec_title(&f, s->title) == LTY_OK)
            have |= 2;
        else
            return LTY_ECORRUPT;
    }
    return r == 0 && have == 3 ? LTY_OK : LTY_ECORRUPT;
}

static int dec_rule(const lty__field *pf, lty__rule *o)
{
    lty__dec d = {0};
    lty__field f;
    int64_t v;
    int r;
    memset(o, 0, sizeof *o);
    if (lty__dec_sub(&d, pf))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        switch (f.tag) {
        case 1:
            if (dec_int(&f, LTY_EARN_PER_AMOUNT, LTY_EARN_PER_ITEM, &v))
                return LTY_ECORRUPT;
            o->kind = (lty_earn_kind)v;
            break;
        case 2:
            if (dec_int(&f, 0, INT64_C(1000000000000), &o->per_amount))
                return LTY_ECORRUPT;
            break;
        case 3:
            if (dec_int(&f, 1, 1000000, &o->earn))
                return LTY_ECORRUPT;
            break;
        case 4: {
            const char *s;
            size_t n;
            if (lty__field_text(&f, 1, LTY_CODE_MAX, LTY__TEXT_LINE, &s, &n))
                return LTY_ECORRUPT;
            memcpy(o->item, s, n);
            o->item[n] = '\0';
            break;
        }
        default:
            return LTY_ECORRUPT;
        }
    }
    if (r < 0 || !o->kind || !o->earn ||
        (o->kind == LTY_EARN_PER_AMOUNT) != (o->per_amount > 0) ||
        (o->kind == LTY_EARN_PER_ITEM) != (o->item[0] != '\0'))
        return LTY_ECORRUPT;
    return LTY_OK;
}

static int dec_tier(const lty__field *pf, lty__tierdef *o)
{
    lty__dec d = {0};
    lty__field f;
    int64_t v;
    int r;
    memset(o, 0, sizeof *o);
    if (lty__dec_sub(&d, pf))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        switch (f.tag) {
        case 1:
            if (dec_title(&f, o->name))
                return LTY_ECORRUPT;
            break;
        case 2:
            if (dec_int(&f, 0, INT64_C(1000000000000), &o->threshold))
                return LTY_ECORRUPT;
            break;
        case 3:
            if (dec_int(&f, 100, 1000, &v))
                return LTY_ECORRUPT;
            o->multiplier_pct = (int)v;
            break;
        case 4:
            if (dec_int(&f, 0, 1000000, &o->reward_every))
                return LTY_ECORRUPT;
            break;
        case 5:
            if (dec_title(&f, o->reward_name))
                return LTY_ECORRUPT;
            break;
        case 6:
            if (dec_int(&f, LTY_REWARD_SERVICE, LTY_REWARD_CASH, &v))
                return LTY_ECORRUPT;
            o->reward_kind = (lty_reward_kind)v;
            break;
        case 7:
            if (dec_int(&f, 0, INT64_C(1000000000000), &o->reward_value))
                return LTY_ECORRUPT;
            break;
        case 8:
            if (dec_int(&f, 0, 3660, &v))
                return LTY_ECORRUPT;
            o->reward_valid_days = (int)v;
            break;
        default:
            return LTY_ECORRUPT;
        }
    }
    if (r < 0 || !o->name[0] || !o->multiplier_pct ||
        (o->reward_every && (!o->reward_name[0] || !o->reward_kind)))
        return LTY_ECORRUPT;
    return LTY_OK;
}

static int dec_prize(const lty__field *pf, lty__prizedef *o)
{
    lty__dec d = {0};
    lty__field f;
    int64_t v;
    int r;
    memset(o, 0, sizeof *o);
    if (lty__dec_sub(&d, pf))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        switch (f.tag) {
        case 1:
            if (dec_title(&f, o->name))
                return LTY_ECORRUPT;
            break;
        case 2:
            if (dec_int(&f, LTY_REWARD_SERVICE, LTY_REWARD_CASH, &v))
                return LTY_ECORRUPT;
            o->kind = (lty_reward_kind)v;
            break;
        case 3:
            if (dec_int(&f, 0, INT64_C(1000000000000), &o->value))
                return LTY_ECORRUPT;
            break;
        case 4:
            if (dec_int(&f, 1, 1000000, &o->odds_ppm))
                return LTY_ECORRUPT;
            break;
        case 5:
            if (dec_int(&f, 0, 1000000000, &o->daily_cap))
                return LTY_ECORRUPT;
            break;
        case 6:
            if (dec_int(&f, 0, 3660, &v))
                return LTY_ECORRUPT;
            o->valid_days = (int)v;
            break;
        default:
            return LTY_ECORRUPT;
        }
    }
    return r == 0 && o->name[0] && o->kind && o->odds_ppm ? LTY_OK : LTY_ECORRUPT;
}

/* The cross-field rules check_def() enforces, for a decoded definition. */
static int consistent(const lty__program *p)
{
    int64_t odds = 0;
    switch (p->kind) {
    case LTY_PROGRAM_LADDER:
        if (!p->nsteps || p->nrules || p->ntiers || p->nprizes)
            return 0;
        for (size_t i = 1; i < p->nsteps; i++)
            if (p->steps[i].visits <= p->steps[i - 1].visits)
                return 0;
        return 1;
    case LTY_PROGRAM_DRAW:
        if (!p->nprizes || p->nsteps || p->nrules || p->ntiers)
            return 0;
        for (size_t i = 0; i < p->nprizes; i++) {
            odds += p->prizes[i].odds_ppm;
            if (p->medical && p->prizes[i].kind != LTY_REWARD_SERVICE)
                return 0;
        }
        return odds <= 1000000;
    case LTY_PROGRAM_STARS:
    case LTY_PROGRAM_POINTS:
        if (!p->nrules || p->nsteps || p->nprizes ||
            (p->kind == LTY_PROGRAM_STARS && !p->ntiers))
            return 0;
        if (p->ntiers && p->tiers[0].threshold != 0)
            return 0;
        for (size_t i = 0; i < p->ntiers; i++) {
            if (i && p->tiers[i].threshold <= p->tiers[i - 1].threshold)
                return 0;
            if (p->medical && p->tiers[i].reward_every &&
                p->tiers[i].reward_kind != LTY_REWARD_SERVICE)
                return 0;
        }
        if (p->window == LTY_WINDOW_ROLLING ? p->window_days < 1
                                            : p->window_days != 0)
            return 0;
        if (p->expiry == LTY_EXPIRY_AFTER_DAYS ? p->expiry_days < 1
                                               : p->expiry_days != 0)
            return 0;
        return 1;
    }
    return 0;
}

/* The definition's small numbers and enums (0 = the default): their
 * ranges are those check_def() enforces. */
static const struct small_int {
    unsigned tag;
    int max;
    size_t off;
} small_ints[] = {
    {P_WINDOW, LTY_WINDOW_CALENDAR_YEAR, offsetof(lty__program, window)},
    {P_WINDOW_DAYS, 3660, offsetof(lty__program, window_days)},
    {P_DOWNGRADE, LTY_DOWNGRADE_ON_REFUND, offsetof(lty__program, downgrade)},
    {P_GRACE, 366, offsetof(lty__program, grace_days)},
    {P_NOTICE, 366, offsetof(lty__program, downgrade_notice_days)},
    {P_EXPIRY, LTY_EXPIRY_END_OF_YEAR, offsetof(lty__program, expiry)},
    {P_EXPIRY_DAYS, 3660, offsetof(lty__program, expiry_days)},
    {P_LOCK_DAYS, 366, offsetof(lty__program, lock_days)},
    {P_EXPIRY_NOTICE, 366, offsetof(lty__program, expiry_notice_days)},
};

static int dec_small_int(const lty__field *f, lty__program *p)
{
    int64_t v;
    for (size_t i = 0; i < sizeof small_ints / sizeof small_ints[0]; i++) {
        if (small_ints[i].tag != f->tag)
            continue;
        if (dec_int(f, 0, small_ints[i].max, &v))
            return LTY_ECORRUPT;
        /* the enums are int-sized (checked below) */
        *(int *)((char *)p + small_ints[i].off) = (int)v;
        return LTY_OK;
    }
    return LTY_ECORRUPT; /* an unknown field */
}

_Static_assert(sizeof(lty_window_kind) == sizeof(int) &&
                   sizeof(lty_downgrade_policy) == sizeof(int) &&
                   sizeof(lty_expiry_kind) == sizeof(int),
               "the definition's enums are int-sized");

static int dec_program(const lty__field *pf, lty__program *p)
{
    lty__dec d = {0};
    lty__field f;
    uint64_t seen = 0;
    int64_t v;
    int r;
    memset(p, 0, sizeof *p);
    if (lty__dec_sub(&d, pf))
        return LTY_ECORRUPT;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        int repeated = f.tag == P_STEP || f.tag == P_RULE || f.tag == P_TIER ||
                       f.tag == P_PRIZE;
        if (!repeated && lty__dec_once(&seen, f.tag))
            return LTY_ECORRUPT;
        switch (f.tag) {
        case P_ID: {
            const char *s;
            if (lty__field_text(&f, 1, LTY_ID_MAX, LTY__TEXT_LINE, &s, &p->idlen))
                return LTY_ECORRUPT;
            memcpy(p->id, s, p->idlen);
            p->id[p->idlen] = '\0';
            break;
        }
        case P_NAME:
            if (dec_title(&f, p->name))
                return LTY_ECORRUPT;
            break;
        case P_KIND:
            if (dec_int(&f, LTY_PROGRAM_LADDER, LTY_PROGRAM_DRAW, &v))
                return LTY_ECORRUPT;
            p->kind = (lty_program_kind)v;
            break;
        case P_MEDICAL:
            if (dec_int(&f, 1, 1, &v))
                return LTY_ECORRUPT;
            p->medical = 1;
            break;
        case P_DEF_VERSION:
            if (dec_int(&f, 1, INT64_MAX, &p->def_version))
                return LTY_ECORRUPT;
            break;
        case P_STEP:
            if (p->nsteps == LTY_PROGRAM_STEPS_MAX ||
                dec_step(&f, &p->steps[p->nsteps++]))
                return LTY_ECORRUPT;
            break;
        case P_RULE:
            if (p->nrules == LTY_PROGRAM_RULES_MAX ||
                dec_rule(&f, &p->rules[p->nrules++]))
                return LTY_ECORRUPT;
            break;
        case P_TIER:
            if (p->ntiers == LTY_PROGRAM_TIERS_MAX ||
                dec_tier(&f, &p->tiers[p->ntiers++]))
                return LTY_ECORRUPT;
            break;
        case P_PRIZE:
            if (p->nprizes == LTY_PROGRAM_PRIZES_MAX ||
                dec_prize(&f, &p->prizes[p->nprizes++]))
                return LTY_ECORRUPT;
            break;
        case P_STAFF_TEMPLATE:
        case P_PROMOTION_TEMPLATE:
        case P_NOTICE_TEMPLATE: {
            const char *t;
            size_t n;
            char *out = f.tag == P_STAFF_TEMPLATE       ? p->staff_template
                        : f.tag == P_PROMOTION_TEMPLATE ? p->promotion_template
                                                        : p->notice_template;
            if (lty__field_text(&f, 1, LTY_MESSAGE_ID_MAX, LTY__TEXT_LINE, &t, &n))
                return LTY_ECORRUPT;
            memcpy(out, t, n);
            out[n] = '\0';
            break;
        }
        default:
            if (dec_small_int(&f, p))
                return LTY_ECORRUPT;
            break;
        }
    }
    if (r < 0 || !p->idlen || !p->name[0] || !p->kind || !p->def_version ||
        !p->staff_template[0] || !p->notice_template[0])
        return LTY_ECORRUPT;
    if (p->kind == LTY_PROGRAM_STARS || p->kind == LTY_PROGRAM_POINTS) {
        if (!p->window || !p->downgrade || !p->expiry)
            return LTY_ECORRUPT;
    }
    return consistent(p) ? LTY_OK : LTY_ECORRUPT;
}

/* Decode the registry into a fresh array (ids strictly ascending). */
static int decode_registry(lty_engine *e, const void *data, size_t len,
                           lty__program **out, size_t *count)
{
    lty__dec d;
    lty__field f;
    unsigned version;
    int r;
    size_t n = 0;
    lty__program *ps = NULL;
    *out = NULL;
    *count = 0;
    if (lty__dec_begin(&d, data, len, LTY__REC_PROGRAMS, LTY__PROGRAMS_VERSION,
                       &version))
        return LTY_ECORRUPT;
    ps = lty__malloc(&e->alloc, LTY_PROGRAMS_MAX * sizeof *ps);
    if (!ps)
        return LTY_ENOMEM;
    while ((r = lty__dec_next(&d, &f)) > 0) {
        if (f.tag != R_PROGRAM || n == LTY_PROGRAMS_MAX ||
            dec_program(&f, &ps[n])) {
            r = -1;
            break;
        }
        if (n > 0 && strcmp(ps[n - 1].id, ps[n].id) >= 0) {
            r = -1;
            break;
        }
        n++;
    }
    if (r < 0) {
        lty__free(&e->alloc, ps);
        return LTY_ECORRUPT;
    }
    *out = ps;
    *count = n;
    return LTY_OK;
}

/* ------------------------------------------------------------------ */
/* The cache                                                           */
/* ------------------------------------------------------------------ */

void lty__programs_release(lty_engine *e)
{
    if (!e->programs)
        return;
    lty__free(&e->alloc, e->programs->p);
    if (e->programs->scratch) {
        lty__pstates_release(e->programs->scratch);
        lty__free(&e->alloc, e->programs->scratch);
    }
    lty__free(&e->alloc, e->programs);
    e->programs = NULL;
}

int lty__programs_current(lty_engine *e, const lty__programs **out)
{
    static const lty__programs none = {0, 0, NULL, NULL};
    lty__key k;
    uint64_t rev = 0;
    lty__key_meta(&k, REGISTRY);
    int rc = lty__get(e, k.b, k.n, NULL, &rev);
    if (rc == LTY_ENOTFOUND) {
        *out = &none;
        return LTY_OK;
    }
    if (rc)
        return rc;
    if (e->programs && e->programs->rev == rev) {
        *out = e->programs;
        return LTY_OK;
    }
    lty__program *ps;
    size_t n;
    if ((rc = decode_registry(e, e->rbuf.data, e->rbuf.len, &ps, &n)))
        return rc == LTY_ENOMEM ? lty__err(e, rc, "programs: out of memory")
                                : lty__corrupt(e, rc, "program registry");
    if (!e->programs) {
        e->programs = lty__zalloc(&e->alloc, sizeof *e->programs);
        if (!e->programs) {
            lty__free(&e->alloc, ps);
            return lty__err(e, LTY_ENOMEM, "programs: out of memory");
        }
    }
    lty__free(&e->alloc, e->programs->p);
    e->programs->p = ps;
    e->programs->n = n;
    e->programs->rev = rev;
    *out = e->programs;
    return LTY_OK;
}

const lty__program *lty__program_find(const lty__programs *ps, const char *id,
                                      size_t n)
{
    size_t lo = 0, hi = ps->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const lty__program *p = &ps->p[mid];
        size_t m = p->idlen < n ? p->idlen : n;
        int c = memcmp(p->id, id, m);
        if (c == 0)
            c = p->idlen < n ? -1 : p->idlen > n;
        if (c == 0)
            return p;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Defining                                                            */
/* ------------------------------------------------------------------ */

typedef struct define_op {
    lty__program *checked;     /* the new definitions */
    size_t n;
    lty__program *merged;      /* LTY_PROGRAMS_MAX slots */
    size_t *failed;
} define_op;

static int define_body(lty_engine *e, void *arg)
{
    define_op *op = arg;
    const lty__programs *cur;
    lty__key k;
    int rc = lty__programs_current(e, &cur);
    if (rc)
        return rc;
    lty__key_meta(&k, REGISTRY);
    uint64_t rev = cur->rev ? cur->rev : LTY_REV_NONE;
    size_t n = cur->n;
    if (n)
        memcpy(op->merged, cur->p, n * sizeof *op->merged);
    for (size_t i = 0; i < op->n; i++) {
        lty__program *p = &op->checked[i];
        lty__program *old = (lty__program *)lty__program_find(
            &(lty__programs){0, n, op->merged, NULL}, p->id, p->idlen);
        if (old) {
            if (old->kind != p->kind) {
                *op->failed = i;
                return lty__err(e, LTY_ESTATE,
                                "program kind: differs from the stored definition's");
            }
            p->def_version = old->def_version + 1;
            *old = *p;
            continue;
        }
        if (n == LTY_PROGRAMS_MAX) {
            *op->failed = i;
            return lty__err(e, LTY_ERANGE, "programs: at most %d in one store",
                            LTY_PROGRAMS_MAX);
        }
        p->def_version = 1;
        /* insert in id order */
        size_t at = n;
        while (at > 0 && strcmp(op->merged[at - 1].id, p->id) > 0)
            at--;
        memmove(&op->merged[at + 1], &op->merged[at], (n - at) * sizeof *p);
        op->merged[at] = *p;
        n++;
    }
    if ((rc = encode_registry(e, op->merged, n, &e->wbuf)))
        return lty__err(e, rc, "program registry: cannot encode");
    return lty__put(e, k.b, k.n, e->wbuf.data, e->wbuf.len, rev, NULL);
}

int lty__program_define_all(lty_engine *e, const lty_program_def *defs,
                            size_t n, size_t *failed)
{
    size_t dummy;
    if (!failed)
        failed = &dummy;
    *failed = n;
    if (!defs || n == 0)
        return lty__err(e, LTY_EINVALID, "programs: none given");
    if (n > LTY_PROGRAMS_MAX)
        return lty__err(e, LTY_ERANGE, "programs: at most %d in one store",
                        LTY_PROGRAMS_MAX);
    define_op op = {NULL, n, NULL, failed};
    int rc = LTY_OK;
    op.checked = lty__malloc(&e->alloc, n * sizeof *op.checked);
    op.merged = lty__malloc(&e->alloc, LTY_PROGRAMS_MAX * sizeof *op.merged);
    if (!op.checked || !op.merged)
        rc = lty__err(e, LTY_ENOMEM, "programs: out of memory");
    for (size_t i = 0; rc == LTY_OK && i < n; i++) {
        if ((rc = check_def(e, &defs[i], &op.checked[i])))
            *failed = i;
        for (size_t j = 0; rc == LTY_OK && j < i; j++)
            if (strcmp(op.checked[j].id, op.checked[i].id) == 0) {
                *failed = i;
                rc = lty__err(e, LTY_EINVALID, "program id: defined twice");
            }
    }
    if (rc == LTY_OK)
        rc = lty__txn(e, define_body, &op);
    lty__free(&e->alloc, op.checked);
    lty__free(&e->alloc, op.merged);
    return rc;
}

int lty_program_define(lty_engine *e, const lty_program_def *def)
{
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    return lty__program_define_all(e, def, 1, NULL);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

int lty_program_info_get(lty_engine *e, const char *id, lty_program_info *out)
{
    const lty__programs *ps;
    size_t n;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "program info: NULL");
    int rc = lty__check_id(e, "program id", id, &n);
    if (rc || (rc = lty__programs_current(e, &ps)))
        return rc;
    const lty__program *p = lty__program_find(ps, id, n);
    if (!p)
        return lty__err(e, LTY_ENOTFOUND, "program: not found");
    memset(out, 0, sizeof *out);
    out->kind = p->kind;
    out->def_version = p->def_version;
    memcpy(out->name, p->name, sizeof out->name);
    out->levels = p->kind == LTY_PROGRAM_LADDER ? p->nsteps
                : p->kind == LTY_PROGRAM_DRAW   ? p->nprizes
                                                : p->ntiers;
    return LTY_OK;
}

int lty_program_list(lty_engine *e, char (*ids)[LTY_ID_MAX + 1], size_t cap,
                     size_t *count)
{
    const lty__programs *ps;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!count || (cap && !ids))
        return lty__err(e, LTY_EINVALID, "program list: NULL");
    int rc = lty__programs_current(e, &ps);
    if (rc)
        return rc;
    for (size_t i = 0; i < ps->n && i < cap; i++)
        memcpy(ids[i], ps->p[i].id, ps->p[i].idlen + 1);
    *count = ps->n;
    return LTY_OK;
}
