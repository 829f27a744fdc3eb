// rsnn_zs_a: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
rsnn_bit_walker.v
rsnn_zs_a.v
