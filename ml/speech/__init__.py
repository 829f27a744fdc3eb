"""Speech data layer: TIMIT phones and foldings, SPHERE audio, the TIMIT
corpus layout, and the shared real-speech samples.

Modules: ``phones`` (61/48/39 sets, PER, frame labels), ``sphere`` (SPHERE
and WAV audio), ``timit`` (.PHN/.WRD/.TXT and folder layout), ``samples``
(../shared/data/speech-samples).
"""
from ml.speech.phones import (CLASSES48, PHONES39, PHONES61, SIL, Segment, class_index,
                                 fold48to39, fold61to48, frame_labels, per, per_counts, to48)
from ml.speech.sphere import read_audio, read_sphere, write_sphere
from ml.speech.timit import (CORE_TEST_SPEAKERS, Utterance, list_utterances, load_utterance,
                                read_phn, read_txt, read_wrd)
from ml.speech.samples import SpeechSample, load_samples

__all__ = [
    "CLASSES48", "PHONES39", "PHONES61", "SIL", "Segment", "class_index", "fold48to39",
    "fold61to48", "frame_labels", "per", "per_counts", "to48",
    "read_audio", "read_sphere", "write_sphere",
    "CORE_TEST_SPEAKERS", "Utterance", "list_utterances", "load_utterance",
    "read_phn", "read_txt", "read_wrd",
    "SpeechSample", "load_samples",
]
