#!/bin/bash
# Peak resident memory of the running app (VmHWM) under Xvfb, as it is opened, zoomed in,
# panned, zoomed out to the whole basemap, and as it exports the opening view at 3840×2160.
# Needs xvfb and xdotool; builds the release app.
#
#   bash benches/peak_memory.sh
#
# Prints VmHWM after each step: the peak so far. The export is driven by clicking where the
# buttons are in the default 1400×880 window of a first start; if the PNG does not appear the
# script says so and fails.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/sinokaz-atlas
home=$(mktemp -d)
display=:$((RANDOM % 500 + 100))
Xvfb "$display" -screen 0 1600x1000x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$home"' EXIT
sleep 1
export DISPLAY=$display HOME=$home XDG_DATA_HOME=$home/data XDG_RUNTIME_DIR=$home
# In the temporary home, where the export dialog's default file name puts the PNG.
(cd "$home" && exec "$bin" >/dev/null 2>&1) &
app=$!
peak() {
    if ! kill -0 "$app" 2>/dev/null; then
        echo "the app is not running" >&2
        exit 1
    fi
    echo "$1: $(awk '/VmHWM/ {print $2, $3}' "/proc/$app/status")"
}
sleep 6
peak "opening view"
xdotool mousemove 800 450
for _ in $(seq 10); do xdotool click 4; sleep 0.1; done
xdotool mousedown 1
for _ in $(seq 30); do xdotool mousemove_relative 5 3; sleep 0.03; done
xdotool mouseup 1
sleep 3
peak "zoomed in 10 steps and dragged"
for _ in $(seq 60); do xdotool click 5; sleep 0.1; done
sleep 3
peak "zoomed out to the whole basemap"
xdotool mousemove 272 12 click 1 # Opening view
sleep 1
xdotool mousemove 714 12 click 1 # Export view…
sleep 1
xdotool mousemove 218 153 click 1 # 3840×2160 (2×)
sleep 1
xdotool mousemove 50 255 click 1 # Export
for _ in $(seq 40); do
    [ -s "$home/sinokaz-map-view-1.png" ] && break
    sleep 0.5
done
sleep 1
if [ ! -s "$home/sinokaz-map-view-1.png" ]; then
    echo "the export was not written: the buttons are no longer where this script clicks" >&2
    kill "$app"
    exit 1
fi
peak "exported the opening view at 3840×2160"
kill "$app"
