// rsnn_state: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
rsnn_current.v
rsnn_input_scale.v
rsnn_lif.v
rsnn_pe_set.v
rsnn_sat.v
rsnn_state.v
