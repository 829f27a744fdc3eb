"""Synthetic DVS Gesture: scenes (where the motion is) and the dataset writer.

Conventions under test (ml.dvs.scenes): x = column, y = row, row 0 at the
top; the figure faces the camera, so the person's RIGHT hand is on the IMAGE
LEFT (x < body centre); clockwise is as seen in the image (y down), where a
clockwise path has a positive shoelace sum  sum(x_i y_{i+1} - x_{i+1} y_i).
"""
import numpy as np
import pytest

from ml.dvs.layout import (CLASS_NAMES, LIGHTINGS, iter_samples, list_trials, load_trial)
from ml.dvs.render import LIGHTING_PROFILES
from ml.dvs.scenes import make_scene
from ml.dvs.synth import SynthConfig, plan_trials, synthesize_dataset, synthesize_trial

CLS = {name: i for i, name in enumerate(CLASS_NAMES)}
TINY = SynthConfig(gesture_s=(0.25, 0.35), gap_s=(0.1, 0.15), lead_s=0.1, tail_s=0.1)


def single(name, seed=0, duration=1.2, lighting="lab", sway_px=(0.3, 1.5)):
    return make_scene(np.random.default_rng(seed), lighting, classes=[CLS[name]],
                      durations_s=[duration], lead_s=0.1, tail_s=0.1, sway_px=sway_px)


def motion_map(scene):
    """Summed |frame difference| over the gesture, frames every 5 ms, unmodulated."""
    _, s, e = scene.segments[0]
    frames = scene.render(np.arange(s, e, 5000), modulate=False)
    return np.abs(np.diff(frames, axis=0)).sum(axis=0)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("sway", [False, True])
def test_hand_waves_move_the_correct_side(seed, sway):
    # without body sway all the motion is the waving arm's; with it the body's
    # outline moves too (a dark shirt on a light background is the strongest edge)
    for name, on_left in (("right_hand_wave", True), ("left_hand_wave", False)):
        sc = single(name, seed, sway_px=(0.3, 1.5) if sway else (0.0, 0.0))
        m = motion_map(sc)
        cx = int(round(sc.body.cx))
        left, right = m[:, :cx].sum(), m[:, cx:].sum()
        share = left / (left + right) if on_left else right / (left + right)
        assert share > (0.7 if sway else 0.97), (name, share)
        # and above the shoulders' line mostly: the hand is raised
        rows = m.sum(axis=1)
        assert rows[:int(sc.body.neck_y) + 10].sum() > 0.5 * rows.sum()


def test_hand_clap_is_symmetric_and_the_hands_meet():
    sc = single("hand_clap", 3, sway_px=(0.0, 0.0))
    m = motion_map(sc)
    cx = int(round(sc.body.cx))
    left, right = m[:, :cx].sum(), m[:, cx:].sum()
    assert 0.3 < left / (left + right) < 0.7
    _, s, e = sc.segments[0]
    j = sc.joints(np.arange(s, e, 5000) * 1e-6)
    gap = j["left_hand"][:, 0] - j["right_hand"][:, 0]
    hand_r = 4.6 * sc.body.size
    assert gap.min() < 2 * hand_r + 1 and gap.max() > 2 * hand_r + 8
    assert np.all(j["right_hand"][:, 0] < j["left_hand"][:, 0])


@pytest.mark.parametrize("name", ["right_arm_clockwise", "right_arm_counter_clockwise",
                                  "left_arm_clockwise", "left_arm_counter_clockwise"])
def test_arm_rotation_sense_and_side(name):
    sc = single(name, 5, duration=2.0)
    g = sc.gestures[0]
    side = "right" if name.startswith("right") else "left"
    t = (g.start_s + np.linspace(0, g.period_s, 200, endpoint=False)) * 1.0
    hand = sc.joints(t)[f"{side}_hand"]
    x, y = hand[:, 0], hand[:, 1]
    shoelace = np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
    assert (shoelace > 0) == (not name.endswith("counter_clockwise"))
    mean_x = x.mean() - sc.body.cx
    assert (mean_x < 0) == (side == "right")          # the person's right = image left


def test_every_class_renders_with_motion_and_deterministically():
    for i, name in enumerate(CLASS_NAMES):
        a = single(name, 10 + i, duration=0.4)
        b = single(name, 10 + i, duration=0.4)
        t = np.arange(0, a.duration_us, 20_000)
        fa, fb = a.render(t), b.render(t)
        assert fa.shape == (len(t), 128, 128) and fa.dtype == np.float32
        assert np.array_equal(fa, fb)
        assert np.all(fa > 0)
        mean = fa.mean()
        assert (motion_map(a) > 0.05 * mean).sum() > 200, name    # pixels that change


def test_frame_times_and_flicker_sampling():
    sc = make_scene(np.random.default_rng(2), "fluorescent", classes=[0, 7],
                    durations_s=[0.3, 0.3])
    geo, out = sc.output_times_us()
    assert geo[0] == 0 and geo[-1] == sc.duration_us and np.all(np.diff(geo) > 0)
    assert np.all(np.diff(geo) <= 10_000)
    assert np.all(np.diff(out) <= 1000)           # 120 Hz flicker: 1 ms frames
    chunks = list(sc.iter_frames())
    times = np.concatenate([t for t, _ in chunks])
    assert np.array_equal(times, out)
    # frames between rendered ones are interpolated, then modulated by m(t): the
    # ratio to a direct rendering is 1 but near moving edges
    t, f = chunks[0]
    mod = sc.modulation(t * 1e-6)
    assert np.ptp(mod) > 0.05
    for k in range(0, len(t), 4):
        ratio = f[k] / sc.render(t[k:k + 1])[0]
        assert abs(np.median(ratio) - 1) < 1e-5 and np.mean(np.abs(ratio - 1) < 1e-3) > 0.97
    assert LIGHTING_PROFILES["lab"].sample_us is None


def test_plan_trials_splits_by_user():
    plan = plan_trials(22, seed=1, users=[1, 2], test_users=[2])
    assert [(u, s) for u, _, s in plan] == [(1, "train"), (2, "test")]
    plan = plan_trials(11 * 12, seed=1)                  # 12 trials: 3 users, last is test
    users = sorted({u for u, _, _ in plan})
    assert users == [1, 2, 3]
    assert {u for u, _, s in plan if s == "test"} == {3}
    assert len({(u, lt) for u, lt, _ in plan}) == 12
    with pytest.raises(ValueError):
        plan_trials(11 * 11, seed=1, users=[1, 2])       # 11 trials > 2 users x 5
    with pytest.raises(ValueError):
        plan_trials(11, seed=1, users=[1, 2], test_users=[3])


def test_tiny_dataset_reads_back_through_layout(tmp_path):
    rep = synthesize_dataset(tmp_path, 22, seed=7, users=[1, 2], test_users=[2],
                             config=TINY, workers=2)
    assert rep.samples == 22 and len(rep.trials) == 2 and rep.events > 0
    assert rep.events_per_s > 0 and rep.samples_per_min > 0
    train, test = list_trials(tmp_path, "train"), list_trials(tmp_path, "test")
    assert len(train) == 1 and train[0].startswith("user01_")
    assert len(test) == 1 and test[0].startswith("user02_")
    for name in train + test:
        trial = load_trial(tmp_path, name, strict_labels=True)
        assert trial.lighting in LIGHTINGS and not trial.labels.warnings
        assert trial.stats.monotonic and trial.stats.invalid_events == 0
        segs = trial.labels.segments
        assert sorted(s.class_id for s in segs) == list(range(1, 12))
        assert all(250_000 <= s.end_us - s.start_us <= 350_000 for s in segs)
        ev = trial.events
        assert ev.is_sorted() and ev.x.max() < 128 and ev.y.max() < 128
        for s in segs:            # every gesture makes plenty of events
            assert len(ev.time_slice(s.start_us, s.end_us)) > 200
    samples = list(iter_samples(tmp_path, "train")) + list(iter_samples(tmp_path, "test"))
    assert sorted(c for _, c, _ in samples) == sorted(list(range(11)) * 2)


def test_trials_are_deterministic(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for d, seed in ((a, 3), (b, 3), (c, 4)):
        d.mkdir()
        synthesize_trial(d, 5, "natural", seed, TINY)
    name = "user05_natural"
    for suffix in (".aedat", "_labels.csv"):
        assert (a / f"{name}{suffix}").read_bytes() == (b / f"{name}{suffix}").read_bytes()
    assert (a / f"{name}.aedat").read_bytes() != (c / f"{name}.aedat").read_bytes()
