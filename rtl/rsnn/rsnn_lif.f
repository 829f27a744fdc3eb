// rsnn_lif: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
rsnn_lif.v
rsnn_sat.v
