/*
 * loyalty CLI - Korean names and the demo's seeded generator.
 *
 * SPDX-License-Identifier: MIT
 */
#include "demo_names.h"

#include <math.h>
#include <stdio.h>

uint64_t demo_next(demo_rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

uint64_t demo_below(demo_rng *r, uint64_t n)
{
    return n ? demo_next(r) % n : 0;
}

double demo_unit(demo_rng *r)
{
    return (double)(demo_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double demo_exp(demo_rng *r, double mean)
{
    return -mean * log(1.0 - demo_unit(r));
}

double demo_gamma(demo_rng *r, double k)
{
    if (k < 1.0) {
        /* Gamma(k) = Gamma(k + 1) * U^(1/k). */
        double u = demo_unit(r);
        return demo_gamma(r, k + 1.0) * pow(u > 0 ? u : 1e-300, 1.0 / k);
    }
    double dd = k - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * dd);
    for (;;) {
        double u1 = demo_unit(r), u2 = demo_unit(r);
        /* A standard normal by Box-Muller. */
        double x = sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2);
        double v = 1.0 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = demo_unit(r);
        if (log(u > 0 ? u : 1e-300) < 0.5 * x * x + dd - dd * v + dd * log(v))
            return dd * v;
    }
}

/* Family names with their approximate share of the population, in
 * per mille (2015 census; the rest spread over the tail). */
static const struct {
    const char *name;
    int weight;
} surnames[] = {
    {"김", 215}, {"이", 147}, {"박", 84}, {"최", 47}, {"정", 44},
    {"강", 24},  {"조", 21},  {"윤", 20}, {"장", 20}, {"임", 17},
    {"한", 15},  {"오", 15},  {"서", 15}, {"신", 14}, {"권", 14},
    {"황", 14},  {"안", 13},  {"송", 13}, {"류", 12}, {"전", 11},
    {"홍", 11},  {"고", 9},   {"문", 9},  {"양", 9},  {"손", 9},
    {"배", 8},   {"백", 8},   {"허", 6},  {"유", 6},  {"남", 5},
    {"심", 5},   {"노", 4},   {"하", 4},  {"곽", 4},  {"성", 4}};

/* Syllables common in given names. */
static const char *const syllables[] = {
    "민", "서", "지", "현", "수", "영", "준", "우", "예", "은", "하", "도",
    "윤", "진", "유", "연", "성", "혜", "주", "재", "승", "정", "희", "아",
    "원", "태", "나", "소", "경", "동", "다", "채", "미", "시", "호", "빈",
    "린", "율", "건", "훈"};

void demo_korean_name(demo_rng *r, char *buf, size_t len)
{
    int total = 0;
    for (size_t i = 0; i < sizeof surnames / sizeof surnames[0]; i++)
        total += surnames[i].weight;
    int pick = (int)demo_below(r, (uint64_t)total);
    size_t s = 0;
    while (pick >= surnames[s].weight) {
        pick -= surnames[s].weight;
        s++;
    }
    size_t n = sizeof syllables / sizeof syllables[0];
    const char *a = syllables[demo_below(r, n)];
    const char *b = syllables[demo_below(r, n)];
    snprintf(buf, len, "%s%s%s", surnames[s].name, a, b);
}
