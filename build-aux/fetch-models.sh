#!/usr/bin/env bash
# Fetches Attest's three face models from the npm registry and checks their SHA-256.
# Usage: build-aux/fetch-models.sh [DIR]
#   DIR defaults to $ATTEST_MODELS_DIR, else ${XDG_DATA_HOME:-~/.local/share}/attest/models.
# Idempotent: when all three files are present and correct it does nothing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-${ATTEST_MODELS_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/attest/models}}
sums="$here/models.sha256"
files=(fr_detect.onnx fr_landmark.onnx fr_feature.onnx)

if [ -d "$dir" ] && (cd "$dir" && sha256sum --quiet -c "$sums" >/dev/null 2>&1); then
  echo "Face models present and verified in $dir"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-models: npm is needed to fetch the models (apt-get install npm)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetched=
# The second package ships byte-identical files (checked by sha256 below either way).
for pkg in faceplugin-face-recognition-js@0.0.1 faceplugin@1.0.3; do
  echo "Fetching face models ($pkg)..."
  if (cd "$tmp" && npm pack --silent "$pkg" >/dev/null 2>"$tmp/npm.log"); then
    tgz=$(ls "$tmp"/*.tgz | head -n 1)
    if tar -xzf "$tgz" -C "$tmp" --strip-components=2 \
         package/model/fr_detect.onnx package/model/fr_landmark.onnx package/model/fr_feature.onnx \
       && (cd "$tmp" && sha256sum --quiet -c "$sums"); then
      fetched=yes
      break
    fi
  fi
  rm -f "$tmp"/*.tgz "$tmp"/*.onnx
done
if [ -z "$fetched" ]; then
  echo "fetch-models: could not fetch verified models (see $tmp/npm.log)" >&2
  cat "$tmp/npm.log" >&2 || true
  exit 1
fi

# Attest keeps what it writes about people private; the models folder lives beside the gallery.
mkdir -p "$dir"
chmod 700 "$(dirname "$dir")" 2>/dev/null || true
for f in "${files[@]}"; do
  install -m 0644 "$tmp/$f" "$dir/$f"
done
(cd "$dir" && sha256sum --quiet -c "$sums")
echo "Face models installed and verified in $dir"
