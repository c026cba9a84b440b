/*
 * libloyalty benchmark - outbox: how fast messages are planned and
 * dispatched on the memory store, on one core.
 *
 *   bench/outbox [--customers N] [--messages N] [--batch N]
 *
 * 1. Creates N customers (default 10,000) with a phone and an SMS template
 *    with three placeholders.
 * 2. Plans the messages (default 100,000), one lty_outbox_plan() call
 *    each, spread over the customers, due at once, transactional, with two
 *    parameters: messages planned per second (target: at least 50,000).
 * 3. Dispatches them with lty_outbox_dispatch() in batches (default 1,000)
 *    to a messenger that only counts: messages dispatched per second,
 *    claim, render, send and acknowledgement included (target: at least
 *    50,000).
 * 4. Checks that every message was sent exactly once.
 *
 * Exits 0 when every step ran and every message was sent once (whatever
 * the speed: a slow machine is a MISS, not an error), 1 on any failure, 2
 * on bad arguments.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <loyalty.h>

#define TARGET_PER_SECOND 50000.0
#define NOW INT64_C(1772323200) /* 2026-03-01T00:00:00Z, 09:00 in Seoul */

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return NOW;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct counter {
    long sent;
    size_t bytes;
} counter;

static int count_send(const lty_message *msg, void *ud)
{
    counter *c = ud;
    c->sent++;
    c->bytes += strlen(msg->text);
    return LTY_OK;
}

static int parse_count(const char *s, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > 10000000)
        return -1;
    *out = v;
    return 0;
}

static int fail(lty_engine *e, const char *what, int rc)
{
    fprintf(stderr, "outbox: %s: %s (%s)\n", what, lty_strerror(rc),
            lty_engine_last_error(e));
    return 1;
}

static void row(const char *name, const char *value, const char *target, int ok)
{
    printf("| %-34s | %16s | %14s | %-4s |\n", name, value, target,
           ok ? "PASS" : "MISS");
}

int main(int argc, char **argv)
{
    long customers = 10000, messages = 100000, batch = 1000;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long *dst = strcmp(argv[i], "--customers") == 0  ? &customers
                    : strcmp(argv[i], "--messages") == 0 ? &messages
                    : strcmp(argv[i], "--batch") == 0    ? &batch
                                                         : NULL;
        if (!dst || !v || parse_count(v, dst) || (dst == &batch && batch > 10000)) {
            fprintf(stderr, "usage: outbox [--customers N] [--messages N] [--batch N]\n");
            return 2;
        }
        i++;
    }

    lty_memstore *store = NULL;
    lty_storage_ops ops = LTY_STORAGE_OPS_INIT;
    void *conn = NULL;
    lty_engine *e = NULL;
    if (lty_memstore_new(&store, NULL) || lty_memstore_connect(store, &ops, &conn)) {
        fprintf(stderr, "outbox: cannot open a memory store\n");
        return 1;
    }
    lty_engine_options opts = LTY_ENGINE_OPTIONS_INIT;
    opts.storage = &ops;
    opts.storage_userdata = conn;
    opts.clock = fixed_clock;
    opts.utc_offset_minutes = 540;
    int rc = lty_engine_new(&e, &opts);
    if (rc) {
        fprintf(stderr, "outbox: engine: %s\n", lty_strerror(rc));
        return 1;
    }
    counter cnt = {0, 0};
    lty_messenger_ops mo = LTY_MESSENGER_OPS_INIT;
    mo.send = count_send;
    if ((rc = lty_messenger_register(e, &mo, &cnt)))
        return fail(e, "messenger", rc);
    if ((rc = lty_template_set(e, "reminder", LTY_CHANNEL_SMS, "",
                               "{name}님, {date} {time} 예약을 잊지 마세요.")))
        return fail(e, "template", rc);

    char id[64], name[32], phone[32];
    for (long c = 0; c < customers; c++) {
        lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
        snprintf(id, sizeof id, "c%07ld", c);
        snprintf(name, sizeof name, "Customer %ld", c);
        snprintf(phone, sizeof phone, "010-%04ld-%04ld", (c / 10000) % 10000, c % 10000);
        f.id = id;
        f.set = LTY_FIELD_NAME | LTY_FIELD_PHONE;
        f.name = name;
        f.phone = phone;
        if ((rc = lty_customer_create(e, &f)))
            return fail(e, "customer", rc);
    }

    /* planning */
    double t0 = seconds_now();
    char mid[64], cid[32];
    for (long i = 0; i < messages; i++) {
        lty_param params[2] = {{"date", "2026-03-04"}, {"time", "14:30"}};
        lty_plan_spec p = LTY_PLAN_SPEC_INIT;
        snprintf(mid, sizeof mid, "bench/%08ld", i);
        snprintf(cid, sizeof cid, "c%07ld", i % customers);
        p.id = mid;
        p.customer_id = cid;
        p.template_id = "reminder";
        p.purpose = LTY_PURPOSE_TRANSACTIONAL;
        p.due = NOW;
        p.params = params;
        p.param_count = 2;
        if ((rc = lty_outbox_plan(e, &p)))
            return fail(e, "plan", rc);
    }
    double plan_s = seconds_now() - t0;

    /* dispatching */
    lty_dispatch_report total;
    memset(&total, 0, sizeof total);
    t0 = seconds_now();
    for (;;) {
        lty_dispatch_report r;
        if ((rc = lty_outbox_dispatch(e, LTY_TIME_NOW, (size_t)batch, &r)))
            return fail(e, "dispatch", rc);
        total.claimed += r.claimed;
        total.sent += r.sent;
        total.suppressed += r.suppressed;
        total.dead += r.dead;
        if (r.claimed == 0 && r.suppressed == 0 && r.dead == 0 && r.deferred == 0)
            break;
    }
    double dispatch_s = seconds_now() - t0;

    lty_outbox_filter sent = {NULL, LTY_MSG_SENT, 0, 0};
    size_t nsent = 0;
    if ((rc = lty_outbox_list(e, &sent, NULL, 0, &nsent)))
        return fail(e, "list", rc);
    int once = cnt.sent == messages && (long)nsent == messages &&
               (long)total.sent == messages;

    char buf[64];
    printf("outbox: %ld customers, %ld messages, SMS, batches of %ld, memory "
           "store, one thread\n\n", customers, messages, batch);
    printf("| %-34s | %16s | %14s | %-4s |\n", "figure", "measured", "target", "");
    printf("|%s|%s|%s|%s|\n", "------------------------------------",
           "------------------", "----------------", "------");
    double pr = (double)messages / plan_s, dr = (double)messages / dispatch_s;
    snprintf(buf, sizeof buf, "%.0f/s", pr);
    row("messages planned per second", buf, ">= 50000/s", pr >= TARGET_PER_SECOND);
    snprintf(buf, sizeof buf, "%.0f/s", dr);
    row("messages dispatched per second", buf, ">= 50000/s", dr >= TARGET_PER_SECOND);
    snprintf(buf, sizeof buf, "%ld of %ld", cnt.sent, messages);
    row("sent exactly once", buf, "all", once);
    printf("\nplanned in %.3f s; dispatched in %.3f s (%.0f bytes of text per "
           "message)\n", plan_s, dispatch_s,
           cnt.sent ? (double)cnt.bytes / (double)cnt.sent : 0.0);
    lty_engine_free(e);
    lty_memstore_free(store);
    return once ? 0 : 1;
}
