"""Generic ``$readmemh`` memory images and the weights manifest (SPEC section 4).

File format (both designs): one memory row per line, the row written as one hex number
of fixed width (lanes * lane_bits / 4 digits), lane 0 in the least significant bits,
each lane in two's complement when signed. ``//`` comments and blank lines are allowed;
``@addr`` lines are rejected (rows are always consecutive from address 0).

``manifest.json`` next to the files::

    {"format_version": 1, "design": "rsnn",
     "memories": {"win": {"file": "win.hex", "rows": 48, "lanes": 128, "lane_bits": 4,
                          "format": "int4", "range": [-8, 7], "sha256": "..."}, ...},
     "registers": {"T": 2, ...},
     ... extra keys (quantizer, classes, training) ...}
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np

from model.errors import InputError, at_line
from model.lanes import pack_lanes, unpack_lanes

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
RESERVED_KEYS = ("format_version", "design", "memories", "registers")
MEMORY_KEYS = ("file", "rows", "lanes", "lane_bits", "format", "range", "sha256")
_HEX = set("0123456789abcdefABCDEF")
_FORMAT_RE = re.compile(r"^(u?)int([1-9][0-9]*)$")


# ---- lanes and ranges ------------------------------------------------------------
def lane_range(lane_bits: int, signed: bool) -> tuple[int, int]:
    """Full range of one lane."""
    if signed:
        return -(1 << (lane_bits - 1)), (1 << (lane_bits - 1)) - 1
    return 0, (1 << lane_bits) - 1


def number_format(lane_bits: int, signed: bool) -> str:
    """Manifest name of a lane format: "int4", "uint8", ..."""
    return f"{'' if signed else 'u'}int{lane_bits}"


def parse_number_format(fmt: str) -> tuple[int, bool]:
    """"int4" -> (4, True); raises ValueError for anything else."""
    match = _FORMAT_RE.match(fmt) if isinstance(fmt, str) else None
    if not match:
        raise ValueError(f"number format {fmt!r}, expected e.g. 'int4' or 'uint8'")
    return int(match.group(2)), match.group(1) == ""


def _hex_digits(lanes: int, lane_bits: int) -> int:
    return -(-lanes * lane_bits // 4)   # ceil: a row is one fixed-width number


# ---- write -----------------------------------------------------------------------
def format_row(row, lane_bits: int) -> str:
    """One row as a fixed-width hex number, lane 0 in the least significant bits."""
    return f"{pack_lanes(row, lane_bits):0{_hex_digits(len(row), lane_bits)}x}"


def write_readmemh(path, image, lane_bits: int, signed: bool = True) -> Path:
    """Write a (rows, lanes) integer image, one row per line."""
    path = Path(path)
    image = np.asarray(image)
    if image.ndim != 2 or not np.issubdtype(image.dtype, np.integer):
        raise InputError(path, f"image must be a 2-D integer array, got shape "
                         f"{image.shape} dtype {image.dtype}")
    lo, hi = lane_range(lane_bits, signed)
    bad = np.argwhere((image < lo) | (image > hi))
    if bad.size:   # a value that does not fit would silently wrap in the file
        r, n = (int(v) for v in bad[0])
        raise InputError(path, f"lane {n} value {int(image[r, n])} outside {lo}..{hi}",
                         where=f"row {r}")
    path.write_text("".join(format_row(row, lane_bits) + "\n" for row in image))
    return path


# ---- read ------------------------------------------------------------------------
def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except UnicodeDecodeError as e:
        line = path.read_bytes()[:e.start].count(b"\n") + 1
        raise InputError(path, "non-ASCII byte", at_line(line)) from None


def _data_lines(text: str):
    """(line number, content) for each line with data, comments and blanks removed."""
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("//", 1)[0].strip()
        if content:
            yield number, content


def _parse_row(path, number, content, digits, lanes, lane_bits, signed, value_range):
    where = at_line(number)
    if content.startswith("@"):
        raise InputError(path, f"address line {content!r} not supported (rows are "
                         "consecutive from 0)", where)
    bad = next((ch for ch in content if ch not in _HEX), None)
    if bad is not None:
        raise InputError(path, f"bad hex digit {bad!r}", where)
    if len(content) != digits:
        raise InputError(path, f"line length {len(content)}, expected {digits} hex "
                         "digits", where)
    value = int(content, 16)
    if value >> (lanes * lane_bits):
        raise InputError(path, f"value wider than {lanes * lane_bits} bits", where)
    row = unpack_lanes(value, lanes, lane_bits, signed)
    lo, hi = value_range
    out = np.flatnonzero((row < lo) | (row > hi))
    if out.size:
        n = int(out[0])
        raise InputError(path, f"lane {n} value {int(row[n])} outside {lo}..{hi}", where)
    return row


def read_readmemh(path, rows: int, lanes: int, lane_bits: int, signed: bool = True,
                  value_range: tuple[int, int] | None = None) -> np.ndarray:
    """Read a file written by ``write_readmemh`` into a (rows, lanes) int64 array.

    Raises InputError naming the file and line for: a wrong row count, a bad hex
    digit, a wrong line length, an ``@addr`` line, a lane outside ``value_range``
    (default: the lane's full range).
    """
    path = Path(path)
    value_range = value_range or lane_range(lane_bits, signed)
    digits = _hex_digits(lanes, lane_bits)
    text = _read_text(path)
    image = np.zeros((rows, lanes), np.int64)
    count = 0
    for number, content in _data_lines(text):
        if count == rows:
            raise InputError(path, f"more than the {rows} rows expected", at_line(number))
        image[count] = _parse_row(path, number, content, digits, lanes, lane_bits,
                                  signed, value_range)
        count += 1
    if count != rows:
        last = len(text.splitlines())
        raise InputError(path, f"file ends after {count} rows, expected {rows}",
                         at_line(last))
    return image


# ---- manifest --------------------------------------------------------------------
def sha256_file(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_manifest(directory, design: str, memories: dict, registers: dict,
                   extra: dict | None = None) -> Path:
    """Write ``<name>.hex`` for each memory and ``manifest.json``; returns its path.

    memories: name -> (image, lane_bits, value_range); a negative range start makes
    the lanes signed. registers: name -> int. extra: more top-level keys (quantizer,
    classes, training, ...), which may not reuse the reserved keys.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    extra = dict(extra or {})
    clash = [k for k in extra if k in RESERVED_KEYS]
    if clash:
        raise ValueError(f"extra key {clash[0]!r} is reserved")
    entries = {}
    for name, (image, lane_bits, value_range) in memories.items():
        image = np.asarray(image)
        lo, hi = (int(v) for v in value_range)
        signed = lo < 0
        hex_path = write_readmemh(directory / f"{name}.hex", image, lane_bits, signed)
        entries[name] = {"file": hex_path.name, "rows": int(image.shape[0]),
                         "lanes": int(image.shape[1]), "lane_bits": int(lane_bits),
                         "format": number_format(lane_bits, signed), "range": [lo, hi],
                         "sha256": sha256_file(hex_path)}
    manifest = {"format_version": FORMAT_VERSION, "design": design, "memories": entries,
                "registers": {k: _plain(v) for k, v in registers.items()}, **extra}
    path = directory / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    return path


def _plain(v):
    """numpy scalars -> Python numbers for JSON."""
    return v.item() if isinstance(v, np.generic) else v


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _require(manifest_path, obj: dict, key: str, kind, where: str):
    if key not in obj:
        raise InputError(manifest_path, f"missing key {key!r}", where)
    value = obj[key]
    ok = _is_int(value) if kind is int else isinstance(value, kind)
    if not ok:
        raise InputError(manifest_path, f"key {key!r} must be {kind.__name__}, got "
                         f"{type(value).__name__}", where)
    return value


def _check_memory_entry(manifest_path, name: str, mem) -> dict:
    """Schema of one memory entry; returns it with lane format fields resolved."""
    where = f"memories.{name}"
    if not isinstance(mem, dict):
        raise InputError(manifest_path, "memory entry must be an object", where)
    file = _require(manifest_path, mem, "file", str, where)
    if Path(file).name != file or file in ("", ".", ".."):
        raise InputError(manifest_path, f"file {file!r} must be a plain file name", where)
    for key in ("rows", "lanes", "lane_bits"):
        if _require(manifest_path, mem, key, int, where) <= 0:
            raise InputError(manifest_path, f"key {key!r} must be positive", where)
    fmt = _require(manifest_path, mem, "format", str, where)
    try:
        bits, signed = parse_number_format(fmt)
    except ValueError as e:
        raise InputError(manifest_path, str(e), where) from None
    if bits != mem["lane_bits"]:
        raise InputError(manifest_path, f"format {fmt!r} does not match lane_bits "
                         f"{mem['lane_bits']}", where)
    rng = _require(manifest_path, mem, "range", list, where)
    full_lo, full_hi = lane_range(bits, signed)
    if (len(rng) != 2 or not all(_is_int(v) for v in rng)
            or not full_lo <= rng[0] <= rng[1] <= full_hi):
        raise InputError(manifest_path, f"range {rng} must be [lo, hi] inside "
                         f"{full_lo}..{full_hi}", where)
    sha = _require(manifest_path, mem, "sha256", str, where)
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise InputError(manifest_path, "sha256 must be 64 lowercase hex digits", where)
    return {**mem, "signed": signed}


def read_manifest(directory, design: str, required_keys=()) -> dict:
    """Parse manifest.json and check its schema; InputError names the key."""
    path = Path(directory) / MANIFEST_NAME
    text = _read_text(path)
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(path, f"invalid JSON: {e.msg}", at_line(e.lineno)) from None
    if not isinstance(manifest, dict):
        raise InputError(path, "manifest must be a JSON object")
    version = _require(path, manifest, "format_version", int, "format_version")
    if version != FORMAT_VERSION:
        raise InputError(path, f"format_version {version}, expected {FORMAT_VERSION}",
                         "format_version")
    got = _require(path, manifest, "design", str, "design")
    if got != design:
        raise InputError(path, f"design {got!r}, expected {design!r}", "design")
    memories = _require(path, manifest, "memories", dict, "memories")
    if not memories:
        raise InputError(path, "no memories listed", "memories")
    for name, mem in memories.items():
        _check_memory_entry(path, name, mem)
    registers = _require(path, manifest, "registers", dict, "registers")
    for name, value in registers.items():
        if not _is_int(value):
            raise InputError(path, f"register value {value!r} is not an integer",
                             f"registers.{name}")
    for key in required_keys:
        if key not in manifest:
            raise InputError(path, f"missing key {key!r}", key)
    return manifest


def load_weights(directory, design: str, required_keys=()) -> tuple[dict, dict]:
    """Check manifest.json, every file's sha256 and contents.

    Returns (images: name -> (rows, lanes) int64 array, manifest dict).
    """
    directory = Path(directory)
    manifest = read_manifest(directory, design, required_keys)
    images = {}
    for name, mem in manifest["memories"].items():
        mem = _check_memory_entry(directory / MANIFEST_NAME, name, mem)
        hex_path = directory / mem["file"]
        if not hex_path.is_file():
            raise InputError(hex_path, f"file not found (memory {name!r})")
        actual = sha256_file(hex_path)
        if actual != mem["sha256"]:
            raise InputError(hex_path, f"sha256 {actual} does not match the manifest's "
                             f"{mem['sha256']}")
        images[name] = read_readmemh(hex_path, mem["rows"], mem["lanes"], mem["lane_bits"],
                                     signed=mem["signed"], value_range=tuple(mem["range"]))
    return images, manifest
