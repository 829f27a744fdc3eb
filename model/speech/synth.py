"""A TIMIT-format speech corpus from Debian's speech synthesizers.

So that training and tests run where TIMIT is absent (SPEC section 3), this
module reads the prompts in ``sentences.txt`` with two engines and writes
``<out>/TRAIN|TEST/DR1..DR8/<SPEAKER>/<UTT>.WAV|.PHN|.TXT`` exactly as TIMIT
lays them out, readable by :mod:`model.speech.timit`:

* **festival** (packages festival, festvox-kallpc16k, festvox-kdlpc16k,
  festvox-us-slt-hts), voices ``kal_diphone`` (male, 16 kHz diphone),
  ``ked_diphone`` (male, 16 kHz diphone; the package is called kdlpc16k but
  the voice is ked) and ``cmu_us_slt_arctic_hts`` (female, HTS, 32 kHz).
  Phone times are festival's own: the ``end`` of every item of the utterance's
  Segment relation after synthesis (the diphone module warps its units to
  these targets; the HTS engine writes its generated state durations back).
* **espeak** (espeak-ng, libespeak-ng1), language ``en-us`` with the voice
  variants m1..m8 and f1..f5, driven through libespeak-ng with ctypes in
  synchronous mode with phoneme events: each event carries the exact output
  sample at which its phoneme starts (``espeak_EVENT.sample``).

Each engine's phone names go to TIMIT's 61 phones through ONE table per engine
(:data:`FESTIVAL_TO_TIMIT`, :data:`ESPEAK_TO_TIMIT`); a phone missing from its
table raises :class:`UnknownPhoneError` naming the engine and the phone.
An entry is one TIMIT phone or several, in order, sharing the engine phone's
span: a stop or affricate becomes closure + release (``p`` -> ``pcl p``), the
boundary placed at the burst (the largest 2 ms energy rise inside the span,
each part at least 5 ms; 60/40 when the span is too short to search); any
other multi-phone entry (espeak's r-coloured vowels, ``A@`` -> ``aa r``) is cut
into equal parts. Two timing rules sit beside the tables: festival's "er r" is
one ``er``, and espeak's coda l (timed inside its vowel by the engine) takes
the last 35% of that vowel. Silences inside a sentence are ``pau``; the leading and
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

Command line: ``python -m model.speech.synth OUT [--n 3000] [--seed 0]
[--engines festival,espeak] [--test-fraction 0.2] [--jobs N]``.
"""
from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import math
import multiprocessing
import os
import pickle
import shutil
import string
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from scipy.signal import butter, resample_poly, sosfiltfilt

from model.errors import InputError, at_line
from model.speech.phones import PHONES61, Segment
from model.speech.sphere import TIMIT_RATE, read_audio, write_sphere
from model.speech.timit import CORE_TEST_SPEAKERS

ENGINES = ("festival", "espeak")
SENTENCES_FILE = Path(__file__).with_name("sentences.txt")
DEFAULT_UTTERANCES = 3000
UTTERANCES_PER_SPEAKER = 10   # as in TIMIT

# --------------------------------------------------------------------------- tables

CLOSURE = {"b": "bcl", "d": "dcl", "g": "gcl", "p": "pcl", "t": "tcl", "k": "kcl"}
_CLOSURES = frozenset(CLOSURE.values())

# festival: the "radio" phone set (festival/lib/radio_phones.scm) shared by all
# three voices. brth (a breath, rare) has no TIMIT phone and becomes pau.
# Besides this table festival has one rule: the radio set writes an r-coloured
# vowel as "er r" in some lexicons (its own comment: "er-r == axr"), so an
# "er" followed by "r" is one "er" span.
FESTIVAL_TO_TIMIT: dict[str, tuple[str, ...]] = {
    "aa": ("aa",), "ae": ("ae",), "ah": ("ah",), "ao": ("ao",), "aw": ("aw",),
    "ax": ("ax",), "axr": ("axr",), "ay": ("ay",), "eh": ("eh",), "er": ("er",),
    "ey": ("ey",), "ih": ("ih",), "iy": ("iy",), "ow": ("ow",), "oy": ("oy",),
    "uh": ("uh",), "uw": ("uw",),
    "b": ("bcl", "b"), "d": ("dcl", "d"), "g": ("gcl", "g"),
    "p": ("pcl", "p"), "t": ("tcl", "t"), "k": ("kcl", "k"),
    "ch": ("tcl", "ch"), "jh": ("dcl", "jh"), "dx": ("dx",),
    "dh": ("dh",), "f": ("f",), "s": ("s",), "sh": ("sh",), "th": ("th",),
    "v": ("v",), "z": ("z",), "zh": ("zh",), "hh": ("hh",), "hv": ("hv",),
    "l": ("l",), "r": ("r",), "w": ("w",), "y": ("y",),
    "m": ("m",), "n": ("n",), "ng": ("ng",), "nx": ("nx",),
    "el": ("el",), "em": ("em",), "en": ("en",),
    "pau": ("pau",), "h#": ("pau",), "brth": ("pau",),
}

# espeak-ng en-us: every phoneme of espeak's "en" and "en-us" phoneme tables
# plus the consonants of "base1" that English uses (mnemonics as in
# espeak-ng/phsource/ph_english*; IPA in the comments, from `espeak-ng --ipa`).
# Foreign phonemes of base1 (x, C, R, ...) are deliberately absent.
ESPEAK_TO_TIMIT: dict[str, tuple[str, ...]] = {
    # pauses
    "_": ("pau",), "_:": ("pau",), "_!": ("pau",), "_|": ("pau",), "_::": ("pau",),
    "_;_": ("pau",), "_^_": ("pau",),
    # linking glide espeak inserts after a final i before a vowel ("the oil" D I2 ; OI l):
    # no IPA of its own, the tail of the i, so a TIMIT vowel iy
    ";": ("iy",),
    # stops and affricates: closure + release
    "p": ("pcl", "p"), "b": ("bcl", "b"), "t": ("tcl", "t"), "d": ("dcl", "d"),
    "k": ("kcl", "k"), "g": ("gcl", "g"),
    "t2": ("tcl", "t"),          # t, another context variant
    "d#": ("tcl", "t"),          # devoiced -ed ending, [t]
    "tS": ("tcl", "ch"), "dZ": ("dcl", "jh"),
    "t#": ("dx",),               # flap (butter, water)
    "?": ("q",),                 # glottal stop (button)
    # fricatives
    "f": ("f",), "v": ("v",), "T": ("th",), "D": ("dh",), "s": ("s",), "z": ("z",),
    "S": ("sh",), "Z": ("zh",), "h": ("hh",),
    "z#": ("s",), "z/2": ("s",),  # devoiced plural/verb endings, [s]
    # nasals, liquids, glides
    "m": ("m",), "n": ("n",), "N": ("ng",), "l": ("l",), "w": ("w",), "j": ("y",),
    "w#": ("w",),                # [hw] of "which": TIMIT writes w
    "r": ("r",), "r/": ("r",), "r-": ("r",),
    # syllabic consonants
    "@L": ("el",), "l-": ("el",), "n-": ("en",), "m-": ("em",), "N-": ("eng",),
    # vowels
    "@": ("ax",), "@-": ("ax",), "@2": ("ax",), "@5": ("ax",), "@#": ("ax",), "a#": ("ax",),
    "3": ("axr",), "3:": ("er",), "IR": ("er",),
    "a": ("ae",), "aa": ("ae",), "a2": ("ae",), "a#2": ("ae",),
    "A:": ("aa",), "A#": ("aa",), "0": ("aa",), "0#": ("aa",), "A~": ("aa",),
    "02": ("ah",), "V": ("ah",),
    "O": ("ao",), "O:": ("ao",), "O2": ("ao",), "O~": ("ao",),
    "E": ("eh",), "E#": ("eh",), "E2": ("eh",), "e#": ("eh",),
    "I": ("ih",), "I#": ("ix",), "I2": ("ix",), "I2#": ("ix",),
    "i": ("iy",), "i:": ("iy",),
    "U": ("uh",), "u:": ("uw",),
    "aI": ("ay",), "aU": ("aw",), "eI": ("ey",), "e:": ("ey",), "OI": ("oy",),
    "oU": ("ow",), "oU#": ("ow",), "o:": ("ow",),
    # r-coloured vowels and triphthongs: several TIMIT phones, equal shares
    "A@": ("aa", "r"), "O@": ("ao", "r"), "o@": ("ao", "r"), "e@": ("eh", "r"),
    "i@": ("iy", "ax"), "i@3": ("ih", "r"), "U@": ("uh", "r"), "VR": ("ah", "r"),
    "aI@": ("ay", "ax"), "aI3": ("ay", "axr"), "aU@": ("aw", "axr"),
}

# Besides this table espeak has one timing rule: it synthesizes a coda "l" with
# the vowel before it and emits the l's event only when the next phoneme starts
# (zero or a few ms long: "sells" E 4416 samples, l 0, z ...). Such an l (under
# 30 ms after a vowel) takes the last ESPEAK_CODA_L_SHARE of the vowel's span.
ESPEAK_CODA_L_SHARE = 0.35
_ESPEAK_CODA_L_MAX_S = 0.030

_TABLES = {"festival": FESTIVAL_TO_TIMIT, "espeak": ESPEAK_TO_TIMIT}
_TIMIT_VOWELS = frozenset(
    "aa ae ah ao aw ax ax-h axr ay eh er ey ih ix iy ow oy uh uw ux".split())
assert all(lab in PHONES61 for t in _TABLES.values() for labels in t.values() for lab in labels)
_SILENCE = frozenset({"pau", "h#"})

FESTIVAL_VOICES = {  # voice -> (sex, native sample rate)
    "kal_diphone": ("M", 16000),
    "ked_diphone": ("M", 16000),
    "cmu_us_slt_arctic_hts": ("F", 32000),
}
ESPEAK_LANGUAGE = "en-us"
ESPEAK_VARIANTS = {**{f"m{i}": "M" for i in range(1, 9)}, **{f"f{i}": "F" for i in range(1, 6)}}
ESPEAK_RATE = 22050


class UnknownPhoneError(ValueError):
    """An engine produced a phone that its mapping table does not have."""

    def __init__(self, engine: str, phone: str, context: str = ""):
        self.engine, self.phone = engine, phone
        where = f" ({context})" if context else ""
        super().__init__(f"{engine}: phone {phone!r} has no TIMIT mapping{where}; "
                         f"add it to model/speech/synth.py's {engine.upper()}_TO_TIMIT")


class SynthesisError(RuntimeError):
    """A synthesizer failed or is not installed."""


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


def available_engines() -> tuple[str, ...]:
    """The engines whose programs/libraries are installed here."""
    have = []
    if shutil.which("festival"):
        have.append("festival")
    if _find_espeak_library():
        have.append("espeak")
    return tuple(have)


def _require_engines(engines: Sequence[str]) -> None:
    unknown = [e for e in engines if e not in ENGINES]
    if unknown or not engines:
        raise ValueError(f"engines must be a non-empty subset of {ENGINES}, got {tuple(engines)}")
    missing = [e for e in engines if e not in available_engines()]
    if missing:
        raise SynthesisError(f"engine(s) {', '.join(missing)} not installed: run "
                             "scripts/install_speech_tools.sh")


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


# --------------------------------------------------------------------------- engines

@dataclass
class EngineOutput:
    """Raw synthesis: audio at the engine's rate, phones as (name, start, end) in its samples."""

    audio: np.ndarray
    rate: int
    phones: list[tuple[str, float, float]]


_FESTIVAL_DUMP = """
(define (synth_dump text wavfile segfile)
  (let ((utt (SynthText text)) (fd nil))
    (utt.save.wave utt wavfile 'riff)
    (set! fd (fopen segfile "w"))
    (mapcar (lambda (s) (format fd "%f %s\\n" (item.feat s "end") (item.name s)))
            (utt.relation.items utt 'Segment))
    (fclose fd)))
"""


def _festival_setup(voice: str, params: dict) -> str:
    lines = [f"(voice_{voice})"]
    if voice == "cmu_us_slt_arctic_hts":
        # hts_engine's -r is a speaking-rate factor (>1 faster).
        rate = 1.0 / params["stretch"]
        lines.append("(set! hts_engine_params (append cmu_us_slt_arctic_hts::hts_engine_params "
                     f"'((\"-r\" {rate:.4f}))))")
    else:
        lines.append(f"(Parameter.set 'Duration_Stretch {params['stretch']:.4f})")
        lines.append(f"(set! int_lr_params '((target_f0_mean {params['f0_mean']:.1f}) "
                     f"(target_f0_std {params['f0_std']:.1f}) (model_f0_mean 170) "
                     "(model_f0_std 34)))")
    return "\n".join(lines)


def _scheme_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _run_festival(script: str, what: str) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".scm", delete=False) as f:
        f.write(script)
    try:
        proc = subprocess.run(["festival", "-b", f.name], capture_output=True, text=True,
                              timeout=600)
    finally:
        os.unlink(f.name)
    if proc.returncode != 0:
        raise SynthesisError(f"festival failed ({what}), exit {proc.returncode}:\n"
                             f"{(proc.stdout + proc.stderr).strip()[-2000:]}")


def festival_synthesize(texts: Sequence[str], voice: str, params: dict) -> list[EngineOutput]:
    """Synthesize texts with one festival voice in one festival process."""
    if voice not in FESTIVAL_VOICES:
        raise ValueError(f"unknown festival voice {voice!r}; one of {sorted(FESTIVAL_VOICES)}")
    with tempfile.TemporaryDirectory(prefix="synth-fest-") as tmp:
        calls = [f"(synth_dump {_scheme_string(t)} \"{tmp}/{i}.wav\" \"{tmp}/{i}.seg\")"
                 for i, t in enumerate(texts)]
        _run_festival("\n".join([_FESTIVAL_DUMP, _festival_setup(voice, params), *calls]), voice)
        outs = []
        for i in range(len(texts)):
            audio, rate = read_audio(Path(tmp) / f"{i}.wav")
            phones, start = [], 0.0
            for line in (Path(tmp) / f"{i}.seg").read_text().split("\n"):
                if line.strip():
                    end_s, name = line.split()
                    end = float(end_s) * rate
                    phones.append((name, start, end))
                    start = end
            outs.append(EngineOutput(audio, rate, _merge_er_r(phones)))
    return outs


def _merge_er_r(phones: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """festival's radio set: "er r" is one r-coloured vowel."""
    out: list[tuple[str, float, float]] = []
    for name, start, end in phones:
        if name == "r" and out and out[-1][0] == "er":
            out[-1] = ("er", out[-1][1], end)
        else:
            out.append((name, start, end))
    return out


def festival_phone_names(texts: Sequence[str], voice: str) -> list[list[str]]:
    """Festival's phone sequence of each text (no waveform: quick table checks)."""
    with tempfile.TemporaryDirectory(prefix="synth-fest-") as tmp:
        script = [f"(voice_{voice})",
                  "(define (phones text file) (let ((u (eval (list 'Utterance 'Text text))) (fd nil))"
                  " (Initialize u) (Text u) (Token_POS u) (Token u) (POS u) (Phrasify u)"
                  " (Word u) (Pauses u) (Intonation u) (PostLex u)"
                  " (set! fd (fopen file \"w\"))"
                  " (mapcar (lambda (s) (format fd \"%s\\n\" (item.name s)))"
                  " (utt.relation.items u 'Segment)) (fclose fd)))"]
        script += [f"(phones {_scheme_string(t)} \"{tmp}/{i}.txt\")" for i, t in enumerate(texts)]
        _run_festival("\n".join(script), voice)
        return [[n for n in (Path(tmp) / f"{i}.txt").read_text().split()] for i in range(len(texts))]


# espeak-ng through ctypes (speak_lib.h of espeak-ng 1.51)
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS = 0x0001
_EVENT_LIST_TERMINATED, _EVENT_PHONEME = 0, 7
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE, _PARAM_PITCH, _PARAM_RANGE = 1, 3, 4


class _EspeakEvent(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint),
                ("text_position", ctypes.c_int), ("length", ctypes.c_int),
                ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", ctypes.c_char * 8)]


_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                   ctypes.POINTER(_EspeakEvent))


def _find_espeak_library() -> str | None:
    for name in ("libespeak-ng.so.1", ctypes.util.find_library("espeak-ng")):
        if name:
            try:
                ctypes.CDLL(name)
                return name
            except OSError:
                pass
    return None


class _Espeak:
    """libespeak-ng, initialized once per process and never used directly.

    Every utterance is synthesized in a forked child, so each one starts from
    the same fresh engine state (deterministic output).
    """

    _instance: "_Espeak | None" = None

    def __init__(self):
        name = _find_espeak_library()
        if name is None:
            raise SynthesisError("libespeak-ng not found: run scripts/install_speech_tools.sh")
        self.lib = ctypes.CDLL(name)
        self.rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, None,
                                               _INITIALIZE_PHONEME_EVENTS)
        if self.rate <= 0:
            raise SynthesisError(f"espeak_Initialize failed ({self.rate})")
        self.pid = os.getpid()
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[str, int]] = []
        self._callback = _SYNTH_CALLBACK(self._collect)   # kept alive with the instance
        self.lib.espeak_SetSynthCallback(self._callback)

    @classmethod
    def get(cls) -> "_Espeak":
        if cls._instance is None or cls._instance.pid != os.getpid():
            cls._instance = cls()
        return cls._instance

    def _collect(self, wav, n, events) -> int:
        if n > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, (n,)).copy())
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            if events[i].type == _EVENT_PHONEME:
                self._events.append((events[i].id.decode("ascii", "replace"), events[i].sample))
            i += 1
        return 0

    def _synth_here(self, text: str, voice: str, params: dict) -> tuple[np.ndarray, list]:
        lib = self.lib
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise SynthesisError(f"espeak-ng has no voice {voice!r}")
        for key, code in (("rate", _PARAM_RATE), ("pitch", _PARAM_PITCH), ("range", _PARAM_RANGE)):
            lib.espeak_SetParameter(code, int(params[key]), 0)
        data = text.encode("utf-8") + b"\0"
        err = lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        if err != 0 or lib.espeak_Synchronize() != 0:
            raise SynthesisError(f"espeak_Synth failed ({err}) for {text!r}")
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
        return audio, list(self._events)

    def synthesize(self, text: str, voice: str, params: dict) -> EngineOutput:
        """One utterance in a fresh fork of this never-used engine."""
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: synthesize, send the result, exit without cleanup
            status = 0
            try:
                os.close(read_fd)
                try:
                    payload = ("ok", self._synth_here(text, voice, params))
                except BaseException as e:  # noqa: BLE001 - sent to the parent
                    payload = ("error", f"{type(e).__name__}: {e}")
                data = pickle.dumps(payload)
                view = memoryview(data)
                while view:
                    view = view[os.write(write_fd, view):]
            except BaseException:  # noqa: BLE001
                status = 1
            finally:
                os._exit(status)
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as f:
            data = f.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            raise SynthesisError(f"espeak child process failed (status {status}) for {text!r}")
        kind, result = pickle.loads(data)
        if kind != "ok":
            raise SynthesisError(result)
        audio, events = result
        phones = []
        for i, (name, start) in enumerate(events):
            end = events[i + 1][1] if i + 1 < len(events) else len(audio)
            phones.append((name, float(start), float(max(end, start))))
        if phones and phones[0][1] > 0:  # audio before the first phoneme event
            phones.insert(0, ("_", 0.0, phones[0][1]))
        return EngineOutput(audio, self.rate, _espeak_coda_l(phones, self.rate))


def _espeak_coda_l(phones: list[tuple[str, float, float]],
                   rate: int) -> list[tuple[str, float, float]]:
    """Give a coda l that espeak timed inside its vowel a share of that vowel."""
    out = list(phones)
    for i in range(1, len(out)):
        name, start, end = out[i]
        prev, pstart, pend = out[i - 1]
        labels = ESPEAK_TO_TIMIT.get(prev, ())
        if (name == "l" and end - start < _ESPEAK_CODA_L_MAX_S * rate and labels
                and labels[-1] in _TIMIT_VOWELS and pend == start):
            cut = pend - ESPEAK_CODA_L_SHARE * (pend - pstart)
            out[i - 1] = (prev, pstart, cut)
            out[i] = (name, cut, end)
    return out


def espeak_synthesize(text: str, voice: str, params: dict) -> EngineOutput:
    """One utterance with espeak-ng (voice e.g. "en-us+f2"; params rate, pitch, range)."""
    return _Espeak.get().synthesize(text, voice, params)


# --------------------------------------------------------------------------- to TIMIT

def _resample_ratio(rate: int, speed: float) -> Fraction:
    """16 kHz output samples per engine sample, including the speed factor."""
    return Fraction(TIMIT_RATE / (rate * speed)).limit_denominator(1000)


def _burst(audio: np.ndarray, start: int, end: int) -> int:
    """Start of a stop's release inside [start, end): the largest 2 ms energy rise."""
    length = end - start
    min_part, win = 80, 32                       # 5 ms, 2 ms at 16 kHz
    if length < 2 * min_part + win:
        return start + max(1, min(length - 1, round(0.6 * length)))
    x = audio[start:end].astype(np.float64)
    hop = win // 2
    n = (length - win) // hop + 1
    energy = np.array([np.dot(x[i * hop:i * hop + win], x[i * hop:i * hop + win]) for i in range(n)])
    loge = np.log(energy + 1e-6 * (energy.max() + 1.0) + 1e-3)
    # boundary b = j*hop + win between window j (before) and window j + 2 (after)
    j = np.arange(n - 2)
    bounds = j * hop + win
    ok = (bounds >= min_part) & (bounds <= length - min_part)
    if not ok.any():
        return start + round(0.6 * length)
    rise = np.where(ok, loge[j + 2] - loge[j], -np.inf)
    return start + int(bounds[int(np.argmax(rise))])


def to_timit_segments(engine: str, phones: Sequence[tuple[str, float, float]],
                      audio16: np.ndarray, ratio: Fraction, context: str = "") -> list[Segment]:
    """Engine phones (engine samples) -> contiguous TIMIT segments over audio16.

    Edge silences become h#; spans that round to nothing are left out; equal
    neighbours merge; the last segment ends at len(audio16).
    """
    table = _TABLES[engine]
    n = len(audio16)
    pieces: list[tuple[tuple[str, ...], int, int]] = []
    for name, start, end in phones:
        labels = table.get(name)
        if labels is None:
            raise UnknownPhoneError(engine, name, context)
        s = min(n, round(start * ratio))
        e = min(n, round(end * ratio))
        if e > s:
            pieces.append((labels, s, e))
    if not pieces:
        raise SynthesisError(f"{engine}: no phones in the audio ({context})")
    segs: list[Segment] = []
    for labels, s, e in pieces:
        if len(labels) == 1:
            parts = [(labels[0], s, e)]
        elif len(labels) == 2 and labels[0] in _CLOSURES and e - s >= 2:
            b = _burst(audio16, s, e)
            parts = [(labels[0], s, b), (labels[1], b, e)]
        else:
            cuts = [s + round(i * (e - s) / len(labels)) for i in range(len(labels) + 1)]
            parts = [(lab, a, b) for lab, a, b in zip(labels, cuts[:-1], cuts[1:])]
        for lab, a, b in parts:
            if b <= a:
                continue
            if segs and segs[-1].label == lab:
                segs[-1] = Segment(segs[-1].start, b, lab)
            else:
                segs.append(Segment(a, b, lab))
    # contiguity: engine spans abut; close any rounding gap into the earlier span
    fixed = [Segment(0, segs[0].end, segs[0].label)]
    for seg in segs[1:]:
        fixed[-1] = Segment(fixed[-1].start, seg.start, fixed[-1].label)
        fixed.append(seg)
    fixed[-1] = Segment(fixed[-1].start, n, fixed[-1].label)
    fixed = [s for s in fixed if s.end > s.start]
    # edge silence -> h#, present at both ends
    if fixed[0].label in _SILENCE:
        fixed[0] = Segment(0, fixed[0].end, "h#")
    else:
        fixed.insert(0, Segment(0, 0, "h#"))
    if fixed[-1].label in _SILENCE and len(fixed) > 1:
        fixed[-1] = Segment(fixed[-1].start, n, "h#")
    else:
        fixed.append(Segment(n, n, "h#"))
    return fixed


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
    ratio = _resample_ratio(raw.rate, speaker.speed)
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
                      overwrite: bool = False) -> dict:
    """Write a TIMIT-layout corpus of n_utterances synthetic utterances to out_dir.

    Deterministic given the arguments (``jobs`` only changes the speed).
    ``jobs``: worker processes (default: all cores; 1 runs in this process).
    Returns counts: utterances and speakers per split, utterances per engine
    and voice, audio seconds, wall seconds, worker seconds per engine and per
    utterance for each voice (synthesis, resampling and writing).
    A corpus description (seed, speakers and their settings) is written to
    ``out_dir/DOC/SYNTH.json``.
    """
    engines = tuple(engines)
    _require_engines(engines)
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
    if jobs <= 1 or len(job_list) == 1:
        stats = [_run_job(j) for j in job_list]
    else:
        # HTS speakers are the slowest: start them first.
        ordered = sorted(job_list, key=lambda j: j.speaker.voice != "cmu_us_slt_arctic_hts")
        with multiprocessing.get_context("spawn").Pool(min(jobs, len(job_list))) as pool:
            stats = list(pool.imap_unordered(_run_job, ordered))
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
        "generator": "model/speech/synth.py", "seed": seed, "n_utterances": n_utterances,
        "engines": list(engines), "test_fraction": test_fraction,
        "utterances_per_speaker": utterances_per_speaker,
        "speakers": [{**asdict(spk), "utterances": [u for u, _ in items]} for spk, items in plan],
    }, indent=1) + "\n")
    return counts


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m model.speech.synth",
                                 description="Write a synthetic TIMIT-format corpus.")
    ap.add_argument("out_dir")
    ap.add_argument("--n", type=int, default=DEFAULT_UTTERANCES, help="utterances (default 3000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--test-fraction", type=float, default=0.2)
    ap.add_argument("--per-speaker", type=int, default=UTTERANCES_PER_SPEAKER)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--overwrite", action="store_true")
    args = ap.parse_args(list(argv) if argv is not None else None)
    counts = synthesize_corpus(args.out_dir, args.n, args.seed, tuple(args.engines.split(",")),
                               args.test_fraction, utterances_per_speaker=args.per_speaker,
                               jobs=args.jobs, overwrite=args.overwrite)
    print(json.dumps(counts, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
