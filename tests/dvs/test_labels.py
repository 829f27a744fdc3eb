"""_labels.csv reader/writer tests, and the DvsGesture folder layout
(which reads labels and events together)."""
import pytest

from ml.dvs.aedat import Events, write_aedat
from ml.dvs.labels import LabelSegment, read_labels, write_labels
from ml.dvs.layout import (CLASS_NAMES, LIGHTINGS, cut_samples, dataset_dir, iter_samples,
                              iter_trials, list_trials, load_trial, parse_trial_name)
from model.errors import InputError

HEAD = "class,startTime_usec,endTime_usec\n"


def write(tmp_path, text, name="user01_lab_labels.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def fails_at_line(tmp_path, text, line, match="", strict=True):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_labels(path, strict=strict)
    msg = str(info.value)
    assert msg.startswith(f"{path}: line {line}: "), msg
    assert match in msg, msg


# ------------------------------------------------------------- labels

def test_reads_segments(tmp_path):
    labels = read_labels(write(tmp_path, HEAD + "1,100,200\n11,200,350\n3,400,500\n"))
    assert labels.segments == [LabelSegment(1, 100, 200), LabelSegment(11, 200, 350),
                               LabelSegment(3, 400, 500)]
    assert [s.class_index for s in labels.segments] == [0, 10, 2]
    assert labels.warnings == []


def test_crlf_and_trailing_blank_lines(tmp_path):
    path = tmp_path / "crlf.csv"
    path.write_bytes(b"class,startTime_usec,endTime_usec\r\n2,5,6\r\n\r\n")
    assert read_labels(path).segments == [LabelSegment(2, 5, 6)]


def test_header_only_is_empty(tmp_path):
    assert read_labels(write(tmp_path, HEAD)).segments == []


@pytest.mark.parametrize("text, line, match", [
    ("class,start,end\n1,1,2\n", 1, "header"),
    ("", 1, "header"),
    (HEAD + "1,1,2\n0,5,6\n", 3, "class 0"),
    (HEAD + "12,5,6\n", 2, "class 12"),
    (HEAD + "1,1,2\nabc,5,6\n", 3, "non-integer"),
    (HEAD + "1,1.5,6\n", 2, "non-integer"),
    (HEAD + "1,1_0,60\n", 2, "non-integer"),
    (HEAD + "1,,6\n", 2, "non-integer"),
    (HEAD + "1,5\n", 2, "3 comma-separated fields"),
    (HEAD + "1,5,6,7\n", 2, "3 comma-separated fields"),
    (HEAD + "1,6,6\n", 2, "start 6 >= end 6"),
    (HEAD + "1,1,2\n\n1,9,7\n", 4, "start 9 >= end 7"),
    (HEAD + "1,-3,7\n", 2, "negative"),
])
def test_bad_lines(tmp_path, text, line, match):
    fails_at_line(tmp_path, text, line, match)


def test_unsorted_strict_and_lenient(tmp_path):
    text = HEAD + "1,100,200\n2,300,400\n3,250,260\n"
    fails_at_line(tmp_path, text, 4, "before the previous one")
    labels = read_labels(write(tmp_path, text), strict=False)
    assert [s.class_id for s in labels.segments] == [1, 2, 3]
    assert len(labels.warnings) == 1
    assert "line 4" in labels.warnings[0] and "user01_lab_labels.csv" in labels.warnings[0]


def test_overlapping_strict_and_lenient(tmp_path):
    text = HEAD + "1,100,200\n2,150,300\n3,300,400\n4,350,500\n"
    fails_at_line(tmp_path, text, 3, "overlapping")
    labels = read_labels(write(tmp_path, text), strict=False)
    assert len(labels.segments) == 4
    assert len(labels.warnings) == 2
    assert "line 3" in labels.warnings[0] and "line 5" in labels.warnings[1]


def test_bad_line_is_error_even_when_lenient(tmp_path):
    fails_at_line(tmp_path, HEAD + "1,100,200\n13,150,300\n", 3, "class 13", strict=False)


def test_touching_segments_are_fine(tmp_path):
    labels = read_labels(write(tmp_path, HEAD + "1,100,200\n2,200,300\n"))
    assert len(labels.segments) == 2


def test_missing_labels_file(tmp_path):
    with pytest.raises(InputError, match="nothere.csv: no such file"):
        read_labels(tmp_path / "nothere.csv")


def test_write_read_round_trip(tmp_path):
    segs = [LabelSegment(c, 1000 * c, 1000 * c + 500) for c in range(1, 12)]
    path = tmp_path / "rt.csv"
    write_labels(path, segs)
    assert path.read_text().splitlines()[:2] == ["class,startTime_usec,endTime_usec", "1,1000,1500"]
    assert read_labels(path).segments == segs


def test_writer_rejects_bad_segment(tmp_path):
    with pytest.raises(InputError, match="segment 1"):
        write_labels(tmp_path / "w.csv", [LabelSegment(1, 0, 5), LabelSegment(1, 9, 9)])


# ------------------------------------------------------------- layout

def test_names_tables():
    assert len(CLASS_NAMES) == 11
    assert CLASS_NAMES[0] == "hand_clap" and CLASS_NAMES[10] == "other_gestures"
    assert LIGHTINGS == ("fluorescent", "fluorescent_led", "lab", "led", "natural")
    assert parse_trial_name("user07_fluorescent_led.aedat") == (7, "fluorescent_led")
    with pytest.raises(InputError, match="userXX_<lighting>"):
        parse_trial_name("user07_sunny.aedat")


def events_at(times, x=10, y=20):
    n = len(times)
    return Events([x] * n, [y] * n, [i % 2 for i in range(n)], times)


@pytest.fixture
def tree(tmp_path):
    """DvsGesture/ with one train trial (two gestures) and one test trial (one gesture)."""
    base = tmp_path / "DvsGesture"
    base.mkdir()
    write_aedat(base / "user01_fluorescent.aedat",
                events_at([5, 100, 150, 199, 200, 310, 400, 900]))
    write_labels(base / "user01_fluorescent_labels.csv",
                 [LabelSegment(1, 100, 200), LabelSegment(11, 300, 500)])
    write_aedat(base / "user24_natural.aedat", events_at([10, 20, 30]))
    (base / "user24_natural_labels.csv").write_text(HEAD + "4,15,31\n")
    (base / "trials_to_train.txt").write_text("user01_fluorescent.aedat\n\n")
    (base / "trials_to_test.txt").write_text("user24_natural.aedat\r\n")
    return tmp_path


def test_list_trials(tree):
    assert list_trials(tree, "train") == ["user01_fluorescent.aedat"]
    assert list_trials(tree / "DvsGesture", "test") == ["user24_natural.aedat"]
    with pytest.raises(ValueError):
        list_trials(tree, "val")


def test_iter_trials_and_cut_samples(tree):
    trials = list(iter_trials(tree, "train"))
    assert len(trials) == 1
    tr = trials[0]
    assert (tr.name, tr.user, tr.lighting) == ("user01_fluorescent", 1, "fluorescent")
    assert len(tr.events) == 8
    samples = cut_samples(tr.events, tr.labels)
    # [100, 200) holds 100, 150, 199; [300, 500) holds 310, 400
    assert [c for c, _ in samples] == [0, 10]
    assert [ev.t.tolist() for _, ev in samples] == [[100, 150, 199], [310, 400]]


def test_iter_samples(tree):
    got = [(name, c, ev.t.tolist()) for name, c, ev in iter_samples(tree, "test")]
    assert got == [("user24_natural", 3, [20, 30])]


def test_missing_root(tmp_path):
    with pytest.raises(InputError, match="no such directory"):
        dataset_dir(tmp_path / "absent")


def test_missing_trial_list(tree):
    (tree / "DvsGesture" / "trials_to_test.txt").unlink()
    with pytest.raises(InputError, match=r"trials_to_test\.txt: no such file"):
        list_trials(tree, "test")


def test_bad_trial_list_line(tree):
    path = tree / "DvsGesture" / "trials_to_train.txt"
    path.write_text("user01_fluorescent.aedat\nnotes.txt\n")
    with pytest.raises(InputError) as info:
        list_trials(tree, "train")
    assert str(info.value).startswith(f"{path}: line 2: ")


def test_missing_aedat_and_labels(tree):
    base = tree / "DvsGesture"
    (base / "trials_to_train.txt").write_text("user02_lab.aedat\n")
    with pytest.raises(InputError, match=r"user02_lab_labels\.csv: no such file"):
        list(iter_trials(tree, "train"))
    write_labels(base / "user02_lab_labels.csv", [LabelSegment(1, 0, 5)])
    with pytest.raises(InputError, match=r"user02_lab\.aedat: no such file"):
        load_trial(tree, "user02_lab.aedat")


def test_layout_labels_lenient_by_default(tree):
    base = tree / "DvsGesture"
    (base / "user24_natural_labels.csv").write_text(HEAD + "4,15,31\n5,10,20\n")
    tr = load_trial(tree, "user24_natural")
    assert len(tr.labels.warnings) == 1
    with pytest.raises(InputError, match="line 3"):
        load_trial(tree, "user24_natural", strict_labels=True)
