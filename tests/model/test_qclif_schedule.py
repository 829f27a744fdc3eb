"""Hand-computed cycle and counter values of docs/qclif.md "Schedule and cycle counts"."""
from __future__ import annotations

import numpy as np
import pytest

from model.errors import InputError
from model.qclif import N_INPUTS, QclifRegs, QclifWeights, run
from model.qclif_schedule import (
    OVERHEAD, bin_counters, passes, previous_bin, run_counters, sample_totals,
)


def bits(*on, n=N_INPUTS):
    v = np.zeros(n, np.uint8)
    v[list(on)] = 1
    return v


def test_overheads_match_doc():
    # P + 2 per bin (read latency + context move), +1 argmax on the last bin.
    assert OVERHEAD == {"read_latency": 1, "context": 1, "argmax": 1}


def test_bin_counters_by_hand():
    x = bits(0, 7, 199)                   # popcount 3
    s_prev = bits(1, 2, n=200)            # popcount 2
    s_cur = bits(0, 3, 4, 5, 6, n=200)    # popcount 5
    c = bin_counters(x, s_prev, s_cur, n=200, np_units=50, last_bin=False)
    # P = 200 / 50 = 4 -> 4 + 2 = 6 cycles.
    # synops = 3*200 + 2*200 + 5*11 = 600 + 400 + 55 = 1055; spikes = 5.
    assert (int(c["cycles"]), int(c["synops"]), int(c["spikes"])) == (6, 1055, 5)
    last = bin_counters(x, s_prev, s_cur, n=200, np_units=50, last_bin=True)
    assert int(last["cycles"]) == 7       # 6 + 1 (argmax)
    assert int(last["synops"]) == 1055


@pytest.mark.parametrize("n, np_units, cycles", [
    (200, 1, 202),    # P = 200
    (200, 200, 3),    # P = 1
    (200, 8, 27),     # P = 25
    (10, 5, 4),       # P = 2
])
def test_cycles_per_bin(n, np_units, cycles):
    z = np.zeros(n, np.uint8)
    c = bin_counters(np.zeros(N_INPUTS, np.uint8), z, z, n, np_units, last_bin=False)
    assert int(c["cycles"]) == cycles and int(c["synops"]) == 0


def test_np_must_divide_n():
    with pytest.raises(InputError, match="NP = 3 does not divide N = 200"):
        passes(200, 3)
    with pytest.raises(InputError, match="np_units"):
        bin_counters(np.zeros(N_INPUTS), np.zeros(10), np.zeros(10), 10, 4, False)


def test_previous_bin_shift():
    s = np.array([[1, 0], [0, 1], [1, 1]])
    # Bin 0 reads zeros; bin t reads bin t-1.
    assert previous_bin(s).tolist() == [[0, 0], [1, 0], [0, 1]]


def test_run_counters_two_neuron_net():
    # Same network as tests/model/test_qclif_model.py: spikes [[1,0],[0,1],[0,1]].
    w = QclifWeights.zeros(2)
    w.win[0, 0], w.win[1, 1] = 100, 10
    w.wctx[0, 1] = 50
    regs = QclifRegs(la=0, ls=0, g0=1, theta=100, si=0, sa=0, sd=0)
    x = np.stack([bits(0, 1), bits(1), bits(1)])
    r = run(w, regs, x)
    assert r.spikes.tolist() == [[1, 0], [0, 1], [0, 1]]
    c = run_counters(r, x, np_units=1)
    # N = 2, NP = 1 -> P = 2 -> 4 cycles, last bin 5.
    assert c["cycles"].tolist() == [4, 4, 5]
    # bin 0: x 2*2 + s_prev 0*2 + s 1*11 = 4 + 0 + 11 = 15
    # bin 1: x 1*2 + s_prev 1*2 + s 1*11 = 2 + 2 + 11 = 15
    # bin 2: x 1*2 + s_prev 1*2 + s 1*11 = 15
    assert c["synops"].tolist() == [15, 15, 15]
    assert c["spikes"].tolist() == [1, 1, 1]
    t = sample_totals(c)
    assert (int(t["cycles"]), int(t["synops"]), int(t["spikes"])) == (13, 45, 3)
    # NP = 2 -> P = 1 -> 3, 3, 4 cycles.
    assert run_counters(r, x, np_units=2)["cycles"].tolist() == [3, 3, 4]


def test_run_counters_batch_shape():
    rng = np.random.default_rng(3)
    w = QclifWeights.random(rng, n=8)
    x = (rng.random((2, 5, N_INPUTS)) < 0.1).astype(np.uint8)
    r = run(w, QclifRegs(), x)
    c = run_counters(r, x, np_units=4)
    assert c["cycles"].shape == (2, 5)
    assert c["cycles"][:, -1].tolist() == [5, 5] and c["cycles"][:, 0].tolist() == [4, 4]
    # synops per bin from its definition, for sample 1 bin 3:
    s = r.spikes[1]
    want = int(x[1, 3].sum()) * 8 + int(s[2].sum()) * 8 + int(s[3].sum()) * 11
    assert int(c["synops"][1, 3]) == want
