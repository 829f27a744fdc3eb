// rsnn_out_tx: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
rsnn_out_tx.v
