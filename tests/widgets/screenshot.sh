#!/bin/sh
# Writes docs/screenshots/main_window.png: starts the workbench under Xvfb with a throw-away
# store and settings, presses Run on the dataset (--autorun), and lets reclab grab its own
# window (--screenshot) a moment after the run has finished.
#
#   tests/widgets/screenshot.sh [BUILD_DIR] [OUT_PNG] [DATASET]
#
# BUILD_DIR defaults to ./build, OUT_PNG to docs/screenshots/main_window.png, DATASET to the
# bundled sample (datasets/ratings-sample/u.data, found by reclab itself).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
OUT=${2:-$ROOT/docs/screenshots/main_window.png}
DATASET=${3:-}
BIN=$BUILD/app/gui/reclab
[ -x "$BIN" ] || { echo "screenshot.sh: $BIN not built" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "screenshot.sh: xvfb-run missing (apt-get install xvfb xauth)" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$(dirname "$OUT")"
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac

set -- --db "$TMP/runs.sqlite" --autorun --epochs 12 \
  --screenshot "$OUT" --screenshot-after-ms 1000
[ -n "$DATASET" ] && set -- "$@" --dataset "$DATASET" --format auto

# Fresh settings and app data, so the window has its default layout.
XDG_CONFIG_HOME=$TMP/config XDG_DATA_HOME=$TMP/data OMP_NUM_THREADS=2 \
  timeout 600 xvfb-run -a -s "-screen 0 1600x1000x24" "$BIN" "$@"
echo "wrote $OUT"
