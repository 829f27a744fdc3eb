"""``rsnn report``: the figures of an exported rsnn weights directory.

Frame accuracy, raw and decoded PER of the 4-bit network, of the QAT net's latent
weights and of the separately trained float baseline, on the synthetic test set and the
real recordings; mean cycles per frame at T = 1 and 2 (schedule model); model size and
weight zeros; torch integer mode == numpy model on every test utterance; the RTL (the
bare Verilator engine, ``spikedv.engines.rsnn``) == numpy model on N of them.
"""
from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

from ml.paths import RSNN_WEIGHTS, SPEECH_DATA, in_repo
from ml.speech.decode import DecoderConfig
from ml.speech.prepare import load_prepared
from ml.train.common import Progress, load_checkpoint, set_threads
from ml.train.rsnn.data import as_items, load_samples_dir, utterances
from ml.train.rsnn.evaluate import evaluate, mean_cycles, sparsity_report
from ml.train.rsnn.export import load_exported
from ml.train.rsnn.net import RsnnNet, assert_integer_equal_all
from model.errors import InputError
from model.rsnn import RsnnConfig
from model.rsnn import run as rsnn_run
from model.rsnn_memory import write_weights_dir


def _load_float_net(ckpt, regs: RsnnConfig, match: RsnnNet | None = None):
    """A training checkpoint (a path relative to the checkout, as manifests record it,
    or absolute) as a float-mode network; None if there is none; with ``match``, None
    unless its 4-bit image equals ``match``'s (the checkpoint belongs to the export)."""
    if not ckpt or not in_repo(ckpt).is_file():
        return None
    blob = load_checkpoint(in_repo(ckpt))
    net = RsnnNet(blob["hidden"], regs)
    net.load_state_dict(blob["model"])
    if match is not None and not np.array_equal(net.rsnn_weights().wfc,
                                                match.rsnn_weights().wfc):
        return None
    return net


def rtl_check(net: RsnnNet, items, T: int, work=None, bar=None) -> dict:
    """Run ``items`` through the RTL (the bare Verilator engine, spikedv.engines.rsnn, one
    run per utterance, so each starts from reset like the model) and compare scores,
    prediction and spikes per frame with the numpy model. Returns counts (cycles: the
    RTL's cyc_total counters); raises on a mismatch. ``bar`` advances per utterance."""
    import tempfile

    from spikedv.engines.rsnn import infer as rsnn_infer
    cfg = dataclasses.replace(net.regs, T=T)
    weights = net.rsnn_weights()
    tmp = Path(work or tempfile.mkdtemp(prefix="rsnn_report_rtl_"))
    folder = tmp / "weights"
    write_weights_dir(folder, weights, cfg)
    frames = cycles = 0
    for i, it in enumerate(items):
        ref = rsnn_run(weights, cfg, it[0])
        got = rsnn_infer(folder, it[0], engine="bare", T=T)
        for key, want in (("scores", ref.scores), ("pred", ref.pred),
                          ("spikes0", ref.spikes0), ("spikes1", ref.spikes1)):
            if not np.array_equal(got[key], want):
                bad = np.argwhere(got[key] != want)[0].tolist()
                raise AssertionError(f"RTL differs from the model on utterance {i}: {key} "
                                     f"at {bad}")
        frames += len(it[0])
        cycles += int(got["cycles"].sum())
        if bar is not None:
            bar.advance()
    return {"utterances": len(items), "frames": frames, "cycles": cycles}


def report(weights_dir=RSNN_WEIGHTS, data_dir=SPEECH_DATA, test_limit: int | None = None,
           stream=None, rtl: int = 0, check_all: bool = True,
           float_baseline=None, quiet: bool = False) -> dict:
    """Print and return: frame accuracy, raw and decoded PER (int4, the QAT net's latent
    weights in float, the separately trained float baseline), mean cycles per frame at
    T = 1 and 2 on the test set, model size, weight zeros; torch-integer == numpy on
    every test utterance (``check_all``) and, with ``rtl`` N > 0, the RTL on N test
    utterances (-1: all). ``quiet``: no progress bars (they go to stderr)."""
    stream = stream or sys.stdout
    bars = Progress(enabled=not quiet)
    set_threads(None)
    net, manifest = load_exported(weights_dir)
    tr = manifest.get("training", {})
    p = lambda s="": print(s, file=stream, flush=True)
    dec = tr.get("decoder")
    decoder = DecoderConfig(dec["k"], dec["m"]) if dec else DecoderConfig(1, 1)
    nets = {"int4": (net, "int")}
    latent = _load_float_net(tr.get("checkpoint"), net.regs, match=net)
    if latent is not None:
        nets["float-latent"] = (latent, "float")
    fb = tr.get("float_baseline", {})
    if float_baseline is not None and not Path(float_baseline).is_file():
        raise InputError(float_baseline, "float baseline checkpoint not found")
    fb_ck = Path(float_baseline).absolute() if float_baseline else fb.get("checkpoint")
    base = _load_float_net(fb_ck, net.regs)
    if base is not None:
        nets["float-sep"] = (base, "float")
    sets = {}
    test_npz = Path(data_dir) / "test.npz"
    if test_npz.is_file():
        sets["synthetic test"] = utterances(load_prepared(test_npz), test_limit, 2)
    sdir = next((d for d in (Path(weights_dir), Path(weights_dir).parent)
                 if (d / "samples" / "samples.json").is_file()), None)   # t1/ uses the parent's
    entries = load_samples_dir(sdir) if sdir is not None else []
    real = [e for e in entries if e["name"].startswith("real_")]
    if real:
        sets["real recordings"] = as_items(real)
    if "synthetic test" not in sets:
        sets["synthetic test (samples only)"] = as_items(
            [e for e in entries if e["name"].startswith("synth_")])

    p(f"rsnn report: {weights_dir}  registers {net.regs.as_dict()}")
    p(f"decoder (ml/speech/decode.py, chosen on training-split validation speakers): "
      f"moving average k = {decoder.k} frames, shortest segment m = {decoder.m} frames")
    p("modes: int4 = the exported integer network; float-latent = the QAT net's latent "
      "weights without rounding; float-sep = float baseline trained separately")
    res = {"registers": net.regs.as_dict(), "decoder": decoder.as_dict(), "sets": {}}
    p(f"{'set':24s} {'mode':12s} {'utts':>5s} {'frames':>7s} {'frame acc':>9s} "
      f"{'PER raw':>8s} {'PER dec':>8s} {'spars L0':>8s} {'spars L1':>8s}")
    for name, items in sets.items():
        r = {}
        for mode_name, (n, mode) in nets.items():
            with bars.bar(len(items), f"{name}, {mode_name}") as bar:
                v = evaluate(n, items, mode, decoder=decoder, bar=bar)
            r[mode_name] = v
            p(f"{name:24s} {mode_name:12s} {v['utterances']:5d} {v['frames']:7d} "
              f"{v['frame_acc']:9.3f} {v['per']:8.3f} {v['per_decoded']:8.3f} "
              f"{v['sparsity_l0']:8.3f} {v['sparsity_l1']:8.3f}")
        res["sets"][name] = r
    if base is None and fb.get("test"):
        f = fb["test"]
        p(f"(float baseline checkpoint not found; its training figures on the synthetic "
          f"test set: frame acc {f['frame_acc']:.3f} PER raw {f['per']:.3f} decoded "
          f"{f.get('per_decoded', float('nan')):.3f})")
    main_set = next(iter(sets.values()))
    cyc = {}
    for T in (1, 2):
        with bars.bar(len(main_set), f"cycles at T = {T}") as bar:
            c = mean_cycles(net, main_set, T, bar=bar)
        cyc[T] = c
        p(f"T = {T}: mean cycles/frame {c['cyc_total']:.1f} (IN {c['cyc_in']:.1f}, L0 "
          f"{c['cyc_l0']:.1f}, L1 {c['cyc_l1']:.1f}, FC {c['cyc_fc']:.1f}); layer sparsity "
          f"L0 {c['sparsity_l0']:.3f} L1 {c['sparsity_l1']:.3f}; frame acc "
          f"{c['frame_acc']:.3f} PER raw {c['per']:.3f}  [{len(main_set)} utts, "
          f"{c['frames']} frames]")
    res["cycles"] = {T: dict(c) for T, c in cyc.items()}
    ms = tr.get("model_size_mb")
    if ms:
        hid = tr.get("config", {}).get("hidden", 256)
        p(f"model size: {ms['before']:.2f} MB (float32, hidden {hid}) -> "
          f"{ms['after_dense_4bit']:.3f} MB (4-bit, hidden 128, dense image) / "
          f"{ms['after_nonzero_4bit']:.3f} MB (nonzero weights only); paper "
          f"{ms['paper_before']} MB -> {ms['paper_after']} MB")
    wsp = sparsity_report(net.rsnn_weights())
    p("weight zeros: " + ", ".join(f"{k} {v:.1%}" for k, v in wsp.items()))
    res["weight_zero_fraction"] = wsp
    if check_all:
        t0 = time.perf_counter()
        with bars.bar(len(main_set), "torch integer == numpy") as bar:
            eq = assert_integer_equal_all(net, main_set, bar=bar)
        p(f"torch integer mode == numpy model (spikes, scores, prediction) at T = "
          f"{net.regs.T} on all {eq['utterances']} utterances of {next(iter(sets))} "
          f"({eq['frames']} frames, {time.perf_counter() - t0:.0f} s)")
        res["integer_equal"] = eq
    if rtl:
        items = main_set if rtl < 0 else main_set[:rtl]
        t0 = time.perf_counter()
        with bars.bar(len(items), "RTL (bare Verilator) == numpy", 10.0) as bar:
            r = rtl_check(net, items, net.regs.T, bar=bar)
        r["model_cyc_total"] = mean_cycles(net, items, net.regs.T)["cyc_total"]
        p(f"RTL (Verilator, bare engine) == numpy model (scores, prediction per frame) at "
          f"T = {net.regs.T} on {r['utterances']} utterances ({r['frames']} frames, "
          f"{time.perf_counter() - t0:.0f} s); simulated clock cycles per frame of the "
          f"whole stream {r['cycles'] / max(r['frames'], 1):.1f} (frame input, score "
          f"output and spike tap included) vs the model's schedule "
          f"{r['model_cyc_total']:.1f} for the same frames")
        res["rtl_equal"] = r
    return res
