"""A new user's first commands, in a fresh copy of the tree (no sim_build/, nothing built):
`spikedv rsnn infer` and `spikedv qclif infer` with relative paths, on the model and on
Verilator, from the clone's root and from a folder outside it; the results equal."""
from __future__ import annotations

import numpy as np
import pytest

RSNN_SAMPLE = "weights/rsnn/samples/synth_FDVK0_SX154.npy"
QCLIF_SAMPLE = "weights/qclif/samples/test_00_hand_clap.npy"


def _check(proc, what: str) -> None:
    assert proc.returncode == 0, (f"{what}: exit {proc.returncode}\nstdout:\n{proc.stdout}\n"
                                  f"stderr:\n{proc.stderr}")


@pytest.mark.parametrize("design", ["rsnn", "qclif"])
def test_infer_with_relative_paths_inside_and_outside(fresh_clone, design, tmp_path):
    assert not (fresh_clone.root / "sim_build").exists()
    short = tmp_path / "short.npy"
    sample = RSNN_SAMPLE if design == "rsnn" else QCLIF_SAMPLE
    np.save(short, np.load(fresh_clone.root / sample)[:12])
    flag = "--features" if design == "rsnn" else "--input"
    results = {}
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    rel_clone = fresh_clone.root.relative_to(tmp_path.anchor)   # path from / for "outside"
    for engine in ("model", "verilator"):
        inside = (f"cp {short} in.npy && spikedv {design} infer --weights weights/{design} "
                  f"{flag} in.npy --engine {engine} --out out/{engine}.npz")
        _check(fresh_clone.run(inside), f"{design} {engine} from the clone's root")
        results[("inside", engine)] = np.load(fresh_clone.root / "out" / f"{engine}.npz")
        weights = f"../{'../' * (len(outside.parts) - 2)}{rel_clone}/weights/{design}"
        outside_cmd = (f"cp {short} x.npy && spikedv {design} infer --weights {weights} "
                       f"{flag} x.npy --engine {engine} --out r_{engine}.npz")
        _check(fresh_clone.run(outside_cmd, cwd=outside), f"{design} {engine} from outside")
        results[("outside", engine)] = np.load(outside / f"r_{engine}.npz")
    ref = results[("inside", "model")]
    for key, got in results.items():
        for name in ref.files:
            assert np.array_equal(ref[name], got[name]), f"{design} {key} {name} differs"
