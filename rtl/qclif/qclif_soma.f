// qclif_soma: every source file it needs, paths relative to this file (verilator -F)
qclif_soma.v
