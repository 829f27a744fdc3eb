// rsnn_zs_d: every source file it needs, paths relative to this file (verilator -F)
rsnn_bit_walker.v
rsnn_zs_d.v
