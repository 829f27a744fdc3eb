"""The bare Verilator driver of rsnn_accel (rsnn_bare.cpp): build it and run an utterance.

No Python and no VPI in the loop: it is the speed reference of the benchmark and the
``bare`` engine of spikedv.engines.rsnn. One build (cached by the sources' contents and
the flags) serves every weight set: the weights are preloaded at run time
(``+weights=DIR``).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np

from model.rsnn import N_INPUT_BUF, RsnnConfig
from model.rsnn_schedule import COUNTER_NAMES, SCHEDULES
from verif.sim import VERILATOR_ARGS, VERILATOR_MAKEFLAGS, WEIGHTS_PLUSARG, sim_build_dir
from verif.sources import include_dirs, sources
from verif.toolchain import configure_environment

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "rsnn_bare.cpp"
HEADERS = (HERE / "rsnn_regs.h",)
COUNTER_MODES = ("frame", "none")


class BareRunError(RuntimeError):
    """The bare driver failed (build, or a run that reported errors)."""


def build_bare() -> Path:
    """Build (or find cached) the bare driver; returns the executable."""
    rtl = sources("rsnn_accel")
    includes = include_dirs(rtl)
    digest = hashlib.sha256(" ".join(VERILATOR_ARGS).encode())
    for p in [DRIVER, *HEADERS, *rtl, *(h for d in includes for h in sorted(d.glob("*.vh")))]:
        digest.update(p.read_bytes())
    out = sim_build_dir() / "bench_bare" / digest.hexdigest()[:16]
    exe = out / "rsnn_bare"
    if exe.is_file():
        return exe
    if out.exists():
        shutil.rmtree(out)
    env = configure_environment(dict(os.environ))
    env["MAKEFLAGS"] = f"{env.get('MAKEFLAGS', '')} {VERILATOR_MAKEFLAGS}".strip()
    cmd = ["verilator", "--cc", "--exe", "--build", "-j", "2", *VERILATOR_ARGS,
           "--top-module", "rsnn_accel", "-CFLAGS", f"-I{HERE}",
           *[f"-I{d}" for d in includes],
           "-Mdir", str(out), "-o", "rsnn_bare", str(DRIVER), *map(str, rtl)]
    log = out.parent / f"{out.name}.build.log"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as fh:
        done = subprocess.run(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT)
    if done.returncode != 0 or not exe.is_file():
        raise BareRunError(f"bare Verilator build failed, see {log}")
    return exe


def run_bare(weights_dir: Path, features, config: RsnnConfig, work: Path,
             counters: str = "frame", schedule: str = "paper") -> tuple[dict, dict]:
    """Run one utterance; returns (outputs with the engine keys but T, timing stats).
    ``counters`` "none" streams the frames with no register reads (no counter keys);
    ``schedule`` "paper" or "union" is written to the SCHEDULE register."""
    if counters not in COUNTER_MODES:
        raise ValueError(f"counters={counters!r}, expected one of {COUNTER_MODES}")
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule={schedule!r}, expected one of {SCHEDULES}")
    exe = build_bare()
    n, T = len(features), config.T
    x = np.zeros((n, N_INPUT_BUF), np.uint8)
    x[:, :features.shape[1]] = features
    work.mkdir(parents=True, exist_ok=True)
    x.tofile(work / "frames.bin")
    args = [str(exe), str(work / "frames.bin"), str(work / "out.bin"),
            *(str(config.as_dict()[k]) for k in ("T", "s_in", "b0", "b1", "theta0", "theta1")),
            counters, schedule, f"+{WEIGHTS_PLUSARG}={Path(weights_dir).resolve()}"]
    t0 = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    try:
        stats = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise BareRunError(f"bare run failed: {done.stdout}\n{done.stderr}") from None
    if stats["errors"]:
        raise BareRunError(f"bare run: {stats['errors']} errors, first: {stats['first']}")
    stats["run_wall_s"] = wall
    n_counters = len(COUNTER_NAMES)
    record = np.dtype([("words", "<i4", 49), ("spikes", "u1", (2 * T, 16)),
                       ("counters", "<u4", n_counters)])
    raw = np.fromfile(work / "out.bin", dtype=record, count=n)
    bits = np.unpackbits(raw["spikes"], axis=-1, bitorder="little")     # (n, 2T, 128)
    out = {"scores": raw["words"][:, :48], "pred": raw["words"][:, 48],
           "spikes0": bits[:, 0::2], "spikes1": bits[:, 1::2]}
    if counters == "frame":
        out.update({name: raw["counters"][:, i] for i, name in enumerate(COUNTER_NAMES)})
        out["cycles"] = out["cyc_total"]
    return out, stats
