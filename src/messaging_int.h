/*
 * libloyalty - internal: the store's messaging policy as the engine keeps
 * it (cached by the revision of "M\0messaging"), templates and rendering.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_MESSAGING_INT_H
#define LTY_MESSAGING_INT_H

#include "engine_int.h"
#include "loyalty/message.h"

#define LTY__LABEL_MAX 128     /* ad label, sender name, contact */
#define LTY__OPT_OUT_MAX 256   /* the opt-out line */

/* The policy, with its own copies of the strings. */
typedef struct lty__messaging {
    int quiet_start, quiet_end;
    int cap_messages, cap_window_days;
    int soft_bounce_limit, unopened_limit;
    int max_attempts, retry_base_seconds, claim_seconds;
    char ad_label[LTY__LABEL_MAX + 1];
    char sender_name[LTY__LABEL_MAX + 1];
    char sender_contact[LTY__LABEL_MAX + 1];
    char opt_out_line[LTY__OPT_OUT_MAX + 1];
    int strict_consent;
    int max_length[6];
} lty__messaging;

/* The current policy (the defaults of LTY_MESSAGING_OPTIONS_INIT when none
 * was configured).  *out stays valid until the next call. */
LTY_INTERNAL int lty__messaging_current(lty_engine *e, const lty__messaging **out);

/* Free the engine's cached policy (engine teardown). */
LTY_INTERNAL void lty__messaging_release(lty_engine *e);

/*
 * Render template_id for a channel: the template of (channel, locale),
 * else of (channel, ""), filled from params (a placeholder without a param
 * renders as empty text), and for marketing purposes framed by the policy:
 * "<ad_label> <sender_name> <sender_contact>\n" before and "\n<opt_out_line>"
 * after (parts that are empty are left out).  The result is NUL-terminated
 * in out.  LTY_ENOTFOUND when no template exists for the channel (the
 * caller may try another channel); LTY_ERANGE when the text exceeds the
 * channel's max_length; messages name the template, never the text.
 */
LTY_INTERNAL int lty__render(lty_engine *e, const lty__messaging *m,
                             const char *template_id, lty_channel channel,
                             const char *locale, lty_purpose purpose,
                             const lty_param *params, size_t nparams,
                             lty_buf *out);

#endif /* LTY_MESSAGING_INT_H */
