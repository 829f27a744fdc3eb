// qclif_spike_weighting: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
qclif_csa_tree.v
qclif_spike_weighting.v
