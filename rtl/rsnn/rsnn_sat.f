// rsnn_sat: every source file it needs, paths relative to this file (verilator -F)
rsnn_sat.v
