// rsnn_pe_set: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
rsnn_pe_set.v
