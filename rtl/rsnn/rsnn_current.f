// rsnn_current: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
rsnn_current.v
rsnn_sat.v
