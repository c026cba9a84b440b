/*
 * libloyalty - the run-time version.
 *
 * SPDX-License-Identifier: MIT
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "alloc_int.h"
#include "loyalty/version.h"

const char *lty_version(int *major, int *minor, int *patch)
{
    if (major)
        *major = LTY_VERSION_MAJOR;
    if (minor)
        *minor = LTY_VERSION_MINOR;
    if (patch)
        *patch = LTY_VERSION_PATCH;
    return LTY_VERSION_STRING;
}
