#!/bin/sh
# tests/no-check.sh - stands in for the Check suites when configure did not
# find Check, so that 'make check' fails instead of passing with nothing run.
#
# SPDX-License-Identifier: MIT
echo "FAIL: Check (the unit test framework) was not found by configure:" >&2
echo "      install check / libcheck (Debian/Ubuntu: apt-get install check;" >&2
echo "      Fedora: dnf install check-devel; macOS: brew install check)" >&2
echo "      and re-run configure." >&2
exit 1
