// qclif_mult: every source file it needs, paths relative to this file (verilator -F)
qclif_mult.v
