/*
 * loyalty CLI - a realistic demo clinic from a seeded generator.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_DEMO_DATA_H
#define LOYALTY_CLI_DEMO_DATA_H

#include <stddef.h>
#include <stdint.h>

#include <loyalty.h>

/* The demo's programs and campaigns (ids). */
#define CLI_DEMO_LADDER "visits"
#define CLI_DEMO_STARS "stars"
#define CLI_DEMO_WINBACK "winback-demo"
#define CLI_DEMO_WINBACK_NEXT "winback-next"

struct cli_demo_summary {
    size_t customers;
    size_t events;            /* events recorded (arrivals record their visits besides) */
    size_t purchases;
    size_t refunds;
    size_t feedback;
    size_t appointments_past; /* arrived, no-show or cancelled */
    size_t arrived;
    size_t no_shows;
    size_t cancelled;
    size_t appointments_future;
    size_t referrals;
    size_t consents;          /* marketing consents given */
    size_t treatments;        /* treatments in the catalogue */
    size_t rfm_customers;     /* customers scored (and stored) by RFM */
    size_t clv_customers;     /* customers whose lifetime value was stored */
    size_t campaign_members;  /* win-back members (treatment and control) */
    size_t messages_sent;     /* messages the demo messenger accepted */
    /* The campaigns the demo defined, for the report (no API lists them). */
    const char *campaign_ids[2];
    size_t campaign_count;
    /* Where a step failed: "creating customers: <library message>". */
    char message[256];
};

/*
 * Fill the (fresh) store of @p e with a clinic: @p customers customers
 * (about 2,000 is the demo's size) with two years of history up to
 * @p now, which should be the engine's clock (lty_engine_now()):
 * the library stamps consents, bookings and campaign eligibility with the
 * engine's clock.  The same seed gives the same data.
 *
 * Registers a messenger that accepts every message (nothing leaves the
 * machine) to play the win-back campaign's sending, and removes it again
 * before returning.
 *
 * Returns LTY_OK, or the library's code of the step that failed (the
 * summary's message says which).
 */
int cli_demo_populate(lty_engine *e, uint64_t seed, size_t customers,
                      int64_t now, struct cli_demo_summary *out);

#endif
