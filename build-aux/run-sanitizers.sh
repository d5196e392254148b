#!/usr/bin/env bash
# The whole test suite, the fuzz test included, built with AddressSanitizer and
# UndefinedBehaviorSanitizer (after build-aux/setup.sh, which installs what it needs).
# Any memory error or undefined behaviour aborts the test that hit it. Leak checking is off:
# GLib, GStreamer and fontconfig keep one-time allocations for the life of the process.
# Takes about 35 minutes on a 2-core machine, so CI does not run it; run it before a release.
# Usage: build-aux/run-sanitizers.sh [--builddir DIR] [meson test arguments...]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
builddir=build-sanitize
if [ "${1:-}" = --builddir ]; then builddir=$2; shift 2; fi

export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:detect_odr_violation=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" -Db_sanitize=address,undefined -Db_lundef=false || exit 2
fi
ninja -C "$builddir" || exit 2
# Sanitized code runs 2 to 4 times slower: the tests' own time limits stretch with it.
exec build-aux/run-tests.sh --builddir "$builddir" --timeout-multiplier 4 "$@"
