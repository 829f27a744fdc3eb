"""Command line of the speech data: ``spikedv speech synth`` and ``spikedv speech prepare``.

    spikedv speech synth --out build/timit_synth --n 30           # synthetic TIMIT corpus
    spikedv speech prepare --timit build/timit_synth --out build/speech

``python -m ml.speech.synth`` and ``python -m ml.speech.prepare`` run the same functions
(and still take their old positional arguments: ``OUT``, ``TIMIT OUT``).
"""
from __future__ import annotations

import argparse
import json
import os

from ml.paths import SPEECH_DATA
from ml.speech.synth import DEFAULT_UTTERANCES, ENGINES, UTTERANCES_PER_SPEAKER
from spikedv.cli_args import add_jobs, add_out, add_seed, path_arg, quiet

def add_synth_arguments(p: argparse.ArgumentParser) -> None:
    add_out(p, "corpus folder to write (TIMIT layout: TRAIN/, TEST/, DOC/SYNTH.json)")
    p.add_argument("--n", type=int, default=DEFAULT_UTTERANCES, metavar="N",
                   help=f"utterances (default {DEFAULT_UTTERANCES})")
    add_seed(p, default=0, help="corpus seed: speakers, settings, sentences, noise (default 0)")
    p.add_argument("--engines", default=",".join(ENGINES),
                   help=f"comma-separated synthesizers (default {','.join(ENGINES)})")
    p.add_argument("--test-fraction", type=float, default=0.2, metavar="F",
                   help="fraction of speakers (and prompts) in TEST (default 0.2)")
    p.add_argument("--per-speaker", type=int, default=UTTERANCES_PER_SPEAKER, metavar="N",
                   help=f"utterances per speaker (default {UTTERANCES_PER_SPEAKER})")
    add_jobs(p)
    p.add_argument("--overwrite", action="store_true", help="replace an existing corpus")


def add_prepare_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timit", type=path_arg, required=True, metavar="DIR",
                   help="TIMIT copy or synthetic corpus: the folder holding TRAIN/ and TEST/")
    add_out(p, "folder for train.npz, test.npz and quantizer.json (default build/speech)",
            default=SPEECH_DATA)
    p.add_argument("--core-test", action="store_true",
                   help="test split = the 24 core test speakers (real TIMIT)")
    p.add_argument("--include-sa", action="store_true", help="keep the SA sentences")
    p.add_argument("--samples", nargs="?", const="", default=None, metavar="DIR",
                   help="also write OUT/samples.npz from the real recordings (DIR, default "
                        "the shared folder ../shared/data/speech-samples)")


def jobs_count(text: str) -> int:
    """``--jobs`` as a number (``auto``: the CPU count)."""
    return (os.cpu_count() or 1) if text == "auto" else int(text)


def run_synth(args) -> int:
    from ml.cli_util import counter
    from ml.speech.synth import synthesize_corpus
    from model.errors import InputError

    existing = [p.name for p in (args.out / "TRAIN", args.out / "TEST", args.out / "DOC")
                if p.exists()]
    if existing and not args.overwrite:
        raise InputError(args.out, f"already holds a corpus ({existing[0]}/); pass "
                         "--overwrite to replace it")
    bar, progress = counter("speech synth (utterances)", quiet(args))
    with bar:
        counts = synthesize_corpus(args.out, args.n, args.seed,
                                   tuple(e for e in args.engines.split(",") if e),
                                   args.test_fraction,
                                   utterances_per_speaker=args.per_speaker,
                                   jobs=jobs_count(args.jobs), overwrite=args.overwrite,
                                   progress=progress)
    print(json.dumps(counts, indent=1))
    return 0


def run_prepare(args) -> int:
    from pathlib import Path

    from ml.cli_util import counter
    from ml.speech.prepare import prepare, prepare_samples

    bar, progress = counter("speech prepare (utterances)", quiet(args))
    with bar:
        summary = prepare(args.timit, args.out, core_test=args.core_test,
                          include_sa=args.include_sa, progress=progress)
    if args.samples is not None:
        samples = Path(args.samples).absolute() if args.samples else None
        summary["samples"] = prepare_samples(samples, summary["quantizer"],
                                             Path(args.out) / "samples.npz")
    print(json.dumps(summary, indent=1))
    return 0
