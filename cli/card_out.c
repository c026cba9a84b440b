/*
 * loyalty - a customer's card (briefing entry or caller ID) as output
 * cells: the appointment, the customer, titles and tiers, visits, and
 * what the front desk should notice, summed up in one "notice" column.
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "card_out.h"
#include "values.h"

void cli_card_cols(cli_table *t)
{
    cli_col(t, "start", "TIME", 0);
    cli_col(t, "appointment_id", "APPOINTMENT", 0);
    cli_col(t, "state", "STATE", 0);
    cli_col(t, "item", "ITEM", 0);
    cli_col(t, "staff", "STAFF", 0);
    cli_col(t, "customer_id", "CUSTOMER", 0);
    cli_col(t, "name", "NAME", 0);
    cli_col(t, "title", "TITLE", 0);
    cli_col(t, "tier", "TIER", 0);
    cli_col(t, "visits", "VISITS", 1);
    cli_col(t, "last_visit", "LAST VISIT", 0);
    cli_col(t, "segment", "SEGMENT", 0);
    cli_col(t, "notice", "NOTICE", 0);
    cli_col(t, "notes", "NOTES", 0);
    /* the NOTICE column's facts one by one, for programs */
    cli_col(t, "phone", "PHONE", CLI_MACHINE);
    cli_col(t, "vip", "VIP", CLI_MACHINE);
    cli_col(t, "first_visit", "FIRST VISIT", CLI_MACHINE);
    cli_col(t, "welcome_back_days", "WELCOME BACK", CLI_MACHINE);
    cli_col(t, "promotion_due", "PROMOTION DUE", CLI_MACHINE);
    cli_col(t, "rewards_ready", "REWARDS READY", CLI_MACHINE);
    cli_col(t, "referrer_id", "REFERRER", CLI_MACHINE);
    cli_col(t, "came_together", "CAME TOGETHER", CLI_MACHINE);
    cli_col(t, "referrals", "REFERRALS", CLI_MACHINE);
    cli_col(t, "last_item", "LAST ITEM", CLI_MACHINE);
}

static void add(char *buf, size_t size, const char *fmt, const char *s1,
                int64_t n)
{
    size_t len = strlen(buf);
    if (len && len + 2 < size) {
        memcpy(buf + len, "; ", 3);
        len += 2;
    }
    if (len < size)
        snprintf(buf + len, size - len, fmt, s1, n);
}

void cli_card_cells(cli_ctx *ctx, cli_table *t, const lty_card *c)
{
    lty_appointment ap = LTY_APPOINTMENT_INIT;
    int has_ap = lty_card_appointment(c, &ap) == LTY_OK;
    char notice[1024] = "", notes[2048] = "";
    int64_t away;
    (void)ctx;
    cli_cell_time(t, has_ap ? ap.start : 0);
    cli_cell_text(t, has_ap ? ap.id : NULL);
    cli_cell_text(t, has_ap ? cli_appointment_state_name(ap.state) : NULL);
    cli_cell_text(t, has_ap && ap.item[0] ? ap.item : NULL);
    cli_cell_text(t, has_ap && ap.staff[0] ? ap.staff : NULL);
    cli_cell_text(t, lty_card_customer_id(c));
    cli_cell_text(t, lty_card_name(c));
    cli_cell_text(t, lty_card_title(c));
    cli_cell_text(t, lty_card_tier(c));
    cli_cell_int(t, lty_card_visits(c));
    cli_cell_time(t, lty_card_last_visit(c));
    cli_cell_text(t, lty_card_segment(c));

    if (lty_card_vip(c))
        add(notice, sizeof notice, "VIP%s", "", 0);
    if (lty_card_first_visit(c))
        add(notice, sizeof notice, "first visit%s", "", 0);
    if (lty_card_welcome_back(c, &away))
        add(notice, sizeof notice, "welcome back%s (%" PRId64 " days)", "", away);
    if (lty_card_promotion_due(c))
        add(notice, sizeof notice, "promotion due: %s", lty_card_promotion_due(c), 0);
    for (size_t i = 0; i < lty_card_occasion_count(c); i++) {
        lty_occasion o = LTY_OCCASION_INIT;
        if (lty_card_occasion_at(c, i, &o))
            continue;
        if (o.days_until == 0)
            add(notice, sizeof notice, "%s today", o.label, 0);
        else
            add(notice, sizeof notice, "%s in %" PRId64 " days", o.label, o.days_until);
    }
    if (lty_card_reward_count(c))
        add(notice, sizeof notice, "%srewards ready: %" PRId64, "",
            (int64_t)lty_card_reward_count(c));
    if (lty_card_referrer_id(c))
        add(notice, sizeof notice, "referred by %s",
            lty_card_referrer_name(c) ? lty_card_referrer_name(c)
                                      : lty_card_referrer_id(c), 0);
    if (lty_card_came_together(c))
        add(notice, sizeof notice, "came together with the referrer%s", "", 0);
    if (lty_card_last_item(c))
        add(notice, sizeof notice, "last time: %s", lty_card_last_item(c), 0);
    cli_cell_text(t, notice[0] ? notice : NULL);

    const lty_customer *cu = lty_card_customer(c);
    for (size_t i = 0; cu && i < lty_customer_note_count(cu); i++) {
        const char *k, *v;
        size_t len = strlen(notes);
        if (lty_customer_note_at(cu, i, &k, &v) == LTY_OK && len < sizeof notes)
            snprintf(notes + len, sizeof notes - len, "%s%s: %s", len ? "; " : "", k, v);
    }
    for (size_t i = 0; cu && i < lty_customer_preference_count(cu); i++) {
        const char *k, *v;
        size_t len = strlen(notes);
        if (lty_customer_preference_at(cu, i, &k, &v) == LTY_OK && len < sizeof notes)
            snprintf(notes + len, sizeof notes - len, "%s%s: %s", len ? "; " : "", k, v);
    }
    cli_cell_text(t, notes[0] ? notes : NULL);

    cli_cell_text(t, cu ? lty_customer_phone(cu) : NULL);
    cli_cell_bool(t, lty_card_vip(c));
    cli_cell_bool(t, lty_card_first_visit(c));
    if (lty_card_welcome_back(c, &away))
        cli_cell_int(t, away);
    else
        cli_cell_text(t, NULL);
    cli_cell_text(t, lty_card_promotion_due(c));
    cli_cell_int(t, (int64_t)lty_card_reward_count(c));
    cli_cell_text(t, lty_card_referrer_id(c));
    cli_cell_bool(t, lty_card_came_together(c));
    cli_cell_int(t, (int64_t)lty_card_referral_count(c));
    cli_cell_text(t, lty_card_last_item(c));
}
