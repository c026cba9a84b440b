/*
 * libloyalty fuzz harness - phone and e-mail normalisation.
 *
 * Input: one byte choosing the engine's country code, then up to five
 * strings separated by NUL bytes: phone A, e-mail A, phone B, e-mail B and
 * a calling number.  The harness creates customer c1 with phone A and
 * e-mail A, updates it to phone B and e-mail B, and recognises the calling
 * number, checking what must hold for any spelling:
 *
 *   - no crash, no sanitizer report, no leak;
 *   - only documented return codes (a fresh store: LTY_OK or LTY_EINVALID
 *     for the create, LTY_EEXISTS only where a clash is possible);
 *   - an accepted phone is stored as E.164 ('+' and 8..15 digits), an
 *     accepted e-mail address lower-cased with one '@' and no spaces;
 *   - normalisation is idempotent and lookups agree with it: the number
 *     as given and as stored both find the customer, and the stored
 *     number given to a second customer is LTY_EEXISTS;
 *   - after an update the old number no longer finds the customer;
 *   - an error message never repeats the phone or address it refused
 *     (personal data stays out of messages).
 *
 * Build with libFuzzer: tests/fuzz/run.sh (make fuzz).  Without it,
 * tests/fuzz/replay.c runs the same function over the seed corpus
 * (make check: tests/fuzz/replay_contact.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>

#include "fuzz_util.h"

#define H "fuzz_contact"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what, int rc, lty_engine *e)
{
    if (!ok)
        fuzz_fail(H, what, rc, e ? lty_engine_last_error(e) : NULL);
}

/* A refused value long and distinctive enough that a library message
 * could not contain it by chance must not appear in the message. */
static void check_not_leaked(lty_engine *e, int rc, const char *value)
{
    if (rc == LTY_OK || strlen(value) < 8)
        return;
    size_t digits = 0, at = 0;
    for (const char *p = value; *p; p++) {
        digits += isdigit((unsigned char)*p) != 0;
        at += *p == '@';
    }
    if (digits < 6 && at == 0)
        return;
    const char *msg = lty_engine_last_error(e);
    if (msg && strstr(msg, value))
        fuzz_fail(H, "an error message repeats the personal data", rc, msg);
}

static int is_e164(const char *s)
{
    if (!s || s[0] != '+')
        return 0;
    size_t n = 0;
    for (const char *p = s + 1; *p; p++, n++)
        if (!isdigit((unsigned char)*p))
            return 0;
    return n >= 8 && n <= 15 && s[1] != '0';
}

static int is_normal_email(const char *s)
{
    size_t at = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '@')
            at++;
        if ((*p >= 'A' && *p <= 'Z') || (unsigned char)*p <= ' ')
            return 0;
    }
    return at == 1 && s[0] != '@' && s[strlen(s) - 1] != '@';
}

/* find_by_phone / find_by_email: the customer it finds, checked to be c1,
 * or the code. */
static int find(lty_engine *e, int by_phone, const char *value)
{
    lty_customer *c = NULL;
    int rc = by_phone ? lty_customer_find_by_phone(e, value, &c)
                      : lty_customer_find_by_email(e, value, &c);
    fuzz_expect_rc(H, by_phone ? "find_by_phone" : "find_by_email", rc,
                   lty_engine_last_error(e), 3, LTY_OK, LTY_ENOTFOUND,
                   LTY_EINVALID);
    if (rc == LTY_OK) {
        check(strcmp(lty_customer_id(c), "c1") == 0,
              "a lookup found another customer", rc, e);
        lty_customer_free(c);
    }
    return rc;
}

/* The stored phone and e-mail of c1 (copied into ph/em, "" for none). */
static void stored(lty_engine *e, char ph[32], char em[LTY_EMAIL_MAX + 1])
{
    lty_customer *c = NULL;
    int rc = lty_customer_get(e, "c1", &c);
    check(rc == LTY_OK, "lty_customer_get after a create", rc, e);
    const char *p = lty_customer_phone(c);
    const char *m = lty_customer_email(c);
    if (p && *p)
        check(is_e164(p), "stored phone is not E.164", rc, e);
    if (m && *m)
        check(is_normal_email(m), "stored e-mail is not normalised", rc, e);
    snprintf(ph, 32, "%s", p ? p : "");
    snprintf(em, LTY_EMAIL_MAX + 1, "%s", m ? m : "");
    lty_customer_free(c);
}

static const int country_codes[] = {82, 1, 44, 81, 86, 7, 358, 999, 0};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int cc = country_codes[data[0] % (sizeof country_codes /
                                      sizeof country_codes[0])];
    const char *s[5];
    size_t n;
    char *copy = fuzz_split(data + 1, size - 1, s, 5, &n);
    fuzz_world w;
    fuzz_world_open_cc(&w, H, cc);
    lty_engine *e = w.e;

    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "c1";
    f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE | LTY_FIELD_EMAIL;
    f.name = "Kim";
    f.phone = s[0];
    f.email = s[1];
    int rc = lty_customer_create(e, &f);
    fuzz_expect_rc(H, "lty_customer_create", rc, lty_engine_last_error(e), 2,
                   LTY_OK, LTY_EINVALID);
    check_not_leaked(e, rc, s[0]);
    check_not_leaked(e, rc, s[1]);
    if (rc == LTY_OK) {
        char ph[32], em[LTY_EMAIL_MAX + 1];
        stored(e, ph, em);
        check((*s[0] != '\0') == (*ph != '\0'),
              "a phone given is not stored (or one not given is)", rc, e);
        check((*s[1] != '\0') == (*em != '\0'),
              "an e-mail given is not stored (or one not given is)", rc, e);
        if (*ph) {
            check(find(e, 1, s[0]) == LTY_OK,
                  "the phone as given does not find its customer", rc, e);
            check(find(e, 1, ph) == LTY_OK,
                  "the stored phone does not find its customer", rc, e);
            lty_customer_fields g = LTY_CUSTOMER_FIELDS_INIT;
            g.id = "c2";
            g.set = LTY_FIELD_PHONE;
            g.phone = ph;
            int grc = lty_customer_create(e, &g);
            check(grc == LTY_EEXISTS, "a second customer took the phone",
                  grc, e);
        }
        if (*em) {
            check(find(e, 0, s[1]) == LTY_OK,
                  "the e-mail as given does not find its customer", rc, e);
            check(find(e, 0, em) == LTY_OK,
                  "the stored e-mail does not find its customer", rc, e);
        }

        /* the update to phone B and e-mail B */
        f.set = LTY_FIELD_PHONE | LTY_FIELD_EMAIL;
        f.phone = s[2];
        f.email = s[3];
        int urc = lty_customer_update(e, &f);
        fuzz_expect_rc(H, "lty_customer_update", urc,
                       lty_engine_last_error(e), 2, LTY_OK, LTY_EINVALID);
        check_not_leaked(e, urc, s[2]);
        check_not_leaked(e, urc, s[3]);
        char ph2[32], em2[LTY_EMAIL_MAX + 1];
        stored(e, ph2, em2);
        if (urc != LTY_OK) {
            check(strcmp(ph, ph2) == 0 && strcmp(em, em2) == 0,
                  "a failed update changed the contact", urc, e);
        } else {
            if (*ph2)
                check(find(e, 1, s[2]) == LTY_OK,
                      "the new phone does not find its customer", urc, e);
            if (*ph && strcmp(ph, ph2) != 0)
                check(find(e, 1, ph) == LTY_ENOTFOUND,
                      "the old phone still finds the customer", urc, e);
            if (*em2)
                check(find(e, 0, s[3]) == LTY_OK,
                      "the new e-mail does not find its customer", urc, e);
            if (*em && strcmp(em, em2) != 0)
                check(find(e, 0, em) == LTY_ENOTFOUND,
                      "the old e-mail still finds the customer", urc, e);
        }
    }

    lty_card *card = NULL;
    int crc = lty_recognize_phone(e, s[4], &card);
    fuzz_expect_rc(H, "lty_recognize_phone", crc, lty_engine_last_error(e), 3,
                   LTY_OK, LTY_ENOTFOUND, LTY_EINVALID);
    check_not_leaked(e, crc, s[4]);
    if (crc == LTY_OK) {
        check(strcmp(lty_card_customer_id(card), "c1") == 0,
              "caller ID found another customer", crc, e);
        char *text = NULL;
        size_t len = 0;
        int trc = lty_card_render_text(card, &text, &len);
        check(trc == LTY_OK && text && strlen(text) == len,
              "lty_card_render_text", trc, e);
        lty_free(text);
    } else {
        check(card == NULL, "a failed recognition left a card", crc, e);
    }
    lty_card_free(card);

    fuzz_world_close(&w);
    free(copy);
    return 0;
}
