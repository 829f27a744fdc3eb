"""In-order scoreboard: compares DUT items with reference items field by field.

Every mismatch is logged on one line that names the block, the item (frame, layer,
step, neuron ...), expected and got. ``finish()`` fails the test if anything mismatched
or if nothing at all was compared (a check that compared nothing proves nothing).
"""
from __future__ import annotations

import numpy as np


class ScoreboardError(AssertionError):
    pass


class Scoreboard:
    def __init__(self, block: str, log, max_logged: int = 20):
        self.block = block
        self.log = log
        self.max_logged = max_logged
        self.compared = 0
        self.mismatches = 0
        self.first_mismatch: str | None = None

    def check(self, where: str, expected, got) -> bool:
        """Compare scalars or arrays; for arrays each differing index is reported."""
        exp = np.asarray(expected)
        act = np.asarray(got)
        self.compared += 1
        if exp.shape != act.shape:
            return self._fail(f"{where}: shape expected {exp.shape} got {act.shape}")
        if np.array_equal(exp, act):
            return True
        bad = np.argwhere(exp != act)
        for idx in bad[:4]:
            i = tuple(int(v) for v in idx)
            label = f"{where}[{','.join(map(str, i))}]" if i else where
            self._fail(f"{label}: expected {exp[i]} got {act[i]}")
        if len(bad) > 4:
            self.log.error("MISMATCH %s %s: ... %d more differing elements", self.block, where, len(bad) - 4)
        return False

    def _fail(self, text: str) -> bool:
        self.mismatches += 1
        line = f"MISMATCH {self.block} {text}"
        if self.first_mismatch is None:
            self.first_mismatch = line
        if self.mismatches <= self.max_logged:
            self.log.error(line)
        return False

    def finish(self, min_compared: int = 1) -> None:
        if self.mismatches:
            raise ScoreboardError(
                f"{self.block}: {self.mismatches} mismatches in {self.compared} comparisons; "
                f"first: {self.first_mismatch}"
            )
        if self.compared < min_compared:
            raise ScoreboardError(
                f"{self.block}: only {self.compared} comparisons (expected >= {min_compared})"
            )
        self.log.info("%s: %d comparisons, all matched", self.block, self.compared)
