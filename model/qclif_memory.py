"""qclif weight memories (docs/qclif.md "Weight memories").

Logical images, independent of NP, one row per neuron (row n = neuron n's column):

- ``win``  (N, 200): lane i = Win[i][n]
- ``wctx`` (N, N):   lane j = Wctx[j][n]
- ``wout`` (N, 11):  lane c = Wout[n][c]

These are the rows of ``weights/qclif/{win,wctx,wout}.hex`` (8-bit lanes, lane 0 in the
least significant bits). NP physical units each own one bank of every memory: unit u
holds neuron ``n = p*NP + u`` at row p (p = 0..P-1, P = N / NP).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from model.errors import InputError
from model.qclif import N_CLASSES, N_INPUTS, W_MAX, W_MIN, QclifRegs, QclifWeights
from model.weights import load_weights, write_manifest

MEMORY_NAMES = ("win", "wctx", "wout")
LANE_BITS = 8
WEIGHT_RANGE = (W_MIN, W_MAX)


def image_lanes(n: int) -> dict[str, int]:
    """Lanes per row of each logical image."""
    return {"win": N_INPUTS, "wctx": n, "wout": N_CLASSES}


# ---- logical images ----------------------------------------------------------------
def logical_images(weights: QclifWeights) -> dict[str, np.ndarray]:
    """Weights -> {memory: (N, lanes) int8 image}, row n = neuron n's column."""
    weights.validate()
    return {"win": np.asarray(weights.win, np.int8).T.copy(),
            "wctx": np.asarray(weights.wctx, np.int8).T.copy(),
            "wout": np.asarray(weights.wout, np.int8).copy()}


def _check_logical(images: dict, source=None) -> int:
    """Shapes of a logical image set; returns N."""
    for name in MEMORY_NAMES:
        if name not in images:
            raise InputError(source, "memory image missing", where=name)
    n = np.shape(images["win"])[0] if np.ndim(images["win"]) == 2 else -1
    for name, lanes in image_lanes(n).items():
        shape = np.shape(images[name])
        if shape != (n, lanes):
            raise InputError(source, f"shape {shape}, expected {(n, lanes)}", where=name)
        dtype = np.asarray(images[name]).dtype
        if not np.issubdtype(dtype, np.integer):
            raise InputError(source, f"dtype {dtype}, expected integers", where=name)
    return n


def from_logical(images: dict, source=None) -> QclifWeights:
    """{memory: logical image} -> QclifWeights; the exact inverse of ``logical_images``."""
    _check_logical(images, source)
    img = {k: np.asarray(images[k]) for k in MEMORY_NAMES}
    _check_range(img, source)   # before the int8 cast could wrap a bad value
    weights = QclifWeights(win=img["win"].T.astype(np.int8),
                           wctx=img["wctx"].T.astype(np.int8),
                           wout=img["wout"].astype(np.int8))
    return weights.validate(source)


def _check_range(img: dict, source) -> None:
    for name, image in img.items():
        bad = np.argwhere((image < W_MIN) | (image > W_MAX))
        if bad.size:
            r, lane = (int(v) for v in bad[0])
            raise InputError(source, f"row {r} lane {lane} = {int(image[r, lane])} "
                             f"outside {W_MIN}..{W_MAX}", where=name)


# ---- NP banks ----------------------------------------------------------------------
def check_np(n: int, np_units: int) -> int:
    """P = N / NP; InputError if NP does not divide N."""
    if not isinstance(np_units, (int, np.integer)) or np_units < 1 or n % np_units:
        raise InputError(None, f"NP = {np_units} does not divide N = {n} (NP must be a "
                         "positive divisor of N)", where="np_units")
    return n // np_units


def bank_location(n: int, np_units: int) -> tuple[int, int]:
    """Neuron n -> (unit u = n % NP, row p = n // NP)."""
    return n % np_units, n // np_units


def bank_images(weights: QclifWeights, np_units: int) -> dict[str, list[np.ndarray]]:
    """{memory: [bank of unit u: (P, lanes) int8]}; row p of bank u = neuron p*NP + u."""
    logical = logical_images(weights)
    check_np(weights.n, np_units)
    return {name: [image[u::np_units].copy() for u in range(np_units)]
            for name, image in logical.items()}


def from_banks(banks: dict, source=None) -> QclifWeights:
    """Inverse of ``bank_images`` (NP = the number of banks)."""
    logical = {}
    for name in MEMORY_NAMES:
        if name not in banks:
            raise InputError(source, "memory banks missing", where=name)
        parts = [np.asarray(b) for b in banks[name]]
        np_units = len(parts)
        if np_units == 0 or any(b.shape != parts[0].shape or b.ndim != 2 for b in parts):
            raise InputError(source, f"{np_units} banks of shapes "
                             f"{[b.shape for b in parts]}, expected NP >= 1 equal 2-D "
                             "banks", where=name)
        p, lanes = parts[0].shape
        image = np.zeros((p * np_units, lanes), parts[0].dtype)
        for u, bank in enumerate(parts):
            image[u::np_units] = bank
        logical[name] = image
    return from_logical(logical, source)


# ---- weights/qclif/ directory ----------------------------------------------------
def write_weights_dir(directory, weights: QclifWeights, regs: QclifRegs,
                      extra: dict | None = None) -> Path:
    """Write win.hex, wctx.hex, wout.hex (logical images, one neuron per line) and
    manifest.json (registers from ``regs``; ``extra`` adds quantizer, classes, ...)."""
    regs.validate()
    memories = {name: (image, LANE_BITS, WEIGHT_RANGE)
                for name, image in logical_images(weights).items()}
    return write_manifest(directory, "qclif", memories, regs.as_dict(), extra or {})


def load_weights_dir(directory, required_keys=()) -> tuple[QclifWeights, QclifRegs, dict]:
    """Load and check a weights/qclif/ directory: (weights, registers, manifest)."""
    images, manifest = load_weights(directory, "qclif", required_keys=required_keys)
    source = Path(directory) / "manifest.json"
    mems = manifest["memories"]
    for name in MEMORY_NAMES:
        if name not in mems:
            raise InputError(source, "memory missing", where=f"memories.{name}")
    n = mems["win"]["rows"]
    for name, lanes in image_lanes(n).items():
        mem = mems[name]
        got = (mem["rows"], mem["lanes"], mem["lane_bits"])
        if got != (n, lanes, LANE_BITS):
            raise InputError(source, f"rows/lanes/lane_bits {got[0]}/{got[1]}/{got[2]}, "
                             f"expected {n}/{lanes}/{LANE_BITS}", where=f"memories.{name}")
    regs_in = manifest["registers"]
    names = list(QclifRegs().as_dict())
    missing = [k for k in names if k not in regs_in]
    if missing:
        raise InputError(source, f"missing register {missing[0]!r}", where="registers")
    regs = QclifRegs(**{k: regs_in[k] for k in names}).validate(source)
    return from_logical(images, source), regs, manifest
