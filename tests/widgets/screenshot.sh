#!/bin/sh
# Writes the screenshots of docs/user-guide.md into docs/screenshots/ (or OUT_DIR), under Xvfb
# with throw-away stores and settings:
#   main_window.png  reclab itself: --autorun trains torch_mf on the dataset and grabs its own
#                    window (--screenshot) a moment after the run has finished;
#   dataset.png, model_panel.png, model_panel_engine.png, training.png, classification.png, compare.png, inspector.png,
#   inspector_sessions.png, history.png, column_mapping.png
#                    screenshot_tour: the real window driven through every tab and dialog
#                    (see tests/widgets/screenshot_tour.cpp).
#
#   tests/widgets/screenshot.sh [BUILD_DIR] [OUT_DIR] [DATASET]
#
# BUILD_DIR defaults to ./build, OUT_DIR to docs/screenshots, DATASET (for main_window.png) to
# the bundled sample (datasets/ratings-sample/u.data, found by reclab itself).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
OUT=${2:-$ROOT/docs/screenshots}
DATASET=${3:-}
BIN=$BUILD/app/gui/reclab
TOUR=$BUILD/tests/widgets/screenshot_tour
for b in "$BIN" "$TOUR"; do
  [ -x "$b" ] || { echo "screenshot.sh: $b not built" >&2; exit 1; }
done
command -v xvfb-run >/dev/null || { echo "screenshot.sh: xvfb-run missing (apt-get install xvfb xauth)" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac

set -- --db "$TMP/runs.sqlite" --autorun --epochs 12 \
  --screenshot "$OUT/main_window.png" --screenshot-after-ms 1000
[ -n "$DATASET" ] && set -- "$@" --dataset "$DATASET" --format auto

# Fresh settings and app data, so the window has its default layout.
export XDG_CONFIG_HOME=$TMP/config XDG_DATA_HOME=$TMP/data OMP_NUM_THREADS=2
timeout 600 xvfb-run -a -s "-screen 0 1600x1000x24" "$BIN" "$@"
echo "wrote $OUT/main_window.png"
timeout 1200 xvfb-run -a -s "-screen 0 1600x1000x24" "$TOUR" "$OUT"
