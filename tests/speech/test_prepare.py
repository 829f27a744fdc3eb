"""prepare(): TIMIT-format corpus -> quantized features, frame labels, references,
quantizer; prepare_samples() on the real recordings; load_prepared() checks."""
import json

import numpy as np
import pytest

pytest.importorskip("librosa")

from model.errors import InputError  # noqa: E402
from ml.speech.features import Quantizer, logmel  # noqa: E402
from ml.speech.phones import CLASSES48, PHONES39, frame_labels, per  # noqa: E402
from ml.speech.prepare import (NO_LABEL, load_prepared, load_quantizer, prepare,  # noqa: E402
                                  prepare_samples, reference39)
from ml.speech.samples import default_samples_dir  # noqa: E402
from ml.speech.sphere import write_sphere  # noqa: E402
from ml.speech.engines import available_engines  # noqa: E402
from ml.speech.synth import synthesize_corpus  # noqa: E402
from ml.speech.timit import list_utterances, load_utterance  # noqa: E402

PHN = [(0, 2000, "h#"), (2000, 3500, "sh"), (3500, 5000, "iy"), (5000, 5600, "q"),
       (5600, 6400, "tcl"), (6400, 7000, "t"), (7000, 8800, "ix"), (8800, 11000, "h#")]


def _write_utt(folder, utt, rng, phn=PHN, n=11000):
    folder.mkdir(parents=True, exist_ok=True)
    audio = np.round(rng.normal(0, 800, n) * np.hanning(n)).astype(np.int16)
    write_sphere(folder / f"{utt}.WAV", audio, utt.lower())
    (folder / f"{utt}.PHN").write_text("".join(f"{a} {b} {c}\n" for a, b, c in phn))


@pytest.fixture
def tiny_timit(tmp_path):
    """A hand-made TIMIT-layout corpus: 3 train and 2 test utterances (one SA)."""
    rng = np.random.default_rng(1)
    root = tmp_path / "timit"
    _write_utt(root / "TRAIN" / "DR1" / "MABC0", "SX1", rng)
    _write_utt(root / "TRAIN" / "DR1" / "MABC0", "SA1", rng)
    _write_utt(root / "TRAIN" / "DR2" / "FDEF0", "SI5", rng, n=12345)
    _write_utt(root / "TEST" / "DR3" / "MDAB0", "SX9", rng)      # a core test speaker
    _write_utt(root / "TEST" / "DR3" / "MXYZ0", "SX8", rng)
    return root


def test_reference39_folds_drops_q_and_collapses():
    assert reference39([p for _, _, p in PHN]) == ["sil", "sh", "iy", "sil", "t", "ih", "sil"]
    assert reference39(["ao", "aa", "pau", "h#", "zh"]) == ["aa", "sil", "sh"]


def test_prepare_end_to_end(tiny_timit, tmp_path):
    out = tmp_path / "prep"
    summary = prepare(tiny_timit, out)
    assert summary["train"]["utterances"] == 2 and summary["test"]["utterances"] == 2
    train, test = load_prepared(out / "train.npz"), load_prepared(out / "test.npz")
    assert train.names == ["MABC0_SX1", "FDEF0_SI5"]
    q = load_quantizer(out / "quantizer.json")
    utts = list_utterances(tiny_timit, "train")
    feats = [logmel(load_utterance(u).audio) for u in utts]
    ref_q = Quantizer.fit(feats)
    assert np.array_equal(q.scale, ref_q.scale) and np.array_equal(q.offset, ref_q.offset)
    for i, u in enumerate(utts):
        data = load_utterance(u)
        f, labels = train[i]
        assert f.dtype == np.uint8 and f.shape == (1 + (len(data.audio) - 400) // 160, 40)
        assert np.array_equal(f, q.quantize(feats[i]))
        assert np.array_equal(labels, frame_labels(data.phones, len(f)))
        assert per([s.label for s in data.phones], train.ref39[i]) == 0
        assert set(train.ref39[i]) <= set(PHONES39)
    assert train.offsets[-1] == len(train.features) == summary["train"]["frames"]
    sh = CLASSES48.index("sh")
    assert train[0][1][(2000 - 200) // 160 + 1] == sh
    assert len(test) == 2 and test[0][0].shape[1] == 40


def test_prepare_core_test_and_sa(tiny_timit, tmp_path):
    s = prepare(tiny_timit, tmp_path / "core", core_test=True, include_sa=True)
    assert s["train"]["utterances"] == 3 and s["test"]["utterances"] == 1
    assert load_prepared(tmp_path / "core" / "test.npz").names == ["MDAB0_SX9"]


def test_prepare_without_test_speakers_is_an_error(tiny_timit, tmp_path):
    import shutil
    shutil.rmtree(tiny_timit / "TEST" / "DR3" / "MDAB0")
    with pytest.raises(InputError, match="no core test utterances"):
        prepare(tiny_timit, tmp_path / "x", core_test=True)


@pytest.mark.parametrize("key, value, message", [
    ("labels", np.full(10, 60, np.uint8), "field labels"),
    ("offsets", np.array([0, 5], np.int64), "field offsets"),
    ("features", np.zeros((4, 40), np.float32), "field features"),
    ("phones39", np.array(["x"] * 39), "field phones39"),
    ("ref39", None, "field ref39: missing"),
])
def test_load_prepared_names_the_bad_field(tiny_timit, tmp_path, key, value, message):
    prepare(tiny_timit, tmp_path / "p")
    with np.load(tmp_path / "p" / "train.npz") as z:
        data = dict(z)
    if value is None:
        del data[key]
    else:
        data[key] = value
    bad = tmp_path / "bad.npz"
    np.savez(bad, **data)
    with pytest.raises(InputError, match=rf"bad\.npz: {message}"):
        load_prepared(bad)


def test_bad_quantizer_json_names_the_file(tmp_path):
    p = tmp_path / "quantizer.json"
    p.write_text(json.dumps({"kind": "affine-u8", "n_features": 2, "scale": [1, 0],
                             "offset": [0, 0]}))
    with pytest.raises(InputError, match=r"quantizer\.json: quantizer\.scale\[1\]: must be positive"):
        load_quantizer(p)


@pytest.mark.skipif(not (default_samples_dir() / "ASR_train.json").is_file(),
                    reason="../shared/data/speech-samples not present")
def test_prepare_samples_with_the_training_quantizer(tiny_timit, tmp_path):
    prepare(tiny_timit, tmp_path / "p")
    s = prepare_samples(None, tmp_path / "p" / "quantizer.json", tmp_path / "p" / "samples.npz")
    samples = load_prepared(tmp_path / "p" / "samples.npz")
    assert len(samples) == s["utterances"] == 8
    assert (samples.labels < len(CLASSES48)).all()
    for i in range(len(samples)):
        f, labels = samples[i]
        assert f.shape[1] == 40 and len(labels) == len(f) and len(samples.ref39[i]) > 3
    un = prepare_samples(None, load_quantizer(tmp_path / "p" / "quantizer.json"),
                         tmp_path / "p" / "dev.npz", manifest="ASR_dev.json")
    assert un["utterances"] == 2
    assert (load_prepared(tmp_path / "p" / "dev.npz").labels == NO_LABEL).all()


@pytest.mark.skipif(set(available_engines()) != {"festival", "espeak"},
                    reason="festival and espeak-ng not installed (scripts/install_speech_tools.sh)")
def test_prepare_a_synthesized_corpus(tmp_path):
    root = tmp_path / "synth"
    synthesize_corpus(root, 4, seed=2, test_fraction=0.5, utterances_per_speaker=1, jobs=2)
    s = prepare(root, tmp_path / "prep")
    assert s["train"]["utterances"] == 2 and s["test"]["utterances"] == 2
    for split in ("train", "test"):
        data = load_prepared(tmp_path / "prep" / f"{split}.npz")
        for i in range(len(data)):
            f, labels = data[i]
            assert len(f) > 50 and labels[0] == 0 and labels[-1] == 0     # h# edges are sil
            assert len(set(labels.tolist())) > 5
            assert data.ref39[i][0] == "sil" and data.ref39[i][-1] == "sil"
    train = load_prepared(tmp_path / "prep" / "train.npz")
    assert 0 < train.features.mean() < 255
