/*
 * loyalty customer - show, find, add, change and erase customers.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "output.h"
#include "values.h"

#define HISTORY_SHOWN 20
#define APPOINTMENTS_SHOWN 20

static const char help_show[] =
    "usage: loyalty customer show ID [--history N]\n"
    "The profile, aggregates, standing in every program, upcoming and past\n"
    "appointments and the latest events (20, or N up to 1000) of a customer.\n"
    "Exit code 3 when there is no such customer.\n";
static const char help_find[] =
    "usage: loyalty customer find (--phone PHONE | --email ADDRESS)\n"
    "Find the customer a phone number (any notation: 010-1234-5678,\n"
    "+82 10 1234 5678) or an e-mail address belongs to.  Exit code 3 when\n"
    "nobody has it.\n";
static const char help_add[] =
    "usage: loyalty customer add ID [--name NAME] [--phone PHONE] [--email ADDR]\n"
    "                              [--birthday YYYY-MM-DD|MM-DD] [--channel CH]\n"
    "Create a customer with the host system's ID (chart or member number).\n"
    "  --channel CH   preferred channel: sms, email, kakao, push\n"
    "Exit code 1 when the ID, phone or e-mail is taken.\n";
static const char help_set[] =
    "usage: loyalty customer set ID [--name N] [--phone P] [--email E]\n"
    "         [--birthday D] [--channel CH] [--pref KEY=VALUE] [--note KEY=VALUE]\n"
    "         [--unpref KEY] [--unnote KEY] [--tag TAG] [--untag TAG]\n"
    "         [--anniversary LABEL=DATE] [--consent CH:PURPOSE=yes|no]\n"
    "Change a customer.  The profile fields change together; then each\n"
    "preference, note, tag, anniversary and consent is its own change, in the\n"
    "order given, stopping at the first that fails (the message says which,\n"
    "and the ones before it are kept).\n"
    "  PURPOSE   marketing or night (night-time marketing)\n";
static const char help_erase[] =
    "usage: loyalty customer erase ID --yes\n"
    "Erase a customer's personal data (the right to be forgotten): name,\n"
    "phone, e-mail, birthday, notes, preferences, tags and consents.  The\n"
    "ledger stays for statistics under an anonymous id.  --yes is required.\n";

/* ---------------------------------------------------------------- */

static int put_programs(cli_ctx *ctx, cli_doc *d, const char *id)
{
    char ids[LTY_PROGRAMS_MAX][LTY_ID_MAX + 1];
    size_t n;
    int rc = lty_program_list(ctx->engine, ids, LTY_PROGRAMS_MAX, &n);
    if (rc)
        return cli_fail(ctx, "customer show: programs", rc);
    cli_table *t = cli_doc_table(d, "programs", "Programs");
    cli_col(t, "program", "PROGRAM", 0);
    cli_col(t, "title", "TITLE/TIER", 0);
    cli_col(t, "next", "NEXT", 0);
    cli_col(t, "to_next", "TO NEXT", 1);
    cli_col(t, "balance", "BALANCE", 1);
    for (size_t i = 0; i < n && i < LTY_PROGRAMS_MAX; i++) {
        lty_program_status st = LTY_PROGRAM_STATUS_INIT;
        if ((rc = lty_program_status_get(ctx->engine, id, ids[i], &st)))
            return cli_fail(ctx, "customer show: program status", rc);
        if (st.kind == LTY_PROGRAM_DRAW)
            continue;
        cli_cell_text(t, ids[i]);
        cli_cell_text(t, st.title[0] ? st.title : NULL);
        cli_cell_text(t, st.next_title[0] ? st.next_title : NULL);
        cli_cell_int(t, st.to_next);
        cli_cell_int(t, st.balance);
    }
    return 0;
}

static const char *event_kind(lty_event_type t)
{
    switch (t) {
    case LTY_EVENT_VISIT: return "visit";
    case LTY_EVENT_PURCHASE: return "purchase";
    case LTY_EVENT_REFUND: return "refund";
    case LTY_EVENT_FEEDBACK: return "feedback";
    }
    return "?";
}

static int put_history(cli_ctx *ctx, cli_doc *d, const char *id, size_t limit)
{
    lty_history *h = NULL;
    int rc = lty_history_list(ctx->engine, id, NULL, limit, &h);
    if (rc)
        return cli_fail(ctx, "customer show: history", rc);
    cli_table *t = cli_doc_table(d, "history", "Latest events");
    cli_col(t, "time", "TIME", 0);
    cli_col(t, "type", "TYPE", 0);
    cli_col(t, "event_id", "EVENT", 0);
    cli_col(t, "amount", "AMOUNT", 1);
    cli_col(t, "item", "ITEM", 0);
    cli_col(t, "score", "SCORE", 1);
    for (size_t i = 0; i < lty_history_count(h); i++) {
        lty_event ev = LTY_EVENT_INIT;
        if (lty_history_get(h, i, &ev))
            continue;
        cli_cell_time(t, ev.time);
        cli_cell_text(t, event_kind(ev.type));
        cli_cell_text(t, ev.id);
        cli_cell_money(t, ev.amount);
        cli_cell_text(t, ev.type == LTY_EVENT_REFUND ? ev.refund_of : ev.item);
        if (ev.type == LTY_EVENT_FEEDBACK)
            cli_cell_int(t, ev.score);
        else
            cli_cell_text(t, NULL);
    }
    lty_history_free(h);
    return 0;
}

static int put_appointments(cli_ctx *ctx, cli_doc *d, const char *id)
{
    lty_appointment ap[APPOINTMENTS_SHOWN];
    size_t n;
    for (size_t i = 0; i < APPOINTMENTS_SHOWN; i++)
        ap[i].version = LTY_APPOINTMENT_VERSION;
    /* the latest ones: list once for the count, then read the tail */
    int rc = lty_appointment_list(ctx->engine, id, ap, APPOINTMENTS_SHOWN, &n);
    if (rc)
        return cli_fail(ctx, "customer show: appointments", rc);
    cli_table *t = cli_doc_table(d, "appointments", "Appointments");
    cli_col(t, "id", "APPOINTMENT", 0);
    cli_col(t, "start", "START", 0);
    cli_col(t, "state", "STATE", 0);
    cli_col(t, "item", "ITEM", 0);
    cli_col(t, "staff", "STAFF", 0);
    if (n > APPOINTMENTS_SHOWN) {
        lty_appointment *all = calloc(n, sizeof *all);
        if (!all) {
            cli_errorf("out of memory");
            return CLI_EXIT_ERROR;
        }
        for (size_t i = 0; i < n; i++)
            all[i].version = LTY_APPOINTMENT_VERSION;
        size_t m;
        if ((rc = lty_appointment_list(ctx->engine, id, all, n, &m))) {
            free(all);
            return cli_fail(ctx, "customer show: appointments", rc);
        }
        if (m > n)
            m = n;
        memcpy(ap, all + (m - APPOINTMENTS_SHOWN), sizeof ap);
        free(all);
        n = APPOINTMENTS_SHOWN;
    }
    for (size_t i = 0; i < n; i++) {
        cli_cell_text(t, ap[i].id);
        cli_cell_time(t, ap[i].start);
        cli_cell_text(t, cli_appointment_state_name(ap[i].state));
        cli_cell_text(t, ap[i].item[0] ? ap[i].item : NULL);
        cli_cell_text(t, ap[i].staff[0] ? ap[i].staff : NULL);
    }
    return 0;
}

/* The profile record of a customer snapshot. */
static void put_profile(cli_ctx *ctx, cli_table *t, const lty_customer *c)
{
    lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
    lty_date bd;
    char buf[LTY_TEXT_MAX + LTY_LABEL_MAX + 8];
    cli_field_text(t, "id", "id", lty_customer_id(c));
    cli_field_text(t, "name", "name", lty_customer_name(c));
    cli_field_text(t, "phone", "phone", lty_customer_phone(c));
    cli_field_text(t, "email", "e-mail", lty_customer_email(c));
    cli_field_date(t, "birthday", "birthday",
                   lty_customer_birthday(c, &bd) == LTY_OK ? &bd : NULL);
    lty_channel ch = lty_customer_preferred_channel(c);
    cli_field_text(t, "channel", "channel", ch ? cli_channel_name(ch) : NULL);
    cli_field_time(t, "created", "created", lty_customer_created(c));
    lty_customer_stats_get(c, &st);
    cli_field_int(t, "visits", "visits", st.visits);
    cli_field_int(t, "purchases", "purchases", st.purchases);
    cli_field_money(t, "net_spend", "net spend", st.net_spend);
    cli_field_int(t, "refunds", "refunds", st.refunds);
    cli_field_time(t, "first_visit", "first visit", st.first_visit);
    cli_field_time(t, "last_visit", "last visit", st.last_visit);
    cli_field_text(t, "last_item", "last item", st.last_item);
    /* lists become one field each: "key=value; key=value" */
    size_t n = lty_customer_tag_count(c);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, sizeof buf - len, "%s%s", i ? ", " : "",
                 lty_customer_tag_at(c, i));
    }
    cli_field_text(t, "tags", "tags", n ? buf : NULL);
    (void)ctx;
}

/* Preferences, notes, anniversaries and consents: one row each. */
static void put_attributes(cli_ctx *ctx, cli_doc *d, const lty_customer *c)
{
    cli_table *t = cli_doc_table(d, "attributes", "Preferences, notes, anniversaries, consents");
    char when[40], val[64];
    cli_col(t, "kind", "KIND", 0);
    cli_col(t, "key", "KEY", 0);
    cli_col(t, "value", "VALUE", 0);
    for (size_t i = 0; i < lty_customer_preference_count(c); i++) {
        const char *k, *v;
        if (lty_customer_preference_at(c, i, &k, &v) == LTY_OK) {
            cli_cell_text(t, "preference");
            cli_cell_text(t, k);
            cli_cell_text(t, v);
        }
    }
    for (size_t i = 0; i < lty_customer_note_count(c); i++) {
        const char *k, *v;
        if (lty_customer_note_at(c, i, &k, &v) == LTY_OK) {
            cli_cell_text(t, "note");
            cli_cell_text(t, k);
            cli_cell_text(t, v);
        }
    }
    for (size_t i = 0; i < lty_customer_anniversary_count(c); i++) {
        const char *k;
        lty_date dt;
        if (lty_customer_anniversary_at(c, i, &k, &dt) == LTY_OK) {
            cli_fmt_date(&dt, val, sizeof val);
            cli_cell_text(t, "anniversary");
            cli_cell_text(t, k);
            cli_cell_text(t, val);
        }
    }
    for (int ch = LTY_CHANNEL_SMS; ch <= LTY_CHANNEL_PUSH; ch++)
        for (int p = LTY_PURPOSE_MARKETING; p <= LTY_PURPOSE_NIGHT_MARKETING; p++) {
            int granted;
            int64_t since;
            if (lty_customer_consent(c, (lty_channel)ch, (lty_purpose)p, &granted,
                                     &since) != LTY_OK)
                continue;
            cli_fmt_time_iso(ctx, since, when, sizeof when);
            snprintf(val, sizeof val, "%s:%s", cli_channel_name((lty_channel)ch),
                     p == LTY_PURPOSE_MARKETING ? "marketing" : "night");
            cli_cell_text(t, "consent");
            cli_cell_text(t, val);
            snprintf(val, sizeof val, "%s since %s", granted ? "yes" : "no", when);
            cli_cell_text(t, val);
        }
}

static const cli_opt show_spec[] = {{"history", 1}, {NULL, 0}};

static int customer_show(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int64_t limit = HISTORY_SHOWN;
    int rc = cli_begin(ctx, &a, show_spec, argc, argv, "customer show",
                       help_show, 1, 1, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if (cli_arg(&a, "history") &&
        cli_parse_int("--history", cli_arg(&a, "history"), 1, 1000, &limit))
        return CLI_EXIT_USAGE;
    if ((rc = cli_store_open(ctx)))
        return rc;
    lty_customer *c = NULL;
    if ((rc = lty_customer_get(ctx->engine, a.pos[0], &c)))
        return cli_fail(ctx, "customer show", rc);
    cli_doc *d = cli_doc_new(ctx);
    if (!d) {
        lty_customer_free(c);
        return cli_doc_finish(d);
    }
    put_profile(ctx, cli_doc_record(d, "customer", "Customer"), c);
    put_attributes(ctx, d, c);
    lty_customer_free(c);
    if ((rc = put_programs(ctx, d, a.pos[0])) ||
        (rc = put_appointments(ctx, d, a.pos[0])) ||
        (rc = put_history(ctx, d, a.pos[0], (size_t)limit))) {
        cli_doc_free(d);
        return rc;
    }
    return cli_doc_finish(d);
}

static const cli_opt find_spec[] = {{"phone", 1}, {"email", 1}, {NULL, 0}};

static int customer_find(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_begin(ctx, &a, find_spec, argc, argv, "customer find",
                       help_find, 0, 0, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    const char *phone = cli_arg(&a, "phone"), *email = cli_arg(&a, "email");
    if (!phone == !email) {
        cli_errorf("customer find: give one of --phone or --email");
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_store_open(ctx)))
        return rc;
    lty_customer *c = NULL;
    rc = phone ? lty_customer_find_by_phone(ctx->engine, phone, &c)
               : lty_customer_find_by_email(ctx->engine, email, &c);
    if (rc == LTY_ENOTFOUND) {
        cli_errorf("customer find: no customer has this %s",
                   phone ? "phone number" : "e-mail address");
        return CLI_EXIT_NOTFOUND;
    }
    if (rc)
        return cli_fail(ctx, "customer find", rc);
    cli_doc *d = cli_doc_new(ctx);
    if (d)
        put_profile(ctx, cli_doc_record(d, "customer", NULL), c);
    lty_customer_free(c);
    return cli_doc_finish(d);
}

static const cli_opt fields_spec[] = {
    {"name", 1}, {"phone", 1}, {"email", 1}, {"birthday", 1}, {"channel", 1},
    {"pref", 1}, {"note", 1}, {"unpref", 1}, {"unnote", 1}, {"tag", 1},
    {"untag", 1}, {"anniversary", 1}, {"consent", 1}, {NULL, 0}};

/* The scalar fields of the command line into f (their bits in f->set). */
static int read_fields(cli_ctx *ctx, const cli_args *a, lty_customer_fields *f)
{
    const char *v;
    if ((v = cli_arg(a, "name"))) {
        f->set |= LTY_FIELD_NAME;
        f->name = v;
    }
    if ((v = cli_arg(a, "phone"))) {
        f->set |= LTY_FIELD_PHONE;
        f->phone = v;
    }
    if ((v = cli_arg(a, "email"))) {
        f->set |= LTY_FIELD_EMAIL;
        f->email = v;
    }
    if ((v = cli_arg(a, "birthday"))) {
        f->set |= LTY_FIELD_BIRTHDAY;
        if (*v && cli_parse_date(ctx, "--birthday", v, 1, &f->birthday))
            return CLI_EXIT_USAGE;
    }
    if ((v = cli_arg(a, "channel"))) {
        f->set |= LTY_FIELD_PREFERRED_CHANNEL;
        if (cli_parse_channel("--channel", v, 1, &f->preferred_channel))
            return CLI_EXIT_USAGE;
        if (f->preferred_channel == LTY_CHANNEL_STAFF) {
            cli_errorf("--channel: staff is not a customer's channel");
            return CLI_EXIT_USAGE;
        }
    }
    return 0;
}

static int customer_add(cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt spec[] = {{"name", 1}, {"phone", 1}, {"email", 1},
                                   {"birthday", 1}, {"channel", 1}, {NULL, 0}};
    cli_args a;
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "customer add", help_add, 1, 1, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    f.id = a.pos[0];
    if ((rc = read_fields(ctx, &a, &f)) || (rc = cli_store_open(ctx)))
        return rc;
    if ((rc = lty_customer_create(ctx->engine, &f)))
        return cli_fail(ctx, "customer add", rc);
    lty_customer *c = NULL;
    if ((rc = lty_customer_get(ctx->engine, f.id, &c)))
        return cli_fail(ctx, "customer add", rc);
    cli_doc *d = cli_doc_new(ctx);
    if (d)
        put_profile(ctx, cli_doc_record(d, "customer", NULL), c);
    lty_customer_free(c);
    return cli_doc_finish(d);
}

/* "KEY=VALUE" split at the first '='. */
static int split_kv(const char *opt, const char *text, char *key, size_t keysize,
                    const char **value)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text || (size_t)(eq - text) >= keysize) {
        cli_errorf("%s: '%s' is not KEY=VALUE", opt, text);
        return CLI_EXIT_USAGE;
    }
    memcpy(key, text, (size_t)(eq - text));
    key[eq - text] = '\0';
    *value = eq + 1;
    return 0;
}

/* One list change of `customer set`, in command-line order. */
static int apply_change(cli_ctx *ctx, const char *id, const char *opt,
                        const char *v)
{
    char key[LTY_TEXT_MAX + 1];
    const char *val;
    lty_engine *e = ctx->engine;
    if (!strcmp(opt, "pref") || !strcmp(opt, "note")) {
        if (split_kv(opt, v, key, sizeof key, &val))
            return CLI_EXIT_USAGE;
        return !strcmp(opt, "pref") ? lty_customer_set_preference(e, id, key, val)
                                    : lty_customer_set_note(e, id, key, val);
    }
    if (!strcmp(opt, "unpref"))
        return lty_customer_set_preference(e, id, v, NULL);
    if (!strcmp(opt, "unnote"))
        return lty_customer_set_note(e, id, v, NULL);
    if (!strcmp(opt, "tag"))
        return lty_customer_add_tag(e, id, v);
    if (!strcmp(opt, "untag"))
        return lty_customer_remove_tag(e, id, v);
    if (!strcmp(opt, "anniversary")) {
        lty_date dt;
        if (split_kv(opt, v, key, sizeof key, &val))
            return CLI_EXIT_USAGE;
        if (!*val)
            return lty_customer_set_anniversary(e, id, key, NULL);
        if (cli_parse_date(ctx, "--anniversary", val, 1, &dt))
            return CLI_EXIT_USAGE;
        return lty_customer_set_anniversary(e, id, key, &dt);
    }
    if (!strcmp(opt, "consent")) {
        /* CH:PURPOSE=yes|no */
        char chname[16];
        const char *colon = strchr(v, ':'), *eq = strchr(v, '=');
        lty_channel ch;
        if (!colon || !eq || colon > eq || (size_t)(colon - v) >= sizeof chname ||
            (strcmp(eq + 1, "yes") && strcmp(eq + 1, "no"))) {
            cli_errorf("--consent: '%s' is not CHANNEL:PURPOSE=yes|no", v);
            return CLI_EXIT_USAGE;
        }
        memcpy(chname, v, (size_t)(colon - v));
        chname[colon - v] = '\0';
        if (cli_parse_channel("--consent", chname, 0, &ch))
            return CLI_EXIT_USAGE;
        size_t plen = (size_t)(eq - colon - 1);
        lty_purpose p;
        if (plen == 9 && !strncmp(colon + 1, "marketing", 9))
            p = LTY_PURPOSE_MARKETING;
        else if (plen == 5 && !strncmp(colon + 1, "night", 5))
            p = LTY_PURPOSE_NIGHT_MARKETING;
        else {
            cli_errorf("--consent: the purpose is marketing or night");
            return CLI_EXIT_USAGE;
        }
        return lty_customer_set_consent(e, id, ch, p, !strcmp(eq + 1, "yes"));
    }
    return LTY_OK; /* a scalar field, applied before */
}

static int customer_set(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    int rc = cli_begin(ctx, &a, fields_spec, argc, argv, "customer set",
                       help_set, 1, 1, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    f.id = a.pos[0];
    if ((rc = read_fields(ctx, &a, &f)))
        return rc;
    if (!a.nitems) {
        cli_errorf("customer set: nothing to change (see --help)");
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_store_open(ctx)))
        return rc;
    if (f.set && (rc = lty_customer_update(ctx->engine, &f)))
        return cli_fail(ctx, "customer set", rc);
    for (size_t i = 0; i < a.nitems; i++) {
        const char *opt = a.spec[a.item[i].opt].name;
        rc = apply_change(ctx, f.id, opt, a.item[i].value);
        if (rc == CLI_EXIT_USAGE)
            return rc;
        if (rc) {
            char what[64];
            snprintf(what, sizeof what, "customer set: --%s (change %zu)", opt, i + 1);
            return cli_fail(ctx, what, rc);
        }
    }
    lty_customer *c = NULL;
    if ((rc = lty_customer_get(ctx->engine, f.id, &c)))
        return cli_fail(ctx, "customer set", rc);
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        put_profile(ctx, cli_doc_record(d, "customer", "Customer"), c);
        put_attributes(ctx, d, c);
    }
    lty_customer_free(c);
    return cli_doc_finish(d);
}

static int customer_erase(cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt spec[] = {{"yes", 0}, {NULL, 0}};
    cli_args a;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "customer erase", help_erase,
                       1, 1, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if (!cli_arg_has(&a, "yes")) {
        cli_errorf("customer erase: erasing cannot be undone; add --yes");
        return CLI_EXIT_USAGE;
    }
    if ((rc = cli_store_open(ctx)))
        return rc;
    if ((rc = lty_customer_erase(ctx->engine, a.pos[0])))
        return cli_fail(ctx, "customer erase", rc);
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_record(d, "erased", NULL);
        cli_field_text(t, "id", "erased", a.pos[0]);
    }
    return cli_doc_finish(d);
}

static const cli_sub subs[] = {
    {"show", customer_show, "show ID [--history N]"},
    {"find", customer_find, "find (--phone PHONE | --email ADDRESS)"},
    {"add", customer_add, "add ID [--name N] [--phone P] [--email E] [--birthday D] [--channel CH]"},
    {"set", customer_set, "set ID [fields] [--pref K=V] [--note K=V] [--tag T] [--consent CH:PURPOSE=yes|no] ..."},
    {"erase", customer_erase, "erase ID --yes"},
    {NULL, NULL, NULL}};

int cmd_customer(cli_ctx *ctx, int argc, char **argv)
{
    return cli_dispatch(ctx, "customer", "Customer profiles.", subs, argc, argv);
}
