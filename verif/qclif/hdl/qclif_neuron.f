// qclif_neuron: every source file it needs, paths relative to this file (verilator -F)
+incdir+../../../rtl/qclif
qclif_neuron.v
../../../rtl/qclif/qclif_apical.v
../../../rtl/qclif/qclif_csa_tree.v
../../../rtl/qclif/qclif_mult.v
../../../rtl/qclif/qclif_neuron_datapath.v
../../../rtl/qclif/qclif_soma.v
../../../rtl/qclif/qclif_spike_weighting.v
../../../rtl/qclif/qclif_threshold.v
