// rsnn_out_tx: every source file it needs, paths relative to this file (verilator -F)
rsnn_out_tx.v
