/*
 * loyalty - the messenger that writes each message as a JSON file into a
 * spool directory, for a gateway process that picks them up.  A file
 * appears whole or not at all (written under a temporary name, synced,
 * renamed), and is named after the message id, so a message sent again
 * after an interrupted dispatch replaces its own file: the id is the
 * gateway's idempotency key.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "messengers.h"
#include "output.h"
#include "values.h"

typedef struct spool {
    const cli_ctx *ctx;
    char *dir;
} spool;

void cli_message_json(const cli_ctx *ctx, const lty_message *m, FILE *f)
{
    char due[40];
    cli_fmt_time_iso(ctx, m->due, due, sizeof due);
    fputs("{\"id\": ", f);
    cli_json_string(f, m->id);
    fputs(", \"customer_id\": ", f);
    cli_json_string(f, m->customer_id);
    fprintf(f, ", \"channel\": \"%s\", \"purpose\": \"%s\", \"address\": ",
            cli_channel_name(m->channel), cli_purpose_name(m->purpose));
    if (m->address)
        cli_json_string(f, m->address);
    else
        fputs("null", f);
    fputs(", \"template_id\": ", f);
    cli_json_string(f, m->template_id);
    fputs(", \"text\": ", f);
    cli_json_string(f, m->text);
    fprintf(f, ", \"due\": \"%s\", \"due_unix\": %" PRId64 ", \"attempt\": %d}",
            due, m->due, m->attempt);
}

/* The id with every byte outside [A-Za-z0-9._-] written %XX: ids hold
 * '/', and a name must not start with '.' (the temporary files do). */
static void file_name(const char *id, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)id; *p && o + 4 < size; p++) {
        int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
                    (*p == '.' && p != (const unsigned char *)id);
        if (plain)
            out[o++] = (char)*p;
        else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
}

static int spool_send(const lty_message *msg, void *userdata)
{
    const spool *s = userdata;
    char name[LTY_MESSAGE_ID_MAX * 3 + 1];
    file_name(msg->id, name, sizeof name);
    size_t n = strlen(s->dir) + strlen(name) + 16;
    char *tmp = malloc(n), *final = malloc(n);
    int rc = LTY_ETEMPORARY;
    FILE *f = NULL;
    if (!tmp || !final)
        goto out;
    snprintf(tmp, n, "%s/.%s.tmp", s->dir, name);
    snprintf(final, n, "%s/%s.json", s->dir, name);
    if (!(f = fopen(tmp, "w")))
        goto out;
    cli_message_json(s->ctx, msg, f);
    fputc('\n', f);
    if (fflush(f) || ferror(f) || fsync(fileno(f))) {
        fclose(f);
        unlink(tmp);
        goto out;
    }
    if (fclose(f) || rename(tmp, final)) {
        unlink(tmp);
        goto out;
    }
    /* the rename itself reaches the disk with the directory */
    int dfd = open(s->dir, O_RDONLY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    rc = LTY_OK;
out:
    free(tmp);
    free(final);
    return rc;
}

static void spool_destroy(void *userdata)
{
    spool *s = userdata;
    free(s->dir);
    free(s);
}

int cli_messenger_spool(cli_ctx *ctx, const char *dir)
{
    static const lty_messenger_ops ops = {LTY_MESSENGER_OPS_VERSION, spool_send,
                                          spool_destroy};
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK)) {
        cli_errorf("outbox dispatch: --spool: %s is not a writable directory", dir);
        return CLI_EXIT_ERROR;
    }
    spool *s = calloc(1, sizeof *s);
    if (!s || !(s->dir = strdup(dir))) {
        free(s);
        cli_errorf("out of memory");
        return CLI_EXIT_ERROR;
    }
    s->ctx = ctx;
    int rc = lty_messenger_register(ctx->engine, &ops, s);
    if (rc) {
        spool_destroy(s);
        return cli_fail(ctx, "outbox dispatch", rc);
    }
    return 0;
}
