"""Fixtures of the training tests: a tiny prepared speech corpus, made once per session.

30 synthetic utterances (ml.speech.synth, both engines when installed; a few seconds)
prepared into train.npz / test.npz / quantizer.json (ml.speech.prepare, needs librosa)
and the real recordings' samples.npz; skipped where the synthesizers or librosa are
missing.
"""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def speech_data(tmp_path_factory):
    pytest.importorskip("librosa", reason="needs the speech extra: pip install -e .[speech]")
    from ml.speech.engines import available_engines
    from ml.speech.prepare import prepare
    from ml.speech.synth import synthesize_corpus

    engines = available_engines()
    if not engines:
        pytest.skip("no speech synthesizer: run scripts/install_speech_tools.sh")
    root = tmp_path_factory.mktemp("speech")
    synthesize_corpus(root / "timit", 30, seed=0, engines=engines, jobs=1)
    prepare(root / "timit", root / "prepared")
    return root / "prepared"
