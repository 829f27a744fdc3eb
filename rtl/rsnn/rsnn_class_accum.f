// rsnn_class_accum: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
rsnn_class_accum.v
