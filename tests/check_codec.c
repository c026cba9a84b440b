/*
 * libloyalty tests - the record codec, UTF-8 validation and date arithmetic
 * (white-box: internal functions of the test build of the library).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "codec_int.h"
#include "validate_int.h"

static lty_allocator alloc;

static void setup(void)
{
    lty__alloc_init(&alloc, NULL);
}

START_TEST(varint_round_trip)
{
    static const uint64_t values[] = {0, 1, 127, 128, 255, 300, 16383, 16384,
                                      UINT32_MAX, (uint64_t)1 << 62,
                                      UINT64_MAX - 1, UINT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        unsigned char b[10];
        size_t n = lty__varint_put(b, values[i]);
        const unsigned char *p = b;
        uint64_t v;
        ck_assert_int_eq(lty__varint_get(&p, b + n, &v), LTY_OK);
        ck_assert_uint_eq(v, values[i]);
        ck_assert_ptr_eq(p, b + n);
        /* every truncation is refused */
        for (size_t cut = 0; cut < n; cut++) {
            p = b;
            ck_assert_int_eq(lty__varint_get(&p, b + cut, &v), LTY_ECORRUPT);
        }
    }
}
END_TEST

START_TEST(varint_rejects_overlong_and_oversized)
{
    uint64_t v;
    const unsigned char overlong[] = {0x80, 0x00};      /* 0 in two bytes */
    const unsigned char eleven[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                    0xFF, 0xFF, 0xFF, 0xFF, 0x01};
    const unsigned char toobig[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                    0xFF, 0xFF, 0xFF, 0x02}; /* > 2^64 */
    const unsigned char *p = overlong;
    ck_assert_int_eq(lty__varint_get(&p, overlong + 2, &v), LTY_ECORRUPT);
    p = eleven;
    ck_assert_int_eq(lty__varint_get(&p, eleven + 11, &v), LTY_ECORRUPT);
    p = toobig;
    ck_assert_int_eq(lty__varint_get(&p, toobig + 10, &v), LTY_ECORRUPT);
}
END_TEST

START_TEST(record_round_trip)
{
    lty_buf b;
    lty__enc w;
    lty__buf_init(&b, &alloc);
    lty__enc_begin(&w, &b, LTY__REC_STATS, 1);
    lty__enc_u64(&w, 1, 42);
    lty__enc_i64(&w, 2, -7);
    lty__enc_i64(&w, 3, INT64_MIN);
    lty__enc_str(&w, 4, "회장");
    lty__enc_str(&w, 4, "주임"); /* repeated tag: a list */
    lty__enc_str(&w, 5, NULL);   /* writes nothing */
    lty__enc_bytes(&w, 6, "", 0);
    ck_assert_int_eq(lty__enc_end(&w), LTY_OK);

    lty__dec d;
    lty__field f;
    unsigned version;
    ck_assert_int_eq(lty__dec_begin(&d, b.data, b.len, LTY__REC_STATS, 1, &version), LTY_OK);
    ck_assert_uint_eq(version, 1);
    uint64_t u;
    int64_t i;
    const char *s;
    size_t n;
    ck_assert_int_eq(lty__dec_next(&d, &f), 1);
    ck_assert_int_eq(lty__field_u64(&f, &u), LTY_OK);
    ck_assert_uint_eq(u, 42);
    ck_assert_int_eq(lty__dec_next(&d, &f), 1);
    ck_assert_int_eq(lty__field_i64(&f, &i), LTY_OK);
    ck_assert_int_eq(i, -7);
    ck_assert_int_eq(lty__field_int(&f, 0, 10, &i), LTY_ECORRUPT);
    ck_assert_int_eq(lty__dec_next(&d, &f), 1);
    ck_assert_int_eq(lty__field_i64(&f, &i), LTY_OK);
    ck_assert(i == INT64_MIN);
    ck_assert_int_eq(lty__dec_next(&d, &f), 1);
    ck_assert_int_eq(lty__field_u64(&f, &u), LTY_ECORRUPT); /* wrong wire */
    ck_assert_int_eq(lty__field_text(&f, 1, 64, LTY__TEXT_LINE, &s, &n), LTY_OK);
    ck_assert_uint_eq(n, strlen("회장"));
    ck_assert(memcmp(s, "회장", n) == 0);
    ck_assert_int_eq(lty__field_text(&f, 1, 3, LTY__TEXT_LINE, &s, &n), LTY_ECORRUPT);
    ck_assert_int_eq(lty__dec_next(&d, &f), 1);
    ck_assert_uint_eq(f.tag, 4);
    ck_assert_int_eq(lty__dec_next(&d, &f), 1);
    ck_assert_uint_eq(f.tag, 6);
    ck_assert_uint_eq(f.n, 0);
    ck_assert_int_eq(lty__dec_next(&d, &f), 0);
    lty__buf_release(&b);
}
END_TEST

START_TEST(header_checks)
{
    lty__dec d;
    const unsigned char ok[] = {LTY__REC_STATS, 1};
    const unsigned char newer[] = {LTY__REC_STATS, 2};
    const unsigned char zero[] = {LTY__REC_STATS, 0};
    ck_assert_int_eq(lty__dec_begin(&d, ok, 2, LTY__REC_STATS, 1, NULL), LTY_OK);
    ck_assert_int_eq(lty__dec_begin(&d, ok, 2, LTY__REC_EVENT, 1, NULL), LTY_ECORRUPT);
    ck_assert_int_eq(lty__dec_begin(&d, ok, 1, LTY__REC_STATS, 1, NULL), LTY_ECORRUPT);
    ck_assert_int_eq(lty__dec_begin(&d, NULL, 0, LTY__REC_STATS, 1, NULL), LTY_ECORRUPT);
    ck_assert_int_eq(lty__dec_begin(&d, newer, 2, LTY__REC_STATS, 1, NULL), LTY_EVERSION);
    ck_assert_int_eq(lty__dec_begin(&d, zero, 2, LTY__REC_STATS, 1, NULL), LTY_ECORRUPT);
}
END_TEST

static int decode_all(const unsigned char *p, size_t n)
{
    lty__dec d;
    lty__field f;
    int rc = lty__dec_begin(&d, p, n, p && n ? p[0] : 0, 255, NULL);
    if (rc)
        return rc;
    while ((rc = lty__dec_next(&d, &f)) == 1) {
        if (f.wire == LTY__WIRE_BYTES) {
            lty__dec sub;
            lty__field g;
            lty__dec_sub(&sub, &f);
            while (lty__dec_next(&sub, &g) == 1)
                ;
        }
    }
    return rc;
}

START_TEST(malformed_fields_are_corrupt)
{
    /* length running past the end */
    const unsigned char past[] = {1, 1, (1 << 3) | 2, 5, 'a', 'b'};
    /* tags going backwards */
    const unsigned char back[] = {1, 1, (2 << 3) | 0, 1, (1 << 3) | 0, 1};
    /* wire type 1 is not used */
    const unsigned char wire[] = {1, 1, (1 << 3) | 1, 1};
    /* tag 0 */
    const unsigned char tag0[] = {1, 1, 0, 1};
    /* key without value */
    const unsigned char novalue[] = {1, 1, (1 << 3) | 0};
    ck_assert_int_eq(decode_all(past, sizeof past), LTY_ECORRUPT);
    ck_assert_int_eq(decode_all(back, sizeof back), LTY_ECORRUPT);
    ck_assert_int_eq(decode_all(wire, sizeof wire), LTY_ECORRUPT);
    ck_assert_int_eq(decode_all(tag0, sizeof tag0), LTY_ECORRUPT);
    ck_assert_int_eq(decode_all(novalue, sizeof novalue), LTY_ECORRUPT);
}
END_TEST

START_TEST(random_bytes_never_crash)
{
    unsigned char buf[64];
    srand(12345);
    int corrupt = 0;
    for (int round = 0; round < 200000; round++) {
        size_t n = (size_t)(rand() % (int)sizeof buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = (unsigned char)rand();
        /* decode from a heap copy of exactly n bytes so ASan sees overreads */
        unsigned char *copy = malloc(n ? n : 1);
        memcpy(copy, buf, n);
        int rc = decode_all(copy, n);
        ck_assert(rc == 0 || rc == LTY_ECORRUPT || rc == LTY_EVERSION);
        corrupt += rc == LTY_ECORRUPT;
        free(copy);
    }
    ck_assert_int_gt(corrupt, 0);
}
END_TEST

START_TEST(field_once)
{
    uint64_t seen = 0;
    ck_assert_int_eq(lty__dec_once(&seen, 3), LTY_OK);
    ck_assert_int_eq(lty__dec_once(&seen, 4), LTY_OK);
    ck_assert_int_eq(lty__dec_once(&seen, 3), LTY_ECORRUPT);
    ck_assert_int_eq(lty__dec_once(&seen, 64), LTY_ECORRUPT);
}
END_TEST

START_TEST(utf8_validation)
{
    ck_assert(lty__utf8_valid("plain", 5));
    ck_assert(lty__utf8_valid("회장 님", strlen("회장 님")));
    ck_assert(lty__utf8_valid("\xF0\x9F\x98\x80", 4));    /* emoji */
    ck_assert(!lty__utf8_valid("\xC3\x28", 2));           /* bad continuation */
    ck_assert(!lty__utf8_valid("\xC0\xAF", 2));           /* overlong '/' */
    ck_assert(!lty__utf8_valid("\xE0\x80\xAF", 3));       /* overlong */
    ck_assert(!lty__utf8_valid("\xED\xA0\x80", 3));       /* surrogate */
    ck_assert(!lty__utf8_valid("\xF4\x90\x80\x80", 4));   /* > U+10FFFF */
    ck_assert(!lty__utf8_valid("\xE1\x84", 2));           /* truncated */
    ck_assert(!lty__utf8_valid("\xFF", 1));
    ck_assert(lty__text_valid("a b", 3, LTY__TEXT_LINE));
    ck_assert(!lty__text_valid("a\nb", 3, LTY__TEXT_LINE));
    ck_assert(lty__text_valid("a\nb\tc", 5, LTY__TEXT_MULTILINE));
    ck_assert(!lty__text_valid("a\x01", 2, LTY__TEXT_MULTILINE));
    ck_assert(!lty__text_valid("a\x7F", 2, LTY__TEXT_LINE));
    ck_assert(!lty__text_valid("\xC2\x85", 2, LTY__TEXT_LINE)); /* C1 NEL */
}
END_TEST

START_TEST(calendar_arithmetic)
{
    ck_assert_int_eq(lty__days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(lty__days_from_civil(2000, 3, 1), 11017);
    ck_assert_int_eq(lty__days_from_civil(1969, 12, 31), -1);
    for (int64_t day = -800000; day < 3000000; day += 997) {
        lty_date d;
        lty__civil_from_days(day, &d);
        ck_assert_int_eq(lty__days_from_civil(d.year, d.month, d.day), day);
        ck_assert(d.day >= 1 && d.day <= lty__days_in_month(d.year, d.month));
    }
    ck_assert(lty__is_leap(2000) && lty__is_leap(2024));
    ck_assert(!lty__is_leap(1900) && !lty__is_leap(2025));
    lty_date feb29 = {2025, 2, 29}, feb29_any = {0, 2, 29}, feb29_24 = {2024, 2, 29};
    ck_assert(!lty__date_valid(&feb29, 1));
    ck_assert(lty__date_valid(&feb29_any, 1));
    ck_assert(!lty__date_valid(&feb29_any, 0));
    ck_assert(lty__date_valid(&feb29_24, 0));
    lty_date apr31 = {2026, 4, 31}, m13 = {2026, 13, 1}, d0 = {2026, 1, 0};
    ck_assert(!lty__date_valid(&apr31, 1));
    ck_assert(!lty__date_valid(&m13, 1));
    ck_assert(!lty__date_valid(&d0, 1));
    ck_assert_int_eq(lty__floordiv(-1, 86400), -1);
    ck_assert_int_eq(lty__floordiv(86399, 86400), 0);
}
END_TEST

static Suite *codec_suite(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("codec");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, varint_round_trip);
    tcase_add_test(tc, varint_rejects_overlong_and_oversized);
    tcase_add_test(tc, record_round_trip);
    tcase_add_test(tc, header_checks);
    tcase_add_test(tc, malformed_fields_are_corrupt);
    tcase_add_test(tc, random_bytes_never_crash);
    tcase_add_test(tc, field_once);
    tcase_add_test(tc, utf8_validation);
    tcase_add_test(tc, calendar_arithmetic);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(codec_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
