"""Engine phones -> TIMIT phones: one table per synthesizer and the timing rules beside
them (ml/speech/synth.py describes the corpus they serve).

Each engine's phone names go to TIMIT's 61 phones through ONE table per engine
(:data:`FESTIVAL_TO_TIMIT`, :data:`ESPEAK_TO_TIMIT`); a phone missing from its table
raises :class:`UnknownPhoneError` naming the engine and the phone. An entry is one TIMIT
phone or several, in order, sharing the engine phone's span: a stop or affricate becomes
closure + release (``p`` -> ``pcl p``), the boundary placed at the burst (the largest
2 ms energy rise inside the span, each part at least 5 ms; 60/40 when the span is too
short to search); any other multi-phone entry (espeak's r-coloured vowels, ``A@`` ->
``aa r``) is cut into equal parts. Two timing rules sit beside the tables: festival's
"er r" is one ``er`` (:func:`merge_er_r`), and espeak's coda l (timed inside its vowel by
the engine) takes the last 35% of that vowel (:func:`espeak_coda_l`).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import numpy as np

from ml.speech.phones import PHONES61, Segment
from ml.speech.sphere import TIMIT_RATE

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


class UnknownPhoneError(ValueError):
    """An engine produced a phone that its mapping table does not have."""

    def __init__(self, engine: str, phone: str, context: str = ""):
        self.engine, self.phone = engine, phone
        where = f" ({context})" if context else ""
        super().__init__(f"{engine}: phone {phone!r} has no TIMIT mapping{where}; "
                         f"add it to ml/speech/phonemap.py's {engine.upper()}_TO_TIMIT")


class SynthesisError(RuntimeError):
    """A synthesizer failed or is not installed."""


def merge_er_r(phones: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """festival's radio set: "er r" is one r-coloured vowel."""
    out: list[tuple[str, float, float]] = []
    for name, start, end in phones:
        if name == "r" and out and out[-1][0] == "er":
            out[-1] = ("er", out[-1][1], end)
        else:
            out.append((name, start, end))
    return out


def espeak_coda_l(phones: list[tuple[str, float, float]],
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


def resample_ratio(rate: int, speed: float) -> Fraction:
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
