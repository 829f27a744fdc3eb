"""The two speech synthesizers the synthetic corpus uses (ml/speech/synth.py):

* **festival** (packages festival, festvox-kallpc16k, festvox-kdlpc16k,
  festvox-us-slt-hts), voices ``kal_diphone``, ``ked_diphone`` and
  ``cmu_us_slt_arctic_hts``, run as a program; phone times are the ``end`` of every item
  of the utterance's Segment relation after synthesis.
* **espeak** (espeak-ng, libespeak-ng1), language ``en-us`` with the voice variants
  m1..m8 and f1..f5, driven through libespeak-ng with ctypes in synchronous mode with
  phoneme events: each event carries the exact output sample at which its phoneme
  starts. Each utterance is synthesized in a fresh fork of an initialized, never-used
  engine (libespeak-ng keeps state from one utterance to the next).

Both return :class:`EngineOutput`: audio at the engine's rate and the engine's phones
with their spans (``scripts/install_speech_tools.sh`` installs the packages).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import pickle
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ml.speech.phonemap import SynthesisError, espeak_coda_l, merge_er_r
from ml.speech.sphere import read_audio

ENGINES = ("festival", "espeak")

FESTIVAL_VOICES = {  # voice -> (sex, native sample rate)
    "kal_diphone": ("M", 16000),
    "ked_diphone": ("M", 16000),
    "cmu_us_slt_arctic_hts": ("F", 32000),
}
ESPEAK_LANGUAGE = "en-us"
ESPEAK_VARIANTS = {**{f"m{i}": "M" for i in range(1, 9)}, **{f"f{i}": "F" for i in range(1, 6)}}
ESPEAK_RATE = 22050


def available_engines() -> tuple[str, ...]:
    """The engines whose programs/libraries are installed here."""
    have = []
    if shutil.which("festival"):
        have.append("festival")
    if _find_espeak_library():
        have.append("espeak")
    return tuple(have)


def require_engines(engines: Sequence[str]) -> None:
    """ValueError for an unknown engine, SynthesisError for one not installed here."""
    unknown = [e for e in engines if e not in ENGINES]
    if unknown or not engines:
        raise ValueError(f"engines must be a non-empty subset of {ENGINES}, got {tuple(engines)}")
    missing = [e for e in engines if e not in available_engines()]
    if missing:
        raise SynthesisError(f"engine(s) {', '.join(missing)} not installed: run "
                             "scripts/install_speech_tools.sh")


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
            outs.append(EngineOutput(audio, rate, merge_er_r(phones)))
    return outs


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
        return EngineOutput(audio, self.rate, espeak_coda_l(phones, self.rate))


def espeak_synthesize(text: str, voice: str, params: dict) -> EngineOutput:
    """One utterance with espeak-ng (voice e.g. "en-us+f2"; params rate, pitch, range)."""
    return _Espeak.get().synthesize(text, voice, params)
