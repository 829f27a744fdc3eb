"""A user error given to `spikedv` prints exactly one line on stderr,
``spikedv: error: <file>[:<line or byte or field>]: <what is wrong>``, and exits 2: one test
per class of error, on the model engine and on a simulator engine (the inputs are checked
before any build, so these cost no simulation), and one error raised inside a simulation
(the cocotb side records it, the caller raises it again)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from model.errors import InputError
from model.rsnn import RsnnConfig, RsnnWeights
from model.rsnn_memory import write_weights_dir
from model.weights import sha256_file
from spikedv.cli import main as spikedv

ROOT = Path(__file__).resolve().parent.parent
QCLIF = ROOT / "weights" / "qclif"
QCLIF_SAMPLE = QCLIF / "samples" / "test_00_hand_clap.npy"


@pytest.fixture
def rsnn_case(tmp_path):
    rng = np.random.default_rng(3)
    write_weights_dir(tmp_path / "w", RsnnWeights.random(rng, density=0.5),
                      RsnnConfig(T=2, s_in=3, b0=2, b1=2, theta0=40, theta1=20))
    np.save(tmp_path / "x.npy", rng.integers(0, 256, (4, 40)).astype(np.uint8))
    return tmp_path


def _one_line_error(capsys, argv, *expected) -> str:
    code = spikedv(argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2, f"exit {code}, stderr:\n{err}"
    assert len(lines) == 1, f"expected one line, got:\n{err}"
    assert lines[0].startswith("spikedv: error: "), lines[0]
    for text in expected:
        assert text in lines[0], f"{text!r} not in {lines[0]!r}"
    return lines[0]


def _rsnn(case: Path, engine: str, weights=None, features=None, extra=()):
    return ["rsnn", "infer", "--weights", str(weights or case / "w"), "--features",
            str(features or case / "x.npy"), "--engine", engine, "--out",
            str(case / "o.npz"), *extra]


ENGINES = ("model", "verilator")


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_file(capsys, rsnn_case, engine):
    _one_line_error(capsys, _rsnn(rsnn_case, engine, features=rsnn_case / "none.npy"),
                    f"{rsnn_case / 'none.npy'}: file not found")
    _one_line_error(capsys, _rsnn(rsnn_case, engine, weights=rsnn_case / "nowhere"),
                    f"{rsnn_case / 'nowhere' / 'manifest.json'}: file not found")


@pytest.mark.parametrize("engine", ENGINES)
def test_corrupt_npy(capsys, rsnn_case, engine):
    (rsnn_case / "bad.npy").write_bytes(b"not numpy at all")
    _one_line_error(capsys, _rsnn(rsnn_case, engine, features=rsnn_case / "bad.npy"),
                    f"{rsnn_case / 'bad.npy'}:byte 0: not a .npy file")
    good = (rsnn_case / "x.npy").read_bytes()
    (rsnn_case / "cut.npy").write_bytes(good[:len(good) - 50])
    _one_line_error(capsys, _rsnn(rsnn_case, engine, features=rsnn_case / "cut.npy"),
                    f"{rsnn_case / 'cut.npy'}: not a readable .npy array")


@pytest.mark.parametrize("engine", ENGINES)
def test_wrong_shape_and_dtype(capsys, rsnn_case, engine):
    np.save(rsnn_case / "wide.npy", np.zeros((3, 41), np.uint8))
    _one_line_error(capsys, _rsnn(rsnn_case, engine, features=rsnn_case / "wide.npy"),
                    f"{rsnn_case / 'wide.npy'}:features: shape (3, 41)")
    np.save(rsnn_case / "float.npy", np.zeros((3, 40), np.float32))
    _one_line_error(capsys, _rsnn(rsnn_case, engine, features=rsnn_case / "float.npy"),
                    "float.npy:features: dtype float32, expected integers")
    np.save(rsnn_case / "big.npy", np.full((3, 40), 300, np.int32))
    _one_line_error(capsys, _rsnn(rsnn_case, engine, features=rsnn_case / "big.npy"),
                    "big.npy:features: values outside 0..255")


def _rewrite_manifest(folder: Path, change) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize("engine", ENGINES)
def test_corrupt_hex_names_file_and_line(capsys, rsnn_case, engine):
    hex_path = rsnn_case / "w" / "win.hex"
    lines = hex_path.read_text().splitlines()
    lines[11] = "g" + lines[11][1:]
    hex_path.write_text("\n".join(lines) + "\n")
    _one_line_error(capsys, _rsnn(rsnn_case, engine), f"{hex_path}: sha256")

    def new_sha(m):
        m["memories"]["win"]["sha256"] = sha256_file(hex_path)
    _rewrite_manifest(rsnn_case / "w", new_sha)
    _one_line_error(capsys, _rsnn(rsnn_case, engine), f"{hex_path}:12: bad hex digit 'g'")


@pytest.mark.parametrize("engine", ENGINES)
def test_corrupt_manifest(capsys, rsnn_case, engine):
    path = rsnn_case / "w" / "manifest.json"
    path.write_text(path.read_text().replace('"registers"', '"registers" oops', 1))
    _one_line_error(capsys, _rsnn(rsnn_case, engine), f"{path}:", "invalid JSON")


@pytest.mark.parametrize("engine", ENGINES)
def test_illegal_register_value(capsys, rsnn_case, engine):
    def bad_t(m):
        m["registers"]["T"] = 3
    _rewrite_manifest(rsnn_case / "w", bad_t)
    _one_line_error(capsys, _rsnn(rsnn_case, engine),
                    f"{rsnn_case / 'w' / 'manifest.json'}:T: 3 outside 1..2")


@pytest.mark.parametrize("engine", ENGINES)
def test_wrong_design(capsys, tmp_path, engine):
    """rsnn weights given to qclif infer."""
    np.save(tmp_path / "x.npy", np.zeros((4, 200), np.uint8))
    _one_line_error(capsys, ["qclif", "infer", "--weights", str(ROOT / "weights" / "rsnn"),
                             "--input", str(tmp_path / "x.npy"), "--engine", engine,
                             "--out", str(tmp_path / "o.npz")],
                    "manifest.json:design: design 'rsnn', expected 'qclif'")


@pytest.mark.parametrize("engine", ENGINES)
def test_qclif_wrong_input(capsys, tmp_path, engine):
    np.save(tmp_path / "x.npy", np.full((4, 200), 2, np.uint8))
    _one_line_error(capsys, ["qclif", "infer", "--weights", str(QCLIF), "--input",
                             str(tmp_path / "x.npy"), "--engine", engine, "--out",
                             str(tmp_path / "o.npz")], "x.npy:inputs: ")


def test_usage_errors_are_one_line(capsys, rsnn_case):
    _one_line_error(capsys, _rsnn(rsnn_case, "spice"), "--engine", "invalid choice: 'spice'")
    _one_line_error(capsys, _rsnn(rsnn_case, "model", extra=("--T", "3")), "--T",
                    "invalid choice")
    _one_line_error(capsys, ["rsnnn", "infer"], "invalid choice: 'rsnnn'")


def test_debug_shows_the_traceback(capsys, rsnn_case):
    assert spikedv([*_rsnn(rsnn_case, "model", features=rsnn_case / "none.npy"),
                    "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and err.strip().splitlines()[-1].startswith("spikedv: error:")


def test_error_inside_a_simulation(capsys, rsnn_case, monkeypatch):
    """The engine's own checks pass (they read a good folder), the simulation reads a
    corrupt one: its InputError crosses the simulator boundary and prints as one line."""
    import spikedv.engines.rsnn as engine
    from model.rsnn_memory import load_weights_dir

    corrupt = rsnn_case / "corrupt"
    shutil.copytree(rsnn_case / "w", corrupt)
    (corrupt / "wfc_bank1.hex").write_text("0\n")
    good = rsnn_case / "w"
    monkeypatch.setattr(engine, "load_weights_dir", lambda _folder: load_weights_dir(good))
    line = _one_line_error(capsys, _rsnn(rsnn_case, "verilator", weights=corrupt),
                           f"{corrupt / 'wfc_bank1.hex'}: sha256")
    assert "Traceback" not in line


def test_input_error_format():
    from spikedv.cli import format_input_error

    assert format_input_error(InputError("a.hex", "bad digit", "line 3")) == "a.hex:3: bad digit"
    assert format_input_error(InputError("a.bin", "short", "byte 8")) == "a.bin:byte 8: short"
    assert format_input_error(InputError(None, "no", "engine")) == "engine: no"
