"""TIMIT corpus reader: .PHN/.WRD/.TXT label files and the folder layout.

Layout: ``<root>/{TRAIN,TEST}/DR1..DR8/<SPEAKER>/<UTT>.{WAV,PHN,WRD,TXT}``,
upper- or lower-case (``timit/train/dr1/fcjf0/sa1.wav``). Label files hold
``start end label`` per line, in samples, end exclusive.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import NamedTuple

import numpy as np

from model.errors import InputError, at_line
from ml.speech.phones import PHONES61, Segment
from ml.speech.sphere import TIMIT_RATE, read_audio

# The 24-speaker core test set (Lee and Hon; Kaldi conf/test_spk.list).
CORE_TEST_SPEAKERS: frozenset[str] = frozenset("""
MDAB0 MWBT0 FELC0 MTAS1 MWEW0 FPAS0 MJMP0 MLNT0 FPKT0 MLLL0 MTLS0 FJLM0
MBPM0 MKLT0 FNLP0 MCMJ0 MJDH0 FMGD0 MGRT0 MNJM0 FDHC0 MJLN0 MPAM0 FMLD0
""".split())

SPLITS = ("train", "test")
_DIALECT = re.compile(r"^dr[1-8]$", re.IGNORECASE)
_PHONE_SET = frozenset(PHONES61)


class Sentence(NamedTuple):
    """A .TXT line: the prompt and the sample span it covers."""

    start: int
    end: int
    text: str


# ---------------------------------------------------------------- label files

def _text_lines(path) -> list[tuple[int, str]]:
    """(1-based line number, stripped text) of each non-blank line."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(path, "not ASCII text", at_line(line)) from None
    return [(n, s.strip()) for n, s in enumerate(text.splitlines(), start=1) if s.strip()]


def _parse_span(path, lineno: int, line: str, label_may_have_spaces: bool) -> Segment:
    """Parse ``start end label``; TXT labels are sentences and may contain spaces."""
    parts = line.split(None, 2) if label_may_have_spaces else line.split()
    if len(parts) != 3:
        raise InputError(path, f"expected 'start end label', got {line!r}", at_line(lineno))
    start, end, label = parts
    if not (start.isdigit() and end.isdigit()):
        raise InputError(path, f"start and end must be sample numbers, got {line!r}", at_line(lineno))
    start, end = int(start), int(end)
    if end <= start:
        raise InputError(path, f"end {end} is not after start {start}", at_line(lineno))
    return Segment(start, end, label)


def _read_spans(path, n_samples: int | None, contiguous: bool, allow_overlap: bool,
                labels: frozenset[str] | None = None) -> list[Segment]:
    """Read and check a .PHN/.WRD file's spans: ordered, within the audio."""
    segments: list[Segment] = []
    for lineno, line in _text_lines(path):
        seg = _parse_span(path, lineno, line, label_may_have_spaces=False)
        if labels is not None and seg.label not in labels:
            raise InputError(path, f"{seg.label!r} is not one of the 61 TIMIT phones", at_line(lineno))
        if segments:
            prev = segments[-1]
            if seg.start < prev.start:
                raise InputError(path, f"start {seg.start} is before the previous line's start "
                                       f"{prev.start} (lines out of order)", at_line(lineno))
            if contiguous and seg.start != prev.end:
                kind = "overlaps" if seg.start < prev.end else "leaves a gap after"
                raise InputError(path, f"start {seg.start} {kind} the previous line's end "
                                       f"{prev.end}; segments must be contiguous", at_line(lineno))
            if not allow_overlap and seg.start < prev.end:
                raise InputError(path, f"start {seg.start} overlaps the previous line's end "
                                       f"{prev.end}", at_line(lineno))
        if n_samples is not None and seg.end > n_samples:
            raise InputError(path, f"end {seg.end} is beyond the audio's {n_samples} samples",
                             at_line(lineno))
        segments.append(seg)
    return segments


def read_phn(path: str | PathLike, n_samples: int | None = None) -> list[Segment]:
    """Read a .PHN file: contiguous phone segments, labels in the 61-phone set."""
    return _read_spans(path, n_samples, contiguous=True, allow_overlap=False, labels=_PHONE_SET)


def read_wrd(path: str | PathLike, n_samples: int | None = None) -> list[Segment]:
    """Read a .WRD file: word segments in order.

    Words may leave gaps (pauses) and may overlap: real TIMIT does this where
    two words share a coarticulated phone (TRAIN/DR1/FCJF0/SA1.WRD: "had"
    5723-10337, "your" 9190-11517), so only the order of starts is enforced.
    """
    return _read_spans(path, n_samples, contiguous=False, allow_overlap=True)


def read_txt(path: str | PathLike) -> Sentence:
    """Read a .TXT file: one ``start end sentence`` line."""
    lines = _text_lines(path)
    if len(lines) != 1:
        where = at_line(lines[1][0]) if len(lines) > 1 else None
        raise InputError(path, f"expected one 'start end sentence' line, found {len(lines)}", where)
    lineno, line = lines[0]
    seg = _parse_span(path, lineno, line, label_may_have_spaces=True)
    return Sentence(seg.start, seg.end, seg.label)


# ---------------------------------------------------------------- layout

@dataclass(frozen=True)
class Utterance:
    """One TIMIT utterance and its files (wrd/txt may be None, e.g. in a generated corpus)."""

    split: str      # "train" or "test"
    dialect: str    # "DR1".."DR8"
    speaker: str    # e.g. "MDAB0" (first letter: sex)
    id: str         # e.g. "SI1036"
    wav: Path
    phn: Path | None
    wrd: Path | None
    txt: Path | None

    @property
    def name(self) -> str:
        """Corpus-unique name, Kaldi style: ``MDAB0_SI1036``."""
        return f"{self.speaker}_{self.id}"


class UtteranceData(NamedTuple):
    audio: np.ndarray               # int16 samples at 16 kHz
    phones: list[Segment]           # 61-set labels
    words: list[Segment] | None
    text: Sentence | None


def _child(folder: Path, name: str) -> Path | None:
    """The entry of ``folder`` named ``name`` in any letter case."""
    for entry in folder.iterdir():
        if entry.name.lower() == name.lower():
            return entry
    return None


def find_split_dir(root: str | PathLike, split: str) -> Path:
    """``<root>/TRAIN`` or ``<root>/train`` (also under a ``TIMIT`` subfolder)."""
    if split.lower() not in SPLITS:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    root = Path(root)
    if not root.is_dir():
        raise InputError(root, "TIMIT root is not a folder")
    for base in (root, _child(root, "timit")):
        if base is not None and base.is_dir():
            found = _child(base, split)
            if found is not None and found.is_dir():
                return found
    raise InputError(root, f"no {split.upper()} (or {split.lower()}) folder: "
                           "give the TIMIT folder holding TRAIN/ and TEST/")


def _speaker_utterances(split: str, dialect: Path, speaker: Path) -> list[Utterance]:
    by_ext: dict[str, dict[str, Path]] = {}
    for f in speaker.iterdir():
        stem, dot, ext = f.name.partition(".")
        if dot and "." not in ext:  # skip e.g. SA1.WAV.wav conversions' extra files
            by_ext.setdefault(stem.upper(), {})[ext.lower()] = f
    return [
        Utterance(split, dialect.name.upper(), speaker.name.upper(), utt,
                  files["wav"], files.get("phn"), files.get("wrd"), files.get("txt"))
        for utt, files in sorted(by_ext.items()) if "wav" in files
    ]


def list_utterances(root: str | PathLike, split: str, core_test: bool = False,
                    include_sa: bool = False) -> list[Utterance]:
    """Utterances of one split, sorted by dialect, speaker, id.

    SA sentences (the two dialect shibboleths every speaker reads) are left
    out by default, as is standard. ``core_test`` keeps only the 24 core test
    speakers (split must be "test").
    """
    split = split.lower()
    if core_test and split != "test":
        raise ValueError("core_test applies to the test split only")
    split_dir = find_split_dir(root, split)
    utterances: list[Utterance] = []
    for dialect in sorted(split_dir.iterdir(), key=lambda p: p.name.upper()):
        if not (dialect.is_dir() and _DIALECT.match(dialect.name)):
            continue
        for speaker in sorted(dialect.iterdir(), key=lambda p: p.name.upper()):
            if not speaker.is_dir():
                continue
            if core_test and speaker.name.upper() not in CORE_TEST_SPEAKERS:
                continue
            utterances += _speaker_utterances(split, dialect, speaker)
    if not include_sa:
        utterances = [u for u in utterances if not u.id.startswith("SA")]
    return utterances


def load_utterance(u: Utterance) -> UtteranceData:
    """Audio (16 kHz int16) and labels of one utterance, all checked."""
    audio, _ = read_audio(u.wav, expect_rate=TIMIT_RATE)
    if u.phn is None:
        raise InputError(u.wav, "no .PHN file next to this audio file")
    phones = read_phn(u.phn, n_samples=len(audio))
    words = read_wrd(u.wrd, n_samples=len(audio)) if u.wrd is not None else None
    text = read_txt(u.txt) if u.txt is not None else None
    return UtteranceData(audio, phones, words, text)
