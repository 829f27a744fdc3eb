"""``spikedv dvs synth`` and ``spikedv dvs prepare``: a tiny corpus end to end, and bad
inputs ending in one line and exit 2 (``python -m ml.dvs.*`` runs the same functions)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ml.dvs.aedat import Events, write_aedat
from ml.dvs.prepare import load_prepared
from model.errors import InputError
from spikedv.cli import main as spikedv


def _one_line_error(capsys, argv: list[str]) -> str:
    assert spikedv(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("spikedv: error: ") and err.count("\n") == 1, err
    return err


def test_synth_and_prepare(tmp_path, capsys):
    out = tmp_path / "dvs"
    assert spikedv(["dvs", "synth", "--out", str(out), "--samples", "11", "--jobs", "1",
                    "--gesture-s", "0.3", "0.4", "-q"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["trials"] == 1 and summary["samples"] == 11
    assert spikedv(["dvs", "prepare", "--dataset", str(out), "--out", str(out / "prepared"),
                    "--n-bins", "8", "-q"]) == 0
    split = load_prepared(out / "prepared" / "train.npz")
    assert split.inputs.shape == (11, 8, 200) and sorted(split.labels) == list(range(11))


def _trial_folder(tmp_path, aedat: bytes | None = None, labels: str = "class,startTime_usec,"
                  "endTime_usec\n1,0,1000\n"):
    root = tmp_path / "DvsGesture"
    root.mkdir()
    (root / "trials_to_train.txt").write_text("user01_lab.aedat\n")
    (root / "trials_to_test.txt").write_text("")
    if aedat is None:
        write_aedat(root / "user01_lab.aedat", Events(*(np.zeros(1, dt) for dt in
                                                      (np.int64, np.int16, np.int16, np.int8))))
    else:
        (root / "user01_lab.aedat").write_bytes(aedat)
    (root / "user01_lab_labels.csv").write_text(labels)
    return root


def test_prepare_missing_dataset(tmp_path, capsys):
    err = _one_line_error(capsys, ["dvs", "prepare", "--dataset", str(tmp_path / "none"),
                                   "--out", str(tmp_path / "out")])
    assert str(tmp_path / "none") in err


def test_prepare_corrupt_aedat(tmp_path, capsys):
    root = _trial_folder(tmp_path, aedat=b"#!AER-DAT3.1\r\n#!END-HEADER\r\n\x01\x00")
    err = _one_line_error(capsys, ["dvs", "prepare", "--dataset", str(root), "--out",
                                   str(tmp_path / "out")])
    assert "user01_lab.aedat:byte 28: packet header: truncated" in err


def test_prepare_corrupt_labels(tmp_path, capsys):
    root = _trial_folder(tmp_path, labels="class,startTime_usec,endTime_usec\n1,0,x\n")
    err = _one_line_error(capsys, ["dvs", "prepare", "--dataset", str(root), "--out",
                                   str(tmp_path / "out")])
    assert "user01_lab_labels.csv:2: non-integer field 'x'" in err


def test_python_m_keeps_its_positional_arguments(tmp_path):
    from ml.dvs.prepare import main
    with pytest.raises(InputError, match="no such directory"):
        main([str(tmp_path / "none"), str(tmp_path / "out"), "-q"])
