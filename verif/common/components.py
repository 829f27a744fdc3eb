"""Pieces the testbenches are built from, after cocotb's examples and cocotbext-axi:
drivers only drive, monitors only observe and publish transactions, a predictor turns
observed inputs into expected outputs with the numpy model, and an in-order checker
compares what the monitors saw with what the predictor expects. They are joined by
callbacks (``subscribe``), so a component knows nothing of who listens.
"""
from __future__ import annotations

from collections import deque
from typing import Callable, Generic, TypeVar

from cocotb.triggers import Event

T = TypeVar("T")


class Publisher(Generic[T]):
    """Something that publishes transactions to its subscribers, in order."""

    def __init__(self) -> None:
        self._subscribers: list[Callable[[T], None]] = []

    def subscribe(self, callback: Callable[[T], None]) -> None:
        self._subscribers.append(callback)

    def publish(self, txn: T) -> None:
        for callback in self._subscribers:
            callback(txn)


class ExpectedQueue(Generic[T]):
    """The in-order checker's queue of expected transactions of one output: the predictor
    ``put``s, the checker ``take``s when its monitor saw the next output. An output with
    nothing expected is itself a mismatch (``take`` returns None)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: deque[T] = deque()

    def put(self, item: T) -> None:
        self._items.append(item)

    def take(self) -> T | None:
        return self._items.popleft() if self._items else None

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return iter(self._items)


class Collector(Generic[T]):
    """Records what one publisher published, in order, for a program that records
    rather than checks (the inference programs): ``await next()`` returns the oldest
    transaction not yet taken, waiting for one if there is none."""

    def __init__(self, publisher: Publisher[T]) -> None:
        self._items: deque[T] = deque()
        self._arrived = Event()
        publisher.subscribe(self._on_item)

    def _on_item(self, txn: T) -> None:
        self._items.append(txn)
        self._arrived.set()

    async def next(self) -> T:
        while not self._items:
            self._arrived.clear()
            await self._arrived.wait()
        return self._items.popleft()

    def __len__(self) -> int:
        return len(self._items)
