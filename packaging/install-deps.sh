#!/usr/bin/env bash
# Installs every Debian package RecLab's build, tests and benchmarks need.
# Idempotent: packages already present are skipped, and nothing is done when all are.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6sql6-sqlite libqt6svg6 libqt6opengl6-dev libgl-dev
  libtorch-dev libopenblas0-openmp
  libeigen3-dev libsqlite3-dev libsqlitecpp-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libfast-float-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  xvfb xauth imagemagick
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
