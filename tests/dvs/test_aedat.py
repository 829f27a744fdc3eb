"""AEDAT 3.1 reader/writer tests. Files are built byte by byte here (struct),
independently of the writer, so reader and writer check each other."""
import struct
from datetime import datetime, timezone

import numpy as np
import pytest

from ml.dvs.aedat import Events, encode_aedat, parse_aedat, read_aedat, write_aedat
from model.errors import InputError

HEADER = b"#!AER-DAT3.1\r\n#Format: RAW\r\n#!END-HEADER\r\n"
H = 42  # len(HEADER): three 14-byte lines; offset of the first packet


def word(x, y, p, valid=1):
    return (x << 17) | (y << 2) | (p << 1) | valid


def packet(events=(), etype=1, size=8, tsoff=4, overflow=0, capacity=None, number=None,
           valid=None, body=None):
    """Packet bytes; events are (x, y, p, ts) or (x, y, p, ts, valid_bit)."""
    if body is None:
        body = b"".join(struct.pack("<Ii", word(*e[:3], *e[4:]), e[3]) for e in events)
    n = len(events)
    capacity = n if capacity is None else capacity
    number = n if number is None else number
    valid = number if valid is None else valid
    return struct.pack("<hhiiiiii", etype, 1, size, tsoff, overflow, capacity, number, valid) + body


def load(tmp_path, data, name="rec.aedat"):
    path = tmp_path / name
    path.write_bytes(data)
    return read_aedat(path)


def raises_at(tmp_path, data, where, match=""):
    """Reading ``data`` fails with '<path>: <where>: ...' containing ``match``."""
    path = tmp_path / "bad.aedat"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_aedat(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: {where}: "), msg
    assert match in msg, msg
    return msg


def test_header_length_used_for_offsets():
    assert len(HEADER) == H


# ------------------------------------------------------------- decoding

def test_decodes_fields_by_hand(tmp_path):
    rec = load(tmp_path, HEADER + packet([(127, 0, 1, 10), (0, 127, 0, 20), (5, 9, 1, 30)]))
    ev = rec.events
    assert ev.x.tolist() == [127, 0, 5]
    assert ev.y.tolist() == [0, 127, 9]
    assert ev.p.tolist() == [1, 0, 1]
    assert ev.t.tolist() == [10, 20, 30]
    assert [a.dtype for a in (ev.x, ev.y, ev.p, ev.t)] == [np.uint16, np.uint16, np.uint8, np.int64]
    assert rec.header == ["#!AER-DAT3.1", "#Format: RAW", "#!END-HEADER"]
    assert rec.stats.packets == 1 and rec.stats.polarity_packets == 1
    assert rec.stats.skipped_packets == {} and rec.stats.invalid_events == 0
    assert rec.stats.monotonic


def test_overflow_extends_timestamps(tmp_path):
    data = HEADER + packet([(1, 1, 0, 5), (2, 2, 1, 2**31 - 1)], overflow=3)
    t = load(tmp_path, data).events.t
    assert t.tolist() == [3 * 2**31 + 5, 3 * 2**31 + 2**31 - 1]   # 6442450949, 8589934591
    assert t.tolist() == [6442450949, 8589934591]


def test_invalid_events_dropped_and_counted(tmp_path):
    evs = [(1, 2, 1, 100, 1), (3, 4, 0, 200, 0), (5, 6, 1, 300, 1), (7, 8, 0, 400, 0)]
    rec = load(tmp_path, HEADER + packet(evs, valid=2))
    assert rec.events.x.tolist() == [1, 5]
    assert rec.events.t.tolist() == [100, 300]
    assert rec.stats.invalid_events == 2


def test_invalid_event_with_bad_address_is_dropped_not_rejected(tmp_path):
    rec = load(tmp_path, HEADER + packet([(1000, 2, 1, 100, 0), (3, 4, 0, 200)]))
    assert rec.events.x.tolist() == [3]
    assert rec.stats.invalid_events == 1


def test_unused_capacity_is_ignored(tmp_path):
    # capacity 3, number 2: the third slot holds garbage that must not be decoded
    body = struct.pack("<IiIiIi", word(1, 1, 0), 10, word(2, 2, 1), 20, 0xFFFFFFFF, -1)
    rec = load(tmp_path, HEADER + packet(body=body, capacity=3, number=2, valid=2))
    assert rec.events.t.tolist() == [10, 20]
    assert rec.stats.invalid_events == 0


def test_non_polarity_packets_skipped(tmp_path):
    imu = packet(etype=3, size=36, tsoff=32, body=bytes(2 * 36), capacity=2, number=2)
    special = packet(etype=0, size=8, tsoff=4, body=bytes(8), capacity=1, number=1)
    data = HEADER + special + packet([(1, 1, 1, 7)]) + imu + packet([(2, 2, 0, 9)])
    rec = load(tmp_path, data)
    assert rec.events.t.tolist() == [7, 9]
    assert rec.stats.packets == 4
    assert rec.stats.polarity_packets == 2
    assert rec.stats.skipped_packets == {0: 1, 3: 1}


def test_unsorted_file_is_reported_not_sorted(tmp_path):
    rec = load(tmp_path, HEADER + packet([(1, 1, 1, 50)]) + packet([(2, 2, 1, 40)]))
    assert rec.events.t.tolist() == [50, 40]
    assert not rec.stats.monotonic


def test_empty_body_and_lf_header(tmp_path):
    rec = load(tmp_path, b"#!AER-DAT3.1\n#!END-HEADER\n")
    assert len(rec.events) == 0 and rec.stats.packets == 0


# ------------------------------------------------------------- round trip

def make_events():
    # 250 events below 2^31 and 50 beyond 2^31 (two overflow values), sorted
    rng = np.random.default_rng(1)
    n1, n2 = 250, 50
    t = np.concatenate([np.sort(rng.integers(0, 2**31, n1)),
                        np.sort(rng.integers(2**31, 2**32 + 1000, n2))])
    t[-1] = 5 * 2**31 + 17   # a third overflow value for the last event
    return Events(rng.integers(0, 128, n1 + n2), rng.integers(0, 128, n1 + n2),
                  rng.integers(0, 2, n1 + n2), t)


def test_round_trip_multiple_packets_and_overflow(tmp_path):
    ev = make_events()
    path = tmp_path / "rt.aedat"
    write_aedat(path, ev, packet_size=100,
                start_time=datetime(2017, 5, 1, 12, 0, 0, tzinfo=timezone.utc))
    rec = read_aedat(path)
    assert rec.events == ev
    assert rec.events.t.max() > 2**32
    # runs by overflow: t < 2^31 (250 -> 100+100+50), 2^31 <= t < 2^32 (some),
    # 2^32 <= t < 2^32+1000 (rest of 49), 5*2^31 (1): at least 4 packets; each <= 100 events
    over = ev.t >> 31
    runs = np.diff(np.flatnonzero(np.diff(np.r_[-1, over, -1]))).tolist()
    assert sum(runs) == 300
    assert rec.stats.polarity_packets == sum(-(-r // 100) for r in runs)
    assert rec.header == ["#!AER-DAT3.1", "#Format: RAW", "#Source 1: DVS128",
                          "#Start-Time: 2017-05-01 12:00:00 (TZ+0000)", "#!END-HEADER"]
    assert rec.stats.invalid_events == 0


def test_writer_packet_headers_by_hand():
    ev = Events([1, 2, 3], [4, 5, 6], [0, 1, 0], [10, 2**31 + 1, 2**31 + 2])
    data = encode_aedat(ev, packet_size=1000)
    body = data[data.index(b"#!END-HEADER\r\n") + 14:]
    # packet 1: 1 event, overflow 0; packet 2: 2 events, overflow 1
    assert struct.unpack_from("<hhiiiiii", body, 0) == (1, 1, 8, 4, 0, 1, 1, 1)
    assert struct.unpack_from("<Ii", body, 28) == (word(1, 4, 0), 10)
    assert struct.unpack_from("<hhiiiiii", body, 36) == (1, 1, 8, 4, 1, 2, 2, 2)
    assert struct.unpack_from("<IiIi", body, 64) == (word(2, 5, 1), 1, word(3, 6, 0), 2)
    assert len(body) == 36 + 28 + 16


def test_round_trip_with_injected_non_polarity_packet(tmp_path):
    ev = make_events()
    data = encode_aedat(ev, packet_size=64)
    start = data.index(b"#!END-HEADER\r\n") + 14
    junk = packet(etype=2, size=12, tsoff=8, body=bytes(36), capacity=3, number=3)
    rec = load(tmp_path, data[:start] + junk + data[start:])
    assert rec.events == ev
    assert rec.stats.skipped_packets == {2: 1}


def test_round_trip_empty(tmp_path):
    path = tmp_path / "e.aedat"
    write_aedat(path, Events.empty())
    assert read_aedat(path).events == Events.empty()


def test_writer_rejects_out_of_range(tmp_path):
    with pytest.raises(InputError, match=r"event 1: x=128"):
        write_aedat(tmp_path / "w.aedat", Events([1, 128], [0, 0], [0, 0], [0, 1]))
    with pytest.raises(InputError, match=r"event 0: negative timestamp"):
        write_aedat(tmp_path / "w.aedat", Events([1], [0], [0], [-5]))


# ------------------------------------------------------------- errors

def test_missing_file(tmp_path):
    path = tmp_path / "nope.aedat"
    with pytest.raises(InputError, match="nope.aedat: no such file"):
        read_aedat(path)


def test_bad_first_header_line(tmp_path):
    raises_at(tmp_path, b"#!AER-DAT2.0\r\n#!END-HEADER\r\n", "byte 0", "#!AER-DAT3.1")


def test_missing_end_header_before_binary(tmp_path):
    # second "line" starts with the packet's 0x01 byte at offset 28
    data = b"#!AER-DAT3.1\r\n#Format: RAW\r\n" + packet([(1, 1, 1, 1)])
    raises_at(tmp_path, data, "byte 28", "#!END-HEADER")


def test_missing_end_header_at_eof(tmp_path):
    raises_at(tmp_path, b"#!AER-DAT3.1\r\n#Format: RAW\r\n", "byte 28", "#!END-HEADER")


def test_truncated_packet_header(tmp_path):
    raises_at(tmp_path, HEADER + packet([(1, 1, 1, 1)]) + bytes(10), "byte 78", "truncated")


def test_truncated_packet_payload(tmp_path):
    good = packet([(1, 1, 1, 1), (2, 2, 0, 2)])            # 28 + 16 = 44 bytes
    short = packet([(3, 3, 1, 3), (4, 4, 1, 4)])[:-5]      # declares 16 event bytes, has 11
    raises_at(tmp_path, HEADER + good + short, f"byte {H + 44}", "truncated packet")


def test_polarity_event_size_must_be_8(tmp_path):
    bad = packet(body=bytes(16), size=16, capacity=1, number=1)
    raises_at(tmp_path, HEADER + packet([(1, 1, 1, 1)]) + bad, "byte 78", "eventSize")


def test_event_size_zero(tmp_path):
    bad = packet(etype=5, size=0, tsoff=0, body=b"")
    raises_at(tmp_path, HEADER + bad, "byte 42", "eventSize 0")


def test_ts_offset_outside_event(tmp_path):
    bad = packet(etype=5, size=8, tsoff=6, body=bytes(8), capacity=1, number=1)
    raises_at(tmp_path, HEADER + bad, "byte 42", "eventTSOffset 6")


def test_event_number_above_capacity(tmp_path):
    bad = packet([(1, 1, 1, 1)], capacity=1, number=2, valid=1)
    raises_at(tmp_path, HEADER + bad, "byte 42", "eventNumber 2")


def test_event_valid_above_number(tmp_path):
    bad = packet([(1, 1, 1, 1)], valid=2)
    raises_at(tmp_path, HEADER + bad, "byte 42", "eventValid 2")


def test_x_out_of_range(tmp_path):
    data = HEADER + packet([(1, 1, 1, 1)]) + packet([(5, 5, 0, 2), (128, 5, 0, 3)])
    raises_at(tmp_path, data, "byte 78", "x=128")


def test_y_out_of_range(tmp_path):
    raises_at(tmp_path, HEADER + packet([(5, 300, 1, 2)]), "byte 42", "y=300")


def test_parse_without_path_still_names_offset():
    with pytest.raises(InputError, match=r"^byte 42: packet header: truncated"):
        parse_aedat(HEADER + bytes(3))
