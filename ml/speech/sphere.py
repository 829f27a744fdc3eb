"""NIST SPHERE audio (TIMIT's .WAV format): reader, writer, and a sniffing reader.

A SPHERE file is a text header (``NIST_1A``, the header size, then
``key -type value`` lines up to ``end_head``, padded to the header size,
1024 bytes in TIMIT) followed by raw 16-bit PCM samples.
"""
from __future__ import annotations

import warnings
from os import PathLike
from pathlib import Path

import numpy as np

from model.errors import InputError, at_byte, at_line

MAGIC = b"NIST_1A\n"
HEADER_SIZE = 1024
TIMIT_RATE = 16000
_BYTE_ORDER = {"01": "<", "10": ">"}  # SPHERE names byte orders by sample byte sequence


def _parse_value(path, lineno: int, key: str, typ: str, value: str):
    """Decode one header value by its SPHERE type (-i int, -r real, -sN string)."""
    try:
        if typ == "-i":
            return int(value)
        if typ == "-r":
            return float(value)
    except ValueError:
        raise InputError(path, f"{key}: {value!r} is not a valid {typ} value", at_line(lineno)) from None
    if typ.startswith("-s") and typ[2:].isdigit():
        return value[: int(typ[2:])]
    raise InputError(path, f"{key}: unknown value type {typ!r}", at_line(lineno))


def _parse_header(path, head: bytes) -> tuple[dict, dict]:
    """Header bytes -> ({key: value}, {key: header line number})."""
    try:
        text = head.decode("ascii")
    except UnicodeDecodeError as e:
        raise InputError(path, "header is not ASCII text", at_byte(e.start)) from None
    lines = text.split("\n")
    fields: dict = {}
    where: dict = {}
    for lineno, line in enumerate(lines[2:], start=3):
        line = line.rstrip("\r")
        if line.strip() == "end_head":
            return fields, where
        if not line.strip() or line.startswith(";"):
            continue  # blank and comment lines are allowed
        parts = line.split(" ", 2)
        if len(parts) < 3:
            raise InputError(path, f"malformed header line {line!r} (want 'key -type value')", at_line(lineno))
        key, typ, value = parts
        fields[key] = _parse_value(path, lineno, key, typ, value)
        where[key] = lineno
    raise InputError(path, "header has no end_head line within its declared size", at_byte(0))


def _read_header(path, data: bytes) -> tuple[int, dict, dict]:
    """Check the magic and size lines; return (header size, fields, field lines)."""
    if not data.startswith(MAGIC):
        raise InputError(path, "not a NIST SPHERE file (no NIST_1A magic)", at_byte(0))
    size_line = data[len(MAGIC): len(MAGIC) + 8].split(b"\n")[0]
    try:
        size = int(size_line)
    except ValueError:
        raise InputError(path, f"header size {size_line!r} is not a number", at_line(2)) from None
    if size < len(MAGIC) + 8 or size % 1024:
        raise InputError(path, f"header size {size} is not a positive multiple of 1024", at_line(2))
    if len(data) < size:
        raise InputError(path, f"file ends inside its {size}-byte header", at_byte(len(data)))
    fields, where = _parse_header(path, data[:size])
    return size, fields, where


def _require(path, fields: dict, where: dict, key: str, kind: type | tuple[type, ...]):
    if key not in fields:
        raise InputError(path, f"no {key} field", "header")
    value = fields[key]
    if not isinstance(value, kind):
        raise InputError(path, f"{key} has the wrong type: {value!r}", at_line(where[key]))
    return value


def _check_format(path, fields: dict, where: dict, expect_rate: int | None) -> str:
    """Validate the sample format fields; return the numpy byte-order char."""
    def bad(key, what):
        return InputError(path, what, at_line(where[key]))

    coding = str(fields.get("sample_coding", "pcm"))
    if "shorten" in coding:
        raise bad("sample_coding", f"sample_coding {coding!r} is shorten-compressed; "
                                   "decompress it first (e.g. sph2pipe -f wav, or sox)")
    if coding != "pcm":
        raise bad("sample_coding", f"sample_coding {coding!r} is not supported (only pcm)")
    rate = _require(path, fields, where, "sample_rate", (int, float))
    if expect_rate is not None and rate != expect_rate:
        raise bad("sample_rate", f"sample_rate is {rate:g}, expected {expect_rate}")
    if _require(path, fields, where, "sample_n_bytes", int) != 2:
        raise bad("sample_n_bytes", f"sample_n_bytes is {fields['sample_n_bytes']}, only 2 (16-bit) is supported")
    if _require(path, fields, where, "channel_count", int) != 1:
        raise bad("channel_count", f"channel_count is {fields['channel_count']}, only 1 (mono) is supported")
    order = _require(path, fields, where, "sample_byte_format", str)
    if order not in _BYTE_ORDER:
        raise bad("sample_byte_format", f"sample_byte_format {order!r} is not 01 or 10")
    if _require(path, fields, where, "sample_count", int) < 0:
        raise bad("sample_count", "sample_count is negative")
    return _BYTE_ORDER[order]


def read_sphere(path: str | PathLike, expect_rate: int | None = TIMIT_RATE) -> tuple[np.ndarray, dict]:
    """Read a 16-bit mono PCM SPHERE file -> (int16 samples, header fields).

    ``expect_rate=None`` accepts any sample_rate (read it from the fields).
    """
    data = Path(path).read_bytes()
    size, fields, where = _read_header(path, data)
    order = _check_format(path, fields, where, expect_rate)
    want = fields["sample_count"] * 2
    have = len(data) - size
    if have < want:
        raise InputError(path, f"truncated: sample_count {fields['sample_count']} needs data up to "
                               f"byte {size + want}, file ends at byte {len(data)}", at_byte(len(data)))
    if have > want:
        raise InputError(path, f"{have - want} bytes of extra data after the "
                               f"{fields['sample_count']} samples of sample_count", at_byte(size + want))
    samples = np.frombuffer(data, dtype=order + "i2", offset=size).astype(np.int16)
    return samples, fields


def _header_line(key: str, value) -> str:
    if isinstance(value, bool):
        raise TypeError(f"{key}: bool is not a SPHERE type")
    if isinstance(value, int):
        return f"{key} -i {value}"
    if isinstance(value, float):
        return f"{key} -r {value!r}"
    value = str(value)
    return f"{key} -s{len(value)} {value}"


def make_header(fields: dict, size: int = HEADER_SIZE) -> bytes:
    """A SPHERE header with ``fields`` in order (int -> -i, float -> -r, str -> -sN)."""
    body = "".join(_header_line(k, v) + "\n" for k, v in fields.items())
    text = f"NIST_1A\n{size:7d}\n{body}end_head\n".encode("ascii")
    if len(text) > size:
        raise ValueError(f"header needs {len(text)} bytes, more than {size}")
    return text + b" " * (size - len(text))  # NIST pads with blanks


def write_sphere(path: str | PathLike, samples: np.ndarray, utterance_id: str = "",
                 rate: int = TIMIT_RATE, byte_format: str = "01") -> None:
    """Write mono 16-bit PCM samples as a TIMIT-style SPHERE file."""
    samples = np.asarray(samples)
    if samples.ndim != 1:
        raise ValueError(f"samples must be 1-D (mono), got shape {samples.shape}")
    if samples.dtype != np.int16:
        if not np.issubdtype(samples.dtype, np.integer) or (
                samples.size and (samples.min() < -32768 or samples.max() > 32767)):
            raise ValueError("samples must be integers in the int16 range")
    if byte_format not in _BYTE_ORDER:
        raise ValueError(f"byte_format must be '01' or '10', got {byte_format!r}")
    fields = {
        "database_id": "TIMIT",
        "utterance_id": utterance_id,
        "sample_count": int(samples.size),
        "sample_rate": int(rate),
        "channel_count": 1,
        "sample_byte_format": byte_format,
        "sample_n_bytes": 2,
        "sample_sig_bits": 16,
        "sample_coding": "pcm",
    }
    pcm = samples.astype(_BYTE_ORDER[byte_format] + "i2").tobytes()
    Path(path).write_bytes(make_header(fields) + pcm)


def _read_wav(path, expect_rate: int | None) -> tuple[np.ndarray, int]:
    from scipy.io import wavfile  # imported here: only RIFF input needs scipy

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unknown chunks are harmless
            rate, samples = wavfile.read(path)
    except (ValueError, EOFError) as e:
        raise InputError(path, f"bad RIFF WAV file: {e}", "RIFF") from None
    if samples.ndim != 1:
        raise InputError(path, f"WAV has {samples.shape[1]} channels, only mono is supported", "fmt chunk")
    if samples.dtype != np.int16:
        raise InputError(path, f"WAV samples are {samples.dtype}, only 16-bit PCM is supported", "fmt chunk")
    if expect_rate is not None and rate != expect_rate:
        raise InputError(path, f"sample rate is {rate}, expected {expect_rate}", "fmt chunk")
    return samples, int(rate)


def read_audio(path: str | PathLike, expect_rate: int | None = None) -> tuple[np.ndarray, int]:
    """Read SPHERE or RIFF WAV (sniffed from the first bytes) -> (int16 samples, rate).

    Sniffing rather than trusting the extension: TIMIT's .WAV files are SPHERE,
    while converted copies hold RIFF under the same name.
    """
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(MAGIC):
        samples, fields = read_sphere(path, expect_rate=expect_rate)
        return samples, int(fields["sample_rate"])
    if head.startswith(b"RIFF"):
        return _read_wav(path, expect_rate)
    raise InputError(path, f"neither NIST SPHERE nor RIFF WAV (starts with {head[:8]!r})", at_byte(0))
