// rsnn_argmax: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
rsnn_argmax.v
