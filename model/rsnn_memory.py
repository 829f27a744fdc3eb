"""rsnn weight memory images (docs/rsnn.md "Weight memories").

Every memory row holds 128 4-bit weights, lane n feeding PE n. The bank of an input j is
its parity (j & 1), so the two PE sets can walk even and odd inputs in parallel:

- ``win``   1 x 48 rows:  row i = Win[i][*]
- ``wrec``  2 x 192 rows: matrix m (0 Wr0, 1 Wf1, 2 Wr1), input j -> bank j & 1,
  row 64*m + (j >> 1)
- ``wfc``   2 x 960 rows: input j, output group g -> bank j & 1, row 15*(j >> 1) + g,
  lane = output - 128*g
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from model.errors import InputError
from model.rsnn import (N_FC, N_GROUPS, N_INPUT_BUF, N_NEURONS, W_MAX, W_MIN,
                        RsnnConfig, RsnnWeights)
from model.weights import load_weights, write_manifest

LANES = N_NEURONS
LANE_BITS = 4
WEIGHT_RANGE = (W_MIN, W_MAX)
WREC_MATRICES = ("wr0", "wf1", "wr1")      # m = index in this tuple
ROWS_PER_MATRIX = N_NEURONS // 2            # 64 rows per matrix per bank

MEMORY_ROWS = {
    "win": N_INPUT_BUF,
    "wrec_bank0": len(WREC_MATRICES) * ROWS_PER_MATRIX,
    "wrec_bank1": len(WREC_MATRICES) * ROWS_PER_MATRIX,
    "wfc_bank0": (N_NEURONS // 2) * N_GROUPS,
    "wfc_bank1": (N_NEURONS // 2) * N_GROUPS,
}
MEMORY_NAMES = tuple(MEMORY_ROWS)


# ---- address maps (one weight at a time; used by tests and testbenches) ----------
def win_location(i: int, n: int) -> tuple[str, int, int]:
    """Win[i][n] -> (memory, row, lane)."""
    return "win", i, n


def wrec_location(matrix: str, j: int, n: int) -> tuple[str, int, int]:
    """Wr0/Wf1/Wr1[j][n] -> (memory, row, lane)."""
    m = WREC_MATRICES.index(matrix)
    return f"wrec_bank{j & 1}", ROWS_PER_MATRIX * m + (j >> 1), n


def wfc_location(j: int, o: int) -> tuple[str, int, int]:
    """Wfc[j][o] -> (memory, row, lane)."""
    g, lane = divmod(o, N_NEURONS)
    return f"wfc_bank{j & 1}", N_GROUPS * (j >> 1) + g, lane


# ---- whole images ----------------------------------------------------------------
def pack(weights: RsnnWeights) -> dict[str, np.ndarray]:
    """Weights -> {memory name: (rows, 128) int8 image}."""
    weights.validate()
    w = {k: np.asarray(getattr(weights, k), dtype=np.int8) for k in
         ("win", "wr0", "wf1", "wr1", "wfc")}
    images = {"win": w["win"].copy()}
    for bank in (0, 1):
        # Rows j = bank, bank+2, ... of each matrix, in order of j >> 1.
        images[f"wrec_bank{bank}"] = np.concatenate([w[m][bank::2] for m in WREC_MATRICES])
        # (64 inputs, 1920 outputs) -> (64, 15 groups, 128 lanes) -> row 15*(j>>1) + g.
        images[f"wfc_bank{bank}"] = w["wfc"][bank::2].reshape(-1, N_NEURONS)
    return images


def _check_images(images: dict, source=None) -> None:
    for name, rows in MEMORY_ROWS.items():
        if name not in images:
            raise InputError(source, "memory image missing", where=name)
        shape = np.shape(images[name])
        if shape != (rows, LANES):
            raise InputError(source, f"shape {shape}, expected {(rows, LANES)}", where=name)


def unpack(images: dict, source=None) -> RsnnWeights:
    """{memory name: image} -> RsnnWeights; the exact inverse of ``pack``."""
    _check_images(images, source)
    img = {k: np.asarray(v) for k, v in images.items()}
    mats = {m: np.zeros((N_NEURONS, N_NEURONS), np.int8) for m in WREC_MATRICES}
    wfc = np.zeros((N_NEURONS, N_FC), np.int8)
    for bank in (0, 1):
        rec = img[f"wrec_bank{bank}"]
        for m_index, m in enumerate(WREC_MATRICES):
            rows = rec[ROWS_PER_MATRIX * m_index:ROWS_PER_MATRIX * (m_index + 1)]
            mats[m][bank::2] = rows
        wfc[bank::2] = img[f"wfc_bank{bank}"].reshape(N_NEURONS // 2, N_FC)
    weights = RsnnWeights(win=img["win"].astype(np.int8), wfc=wfc, **mats)
    return weights.validate(source)


# ---- weights/rsnn/ directory -----------------------------------------------------
def write_weights_dir(directory, weights: RsnnWeights, config: RsnnConfig,
                      extra: dict | None = None) -> Path:
    """Write the five $readmemh files and manifest.json (registers from ``config``;
    ``extra`` adds quantizer, classes, training, ...). Returns the manifest path."""
    config.validate()
    memories = {name: (image, LANE_BITS, WEIGHT_RANGE)
                for name, image in pack(weights).items()}
    return write_manifest(directory, "rsnn", memories, config.as_dict(), extra or {})


def load_weights_dir(directory, required_keys=()) -> tuple[RsnnWeights, RsnnConfig, dict]:
    """Load and check a weights/rsnn/ directory: (weights, registers, manifest)."""
    images, manifest = load_weights(directory, "rsnn", required_keys=required_keys)
    source = Path(directory) / "manifest.json"
    for name, rows in MEMORY_ROWS.items():
        mem = manifest["memories"].get(name)
        if mem is None:
            raise InputError(source, "memory missing", where=f"memories.{name}")
        if (mem["rows"], mem["lanes"], mem["lane_bits"]) != (rows, LANES, LANE_BITS):
            raise InputError(source, f"rows/lanes/lane_bits {mem['rows']}/{mem['lanes']}/"
                             f"{mem['lane_bits']}, expected {rows}/{LANES}/{LANE_BITS}",
                             where=f"memories.{name}")
    regs = manifest["registers"]
    missing = [k for k in RsnnConfig().as_dict() if k not in regs]
    if missing:
        raise InputError(source, f"missing register {missing[0]!r}", where="registers")
    config = RsnnConfig(**{k: regs[k] for k in RsnnConfig().as_dict()})
    config.validate(source)
    return unpack(images, source), config, manifest
