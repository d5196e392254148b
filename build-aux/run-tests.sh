#!/usr/bin/env bash
# Runs Attest's whole test suite (after build-aux/setup.sh). UI tests need a display:
# without one the suite runs under xvfb-run. Prints "N passed, N failed, N skipped" last.
# Usage: build-aux/run-tests.sh [--builddir DIR] [meson test arguments...]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
builddir=build
if [ "${1:-}" = --builddir ]; then builddir=$2; shift 2; fi

if [ ! -f "$builddir/build.ninja" ]; then
  echo "run-tests.sh: $builddir is not set up; run build-aux/setup.sh --no-run first" >&2
  exit 2
fi

wrap=()
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  wrap=(xvfb-run -a -s "-screen 0 2600x1500x24")
fi
log=$(mktemp)
"${wrap[@]}" meson test -C "$builddir" --print-errorlogs "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
timeout=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
skip=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
rm -f "$log"
echo "${ok:-0} passed, $(( ${fail:-0} + ${timeout:-0} )) failed, ${skip:-0} skipped"
exit "$status"
