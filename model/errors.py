"""Errors for bad inputs: every one names the file and the place in it."""
from __future__ import annotations

from os import PathLike


class InputError(ValueError):
    """A bad input file or value.

    ``where`` is a line (``line 12``), a byte offset (``byte 4096``) or a field
    name; the message reads ``<path>: <where>: <what>``.
    """

    def __init__(self, path: str | PathLike | None, what: str, where: str | None = None):
        self.path = None if path is None else str(path)
        self.where = where
        self.what = what
        parts = [p for p in (self.path, where, what) if p]
        super().__init__(": ".join(parts))


def at_line(n: int) -> str:
    """1-based line location for InputError."""
    return f"line {n}"


def at_byte(offset: int) -> str:
    """Byte-offset location for InputError."""
    return f"byte {offset}"
