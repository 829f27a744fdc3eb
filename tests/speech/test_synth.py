"""Synthetic TIMIT-format corpus: phone tables, timing rules, plan, and (where the
engines are installed: scripts/install_speech_tools.sh) a tiny corpus read back
through ml.speech.timit."""
import hashlib
import json
import re
from fractions import Fraction

import numpy as np
import pytest

from model.errors import InputError
from ml.speech.phones import PHONES61, Segment
from ml.speech.engines import (FESTIVAL_VOICES, available_engines, espeak_synthesize,
                               festival_phone_names)
from ml.speech.phonemap import (ESPEAK_TO_TIMIT, FESTIVAL_TO_TIMIT, UnknownPhoneError,
                                espeak_coda_l, merge_er_r, to_timit_segments)
from ml.speech.synth import load_sentences, plan_corpus, synthesize_corpus
from ml.speech.timit import CORE_TEST_SPEAKERS, list_utterances, load_utterance

HAVE = set(available_engines())
needs_festival = pytest.mark.skipif("festival" not in HAVE, reason="festival not installed "
                                    "(scripts/install_speech_tools.sh)")
needs_espeak = pytest.mark.skipif("espeak" not in HAVE, reason="libespeak-ng not installed "
                                  "(scripts/install_speech_tools.sh)")
needs_both = pytest.mark.skipif(HAVE != {"festival", "espeak"}, reason="festival and espeak-ng "
                                "not installed (scripts/install_speech_tools.sh)")
SPEAKER_ID = re.compile(r"^[MF][A-Z]{3}[0-9]$")


# ---------------------------------------------------------------- tables and rules

@pytest.mark.parametrize("table", [FESTIVAL_TO_TIMIT, ESPEAK_TO_TIMIT], ids=["festival", "espeak"])
def test_tables_map_into_the_61_phones(table):
    for phone, labels in table.items():
        assert labels and all(lab in PHONES61 for lab in labels), phone
        assert "h#" not in labels, "h# is for the edges only, set by position"


def test_stops_become_closure_and_release():
    assert FESTIVAL_TO_TIMIT["p"] == ("pcl", "p") and FESTIVAL_TO_TIMIT["jh"] == ("dcl", "jh")
    assert ESPEAK_TO_TIMIT["tS"] == ("tcl", "ch") and ESPEAK_TO_TIMIT["t#"] == ("dx",)


def test_unknown_phone_names_engine_and_phone():
    with pytest.raises(UnknownPhoneError, match=r"espeak: phone 'x' has no TIMIT mapping \(ctx\)"):
        to_timit_segments("espeak", [("_", 0, 10), ("x", 10, 20)], np.zeros(20), 1, "ctx")
    with pytest.raises(UnknownPhoneError, match=r"festival: phone 'q1'"):
        to_timit_segments("festival", [("q1", 0, 10)], np.zeros(10), 1)


def test_segments_contiguous_with_h_sharp_edges_and_burst_split():
    audio = np.zeros(8000)
    rng = np.random.default_rng(0)
    audio[1000:2000] = rng.normal(0, 1000, 1000)            # "s"
    audio[2700:3000] = rng.normal(0, 3000, 300)             # the burst of "p" (2000..3000)
    audio[3000:6000] = np.sin(np.arange(3000) * 0.1) * 5000  # "aa"
    phones = [("pau", 0, 1000), ("s", 1000, 2000), ("p", 2000, 3000), ("aa", 3000, 6000),
              ("pau", 6000, 7000), ("pau", 7000, 8000)]
    segs = to_timit_segments("festival", phones, audio, 1, "t")
    assert [s.label for s in segs] == ["h#", "s", "pcl", "p", "aa", "h#"]
    assert segs[0].start == 0 and segs[-1].end == 8000
    assert all(a.end == b.start for a, b in zip(segs, segs[1:]))
    burst = segs[3].start
    assert abs(burst - 2700) <= 32, burst   # within 2 ms of the onset


def test_zero_length_spans_are_left_out_and_equal_neighbours_merge():
    phones = [("_", 0, 100), ("D", 100, 400), ("_", 400, 400), ("@", 400, 800),
              ("_:", 800, 900), ("_", 900, 1000)]
    segs = to_timit_segments("espeak", phones, np.zeros(1000), 1)
    assert segs == [Segment(0, 100, "h#"), Segment(100, 400, "dh"), Segment(400, 800, "ax"),
                    Segment(800, 1000, "h#")]


def test_h_sharp_added_when_speech_touches_the_edges_and_times_scaled():
    segs = to_timit_segments("espeak", [("s", 0, 441), ("i:", 441, 882)], np.zeros(640),
                             Fraction(320, 441))
    assert segs[0] == Segment(0, 0, "h#") and segs[-1] == Segment(640, 640, "h#")
    assert segs[1] == Segment(0, 320, "s") and segs[2] == Segment(320, 640, "iy")


def test_r_coloured_vowel_is_cut_evenly():
    segs = to_timit_segments("espeak", [("_", 0, 10), ("A@", 10, 110), ("_", 110, 120)],
                             np.zeros(120), 1)
    assert segs[1:3] == [Segment(10, 60, "aa"), Segment(60, 110, "r")]


def test_festival_er_r_is_one_vowel():
    assert merge_er_r([("v", 0, 1), ("er", 1, 2), ("r", 2, 3), ("dh", 3, 4)]) == \
        [("v", 0, 1), ("er", 1, 3), ("dh", 3, 4)]


def test_espeak_coda_l_takes_a_share_of_its_vowel():
    out = espeak_coda_l([("s", 0, 100), ("E", 100, 300), ("l", 300, 300), ("z", 300, 400)], 22050)
    assert out[1] == ("E", 100, 230.0) and out[2] == ("l", 230.0, 300)
    onset = [("l", 0, 10), ("E", 10, 300)]           # an l before its vowel keeps its times
    assert espeak_coda_l(onset, 22050) == onset


# ---------------------------------------------------------------- sentences and plan

def test_shipped_sentences():
    sentences = load_sentences()
    assert 300 <= len(sentences) <= 1000
    assert len(set(sentences)) == len(sentences)
    text = " ".join(sentences).lower()
    for word in ("measure", "boy", "thin", "this", "judge", "church", "sing", "yes", "house"):
        assert word in text


def test_bad_sentence_file_names_the_line(tmp_path):
    p = tmp_path / "s.txt"
    p.write_text("# comment\nA fine day.\nI have 3 cats.\n")
    with pytest.raises(InputError, match=r"s\.txt: line 3: .*'3'"):
        load_sentences(p)
    p.write_text('He said "no".\n')
    with pytest.raises(InputError, match=r"line 1: .*quotes"):
        load_sentences(p)


def test_plan_is_deterministic_and_splits_speakers_and_sentences():
    plan = plan_corpus(200, seed=3)
    assert plan == plan_corpus(200, seed=3)
    assert plan != plan_corpus(200, seed=4)
    split_of = {}
    sentences = {"train": set(), "test": set()}
    for spk, items in plan:
        assert SPEAKER_ID.match(spk.id) and spk.id not in CORE_TEST_SPEAKERS
        assert spk.id not in split_of
        split_of[spk.id] = spk.split
        assert len({u for u, _ in items}) == len(items)
        sentences[spk.split] |= {t for _, t in items}
    assert sum(len(i) for _, i in plan) == 200
    assert sum(len(i) for s, i in plan if s.split == "test") == 40
    assert not sentences["train"] & sentences["test"]
    assert {s.engine for s, _ in plan} == {"festival", "espeak"}
    assert {s.voice for s, _ in plan if s.engine == "festival"} == set(FESTIVAL_VOICES)


# ---------------------------------------------------------------- engines

def _check_festival(sentences):
    for voice in FESTIVAL_VOICES:
        for text, phones in zip(sentences, festival_phone_names(sentences, voice)):
            unknown = [p for p in phones if p not in FESTIVAL_TO_TIMIT]
            assert not unknown, (voice, text, unknown)


@needs_festival
def test_sentences_map_with_festival():
    _check_festival(load_sentences()[::4])     # all of them in the long regression


@needs_festival
@pytest.mark.long
def test_all_sentences_map_with_festival():
    _check_festival(load_sentences())


@needs_espeak
def test_sentences_map_with_espeak():
    # every 8th sentence here; all of them in the long regression below
    for text in load_sentences()[::8]:
        out = espeak_synthesize(text, "en-us+f3", {"rate": 175, "pitch": 50, "range": 50})
        assert [p for p, _, _ in out.phones if p not in ESPEAK_TO_TIMIT] == [], text


@needs_espeak
@pytest.mark.long
def test_all_sentences_map_with_espeak():
    for text in load_sentences():
        out = espeak_synthesize(text, "en-us+m2", {"rate": 175, "pitch": 50, "range": 50})
        assert [p for p, _, _ in out.phones if p not in ESPEAK_TO_TIMIT] == [], text


@needs_espeak
def test_espeak_is_deterministic_and_events_ordered():
    params = {"rate": 160, "pitch": 40, "range": 60}
    a = espeak_synthesize("The quick brown fox jumps.", "en-us+m3", params)
    espeak_synthesize("Something else entirely, first.", "en-us+f1", params)
    b = espeak_synthesize("The quick brown fox jumps.", "en-us+m3", params)
    assert np.array_equal(a.audio, b.audio) and a.phones == b.phones
    assert a.rate == 22050
    starts = [s for _, s, _ in a.phones]
    assert starts == sorted(starts) and a.phones[-1][2] <= len(a.audio)


def _digest(root):
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in (".WAV", ".PHN", ".TXT"):
            h.update(str(p.relative_to(root)).encode() + p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth") / "corpus"
    counts = synthesize_corpus(root, 8, seed=11, test_fraction=0.25, utterances_per_speaker=1,
                               jobs=2)
    return root, counts


@needs_both
def test_corpus_counts_and_layout(corpus):
    root, counts = corpus
    assert counts["train"] == 6 and counts["test"] == 2
    assert counts["speakers"] == {"train": 6, "test": 2}
    assert counts["engines"] == {"festival": 4, "espeak": 4}
    assert set(FESTIVAL_VOICES) <= set(counts["voices"])
    doc = json.loads((root / "DOC" / "SYNTH.json").read_text())
    assert doc["seed"] == 11 and len(doc["speakers"]) == 8


@needs_both
def test_corpus_reads_back_through_timit(corpus):
    root, _ = corpus
    train = list_utterances(root, "train")
    test = list_utterances(root, "test")
    assert len(train) == 6 and len(test) == 2
    assert not {u.speaker for u in train} & {u.speaker for u in test}
    for u in train + test:
        assert re.match(r"^DR[1-8]$", u.dialect) and SPEAKER_ID.match(u.speaker)
        assert u.id.startswith("SX") and u.wrd is None
        data = load_utterance(u)          # checks: 16 kHz SPHERE, PHN contiguous, in the audio
        phones = data.phones
        assert phones[0].start == 0 and phones[0].label == "h#" and phones[-1].label == "h#"
        assert phones[-1].end == len(data.audio)
        assert 1280 <= phones[0].end <= 4000 and 1280 <= phones[-1].end - phones[-1].start <= 4000
        assert all(p.label in PHONES61 for p in phones)
        assert all(a.end == b.start and a.label != b.label for a, b in zip(phones, phones[1:]))
        assert "h#" not in [p.label for p in phones[1:-1]]
        assert len(phones) > 8
        assert data.text.start == 0 and data.text.end == len(data.audio) and data.text.text
        assert data.audio.dtype == np.int16 and np.abs(data.audio).max() > 3000
        seconds = len(data.audio) / 16000
        assert 0.8 < seconds < 15


@needs_both
def test_corpus_is_deterministic_across_job_counts(corpus, tmp_path):
    root, _ = corpus
    again = tmp_path / "again"
    synthesize_corpus(again, 8, seed=11, test_fraction=0.25, utterances_per_speaker=1, jobs=1)
    assert _digest(again) == _digest(root)


@needs_both
def test_existing_corpus_is_not_overwritten_silently(corpus):
    root, _ = corpus
    with pytest.raises(FileExistsError, match="overwrite=True"):
        synthesize_corpus(root, 2, seed=0)


def test_bad_engine_name():
    with pytest.raises(ValueError, match="engines must be"):
        synthesize_corpus("/nonexistent", 2, engines=("sapi",))
