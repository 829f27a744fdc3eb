"""Reader for ../shared/data/speech-samples (real files) and its error paths."""
import json
import shutil

import numpy as np
import pytest

from model.errors import InputError
from ml.speech.phones import CLASSES48, fold48to39, frame_labels
from ml.speech.samples import default_samples_dir, load_samples

SAMPLES_DIR = default_samples_dir()
needs_samples = pytest.mark.skipif(not (SAMPLES_DIR / "ASR_train.json").is_file(),
                                   reason=f"{SAMPLES_DIR} is absent")


@needs_samples
def test_aligned_samples():
    samples = load_samples()
    assert [s.id for s in samples] == [f"spk{k}_snt{i}" for k in (1, 2) for i in (1, 2, 3, 4)]
    first = samples[0]
    assert first.speaker == "spk1" and first.text == "THE CHILD ALMOST HURT THE SMALL DOG"
    assert first.audio.dtype == np.int16 and len(first.audio) == 45920
    assert first.phones[:4] == ["dh", "ax", "cl", "ch"]
    assert first.segments[0] == (0, 194, "dh") and first.segments[-1].end == 45479
    for s in samples:
        assert len(s.segments) == len(s.phones)
        assert all(a.end == b.start for a, b in zip(s.segments, s.segments[1:]))
        assert s.segments[-1].end <= len(s.audio)
        assert set(s.phones) <= set(CLASSES48)


@needs_samples
def test_samples_feed_frame_labels():
    s = load_samples()[0]
    n_frames = 1 + (len(s.audio) - 400) // 160
    labels = frame_labels(s.segments, n_frames)
    assert labels.shape == (n_frames,) and labels.min() >= 0 and labels.max() < 48
    assert CLASSES48[labels[0]] == "ax"     # centre 200 lies in ax [194, 426)
    assert labels[-1] == 0                   # past the last phone end -> sil


@needs_samples
def test_unaligned_and_39_folded_manifests():
    dev = load_samples(manifest="ASR_dev.json")
    assert [s.id for s in dev] == ["spk1_snt5", "spk2_snt5"]
    assert all(s.segments is None and s.phones for s in dev)
    folded = load_samples(manifest="ASR_train_39p.json")
    aligned = load_samples()
    for f, a in zip(folded, aligned):
        assert [fold48to39(p) for p in f.phones] == [fold48to39(p) for p in a.phones]
        assert [seg.end for seg in f.segments] == [seg.end for seg in a.segments]


def copy_with(tmp_path, edit):
    """Copy the real ASR_train.json and one wav into tmp_path, then edit the entry."""
    data = json.loads((SAMPLES_DIR / "ASR_train.json").read_text())
    entry = data["spk1_snt1"]
    edit(entry)
    shutil.copy(SAMPLES_DIR / "spk1_snt1.wav", tmp_path / "spk1_snt1.wav")
    (tmp_path / "ASR_train.json").write_text(json.dumps({"spk1_snt1": entry}))
    return tmp_path


@needs_samples
@pytest.mark.parametrize("edit, message", [
    (lambda e: e.update(phn=e["phn"].replace("ch", "xx", 1)), "phone 3 'xx' is not a 48-class"),
    (lambda e: e.update(phn=e["phn"] + " q"), "phone 30 'q' is not a 48-class"),
    (lambda e: e.update(ground_truth_phn_ends="194 426"), "2 phone ends for 30 phones"),
    (lambda e: e.update(ground_truth_phn_ends=e["ground_truth_phn_ends"].replace("426", "100")),
     "phone 1 'ax' ends at 100, not after its start 194"),
    (lambda e: e.update(ground_truth_phn_ends=e["ground_truth_phn_ends"].replace("45479", "99999")),
     "beyond the audio's 45920 samples"),
    (lambda e: e.update(ground_truth_phn_ends="1 2 x"), "are not integers"),
    (lambda e: e.update(wav="{data_root}/missing.wav"), "does not exist"),
])
def test_bad_entries_name_file_and_entry(tmp_path, edit, message):
    root = copy_with(tmp_path, edit)
    with pytest.raises(InputError, match=rf"ASR_train\.json: entry 'spk1_snt1': .*{message}"):
        load_samples(root)


def test_bad_json_names_line(tmp_path):
    (tmp_path / "ASR_train.json").write_text('{\n"a": 1,\n}')
    with pytest.raises(InputError, match=r"ASR_train\.json: line 3: bad JSON"):
        load_samples(tmp_path)
