"""DVS Gesture ``_labels.csv`` reader and writer.

Format: a header line ``class,startTime_usec,endTime_usec``, then one gesture
per line: class 1..11, start and end timestamps in microseconds (the clock of
the matching .aedat file), start < end. A segment covers ``start <= t < end``.

Bad lines (field count, non-integer, class out of range, negative time,
start >= end) always raise ``InputError`` naming the file and line. Segments
out of order or overlapping the previous one raise too unless ``strict=False``,
which keeps them (in file order) and records a warning each; the published
dataset has a few such files.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from model.errors import InputError, at_line

LABELS_HEADER = "class,startTime_usec,endTime_usec"
N_CLASSES = 11
_INT = re.compile(r"[+-]?[0-9]+")  # stricter than int(): no "1_000", no spaces inside


@dataclass(frozen=True)
class LabelSegment:
    class_id: int        # 1..11 as in the file
    start_us: int
    end_us: int

    @property
    def class_index(self) -> int:
        """0-based class index (class_id - 1)."""
        return self.class_id - 1


@dataclass
class Labels:
    segments: list[LabelSegment]
    warnings: list[str] = field(default_factory=list)  # only with strict=False


def read_labels(path: str | PathLike, strict: bool = True) -> Labels:
    """Read a ``_labels.csv`` file; see the module docstring for the rules."""
    try:
        text = Path(path).read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    return parse_labels(text, path, strict)


def parse_labels(text: str, path: str | PathLike | None = None, strict: bool = True) -> Labels:
    """Parse the text of a ``_labels.csv`` file; ``path`` is for messages only."""
    lines = [line.rstrip("\r") for line in text.split("\n")]  # line numbers as editors count
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0].strip() != LABELS_HEADER:
        got = lines[0].strip()[:60] if lines else "empty file"
        raise InputError(path, f"header must be {LABELS_HEADER!r}, got {got!r}", at_line(1))
    labels = Labels([])
    prev = None
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        seg = _parse_segment(line, path, n)
        if prev is not None:
            _check_order(prev, seg, path, n, strict, labels.warnings)
        labels.segments.append(seg)
        prev = seg
    return labels


def _parse_segment(line: str, path, n: int) -> LabelSegment:
    fields = [f.strip() for f in line.split(",")]
    if len(fields) != 3:
        raise InputError(path, f"expected 3 comma-separated fields, got {len(fields)}", at_line(n))
    bad = [f for f in fields if not _INT.fullmatch(f)]
    if bad:
        raise InputError(path, f"non-integer field {bad[0]!r}", at_line(n))
    class_id, start, end = (int(f) for f in fields)
    if not 1 <= class_id <= N_CLASSES:
        raise InputError(path, f"class {class_id} not in 1..{N_CLASSES}", at_line(n))
    if start < 0:
        raise InputError(path, f"negative start time {start}", at_line(n))
    if start >= end:
        raise InputError(path, f"start {start} >= end {end}", at_line(n))
    return LabelSegment(class_id, start, end)


def _check_order(prev: LabelSegment, seg: LabelSegment, path, n: int,
                 strict: bool, warnings: list[str]) -> None:
    if seg.start_us < prev.start_us:
        what = f"segment starts at {seg.start_us}, before the previous one ({prev.start_us})"
    elif seg.start_us < prev.end_us:
        what = (f"segment starts at {seg.start_us}, overlapping the previous one"
                f" (ends {prev.end_us})")
    else:
        return
    err = InputError(path, what, at_line(n))
    if strict:
        raise err
    warnings.append(str(err))


def write_labels(path: str | PathLike, segments: list[LabelSegment]) -> None:
    """Write segments (checked like the reader's rules, order not enforced)."""
    rows = [LABELS_HEADER]
    for i, seg in enumerate(segments):
        if not 1 <= seg.class_id <= N_CLASSES or not 0 <= seg.start_us < seg.end_us:
            raise InputError(path, f"bad segment {seg}", f"segment {i}")
        rows.append(f"{seg.class_id},{seg.start_us},{seg.end_us}")
    Path(path).write_text("\n".join(rows) + "\n", encoding="ascii")
