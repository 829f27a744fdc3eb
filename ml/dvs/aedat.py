"""AEDAT 3.1 reader and writer for DVS128 polarity events (SPEC section 3, DVS).

File layout (all integers little-endian):

- Text header: lines starting with ``#``; the first is ``#!AER-DAT3.1``, the
  last ``#!END-HEADER`` (``\\r\\n`` or ``\\n`` line ends).
- Packets, each a 28-byte header (eventType i16, eventSource i16, eventSize i32,
  eventTSOffset i32, eventTSOverflow i32, eventCapacity i32, eventNumber i32,
  eventValid i32) followed by ``eventCapacity * eventSize`` bytes of events.
- Polarity events (eventType 1, 8 bytes): u32 data word (bit 0 valid, bit 1
  polarity, bits 2-16 y, bits 17-31 x), then an i32 timestamp in microseconds,
  extended to int64 as ``ts + (eventTSOverflow << 31)``.

Reader policy:

- Only the first ``eventNumber`` slots of a packet hold events; the rest of the
  capacity is unused and ignored. The valid bit of each event decides whether it
  is kept; ``eventValid`` is not cross-checked against the bits.
- Non-polarity packets are skipped and counted by type; invalid events are
  dropped and counted.
- Events are returned in file order, never re-sorted; ``AedatStats.monotonic``
  says whether the timestamps are non-decreasing (callers that need sorted
  events check it).
- Every structural fault raises ``InputError`` naming the file and the byte
  offset of the packet header (or of the header line) at fault.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import datetime, timezone
from os import PathLike
from pathlib import Path

import numpy as np

from model.errors import InputError, at_byte

SENSOR_WIDTH = 128
SENSOR_HEIGHT = 128
POLARITY_EVENT = 1
POLARITY_EVENT_SIZE = 8
POLARITY_TS_OFFSET = 4
FIRST_HEADER_LINE = "#!AER-DAT3.1"
END_HEADER_LINE = "#!END-HEADER"

PACKET_HEADER = struct.Struct("<hhiiiiii")
PACKET_HEADER_SIZE = PACKET_HEADER.size  # 28
POLARITY_DTYPE = np.dtype([("data", "<u4"), ("ts", "<i4")])

_TS_MASK = (1 << 31) - 1  # the i32 timestamp field carries 31 bits


@dataclass(eq=False)
class Events:
    """Polarity events: x, y (uint16), p (uint8, 0 = OFF, 1 = ON), t (int64 us)."""

    x: np.ndarray
    y: np.ndarray
    p: np.ndarray
    t: np.ndarray

    def __post_init__(self):
        n = len(self.x)
        if not (len(self.y) == len(self.p) == len(self.t) == n):
            raise ValueError("Events: x, y, p, t must have the same length")
        self.x = np.asarray(self.x, dtype=np.uint16)
        self.y = np.asarray(self.y, dtype=np.uint16)
        self.p = np.asarray(self.p, dtype=np.uint8)
        self.t = np.asarray(self.t, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.t)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Events):
            return NotImplemented
        return all(np.array_equal(getattr(self, f), getattr(other, f)) for f in "xypt")

    def __getitem__(self, index) -> "Events":
        """Select events by slice, index array or boolean mask."""
        return Events(self.x[index], self.y[index], self.p[index], self.t[index])

    @classmethod
    def empty(cls) -> "Events":
        return cls(np.zeros(0, np.uint16), np.zeros(0, np.uint16),
                   np.zeros(0, np.uint8), np.zeros(0, np.int64))

    @classmethod
    def concat(cls, parts: list["Events"]) -> "Events":
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(e, f) for e in parts]) for f in "xypt"))

    def is_sorted(self) -> bool:
        """True iff timestamps are non-decreasing."""
        return bool(np.all(self.t[1:] >= self.t[:-1]))

    def time_slice(self, t_start: int, t_end: int) -> "Events":
        """Events with ``t_start <= t < t_end`` (binary search when sorted)."""
        if self.is_sorted():
            lo, hi = np.searchsorted(self.t, [t_start, t_end], side="left")
            return self[lo:hi]
        return self[(self.t >= t_start) & (self.t < t_end)]


@dataclass
class AedatStats:
    packets: int = 0                 # all packets, polarity or not
    polarity_packets: int = 0
    skipped_packets: dict[int, int] = field(default_factory=dict)  # eventType -> count
    invalid_events: int = 0          # polarity events dropped for valid bit 0
    monotonic: bool = True           # timestamps non-decreasing in file order


@dataclass(eq=False)
class AedatFile:
    header: list[str]                # header lines without line ends
    events: Events
    stats: AedatStats


# ---------------------------------------------------------------- reading

def read_aedat(path: str | PathLike) -> AedatFile:
    """Read an AEDAT 3.1 file; raises InputError for missing or corrupt files."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    return parse_aedat(data, path)


def parse_aedat(data: bytes, path: str | PathLike | None = None) -> AedatFile:
    """Parse AEDAT 3.1 bytes; ``path`` is only used in error messages."""
    header, pos = _parse_header(data, path)
    stats = AedatStats()
    parts = []
    while pos < len(data):
        packet_type, size, n_events = _check_packet_header(data, pos, path)
        stats.packets += 1
        if packet_type == POLARITY_EVENT:
            stats.polarity_packets += 1
            events, n_invalid = _decode_polarity_packet(data, pos, path)
            stats.invalid_events += n_invalid
            parts.append(events)
        else:
            stats.skipped_packets[packet_type] = stats.skipped_packets.get(packet_type, 0) + 1
        pos += PACKET_HEADER_SIZE + size
    events = Events.concat(parts)
    stats.monotonic = events.is_sorted()
    return AedatFile(header, events, stats)


def _parse_header(data: bytes, path) -> tuple[list[str], int]:
    """Return the header lines and the byte offset of the first packet."""
    lines: list[str] = []
    pos = 0
    while True:
        if pos >= len(data):
            raise InputError(path, f"file ends before {END_HEADER_LINE}", at_byte(pos))
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end + 1
        line = data[pos:end].rstrip(b"\r\n").decode("latin-1")
        if not lines and line != FIRST_HEADER_LINE:
            raise InputError(path, f"first line must be {FIRST_HEADER_LINE}, got {line[:40]!r}",
                             at_byte(pos))
        if not line.startswith("#"):
            raise InputError(path, f"header line {len(lines) + 1} does not start with '#'"
                             f" (missing {END_HEADER_LINE}?)", at_byte(pos))
        lines.append(line)
        pos = end
        if line == END_HEADER_LINE:
            return lines, pos


def _check_packet_header(data: bytes, pos: int, path) -> tuple[int, int, int]:
    """Validate the packet header at ``pos``; return (type, payload bytes, eventNumber)."""
    def fail(what):
        raise InputError(path, f"packet header: {what}", at_byte(pos))

    if len(data) - pos < PACKET_HEADER_SIZE:
        fail(f"truncated: {len(data) - pos} of {PACKET_HEADER_SIZE} header bytes present")
    (etype, _source, size, ts_off, overflow,
     capacity, number, valid) = PACKET_HEADER.unpack_from(data, pos)
    if size <= 0:
        fail(f"eventSize {size} must be > 0")
    if not 0 <= ts_off <= size - 4:
        fail(f"eventTSOffset {ts_off} outside an event of {size} bytes")
    if overflow < 0:
        fail(f"eventTSOverflow {overflow} is negative")
    if not 0 <= number <= capacity:
        fail(f"eventNumber {number} not in [0, eventCapacity {capacity}]")
    if not 0 <= valid <= number:
        fail(f"eventValid {valid} not in [0, eventNumber {number}]")
    if etype == POLARITY_EVENT and (size != POLARITY_EVENT_SIZE or ts_off != POLARITY_TS_OFFSET):
        fail(f"polarity packet needs eventSize {POLARITY_EVENT_SIZE} and eventTSOffset "
             f"{POLARITY_TS_OFFSET}, got {size} and {ts_off}")
    payload = capacity * size
    present = len(data) - pos - PACKET_HEADER_SIZE
    if present < payload:
        fail(f"truncated packet: {payload} event bytes declared, {present} present")
    return etype, payload, number


def _decode_polarity_packet(data: bytes, pos: int, path) -> tuple[Events, int]:
    """Decode the valid events of the (already checked) polarity packet at ``pos``."""
    _, _, _, _, overflow, _, number, _ = PACKET_HEADER.unpack_from(data, pos)
    raw = np.frombuffer(data, POLARITY_DTYPE, count=number, offset=pos + PACKET_HEADER_SIZE)
    word = raw["data"]
    keep = (word & 1).astype(bool)
    word, ts = word[keep], raw["ts"][keep]
    x = word >> 17
    y = (word >> 2) & 0x7FFF
    bad = np.flatnonzero((x >= SENSOR_WIDTH) | (y >= SENSOR_HEIGHT))
    if bad.size:
        i = bad[0]
        raise InputError(path, f"polarity packet: event address x={int(x[i])} y={int(y[i])}"
                         f" outside the {SENSOR_WIDTH}x{SENSOR_HEIGHT} sensor", at_byte(pos))
    if np.any(ts < 0):
        raise InputError(path, "polarity packet: negative event timestamp", at_byte(pos))
    t = ts.astype(np.int64) + (np.int64(overflow) << 31)
    events = Events(x.astype(np.uint16), y.astype(np.uint16),
                    ((word >> 1) & 1).astype(np.uint8), t)
    return events, int(number - np.count_nonzero(keep))


# ---------------------------------------------------------------- writing

def write_aedat(path: str | PathLike, events: Events, packet_size: int = 4096,
                start_time: datetime | None = None) -> None:
    """Write ``events`` as AEDAT 3.1 polarity packets of at most ``packet_size`` events.

    Events keep their order; a new packet starts whenever the timestamp overflow
    (``t >> 31``) changes, so every packet has one eventTSOverflow.
    """
    Path(path).write_bytes(encode_aedat(events, packet_size, start_time, path))


def encode_aedat(events: Events, packet_size: int = 4096,
                 start_time: datetime | None = None, path=None) -> bytes:
    """Return the bytes ``write_aedat`` would write."""
    if packet_size < 1:
        raise ValueError(f"packet_size {packet_size} must be >= 1")
    _check_writable(events, path)
    chunks = [_header_bytes(start_time)]
    words = ((events.x.astype(np.uint32) << 17) | (events.y.astype(np.uint32) << 2)
             | (events.p.astype(np.uint32) << 1) | 1)
    overflow = events.t >> 31
    for lo, hi in _packet_ranges(overflow, packet_size):
        chunks.append(_polarity_packet(words[lo:hi], events.t[lo:hi], int(overflow[lo])))
    return b"".join(chunks)


def _check_writable(events: Events, path) -> None:
    def fail(what, i):
        raise InputError(path, what, f"event {int(i)}")

    for name, arr, limit in (("x", events.x, SENSOR_WIDTH), ("y", events.y, SENSOR_HEIGHT),
                             ("p", events.p, 2)):
        bad = np.flatnonzero(arr >= limit)
        if bad.size:
            fail(f"{name}={int(arr[bad[0]])} out of range [0, {limit})", bad[0])
    bad = np.flatnonzero(events.t < 0)
    if bad.size:
        fail(f"negative timestamp {int(events.t[bad[0]])}", bad[0])
    if len(events) and int(events.t.max()) >> 31 > np.iinfo(np.int32).max:
        fail("timestamp too large for eventTSOverflow", np.argmax(events.t))


def _header_bytes(start_time: datetime | None) -> bytes:
    start = start_time or datetime.now(timezone.utc)
    stamp = start.strftime("%Y-%m-%d %H:%M:%S") + f" (TZ{start.strftime('%z') or '+0000'})"
    lines = [FIRST_HEADER_LINE, "#Format: RAW", "#Source 1: DVS128",
             f"#Start-Time: {stamp}", END_HEADER_LINE]
    return "".join(line + "\r\n" for line in lines).encode("ascii")


def _packet_ranges(overflow: np.ndarray, packet_size: int):
    """Yield (lo, hi) index ranges: runs of equal overflow, split every packet_size."""
    cuts = np.flatnonzero(np.diff(overflow)) + 1
    bounds = [0, *cuts.tolist(), len(overflow)]
    for run_lo, run_hi in zip(bounds[:-1], bounds[1:]):
        for lo in range(run_lo, run_hi, packet_size):
            yield lo, min(lo + packet_size, run_hi)


def _polarity_packet(words: np.ndarray, t: np.ndarray, overflow: int) -> bytes:
    n = len(words)
    header = PACKET_HEADER.pack(POLARITY_EVENT, 1, POLARITY_EVENT_SIZE, POLARITY_TS_OFFSET,
                                overflow, n, n, n)
    body = np.empty(n, POLARITY_DTYPE)
    body["data"] = words
    body["ts"] = (t & _TS_MASK).astype(np.int32)
    return header + body.tobytes()
