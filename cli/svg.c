/*
 * loyalty CLI - small helpers to write inline SVG and escaped HTML.
 *
 * SPDX-License-Identifier: MIT
 */
#include "svg.h"

#include <math.h>

void html_escape(FILE *out, const char *s)
{
    if (!s)
        return;
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*s, out);
        }
    }
}

void html_money(FILE *out, int64_t minor, int exponent)
{
    char digits[32];
    uint64_t v = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t scale = 1;
    for (int i = 0; i < exponent; i++)
        scale *= 10;
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)(v / scale));
    if (minor < 0)
        fputc('-', out);
    for (int i = 0; i < n; i++) {
        fputc(digits[i], out);
        if ((n - i - 1) % 3 == 0 && i != n - 1)
            fputc(',', out);
    }
    if (exponent > 0)
        fprintf(out, ".%0*llu", exponent, (unsigned long long)(v % scale));
}

void svg_compact(char *buf, size_t len, double value)
{
    double a = fabs(value);
    if (a >= 1e9)
        snprintf(buf, len, "%.1fB", value / 1e9);
    else if (a >= 1e6)
        snprintf(buf, len, "%.1fM", value / 1e6);
    else if (a >= 1e4)
        snprintf(buf, len, "%.0fK", value / 1e3);
    else if (a >= 1e3)
        snprintf(buf, len, "%.1fK", value / 1e3);
    else
        snprintf(buf, len, "%.0f", value);
}

void svg_open(FILE *out, int width, int height, const char *title)
{
    fprintf(out,
            "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\"><title>",
            width, height);
    html_escape(out, title);
    fputs("</title>\n", out);
}

void svg_close(FILE *out)
{
    fputs("</svg>\n", out);
}

void svg_rect(FILE *out, double x, double y, double w, double h,
              const char *fill)
{
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"",
            x, y, w < 0 ? 0 : w, h < 0 ? 0 : h);
    html_escape(out, fill);
    fputs("\"/>\n", out);
}

void svg_text(FILE *out, double x, double y, const char *anchor,
              const char *cls, const char *text)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"", x, y, anchor);
    if (cls) {
        fputs(" class=\"", out);
        html_escape(out, cls);
        fputc('"', out);
    }
    fputc('>', out);
    html_escape(out, text);
    fputs("</text>\n", out);
}

void svg_line(FILE *out, double x1, double y1, double x2, double y2,
              const char *cls)
{
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"",
            x1, y1, x2, y2);
    html_escape(out, cls);
    fputs("\"/>\n", out);
}

void svg_heat(char buf[8], double t)
{
    if (!(t >= 0))
        t = 0;
    if (t > 1)
        t = 1;
    /* From #eef4fb to #1f4e8c. */
    int r = (int)(238 + (31 - 238) * t), g = (int)(244 + (78 - 244) * t),
        b = (int)(251 + (140 - 251) * t);
    snprintf(buf, 8, "#%02x%02x%02x", r, g, b);
}
