"""rsnn training (docs/training_rsnn.md), one job per module:

- ``net``: ``RsnnNet``, the integer network of docs/rsnn.md in torch (modes int, qat,
  float) and ``assert_integer_equal`` / ``assert_integer_equal_all`` against
  ``model.rsnn.run``;
- ``data``: prepared speech (``spikedv speech prepare``) as utterance lists, padded
  batches, the validation speakers, the sample files beside the weights;
- ``loop``: ``TrainConfig`` and the training epochs (learning-rate and penalty schedules);
- ``evaluate``: accuracy, PER, sparsity, decoder choice, cycles per frame, model size;
- ``prune``: structured and FC pruning, the L1 even/odd renumbering;
- ``pipeline``: a whole training run and the fine-tuning at another T;
- ``export``: the weights directory (write, read back, float baseline, samples);
- ``report``: the figures of an exported weights directory (``spikedv rsnn report``);
- ``cli``: ``spikedv rsnn train|report`` and ``python -m ml.train.rsnn``.

Importing this package or ``cli`` needs no torch; every other module does.
"""
