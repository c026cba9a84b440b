/*
 * Test driver for the command line's data modules (cli/import_csv.c,
 * cli/demo_data.c, cli/report_html.c) over a SQLite store, for
 * tests/cli/data.sh.
 *
 *   data_driver demo DB [CUSTOMERS]       populate; print the summary
 *   data_driver import DB KIND FILE [BATCH]
 *                                          import; print the summary and
 *                                          every rejected line
 *   data_driver customer DB ID            print a customer's name, phone,
 *                                          visits and net spend (exit 3
 *                                          when there is none)
 *   data_driver appointment DB ID         print an appointment's state
 *   data_driver report DB FILE            write the HTML report
 *
 * $DATA_DRIVER_PROGRESS names a file import draws its progress bar into.
 * The store runs with synchronous NORMAL (FULL when $DATA_DRIVER_DURABLE
 * is set).  The engine runs at UTC+9 with its clock fixed at 2026-06-15T12:00 KST, so
 * runs are repeatable.  Exit codes: 0 ok, 1 failure, 2 usage, 3 not found,
 * 4 import with rejected rows.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <loyalty.h>
#include <loyalty/sqlite.h>

#include "../../cli/demo_data.h"
#include "../../cli/import_csv.h"
#include "../../cli/report_html.h"

#define NOW INT64_C(1781492400) /* 2026-06-15T03:00:00Z */

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return NOW;
}

static lty_engine *open_store(const char *path)
{
    lty_sqlite_options so = LTY_SQLITE_OPTIONS_INIT;
    so.synchronous_full = getenv("DATA_DRIVER_DURABLE") != NULL;
    lty_storage_ops ops;
    void *conn = NULL;
    if (lty_sqlite_open(path, &so, &ops, &conn) != LTY_OK) {
        fprintf(stderr, "data_driver: %s: %s\n", path, lty_sqlite_open_error());
        return NULL;
    }
    lty_engine_options o = LTY_ENGINE_OPTIONS_INIT;
    o.storage = &ops;
    o.storage_userdata = conn;
    o.clock = fixed_clock;
    o.utc_offset_minutes = 540;
    lty_engine *e = NULL;
    if (lty_engine_new(&e, &o) != LTY_OK) {
        fprintf(stderr, "data_driver: engine: %s\n", lty_engine_last_error(NULL));
        ops.destroy(conn);
        return NULL;
    }
    return e;
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int demo(lty_engine *e, size_t n)
{
    struct cli_demo_summary s;
    double t0 = seconds();
    int rc = cli_demo_populate(e, 42, n, NOW, &s);
    double t = seconds() - t0;
    if (rc != LTY_OK) {
        fprintf(stderr, "data_driver: demo: %s: %s\n", lty_strerror(rc), s.message);
        return 1;
    }
    printf("seconds=%.2f\ncustomers=%zu\nevents=%zu\npurchases=%zu\nrefunds=%zu\n"
           "feedback=%zu\nappointments_past=%zu\narrived=%zu\nno_shows=%zu\n"
           "cancelled=%zu\nappointments_future=%zu\nreferrals=%zu\nconsents=%zu\n"
           "treatments=%zu\nrfm_customers=%zu\nclv_customers=%zu\n"
           "campaign_members=%zu\nmessages_sent=%zu\n",
           t, s.customers, s.events, s.purchases, s.refunds, s.feedback,
           s.appointments_past, s.arrived, s.no_shows, s.cancelled,
           s.appointments_future, s.referrals, s.consents, s.treatments,
           s.rfm_customers, s.clv_customers, s.campaign_members, s.messages_sent);
    return 0;
}

static int import(lty_engine *e, const char *kind, const char *file, size_t batch)
{
    struct cli_import_summary *s = malloc(sizeof *s);
    if (!s)
        return 1;
    /* $DATA_DRIVER_PROGRESS: a file to draw the progress bar into. */
    const char *pp = getenv("DATA_DRIVER_PROGRESS");
    FILE *progress = pp ? fopen(pp, "w") : NULL;
    int rc = cli_import_file_batch(e, kind, file, progress, batch, s);
    if (progress)
        fclose(progress);
    printf("rc=%s\nrows=%zu\naccepted=%zu\nduplicates=%zu\nrejected=%zu\n"
           "held_back=%zu\nbatches=%zu\nbatches_rejected=%zu\n",
           rc == LTY_OK ? "ok" : lty_strerror(rc), s->rows, s->accepted,
           s->duplicates, s->rejected, s->held_back, s->batches,
           s->batches_rejected);
    for (size_t i = 0; i < s->error_count; i++)
        printf("line %lu: %s\n", s->errors[i].line, s->errors[i].reason);
    if (s->errors_omitted)
        printf("omitted=%zu\n", s->errors_omitted);
    if (s->message[0])
        printf("message=%s\n", s->message);
    free(s);
    return rc == LTY_OK ? 0 : rc == LTY_EINVALID ? 4 : 1;
}

static int customer(lty_engine *e, const char *id)
{
    lty_customer *c = NULL;
    int rc = lty_customer_get(e, id, &c);
    if (rc == LTY_ENOTFOUND)
        return 3;
    if (rc)
        return 1;
    lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
    lty_customer_stats_get(c, &st);
    printf("name=%s\nphone=%s\nvisits=%" PRId64 "\nnet_spend=%" PRId64 "\n",
           lty_customer_name(c) ? lty_customer_name(c) : "",
           lty_customer_phone(c) ? lty_customer_phone(c) : "", st.visits,
           st.net_spend);
    lty_customer_free(c);
    return 0;
}

static int appointment(lty_engine *e, const char *id)
{
    static const char *const names[] = {"?", "booked", "arrived", "no_show", "cancelled"};
    lty_appointment a = LTY_APPOINTMENT_INIT;
    int rc = lty_appointment_get(e, id, &a);
    if (rc == LTY_ENOTFOUND)
        return 3;
    if (rc)
        return 1;
    printf("state=%s\ncustomer=%s\n", names[a.state >= 1 && a.state <= 4 ? a.state : 0],
           a.customer_id);
    return 0;
}

static int report(lty_engine *e, const char *file)
{
    FILE *f = fopen(file, "w");
    if (!f) {
        perror(file);
        return 1;
    }
    double t0 = seconds();
    /* The demo's campaigns: the library cannot list them. */
    static const char *const campaigns[] = {CLI_DEMO_WINBACK, CLI_DEMO_WINBACK_NEXT};
    struct cli_report_options o = {"미소피부과 &amp; <test>", campaigns, 2, 0, "\xe2\x82\xa9"};
    int rc = cli_report_html_ex(e, NOW, &o, f);
    if (fclose(f) != 0 && rc == LTY_OK)
        rc = LTY_ESTORAGE;
    if (rc != LTY_OK) {
        fprintf(stderr, "data_driver: report: %s: %s\n", lty_strerror(rc),
                lty_engine_last_error(e));
        return 1;
    }
    printf("report_seconds=%.2f\n", seconds() - t0);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: data_driver demo|import|customer|appointment|report DB ...\n");
        return 2;
    }
    const char *cmd = argv[1];
    lty_engine *e = open_store(argv[2]);
    if (!e)
        return 1;
    int rc = 2;
    if (strcmp(cmd, "demo") == 0)
        rc = demo(e, argc > 3 ? (size_t)atol(argv[3]) : 2000);
    else if (strcmp(cmd, "import") == 0 && argc >= 5)
        rc = import(e, argv[3], argv[4],
                    argc > 5 ? (size_t)atol(argv[5]) : CLI_IMPORT_BATCH_ROWS);
    else if (strcmp(cmd, "customer") == 0 && argc == 4)
        rc = customer(e, argv[3]);
    else if (strcmp(cmd, "appointment") == 0 && argc == 4)
        rc = appointment(e, argv[3]);
    else if (strcmp(cmd, "report") == 0 && argc == 4)
        rc = report(e, argv[3]);
    lty_engine_free(e);
    return rc;
}
