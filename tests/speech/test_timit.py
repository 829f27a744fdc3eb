"""TIMIT label files and corpus layout, on tiny corpora built in tmp_path."""
import numpy as np
import pytest

from model.errors import InputError
from ml.speech.phones import Segment
from ml.speech.sphere import write_sphere
from ml.speech.timit import (CORE_TEST_SPEAKERS, Sentence, find_split_dir, list_utterances,
                                load_utterance, read_phn, read_txt, read_wrd)

N = 4000  # samples per tiny utterance
PHN = "0 1000 h#\n1000 1800 sh\n1800 2500 iy\n2500 3000 q\n3000 4000 h#\n"
WRD = "1000 2500 she\n2400 3000 overlap\n"
TXT = "0 4000 She.\n"


def write(path, text):
    path.write_text(text)
    return path


# ---------------------------------------------------------------- label files

def test_read_phn_good(tmp_path):
    segs = read_phn(write(tmp_path / "SA1.PHN", PHN), n_samples=N)
    assert segs[0] == Segment(0, 1000, "h#") and segs[2].label == "iy" and len(segs) == 5


def test_read_wrd_allows_gaps_and_overlap_like_real_timit(tmp_path):
    words = read_wrd(write(tmp_path / "SA1.WRD", WRD), n_samples=N)
    assert [w.label for w in words] == ["she", "overlap"]


def test_read_txt(tmp_path):
    assert read_txt(write(tmp_path / "SA1.TXT", "0 46797 She had your dark suit.\n\n")) == \
        Sentence(0, 46797, "She had your dark suit.")
    with pytest.raises(InputError, match=r"two\.TXT: line 2: expected one"):
        read_txt(write(tmp_path / "two.TXT", "0 1 a\n1 2 b\n"))


@pytest.mark.parametrize("text, line, message", [
    ("0 1000 h#\n1000 2000 sh\n500 900 iy\n", 3, "out of order"),
    ("0 1000 h#\n900 2000 sh\n", 2, "overlaps the previous line's end 1000"),
    ("0 1000 h#\n1100 2000 sh\n", 2, "leaves a gap"),
    ("0 1000 h#\n1000 4001 sh\n", 2, "beyond the audio's 4000 samples"),
    ("0 1000 h#\n1000 2000 xx\n", 2, "'xx' is not one of the 61 TIMIT phones"),
    ("0 1000 h#\n1000 2000 SH\n", 2, "'SH' is not one of the 61"),
    ("0 1000 h#\n1000 2000\n", 2, "expected 'start end label'"),
    ("0 1000 h#\n1000 2000 sh iy\n", 2, "expected 'start end label'"),
    ("0 1000 h#\n1000 2x00 sh\n", 2, "must be sample numbers"),
    ("0 1000 h#\n\n1000 1000 sh\n", 3, "end 1000 is not after start 1000"),
])
def test_bad_phn_names_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path / "BAD.PHN", text)
    with pytest.raises(InputError, match=rf"BAD\.PHN: line {line}: .*{message}"):
        read_phn(path, n_samples=N)


def test_bad_wrd_order_and_bounds(tmp_path):
    with pytest.raises(InputError, match=r"W\.WRD: line 2: .*out of order"):
        read_wrd(write(tmp_path / "W.WRD", "100 200 a\n50 300 b\n"))
    with pytest.raises(InputError, match=r"W\.WRD: line 1: .*beyond"):
        read_wrd(write(tmp_path / "W.WRD", "100 5000 a\n"), n_samples=N)


def test_non_ascii_label_file(tmp_path):
    path = tmp_path / "U.PHN"
    path.write_bytes(b"0 1000 h#\n1000 2000 \xe9\n")
    with pytest.raises(InputError, match=r"U\.PHN: line 2: not ASCII"):
        read_phn(path)


# ---------------------------------------------------------------- layout

LAYOUT = {  # split -> dialect -> speaker -> utterance ids
    "TRAIN": {"DR1": {"FCJF0": ["SA1", "SA2", "SI648", "SX37"]},
              "DR2": {"MABC0": ["SX1"]}},
    "TEST": {"DR1": {"MDAB0": ["SA1", "SI1039", "SX49"]},   # core test speaker
             "DR3": {"MXYZ0": ["SI5", "SX2"]}},             # not core
}


def make_corpus(base, lower=False, with_extra=True):
    """Write the LAYOUT tree under base/TIMIT (names lower-cased if asked)."""
    case = str.lower if lower else str.upper
    root = base / case("TIMIT")
    audio = (np.arange(N) % 200 - 100).astype(np.int16)
    for split, dialects in LAYOUT.items():
        for dialect, speakers in dialects.items():
            for speaker, utts in speakers.items():
                folder = root / case(split) / case(dialect) / case(speaker)
                folder.mkdir(parents=True)
                for utt in utts:
                    write_sphere(folder / case(f"{utt}.WAV"), audio, utterance_id=utt.lower())
                    write(folder / case(f"{utt}.PHN"), PHN)
                    if with_extra:
                        write(folder / case(f"{utt}.WRD"), WRD)
                        write(folder / case(f"{utt}.TXT"), TXT)
    return root


@pytest.mark.parametrize("lower", [False, True])
def test_layout_discovery_both_cases(tmp_path, lower):
    root = make_corpus(tmp_path, lower=lower)
    train = list_utterances(root, "train")
    assert [u.name for u in train] == ["FCJF0_SI648", "FCJF0_SX37", "MABC0_SX1"]
    u = train[0]
    assert (u.split, u.dialect, u.speaker, u.id) == ("train", "DR1", "FCJF0", "SI648")
    assert u.wav.is_file() and u.phn.is_file() and u.wrd.is_file() and u.txt.is_file()
    assert len(list_utterances(root, "TEST")) == 4
    # Also found from the folder above TIMIT/.
    assert [v.name for v in list_utterances(tmp_path, "train")] == [v.name for v in train]


def test_sa_sentences_only_on_request(tmp_path):
    root = make_corpus(tmp_path)
    ids = [u.name for u in list_utterances(root, "train", include_sa=True)]
    assert ids == ["FCJF0_SA1", "FCJF0_SA2", "FCJF0_SI648", "FCJF0_SX37", "MABC0_SX1"]


def test_core_test_filter(tmp_path):
    assert len(CORE_TEST_SPEAKERS) == 24 and "MDAB0" in CORE_TEST_SPEAKERS
    assert sum(s.startswith("F") for s in CORE_TEST_SPEAKERS) == 8  # 2 men and 1 woman per dialect region
    root = make_corpus(tmp_path, lower=True)
    core = list_utterances(root, "test", core_test=True)
    assert [u.name for u in core] == ["MDAB0_SI1039", "MDAB0_SX49"]
    with pytest.raises(ValueError):
        list_utterances(root, "train", core_test=True)


def test_load_utterance(tmp_path):
    root = make_corpus(tmp_path)
    data = load_utterance(list_utterances(root, "train")[0])
    assert data.audio.dtype == np.int16 and len(data.audio) == N
    assert [s.label for s in data.phones] == ["h#", "sh", "iy", "q", "h#"]
    assert data.words[0].label == "she" and data.text.text == "She."


def test_load_utterance_without_wrd_txt_and_phn(tmp_path):
    # A generated corpus may carry only WAV and PHN.
    root = make_corpus(tmp_path, with_extra=False)
    u = list_utterances(root, "train")[0]
    data = load_utterance(u)
    assert data.words is None and data.text is None
    u.phn.unlink()
    u = list_utterances(root, "train")[0]
    with pytest.raises(InputError, match=r"SI648\.WAV: no \.PHN file"):
        load_utterance(u)


def test_load_utterance_phn_beyond_audio(tmp_path):
    root = make_corpus(tmp_path)
    u = list_utterances(root, "train")[0]
    write_sphere(u.wav, np.zeros(3500, np.int16))
    with pytest.raises(InputError, match=r"SI648\.PHN: line 5: end 4000 is beyond the audio's 3500"):
        load_utterance(u)


def test_root_without_train_test(tmp_path):
    (tmp_path / "DR1").mkdir()
    with pytest.raises(InputError, match=r"no TRAIN \(or train\) folder"):
        list_utterances(tmp_path, "train")
    with pytest.raises(InputError, match="not a folder"):
        find_split_dir(tmp_path / "missing", "test")
    with pytest.raises(ValueError):
        find_split_dir(tmp_path, "dev")
