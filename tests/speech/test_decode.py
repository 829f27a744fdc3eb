"""Phone-sequence decoder (ml/speech/decode.py) on hand-worked sequences."""
import numpy as np
import pytest

from ml.speech.decode import (DecoderConfig, choose_decoder, corpus_per, decode,
                                 drop_short, segments39, smooth_scores)
from ml.speech.phones import CLASSES48, class_index

IDS = {c: class_index(c) for c in CLASSES48}


def one_hot(classes, high=10, low=0):
    """(frames, 48) scores with ``high`` on each frame's class and ``low`` elsewhere."""
    s = np.full((len(classes), 48), low, np.int64)
    for t, c in enumerate(classes):
        s[t, IDS[c]] = high
    return s


def test_raw_decoder_is_framewise_argmax_collapsed():
    # sil sil aa aa ae sil: four phones, nothing dropped, nothing smoothed
    s = one_hot(["sil", "sil", "aa", "aa", "ae", "sil"])
    assert decode(s) == ["sil", "aa", "ae", "sil"]


def test_fold_to_39_merges_before_collapsing():
    # cl, vcl and epi fold to sil; ao folds to aa; ix to ih: one segment each
    s = one_hot(["sil", "cl", "vcl", "epi", "ao", "aa", "ix", "ih"])
    assert segments39(s.argmax(1)) == [("sil", 4), ("aa", 2), ("ih", 2)]
    assert decode(s) == ["sil", "aa", "ih"]


def test_short_segments_dropped_and_neighbours_merged():
    # s s s t s s : with m = 2 the one-frame t goes and the two s runs join
    s = one_hot(["s", "s", "s", "t", "s", "s"])
    assert decode(s, DecoderConfig(1, 1)) == ["s", "t", "s"]
    assert decode(s, DecoderConfig(1, 2)) == ["s"]
    assert drop_short([("s", 3), ("t", 1), ("s", 2)], 3) == ["s"]
    assert drop_short([("s", 3), ("t", 1), ("s", 2)], 2) == ["s"]


def test_all_segments_short_keeps_the_longest_first_on_ties():
    assert drop_short([("a", 1), ("b", 2), ("c", 2)], 5) == ["b"]
    assert drop_short([], 3) == []


def test_moving_average_trailing_by_hand():
    s = np.zeros((4, 48), np.int64)
    s[:, 0] = [4, 0, 8, 2]
    got = smooth_scores(s, 2)[:, 0]
    # frame 0 averages only itself; then (4+0)/2, (0+8)/2, (8+2)/2
    assert got.tolist() == [4.0, 2.0, 4.0, 5.0]
    got3 = smooth_scores(s, 3)[:, 0]
    assert got3.tolist() == [4.0, 2.0, 4.0, pytest.approx(10 / 3)]
    assert np.array_equal(smooth_scores(s, 1), s.astype(np.float64))


def test_smoothing_removes_a_flicker():
    # aa on 6 frames, a single iy frame in the middle scoring just above aa:
    # raw decoding inserts iy twice over (aa iy aa); k = 3 averages it away.
    s = one_hot(["aa"] * 7, high=10)
    s[3, IDS["iy"]] = 12
    s[3, IDS["aa"]] = 6
    assert decode(s, DecoderConfig(1, 1)) == ["aa", "iy", "aa"]
    # frame 3 averaged over frames 1..3: aa (10+10+6)/3 = 8.67, iy 12/3 = 4
    assert decode(s, DecoderConfig(3, 1)) == ["aa"]


def test_ties_go_to_the_first_class():
    s = np.zeros((2, 48), np.int64)          # every class ties: class 0 (sil) wins
    assert decode(s) == ["sil"]


def test_bad_input_named():
    with pytest.raises(ValueError, match="expected \\(frames, 48\\)"):
        decode(np.zeros((3, 40)))
    with pytest.raises(ValueError, match="decoder k = 0"):
        decode(np.zeros((3, 48)), DecoderConfig(0, 1))
    with pytest.raises(ValueError, match="decoder m = 1.5"):
        DecoderConfig(1, 1.5).validate()
    with pytest.raises(ValueError, match="class id 48"):
        segments39([0, 48])


def test_corpus_per_and_choice_prefer_the_decoder_that_removes_insertions():
    ref = ["sil", "aa", "sil"]
    frames = ["sil"] * 4 + ["aa"] * 8 + ["sil"] * 4
    s = one_hot(frames)
    s[6, IDS["iy"]] = 20                   # one flicker frame inside aa
    raw = corpus_per([s], [ref])
    assert raw["errors"] == 2 and raw["ref_phones"] == 3   # aa iy aa: 2 insertions
    assert corpus_per([s], [ref], DecoderConfig(1, 2))["errors"] == 0
    ch = choose_decoder([s], [ref], {"k": (1, 2), "m": (1, 2)})
    assert ch["per"] == 0.0 and (ch["k"], ch["m"]) == (1, 2)   # smallest k first on ties
    assert [row[:2] for row in ch["table"]] == [[1, 1], [1, 2], [2, 1], [2, 2]]
    assert ch["table"][0][2] == pytest.approx(2 / 3)
