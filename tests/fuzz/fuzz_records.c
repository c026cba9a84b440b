/*
 * libloyalty fuzz harness - records read back from storage.
 *
 * Everything a storage backend returns is untrusted: a damaged disk, a
 * half-restored backup or another program writing the tables must make the
 * engine return LTY_ECORRUPT (or LTY_EVERSION), never crash.  The input is
 * a store: a sequence of records, each
 *
 *   family (1 byte) | suffix length (1) | suffix | value length (2, BE) | value
 *
 * whose key is the family's prefix followed by the suffix.  The families
 * (family byte modulo their number) are the key layouts of
 * docs/guide/record-format.md with the ids the harness reads filled in:
 * customer c1's profile "C\0c1\0P", aggregates "C\0c1\0A", ledger entries
 * "C\0c1\0L...", program state "C\0c1\0G", outbox messages "O\0...",
 * appointments "A\0...", referrals, rewards, campaign definitions "K\0...",
 * memberships "C\0c1\0Q...", results "U\0...", RFM "C\0c1\0Z", CLV
 * "C\0c1\0V", templates "T\0...", policies and registries "M\0...", and
 * finally any key at all.  The records are written with the backend's raw
 * put (no engine involved), then the harness calls every public read that
 * decodes them: the customer and its history, program status and history,
 * rewards, the outbox, appointments (by customer, by day, statistics),
 * referrals, campaigns (definition, membership, results), RFM and CLV
 * figures, journeys and treatments, the day's briefing, caller ID, and
 * lty_verify() over the whole store; then the whole-store analyses (RFM
 * without saving, the lifetime-value summary, campaign eligibility and
 * forecasts) and planning the day.  What must hold:
 *
 *   - no crash, no sanitizer report, no leak;
 *   - every call returns LTY_OK, LTY_ENOTFOUND (where the record may be
 *     missing), LTY_ECORRUPT or LTY_EVERSION: a damaged record is never
 *     taken for an invalid argument, a storage failure or a conflict;
 *   - LTY_ECORRUPT comes with a message.
 *
 * The seed corpus is written by tests/fuzz/gen_records_corpus.c from a
 * store the library populated itself (every record kind), with each record
 * alone and cut in half.
 *
 * Build with libFuzzer: tests/fuzz/run.sh (make fuzz).  Without it,
 * tests/fuzz/replay.c runs the same function over the seed corpus
 * (make check: tests/fuzz/replay_records.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "fuzz_util.h"
#include "fuzz_records.h"

#define H "fuzz_records"
#define CAP 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The codes every read may return on a hostile store. */
static void check_read(lty_engine *e, const char *call, int rc)
{
    fuzz_expect_rc(H, call, rc, lty_engine_last_error(e), 5, LTY_OK,
                   LTY_ENOTFOUND, LTY_ECORRUPT, LTY_EVERSION, LTY_ENOMEM);
    if (rc == LTY_ECORRUPT) {
        const char *msg = lty_engine_last_error(e);
        if (!msg || !*msg)
            fuzz_fail(H, "LTY_ECORRUPT without a message", rc, call);
    }
}

/* A list call with a cap: LTY_OK may say there are more than fit. */
#define LIST_OK(rc, count) ((rc) == LTY_OK && (count) > 0)

static void read_customer(lty_engine *e)
{
    lty_customer *c = NULL;
    int rc = lty_customer_get(e, "c1", &c);
    check_read(e, "lty_customer_get", rc);
    if (rc == LTY_OK) {
        lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
        (void)lty_customer_stats_get(c, &st);
        size_t n = lty_customer_tag_count(c);
        for (size_t i = 0; i < n; i++)
            (void)lty_customer_tag_at(c, i);
        n = lty_customer_preference_count(c);
        for (size_t i = 0; i < n; i++) {
            const char *k = NULL, *v = NULL;
            (void)lty_customer_preference_at(c, i, &k, &v);
        }
        n = lty_customer_note_count(c);
        for (size_t i = 0; i < n; i++) {
            const char *k = NULL, *v = NULL;
            (void)lty_customer_note_at(c, i, &k, &v);
        }
        const char *phone = lty_customer_phone(c);
        if (phone && *phone) {
            lty_customer *again = NULL;
            check_read(e, "lty_customer_find_by_phone",
                       lty_customer_find_by_phone(e, phone, &again));
            lty_customer_free(again);
            lty_card *card = NULL;
            rc = lty_recognize_phone(e, phone, &card);
            check_read(e, "lty_recognize_phone", rc);
            if (rc == LTY_OK) {
                char *text = NULL;
                size_t len;
                (void)lty_card_render_text(card, &text, &len);
                lty_free(text);
            }
            lty_card_free(card);
        }
        lty_customer_free(c);
    }

    lty_history *h = NULL;
    rc = lty_history_list(e, "c1", NULL, 50, &h);
    check_read(e, "lty_history_list", rc);
    if (rc == LTY_OK) {
        for (size_t i = 0; i < lty_history_count(h); i++) {
            lty_event ev = LTY_EVENT_INIT;
            (void)lty_history_get(h, i, &ev);
        }
    }
    lty_history_free(h);
}

static void read_programs(lty_engine *e)
{
    char ids[CAP][LTY_ID_MAX + 1];
    size_t n = 0;
    int rc = lty_program_list(e, ids, CAP, &n);
    check_read(e, "lty_program_list", rc);
    for (size_t i = 0; rc == LTY_OK && i < n && i < CAP; i++) {
        lty_program_info info;
        check_read(e, "lty_program_info_get",
                   lty_program_info_get(e, ids[i], &info));
        lty_program_status st = LTY_PROGRAM_STATUS_INIT;
        check_read(e, "lty_program_status_get",
                   lty_program_status_get(e, "c1", ids[i], &st));
    }
    lty_program_log_entry log[CAP];
    check_read(e, "lty_program_history",
               lty_program_history(e, "c1", log, CAP, &n));
}

static void read_rewards(lty_engine *e)
{
    lty_reward r[CAP];
    for (size_t i = 0; i < CAP; i++)
        r[i] = (lty_reward)LTY_REWARD_INIT;
    size_t n = 0;
    int rc = lty_reward_list(e, "c1", r, CAP, &n);
    check_read(e, "lty_reward_list", rc);
    for (size_t i = 0; rc == LTY_OK && i < n && i < CAP; i++) {
        lty_reward one = LTY_REWARD_INIT;
        check_read(e, "lty_reward_get", lty_reward_get(e, r[i].code, &one));
    }
}

static void read_outbox(lty_engine *e)
{
    lty_outbox_entry m[CAP];
    for (size_t i = 0; i < CAP; i++)
        m[i] = (lty_outbox_entry)LTY_OUTBOX_ENTRY_INIT;
    size_t n = 0;
    int rc = lty_outbox_list(e, NULL, m, CAP, &n);
    check_read(e, "lty_outbox_list", rc);
    for (size_t i = 0; rc == LTY_OK && i < n && i < CAP; i++) {
        lty_outbox_entry one = LTY_OUTBOX_ENTRY_INIT;
        check_read(e, "lty_outbox_get", lty_outbox_get(e, m[i].id, &one));
    }
    lty_outbox_filter f = {"c1", (lty_message_state)0, 0, 0};
    check_read(e, "lty_outbox_list (customer)",
               lty_outbox_list(e, &f, m, CAP, &n));
    lty_outbox_entry one = LTY_OUTBOX_ENTRY_INIT;
    check_read(e, "lty_outbox_get", lty_outbox_get(e, "m1", &one));
}

static void read_appointments(lty_engine *e)
{
    lty_appointment a[CAP];
    for (size_t i = 0; i < CAP; i++)
        a[i] = (lty_appointment)LTY_APPOINTMENT_INIT;
    size_t n = 0;
    int rc = lty_appointment_list(e, "c1", a, CAP, &n);
    check_read(e, "lty_appointment_list", rc);
    for (size_t i = 0; rc == LTY_OK && i < n && i < CAP; i++) {
        lty_appointment one = LTY_APPOINTMENT_INIT;
        check_read(e, "lty_appointment_get",
                   lty_appointment_get(e, a[i].id, &one));
    }
    lty_appointment one = LTY_APPOINTMENT_INIT;
    check_read(e, "lty_appointment_get", lty_appointment_get(e, "a1", &one));
    lty_date day = {FUZZ_DAY_YEAR, FUZZ_DAY_MONTH, FUZZ_DAY_DAY};
    check_read(e, "lty_appointment_list_day",
               lty_appointment_list_day(e, &day, a, CAP, &n));
    lty_noshow_stats st = LTY_NOSHOW_STATS_INIT;
    lty_noshow_branch br[CAP];
    for (size_t i = 0; i < CAP; i++)
        br[i] = (lty_noshow_branch)LTY_NOSHOW_BRANCH_INIT;
    check_read(e, "lty_appointment_noshow_stats",
               lty_appointment_noshow_stats(e, FUZZ_NOW - 400 * 86400,
                                            FUZZ_NOW + 400 * 86400, &st, br,
                                            CAP, &n));
    lty_reminder_policy pol = LTY_REMINDER_POLICY_INIT;
    check_read(e, "lty_appointment_reminders_get",
               lty_appointment_reminders_get(e, &pol));
    lty_briefing *b = NULL;
    rc = lty_briefing_day(e, &day, &b);
    check_read(e, "lty_briefing_day", rc);
    if (rc == LTY_OK) {
        char *text = NULL;
        size_t len;
        (void)lty_briefing_render_text(b, &text, &len);
        lty_free(text);
    }
    lty_briefing_free(b);
}

static void read_referrals(lty_engine *e)
{
    lty_referral r = LTY_REFERRAL_INIT;
    check_read(e, "lty_referral_get", lty_referral_get(e, "c1", &r));
    lty_referral list[CAP];
    for (size_t i = 0; i < CAP; i++)
        list[i] = (lty_referral)LTY_REFERRAL_INIT;
    size_t n = 0;
    check_read(e, "lty_referral_list", lty_referral_list(e, "c1", list, CAP, &n));
    check_read(e, "lty_referral_list", lty_referral_list(e, "c2", list, CAP, &n));
    lty_referral_policy pol = LTY_REFERRAL_POLICY_INIT;
    check_read(e, "lty_referral_policy_get", lty_referral_policy_get(e, &pol));
    lty_referrer_rank top[CAP];
    for (size_t i = 0; i < CAP; i++)
        top[i] = (lty_referrer_rank)LTY_REFERRER_RANK_INIT;
    check_read(e, "lty_referral_top",
               lty_referral_top(e, FUZZ_NOW - 400 * 86400,
                                FUZZ_NOW + 400 * 86400, top, CAP, &n));
}

typedef struct campaign_ids {
    char id[CAP][LTY_ID_MAX + 1];
    size_t n;
} campaign_ids;

static int each_campaign(const char *id, const char *name, int measured,
                         void *ud)
{
    campaign_ids *c = ud;
    (void)name;
    (void)measured;
    if (c->n < CAP)
        snprintf(c->id[c->n++], LTY_ID_MAX + 1, "%s", id);
    return 0;
}

static void read_campaign(lty_engine *e, const char *id)
{
    lty_campaign_def *d = NULL;
    check_read(e, "lty_campaign_get", lty_campaign_get(e, id, &d));
    lty_free(d);
    lty_campaign_member m = LTY_CAMPAIGN_MEMBER_INIT;
    check_read(e, "lty_campaign_member_get",
               lty_campaign_member_get(e, id, "c1", &m));
    lty_campaign_result *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->version = LTY_CAMPAIGN_RESULT_VERSION;
    check_read(e, "lty_campaign_result_get", lty_campaign_result_get(e, id, r));
    free(r);
    lty_campaign_report rep = LTY_CAMPAIGN_REPORT_INIT;
    check_read(e, "lty_campaign_eligibility",
               lty_campaign_eligibility(e, id, &rep));
    /* the forecast reads the results of every measured campaign */
    lty_campaign_forecast *f = calloc(1, sizeof *f);
    if (!f)
        abort();
    f->version = LTY_CAMPAIGN_FORECAST_VERSION;
    int rc = lty_campaign_simulate(e, id, 7, f);
    if (rc != LTY_ERANGE) /* documented: figures out of range */
        check_read(e, "lty_campaign_simulate", rc);
    free(f);
}

static void read_campaigns(lty_engine *e)
{
    campaign_ids c;
    c.n = 0;
    check_read(e, "lty_campaign_list", lty_campaign_list(e, each_campaign, &c));
    for (size_t i = 0; i < c.n; i++)
        read_campaign(e, c.id[i]);
    read_campaign(e, "k1");
}

static void read_scores(lty_engine *e)
{
    lty_rfm_scores s = LTY_RFM_SCORES_INIT;
    check_read(e, "lty_rfm_customer_get", lty_rfm_customer_get(e, "c1", &s));
    lty_clv_figures f = LTY_CLV_FIGURES_INIT;
    int rc = lty_clv_customer_get(e, "c1", &f);
    check_read(e, "lty_clv_customer_get", rc);
    if (rc == LTY_OK)
        (void)lty_clv_figures_top_decile(&f);
}

/* Whole-store reads: the analyses go over every customer's ledger. */
static void read_analyses(lty_engine *e)
{
    lty_rfm_options o = LTY_RFM_OPTIONS_INIT;
    o.no_save = 1;
    lty_rfm_result *r = NULL;
    int rc = lty_rfm_compute(e, &o, &r);
    if (rc != LTY_ERANGE) /* documented: sums out of range */
        check_read(e, "lty_rfm_compute", rc);
    lty_rfm_result_free(r);
    lty_clv_summary *s = NULL;
    lty_clv_summary_options so = LTY_CLV_SUMMARY_OPTIONS_INIT;
    check_read(e, "lty_clv_summary_from_store",
               lty_clv_summary_from_store(&s, e, &so));
    lty_clv_summary_free(s);
}

static void read_plans(lty_engine *e)
{
    lty_journey_info j;
    memset(&j, 0, sizeof j);
    j.version = LTY_JOURNEY_INFO_VERSION;
    check_read(e, "lty_journey_get", lty_journey_get(e, "j1", &j));
    lty_journey_enrolment en[CAP];
    memset(en, 0, sizeof en);
    for (size_t i = 0; i < CAP; i++)
        en[i].version = LTY_JOURNEY_ENROLMENT_VERSION;
    size_t n = 0;
    check_read(e, "lty_journey_list_enrolments",
               lty_journey_list_enrolments(e, "c1", en, CAP, &n));
    char items[CAP][LTY_CODE_MAX + 1];
    check_read(e, "lty_treatment_list", lty_treatment_list(e, items, CAP, &n));
    /* planning the day reads treatments, journeys and enrolments (and
     * writes the messages it plans) */
    lty_date day = {FUZZ_DAY_YEAR, FUZZ_DAY_MONTH, FUZZ_DAY_DAY};
    check_read(e, "lty_plan_day", lty_plan_day(e, &day, NULL, &n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_world w;
    fuzz_world_open(&w, H);
    lty_engine *e = w.e;

    /* the store as the input describes it */
    fuzz_record rec;
    size_t off = 0;
    int k = 0;
    while (k++ < 256 && fuzz_record_next(data, size, &off, &rec)) {
        int rc = w.ops.put(rec.key, rec.keylen, rec.value, rec.len,
                           LTY_REV_ANY, NULL, w.ud);
        if (rc != LTY_OK)
            fuzz_fail(H, "memory store put", rc, NULL);
    }

    read_customer(e);
    read_programs(e);
    read_rewards(e);
    read_outbox(e);
    read_appointments(e);
    read_referrals(e);
    read_campaigns(e);
    read_scores(e);
    read_analyses(e);
    read_plans(e);
    size_t mismatches = 0;
    check_read(e, "lty_verify", lty_verify(e, &mismatches, NULL, NULL));

    fuzz_world_close(&w);
    return 0;
}
