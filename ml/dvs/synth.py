"""Synthetic DVS128 Gesture dataset generator (SPEC section 3, DVS).

Writes the DVS Gesture folder layout read by ``ml.dvs.layout``::

    out_dir/DvsGesture/
        userNN_<lighting>.aedat          AEDAT 3.1 polarity events
        userNN_<lighting>_labels.csv     class,startTime_usec,endTime_usec
        trials_to_train.txt              .aedat names of the training users
        trials_to_test.txt               .aedat names of the held-out users
        synth.json                       seed, configuration and statistics

Each trial is one ``ml.dvs.scenes`` scene (a figure performing one gesture
of each of the 11 classes in a random order, ``gesture_s`` long each, under
the trial's lighting) converted to events by ``ml.dvs.pixel``. The labels
cover exactly the gestures' time windows; transitions between gestures (and a
lead-in and a tail) are unlabelled, as in the real recordings.

Determinism: a trial depends only on (seed, user, lighting) and the
configuration (its random stream is ``SeedSequence(seed, spawn_key=(user,
lighting index))``), not on the number of trials, the worker count or the
order of work; the AEDAT header's start time is derived from the same
values, so files are byte-identical across runs.
"""
from __future__ import annotations

import json
import math
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from os import PathLike
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ml.dvs.aedat import write_aedat
from ml.dvs.labels import LabelSegment, write_labels
from ml.dvs.layout import CLASS_NAMES, DATASET_DIR, LIGHTINGS
from ml.dvs.pixel import DvsSensor, PixelParams
from ml.dvs.scenes import make_scene

N_CLASSES = len(CLASS_NAMES)
DVS_GESTURE_USERS = 29           # the real dataset: users 1..23 train, 24..29 test
DVS_GESTURE_TEST_USERS = 6


@dataclass(frozen=True)
class SynthConfig:
    """Generator settings (all in seconds unless named otherwise)."""

    gesture_s: tuple[float, float] = (1.5, 6.0)    # per-gesture duration range
    gap_s: tuple[float, float] = (0.3, 0.8)        # unlabelled transitions
    lead_s: float = 0.5                            # before the first gesture
    tail_s: float = 0.3                            # after the last
    max_step_px: float = 0.75                      # adaptive render: max joint step/frame
    max_frame_us: int = 10_000                     # longest frame interval
    chunk: int = 16                                # geometry frames rendered per call
    time_offset_us: tuple[int, int] = (0, 2_000_000)  # random clock start of a trial
    pixel: PixelParams = field(default_factory=PixelParams)
    packet_size: int = 4096

    def __post_init__(self):
        lo, hi = self.gesture_s
        if not 0 < lo <= hi:
            raise ValueError(f"gesture_s must be a range 0 < low <= high, got {self.gesture_s}")
        lo, hi = self.gap_s
        if not 0 <= lo <= hi:
            raise ValueError(f"gap_s must be a range 0 <= low <= high, got {self.gap_s}")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["pixel"] = self.pixel.to_dict()
        return d


@dataclass
class TrialResult:
    name: str                    # userNN_<lighting>
    user: int
    lighting: str
    split: str
    duration_s: float
    gestures: int
    events: int
    frames: int
    wall_s: float
    cpu_s: float                 # CPU time of the process that made it


@dataclass
class SynthReport:
    out_dir: str
    seed: int
    trials: list[TrialResult]
    workers: int
    wall_s: float

    @property
    def samples(self) -> int:
        return sum(t.gestures for t in self.trials)

    @property
    def events(self) -> int:
        return sum(t.events for t in self.trials)

    @property
    def events_per_s(self) -> float:
        """Events generated per second of wall-clock time (all workers)."""
        return self.events / self.wall_s if self.wall_s > 0 else float("nan")

    @property
    def samples_per_min(self) -> float:
        return 60.0 * self.samples / self.wall_s if self.wall_s > 0 else float("nan")

    def summary(self) -> dict:
        """Totals and speed; ``*_per_cpu_*`` use the trials' CPU time (one core), which
        is what the wall-clock figures become on an otherwise idle machine."""
        sensor_s = sum(t.duration_s for t in self.trials)
        cpu_s = sum(t.cpu_s for t in self.trials)
        return {
            "trials": len(self.trials), "samples": self.samples, "events": self.events,
            "sensor_seconds": round(sensor_s, 3), "wall_s": round(self.wall_s, 3),
            "cpu_s": round(cpu_s, 3), "workers": self.workers,
            "samples_per_cpu_min": round(60 * self.samples / cpu_s, 1) if cpu_s else None,
            "events_per_cpu_s": round(self.events / cpu_s) if cpu_s else None,
            "events_per_s": round(self.events_per_s),
            "samples_per_min": round(self.samples_per_min, 1),
            "events_per_sensor_s": round(self.events / sensor_s) if sensor_s else None,
            "realtime_factor": round(sensor_s / self.wall_s, 2) if self.wall_s else None,
        }


# ------------------------------------------------------------------ one trial

def trial_name(user: int, lighting: str) -> str:
    return f"user{user:02d}_{lighting}"


def _trial_rng(seed: int, user: int, lighting: str) -> np.random.Generator:
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(user, LIGHTINGS.index(lighting)))
    return np.random.default_rng(ss)


def _start_time(seed: int, user: int, lighting: str) -> datetime:
    base = datetime(2017, 1, 1, tzinfo=timezone.utc)
    return base + timedelta(days=user, hours=LIGHTINGS.index(lighting), seconds=seed % 3600)


def synthesize_trial(dvs_dir: str | PathLike, user: int, lighting: str, seed: int,
                     config: SynthConfig = SynthConfig(), split: str = "train") -> TrialResult:
    """Generate and write one trial's .aedat and _labels.csv into ``dvs_dir``."""
    if lighting not in LIGHTINGS:
        raise ValueError(f"lighting {lighting!r} not one of {LIGHTINGS}")
    if not 0 <= user <= 99:
        raise ValueError(f"user {user} not in 0..99 (userNN)")
    t_wall, t_cpu = time.perf_counter(), time.process_time()
    rng = _trial_rng(seed, user, lighting)
    scene_rng, sensor_rng = rng.spawn(2)
    scene = make_scene(scene_rng, lighting, durations_s=tuple(config.gesture_s),
                       gap_s=tuple(config.gap_s), lead_s=config.lead_s, tail_s=config.tail_s)
    pixel = config.pixel.replace(
        noise_rate_hz=config.pixel.noise_rate_hz * scene.lighting.noise_scale)
    sensor = DvsSensor(pixel, rng=sensor_rng)
    for t, frames in scene.iter_frames(chunk=config.chunk, max_step_px=config.max_step_px,
                                       max_frame_us=config.max_frame_us):
        sensor.feed(t, frames)
    events = sensor.finish(scene.duration_us)
    lo, hi = config.time_offset_us
    offset = int(rng.integers(lo, hi + 1)) if hi > lo else int(lo)
    events.t += offset
    name = trial_name(user, lighting)
    dvs_dir = Path(dvs_dir)
    write_aedat(dvs_dir / f"{name}.aedat", events, packet_size=config.packet_size,
                start_time=_start_time(seed, user, lighting))
    write_labels(dvs_dir / f"{name}_labels.csv",
                 [LabelSegment(c + 1, s + offset, e + offset) for c, s, e in scene.segments])
    return TrialResult(name, user, lighting, split, scene.duration_s, len(scene.segments),
                       len(events), sensor.frames, time.perf_counter() - t_wall,
                       time.process_time() - t_cpu)


def _run_trial(args) -> TrialResult:
    return synthesize_trial(*args)


# ------------------------------------------------------------------ the dataset

def plan_trials(n_samples: int, seed: int, users: Sequence[int] | None = None,
                test_users: Sequence[int] | None = None,
                lightings: Sequence[str] = LIGHTINGS) -> list[tuple[int, str, str]]:
    """(user, lighting, split) of every trial: ceil(n_samples / 11) trials.

    Default users: as many as the trials need at one trial per lighting (at
    least 2), numbered from 1; default test users: the last
    ``max(1, round(n_users * 6 / 29))`` (the real dataset's 6 of 29). Trials go
    round-robin over the users; each user takes lightings in a random order.
    """
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}")
    lightings = list(lightings)
    if not lightings or any(lt not in LIGHTINGS for lt in lightings) \
            or len(set(lightings)) != len(lightings):
        raise ValueError(f"lightings must be distinct names from {LIGHTINGS}, got {lightings}")
    n_trials = math.ceil(n_samples / N_CLASSES)
    if users is None:
        users = list(range(1, max(2, math.ceil(n_trials / len(lightings))) + 1))
    users = [int(u) for u in users]
    if len(set(users)) != len(users) or any(not 0 <= u <= 99 for u in users):
        raise ValueError(f"users must be distinct numbers in 0..99, got {users}")
    if n_trials > len(users) * len(lightings):
        raise ValueError(f"{n_samples} samples need {n_trials} trials, but {len(users)} users "
                         f"x {len(lightings)} lightings give only {len(users) * len(lightings)}")
    if test_users is None:
        n_test = max(1, round(len(users) * DVS_GESTURE_TEST_USERS / DVS_GESTURE_USERS))
        test_users = users[-n_test:] if len(users) > 1 else []
    test_users = {int(u) for u in test_users}
    if not test_users <= set(users):
        raise ValueError(f"test users {sorted(test_users - set(users))} are not in users")
    order = {u: np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(u, 99)))
             .permutation(len(lightings)) for u in users}
    plan = []
    for i in range(n_trials):
        u = users[i % len(users)]
        lt = lightings[order[u][i // len(users)]]
        plan.append((u, lt, "test" if u in test_users else "train"))
    return plan


def synthesize_dataset(out_dir: str | PathLike, n_samples: int, seed: int,
                       users: Sequence[int] | None = None,
                       test_users: Sequence[int] | None = None, *,
                       lightings: Sequence[str] = LIGHTINGS,
                       config: SynthConfig = SynthConfig(), workers: int = 2,
                       progress: Callable[[TrialResult], None] | None = None) -> SynthReport:
    """Write a synthetic DVS Gesture dataset of at least ``n_samples`` gestures.

    Whole trials of 11 gestures are written (``ceil(n_samples / 11)`` of them;
    see :func:`plan_trials` for users and splits), ``workers`` processes at a
    time (1: in this process). Returns a :class:`SynthReport`; its summary is
    also written to ``DvsGesture/synth.json``.
    """
    plan = plan_trials(n_samples, seed, users, test_users, lightings)
    dvs_dir = Path(out_dir) / DATASET_DIR
    dvs_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(dvs_dir, u, lt, seed, config, split) for u, lt, split in plan]
    t0 = time.perf_counter()
    results: list[TrialResult] = []
    if workers <= 1 or len(jobs) == 1:
        for job in jobs:
            results.append(_run_trial(job))
            if progress:
                progress(results[-1])
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as pool:
            for res in pool.map(_run_trial, jobs):
                results.append(res)
                if progress:
                    progress(res)
    wall = time.perf_counter() - t0
    for split in ("train", "test"):
        names = sorted(f"{r.name}.aedat" for r in results if r.split == split)
        (dvs_dir / f"trials_to_{split}.txt").write_text(
            "".join(n + "\n" for n in names), encoding="ascii")
    report = SynthReport(str(out_dir), seed, results, workers, wall)
    manifest = {"generator": "ml.dvs.synth", "seed": seed, "requested_samples": n_samples,
                "config": config.to_dict(), "summary": report.summary(),
                "trials": [asdict(r) for r in results]}
    (dvs_dir / "synth.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="ascii")
    return report


def main(argv: list[str] | None = None) -> int:
    """``python -m ml.dvs.synth [OUT] ...``: ``spikedv dvs synth`` (ml/dvs/cli.py)."""
    from ml.cli_util import module_main
    from ml.dvs.cli import add_synth_arguments, run_synth
    return module_main("python -m ml.dvs.synth", "Write a synthetic DVS128 Gesture dataset.",
                       add_synth_arguments, run_synth, argv, positional=("--out",))


if __name__ == "__main__":
    raise SystemExit(main())
