"""Arguments shared by the ``spikedv`` commands, so a flag means the same everywhere.

    add_weights(p)            --weights DIR      weights folder (manifest.json + .hex)
    add_out(p, "scores.npz")  --out PATH         where the command writes its result
    add_engine(p, ENGINES)    --engine NAME      model | icarus | verilator (| bare)
    add_seed(p)               --seed N           replays a randomized run exactly
    add_jobs(p)               --jobs N|auto      parallel workers

Path arguments are resolved against the caller's working directory when parsed (before
anything changes directory), so relative paths work from any folder.
"""
from __future__ import annotations

import argparse
from pathlib import Path


def path_arg(text: str) -> Path:
    """An absolute path from a command-line path (``~`` expanded, relative to the cwd)."""
    return Path(text).expanduser().absolute()


def add_weights(p: argparse.ArgumentParser, required: bool = True, default=None,
                help: str = "weights folder (manifest.json + $readmemh files)") -> None:
    p.add_argument("--weights", type=path_arg, required=required and default is None,
                   default=default, metavar="DIR", help=help)


def add_out(p: argparse.ArgumentParser, what: str, required: bool = True,
            default=None) -> None:
    p.add_argument("--out", type=path_arg, required=required and default is None,
                   default=default, metavar="PATH", help=what)


def add_engine(p: argparse.ArgumentParser, engines, default: str = "model") -> None:
    p.add_argument("--engine", choices=engines, default=default,
                   help=f"where it runs (default {default})")


def add_seed(p: argparse.ArgumentParser, default: int | None = None,
             help: str = "random seed (a failure prints the seed that replays it)") -> None:
    p.add_argument("--seed", type=int, default=default, help=help)


def jobs_arg(text: str) -> str:
    if text != "auto" and not (text.isdigit() and int(text) >= 1):
        raise argparse.ArgumentTypeError(f"{text!r}: expected a positive number or 'auto'")
    return text


def add_jobs(p: argparse.ArgumentParser, default: str = "auto") -> None:
    p.add_argument("-j", "--jobs", type=jobs_arg, default=default,
                   help=f"parallel workers, a number or 'auto' (default {default})")


def quiet(args) -> bool:
    return bool(getattr(args, "quiet", False))


def verbose(args) -> bool:
    return bool(getattr(args, "verbose", False))
