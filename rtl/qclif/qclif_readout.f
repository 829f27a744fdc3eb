// qclif_readout: every source file it needs, paths relative to this file (verilator -F)
qclif_readout.v
