"""Hand-computed counters of docs/rsnn.md "Schedule and cycle counts" and "Counters", for
both schedules (paper, union), the floor and the worst case."""
from __future__ import annotations

import numpy as np
import pytest

from model.rsnn import RsnnConfig, RsnnWeights, run
from model.rsnn_schedule import (
    COUNTER_NAMES, OVERHEAD, SCHEDULES, floor, frame_counters, macs_per_frame, phase_fc,
    phase_in, phase_l0, phase_l1, run_counters, run_whatif, whatif_fc_unmerged,
    whatif_sequential_steps_type_b, worst_case,
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


# ---- the union schedule (docs/rsnn.md "Schedule and cycle counts", [ours]) -----------
def test_schedules_and_bad_name():
    assert SCHEDULES == ("paper", "union")
    with pytest.raises(ValueError, match="schedule"):
        frame_counters(X, *t2_vectors(), T=2, schedule="fast")


def test_union_t2_by_hand():
    # X: features 0xFF (8 bits -> 4 cycles), 0x01 (1 -> 1), 0x30 (2 -> 1): 6 work cycles.
    # L0 inputs S0[t-1]: step 0 {0, 1, 2, 4}, step 1 {5}: union {0, 1, 2, 4, 5} = 5 rows.
    # L1 inputs: S0[t] {0, 1, 3} | {2, 3} = {0, 1, 2, 3} (4 Wf1 rows) and
    #            S1[t-1] {6, 7, 8, 10} | {} = 4 Wr1 rows: 8 rows.
    # FC: m != 0 at {10, 11, 13, 20}: ne 2, no 2 -> W = 2 per group, 15 * 2 + 2.
    c = frame_counters(X, *t2_vectors(), T=2, schedule="union")
    assert c == {
        "cyc_in": 6 + 2,
        "cyc_l0": 5 + 1 + 2,
        "cyc_l1": 8 + 1 + 2,
        "cyc_fc": 15 * 2 + 2,
        "cyc_total": 8 + 8 + 11 + 32 + 1,      # = 60 (paper: 464)
        "reads_win": 3, "reads_wrec": 5 + 8, "reads_wfc": 15 * 4,
        "skips_win": 45, "skips_wrec": (128 - 5) + (256 - 8), "skips_wfc": 1860,
        "spikes_l0_k0": 3, "spikes_l0_k1": 2, "spikes_l1_k0": 2, "spikes_l1_k1": 3,
    }


def test_union_t1_by_hand():
    # T = 1: layers are Type B in both schedules; IN splits the bits, FC overlaps groups.
    s0_prev, s1_prev, s0_cur, s1_cur = (v[:1] for v in t2_vectors())
    paper = frame_counters(X, s0_prev, s1_prev, s0_cur, s1_cur, T=1)
    union = frame_counters(X, s0_prev, s1_prev, s0_cur, s1_cur, T=1, schedule="union")
    # FC: S1[t][0] = {10, 11}: ne 1, no 1 -> paper 15 * 3, union 15 * 1 + 2.
    assert (paper["cyc_in"], paper["cyc_fc"]) == (11 + 2, 45)
    assert (union["cyc_in"], union["cyc_fc"]) == (6 + 2, 17)
    for k in ("cyc_l0", "cyc_l1", "reads_win", "reads_wrec", "reads_wfc", "skips_win",
              "skips_wrec", "skips_wfc", "spikes_l0_k0", "spikes_l1_k0"):
        assert union[k] == paper[k], k
    assert union["cyc_total"] == paper["cyc_total"] - (13 - 8) - (45 - 17)


@pytest.mark.parametrize("value, work", [(0x00, 0), (0x01, 1), (0x03, 1), (0x07, 2),
                                         (0x80, 1), (0xAA, 2), (0xFE, 4), (0xFF, 4)])
def test_union_in_two_bits_per_cycle(value, work):
    x = np.zeros(40, np.uint8)
    x[7] = value
    assert int(phase_in(x, "union")["cyc"]) == work + 2
    assert int(phase_in(x)["cyc"]) == bin(value).count("1") + 2
    # Per feature: two features of 3 bits each take 2 + 2, not ceil(6 / 2) = 3.
    x[8] = 0x07
    assert int(phase_in(x, "union")["cyc"]) == work + 2 + 2


def test_union_layer_reads_each_union_row_once():
    # Both steps spike at the same inputs: union = either step; complementary steps:
    # union = all of them.
    both = steps(spikes(3, 4, 9), spikes(3, 4, 9))
    comp = steps(spikes(*range(0, 128, 2)), spikes(*range(1, 128, 2)))
    assert int(phase_l0(both, 2, "union")["cyc"]) == 3 + 3
    assert int(phase_l0(comp, 2, "union")["cyc"]) == 128 + 3
    assert int(phase_l0(comp, 2)["cyc"]) == 128 + 3
    none = steps(spikes(), spikes())
    assert int(phase_l1(none, none, 2, "union")["cyc"]) == 0 + 3
    assert int(phase_l1(both, comp, 2, "union")["reads"]) == 3 + 128


@pytest.mark.parametrize("n_even, n_odd, paper, union", [
    (0, 0, 15 * 2, 15 * 1 + 2),     # no spike: each group still closes once
    (1, 0, 15 * 3, 15 * 1 + 2),
    (3, 5, 15 * 7, 15 * 5 + 2),
    (64, 64, 15 * 66, 15 * 64 + 2),
])
def test_union_fc_groups_overlap(n_even, n_odd, paper, union):
    s = spikes(*range(0, 2 * n_even, 2), *range(1, 2 * n_odd, 2))
    s1 = steps(s, spikes())
    assert int(phase_fc(s1)["cyc"]) == paper
    assert int(phase_fc(s1, "union")["cyc"]) == union
    assert phase_fc(s1)["reads"] == phase_fc(s1, "union")["reads"] == 15 * (n_even + n_odd)


@pytest.mark.parametrize("T", [1, 2])
def test_silent_network_union(T):
    f = np.zeros((2, 40), np.uint8)
    c = run_counters(run(RsnnWeights.zeros(), RsnnConfig(T=T), f), f, T, "union")
    # IN 2, L0 0 + 1 + T, L1 0 + 1 + T, FC 15 * 1 + 2, ARGMAX 1.
    total = 2 + 2 * (1 + T) + 17 + 1
    assert list(c["cyc_total"]) == [total, total]
    assert list(c["skips_wrec"]) == [384, 384] and list(c["reads_wrec"]) == [0, 0]


@pytest.mark.parametrize("T", [1, 2])
def test_union_never_slower_and_same_reads_at_t1(T):
    rng = np.random.default_rng(5 + T)
    w = RsnnWeights.random(rng, density=0.6)
    cfg = RsnnConfig(T=T, s_in=5, b0=2, b1=2, theta0=25, theta1=12)
    f = rng.integers(0, 256, (3, 6, 40), dtype=np.uint8)
    r = run(w, cfg, f)
    paper, union = run_counters(r, f, T), run_counters(r, f, T, "union")
    for k in COUNTER_NAMES:
        if k.startswith("cyc_") and k != "cyc_l0" and k != "cyc_l1":
            assert (union[k] < paper[k]).all(), k
        elif k.startswith("cyc_"):
            assert (union[k] <= paper[k]).all(), k
    assert (union["reads_wrec"] <= paper["reads_wrec"]).all()
    for k in ("reads_win", "reads_wfc", "skips_win", "skips_wfc", "spikes_l0_k0",
              "spikes_l0_k1", "spikes_l1_k0", "spikes_l1_k1"):
        assert np.array_equal(union[k], paper[k]), k
    if T == 1:
        assert np.array_equal(union["reads_wrec"], paper["reads_wrec"])


def test_floor_by_hand():
    s0_prev, s1_prev, s0_cur, s1_cur = t2_vectors()
    fl = floor(X, s0_prev, s1_prev, s0_cur, s1_cur)
    union = frame_counters(X, s0_prev, s1_prev, s0_cur, s1_cur, T=2, schedule="union")
    # The union schedule reads exactly the floor's rows.
    assert (fl["reads_win"], fl["reads_wrec"], fl["reads_wfc"]) == (
        union["reads_win"], union["reads_wrec"], union["reads_wfc"])
    # IN: 11 bits -> 6 adds per set, 3 rows. L0: 4 + 1 spikes -> 3; union {0,1,2,4,5}
    # ne 3 (0, 2, 4), no 2 -> 3. L1: (3 + 4) + (2 + 0) = 9 adds -> 5; union {0,1,2,3} +
    # {6,7,8,10}: ne 2 + 3, no 2 + 1 -> 5. FC: 15 * max(2, 2).
    assert (fl["work_in"], fl["work_l0"], fl["work_l1"], fl["work_fc"]) == (6, 3, 5, 30)


# ---- worst case (docs/rsnn.md "Worst case") ----------------------------------------
WORST = {  # (T, schedule) -> (IN, L0, L1, FC, total)
    (1, "paper"): (322, 66, 130, 990, 1509),
    (1, "union"): (162, 66, 130, 962, 1321),
    (2, "paper"): (322, 131, 259, 990, 1703),
    (2, "union"): (162, 131, 259, 962, 1515),
}


@pytest.mark.parametrize("T, schedule", list(WORST))
def test_worst_case_by_hand(T, schedule):
    c = worst_case(T, schedule)
    assert (c["cyc_in"], c["cyc_l0"], c["cyc_l1"], c["cyc_fc"], c["cyc_total"]) == \
        WORST[(T, schedule)]
    # IN: 40 x 8 bits (paper) or 40 x 4 cycles (union), + 2. L: T = 1 max(64, 64) or
    # max(128, 128), T = 2 every row, + 1 + T. FC: 15 x (64 + 2) or 15 x 64 + 2.
    assert c["cyc_in"] == (320 if schedule == "paper" else 160) + 2


@pytest.mark.parametrize("T, schedule", list(WORST))
def test_worst_case_is_reached_and_bounds_random_frames(T, schedule):
    """Weights and registers that make every neuron spike at every step reach the worst
    case from the second frame on; no random frame exceeds it."""
    w = RsnnWeights.zeros()
    w.win[:40] = 7
    w.wr0[:] = 7
    w.wf1[:] = 7
    w.wr1[:] = 7
    cfg = RsnnConfig(T=T, s_in=0, b0=1, b1=1, theta0=1, theta1=1)
    f = np.full((3, 40), 255, np.uint8)
    r = run(w, cfg, f)
    assert r.spikes0[1:].all() and r.spikes1[1:].all()
    c = run_counters(r, f, T, schedule)
    assert c["cyc_total"].tolist()[1:] == [WORST[(T, schedule)][-1]] * 2
    rng = np.random.default_rng(T)
    for density in (0.2, 0.6, 1.0):
        w = RsnnWeights.random(rng, density=density)
        cfg = RsnnConfig(T=T, s_in=int(rng.integers(0, 8)), theta0=int(rng.integers(1, 80)),
                         theta1=int(rng.integers(1, 80)))
        f = rng.integers(0, 256, (20, 40), dtype=np.uint8)
        c = run_counters(run(w, cfg, f), f, T, schedule)
        assert c["cyc_total"].max() <= WORST[(T, schedule)][-1]


@pytest.mark.parametrize("T, schedule, max_w", [(1, "paper", 30), (1, "union", 42),
                                                (2, "paper", 17), (2, "union", 29)])
def test_frame_within_1000_cycles_when_fc_work_is_bounded(T, schedule, max_w):
    """docs/rsnn.md "Worst case": with every feature bit set and every L0 and L1 input
    spiking, a frame stays within 1000 cycles exactly when the FC work per group,
    max(ne, no) of the merged L1 spikes, is at most ``max_w``."""
    x = np.full(40, 255, np.uint8)
    ones = np.ones((T, 128), np.uint8)

    def total(w):   # w even and w odd merged L1 spikes at step 0
        s1 = np.zeros((T, 128), np.uint8)
        s1[0, :2 * w] = 1
        return frame_counters(x, ones, ones, ones, s1, T, schedule)["cyc_total"]

    assert total(max_w) <= 1000 < total(max_w + 1)
