"""Phone sets, foldings, PER and frame labels."""
import numpy as np
import pytest

from ml.speech.phones import (CLASSES48, PHONES39, PHONES61, SIL, Segment, class_index,
                                 edit_distance, fold48to39, fold61to48, frame_labels, per,
                                 per_counts, to48)


def test_set_sizes():
    assert len(PHONES61) == 61
    assert len(CLASSES48) == 48 == len(set(CLASSES48))
    assert len(PHONES39) == 39
    assert {fold61to48(p) for p in PHONES61} - {None} == set(CLASSES48)
    assert {fold48to39(c) for c in CLASSES48} == set(PHONES39)


def test_sil_is_class_zero_and_rest_sorted():
    assert CLASSES48[0] == "sil" and SIL == 0 and class_index("sil") == 0
    assert CLASSES48[1:] == sorted(CLASSES48[1:])
    assert all(class_index(c) == i for i, c in enumerate(CLASSES48))


@pytest.mark.parametrize("p61, p48, p39", [
    ("ao", "ao", "aa"), ("zh", "zh", "sh"), ("el", "el", "l"), ("en", "en", "n"),
    ("ix", "ix", "ih"), ("ax-h", "ax", "ah"), ("ax", "ax", "ah"), ("axr", "er", "er"),
    ("em", "m", "m"), ("eng", "ng", "ng"), ("nx", "n", "n"), ("hv", "hh", "hh"),
    ("ux", "uw", "uw"), ("bcl", "vcl", "sil"), ("dcl", "vcl", "sil"), ("gcl", "vcl", "sil"),
    ("pcl", "cl", "sil"), ("tcl", "cl", "sil"), ("kcl", "cl", "sil"), ("h#", "sil", "sil"),
    ("pau", "sil", "sil"), ("epi", "epi", "sil"), ("dx", "dx", "dx"), ("iy", "iy", "iy"),
])
def test_known_foldings(p61, p48, p39):
    assert fold61to48(p61) == p48
    assert fold48to39(p48) == p39


def test_q_is_dropped_and_unknowns_rejected():
    assert "q" in PHONES61 and fold61to48("q") is None
    with pytest.raises(ValueError, match="xx"):
        fold61to48("xx")
    with pytest.raises(ValueError, match="bcl"):
        fold48to39("bcl")  # a 61-set name, not a 48 class
    with pytest.raises(ValueError):
        class_index("q")


def test_to48_accepts_both_sets():
    assert to48("cl") == "cl" and to48("kcl") == "cl" and to48("ao") == "ao" and to48("q") is None


def test_edit_distance_hand_cases():
    assert edit_distance([], []) == 0
    assert edit_distance(list("abc"), []) == 3
    assert edit_distance([], list("ab")) == 2
    assert edit_distance(list("kitten"), list("sitting")) == 3
    assert edit_distance(list("abcd"), list("acbd")) == 2
    assert edit_distance(list("abc"), list("xabc")) == 1


def test_per_hand_examples():
    ref = ["sil", "dh", "ax", "k", "ae", "t", "sil"]
    assert per(ref, ref) == 0.0
    assert per(ref, ["sil", "dh", "ax", "k", "ae", "sil"]) == pytest.approx(1 / 7)  # one deletion
    assert per(ref, ["sil", "dh", "ah", "k", "ae", "t", "sil"]) == 0.0            # ax = ah at 39
    assert per(ref, ["sil", "dh", "ax", "g", "ae", "t", "sil"]) == pytest.approx(1 / 7)
    # Frame-wise outputs: repeats collapse, and cl/vcl/epi merge with sil before collapsing.
    hyp = ["sil", "sil", "cl", "dh", "dh", "ax", "k", "k", "ae", "t", "t", "epi", "sil"]
    assert per(ref, hyp) == 0.0
    # 61-set names, q dropped, class ids all accepted.
    assert per(["h#", "q", "ao", "kcl", "k"], [0, class_index("aa"), class_index("cl"), "k"]) == 0.0


def test_per_counts_and_empty_reference():
    assert per_counts(["aa", "b"], ["aa", "b", "d"]) == (1, 2)
    with pytest.raises(ValueError):
        per([], ["aa"])


def test_frame_labels_at_centre_sample():
    segs = [Segment(0, 300, "h#"), Segment(300, 500, "sh"), Segment(500, 700, "q"),
            Segment(700, 1000, "iy")]
    # centres 200, 360, 520, 680, 840; 1000 is past the last segment -> sil
    got = frame_labels(segs, 6, hop=160, win=400)
    want = [0, class_index("sh"), class_index("sh"), class_index("sh"), class_index("iy"), 0]
    assert got.tolist() == want
    assert got.dtype == np.int64


def test_frame_labels_default_hop_and_48_labels():
    segs = [(0, 1600, "sil"), (1600, 3200, "vcl")]
    got = frame_labels(segs, 20)  # centres 200, 360, ..., 3240
    assert got[:9].tolist() == [0] * 9            # centre 1480 < 1600
    assert got[9:19].tolist() == [class_index("vcl")] * 10
    assert got[19] == 0                           # centre 3240 beyond the labels
