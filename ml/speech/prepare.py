"""TIMIT (or a synthetic TIMIT-format corpus) -> quantized features and frame labels.

``prepare(timit_root, out_dir)`` writes

* ``out_dir/train.npz`` and ``out_dir/test.npz``: per utterance the u8
  log-mel features (frames x 40, :mod:`ml.speech.features`), the 48-class
  label of every frame (:func:`ml.speech.phones.frame_labels`: the phone at
  the frame's centre sample 160 k + 200), the utterance name (``MDAB0_SI1036``)
  and the reference phone sequence in the 39 set (61 -> 48 -> 39 folding,
  ``q`` dropped, repeats collapsed: what :func:`ml.speech.phones.per`
  scores against);
* ``out_dir/quantizer.json``: the quantizer fitted on the training split
  (:meth:`Quantizer.to_dict`, the form the weights manifest embeds).

``prepare_samples(samples_dir, quantizer, out)`` does the same for the real
recordings of ``../shared/data/speech-samples`` with an already fitted
quantizer: they are a held-out check, never training data.

File format (``numpy.savez_compressed``, no pickled objects), ragged arrays
stored concatenated with offsets; utterance i owns rows
``offsets[i]:offsets[i+1]``:

==============  =============  =================================================
key             dtype, shape   meaning
==============  =============  =================================================
format          int64 ()       FORMAT_VERSION
features        uint8 (T, 40)  quantized log-mel frames of all utterances
labels          uint8 (T,)     48-class id per frame (0 = sil); 255 = no label
offsets         int64 (U+1,)   frame offsets
names           str (U,)       utterance names
ref39           uint8 (R,)     reference phones, indices into ``phones39``
ref_offsets     int64 (U+1,)   reference offsets
phones39        str (39,)      the 39-set names (``PHONES39``)
classes48       str (48,)      the 48 class names (``CLASSES48``)
==============  =============  =================================================
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from ml.files import read_json
from model.errors import InputError
from ml.speech import features as feat
from ml.speech.features import Quantizer, logmel
from ml.speech.phones import CLASSES48, PHONES39, Segment, frame_labels, to39_sequence
from ml.speech.samples import ALIGNED_JSON, load_samples
from ml.speech.timit import list_utterances, load_utterance

FORMAT_VERSION = 1
NO_LABEL = 255
_PHONE39_ID = {p: i for i, p in enumerate(PHONES39)}
assert feat.HOP == 160 and feat.WIN == 400  # frame_labels' defaults


def reference39(labels: Sequence[str]) -> list[str]:
    """61-, 48- or 39-set phone names -> 39-set sequence, q dropped, repeats collapsed."""
    return to39_sequence(labels)


@dataclass
class _Item:
    name: str
    features: np.ndarray        # float32 (frames, 40)
    labels: np.ndarray          # uint8 (frames,)
    ref39: list[str]


def _item(name: str, audio: np.ndarray, segments: Sequence[Segment] | None,
          phones: Sequence[str]) -> _Item:
    f = logmel(audio)
    if segments is None:
        labels = np.full(len(f), NO_LABEL, dtype=np.uint8)
    else:
        labels = frame_labels(segments, len(f)).astype(np.uint8)
    return _Item(name, f, labels, reference39(phones))


def _timit_utterances(root, split: str, core_test: bool, include_sa: bool) -> list:
    utts = list_utterances(root, split, core_test=core_test, include_sa=include_sa)
    if not utts:
        what = "core test" if core_test else split
        raise InputError(root, f"no {what} utterances found")
    return utts


def _timit_items(utts, tick: Callable[[], None]) -> list[_Item]:
    items = []
    for u in utts:
        data = load_utterance(u)
        items.append(_item(u.name, data.audio, data.phones, [s.label for s in data.phones]))
        tick()
    return items


def _save(path: Path, items: Sequence[_Item], quantizer: Quantizer) -> dict:
    frames = [len(it.features) for it in items]
    offsets = np.concatenate([[0], np.cumsum(frames)]).astype(np.int64)
    feats = (np.concatenate([quantizer.quantize(it.features) for it in items])
             if items else np.zeros((0, quantizer.n_features), np.uint8))
    labels = np.concatenate([it.labels for it in items]).astype(np.uint8)
    refs = [np.array([_PHONE39_ID[p] for p in it.ref39], dtype=np.uint8) for it in items]
    ref_offsets = np.concatenate([[0], np.cumsum([len(r) for r in refs])]).astype(np.int64)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path, format=np.int64(FORMAT_VERSION), features=feats, labels=labels, offsets=offsets,
        names=np.array([it.name for it in items], dtype=str),
        ref39=np.concatenate(refs) if refs else np.zeros(0, np.uint8), ref_offsets=ref_offsets,
        phones39=np.array(PHONES39, dtype=str), classes48=np.array(CLASSES48, dtype=str))
    return {"path": str(path), "utterances": len(items), "frames": int(offsets[-1]),
            "reference_phones": int(ref_offsets[-1])}


def prepare(timit_root: str | PathLike, out_dir: str | PathLike, *, core_test: bool = False,
            include_sa: bool = False, low_percentile: float = 0.5,
            high_percentile: float = 99.5,
            progress: Callable[[int, int], None] | None = None) -> dict:
    """Features, labels and references of TRAIN and TEST; quantizer fitted on TRAIN.

    ``core_test``: the test split is the 24-speaker core test set (real TIMIT)
    instead of the whole TEST folder. ``include_sa``: keep the SA sentences
    (left out by default, as is standard). ``progress(done, total)`` is called after
    each utterance read. Returns a summary of what was written.
    """
    out = Path(out_dir)
    train_utts = _timit_utterances(timit_root, "train", False, include_sa)
    test_utts = _timit_utterances(timit_root, "test", core_test, include_sa)
    total, done = len(train_utts) + len(test_utts), [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], total)
    train = _timit_items(train_utts, tick)
    test = _timit_items(test_utts, tick)
    quantizer = Quantizer.fit([it.features for it in train], low_percentile, high_percentile)
    out.mkdir(parents=True, exist_ok=True)
    qpath = out / "quantizer.json"
    qpath.write_text(json.dumps(quantizer.to_dict(), indent=1) + "\n")
    return {"train": _save(out / "train.npz", train, quantizer),
            "test": _save(out / "test.npz", test, quantizer),
            "quantizer": str(qpath), "core_test": core_test}


def load_quantizer(path: str | PathLike) -> Quantizer:
    """Read a quantizer.json written by prepare()."""
    path = Path(path)
    return Quantizer.from_dict(read_json(path, "quantizer"), source=path)


def prepare_samples(samples_dir: str | PathLike | None, quantizer: Quantizer | str | PathLike,
                    out: str | PathLike, manifest: str = ALIGNED_JSON) -> dict:
    """The real recordings, quantized with the training quantizer, in the same format.

    ``samples_dir`` None means the shared folder. Samples without phone ends
    (``ASR_dev.json``) get label 255 (NO_LABEL) on every frame.
    """
    if not isinstance(quantizer, Quantizer):
        quantizer = load_quantizer(quantizer)
    samples = load_samples(samples_dir, manifest)
    items = [_item(s.id, s.audio, s.segments, s.phones) for s in samples]
    return _save(Path(out), items, quantizer)


# --------------------------------------------------------------------------- loading

@dataclass
class PreparedSet:
    """A loaded train/test/samples file; utterance i is ``self[i]``."""

    path: Path
    features: np.ndarray        # uint8 (T, 40)
    labels: np.ndarray          # uint8 (T,)
    offsets: np.ndarray         # int64 (U+1,)
    names: list[str]
    ref39: list[list[str]]

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(features (frames, 40) uint8, labels (frames,) uint8) of utterance i."""
        a, b = self.offsets[i], self.offsets[i + 1]
        return self.features[a:b], self.labels[a:b]

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        return (self[i] for i in range(len(self)))


_FIELDS = {  # key -> (dtype kind, ndim)
    "format": ("i", 0), "features": ("u", 2), "labels": ("u", 1), "offsets": ("i", 1),
    "names": ("U", 1), "ref39": ("u", 1), "ref_offsets": ("i", 1), "phones39": ("U", 1),
    "classes48": ("U", 1),
}


def _check_offsets(path, key: str, offs: np.ndarray, n_utts: int, total: int) -> None:
    if len(offs) != n_utts + 1:
        raise InputError(path, f"has {len(offs)} entries for {n_utts} utterances (want U+1)",
                         f"field {key}")
    if offs[0] != 0 or offs[-1] != total or np.any(np.diff(offs) < 0):
        raise InputError(path, f"must rise from 0 to {total}", f"field {key}")


def load_prepared(path: str | PathLike) -> PreparedSet:
    """Load and check a file written by prepare() or prepare_samples()."""
    path = Path(path)
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise InputError(path, f"not a readable .npz file: {e}") from None
    with npz:
        data = {}
        for key, (kind, ndim) in _FIELDS.items():
            if key not in npz.files:
                raise InputError(path, "missing", f"field {key}")
            arr = npz[key]
            if arr.dtype.kind != kind or arr.ndim != ndim:
                raise InputError(path, f"is {arr.dtype} with shape {arr.shape}; want kind "
                                       f"{kind!r} with {ndim} dimension(s)", f"field {key}")
            data[key] = arr
    if int(data["format"]) != FORMAT_VERSION:
        raise InputError(path, f"is {int(data['format'])}, this code reads {FORMAT_VERSION}",
                         "field format")
    if list(data["phones39"]) != list(PHONES39):
        raise InputError(path, "differs from ml.speech.phones.PHONES39", "field phones39")
    if list(data["classes48"]) != list(CLASSES48):
        raise InputError(path, "differs from ml.speech.phones.CLASSES48", "field classes48")
    f, labels, names = data["features"], data["labels"], data["names"]
    if f.dtype != np.uint8 or f.shape[1] != feat.N_MELS:
        raise InputError(path, f"must be uint8 (frames, {feat.N_MELS}), got {f.dtype} {f.shape}",
                         "field features")
    if labels.shape != (len(f),):
        raise InputError(path, f"has {len(labels)} labels for {len(f)} frames", "field labels")
    bad = (labels >= len(CLASSES48)) & (labels != NO_LABEL)
    if bad.any():
        raise InputError(path, f"value {int(labels[bad][0])} at frame {int(np.argmax(bad))} is "
                               "not a class id", "field labels")
    _check_offsets(path, "offsets", data["offsets"], len(names), len(f))
    _check_offsets(path, "ref_offsets", data["ref_offsets"], len(names), len(data["ref39"]))
    if np.any(data["ref39"] >= len(PHONES39)):
        raise InputError(path, "holds an index beyond the 39 phones", "field ref39")
    ro = data["ref_offsets"]
    refs = [[PHONES39[j] for j in data["ref39"][ro[i]:ro[i + 1]]] for i in range(len(names))]
    return PreparedSet(path, f, labels, data["offsets"], [str(n) for n in names], refs)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ml.speech.prepare [TIMIT OUT] ...``: ``spikedv speech prepare``
    (ml/speech/cli.py)."""
    from ml.cli_util import module_main
    from ml.speech.cli import add_prepare_arguments, run_prepare
    return module_main("python -m ml.speech.prepare",
                       "Features, labels and quantizer from a TIMIT-format corpus.",
                       add_prepare_arguments, run_prepare, argv,
                       positional=("--timit", "--out"))


if __name__ == "__main__":
    raise SystemExit(main())
