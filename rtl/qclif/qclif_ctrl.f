// qclif_ctrl: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
qclif_ctrl.v
