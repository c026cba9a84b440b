/*
 * libloyalty example - a dental clinic's week of reminders.
 *
 * 행복치과 in Gangnam (Seoul, UTC+9) sends its patients the "312" reminders
 * (3 days, 1 day and 2 hours before an appointment), recalls them when a
 * scaling wears off, and greets them on their birthday, under the Korean
 * advertising rules (LTY_MESSAGING_OPTIONS_KOREA): an advertisement needs
 * the channel's consent, begins with "(광고)" and the sender, ends with the
 * free opt-out line, and waits out the night (21:00-08:00).
 *
 * The messenger is a spool: each message the outbox hands over is written
 * as one JSON object per line (id, channel, address, purpose, attempt,
 * text) to outbox.jsonl in a fresh temporary directory, as a gateway's
 * queue would receive it.  The directory is removed at the end unless the
 * environment variable KEEP_SPOOL is set; then its path is printed.
 *
 * The story, Monday 2 March 2026 to the Monday after:
 *
 *   - 김민지 (SMS, marketing consent) books a scaling 5 days ahead: three
 *     reminders.  After the first she moves it to Friday morning: the two
 *     pending ones are cancelled, and of the new schedule's three the
 *     3-day one is already past, so two are planned.  She comes, the visit
 *     is recorded and her scaling recall is planned for August.
 *   - 이서준 (e-mail only) books online 1.5 days ahead: two reminders.  The
 *     first bounces (a hard bounce), so the second is suppressed and the
 *     front desk gets a notice instead.  He does not come: a no-show.
 *   - 박지호 (KakaoTalk, asked for no advertising) books a check-up and
 *     cancels it after the first reminder: the other two are cancelled.
 *   - Friday's daily run plans next Monday's birthday greetings for 07:00.
 *     At 07:00 김민지's waits for the end of the quiet hours and goes out
 *     at 08:00; 박지호's is suppressed at once: he consented to advertising
 *     on no channel, so there is nothing to wait for.
 *
 * The clock is the example's: it moves to each due time and the outbox is
 * dispatched there, as a dispatcher running every minute would.
 *
 * `make check` runs it: it exits non-zero unless the facts the story tells
 * hold (which messages were sent, the spool, the advertising frame, the
 * suppressions and their reasons, the quiet-hours deferral).
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, strdup */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <loyalty.h>

#define TRY(call)                                                          \
    do {                                                                   \
        int rc_ = (call);                                                  \
        if (rc_ != LTY_OK) {                                               \
            fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__, __LINE__,    \
                    #call, lty_strerror(rc_), lty_engine_last_error(e));   \
            exit(EXIT_FAILURE);                                            \
        }                                                                  \
    } while (0)

#define SEOUL_OFFSET_MINUTES 540 /* UTC+9, no daylight saving time */
/* Monday 2026-03-02 00:00 in Seoul (15:00 UTC the day before). */
#define WEEK_START INT64_C(1772377200)
#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)
/* Local time on the story's day d (0 = Monday 2 March). */
#define AT(d, h, m) (WEEK_START + (d) * DAY + (h) * HOUR + (m) * INT64_C(60))

#define MINJI "P-1001"  /* 김민지: SMS, marketing consent */
#define SEOJUN "P-1002" /* 이서준: e-mail only */
#define JIHO "P-1003"   /* 박지호: KakaoTalk, no advertising */

#define OPT_OUT_LINE "무료수신거부 080-123-4567"
#define LIST_MAX 64
#define LOG_MAX 32

static int failures;
static int64_t now; /* the clinic's clock */

/* Report a broken fact; the example then exits non-zero. */
static void expect(int ok, const char *fact)
{
    if (!ok) {
        fprintf(stderr, "FAIL: %s\n", fact);
        failures++;
    }
}

static int64_t clinic_clock(void *userdata)
{
    return *(const int64_t *)userdata;
}

/* ------------------------------------------------------------------ */
/* Local time, for printing                                            */
/* ------------------------------------------------------------------ */

/* "Tue 03-03 10:00" (with_year: "2026-08-19 10:00").  Plain arithmetic,
 * so the messenger can use it too (it must not call into the engine). */
static const char *local_time(int64_t t, int with_year, char *buf, size_t n)
{
    static const char *const wday[] = {"Sun", "Mon", "Tue", "Wed",
                                       "Thu", "Fri", "Sat"};
    int64_t local = t + SEOUL_OFFSET_MINUTES * 60;
    int64_t days = local / DAY, secs = local % DAY; /* times after 1970 */
    /* days since 1970-01-01 to the civil date (H. Hinnant's algorithm) */
    int64_t z = days + 719468, era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int day = (int)(doy - (153 * mp + 2) / 5 + 1);
    int month = (int)(mp < 10 ? mp + 3 : mp - 9);
    int year = (int)(yoe + era * 400 + (month <= 2));
    if (with_year)
        snprintf(buf, n, "%04d-%02d-%02d %02d:%02d", year, month, day,
                 (int)(secs / 3600), (int)(secs / 60 % 60));
    else
        snprintf(buf, n, "%s %02d-%02d %02d:%02d", wday[(days + 4) % 7], month,
                 day, (int)(secs / 3600), (int)(secs / 60 % 60));
    return buf;
}

static const char *channel_name(lty_channel ch)
{
    switch (ch) {
    case LTY_CHANNEL_SMS: return "sms";
    case LTY_CHANNEL_EMAIL: return "email";
    case LTY_CHANNEL_KAKAO: return "kakao";
    case LTY_CHANNEL_PUSH: return "push";
    case LTY_CHANNEL_STAFF: return "staff";
    default: return "none";
    }
}

static const char *purpose_name(lty_purpose p)
{
    switch (p) {
    case LTY_PURPOSE_TRANSACTIONAL: return "transactional";
    case LTY_PURPOSE_MARKETING: return "marketing";
    case LTY_PURPOSE_NIGHT_MARKETING: return "night_marketing";
    default: return "unknown";
    }
}

static const char *state_name(lty_message_state s)
{
    switch (s) {
    case LTY_MSG_PLANNED: return "planned";
    case LTY_MSG_CLAIMED: return "claimed";
    case LTY_MSG_SENT: return "sent";
    case LTY_MSG_RETRY: return "retry";
    case LTY_MSG_DEAD: return "dead";
    case LTY_MSG_SUPPRESSED: return "suppressed";
    case LTY_MSG_CANCELLED: return "cancelled";
    default: return "?";
    }
}

/* ------------------------------------------------------------------ */
/* The messenger: a spool file of JSON lines                           */
/* ------------------------------------------------------------------ */

/* A message the spool accepted, kept for the story and its checks. */
typedef struct spooled {
    char id[LTY_MESSAGE_ID_MAX + 1];
    lty_channel channel;
    lty_purpose purpose;
    char address[LTY_EMAIL_MAX + 1];
    char *text;
    int64_t at;
} spooled;

typedef struct spool {
    char dir[4096];
    char path[4096 + 32];
    FILE *f;
    size_t lines;
    spooled log[LOG_MAX];
    size_t n;
} spool;

static spool sp;

/* A JSON string: quotes, backslashes and control characters escaped; the
 * UTF-8 of the text is copied as it is (JSON text is UTF-8). */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

/* Called by lty_outbox_dispatch() for each message it claimed.  A full
 * disk is a temporary failure: the outbox tries again later. */
static int spool_send(const lty_message *m, void *userdata)
{
    spool *s = userdata;
    if (s->n == LOG_MAX)
        return LTY_ETEMPORARY;
    spooled *r = &s->log[s->n];
    r->text = strdup(m->text);
    if (!r->text)
        return LTY_ETEMPORARY;
    fputs("{\"id\":", s->f);
    json_string(s->f, m->id);
    fputs(",\"channel\":", s->f);
    json_string(s->f, channel_name(m->channel));
    fputs(",\"address\":", s->f);
    if (m->address)
        json_string(s->f, m->address);
    else
        fputs("null", s->f);
    fputs(",\"purpose\":", s->f);
    json_string(s->f, purpose_name(m->purpose));
    fprintf(s->f, ",\"attempt\":%d,\"text\":", m->attempt);
    json_string(s->f, m->text);
    fputs("}\n", s->f);
    if (fflush(s->f) != 0 || ferror(s->f)) {
        free(r->text);
        r->text = NULL;
        return LTY_ETEMPORARY;
    }
    snprintf(r->id, sizeof r->id, "%s", m->id);
    snprintf(r->address, sizeof r->address, "%s", m->address ? m->address : "");
    r->channel = m->channel;
    r->purpose = m->purpose;
    r->at = now;
    s->n++;
    s->lines++;
    return LTY_OK;
}

static const spooled *spooled_find(const char *id)
{
    for (size_t i = 0; i < sp.n; i++)
        if (strcmp(sp.log[i].id, id) == 0)
            return &sp.log[i];
    return NULL;
}

/* At exit (also after a failed call): close and remove the spool, unless
 * KEEP_SPOOL asks to keep it. */
static void spool_cleanup(void)
{
    if (sp.f) {
        fclose(sp.f);
        sp.f = NULL;
    }
    for (size_t i = 0; i < sp.n; i++) {
        free(sp.log[i].text);
        sp.log[i].text = NULL;
    }
    if (!sp.dir[0])
        return;
    if (getenv("KEEP_SPOOL")) {
        printf("\nKEEP_SPOOL: the spool is kept in %s (outbox.jsonl)\n",
               sp.dir);
        return;
    }
    if (remove(sp.path) != 0 || rmdir(sp.dir) != 0)
        fprintf(stderr, "clinic_reminders: cannot remove the spool %s\n",
                sp.dir);
}

static void spool_open(void)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !tmp[0])
        tmp = "/tmp";
    snprintf(sp.dir, sizeof sp.dir, "%s/clinic-spool-XXXXXX", tmp);
    if (!mkdtemp(sp.dir)) {
        perror("clinic_reminders: mkdtemp");
        sp.dir[0] = '\0';
        exit(EXIT_FAILURE);
    }
    snprintf(sp.path, sizeof sp.path, "%s/outbox.jsonl", sp.dir);
    sp.f = fopen(sp.path, "w");
    if (!sp.f) {
        perror("clinic_reminders: the spool file");
        rmdir(sp.dir);
        sp.dir[0] = '\0';
        exit(EXIT_FAILURE);
    }
}

/* Lines in the spool file, checking each is one JSON object. */
static size_t spool_count_lines(int *well_formed)
{
    FILE *f = fopen(sp.path, "r");
    char line[16384];
    size_t n = 0;
    *well_formed = f != NULL;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len < 2 || line[len - 1] != '\n' || line[len - 2] != '}' ||
            strncmp(line, "{\"id\":\"", 7) != 0)
            *well_formed = 0;
        n++;
    }
    fclose(f);
    return n;
}

/* ------------------------------------------------------------------ */
/* Reading the outbox                                                  */
/* ------------------------------------------------------------------ */

static size_t outbox_list(lty_engine *e, const char *customer,
                          lty_message_state state, int64_t due_to,
                          lty_outbox_entry *out)
{
    lty_outbox_filter f = {customer, state, 0, due_to};
    size_t count = 0;
    for (size_t i = 0; i < LIST_MAX; i++)
        out[i] = (lty_outbox_entry)LTY_OUTBOX_ENTRY_INIT;
    TRY(lty_outbox_list(e, &f, out, LIST_MAX, &count));
    if (count > LIST_MAX) { /* a week of this clinic fits easily */
        fprintf(stderr, "clinic_reminders: more than %d messages\n", LIST_MAX);
        exit(EXIT_FAILURE);
    }
    return count;
}

static lty_outbox_entry message(lty_engine *e, const char *id)
{
    lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
    TRY(lty_outbox_get(e, id, &m));
    return m;
}

static int pending(lty_message_state s)
{
    return s == LTY_MSG_PLANNED || s == LTY_MSG_RETRY || s == LTY_MSG_CLAIMED;
}

/* An appointment's reminder messages of its current schedule, printed;
 * returns how many are planned. */
static int show_reminders(lty_engine *e, const char *appt_id)
{
    lty_appointment a = LTY_APPOINTMENT_INIT;
    lty_outbox_entry list[LIST_MAX];
    char prefix[LTY_MESSAGE_ID_MAX + 1], when[32];
    int planned = 0;
    TRY(lty_appointment_get(e, appt_id, &a));
    snprintf(prefix, sizeof prefix, "appt/%s/%d/", appt_id, a.generation);
    size_t n = outbox_list(e, a.customer_id, (lty_message_state)0, 0, list);
    for (size_t i = 0; i < n; i++) {
        if (strncmp(list[i].id, prefix, strlen(prefix)) != 0)
            continue;
        printf("                     %-24s due %s  %s\n", list[i].id,
               local_time(list[i].due, 0, when, sizeof when),
               state_name(list[i].state));
        planned += list[i].state == LTY_MSG_PLANNED;
    }
    return planned;
}

/* ------------------------------------------------------------------ */
/* The dispatcher                                                      */
/* ------------------------------------------------------------------ */

static size_t deferrals; /* messages the dispatcher deferred, in all */

static void print_text(const char *text)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        printf("                       | %.*s\n", len, p);
        p += len + (nl != NULL);
    }
}

/* Dispatch at the clock's time, then tell what became of each message that
 * was due. */
static void dispatch_now(lty_engine *e)
{
    lty_outbox_entry due[LIST_MAX];
    lty_dispatch_report rep;
    char when[32], until[32];
    size_t n = outbox_list(e, NULL, (lty_message_state)0, now + 1, due);
    TRY(lty_outbox_dispatch(e, LTY_TIME_NOW, 100, &rep));
    deferrals += rep.deferred;
    for (size_t i = 0; i < n; i++) {
        if (!pending(due[i].state))
            continue;
        lty_outbox_entry m = message(e, due[i].id);
        const spooled *s = spooled_find(m.id);
        local_time(now, 0, when, sizeof when);
        if (m.state == LTY_MSG_SENT && s) {
            printf("  %s  sent      %s to %s: %s\n", when,
                   channel_name(s->channel),
                   s->address[0] ? s->address : "the front desk", m.id);
            print_text(s->text);
        } else if (m.state == LTY_MSG_PLANNED) {
            printf("  %s  held      %s: %s, until %s\n", when, m.id, m.reason,
                   local_time(m.due, 0, until, sizeof until));
        } else {
            /* the reason says what became of it ("suppressed: ...") */
            printf("  %s  not sent  %s: %s\n", when, m.id, m.reason);
        }
    }
}

/* The earliest time a message is due, or INT64_MAX. */
static int64_t next_due(lty_engine *e)
{
    static const lty_message_state states[] = {LTY_MSG_PLANNED, LTY_MSG_RETRY};
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < 2; i++) {
        lty_outbox_filter f = {NULL, states[i], 0, 0};
        lty_outbox_entry first = LTY_OUTBOX_ENTRY_INIT;
        size_t count = 0;
        TRY(lty_outbox_list(e, &f, &first, 1, &count));
        if (count && first.due < next)
            next = first.due;
    }
    return next;
}

/* Move the clock to t, dispatching at each due time on the way. */
static void advance_to(lty_engine *e, int64_t t)
{
    for (int steps = 0;; steps++) {
        int64_t next = next_due(e);
        if (next > t)
            break;
        if (steps == 1000) {
            fprintf(stderr, "clinic_reminders: the outbox does not drain\n");
            exit(EXIT_FAILURE);
        }
        if (next > now)
            now = next;
        dispatch_now(e);
    }
    if (t > now)
        now = t;
}

/* ------------------------------------------------------------------ */
/* The clinic                                                          */
/* ------------------------------------------------------------------ */

static void set_up_messaging(lty_engine *e)
{
    lty_messaging_options o = LTY_MESSAGING_OPTIONS_KOREA;
    o.sender_name = "행복치과";
    o.sender_contact = "02-123-4567";
    o.opt_out_line = OPT_OUT_LINE;
    TRY(lty_messaging_configure(e, &o));

    /* Reminders ("312" is the default policy), on each patient's channel. */
    TRY(lty_template_set(e, "appointment_reminder", LTY_CHANNEL_SMS, "",
                         "[행복치과] {name}님, {date} {time} 진료 예약"
                         "({item})을 알려 드립니다. 변경: 02-123-4567"));
    TRY(lty_template_set(e, "appointment_reminder", LTY_CHANNEL_KAKAO, "",
                         "{name}님, 행복치과 예약 안내입니다.\n"
                         "일시: {date} {time}\n진료: {item}"));
    TRY(lty_template_set(e, "appointment_reminder", LTY_CHANNEL_EMAIL, "",
                         "{name}님, {date} {time}에 행복치과 진료 예약"
                         "({item})이 있습니다."));
    /* Aftercare: a scaling lasts about six months; recall two weeks
     * before. */
    TRY(lty_template_set(e, "recall", LTY_CHANNEL_SMS, "",
                         "[행복치과] {name}님, {date}에 받으신 {item} 후 "
                         "6개월이 다가옵니다. 정기 검진을 예약해 주세요."));
    TRY(lty_template_set(e, "recall", LTY_CHANNEL_KAKAO, "",
                         "{name}님, {date}에 받으신 {item} 후 6개월이 "
                         "다가옵니다. 정기 검진을 예약해 주세요."));
    lty_treatment_def t = LTY_TREATMENT_DEF_INIT;
    t.item = "scaling";
    t.name = "스케일링";
    t.effect_days = 180;
    t.lead_days = 14;
    t.template_id = "recall";
    t.purpose = LTY_PURPOSE_TRANSACTIONAL;
    t.channel = LTY_CHANNEL_NONE;
    TRY(lty_treatment_define(e, &t));
    /* Birthdays are advertising: marketing purpose, framed by the policy. */
    TRY(lty_template_set(e, "birthday", LTY_CHANNEL_SMS, "",
                         "{name}님, 생일 축하드립니다! 이번 달 스케일링 "
                         "10% 할인해 드립니다."));
    TRY(lty_template_set(e, "birthday", LTY_CHANNEL_KAKAO, "",
                         "{name}님, 생일 축하드립니다! 이번 달 스케일링 "
                         "10% 할인해 드립니다."));
    /* A notice for the front desk's screen. */
    TRY(lty_template_set(e, "front_desk", LTY_CHANNEL_STAFF, "",
                         "{name}님 이메일 반송: {date} {time} 예약 안내를 "
                         "받지 못했습니다. 연락처를 확인해 주세요."));
}

static void add_patient(lty_engine *e, const char *id, const char *name,
                        const char *phone, const char *email,
                        lty_channel preferred, lty_date birthday)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = id;
    f.set = LTY_FIELD_NAME;
    f.name = name;
    if (phone) {
        f.set |= LTY_FIELD_PHONE;
        f.phone = phone;
    }
    if (email) {
        f.set |= LTY_FIELD_EMAIL;
        f.email = email;
    }
    if (preferred != LTY_CHANNEL_NONE) {
        f.set |= LTY_FIELD_PREFERRED_CHANNEL;
        f.preferred_channel = preferred;
    }
    if (birthday.month) {
        f.set |= LTY_FIELD_BIRTHDAY;
        f.birthday = birthday;
    }
    TRY(lty_customer_create(e, &f));
}

static void book(lty_engine *e, const char *id, const char *customer,
                 const char *who, int64_t start, const char *item)
{
    char when[32], at[32];
    lty_appointment_spec s = LTY_APPOINTMENT_SPEC_INIT;
    s.id = id;
    s.customer_id = customer;
    s.start = start;
    s.duration = 30;
    s.item = item;
    s.branch = "gangnam";
    s.staff = "dr-kim";
    TRY(lty_appointment_book(e, &s));
    printf("\n  %s  %s books %s: %s on %s\n",
           local_time(now, 0, when, sizeof when), who, id, item,
           local_time(start, 0, at, sizeof at));
}

static void check_state(lty_engine *e, const char *id, lty_message_state state,
                        const char *reason, const char *fact)
{
    lty_outbox_entry m = message(e, id);
    expect(m.state == state && strcmp(m.reason, reason) == 0, fact);
}

int main(void)
{
    lty_memstore *store;
    lty_storage_ops ops;
    void *conn;
    lty_engine *e = NULL;
    lty_appointment a = LTY_APPOINTMENT_INIT;
    lty_outbox_entry list[LIST_MAX];
    char when[32];
    size_t n;

    now = AT(0, 9, 0);
    printf("libloyalty %s: a dental clinic's week of reminders\n",
           lty_version(NULL, NULL, NULL));
    spool_open();
    atexit(spool_cleanup);

    TRY(lty_memstore_new(&store, NULL));
    TRY(lty_memstore_connect(store, &ops, &conn));
    lty_engine_options opts = LTY_ENGINE_OPTIONS_INIT;
    opts.storage = &ops;
    opts.storage_userdata = conn;
    opts.clock = clinic_clock;
    opts.clock_userdata = &now;
    opts.utc_offset_minutes = SEOUL_OFFSET_MINUTES;
    TRY(lty_engine_new(&e, &opts));
    lty_messenger_ops messenger = LTY_MESSENGER_OPS_INIT;
    messenger.send = spool_send;
    TRY(lty_messenger_register(e, &messenger, &sp));

    set_up_messaging(e);
    add_patient(e, MINJI, "김민지", "010-1234-5678", NULL, LTY_CHANNEL_SMS,
                (lty_date){1990, 3, 9});
    TRY(lty_customer_set_consent(e, MINJI, LTY_CHANNEL_SMS,
                                 LTY_PURPOSE_MARKETING, 1));
    add_patient(e, SEOJUN, "이서준", NULL, "Seojun.Lee@example.com",
                LTY_CHANNEL_NONE, (lty_date){0, 0, 0});
    add_patient(e, JIHO, "박지호", "010-9876-5432", NULL, LTY_CHANNEL_KAKAO,
                (lty_date){0, 3, 9});
    /* He asked not to receive advertising: the withdrawal is recorded. */
    TRY(lty_customer_set_consent(e, JIHO, LTY_CHANNEL_KAKAO,
                                 LTY_PURPOSE_MARKETING, 0));
    TRY(lty_customer_set_consent(e, JIHO, LTY_CHANNEL_SMS,
                                 LTY_PURPOSE_MARKETING, 0));
    printf("행복치과, Gangnam (UTC+9): Korean advertising rules, "
           "\"312\" reminders,\nscaling recalled after 180 - 14 days.\n"
           "Patients: 김민지 (SMS, advertising welcome), 이서준 (e-mail "
           "only),\n          박지호 (KakaoTalk, no advertising)\n");

    /* ---- Monday: three bookings ---- */
    printf("\nMonday\n");
    now = AT(0, 9, 10);
    book(e, "R-0301", MINJI, "김민지", AT(5, 10, 30), "scaling");
    expect(show_reminders(e, "R-0301") == 3,
           "booked 5 days ahead: 3 reminders (3 days, 1 day, 2 hours)");
    now = AT(0, 9, 20);
    book(e, "R-0303", JIHO, "박지호", AT(4, 14, 0), "checkup");
    expect(show_reminders(e, "R-0303") == 3,
           "booked 4 days ahead: 3 reminders");
    advance_to(e, AT(0, 22, 0));
    book(e, "R-0302", SEOJUN, "이서준 (online)", AT(2, 10, 0), "checkup");
    printf("                     (1.5 days ahead: the 3-day reminder is "
           "already past, skipped)\n");
    expect(show_reminders(e, "R-0302") == 2,
           "booked 1.5 days ahead: 2 reminders (1 day, 2 hours)");
    TRY(lty_appointment_get(e, "R-0302", &a));
    expect(a.reminders == 2 && a.generation == 1,
           "R-0302: 2 reminders of generation 1");

    /* ---- Tuesday: a bounce, a cancellation ---- */
    printf("\nTuesday\n");
    advance_to(e, AT(1, 11, 0));
    /* The mail server reports the address does not exist. */
    TRY(lty_delivery_report(e, "appt/R-0302/1/86400", LTY_HARD_BOUNCE,
                            LTY_TIME_NOW));
    printf("  %s  the gateway reports a hard bounce for appt/R-0302/1/86400\n",
           local_time(now, 0, when, sizeof when));
    /* The host tells the front desk. */
    lty_param desk_params[] = {{"date", "2026-03-04"}, {"time", "10:00"}};
    lty_plan_spec desk = LTY_PLAN_SPEC_INIT;
    desk.id = "desk/R-0302/bounce";
    desk.customer_id = SEOJUN;
    desk.template_id = "front_desk";
    desk.purpose = LTY_PURPOSE_TRANSACTIONAL;
    desk.channel = LTY_CHANNEL_STAFF;
    desk.due = now;
    desk.params = desk_params;
    desk.param_count = 2;
    TRY(lty_outbox_plan(e, &desk));
    advance_to(e, AT(1, 16, 0));
    TRY(lty_appointment_cancel(e, "R-0303"));
    printf("  %s  박지호 cancels R-0303\n", local_time(now, 0, when, sizeof when));
    show_reminders(e, "R-0303");
    check_state(e, "appt/R-0303/1/86400", LTY_MSG_CANCELLED,
                "appointment cancelled",
                "cancelling R-0303 cancels its 1-day reminder");
    check_state(e, "appt/R-0303/1/7200", LTY_MSG_CANCELLED,
                "appointment cancelled",
                "cancelling R-0303 cancels its 2-hour reminder");

    /* ---- Wednesday: the bounced address, a no-show, a reschedule ---- */
    printf("\nWednesday\n");
    advance_to(e, AT(2, 10, 40));
    TRY(lty_appointment_no_show(e, "R-0302"));
    printf("  %s  이서준 has not come: R-0302 is a no-show\n",
           local_time(now, 0, when, sizeof when));
    check_state(e, "appt/R-0302/1/7200", LTY_MSG_SUPPRESSED,
                "suppressed: address invalid",
                "after the hard bounce the next e-mail is suppressed");
    advance_to(e, AT(2, 15, 0));
    TRY(lty_appointment_reschedule(e, "R-0301", AT(4, 11, 0), 0));
    char moved[32];
    printf("  %s  김민지 moves R-0301 to %s\n",
           local_time(now, 0, when, sizeof when),
           local_time(AT(4, 11, 0), 0, moved, sizeof moved));
    printf("                     (generation 1: the 3-day reminder was sent, "
           "the other two are cancelled;\n                      generation 2: "
           "the 3-day one is already past)\n");
    check_state(e, "appt/R-0301/1/86400", LTY_MSG_CANCELLED,
                "appointment rescheduled",
                "rescheduling cancels the old 1-day reminder");
    check_state(e, "appt/R-0301/1/7200", LTY_MSG_CANCELLED,
                "appointment rescheduled",
                "rescheduling cancels the old 2-hour reminder");
    expect(show_reminders(e, "R-0301") == 2,
           "the new schedule plans the 1-day and 2-hour reminders");
    TRY(lty_appointment_get(e, "R-0301", &a));
    expect(a.generation == 2 && a.reminders == 2,
           "R-0301: generation 2 with 2 reminders");

    /* ---- Thursday and Friday: 김민지 comes ---- */
    printf("\nThursday and Friday\n");
    advance_to(e, AT(4, 10, 55));
    lty_record_outcome visit = LTY_RECORD_OUTCOME_INIT;
    TRY(lty_appointment_arrive(e, "R-0301", LTY_TIME_NOW, &visit));
    printf("  %s  김민지 arrives for R-0301: visit recorded (%lld in all)\n",
           local_time(now, 0, when, sizeof when), (long long)visit.visits);
    expect(!visit.duplicate && visit.visit_counted && visit.visits == 1,
           "the arrival records her first visit");
    lty_outbox_entry recall = message(e, "aftercare/P-1001/scaling/2026-03-06");
    printf("                     aftercare recall %s due %s\n", recall.id,
           local_time(recall.due, 1, when, sizeof when));
    /* 2026-03-06 + 180 - 14 days = 2026-08-19, at 10:00 local. */
    expect(recall.state == LTY_MSG_PLANNED &&
               recall.due == AT(170, 10, 0) &&
               strcmp(recall.template_id, "recall") == 0 &&
               recall.purpose == LTY_PURPOSE_TRANSACTIONAL,
           "the scaling recall is planned for 2026-08-19 10:00");

    /* Friday's closing routine: the daily run, a week ahead.  The clinic
     * would like birthday greetings out at 07:00. */
    advance_to(e, AT(4, 18, 0));
    lty_date today = {2026, 3, 6};
    lty_plan_day_options po = LTY_PLAN_DAY_OPTIONS_INIT;
    po.days_ahead = 7;
    po.local_minute = 7 * 60;
    size_t planned = 0;
    TRY(lty_plan_day(e, &today, &po, &planned));
    printf("  %s  the daily run plans %zu birthday greeting%s for Monday "
           "07:00\n", local_time(now, 0, when, sizeof when), planned,
           planned == 1 ? "" : "s");
    expect(planned == 2, "two birthdays next Monday: 김민지's and 박지호's");

    /* ---- The Monday after: birthdays ---- */
    printf("\nThe Monday after\n");
    advance_to(e, AT(7, 7, 30));
    lty_outbox_entry held = message(e, "birthday/P-1001/2026");
    lty_outbox_entry refused = message(e, "birthday/P-1003/2026");
    expect(deferrals == 1 && held.state == LTY_MSG_PLANNED &&
               held.due == AT(7, 8, 0) &&
               strcmp(held.reason, "deferred: quiet hours") == 0,
           "the 07:00 greeting is deferred to 08:00 by the quiet hours");
    expect(refused.state == LTY_MSG_SUPPRESSED,
           "a greeting to a customer who wants no advertising is suppressed at once");
    advance_to(e, AT(7, 9, 0));

    /* ---- What the week sent ---- */
    static const char *const expected[] = {
        "appt/R-0302/1/86400",  /* Tue 10:00, e-mail (bounced) */
        "desk/R-0302/bounce",   /* Tue 11:00, the front desk */
        "appt/R-0303/1/259200", /* Tue 14:00, KakaoTalk */
        "appt/R-0301/1/259200", /* Wed 10:30, SMS */
        "appt/R-0301/2/86400",  /* Thu 11:00, SMS */
        "appt/R-0301/2/7200",   /* Fri 09:00, SMS */
        "birthday/P-1001/2026", /* Mon 08:00, SMS, advertising */
    };
    const size_t nexpected = sizeof expected / sizeof expected[0];
    size_t reminders = 0;
    printf("\nSent this week: %zu messages\n", sp.n);
    for (size_t i = 0; i < sp.n; i++) {
        printf("  %s  %-5s  %-13s  %s\n",
               local_time(sp.log[i].at, 0, when, sizeof when),
               channel_name(sp.log[i].channel),
               purpose_name(sp.log[i].purpose), sp.log[i].id);
        reminders += strncmp(sp.log[i].id, "appt/", 5) == 0;
    }
    expect(sp.n == nexpected, "7 messages were sent");
    for (size_t i = 0; i < nexpected && i < sp.n; i++)
        expect(strcmp(sp.log[i].id, expected[i]) == 0,
               "the messages sent are the expected ones, in order");
    expect(reminders == 5, "5 appointment reminders were sent");
    int well_formed;
    size_t lines = spool_count_lines(&well_formed);
    printf("  the spool holds %zu JSON lines\n", lines);
    expect(lines == nexpected && sp.lines == nexpected && well_formed,
           "the spool file has one JSON object per line for each message");

    const spooled *bday = spooled_find("birthday/P-1001/2026");
    const char *label = "(광고)";
    size_t olen = strlen(OPT_OUT_LINE);
    expect(bday && bday->channel == LTY_CHANNEL_SMS &&
               bday->purpose == LTY_PURPOSE_MARKETING &&
               strncmp(bday->text, label, strlen(label)) == 0 &&
               strlen(bday->text) >= olen &&
               strcmp(bday->text + strlen(bday->text) - olen,
                      OPT_OUT_LINE) == 0,
           "the birthday advertisement starts with (광고) and ends with the "
           "opt-out line");
    const spooled *r1 = spooled_find("appt/R-0301/2/7200");
    expect(r1 && strstr(r1->text, "2026-03-06 11:00") &&
               strstr(r1->text, "김민지님") && strncmp(r1->text, label, 3) != 0,
           "a reminder names the new time and carries no advertising label");

    /* ---- What was held back, and why ---- */
    n = outbox_list(e, NULL, LTY_MSG_SUPPRESSED, 0, list);
    printf("\nSuppressed: %zu\n", n);
    for (size_t i = 0; i < n; i++)
        printf("  %-22s %s  %s\n", list[i].id, list[i].customer_id,
               list[i].reason);
    size_t suppressed = n;
    expect(n == 2, "2 messages were suppressed");
    for (size_t i = 0; i < n; i++)
        expect(list[i].reason[0] != '\0',
               "every suppressed message has a reason");
    check_state(e, "birthday/P-1003/2026", LTY_MSG_SUPPRESSED,
                "suppressed: no consent",
                "박지호's birthday advertisement is suppressed: no consent");
    n = outbox_list(e, NULL, LTY_MSG_CANCELLED, 0, list);
    printf("Cancelled: %zu\n", n);
    for (size_t i = 0; i < n; i++)
        printf("  %-22s %s  %s\n", list[i].id, list[i].customer_id,
               list[i].reason);
    expect(n == 4, "4 reminders were cancelled (2 rescheduled, 2 cancelled)");

    /* ---- No-shows ---- */
    lty_noshow_stats st = LTY_NOSHOW_STATS_INIT;
    TRY(lty_appointment_noshow_stats(e, AT(0, 0, 0), AT(7, 0, 0), &st, NULL, 0,
                                     NULL));
    printf("\nNo-shows, %s to %s: %lld appointments, %lld cancelled, "
           "%lld open\n"
           "  overall       %lld came, %lld missed: %.0f%%\n"
           "  reminded      %lld came, %lld missed: %.0f%%\n"
           "  not reminded  %lld came, %lld missed: %.0f%%\n",
           "03-02", "03-08", (long long)st.appointments,
           (long long)st.cancelled, (long long)st.open,
           (long long)st.overall.arrived, (long long)st.overall.no_shows,
           100 * st.overall.rate, (long long)st.reminded.arrived,
           (long long)st.reminded.no_shows, 100 * st.reminded.rate,
           (long long)st.not_reminded.arrived,
           (long long)st.not_reminded.no_shows, 100 * st.not_reminded.rate);
    printf("  (이서준's reminder counts as sent: the gateway accepted it "
           "before it bounced)\n");
    expect(st.appointments == 3 && st.cancelled == 1 && st.open == 0 &&
               st.overall.arrived == 1 && st.overall.no_shows == 1 &&
               st.overall.rate == 0.5 && st.reminded.arrived == 1 &&
               st.reminded.no_shows == 1 && st.not_reminded.arrived == 0 &&
               st.not_reminded.no_shows == 0,
           "no-shows: 3 appointments, 1 cancelled, 1 came, 1 missed");

    lty_engine_free(e);
    lty_memstore_free(store);
    if (failures) {
        fprintf(stderr, "clinic_reminders: %d fact(s) did not hold\n",
                failures);
        return EXIT_FAILURE;
    }
    printf("\nOK: %zu messages sent (%zu reminders), %zu suppressed with "
           "reasons, the greeting waited for 08:00\n", sp.n, reminders,
           suppressed);
    return EXIT_SUCCESS;
}
