#!/usr/bin/env bash
# Installs the Debian speech synthesizers that ml/speech/engines.py drives (for the synthetic
# TIMIT-format corpus of ml/speech/synth.py, `spikedv speech synth`):
#   festival + its 16 kHz diphone voices (kal_diphone, kdl_diphone) + the HTS voice
#   cmu_us_slt_arctic_hts, and espeak-ng with its shared library (phoneme events via ctypes).
# Idempotent: installs only the packages that are not already installed; no-op otherwise.
set -euo pipefail

PACKAGES=(festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts espeak-ng libespeak-ng1)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "speech tools: all present (${PACKAGES[*]})"
  exit 0
fi

SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
echo "speech tools: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
