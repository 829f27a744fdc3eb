"""Export of the rsnn training form to a weights directory (``weights/rsnn/``), reading it
back, the float baseline's figures in the manifest, and the sample files beside it."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ml.files import read_json
from ml.paths import for_manifest
from ml.speech.phones import CLASSES48
from ml.speech.prepare import load_prepared, prepare_samples
from ml.train.rsnn.net import RsnnNet
from model.rsnn_memory import load_weights_dir, write_weights_dir


def export(out_dir, net: RsnnNet, training: dict, data_dir) -> Path:
    """Write the weights directory (model.rsnn_memory.write_weights_dir) with manifest
    extras ``quantizer`` (the corpus's quantizer.json), ``classes`` and ``training``."""
    quantizer = read_json(Path(data_dir) / "quantizer.json", "quantizer")
    extra = {"quantizer": quantizer, "classes": list(CLASSES48), "training": training}
    return write_weights_dir(out_dir, net.rsnn_weights(), net.regs, extra)


def load_exported(weights_dir) -> tuple[RsnnNet, dict]:
    """An exported weights directory back as an ``RsnnNet`` and its manifest."""
    weights, regs, manifest = load_weights_dir(weights_dir)
    return RsnnNet.from_rsnn(weights, regs), manifest


def write_sample_files(out_dir, data_dir, test_set=None, samples_dir=None,
                       n_synth: int = 4) -> Path:
    """weights/rsnn/samples/: a few quantized synthetic TEST utterances and the real
    recordings' quantized features (frames x 40 uint8 .npy), their frame labels
    (<name>.labels.npy, uint8, 255 = no label) and samples.json."""
    out = Path(out_dir) / "samples"
    out.mkdir(parents=True, exist_ok=True)
    if test_set is None:
        test_set = load_prepared(Path(data_dir) / "test.npz")
    entries = []
    lengths = np.diff(test_set.offsets)
    # a handful of short test utterances from different speakers
    order = np.argsort(lengths, kind="stable")
    seen, picks = set(), []
    for i in order[len(order) // 8:]:
        spk = test_set.names[i].split("_")[0]
        if spk not in seen:
            seen.add(spk)
            picks.append(int(i))
        if len(picks) == n_synth:
            break
    for i in picks:
        f, lab = test_set[i]
        entries.append(_write_sample(out, f"synth_{test_set.names[i]}", f, lab,
                                     test_set.ref39[i], "synthetic test speaker"))
    real = Path(data_dir) / "samples.npz"
    prepare_samples(samples_dir, Path(data_dir) / "quantizer.json", real)
    rs = load_prepared(real)
    for i in range(len(rs)):
        f, lab = rs[i]
        entries.append(_write_sample(out, f"real_{rs.names[i]}", f, lab, rs.ref39[i],
                                     "real recording (../shared/data/speech-samples, "
                                     "ASR_train.json), held out"))
    meta = {"format": "features: <name>.npy uint8 (frames, 40); labels: <name>.labels.npy "
                      "uint8 (frames,), 48-class ids, 255 = no label; ref39: reference phones",
            "samples": entries}
    (out / "samples.json").write_text(json.dumps(meta, indent=1) + "\n")
    return out


def _write_sample(out: Path, name: str, f, lab, ref39, source: str) -> dict:
    np.save(out / f"{name}.npy", np.ascontiguousarray(f, np.uint8))
    np.save(out / f"{name}.labels.npy", np.ascontiguousarray(lab, np.uint8))
    return {"name": name, "features": f"{name}.npy", "labels": f"{name}.labels.npy",
            "frames": int(len(f)), "source": source, "ref39": list(ref39)}


def attach_float_baseline(weights_dir, baseline_json) -> dict:
    """Copy the separately trained float baseline's figures (``float_baseline.json``) into
    the manifest's training facts (``training.float_baseline``)."""
    mpath = Path(weights_dir) / "manifest.json"
    manifest = read_json(mpath, "manifest")
    facts = read_json(baseline_json, "float baseline figures")
    keep = ("kind", "config", "epochs", "test_dense_256", "test_pruned_before_finetune",
            "test", "decoder", "wall_seconds", "checkpoint")
    manifest.setdefault("training", {})["float_baseline"] = {
        "source": for_manifest(baseline_json), **{k: facts[k] for k in keep if k in facts}}
    mpath.write_text(json.dumps(manifest, indent=2) + "\n")
    load_exported(weights_dir)                 # the manifest still loads
    return manifest["training"]["float_baseline"]
