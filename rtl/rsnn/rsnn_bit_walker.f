// rsnn_bit_walker: every source file it needs, paths relative to this file (verilator -F)
rsnn_bit_walker.v
