"""Phone-sequence decoder: post-processing of the 48 class scores the accelerator outputs.

The accelerator emits, per 10 ms frame, 48 integer class scores and their argmax. Taking
that argmax frame by frame and collapsing repeats turns every one-frame flicker into an
extra phone (an insertion), which is why the raw frame-wise PER can exceed 1. This
decoder runs after the accelerator, on the host (docs/training_rsnn.md "Decoding"):

1. smooth: ``avg[t] = mean(scores[max(0, t-k+1) .. t])``, a trailing (causal) moving
   average over ``k`` frames of each class score (k = 1: no smoothing). It only needs
   the last k score vectors, so it can run while frames stream out;
2. ``argmax`` per frame (the first maximum on ties, as ``numpy.argmax``);
3. fold the 48 classes to the 39 scoring phones (``ml.speech.phones.fold48to39``);
4. collapse runs of the same phone into segments (phone, length in frames);
5. drop segments shorter than ``m`` frames (m = 1: keep all), then merge neighbours that
   became equal. If every segment is shorter than ``m`` the longest one is kept (first on
   ties), so a non-empty utterance never decodes to nothing.

The result is the 39-phone sequence that ``ml.speech.phones.per_counts`` scores.
``k`` and ``m`` are chosen on a validation slice of the TRAINING split
(``choose_decoder``), never on the test set, and stored in the weights manifest.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from ml.speech.phones import CLASSES48, fold48to39, per_counts

N_SCORES = len(CLASSES48)


@dataclass(frozen=True)
class DecoderConfig:
    """k: moving-average length in frames (>= 1); m: shortest kept segment (>= 1)."""
    k: int = 1
    m: int = 1

    def validate(self) -> "DecoderConfig":
        for name in ("k", "m"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"decoder {name} = {v!r}: expected an integer >= 1")
        return self

    def as_dict(self) -> dict:
        return {"k": int(self.k), "m": int(self.m)}


RAW = DecoderConfig(1, 1)          # frame-wise argmax, repeats collapsed


def _check_scores(scores) -> np.ndarray:
    s = np.asarray(scores)
    if s.ndim != 2 or s.shape[1] != N_SCORES:
        raise ValueError(f"scores shape {s.shape}: expected (frames, {N_SCORES})")
    if not (np.issubdtype(s.dtype, np.integer) or np.issubdtype(s.dtype, np.floating)):
        raise ValueError(f"scores dtype {s.dtype}: expected integers or floats")
    return s


def smooth_scores(scores, k: int) -> np.ndarray:
    """Trailing moving average over ``k`` frames, (frames, 48) float64.

    Frame t averages frames max(0, t-k+1)..t (fewer at the start of the utterance)."""
    DecoderConfig(k, 1).validate()
    s = _check_scores(scores).astype(np.float64)
    if k == 1 or len(s) == 0:
        return s
    c = np.cumsum(np.vstack([np.zeros((1, s.shape[1])), s]), axis=0)
    t = np.arange(len(s))
    lo = np.maximum(0, t - k + 1)
    return (c[t + 1] - c[lo]) / (t + 1 - lo)[:, None]


def segments39(classes: Iterable[int]) -> list[tuple[str, int]]:
    """48-class ids per frame -> [(39-phone, run length in frames)]."""
    out: list[list] = []
    for c in classes:
        c = int(c)
        if not 0 <= c < N_SCORES:
            raise ValueError(f"class id {c} outside 0..{N_SCORES - 1}")
        p = fold48to39(CLASSES48[c])
        if out and out[-1][0] == p:
            out[-1][1] += 1
        else:
            out.append([p, 1])
    return [(p, n) for p, n in out]


def drop_short(segs: Sequence[tuple[str, int]], m: int) -> list[str]:
    """Phones of the segments at least ``m`` frames long, equal neighbours merged; the
    longest segment when none is that long (empty input gives [])."""
    DecoderConfig(1, m).validate()
    kept = [p for p, n in segs if n >= m]
    if not kept and segs:
        kept = [max(segs, key=lambda s: s[1])[0]]       # max() keeps the first on ties
    out: list[str] = []
    for p in kept:
        if not out or out[-1] != p:
            out.append(p)
    return out


def decode(scores, cfg: DecoderConfig = RAW) -> list[str]:
    """(frames, 48) class scores -> 39-phone sequence (module docstring, steps 1-5)."""
    cfg.validate()
    avg = smooth_scores(scores, cfg.k)
    if len(avg) == 0:
        return []
    return drop_short(segments39(avg.argmax(axis=1)), cfg.m)


def corpus_per(score_list: Sequence, refs: Sequence, cfg: DecoderConfig = RAW) -> dict:
    """PER of the decoded sequences over a set of utterances (errors summed, divided by
    the summed reference lengths); utterances with an empty reference are skipped."""
    err = n = 0
    for scores, ref in zip(score_list, refs, strict=True):
        if not ref:
            continue
        e, r = per_counts(ref, decode(scores, cfg))
        err += e
        n += r
    return {"per": err / max(n, 1), "errors": err, "ref_phones": n}


DEFAULT_GRID = {"k": (1, 2, 3, 4, 5, 6, 8, 10), "m": (1, 2, 3, 4, 5, 6)}


def choose_decoder(score_list: Sequence, refs: Sequence, grid: dict | None = None) -> dict:
    """Grid search of (k, m) for the lowest corpus PER on the given utterances (use a
    validation slice of the training split). Ties go to the smaller k, then smaller m.
    Returns {"k", "m", "per", "table": [[k, m, per], ...]}."""
    grid = grid or DEFAULT_GRID
    table = []
    best = None
    for k in grid["k"]:
        smoothed = [smooth_scores(s, k) for s in score_list]
        for m in grid["m"]:
            err = n = 0
            for avg, ref in zip(smoothed, refs, strict=True):
                if not ref:
                    continue
                hyp = drop_short(segments39(avg.argmax(axis=1)), m) if len(avg) else []
                e, r = per_counts(ref, hyp)
                err += e
                n += r
            p = err / max(n, 1)
            table.append([int(k), int(m), p])
            if best is None or p < best[2]:
                best = (int(k), int(m), p)
    return {"k": best[0], "m": best[1], "per": best[2], "table": table}
