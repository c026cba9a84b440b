/*
 * libloyalty - plain-text renderings of the briefing and of a card, for
 * printing at the desk and for the caller-ID pop-up.
 *
 * The text is built in a growing buffer with the briefing's (or card's)
 * allocator, then handed to the caller in a block lty_free() releases.
 * Every date and time was turned into local time when the card was built,
 * so rendering needs no engine.
 *
 * A briefing:
 *
 *   Front-desk briefing for 2026-03-02: 3 appointments
 *
 *   09:30  scaling  (R-0001, branch gangnam, staff dr-kim)
 *     Kim Minji  [chart-1001]
 *     ...one line per fact the card has...
 *
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "card_int.h"

/* ------------------------------------------------------------------ */
/* The growing text                                                    */
/* ------------------------------------------------------------------ */

static void text_init(lty__text *t, const lty_allocator *a)
{
    memset(t, 0, sizeof *t);
    t->alloc = a;
}

static int text_reserve(lty__text *t, size_t more)
{
    if (t->failed)
        return -1;
    if (t->n + more + 1 <= t->cap)
        return 0;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->n + more + 1) {
        if (cap > SIZE_MAX / 2) {
            t->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *p = lty__realloc(t->alloc, t->p, cap);
    if (!p) {
        t->failed = 1;
        return -1;
    }
    t->p = p;
    t->cap = cap;
    return 0;
}

static void put(lty__text *t, const char *s, size_t n)
{
    if (text_reserve(t, n))
        return;
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = '\0';
}

static void puts_(lty__text *t, const char *s)
{
    put(t, s, strlen(s));
}

static void printf_(lty__text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void printf_(lty__text *t, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        put(t, small, (size_t)n);
        return;
    }
    if (text_reserve(t, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(t->p + t->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->n += (size_t)n;
}

/* Multi-line text (a note) on one entry: its later lines are indented to
 * stay inside the entry's block. */
static void put_indented(lty__text *t, const char *s, const char *indent)
{
    while (*s) {
        size_t n = strcspn(s, "\r\n");
        put(t, s, n);
        s += n;
        if (*s == '\r' && s[1] == '\n')
            s++;
        if (*s) {
            s++;
            put(t, "\n", 1);
            puts_(t, indent);
        }
    }
}

static void put_date(lty__text *t, const lty_date *d)
{
    printf_(t, "%04d-%02d-%02d", d->year, d->month, d->day);
}

/* Hand the text over in a block for lty_free(). */
static int text_finish(lty__text *t, const lty_allocator *a, char **out,
                       size_t *len)
{
    int rc = LTY_ENOMEM;
    if (!t->failed) {
        char *p = lty__user_alloc(a, t->n + 1);
        if (p) {
            if (t->n)
                memcpy(p, t->p, t->n);
            p[t->n] = '\0';
            *out = p;
            if (len)
                *len = t->n;
            rc = LTY_OK;
        }
    }
    lty__free(t->alloc, t->p);
    return rc;
}

/* ------------------------------------------------------------------ */
/* A card                                                              */
/* ------------------------------------------------------------------ */

static const char *state_text(lty_appointment_state s)
{
    switch (s) {
    case LTY_APPOINTMENT_ARRIVED:
        return "arrived";
    case LTY_APPOINTMENT_NO_SHOW:
        return "no-show";
    case LTY_APPOINTMENT_CANCELLED:
        return "cancelled";
    default:
        return "booked";
    }
}

/* "scaling  (R-0001, branch gangnam, staff dr-kim)" */
static void put_appointment(lty__text *t, const lty_card *c)
{
    const lty_appointment *a = &c->appt;
    printf_(t, "%02d:%02d  %s  (%s", c->appt_minute / 60, c->appt_minute % 60,
            a->item[0] ? a->item : "appointment", a->id);
    if (a->branch[0])
        printf_(t, ", branch %s", a->branch);
    if (a->staff[0])
        printf_(t, ", staff %s", a->staff);
    printf_(t, ", %d min)", a->duration);
    if (a->state != LTY_APPOINTMENT_BOOKED)
        printf_(t, "  [%s]", state_text(a->state));
}

static void put_programs(lty__text *t, const lty_card *c)
{
    int any = 0;
    for (size_t i = 0; i < c->nprog; i++) {
        const lty__card_program *p = &c->prog[i];
        if (!p->title[0])
            continue;
        puts_(t, any ? ", " : "    Standing: ");
        printf_(t, "%s (%s)", p->title, p->name);
        if (p->kind != LTY_PROGRAM_LADDER)
            printf_(t, " %" PRId64 " %s%s", p->balance,
                    p->kind == LTY_PROGRAM_STARS ? "star" : "point",
                    p->balance == 1 || p->balance == -1 ? "" : "s");
        any = 1;
    }
    if (any)
        puts_(t, "\n");
}

static void put_attrs(lty__text *t, const char *head, size_t n,
                      int (*at)(const lty_customer *, size_t, const char **,
                                const char **),
                      const lty_customer *cust)
{
    if (!n)
        return;
    printf_(t, "    %s: ", head);
    for (size_t i = 0; i < n; i++) {
        const char *k, *v;
        if (at(cust, i, &k, &v) != LTY_OK)
            continue;
        if (i)
            puts_(t, "; ");
        printf_(t, "%s = ", k);
        put_indented(t, v, "      ");
    }
    puts_(t, "\n");
}

/* "    ** VIP", "    Segment: Champions (R5 F5 M4)",
 * "    P(alive) 93%; lifetime value 12346" */
static void put_analytics(lty__text *t, const lty_card *c)
{
    if (c->vip)
        puts_(t, "    ** VIP\n");
    if (c->has_rfm)
        printf_(t, "    Segment: %s (R%d F%d M%d)\n", c->segment, c->rfm_r,
                c->rfm_f, c->rfm_m);
    if (c->has_clv)
        printf_(t, "    P(alive) %.0f%%; lifetime value %.0f\n",
                c->p_alive * 100.0, c->clv);
}

void lty__text_card(lty__text *t, const lty_card *c)
{
    /* the heading: the appointment (briefing) or the customer (caller) */
    if (!c->caller && c->has_appt) {
        put_appointment(t, c);
        puts_(t, "\n");
    }
    const char *name = c->cust ? lty_customer_name(c->cust) : NULL;
    printf_(t, "  %s  [%s]", name ? name : (c->cust ? "(no name)" : "(erased)"),
            c->id);
    if (c->cust && lty_customer_phone(c->cust))
        printf_(t, "  %s", lty_customer_phone(c->cust));
    puts_(t, "\n");
    if (c->caller) {
        if (c->has_appt) {
            int today = c->appt_date.year == c->day.year &&
                        c->appt_date.month == c->day.month &&
                        c->appt_date.day == c->day.day;
            puts_(t, today ? "    Today: " : "    Next appointment: ");
            if (!today) {
                put_date(t, &c->appt_date);
                puts_(t, " ");
            }
            put_appointment(t, c);
            puts_(t, "\n");
        } else {
            puts_(t, "    No appointment booked\n");
        }
    }
    if (!c->cust)
        return;

    put_programs(t, c);
    put_analytics(t, c);
    if (c->promo_at >= 0)
        printf_(t, "    ** Promotion due at %s visit: %s (%s) -- prepare the party\n",
                c->caller ? "the next" : "this", c->prog[c->promo_at].next_title,
                c->prog[c->promo_at].name);
    if (c->welcome_back)
        printf_(t, "    ** Welcome back: last visit %" PRId64 " days ago\n",
                c->days_away);
    if (c->last_visit) {
        printf_(t, "    Visits: %" PRId64 "; last ", c->visits);
        put_date(t, &c->last_visit_date);
        if (c->has_last_item)
            printf_(t, " (%s)", c->last_item);
        puts_(t, "\n");
    } else {
        puts_(t, "    First visit\n");
    }
    for (size_t i = 0; i < c->nocc; i++) {
        const lty__card_occasion *o = &c->occ[i];
        if (o->kind == LTY_OCCASION_BIRTHDAY)
            puts_(t, "    Birthday");
        else
            printf_(t, "    Anniversary \"%s\"", o->label);
        if (o->days_until == 0) {
            puts_(t, " today");
        } else {
            puts_(t, " on ");
            put_date(t, &o->on);
            printf_(t, " (in %d day%s", o->days_until,
                    o->days_until == 1 ? "" : "s");
        }
        if (o->years)
            printf_(t, o->kind == LTY_OCCASION_BIRTHDAY ? "%sturns %d"
                                                        : "%s%d years",
                    o->days_until ? ", " : " (", o->years);
        puts_(t, o->days_until || o->years ? ")\n" : "\n");
    }
    put_attrs(t, "Notes", lty_customer_note_count(c->cust),
              lty_customer_note_at, c->cust);
    put_attrs(t, "Preferences", lty_customer_preference_count(c->cust),
              lty_customer_preference_at, c->cust);
    if (c->referrer_id[0]) {
        printf_(t, "    Referred by %s [%s]",
                c->referrer_name     ? c->referrer_name
                : c->referrer_erased ? "(erased)"
                                     : "(no name)",
                c->referrer_id);
        if (c->came_together)
            puts_(t, " -- booked the same day: came together");
        puts_(t, "\n");
    }
    if (c->referrals)
        printf_(t, "    Has referred %zu customer%s\n", c->referrals,
                c->referrals == 1 ? "" : "s");
    if (c->nrewards) {
        printf_(t, "    Rewards ready (%zu): ", c->nrewards);
        for (size_t i = 0; i < c->nrewards; i++)
            printf_(t, "%s%s [%s]", i ? ", " : "", c->rewards[i].name,
                    c->rewards[i].code);
        puts_(t, "\n");
    }
}

/* ------------------------------------------------------------------ */
/* Public                                                              */
/* ------------------------------------------------------------------ */

int lty_card_render_text(const lty_card *c, char **out, size_t *len)
{
    lty__text t;
    if (out)
        *out = NULL;
    if (!c || !out)
        return LTY_EINVALID;
    text_init(&t, &c->alloc);
    lty__text_card(&t, c);
    return text_finish(&t, &c->alloc, out, len);
}

int lty_briefing_render_text(const lty_briefing *b, char **out, size_t *len)
{
    lty__text t;
    if (out)
        *out = NULL;
    if (!b || !out)
        return LTY_EINVALID;
    text_init(&t, &b->alloc);
    puts_(&t, "Front-desk briefing for ");
    put_date(&t, &b->date);
    if (b->n == 0)
        puts_(&t, ": no appointments\n");
    else
        printf_(&t, ": %zu appointment%s\n", b->n, b->n == 1 ? "" : "s");
    for (size_t i = 0; i < b->n; i++) {
        puts_(&t, "\n");
        lty__text_card(&t, b->cards[i]);
    }
    return text_finish(&t, &b->alloc, out, len);
}
