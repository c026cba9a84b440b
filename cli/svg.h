/*
 * loyalty CLI - small helpers to write inline SVG and escaped HTML.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LOYALTY_CLI_SVG_H
#define LOYALTY_CLI_SVG_H

#include <stdint.h>
#include <stdio.h>

/* Write @p s with &, <, >, " and ' escaped (text and attribute values);
 * NULL writes nothing. */
void html_escape(FILE *out, const char *s);

/* A whole amount of minor units with thousands separators ("1,234,500"),
 * or with @p exponent digits after the point. */
void html_money(FILE *out, int64_t minor, int exponent);

/* A short form for labels inside charts: "980", "12.3K", "4.5M", "1.2B". */
void svg_compact(char *buf, size_t len, double value);

/* Open an SVG scaled to its container's width, with a title for screen
 * readers. */
void svg_open(FILE *out, int width, int height, const char *title);
void svg_close(FILE *out);
void svg_rect(FILE *out, double x, double y, double w, double h,
              const char *fill);
/* Text; @p anchor is "start", "middle" or "end"; @p cls a CSS class or
 * NULL. */
void svg_text(FILE *out, double x, double y, const char *anchor,
              const char *cls, const char *text);
void svg_line(FILE *out, double x1, double y1, double x2, double y2,
              const char *cls);

/* A colour from pale to deep blue for t in [0, 1], as "#rrggbb". */
void svg_heat(char buf[8], double t);

#endif
