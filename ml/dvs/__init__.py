"""DVS128 Gesture data layer: AEDAT 3.1 events, labels, folder layout, binning."""
from ml.dvs.aedat import (AedatFile, AedatStats, Events, encode_aedat, parse_aedat,
                             read_aedat, write_aedat)
from ml.dvs.binning import (CHANNEL_ORDER, N_CHANNELS, BinningParams, channel_of,
                               event_counts, pool_and_bin)
from ml.dvs.labels import LabelSegment, Labels, parse_labels, read_labels, write_labels
from ml.dvs.layout import (CLASS_NAMES, LIGHTINGS, Trial, cut_samples, dataset_dir,
                              iter_samples, iter_trials, list_trials, load_trial,
                              parse_trial_name, trial_paths)

__all__ = [
    "AedatFile", "AedatStats", "Events", "encode_aedat", "parse_aedat", "read_aedat",
    "write_aedat",
    "CHANNEL_ORDER", "N_CHANNELS", "BinningParams", "channel_of", "event_counts",
    "pool_and_bin",
    "LabelSegment", "Labels", "parse_labels", "read_labels", "write_labels",
    "CLASS_NAMES", "LIGHTINGS", "Trial", "cut_samples", "dataset_dir", "iter_samples",
    "iter_trials", "list_trials", "load_trial", "parse_trial_name", "trial_paths",
]
