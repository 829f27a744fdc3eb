"""Hand-computed counters of docs/rsnn.md "Schedule and cycle counts" and "Counters"."""
from __future__ import annotations

import numpy as np
import pytest

from model.rsnn import RsnnConfig, RsnnWeights, run
from model.rsnn_schedule import (
    COUNTER_NAMES, OVERHEAD, frame_counters, macs_per_frame, run_counters, run_whatif,
    whatif_fc_unmerged, whatif_sequential_steps_type_b,
)


def spikes(*on):
    v = np.zeros(128, np.uint8)
    v[list(on)] = 1
    return v


def steps(*vectors):
    return np.stack(vectors)


# x: 0xFF (8 bits) + 0x01 (1 bit) + 0x30 (2 bits) = 11 set bits in 3 nonzero features.
X = np.zeros(40, np.uint8)
X[0], X[1], X[5] = 0xFF, 0x01, 0x30


def test_counter_names_are_the_docs():
    assert COUNTER_NAMES == (
        "cyc_in", "cyc_l0", "cyc_l1", "cyc_fc", "cyc_total", "reads_win", "reads_wrec",
        "reads_wfc", "skips_win", "skips_wrec", "skips_wfc", "spikes_l0_k0",
        "spikes_l0_k1", "spikes_l1_k0", "spikes_l1_k1")
    assert set(OVERHEAD) >= {"in", "layer_read", "lif_per_step", "fc_group", "argmax"}


def test_counters_t1_by_hand():
    s0_prev = steps(spikes(0, 1, 2, 4))       # ne 3 (0,2,4), no 1 (1)
    s1_prev = steps(spikes(6, 7, 8, 10))      # ne 3 (6,8,10), no 1 (7)
    s0_cur = steps(spikes(0, 1, 3))           # ne 1 (0), no 2 (1,3)
    s1_cur = steps(spikes(10, 11, 13, 15))    # ne 1 (10), no 3 (11,13,15)
    c = frame_counters(X, s0_prev, s1_prev, s0_cur, s1_cur, T=1)
    assert c == {
        "cyc_in": 11 + 2,                     # 11 set bits + 2
        "cyc_l0": 3 + 1 + 1,                  # max(3, 1) + 1 + T
        "cyc_l1": 4 + 1 + 1,                  # max(1 + 3, 2 + 1) + 1 + T
        "cyc_fc": 15 * (3 + 2),               # max(1, 3) per group
        "cyc_total": 13 + 5 + 6 + 75 + 1,     # = 100
        "reads_win": 3,
        "reads_wrec": 4 + (3 + 4),            # nz(S0[t-1]) + nz(S0[t]) + nz(S1[t-1])
        "reads_wfc": 15 * 4,
        "skips_win": 48 - 3,
        "skips_wrec": (128 - 4) + (256 - 7),  # = 373
        "skips_wfc": 1920 - 60,
        "spikes_l0_k0": 3, "spikes_l0_k1": 0, "spikes_l1_k0": 4, "spikes_l1_k1": 0,
    }


def t2_vectors():
    s0_prev = steps(spikes(0, 1, 2, 4), spikes(5))
    s1_prev = steps(spikes(6, 7, 8, 10), spikes())
    s0_cur = steps(spikes(0, 1, 3), spikes(2, 3))
    s1_cur = steps(spikes(10, 11), spikes(11, 13, 20))
    return s0_prev, s1_prev, s0_cur, s1_cur


def test_counters_t2_by_hand():
    c = frame_counters(X, *t2_vectors(), T=2)
    # m != 0 at {10, 11, 13, 20}: ne 2 (10, 20), no 2 (11, 13).
    assert c == {
        "cyc_in": 13,
        "cyc_l0": 128 + 1 + 2,                # Type D: every Wr0 row, then 2 LIF cycles
        "cyc_l1": 256 + 1 + 2,
        "cyc_fc": 15 * (2 + 2),
        "cyc_total": 13 + 131 + 259 + 60 + 1,  # = 464
        "reads_win": 3, "reads_wrec": 128 + 256, "reads_wfc": 15 * 4,
        "skips_win": 45, "skips_wrec": 0, "skips_wfc": 1860,
        "spikes_l0_k0": 3, "spikes_l0_k1": 2, "spikes_l1_k0": 2, "spikes_l1_k1": 3,
    }


def test_whatif_t2_by_hand():
    s0_prev, s1_prev, s0_cur, s1_cur = t2_vectors()
    seq = whatif_sequential_steps_type_b(s0_prev, s1_prev, s0_cur)
    # reads: step 0: 4 + 3 + 4 = 11; step 1: 1 + 2 + 0 = 3.
    assert seq["reads_wrec"] == 14
    # L0: step 0 max(3, 1) + 2 = 5; step 1 {5}: max(0, 1) + 2 = 3.
    assert seq["cyc_l0"] == 8
    # L1: step 0 max(1 + 3, 2 + 1) + 2 = 6; step 1 {2, 3} + {}: max(1, 1) + 2 = 3.
    assert seq["cyc_l1"] == 9
    un = whatif_fc_unmerged(s1_cur)
    # step 0 {10, 11}: 15 * (1 + 2) = 45, 30 reads; step 1 {11, 13, 20}: 15 * (2 + 2) = 60,
    # 45 reads.
    assert un["cyc_fc"] == 105 and un["reads_wfc"] == 75
    macs = macs_per_frame(X, s0_prev, s1_prev, s0_cur, s1_cur)
    assert macs["dense_in"] == 40 * 128
    assert macs["dense_l0"] == 2 * 128 * 128 and macs["dense_l1"] == 2 * 256 * 128
    assert macs["dense_fc"] == 2 * 128 * 1920
    assert macs["dense_total"] == 5120 + 32768 + 65536 + 491520
    assert macs["eff_in"] == 3 * 128
    assert macs["eff_l0"] == (4 + 1) * 128
    assert macs["eff_l1"] == (3 + 4 + 2 + 0) * 128
    assert macs["eff_fc"] == 4 * 1920 and macs["eff_fc_unmerged"] == (2 + 3) * 1920
    assert macs["eff_total"] == 384 + 640 + 1152 + 7680


def test_whatif_at_t1_equals_real_schedule():
    s0_prev, s1_prev, s0_cur, s1_cur = (v[:1] for v in t2_vectors())
    c = frame_counters(X, s0_prev, s1_prev, s0_cur, s1_cur, T=1)
    seq = whatif_sequential_steps_type_b(s0_prev, s1_prev, s0_cur)
    assert (seq["cyc_l0"], seq["cyc_l1"], seq["reads_wrec"]) == (
        c["cyc_l0"], c["cyc_l1"], c["reads_wrec"])
    un = whatif_fc_unmerged(s1_cur)
    assert (un["cyc_fc"], un["reads_wfc"]) == (c["cyc_fc"], c["reads_wfc"])


@pytest.mark.parametrize("T, total", [(1, 2 + 2 + 2 + 30 + 1), (2, 2 + 131 + 259 + 30 + 1)])
def test_silent_network(T, total):
    f = np.zeros((2, 40), np.uint8)
    c = run_counters(run(RsnnWeights.zeros(), RsnnConfig(T=T), f), f, T)
    assert list(c["cyc_total"]) == [total, total]
    assert list(c["skips_win"]) == [48, 48] and list(c["skips_wfc"]) == [1920, 1920]
    assert list(c["skips_wrec"]) == ([384, 384] if T == 1 else [0, 0])


def test_run_counters_reads_previous_frame_spikes():
    # Feature 0 (= 2, one set bit) -> L0 neuron 0 -> L1 neuron 0, spiking every frame.
    w = RsnnWeights.zeros()
    w.win[0, 0], w.wf1[0, 0] = 3, 4
    f = np.zeros((2, 40), np.uint8)
    f[:, 0] = 2
    cfg = RsnnConfig(T=1, s_in=1, theta0=3, theta1=4)
    r = run(w, cfg, f)
    assert r.spikes0[:, 0, 0].tolist() == [1, 1] and r.spikes1[:, 0, 0].tolist() == [1, 1]
    c = run_counters(r, f, 1)
    # Frame 0: IN 1 + 2; L0 no previous spikes: 0 + 2; L1 {0} + {}: 1 + 2; FC 15 * 3.
    # Frame 1: L0 reads S0[0] = {0}: 1 + 2; L1 {0} + S1[0] = {0}: ne 2 -> 2 + 2.
    assert c["cyc_l0"].tolist() == [2, 3] and c["cyc_l1"].tolist() == [3, 4]
    assert c["cyc_total"].tolist() == [3 + 2 + 3 + 45 + 1, 3 + 3 + 4 + 45 + 1]
    assert c["reads_wrec"].tolist() == [1, 3] and c["reads_wfc"].tolist() == [15, 15]


@pytest.mark.parametrize("T", [1, 2])
def test_run_counters_match_frame_counters_batched(T):
    rng = np.random.default_rng(11)
    w = RsnnWeights.random(rng, density=0.6)
    cfg = RsnnConfig(T=T, s_in=5, b0=2, b1=2, theta0=25, theta1=12)
    f = rng.integers(0, 256, (2, 4, 40), dtype=np.uint8)
    r = run(w, cfg, f)
    c = run_counters(r, f, T)
    wi = run_whatif(r, f, T)
    zero = np.zeros((T, 128), np.uint8)
    for b in range(2):
        for t in range(4):
            prev0 = r.spikes0[b, t - 1] if t else zero
            prev1 = r.spikes1[b, t - 1] if t else zero
            one = frame_counters(f[b, t], prev0, prev1, r.spikes0[b, t], r.spikes1[b, t], T)
            assert one == {k: int(v[b, t]) for k, v in c.items()}
    assert wi["eff_total"].shape == (2, 4)
    assert (wi["eff_total"] <= wi["dense_total"]).all()


def test_t_mismatch_rejected():
    f = np.zeros((1, 40), np.uint8)
    with pytest.raises(ValueError):
        run_counters(run(RsnnWeights.zeros(), RsnnConfig(T=2), f), f, 1)
