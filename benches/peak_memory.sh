#!/bin/bash
# Peak resident memory of the running app (VmHWM) under Xvfb, as it is opened, zoomed in,
# panned and zoomed out to the whole basemap. Needs xvfb and xdotool; builds the release app.
#
#   bash benches/peak_memory.sh
#
# Prints VmHWM after each step. Mesa's software renderer keeps memory for every triangle of
# the last frame, so the peak follows the busiest view shown.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/sinokaz-atlas
home=$(mktemp -d)
display=:$((RANDOM % 500 + 100))
Xvfb "$display" -screen 0 1600x1000x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$home"' EXIT
sleep 1
export DISPLAY=$display HOME=$home XDG_DATA_HOME=$home/data XDG_RUNTIME_DIR=$home
"$bin" >/dev/null 2>&1 &
app=$!
peak() { echo "$1: $(awk '/VmHWM/ {print $2, $3}' "/proc/$app/status")"; }
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
kill "$app"
