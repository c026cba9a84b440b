/*
 * loyalty CLI - the HTML report: one self-contained file (inline SVG and
 * CSS, no script, no network) readable on a phone.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_REPORT_HTML_H
#define LOYALTY_CLI_REPORT_HTML_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <loyalty.h>

/* What the report shows besides what it reads from the store. */
struct cli_report_options {
    /* The page's heading (NULL: "Loyalty report"). */
    const char *title;
    /* Campaigns to show results of (their last kept measurement), or
     * NULL and 0 for every campaign of the store. */
    const char *const *campaign_ids;
    size_t campaign_count;
    /* Digits of the currency's minor unit (0 for the won) and its symbol
     * (NULL: none). */
    int currency_exponent;
    const char *currency;
};

/*
 * Write the report for the store of @p e as of @p now: the RFM grid
 * (recency x frequency with counts and revenue), segment sizes and revenue
 * shares, the Pareto curve, title and tier distribution of every program,
 * the no-show rate of the last twelve months, and campaign results.
 * Scores are computed as of @p now without being stored.
 *
 * Returns LTY_OK, LTY_ESTORAGE when writing @p out failed, or the
 * library's code of the call that failed (lty_engine_last_error() has the
 * detail).
 */
int cli_report_html(lty_engine *e, int64_t now, FILE *out);

/* cli_report_html() with options (NULL: the defaults). */
int cli_report_html_ex(lty_engine *e, int64_t now,
                       const struct cli_report_options *opts, FILE *out);

#endif
