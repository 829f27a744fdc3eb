"""Hand-worked examples of docs/rsnn.md "Arithmetic" against model/rsnn.py.

Every expected value is worked out by hand in the comments, not taken from the model.
"""
from __future__ import annotations

import numpy as np
import pytest

from model.errors import InputError
from model.rsnn import (
    RsnnConfig, RsnnState, RsnnWeights, argmax_lowest, class_scores, fc, input_current,
    input_term, layer_current_l0, layer_current_l1, leak, lif, merged_spikes, run,
    step_frame,
)


def spikes(*on, n=128):
    v = np.zeros(n, np.uint8)
    v[list(on)] = 1
    return v


# ---- input term and input current -------------------------------------------------
def test_input_term_and_negative_shift_floors():
    win = np.zeros((48, 128), np.int8)
    win[0, 0], win[1, 0] = -8, 7
    x = np.zeros(40, np.uint8)
    x[0], x[1] = 3, 2
    # A[0] = 3*(-8) + 2*7 = -24 + 14 = -10; other neurons have no weights: 0.
    A = input_term(x, win)
    assert A[0] == -10 and not A[1:].any()
    # -10 >>> 2 = floor(-2.5) = -3 (a truncating shift would give -2).
    assert input_current(A, 2)[0] == -3
    # -10 >>> 0 = -10;  -10 >>> 7 = floor(-0.078) = -1.
    assert input_current(A, 0)[0] == -10
    assert input_current(A, 7)[0] == -1


def test_input_current_saturates_both_ends():
    win = np.zeros((48, 128), np.int8)
    win[:40, 0], win[:40, 1] = 7, -8
    x = np.full(40, 255, np.uint8)
    A = input_term(x, win)
    # A[0] = 40*255*7 = 71400; A[1] = 40*255*(-8) = -81600 (the doc's bound).
    assert A[0] == 71400 and A[1] == -81600
    # s_in = 0: both beyond 12 bits -> 2047 and -2048.
    assert list(input_current(A[:2], 0)) == [2047, -2048]
    # s_in = 7: 71400 >>> 7 = 557 (557*128 = 71296); -81600 >>> 7 = -638 (-637.5 floored).
    assert list(input_current(A[:2], 7)) == [557, -638]


def test_input_uses_rows_40_to_47_of_a_48_wide_frame():
    # The formula sums i < 48; a 40-wide frame is padded with zeros.
    win = np.zeros((48, 128), np.int8)
    win[45, 3] = 2
    x48 = np.zeros(48, np.uint8)
    x48[45] = 10
    assert input_term(x48, win)[3] == 20          # 10 * 2
    assert input_term(np.zeros(40, np.uint8), win)[3] == 0


# ---- layer currents ----------------------------------------------------------------
def test_l0_current_saturates_above_2047():
    wr0 = np.zeros((128, 128), np.int8)
    wr0[:10, 0] = 7
    iin = np.zeros(128, np.int64)
    iin[0] = 2000
    # 2000 + 10*7 = 2070 > 2047 -> 2047.
    assert layer_current_l0(iin, spikes(*range(10)), wr0)[0] == 2047


def test_l0_current_saturates_below_minus_2048():
    wr0 = np.zeros((128, 128), np.int8)
    wr0[:10, 0] = -8
    iin = np.zeros(128, np.int64)
    iin[0] = -2040
    # -2040 + 10*(-8) = -2120 < -2048 -> -2048.
    assert layer_current_l0(iin, spikes(*range(10)), wr0)[0] == -2048


def test_l0_current_per_step_uses_that_steps_spikes():
    wr0 = np.zeros((128, 128), np.int8)
    wr0[4, 9] = 5
    iin = np.full(128, 3, np.int64)
    s_prev = np.stack([spikes(), spikes(4)])          # neuron 4 spiked only at step 1
    i0 = layer_current_l0(iin, s_prev, wr0)
    # step 0: 3 + 0 = 3; step 1: 3 + 5 = 8.
    assert i0[0, 9] == 3 and i0[1, 9] == 8


def test_l1_current_sums_both_lists():
    wf1 = np.zeros((128, 128), np.int8)
    wr1 = np.zeros((128, 128), np.int8)
    wf1[0, 6], wf1[2, 6], wf1[1, 6] = 7, -3, 4      # j = 1 does not spike in S0
    wr1[1, 6] = -8
    # S0 = {0, 2}, S1_prev = {1}: 7 + (-3) + (-8) = -4.
    assert layer_current_l1(spikes(0, 2), spikes(1), wf1, wr1)[6] == -4


def test_l1_current_extremes_fit_12_bits():
    ones = spikes(*range(128))
    lo = np.full((128, 128), -8, np.int8)
    hi = np.full((128, 128), 7, np.int8)
    # 256 * (-8) = -2048; 256 * 7 = 1792: no saturation needed.
    assert (layer_current_l1(ones, ones, lo, lo) == -2048).all()
    assert (layer_current_l1(ones, ones, hi, hi) == 1792).all()


# ---- LIF -----------------------------------------------------------------------
def test_leak_of_negative_membrane_floors():
    # leak(-5), b=1: -5 - (-5 >>> 1) = -5 - (-3) = -2.
    assert leak(-5, 1) == -2
    # leak(5), b=1: 5 - 2 = 3;  leak(-1), b=3: -1 - (-1) = 0;  leak(100), b=3: 100 - 12 = 88.
    assert leak(5, 1) == 3 and leak(-1, 3) == 0 and leak(100, 3) == 88


def test_lif_negative_membrane_leaks_towards_zero():
    u, s = lif(np.array([-5]), np.array([0]), b=1, theta=10)
    assert u[0] == -2 and s[0] == 0


def test_lif_threshold_equality_spikes_and_resets():
    u_prev = np.zeros(3, np.int64)
    # U = 0 + i: 10 == theta -> spike, reset 0; 9 < theta -> keep 9; 11 -> spike.
    u, s = lif(u_prev, np.array([10, 9, 11]), b=1, theta=10)
    assert list(s) == [1, 0, 1] and list(u) == [0, 9, 0]


def test_lif_membrane_saturates_low():
    # leak(-2048), b=7: -2048 - (-16) = -2032; -2032 + (-100) = -2132 -> -2048.
    u, s = lif(np.array([-2048]), np.array([-100]), b=7, theta=1)
    assert u[0] == -2048 and s[0] == 0


def test_lif_membrane_saturates_high_then_spikes_at_theta_max():
    # leak(2000), b=7: 2000 - 15 = 1985; 1985 + 100 = 2085 -> 2047 == theta 2047: spike.
    u, s = lif(np.array([2000]), np.array([100]), b=7, theta=2047)
    assert s[0] == 1 and u[0] == 0
    # Just below: leak(2000) + 61 = 2046 < 2047: no spike, membrane 2046.
    u, s = lif(np.array([2000]), np.array([61]), b=7, theta=2047)
    assert s[0] == 0 and u[0] == 2046


# ---- FC and readout ----------------------------------------------------------------
def test_merged_spikes_and_doubled_weight():
    s1 = np.stack([spikes(0), spikes(0, 1)])       # j0 both steps, j1 step 1, j2 never
    m = merged_spikes(s1)
    assert list(m[:3]) == [2, 1, 0]
    wfc = np.zeros((128, 1920), np.int8)
    wfc[0, 77], wfc[1, 77], wfc[2, 77] = -8, 7, 5
    # z[77] = 2*(-8) + 1*7 + 0*5 = -16 + 7 = -9.
    z = fc(m, wfc)
    assert z[77] == -9 and np.count_nonzero(z) == 1


def test_class_scores_sum_populations():
    z = np.zeros(1920, np.int64)
    z[40 * 3: 40 * 4] = 1            # class 3: 40 ones -> 40
    z[40 * 47 + 39] = -5             # last output belongs to class 47
    z[39] = 2                        # output 39 is still class 0
    scores = class_scores(z)
    assert scores[3] == 40 and scores[47] == -5 and scores[0] == 2
    assert scores.sum() == 40 - 5 + 2


def test_argmax_ties_take_lowest_index():
    scores = np.zeros(48, np.int64)
    scores[5] = scores[2] = 10
    assert argmax_lowest(scores) == 2
    assert argmax_lowest(np.zeros(48)) == 0
    assert argmax_lowest(np.full(48, -3)) == 0


# ---- whole network -----------------------------------------------------------------
def chain_weights(class_id=7):
    """Feature 0 -> L0 neuron 0 -> L1 neuron 0 -> class ``class_id``."""
    w = RsnnWeights.zeros()
    w.win[0, 0] = 3
    w.wf1[0, 0] = 4
    w.wfc[0, 40 * class_id: 40 * class_id + 40] = 1
    return w


def test_end_to_end_t1_by_hand():
    x = np.zeros((1, 40), np.uint8)
    x[0, 0] = 2
    cfg = RsnnConfig(T=1, s_in=1, b0=1, b1=1, theta0=3, theta1=4)
    r = run(chain_weights(), cfg, x)
    # A[0] = 2*3 = 6; Iin = 6 >>> 1 = 3; U0 = 0 + 3 = 3 >= 3: spike, reset.
    assert r.iin[0, 0] == 3 and r.spikes0[0, 0, 0] == 1 and r.u0[0, 0, 0] == 0
    # I1[0] = S0[0]*Wf1[0][0] = 4 >= theta1 4: spike; m = 1; score[7] = 40*1.
    assert r.i1[0, 0, 0] == 4 and r.spikes1[0, 0, 0] == 1
    assert r.scores[0, 7] == 40 and r.pred[0] == 7
    assert r.spikes0.sum() == 1 and r.spikes1.sum() == 1


def test_end_to_end_t2_merged_spike_counts_twice():
    x = np.zeros((1, 40), np.uint8)
    x[0, 0] = 2
    cfg = RsnnConfig(T=2, s_in=1, b0=1, b1=1, theta0=3, theta1=4)
    r = run(chain_weights(), cfg, x)
    # Step 0 as at T = 1 (spike, reset 0); step 1: leak(0) + 3 = 3: spike again.
    assert list(r.spikes0[0, :, 0]) == [1, 1]
    # L1 spikes at both steps -> m = 2 -> z = 2 per output -> score[7] = 80.
    assert list(r.spikes1[0, :, 0]) == [1, 1]
    assert r.scores[0, 7] == 80 and r.pred[0] == 7


def test_zero_network_predicts_class_0():
    r = run(RsnnWeights.zeros(), RsnnConfig(), np.full((3, 40), 9, np.uint8))
    assert (r.scores == 0).all() and (r.pred == 0).all()


def test_same_step_recurrence():
    """Step k of frame t reads S[t-1][k], not step 0 and not the last step."""
    w = RsnnWeights.zeros()
    w.win[0, 0] = 7
    w.wr0[0, 1] = 5
    x = np.zeros((2, 40), np.uint8)
    x[:, 0] = 1
    cfg = RsnnConfig(T=2, s_in=0, b0=7, b1=1, theta0=10, theta1=100)
    r = run(w, cfg, x)
    # Frame 0, neuron 0: Iin = 7. Step 0: U = 0 + 7 = 7 < 10. Step 1: leak(7), b=7 is
    # 7 - 0 = 7; 7 + 7 = 14 >= 10: spike at step 1 only, reset 0.
    assert list(r.u0[0, :, 0]) == [7, 0] and list(r.spikes0[0, :, 0]) == [0, 1]
    # Frame 1, neuron 1: I0[k] = Iin[1] (0) + S0[0][k][0] * 5 -> step 0: 0, step 1: 5.
    assert list(r.i0[1, :, 1]) == [0, 5]
    # Frame 0 had no recurrent input: I0 == Iin.
    assert (r.i0[0] == r.iin[0]).all()


def test_membrane_carries_across_frames():
    w = RsnnWeights.zeros()
    w.win[0, 0] = 1
    x = np.zeros((3, 40), np.uint8)
    x[:, 0] = 4
    cfg = RsnnConfig(T=1, s_in=0, b0=2, b1=1, theta0=100, theta1=100)
    r = run(w, cfg, x)
    # Iin = 4 each frame, b = 2: U = 0 + 4 = 4; leak(4) = 4 - 1 = 3, 3 + 4 = 7;
    # leak(7) = 7 - 1 = 6, 6 + 4 = 10.
    assert list(r.u0[:, 0, 0]) == [4, 7, 10]


def test_utterance_reset_between_runs_and_states():
    rng = np.random.default_rng(5)
    w = RsnnWeights.random(rng, density=0.7)
    cfg = RsnnConfig(T=2, s_in=4, b0=2, b1=2, theta0=20, theta1=10)
    f = rng.integers(0, 256, (6, 40), dtype=np.uint8)
    first, again = run(w, cfg, f), run(w, cfg, f)
    assert (first.u0 == again.u0).all() and (first.scores == again.scores).all()
    # Carried state: frames 3..5 of one utterance differ from a fresh start at frame 3
    # (these weights make the network active, so the state is not all zero).
    fresh = run(w, cfg, f[3:])
    assert first.spikes0[2].any()
    assert not np.array_equal(first.u0[3:], fresh.u0)
    # A new RsnnState starts from U = 0, S = 0 again.
    state = RsnnState.new()
    r0 = step_frame(state, f[0], w, cfg)
    assert (r0.s0_prev == 0).all() and (r0.s1_prev == 0).all()
    assert (r0.u0 == first.u0[0]).all()


def test_t_is_held_for_the_utterance():
    rng = np.random.default_rng(6)
    w = RsnnWeights.random(rng)
    f = rng.integers(0, 256, (3, 40), dtype=np.uint8)
    state = RsnnState.new()
    step_frame(state, f[0], w, RsnnConfig(T=2))
    later = step_frame(state, f[1], w, RsnnConfig(T=1))   # ignored mid-utterance
    assert later.T == 2 and later.s0.shape == (2, 128)


def test_step_frame_matches_run():
    rng = np.random.default_rng(7)
    w = RsnnWeights.random(rng, density=0.6)
    cfg = RsnnConfig(T=2, s_in=5, b0=3, b1=2, theta0=30, theta1=15)
    f = rng.integers(0, 256, (5, 40), dtype=np.uint8)
    r = run(w, cfg, f)
    state = RsnnState.new()
    for t in range(5):
        fr = step_frame(state, f[t], w, cfg)
        assert (fr.s0 == r.spikes0[t]).all() and (fr.u1 == r.u1[t]).all()
        assert (fr.scores == r.scores[t]).all() and fr.pred == r.pred[t]


@pytest.mark.parametrize("T", [1, 2])
def test_batch_equals_loop(T):
    rng = np.random.default_rng(8 + T)
    w = RsnnWeights.random(rng, density=0.6)
    cfg = RsnnConfig(T=T, s_in=5, b0=2, b1=3, theta0=25, theta1=12)
    f = rng.integers(0, 256, (4, 7, 40), dtype=np.uint8)
    batch = run(w, cfg, f)
    for b in range(4):
        one = run(w, cfg, f[b])
        for key in ("iin", "i0", "u0", "spikes0", "i1", "u1", "spikes1", "m", "z",
                    "scores", "pred"):
            assert np.array_equal(batch[key][b], one[key]), key


@pytest.mark.parametrize("T", [1, 2])
def test_result_shapes_and_dtypes(T):
    f = np.zeros((5, 40), np.uint8)
    r = run(RsnnWeights.zeros(), RsnnConfig(T=T), f)
    for key in ("spikes0", "spikes1", "u0", "u1", "i0", "i1"):
        assert r[key].shape == (5, T, 128), key
    assert r.iin.shape == (5, 128) and r.z.shape == (5, 1920)
    assert r.scores.shape == (5, 48) and r.scores.dtype == np.int32
    assert r.pred.shape == (5,)
    assert r.spikes0.dtype == np.uint8
    rb = run(RsnnWeights.zeros(), RsnnConfig(T=T), np.zeros((2, 5, 48), np.uint8))
    assert rb.spikes1.shape == (2, 5, T, 128) and rb.pred.shape == (2, 5)


def test_features_40_and_48_wide_agree():
    rng = np.random.default_rng(9)
    w = RsnnWeights.random(rng)
    f40 = rng.integers(0, 256, (4, 40), dtype=np.uint8)
    f48 = np.concatenate([f40, np.zeros((4, 8), np.uint8)], axis=1)
    assert np.array_equal(run(w, RsnnConfig(), f40).scores, run(w, RsnnConfig(), f48).scores)


# ---- validation ----------------------------------------------------------------------
def test_weights_validate_names_field():
    w = RsnnWeights.zeros()
    w.wr1[3, 4] = 8
    with pytest.raises(InputError, match=r"wr1: \[3\]\[4\] = 8 outside -8..7"):
        w.validate()
    w = RsnnWeights.zeros()
    w.win = np.zeros((40, 128), np.int8)
    with pytest.raises(InputError, match=r"win: shape \(40, 128\)"):
        w.validate()


def test_random_weights_are_legal_and_sparse():
    w = RsnnWeights.random(np.random.default_rng(0), density=0.4).validate()
    frac = np.count_nonzero(w.wfc) / w.wfc.size
    assert 0.35 < frac < 0.45 and not w.win[40:].any()


@pytest.mark.parametrize("name, value", [("T", 3), ("T", 0), ("s_in", 8), ("s_in", -1),
                                         ("b0", 0), ("b1", 8), ("theta0", 0),
                                         ("theta1", 2048), ("theta0", 1.5)])
def test_config_validate_names_register(name, value):
    cfg = RsnnConfig(**{name: value})
    with pytest.raises(InputError, match=rf"^{name}: "):
        cfg.validate()


@pytest.mark.parametrize("features", [np.zeros((3, 41), np.uint8), np.zeros(40, np.uint8),
                                      np.full((2, 40), 256), np.full((2, 40), -1),
                                      np.zeros((2, 40), np.float32)])
def test_bad_features_rejected(features):
    with pytest.raises(InputError, match="features"):
        run(RsnnWeights.zeros(), RsnnConfig(), features)


def test_step_frame_rejects_bad_frame():
    state = RsnnState.new(batch_shape=(2,))
    with pytest.raises(InputError, match="frame: shape"):
        step_frame(state, np.zeros(40, np.uint8), RsnnWeights.zeros(), RsnnConfig())
    with pytest.raises(InputError, match="frame: features must be"):
        step_frame(state, np.full((2, 40), 300), RsnnWeights.zeros(), RsnnConfig())
