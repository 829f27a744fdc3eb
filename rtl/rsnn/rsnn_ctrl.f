// rsnn_ctrl: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
rsnn_bit_walker.v
rsnn_ctrl.v
rsnn_zs_a.v
rsnn_zs_b.v
rsnn_zs_c.v
rsnn_zs_d.v
