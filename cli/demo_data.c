/*
 * loyalty CLI - a realistic demo clinic from a seeded generator.
 *
 * "미소피부과" (a dermatology clinic) whose customers come and go as the
 * BG/NBD model describes (customer_history()): one-time customers, regulars
 * who still come every month or so, and regulars who stopped.  Their visits over two years up to @c now become purchases of
 * treatments (with aftercare recalls from the treatment catalogue),
 * consultations, feedback and a few refunds; the last year's visits were
 * booked as appointments, with no-shows and cancellations whose rate falls
 * from about 14% to about 5% when the clinic starts sending reminders
 * (a year ago, half-way through the year); some customers are booked for the
 * next three weeks.  Some customers were referred by others.  A visit
 * ladder and a star card run on the events.
 *
 * A month before @c now the clinic launched a win-back campaign to lapsed
 * customers with a 10% control group; the demo plays its sending through a
 * messenger that accepts every message (nothing leaves the machine), and
 * generates the lapsed customers' returns after it: treatment members come
 * back more often than control members, which the campaign measure then
 * shows as uplift.  Finally RFM scores and lifetime values are stored, so
 * briefings, segments, churn and campaigns have data.
 *
 * Everything comes from one splitmix64 stream seeded by @c seed, and the
 * events are recorded in time order, so a seed gives the same store.
 *
 * SPDX-License-Identifier: MIT
 */
#include "demo_data.h"
#include "demo_names.h"
#include "local_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAYS_HISTORY 730
#define LAUNCH_DAYS_AGO 30
/* Reminders start this many days before now: the no-show rate falls. */
#define REMINDERS_DAYS_AGO 180

static const char programs_ini[] =
    "[program " CLI_DEMO_LADDER "]\n"
    "kind = ladder\n"
    "name = 미소 방문 등급\n"
    "[step]\nvisits = 1\ntitle = 새싹\n"
    "[step]\nvisits = 3\ntitle = 단골\n"
    "[step]\nvisits = 8\ntitle = 골드\n"
    "[step]\nvisits = 15\ntitle = VIP\n"
    "[step]\nvisits = 25\ntitle = VVIP\n"
    "\n"
    "[program " CLI_DEMO_STARS "]\n"
    "kind = stars\n"
    "name = 미소 스타\n"
    "medical = yes\n"
    "window = rolling 365\n"
    "downgrade = period-end\n"
    "grace_days = 30\n"
    "[earn]\nper = amount\nper_amount = 10000\nearn = 1\n"
    "[tier]\nname = Welcome\nthreshold = 0\n"
    "[tier]\nname = Green\nthreshold = 30\n"
    "[tier]\nname = Gold\nthreshold = 120\n"
    "reward_every = 50\nreward = 무료 관리 1회\nreward_kind = service\n"
    "reward_value = 0\nreward_valid_days = 90\n";

/* The catalogue: price in won, effect and recall lead in days (0 effect:
 * no aftercare), and how often it is chosen. */
static const struct treatment {
    const char *item;
    const char *name;
    int64_t price;
    int effect_days;
    int lead_days;
    int weight;
} catalogue[] = {
    {"consult", "상담", 0, 0, 0, 14},
    {"scaling", "피부 스케일링", 50000, 90, 10, 22},
    {"laser-toning", "레이저 토닝", 90000, 28, 3, 24},
    {"botox", "보톡스", 180000, 120, 14, 16},
    {"filler", "필러", 450000, 270, 21, 8},
    {"facial", "수분 관리", 70000, 0, 0, 16}};
#define CATALOGUE_N (sizeof catalogue / sizeof catalogue[0])

enum rec_kind { R_VISIT, R_PURCHASE, R_REFUND, R_FEEDBACK, R_APPT };

/* One thing on the timeline. */
struct rec {
    int64_t t;
    uint32_t seq;      /* order of creation: ids and a stable sort */
    uint32_t cust;
    uint8_t kind;
    uint8_t item;
    uint8_t state;     /* appointments: lty_appointment_state */
    uint8_t score;
    int64_t amount;
    uint32_t ref;      /* refunds: the purchase's seq */
};

struct demo {
    lty_engine *e;
    demo_rng rng;
    int64_t now, today, launch;
    struct cli_demo_summary *sum;
    struct rec *recs;
    size_t n, cap;
    uint32_t seq;
    int64_t *midnight;  /* local midnights, index = days before today */
    size_t customers;
};

static int fail(struct demo *d, int rc, const char *what)
{
    snprintf(d->sum->message, sizeof d->sum->message, "%s: %s", what,
             lty_engine_last_error(d->e));
    return rc;
}

static struct rec *add(struct demo *d, int64_t t, uint32_t cust, int kind)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 65536;
        struct rec *p = realloc(d->recs, cap * sizeof *p);
        if (!p)
            return NULL;
        d->recs = p;
        d->cap = cap;
    }
    struct rec *r = &d->recs[d->n++];
    memset(r, 0, sizeof *r);
    r->t = t;
    r->seq = d->seq++;
    r->cust = cust;
    r->kind = (uint8_t)kind;
    return r;
}

/* A time on the local day @p ago days before today, between 10:00 and
 * 19:00 on the half hour. */
static int64_t day_time(struct demo *d, int ago)
{
    return d->midnight[ago] + 36000 + (int64_t)demo_below(&d->rng, 18) * 1800;
}

static int pick_item(struct demo *d)
{
    int total = 0;
    for (size_t i = 0; i < CATALOGUE_N; i++)
        total += catalogue[i].weight;
    int p = (int)demo_below(&d->rng, (uint64_t)total);
    size_t i = 0;
    while (p >= catalogue[i].weight)
        p -= catalogue[i++].weight;
    return (int)i;
}

/* The no-show probability of an appointment @p ago days back: reminders
 * began REMINDERS_DAYS_AGO days ago. */
static double noshow_rate(int ago)
{
    return ago > REMINDERS_DAYS_AGO ? 0.14 : 0.05;
}

/* One visit of customer @p c, @p ago days before today: the appointment
 * (last year only), what was bought, feedback, maybe a refund. */
static int add_visit(struct demo *d, uint32_t c, int ago)
{
    int64_t t = day_time(d, ago);
    int item = pick_item(d);
    if (ago <= 365 && demo_unit(&d->rng) < 0.7) {
        double u = demo_unit(&d->rng);
        double ns = noshow_rate(ago);
        struct rec *a = add(d, t, c, R_APPT);
        if (!a)
            return -1;
        a->item = (uint8_t)item;
        if (u < 0.04) {
            a->state = LTY_APPOINTMENT_CANCELLED;
            return 0;
        }
        if (u < 0.04 + ns) {
            a->state = LTY_APPOINTMENT_NO_SHOW;
            return 0;
        }
        a->state = LTY_APPOINTMENT_ARRIVED;
    }
    const struct treatment *tr = &catalogue[item];
    struct rec *r = add(d, t + 1800, c, tr->price ? R_PURCHASE : R_VISIT);
    if (!r)
        return -1;
    r->item = (uint8_t)item;
    if (tr->price) {
        /* Prices vary by area treated, in 10,000 won steps. */
        int64_t step = (int64_t)demo_below(&d->rng, 5) - 1;
        r->amount = tr->price + step * 10000;
        if (r->amount < 10000)
            r->amount = tr->price;
        if (demo_unit(&d->rng) < 0.015 && ago > 7) {
            uint32_t pseq = r->seq;
            int64_t amount = r->amount;
            struct rec *f = add(d, t + 86400 * (1 + (int64_t)demo_below(&d->rng, 5)), c,
                                R_REFUND);
            if (!f)
                return -1;
            f->ref = pseq;
            f->amount = demo_unit(&d->rng) < 0.5 ? amount : amount / 2;
        }
    }
    if (demo_unit(&d->rng) < 0.12) {
        static const uint8_t scores[] = {10, 10, 10, 9, 9, 9, 8, 8, 7, 6, 4};
        struct rec *f = add(d, t + 7200, c, R_FEEDBACK);
        if (!f)
            return -1;
        f->score = scores[demo_below(&d->rng, sizeof scores)];
    }
    return 0;
}

/* Organic visits of one customer, from the BG/NBD story (Fader, Hardie &
 * Lee 2005) that the lifetime-value models assume: each customer visits at
 * a rate drawn from a gamma distribution (a visit every 45 days on
 * average, with a wide spread), and after each visit stops coming for
 * good with a probability drawn from a beta distribution (a quarter on
 * average: many one-time customers, some loyal for years).  First visits
 * are spread over the two years, a little more of them recently (the
 * clinic grows). */
static int customer_history(struct demo *d, uint32_t c)
{
    double rate = demo_gamma(&d->rng, 1.2) / 54.0;            /* visits a day */
    double ga = demo_gamma(&d->rng, 0.9), gb = demo_gamma(&d->rng, 2.7);
    double p_drop = ga / (ga + gb);
    double u = demo_unit(&d->rng);
    int first = 1 + (int)((DAYS_HISTORY - 1) * (1.0 - u * (0.4 + 0.6 * u)) );
    int ago = first, alive = 1;
    for (int v = 0; v < 200; v++) {
        if (add_visit(d, c, ago))
            return -1;
        if (demo_unit(&d->rng) < p_drop) {
            alive = 0;
            break;
        }
        int gap = 1 + (int)demo_exp(&d->rng, 1.0 / rate);
        if (gap >= ago)
            break;
        ago -= gap;
    }
    /* Customers still coming are often booked for their next visit. */
    if (alive && rate > 1.0 / 90 && demo_unit(&d->rng) < 0.5) {
        /* from today (the front desk's briefing) to three weeks ahead */
        int ahead = (int)demo_below(&d->rng, 21);
        struct rec *a = add(d, d->midnight[0] + (int64_t)ahead * 86400 + 36000 +
                                   (int64_t)demo_below(&d->rng, 18) * 1800,
                            c, R_APPT);
        if (!a)
            return -1;
        a->item = (uint8_t)pick_item(d);
        a->state = LTY_APPOINTMENT_BOOKED;
    }
    return 0;
}

static int cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static void cust_id(char *buf, size_t len, uint32_t c)
{
    snprintf(buf, len, "C%05u", (unsigned)(c + 1));
}

/* ---------------------------------------------------------------- */
/* Writing to the store                                              */
/* ---------------------------------------------------------------- */

struct batch {
    lty_event ev[LTY_BATCH_MAX];
    char ids[LTY_BATCH_MAX][16];
    char cids[LTY_BATCH_MAX][16];
    char refs[LTY_BATCH_MAX][16];
    size_t n;
};

static int flush(struct demo *d, struct batch *b)
{
    if (b->n == 0)
        return LTY_OK;
    size_t failed;
    int rc = lty_record_batch(d->e, b->ev, b->n, NULL, &failed);
    if (rc != LTY_OK)
        return fail(d, rc, "recording the history");
    d->sum->events += b->n;
    b->n = 0;
    return LTY_OK;
}

static int write_appt(struct demo *d, const struct rec *r)
{
    char id[24], cid[16];
    snprintf(id, sizeof id, "A%07u", (unsigned)r->seq);
    cust_id(cid, sizeof cid, r->cust);
    lty_appointment_spec s = LTY_APPOINTMENT_SPEC_INIT;
    s.id = id;
    s.customer_id = cid;
    s.start = r->t;
    s.duration = catalogue[r->item].price >= 180000 ? 60 : 30;
    s.item = catalogue[r->item].item;
    s.staff = r->cust % 3 == 0 ? "dr-kim" : r->cust % 3 == 1 ? "dr-lee" : "dr-park";
    int rc = lty_appointment_book(d->e, &s);
    if (rc != LTY_OK)
        return fail(d, rc, "booking appointments");
    switch (r->state) {
    case LTY_APPOINTMENT_ARRIVED:
        rc = lty_appointment_arrive(d->e, id, r->t - 300, NULL);
        d->sum->arrived++;
        break;
    case LTY_APPOINTMENT_NO_SHOW:
        rc = lty_appointment_no_show(d->e, id);
        d->sum->no_shows++;
        break;
    case LTY_APPOINTMENT_CANCELLED:
        rc = lty_appointment_cancel(d->e, id);
        d->sum->cancelled++;
        break;
    default:
        d->sum->appointments_future++;
        return LTY_OK;
    }
    if (rc != LTY_OK)
        return fail(d, rc, "closing appointments");
    d->sum->appointments_past++;
    return LTY_OK;
}

/* Record recs[from..to) in time order: events in batches, appointments
 * one by one between them. */
static int write_range(struct demo *d, struct batch *b, size_t from, size_t to)
{
    int rc;
    for (size_t i = from; i < to; i++) {
        const struct rec *r = &d->recs[i];
        if (r->kind == R_APPT) {
            if ((rc = flush(d, b)) || (rc = write_appt(d, r)))
                return rc;
            continue;
        }
        lty_event ev = LTY_EVENT_INIT;
        size_t k = b->n;
        snprintf(b->ids[k], sizeof b->ids[k], "E%07u", (unsigned)r->seq);
        cust_id(b->cids[k], sizeof b->cids[k], r->cust);
        ev.id = b->ids[k];
        ev.customer_id = b->cids[k];
        ev.time = r->t;
        switch (r->kind) {
        case R_VISIT:
            ev.type = LTY_EVENT_VISIT;
            ev.item = catalogue[r->item].item;
            break;
        case R_PURCHASE:
            ev.type = LTY_EVENT_PURCHASE;
            ev.item = catalogue[r->item].item;
            ev.amount = r->amount;
            d->sum->purchases++;
            break;
        case R_REFUND:
            ev.type = LTY_EVENT_REFUND;
            ev.amount = r->amount;
            snprintf(b->refs[k], sizeof b->refs[k], "E%07u", (unsigned)r->ref);
            ev.refund_of = b->refs[k];
            d->sum->refunds++;
            break;
        default:
            ev.type = LTY_EVENT_FEEDBACK;
            ev.score = r->score;
            d->sum->feedback++;
            break;
        }
        ev.branch = "gangnam";
        b->ev[b->n++] = ev;
        if (b->n == LTY_BATCH_MAX && (rc = flush(d, b)))
            return rc;
    }
    return flush(d, b);
}

/* ---------------------------------------------------------------- */
/* Set-up: policy, templates, programs, treatments                   */
/* ---------------------------------------------------------------- */

static int setup(struct demo *d)
{
    lty_engine *e = d->e;
    int rc;
    lty_messaging_options mo = LTY_MESSAGING_OPTIONS_KOREA;
    mo.sender_name = "미소피부과";
    mo.sender_contact = "02-555-0100";
    mo.opt_out_line = "무료수신거부 080-555-0100";
    if ((rc = lty_messaging_configure(e, &mo)))
        return fail(d, rc, "messaging policy");
    static const struct {
        const char *id;
        const char *text;
    } templates[] = {
        {"appointment_reminder", "{name}님, {date} {time} 미소피부과 예약이 있습니다. 변경은 02-555-0100"},
        {"aftercare", "{name}님, {date}에 받으신 {item} 효과가 곧 끝나갑니다. 다음 관리를 예약해 보세요."},
        {LTY_REFERRAL_THANKS_TEMPLATE, "{name}님, 소개해 주셔서 감사합니다."},
        {"program_promotion", "{name}님이 {title}{tier} 등급이 되었습니다."},
        {"program_notice", "{name}님, 미소 스타 등급 안내입니다."},
        {"winback", "{name}님, 오랜만이에요! 이번 달 방문하시면 관리 1회를 더 해 드립니다."}};
    static const lty_channel channels[] = {LTY_CHANNEL_SMS, LTY_CHANNEL_KAKAO,
                                           LTY_CHANNEL_EMAIL, LTY_CHANNEL_STAFF};
    for (size_t i = 0; i < sizeof templates / sizeof templates[0]; i++)
        for (size_t c = 0; c < sizeof channels / sizeof channels[0]; c++)
            if ((rc = lty_template_set(e, templates[i].id, channels[c], "",
                                       templates[i].text)))
                return fail(d, rc, "message templates");
    if ((rc = lty_program_load_text(e, programs_ini, sizeof programs_ini - 1,
                                    "demo programs")))
        return fail(d, rc, "programs");
    for (size_t i = 0; i < CATALOGUE_N; i++) {
        if (!catalogue[i].effect_days)
            continue;
        lty_treatment_def t = LTY_TREATMENT_DEF_INIT;
        t.item = catalogue[i].item;
        t.name = catalogue[i].name;
        t.effect_days = catalogue[i].effect_days;
        t.lead_days = catalogue[i].lead_days;
        t.template_id = "aftercare";
        t.purpose = LTY_PURPOSE_TRANSACTIONAL;
        if ((rc = lty_treatment_define(e, &t)))
            return fail(d, rc, "treatments");
        d->sum->treatments++;
    }
    return LTY_OK;
}

static int create_customers(struct demo *d)
{
    lty_engine *e = d->e;
    int rc;
    for (uint32_t c = 0; c < d->customers; c++) {
        char id[16], name[64], phone[24], email[48];
        cust_id(id, sizeof id, c);
        demo_korean_name(&d->rng, name, sizeof name);
        /* Distinct numbers: an odd multiplier is a bijection mod 10^8. */
        uint64_t num = ((uint64_t)c * 48271u + 12345678u) % 100000000u;
        snprintf(phone, sizeof phone, "010-%04u-%04u", (unsigned)(num / 10000),
                 (unsigned)(num % 10000));
        lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
        f.id = id;
        f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_BIRTHDAY |
                LTY_FIELD_PREFERRED_CHANNEL;
        f.name = name;
        f.phone = phone;
        if (demo_unit(&d->rng) < 0.3) {
            snprintf(email, sizeof email, "patient%05u@example.com", (unsigned)(c + 1));
            f.email = email;
            f.set |= LTY_FIELD_EMAIL;
        }
        f.birthday.year = 1960 + (int)demo_below(&d->rng, 45);
        f.birthday.month = 1 + (int)demo_below(&d->rng, 12);
        f.birthday.day = 1 + (int)demo_below(&d->rng, 28);
        double u = demo_unit(&d->rng);
        f.preferred_channel = u < 0.5 ? LTY_CHANNEL_KAKAO
                              : (u < 0.9 || !f.email) ? LTY_CHANNEL_SMS
                                                      : LTY_CHANNEL_EMAIL;
        if ((rc = lty_customer_create(e, &f)))
            return fail(d, rc, "creating customers");
        d->sum->customers++;
        if (demo_unit(&d->rng) < 0.7) {
            if ((rc = lty_customer_set_consent(e, id, f.preferred_channel,
                                               LTY_PURPOSE_MARKETING, 1)))
                return fail(d, rc, "consents");
            d->sum->consents++;
        }
        u = demo_unit(&d->rng);
        if (u < 0.05)
            rc = lty_customer_set_note(e, id, "allergy", "리도카인 주의");
        else if (u < 0.12)
            rc = lty_customer_set_preference(e, id, "doctor", "여의사 선호");
        if (rc)
            return fail(d, rc, "notes and preferences");
        /* Referred by an earlier customer, before any visit. */
        if (c >= 50 && demo_unit(&d->rng) < 0.08) {
            char ref[16];
            cust_id(ref, sizeof ref, (uint32_t)demo_below(&d->rng, c));
            rc = lty_referral_register(e, ref, id);
            if (rc == LTY_OK)
                d->sum->referrals++;
            else if (rc != LTY_ERANGE && rc != LTY_EINVALID)
                return fail(d, rc, "referrals");
        }
    }
    return LTY_OK;
}

/* ---------------------------------------------------------------- */
/* The win-back campaign                                             */
/* ---------------------------------------------------------------- */

static int accept_all(const lty_message *m, void *ud)
{
    (void)m;
    ((struct demo *)ud)->sum->messages_sent++;
    return LTY_OK;
}

static int define_campaigns(struct demo *d)
{
    lty_campaign_def c = LTY_CAMPAIGN_DEF_INIT;
    int rc;
    if ((rc = lty_campaign_preset_winback(&c, 90)))
        return fail(d, rc, "win-back campaign");
    c.id = CLI_DEMO_WINBACK;
    c.name = "오랜만이에요 (90일 미방문)";
    c.template_id = "winback";
    c.offer_kind = LTY_REWARD_SERVICE;
    c.offer_value = 0;
    c.offer_cost = 15000;
    c.cost_per_message = 30;
    c.control_share = 0.2;
    c.attribution_days = 21;
    if ((rc = lty_campaign_define(d->e, &c)))
        return fail(d, rc, "win-back campaign");
    d->sum->campaign_ids[d->sum->campaign_count++] = CLI_DEMO_WINBACK;
    return LTY_OK;
}

/* The next win-back, defined but not launched: for simulation. */
static int define_next(struct demo *d)
{
    lty_campaign_def c = LTY_CAMPAIGN_DEF_INIT;
    int rc;
    if ((rc = lty_campaign_preset_winback(&c, 0)))
        return fail(d, rc, "next campaign");
    c.id = CLI_DEMO_WINBACK_NEXT;
    c.name = "다시 만나요 (At Risk, Can't Lose Them)";
    c.template_id = "winback";
    c.offer_kind = LTY_REWARD_SERVICE;
    c.offer_cost = 15000;
    c.cost_per_message = 30;
    if ((rc = lty_campaign_define(d->e, &c)))
        return fail(d, rc, "next campaign");
    d->sum->campaign_ids[d->sum->campaign_count++] = CLI_DEMO_WINBACK_NEXT;
    return LTY_OK;
}

/* The segments the campaign targets and keeps per member: RFM scores as
 * of the launch (scored again at the end, as of now). */
static int score_at_launch(struct demo *d)
{
    lty_rfm_options ro = LTY_RFM_OPTIONS_INIT;
    lty_rfm_result *res = NULL;
    ro.as_of = d->launch;
    int rc = lty_rfm_compute(d->e, &ro, &res);
    lty_rfm_result_free(res);
    return rc ? fail(d, rc, "RFM at launch") : LTY_OK;
}

static int launch_and_send(struct demo *d)
{
    int rc;
    lty_campaign_report rep = LTY_CAMPAIGN_REPORT_INIT;
    if ((rc = lty_campaign_launch(d->e, CLI_DEMO_WINBACK, d->launch, &rep)))
        return fail(d, rc, "launching the win-back campaign");
    d->sum->campaign_members = (size_t)(rep.treatment + rep.control);
    lty_messenger_ops ops = LTY_MESSENGER_OPS_INIT;
    ops.send = accept_all;
    if ((rc = lty_messenger_register(d->e, &ops, d)))
        return fail(d, rc, "demo messenger");
    for (;;) {
        lty_dispatch_report dr;
        memset(&dr, 0, sizeof dr);
        rc = lty_outbox_dispatch(d->e, d->launch, 10000, &dr);
        if (rc != LTY_OK || dr.claimed == 0)
            break;
    }
    lty_messenger_register(d->e, NULL, NULL);
    return rc ? fail(d, rc, "sending the campaign") : LTY_OK;
}

/* Lapsed customers answer the campaign: the treatment group more often. */
static int add_responses(struct demo *d)
{
    for (uint32_t c = 0; c < d->customers; c++) {
        char id[16];
        cust_id(id, sizeof id, c);
        lty_campaign_member m = LTY_CAMPAIGN_MEMBER_INIT;
        int rc = lty_campaign_member_get(d->e, CLI_DEMO_WINBACK, id, &m);
        if (rc == LTY_ENOTFOUND)
            continue;
        if (rc)
            return fail(d, rc, "campaign members");
        double p = m.group == LTY_CAMPAIGN_TREATMENT ? 0.22 : 0.08;
        if (demo_unit(&d->rng) < p) {
            int ago = LAUNCH_DAYS_AGO - 1 - (int)demo_below(&d->rng, 20);
            if (add_visit(d, c, ago))
                return fail(d, LTY_ENOMEM, "campaign responses");
        }
    }
    return LTY_OK;
}

/* ---------------------------------------------------------------- */
/* Analytics                                                         */
/* ---------------------------------------------------------------- */

static int analytics(struct demo *d)
{
    lty_rfm_options ro = LTY_RFM_OPTIONS_INIT;
    lty_rfm_result *res = NULL;
    ro.as_of = d->now;
    /* the win-back campaign's result, kept for the report and for the next
     * campaign's forecast (its segments are those of the launch) */
    int rc = lty_campaign_measure(d->e, CLI_DEMO_WINBACK, d->now, NULL);
    if (rc)
        return fail(d, rc, "measuring the win-back campaign");
    rc = lty_rfm_compute(d->e, &ro, &res);
    if (rc)
        return fail(d, rc, "RFM");
    d->sum->rfm_customers = lty_rfm_result_count(res);
    lty_rfm_result_free(res);

    lty_clv_summary *s = NULL;
    lty_clv_summary_options so = LTY_CLV_SUMMARY_OPTIONS_INIT;
    so.period = LTY_CLV_PERIOD_DAY;
    so.end = d->now;
    if ((rc = lty_clv_summary_from_store(&s, d->e, &so)))
        return fail(d, rc, "lifetime value summary");
    size_t n = 0;
    const lty_clv_row *rows = lty_clv_summary_rows(s, &n);
    lty_bgnbd_model bg;
    lty_gamgam_model gg;
    lty_clv_score *scores = n ? calloc(n, sizeof *scores) : NULL;
    lty_clv_options co = LTY_CLV_OPTIONS_INIT;
    co.period = LTY_CLV_PERIOD_DAY;
    if (n && !scores)
        rc = LTY_ENOMEM;
    else if (n < 2)
        rc = LTY_ESTATE;
    if (!rc && (rc = lty_bgnbd_fit(&bg, rows, n)))
        snprintf(d->sum->message, sizeof d->sum->message, "BG/NBD fit: %s", bg.message);
    else if (!rc && (rc = lty_gamgam_fit(&gg, rows, n)))
        snprintf(d->sum->message, sizeof d->sum->message, "Gamma-Gamma fit: %s", gg.message);
    else if (!rc && (rc = lty_clv_compute(scores, rows, n, &bg, &gg, &co)))
        snprintf(d->sum->message, sizeof d->sum->message, "lifetime value: %s", lty_strerror(rc));
    else if (!rc && (rc = lty_clv_store(d->e, scores, rows, n, &bg, &gg)))
        fail(d, rc, "storing lifetime values");
    else if (!rc)
        d->sum->clv_customers = n;
    else
        snprintf(d->sum->message, sizeof d->sum->message, "lifetime value: %s", lty_strerror(rc));
    free(scores);
    lty_clv_summary_free(s);
    return rc;
}

int cli_demo_populate(lty_engine *e, uint64_t seed, size_t customers,
                      int64_t now, struct cli_demo_summary *out)
{
    if (!out)
        return LTY_EINVALID;
    memset(out, 0, sizeof *out);
    if (!e || customers == 0 || customers > 99999) {
        snprintf(out->message, sizeof out->message,
                 "customers: outside 1..99999");
        return LTY_EINVALID;
    }
    struct demo d;
    memset(&d, 0, sizeof d);
    d.e = e;
    d.rng.s = seed;
    d.now = now;
    d.sum = out;
    d.customers = customers;
    int rc = LTY_OK;
    struct batch *b = malloc(sizeof *b);
    d.midnight = malloc((DAYS_HISTORY + 2) * sizeof *d.midnight);
    if (!b || !d.midnight) {
        rc = LTY_ENOMEM;
        snprintf(out->message, sizeof out->message, "out of memory");
        goto done;
    }
    b->n = 0;
    if (cli_local_day(e, now, &d.today)) {
        rc = LTY_EINVALID;
        snprintf(out->message, sizeof out->message, "now: out of range");
        goto done;
    }
    for (int ago = 0; ago <= DAYS_HISTORY + 1; ago++)
        if (cli_local_midnight(e, d.today - ago, &d.midnight[ago])) {
            rc = LTY_EINVALID;
            snprintf(out->message, sizeof out->message, "now: too early");
            goto done;
        }
    d.launch = d.midnight[LAUNCH_DAYS_AGO] + 11 * 3600;

    if ((rc = setup(&d)) || (rc = create_customers(&d)))
        goto done;
    for (uint32_t c = 0; c < customers; c++)
        if (customer_history(&d, c)) {
            rc = LTY_ENOMEM;
            snprintf(out->message, sizeof out->message, "out of memory");
            goto done;
        }
    qsort(d.recs, d.n, sizeof *d.recs, cmp_rec);
    /* Drop what would lie in the future (refunds of recent purchases),
     * except the booked appointments. */
    size_t k = 0;
    for (size_t i = 0; i < d.n; i++)
        if (d.recs[i].t <= now || d.recs[i].kind == R_APPT)
            d.recs[k++] = d.recs[i];
    d.n = k;
    size_t split = 0;
    while (split < d.n && d.recs[split].t <= d.launch)
        split++;
    if ((rc = write_range(&d, b, 0, split)) || (rc = define_campaigns(&d)) ||
        (rc = score_at_launch(&d)) || (rc = launch_and_send(&d)))
        goto done;
    /* The rest of the history, with the campaign's responses, in time
     * order. */
    size_t before = d.n;
    if ((rc = add_responses(&d)))
        goto done;
    memmove(d.recs, d.recs + split, (d.n - split) * sizeof *d.recs);
    d.n -= split;
    (void)before;
    qsort(d.recs, d.n, sizeof *d.recs, cmp_rec);
    k = 0;
    for (size_t i = 0; i < d.n; i++)
        if (d.recs[i].t <= now || d.recs[i].kind == R_APPT)
            d.recs[k++] = d.recs[i];
    d.n = k;
    if ((rc = write_range(&d, b, 0, d.n)) || (rc = define_next(&d)) ||
        (rc = analytics(&d)))
        goto done;
done:
    free(b);
    free(d.recs);
    free(d.midnight);
    return rc;
}
