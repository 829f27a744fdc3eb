"""Data pipelines (speech, DVS) and training (torch QAT) on top of the reference models.

Floor 6 of docs/architecture.md: may import model/, the engines and everything below.

- ``ml.speech``: TIMIT reader, synthetic TIMIT-format corpus, log-mel features, the
  phone decoder; ``spikedv speech synth|prepare`` (docs/data.md).
- ``ml.dvs``: AEDAT 3.1 reader/writer, synthetic DVS Gesture corpus, binning;
  ``spikedv dvs synth|prepare`` (docs/data.md).
- ``ml.train``: the torch training forms of rsnn and qclif, export and reports;
  ``spikedv rsnn|qclif train|report`` (docs/training_rsnn.md, docs/training_qclif.md).
- ``ml.paths``: the default places (the checkout's ``build/``, ``weights/``,
  ``reports/``); ``ml.files``: JSON inputs with one-line errors; ``ml.cli_util``: the
  ``python -m`` entries and progress callbacks the ``cli`` modules share.
"""
