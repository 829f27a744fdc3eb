"""qclif_spike_weighting: sat_8((sum_i bits[i] * W[i]) >>> shift) against
model.qclif.spike_weighting, for K = 8 and K = 200 lanes.

Stimulus classes, each with random shifts 0..15:
- spike densities 0 .. 1 with uniform, all-127, all--128 and mixed-extreme weights
  (the sums that saturate, and the largest sums the adder tree must hold exactly);
- cancelling sums: large weights adjusted so the exact sum lands on or next to a
  saturation boundary (127 << shift, -128 << shift), which checks every bit of the
  adder tree's result while its partial sums are large;
- for K <= 8, every bit pattern.
"""
from __future__ import annotations

import cocotb
import numpy as np
import pytest

from model import qclif
from verif.common.scoreboard import Scoreboard
from verif.common.tb import seeded_rng
from verif.qclif.comb_sweep import sweep

DENSITIES = (0.0, 0.02, 0.1, 0.3, 0.5, 0.8, 1.0)
WEIGHT_KINDS = ("uniform", "max", "min", "extreme")
PER_CLASS = 60          # vectors per (density, weight kind)
N_CANCEL = 1000
N_PATTERN_WEIGHT_SETS = 8


def _weights(rng, kind: str, k: int) -> np.ndarray:
    if kind == "uniform":
        return rng.integers(-128, 128, k)
    if kind == "max":
        return np.full(k, 127)
    if kind == "min":
        return np.full(k, -128)
    return rng.choice([-128, -127, 126, 127], k)


def _cancelling(rng, k: int):
    """Bits, weights and shift whose exact sum is at (or 0..2 past) a saturation
    boundary, reached from large random weights."""
    # The largest shift whose boundary K active lanes of |w| <= ~100 can still reach.
    max_shift = max(0, int(np.floor(np.log2(k * 100 / 128))))
    shift = int(rng.integers(0, max_shift + 1))
    target = int(rng.choice([127 << shift, -(128 << shift)])) + int(rng.integers(-2, 3))
    if rng.random() < 0.5:  # anywhere in the last (or first past the) representable step
        target += int(rng.integers(0, 1 << shift))
    bits = (rng.random(k) < rng.uniform(0.6, 1.0)).astype(np.int64)
    bits[rng.integers(k)] = 1
    weights = rng.choice([-128, 127], k) * bits + rng.integers(-128, 128, k) * (1 - bits)
    delta = target - int(weights @ bits)
    for i in rng.permutation(np.flatnonzero(bits)):
        if delta == 0:
            break
        new = int(np.clip(weights[i] + delta, -128, 127))
        delta -= new - weights[i]
        weights[i] = new
    return bits, weights, shift


def _stimulus(rng, k: int):
    """(label, bits (K,), weights (K,), shift) per vector."""
    vectors = []
    for density in DENSITIES:
        for kind in WEIGHT_KINDS:
            for _ in range(PER_CLASS):
                bits = (rng.random(k) < density).astype(np.int64)
                vectors.append((f"{kind} d={density}", bits, _weights(rng, kind, k),
                                int(rng.integers(16))))
    for _ in range(N_CANCEL):
        vectors.append(("cancelling", *_cancelling(rng, k)))
    if k <= 8:
        for _ in range(N_PATTERN_WEIGHT_SETS):
            weights, shift = _weights(rng, "uniform", k), int(rng.integers(4))
            for pattern in range(1 << k):
                bits = (pattern >> np.arange(k)) & 1
                vectors.append((f"pattern {pattern:#x}", bits, weights, shift))
    return vectors


def _pack(values, width: int) -> int:
    """Lanes (lane 0 in the least significant bits) as one integer."""
    out = 0
    for i, v in enumerate(np.asarray(values).tolist()):
        out |= (int(v) & ((1 << width) - 1)) << (i * width)
    return out


@cocotb.test(timeout_time=5, timeout_unit="ms")
async def random_densities_and_saturation(dut):
    rng = seeded_rng()
    k = len(dut.bits)
    vectors = _stimulus(rng, k)
    inputs = {"bits": np.array([_pack(b, 1) for _, b, _, _ in vectors], dtype=object),
              "weights": np.array([_pack(w, 8) for _, _, w, _ in vectors], dtype=object),
              "shift": np.array([s for _, _, _, s in vectors])}
    got = (await sweep(dut, inputs, {"result": True}))["result"]
    sb = Scoreboard(f"qclif_spike_weighting K={k}", dut._log)
    saturated = 0
    for i, (label, bits, weights, shift) in enumerate(vectors):
        expected = int(qclif.spike_weighting(bits, weights, shift))
        saturated += expected in (-128, 127)
        if expected == got[i]:
            sb.check("result", expected, int(got[i]))
        else:
            sb.check(f"result[{label}, shift={shift}, sum={int(qclif.weighted_sum(bits, weights))}, "
                     f"bits={inputs['bits'][i]:#x}, weights={inputs['weights'][i]:#x}]",
                     expected, int(got[i]))
    sb.finish(min_compared=len(vectors))
    dut._log.info("K=%d: %d vectors, %d saturated", k, len(vectors), saturated)


@pytest.mark.parametrize("k", [8, 200], ids=["K8", "K200"])
def test_qclif_spike_weighting(cocotb_run, k):
    cocotb_run("qclif_spike_weighting",
               __name__, parameters={"K": k})
