/*
 * libloyalty tests - a throw-away PostgreSQL cluster for the tests.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700  /* nftw */
#define _DEFAULT_SOURCE    /* setgroups */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pgcluster.h"

static void say(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (why && whylen)
        vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
}

/* Copy a string, cut to fit. */
static void copy_str(char *out, size_t outlen, const char *src)
{
    size_t n = strnlen(src, outlen - 1);
    memcpy(out, src, n);
    out[n] = '\0';
}

static int has_tools(const char *dir)
{
    char p[512];
    snprintf(p, sizeof p, "%s/initdb", dir);
    if (access(p, X_OK) != 0)
        return 0;
    snprintf(p, sizeof p, "%s/pg_ctl", dir);
    return access(p, X_OK) == 0;
}

static int find_bindir(char *out, size_t outlen)
{
    const char *path = getenv("PATH");
    if (path) {
        char *copy = strdup(path), *save = NULL;
        for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d;
             d = strtok_r(NULL, ":", &save)) {
            if (*d && has_tools(d)) {
                copy_str(out, outlen, d);
                free(copy);
                return 0;
            }
        }
        free(copy);
    }
    FILE *f = popen("pg_config --bindir 2>/dev/null", "r");
    if (f) {
        char line[200] = "";
        char *got = fgets(line, sizeof line, f);
        pclose(f);
        line[strcspn(line, "\n")] = '\0';
        if (got && *line && has_tools(line)) {
            copy_str(out, outlen, line);
            return 0;
        }
    }
    glob_t g;
    int found = -1;
    if (glob("/usr/lib/postgresql/*/bin", 0, NULL, &g) == 0) {
        for (size_t i = g.gl_pathc; i-- > 0;) { /* the newest version first */
            if (has_tools(g.gl_pathv[i])) {
                copy_str(out, outlen, g.gl_pathv[i]);
                found = 0;
                break;
            }
        }
        globfree(&g);
    }
    return found;
}

/*
 * Run argv with output to logpath; as the user pw when given.  Returns the
 * exit status (0 success), or -1 when it could not run.
 */
static int run(char *const argv[], const char *logpath, const struct passwd *pw)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int toollog = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int null = open("/dev/null", O_RDONLY);
        if (toollog < 0 || null < 0)
            _exit(126);
        dup2(null, 0);
        dup2(toollog, 1);
        dup2(toollog, 2);
        if (pw && (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
                   setuid(pw->pw_uid) != 0))
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The last line of a toollog, for the reason of a failure. */
static void log_tail(const char *path, char *out, size_t outlen)
{
    char buf[4096];
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    char *last = strrchr(buf, '\n');
    copy_str(out, outlen, last ? last + 1 : buf);
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_dir(const char *dir)
{
    if (dir[0])
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int lty_pg_start(lty_pgcluster *c, char *why, size_t whylen)
{
    memset(c, 0, sizeof *c);
    if (find_bindir(c->bindir, sizeof c->bindir) != 0) {
        say(why, whylen, "initdb and pg_ctl were not found (PATH, pg_config "
            "--bindir, /usr/lib/postgresql/*/bin); install PostgreSQL's server "
            "(Debian: postgresql)");
        return -1;
    }
    const struct passwd *pw = NULL;
    struct passwd pwbuf;
    if (geteuid() == 0) {
        pw = getpwnam("postgres");
        if (!pw) {
            say(why, whylen, "running as root, and there is no user "
                "\"postgres\" to run initdb as (initdb refuses root)");
            return -1;
        }
        pwbuf = *pw;
        pw = &pwbuf;
    }
    const char *tmp = getenv("TMPDIR");
    /* short: the socket path must fit in 107 bytes */
    snprintf(c->dir, sizeof c->dir, "%s/ltypg.XXXXXX",
             tmp && *tmp && strlen(tmp) < 60 ? tmp : "/tmp");
    if (!mkdtemp(c->dir)) {
        say(why, whylen, "cannot create a temporary directory %s: %s", c->dir,
            strerror(errno));
        c->dir[0] = '\0';
        return -1;
    }
    if (pw && chown(c->dir, pw->pw_uid, pw->pw_gid) != 0) {
        say(why, whylen, "cannot give %s to the user postgres: %s", c->dir,
            strerror(errno));
        goto fail;
    }
    char initdb[512], pgctl[512], data[300], toollog[300], srvlog[300], opts[600];
    char tail[300];
    snprintf(initdb, sizeof initdb, "%s/initdb", c->bindir);
    snprintf(pgctl, sizeof pgctl, "%s/pg_ctl", c->bindir);
    snprintf(data, sizeof data, "%s/data", c->dir);
    snprintf(toollog, sizeof toollog, "%s/tools.log", c->dir);
    snprintf(srvlog, sizeof srvlog, "%s/server.log", c->dir);
    snprintf(opts, sizeof opts,
             "-c listen_addresses='' -k %s -F -c max_connections=60", c->dir);

    char *a_init[] = {initdb, "-D", data, "-A", "trust", "-U", "postgres",
                      "-E", "UTF8", "--locale=C", "--no-sync", NULL};
    int st = run(a_init, toollog, pw);
    if (st != 0) {
        log_tail(toollog, tail, sizeof tail);
        say(why, whylen, "initdb failed (status %d): %s", st, tail);
        goto fail;
    }
    char *a_start[] = {pgctl, "-w", "-t", "60", "-D", data, "-l", srvlog,
                       "-o", opts, "start", NULL};
    st = run(a_start, toollog, pw);
    if (st != 0) {
        log_tail(srvlog, tail, sizeof tail);
        if (!tail[0])
            log_tail(toollog, tail, sizeof tail);
        say(why, whylen, "pg_ctl start failed (status %d): %s", st, tail);
        char *a_stop[] = {pgctl, "-D", data, "-m", "immediate", "stop", NULL};
        run(a_stop, toollog, pw);
        goto fail;
    }
    c->started = 1;
    snprintf(c->conninfo, sizeof c->conninfo,
             "host=%s user=postgres dbname=postgres", c->dir);
    return 0;
fail:
    remove_dir(c->dir);
    c->dir[0] = '\0';
    return -1;
}

void lty_pg_stop(lty_pgcluster *c)
{
    if (!c || !c->dir[0])
        return;
    if (c->started) {
        const struct passwd *pw = geteuid() == 0 ? getpwnam("postgres") : NULL;
        char pgctl[512], data[300], toollog[300];
        snprintf(pgctl, sizeof pgctl, "%s/pg_ctl", c->bindir);
        snprintf(data, sizeof data, "%s/data", c->dir);
        snprintf(toollog, sizeof toollog, "%s/tools.log", c->dir);
        char *a_stop[] = {pgctl, "-w", "-D", data, "-m", "immediate", "stop", NULL};
        run(a_stop, toollog, pw);
        c->started = 0;
    }
    remove_dir(c->dir);
    c->dir[0] = '\0';
}
