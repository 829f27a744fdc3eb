"""SPHERE reader/writer and the sniffing audio reader."""
import numpy as np
import pytest
from scipy.io import wavfile

from model.errors import InputError
from ml.speech.sphere import make_header, read_audio, read_sphere, write_sphere

RNG = np.random.default_rng(7)
SAMPLES = RNG.integers(-32768, 32768, size=1234).astype(np.int16)


def timit_fields(**over):
    fields = {"database_id": "TIMIT", "utterance_id": "cjf0_sa1", "channel_count": 1,
              "sample_count": len(SAMPLES), "sample_rate": 16000, "sample_n_bytes": 2,
              "sample_byte_format": "01", "sample_sig_bits": 16}
    fields.update(over)
    return fields


def write_raw(path, fields, data=SAMPLES.astype("<i2").tobytes()):
    path.write_bytes(make_header(fields) + data)
    return path


def header_line_of(path, key):
    lines = path.read_bytes()[:1024].decode("ascii").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(key + " "))


@pytest.mark.parametrize("byte_format", ["01", "10"])
def test_round_trip_both_byte_orders(tmp_path, byte_format):
    path = tmp_path / "SA1.WAV"
    write_sphere(path, SAMPLES, utterance_id="cjf0_sa1", byte_format=byte_format)
    assert path.stat().st_size == 1024 + 2 * len(SAMPLES)
    samples, fields = read_sphere(path)
    assert samples.dtype == np.int16 and np.array_equal(samples, SAMPLES)
    assert fields["sample_byte_format"] == byte_format
    assert fields["utterance_id"] == "cjf0_sa1" and fields["database_id"] == "TIMIT"
    assert fields["sample_coding"] == "pcm" and fields["sample_sig_bits"] == 16


def test_header_layout_is_timit_style(tmp_path):
    path = tmp_path / "x.wav"
    write_sphere(path, SAMPLES[:10], utterance_id="u1")
    head = path.read_bytes()[:1024]
    assert head.startswith(b"NIST_1A\n   1024\n")
    assert b"sample_count -i 10\n" in head and b"sample_byte_format -s2 01\n" in head
    assert b"end_head\n" in head


def test_reads_hand_made_big_endian_timit_header(tmp_path):
    # A TIMIT header as shipped (no sample_coding: defaults to pcm), big-endian data.
    path = write_raw(tmp_path / "be.wav", timit_fields(sample_byte_format="10"),
                     SAMPLES.astype(">i2").tobytes())
    samples, _ = read_sphere(path)
    assert np.array_equal(samples, SAMPLES)


def test_truncated_names_file_and_byte(tmp_path):
    path = write_raw(tmp_path / "cut.wav", timit_fields(), SAMPLES.astype("<i2").tobytes()[:-100])
    end = 1024 + 2 * len(SAMPLES) - 100
    with pytest.raises(InputError, match=rf"cut\.wav: byte {end}: truncated"):
        read_sphere(path)


def test_sample_count_disagreeing_with_data(tmp_path):
    path = write_raw(tmp_path / "long.wav", timit_fields(sample_count=1000))
    with pytest.raises(InputError, match=r"long\.wav: byte 3024: 468 bytes of extra data"):
        read_sphere(path)


@pytest.mark.parametrize("key, value, message", [
    ("sample_rate", 8000, "sample_rate is 8000, expected 16000"),
    ("sample_n_bytes", 1, "sample_n_bytes is 1"),
    ("channel_count", 2, "channel_count is 2"),
    ("sample_byte_format", "1", "sample_byte_format '1'"),
    ("sample_coding", "pcm,embedded-shorten-v2.00", "shorten-compressed"),
    ("sample_coding", "ulaw", "not supported"),
])
def test_bad_format_fields_name_the_header_line(tmp_path, key, value, message):
    path = write_raw(tmp_path / "bad.wav", timit_fields(**{key: value}))
    line = header_line_of(path, key)
    with pytest.raises(InputError, match=rf"bad\.wav: line {line}: .*{message}"):
        read_sphere(path)


def test_other_rate_allowed_when_asked(tmp_path):
    path = write_raw(tmp_path / "r8k.wav", timit_fields(sample_rate=8000))
    samples, fields = read_sphere(path, expect_rate=None)
    assert fields["sample_rate"] == 8000 and len(samples) == len(SAMPLES)


def test_missing_field_and_missing_end_head(tmp_path):
    fields = timit_fields()
    del fields["sample_count"]
    with pytest.raises(InputError, match=r"nocount\.wav: header: no sample_count field"):
        read_sphere(write_raw(tmp_path / "nocount.wav", fields))
    path = tmp_path / "noend.wav"
    path.write_bytes(make_header(timit_fields()).replace(b"end_head\n", b" " * 9))
    with pytest.raises(InputError, match=r"noend\.wav: .*end_head"):
        read_sphere(path)


def test_not_sphere_and_bad_value(tmp_path):
    path = tmp_path / "junk.wav"
    path.write_bytes(b"hello world" * 10)
    with pytest.raises(InputError, match=r"junk\.wav: byte 0: not a NIST SPHERE"):
        read_sphere(path)
    with pytest.raises(InputError, match=r"junk\.wav: byte 0: neither NIST SPHERE nor RIFF"):
        read_audio(path)
    path = tmp_path / "val.wav"
    path.write_bytes(make_header(timit_fields()).replace(b"sample_count -i 1234", b"sample_count -i 12x4"))
    with pytest.raises(InputError, match=r"val\.wav: line \d+: sample_count: '12x4'"):
        read_sphere(path)


def test_read_audio_sniffs_sphere_and_riff(tmp_path):
    sph = tmp_path / "a.WAV"
    write_sphere(sph, SAMPLES)
    riff = tmp_path / "b.WAV"  # same extension: only the content tells them apart
    wavfile.write(riff, 16000, SAMPLES)
    for path in (sph, riff):
        samples, rate = read_audio(path)
        assert rate == 16000 and samples.dtype == np.int16 and np.array_equal(samples, SAMPLES)


def test_read_audio_rejects_non_int16_or_stereo_wav(tmp_path):
    path = tmp_path / "f.wav"
    wavfile.write(path, 16000, SAMPLES.astype(np.float32))
    with pytest.raises(InputError, match=r"f\.wav: .*only 16-bit PCM"):
        read_audio(path)
    wavfile.write(path, 16000, np.stack([SAMPLES, SAMPLES], axis=1))
    with pytest.raises(InputError, match=r"f\.wav: .*only mono"):
        read_audio(path)


def test_writer_rejects_bad_samples(tmp_path):
    with pytest.raises(ValueError):
        write_sphere(tmp_path / "x.wav", np.zeros((2, 3), np.int16))
    with pytest.raises(ValueError):
        write_sphere(tmp_path / "x.wav", np.array([40000]))
    with pytest.raises(ValueError):
        write_sphere(tmp_path / "x.wav", np.array([0.5]))
