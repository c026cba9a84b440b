#!/bin/sh
# autogen.sh - bootstrap the build system from a git checkout.
# Needs autoconf, automake, libtool and pkg-config (for pkg.m4).
#
# SPDX-License-Identifier: MIT
set -eu
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf -fi
echo "Now run ./configure && make"
