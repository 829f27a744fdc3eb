"""``python -m ml.train.rsnn train|report|finetune|samples`` (see ml/train/rsnn/cli.py)."""
import sys

from ml.train.rsnn.cli import main

sys.exit(main())
