"""prepare(): synthetic DVS Gesture folder -> binned qclif inputs, end to end."""
import json

import numpy as np
import pytest

from ml.dvs.binning import BinningParams, pool_and_bin
from ml.dvs.layout import load_trial, list_trials
from ml.dvs.prepare import DEFAULT_BINNING, load_prepared, prepare
from ml.dvs.synth import SynthConfig, synthesize_dataset
from model.errors import InputError

TINY = SynthConfig(gesture_s=(0.25, 0.35), gap_s=(0.1, 0.15), lead_s=0.1, tail_s=0.1)
PARAMS = BinningParams(bin_us=50_000, n_bins=6, k_min=2, offset_us=10_000)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    root = tmp_path_factory.mktemp("dvs")
    synthesize_dataset(root, 22, seed=11, users=[3, 4], test_users=[4], config=TINY,
                       workers=1)
    out = root / "prepared"
    summary = prepare(root, out, PARAMS)
    return root, out, summary


def test_files_and_summary(prepared):
    root, out, summary = prepared
    assert {p.name for p in out.iterdir()} == {"train.npz", "test.npz", "binning.json"}
    assert json.loads((out / "binning.json").read_text()) == PARAMS.to_dict()
    for split in ("train", "test"):
        s = summary[split]
        assert s["samples"] == 11 and s["per_class"] == [1] * 11
        assert 0.0 < s["density"] < 0.5


def test_inputs_match_direct_binning(prepared):
    root, out, _ = prepared
    for split in ("train", "test"):
        data = load_prepared(out / f"{split}.npz")
        assert data.params == PARAMS
        assert data.inputs.shape == (11, 6, 200) and data.inputs.dtype == np.uint8
        (name,) = list_trials(root, split)
        trial = load_trial(root, name)
        segs = trial.labels.segments
        assert data.labels.tolist() == [s.class_id - 1 for s in segs]
        assert data.trials.tolist() == [trial.name] * 11
        assert data.starts_us.tolist() == [s.start_us for s in segs]
        for i, s in enumerate(segs):
            ev = trial.events.time_slice(s.start_us, s.end_us)
            want = pool_and_bin(ev, s.start_us + PARAMS.offset_us, PARAMS.bin_us,
                                PARAMS.n_bins, PARAMS.k_min)
            assert np.array_equal(data.inputs[i], want)
        # gestures are 250-350 ms: bins from 10 ms + 6 x 50 ms = 310 ms on; anything
        # in the last bin comes from before the label's end only
        assert data.inputs[:, :5].any(axis=(1, 2)).all()
        assert data.density == pytest.approx(data.inputs.mean())


def test_load_prepared_checks_binning(prepared, tmp_path):
    _, out, _ = prepared
    (tmp_path / "train.npz").write_bytes((out / "train.npz").read_bytes())
    bad = dict(PARAMS.to_dict(), n_bins=7)
    (tmp_path / "binning.json").write_text(json.dumps(bad))
    with pytest.raises(InputError, match="inputs"):
        load_prepared(tmp_path / "train.npz")
    (tmp_path / "binning.json").write_text(json.dumps(dict(PARAMS.to_dict(), channels=100)))
    with pytest.raises(InputError, match="channels"):
        load_prepared(tmp_path / "train.npz")
    with pytest.raises(InputError, match="no such file"):
        load_prepared(tmp_path / "missing.npz", out / "binning.json")


def test_default_binning_is_a_1_5_s_window():
    assert DEFAULT_BINNING.window_us == 1_500_000
    assert DEFAULT_BINNING.k_min >= 2
