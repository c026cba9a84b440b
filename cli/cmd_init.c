/*
 * loyalty init - create the store, store the messaging policy and the
 * default message templates (one text per template the library plans by
 * itself, so that reminders, birthdays and win-back messages can be sent
 * from the first day; replace them with `loyalty template set`).
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "output.h"

static const char help[] =
    "usage: loyalty init [--language en|ko] [--no-templates]\n"
    "                    [--korea --sender-name NAME --sender-contact PHONE\n"
    "                     --opt-out-line TEXT]\n"
    "Create the store (the SQLite file, or the PostgreSQL tables) if it does\n"
    "not exist, and store the default message templates in English or Korean\n"
    "(again on an existing store: the defaults replace those templates).\n"
    "  --language L     en (default) or ko\n"
    "  --no-templates   leave the templates alone\n"
    "  --korea          the Korean advertising rules: label (광고), strict\n"
    "                   consent, night-time consent, at most 4 ads a week;\n"
    "                   needs the three sender options\n";

static const cli_opt spec[] = {
    {"language", 1}, {"no-templates", 0}, {"korea", 0}, {"sender-name", 1},
    {"sender-contact", 1}, {"opt-out-line", 1}, {NULL, 0}};

typedef struct tpl {
    const char *id;
    int staff;           /* for the front desk's screen only */
    const char *en, *ko;
} tpl;

/* The templates the library plans on its own (appointment.h, plan.h,
 * program.h, referral.h) and those of the campaign presets. */
static const tpl defaults[] = {
    {"appointment_reminder", 0,
     "Reminder: {name}, your appointment is on {date} at {time}.",
     "{name}님, {date} {time} 예약이 있습니다."},
    {"birthday", 0, "Happy birthday, {name}!", "{name}님, 생일을 축하드립니다!"},
    {"anniversary", 0, "Happy anniversary, {name}!",
     "{name}님, 기념일을 축하드립니다!"},
    {"winback", 0,
     "{name}, we miss you: it has been {days} days since your last visit.",
     "{name}님, 마지막 방문 후 {days}일이 지났습니다. 다시 뵙고 싶습니다."},
    {"vip", 0, "{name}, thank you for being one of our best customers.",
     "{name}님, 늘 찾아 주셔서 감사합니다."},
    {"program_notice", 0, "{name}: {tier}{points} valid until {date}.",
     "{name}님, {tier}{points} 유효 기한: {date}"},
    {LTY_REFERRAL_THANKS_TEMPLATE, 0,
     "{name}, thank you for recommending us! {reward}{stars}{points}",
     "{name}님, 소개해 주셔서 감사합니다! {reward}{stars}{points}"},
    {"program_promotion", 1, "{name} reached {title}{tier}: celebrate!",
     "{name}님 {title}{tier} 승급: 축하해 주세요!"},
};

static const lty_channel customer_channels[] = {
    LTY_CHANNEL_SMS, LTY_CHANNEL_EMAIL, LTY_CHANNEL_KAKAO, LTY_CHANNEL_PUSH};

int cli_store_create(cli_ctx *ctx);

/* Write the store's settings (lty_store_settings_set()) when it has none,
 * or when this init names any of them: the currency, the zone (a fixed
 * offset, or the machine's local zone), the country code, the language.
 * Later commands read them (store_open.c), so every program on the store
 * shows money and dates the same way. */
static int store_settings(cli_ctx *ctx)
{
    lty_store_settings s = LTY_STORE_SETTINGS_INIT;
    int rc = lty_store_settings_get(ctx->engine, &s);
    if (rc && rc != LTY_ENOTFOUND)
        return cli_fail(ctx, "init: store settings", rc);
    if (rc == LTY_OK && !ctx->currency_given && !ctx->zone_given &&
        !ctx->country_given && !ctx->language_given)
        return CLI_EXIT_OK;
    memset(s.currency, 0, sizeof s.currency);
    memcpy(s.currency, ctx->currency, strlen(ctx->currency) < 3 ? strlen(ctx->currency) : 3);
    s.currency_exponent = ctx->currency_exponent;
    s.zone_local = !ctx->utc_offset_set;
    s.utc_offset_minutes = ctx->utc_offset_set ? ctx->utc_offset : 0;
    s.country_code = ctx->country_code;
    snprintf(s.locale, sizeof s.locale, "%s", ctx->language ? ctx->language : "en");
    if ((rc = lty_store_settings_set(ctx->engine, &s)))
        return cli_fail(ctx, "init: store settings", rc);
    return CLI_EXIT_OK;
}

int cmd_init(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    ctx->creating = 1;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "init", help, 0, 0, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    const char *lang = cli_arg(&a, "language");
    if (lang && strcmp(lang, "en") && strcmp(lang, "ko")) {
        cli_errorf("init: --language: '%s' is not en or ko", lang);
        return CLI_EXIT_USAGE;
    }
    if (lang) {
        ctx->language = lang;
        ctx->language_given = 1;
    }
    int korea = cli_arg_has(&a, "korea");
    if (korea && (!cli_arg(&a, "sender-name") || !cli_arg(&a, "sender-contact") ||
                  !cli_arg(&a, "opt-out-line"))) {
        cli_errorf("init: --korea needs --sender-name, --sender-contact and "
                   "--opt-out-line (the law requires them in every advertisement)");
        return CLI_EXIT_USAGE;
    }
    if (!korea && (cli_arg(&a, "sender-name") || cli_arg(&a, "sender-contact") ||
                   cli_arg(&a, "opt-out-line"))) {
        cli_errorf("init: the sender options go with --korea");
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_store_create(ctx)))
        return rc;
    lty_engine *e = ctx->engine;
    /* the language: given, else the store's, else English */
    int korean = ctx->language && !strncmp(ctx->language, "ko", 2);
    if ((rc = store_settings(ctx)))
        return rc;
    size_t templates = 0;
    if (!cli_arg_has(&a, "no-templates"))
        for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
            const tpl *t = &defaults[i];
            const char *text = korean ? t->ko : t->en;
            size_t nch = t->staff ? 1 : 4;
            for (size_t c = 0; c < nch; c++) {
                lty_channel ch = t->staff ? LTY_CHANNEL_STAFF : customer_channels[c];
                if ((rc = lty_template_set(e, t->id, ch, "", text)))
                    return cli_fail(ctx, "init: template", rc);
                templates++;
            }
        }
    if (korea) {
        lty_messaging_options mo = LTY_MESSAGING_OPTIONS_KOREA;
        mo.sender_name = cli_arg(&a, "sender-name");
        mo.sender_contact = cli_arg(&a, "sender-contact");
        mo.opt_out_line = cli_arg(&a, "opt-out-line");
        if ((rc = lty_messaging_configure(e, &mo)))
            return cli_fail(ctx, "init: messaging policy", rc);
    }
    cli_doc *d = cli_doc_new(ctx);
    if (!d)
        return cli_doc_finish(d);
    cli_table *t = cli_doc_record(d, "store", NULL);
    cli_field_text(t, "store", "store", ctx->pg_conninfo ? "postgres" : ctx->db_path);
    cli_field_int(t, "templates", "templates stored", (int64_t)templates);
    cli_field_text(t, "policy", "messaging policy", korea ? "korea" : "unchanged");
    cli_field_text(t, "currency", "currency", ctx->currency);
    cli_field_int(t, "currency_exponent", "minor-unit digits", ctx->currency_exponent);
    cli_field_text(t, "zone", "time zone", ctx->utc_offset_set ? "fixed offset" : "local");
    cli_field_int(t, "utc_offset_minutes", "UTC offset (minutes)",
                  ctx->utc_offset_set ? ctx->utc_offset : 0);
    cli_field_int(t, "country_code", "phone country code", ctx->country_code);
    cli_field_text(t, "language", "language", ctx->language ? ctx->language : "en");
    return cli_doc_finish(d);
}
