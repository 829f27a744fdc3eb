"""DVS pixel model tests on hand-built intensity sequences.

Frames are built from the log intensity we want: I = exp(L) - dark, so the
model sees log(I + dark) = L (to float32 rounding, hence +-1 us on times).
With threshold 0.2 and no mismatch, a step of L by 0.5 (2.5 thresholds) is
two ON crossings, at levels 0.2 and 0.4, i.e. at 40% and 80% of the frame
interval.
"""
import math

import numpy as np
import pytest

from ml.dvs.pixel import DvsSensor, PixelParams, simulate

TH = 0.2
EXACT = PixelParams(threshold_on=TH, threshold_off=TH, threshold_sigma=0.0,
                    refractory_us=0.0, noise_rate_hz=0.0)


def frames_from_log(logs):
    return (np.exp(np.asarray(logs, dtype=np.float64)) - EXACT.dark).astype(np.float32)


def step_sequence(shape=(8, 12), pixel=(7, 5), levels=(0.0, 0.5, 0.5), dt=1000):
    """Frames at 0, dt, 2dt...: log level 0 everywhere except ``pixel`` (row, col)."""
    logs = np.zeros((len(levels),) + shape)
    for k, v in enumerate(levels):
        logs[k][pixel] = v
    return np.arange(len(levels)) * dt, frames_from_log(logs)


def as_tuples(ev):
    return sorted(zip(ev.t.tolist(), ev.x.tolist(), ev.y.tolist(), ev.p.tolist()))


def assert_times(ev, expected):
    assert len(ev) == len(expected)
    assert np.all(np.abs(np.sort(ev.t) - np.asarray(expected)) <= 1), (ev.t, expected)


def test_step_of_two_and_a_half_thresholds_gives_two_on_events():
    t, f = step_sequence()
    ev = simulate(t, f, EXACT, rng=0)
    assert len(ev) == 2
    assert set(ev.x.tolist()) == {5} and set(ev.y.tolist()) == {7}   # x = column, y = row
    assert ev.p.tolist() == [1, 1]
    assert_times(ev, [400, 800])
    assert ev.is_sorted()


def test_negative_step_gives_two_off_events():
    t, f = step_sequence(levels=(0.0, -0.5, -0.5))
    ev = simulate(t, f, EXACT, rng=0)
    assert ev.p.tolist() == [0, 0]
    assert_times(ev, [400, 800])


def test_reference_level_is_memorized():
    # 0 -> 0.5: ON at 0.2, 0.4 (ref 0.4). 0.5 -> 0: d = -0.4 = two OFF crossings at
    # levels 0.2 and 0.0, at 60% and 100% of the second interval.
    t, f = step_sequence(levels=(0.0, 0.5, 0.0))
    ev = simulate(t, f, EXACT, rng=0)
    assert ev.p.tolist() == [1, 1, 0, 0]
    assert_times(ev, [400, 800, 1600, 2000])


def test_sub_threshold_change_accumulates():
    # +0.15 twice: nothing after the first frame, one event (level 0.2) in the second
    # interval, at (0.2 - 0.15) / 0.15 = 1/3 of it.
    t, f = step_sequence(levels=(0.0, 0.15, 0.30))
    ev = simulate(t, f, EXACT, rng=0)
    assert ev.p.tolist() == [1]
    assert_times(ev, [1333])


def test_refractory_period_suppresses_the_second_event():
    p = EXACT.replace(refractory_us=1000.0)
    # interval 1: crossings at 400 and 800 -> 800 dropped (400 us after the first);
    # the reference still moves to 0.4. Interval 4 (3000 -> 4000): 0.5 -> 0.9,
    # crossings at levels 0.6 and 0.8, at 1/4 and 3/4 of the interval: 3250 (kept)
    # and 3750 (dropped).
    t, f = step_sequence(levels=(0.0, 0.5, 0.5, 0.5, 0.9))
    ev = simulate(t, f, p, rng=0)
    assert ev.p.tolist() == [1, 1]
    assert_times(ev, [400, 3250])
    # without the refractory period all four crossings come out
    assert len(simulate(t, f, EXACT, rng=0)) == 4


def test_refractory_on_a_ramp_matches_a_hand_walk():
    # L rises 0.21 per 1 ms frame: crossing j at j * 0.2 / 0.21 ms = 952.38 j us.
    n = 12
    logs = np.zeros((n + 1, 1, 1))
    logs[:, 0, 0] = 0.21 * np.arange(n + 1)
    t = np.arange(n + 1) * 1000
    crossings = [j * 0.2 / 0.21 * 1000 for j in range(1, int(0.21 * n / 0.2 + 1e-9) + 1)]
    for refr in (0.0, 1000.0, 2500.0):
        kept, last = [], -math.inf
        for c in crossings:
            if c - last >= refr:
                kept.append(math.floor(c))
                last = c
        ev = simulate(t, frames_from_log(logs), EXACT.replace(refractory_us=refr), rng=0)
        assert_times(ev, kept)


def test_no_change_gives_no_events():
    rng = np.random.default_rng(3)
    frame = rng.uniform(0.05, 2.0, size=(16, 16)).astype(np.float32)
    frames = np.repeat(frame[None], 50, axis=0)
    p = PixelParams(threshold_sigma=0.05, noise_rate_hz=0.0)
    assert len(simulate(np.arange(50) * 1000, frames, p, rng=1)) == 0


def test_threshold_mismatch_statistics():
    s = DvsSensor(PixelParams(threshold_on=0.2, threshold_off=0.25, threshold_sigma=0.03),
                  rng=5)
    assert s.theta_on.size == 128 * 128
    assert abs(s.theta_on.mean() - 0.2) < 0.002 and abs(s.theta_on.std() - 0.03) < 0.002
    assert abs(s.theta_off.mean() - 0.25) < 0.002 and abs(s.theta_off.std() - 0.03) < 0.002


@pytest.mark.parametrize("sigma", [0.0, 0.5])
def test_background_noise_rate(sigma):
    rate, span = 2.0, 2_000_000
    p = PixelParams(noise_rate_hz=rate, noise_sigma=sigma)
    frame = np.full((1, 128, 128), 0.5, dtype=np.float32)
    s = DvsSensor(p, rng=11)
    s.feed([0], frame)
    ev = s.finish(span)
    expect = 128 * 128 * rate * span * 1e-6                 # 65536
    assert abs(len(ev) - expect) < 5 * math.sqrt(expect) + 0.01 * expect * (sigma > 0)
    assert abs(ev.p.mean() - 0.5) < 5 * math.sqrt(0.25 / len(ev))
    assert ev.t.min() >= 0 and ev.t.max() < span and ev.is_sorted()
    assert abs(ev.t.mean() - span / 2) < 5 * span / math.sqrt(12 * len(ev))
    counts = np.bincount(ev.y.astype(int) * 128 + ev.x, minlength=128 * 128)
    if sigma == 0:   # Poisson: variance = mean
        assert abs(counts.var() / counts.mean() - 1) < 0.05
    else:            # log-normal rates: over-dispersed
        assert counts.var() / counts.mean() > 1.5


def test_leak_events():
    # ref drifts down by 5 thresholds per second: 10 ON events per pixel in 2.1 s
    p = EXACT.replace(leak_rate_hz=5.0)
    t = np.arange(0, 2_100_001, 10_000)
    frames = np.full((len(t), 4, 4), 0.7, dtype=np.float32)
    ev = simulate(t, frames, p, rng=0)
    assert len(ev) == 16 * 10 and ev.p.all()
    per_pixel = np.sort(ev.t[(ev.x == 1) & (ev.y == 2)])
    assert np.allclose(np.diff(per_pixel), 200_000, atol=10_001)


def test_lowpass_attenuates_fast_flicker():
    t = np.arange(0, 200_000, 250)
    logs = 0.3 * np.sin(2 * np.pi * 500 * t * 1e-6)[:, None, None] * np.ones((1, 4, 4))
    f = frames_from_log(logs)
    fast = len(simulate(t, f, EXACT, rng=0))
    slow = len(simulate(t, f, EXACT.replace(lowpass_hz=50.0), rng=0))
    assert fast > 1000 and slow == 0


def reference_events(sensor, times, frames, refr):
    """Pixel by pixel, frame by frame: the model's rules written plainly."""
    L = sensor.log_intensity(frames).reshape(len(times), -1).astype(np.float64)
    out = []
    w = frames.shape[2]
    for i in range(L.shape[1]):
        ref, last = L[0, i], -math.inf
        for k in range(1, len(times)):
            d = L[k, i] - ref
            if d >= sensor.theta_on[i]:
                step, pol = sensor.theta_on[i], 1
            elif d <= -sensor.theta_off[i]:
                step, pol = -sensor.theta_off[i], 0
            else:
                continue
            n = math.floor(d / step)
            for j in range(1, n + 1):
                frac = (ref + j * step - L[k - 1, i]) / (L[k, i] - L[k - 1, i])
                te = times[k - 1] + min(max(frac, 0.0), 1.0) * (times[k] - times[k - 1])
                if te - last >= refr:
                    out.append((math.floor(te), i % w, i // w, pol))
                    last = te
            ref += n * step
    return sorted(out)


def test_matches_a_plain_reference_and_does_not_depend_on_chunking():
    rng = np.random.default_rng(8)
    n = 60
    times = np.cumsum(rng.integers(200, 3000, n))
    walk = np.cumsum(rng.normal(0, 0.15, (n, 10, 10)), axis=0)
    frames = frames_from_log(walk)
    p = PixelParams(threshold_sigma=0.04, refractory_us=700.0, noise_rate_hz=0.0)
    whole = DvsSensor(p, (10, 10), rng=4)
    whole.feed(times, frames)
    ev = whole.finish()
    assert len(ev) > 300
    assert as_tuples(ev) == reference_events(DvsSensor(p, (10, 10), rng=4), times, frames, 700.0)
    pieces = DvsSensor(p, (10, 10), rng=4)
    for lo in range(0, n, 7):
        pieces.feed(times[lo:lo + 7], frames[lo:lo + 7], chunk=3)
    assert pieces.finish() == ev


def test_bad_input():
    with pytest.raises(ValueError):
        PixelParams(threshold_on=0.0)
    with pytest.raises(ValueError):
        PixelParams(noise_on_fraction=1.5)
    s = DvsSensor(EXACT, (4, 4), rng=0)
    with pytest.raises(ValueError):
        s.feed([0, 0], np.ones((2, 4, 4), np.float32))          # times must increase
    with pytest.raises(ValueError):
        s.feed([0], np.ones((1, 5, 4), np.float32))             # wrong shape
