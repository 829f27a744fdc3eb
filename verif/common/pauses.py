"""Pause patterns for cocotbext-axi channel and stream models (TVALID gaps, TREADY stalls).

    model.set_pause_generator(random_pauses(rng, 0.3))   # stall 30 % of cycles
    model.set_pause_generator(stall_pattern(rng, "worst"))
    clear_pauses(model)                                   # stop stalling
"""
from __future__ import annotations

import itertools
from typing import Iterator

import numpy as np


def random_pauses(rng: np.random.Generator, probability: float) -> Iterator[bool]:
    """Endless pause pattern for ``set_pause_generator``: True (stall) with the given
    probability per cycle."""
    while True:
        yield bool(rng.random() < probability)


def clear_pauses(channel) -> None:
    """Remove the pause generator of a cocotbext-axi channel or stream model and stop
    pausing. cocotbext-axi 0.1.28's ``clear_pause_generator()`` keeps ``pause`` at the
    generator's last value, so a channel stopped mid-stall would stall for ever."""
    channel.clear_pause_generator()
    channel.pause = False


def stall_pattern(rng, mode: str):
    """Pause generator for a stream model: None (never), 'random', or 'worst'
    (one transfer cycle in eight, plus long random stretches)."""
    if mode == "none":
        return None
    if mode == "random":
        return random_pauses(rng, float(rng.uniform(0.2, 0.7)))
    if mode == "worst":
        def gen():
            while True:
                for _ in range(int(rng.integers(1, 6))):
                    yield from [True] * 7 + [False]
                yield from itertools.repeat(True, int(rng.integers(20, 120)))
                yield False
        return gen()
    raise ValueError(mode)
