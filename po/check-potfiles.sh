#!/bin/sh
# Lists files that hold translatable strings but are missing from po/POTFILES.in.
# TAP-less plain test: exit 1 names the missing files.
top="$1"
cd "$top" || exit 1
missing=0
for f in $(grep -rlE '(_\(|N_\(|C_\(|translatable="yes")' src ui data --include='*.c' --include='*.cpp' --include='*.ui' --include='*.in' --include='*.xml' 2>/dev/null | sort); do
  if ! grep -qx "$f" po/POTFILES.in; then
    echo "not in po/POTFILES.in: $f"
    missing=1
  fi
done
for f in $(grep -v '^#' po/POTFILES.in | grep -v '^$'); do
  if [ ! -f "$f" ]; then
    echo "listed in po/POTFILES.in but missing: $f"
    missing=1
  fi
done
[ "$missing" = 0 ] && echo "POTFILES.in covers every translatable file"
exit $missing
