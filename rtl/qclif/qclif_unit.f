// qclif_unit: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
qclif_apical.v
qclif_csa_tree.v
qclif_mult.v
qclif_neuron_datapath.v
qclif_soma.v
qclif_spike_weighting.v
qclif_threshold.v
qclif_unit.v
../common/sram_sp.v
