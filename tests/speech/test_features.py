"""Log-mel features (shape, frame alignment, values) and the u8 quantizer."""
import json

import numpy as np
import pytest

pytest.importorskip("librosa")

from model.errors import InputError  # noqa: E402
from ml.speech import features as F  # noqa: E402
from ml.speech.features import Quantizer, logmel, mel_filterbank, n_frames  # noqa: E402
from ml.speech.phones import frame_labels  # noqa: E402

RATE = 16000


def chirp(seconds=1.0, f0=100.0, f1=7000.0, amp=12000):
    t = np.arange(int(seconds * RATE)) / RATE
    phase = 2 * np.pi * (f0 * t + (f1 - f0) * t ** 2 / (2 * seconds))
    return np.round(amp * np.sin(phase)).astype(np.int16)


# ---------------------------------------------------------------- features

@pytest.mark.parametrize("n, want", [(0, 0), (399, 0), (400, 1), (559, 1), (560, 2),
                                     (16000, 98), (16079, 98), (16080, 99)])
def test_frame_count(n, want):
    assert n_frames(n) == want
    assert logmel(np.zeros(n, np.int16)).shape == (want, 40)


def test_chirp_shape_dtype_and_rising_band():
    f = logmel(chirp())
    assert f.shape == (98, 40) and f.dtype == np.float32 and np.isfinite(f).all()
    peak = f.argmax(axis=1)
    # the chirp sweeps upwards: its loudest band climbs with time
    assert peak[5] < peak[45] < peak[90]
    assert np.all(np.diff(peak[2:-2]) >= -1)


def test_tone_lands_in_its_mel_band():
    librosa = pytest.importorskip("librosa")
    centres = librosa.mel_frequencies(n_mels=42, fmin=F.FMIN, fmax=F.FMAX, htk=True)[1:-1]
    for band in (5, 20, 33):
        t = np.arange(RATE) / RATE
        tone = np.round(8000 * np.sin(2 * np.pi * centres[band] * t)).astype(np.int16)
        assert np.bincount(logmel(tone).argmax(axis=1)).argmax() == band


def test_frame_k_is_centred_on_sample_160k_plus_200():
    """An impulse at sample 160 k + 200 (frame k's centre, where frame_labels looks)
    is loudest in frame k, and frames that do not cover it stay at the floor."""
    for k in (0, 1, 7, 40):
        x = np.zeros(RATE, np.int16)
        x[160 * k + 200] = 20000
        energy = logmel(x).sum(axis=1)
        assert energy.argmax() == k
        covering = [j for j in range(n_frames(RATE)) if 160 * j <= 160 * k + 200 < 160 * j + 400]
        silent = np.setdiff1d(np.arange(n_frames(RATE)), covering + [c + 1 for c in covering])
        assert np.all(energy[silent] == pytest.approx(40 * np.log(F.LOG_FLOOR)))


def test_frames_match_a_direct_computation():
    """Frame k = log(mel @ |FFT512(hann400 * y[160k:160k+400])|^2), y pre-emphasized."""
    x = chirp(0.5)
    y = x / 32768.0
    y = np.concatenate([y[:1], y[1:] - 0.97 * y[:-1]])
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(400) / 400)     # periodic
    f = logmel(x)
    for k in (0, 3, len(f) - 1):
        spec = np.abs(np.fft.rfft(y[160 * k:160 * k + 400] * hann, 512)) ** 2
        want = np.log(np.maximum(mel_filterbank() @ spec, F.LOG_FLOOR))
        np.testing.assert_allclose(f[k], want, rtol=1e-5, atol=1e-4)


def test_frame_count_matches_frame_labels():
    segs = [(0, 3000, "h#"), (3000, 9000, "s"), (9000, 16000, "h#")]
    f = logmel(chirp())
    labels = frame_labels(segs, len(f))
    assert len(labels) == len(f)
    centres = np.arange(len(f)) * 160 + 200
    assert np.all((labels != 0) == ((centres >= 3000) & (centres < 9000)))


def test_float_input_and_errors():
    x = chirp(0.3)
    np.testing.assert_allclose(logmel(x / 32768.0), logmel(x), rtol=1e-6, atol=1e-5)
    with pytest.raises(ValueError, match="16000 Hz"):
        logmel(x, rate=8000)
    with pytest.raises(ValueError, match="1-D"):
        logmel(np.zeros((2, 800)))


# ---------------------------------------------------------------- quantizer

@pytest.fixture
def train_features():
    rng = np.random.default_rng(5)
    return [rng.normal(loc=np.linspace(-10, 5, 40), scale=np.linspace(0.5, 3, 40),
                       size=(n, 40)).astype(np.float32) for n in (300, 200, 500)]


def test_fit_maps_percentiles_to_the_u8_range(train_features):
    q = Quantizer.fit(train_features)
    data = np.concatenate(train_features).astype(np.float64)
    low, high = np.percentile(data, 0.5, axis=0), np.percentile(data, 99.5, axis=0)
    np.testing.assert_allclose(low * q.scale + q.offset, 0, atol=1e-9)
    np.testing.assert_allclose(high * q.scale + q.offset, 255, atol=1e-9)
    codes = q.quantize(data)
    assert codes.dtype == np.uint8 and codes.shape == data.shape
    assert codes.min() == 0 and codes.max() == 255
    clipped = np.mean((codes == 0) | (codes == 255))
    assert 0.005 < clipped < 0.02           # about 0.5% at each end
    assert q.n_frames == 1000 and q.n_features == 40


def test_quantize_rounds_and_clamps(train_features):
    q = Quantizer(np.full(2, 10.0), np.array([0.0, -5.0]))
    f = np.array([[0.04, 0.5], [0.05, 0.549], [-3.0, 100.0], [25.5, 26.0]])
    assert q.quantize(f).tolist() == [[0, 0], [1, 0], [0, 255], [255, 255]]
    inner = np.array([[1.0, 2.0]])
    assert np.abs(q.dequantize(q.quantize(inner)) - inner).max() <= 0.5 / 10 + 1e-7
    with pytest.raises(ValueError, match=r"\(frames, 2\)"):
        q.quantize(np.zeros((3, 40)))


def test_dict_round_trip_through_json(train_features):
    q = Quantizer.fit(train_features)
    d = json.loads(json.dumps(q.to_dict()))
    back = Quantizer.from_dict(d)
    assert np.array_equal(back.scale, q.scale) and np.array_equal(back.offset, q.offset)
    assert (back.low_percentile, back.high_percentile, back.n_frames) == (0.5, 99.5, 1000)
    f = np.concatenate(train_features)
    assert np.array_equal(back.quantize(f), q.quantize(f))
    assert d["features"]["hop"] == 160 and d["features"]["win"] == 400
    assert d["features"]["n_mels"] == 40


def _broken(d, path, value):
    d = json.loads(json.dumps(d))
    node = d
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return d


@pytest.mark.parametrize("path, value, field", [
    (("kind",), "linear", "quantizer.kind"),
    (("n_features",), 0, "quantizer.n_features"),
    (("n_features",), True, "quantizer.n_features"),
    (("scale",), [1.0] * 39, "quantizer.scale"),
    (("scale", 3), -1.0, r"quantizer.scale\[3\]"),
    (("offset", 7), "x", r"quantizer.offset\[7\]"),
    (("offset", 2), float("nan"), r"quantizer.offset\[2\]"),
    (("offset",), KeyError, "quantizer.offset"),
    (("low_percentile",), 99.9, "quantizer.low_percentile"),
    (("n_frames",), -1, "quantizer.n_frames"),
    (("features", "hop"), 128, "quantizer.features.hop"),
    (("features", "n_mels"), 80, "quantizer.features.n_mels"),
])
def test_from_dict_names_the_bad_field(train_features, path, value, field):
    d = _broken(Quantizer.fit(train_features).to_dict(), path, value)
    with pytest.raises(InputError, match=rf"^manifest.json: {field}: "):
        Quantizer.from_dict(d, source="manifest.json")


def test_fit_errors():
    with pytest.raises(ValueError, match="at least one"):
        Quantizer.fit([])
    with pytest.raises(ValueError, match="one F"):
        Quantizer.fit([np.zeros((3, 40)), np.zeros((3, 39))])
    with pytest.raises(ValueError, match="NaN"):
        Quantizer.fit([np.full((3, 2), np.nan)])


def test_constant_feature_does_not_divide_by_zero():
    q = Quantizer.fit([np.column_stack([np.arange(10.0), np.full(10, 3.0)])])
    assert np.isfinite(q.scale).all() and (q.scale > 0).all()
