// qclif_reg_view: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
qclif_reg_view.v
