# lty_flags.m4 - compiler and linker flag probes for libloyalty.
#
# SPDX-License-Identifier: MIT
#
# LTY_CHECK_CFLAG(FLAG, VARIABLE)
# -------------------------------
# Append FLAG to the shell variable VARIABLE when the C compiler accepts it
# without a diagnostic.  -Werror is added to the probe so that compilers that
# merely warn about an unknown option (clang: "unknown warning option") count
# as rejecting it.  CFLAGS is restored afterwards.
AC_DEFUN([LTY_CHECK_CFLAG],
[AS_VAR_PUSHDEF([lty_cache], [lty_cv_cflag_$1])dnl
AC_CACHE_CHECK([whether $CC accepts $1], [lty_cache],
  [lty_save_CFLAGS=$CFLAGS
   CFLAGS="$CFLAGS $1 -Werror"
   AC_COMPILE_IFELSE([AC_LANG_SOURCE([[
int lty_probe(int x);
int lty_probe(int x) { return x + 1; }
int main(void) { return lty_probe(-1); }
]])],
     [AS_VAR_SET([lty_cache], [yes])],
     [AS_VAR_SET([lty_cache], [no])])
   CFLAGS=$lty_save_CFLAGS])
AS_VAR_IF([lty_cache], [yes], [$2="${$2:+$$2 }$1"])
AS_VAR_POPDEF([lty_cache])dnl
])

# LTY_CHECK_LINK_FLAG(FLAGS, [ACTION-IF-OK], [ACTION-IF-NOT])
# ------------------------------------------------------------
# Check that a program compiles and links with FLAGS in both CFLAGS and
# LDFLAGS (for flags such as -pthread or -fsanitize=...).
AC_DEFUN([LTY_CHECK_LINK_FLAG],
[AC_MSG_CHECKING([whether $CC can compile and link with $1])
lty_save_CFLAGS=$CFLAGS
lty_save_LDFLAGS=$LDFLAGS
CFLAGS="$CFLAGS $1"
LDFLAGS="$LDFLAGS $1"
AC_LINK_IFELSE([AC_LANG_SOURCE([[
#include <stdlib.h>
int main(void) { char *p = malloc(4); if (!p) return 1; p[0] = 0; free(p); return 0; }
]])],
  [lty_link_ok=yes], [lty_link_ok=no])
CFLAGS=$lty_save_CFLAGS
LDFLAGS=$lty_save_LDFLAGS
AC_MSG_RESULT([$lty_link_ok])
AS_IF([test "x$lty_link_ok" = xyes], [$2], [$3])
])
