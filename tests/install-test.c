/*
 * libloyalty - tests/install-test.c: a program built against the installed
 * library with nothing but `pkg-config --cflags --libs loyalty` (see
 * tests/install.sh).  Uses only <loyalty.h>.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include <loyalty.h>

static int check(int rc, const char *what, const lty_engine *e)
{
    if (rc != LTY_OK)
        fprintf(stderr, "install-test: %s: %s (%s)\n", what, lty_strerror(rc),
                e ? lty_engine_last_error(e) : "");
    return rc;
}

int main(void)
{
    int major = -1, minor = -1, patch = -1;
    const char *v = lty_version(&major, &minor, &patch);
    printf("libloyalty %s\n", v);
    if (strcmp(v, LTY_VERSION_STRING) != 0 || major != LTY_VERSION_MAJOR ||
        minor != LTY_VERSION_MINOR || patch != LTY_VERSION_PATCH) {
        fprintf(stderr, "install-test: library %s (%d.%d.%d), headers %s\n", v,
                major, minor, patch, LTY_VERSION_STRING);
        return 1;
    }

    lty_memstore *store = NULL;
    lty_storage_ops ops = LTY_STORAGE_OPS_INIT;
    void *conn = NULL;
    if (check(lty_memstore_new(&store, NULL), "lty_memstore_new", NULL))
        return 1;
    if (check(lty_memstore_connect(store, &ops, &conn), "lty_memstore_connect", NULL)) {
        lty_memstore_free(store);
        return 1;
    }

    lty_engine_options opts = LTY_ENGINE_OPTIONS_INIT;
    opts.storage = &ops;
    opts.storage_userdata = conn;
    lty_engine *e = NULL;
    if (check(lty_engine_new(&e, &opts), "lty_engine_new", NULL)) {
        if (ops.destroy)
            ops.destroy(conn);
        lty_memstore_free(store);
        return 1;
    }

    int rc;
    lty_customer_fields f = LTY_CUSTOMER_FIELDS_INIT;
    f.id = "install-1";
    f.set = LTY_FIELD_NAME;
    f.name = "Install Test";
    rc = check(lty_customer_create(e, &f), "lty_customer_create", e);

    lty_event ev = LTY_EVENT_INIT;
    ev.type = LTY_EVENT_PURCHASE;
    ev.id = "install-order-1";
    ev.customer_id = "install-1";
    ev.amount = 1200;
    lty_record_outcome out = LTY_RECORD_OUTCOME_INIT;
    if (rc == LTY_OK)
        rc = check(lty_record(e, &ev, &out), "lty_record", e);

    lty_customer *c = NULL;
    if (rc == LTY_OK)
        rc = check(lty_customer_get(e, "install-1", &c), "lty_customer_get", e);
    if (rc == LTY_OK) {
        lty_customer_stats st = LTY_CUSTOMER_STATS_INIT;
        rc = check(lty_customer_stats_get(c, &st), "lty_customer_stats_get", e);
        if (rc == LTY_OK && (st.purchases != 1 || st.net_spend != 1200)) {
            fprintf(stderr, "install-test: purchases %lld, net spend %lld\n",
                    (long long)st.purchases, (long long)st.net_spend);
            rc = LTY_EUSER;
        }
        if (rc == LTY_OK)
            printf("customer %s: %lld purchase(s), net spend %lld\n",
                   lty_customer_id(c), (long long)st.purchases,
                   (long long)st.net_spend);
    }

    lty_customer_free(c);
    lty_engine_free(e);
    lty_memstore_free(store);
    return rc == LTY_OK ? 0 : 1;
}
