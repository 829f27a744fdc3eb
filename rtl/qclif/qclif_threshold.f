// qclif_threshold: every source file it needs, paths relative to this file (verilator -F)
qclif_threshold.v
