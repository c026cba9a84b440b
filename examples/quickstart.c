/*
 * libloyalty example - a clinic front desk's first day with the library.
 *
 * Creates customers in the built-in memory store, records their visits and
 * purchases (one replayed, as a flaky POS link would), answers a caller-ID
 * look-up, lists a customer's history, honours an erasure request and
 * checks the store with lty_verify().  Exits non-zero if anything fails, so
 * `make check` runs it too.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>

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

/* The clinic's clock: a fixed time, so every run prints the same. */
static int64_t clinic_clock(void *userdata)
{
    return *(const int64_t *)userdata;
}

static void add_customer(lty_engine *e, const char *id, const char *name,
                         const char *phone, int month, int day)
{
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = id;
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_BIRTHDAY;
    f.name = name;
    f.phone = phone;
    f.birthday.month = month;
    f.birthday.day = day;
    TRY(lty_customer_create(e, &f));
}

static void record(lty_engine *e, lty_event_type type, const char *id,
                   const char *customer, int64_t time, int64_t amount,
                   const char *item)
{
    lty_event ev = LTY_EVENT_INIT;
    lty_record_outcome out = LTY_RECORD_OUTCOME_INIT;
    ev.type = type;
    ev.id = id;
    ev.customer_id = customer;
    ev.time = time;
    ev.amount = amount;
    ev.item = item;
    TRY(lty_record(e, &ev, &out));
    printf("  %-6s %-9s %8lld won  %s visits=%lld net=%lld\n", id, customer,
           (long long)amount, out.duplicate ? "(duplicate, ignored)" : "",
           (long long)out.visits, (long long)out.net_spend);
}

int main(void)
{
    lty_memstore *store;
    lty_storage_ops ops;
    void *conn;
    lty_engine *e = NULL;
    int64_t now = INT64_C(1762041600); /* 2025-11-02T00:00:00Z = 09:00 KST */

    printf("libloyalty %s quickstart\n", lty_version(NULL, NULL, NULL));
    TRY(lty_memstore_new(&store, NULL));
    TRY(lty_memstore_connect(store, &ops, &conn));

    lty_engine_options opts = LTY_ENGINE_OPTIONS_INIT;
    opts.storage = &ops;
    opts.storage_userdata = conn;
    opts.clock = clinic_clock;
    opts.clock_userdata = &now;
    opts.utc_offset_minutes = 540; /* Korea */
    TRY(lty_engine_new(&e, &opts));

    printf("\nNew patients\n");
    add_customer(e, "P-1001", "김민지", "010-1234-5678", 3, 14);
    add_customer(e, "P-1002", "이서준", "+82 10-9876-5432", 7, 2);
    TRY(lty_customer_set_note(e, "P-1001", "allergy", "penicillin"));
    TRY(lty_customer_set_preference(e, "P-1001", "doctor", "female"));
    TRY(lty_customer_add_tag(e, "P-1001", "vip"));
    TRY(lty_customer_set_consent(e, "P-1001", LTY_CHANNEL_SMS,
                                 LTY_PURPOSE_MARKETING, 1));
    printf("  P-1001 and P-1002 registered\n");

    printf("\nLedger\n");
    record(e, LTY_EVENT_PURCHASE, "R-1", "P-1001", now, 55000, "scaling");
    record(e, LTY_EVENT_PURCHASE, "R-2", "P-1001", now + 3600, 12000, "fluoride");
    record(e, LTY_EVENT_PURCHASE, "R-2", "P-1001", now + 3600, 12000, "fluoride");
    record(e, LTY_EVENT_VISIT, "R-3", "P-1001", now + 14 * 86400, 0, "check-up");
    record(e, LTY_EVENT_PURCHASE, "R-4", "P-1002", now + 86400, 300000, "implant");

    lty_event refund = LTY_EVENT_INIT;
    refund.type = LTY_EVENT_REFUND;
    refund.id = "R-5";
    refund.customer_id = "P-1002";
    refund.time = now + 2 * 86400;
    refund.amount = 100000;
    refund.refund_of = "R-4";
    TRY(lty_record(e, &refund, NULL));
    printf("  R-5    P-1002    partial refund of R-4: 100000 won\n");

    printf("\nThe phone rings: 010 1234 5678\n");
    lty_customer *c;
    TRY(lty_customer_find_by_phone(e, "010 1234 5678", &c));
    lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
    TRY(lty_customer_stats_get(c, &st));
    printf("  %s (%s): %lld visits, %lld won spent, last item %s, allergy: %s\n",
           lty_customer_name(c), lty_customer_id(c), (long long)st.visits,
           (long long)st.net_spend, st.last_item ? st.last_item : "-",
           lty_customer_note(c, "allergy"));
    lty_customer_free(c);

    printf("\nHistory of P-1001, two per page\n");
    const char *cursor = NULL;
    lty_history *page = NULL, *prev = NULL;
    do {
        TRY(lty_history_list(e, "P-1001", cursor, 2, &page));
        for (size_t i = 0; i < lty_history_count(page); i++) {
            lty_event ev = LTY_EVENT_INIT;
            TRY(lty_history_get(page, i, &ev));
            printf("  %s %lld %s\n", ev.id, (long long)ev.amount,
                   ev.item ? ev.item : "");
        }
        lty_history_free(prev);
        prev = page;
        cursor = lty_history_cursor(page);
    } while (cursor);
    lty_history_free(prev);

    printf("\nP-1002 asks to be forgotten\n");
    TRY(lty_customer_erase(e, "P-1002"));
    if (lty_customer_get(e, "P-1002", &c) != LTY_ENOTFOUND) {
        fprintf(stderr, "erased customer still readable\n");
        return EXIT_FAILURE;
    }
    printf("  erased; the visit and spend stay in the statistics anonymously\n");

    size_t mismatches = 0;
    TRY(lty_verify(e, &mismatches, NULL, NULL));
    printf("\nlty_verify: %zu mismatches\n", mismatches);

    lty_engine_free(e);
    lty_memstore_free(store);
    return mismatches == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
