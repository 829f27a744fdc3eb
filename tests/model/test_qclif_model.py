"""Hand-worked examples of docs/qclif.md "Neuron" and "Network" against model/qclif.py.

Every expected value is worked out by hand in the comments, not taken from the model.
"""
from __future__ import annotations

import numpy as np
import pytest

from model.errors import InputError
from model.qclif import (
    N_INPUTS, QclifRegs, QclifState, QclifWeights, apical, argmax_lowest, gain, multiply,
    neuron_step, readout, run, soma, spike_weighting, step_bin, synapse_count, threshold,
    weighted_sum,
)


def bits(*on, n=N_INPUTS):
    v = np.zeros(n, np.uint8)
    v[list(on)] = 1
    return v


# ---- spike weighting module --------------------------------------------------------
def test_weighting_saturates_at_both_ends_of_the_sum():
    w = np.zeros((N_INPUTS, 2), np.int8)
    w[:, 0], w[:, 1] = 127, -128
    x = np.ones(N_INPUTS, np.uint8)
    # Exact sums: 200*127 = 25400 and 200*(-128) = -25600 (the doc's bound).
    assert list(weighted_sum(x, w)) == [25400, -25600]
    # shift 0: far outside 8 bits -> 127 and -128.
    assert list(spike_weighting(x, w, 0)) == [127, -128]
    # shift 8: 25400 >>> 8 = 99 (99*256 = 25344); -25600 >>> 8 = -100 exactly.
    assert list(spike_weighting(x, w, 8)) == [99, -100]
    # shift 7: 25400/128 = 198.4 -> 198 -> sat 127; -25600/128 = -200 -> sat -128.
    assert list(spike_weighting(x, w, 7)) == [127, -128]
    # shift 15: 25400/32768 = 0.78 -> 0; -25600/32768 = -0.78 -> floor -1.
    assert list(spike_weighting(x, w, 15)) == [0, -1]


def test_weighting_saturation_edges():
    w = np.zeros((N_INPUTS, 4), np.int8)
    w[0], w[1] = [127, 127, -128, -128], [0, 1, 0, -1]
    x = bits(0, 1)
    # sums: 127, 128, -128, -129 -> sat_8: 127, 127, -128, -128.
    assert list(spike_weighting(x, w, 0)) == [127, 127, -128, -128]


def test_weighting_shift_floors_negative_sums():
    w = np.zeros((N_INPUTS, 3), np.int8)
    w[3] = [-5, -1, -4]
    x = bits(3)
    # -5 >>> 1 = floor(-2.5) = -3 (truncation would give -2);
    # -1 >>> 15 = -1 (never rounds up to 0); -4 >>> 2 = -1 exactly.
    assert list(spike_weighting(x, w, [1, 15, 2])) == [-3, -1, -1]
    assert spike_weighting(x, w[:, 0], 1) == -3     # single neuron column (200,)


def test_weighting_uses_only_set_bits():
    w = np.zeros((N_INPUTS, 1), np.int8)
    w[5, 0], w[6, 0], w[7, 0] = 10, 20, -40
    # x5 and x6 set, x7 clear: 10 + 20 = 30 (the -40 is ANDed away).
    assert spike_weighting(bits(5, 6), w, 0)[0] == 30


# ---- apical, gain, multiplication --------------------------------------------------
def test_apical_clamps_at_0_and_255():
    # 3 - 5 + 0 = -2 -> 0;  250 - 0 + 10 = 260 -> 255;  10 - 3 + (-4) = 3.
    assert list(apical([3, 250, 10], [5, 0, 3], [0, 10, -4])) == [0, 255, 3]
    # 0 - 255 + (-128) = -383 -> 0;  255 - 0 + 127 = 382 -> 255.
    assert list(apical([0, 255], [255, 0], [-128, 127])) == [0, 255]


def test_gain_range():
    # g0 + Va': 0 + 0 = 0;  255 + 255 = 510 (9-bit unsigned);  16 + 7 = 23.
    assert list(gain(np.array([0, 255, 16]), [0, 255, 7])) == [0, 510, 23]


def test_multiply_sign_and_floor():
    # -3*5 = -15, -15 >>> 1 = floor(-7.5) = -8;  3*5 = 15, 15 >>> 1 = 7.
    assert multiply(-3, 5, 1) == -8
    assert multiply(3, 5, 1) == 7
    # Extremes: -128*510 = -65280, 127*510 = 64770 (fit 18-bit signed, no clamp).
    assert list(multiply([-128, 127], 510, 0)) == [-65280, 64770]
    # -65280 >>> 15 = floor(-1.99) = -2;  64770 >>> 15 = 1.
    assert list(multiply([-128, 127], 510, 15)) == [-2, 1]
    # Any Is times g = 0 is 0.
    assert list(multiply([-128, -1, 127], 0, 0)) == [0, 0, 0]


def test_g0_zero_without_context_gives_no_drive():
    # g0 = 0, Va' = 0 -> g = 0 -> D = Is * 0 = 0 whatever Is is.
    g = gain(0, apical(0, 0, 0))
    assert g == 0
    assert list(multiply([-128, 127], g, 0)) == [0, 0]
    # Then V' = clamp_u8(0 - ls + 0) = 0 < theta (theta >= 1): never fires.
    v, s = threshold(soma(0, 0, 0), 1)
    assert v == 0 and s == 0


def test_g0_zero_and_zero_context_weights_never_fire():
    rng = np.random.default_rng(1)
    w = QclifWeights.random(rng, n=200, density=0.8)
    w.wctx[:] = 0
    regs = QclifRegs(la=3, ls=0, g0=0, theta=1, si=0, sa=0, sd=0)
    x = (rng.random((4, 300, N_INPUTS)) < 0.3).astype(np.uint8)
    r = run(w, regs, x)
    # Ia = sat_8(0 >>> sa) = 0; Va' = clamp_u8(0 - la + 0) = 0 every bin; g = 0; D = 0;
    # V' = clamp_u8(0 - 0 + 0) = 0 < theta = 1. Meanwhile Is is far from zero.
    assert not r.spikes.any()
    assert not r.va.any() and not r.d.any() and not r.v.any()
    assert np.abs(r.is_.astype(int)).max() > 100
    assert not r.scores.any() and not r.pred.any()


# ---- somatic compartment and threshold comparator ----------------------------------
def test_soma_clamps_at_both_ends():
    # 5 - 10 + 0 = -5 -> 0;  200 - 0 + 100 = 300 -> 255;  100 - 1 + (-20) = 79;
    # 255 - 0 + (-65280) -> 0;  0 - 0 + 64770 -> 255.
    assert list(soma([5, 200, 100, 255, 0], [10, 0, 1, 0, 0],
                     [0, 100, -20, -65280, 64770])) == [0, 255, 79, 0, 255]


def test_threshold_equality_and_subtraction():
    v, s = threshold([64, 63, 255, 0, 1], [64, 64, 100, 1, 1])
    # 64 >= 64 fires -> 0;  63 < 64 stays 63;  255 >= 100 fires once -> 155 (no second
    # subtraction although 155 >= 100);  0 < 1 stays;  1 >= 1 fires -> 0.
    assert list(v) == [0, 63, 155, 0, 0]
    assert list(s) == [1, 0, 1, 0, 1]
    assert s.dtype == np.uint8


def test_neuron_step_full_chain():
    win = np.zeros(N_INPUTS, np.int8)
    win[0], win[1] = 40, 30
    wctx = np.array([20, -6, 0], np.int8)
    regs = QclifRegs(la=2, ls=3, g0=4, theta=50, si=1, sa=1, sd=2)
    out = neuron_step((10, 20), bits(0, 1), np.array([1, 1, 0]), win, wctx, regs)
    # Is = sat_8((40 + 30) >>> 1) = 35;  Ia = sat_8((20 - 6) >>> 1) = 7
    # Va' = clamp_u8(10 - 2 + 7) = 15;  g = 4 + 15 = 19
    # D = (35 * 19) >>> 2 = 665 >>> 2 = 166
    # V' = clamp_u8(20 - 3 + 166) = 183 >= 50 -> spike, V = 133
    assert out["is_"] == 35 and out["ia"] == 7 and out["va"] == 15 and out["g"] == 19
    assert out["d"] == 166 and out["v_soma"] == 183
    assert out["v"] == 133 and out["spike"] == 1


# ---- network ----------------------------------------------------------------------
def two_neuron_net():
    """N = 2. Channel 0 -> neuron 0 (weight 100), channel 1 -> neuron 1 (10);
    context: neuron 0's spike -> neuron 1 (50). g0 = 1, theta = 100, no shifts, no leak."""
    w = QclifWeights.zeros(2)
    w.win[0, 0], w.win[1, 1] = 100, 10
    w.wctx[0, 1] = 50
    w.wout[0, :3] = [3, 0, -1]
    w.wout[1, :3] = [0, 1, 2]
    regs = QclifRegs(la=0, ls=0, g0=1, theta=100, si=0, sa=0, sd=0)
    x = np.stack([bits(0, 1), bits(1), bits(1)])
    return w, regs, x


def test_recurrence_uses_previous_bins_spikes():
    w, regs, x = two_neuron_net()
    r = run(w, regs, x)
    # Bin 0 (no context yet):
    #   n0: Is = 100, Ia = 0, Va' = 0, g = 1, D = 100, V' = 100 >= 100 -> spike, V = 0
    #   n1: Is = 10, Ia = 0 (n0's spike of THIS bin must not count), g = 1, D = 10,
    #       V' = 10, no spike
    # Bin 1 (context [1, 0]):
    #   n0: Is = 0, Ia = 1*Wctx[0][0] = 0, D = 0, V = 0
    #   n1: Is = 10, Ia = Wctx[0][1] = 50, Va' = 50, g = 51, D = 510,
    #       V' = clamp_u8(10 + 510) = 255 -> spike, V = 155
    # Bin 2 (context [0, 1]):
    #   n1: Ia = Wctx[1][1] = 0, Va' = 50 (no leak), g = 51, D = 510,
    #       V' = clamp_u8(155 + 510) = 255 -> spike, V = 155
    assert r.ia[:, 1].tolist() == [0, 50, 0]
    assert r.spikes.tolist() == [[1, 0], [0, 1], [0, 1]]
    assert r.va[:, 1].tolist() == [0, 50, 50]
    assert r.g[:, 1].tolist() == [1, 51, 51]
    assert r.d[:, 1].tolist() == [10, 510, 510]
    assert r.v.tolist() == [[0, 10], [0, 155], [0, 155]]


def test_readout_sum_and_argmax_tie():
    w, regs, x = two_neuron_net()
    r = run(w, regs, x)
    # Spikes per neuron over the 3 bins: n0 once, n1 twice.
    # score0 = 1*3 + 2*0 = 3;  score1 = 1*0 + 2*1 = 2;  score2 = 1*(-1) + 2*2 = 3.
    assert r.scores.tolist() == [3, 2, 3] + [0] * 8
    assert r.scores.dtype == np.int64
    # Tie 3 = 3 between classes 0 and 2: the lowest index wins.
    assert r.pred == 0


def test_argmax_lowest_index_on_ties():
    assert argmax_lowest([5, 7, 7, 1]) == 1
    assert argmax_lowest([-2, -2, -3]) == 0
    assert argmax_lowest([[0, 0, 1], [4, 4, 4]]).tolist() == [2, 0]


def test_readout_one_bin():
    wout = np.zeros((3, 11), np.int8)
    wout[0, 0], wout[2, 0], wout[1, 0] = 127, 127, -128
    # Spikes of n0 and n2: 127 + 127 = 254 (no 8-bit saturation in the readout).
    assert readout([1, 0, 1], wout)[0] == 254


def test_sample_start_resets_state():
    w, regs, x = two_neuron_net()
    # Bin 1 alone as a sample: no context and Va = V = 0, so n1 gets D = 10 and stays
    # silent, unlike bin 1 inside the sequence (which fired, see above).
    alone = run(w, regs, x[1:2])
    assert alone.spikes.tolist() == [[0, 0]] and alone.v.tolist() == [[0, 10]]
    # Two samples in a batch: the second starts from zero, not from the first's state.
    batch = run(w, regs, np.stack([x, np.stack([x[1], x[1], x[1]])]))
    assert batch.spikes[0].tolist() == [[1, 0], [0, 1], [0, 1]]
    # Sample 1, n1: V = 10, 20, 30 (D = 10 each bin, never reaches 100).
    assert batch.spikes[1].tolist() == [[0, 0]] * 3
    assert batch.v[1, :, 1].tolist() == [10, 20, 30]
    # A fresh step API state equally starts at zero.
    s = QclifState.new(2)
    assert not s.va.any() and not s.v.any() and not s.s_prev.any() and not s.scores.any()


def test_batch_equals_loop_and_step_api():
    rng = np.random.default_rng(7)
    w = QclifWeights.random(rng, n=20, density=0.6)
    regs = QclifRegs(la=2, ls=3, g0=8, theta=40, si=3, sa=2, sd=4)
    x = (rng.random((3, 25, N_INPUTS)) < 0.2).astype(np.uint8)
    batch = run(w, regs, x)
    assert batch.spikes.any()                       # the test exercises spikes
    for k in range(3):
        one = run(w, regs, x[k])
        for key, value in one.as_dict().items():
            np.testing.assert_array_equal(batch[key][k], value, err_msg=key)
    # Bin by bin with the step API gives the same values.
    state = QclifState.new(20)
    for t in range(25):
        b = step_bin(state, x[0, t], w, regs)
        assert b["spike"].tolist() == batch.spikes[0, t].tolist()
        assert b["v"].tolist() == batch.v[0, t].tolist()
        assert b["s_prev"].tolist() == (batch.spikes[0, t - 1].tolist() if t else [0] * 20)
    assert state.scores.tolist() == batch.scores[0].tolist()


def test_run_dtypes_and_shapes():
    w = QclifWeights.zeros(10)
    r = run(w, QclifRegs(), np.zeros((2, 4, N_INPUTS), np.uint8))
    assert r.spikes.shape == (2, 4, 10) and r.spikes.dtype == np.uint8
    assert r.va.dtype == np.uint8 and r.v.dtype == np.uint8
    assert r.is_.dtype == np.int8 and r.ia.dtype == np.int8 and r.d.dtype == np.int32
    assert r.scores.shape == (2, 11) and r.pred.shape == (2,)
    empty = run(w, QclifRegs(), np.zeros((0, N_INPUTS), np.uint8))
    assert empty.spikes.shape == (0, 10) and empty.scores.tolist() == [0] * 11


def test_synapse_count():
    # 200*200 + 200*200 + 200*11 = 40000 + 40000 + 2200 = 82,200.
    assert synapse_count(200) == 82_200


# ---- validation -------------------------------------------------------------------
@pytest.mark.parametrize("name, value", [
    ("theta", 0), ("theta", 256), ("si", 16), ("sa", -1), ("sd", 16), ("la", 256),
    ("ls", -1), ("g0", 256), ("g0", 1.0), ("theta", True),
])
def test_regs_validate_names_register(name, value):
    with pytest.raises(InputError) as e:
        QclifRegs(**{name: value}).validate()
    assert e.value.where == name


def test_regs_limits_are_legal():
    QclifRegs(la=255, ls=255, g0=255, theta=255, si=15, sa=15, sd=15).validate()
    QclifRegs(la=0, ls=0, g0=0, theta=1, si=0, sa=0, sd=0).validate()


def test_weights_validate_names_field():
    w = QclifWeights.zeros(4)
    w.wctx = np.zeros((4, 5), np.int8)
    with pytest.raises(InputError, match="wctx"):
        w.validate()
    w = QclifWeights.zeros(4)
    w.wout = np.zeros((4, 11), np.int16)
    w.wout[2, 3] = 128
    with pytest.raises(InputError) as e:
        w.validate()
    assert e.value.where == "wout" and "[2][3] = 128" in str(e.value)
    w = QclifWeights.zeros(4)
    w.win = np.zeros((N_INPUTS, 201), np.int8)
    with pytest.raises(InputError) as e:
        w.validate()
    assert e.value.where == "win"


def test_inputs_must_be_bits():
    w = QclifWeights.zeros(2)
    x = np.zeros((3, N_INPUTS), np.uint8)
    x[1, 5] = 2
    with pytest.raises(InputError, match="inputs"):
        run(w, QclifRegs(), x)
    with pytest.raises(InputError, match="inputs"):
        run(w, QclifRegs(), np.zeros((3, 199), np.uint8))
