#!/usr/bin/env bash
# One command from a fresh Debian bookworm machine to Attest playing its sample video:
# installs the Debian packages, fetches and verifies the face models, builds with meson
# (which also makes the sample video from Debian-shipped photographs) and starts the app.
#
# Usage: build-aux/setup.sh [--no-run] [--builddir DIR]
#   --no-run      stop after building (CI uses this)
#   --builddir    build folder (default: build)
# Idempotent: a second run installs nothing, fetches nothing and rebuilds only what changed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
run=yes
builddir=build
while [ $# -gt 0 ]; do
  case "$1" in
    --no-run) run=no ;;
    --builddir) builddir=$2; shift ;;
    --builddir=*) builddir=${1#*=} ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

packages=(
  # build
  build-essential meson ninja-build pkg-config gettext desktop-file-utils appstream
  libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev libgtk-4-bin libadwaita-1-dev libjson-glib-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  libopencv-dev libsqlite3-dev sqlite3 libsodium-dev
  # run and test (headless too)
  xvfb xauth xdotool imagemagick libgl1-mesa-dri gstreamer1.0-tools
  # the screen-reader check: the app's tree over AT-SPI in a D-Bus session of its own
  libatspi2.0-dev at-spi2-core dbus-bin dbus-daemon
  # a network camera for the tests: an RTSP server on 127.0.0.1
  libgstrtspserver-1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-x
  # the real photographs the sample video and the tests are made from
  libdlib19.1
  # manifest check
  flatpak-builder
)

missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] || missing+=("$p")
done
# npm fetches the models; Debian's nodejs here may already bundle it (installing npm beside it conflicts).
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=
  [ "$(id -u)" = 0 ] || sudo=sudo
  echo "Installing ${#missing[@]} Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "Debian packages: all present"
fi

build-aux/fetch-models.sh

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir"
fi
ninja -C "$builddir"

sample="$builddir/build-aux/attest-sample.mp4"
echo "Built. Sample video: $sample"
[ "$run" = yes ] || exit 0

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display: starting Attest under Xvfb (screenshot: $builddir/attest-screenshot.png)"
  GSETTINGS_SCHEMA_DIR="$builddir/data" xvfb-run -a -s "-screen 0 1400x900x24" sh -c \
    "\"$builddir/src/attest\" \"$sample\" & pid=\$!; sleep 10; import -window root \"$builddir/attest-screenshot.png\"; kill \$pid"
  exit 0
fi
exec env GSETTINGS_SCHEMA_DIR="$builddir/data" "$builddir/src/attest" "$sample"
