// qclif_apical: every source file it needs, paths relative to this file (verilator -F)
qclif_apical.v
