"""Reader for ../shared/data/speech-samples: real recordings, approximate alignments.

The folder (SpeechBrain test fixtures, see its NOTICE.md) holds 16 kHz mono
16-bit RIFF WAVs and SpeechBrain-style JSON manifests::

    {"spk1_snt1": {"wav": "{data_root}/spk1_snt1.wav", "spk_id": "spk1",
                   "phn": "dh ax cl ch ...",                  # 48-set phones, space separated
                   "ground_truth_phn_ends": "194 426 ...",    # end sample of each phone
                   "wrd": "THE CHILD ...", ...}, ...}

Phone i spans [end[i-1], end[i]) with end[-1] = 0. ``ASR_dev.json`` has no
phone ends: its samples carry phones but no segments. Other keys (emo,
frame_label, ...) belong to unrelated SpeechBrain tests and are ignored.
"""
from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np

from ml.files import read_json
from model.errors import InputError
from ml.speech.phones import Segment, to48
from ml.speech.sphere import TIMIT_RATE, read_audio

ALIGNED_JSON = "ASR_train.json"     # 8 utterances with phone ends (48-set)
UNALIGNED_JSON = "ASR_dev.json"     # 2 utterances, phones only


def default_samples_dir() -> Path:
    """``<repo>/../shared/data/speech-samples`` (the spec's location)."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "data" / "speech-samples"


@dataclass(frozen=True)
class SpeechSample:
    """One recording in the same form as a TIMIT utterance, labels in the 48 set."""

    id: str                           # e.g. "spk1_snt1"
    speaker: str                      # e.g. "spk1"
    wav: Path
    audio: np.ndarray                 # int16, 16 kHz
    phones: list[str]                 # 48-set labels in order
    segments: list[Segment] | None    # 48-set spans; None where the manifest has no ends
    text: str                         # word transcript, upper case


def _entry_error(path, key: str, what: str) -> InputError:
    return InputError(path, what, f"entry {key!r}")


def _phones48(path, key: str, phn: object) -> list[str]:
    """Space-separated phone string -> 48-set labels; unknown labels rejected."""
    if not isinstance(phn, str) or not phn.split():
        raise _entry_error(path, key, "'phn' must be a non-empty string of phones")
    out = []
    for i, label in enumerate(phn.split()):
        try:
            label48 = to48(label)
        except ValueError:
            label48 = None
        if label48 is None:  # unknown, or q (which has no 48 class)
            raise _entry_error(path, key, f"phone {i} {label!r} is not a 48-class (or TIMIT) phone")
        out.append(label48)
    return out


def _segments(path, key: str, phones: list[str], ends_text: object,
              n_samples: int) -> list[Segment]:
    """Phone ends -> contiguous segments from sample 0, checked against the audio."""
    try:
        ends = [int(x) for x in str(ends_text).split()]
    except ValueError:
        raise _entry_error(path, key, f"ground_truth_phn_ends {ends_text!r} are not integers") from None
    if len(ends) != len(phones):
        raise _entry_error(path, key, f"{len(ends)} phone ends for {len(phones)} phones")
    segments, start = [], 0
    for i, (end, label) in enumerate(zip(ends, phones)):
        if end <= start:
            raise _entry_error(path, key, f"phone {i} {label!r} ends at {end}, not after its start {start}")
        segments.append(Segment(start, end, label))
        start = end
    if start > n_samples:
        raise _entry_error(path, key, f"last phone ends at {start}, beyond the audio's {n_samples} samples")
    return segments


def _wav_path(path, key: str, entry: dict, root: Path) -> Path:
    wav = entry.get("wav")
    if not isinstance(wav, str):
        raise _entry_error(path, key, "no 'wav' path")
    return Path(wav.replace("{data_root}", str(root)))


def _load_entry(path, key: str, entry: object, root: Path) -> SpeechSample:
    if not isinstance(entry, dict):
        raise _entry_error(path, key, "entry is not an object")
    wav = _wav_path(path, key, entry, root)
    if not wav.is_file():
        raise _entry_error(path, key, f"audio file {wav} does not exist")
    audio, _ = read_audio(wav, expect_rate=TIMIT_RATE)
    phones = _phones48(path, key, entry.get("phn"))
    ends = entry.get("ground_truth_phn_ends")
    segments = None if ends is None else _segments(path, key, phones, ends, len(audio))
    return SpeechSample(key, str(entry.get("spk_id", key.split("_")[0])), wav, audio,
                        phones, segments, str(entry.get("wrd", "")))


def load_samples(root: str | PathLike | None = None,
                 manifest: str = ALIGNED_JSON) -> list[SpeechSample]:
    """Load every utterance of one JSON manifest in ``root`` (default: the shared folder).

    ``manifest``: "ASR_train.json" (aligned, the default), "ASR_dev.json"
    (no ends) or "ASR_train_39p.json" (labels already 39-folded; they are
    valid 48-class names, so fold48to39 leaves them unchanged).
    """
    root = Path(root) if root is not None else default_samples_dir()
    path = root / manifest
    data = read_json(path, "sample manifest")
    if not isinstance(data, dict):
        raise InputError(path, "top level is not an object of utterances")
    return [_load_entry(path, key, entry, root) for key, entry in sorted(data.items())]
