/*
 * libloyalty - caller ID: the card (card.c) of the customer a phone number
 * belongs to.
 *
 * The number goes through lty_customer_find_by_phone(), which normalises
 * any spelling to E.164 and reads the phone index ("I\0phone\0<E.164>"):
 * an unknown number is that one look-up and LTY_ENOTFOUND.  A known one
 * becomes a card whose day is today (the engine's clock, local).
 *
 * Read-only: no transaction of its own, nothing written.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "card_int.h"
#include "plan_int.h"

int lty_recognize_phone_with(lty_engine *e, const char *phone,
                             const lty_briefing_options *opts, lty_card **out)
{
    lty_briefing_options o;
    lty__card_ctx ctx;
    lty_customer *cust = NULL;
    if (!e)
        return LTY_EINVALID;
    lty__err_clear(e);
    if (!out)
        return lty__err(e, LTY_EINVALID, "caller id: NULL output");
    *out = NULL;
    int rc = lty__briefing_options(e, opts, &o);
    if (rc || (rc = lty_customer_find_by_phone(e, phone, &cust)))
        return rc;

    memset(&ctx, 0, sizeof ctx);
    ctx.opts = &o;
    ctx.before_day = 0;
    ctx.ready_at = lty__now(e);
    if ((rc = lty__local_day(e, ctx.ready_at, &ctx.day)) ||
        (rc = lty__local_to_utc(e, ctx.day, 0, &ctx.day_start))) {
        lty_customer_free(cust);
        return rc;
    }
    ctx.promotion_allowed = 1;
    return lty__card_build(e, lty_customer_id(cust), cust, &ctx, out);
}

int lty_recognize_phone(lty_engine *e, const char *phone, lty_card **out)
{
    return lty_recognize_phone_with(e, phone, NULL, out);
}
