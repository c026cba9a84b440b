/*
 * loyalty campaign - define a campaign from options or a preset (vip,
 * winback, birthday), simulate it from the store's past campaigns, launch
 * it with a control group, and measure it.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "output.h"
#include "values.h"

static const char help_define[] =
    "usage: loyalty campaign define ID [--preset vip|winback|birthday] [--lapsed-days N]\n"
    "         [--month M] [--name NAME] [--template ID] [--channel CH]\n"
    "         [--segment NAME]... [--tag TAG]... [--r-min N] [--r-max N] [--f-min N]\n"
    "         [--f-max N] [--m-min N] [--m-max N] [--days-since-min N]\n"
    "         [--days-since-max N] [--birthday-month M] [--p-alive-min P]\n"
    "         [--p-alive-max P] [--cost-per-message AMOUNT] [--offer-cost AMOUNT]\n"
    "         [--offer-value AMOUNT] [--offer-kind service|discount|cash]\n"
    "         [--max-messages N] [--max-money AMOUNT] [--control-share S]\n"
    "         [--attribution-days N] [--transactional]\n"
    "Store a campaign (again: replace its definition).  A preset sets the\n"
    "target: vip (RFM segment Champions), winback (segments At Risk and Can't\n"
    "Lose Them, or with --lapsed-days N the customers N days or more since\n"
    "their last visit), birthday (--month M).  The other options add to it.\n"
    "The template defaults to the preset's name (stored by 'loyalty init').\n"
    "RFM targets need 'loyalty rfm' to have stored scores; P(alive) targets\n"
    "need 'loyalty clv'.  Amounts are in the currency's major unit.\n";
static const char help_simulate[] =
    "usage: loyalty campaign simulate ID [--seed N]\n"
    "Who a launch now would reach (and who not, and why), and the expected\n"
    "responders, revenue, cost and ROI with a 90% interval, per RFM segment,\n"
    "from the kept measurements of the store's past campaigns on the same\n"
    "channel; the incremental figures subtract what their control groups did\n"
    "anyway (docs/guide/campaigns.md states the priors).\n";
static const char help_launch[] =
    "usage: loyalty campaign launch ID\n"
    "Launch now: assign the eligible customers to treatment or control (a\n"
    "hash of campaign and customer) and plan the treatment's messages.\n"
    "Launching again reaches only customers not yet members.\n";
static const char help_measure[] =
    "usage: loyalty campaign measure ID\n"
    "Response rates of treatment and control, uplift with a 90% interval,\n"
    "incremental revenue, cost and realised ROI, as of now: one row per RFM\n"
    "segment at launch and one for all.  The measurement is kept ('campaign\n"
    "result') and later simulations on the same channel learn from it.\n";
static const char help_result[] =
    "usage: loyalty campaign result ID\n"
    "The campaign's last kept measurement, as 'campaign measure' printed it.\n";
static const char help_list[] =
    "usage: loyalty campaign list\n"
    "Every campaign of the store: id, name, whether a measurement is kept.\n";

static const cli_opt define_spec[] = {
    {"preset", 1}, {"lapsed-days", 1}, {"month", 1}, {"name", 1}, {"template", 1},
    {"channel", 1}, {"segment", 1}, {"tag", 1}, {"r-min", 1}, {"r-max", 1},
    {"f-min", 1}, {"f-max", 1}, {"m-min", 1}, {"m-max", 1}, {"days-since-min", 1},
    {"days-since-max", 1}, {"birthday-month", 1}, {"p-alive-min", 1},
    {"p-alive-max", 1}, {"cost-per-message", 1}, {"offer-cost", 1},
    {"offer-value", 1}, {"offer-kind", 1}, {"max-messages", 1}, {"max-money", 1},
    {"control-share", 1}, {"attribution-days", 1}, {"transactional", 0},
    {NULL, 0}};

static int int_opt(const cli_args *a, const char *name, int64_t min, int64_t max,
                   int *out)
{
    const char *s = cli_arg(a, name);
    int64_t v;
    char what[40];
    if (!s)
        return 0;
    snprintf(what, sizeof what, "--%s", name);
    if (cli_parse_int(what, s, min, max, &v))
        return CLI_EXIT_USAGE;
    *out = (int)v;
    return 0;
}

static int money_opt(const cli_ctx *ctx, const cli_args *a, const char *name,
                     int64_t *out)
{
    const char *s = cli_arg(a, name);
    char what[40];
    snprintf(what, sizeof what, "--%s", name);
    return s ? cli_parse_money(ctx, what, s, out) : 0;
}

static int campaign_define(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    lty_campaign_def def = LTY_CAMPAIGN_DEF_INIT;
    const char *segs[LTY_CAMPAIGN_LIST_MAX], *tags[LTY_CAMPAIGN_LIST_MAX];
    const char *s;
    int lapsed = 0, month = 0;
    int rc = cli_begin(ctx, &a, define_spec, argc, argv, "campaign define",
                       help_define, 1, 1, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    const char *preset = cli_arg(&a, "preset");
    if (int_opt(&a, "lapsed-days", 1, 36600, &lapsed) || int_opt(&a, "month", 1, 12, &month))
        return CLI_EXIT_USAGE;
    if (preset && !strcmp(preset, "vip"))
        rc = lty_campaign_preset_vip(&def);
    else if (preset && !strcmp(preset, "winback"))
        rc = lty_campaign_preset_winback(&def, lapsed);
    else if (preset && !strcmp(preset, "birthday")) {
        if (!month) {
            cli_errorf("campaign define: the birthday preset needs --month M");
            return CLI_EXIT_USAGE;
        }
        rc = lty_campaign_preset_birthday(&def, month);
    } else if (preset) {
        cli_errorf("--preset: '%s' is not vip, winback or birthday", preset);
        return CLI_EXIT_USAGE;
    }
    if (rc) {
        cli_errorf("campaign define: the preset refused its options (%s)", lty_strerror(rc));
        return CLI_EXIT_USAGE;
    }
    if ((lapsed && (!preset || strcmp(preset, "winback"))) ||
        (month && (!preset || strcmp(preset, "birthday")))) {
        cli_errorf("campaign define: --lapsed-days goes with --preset winback, "
                   "--month with --preset birthday");
        return CLI_EXIT_USAGE;
    }
    def.id = a.pos[0];
    def.name = cli_arg(&a, "name") ? cli_arg(&a, "name") : a.pos[0];
    def.template_id = cli_arg(&a, "template") ? cli_arg(&a, "template") : preset;
    if (!def.template_id) {
        cli_errorf("campaign define: give --template ID (or a --preset)");
        return CLI_EXIT_USAGE;
    }
    if ((s = cli_arg(&a, "channel")) && cli_parse_channel("--channel", s, 1, &def.channel))
        return CLI_EXIT_USAGE;
    size_t ns = cli_arg_all(&a, "segment", segs, LTY_CAMPAIGN_LIST_MAX);
    size_t nt = cli_arg_all(&a, "tag", tags, LTY_CAMPAIGN_LIST_MAX);
    if (ns > LTY_CAMPAIGN_LIST_MAX || nt > LTY_CAMPAIGN_LIST_MAX) {
        cli_errorf("campaign define: at most %d --segment and %d --tag",
                   LTY_CAMPAIGN_LIST_MAX, LTY_CAMPAIGN_LIST_MAX);
        return CLI_EXIT_USAGE;
    }
    if (ns) {
        def.segments = segs;
        def.segment_count = ns;
    }
    if (nt) {
        def.tags = tags;
        def.tag_count = nt;
    }
    if (int_opt(&a, "r-min", 1, 9, &def.r_min) || int_opt(&a, "r-max", 1, 9, &def.r_max) ||
        int_opt(&a, "f-min", 1, 9, &def.f_min) || int_opt(&a, "f-max", 1, 9, &def.f_max) ||
        int_opt(&a, "m-min", 1, 9, &def.m_min) || int_opt(&a, "m-max", 1, 9, &def.m_max) ||
        int_opt(&a, "days-since-min", 1, 36600, &def.days_since_visit_min) ||
        int_opt(&a, "days-since-max", 1, 36600, &def.days_since_visit_max) ||
        int_opt(&a, "birthday-month", 1, 12, &def.birthday_month) ||
        int_opt(&a, "attribution-days", 1, 365, &def.attribution_days) ||
        money_opt(ctx, &a, "cost-per-message", &def.cost_per_message) ||
        money_opt(ctx, &a, "offer-cost", &def.offer_cost) ||
        money_opt(ctx, &a, "offer-value", &def.offer_value) ||
        money_opt(ctx, &a, "max-money", &def.max_money))
        return CLI_EXIT_USAGE;
    if ((s = cli_arg(&a, "max-messages")) &&
        cli_parse_int("--max-messages", s, 0, INT64_MAX, &def.max_messages))
        return CLI_EXIT_USAGE;
    if (((s = cli_arg(&a, "p-alive-min")) &&
         cli_parse_double("--p-alive-min", s, 0, 1, &def.p_alive_min)) ||
        ((s = cli_arg(&a, "p-alive-max")) &&
         cli_parse_double("--p-alive-max", s, 0, 1, &def.p_alive_max)) ||
        ((s = cli_arg(&a, "control-share")) &&
         cli_parse_double("--control-share", s, 0, 0.9, &def.control_share)))
        return CLI_EXIT_USAGE;
    if ((s = cli_arg(&a, "offer-kind"))) {
        if (!strcmp(s, "service"))
            def.offer_kind = LTY_REWARD_SERVICE;
        else if (!strcmp(s, "discount"))
            def.offer_kind = LTY_REWARD_DISCOUNT;
        else if (!strcmp(s, "cash"))
            def.offer_kind = LTY_REWARD_CASH;
        else {
            cli_errorf("--offer-kind: '%s' is not service, discount or cash", s);
            return CLI_EXIT_USAGE;
        }
    }
    if (cli_arg_has(&a, "transactional"))
        def.purpose = LTY_PURPOSE_TRANSACTIONAL;
    if ((rc = cli_store_open(ctx)))
        return rc;
    if ((rc = lty_campaign_define(ctx->engine, &def)))
        return cli_fail(ctx, "campaign define", rc);
    lty_campaign_report r = LTY_CAMPAIGN_REPORT_INIT;
    if ((rc = lty_campaign_eligibility(ctx->engine, def.id, &r)))
        return cli_fail(ctx, "campaign define", rc);
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_record(d, "campaign", NULL);
        cli_field_text(t, "id", "campaign", def.id);
        cli_field_text(t, "template_id", "template", def.template_id);
        cli_field_text(t, "channel", "channel", def.channel ? cli_channel_name(def.channel)
                                                            : "customer's");
        cli_field_int(t, "eligible_now", "eligible now", (int64_t)r.eligible);
    }
    return cli_doc_finish(d);
}

static void put_report(cli_table *t, const lty_campaign_report *r, int launch)
{
    cli_field_int(t, "customers", "customers looked at", (int64_t)r->customers);
    cli_field_int(t, "members", "already members", (int64_t)r->members);
    cli_field_int(t, "not_in_target", "not in the target", (int64_t)r->not_in_target);
    cli_field_int(t, "no_consent", "no consent", (int64_t)r->no_consent);
    cli_field_int(t, "contact_invalid", "no valid address", (int64_t)r->contact_invalid);
    cli_field_int(t, "over_budget", "over budget", (int64_t)r->over_budget);
    cli_field_int(t, "eligible", "eligible", (int64_t)r->eligible);
    cli_field_int(t, "treatment", "treatment", (int64_t)r->treatment);
    cli_field_int(t, "control", "control", (int64_t)r->control);
    if (launch)
        cli_field_int(t, "planned", "messages planned", (int64_t)r->planned);
    cli_field_money(t, "cost", "cost", r->cost);
}

static const cli_opt none[] = {{NULL, 0}};

static int64_t round_money(double v)
{
    return (int64_t)(v + (v < 0 ? -0.5 : 0.5));
}

static int campaign_simulate(cli_ctx *ctx, int argc, char **argv)
{
    static const cli_opt spec[] = {{"seed", 1}, {NULL, 0}};
    cli_args a;
    int64_t seed = 1;
    int rc = cli_begin(ctx, &a, spec, argc, argv, "campaign simulate", help_simulate, 1, 1, 1);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    if (cli_arg(&a, "seed") && cli_parse_int("--seed", cli_arg(&a, "seed"), 0, INT64_MAX, &seed))
        return CLI_EXIT_USAGE;
    if ((rc = cli_store_open(ctx)))
        return rc;
    static lty_campaign_forecast f; /* ~8 KiB: not on the stack */
    memset(&f, 0, sizeof f);
    f.version = LTY_CAMPAIGN_FORECAST_VERSION;
    f.eligibility.version = LTY_CAMPAIGN_REPORT_VERSION;
    if ((rc = lty_campaign_simulate(ctx->engine, a.pos[0], (uint64_t)seed, &f)))
        return cli_fail(ctx, "campaign simulate", rc);
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_record(d, "forecast", "Forecast");
        cli_field_bool(t, "from_history", "from past campaigns", f.from_history);
        cli_field_int(t, "history_campaigns", "past campaigns", (int64_t)f.history_campaigns);
        cli_field_double(t, "response_rate", "response rate", f.response_rate, 4);
        cli_field_double(t, "expected_responders", "expected responders", f.expected_responders, 1);
        cli_field_money(t, "spend_per_purchase", "spend per purchase",
                        (int64_t)(f.spend_per_purchase + 0.5));
        cli_field_money(t, "expected_revenue", "expected revenue",
                        (int64_t)(f.expected_revenue + 0.5));
        cli_field_money(t, "cost", "cost", (int64_t)(f.cost + 0.5));
        cli_field_double(t, "roi", "ROI", f.roi, 2);
        cli_field_double(t, "roi_low", "ROI 90% low", f.roi_low, 2);
        cli_field_double(t, "roi_high", "ROI 90% high", f.roi_high, 2);
        cli_field_double(t, "expected_incremental_responders",
                         "incremental responders", f.expected_incremental_responders, 1);
        cli_field_money(t, "expected_incremental_revenue", "incremental revenue",
                        round_money(f.expected_incremental_revenue));
        cli_field_double(t, "incremental_roi", "incremental ROI", f.incremental_roi, 2);
        cli_field_double(t, "incremental_roi_low", "incr. ROI 90% low",
                         f.incremental_roi_low, 2);
        cli_field_double(t, "incremental_roi_high", "incr. ROI 90% high",
                         f.incremental_roi_high, 2);
        cli_table *g = cli_doc_table(d, "segments", "Per segment");
        cli_col(g, "segment", "SEGMENT", 0);
        cli_col(g, "treatment", "SEND TO", CLI_RIGHT);
        cli_col(g, "response_rate", "RATE", CLI_RIGHT);
        cli_col(g, "control_rate", "CTRL RATE", CLI_RIGHT);
        cli_col(g, "expected_responders", "RESPONDERS", CLI_RIGHT);
        cli_col(g, "expected_incremental_responders", "INCREMENTAL", CLI_RIGHT);
        cli_col(g, "spend_per_purchase", "SPEND/PURCHASE", CLI_RIGHT);
        cli_col(g, "history_responders", "HIST RESP", CLI_RIGHT | CLI_MACHINE);
        cli_col(g, "history_nonresponders", "HIST NONRESP", CLI_RIGHT | CLI_MACHINE);
        for (size_t i = 0; i < f.segment_count; i++) {
            const lty_campaign_segment_forecast *x = &f.segments[i];
            cli_cell_text(g, x->segment[0] || ctx->format != CLI_FORMAT_TABLE ? x->segment : "(unscored)");
            cli_cell_int(g, (int64_t)x->treatment);
            cli_cell_double(g, x->response_rate, 4);
            cli_cell_double(g, x->control_rate, 4);
            cli_cell_double(g, x->expected_responders, 1);
            cli_cell_double(g, x->expected_incremental_responders, 1);
            cli_cell_money(g, round_money(x->spend_per_purchase));
            cli_cell_int(g, (int64_t)x->history_responders);
            cli_cell_int(g, (int64_t)x->history_nonresponders);
        }
        put_report(cli_doc_record(d, "eligibility", "Eligibility"), &f.eligibility, 0);
    }
    return cli_doc_finish(d);
}

static int campaign_launch(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_begin(ctx, &a, none, argc, argv, "campaign launch", help_launch, 1, 1, 0);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    lty_campaign_report r = LTY_CAMPAIGN_REPORT_INIT;
    if ((rc = lty_campaign_launch(ctx->engine, a.pos[0], LTY_TIME_NOW, &r)))
        return cli_fail(ctx, "campaign launch", rc);
    cli_doc *d = cli_doc_new(ctx);
    if (d)
        put_report(cli_doc_record(d, "launch", NULL), &r, 1);
    return cli_doc_finish(d);
}

/* One row of figures: the overall record, or a segment's row. */
static void figures_cols(cli_table *t)
{
    cli_col(t, "segment", "SEGMENT", 0);
    cli_col(t, "treatment", "SENT", CLI_RIGHT);
    cli_col(t, "unsent", "UNSENT", CLI_RIGHT | CLI_MACHINE);
    cli_col(t, "control", "CONTROL", CLI_RIGHT);
    cli_col(t, "treatment_responders", "RESP", CLI_RIGHT | CLI_MACHINE);
    cli_col(t, "control_responders", "CTRL RESP", CLI_RIGHT | CLI_MACHINE);
    cli_col(t, "treatment_rate", "RATE", CLI_RIGHT);
    cli_col(t, "control_rate", "CTRL RATE", CLI_RIGHT);
    cli_col(t, "uplift", "UPLIFT", CLI_RIGHT);
    cli_col(t, "uplift_low", "90% LOW", CLI_RIGHT);
    cli_col(t, "uplift_high", "90% HIGH", CLI_RIGHT);
    cli_col(t, "incremental_revenue", "INCR REVENUE", CLI_RIGHT);
    cli_col(t, "cost", "COST", CLI_RIGHT);
    cli_col(t, "roi", "ROI", CLI_RIGHT);
}

static void figures_row(cli_table *t, const char *segment,
                        const lty_campaign_figures *m)
{
    cli_cell_text(t, segment);
    cli_cell_int(t, (int64_t)m->treatment);
    cli_cell_int(t, (int64_t)m->unsent);
    cli_cell_int(t, (int64_t)m->control);
    cli_cell_int(t, (int64_t)m->treatment_responders);
    cli_cell_int(t, (int64_t)m->control_responders);
    cli_cell_double(t, m->treatment_rate, 4);
    cli_cell_double(t, m->control_rate, 4);
    cli_cell_double(t, m->uplift, 4);
    cli_cell_double(t, m->uplift_low, 4);
    cli_cell_double(t, m->uplift_high, 4);
    cli_cell_money(t, round_money(m->incremental_revenue));
    cli_cell_money(t, m->cost);
    cli_cell_double(t, m->roi, 2);
}

/* A measurement: every segment, then "(all)"; members without RFM scores
 * are the segment "(unscored)" on a terminal and "" in JSON and CSV. */
static int print_result(cli_ctx *ctx, const lty_campaign_result *m)
{
    cli_doc *d = cli_doc_new(ctx);
    if (d) {
        cli_table *t = cli_doc_table(d, "segments", NULL);
        figures_cols(t);
        for (size_t i = 0; i < m->segment_count; i++)
            figures_row(t, m->segments[i].segment[0] || ctx->format != CLI_FORMAT_TABLE
                               ? m->segments[i].segment
                               : "(unscored)",
                        &m->segments[i].figures);
        figures_row(t, "(all)", &m->overall);
    }
    return cli_doc_finish(d);
}

static int campaign_measure(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_begin(ctx, &a, none, argc, argv, "campaign measure", help_measure, 1, 1, 0);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    lty_campaign_result *m = calloc(1, sizeof *m);
    if (!m)
        return cli_fail(ctx, "campaign measure", LTY_ENOMEM);
    m->version = LTY_CAMPAIGN_RESULT_VERSION;
    if ((rc = lty_campaign_measure(ctx->engine, a.pos[0], LTY_TIME_NOW, m)))
        rc = cli_fail(ctx, "campaign measure", rc);
    else
        rc = print_result(ctx, m);
    free(m);
    return rc;
}

static int campaign_result(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_begin(ctx, &a, none, argc, argv, "campaign result", help_result, 1, 1, 0);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    lty_campaign_result *m = calloc(1, sizeof *m);
    if (!m)
        return cli_fail(ctx, "campaign result", LTY_ENOMEM);
    m->version = LTY_CAMPAIGN_RESULT_VERSION;
    if ((rc = lty_campaign_result_get(ctx->engine, a.pos[0], m)))
        rc = cli_fail(ctx, "campaign result", rc);
    else
        rc = print_result(ctx, m);
    free(m);
    return rc;
}

static int list_row(const char *id, const char *name, int measured, void *ud)
{
    cli_table *t = ud;
    cli_cell_text(t, id);
    cli_cell_text(t, name);
    cli_cell_bool(t, measured);
    return 0;
}

static int campaign_list(cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    int rc = cli_begin(ctx, &a, none, argc, argv, "campaign list", help_list, 0, 0, 0);
    if (rc)
        return CLI_BEGIN_EXIT(rc);
    cli_doc *d = cli_doc_new(ctx);
    if (!d)
        return cli_fail(ctx, "campaign list", LTY_ENOMEM);
    cli_table *t = cli_doc_table(d, "campaigns", NULL);
    cli_col(t, "id", "ID", 0);
    cli_col(t, "name", "NAME", 0);
    cli_col(t, "measured", "MEASURED", 0);
    if ((rc = lty_campaign_list(ctx->engine, list_row, t))) {
        cli_doc_free(d);
        return cli_fail(ctx, "campaign list", rc);
    }
    return cli_doc_finish(d);
}

static const cli_sub subs[] = {
    {"define", campaign_define, "define ID [--preset vip|winback|birthday] [--template ID] [target, cost options]"},
    {"simulate", campaign_simulate, "simulate ID [--seed N]"},
    {"launch", campaign_launch, "launch ID"},
    {"measure", campaign_measure, "measure ID"},
    {"result", campaign_result, "result ID"},
    {"list", campaign_list, "list"},
    {NULL, NULL, NULL}};

int cmd_campaign(cli_ctx *ctx, int argc, char **argv)
{
    return cli_dispatch(ctx, "campaign", "Marketing campaigns with a control group.",
                        subs, argc, argv);
}
