/*
 * loyalty - the messenger that runs a command per message: `/bin/sh -c
 * COMMAND` with the rendered text on standard input and the message's
 * fields in environment variables, so any gateway (an SMS provider's
 * curl call, a KakaoTalk client, sendmail) can be plugged in.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "messengers.h"
#include "values.h"

#define EXIT_REFUSED 65 /* EX_DATAERR: the message or address is bad */

typedef struct cmd_messenger {
    const cli_ctx *ctx;
    char *command;
} cmd_messenger;

/* In the child: the message's fields as variables, then the shell. */
static void run_child(const cmd_messenger *m, const lty_message *msg, int in)
{
    char due[40], num[32];
    if (dup2(in, 0) < 0 || dup2(2, 1) < 0)
        _exit(127);
    close(in);
    cli_fmt_time_iso(m->ctx, msg->due, due, sizeof due);
    setenv("LOYALTY_MSG_ID", msg->id, 1);
    setenv("LOYALTY_MSG_CUSTOMER", msg->customer_id, 1);
    setenv("LOYALTY_MSG_CHANNEL", cli_channel_name(msg->channel), 1);
    setenv("LOYALTY_MSG_PURPOSE", cli_purpose_name(msg->purpose), 1);
    setenv("LOYALTY_MSG_ADDRESS", msg->address ? msg->address : "", 1);
    setenv("LOYALTY_MSG_TEMPLATE", msg->template_id, 1);
    setenv("LOYALTY_MSG_DUE", due, 1);
    snprintf(num, sizeof num, "%d", msg->attempt);
    setenv("LOYALTY_MSG_ATTEMPT", num, 1);
    execl("/bin/sh", "sh", "-c", m->command, (char *)NULL);
    _exit(127);
}

static int cmd_send(const lty_message *msg, void *userdata)
{
    const cmd_messenger *m = userdata;
    int fd[2];
    if (pipe(fd))
        return LTY_ETEMPORARY;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return LTY_ETEMPORARY;
    }
    if (pid == 0) {
        close(fd[1]);
        run_child(m, msg, fd[0]);
    }
    close(fd[0]);
    /* a command that does not read its input must not kill us: SIGPIPE
     * is ignored while dispatching (cli_messenger_command) */
    size_t len = strlen(msg->text), off = 0;
    while (off < len) {
        ssize_t w = write(fd[1], msg->text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(fd[1]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return LTY_ETEMPORARY;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return LTY_OK;
    if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_REFUSED)
        return LTY_EPERMANENT;
    return LTY_ETEMPORARY;
}

static void cmd_destroy(void *userdata)
{
    cmd_messenger *m = userdata;
    free(m->command);
    free(m);
}

int cli_messenger_command(cli_ctx *ctx, const char *command)
{
    static const lty_messenger_ops ops = {LTY_MESSENGER_OPS_VERSION, cmd_send,
                                          cmd_destroy};
    cmd_messenger *m = calloc(1, sizeof *m);
    if (!m || !(m->command = strdup(command))) {
        free(m);
        cli_errorf("out of memory");
        return CLI_EXIT_ERROR;
    }
    m->ctx = ctx;
    signal(SIGPIPE, SIG_IGN);
    int rc = lty_messenger_register(ctx->engine, &ops, m);
    if (rc) {
        cmd_destroy(m);
        return cli_fail(ctx, "outbox dispatch", rc);
    }
    return 0;
}
