// rsnn_in_rx: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
rsnn_in_rx.v
