"""Pooling/binning tests; expected values worked out by hand from SPEC 2.2:
c = p*100 + yb*10 + xb, xb = (x-4)//12, yb = (y-4)//12, x, y in [4, 124)."""
import numpy as np
import pytest

from ml.dvs.aedat import Events
from ml.dvs.binning import BinningParams, channel_of, event_counts, pool_and_bin
from model.errors import InputError

# (x, y, p, t) with t_start 1000, bin_us 100, n_bins 3
KEPT = [
    (4, 4, 0, 1000),      # c 0,   bin 0
    (15, 15, 0, 1099),    # c 0,   bin 0 (same 12x12 block)
    (16, 4, 0, 1050),     # c 1,   bin 0
    (123, 123, 1, 1100),  # c 199, bin 1
    (123, 123, 1, 1150),  # c 199, bin 1
    (123, 123, 1, 1199),  # c 199, bin 1
    (4, 16, 1, 1299),     # c 110, bin 2
    (50, 70, 0, 1200),    # xb 3, yb 5: c 53, bin 2
    (50, 70, 1, 1201),    # c 153, bin 2
    (50, 70, 1, 1202),    # c 153, bin 2
]
DROPPED = [
    (3, 50, 0, 1000), (124, 50, 0, 1000), (50, 3, 1, 1000), (50, 124, 1, 1000),
    (127, 127, 1, 1100), (0, 0, 0, 1100),   # border pixels
    (4, 4, 0, 999), (4, 4, 0, 1300),         # outside the time window
]
EXPECTED_COUNTS = {(0, 0): 2, (0, 1): 1, (1, 199): 3, (2, 110): 1, (2, 53): 1, (2, 153): 2}


def events(rows):
    x, y, p, t = zip(*rows)
    return Events(x, y, p, t)


def dense(entries, n_bins=3):
    out = np.zeros((n_bins, 200), dtype=np.int64)
    for (b, c), v in entries.items():
        out[b, c] = v
    return out


def test_channel_of_table():
    assert channel_of(4, 4, 0) == 0
    assert channel_of(111, 4, 0) == 8
    assert channel_of(112, 4, 0) == 9
    assert channel_of(123, 15, 0) == 9
    assert channel_of(4, 16, 0) == 10
    assert channel_of(4, 123, 1) == 190
    assert channel_of(123, 123, 1) == 199
    assert channel_of(50, 70, 1) == 153
    assert channel_of([3, 124, 10, 10], [10, 10, 3, 124], [0, 1, 0, 1]).tolist() == [-1] * 4


def test_counts_by_hand():
    ev = events(KEPT + DROPPED)
    assert np.array_equal(event_counts(ev, 1000, 100, 3), dense(EXPECTED_COUNTS))


@pytest.mark.parametrize("k_min, ones", [
    (1, {(0, 0), (0, 1), (1, 199), (2, 110), (2, 53), (2, 153)}),
    (2, {(0, 0), (1, 199), (2, 153)}),
    (3, {(1, 199)}),
    (4, set()),
])
def test_pool_and_bin_threshold(k_min, ones):
    got = pool_and_bin(events(DROPPED + KEPT[::-1]), 1000, 100, 3, k_min)  # order must not matter
    assert got.dtype == np.uint8 and got.shape == (3, 200)
    assert np.array_equal(got, dense({bc: 1 for bc in ones}))


def test_empty_events():
    got = pool_and_bin(Events.empty(), 0, 10, 4, 1)
    assert got.shape == (4, 200) and not got.any()


def test_large_timestamps():
    t0 = 3 * 2**31 + 7
    ev = events([(4, 4, 1, t0 + 5), (4, 4, 1, t0 + 10), (4, 4, 1, t0 - 1)])
    got = pool_and_bin(ev, t0, 10, 2, 1)
    assert got[0, 100] == 1 and got[1, 100] == 1 and got.sum() == 2


@pytest.mark.parametrize("bad", [dict(bin_us=0), dict(n_bins=0), dict(k_min=0), dict(k_min=True)])
def test_rejects_bad_parameters(bad):
    args = dict(t_start=0, bin_us=10, n_bins=2, k_min=1) | bad
    with pytest.raises(ValueError):
        pool_and_bin(Events.empty(), **args)


# ------------------------------------------------------------- BinningParams

def test_params_round_trip():
    prm = BinningParams(bin_us=50_000, n_bins=30, k_min=2, offset_us=100_000)
    d = prm.to_dict()
    assert d == {"bin_us": 50_000, "n_bins": 30, "k_min": 2, "offset_us": 100_000,
                 "channels": 200, "channel_order": "p*100+yb*10+xb"}
    assert BinningParams.from_dict(d) == prm
    assert BinningParams.from_dict({"bin_us": 1, "n_bins": 1, "k_min": 1}).offset_us == 0
    assert prm.window_us == 1_500_000


def test_params_bin_sample_uses_offset():
    prm = BinningParams(bin_us=100, n_bins=3, k_min=2, offset_us=50)
    got = prm.bin_sample(events(KEPT + DROPPED), 950)   # window starts at 1000
    assert np.array_equal(got, dense({(0, 0): 1, (1, 199): 1, (2, 153): 1}))


@pytest.mark.parametrize("d, where", [
    ({"n_bins": 3, "k_min": 1}, "binning.bin_us"),
    ({"bin_us": 1, "n_bins": 3, "k_min": 1, "extra": 5}, "binning.extra"),
    ({"bin_us": 1, "n_bins": 3, "k_min": 1, "channel_order": "xb*10+yb"}, "binning.channel_order"),
    ({"bin_us": 1, "n_bins": 3, "k_min": 1, "channels": 128}, "binning.channels"),
    ({"bin_us": 1, "n_bins": 3, "k_min": 0}, "binning"),
    ({"bin_us": "1", "n_bins": 3, "k_min": 1}, "binning"),
    ({"bin_us": 1, "n_bins": 3, "k_min": 1, "offset_us": -1}, "binning"),
])
def test_params_from_dict_errors(d, where):
    with pytest.raises(InputError) as info:
        BinningParams.from_dict(d, source="weights/qclif/manifest.json")
    assert str(info.value).startswith(f"weights/qclif/manifest.json: {where}: ")
