"""``spikedv speech synth`` and ``spikedv speech prepare``: a tiny corpus end to end, and
bad inputs ending in one line and exit 2 (``python -m ml.speech.*`` runs the same
functions)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ml.speech.engines import available_engines
from ml.speech.sphere import write_sphere
from model.errors import InputError
from spikedv.cli import main as spikedv


def _one_line_error(capsys, argv: list[str]) -> str:
    assert spikedv(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("spikedv: error: ") and err.count("\n") == 1, err
    return err


@pytest.mark.skipif(not available_engines(), reason="no speech synthesizer installed")
def test_synth_and_prepare(tmp_path, capsys):
    pytest.importorskip("librosa", reason="needs the speech extra: pip install -e .[speech]")
    timit, out = tmp_path / "timit", tmp_path / "speech"
    engines = ",".join(available_engines())
    assert spikedv(["speech", "synth", "--out", str(timit), "--n", "8", "--per-speaker", "2",
                    "--engines", engines, "--jobs", "1", "-q"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["train"] + counts["test"] == 8
    err = _one_line_error(capsys, ["speech", "synth", "--out", str(timit), "--n", "8"])
    assert "already holds a corpus" in err and "--overwrite" in err
    assert spikedv(["speech", "prepare", "--timit", str(timit), "--out", str(out), "-q"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["train"]["utterances"] + summary["test"]["utterances"] == 8
    assert {p.name for p in out.iterdir()} == {"train.npz", "test.npz", "quantizer.json"}
    err = _one_line_error(capsys, ["speech", "prepare", "--timit", str(timit), "--out",
                                   str(out), "--samples", str(tmp_path / "none"), "-q"])
    assert f"{tmp_path / 'none' / 'ASR_train.json'}: sample manifest not found" in err


def test_prepare_missing_timit(tmp_path, capsys):
    err = _one_line_error(capsys, ["speech", "prepare", "--timit", str(tmp_path / "none"),
                                   "--out", str(tmp_path / "out")])
    assert f"{tmp_path / 'none'}: TIMIT root is not a folder" in err


def test_prepare_corrupt_sphere(tmp_path, capsys):
    for split in ("TRAIN", "TEST"):
        spk = tmp_path / "timit" / split / "DR1" / "FAKS0"
        spk.mkdir(parents=True)
        write_sphere(spk / "SX1.WAV", np.zeros(1600, np.int16), "x")
        (spk / "SX1.PHN").write_text("0 1600 h#\n")
    bad = tmp_path / "timit" / "TEST" / "DR1" / "FAKS0" / "SX1.WAV"
    bad.write_bytes(bad.read_bytes()[:100])
    pytest.importorskip("librosa", reason="needs the speech extra: pip install -e .[speech]")
    err = _one_line_error(capsys, ["speech", "prepare", "--timit", str(tmp_path / "timit"),
                                   "--out", str(tmp_path / "out"), "-q"])
    assert str(bad) in err


def test_python_m_keeps_its_positional_arguments(tmp_path):
    from ml.speech.prepare import main
    with pytest.raises(InputError, match="TIMIT root is not a folder"):
        main([str(tmp_path / "none"), str(tmp_path / "out"), "-q"])
