/*
 * bench/soak_verify.c - the soak's final check: the store against what the
 * engines were told was done (see bench/soak.c).
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <loyalty.h>

#include "soak.h"

static int cmp_ids(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Counts problems found; prints each. */
unsigned long verify_all(lty_engine *e, worker *ws, int nthreads,
                                delivered *drain)
{
    unsigned long bad = 0;
    size_t mismatches = 0;
    if (check(e, lty_verify(e, &mismatches, NULL, NULL), "verify"))
        return 1;
    printf("lty_verify mismatches:        %zu\n", mismatches);
    bad += mismatches;

    /* pool customers: purchases and spend */
    int64_t total_purchases = 0, total_spend = 0;
    for (int i = 0; i < POOL; i++) {
        int64_t want_n = 0, want_s = 0;
        for (int t = 0; t < nthreads; t++) {
            want_n += ws[t].purchases[i];
            want_s += ws[t].spend[i];
        }
        char id[16];
        pool_id(id, sizeof id, i);
        lty_customer *c = NULL;
        lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
        if (check(e, lty_customer_get(e, id, &c), "customer get") ||
            check(e, lty_customer_stats_get(c, &st), "customer stats")) {
            lty_customer_free(c);
            return bad + 1;
        }
        if (st.purchases != want_n || st.net_spend != want_s) {
            fprintf(stderr,
                    "soak: %s: %" PRId64 " purchases, %" PRId64
                    " spent; acknowledged %" PRId64 ", %" PRId64 "\n",
                    id, st.purchases, st.net_spend, want_n, want_s);
            bad++;
        }
        total_purchases += st.purchases;
        total_spend += st.net_spend;
        lty_customer_free(c);
    }
    printf("purchases (acked = stored):   %" PRId64 ", %" PRId64
           " won in all\n", total_purchases, total_spend);

    /* created customers, bookings, planned messages: exist iff acked */
    unsigned long created = 0, booked = 0, planned = 0;
    for (int t = 0; t < nthreads; t++) {
        worker *w = &ws[t];
        for (size_t i = 0; i < w->created.n; i++) {
            lty_customer *c = NULL;
            int rc = lty_customer_get(e, w->created.id[i], &c);
            lty_customer_free(c);
            if ((rc == LTY_OK) != w->created.acked[i] ||
                (rc != LTY_OK && rc != LTY_ENOTFOUND)) {
                fprintf(stderr, "soak: customer %s: %s, acknowledged %d\n",
                        w->created.id[i], lty_strerror(rc),
                        w->created.acked[i]);
                bad++;
            }
            created += rc == LTY_OK;
        }
        for (size_t i = 0; i < w->booked.n; i++) {
            lty_appointment a = LTY_APPOINTMENT_INIT;
            int rc = lty_appointment_get(e, w->booked.id[i], &a);
            if ((rc == LTY_OK) != w->booked.acked[i] ||
                (rc != LTY_OK && rc != LTY_ENOTFOUND)) {
                fprintf(stderr, "soak: appointment %s: %s, acknowledged %d\n",
                        w->booked.id[i], lty_strerror(rc),
                        w->booked.acked[i]);
                bad++;
            }
            booked += rc == LTY_OK;
        }
        for (size_t i = 0; i < w->planned.n; i++) {
            lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
            int rc = lty_outbox_get(e, w->planned.id[i], &m);
            if ((rc == LTY_OK) != w->planned.acked[i] ||
                (rc != LTY_OK && rc != LTY_ENOTFOUND)) {
                fprintf(stderr, "soak: message %s: %s, acknowledged %d\n",
                        w->planned.id[i], lty_strerror(rc),
                        w->planned.acked[i]);
                bad++;
            }
            planned += rc == LTY_OK;
        }
    }
    printf("customers created (acked):    %lu\n", created);
    printf("appointments booked (acked):  %lu\n", booked);
    printf("messages planned (acked):     %lu\n", planned);

    /* campaign messages: as many as the acked launches planned.  A
     * campaign message is "campaign/<campaign>/<customer>"; only pool and
     * created customers exist. */
    uint64_t campaign_msgs = 0;
    for (int c = 0; c < CAMPAIGNS; c++) {
        uint64_t want = 0, have = 0;
        for (int t = 0; t < nthreads; t++)
            want += ws[t].launched[c];
        char mid[LTY_MESSAGE_ID_MAX + 1];
        for (int i = 0; i < POOL; i++) {
            lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
            snprintf(mid, sizeof mid, "campaign/camp-%02d/p%03d", c, i);
            have += lty_outbox_get(e, mid, &m) == LTY_OK;
        }
        for (int t = 0; t < nthreads; t++)
            for (size_t i = 0; i < ws[t].created.n; i++) {
                if (!ws[t].created.acked[i])
                    continue;
                lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
                snprintf(mid, sizeof mid, "campaign/camp-%02d/%s", c,
                         ws[t].created.id[i]);
                have += lty_outbox_get(e, mid, &m) == LTY_OK;
            }
        if (have != want) {
            fprintf(stderr, "soak: camp-%02d: %" PRIu64
                    " messages, acknowledged launches planned %" PRIu64 "\n",
                    c, have, want);
            bad++;
        }
        campaign_msgs += have;
    }
    printf("campaign messages (acked):    %" PRIu64 "\n", campaign_msgs);

    /* the outbox holds those and nothing else */
    size_t total = 0;
    if (check(e, lty_outbox_list(e, NULL, NULL, 0, &total), "outbox list"))
        return bad + 1;
    if (total != planned + campaign_msgs) {
        fprintf(stderr, "soak: the outbox holds %zu messages, %" PRIu64
                " were acknowledged\n", total, planned + campaign_msgs);
        bad++;
    }

    /* drain: a dispatch past every claim sends what is left */
    uint64_t acked_sent = 0;
    for (int t = 0; t < nthreads; t++)
        acked_sent += ws[t].dispatched;
    int64_t later = (int64_t)time(NULL) + CLAIM_SECONDS + 60;
    uint64_t drained = 0;
    for (;;) {
        lty_dispatch_report r;
        if (check(e, lty_outbox_dispatch(e, later, 1000, &r), "drain"))
            return bad + 1;
        drained += r.sent;
        if (r.claimed == 0)
            break;
    }
    lty_outbox_filter flt;
    memset(&flt, 0, sizeof flt);
    flt.state = LTY_MSG_SENT;
    size_t sent = 0;
    if (check(e, lty_outbox_list(e, &flt, NULL, 0, &sent), "outbox list"))
        return bad + 1;
    printf("outbox: %zu messages, %zu sent (%" PRIu64
           " acknowledged by dispatch calls, %" PRIu64 " in the drain)\n",
           total, sent, acked_sent, drained);
    if (sent != total) {
        fprintf(stderr, "soak: %zu of %zu messages not sent after the drain\n",
                total - sent, total);
        bad++;
    }
    if (acked_sent + drained > sent) {
        fprintf(stderr, "soak: dispatch calls acknowledged more sends than "
                "the outbox records\n");
        bad++;
    }

    /* deliveries: every handed-over id is in the outbox, every sent
     * message was handed over; count repeats (a claim whose
     * acknowledgement failed is sent again: at least once, by design) */
    size_t nd = drain->n;
    for (int t = 0; t < nthreads; t++)
        nd += ws[t].sent_ids.n;
    char (*all)[LTY_MESSAGE_ID_MAX + 1] = xcalloc(nd, sizeof *all);
    size_t k = 0;
    for (int t = 0; t < nthreads; t++)
        for (size_t i = 0; i < ws[t].sent_ids.n; i++)
            memcpy(all[k++], ws[t].sent_ids.id[i], sizeof all[0]);
    for (size_t i = 0; i < drain->n; i++)
        memcpy(all[k++], drain->id[i], sizeof all[0]);
    qsort(all, nd, sizeof all[0], cmp_ids);
    size_t distinct = 0;
    for (size_t i = 0; i < nd; i++) {
        if (i > 0 && strcmp(all[i], all[i - 1]) == 0)
            continue;
        distinct++;
        lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
        int rc = lty_outbox_get(e, all[i], &m);
        if (rc != LTY_OK || m.state != LTY_MSG_SENT) {
            fprintf(stderr, "soak: message %s was handed over but is %s\n",
                    all[i], rc == LTY_OK ? "not marked sent" : lty_strerror(rc));
            bad++;
        }
    }
    free(all);
    printf("deliveries: %zu (%zu messages, %zu repeated after a failed "
           "acknowledgement)\n", nd, distinct, nd - distinct);
    if (distinct != sent) {
        fprintf(stderr, "soak: %zu messages marked sent, %zu handed over\n",
                sent, distinct);
        bad++;
    }
    return bad;
}
