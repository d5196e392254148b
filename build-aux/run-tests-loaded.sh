#!/usr/bin/env bash
# The whole suite, several times in a row, on a machine kept busy: two CPU-bound processes run
# beside it the whole time (as on a shared 2-core CI runner). Every run must pass: a test that
# waits on a guess of time instead of a condition fails here first.
#
# Usage: build-aux/run-tests-loaded.sh [--runs N] [--hogs N] [--builddir DIR]
#   --runs      how many times to run the suite (default 3)
#   --hogs      how many busy processes beside it (default 2)
# Not part of CI (it takes three times as long); run it after touching a UI or timing test.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
runs=3
hogs=2
builddir=build
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift ;;
    --hogs) hogs=$2; shift ;;
    --builddir) builddir=$2; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "run-tests-loaded.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

pids=()
stop_hogs () {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
}
trap stop_hogs EXIT INT TERM
for _ in $(seq "$hogs"); do
  sh -c 'while :; do :; done' &
  pids+=($!)
done
echo "Running the suite $runs times beside $hogs busy processes (${pids[*]})"

failed=0
for run in $(seq "$runs"); do
  start=$(date +%s)
  log="$builddir/loaded-run-$run.log"
  build-aux/run-tests.sh --builddir "$builddir" > "$log" 2>&1
  status=$?
  echo "run $run: $(tail -n 1 "$log") ($(( $(date +%s) - start )) s; log $log)"
  [ "$status" = 0 ] || failed=$((failed + 1))
done
echo "$((runs - failed)) of $runs runs passed"
[ "$failed" = 0 ]
