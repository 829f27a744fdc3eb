"""TIMIT phone sets, their foldings, frame labels and phone error rate.

The foldings are Kaldi's ``egs/timit/s5/conf/phones.60-48-39.map`` reproduced
exactly: 61 TIMIT phones -> 48 training classes (Lee and Hon 1989; closures
become ``cl``/``vcl``, ``h#``/``pau`` become ``sil``, ``q`` is dropped) ->
39 scoring classes (``cl``, ``vcl``, ``epi`` -> ``sil`` and six vowel/
syllabic merges).
"""
from __future__ import annotations

from typing import Iterable, NamedTuple, Sequence

import numpy as np

# One row per TIMIT phone: "phone61 phone48 phone39" (q: dropped, no 48/39).
# This is the only place the foldings are written down.
_KALDI_60_48_39 = """
aa aa aa
ae ae ae
ah ah ah
ao ao aa
aw aw aw
ax ax ah
ax-h ax ah
axr er er
ay ay ay
b b b
bcl vcl sil
ch ch ch
d d d
dcl vcl sil
dh dh dh
dx dx dx
eh eh eh
el el l
em m m
en en n
eng ng ng
epi epi sil
er er er
ey ey ey
f f f
g g g
gcl vcl sil
h# sil sil
hh hh hh
hv hh hh
ih ih ih
ix ix ih
iy iy iy
jh jh jh
k k k
kcl cl sil
l l l
m m m
n n n
ng ng ng
nx n n
ow ow ow
oy oy oy
p p p
pau sil sil
pcl cl sil
q
r r r
s s s
sh sh sh
t t t
tcl cl sil
th th th
uh uh uh
uw uw uw
ux uw uw
v v v
w w w
y y y
z z z
zh zh sh
"""


def _parse_map(text: str) -> tuple[dict[str, str | None], dict[str, str]]:
    to48: dict[str, str | None] = {}
    to39: dict[str, str] = {}
    for line in text.strip().splitlines():
        cols = line.split()
        to48[cols[0]] = cols[1] if len(cols) > 1 else None
        if len(cols) > 1:
            to39[cols[1]] = cols[2]
    return to48, to39


_61_TO_48, _48_TO_39 = _parse_map(_KALDI_60_48_39)

PHONES61: tuple[str, ...] = tuple(sorted(_61_TO_48))
# Class 0 must be sil: the accelerator's readout treats class 0 as silence.
CLASSES48: list[str] = ["sil"] + sorted(set(_48_TO_39) - {"sil"})
PHONES39: tuple[str, ...] = tuple(["sil"] + sorted(set(_48_TO_39.values()) - {"sil"}))
SIL = 0

_CLASS_ID = {name: i for i, name in enumerate(CLASSES48)}


class Segment(NamedTuple):
    """A labelled span of samples, ``start <= t < end`` (TIMIT convention)."""

    start: int
    end: int
    label: str


def fold61to48(label: str) -> str | None:
    """TIMIT phone -> 48-class label; ``q`` gives None (dropped)."""
    try:
        return _61_TO_48[label]
    except KeyError:
        raise ValueError(f"{label!r} is not one of the 61 TIMIT phones") from None


def fold48to39(label: str) -> str:
    """48-class label -> 39-class scoring label."""
    try:
        return _48_TO_39[label]
    except KeyError:
        raise ValueError(f"{label!r} is not one of the 48 phone classes") from None


def to48(label: str) -> str | None:
    """A 48-class label or a 61-set phone -> 48-class label (None for ``q``).

    Well defined because every TIMIT phone whose name is also a 48-class name
    folds to itself.
    """
    if label in _CLASS_ID:
        return label
    return fold61to48(label)


def class_index(label48: str) -> int:
    """Class id (readout index) of a 48-class label."""
    try:
        return _CLASS_ID[label48]
    except KeyError:
        raise ValueError(f"{label48!r} is not one of the 48 phone classes") from None


def to39_sequence(seq: Iterable[str | int]) -> list[str]:
    """Labels (61/48/39 names) or class ids -> 39-set, q dropped, repeats collapsed."""
    out: list[str] = []
    for item in seq:
        label48 = CLASSES48[item] if isinstance(item, (int, np.integer)) else to48(item)
        if label48 is None:
            continue
        label39 = fold48to39(label48)
        if not out or out[-1] != label39:
            out.append(label39)
    return out


def edit_distance(ref: Sequence, hyp: Sequence) -> int:
    """Levenshtein distance (unit substitution/insertion/deletion costs)."""
    hyp_arr = np.asarray(hyp, dtype=object)
    row = np.arange(len(hyp) + 1)
    offsets = np.arange(len(hyp) + 1)
    for i, r in enumerate(ref, start=1):
        cost = (hyp_arr != r).astype(np.int64) if len(hyp) else np.zeros(0, np.int64)
        # Deletion and substitution come from the previous row...
        best = np.empty_like(row)
        best[0] = i
        best[1:] = np.minimum(row[1:] + 1, row[:-1] + cost)
        # ...then insertions chain along the row: cur[j] = min_k(best[k] + j - k).
        row = np.minimum.accumulate(best - offsets) + offsets
    return int(row[-1])


def per_counts(ref_seq: Iterable[str | int], hyp_seq: Iterable[str | int]) -> tuple[int, int]:
    """(edit errors, reference length) after 39-folding and collapsing repeats.

    Sum these over a test set for the corpus PER (errors / reference phones).
    """
    ref = to39_sequence(ref_seq)
    hyp = to39_sequence(hyp_seq)
    return edit_distance(ref, hyp), len(ref)


def per(ref_seq: Iterable[str | int], hyp_seq: Iterable[str | int]) -> float:
    """Phone error rate of one hypothesis against one reference.

    Items are phone names (61-, 48- or 39-set) or 48-class ids; both sides are
    folded to the 39 set, ``q`` dropped and consecutive duplicates collapsed
    (frame-wise outputs thus score as phone strings).
    """
    errors, n_ref = per_counts(ref_seq, hyp_seq)
    if n_ref == 0:
        raise ValueError("PER is undefined for an empty reference")
    return errors / n_ref


def _resolve_q(segments: Sequence[Segment]) -> list[tuple[int, int, int]]:
    """(start, end, class id) per segment; q takes its neighbour's class.

    q (glottal stop) has no class; like a forced alignment on a q-free
    transcript, its frames go to the preceding phone (the next one if q is first).
    """
    labels = [to48(s.label) for s in segments]
    ids: list[int | None] = [None if lab is None else _CLASS_ID[lab] for lab in labels]
    for i in range(len(ids)):
        if ids[i] is None and i > 0:
            ids[i] = ids[i - 1]
    for i in range(len(ids) - 1, -1, -1):
        if ids[i] is None:
            ids[i] = ids[i + 1] if i + 1 < len(ids) else SIL
    return [(s.start, s.end, c) for s, c in zip(segments, ids)]


def frame_labels(phn_segments: Sequence[Segment | tuple[int, int, str]], n_frames: int,
                 hop: int = 160, win: int = 400) -> np.ndarray:
    """48-class id per frame: the label at the frame's centre sample.

    Frame k spans samples [k*hop, k*hop + win); its centre is k*hop + win//2.
    Segment labels may be 61-set (.PHN) or 48-set names. Centres not covered by
    any segment (before the first, after the last, in gaps) get class 0, sil.
    """
    segs = _resolve_q([Segment(*s) for s in phn_segments])
    out = np.full(n_frames, SIL, dtype=np.int64)
    if not segs or n_frames == 0:
        return out
    starts = np.array([s[0] for s in segs])
    ends = np.array([s[1] for s in segs])
    ids = np.array([s[2] for s in segs])
    centres = np.arange(n_frames) * hop + win // 2
    idx = np.searchsorted(starts, centres, side="right") - 1
    safe = np.clip(idx, 0, None)
    covered = (idx >= 0) & (centres < ends[safe])
    out[covered] = ids[safe[covered]]
    return out
