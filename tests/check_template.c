/*
 * libloyalty tests - the messaging policy (lty_messaging_configure, its
 * record and the engine's cache) and message templates (lty_template_set,
 * lty_template_remove, and rendering through the internal lty__render:
 * placeholders, locale fallback, the Korean advertising frame, length
 * limits), corrupt records, and every storage failure of every mutating
 * call.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <loyalty.h>

#include "codec_int.h"     /* white-box: hand-made records */
#include "faultworld.h"
#include "messaging_int.h" /* white-box: lty__render, lty__messaging_current */
#include "outbox_int.h"    /* lty__placeholder_known */
#include "storedump.h"
#include "testutil.h"

static lty_test_env t;

static void setup(void)
{
    lty_test_env_open(&t);
}

static void teardown(void)
{
    lty_test_env_close(&t);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

#define KO_LABEL "(광고)"
#define KO_SENDER "행복치과"
#define KO_CONTACT "02-123-4567"
#define KO_OPT_OUT "무료수신거부 080-123-4567"

/* The Korean preset as the report proposes LTY_MESSAGING_OPTIONS_KOREA. */
static lty_messaging_options korea(void)
{
    lty_messaging_options o = {LTY_MESSAGING_OPTIONS_VERSION,
                               21 * 60, 8 * 60, 4, 7, 5, 10, 5, 60, 300,
                               KO_LABEL, NULL, NULL, NULL, 1,
                               {0, 2000, 100000, 1000, 1000, 2000}};
    o.sender_name = KO_SENDER;
    o.sender_contact = KO_CONTACT;
    o.opt_out_line = KO_OPT_OUT;
    return o;
}

static void configure_ok(lty_engine *e, const lty_messaging_options *o)
{
    int rc = lty_messaging_configure(e, o);
    ck_assert_msg(rc == LTY_OK, "configure: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(e));
}

static void set_ok(lty_engine *e, const char *id, lty_channel ch,
                   const char *loc, const char *text)
{
    int rc = lty_template_set(e, id, ch, loc, text);
    ck_assert_msg(rc == LTY_OK, "template_set %s: %s (%s)", id,
                  lty_strerror(rc), lty_engine_last_error(e));
}

static char *dump(void)
{
    char *d = lty_test_dump(&t.ops, t.ud);
    ck_assert_ptr_nonnull(d);
    return d;
}

/* Render through the internal renderer; *text gets a malloc'd copy (or
 * NULL on failure).  Also checks the NUL after the text. */
static int render(lty_engine *e, const char *tid, lty_channel ch,
                  const char *loc, lty_purpose p, const lty_param *ps,
                  size_t n, char **text)
{
    const lty__messaging *m;
    lty_buf out;
    *text = NULL;
    int rc = lty__messaging_current(e, &m);
    if (rc)
        return rc;
    lty__buf_init(&out, &e->alloc);
    rc = lty__render(e, m, tid, ch, loc, p, ps, n, &out);
    if (rc == LTY_OK) {
        ck_assert_uint_eq(strlen((const char *)out.data), out.len);
        *text = strdup((const char *)out.data);
    }
    lty__buf_release(&out);
    return rc;
}

static void render_is(lty_engine *e, const char *tid, lty_channel ch,
                      const char *loc, lty_purpose p, const lty_param *ps,
                      size_t n, const char *want)
{
    char *got;
    int rc = render(e, tid, ch, loc, p, ps, n, &got);
    ck_assert_msg(rc == LTY_OK, "render %s: %s (%s)", tid, lty_strerror(rc),
                  lty_engine_last_error(e));
    ck_assert_msg(strcmp(got, want) == 0, "render %s:\n got '%s'\nwant '%s'",
                  tid, got, want);
    free(got);
}

/* Write a raw value under a key, bypassing the engine. */
static void put_raw(const char *key, size_t kn, const void *v, size_t n)
{
    ck_assert_int_eq(t.ops.begin(t.ud), LTY_OK);
    ck_assert_int_eq(t.ops.put(key, kn, v, n, LTY_REV_ANY, NULL, t.ud), LTY_OK);
    ck_assert_int_eq(t.ops.commit(t.ud), LTY_OK);
}

static int get_raw(const char *key, size_t kn, lty_buf *into)
{
    uint64_t rev;
    return t.ops.get(key, kn, into, &rev, t.ud);
}

static const char POLICY_KEY[] = "M\0messaging";
#define POLICY_KEYLEN (sizeof POLICY_KEY - 1)

/* "T\0<id>\0<channel>\0<locale>" */
static size_t tkey(char *b, const char *id, lty_channel ch, const char *loc)
{
    size_t n = 0;
    b[n++] = 'T';
    b[n++] = '\0';
    memcpy(b + n, id, strlen(id));
    n += strlen(id);
    b[n++] = '\0';
    b[n++] = (char)ch;
    b[n++] = '\0';
    memcpy(b + n, loc, strlen(loc));
    return n + strlen(loc);
}

/* ------------------------------------------------------------------ */
/* Policy                                                              */
/* ------------------------------------------------------------------ */

START_TEST(defaults_are_the_initialiser)
{
    const lty__messaging *m;
    lty_messaging_options o = LTY_MESSAGING_OPTIONS_INIT;
    ck_assert_int_eq(lty__messaging_current(t.e, &m), LTY_OK);
    ck_assert_int_eq(m->quiet_start, o.quiet_start);
    ck_assert_int_eq(m->quiet_end, o.quiet_end);
    ck_assert_int_eq(m->cap_messages, o.cap_messages);
    ck_assert_int_eq(m->cap_window_days, o.cap_window_days);
    ck_assert_int_eq(m->soft_bounce_limit, o.soft_bounce_limit);
    ck_assert_int_eq(m->unopened_limit, o.unopened_limit);
    ck_assert_int_eq(m->max_attempts, o.max_attempts);
    ck_assert_int_eq(m->retry_base_seconds, o.retry_base_seconds);
    ck_assert_int_eq(m->claim_seconds, o.claim_seconds);
    ck_assert_int_eq(m->strict_consent, o.strict_consent);
    for (int c = 0; c < 6; c++)
        ck_assert_int_eq(m->max_length[c], o.max_length[c]);
    ck_assert_str_eq(m->ad_label, "");
    ck_assert_str_eq(m->sender_name, "");
    ck_assert_str_eq(m->sender_contact, "");
    ck_assert_str_eq(m->opt_out_line, "");
    /* nothing is stored until configured */
    ck_assert_int_eq(lty_test_dump_contains(&t.ops, t.ud, POLICY_KEY,
                                            POLICY_KEYLEN), 0);
}
END_TEST

START_TEST(the_policy_is_stored_and_read_back)
{
    lty_messaging_options o = korea();
    o.quiet_start = 22 * 60;
    o.cap_messages = 2;
    o.cap_window_days = 30;
    o.soft_bounce_limit = 3;
    o.unopened_limit = 0;
    o.max_attempts = 8;
    o.retry_base_seconds = 30;
    o.claim_seconds = 600;
    o.max_length[1] = 90;
    o.max_length[0] = 77; /* unused: stored as 0 */
    configure_ok(t.e, &o);
    const lty__messaging *m;
    ck_assert_int_eq(lty__messaging_current(t.e, &m), LTY_OK);
    ck_assert_int_eq(m->quiet_start, 22 * 60);
    ck_assert_int_eq(m->quiet_end, 8 * 60);
    ck_assert_int_eq(m->cap_messages, 2);
    ck_assert_int_eq(m->cap_window_days, 30);
    ck_assert_int_eq(m->soft_bounce_limit, 3);
    ck_assert_int_eq(m->unopened_limit, 0);
    ck_assert_int_eq(m->max_attempts, 8);
    ck_assert_int_eq(m->retry_base_seconds, 30);
    ck_assert_int_eq(m->claim_seconds, 600);
    ck_assert_int_eq(m->strict_consent, 1);
    ck_assert_int_eq(m->max_length[0], 0);
    ck_assert_int_eq(m->max_length[1], 90);
    ck_assert_int_eq(m->max_length[2], 100000);
    ck_assert_int_eq(m->max_length[5], 2000);
    ck_assert_str_eq(m->ad_label, KO_LABEL);
    ck_assert_str_eq(m->sender_name, KO_SENDER);
    ck_assert_str_eq(m->sender_contact, KO_CONTACT);
    ck_assert_str_eq(m->opt_out_line, KO_OPT_OUT);

    /* the same policy again writes nothing (not even a new revision) */
    char *before = dump();
    configure_ok(t.e, &o);
    char *after = dump();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);

    /* edge values that are fine */
    lty_messaging_options ok = LTY_MESSAGING_OPTIONS_INIT;
    ok.quiet_start = ok.quiet_end = 0; /* no quiet hours */
    ok.cap_messages = 0;
    ok.cap_window_days = 0; /* no cap: the window does not matter */
    ok.ad_label = "[AD]";   /* not Korean: the host's business */
    ok.max_length[2] = 0;   /* no limit */
    ok.claim_seconds = 10;
    ok.max_attempts = 100;
    configure_ok(t.e, &ok);
    ck_assert_int_eq(lty__messaging_current(t.e, &m), LTY_OK);
    ck_assert_str_eq(m->ad_label, "[AD]");
    ck_assert_str_eq(m->opt_out_line, "");
    ck_assert_int_eq(m->cap_window_days, 0);
    ck_assert_int_eq(m->max_length[2], 0);
}
END_TEST

/* Each entry breaks one field of a valid Korean policy. */
typedef struct bad_policy {
    const char *field; /* what the message must name */
    void (*apply)(lty_messaging_options *o);
    int code;
} bad_policy;

/* n copies of c (n < 300), in a static buffer. */
static const char *repeat(char c, size_t n)
{
    static char b[300];
    memset(b, c, n);
    b[n] = '\0';
    return b;
}

#define BAD(name, stmt) \
    static void bad_##name(lty_messaging_options *o) { stmt; }
BAD(qs_neg, o->quiet_start = -1)
BAD(qs_big, o->quiet_start = 1440)
BAD(qe_big, o->quiet_end = 1440)
BAD(cap_neg, o->cap_messages = -1)
BAD(cap_big, o->cap_messages = 1001)
BAD(win_zero, o->cap_window_days = 0)
BAD(win_big, o->cap_window_days = 367)
BAD(win_neg_nocap, (o->cap_messages = 0, o->cap_window_days = -1))
BAD(soft_zero, o->soft_bounce_limit = 0)
BAD(soft_big, o->soft_bounce_limit = 1001)
BAD(unopened_neg, o->unopened_limit = -1)
BAD(attempts_zero, o->max_attempts = 0)
BAD(attempts_big, o->max_attempts = 101)
BAD(retry_zero, o->retry_base_seconds = 0)
BAD(retry_big, o->retry_base_seconds = 86401)
BAD(claim_small, o->claim_seconds = 9)
BAD(claim_big, o->claim_seconds = 86401)
BAD(strict_two, o->strict_consent = 2)
BAD(strict_neg, o->strict_consent = -1)
BAD(len_neg, o->max_length[1] = -1)
BAD(len_big, o->max_length[2] = 100001)
BAD(len0_big, o->max_length[0] = 100001)
BAD(label_square, o->ad_label = "[광고]")
BAD(label_spaced, o->ad_label = "(광 고)")
BAD(label_bare, o->ad_label = "광고")
BAD(label_trailing, o->ad_label = "(광고) ")
BAD(label_fullwidth, o->ad_label = "（광고）")
BAD(label_ideographic_space, o->ad_label = "(광\u3000고)")
BAD(label_nfd, o->ad_label = "(\u1100\u116a\u11bc\u1100\u1169)")
BAD(label_long, o->ad_label = repeat('A', LTY__LABEL_MAX + 1))
BAD(label_newline, o->ad_label = "(AD)\n")
BAD(label_utf8, o->ad_label = "\xc3(")
BAD(sender_long, o->sender_name = repeat('B', LTY__LABEL_MAX + 1))
BAD(contact_ctl, o->sender_contact = "02\t123")
BAD(optout_long, o->opt_out_line = repeat('C', LTY__OPT_OUT_MAX + 1))
BAD(optout_utf8, o->opt_out_line = "\xed\xa0\x80") /* a surrogate */
BAD(version_zero, o->version = 0)
BAD(version_newer, o->version = LTY_MESSAGING_OPTIONS_VERSION + 1)

static const bad_policy bad_policies[] = {
    {"quiet_start", bad_qs_neg, LTY_EINVALID},
    {"quiet_start", bad_qs_big, LTY_EINVALID},
    {"quiet_end", bad_qe_big, LTY_EINVALID},
    {"cap_messages", bad_cap_neg, LTY_EINVALID},
    {"cap_messages", bad_cap_big, LTY_EINVALID},
    {"cap_window_days", bad_win_zero, LTY_EINVALID},
    {"cap_window_days", bad_win_big, LTY_EINVALID},
    {"cap_window_days", bad_win_neg_nocap, LTY_EINVALID},
    {"soft_bounce_limit", bad_soft_zero, LTY_EINVALID},
    {"soft_bounce_limit", bad_soft_big, LTY_EINVALID},
    {"unopened_limit", bad_unopened_neg, LTY_EINVALID},
    {"max_attempts", bad_attempts_zero, LTY_EINVALID},
    {"max_attempts", bad_attempts_big, LTY_EINVALID},
    {"retry_base_seconds", bad_retry_zero, LTY_EINVALID},
    {"retry_base_seconds", bad_retry_big, LTY_EINVALID},
    {"claim_seconds", bad_claim_small, LTY_EINVALID},
    {"claim_seconds", bad_claim_big, LTY_EINVALID},
    {"strict_consent", bad_strict_two, LTY_EINVALID},
    {"strict_consent", bad_strict_neg, LTY_EINVALID},
    {"max_length[1]", bad_len_neg, LTY_EINVALID},
    {"max_length[2]", bad_len_big, LTY_EINVALID},
    {"max_length[0]", bad_len0_big, LTY_EINVALID},
    {"ad_label", bad_label_square, LTY_EINVALID},
    {"ad_label", bad_label_spaced, LTY_EINVALID},
    {"ad_label", bad_label_bare, LTY_EINVALID},
    {"ad_label", bad_label_trailing, LTY_EINVALID},
    {"ad_label", bad_label_fullwidth, LTY_EINVALID},
    {"ad_label", bad_label_ideographic_space, LTY_EINVALID},
    {"ad_label", bad_label_nfd, LTY_EINVALID},
    {"ad_label", bad_label_long, LTY_EINVALID},
    {"ad_label", bad_label_newline, LTY_EINVALID},
    {"ad_label", bad_label_utf8, LTY_EINVALID},
    {"sender_name", bad_sender_long, LTY_EINVALID},
    {"sender_contact", bad_contact_ctl, LTY_EINVALID},
    {"opt_out_line", bad_optout_long, LTY_EINVALID},
    {"opt_out_line", bad_optout_utf8, LTY_EINVALID},
    {"messaging options", bad_version_zero, LTY_EVERSION},
    {"messaging options", bad_version_newer, LTY_EVERSION},
};

START_TEST(bad_policies_are_refused_naming_the_field)
{
    const bad_policy *b = &bad_policies[_i];
    /* over a stored policy, so "nothing stored" means "nothing changed" */
    lty_messaging_options good = korea();
    configure_ok(t.e, &good);
    char *before = dump();
    lty_messaging_options o = korea();
    b->apply(&o);
    int rc = lty_messaging_configure(t.e, &o);
    ck_assert_msg(rc == b->code, "case %d (%s): got %s (%s)", _i, b->field,
                  lty_strerror(rc), lty_engine_last_error(t.e));
    lty_assert_err_mentions(t.e, b->field);
    char *after = dump();
    ck_assert_msg(strcmp(before, after) == 0, "case %d (%s) changed the store",
                  _i, b->field);
    free(before);
    free(after);
    /* a fresh store stays empty of a policy too */
    lty_test_env_close(&t);
    lty_test_env_open(&t);
    before = dump();
    ck_assert_int_eq(lty_messaging_configure(t.e, &o), b->code);
    after = dump();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST

START_TEST(null_arguments_are_refused)
{
    lty_messaging_options o = LTY_MESSAGING_OPTIONS_INIT;
    ck_assert_int_eq(lty_messaging_configure(NULL, &o), LTY_EINVALID);
    ck_assert_int_eq(lty_messaging_configure(t.e, NULL), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "messaging options");
    ck_assert_int_eq(lty_template_set(NULL, "t", LTY_CHANNEL_SMS, "", "x"),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_template_remove(NULL, "t", LTY_CHANNEL_SMS, ""),
                     LTY_EINVALID);
    /* the right label is accepted; the Korean preset is valid */
    lty_messaging_options k = korea();
    configure_ok(t.e, &k);
}
END_TEST

START_TEST(a_second_engine_sees_a_new_policy)
{
    lty_engine *e2 = lty_test_env_engine(&t);
    const lty__messaging *m;
    ck_assert_int_eq(lty__messaging_current(e2, &m), LTY_OK);
    ck_assert_str_eq(m->ad_label, "");
    ck_assert_int_eq(m->max_length[LTY_CHANNEL_SMS], 2000);

    lty_messaging_options o = korea();
    configure_ok(t.e, &o);
    ck_assert_int_eq(lty__messaging_current(e2, &m), LTY_OK);
    ck_assert_str_eq(m->ad_label, KO_LABEL);
    ck_assert_int_eq(m->strict_consent, 1);
    /* cached: asked again, the same answer */
    const lty__messaging *m2;
    ck_assert_int_eq(lty__messaging_current(e2, &m2), LTY_OK);
    ck_assert_ptr_eq(m, m2);

    o.max_length[LTY_CHANNEL_SMS] = 10;
    o.sender_name = "Other";
    configure_ok(t.e, &o);
    ck_assert_int_eq(lty__messaging_current(e2, &m), LTY_OK);
    ck_assert_str_eq(m->sender_name, "Other");
    ck_assert_int_eq(m->max_length[LTY_CHANNEL_SMS], 10);
    /* and e2's template checks use it */
    ck_assert_int_eq(lty_template_set(e2, "t", LTY_CHANNEL_SMS, "",
                                      "eleven byte"), LTY_EINVALID);
    lty_assert_err_mentions(e2, "max_length[1]");
    set_ok(e2, "t", LTY_CHANNEL_SMS, "", "ten bytes!{name}");
    lty_engine_free(e2);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Templates                                                           */
/* ------------------------------------------------------------------ */

START_TEST(placeholders_are_exactly_the_documented_list)
{
    static const char *const names[] = {
        "name", "title", "tier", "date", "time", "clinic", "item", "stars",
        "points", "referrer", "reward", "code", "branch", "staff", "amount",
        "days"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        ck_assert(lty__placeholder_known(names[i], strlen(names[i])));
        char text[64];
        snprintf(text, sizeof text, "x {%s} y", names[i]);
        set_ok(t.e, "all", LTY_CHANNEL_SMS, "", text);
    }
    ck_assert(!lty__placeholder_known("Name", 4));
    ck_assert(!lty__placeholder_known("nam", 3));
    ck_assert(!lty__placeholder_known("names", 5));
    ck_assert(!lty__placeholder_known("", 0));
    ck_assert(!lty__placeholder_known(NULL, 0));
    ck_assert(lty__placeholder_known("names", 4)); /* the length counts */
}
END_TEST

START_TEST(set_replace_and_remove)
{
    static const lty_param p[] = {{"name", "Kim"}};
    set_ok(t.e, "remind", LTY_CHANNEL_SMS, "", "Hello {name}");
    render_is(t.e, "remind", LTY_CHANNEL_SMS, "", LTY_PURPOSE_TRANSACTIONAL,
              p, 1, "Hello Kim");
    /* replacing */
    set_ok(t.e, "remind", LTY_CHANNEL_SMS, "", "Hi {name}!\nSee you.");
    render_is(t.e, "remind", LTY_CHANNEL_SMS, "", LTY_PURPOSE_TRANSACTIONAL,
              p, 1, "Hi Kim!\nSee you.");
    /* the same text again writes nothing */
    char *before = dump();
    set_ok(t.e, "remind", LTY_CHANNEL_SMS, "", "Hi {name}!\nSee you.");
    char *after = dump();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    /* stored under its documented key, holding the text */
    char k[300];
    size_t kn = tkey(k, "remind", LTY_CHANNEL_SMS, "");
    ck_assert_int_eq(lty_test_dump_contains(&t.ops, t.ud, k, kn), 1);
    /* removing */
    ck_assert_int_eq(lty_template_remove(t.e, "remind", LTY_CHANNEL_SMS, ""),
                     LTY_OK);
    ck_assert_int_eq(lty_test_dump_contains(&t.ops, t.ud, k, kn), 0);
    char *got;
    ck_assert_int_eq(render(t.e, "remind", LTY_CHANNEL_SMS, "",
                            LTY_PURPOSE_TRANSACTIONAL, p, 1, &got),
                     LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "remind");
    ck_assert_int_eq(lty_template_remove(t.e, "remind", LTY_CHANNEL_SMS, ""),
                     LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "template");
    /* remove checks its arguments */
    ck_assert_int_eq(lty_template_remove(t.e, "", LTY_CHANNEL_SMS, ""),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_template_remove(t.e, "remind", (lty_channel)9, ""),
                     LTY_EINVALID);
    ck_assert_int_eq(lty_template_remove(t.e, "remind", LTY_CHANNEL_SMS, "k_r"),
                     LTY_EINVALID);
}
END_TEST

/* A template refused: the code, the message, and an unchanged store. */
static void refused(const char *id, lty_channel ch, const char *loc,
                    const char *text, const char *mention, int line)
{
    char *before = dump();
    int rc = lty_template_set(t.e, id, ch, loc, text);
    ck_assert_msg(rc == LTY_EINVALID, "line %d: got %s (%s)", line,
                  lty_strerror(rc), lty_engine_last_error(t.e));
    ck_assert_msg(strstr(lty_engine_last_error(t.e), mention) != NULL,
                  "line %d: '%s' does not mention '%s'", line,
                  lty_engine_last_error(t.e), mention);
    char *after = dump();
    ck_assert_msg(strcmp(before, after) == 0, "line %d: store changed", line);
    free(before);
    free(after);
}

START_TEST(bad_templates_are_refused)
{
    set_ok(t.e, "x", LTY_CHANNEL_SMS, "", "kept");
    refused("x", LTY_CHANNEL_SMS, "", "Hello {xyz}!",
            "template text: unknown placeholder 'xyz'", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "", "Hello {Name}",
            "unknown placeholder 'Name'", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "", "Hello { name }",
            "unknown placeholder ' name '", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "", "{}", "unknown placeholder ''", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "", "Hello {name",
            "template text: unclosed '{' at byte 6", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "", "Hello {na{me}",
            "unclosed '{' at byte 6", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "", "{", "unclosed '{'", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "", "a } b", "single '}' at byte 2",
            __LINE__);
    refused("x", LTY_CHANNEL_SMS, "", "{name}}", "single '}'", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "",
            "{this is a very long thing that is not a placeholder at all}",
            "unknown placeholder at byte 1", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "", "{a\nb}", "unknown placeholder at byte 1",
            __LINE__);
    /* arguments */
    refused("", LTY_CHANNEL_SMS, "", "t", "template id", __LINE__);
    refused(NULL, LTY_CHANNEL_SMS, "", "t", "template id", __LINE__);
    refused("a\tb", LTY_CHANNEL_SMS, "", "t", "template id", __LINE__);
    char longid[LTY_MESSAGE_ID_MAX + 2];
    memset(longid, 'i', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    refused(longid, LTY_CHANNEL_SMS, "", "t", "template id", __LINE__);
    longid[LTY_MESSAGE_ID_MAX] = '\0'; /* exactly the limit: fine */
    set_ok(t.e, longid, LTY_CHANNEL_SMS, "", "t");
    refused("x", LTY_CHANNEL_NONE, "", "t", "channel", __LINE__);
    refused("x", (lty_channel)6, "", "t", "channel", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "ko_KR", "t", "locale", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "한국어", "t", "locale", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "abcdefghijklmnopq", "t", "locale", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "", "", "template text", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "", NULL, "template text", __LINE__);
    refused("x", LTY_CHANNEL_SMS, "", "bad \xff utf-8", "template text",
            __LINE__);
    refused("x", LTY_CHANNEL_SMS, "", "bell \a", "template text", __LINE__);
    char *big = malloc(LTY_TEMPLATE_MAX + 2);
    memset(big, 'a', LTY_TEMPLATE_MAX + 1);
    big[LTY_TEMPLATE_MAX + 1] = '\0';
    refused("x", LTY_CHANNEL_EMAIL, "", big, "template text", __LINE__);
    big[LTY_TEMPLATE_MAX] = '\0';
    set_ok(t.e, "x", LTY_CHANNEL_EMAIL, "", big); /* 4000 bytes by e-mail */
    free(big);
    /* newlines, tabs and carriage returns are fine in a text */
    set_ok(t.e, "x", LTY_CHANNEL_EMAIL, "", "a\r\n\tb\n");
    /* NULL locale is the default one; 16 bytes is the limit */
    set_ok(t.e, "y", LTY_CHANNEL_SMS, NULL, "default");
    set_ok(t.e, "y", LTY_CHANNEL_SMS, "abcdefghijklmnop", "long locale");
    render_is(t.e, "y", LTY_CHANNEL_SMS, "", LTY_PURPOSE_TRANSACTIONAL, NULL,
              0, "default");
    /* the first template is untouched */
    render_is(t.e, "x", LTY_CHANNEL_SMS, "", LTY_PURPOSE_TRANSACTIONAL, NULL,
              0, "kept");
}
END_TEST

START_TEST(literal_braces)
{
    static const lty_param p[] = {{"name", "Kim"}, {"code", "{x}"}};
    set_ok(t.e, "b", LTY_CHANNEL_SMS, "", "{{name}} is {name}}} {{{code}}}");
    /* a value is inserted as it is: its braces are not placeholders */
    render_is(t.e, "b", LTY_CHANNEL_SMS, "", LTY_PURPOSE_TRANSACTIONAL, p, 2,
              "{name} is Kim} {{x}}");
}
END_TEST

START_TEST(too_long_for_the_channel)
{
    char text[2100];
    memset(text, 'a', 2001);
    text[2001] = '\0';
    /* SMS: 2000 bytes by default */
    refused("long", LTY_CHANNEL_SMS, "", text, "max_length[1]", __LINE__);
    lty_assert_err_mentions(t.e, "SMS limit of 2000 bytes");
    set_ok(t.e, "long", LTY_CHANNEL_EMAIL, "", text);
    /* placeholders count as empty; literal braces as one byte */
    memcpy(text + 1999, "{name}", 7); /* 1999 + 0 */
    set_ok(t.e, "long", LTY_CHANNEL_SMS, "", text);
    memcpy(text + 1998, "{{{name}", 9); /* 1998 + 1 + 0 */
    set_ok(t.e, "long", LTY_CHANNEL_SMS, "", text);
    text[1998] = 'a';
    memcpy(text + 1999, "{{}}{name}", 11); /* 1999 + 2 + 0 */
    refused("long", LTY_CHANNEL_SMS, "", text, "2001 bytes", __LINE__);

    /* a policy with a short limit; 0 is no limit */
    lty_messaging_options o = LTY_MESSAGING_OPTIONS_INIT;
    o.max_length[LTY_CHANNEL_KAKAO] = 5;
    o.max_length[LTY_CHANNEL_PUSH] = 0;
    configure_ok(t.e, &o);
    refused("k", LTY_CHANNEL_KAKAO, "", "123456", "max_length[3]", __LINE__);
    set_ok(t.e, "k", LTY_CHANNEL_KAKAO, "", "12345{name}");
    memset(text, 'a', 2001);
    text[2001] = '\0';
    set_ok(t.e, "k", LTY_CHANNEL_PUSH, "", text);
}
END_TEST

START_TEST(locale_fallback)
{
    set_ok(t.e, "hi", LTY_CHANNEL_SMS, "", "default");
    set_ok(t.e, "hi", LTY_CHANNEL_SMS, "ko", "ko");
    set_ok(t.e, "hi", LTY_CHANNEL_SMS, "en-US", "en-US");
    set_ok(t.e, "hi", LTY_CHANNEL_EMAIL, "ko", "ko by e-mail");
    lty_purpose tr = LTY_PURPOSE_TRANSACTIONAL;
    render_is(t.e, "hi", LTY_CHANNEL_SMS, "ko", tr, NULL, 0, "ko");
    render_is(t.e, "hi", LTY_CHANNEL_SMS, "ko-KR", tr, NULL, 0, "ko");
    render_is(t.e, "hi", LTY_CHANNEL_SMS, "KO", tr, NULL, 0, "ko");
    render_is(t.e, "hi", LTY_CHANNEL_SMS, "en-us", tr, NULL, 0, "en-US");
    render_is(t.e, "hi", LTY_CHANNEL_SMS, "EN-US", tr, NULL, 0, "en-US");
    render_is(t.e, "hi", LTY_CHANNEL_SMS, "en", tr, NULL, 0, "default");
    render_is(t.e, "hi", LTY_CHANNEL_SMS, "en-GB", tr, NULL, 0, "default");
    render_is(t.e, "hi", LTY_CHANNEL_SMS, "fr", tr, NULL, 0, "default");
    render_is(t.e, "hi", LTY_CHANNEL_SMS, "", tr, NULL, 0, "default");
    render_is(t.e, "hi", LTY_CHANNEL_SMS, NULL, tr, NULL, 0, "default");
    render_is(t.e, "hi", LTY_CHANNEL_EMAIL, "ko-KR", tr, NULL, 0, "ko by e-mail");
    /* no default for e-mail: another locale finds nothing */
    char *got;
    ck_assert_int_eq(render(t.e, "hi", LTY_CHANNEL_EMAIL, "en", tr, NULL, 0,
                            &got), LTY_ENOTFOUND);
    /* a locale of another case replaces the same template */
    set_ok(t.e, "hi", LTY_CHANNEL_SMS, "EN-us", "en-US again");
    render_is(t.e, "hi", LTY_CHANNEL_SMS, "en-US", tr, NULL, 0, "en-US again");
    ck_assert_int_eq(lty_template_remove(t.e, "hi", LTY_CHANNEL_SMS, "en-US"),
                     LTY_OK);
    render_is(t.e, "hi", LTY_CHANNEL_SMS, "en-US", tr, NULL, 0, "default");
    /* a bad locale is refused by the renderer too */
    ck_assert_int_eq(render(t.e, "hi", LTY_CHANNEL_SMS, "ko KR", tr, NULL, 0,
                            &got), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "locale");
}
END_TEST

START_TEST(rendering_with_params_and_the_korean_frame)
{
    static const lty_param p[] = {
        {"name", "김민지"}, {"code", "BDAY-1"}, {"name", "ignored"}};
    set_ok(t.e, "birthday", LTY_CHANNEL_SMS, "",
           "{name}님, 생일 축하드립니다! 쿠폰 {code}");
    /* without a policy: no frame at all */
    render_is(t.e, "birthday", LTY_CHANNEL_SMS, "", LTY_PURPOSE_MARKETING, p,
              3, "김민지님, 생일 축하드립니다! 쿠폰 BDAY-1");

    lty_messaging_options o = korea();
    configure_ok(t.e, &o);
    render_is(t.e, "birthday", LTY_CHANNEL_SMS, "", LTY_PURPOSE_MARKETING, p,
              3,
              "(광고) 행복치과 02-123-4567\n"
              "김민지님, 생일 축하드립니다! 쿠폰 BDAY-1\n"
              "무료수신거부 080-123-4567");
    render_is(t.e, "birthday", LTY_CHANNEL_SMS, "",
              LTY_PURPOSE_NIGHT_MARKETING, p, 3,
              "(광고) 행복치과 02-123-4567\n"
              "김민지님, 생일 축하드립니다! 쿠폰 BDAY-1\n"
              "무료수신거부 080-123-4567");
    /* transactional messages carry no frame */
    render_is(t.e, "birthday", LTY_CHANNEL_SMS, "",
              LTY_PURPOSE_TRANSACTIONAL, p, 3,
              "김민지님, 생일 축하드립니다! 쿠폰 BDAY-1");

    /* only the parts that are set */
    o.sender_name = NULL;
    o.sender_contact = "";
    configure_ok(t.e, &o);
    render_is(t.e, "birthday", LTY_CHANNEL_SMS, "", LTY_PURPOSE_MARKETING, p,
              2,
              "(광고)\n김민지님, 생일 축하드립니다! 쿠폰 BDAY-1\n"
              "무료수신거부 080-123-4567");
    o.ad_label = NULL;
    o.sender_contact = KO_CONTACT;
    o.opt_out_line = NULL;
    configure_ok(t.e, &o);
    render_is(t.e, "birthday", LTY_CHANNEL_SMS, "", LTY_PURPOSE_MARKETING, p,
              2, "02-123-4567\n김민지님, 생일 축하드립니다! 쿠폰 BDAY-1");
    o.sender_contact = NULL;
    o.opt_out_line = KO_OPT_OUT;
    configure_ok(t.e, &o);
    render_is(t.e, "birthday", LTY_CHANNEL_SMS, "", LTY_PURPOSE_MARKETING, p,
              2, "김민지님, 생일 축하드립니다! 쿠폰 BDAY-1\n무료수신거부 080-123-4567");
}
END_TEST

START_TEST(a_missing_param_renders_empty)
{
    static const lty_param p[] = {{"name", "Kim"}, {"stars", ""}};
    set_ok(t.e, "m", LTY_CHANNEL_PUSH, "", "Hi {name}, code {code}, {stars}.");
    render_is(t.e, "m", LTY_CHANNEL_PUSH, "", LTY_PURPOSE_TRANSACTIONAL, p, 2,
              "Hi Kim, code , .");
    render_is(t.e, "m", LTY_CHANNEL_PUSH, "", LTY_PURPOSE_TRANSACTIONAL, NULL,
              0, "Hi , code , .");
    /* a NULL array with a count is no params */
    render_is(t.e, "m", LTY_CHANNEL_PUSH, "", LTY_PURPOSE_TRANSACTIONAL, NULL,
              5, "Hi , code , .");
}
END_TEST

START_TEST(no_template_for_the_channel_is_enotfound)
{
    char *got;
    set_ok(t.e, "r", LTY_CHANNEL_SMS, "", "sms");
    ck_assert_int_eq(render(t.e, "r", LTY_CHANNEL_EMAIL, "",
                            LTY_PURPOSE_TRANSACTIONAL, NULL, 0, &got),
                     LTY_ENOTFOUND);
    lty_assert_err_mentions(t.e, "template 'r': none for e-mail");
    ck_assert_int_eq(render(t.e, "other", LTY_CHANNEL_SMS, "",
                            LTY_PURPOSE_TRANSACTIONAL, NULL, 0, &got),
                     LTY_ENOTFOUND);
    /* a template id that is a prefix of another does not match */
    ck_assert_int_eq(render(t.e, "", LTY_CHANNEL_SMS, "",
                            LTY_PURPOSE_TRANSACTIONAL, NULL, 0, &got),
                     LTY_EINVALID);
    set_ok(t.e, "rr", LTY_CHANNEL_KAKAO, "", "kakao");
    ck_assert_int_eq(render(t.e, "r", LTY_CHANNEL_KAKAO, "",
                            LTY_PURPOSE_TRANSACTIONAL, NULL, 0, &got),
                     LTY_ENOTFOUND);
    ck_assert_int_eq(render(t.e, "r", (lty_channel)0, "",
                            LTY_PURPOSE_TRANSACTIONAL, NULL, 0, &got),
                     LTY_EINVALID);
}
END_TEST

START_TEST(params_that_make_it_too_long_are_erange)
{
    lty_messaging_options o = korea();
    o.max_length[LTY_CHANNEL_SMS] = 90;
    configure_ok(t.e, &o);
    set_ok(t.e, "w", LTY_CHANNEL_SMS, "", "{name}: {code}");
    char value[LTY_PARAM_MAX + 1];
    memset(value, 'v', 86);
    value[86] = '\0';
    lty_param p[] = {{"name", value}, {"code", "12"}};
    /* 86 + 2 + 2 = 90: exactly the limit */
    char want[LTY_PARAM_MAX + 16];
    snprintf(want, sizeof want, "%s: 12", value);
    render_is(t.e, "w", LTY_CHANNEL_SMS, "", LTY_PURPOSE_TRANSACTIONAL, p, 2,
              want);
    p[1].value = "123";
    char *got;
    ck_assert_int_eq(render(t.e, "w", LTY_CHANNEL_SMS, "",
                            LTY_PURPOSE_TRANSACTIONAL, p, 2, &got),
                     LTY_ERANGE);
    lty_assert_err_mentions(t.e, "template 'w'");
    lty_assert_err_mentions(t.e, "91 bytes");
    /* the message names the template, never the text */
    ck_assert_ptr_null(strstr(lty_engine_last_error(t.e), "vvv"));
    /* the advertising frame counts too */
    p[1].value = "1";
    value[10] = '\0';
    ck_assert_int_eq(render(t.e, "w", LTY_CHANNEL_SMS, "",
                            LTY_PURPOSE_TRANSACTIONAL, p, 2, &got), LTY_OK);
    free(got);
    /* (광고) 행복치과 02-123-4567\n = 8+1+12+1+11+1 = 34;
     * text 10+2+1 = 13; \n무료수신거부 080-123-4567 = 1+18+1+12 = 32: 79 */
    ck_assert_int_eq(render(t.e, "w", LTY_CHANNEL_SMS, "",
                            LTY_PURPOSE_MARKETING, p, 2, &got), LTY_OK);
    ck_assert_uint_eq(strlen(got), 79);
    free(got);
    value[10] = 'v';
    value[22] = '\0'; /* 22 + 2 + 1 = 25; 34 + 25 + 32 = 91 */
    ck_assert_int_eq(render(t.e, "w", LTY_CHANNEL_SMS, "",
                            LTY_PURPOSE_MARKETING, p, 2, &got), LTY_ERANGE);
    value[21] = '\0';
    ck_assert_int_eq(render(t.e, "w", LTY_CHANNEL_SMS, "",
                            LTY_PURPOSE_MARKETING, p, 2, &got), LTY_OK);
    ck_assert_uint_eq(strlen(got), 90);
    free(got);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Corrupt records                                                     */
/* ------------------------------------------------------------------ */

/* A policy record with every field, from a table of numbers. */
static void put_policy(const int64_t nums[10], const int64_t lens[5],
                       int extra_tag)
{
    lty_buf b;
    lty__enc w;
    lty__buf_init(&b, &t.e->alloc);
    lty__enc_begin(&w, &b, LTY__REC_MESSAGING, 1);
    for (unsigned tag = 1; tag <= 9; tag++)
        lty__enc_i64(&w, tag, nums[tag - 1]);
    lty__enc_i64(&w, 14, nums[9]);
    for (int i = 0; i < 5; i++)
        lty__enc_i64(&w, 15, lens[i]);
    if (extra_tag)
        lty__enc_i64(&w, (unsigned)extra_tag, 1);
    ck_assert_int_eq(lty__enc_end(&w), LTY_OK);
    put_raw(POLICY_KEY, POLICY_KEYLEN, b.data, b.len);
    lty__buf_release(&b);
}

static int policy_rc(lty_engine *e)
{
    const lty__messaging *m;
    return lty__messaging_current(e, &m);
}

START_TEST(corrupt_policy_records_are_ecorrupt)
{
    static const int64_t good[10] = {1260, 480, 4, 7, 5, 10, 5, 60, 300, 0};
    static const int64_t lens[5] = {2000, 100000, 1000, 1000, 2000};
    const lty__messaging *m;
    set_ok(t.e, "t", LTY_CHANNEL_SMS, "", "hello");

    /* hand-made and well-formed: read; an unknown later tag is skipped */
    put_policy(good, lens, 20);
    ck_assert_int_eq(lty__messaging_current(t.e, &m), LTY_OK);
    ck_assert_int_eq(m->quiet_start, 1260);

    /* out of the ranges configure enforces */
    int64_t bad[10];
    for (int f = 0; f < 10; f++) {
        memcpy(bad, good, sizeof bad);
        bad[f] = f == 2 ? 1001 : f == 9 ? 2 : -1;
        put_policy(bad, lens, 0);
        ck_assert_msg(policy_rc(t.e) == LTY_ECORRUPT, "field %d", f);
        lty_assert_err_mentions(t.e, "messaging policy");
    }
    memcpy(bad, good, sizeof bad);
    bad[3] = 0; /* a cap without a window */
    put_policy(bad, lens, 0);
    ck_assert_int_eq(policy_rc(t.e), LTY_ECORRUPT);
    int64_t badlens[5] = {2000, 100001, 1000, 1000, 2000};
    put_policy(good, badlens, 0);
    ck_assert_int_eq(policy_rc(t.e), LTY_ECORRUPT);

    /* raw garbage, wrong kind, missing fields, a bad label, a newer version */
    static const struct {
        const char *v;
        size_t n;
        int rc;
    } raw[] = {
        {"", 0, LTY_ECORRUPT},
        {"\x0e", 1, LTY_ECORRUPT},
        {"\x0e\x00", 2, LTY_ECORRUPT},
        {"\x0e\x01", 2, LTY_ECORRUPT},            /* nothing in it */
        {"\x0f\x01\x0a\x01x", 5, LTY_ECORRUPT},   /* a template's kind */
        {"\x0e\x01\x08\x02\x08\x04", 6, LTY_ECORRUPT}, /* repeated tag 1 */
        {"\x0e\x01\x52\x04[\xea\xb4", 7, LTY_ECORRUPT}, /* truncated */
        {"\x0e\x02", 2, LTY_EVERSION},
    };
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        put_raw(POLICY_KEY, POLICY_KEYLEN, raw[i].v, raw[i].n);
        ck_assert_msg(policy_rc(t.e) == raw[i].rc, "raw %zu", i);
    }
    /* a well-formed record with a forbidden label */
    lty_messaging_options o = korea();
    configure_ok(t.e, &o);
    lty_buf b;
    lty__buf_init(&b, &t.e->alloc);
    ck_assert_int_eq(get_raw(POLICY_KEY, POLICY_KEYLEN, &b), LTY_OK);
    unsigned char *at = NULL;
    for (size_t i = 0; i + 4 <= b.len && !at; i++)
        if (memcmp(b.data + i, "(\xea\xb4\x91", 4) == 0)
            at = b.data + i;
    ck_assert_ptr_nonnull(at);
    *at = '[';
    put_raw(POLICY_KEY, POLICY_KEYLEN, b.data, b.len);
    ck_assert_int_eq(policy_rc(t.e), LTY_ECORRUPT);
    lty__buf_release(&b);

    /* every call that needs the policy reports it */
    ck_assert_int_eq(lty_template_set(t.e, "t", LTY_CHANNEL_SMS, "", "x"),
                     LTY_ECORRUPT);
    lty_assert_err_mentions(t.e, "messaging policy record: malformed");
    /* and configuring over it repairs the store */
    configure_ok(t.e, &o);
    ck_assert_int_eq(policy_rc(t.e), LTY_OK);
    put_raw(POLICY_KEY, POLICY_KEYLEN, "\x0e\x02", 2);
    ck_assert_int_eq(lty_template_set(t.e, "t", LTY_CHANNEL_SMS, "", "x"),
                     LTY_EVERSION);
    lty_assert_err_mentions(t.e, "newer library version");
}
END_TEST

START_TEST(truncated_and_flipped_policies_never_crash)
{
    lty_messaging_options o = korea();
    configure_ok(t.e, &o);
    lty_buf good, r;
    lty__buf_init(&good, &t.e->alloc);
    lty__buf_init(&r, &t.e->alloc);
    ck_assert_int_eq(get_raw(POLICY_KEY, POLICY_KEYLEN, &good), LTY_OK);
    for (size_t len = 0; len < good.len; len++) {
        put_raw(POLICY_KEY, POLICY_KEYLEN, good.data, len);
        int rc = policy_rc(t.e);
        ck_assert_msg(rc == LTY_ECORRUPT, "prefix %zu: %s", len,
                      lty_strerror(rc));
    }
    for (size_t i = 0; i < good.len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            ck_assert_int_eq(lty_buf_set(&r, good.data, good.len), LTY_OK);
            r.data[i] ^= (unsigned char)(1u << bit);
            put_raw(POLICY_KEY, POLICY_KEYLEN, r.data, r.len);
            int rc = policy_rc(t.e);
            ck_assert_msg(rc == LTY_OK || rc == LTY_ECORRUPT ||
                              rc == LTY_EVERSION,
                          "byte %zu bit %d: %s", i, bit, lty_strerror(rc));
        }
    }
    put_raw(POLICY_KEY, POLICY_KEYLEN, good.data, good.len);
    ck_assert_int_eq(policy_rc(t.e), LTY_OK);
    lty__buf_release(&good);
    lty__buf_release(&r);
}
END_TEST

START_TEST(corrupt_template_records_are_ecorrupt)
{
    char k[300];
    size_t kn = tkey(k, "t", LTY_CHANNEL_SMS, "");
    char *got;
    set_ok(t.e, "t", LTY_CHANNEL_SMS, "", "hello {name}");
    static const struct {
        const char *v;
        size_t n;
        int rc;
    } raw[] = {
        {"\x0f\x01\x0a\x05hello", 9, LTY_OK},
        {"\x0f\x01\x0a\x05hello\x10\x01", 11, LTY_OK}, /* a later field */
        {"", 0, LTY_ECORRUPT},
        {"\x0f\x01", 2, LTY_ECORRUPT},                   /* no text */
        {"\x0f\x01\x0a\x00", 4, LTY_ECORRUPT},           /* empty text */
        {"\x0f\x01\x0a\x05{xyz}", 9, LTY_ECORRUPT},      /* unknown name */
        {"\x0f\x01\x0a\x05hel{o", 9, LTY_ECORRUPT},      /* unclosed */
        {"\x0f\x01\x0a\x02\xff\xfe", 6, LTY_ECORRUPT},   /* not UTF-8 */
        {"\x0f\x01\x0a\x02\x01x", 6, LTY_ECORRUPT},      /* control */
        {"\x0f\x01\x0a\x09hel", 7, LTY_ECORRUPT},        /* truncated */
        {"\x0f\x01\x0a\x01x\x0a\x01y", 8, LTY_ECORRUPT}, /* two texts */
        {"\x0f\x01\x08\x01", 4, LTY_ECORRUPT},           /* text as a number */
        {"\x0e\x01\x0a\x01x", 5, LTY_ECORRUPT},          /* the policy's kind */
        {"\x0f\x02\x0a\x01x", 5, LTY_EVERSION},
    };
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        put_raw(k, kn, raw[i].v, raw[i].n);
        int rc = render(t.e, "t", LTY_CHANNEL_SMS, "",
                        LTY_PURPOSE_TRANSACTIONAL, NULL, 0, &got);
        ck_assert_msg(rc == raw[i].rc, "raw %zu: %s (%s)", i, lty_strerror(rc),
                      lty_engine_last_error(t.e));
        if (rc == LTY_OK) {
            ck_assert_str_eq(got, "hello");
            free(got);
        } else if (rc == LTY_ECORRUPT) {
            lty_assert_err_mentions(t.e, "template record: malformed");
        }
    }
    /* a corrupt template can be replaced or removed */
    set_ok(t.e, "t", LTY_CHANNEL_SMS, "", "fixed");
    render_is(t.e, "t", LTY_CHANNEL_SMS, "", LTY_PURPOSE_TRANSACTIONAL, NULL,
              0, "fixed");
    put_raw(k, kn, "\x0f\x01", 2);
    ck_assert_int_eq(lty_template_remove(t.e, "t", LTY_CHANNEL_SMS, ""), LTY_OK);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Storage failures                                                    */
/* ------------------------------------------------------------------ */

static void fseed(lty_test_fault_world *w, void *ud)
{
    (void)ud;
    lty_messaging_options k = korea();
    configure_ok(w->e, &k);
    set_ok(w->e, "birthday", LTY_CHANNEL_SMS, "", "{name}님 생일 축하드립니다");
    set_ok(w->e, "birthday", LTY_CHANNEL_SMS, "ko", "{name}님!");
}

static void fworld_open(lty_test_fault_world *w)
{
    lty_test_fault_world_open(w, LTY_TEST_NOW, fseed, NULL);
}

static int f_configure(lty_engine *e)
{
    lty_messaging_options o = korea();
    o.cap_messages = 2;
    o.sender_name = "행복치과 강남점";
    return lty_messaging_configure(e, &o);
}

static int f_configure_first(lty_engine *e)
{
    /* the first policy of a store (the seed's is removed first, below) */
    lty_messaging_options o = LTY_MESSAGING_OPTIONS_INIT;
    o.quiet_start = o.quiet_end;
    return lty_messaging_configure(e, &o);
}

static int f_template_replace(lty_engine *e)
{
    return lty_template_set(e, "birthday", LTY_CHANNEL_SMS, "",
                            "{name}님, 생일 쿠폰 {code}");
}

static int f_template_new(lty_engine *e)
{
    return lty_template_set(e, "recall", LTY_CHANNEL_KAKAO, "ko-KR",
                            "{name}님, {item} 시기입니다 {{예약}}");
}

static int f_template_remove(lty_engine *e)
{
    return lty_template_remove(e, "birthday", LTY_CHANNEL_SMS, "ko");
}

typedef struct fcall {
    const char *name;
    int (*call)(lty_engine *e);
    int first; /* run on a store without a policy */
} fcall;

static const fcall fcalls[] = {
    {"configure", f_configure, 0},
    {"configure first", f_configure_first, 1},
    {"template replace", f_template_replace, 0},
    {"template new", f_template_new, 0},
    {"template new, no policy", f_template_new, 1},
    {"template remove", f_template_remove, 0},
};

static void fworld_prepare(lty_test_fault_world *w, void *ctx)
{
    const fcall *c = ctx;
    fworld_open(w);
    if (c->first) {
        /* take the seed's policy away, behind the engine's back */
        ck_assert_int_eq(w->inner.begin(w->inner_ud), LTY_OK);
        ck_assert_int_eq(w->inner.del("M\0messaging", 11, LTY_REV_ANY,
                                      w->inner_ud), LTY_OK);
        ck_assert_int_eq(w->inner.commit(w->inner_ud), LTY_OK);
    }
}

static void sweep(int i, unsigned flags)
{
    lty_test_fault_spec spec = {
        .name = fcalls[i].name, .call = fcalls[i].call, .flags = flags,
        .min_calls = 1, .open = fworld_prepare, .ctx = (void *)&fcalls[i]};
    lty_test_fault_sweep(&spec);
}

START_TEST(every_storage_failure_leaves_the_store_unchanged)
{
    sweep(_i, LTY_TEST_FAULT_STORAGE);
}
END_TEST

START_TEST(every_conflict_is_retried_transparently)
{
    sweep(_i, LTY_TEST_FAULT_CONFLICT);
}
END_TEST

START_TEST(a_failed_policy_read_fails_the_render)
{
    lty_test_fault_world w;
    fworld_open(&w);
    const lty__messaging *m;
    lty_faulty_fail_at(w.faulty, 1, LTY_ESTORAGE);
    ck_assert_int_eq(lty__messaging_current(w.e, &m), LTY_ESTORAGE);
    /* the template read */
    ck_assert_int_eq(lty__messaging_current(w.e, &m), LTY_OK);
    lty_buf out;
    lty__buf_init(&out, &w.e->alloc);
    lty_faulty_fail_at(w.faulty, 1, LTY_ESTORAGE);
    ck_assert_int_eq(lty__render(w.e, m, "birthday", LTY_CHANNEL_SMS, "ko",
                                 LTY_PURPOSE_TRANSACTIONAL, NULL, 0, &out),
                     LTY_ESTORAGE);
    /* a NULL policy means the current one */
    static const lty_param p[] = {{"name", "Kim"}};
    ck_assert_int_eq(lty__render(w.e, NULL, "birthday", LTY_CHANNEL_SMS, "ko",
                                 LTY_PURPOSE_MARKETING, p, 1, &out),
                     LTY_OK);
    ck_assert_str_eq((const char *)out.data,
                     "(광고) 행복치과 02-123-4567\nKim님!\n무료수신거부 080-123-4567");
    lty__buf_release(&out);
    lty_test_fault_world_close(&w);
}
END_TEST

static Suite *template_suite(void)
{
    Suite *s = suite_create("template");
    TCase *tc = tcase_create("policy");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults_are_the_initialiser);
    tcase_add_test(tc, the_policy_is_stored_and_read_back);
    tcase_add_loop_test(tc, bad_policies_are_refused_naming_the_field, 0,
                        (int)(sizeof bad_policies / sizeof bad_policies[0]));
    tcase_add_test(tc, null_arguments_are_refused);
    tcase_add_test(tc, a_second_engine_sees_a_new_policy);
    tcase_add_test(tc, corrupt_policy_records_are_ecorrupt);
    tcase_add_test(tc, truncated_and_flipped_policies_never_crash);
    suite_add_tcase(s, tc);

    tc = tcase_create("templates");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, placeholders_are_exactly_the_documented_list);
    tcase_add_test(tc, set_replace_and_remove);
    tcase_add_test(tc, bad_templates_are_refused);
    tcase_add_test(tc, literal_braces);
    tcase_add_test(tc, too_long_for_the_channel);
    tcase_add_test(tc, locale_fallback);
    tcase_add_test(tc, rendering_with_params_and_the_korean_frame);
    tcase_add_test(tc, a_missing_param_renders_empty);
    tcase_add_test(tc, no_template_for_the_channel_is_enotfound);
    tcase_add_test(tc, params_that_make_it_too_long_are_erange);
    tcase_add_test(tc, corrupt_template_records_are_ecorrupt);
    suite_add_tcase(s, tc);

    tc = tcase_create("faults");
    tcase_add_loop_test(tc, every_storage_failure_leaves_the_store_unchanged, 0,
                        (int)(sizeof fcalls / sizeof fcalls[0]));
    tcase_add_loop_test(tc, every_conflict_is_retried_transparently, 0,
                        (int)(sizeof fcalls / sizeof fcalls[0]));
    tcase_add_test(tc, a_failed_policy_read_fails_the_render);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(template_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
