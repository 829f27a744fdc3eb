"""What the ``cli`` modules of ml/ share: the ``python -m`` entry of a command and the
progress callback of a long job.

``spikedv speech synth`` and ``python -m ml.speech.synth`` run the same ``add_*`` and
``run_*`` functions; the ``python -m`` form also takes its old leading positional
arguments (``python -m ml.speech.synth OUT --n 30`` = ``--out OUT --n 30``).
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

from verif.console import Progress


def module_main(prog: str, description: str, add: Callable, run: Callable,
                argv: Sequence[str] | None = None, positional: Sequence[str] = ()) -> int:
    """Parse ``argv`` with the arguments ``add`` declares (plus ``-q``/``-v``) and
    ``run`` them. Leading arguments that are not options stand for the flags in
    ``positional``, in order."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lead: list[str] = []
    for flag in positional:
        if not argv or argv[0].startswith("-"):
            break
        lead += [flag, argv.pop(0)]
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail")
    add(parser)
    return int(run(parser.parse_args(lead + argv)) or 0)


def counter(label: str, quiet: bool, min_interval_s: float = 10.0):
    """(bar, callback): a ``verif.console.Progress`` and a ``callback(done, total)`` that
    sets its total and count (for jobs that learn their total as they start)."""
    bar = Progress(0, label, quiet=quiet, min_interval_s=min_interval_s)

    def callback(done: int, total: int) -> None:
        bar.total = int(total)
        bar.update(done)
    return bar, callback
