/*
 * libloyalty tests - program definition files: lty_program_load_text() and
 * lty_program_load_file().  Syntax errors, definition errors, messages
 * (origin:line: and the key, never a value), all-or-nothing, line endings
 * and comments, and the example files in examples/programs.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <loyalty.h>

#include "testutil.h"

#ifndef LTY_EXAMPLES_PROGRAMS_DIR
#error "LTY_EXAMPLES_PROGRAMS_DIR must name examples/programs (see Makefile.am)"
#endif

static lty_test_env t;

static void setup(void)
{
    lty_test_env_open(&t);
}

static void teardown(void)
{
    lty_test_env_close(&t);
}

static int load(const char *text)
{
    return lty_program_load_text(t.e, text, strlen(text), "t.ini");
}

static size_t program_count(void)
{
    size_t n = 99;
    int rc = lty_program_list(t.e, NULL, 0, &n);
    ck_assert_msg(rc == LTY_OK, "lty_program_list: %s (%s)", lty_strerror(rc),
                  lty_engine_last_error(t.e));
    return n;
}

static void assert_prefix(const char *prefix)
{
    const char *m = lty_engine_last_error(t.e);
    ck_assert_msg(strncmp(m, prefix, strlen(prefix)) == 0,
                  "last error '%s' does not begin with '%s'", m, prefix);
}

static void example_path(char *buf, size_t size, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", LTY_EXAMPLES_PROGRAMS_DIR, name);
    ck_assert(n > 0 && (size_t)n < size);
}

/* The text of a file (asserts), NUL-terminated; free() it. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = malloc(1 << 20);
    ck_assert_ptr_nonnull(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* A temporary file with the given bytes; the path is in tmpl. */
static void write_temp(char tmpl[64], const char *data, size_t len)
{
    const char *dir = getenv("TMPDIR");
    snprintf(tmpl, 64, "%s/ltyprogXXXXXX", dir && strlen(dir) < 40 ? dir : "/tmp");
    int fd = mkstemp(tmpl);
    ck_assert_msg(fd >= 0, "mkstemp");
    ck_assert(write(fd, data, len) == (ssize_t)len);
    close(fd);
}

/* A program that is valid by itself, to append to broken ones. */
#define LADDER_OK \
    "[program ok]\nkind = ladder\nname = OK\n[step]\nvisits = 1\ntitle = A\n"

/* ------------------------------------------------------------------ */
/* Errors: code, "t.ini:LINE:", the key, nothing stored                 */
/* ------------------------------------------------------------------ */

typedef struct bad_case {
    const char *text;
    int code;
    const char *prefix;  /* the message begins with it */
    const char *mention; /* and mentions it (the key, mostly) */
} bad_case;

static const bad_case bad_cases[] = {
    /* Syntax */
    {"[program a]\nkind ladder\n", LTY_EPARSE, "t.ini:2:", "key = value"},
    {"[program a]\n  just words\n", LTY_EPARSE, "t.ini:2:", "key = value"},
    {"[program a]\n= ladder\n", LTY_EPARSE, "t.ini:2:", "no key"},
    {"[program a\nkind = ladder\n", LTY_EPARSE, "t.ini:1:", "section header"},
    {"[program a] # comment\n", LTY_EPARSE, "t.ini:1:", "section header"},
    {"[]\n", LTY_EPARSE, "t.ini:1:", "section header"},
    {"[ \t]\n", LTY_EPARSE, "t.ini:1:", "section header"},
    {"[program]\nkind = ladder\n", LTY_EPARSE, "t.ini:1:", "[program ID]"},
    {"[program  ]\n", LTY_EPARSE, "t.ini:1:", "[program ID]"},
    {LADDER_OK "[step 2]\nvisits = 2\ntitle = B\n", LTY_EPARSE, "t.ini:7:",
     "[step] takes no id"},
    {"[step]\nvisits = 1\ntitle = A\n", LTY_EPARSE, "t.ini:1:",
     "[step] before any [program]"},
    {"# a comment\n\n[tier]\nname = Gold\n" LADDER_OK, LTY_EPARSE, "t.ini:3:",
     "[tier] before any [program]"},
    {"[earn]\n", LTY_EPARSE, "t.ini:1:", "[earn] before any [program]"},
    {"[prize]\n", LTY_EPARSE, "t.ini:1:", "[prize] before any [program]"},
    {"kind = ladder\n" LADDER_OK, LTY_EPARSE, "t.ini:1:", "'kind'"},
    {LADDER_OK "[bonus]\n", LTY_EPARSE, "t.ini:7:", "unknown section [bonus]"},
    {LADDER_OK "[Step]\n", LTY_EPARSE, "t.ini:7:", "unknown section [Step]"},
    {"[programs a]\n", LTY_EPARSE, "t.ini:1:", "unknown section [programs]"},
    /* Keys */
    {"[program a]\nkind = stars\nname = A\n[earn]\nper = visit\nearn = 1\n"
     "[tier]\nname = Base\ntresh = 5\n",
     LTY_EPARSE, "t.ini:9:", "unknown key 'tresh' in [tier]"},
    {"[program a]\nkind = ladder\nmedicall = yes\n", LTY_EPARSE, "t.ini:3:",
     "unknown key 'medicall' in [program]"},
    {"[program a]\nKind = ladder\n", LTY_EPARSE, "t.ini:2:",
     "unknown key 'Kind'"},
    {LADDER_OK "name = again\n", LTY_EPARSE, "t.ini:7:", "unknown key 'name' in [step]"},
    {"[program a]\nkind = ladder\nkind = stars\n", LTY_EPARSE, "t.ini:3:",
     "key 'kind' given twice in [program] (first at line 2)"},
    {LADDER_OK "title = B\n", LTY_EPARSE, "t.ini:7:", "key 'title' given twice"},
    {LADDER_OK "[program ok]\nkind = ladder\n", LTY_EPARSE, "t.ini:7:",
     "program ok: given twice (first at line 1)"},
    /* Required keys: the line of the section */
    {"[program a]\nname = A\n[step]\nvisits = 1\ntitle = A\n", LTY_EPARSE,
     "t.ini:1:", "missing key 'kind' in [program a]"},
    {"[program a]\nkind = ladder\n", LTY_EPARSE, "t.ini:1:",
     "missing key 'name'"},
    {"[program a]\nkind = ladder\nname = A\n\n[step]\nvisits = 1\n\n",
     LTY_EPARSE, "t.ini:5:", "missing key 'title' in [step]"},
    {"[program a]\nkind = ladder\nname = A\n[step]\ntitle = A\n" LADDER_OK,
     LTY_EPARSE, "t.ini:4:", "missing key 'visits' in [step]"},
    {"[program a]\nkind = stars\nname = A\n[earn]\nper = visit\n[tier]\n",
     LTY_EPARSE, "t.ini:4:", "missing key 'earn' in [earn]"},
    {"[program a]\nkind = stars\nname = A\n[earn]\nearn = 1\n", LTY_EPARSE,
     "t.ini:4:", "missing key 'per'"},
    {"[program a]\nkind = stars\nname = A\n[earn]\nper = visit\nearn = 1\n"
     "[tier]\nname = T\n",
     LTY_EPARSE, "t.ini:7:", "missing key 'threshold' in [tier]"},
    {"[program a]\nkind = stars\nname = A\n[earn]\nper = visit\nearn = 1\n"
     "[tier]\nthreshold = 0\n",
     LTY_EPARSE, "t.ini:7:", "missing key 'name' in [tier]"},
    {"[program a]\nkind = draw\nname = A\n[prize]\nname = P\nkind = service\n",
     LTY_EPARSE, "t.ini:4:", "missing key 'odds_ppm' in [prize]"},
    {"[program a]\nkind = draw\nname = A\n[prize]\nname = P\nodds_ppm = 5\n",
     LTY_EPARSE, "t.ini:4:", "missing key 'kind' in [prize]"},
    /* Numbers */
    {"[program a]\nkind = ladder\nname = A\n[step]\nvisits = 1.5\n",
     LTY_EPARSE, "t.ini:5:", "key 'visits': not a decimal integer"},
    {"[program a]\nkind = ladder\nname = A\n[step]\nvisits = 1,000\n",
     LTY_EPARSE, "t.ini:5:", "'visits'"},
    {"[program a]\nkind = ladder\nname = A\n[step]\nvisits = +3\n",
     LTY_EPARSE, "t.ini:5:", "'visits'"},
    {"[program a]\nkind = ladder\nname = A\n[step]\nvisits = 012\n",
     LTY_EPARSE, "t.ini:5:", "'visits'"},
    {"[program a]\nkind = ladder\nname = A\n[step]\nvisits = 0x10\n",
     LTY_EPARSE, "t.ini:5:", "'visits'"},
    {"[program a]\nkind = ladder\nname = A\n[step]\nvisits =\n",
     LTY_EPARSE, "t.ini:5:", "'visits'"},
    {"[program a]\nkind = ladder\nname = A\n[step]\nvisits = 1 2\n",
     LTY_EPARSE, "t.ini:5:", "'visits'"},
    {"[program a]\nkind = ladder\nname = A\n[step]\nvisits = -\n",
     LTY_EPARSE, "t.ini:5:", "'visits'"},
    {"[program a]\nkind = ladder\nname = A\n[step]\n"
     "visits = 9223372036854775808\n",
     LTY_EPARSE, "t.ini:5:", "key 'visits': number out of range"},
    {"[program a]\nkind = ladder\nname = A\n[step]\n"
     "visits = -9223372036854775809\n",
     LTY_EPARSE, "t.ini:5:", "key 'visits': number out of range"},
    {"[program a]\nkind = stars\nname = A\ngrace_days = 2147483648\n",
     LTY_EPARSE, "t.ini:4:", "key 'grace_days': number out of range"},
    {"[program a]\nkind = points\nname = A\nexpiry = after 99999999999\n",
     LTY_EPARSE, "t.ini:4:", "key 'expiry': number out of range"},
    {"[program a]\nkind = stars\nname = A\nwindow = rolling 1e3\n",
     LTY_EPARSE, "t.ini:4:", "key 'window': not a decimal integer"},
    /* Words */
    {"[program a]\nkind = ladders\n", LTY_EPARSE, "t.ini:2:",
     "key 'kind': expected ladder, stars, points or draw"},
    {"[program a]\nkind = Ladder\n", LTY_EPARSE, "t.ini:2:", "'kind'"},
    {"[program a]\nkind =\n", LTY_EPARSE, "t.ini:2:", "'kind'"},
    {"[program a]\nkind = ladder\nmedical = Yes\n", LTY_EPARSE, "t.ini:3:",
     "key 'medical': expected"},
    {"[program a]\nkind = ladder\nmedical = 2\n", LTY_EPARSE, "t.ini:3:",
     "'medical'"},
    {"[program a]\nkind = stars\nwindow = rolling\n", LTY_EPARSE, "t.ini:3:",
     "key 'window': expected lifetime, calendar-year or rolling DAYS"},
    {"[program a]\nkind = stars\nwindow = lifetime 3\n", LTY_EPARSE,
     "t.ini:3:", "'window'"},
    {"[program a]\nkind = stars\nwindow = yearly\n", LTY_EPARSE, "t.ini:3:",
     "'window'"},
    {"[program a]\nkind = stars\ndowngrade = sometimes\n", LTY_EPARSE,
     "t.ini:3:", "key 'downgrade': expected never, period-end or on-refund"},
    {"[program a]\nkind = points\nexpiry = after\n", LTY_EPARSE, "t.ini:3:",
     "'expiry'"},
    {"[program a]\nkind = points\nexpiry = end-of-week\n", LTY_EPARSE,
     "t.ini:3:", "key 'expiry': expected never, end-of-month, end-of-year or "
     "after DAYS"},
    {"[program a]\nkind = stars\nname = A\n[earn]\nper = visits\n", LTY_EPARSE,
     "t.ini:5:", "key 'per': expected amount, visit or item"},
    {"[program a]\nkind = stars\nname = A\n[earn]\nper = visit\nearn = 1\n"
     "[tier]\nname = T\nthreshold = 0\nreward_kind = coupon\n",
     LTY_EPARSE, "t.ini:10:", "key 'reward_kind': expected service, discount "
     "or cash"},
    {"[program a]\nkind = draw\nname = A\n[prize]\nkind = money\n", LTY_EPARSE,
     "t.ini:5:", "'kind'"},
    /* Bytes */
    {"[program a]\nkind = ladder\nname = \xff\n", LTY_EPARSE, "t.ini:3:",
     "UTF-8"},
    {"[program a]\nkind = ladder\nname = \xc0\xaf\n", LTY_EPARSE, "t.ini:3:",
     "UTF-8"},
    {"[program a]\nkind = ladder\nname = \xed\xa0\x80\n", LTY_EPARSE,
     "t.ini:3:", "UTF-8"},
    {"# \xe2\x82\n" LADDER_OK, LTY_EPARSE, "t.ini:1:", "UTF-8"},
    /* Empty */
    {"", LTY_EINVALID, "t.ini: ", "no [program] section"},
    {"# nothing but comments\n; and blanks\n\n \t\n", LTY_EINVALID, "t.ini: ",
     "no [program] section"},
    /* Definition rules (lty__program_define_all): the program's line */
    {"[program a]\nkind = ladder\nname = A\n[step]\nvisits = 3\ntitle = A\n"
     "[step]\nvisits = 2\ntitle = B\n",
     LTY_EINVALID, "t.ini:1: program a: ", "steps[1] visits"},
    {"[program a]\nkind = ladder\nname = A\n", LTY_EINVALID,
     "t.ini:1: program a: ", "steps"},
    {"[program a]\nkind = ladder\nname = A\nwindow = lifetime\n[step]\n"
     "visits = 1\ntitle = A\n",
     LTY_EINVALID, "t.ini:1: program a: ", "window"},
    {"[program a]\nkind = ladder\nname = A\n[step]\nvisits = 1\ntitle = A\n"
     "[tier]\nname = T\nthreshold = 0\n",
     LTY_EINVALID, "t.ini:1: program a: ", "tiers"},
    {"[program a]\nkind = ladder\nname =\n[step]\nvisits = 1\ntitle = A\n",
     LTY_EINVALID, "t.ini:1: program a: ", "name"},
    {"[program a]\nkind = stars\nname = A\n[earn]\nper = visit\nearn = 1\n",
     LTY_EINVALID, "t.ini:1: program a: ", "tiers"},
    {"[program a]\nkind = stars\nname = A\n[earn]\nper = visit\nearn = 1\n"
     "[tier]\nname = T\nthreshold = 5\n",
     LTY_EINVALID, "t.ini:1: program a: ", "tiers[0] threshold"},
    {LADDER_OK "\n# the second program\n[program b c]\nkind = points\n"
     "name = B\nmedical = yes\n[earn]\nper = visit\nearn = 1\n[tier]\n"
     "name = T\nthreshold = 0\nreward_every = 10\nreward = R\n"
     "reward_kind = cash\n",
     LTY_EINVALID, "t.ini:9: program b c: ", "tiers[0] reward_kind"},
    {"[program a]\nkind = ladder\nname = A\n[step]\nvisits = 1\n"
     "title = \x01\n",
     LTY_EINVALID, "t.ini:1: program a: ", "steps[0] title"},
};

START_TEST(errors_name_line_and_key_and_store_nothing)
{
    const bad_case *c = &bad_cases[_i];
    int rc = load(c->text);
    ck_assert_msg(rc == c->code, "case %d: got %s (%s), want %s", _i,
                  lty_strerror(rc), lty_engine_last_error(t.e),
                  lty_strerror(c->code));
    assert_prefix(c->prefix);
    lty_assert_err_mentions(t.e, c->mention);
    ck_assert_uint_eq(program_count(), 0);
}
END_TEST

START_TEST(null_arguments)
{
    ck_assert_int_eq(lty_program_load_text(NULL, "x", 1, NULL), LTY_EINVALID);
    ck_assert_int_eq(lty_program_load_file(NULL, "x.ini"), LTY_EINVALID);
    ck_assert_int_eq(lty_program_load_text(t.e, NULL, 0, "t.ini"),
                     LTY_EINVALID);
    ck_assert_str_ne(lty_engine_last_error(t.e), "");
    ck_assert_int_eq(lty_program_load_file(t.e, NULL), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "path");
    /* Empty text (not NULL) is a file without programs. */
    ck_assert_int_eq(lty_program_load_text(t.e, "", 0, NULL), LTY_EINVALID);
    assert_prefix("(text): ");
    ck_assert_uint_eq(program_count(), 0);
}
END_TEST

START_TEST(line_length_limit)
{
    /* 4096 bytes of content are fine, with either line end; 4097 are not. */
    size_t cap = 8192;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    for (int crlf = 0; crlf < 2; crlf++) {
        memset(s, 0, cap);
        s[0] = '#';
        memset(s + 1, 'x', 4095);
        strcat(s, crlf ? "\r\n" : "\n");
        strcat(s, LADDER_OK);
        ck_assert_int_eq(load(s), LTY_OK);
    }
    lty_test_env_close(&t);
    lty_test_env_open(&t);
    memset(s, 0, cap);
    strcpy(s, LADDER_OK "# ");
    size_t n = strlen(s);
    memset(s + n, 'y', 4095);
    strcat(s, "\n");
    ck_assert_int_eq(load(s), LTY_EPARSE);
    assert_prefix("t.ini:7:");
    lty_assert_err_mentions(t.e, "4096");
    ck_assert_uint_eq(program_count(), 0);
    free(s);
}
END_TEST

START_TEST(nul_byte_is_refused)
{
    static const char text[] = "[program a]\nkind = ladder\nna\0me = A\n";
    ck_assert_int_eq(lty_program_load_text(t.e, text, sizeof text - 1, "t.ini"),
                     LTY_EPARSE);
    assert_prefix("t.ini:3:");
    lty_assert_err_mentions(t.e, "NUL");
    /* A NUL after the last newline, too. */
    static const char text2[] = LADDER_OK "\0";
    ck_assert_int_eq(lty_program_load_text(t.e, text2, sizeof text2, "t.ini"),
                     LTY_EPARSE);
    assert_prefix("t.ini:7:");
    ck_assert_uint_eq(program_count(), 0);
}
END_TEST

START_TEST(text_over_one_mib_is_refused)
{
    size_t n = (size_t)1024 * 1024;
    char *s = malloc(n + 2);
    ck_assert_ptr_nonnull(s);
    /* Exactly 1 MiB: a program and comment lines. */
    strcpy(s, LADDER_OK);
    size_t at = strlen(s);
    while (at < n) {
        size_t line = n - at > 1000 ? 1000 : n - at;
        memset(s + at, ' ', line);
        s[at] = '#';
        s[at + line - 1] = '\n';
        at += line;
    }
    ck_assert_int_eq(lty_program_load_text(t.e, s, n, "t.ini"), LTY_OK);
    lty_test_env_close(&t);
    lty_test_env_open(&t);
    s[n] = '\n';
    ck_assert_int_eq(lty_program_load_text(t.e, s, n + 1, "t.ini"),
                     LTY_EPARSE);
    assert_prefix("t.ini: ");
    lty_assert_err_mentions(t.e, "1 MiB");
    ck_assert_uint_eq(program_count(), 0);

    char path[64];
    write_temp(path, s, n + 1);
    ck_assert_int_eq(lty_program_load_file(t.e, path), LTY_EPARSE);
    assert_prefix(path);
    lty_assert_err_mentions(t.e, "1 MiB");
    unlink(path);
    ck_assert_uint_eq(program_count(), 0);
    free(s);
}
END_TEST

START_TEST(messages_never_quote_values)
{
    /* Personal data typed into the wrong file must not reach the log. */
    static const char *const texts[] = {
        "[program a]\nkind = 김민지 010-1234-5678\n",
        "[program a]\nkind = ladder\nname = A\n[step]\n"
        "visits = 김민지 010-1234-5678\n",
        "[program a]\nkind = ladder\nname = A\n[step]\nvisits = 1\n"
        "title = 김민지 010-1234-5678 김민지 010-1234-5678 김민지 010-1234-5678\n",
        "[program a]\nkind = stars\nwindow = rolling 김민지 010-1234-5678\n",
        "[program a]\nkind = ladder\nname = 김민지 010-1234-5678\x01\n"
        "[step]\nvisits = 1\ntitle = A\n",
        "[program a]\nkind = ladder\nname = 김민지 010-1234-5678\n"
        "name = 김민지 010-1234-5678\n",
        "[program a]\nkind = ladder\n김민지 010-1234-5678\n",
        /* keys and section names are quoted only when short and printable */
        "[program a]\nkind = ladder\n김민지\x01" "010-1234-5678 = x\n",
        "[김민지\x01" "010-1234-5678]\n",
        "[program 김민지 010-1234-5678 김민지 010-1234-5678 "
        "김민지 010-1234-5678]\nkind = ladder\nname = A\n[step]\nvisits = 1\n"
        "title = A\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        int rc = load(texts[i]);
        ck_assert_msg(rc == LTY_EPARSE || rc == LTY_EINVALID,
                      "text %zu: %s", i, lty_strerror(rc));
        const char *m = lty_engine_last_error(t.e);
        ck_assert_msg(strstr(m, "010-1234") == NULL && strstr(m, "김민지") == NULL,
                      "text %zu: message quotes a value: %s", i, m);
        assert_prefix("t.ini:");
    }
    ck_assert_uint_eq(program_count(), 0);
}
END_TEST

START_TEST(origin_in_messages)
{
    const char *text = "[program a]\nkind = nope\n";
    ck_assert_int_eq(lty_program_load_text(t.e, text, strlen(text), NULL),
                     LTY_EPARSE);
    assert_prefix("(text):2: ");
    /* A long origin (a deep path) keeps its end. */
    char origin[300];
    memset(origin, 'd', sizeof origin);
    memcpy(origin, "/very/deep/", 11);
    strcpy(origin + 280, "/programs.ini");
    ck_assert_int_eq(lty_program_load_text(t.e, text, strlen(text), origin),
                     LTY_EPARSE);
    assert_prefix("...");
    lty_assert_err_mentions(t.e, "/programs.ini:2: key 'kind'");
    ck_assert_uint_lt(strlen(lty_engine_last_error(t.e)), 200);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Keys map to the definition's fields                                  */
/* ------------------------------------------------------------------ */

/* Each key given an out-of-range value: the definition check names the
 * field the key maps to. */
typedef struct map_case {
    const char *text;
    const char *field;
} map_case;

#define STARS_HEAD "[program s]\nkind = stars\nname = S\n"
#define EARN_VISIT "[earn]\nper = visit\nearn = 1\n"
#define TIER0 "[tier]\nname = Base\nthreshold = 0\n"
#define POINTS_HEAD "[program p]\nkind = points\nname = P\n"
#define DRAW_HEAD "[program d]\nkind = draw\nname = D\n"

static const map_case map_cases[] = {
    {"[program l]\nkind = ladder\nname = L\n[step]\nvisits = 0\ntitle = A\n",
     "steps[0] visits"},
    {STARS_HEAD "[earn]\nper = amount\nper_amount = 0\nearn = 1\n" TIER0,
     "rules[0] per_amount"},
    {STARS_HEAD EARN_VISIT "[earn]\nper = visit\nearn = 0\n" TIER0,
     "rules[1] earn"},
    {STARS_HEAD "[earn]\nper = amount\nper_amount = 10\nearn = 1\nitem = X\n"
     TIER0, "rules[0] item"},
    {STARS_HEAD "[earn]\nper = item\nearn = 1\n" TIER0, "rules[0] item"},
    {STARS_HEAD EARN_VISIT TIER0 "[tier]\nname = G\nthreshold = 5\n"
     "multiplier = 50\n", "tiers[1] multiplier"},
    {STARS_HEAD EARN_VISIT TIER0 "[tier]\nname = G\nthreshold = 5\n"
     "reward_every = -1\n", "tiers[1] reward_every"},
    {STARS_HEAD EARN_VISIT TIER0 "[tier]\nname = G\nthreshold = 5\n"
     "reward_every = 3\nreward_kind = service\n", "tiers[1] reward"},
    {STARS_HEAD EARN_VISIT TIER0 "[tier]\nname = G\nthreshold = 5\n"
     "reward_every = 3\nreward = R\n", "tiers[1] reward_kind"},
    {STARS_HEAD EARN_VISIT TIER0 "[tier]\nname = G\nthreshold = 5\n"
     "reward_every = 3\nreward = R\nreward_kind = cash\nreward_value = -1\n",
     "tiers[1] reward_value"},
    {STARS_HEAD EARN_VISIT TIER0 "[tier]\nname = G\nthreshold = 5\n"
     "reward_every = 3\nreward = R\nreward_kind = discount\n"
     "reward_valid_days = 4000\n", "tiers[1] reward_valid_days"},
    {STARS_HEAD EARN_VISIT TIER0 "[tier]\nname = G\nthreshold = 5\n"
     "reward_value = 5\n", "tiers[1] reward"},
    {STARS_HEAD "window = rolling 0\n" EARN_VISIT TIER0, "window_days"},
    {STARS_HEAD "window = rolling 3661\n" EARN_VISIT TIER0, "window_days"},
    {STARS_HEAD "window = lifetime\ndowngrade = period-end\n" EARN_VISIT TIER0,
     "downgrade"},
    {STARS_HEAD "window = calendar-year\ndowngrade = period-end\n"
     "grace_days = 367\n" EARN_VISIT TIER0, "grace_days"},
    {STARS_HEAD "window = calendar-year\ndowngrade = period-end\n"
     "downgrade_notice_days = 367\n" EARN_VISIT TIER0,
     "downgrade_notice_days"},
    {STARS_HEAD "downgrade = never\ngrace_days = 3\n" EARN_VISIT TIER0,
     "grace_days"},
    {STARS_HEAD "expiry = never\n" EARN_VISIT TIER0, "expiry"},
    {STARS_HEAD "lock_days = 3\n" EARN_VISIT TIER0, "lock_days"},
    {POINTS_HEAD "expiry = after 0\n" EARN_VISIT, "expiry_days"},
    {POINTS_HEAD "expiry = end-of-month\nlock_days = 367\n" EARN_VISIT,
     "lock_days"},
    {POINTS_HEAD "expiry = after 30\nexpiry_notice_days = 367\n" EARN_VISIT,
     "expiry_notice_days"},
    {POINTS_HEAD "expiry = never\nexpiry_notice_days = 3\n" EARN_VISIT,
     "expiry_notice_days"},
    {POINTS_HEAD "medical = true\n" EARN_VISIT TIER0 "[tier]\nname = G\n"
     "threshold = 5\nreward_every = 3\nreward = R\nreward_kind = discount\n",
     "tiers[1] reward_kind"},
    {DRAW_HEAD "[prize]\nname = P\nkind = service\nodds_ppm = 0\n",
     "prizes[0] odds_ppm"},
    {DRAW_HEAD "[prize]\nname = P\nkind = service\nodds_ppm = 600000\n"
     "[prize]\nname = Q\nkind = cash\nodds_ppm = 500000\n",
     "prizes[1] odds_ppm"},
    {DRAW_HEAD "[prize]\nname = P\nkind = service\nodds_ppm = 1\nvalue = -1\n",
     "prizes[0] value"},
    {DRAW_HEAD "[prize]\nname = P\nkind = service\nodds_ppm = 1\n"
     "daily_cap = -1\n", "prizes[0] daily_cap"},
    {DRAW_HEAD "[prize]\nname = P\nkind = service\nodds_ppm = 1\n"
     "valid_days = 3661\n", "prizes[0] valid_days"},
    {DRAW_HEAD "medical = 1\n[prize]\nname = P\nkind = cash\nodds_ppm = 1\n",
     "prizes[0] kind"},
    {DRAW_HEAD "[prize]\nname = \nkind = cash\nodds_ppm = 1\n",
     "prizes[0] name"},
    {DRAW_HEAD "window = calendar-year\n[prize]\nname = P\nkind = cash\n"
     "odds_ppm = 1\n", "window"},
};

START_TEST(keys_map_to_definition_fields)
{
    const map_case *c = &map_cases[_i];
    int rc = load(c->text);
    ck_assert_msg(rc == LTY_EINVALID, "case %d: got %s (%s)", _i,
                  lty_strerror(rc), lty_engine_last_error(t.e));
    assert_prefix("t.ini:1: program ");
    lty_assert_err_mentions(t.e, c->field);
    ck_assert_uint_eq(program_count(), 0);
}
END_TEST

START_TEST(every_word_is_accepted)
{
    /* medical: yes/true/1 forbid a cash prize, no/false/0 allow it. */
    static const struct {
        const char *w;
        int medical;
    } bools[] = {{"yes", 1}, {"true", 1}, {"1", 1},
                 {"no", 0},  {"false", 0}, {"0", 0}};
    char text[512];
    for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++) {
        snprintf(text, sizeof text,
                 DRAW_HEAD "medical = %s\n[prize]\nname = P\nkind = cash\n"
                 "odds_ppm = 10\n", bools[i].w);
        int rc = load(text);
        ck_assert_msg(rc == (bools[i].medical ? LTY_EINVALID : LTY_OK),
                      "medical = %s: %s (%s)", bools[i].w, lty_strerror(rc),
                      lty_engine_last_error(t.e));
    }
    static const char *const currency[] = {
        STARS_HEAD "window = lifetime\ndowngrade = never\n" EARN_VISIT TIER0,
        STARS_HEAD "window = lifetime\ndowngrade = on-refund\n" EARN_VISIT
            TIER0,
        STARS_HEAD "window = calendar-year\ndowngrade = period-end\n"
            "grace_days = 0\ndowngrade_notice_days = 366\n" EARN_VISIT TIER0,
        STARS_HEAD "window =  rolling \t 3660 \ndowngrade = period-end\n"
            EARN_VISIT TIER0,
        POINTS_HEAD "expiry = never\n" EARN_VISIT,
        POINTS_HEAD "expiry = end-of-month\nexpiry_notice_days = 7\n"
            EARN_VISIT,
        POINTS_HEAD "expiry = end-of-year\nlock_days = 366\n" EARN_VISIT,
        POINTS_HEAD "expiry = after 3660\n[earn]\nper = amount\n"
            "per_amount = 1000\nearn = 2\n[earn]\nper = item\nitem = SCALING\n"
            "earn = 500\n" EARN_VISIT,
        DRAW_HEAD "[prize]\nname = A\nkind = service\nodds_ppm = 1\n"
            "[prize]\nname = B\nkind = discount\nodds_ppm = 1\nvalue = 1000\n"
            "daily_cap = 3\nvalid_days = 30\n[prize]\nname = C\nkind = cash\n"
            "odds_ppm = 999998\n",
    };
    for (size_t i = 0; i < sizeof currency / sizeof currency[0]; i++) {
        int rc = load(currency[i]);
        ck_assert_msg(rc == LTY_OK, "text %zu: %s (%s)", i, lty_strerror(rc),
                      lty_engine_last_error(t.e));
    }
    lty_program_info info;
    ck_assert_int_eq(lty_program_info_get(t.e, "d", &info), LTY_OK);
    ck_assert_int_eq(info.kind, LTY_PROGRAM_DRAW);
    ck_assert_uint_eq(info.levels, 3);
    ck_assert_int_eq(lty_program_info_get(t.e, "s", &info), LTY_OK);
    ck_assert_int_eq(info.kind, LTY_PROGRAM_STARS);
    ck_assert_uint_eq(info.levels, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Layout: line ends, comments, blanks, ids                             */
/* ------------------------------------------------------------------ */

START_TEST(crlf_comments_and_blanks)
{
    static const char text[] =
        "\xEF\xBB\xBF# a byte-order mark, then a comment\r\n"
        "; another comment\r\n"
        "   # an indented comment\r\n"
        "\t; and another\r\n"
        "\r\n"
        "  \t \r\n"
        "  [ program   my card  ]  \r\n"
        "kind=ladder\r\n"
        "\tname\t=\t A # not a comment; = kept \t\r\n"
        "\r\n"
        "[step]\r\n"
        "visits   =   1\r\n"
        "title = 주임\r\n"
        "#[step]\r\n"
        ";visits = 2\r\n"
        "[step]\n" /* mixed line ends */
        "visits = 3\n"
        "title = 계장\r"; /* no final newline */
    ck_assert_int_eq(lty_program_load_text(t.e, text, sizeof text - 1, "t.ini"),
                     LTY_OK);
    lty_program_info info;
    ck_assert_int_eq(lty_program_info_get(t.e, "my card", &info), LTY_OK);
    ck_assert_int_eq(info.kind, LTY_PROGRAM_LADDER);
    ck_assert_str_eq(info.name, "A # not a comment; = kept");
    ck_assert_uint_eq(info.levels, 2);
    ck_assert_uint_eq(program_count(), 1);
}
END_TEST

START_TEST(crlf_line_numbers)
{
    static const char text[] =
        "# comment\r\n\r\n[program a]\r\nkind = ladder\r\nname = A\r\n"
        "bogus = 1\r\n";
    ck_assert_int_eq(load(text), LTY_EPARSE);
    assert_prefix("t.ini:6: unknown key 'bogus'");
    /* A lone CR does not end a line: it stays in the key. */
    static const char text2[] = "[program a]\rkind = ladder\n";
    ck_assert_int_eq(load(text2), LTY_EPARSE);
    assert_prefix("t.ini:1:");
    ck_assert_uint_eq(program_count(), 0);
}
END_TEST

START_TEST(crlf_file_matches_lf_file)
{
    char path[512];
    example_path(path, sizeof path, "starcard.ini");
    size_t n;
    char *lf = slurp(path, &n);
    char *crlf = malloc(2 * n + 1);
    ck_assert_ptr_nonnull(crlf);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (lf[i] == '\n')
            crlf[m++] = '\r';
        crlf[m++] = lf[i];
    }
    char tmp[64];
    write_temp(tmp, crlf, m);
    int rc = lty_program_load_file(t.e, tmp);
    ck_assert_msg(rc == LTY_OK, "%s", lty_engine_last_error(t.e));
    unlink(tmp);
    lty_program_info info;
    ck_assert_int_eq(lty_program_info_get(t.e, "starcard", &info), LTY_OK);
    ck_assert_str_eq(info.name, "Star Card");
    ck_assert_uint_eq(info.levels, 3);
    free(lf);
    free(crlf);
}
END_TEST

/* ------------------------------------------------------------------ */
/* All or nothing                                                       */
/* ------------------------------------------------------------------ */

START_TEST(second_program_invalid_defines_neither)
{
    static const char text[] =
        LADDER_OK
        "\n"
        "[program second]\n"          /* line 8 */
        "kind = stars\n"
        "name = Second\n"
        "[earn]\nper = visit\nearn = 1\n"
        "[tier]\nname = Base\nthreshold = 0\n"
        "[tier]\nname = Same\nthreshold = 0\n"; /* not ascending */
    ck_assert_int_eq(load(text), LTY_EINVALID);
    assert_prefix("t.ini:8: program second: ");
    lty_assert_err_mentions(t.e, "tiers[1] threshold");
    ck_assert_uint_eq(program_count(), 0);
    lty_program_info info;
    ck_assert_int_eq(lty_program_info_get(t.e, "ok", &info), LTY_ENOTFOUND);

    /* A syntax error after a valid program: nothing either. */
    ck_assert_int_eq(load(LADDER_OK "[program x]\nkind = stars\nnope\n"),
                     LTY_EPARSE);
    assert_prefix("t.ini:9:");
    ck_assert_uint_eq(program_count(), 0);

    /* A valid file after the failures defines everything. */
    ck_assert_int_eq(load(LADDER_OK "[program two]\nkind = ladder\n"
                          "name = Two\n[step]\nvisits = 2\ntitle = B\n"),
                     LTY_OK);
    ck_assert_uint_eq(program_count(), 2);
}
END_TEST

START_TEST(too_many_programs)
{
    /* More programs than a store holds: refused whole. */
    size_t cap = 64 * 1024;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    s[0] = '\0';
    for (int i = 0; i <= LTY_PROGRAMS_MAX; i++) {
        char one[160];
        snprintf(one, sizeof one,
                 "[program p%d]\nkind = ladder\nname = P\n[step]\nvisits = 1\n"
                 "title = T\n", i);
        strcat(s, one);
    }
    int rc = load(s);
    ck_assert_int_eq(rc, LTY_ERANGE);
    assert_prefix("t.ini: ");
    ck_assert_uint_eq(program_count(), 0);
    free(s);
}
END_TEST

START_TEST(many_program_ids_are_checked_for_duplicates)
{
    /* Duplicate detection over many ids (the parser hashes them). */
    size_t cap = 256 * 1024;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    size_t at = 0;
    for (int i = 0; i < 5000; i++)
        at += (size_t)snprintf(s + at, cap - at, "[program p%d]\nkind = draw\n"
                               "name = P\n", i);
    at += (size_t)snprintf(s + at, cap - at, "[program p4321]\n");
    ck_assert_int_eq(lty_program_load_text(t.e, s, at, "t.ini"), LTY_EPARSE);
    assert_prefix("t.ini:15001: program p4321: given twice (first at line "
                  "12964)");
    ck_assert_uint_eq(program_count(), 0);
    free(s);
}
END_TEST

START_TEST(redefining_keeps_one_program)
{
    char path[512];
    example_path(path, sizeof path, "tsukada.ini");
    ck_assert_int_eq(lty_program_load_file(t.e, path), LTY_OK);
    int rc = lty_program_load_file(t.e, path);
    ck_assert_msg(rc == LTY_OK, "%s", lty_engine_last_error(t.e));
    ck_assert_uint_eq(program_count(), 1);
    lty_program_info info;
    ck_assert_int_eq(lty_program_info_get(t.e, "tsukada", &info), LTY_OK);
    ck_assert_uint_eq(info.levels, 9);
    /* The kind cannot change: the engine's code is kept, with the line. */
    ck_assert_int_eq(load("\n[program tsukada]\nkind = draw\nname = X\n"
                          "[prize]\nname = P\nkind = service\nodds_ppm = 5\n"),
                     LTY_ESTATE);
    assert_prefix("t.ini:2: program tsukada: ");
    ck_assert_int_eq(lty_program_info_get(t.e, "tsukada", &info), LTY_OK);
    ck_assert_int_eq(info.kind, LTY_PROGRAM_LADDER);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Files                                                                */
/* ------------------------------------------------------------------ */

static const struct {
    const char *file, *id, *name;
    lty_program_kind kind;
    size_t levels;
} examples[] = {
    {"tsukada.ini", "tsukada", "츠카다 농장 명함", LTY_PROGRAM_LADDER, 9},
    {"starcard.ini", "starcard", "Star Card", LTY_PROGRAM_STARS, 3},
    {"clinic-points.ini", "clinic-points", "미소치과 포인트",
     LTY_PROGRAM_POINTS, 3},
};

START_TEST(example_files_load)
{
    char path[512];
    example_path(path, sizeof path, examples[_i].file);
    int rc = lty_program_load_file(t.e, path);
    ck_assert_msg(rc == LTY_OK, "%s: %s (%s)", examples[_i].file,
                  lty_strerror(rc), lty_engine_last_error(t.e));
    ck_assert_str_eq(lty_engine_last_error(t.e), "");
    lty_program_info info;
    ck_assert_int_eq(lty_program_info_get(t.e, examples[_i].id, &info), LTY_OK);
    ck_assert_int_eq(info.kind, examples[_i].kind);
    ck_assert_str_eq(info.name, examples[_i].name);
    ck_assert_uint_eq(info.levels, examples[_i].levels);
    ck_assert_int_eq(info.def_version, 1);
    ck_assert_uint_eq(program_count(), 1);
}
END_TEST

START_TEST(example_files_in_one_text)
{
    char *all = calloc(1, 1 << 16);
    ck_assert_ptr_nonnull(all);
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        char path[512];
        example_path(path, sizeof path, examples[i].file);
        char *one = slurp(path, NULL);
        ck_assert_uint_lt(strlen(all) + strlen(one), (1 << 16) - 2);
        strcat(all, one);
        strcat(all, "\n");
        free(one);
    }
    int rc = load(all);
    ck_assert_msg(rc == LTY_OK, "%s", lty_engine_last_error(t.e));
    char ids[4][LTY_ID_MAX + 1];
    size_t n = 0;
    ck_assert_int_eq(lty_program_list(t.e, ids, 4, &n), LTY_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(ids[0], "clinic-points");
    ck_assert_str_eq(ids[1], "starcard");
    ck_assert_str_eq(ids[2], "tsukada");
    free(all);
}
END_TEST

START_TEST(ladder_from_file_ranks_visits)
{
    char path[512];
    example_path(path, sizeof path, "tsukada.ini");
    ck_assert_int_eq(lty_program_load_file(t.e, path), LTY_OK);
    lty_test_customer(t.e, "c1", NULL, NULL);
    for (int d = 0; d < 3; d++) {
        char ev[16];
        snprintf(ev, sizeof ev, "v%d", d);
        lty_test_event(t.e, ev, "c1", LTY_TEST_NOW - (3 - d) * 86400, -1, NULL);
    }
    lty_program_status st = LTY_PROGRAM_STATUS_INIT;
    int rc = lty_program_status_get(t.e, "c1", "tsukada", &st);
    ck_assert_msg(rc == LTY_OK, "%s", lty_engine_last_error(t.e));
    ck_assert_int_eq(st.visits, 3);
    ck_assert_int_eq(st.level, 1);
    ck_assert_str_eq(st.title, "계장");
    ck_assert_str_eq(st.next_title, "과장");
    ck_assert_int_eq(st.to_next, 3);
}
END_TEST

START_TEST(unreadable_files)
{
    ck_assert_int_eq(lty_program_load_file(t.e, "/nonexistent/programs.ini"),
                     LTY_ESTORAGE);
    assert_prefix("/nonexistent/programs.ini: cannot open: ");
    lty_assert_err_mentions(t.e, "No such file");
    /* A directory opens but cannot be read. */
    int rc = lty_program_load_file(t.e, LTY_EXAMPLES_PROGRAMS_DIR);
    ck_assert_int_eq(rc, LTY_ESTORAGE);
    assert_prefix("");
    lty_assert_err_mentions(t.e, "cannot");
    ck_assert_uint_eq(program_count(), 0);
}
END_TEST

START_TEST(file_errors_carry_the_path)
{
    static const char text[] = "[program a]\nkind = ladder\nname = A\n"
                               "[step]\nvisits = one\n";
    char path[64];
    write_temp(path, text, sizeof text - 1);
    ck_assert_int_eq(lty_program_load_file(t.e, path), LTY_EPARSE);
    char prefix[80];
    snprintf(prefix, sizeof prefix, "%s:5: key 'visits'", path);
    assert_prefix(prefix);
    /* An empty file. */
    write_temp(path, "", 0);
    ck_assert_int_eq(lty_program_load_file(t.e, path), LTY_EINVALID);
    lty_assert_err_mentions(t.e, "no [program] section");
    unlink(path);
    ck_assert_uint_eq(program_count(), 0);
}
END_TEST

static Suite *program_config_suite(void)
{
    Suite *s = suite_create("program_config");
    TCase *tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, errors_name_line_and_key_and_store_nothing, 0,
                        (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tc, null_arguments);
    tcase_add_test(tc, line_length_limit);
    tcase_add_test(tc, nul_byte_is_refused);
    tcase_add_test(tc, text_over_one_mib_is_refused);
    tcase_add_test(tc, messages_never_quote_values);
    tcase_add_test(tc, origin_in_messages);
    suite_add_tcase(s, tc);

    tc = tcase_create("mapping");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, keys_map_to_definition_fields, 0,
                        (int)(sizeof map_cases / sizeof map_cases[0]));
    tcase_add_test(tc, every_word_is_accepted);
    suite_add_tcase(s, tc);

    tc = tcase_create("layout");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, crlf_comments_and_blanks);
    tcase_add_test(tc, crlf_line_numbers);
    tcase_add_test(tc, crlf_file_matches_lf_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("all or nothing");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, second_program_invalid_defines_neither);
    tcase_add_test(tc, too_many_programs);
    tcase_add_test(tc, many_program_ids_are_checked_for_duplicates);
    tcase_add_test(tc, redefining_keeps_one_program);
    suite_add_tcase(s, tc);

    tc = tcase_create("files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, example_files_load, 0,
                        (int)(sizeof examples / sizeof examples[0]));
    tcase_add_test(tc, example_files_in_one_text);
    tcase_add_test(tc, ladder_from_file_ranks_visits);
    tcase_add_test(tc, unreadable_files);
    tcase_add_test(tc, file_errors_carry_the_path);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(program_config_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
