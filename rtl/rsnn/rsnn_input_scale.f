// rsnn_input_scale: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
rsnn_input_scale.v
rsnn_sat.v
