/*
 * libloyalty example - the Tsukada farm business card: a title ladder.
 *
 * The Tsukada farm restaurants hand their regulars a business card whose
 * title rises with their visits: 주임 at the first visit, ... 회장 at the
 * 36th, and when a guest is promoted the staff prepare a small party.  The
 * ladder is defined in a program file (examples/programs/tsukada.ini), so
 * the restaurant can change titles without rebuilding the software.
 *
 * A guest comes for lunch on 36 different days.  On one of those days she
 * also comes for breakfast and dinner: a visit counts at most once per local
 * day (Seoul, UTC+9), so those two change nothing.  Every promotion is
 * printed as it happens, from the outcome of lty_record(), with the card's
 * standing from lty_program_status_get(); at the end the guest's program
 * history is listed.
 *
 * Usage: tsukada_ladder [PATH/TO/tsukada.ini]
 * Without an argument the file is $srcdir/examples/programs/tsukada.ini
 * ($srcdir defaults to ".", the top of the source tree).  `make check`
 * runs it, and it exits non-zero unless the guest ends as 회장 at 36
 * counted visits after exactly 9 promotions.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#define PROGRAM "tsukada"
#define GUEST "G-0036"
#define SEOUL_OFFSET_MINUTES 540      /* UTC+9, no daylight saving time */
#define LUNCH_DAYS 36                 /* lunches on 36 different days */
#define PARTY_DAY 20                  /* the day of breakfast and dinner too */
#define EXPECTED_PROMOTIONS 9         /* the file's nine steps, one by one */
#define TOP_TITLE "회장"

/* The restaurant's clock: whatever time the example has set. */
static int64_t farm_clock(void *userdata)
{
    return *(const int64_t *)userdata;
}

/* "2025-11-22 07:30" in Seoul.  The date comes from the engine (its time
 * zone); the time of day from the fixed offset. */
static const char *local_time(lty_engine *e, int64_t t, char *buf, size_t n)
{
    lty_date d;
    int64_t s = ((t + SEOUL_OFFSET_MINUTES * 60) % 86400 + 86400) % 86400;
    TRY(lty_engine_local_date(e, t, &d));
    snprintf(buf, n, "%04d-%02d-%02d %02d:%02d", d.year, d.month, d.day,
             (int)(s / 3600), (int)(s / 60 % 60));
    return buf;
}

/* Record one visit at the clock's time; returns what it did. */
static lty_record_outcome visit(lty_engine *e, int *seq)
{
    char id[32];
    lty_event ev = LTY_EVENT_INIT;
    lty_record_outcome out = LTY_RECORD_OUTCOME_INIT;
    snprintf(id, sizeof id, "T-%04d", ++*seq);
    ev.type = LTY_EVENT_VISIT;
    ev.id = id;
    ev.customer_id = GUEST;
    ev.time = LTY_TIME_NOW; /* the engine's clock */
    ev.branch = "gangnam";
    TRY(lty_record(e, &ev, &out));
    return out;
}

/* The card as the staff would read it out. */
static void print_card(lty_engine *e)
{
    lty_program_status st = LTY_PROGRAM_STATUS_INIT;
    TRY(lty_program_status_get(e, GUEST, PROGRAM, &st));
    if (st.next_title[0])
        printf("      card: %s after %lld visit%s; next %s in %lld visit%s\n",
               st.title, (long long)st.visits, st.visits == 1 ? "" : "s",
               st.next_title, (long long)st.to_next, st.to_next == 1 ? "" : "s");
    else
        printf("      card: %s after %lld visits; the top of the ladder\n",
               st.title, (long long)st.visits);
}

int main(int argc, char **argv)
{
    lty_memstore *store;
    lty_storage_ops ops;
    void *conn;
    lty_engine *e = NULL;
    /* Monday 2025-11-03 12:00 in Seoul (03:00 UTC). */
    const int64_t first_lunch = INT64_C(1762138800);
    int64_t now = first_lunch;
    int failures = 0, promotions = 0, seq = 0;
    char path[4096], when[32];

    if (argc > 1) {
        snprintf(path, sizeof path, "%s", argv[1]);
    } else {
        /* `make check` sets srcdir (also in a build outside the source
         * tree); a user at the top of the source tree needs nothing. */
        const char *srcdir = getenv("srcdir");
        if (!srcdir || !srcdir[0])
            srcdir = ".";
        snprintf(path, sizeof path, "%s/examples/programs/tsukada.ini", srcdir);
    }

    printf("libloyalty %s: the Tsukada farm business card\n",
           lty_version(NULL, NULL, NULL));
    TRY(lty_memstore_new(&store, NULL));
    TRY(lty_memstore_connect(store, &ops, &conn));
    lty_engine_options opts = LTY_ENGINE_OPTIONS_INIT;
    opts.storage = &ops;
    opts.storage_userdata = conn;
    opts.clock = farm_clock;
    opts.clock_userdata = &now;
    opts.utc_offset_minutes = SEOUL_OFFSET_MINUTES;
    TRY(lty_engine_new(&e, &opts));

    /* The ladder comes from the program file; a typo in it is reported as
     * "FILE:LINE: message". */
    int rc = lty_program_load_file(e, path);
    if (rc != LTY_OK) {
        fprintf(stderr, "cannot load the ladder: %s (%s)\n", lty_strerror(rc),
                lty_engine_last_error(e));
        fprintf(stderr, "usage: %s [PATH/TO/tsukada.ini]\n", argv[0]);
        lty_engine_free(e);
        lty_memstore_free(store);
        return EXIT_FAILURE;
    }
    lty_program_info info;
    TRY(lty_program_info_get(e, PROGRAM, &info));
    printf("Loaded %s: \"%s\", %zu titles\n", path, info.name, info.levels);

    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = GUEST;
    f.set = LTY_FIELD_NAME;
    f.name = "최유나";
    TRY(lty_customer_create(e, &f));
    printf("Guest %s registered\n\n", GUEST);

    for (int day = 1; day <= LUNCH_DAYS; day++) {
        int64_t noon = first_lunch + (int64_t)(day - 1) * 86400;
        lty_record_outcome out;

        if (day == PARTY_DAY) {
            /* Breakfast at 07:30 in Seoul: still the day before in UTC, but
             * the engine counts local days, so this is the day's visit. */
            now = noon - 4 * 3600 - 30 * 60;
            out = visit(e, &seq);
            printf("  %s  breakfast (22:30 UTC the day before): the day's "
                   "visit, %lld counted\n",
                   local_time(e, now, when, sizeof when), (long long)out.visits);
        } else {
            now = noon;
            out = visit(e, &seq);
        }
        if (out.promotions > 0) {
            promotions += out.promotions;
            printf("  %s  visit %lld: promoted to %s — prepare the party\n",
                   local_time(e, now, when, sizeof when), (long long)out.visits,
                   out.title);
            print_card(e);
        }
        if (day == PARTY_DAY) {
            /* Lunch and dinner the same day: recorded, but not counted. */
            /* 12:30 and 19:00, counted from breakfast */
            static const int later[2] = {5 * 3600, 11 * 3600 + 30 * 60};
            static const char *const meal[2] = {"lunch", "dinner"};
            for (int i = 0; i < 2; i++) {
                now = noon - 4 * 3600 - 30 * 60 + later[i];
                out = visit(e, &seq);
                printf("  %s  %s: same local day, not counted again "
                       "(still %lld visits)\n",
                       local_time(e, now, when, sizeof when), meal[i],
                       (long long)out.visits);
                if (out.visit_counted || out.promotions != 0 ||
                    out.visits != day) {
                    fprintf(stderr, "FAIL: a second visit on day %d counted "
                            "(visits %lld, promotions %d)\n", day,
                            (long long)out.visits, out.promotions);
                    failures++;
                }
                promotions += out.promotions;
            }
        }
    }

    /* Where the card stands now. */
    lty_program_status st = LTY_PROGRAM_STATUS_INIT;
    TRY(lty_program_status_get(e, GUEST, PROGRAM, &st));
    printf("\n%d events recorded, %lld visits counted, %d promotions; "
           "the card says %s\n", seq, (long long)st.visits, promotions,
           st.title);

    /* The guest's program history: every promotion, oldest first. */
    lty_program_log_entry log[LTY_PROGRAM_STEPS_MAX];
    size_t count = 0;
    TRY(lty_program_history(e, GUEST, log, LTY_PROGRAM_STEPS_MAX, &count));
    printf("\nProgram history of %s\n", GUEST);
    size_t shown = count < LTY_PROGRAM_STEPS_MAX ? count : LTY_PROGRAM_STEPS_MAX;
    size_t promoted_entries = 0;
    for (size_t i = 0; i < shown; i++) {
        const char *what = log[i].kind == LTY_PLOG_PROMOTED ? "promoted to" : "?";
        printf("  %s  %-8s %s %s\n", local_time(e, log[i].time, when, sizeof when),
               log[i].program_id, what, log[i].title);
        if (log[i].kind == LTY_PLOG_PROMOTED &&
            strcmp(log[i].program_id, PROGRAM) == 0)
            promoted_entries++;
    }

    /* The example is a test too. */
    if (strcmp(st.title, TOP_TITLE) != 0 || st.visits != LUNCH_DAYS ||
        st.next_title[0] || st.to_next != 0) {
        fprintf(stderr, "FAIL: expected %s at %d visits, got '%s' at %lld "
                "(next '%s' in %lld)\n", TOP_TITLE, LUNCH_DAYS, st.title,
                (long long)st.visits, st.next_title, (long long)st.to_next);
        failures++;
    }
    if (promotions != EXPECTED_PROMOTIONS || info.levels != EXPECTED_PROMOTIONS) {
        fprintf(stderr, "FAIL: expected %d promotions over %d titles, got %d "
                "over %zu\n", EXPECTED_PROMOTIONS, EXPECTED_PROMOTIONS,
                promotions, info.levels);
        failures++;
    }
    if (count != EXPECTED_PROMOTIONS || promoted_entries != EXPECTED_PROMOTIONS ||
        shown == 0 || strcmp(log[shown - 1].title, TOP_TITLE) != 0) {
        fprintf(stderr, "FAIL: expected %d promotions in the history ending "
                "with %s, got %zu entries (%zu promotions)\n",
                EXPECTED_PROMOTIONS, TOP_TITLE, count, promoted_entries);
        failures++;
    }

    lty_engine_free(e);
    lty_memstore_free(store);
    if (failures) {
        fprintf(stderr, "tsukada_ladder: %d check(s) failed\n", failures);
        return EXIT_FAILURE;
    }
    printf("\nOK: %s at %d visits after %d promotions\n", TOP_TITLE, LUNCH_DAYS,
           EXPECTED_PROMOTIONS);
    return EXIT_SUCCESS;
}
