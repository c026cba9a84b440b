/*
 * libloyalty fuzz harness - message templates and their rendering.
 *
 * Input: one option byte, then strings separated by NUL bytes: the
 * template text, the template's locale, the customer's locale preference,
 * the customer's name, then up to eight parameter key/value pairs.  The
 * option byte picks the channel (SMS, e-mail, KakaoTalk, push, staff), the
 * purpose (transactional or marketing) and the policy (neutral or the
 * Korean advertising rules with sender and opt-out line).
 *
 * The harness registers the template with lty_template_set(), plans a
 * message with the parameters for customer c1 (who has a phone, an e-mail
 * address and every consent) and dispatches it at noon, so the text is
 * rendered and handed to a messenger that checks it.  What must hold:
 *
 *   - no crash, no sanitizer report, no leak;
 *   - only documented return codes;
 *   - a template that was accepted and a plan that was accepted give
 *     exactly one claimed message, which is sent or dead (a rendering
 *     over the channel's limit), never left claimed;
 *   - a sent text is NUL-terminated UTF-8 within the channel's limit and,
 *     for marketing under the Korean rules, begins with the label and
 *     ends with the opt-out line;
 *   - a template that was refused is not stored (nothing renders).
 *
 * Build with libFuzzer: tests/fuzz/run.sh (make fuzz).  Without it,
 * tests/fuzz/replay.c runs the same function over the seed corpus
 * (make check: tests/fuzz/replay_template.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "fuzz_util.h"

#define H "fuzz_template"
#define NOON (FUZZ_NOW + 12 * 3600)
#define OPT_OUT "\xeb\xac\xb4\xeb\xa3\x8c\xec\x88\x98\xec\x8b\xa0\xea\xb1\xb0" \
                "\xeb\xb6\x80 080-000-0000"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct sink {
    int korea;
    lty_purpose purpose;
    int limit;
    int calls;
} sink;

/* A well-formed UTF-8 sequence (no overlongs, surrogates or > U+10FFFF). */
static int utf8_ok(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s;
        size_t n;
        unsigned min;
        if (c < 0x80) {
            s++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1, min = 0x80, c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, min = 0x800, c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, min = 0x10000, c &= 0x07;
        } else {
            return 0;
        }
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            c = (c << 6) | (s[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return 0;
        s += n + 1;
    }
    return 1;
}

static int send_check(const lty_message *msg, void *ud)
{
    sink *k = ud;
    k->calls++;
    const char *t = msg->text;
    if (!t || !utf8_ok((const unsigned char *)t))
        fuzz_fail(H, "the rendered text is not UTF-8", 0, NULL);
    size_t n = strlen(t);
    if (k->limit > 0 && n > (size_t)k->limit)
        fuzz_fail(H, "the rendered text is over the channel's limit", 0, t);
    if (strcmp(msg->customer_id, "c1") != 0 ||
        strcmp(msg->template_id, "t") != 0)
        fuzz_fail(H, "the message names another customer or template", 0,
                  NULL);
    if (k->korea && k->purpose == LTY_PURPOSE_MARKETING) {
        static const char label[] = "(\xea\xb4\x91\xea\xb3\xa0)";
        size_t lo = strlen(OPT_OUT);
        if (strncmp(t, label, strlen(label)) != 0 || n < lo ||
            strcmp(t + n - lo, OPT_OUT) != 0)
            fuzz_fail(H, "marketing text without its label or opt-out line",
                      0, t);
    }
    return LTY_OK;
}

static void setup(fuzz_world *w, int korea, const char *name,
                  const char *locale, sink *k)
{
    lty_engine *e = w->e;
    int rc;
    if (korea) {
        lty_messaging_options m = LTY_MESSAGING_OPTIONS_KOREA;
        m.sender_name = "\xec\x8a\xa4\xed\x82\xa8\xed\x81\xb4\xeb\xa6\xac"
                        "\xeb\x8b\x89"; /* 스킨클리닉 */
        m.sender_contact = "02-000-0000";
        m.opt_out_line = OPT_OUT;
        if ((rc = lty_messaging_configure(e, &m)) != LTY_OK)
            fuzz_fail(H, "lty_messaging_configure", rc,
                      lty_engine_last_error(e));
    }
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "c1";
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_EMAIL;
    f.name = name;
    f.phone = "010-1234-5678";
    f.email = "c1@example.com";
    rc = lty_customer_create(e, &f);
    if (rc == LTY_EINVALID) { /* a name the profile refuses: go without */
        f.set &= ~(unsigned)LTY_FIELD_NAME;
        rc = lty_customer_create(e, &f);
    }
    if (rc != LTY_OK)
        fuzz_fail(H, "lty_customer_create", rc, lty_engine_last_error(e));
    if (*locale)
        (void)lty_customer_set_preference(e, "c1", "locale", locale);
    for (int ch = LTY_CHANNEL_SMS; ch <= LTY_CHANNEL_STAFF; ch++) {
        rc = lty_customer_set_consent(e, "c1", (lty_channel)ch,
                                      LTY_PURPOSE_MARKETING, 1);
        if (rc != LTY_OK && rc != LTY_EINVALID)
            fuzz_fail(H, "lty_customer_set_consent", rc,
                      lty_engine_last_error(e));
    }
    lty_messenger_ops ops = LTY_MESSENGER_OPS_INIT;
    ops.send = send_check;
    if ((rc = lty_messenger_register(e, &ops, k)) != LTY_OK)
        fuzz_fail(H, "lty_messenger_register", rc, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned opt = data[0];
    lty_channel channel = (lty_channel)(LTY_CHANNEL_SMS + (opt & 7) % 5);
    int marketing = (opt >> 3) & 1;
    int korea = (opt >> 4) & 1;
    const char *s[20];
    size_t n;
    char *copy = fuzz_split(data + 1, size - 1, s, 20, &n);
    const char *text = s[0], *tlocale = s[1], *clocale = s[2], *name = s[3];
    lty_param params[8];
    size_t np = 0;
    for (size_t i = 4; i + 1 < n && np < 8; i += 2) {
        params[np].key = s[i];
        params[np].value = s[i + 1];
        np++;
    }

    fuzz_world w;
    fuzz_world_open(&w, H);
    lty_engine *e = w.e;
    w.now = NOON;
    sink k = {korea, marketing ? LTY_PURPOSE_MARKETING
                               : LTY_PURPOSE_TRANSACTIONAL,
              0, 0};
    lty_messaging_options lim = LTY_MESSAGING_OPTIONS_INIT;
    k.limit = lim.max_length[channel];
    setup(&w, korea, name, clocale, &k);

    int rc = lty_template_set(e, "t", channel, tlocale, text);
    fuzz_expect_rc(H, "lty_template_set", rc, lty_engine_last_error(e), 2,
                   LTY_OK, LTY_EINVALID);

    lty_plan_spec p = LTY_PLAN_SPEC_INIT;
    p.id = "m1";
    p.customer_id = "c1";
    p.template_id = "t";
    p.purpose = k.purpose;
    p.channel = channel;
    p.due = NOON;
    p.params = params;
    p.param_count = np;
    int prc = lty_outbox_plan(e, &p);
#ifdef FUZZ_TRACE
    fprintf(stderr, "plan %d: %s\n", prc, lty_engine_last_error(e));
#endif
    fuzz_expect_rc(H, "lty_outbox_plan", prc, lty_engine_last_error(e), 2,
                   LTY_OK, LTY_EINVALID);

    if (prc == LTY_OK) {
        lty_dispatch_report rep;
        int drc = lty_outbox_dispatch(e, NOON, 10, &rep);
        if (drc != LTY_OK)
            fuzz_fail(H, "lty_outbox_dispatch", drc, lty_engine_last_error(e));
        lty_outbox_entry m = LTY_OUTBOX_ENTRY_INIT;
        int grc = lty_outbox_get(e, "m1", &m);
        if (grc != LTY_OK)
            fuzz_fail(H, "lty_outbox_get", grc, lty_engine_last_error(e));
#ifdef FUZZ_TRACE /* -DFUZZ_TRACE: what happened to each seed */
        fprintf(stderr, "template %d plan %d state %d reason '%s'\n", rc,
                prc, (int)m.state, m.reason);
#endif
        if (m.state == LTY_MSG_CLAIMED)
            fuzz_fail(H, "a dispatched message was left claimed", 0, m.reason);
        if ((m.state == LTY_MSG_SENT) != (k.calls == 1) || k.calls > 1)
            fuzz_fail(H, "sent state and messenger calls disagree", k.calls,
                      m.reason);
        /* a default-locale template in the store is found whatever the
         * customer's locale: the message is sent, or dead when the text
         * rendered over the limit */
        if (rc == LTY_OK && *tlocale == '\0' && m.state != LTY_MSG_SENT &&
            m.state != LTY_MSG_DEAD)
            fuzz_fail(H, "a stored template was not rendered", m.state,
                      m.reason);
        if (rc != LTY_OK && m.state == LTY_MSG_SENT)
            fuzz_fail(H, "a refused template was rendered", 0, NULL);
    }

    fuzz_world_close(&w);
    free(copy);
    return 0;
}
