"""Cycle and counter model of the qclif schedule (docs/qclif.md "Schedule and cycle
counts").

Per bin, NP units serve the N neurons in P = N / NP passes, one pass per cycle, with one
cycle of memory latency before the first row arrives and one cycle to move the new spike
vector into the context register; a sample's last bin adds the argmax cycle. All
functions are vectorized over leading axes (bins, samples).
"""
from __future__ import annotations

import numpy as np

from model.errors import InputError
from model.qclif import N_CLASSES, N_INPUTS

# Overhead cycles per bin [ours]; change together with the RTL and docs/qclif.md.
OVERHEAD = {
    "read_latency": 1,   # banks addressed in cycle p, rows arrive in cycle p + 1
    "context": 1,        # new spike vector -> context register
    "argmax": 1,         # only on a sample's last bin
}

COUNTER_NAMES = ("cycles", "synops", "spikes")


def passes(n: int, np_units: int) -> int:
    """P = N / NP; NP must divide N."""
    if np_units < 1 or n % np_units:
        raise InputError(None, f"NP = {np_units} does not divide N = {n} (NP must be a "
                         "positive divisor of N)", where="np_units")
    return n // np_units


def popcount(bits) -> np.ndarray:
    """Set bits of a (..., K) 0/1 vector."""
    return (np.asarray(bits) != 0).sum(axis=-1).astype(np.int64)


def bin_cycles(n: int, np_units: int, last_bin) -> np.ndarray:
    """``P + 2`` cycles, ``+1`` on a sample's last bin."""
    base = passes(n, np_units) + OVERHEAD["read_latency"] + OVERHEAD["context"]
    return base + OVERHEAD["argmax"] * np.asarray(last_bin, dtype=np.int64)


def bin_counters(x_bits, s_prev, s_cur, n: int, np_units: int, last_bin) -> dict:
    """Counters of one bin (or of many bins along leading axes).

    x_bits (..., 200) this bin's input; s_prev (..., N) the previous bin's spikes (zeros
    on a sample's first bin); s_cur (..., N) this bin's spikes; last_bin bool (or array).
    Returns int64 arrays ``cycles``, ``synops`` and ``spikes``.
    """
    x_bits, s_prev, s_cur = (np.asarray(a) for a in (x_bits, s_prev, s_cur))
    if x_bits.shape[-1] != N_INPUTS:
        raise ValueError(f"x_bits has {x_bits.shape[-1]} channels, expected {N_INPUTS}")
    for name, s in (("s_prev", s_prev), ("s_cur", s_cur)):
        if s.shape[-1] != n:
            raise ValueError(f"{name} has {s.shape[-1]} neurons, expected N = {n}")
    spikes = popcount(s_cur)
    # Each input or context spike drives its weight into all N neurons; each output
    # spike adds its 11 readout weights.
    synops = popcount(x_bits) * n + popcount(s_prev) * n + spikes * N_CLASSES
    shape = np.broadcast_shapes(synops.shape, np.shape(last_bin))
    return {"cycles": np.broadcast_to(bin_cycles(n, np_units, last_bin), shape).copy(),
            "synops": np.broadcast_to(synops, shape).copy(),
            "spikes": np.broadcast_to(spikes, shape).copy()}


def previous_bin(spikes) -> np.ndarray:
    """(..., bins, N) spikes -> the context each bin reads: the previous bin's spikes,
    zeros on the first bin of the sample."""
    s = np.asarray(spikes)
    prev = np.zeros_like(s)
    prev[..., 1:, :] = s[..., :-1, :]
    return prev


def run_counters(result, inputs, np_units: int) -> dict:
    """Counters per bin for a ``model.qclif.run`` result: int64 arrays (..., bins)."""
    spikes = np.asarray(result["spikes"])
    x = np.asarray(inputs)
    bins, n = spikes.shape[-2], spikes.shape[-1]
    last = np.arange(bins) == bins - 1
    return bin_counters(x, previous_bin(spikes), spikes, n, np_units, last)


def sample_totals(counters: dict) -> dict:
    """Per-bin counters (..., bins) summed over each sample's bins."""
    return {k: np.asarray(v).sum(axis=-1) for k, v in counters.items()}
