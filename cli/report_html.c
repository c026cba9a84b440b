/*
 * loyalty CLI - the HTML report.
 *
 * Everything is read through the public API: lty_rfm_compute() (with
 * no_save, so the report changes nothing) for the grid, the segments and
 * the concentration curve; lty_program_list() and lty_program_status_get()
 * over the scored customers for titles and tiers; month by month
 * lty_appointment_noshow_stats(); lty_campaign_result_get() for the campaigns
 * the caller names.  Every text that comes from the store (segment,
 * program, title and campaign names) is HTML-escaped.
 *
 * SPDX-License-Identifier: MIT
 */
#include "report_html.h"
#include "local_time.h"
#include "svg.h"

#include <stdlib.h>
#include <string.h>

#define BINS 5
#define PROGRAMS_MAX 16
#define TITLES_MAX 80

static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',"
    "'Apple SD Gothic Neo','Noto Sans KR','Malgun Gothic',sans-serif;"
    "color:#1d2330;background:#f3f5f8}"
    "header{background:#1f4e8c;color:#fff;padding:16px 18px}"
    "header h1{margin:0;font-size:1.35em}header p{margin:4px 0 0;opacity:.85}"
    "main{max-width:1100px;margin:0 auto;padding:12px;display:grid;gap:12px;"
    "grid-template-columns:repeat(auto-fit,minmax(min(100%,480px),1fr))}"
    "section{background:#fff;border-radius:10px;padding:14px 14px 10px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.08);min-width:0}"
    "h2{font-size:1.08em;margin:0 0 4px}"
    "p.note{color:#5b6475;font-size:.86em;margin:2px 0 8px}"
    ".kpis{display:flex;flex-wrap:wrap;gap:8px;margin:4px 0 8px}"
    ".kpi{flex:1 1 120px;background:#eef4fb;border-radius:8px;padding:8px 10px}"
    ".kpi b{display:block;font-size:1.15em;overflow-wrap:anywhere}.kpi span{font-size:.8em;color:#5b6475}"
    "svg.chart{width:100%;height:auto;display:block;margin:4px 0 8px}"
    "svg text{font-size:11px;fill:#1d2330}svg text.w{fill:#fff}"
    "svg text.b{font-weight:600;font-size:12px}svg text.s{font-size:9.5px;fill:#5b6475}"
    "svg text.bw{font-weight:600;font-size:12px;fill:#fff}"
    "svg text.sw{font-size:9.5px;fill:#dfe9f6}"
    "line.axis{stroke:#9aa3b2;stroke-width:1}"
    "line.grid{stroke:#e3e7ee;stroke-width:1}"
    "line.ref{stroke:#9aa3b2;stroke-width:1;stroke-dasharray:4 3}"
    "polyline.curve{fill:none;stroke:#d9822b;stroke-width:2.5}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;width:100%;font-size:.86em}"
    "th,td{padding:4px 6px;border-bottom:1px solid #e3e7ee;text-align:right;"
    "white-space:nowrap}"
    "th:first-child,td:first-child{text-align:left}"
    "table.names td:first-child{white-space:normal}"
    "h3{font-size:.95em;margin:10px 0 2px}"
    "table.kv td:first-child{color:#5b6475}"
    "th{color:#5b6475;font-weight:600}"
    ".legend{font-size:.8em;color:#5b6475}"
    ".sw{display:inline-block;width:10px;height:10px;border-radius:2px;"
    "margin:0 4px 0 8px;vertical-align:-1px}"
    "footer{text-align:center;color:#7a8394;font-size:.8em;padding:12px}";

#define BLUE "#2f6db5"
#define ORANGE "#d9822b"
#define GREY "#9aa3b2"

struct report {
    lty_engine *e;
    FILE *out;
    int64_t now;
    const struct cli_report_options *o;
    lty_rfm_result *rfm;
    size_t n;          /* scored customers */
    int64_t revenue;   /* their net spend */
};

static void money(struct report *r, int64_t v)
{
    if (r->o->currency)
        html_escape(r->out, r->o->currency);
    html_money(r->out, v, r->o->currency_exponent);
}

static void pct(FILE *out, double share)
{
    fprintf(out, "%.1f%%", share * 100.0);
}

/* Compact amount for labels inside charts. */
static void compact_money(struct report *r, char *buf, size_t len, int64_t v)
{
    double x = (double)v;
    for (int i = 0; i < r->o->currency_exponent; i++)
        x /= 10.0;
    svg_compact(buf, len, x);
}

/* ---------------------------------------------------------------- */

static void section_summary(struct report *r)
{
    FILE *out = r->out;
    fputs("<section id=\"overview\"><h2>Overview</h2><div class=\"kpis\">", out);
    fprintf(out, "<div class=\"kpi\"><b>%zu</b><span>customers with a visit</span></div>", r->n);
    fputs("<div class=\"kpi\"><b>", out);
    money(r, r->revenue);
    fputs("</b><span>net revenue</span></div>", out);
    fputs("<div class=\"kpi\"><b>", out);
    pct(out, lty_rfm_result_pareto(r->rfm));
    fputs("</b><span>revenue from the top 20% of customers</span></div>", out);
    fputs("</div><p class=\"note\">Scores as of the report date, five bins per "
          "dimension; frequency counts visit days, revenue is purchases less "
          "refunds.</p></section>\n", out);
}

static void section_grid(struct report *r)
{
    FILE *out = r->out;
    size_t count[BINS][BINS] = {{0}};
    int64_t rev[BINS][BINS] = {{0}};
    size_t max = 0;
    for (size_t i = 0; i < r->n; i++) {
        lty_rfm_row row;
        if (lty_rfm_result_row(r->rfm, i, &row) != LTY_OK)
            continue;
        if (row.r < 1 || row.r > BINS || row.f < 1 || row.f > BINS)
            continue;
        count[row.r - 1][row.f - 1]++;
        rev[row.r - 1][row.f - 1] += row.monetary;
        if (count[row.r - 1][row.f - 1] > max)
            max = count[row.r - 1][row.f - 1];
    }
    fputs("<section id=\"rfm\"><h2>RFM grid: recency &times; frequency</h2>"
          "<p class=\"note\">Customers (bold) and their revenue per cell; "
          "darker cells hold more customers.  R5 is the most recent fifth, F5 "
          "the most frequent.</p>\n", out);
    /* Under shared ties a dimension where many customers have the same
     * value (one visit) uses fewer scores: say so, or the empty column
     * looks like a fault. */
    for (int k = 0; k < 2; k++) {
        char dim = k ? 'F' : 'R';
        int levels = lty_rfm_result_levels(r->rfm, dim);
        if (levels > 0 && levels < BINS)
            fprintf(out, "<p class=\"note\">%s uses %d of the %d scores: many "
                    "customers share the same value, and equal values share a "
                    "score.</p>\n", k ? "Frequency" : "Recency", levels, BINS);
    }
    const double x0 = 44, y0 = 8, cw = 62, ch = 50;
    svg_open(out, (int)(x0 + BINS * cw + 6), (int)(y0 + BINS * ch + 40),
             "RFM grid: customers and revenue by recency and frequency score");
    for (int ri = 0; ri < BINS; ri++) {
        int rs = BINS - ri; /* top row: R5 */
        char lab[8];
        snprintf(lab, sizeof lab, "R%d", rs);
        svg_text(out, x0 - 8, y0 + ri * ch + ch / 2 + 4, "end", "b", lab);
        for (int fi = 0; fi < BINS; fi++) {
            size_t c = count[rs - 1][fi];
            double t = max ? (double)c / (double)max : 0;
            char fill[8], num[24], money_s[24];
            svg_heat(fill, t);
            double x = x0 + fi * cw, y = y0 + ri * ch;
            svg_rect(out, x + 1, y + 1, cw - 2, ch - 2, fill);
            snprintf(num, sizeof num, "%zu", c);
            compact_money(r, money_s, sizeof money_s, rev[rs - 1][fi]);
            int dark = t > 0.5;
            svg_text(out, x + cw / 2, y + 21, "middle", dark ? "bw" : "b", num);
            svg_text(out, x + cw / 2, y + 37, "middle", dark ? "sw" : "s", money_s);
        }
    }
    for (int fi = 0; fi < BINS; fi++) {
        char lab[8];
        snprintf(lab, sizeof lab, "F%d", fi + 1);
        svg_text(out, x0 + fi * cw + cw / 2, y0 + BINS * ch + 16, "middle", "b", lab);
    }
    svg_text(out, x0 + BINS * cw / 2, y0 + BINS * ch + 34, "middle", "s",
             "frequency score \xe2\x86\x92");
    svg_close(out);
    fputs("</section>\n", out);
}

static void section_segments(struct report *r)
{
    FILE *out = r->out;
    size_t ns = lty_rfm_result_segment_count(r->rfm), shown = 0;
    lty_rfm_segment_summary *seg = calloc(ns ? ns : 1, sizeof *seg);
    if (!seg)
        return;
    for (size_t i = 0; i < ns; i++)
        if (lty_rfm_result_segment(r->rfm, i, &seg[shown]) == LTY_OK &&
            seg[shown].customers > 0)
            shown++;
    fputs("<section id=\"segments\"><h2>Segments</h2><p class=\"note\">Share of customers and "
          "share of revenue per RFM segment.<span class=\"legend\">"
          "<span class=\"sw\" style=\"background:" BLUE "\"></span>customers"
          "<span class=\"sw\" style=\"background:" ORANGE "\"></span>revenue"
          "</span></p>\n", out);
    /* Bars are scaled to the largest share, so small segments stay
     * visible; the labels give the shares. */
    double top = 0.01;
    for (size_t i = 0; i < shown; i++) {
        double cs = r->n ? (double)seg[i].customers / (double)r->n : 0;
        if (cs > top)
            top = cs;
        if (seg[i].revenue_share > top)
            top = seg[i].revenue_share;
    }
    const double lw = 0, rowh = 38, bw = 300 / top;
    svg_open(out, 360, (int)(shown * rowh + 8), "Segment sizes and revenue shares");
    for (size_t i = 0; i < shown; i++) {
        double y = 4 + i * rowh;
        double cs = r->n ? (double)seg[i].customers / (double)r->n : 0;
        double rs = seg[i].revenue_share;
        svg_text(out, lw, y + 10, "start", "b", seg[i].name);
        svg_rect(out, lw, y + 14, bw * cs, 8, BLUE);
        svg_rect(out, lw, y + 24, bw * (rs > 0 ? rs : 0), 8, ORANGE);
        char lab[32];
        snprintf(lab, sizeof lab, "%.1f%%", cs * 100);
        svg_text(out, lw + bw * cs + 4, y + 22, "start", "s", lab);
        snprintf(lab, sizeof lab, "%.1f%%", rs * 100);
        svg_text(out, lw + bw * (rs > 0 ? rs : 0) + 4, y + 32, "start", "s", lab);
    }
    svg_close(out);
    fputs("<div class=\"scroll\"><table class=\"names\"><tr><th>Segment</th><th>Customers</th>"
          "<th>Revenue</th><th>Share</th><th>R/F/M</th></tr>\n", out);
    for (size_t i = 0; i < shown; i++) {
        fputs("<tr><td>", out);
        html_escape(out, seg[i].name);
        fprintf(out, "</td><td>%zu</td><td>", seg[i].customers);
        money(r, seg[i].revenue);
        fputs("</td><td>", out);
        pct(out, seg[i].revenue_share);
        fprintf(out, "</td><td>%.1f/%.1f/%.1f</td></tr>\n", seg[i].mean_r,
                seg[i].mean_f, seg[i].mean_m);
    }
    fputs("</table></div></section>\n", out);
    free(seg);
}

static void section_pareto(struct report *r)
{
    FILE *out = r->out;
    double c[10] = {0};
    lty_rfm_result_concentration(r->rfm, c);
    fputs("<section id=\"pareto\"><h2>Pareto curve</h2><p class=\"note\">Share of revenue "
          "brought by the best customers (by revenue), decile by decile; the "
          "dashed line is an even spread.</p>\n", out);
    const double x0 = 40, y0 = 10, w = 300, h = 190;
    svg_open(out, 360, 240, "Pareto curve: cumulative revenue share by customer share");
    for (int k = 0; k <= 4; k++) {
        double y = y0 + h - h * k / 4.0;
        char lab[8];
        svg_line(out, x0, y, x0 + w, y, "grid");
        snprintf(lab, sizeof lab, "%d%%", k * 25);
        svg_text(out, x0 - 5, y + 4, "end", "s", lab);
    }
    svg_line(out, x0, y0 + h, x0 + w, y0 + h, "axis");
    svg_line(out, x0, y0 + h, x0 + w, y0, "ref");
    fputs("<polyline class=\"curve\" points=\"", out);
    fprintf(out, "%.1f,%.1f", x0, y0 + h);
    for (int k = 0; k < 10; k++)
        fprintf(out, " %.1f,%.1f", x0 + w * (k + 1) / 10.0, y0 + h - h * c[k]);
    fputs("\"/>\n", out);
    for (int k = 0; k <= 10; k += 2) {
        char lab[8];
        snprintf(lab, sizeof lab, "%d%%", k * 10);
        svg_text(out, x0 + w * k / 10.0, y0 + h + 15, "middle", "s", lab);
    }
    double p = lty_rfm_result_pareto(r->rfm);
    double px = x0 + w * 0.2, py = y0 + h - h * p;
    fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"" ORANGE "\"/>\n", px, py);
    char lab[64];
    snprintf(lab, sizeof lab, "top 20%% \xe2\x86\x92 %.0f%% of revenue", p * 100);
    svg_text(out, px + 8, py + 14, "start", "b", lab);
    svg_text(out, x0 + w / 2, y0 + h + 32, "middle", "s", "share of customers \xe2\x86\x92");
    svg_close(out);
    fputs("</section>\n", out);
}

struct title_count {
    char title[LTY_TITLE_MAX + 1];
    int level;
    size_t count;
};

static int cmp_title(const void *a, const void *b)
{
    const struct title_count *x = a, *y = b;
    return (x->level > y->level) - (x->level < y->level);
}

static int section_programs(struct report *r)
{
    FILE *out = r->out;
    char ids[PROGRAMS_MAX][LTY_ID_MAX + 1];
    size_t np = 0;
    int rc = lty_program_list(r->e, ids, PROGRAMS_MAX, &np);
    if (rc)
        return rc;
    if (np > PROGRAMS_MAX)
        np = PROGRAMS_MAX;
    fputs("<section id=\"programs\"><h2>Titles and tiers</h2><p class=\"note\">Where the "
          "customers with a visit stand in each program today.</p>\n", out);
    if (np == 0)
        fputs("<p>No programs are defined in this store.</p>\n", out);
    struct title_count *tc = calloc(TITLES_MAX, sizeof *tc);
    if (!tc)
        return LTY_ENOMEM;
    for (size_t p = 0; p < np; p++) {
        lty_program_info info;
        if ((rc = lty_program_info_get(r->e, ids[p], &info)))
            break;
        size_t nt = 0;
        for (size_t i = 0; i < r->n && rc == LTY_OK; i++) {
            lty_rfm_row row;
            lty_program_status st = LTY_PROGRAM_STATUS_INIT;
            if (lty_rfm_result_row(r->rfm, i, &row) != LTY_OK)
                continue;
            rc = lty_program_status_get(r->e, row.customer_id, ids[p], &st);
            if (rc)
                break;
            const char *t = st.title[0] ? st.title : "(none yet)";
            size_t k = 0;
            while (k < nt && strcmp(tc[k].title, t) != 0)
                k++;
            if (k == nt) {
                if (nt == TITLES_MAX)
                    continue;
                snprintf(tc[k].title, sizeof tc[k].title, "%s", t);
                tc[k].level = st.level;
                tc[k].count = 0;
                nt++;
            }
            tc[k].count++;
        }
        if (rc)
            break;
        qsort(tc, nt, sizeof *tc, cmp_title);
        fputs("<h3>", out);
        html_escape(out, info.name);
        fputs("</h3>\n", out);
        size_t max = 1;
        for (size_t k = 0; k < nt; k++)
            if (tc[k].count > max)
                max = tc[k].count;
        const double rowh = 24, lx = 92, bw = 190;
        svg_open(out, 360, (int)(nt * rowh + 6), info.name);
        for (size_t k = 0; k < nt; k++) {
            double y = 3 + k * rowh;
            char lab[48];
            svg_text(out, lx - 6, y + 15, "end", "b", tc[k].title);
            svg_rect(out, lx, y + 4, bw * (double)tc[k].count / (double)max, 15,
                     info.kind == LTY_PROGRAM_LADDER ? BLUE : ORANGE);
            snprintf(lab, sizeof lab, "%zu (%.0f%%)", tc[k].count,
                     r->n ? 100.0 * (double)tc[k].count / (double)r->n : 0.0);
            svg_text(out, lx + bw * (double)tc[k].count / (double)max + 4, y + 16,
                     "start", "s", lab);
        }
        svg_close(out);
    }
    free(tc);
    fputs("</section>\n", out);
    return rc;
}

static int section_noshow(struct report *r)
{
    FILE *out = r->out;
    lty_date today;
    int rc = lty_engine_local_date(r->e, r->now, &today);
    if (rc)
        return rc;
    struct {
        int y, m;
        lty_noshow_stats st;
    } months[12];
    double max = 0.05;
    for (int i = 0; i < 12; i++) {
        int y = today.year, m = today.month - (11 - i);
        while (m < 1) {
            m += 12;
            y--;
        }
        int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
        int64_t from, to;
        if (cli_local_midnight(r->e, cli_days_from_civil(y, m, 1), &from) ||
            cli_local_midnight(r->e, cli_days_from_civil(ny, nm, 1), &to))
            return LTY_ERANGE;
        lty_noshow_stats st = LTY_NOSHOW_STATS_INIT;
        if ((rc = lty_appointment_noshow_stats(r->e, from, to, &st, NULL, 0, NULL)))
            return rc;
        months[i].y = y;
        months[i].m = m;
        months[i].st = st;
        if (st.overall.rate > max)
            max = st.overall.rate;
    }
    fputs("<section id=\"noshow\"><h2>No-show rate by month</h2><p class=\"note\">No-shows "
          "among closed appointments (arrived or no-show), the last twelve "
          "months; the current month is still open.</p>\n", out);
    const double x0 = 36, y0 = 18, h = 150, bw = 26;
    svg_open(out, 360, 210, "No-show rate by month");
    for (int k = 0; k <= 2; k++) {
        double v = max * k / 2.0, y = y0 + h - h * k / 2.0;
        char lab[16];
        svg_line(out, x0, y, x0 + 12 * bw, y, "grid");
        snprintf(lab, sizeof lab, "%.0f%%", v * 100);
        svg_text(out, x0 - 5, y + 4, "end", "s", lab);
    }
    for (int i = 0; i < 12; i++) {
        const lty_noshow_counts *c = &months[i].st.overall;
        double x = x0 + i * bw, bh = h * c->rate / max;
        char lab[16];
        svg_rect(out, x + 4, y0 + h - bh, bw - 8, bh, c->arrived + c->no_shows ? BLUE : GREY);
        if (c->arrived + c->no_shows) {
            snprintf(lab, sizeof lab, "%.0f", c->rate * 100);
            svg_text(out, x + bw / 2, y0 + h - bh - 3, "middle", "s", lab);
        }
        snprintf(lab, sizeof lab, "%02d", months[i].m);
        svg_text(out, x + bw / 2, y0 + h + 14, "middle", "s", lab);
    }
    svg_line(out, x0, y0 + h, x0 + 12 * bw, y0 + h, "axis");
    svg_text(out, x0 + 6 * bw, y0 + h + 32, "middle", "s", "month (rate in %)");
    svg_close(out);
    fputs("<div class=\"scroll\"><table><tr><th>Month</th><th>Booked</th>"
          "<th>Arrived</th><th>No-show</th><th>Rate</th></tr>\n", out);
    for (int i = 11; i >= 0; i--) {
        const lty_noshow_stats *s = &months[i].st;
        fprintf(out, "<tr><td>%04d-%02d</td><td>%lld</td><td>%lld</td><td>%lld</td><td>",
                months[i].y, months[i].m, (long long)s->appointments,
                (long long)s->overall.arrived, (long long)s->overall.no_shows);
        pct(out, s->overall.rate);
        fputs("</td></tr>\n", out);
    }
    fputs("</table></div></section>\n", out);
    return LTY_OK;
}

/* The ids of the campaigns to show: those named in the options, or every
 * campaign of the store. */
struct id_list {
    char **ids;
    size_t n, cap;
};

static int add_id(const char *id, const char *name, int measured, void *ud)
{
    struct id_list *l = ud;
    (void)name, (void)measured;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        char **ids = realloc(l->ids, cap * sizeof *ids);
        if (!ids)
            return LTY_ENOMEM;
        l->ids = ids;
        l->cap = cap;
    }
    size_t n = strlen(id) + 1;
    if (!(l->ids[l->n] = malloc(n)))
        return LTY_ENOMEM;
    memcpy(l->ids[l->n], id, n);
    l->n++;
    return 0;
}

static void free_ids(struct id_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->ids[i]);
    free(l->ids);
}

static void figures_row(struct report *r, const char *label,
                        const lty_campaign_figures *f)
{
    FILE *out = r->out;
    fputs("<tr><td>", out);
    html_escape(out, label);
    fprintf(out, "</td><td>%llu</td><td>%llu</td><td>",
            (unsigned long long)f->treatment, (unsigned long long)f->control);
    pct(out, f->treatment_rate);
    fputs("</td><td>", out);
    pct(out, f->control_rate);
    fprintf(out, "</td><td>%+.1f pt<br><small>%+.1f to %+.1f</small></td><td>",
            f->uplift * 100, f->uplift_low * 100, f->uplift_high * 100);
    money(r, (int64_t)f->incremental_revenue);
    fprintf(out, "</td><td>%+.0f%%</td></tr>\n", f->roi * 100);
}

static int one_campaign(struct report *r, const char *id,
                        lty_campaign_result *cr)
{
    FILE *out = r->out;
    lty_campaign_def *def = NULL;
    int rc = lty_campaign_get(r->e, id, &def);
    fputs("<h3>", out);
    html_escape(out, rc == LTY_OK ? def->name : id);
    fputs(" <small>", out);
    html_escape(out, id);
    fputs("</small></h3>\n", out);
    lty_free(def);
    if (rc == LTY_ENOTFOUND) {
        fputs("<p class=\"note\">Not found in this store.</p>\n", out);
        return LTY_OK;
    }
    if (rc)
        return rc;
    memset(cr, 0, sizeof *cr);
    cr->version = LTY_CAMPAIGN_RESULT_VERSION;
    rc = lty_campaign_result_get(r->e, id, cr);
    if (rc == LTY_ENOTFOUND) {
        fputs("<p class=\"note\">Not measured yet (<code>loyalty campaign "
              "measure</code> keeps a measurement).</p>\n", out);
        return LTY_OK;
    }
    if (rc)
        return rc;
    const lty_campaign_figures *all = &cr->overall;
    if (all->treatment + all->unsent + all->control == 0) {
        fputs("<p class=\"note\">Defined, not launched yet.</p>\n", out);
        return LTY_OK;
    }
    char when[32];
    lty_date d;
    if (lty_engine_local_date(r->e, cr->measured_at, &d) == LTY_OK)
        snprintf(when, sizeof when, "%04d-%02d-%02d", d.year, d.month, d.day);
    else
        snprintf(when, sizeof when, "?");
    fprintf(out, "<p class=\"note\">Measured %s; %llu messages not sent are "
            "left out. Cost ", when, (unsigned long long)all->unsent);
    money(r, all->cost);
    fputs(".</p>\n<div class=\"scroll\"><table class=\"grid\"><tr><th>Segment"
          "</th><th>Sent</th><th>Control</th><th>Response</th><th>Control "
          "response</th><th>Uplift (90%)</th><th>Incremental revenue</th>"
          "<th>Return on cost</th></tr>\n", out);
    for (size_t i = 0; i < cr->segment_count; i++)
        figures_row(r, cr->segments[i].segment[0] ? cr->segments[i].segment
                                                  : "(no RFM score)",
                    &cr->segments[i].figures);
    figures_row(r, "All", all);
    fputs("</table></div>\n", out);
    return LTY_OK;
}

static int section_campaigns(struct report *r)
{
    FILE *out = r->out;
    struct id_list l = {NULL, 0, 0};
    int rc = LTY_OK;
    fputs("<section id=\"campaigns\"><h2>Campaign results</h2>", out);
    if (r->o->campaign_count) {
        for (size_t i = 0; i < r->o->campaign_count && !rc; i++)
            rc = add_id(r->o->campaign_ids[i], NULL, 0, &l);
    } else {
        rc = lty_campaign_list(r->e, add_id, &l);
    }
    lty_campaign_result *cr = rc ? NULL : malloc(sizeof *cr);
    if (!rc && !cr)
        rc = LTY_ENOMEM;
    if (!rc && l.n == 0)
        fputs("<p class=\"note\">No campaigns in this store.</p>\n", out);
    else if (!rc)
        fputs("<p class=\"note\">The last kept measurement of each campaign: "
              "treatment members whose message went out, against the "
              "held-out control group, within the attribution window, per "
              "RFM segment at launch. ROI = (incremental revenue &minus; "
              "cost) / cost.</p>\n", out);
    for (size_t i = 0; !rc && i < l.n; i++)
        rc = one_campaign(r, l.ids[i], cr);
    free(cr);
    free_ids(&l);
    fputs("</section>\n", out);
    return rc;
}

int cli_report_html_ex(lty_engine *e, int64_t now,
                       const struct cli_report_options *opts, FILE *out)
{
    static const struct cli_report_options defaults = {NULL, NULL, 0, 0, NULL};
    if (!e || !out)
        return LTY_EINVALID;
    struct report r;
    memset(&r, 0, sizeof r);
    r.e = e;
    r.out = out;
    r.now = now;
    r.o = opts ? opts : &defaults;
    lty_rfm_options ro = LTY_RFM_OPTIONS_INIT;
    ro.as_of = now;
    ro.no_save = 1;
    int rc = lty_rfm_compute(e, &ro, &r.rfm);
    if (rc)
        return rc;
    r.n = lty_rfm_result_count(r.rfm);
    for (size_t i = 0; i < r.n; i++) {
        lty_rfm_row row;
        if (lty_rfm_result_row(r.rfm, i, &row) == LTY_OK)
            r.revenue += row.monetary;
    }
    lty_date d;
    lty_engine_local_date(e, now, &d);
    const char *title = r.o->title ? r.o->title : "Loyalty report";
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<title>", out);
    html_escape(out, title);
    fprintf(out, "</title>\n<style>%s</style></head>\n<body><header><h1>", css);
    html_escape(out, title);
    fprintf(out, "</h1><p>As of %04d-%02d-%02d &middot; libloyalty %s</p></header>\n<main>\n",
            d.year, d.month, d.day, lty_version(NULL, NULL, NULL));
    section_summary(&r);
    section_grid(&r);
    section_segments(&r);
    section_pareto(&r);
    if ((rc = section_programs(&r)) == LTY_OK && (rc = section_noshow(&r)) == LTY_OK)
        rc = section_campaigns(&r);
    fputs("</main><footer>Generated by the loyalty command; no data leaves "
          "this file.</footer></body></html>\n", out);
    lty_rfm_result_free(r.rfm);
    if (rc == LTY_OK && ferror(out))
        rc = LTY_ESTORAGE;
    return rc;
}

int cli_report_html(lty_engine *e, int64_t now, FILE *out)
{
    return cli_report_html_ex(e, now, NULL, out);
}
