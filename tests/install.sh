#!/bin/sh
# tests/install.sh - the installed library is usable through pkg-config alone.
#
# Installs the build into a temporary DESTDIR, checks what was installed,
# compiles tests/install-test.c with nothing but the compiler flags of the
# build and 'pkg-config --cflags --libs loyalty' (PKG_CONFIG_SYSROOT_DIR maps
# the .pc file's paths into the DESTDIR), runs it against the installed
# shared library, and removes everything again.
#
# Run by 'make check', which sets abs_top_srcdir, abs_top_builddir and the
# LTY_* variables (see AM_TESTS_ENVIRONMENT in Makefile.am).
#
# SPDX-License-Identifier: MIT
set -eu

: "${abs_top_srcdir:?run this test through make check}"
: "${abs_top_builddir:?run this test through make check}"
: "${LTY_MAKE:=make}"
: "${LTY_CC:=cc}"
: "${LTY_CFLAGS:=}"
: "${LTY_LDFLAGS:=}"
: "${LTY_PKG_CONFIG:=pkg-config}"
: "${LTY_LIBDIR:?}"
: "${LTY_INCLUDEDIR:?}"
: "${LTY_PKGCONFIGDIR:?}"
: "${LTY_PACKAGE_VERSION:?}"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
root="$tmp/root"

# 1. Install.  The parent make's flags (jobserver, command-line variables)
# are not meant for this make.
unset MAKEFLAGS MFLAGS MAKELEVEL
# shellcheck disable=SC2086  # LTY_MAKE may carry options
if ! (cd "$abs_top_builddir" && $LTY_MAKE install DESTDIR="$root") >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log" >&2
    fail "make install DESTDIR=$root failed"
fi

# 2. What was installed.
for f in \
    "$LTY_INCLUDEDIR/loyalty.h" \
    "$LTY_INCLUDEDIR/loyalty/common.h" \
    "$LTY_INCLUDEDIR/loyalty/version.h" \
    "$LTY_PKGCONFIGDIR/loyalty.pc"; do
    [ -f "$root$f" ] || fail "$f was not installed"
done
if [ "${LTY_ENABLE_SHARED-yes}" = "yes" ]; then
    [ -f "$root$LTY_LIBDIR/libloyalty.so" ] || fail "$LTY_LIBDIR/libloyalty.so was not installed"
fi
leaked=$(find "$root" \( -name '*_int.h' -o -name 'libloyalty_core*' -o -name 'libltytest*' \) -print)
[ -z "$leaked" ] || fail "internal files were installed: $leaked"
if grep -q '@[A-Za-z_]*@' "$root$LTY_INCLUDEDIR/loyalty/version.h" "$root$LTY_PKGCONFIGDIR/loyalty.pc"; then
    fail "version.h or loyalty.pc has unsubstituted @VARIABLES@"
fi

# 3. Flags from pkg-config only, looking at nothing but the DESTDIR.
PKG_CONFIG_PATH="$root$LTY_PKGCONFIGDIR"
PKG_CONFIG_LIBDIR="$root$LTY_PKGCONFIGDIR"
PKG_CONFIG_SYSROOT_DIR="$root"
PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1
PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
export PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR \
    PKG_CONFIG_ALLOW_SYSTEM_CFLAGS PKG_CONFIG_ALLOW_SYSTEM_LIBS

version=$($LTY_PKG_CONFIG --modversion loyalty) || fail "pkg-config does not find loyalty.pc"
[ "$version" = "$LTY_PACKAGE_VERSION" ] ||
    fail "loyalty.pc says version $version, the package is $LTY_PACKAGE_VERSION"
static=
if [ "${LTY_ENABLE_SHARED-yes}" != "yes" ]; then
    static=--static
fi
cflags=$($LTY_PKG_CONFIG --cflags loyalty)
libs=$($LTY_PKG_CONFIG $static --libs loyalty)
case "$cflags" in
    *"$root"*) ;;
    *) fail "pkg-config --cflags loyalty gave '$cflags', not a path in $root" ;;
esac
echo "pkg-config --cflags --libs loyalty: $cflags $libs"

# 4. Compile, link and run the program against the installed files.
# shellcheck disable=SC2086  # the flag variables are word lists
if ! $LTY_CC $LTY_CFLAGS $cflags -o "$tmp/install-test" \
        "$abs_top_srcdir/tests/install-test.c" $LTY_LDFLAGS $libs \
        >"$tmp/cc.log" 2>&1; then
    cat "$tmp/cc.log" >&2
    fail "tests/install-test.c does not build against the installed library"
fi
cat "$tmp/cc.log"

LD_LIBRARY_PATH="$root$LTY_LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
if [ -n "$static" ]; then
    :
elif command -v ldd >/dev/null 2>&1; then
    where=$(ldd "$tmp/install-test" | grep 'libloyalty\.so' || true)
    case "$where" in
        *"$root"*) ;;
        *) fail "install-test does not load the installed libloyalty.so: $where" ;;
    esac
fi

if ! "$tmp/install-test" >"$tmp/run.log" 2>&1; then
    cat "$tmp/run.log" >&2
    fail "install-test failed"
fi
cat "$tmp/run.log"
grep -q "libloyalty $LTY_PACKAGE_VERSION" "$tmp/run.log" ||
    fail "install-test did not report version $LTY_PACKAGE_VERSION"

echo "PASS: installed library, headers and loyalty.pc work"
