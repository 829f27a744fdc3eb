"""qclif training (docs/training_qclif.md), one job per module:

- ``net``: ``QclifNet``, the integer network of docs/qclif.md in torch (modes int, qat,
  float), its registers (``REGS_8BIT``, ``regs_for_bits``) and ``assert_integer_equal``
  against ``model.qclif.run``;
- ``data``: the synthetic DVS Gesture corpus and its prepared splits (made on demand under
  build/dvs), extra training windows, block shifts;
- ``loop``: ``TrainConfig``, evaluation, the training loop with checkpoints and resume,
  post-training quantization;
- ``pipeline``: a whole training run, results and export;
- ``export``: the weights directory (write, read back) and the accuracies of all runs;
- ``report``: accuracy, confusion matrix, activity and RTL cycles of exported weights
  (numpy model and Verilator; matplotlib, no torch);
- ``cli``: ``spikedv qclif train|report`` and ``python -m ml.train.qclif``.

Importing this package or ``cli`` needs no torch.
"""
