"""``python -m ml.train.qclif train|report`` (see ml/train/qclif/cli.py)."""
import sys

from ml.train.qclif.cli import main

sys.exit(main())
