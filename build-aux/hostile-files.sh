#!/bin/bash
# hostile-files.sh: makes the hostile files of the untrusted-input issue and prints, for each,
# what attest-cli says, how long it took and its peak memory. A measurement for people, not a
# test (the tests assert the messages; this prints the figures).
#
#   build-aux/hostile-files.sh [BUILDDIR]      (default: build)
#
# Needs gst-launch-1.0 and python3 (both installed by setup.sh) and GNU time (/usr/bin/time,
# Debian package "time") for the memory column.
set -u
builddir=$(realpath "${1:-build}")
cli="$builddir/src/attest-cli"
sample="$builddir/build-aux/attest-sample.mp4"
[ -x "$cli" ] || { echo "no $cli: build first" >&2; exit 1; }
work=$(mktemp -d /tmp/attest-hostile-XXXXXX)
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
export ATTEST_KEY_FILE="$work/installation.key"
cd "$work"

# A local web server that logs every request: any request is a leak.
python3 -m http.server 8765 --bind 127.0.0.1 >server.log 2>&1 &
server=$!
printf '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nhttp://127.0.0.1:8765/beacon-segment.ts\n#EXT-X-ENDLIST\n' >case-video.mp4

python3 - <<'EOF'
import struct, zlib
def png(name, w, h, rows=True):
    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    ihdr = struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)
    c = zlib.compressobj(9)
    data = b''
    if rows:
        row = b'\0' * (w + 1)
        for _ in range(h):
            data += c.compress(row)
    data += c.flush()
    with open(name, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', data) + chunk(b'IEND', b''))
png('thin.png', 2, 3000)
png('huge-grey.png', 30000, 30000)
png('claims-100000.png', 100000, 100000, rows=False)
EOF
gst-launch-1.0 -q videotestsrc num-buffers=3 ! video/x-raw,format=I420,width=2,height=30000,framerate=1/1 \
  ! matroskamux ! filesink location=thin-video.mkv
gst-launch-1.0 -q fakesrc num-buffers=1 sizetype=fixed sizemax=64 filltype=zero format=time datarate=64 \
  ! video/x-vp8,width=8000,height=8000,framerate=1/1 ! matroskamux ! filesink location=claims-8000.mkv
cp "$sample" real-video.png
mkfifo fifo.mp4
mkdir -p import/Someone && ln -s /dev/zero import/Someone/zero.jpg
# One person in the gallery, so that scan and identify get past "no faces to compare with".
"$cli" --database gallery.db enrol --identity "Tom Cruise" --basis "dlib example photo" \
  --reviewer "hostile-files.sh" /usr/share/doc/libdlib19.1/examples/faces/Tom_Cruise_avp_2014_4.jpg \
  >/dev/null || exit 1
cp gallery.db read-only.db && chmod 0400 read-only.db

printf '| File | Command | Result | Time | Peak memory |\n|---|---|---|---|---|\n'
run () {  # run NAME COMMAND...
  local name=$1; shift
  local out
  out=$( { timeout -s INT 60 /usr/bin/time -f '@@%e s|%M' "$cli" --database "${database:-gallery.db}" "$@" \
           </dev/null >stdout.txt 2>stderr.txt; } 2>&1 )
  local stats=$(grep -h '@@' stderr.txt | tail -1 | sed 's/@@//')
  local said=$( (grep -hv '@@' stderr.txt; grep -h '"error"' stdout.txt) | grep -v '^$' | head -1 | cut -c1-150)
  printf '| %s | %s | %s | %s | %s MB |\n' "$name" "$1" "${said:-ok}" "${stats%%|*}" \
    "$(( ${stats##*|} / 1024 ))"
}
run "HLS playlist as case-video.mp4" detect case-video.mp4
run "HLS playlist as case-video.mp4" scan case-video.mp4
run "2x3000 PNG (114 B)" detect thin.png
run "2x30000 video, 3 frames" detect thin-video.mkv
run "30000x30000 grey PNG" detect huge-grey.png
run "8000x8000 VP8 header" detect claims-8000.mkv
run "100000x100000 PNG header" detect claims-100000.png
run "FIFO" detect fifo.mp4
run "FIFO" scan fifo.mp4
run "FIFO" enrol --identity X --basis test fifo.mp4
run "folder with a link to /dev/zero" import --basis test import
run "real MP4 named .png" identify real-video.png
database=read-only.db run "0400 gallery" verify-audit
printf '\nRequests the web server received: %s\n' "$(grep -c 'GET' server.log)"
printf 'Read-only gallery mode after verify-audit: %s\n' "$(stat -c %a read-only.db)"
printf 'Sizes: thin.png %s B, huge-grey.png %s B, claims-100000.png %s B, thin-video.mkv %s B\n' \
  "$(stat -c %s thin.png)" "$(stat -c %s huge-grey.png)" "$(stat -c %s claims-100000.png)" \
  "$(stat -c %s thin-video.mkv)"
