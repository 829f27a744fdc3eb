"""A TIMIT-format speech corpus from Debian's speech synthesizers.

So that training and tests run where TIMIT is absent (SPEC section 3), this
module reads the prompts in ``sentences.txt`` with two engines and writes
``<out>/TRAIN|TEST/DR1..DR8/<SPEAKER>/<UTT>.WAV|.PHN|.TXT`` exactly as TIMIT
lays them out, readable by :mod:`ml.speech.timit`.

Two engines read the prompts (ml/speech/engines.py): festival (voices
``kal_diphone``, ``ked_diphone``, ``cmu_us_slt_arctic_hts``) and espeak-ng (``en-us``,
variants m1..m8 and f1..f5). Their phones go to TIMIT's 61 through one table per
engine (ml/speech/phonemap.py, with the closure/release split and the two timing
rules). Silences inside a sentence are ``pau``; the leading and
trailing silence is ``h#``, trimmed or padded to 80..250 ms at random. Spans
that round to no samples are left out (they cover no audio); adjacent equal
labels are merged. The .PHN spans are contiguous from sample 0 to the last
sample, start and end with ``h#``, and use only the 61 TIMIT phones.

A synthetic speaker is one engine voice with its own random settings, fixed
for all its utterances: festival diphone voices get a duration stretch and an
f0 mean and range, the HTS voice a speaking rate, espeak a variant, rate
(words per minute), pitch and pitch range; every speaker gets a speed
perturbation factor (0.92..1.08: resampling that scales duration, pitch and
formants together, as in Ko et al. 2015), a channel (two speakers in three get
a zero-phase low-pass at 3..7.5 kHz: synthetic voices are brighter than
microphone recordings), a peak level and a noise floor (white noise,
-75..-55 dBFS). Audio is resampled to 16 kHz with
``scipy.signal.resample_poly`` (slt: 32 kHz, espeak: 22.05 kHz) and the phone
times are scaled by the same exact ratio.

Speakers are split between TRAIN and TEST (no speaker in both) and so are the
sentences: a test fraction of the prompts is read only by test speakers, as
TIMIT keeps its test SX/SI prompts out of training. The voices themselves are
shared (there are only three festival voices): a test speaker is a new setting
of a voice the training set also uses, so the real recordings of
``../shared/data/speech-samples`` stay the held-out check on real speech.

Everything is a function of the seed: the plan (speakers, settings,
sentences) is drawn in the parent process, each utterance's noise from its own
generator, festival is deterministic, and each espeak utterance is synthesized
in a fresh fork of an initialized, never-used engine (libespeak-ng keeps state
from one utterance to the next, so the same text comes out a few samples
different the second time).

Command line: ``spikedv speech synth --out DIR [--n 3000] [--seed 0]
[--engines festival,espeak] [--test-fraction 0.2] [--jobs N]`` (ml/speech/cli.py; also
``python -m ml.speech.synth``).
"""
from __future__ import annotations

import json
import math
import multiprocessing
import os
import shutil
import string
import time
from dataclasses import asdict, dataclass, field
from os import PathLike
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from ml.speech.engines import (
    ENGINES, ESPEAK_LANGUAGE, ESPEAK_VARIANTS, FESTIVAL_VOICES, EngineOutput,
    espeak_synthesize, festival_synthesize, require_engines,
)
from ml.speech.phonemap import resample_ratio, to_timit_segments
from ml.speech.phones import Segment
from ml.speech.sphere import TIMIT_RATE, write_sphere
from ml.speech.timit import CORE_TEST_SPEAKERS
from model.errors import InputError, at_line

SENTENCES_FILE = Path(__file__).with_name("sentences.txt")
DEFAULT_UTTERANCES = 3000
UTTERANCES_PER_SPEAKER = 10   # as in TIMIT

# --------------------------------------------------------------------------- sentences

def load_sentences(path: str | PathLike | None = None) -> list[str]:
    """The prompts, one per non-blank, non-comment line (default: the shipped list)."""
    path = Path(path) if path is not None else SENTENCES_FILE
    out = []
    for lineno, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        try:
            line = raw.decode("ascii").strip()
        except UnicodeDecodeError:
            raise InputError(path, "not ASCII text", at_line(lineno)) from None
        if not line or line.startswith("#"):
            continue
        bad = sorted(set(line) & set('"\\0123456789'))
        if bad:
            raise InputError(path, f"sentence contains {''.join(bad)!r} (no quotes, "
                                   "backslashes or digits: spell numbers out)", at_line(lineno))
        if not any(c.isalpha() for c in line):
            raise InputError(path, f"{line!r} has no words", at_line(lineno))
        out.append(" ".join(line.split()))
    if not out:
        raise InputError(path, "no sentences")
    return out


# --------------------------------------------------------------------------- plan

@dataclass(frozen=True)
class Speaker:
    """One synthetic speaker: an engine voice and its settings, fixed per speaker."""

    id: str                   # TIMIT style: sex letter, three letters, digit
    split: str                # "train" or "test"
    dialect: str              # "DR1".."DR8" (a folder name only: no dialect is modelled)
    engine: str
    voice: str                # festival voice name, or espeak "en-us+m3"
    sex: str
    speed: float              # speed perturbation factor (>1: faster, higher)
    level_db: float           # peak level, dBFS
    noise_db: float           # white noise floor, dBFS (RMS)
    lowpass_hz: float         # channel low-pass cutoff (0: none)
    params: dict = field(default_factory=dict)   # engine settings


@dataclass(frozen=True)
class Job:
    """The utterances of one speaker: what one worker call synthesizes."""

    index: int
    speaker: Speaker
    items: tuple[tuple[str, str], ...]   # (utterance id, text)
    out_dir: str
    seed: int


def _speaker_ids(rng: np.random.Generator, sexes: Sequence[str]) -> list[str]:
    used = set(CORE_TEST_SPEAKERS)
    ids = []
    for sex in sexes:
        while True:
            letters = "".join(rng.choice(list(string.ascii_uppercase), 3))
            for digit in range(10):
                cand = f"{sex}{letters}{digit}"
                if cand not in used:
                    break
            else:
                continue
            used.add(cand)
            ids.append(cand)
            break
    return ids


def _voice_slots(engine: str) -> list[tuple[str, str]]:
    """(voice, sex) choices of one engine, in a fixed order."""
    if engine == "festival":
        return [(v, s) for v, (s, _) in FESTIVAL_VOICES.items()]
    return [(f"{ESPEAK_LANGUAGE}+{v}", s) for v, s in ESPEAK_VARIANTS.items()]


def _engine_params(rng: np.random.Generator, engine: str, voice: str, sex: str) -> dict:
    if engine == "espeak":
        return {"rate": int(rng.integers(140, 201)), "pitch": int(rng.integers(25, 76)),
                "range": int(rng.integers(30, 81))}
    if voice == "cmu_us_slt_arctic_hts":
        return {"stretch": round(float(rng.uniform(0.85, 1.2)), 3)}
    lo, hi = (85, 135) if sex == "M" else (170, 230)
    return {"stretch": round(float(rng.uniform(0.85, 1.2)), 3),
            "f0_mean": round(float(rng.uniform(lo, hi)), 1),
            "f0_std": round(float(rng.uniform(8, 22)), 1)}


def _pick_sentences(rng: np.random.Generator, pool: np.ndarray, uses: np.ndarray,
                    k: int) -> list[int]:
    """k distinct sentences of the pool, least used first (random among equals)."""
    order = np.lexsort((rng.random(len(pool)), uses[pool]))
    chosen = [int(pool[i]) for i in order[:k]]
    uses[chosen] += 1
    return chosen


def plan_corpus(n_utterances: int, seed: int, engines: Sequence[str] = ENGINES,
                test_fraction: float = 0.2, utterances_per_speaker: int = UTTERANCES_PER_SPEAKER,
                sentences: Sequence[str] | None = None) -> list[tuple[Speaker, list[tuple[str, str]]]]:
    """Speakers and what each reads: a pure function of its arguments."""
    if n_utterances < 1:
        raise ValueError(f"n_utterances must be >= 1, got {n_utterances}")
    if not 0 <= test_fraction < 1:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction}")
    if utterances_per_speaker < 1:
        raise ValueError("utterances_per_speaker must be >= 1")
    sentences = list(sentences) if sentences is not None else load_sentences()
    rng = np.random.default_rng(seed)
    n_test = round(n_utterances * test_fraction)
    n_train = n_utterances - n_test
    order = rng.permutation(len(sentences))
    n_test_sent = math.ceil(len(sentences) * test_fraction) if n_test else 0
    if n_train and n_test and not 0 < n_test_sent < len(sentences):
        raise ValueError(f"{len(sentences)} sentences cannot be split for test_fraction {test_fraction}")
    pools = {"test": np.sort(order[:n_test_sent]), "train": np.sort(order[n_test_sent:])}
    uses = np.zeros(len(sentences), dtype=np.int64)
    k = utterances_per_speaker
    plan_rows = []  # (split, engine, voice, sex, n utterances)
    for split, count in (("train", n_train), ("test", n_test)):
        if count == 0:
            continue
        if len(pools[split]) < min(k, count):
            raise ValueError(f"{split}: {len(pools[split])} sentences, fewer than the "
                             f"{min(k, count)} each speaker reads")
        n_spk = math.ceil(count / k)
        slots = {e: _voice_slots(e) for e in engines}
        offsets = {e: int(rng.integers(len(slots[e]))) for e in engines}
        for j in range(n_spk):
            engine = engines[j % len(engines)]
            voices = slots[engine]
            voice, sex = voices[(offsets[engine] + j // len(engines)) % len(voices)]
            plan_rows.append((split, engine, voice, sex, min(k, count - j * k)))
    ids = _speaker_ids(rng, [r[3] for r in plan_rows])
    plan = []
    for (split, engine, voice, sex, n), spk_id in zip(plan_rows, ids):
        speaker = Speaker(
            id=spk_id, split=split, dialect=f"DR{int(rng.integers(1, 9))}", engine=engine,
            voice=voice, sex=sex, speed=round(float(rng.uniform(0.92, 1.08)), 3),
            level_db=round(float(rng.uniform(-16, -3)), 1),
            noise_db=round(float(rng.uniform(-75, -55)), 1),
            lowpass_hz=round(float(rng.uniform(3000, 7500)), 0) if rng.random() < 2 / 3 else 0.0,
            params=_engine_params(rng, engine, voice, sex))
        chosen = _pick_sentences(rng, pools[split], uses, n)
        plan.append((speaker, [(f"SX{i + 1}", sentences[i]) for i in sorted(chosen)]))
    return plan


def _shape_edges(audio: np.ndarray, segs: list[Segment], lead: int,
                 trail: int) -> tuple[np.ndarray, list[Segment]]:
    """Trim or pad the edge h# spans to lead/trail samples."""
    first, last = segs[0], segs[-1]
    cut_front = first.end - lead          # >0: drop samples, <0: pad zeros
    cut_back = (last.end - last.start) - trail
    body = audio[max(cut_front, 0): len(audio) - max(cut_back, 0)]
    body = np.concatenate([np.zeros(max(-cut_front, 0)), body, np.zeros(max(-cut_back, 0))])
    shift = -cut_front
    out = [Segment(0, lead, "h#")]
    for s in segs[1:-1]:
        out.append(Segment(s.start + shift, s.end + shift, s.label))
    out.append(Segment(out[-1].end, len(body), "h#"))
    assert out[-1].end - out[-1].start == trail
    return body, out


def finish_utterance(engine: str, raw: EngineOutput, speaker: Speaker,
                     rng: np.random.Generator, context: str = "") -> tuple[np.ndarray, list[Segment]]:
    """Raw engine output -> 16 kHz int16 audio and TIMIT segments."""
    # imported here: scipy.signal takes about a second to import (it loads scipy.stats),
    # which `spikedv speech synth --help` and the test collection need not wait for
    from scipy.signal import butter, resample_poly, sosfiltfilt
    ratio = resample_ratio(raw.rate, speaker.speed)
    x = raw.audio.astype(np.float64)
    if ratio != 1:
        x = resample_poly(x, ratio.numerator, ratio.denominator)
    segs = to_timit_segments(engine, raw.phones, x, ratio, context)
    lead = int(rng.integers(1280, 4001))   # 80..250 ms
    trail = int(rng.integers(1280, 4001))
    x, segs = _shape_edges(x, segs, lead, trail)
    if speaker.lowpass_hz:
        # zero phase (forward-backward), so no phone boundary moves
        x = sosfiltfilt(butter(2, speaker.lowpass_hz, fs=TIMIT_RATE, output="sos"), x)
    peak = np.abs(x).max()
    if peak > 0:
        x = x * (10 ** (speaker.level_db / 20) * 32767 / peak)
    x = x + rng.normal(0.0, 10 ** (speaker.noise_db / 20) * 32767, size=len(x))
    return np.clip(np.rint(x), -32768, 32767).astype(np.int16), segs


# --------------------------------------------------------------------------- corpus

def _write_utterance(folder: Path, speaker: Speaker, utt_id: str, text: str,
                     audio: np.ndarray, segs: list[Segment]) -> None:
    write_sphere(folder / f"{utt_id}.WAV", audio, f"{speaker.id.lower()}_{utt_id.lower()}")
    (folder / f"{utt_id}.PHN").write_text("".join(f"{s.start} {s.end} {s.label}\n" for s in segs))
    (folder / f"{utt_id}.TXT").write_text(f"0 {len(audio)} {text}\n")


def _run_job(job: Job) -> dict:
    """Synthesize and write one speaker's utterances; returns timing statistics."""
    spk = job.speaker
    folder = Path(job.out_dir) / spk.split.upper() / spk.dialect / spk.id
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    texts = [t for _, t in job.items]
    if spk.engine == "festival":
        raws = festival_synthesize(texts, spk.voice, spk.params)
    else:
        raws = [espeak_synthesize(t, spk.voice, spk.params) for t in texts]
    audio_s = 0.0
    for k, ((utt_id, text), raw) in enumerate(zip(job.items, raws)):
        rng = np.random.default_rng([job.seed, job.index, k])
        ctx = f"{spk.id}/{utt_id}: {text!r}"
        audio, segs = finish_utterance(spk.engine, raw, spk, rng, ctx)
        _write_utterance(folder, spk, utt_id, text, audio, segs)
        audio_s += len(audio) / TIMIT_RATE
    return {"engine": spk.engine, "voice": spk.voice, "split": spk.split,
            "utterances": len(job.items), "seconds": time.perf_counter() - t0,
            "audio_seconds": audio_s}


def synthesize_corpus(out_dir: str | PathLike, n_utterances: int = DEFAULT_UTTERANCES,
                      seed: int = 0, engines: Sequence[str] = ENGINES,
                      test_fraction: float = 0.2, *,
                      utterances_per_speaker: int = UTTERANCES_PER_SPEAKER,
                      jobs: int | None = None, sentences: Sequence[str] | None = None,
                      overwrite: bool = False,
                      progress: Callable[[int, int], None] | None = None) -> dict:
    """Write a TIMIT-layout corpus of n_utterances synthetic utterances to out_dir.

    Deterministic given the arguments (``jobs`` only changes the speed).
    ``jobs``: worker processes (default: all cores; 1 runs in this process).
    Returns counts: utterances and speakers per split, utterances per engine
    and voice, audio seconds, wall seconds, worker seconds per engine and per
    utterance for each voice (synthesis, resampling and writing).
    A corpus description (seed, speakers and their settings) is written to
    ``out_dir/DOC/SYNTH.json``. ``progress(done, total)`` is called with the
    utterances written so far after each speaker.
    """
    engines = tuple(engines)
    require_engines(engines)
    out = Path(out_dir)
    existing = [p for p in (out / "TRAIN", out / "TEST", out / "DOC") if p.exists()]
    if existing:
        if not overwrite:
            raise FileExistsError(f"{out} already holds a corpus ({existing[0].name}); "
                                  "pass overwrite=True to replace it")
        for p in existing:
            shutil.rmtree(p)
    plan = plan_corpus(n_utterances, seed, engines, test_fraction, utterances_per_speaker,
                       sentences)
    job_list = [Job(i, spk, tuple(items), str(out), seed) for i, (spk, items) in enumerate(plan)]
    out.mkdir(parents=True, exist_ok=True)
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    t0 = time.perf_counter()
    total = sum(len(j.items) for j in job_list)
    stats: list[dict] = []

    def done(stat: dict) -> None:
        stats.append(stat)
        if progress is not None:
            progress(sum(s["utterances"] for s in stats), total)
    if jobs <= 1 or len(job_list) == 1:
        for j in job_list:
            done(_run_job(j))
    else:
        # HTS speakers are the slowest: start them first.
        ordered = sorted(job_list, key=lambda j: j.speaker.voice != "cmu_us_slt_arctic_hts")
        with multiprocessing.get_context("spawn").Pool(min(jobs, len(job_list))) as pool:
            for stat in pool.imap_unordered(_run_job, ordered):
                done(stat)
    wall = time.perf_counter() - t0
    counts: dict = {"train": 0, "test": 0, "speakers": {"train": 0, "test": 0},
                    "engines": {}, "voices": {}, "audio_seconds": 0.0,
                    "wall_seconds": round(wall, 2), "synthesis_seconds": {}}
    for spk, items in plan:
        counts[spk.split] += len(items)
        counts["speakers"][spk.split] += 1
        counts["engines"][spk.engine] = counts["engines"].get(spk.engine, 0) + len(items)
        counts["voices"][spk.voice] = counts["voices"].get(spk.voice, 0) + len(items)
    by_voice: dict[str, list[float]] = {}
    for s in stats:
        counts["audio_seconds"] += s["audio_seconds"]
        counts["synthesis_seconds"][s["engine"]] = counts["synthesis_seconds"].get(s["engine"], 0.0) + s["seconds"]
        acc = by_voice.setdefault(s["voice"], [0.0, 0])
        acc[0] += s["seconds"]
        acc[1] += s["utterances"]
    counts["audio_seconds"] = round(counts["audio_seconds"], 2)
    counts["synthesis_seconds"] = {k: round(v, 2) for k, v in counts["synthesis_seconds"].items()}
    counts["seconds_per_utterance"] = {v: round(t / n, 3) for v, (t, n) in sorted(by_voice.items())}
    doc = out / "DOC"
    doc.mkdir(exist_ok=True)
    (doc / "SYNTH.json").write_text(json.dumps({
        "generator": "ml/speech/synth.py", "seed": seed, "n_utterances": n_utterances,
        "engines": list(engines), "test_fraction": test_fraction,
        "utterances_per_speaker": utterances_per_speaker,
        "speakers": [{**asdict(spk), "utterances": [u for u, _ in items]} for spk, items in plan],
    }, indent=1) + "\n")
    return counts


def main(argv: Iterable[str] | None = None) -> int:
    """``python -m ml.speech.synth [OUT] ...``: ``spikedv speech synth`` (ml/speech/cli.py)."""
    from ml.cli_util import module_main
    from ml.speech.cli import add_synth_arguments, run_synth
    return module_main("python -m ml.speech.synth", "Write a synthetic TIMIT-format corpus.",
                       add_synth_arguments, run_synth,
                       None if argv is None else list(argv), positional=("--out",))


if __name__ == "__main__":
    raise SystemExit(main())
