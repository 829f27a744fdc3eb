// rsnn_in_rx: every source file it needs, paths relative to this file (verilator -F)
rsnn_in_rx.v
