"""``spikedv rsnn train|report`` on a tiny corpus, and their one-line errors. Needs torch
(the ``train`` extra); skipped without (tests/train/test_without_torch.py covers that)."""
from __future__ import annotations

import json

import pytest

from ml.train import TRAIN_EXTRA

pytest.importorskip("torch", reason=TRAIN_EXTRA)

from ml.paths import RSNN_WEIGHTS  # noqa: E402
from spikedv.cli import main as spikedv  # noqa: E402


def test_rsnn_train_report_and_finetune(tmp_path, speech_data, capsys):
    w, ck = tmp_path / "w", tmp_path / "ck"
    assert spikedv(["rsnn", "train", "--smoke", "--data", str(speech_data), "--out", str(w),
                    "--ckpt", str(ck), "--no-samples", "--train-limit", "4", "-q"]) == 0
    manifest = json.loads((w / "manifest.json").read_text())
    assert manifest["registers"]["T"] == 2 and manifest["training"]["config"]["train_limit"] == 4
    capsys.readouterr()
    assert spikedv(["rsnn", "report", "--weights", str(w), "--data", str(speech_data),
                    "--rtl", "0", "--test-limit", "2", "-q"]) == 0
    out, err = capsys.readouterr()
    assert "PER dec" in out and "torch integer mode == numpy model" in out and err == ""
    t1 = tmp_path / "t1"
    assert spikedv(["rsnn", "train", "--smoke", "--finetune-from", str(w), "--T", "1",
                    "--epochs-finetune", "1", "--data", str(speech_data), "--out", str(t1),
                    "--ckpt", str(tmp_path / "ck1"), "-q"]) == 0
    manifest = json.loads((t1 / "manifest.json").read_text())
    assert manifest["registers"]["T"] == 1 and manifest["training"]["finetuned_from"] == str(w)


@pytest.mark.parametrize("argv, where", [
    (["rsnn", "train", "--data", "{tmp}/none"], "{tmp}/none/train.npz"),
    (["rsnn", "report", "--weights", "{tmp}/none"], "{tmp}/none"),
    (["rsnn", "report", "--weights", str(RSNN_WEIGHTS), "--float-baseline", "{tmp}/x.pt"],
     "{tmp}/x.pt"),
])
def test_bad_input_is_one_line(tmp_path, capsys, argv, where):
    argv = [a.format(tmp=tmp_path) for a in argv] + ["-q"]
    assert spikedv(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"spikedv: error: {where.format(tmp=tmp_path)}")
    assert err.count("\n") == 1
