/*
 * libloyalty - return-code texts and the engine's error detail.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "engine_int.h"

const char *lty_strerror(int code)
{
    switch (code) {
    case LTY_OK: return "success";
    case LTY_EINVALID: return "invalid argument";
    case LTY_ENOMEM: return "out of memory";
    case LTY_ENOTFOUND: return "not found";
    case LTY_EEXISTS: return "already exists";
    case LTY_ECONFLICT: return "conflicting concurrent update";
    case LTY_ESTORAGE: return "storage failure";
    case LTY_ECORRUPT: return "corrupt record in storage";
    case LTY_ERANGE: return "value out of range";
    case LTY_ESTATE: return "wrong state for this operation";
    case LTY_ECONSENT: return "no consent";
    case LTY_EVERSION: return "unsupported version";
    case LTY_EPARSE: return "parse error";
    case LTY_ETEMPORARY: return "temporary failure";
    case LTY_EPERMANENT: return "permanent failure";
    case LTY_EUSER: return "user callback failed";
    default: return "unknown error code";
    }
}

int lty__err(lty_engine *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err, sizeof e->err, fmt, ap);
    va_end(ap);
    return code;
}

void lty__err_clear(lty_engine *e)
{
    e->err[0] = '\0';
}

int lty__storage_err(lty_engine *e, int rc, const char *op)
{
    const char *detail = NULL;
    if (e->ops.errmsg)
        detail = e->ops.errmsg(e->sud);
    if (detail && *detail)
        return lty__err(e, rc, "storage %s: %s: %s", op, lty_strerror(rc),
                        detail);
    return lty__err(e, rc, "storage %s: %s", op, lty_strerror(rc));
}

int lty__corrupt(lty_engine *e, int rc, const char *what)
{
    if (rc == LTY_EVERSION)
        return lty__err(e, rc, "%s record: written by a newer library version",
                        what);
    if (rc == LTY_ENOMEM)
        return lty__err(e, rc, "%s record: out of memory while decoding", what);
    return lty__err(e, LTY_ECORRUPT, "%s record: malformed", what);
}

const char *lty_engine_last_error(const lty_engine *e)
{
    if (!e)
        return "no engine";
    return e->err;
}
