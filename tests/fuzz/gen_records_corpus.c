/*
 * libloyalty fuzz corpus generator - the seed corpus of fuzz_records.c.
 *
 * Populates a memory store through the public API so that it holds every
 * kind of record the library writes (profiles with tags, preferences and
 * notes, aggregates, ledger entries with program earnings, program state
 * and history, points spends, rewards, templates, the messaging, reminder
 * and referral policies, outbox messages sent and reported on, contact
 * hygiene, appointments with their indexes, treatments, journeys and
 * enrolments, referrals, RFM scores, lifetime-value figures, campaigns
 * with memberships and results), then writes it in the harness's input
 * format (tests/fuzz/fuzz_records.h) into DIR:
 *
 *   store               every record
 *   one-<family>-<n>    a record alone
 *   cut-<family>-<n>    a record alone, its value cut in half
 *
 * with one record of each sort (family, record kind and, under a
 * customer's key, the letter after the id) rather than all 400 of them.
 *
 *   gen_records_corpus SRCDIR DIR
 *
 * SRCDIR is the source tree (for the programs in examples/programs).  Run by hand
 * when a record layout changes, and commit the result:
 *
 *   cc -Iinclude -I. tests/fuzz/gen_records_corpus.c .libs/libloyalty.a \
 *       -lpthread -lm -o gen_records_corpus
 *   rm tests/fuzz/corpus/records/one-* tests/fuzz/corpus/records/cut-*
 *   ./gen_records_corpus . tests/fuzz/corpus/records
 *
 * from the top of a built tree (docs/guide/testing.md); the regress-*
 * inputs stay.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>

#include "fuzz_util.h"
#include "fuzz_records.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)

static lty_engine *E;

#define TRY(call)                                                          \
    do {                                                                   \
        int rc_ = (call);                                                  \
        if (rc_ != LTY_OK) {                                               \
            fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__, __LINE__,    \
                    #call, lty_strerror(rc_), lty_engine_last_error(E));   \
            exit(1);                                                       \
        }                                                                  \
    } while (0)

static int send_ok(const lty_message *m, void *ud)
{
    (void)m;
    (void)ud;
    return LTY_OK;
}

static void customer(const char *id, const char *name, const char *phone,
                     const char *email)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = id;
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_EMAIL |
            LTY_FIELD_BIRTHDAY | LTY_FIELD_PREFERRED_CHANNEL;
    f.name = name;
    f.phone = phone;
    f.email = email;
    f.birthday = (lty_date){1985, 3, 6};
    f.preferred_channel = LTY_CHANNEL_SMS;
    TRY(lty_customer_create(E, &f));
    for (int ch = LTY_CHANNEL_SMS; ch <= LTY_CHANNEL_PUSH; ch++)
        TRY(lty_customer_set_consent(E, id, (lty_channel)ch,
                                     LTY_PURPOSE_MARKETING, 1));
}

static void purchase(const char *cid, const char *eid, int64_t when,
                     int64_t amount)
{
    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_PURCHASE;
    ev.id = eid;
    ev.customer_id = cid;
    ev.time = when;
    ev.amount = amount;
    ev.item = "scaling";
    TRY(lty_record(E, &ev, NULL));
}

static void populate(const char *srcdir, int64_t *now)
{
    char path[1024];
    lty_messaging_options mo = LTY_MESSAGING_OPTIONS_KOREA;
    mo.sender_name = "Clinic";
    mo.sender_contact = "02-000-0000";
    mo.opt_out_line = "080-000-0000";
    TRY(lty_messaging_configure(E, &mo));
    static const char *const programs[] = {"clinic-points", "starcard",
                                           "tsukada"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/examples/programs/%s.ini", srcdir,
                 programs[i]);
        TRY(lty_program_load_file(E, path));
    }
    for (int ch = LTY_CHANNEL_SMS; ch <= LTY_CHANNEL_STAFF; ch++) {
        TRY(lty_template_set(E, "appointment_reminder", (lty_channel)ch, "",
                             "{name}: {date} {time} at {clinic}"));
        TRY(lty_template_set(E, "t", (lty_channel)ch, "ko",
                             "{name}\xeb\x8b\x98 {{\xec\x95\x88\xeb\x82\xb4}}"));
        TRY(lty_template_set(E, "t", (lty_channel)ch, "", "Hello {name}"));
    }
    lty_messenger_ops ops = LTY_MESSENGER_OPS_INIT;
    ops.send = send_ok;
    TRY(lty_messenger_register(E, &ops, NULL));

    customer("c1", "\xea\xb9\x80\xeb\xaf\xbc\xec\xa4\x80", "010-1234-5678",
             "c1@example.com");
    customer("c2", "Lee", "010-2222-3333", "c2@example.com");
    customer("c3", "Park", "010-4444-5555", "c3@example.com");
    TRY(lty_customer_add_tag(E, "c1", "vip"));
    TRY(lty_customer_set_preference(E, "c1", "locale", "ko"));
    TRY(lty_customer_set_note(E, "c1", "allergy", "penicillin"));
    lty_date wed = {2015, 5, 9};
    TRY(lty_customer_set_anniversary(E, "c1", "wedding", &wed));

    lty_referral_policy rp = LTY_REFERRAL_POLICY_INIT;
    rp.credit.kind = LTY_REFERRAL_GIFT_PROGRAM;
    snprintf(rp.credit.program_id, sizeof rp.credit.program_id, "starcard");
    rp.credit.amount = 2;
    rp.welcome.kind = LTY_REFERRAL_GIFT_REWARD;
    snprintf(rp.welcome.reward_name, sizeof rp.welcome.reward_name, "Welcome");
    rp.welcome.reward_kind = LTY_REWARD_SERVICE;
    rp.welcome.reward_value = 5000;
    rp.purpose = LTY_PURPOSE_TRANSACTIONAL;
    snprintf(rp.thanks_template, sizeof rp.thanks_template, "t");
    TRY(lty_referral_policy_set(E, &rp));
    TRY(lty_referral_register(E, "c2", "c1")); /* c2 referred c1 */

    /* a year of visits */
    static const int64_t amounts[] = {50000, 120000, 30000, 80000, 45000};
    for (int i = 0; i < 5; i++) {
        char eid[32];
        snprintf(eid, sizeof eid, "v%d", i);
        purchase("c1", eid, FUZZ_NOW - (300 - 60 * i) * DAY + 11 * HOUR,
                 amounts[i]);
        snprintf(eid, sizeof eid, "w%d", i);
        purchase("c2", eid, FUZZ_NOW - (330 - 50 * i) * DAY + 15 * HOUR,
                 amounts[4 - i]);
        snprintf(eid, sizeof eid, "x%d", i);
        purchase("c3", eid, FUZZ_NOW - (200 - 10 * i) * DAY + 10 * HOUR,
                 amounts[(i + 2) % 5]);
    }
    lty_event refund = LTY_EVENT_INIT;
    refund.type = LTY_EVENT_REFUND;
    refund.id = "v4-refund";
    refund.customer_id = "c1";
    refund.time = FUZZ_NOW - 50 * DAY;
    refund.amount = 10000;
    refund.refund_of = "v4";
    TRY(lty_record(E, &refund, NULL));
    TRY(lty_points_spend(E, "c1", "clinic-points", "s1", 100, NULL));
    size_t changed;
    TRY(lty_programs_tick(E, FUZZ_NOW, &changed));

    lty_reward_spec rs = LTY_REWARD_SPEC_INIT;
    rs.code = "GIFT-1";
    rs.customer_id = "c1";
    rs.name = "Free scaling";
    rs.kind = LTY_REWARD_SERVICE;
    rs.value = 30000;
    rs.valid_days = 30;
    rs.source = LTY_REWARD_BY_HAND;
    TRY(lty_reward_issue(E, &rs));

    lty_treatment_def td = LTY_TREATMENT_DEF_INIT;
    td.item = "scaling";
    td.name = "Scaling";
    td.effect_days = 180;
    td.lead_days = 14;
    td.template_id = "t";
    td.purpose = LTY_PURPOSE_TRANSACTIONAL;
    TRY(lty_treatment_define(E, &td));
    lty_journey_step steps[2] = {
        {0, "t", LTY_PURPOSE_TRANSACTIONAL, LTY_CHANNEL_NONE},
        {30, "t", LTY_PURPOSE_MARKETING, LTY_CHANNEL_SMS}};
    lty_journey_def jd = LTY_JOURNEY_DEF_INIT;
    jd.id = "j1";
    jd.name = "Implant aftercare";
    jd.steps = steps;
    jd.step_count = 2;
    TRY(lty_journey_define(E, &jd));
    lty_date anchor = {FUZZ_DAY_YEAR, FUZZ_DAY_MONTH, FUZZ_DAY_DAY};
    TRY(lty_journey_enrol(E, "j1", "c1", &anchor));

    /* appointments today: one kept, one booked */
    lty_appointment_spec as = LTY_APPOINTMENT_SPEC_INIT;
    as.id = "a1";
    as.customer_id = "c1";
    as.start = FUZZ_NOW + 14 * HOUR;
    as.duration = 30;
    as.item = "scaling";
    as.branch = "gangnam";
    as.staff = "dr-han";
    TRY(lty_appointment_book(E, &as));
    as.id = "a2";
    as.customer_id = "c2";
    as.start = FUZZ_NOW + 10 * HOUR;
    TRY(lty_appointment_book(E, &as));

    /* RFM, then lifetime value */
    lty_rfm_options ro = LTY_RFM_OPTIONS_INIT;
    ro.as_of = FUZZ_NOW;
    lty_rfm_result *rr = NULL;
    TRY(lty_rfm_compute(E, &ro, &rr));
    lty_rfm_result_free(rr);
    lty_clv_summary *sum = NULL;
    lty_clv_summary_options so = LTY_CLV_SUMMARY_OPTIONS_INIT;
    TRY(lty_clv_summary_from_store(&sum, E, &so));
    size_t nrows = 0;
    const lty_clv_row *rows = lty_clv_summary_rows(sum, &nrows);
    lty_bgnbd_model bg;
    lty_gamgam_model gg;
    int fit = lty_bgnbd_fit(&bg, rows, nrows);
    if (fit == LTY_OK)
        fit = lty_gamgam_fit(&gg, rows, nrows);
    if (fit != LTY_OK) {
        /* three customers may be too few to fit: fixed parameters then */
        memset(&bg, 0, sizeof bg);
        memset(&gg, 0, sizeof gg);
        bg.r = 0.25, bg.alpha = 4.0, bg.a = 0.8, bg.b = 2.5;
        gg.p = 6.0, gg.q = 4.0, gg.gamma = 15.0;
    }
    lty_clv_score *scores = calloc(nrows, sizeof *scores);
    if (!scores)
        exit(1);
    lty_clv_options co = LTY_CLV_OPTIONS_INIT;
    TRY(lty_clv_compute(scores, rows, nrows, &bg, &gg, &co));
    TRY(lty_clv_store(E, scores, rows, nrows, &bg, &gg));
    free(scores);
    lty_clv_summary_free(sum);

    /* a campaign, launched at noon, sent, reported on and measured */
    *now = FUZZ_NOW + 12 * HOUR;
    lty_campaign_def d = LTY_CAMPAIGN_DEF_INIT;
    d.id = "k1";
    d.name = "Spring";
    d.template_id = "t";
    d.channel = LTY_CHANNEL_SMS;
    d.offer_kind = LTY_REWARD_SERVICE;
    d.offer_value = 10000;
    d.cost_per_message = 30;
    d.control_share = 0.3;
    TRY(lty_campaign_define(E, &d));
    TRY(lty_campaign_launch(E, "k1", *now, NULL));
    lty_plan_spec ps = LTY_PLAN_SPEC_INIT;
    ps.id = "m1";
    ps.customer_id = "c1";
    ps.template_id = "t";
    ps.purpose = LTY_PURPOSE_TRANSACTIONAL;
    ps.channel = LTY_CHANNEL_EMAIL;
    ps.due = *now;
    lty_param params[1] = {{"amount", "10000"}};
    ps.params = params;
    ps.param_count = 1;
    TRY(lty_outbox_plan(E, &ps));
    lty_dispatch_report rep;
    TRY(lty_outbox_dispatch(E, *now, 100, &rep));
    TRY(lty_delivery_report(E, "m1", LTY_SOFT_BOUNCE, *now + 60));
    ps.id = "m2";
    ps.due = *now + 30 * DAY;
    TRY(lty_outbox_plan(E, &ps));
    *now += HOUR;
    TRY(lty_appointment_arrive(E, "a2", *now, NULL));
    *now += 20 * DAY;
    TRY(lty_campaign_measure(E, "k1", *now, NULL));
}

typedef struct dump {
    uint8_t *b;
    size_t n, cap;
    size_t count;
    size_t *at; /* start of each record in b */
} dump;

static void put(dump *d, const void *p, size_t n)
{
    if (d->n + n > d->cap) {
        d->cap = (d->n + n) * 2;
        d->b = realloc(d->b, d->cap);
        if (!d->b)
            exit(1);
    }
    memcpy(d->b + d->n, p, n);
    d->n += n;
}

static int each(const char *key, size_t keylen, const void *value, size_t len,
                uint64_t rev, void *ctx)
{
    dump *d = ctx;
    (void)rev;
    size_t fam = fuzz_family_of(key, keylen);
    size_t pn = fuzz_families[fam].n;
    if (keylen - pn > 255 || len > 65535) {
        fprintf(stderr, "gen_records_corpus: a record does not fit the "
                        "input format\n");
        exit(1);
    }
    d->at = realloc(d->at, (d->count + 1) * sizeof *d->at);
    if (!d->at)
        exit(1);
    d->at[d->count++] = d->n;
    uint8_t head[2] = {(uint8_t)fam, (uint8_t)(keylen - pn)};
    put(d, head, 2);
    put(d, key + pn, keylen - pn);
    uint8_t vl[2] = {(uint8_t)(len >> 8), (uint8_t)len};
    put(d, vl, 2);
    put(d, value, len);
    return 0;
}

static void write_file(const char *dir, const char *name, const void *p,
                       size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "gen_records_corpus: %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_records_corpus SRCDIR DIR\n");
        return 2;
    }
    fuzz_world w;
    fuzz_world_open(&w, "gen_records_corpus");
    E = w.e;
    populate(argv[1], &w.now);

    dump d = {NULL, 0, 0, 0, NULL};
    TRY(w.ops.scan("", 0, NULL, 0, each, &d, w.ud));
    write_file(argv[2], "store", d.b, d.n);
    static unsigned char seen[FUZZ_FAMILIES][256][256];
    for (size_t i = 0; i < d.count; i++) {
        size_t start = d.at[i];
        size_t end = i + 1 < d.count ? d.at[i + 1] : d.n;
        uint8_t *r = d.b + start;
        /* the sort of record: family, kind byte, letter after the id */
        size_t vpos0 = 2 + r[1];
        size_t vlen0 = (size_t)r[vpos0] << 8 | r[vpos0 + 1];
        unsigned kind = vlen0 ? r[vpos0 + 2] : 0;
        unsigned letter = 0;
        if (r[0] == 24) { /* "C\0" + "<id>\0<letter>..." */
            const uint8_t *nul = memchr(r + 2, 0, r[1]);
            letter = nul && nul + 1 < r + 2 + r[1] ? nul[1] : 0;
        } else if (r[0] == 21 && r[1]) { /* "C\0c1\0" + "<letter>..." */
            letter = r[2];
        }
        if (seen[r[0]][kind][letter])
            continue;
        seen[r[0]][kind][letter] = 1;
        char name[64];
        snprintf(name, sizeof name, "one-%02u-%03zu", (unsigned)r[0], i);
        write_file(argv[2], name, r, end - start);
        /* the value cut in half, its length fixed to match */
        size_t vpos = 2 + r[1];
        size_t vlen = (size_t)r[vpos] << 8 | r[vpos + 1];
        if (vlen < 2)
            continue;
        uint8_t *cut = malloc(end - start);
        if (!cut)
            exit(1);
        memcpy(cut, r, end - start);
        size_t half = vlen / 2;
        cut[vpos] = (uint8_t)(half >> 8);
        cut[vpos + 1] = (uint8_t)half;
        snprintf(name, sizeof name, "cut-%02u-%03zu", (unsigned)r[0], i);
        write_file(argv[2], name, cut, vpos + 2 + half);
        free(cut);
    }
    printf("gen_records_corpus: %zu records, %zu bytes\n", d.count, d.n);
    free(d.at);
    free(d.b);
    fuzz_world_close(&w);
    return 0;
}
