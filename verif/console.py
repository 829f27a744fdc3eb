"""What long jobs print while they run: a progress bar on a terminal, plain lines elsewhere.

    with Progress(total=600, label="rsnn report") as bar:
        for item in items:
            ...
            bar.advance()

On a terminal (stderr is a TTY) one line is redrawn: ``label [#####.....] 120/600 20%
ETA 1:32``. Elsewhere (CI logs, pipes) one line per item is printed, at most one every
``min_interval_s`` seconds plus the last, so a log stays readable. ``quiet`` prints nothing.

A simulation cannot call this (it runs in the simulator's process): the cocotb side writes
its count with ``write_progress(run_dir, done, total)`` and the caller follows the file with
``follow_progress`` in a thread.
"""
from __future__ import annotations

import json
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TextIO

PROGRESS_FILE = "progress.json"


def _clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    def __init__(self, total: int, label: str, *, stream: TextIO | None = None,
                 quiet: bool = False, min_interval_s: float = 2.0, width: int = 30):
        self.total = max(int(total), 0)
        self.label = label
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.min_interval_s = min_interval_s
        self.width = width
        self.done = 0
        self.start = time.monotonic()
        self._last_print = 0.0
        self._lock = threading.Lock()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def line(self) -> str:
        elapsed = time.monotonic() - self.start
        if self.total:
            frac = min(self.done / self.total, 1.0)
            filled = int(round(frac * self.width))
            eta = elapsed / self.done * (self.total - self.done) if self.done else 0.0
            bar = "#" * filled + "." * (self.width - filled)
            return (f"{self.label} [{bar}] {self.done}/{self.total} {frac:4.0%} "
                    f"elapsed {_clock(elapsed)} ETA {_clock(eta) if self.done else '?'}")
        return f"{self.label} {self.done} elapsed {_clock(elapsed)}"

    def update(self, done: int) -> None:
        with self._lock:
            self.done = int(done)
            if self.quiet:
                return
            now = time.monotonic()
            final = self.total and self.done >= self.total
            if self.tty:
                self.stream.write("\r" + self.line() + ("\n" if final else ""))
                self.stream.flush()
                self._last_print = now
            elif final or now - self._last_print >= self.min_interval_s:
                self.stream.write(self.line() + "\n")
                self.stream.flush()
                self._last_print = now

    def advance(self, n: int = 1) -> None:
        self.update(self.done + n)

    def close(self) -> None:
        if not self.quiet and self.tty and not (self.total and self.done >= self.total):
            self.stream.write("\n")
            self.stream.flush()


def write_progress(run_dir: str | Path, done: int, total: int) -> None:
    """From inside a simulation: record how far the run got (see the module docstring)."""
    if not run_dir:
        return
    path = Path(run_dir) / PROGRESS_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"done": int(done), "total": int(total)}))
    tmp.replace(path)


@contextmanager
def follow_progress(run_dir_of, progress: Progress | None,
                    poll_s: float = 0.5) -> Iterator[None]:
    """While the body runs, copy the count a simulation writes into ``progress``.
    ``run_dir_of``: a callable giving the run folder (known only once the run started)."""
    if progress is None:
        yield
        return
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(poll_s):
            folder = run_dir_of()
            if not folder:
                continue
            try:
                data = json.loads((Path(folder) / PROGRESS_FILE).read_text())
            except (OSError, ValueError):
                continue
            if data.get("done", 0) != progress.done:
                progress.update(data["done"])

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
